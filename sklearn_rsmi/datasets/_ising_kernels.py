"""numba kernels of the Ising samplers: Wolff, Swendsen-Wang and checkerboard Metropolis.

Conventions: ``H = -sum_<ij> s_i s_j`` on a periodic chain, square or simple cubic lattice,
``K = 1 / T``.
Spins are ``int8`` (+1 / -1). The cluster kernels see the lattice as a flat array of ``N``
sites and a neighbor table ``neighbors[i, b]`` (:func:`neighbor_table`); its first
``dimension`` columns are the "forward" bonds (+x, then +y, then +z), so that walking every
site's forward bonds visits every bond of the torus exactly once. On an ``L = 2`` torus the
forward and backward neighbors coincide: the two entries are then two distinct bonds between
the same pair of sites, exactly as in the Hamiltonian summed over the periodic bonds.

All randomness comes from numba's own generator (separate from NumPy's), and for the Wolff
updates from a SplitMix64 stream seeded from the same integer: the start stage of every driver
takes an integer ``seed`` and calls ``np.random.seed(seed)`` inside njit, so a fixed seed gives
identical output. The update kernels return the number of spins flipped so that
benchmarks can report rates.

Acceptance tests compare a uniform 32-bit integer with ``round(p * 2**32)`` instead of a uniform
double with ``p``: in numba that is one Mersenne-Twister draw instead of two plus a conversion, and
several times faster per decision. The probabilities are
then exact up to ``2**-33``, far below any statistical resolution.
"""

import numpy as np
from numba import njit

_TWO_TO_32 = 4294967296


@njit(cache=True)
def probability_threshold(p):
    """The integer threshold ``t`` with ``P(uniform 32-bit draw < t) = p`` up to ``2**-33``."""
    if p <= 0.0:
        return np.int64(0)
    if p >= 1.0:
        return np.int64(_TWO_TO_32)
    return np.int64(np.round(p * _TWO_TO_32))


@njit(cache=True)
def random_bits():
    """A uniform integer in ``[0, 2**32)`` from numba's generator (one draw)."""
    return np.random.randint(0, _TWO_TO_32)


@njit(cache=True)
def seed_numba(seed):
    """Seed numba's generator of the calling thread (it is separate from NumPy's)."""
    np.random.seed(seed)


@njit(cache=True)
def neighbor_table(L, dimension):
    """Periodic neighbors of the flat ``L**dimension`` lattice, site ``i = (z * L + y) * L + x``.

    Columns: ``+x, -x`` (1D), ``+x, +y, -x, -y`` (2D) or ``+x, +y, +z, -x, -y, -z`` (3D); the
    first ``dimension`` are forward.
    """
    if dimension == 1:
        table = np.empty((L, 2), dtype=np.int32)
        for x in range(L):
            table[x, 0] = (x + 1) % L
            table[x, 1] = (x - 1) % L
        return table
    if dimension == 3:
        plane = L * L
        table = np.empty((plane * L, 6), dtype=np.int32)
        for z in range(L):
            for y in range(L):
                for x in range(L):
                    i = z * plane + y * L + x
                    table[i, 0] = z * plane + y * L + (x + 1) % L
                    table[i, 1] = z * plane + ((y + 1) % L) * L + x
                    table[i, 2] = ((z + 1) % L) * plane + y * L + x
                    table[i, 3] = z * plane + y * L + (x - 1) % L
                    table[i, 4] = z * plane + ((y - 1) % L) * L + x
                    table[i, 5] = ((z - 1) % L) * plane + y * L + x
        return table
    table = np.empty((L * L, 4), dtype=np.int32)
    for y in range(L):
        for x in range(L):
            i = y * L + x
            table[i, 0] = y * L + (x + 1) % L
            table[i, 1] = ((y + 1) % L) * L + x
            table[i, 2] = y * L + (x - 1) % L
            table[i, 3] = ((y - 1) % L) * L + x
    return table


@njit(cache=True)
def hot_start(n_sites):
    """Independent random spins (infinite-temperature start), from numba's generator."""
    spins = np.empty(n_sites, dtype=np.int8)
    for i in range(n_sites):
        spins[i] = 1 if np.random.randint(0, 2) == 1 else -1
    return spins


# ---------------------------------------------------------------------------
# Wolff
#
# The Wolff kernels draw from their own SplitMix64 stream (Steele, Lea & Flood, OOPSLA 2014),
# kept in a one-element uint64 array ``rng`` that travels with the chain: inline, one add and
# two multiplies per draw, against a call into numba's Mersenne Twister. They also test every
# neighbor without a branch on its outcome (a draw per neighbor, the join written
# arithmetically): "is the neighbor of the old sign, does the bond activate" is a coin flip for
# the branch predictor. Together, measured at T_c on 128^2 under load: 2.7x the flipped spins
# per second of the branching kernel on numba's generator (16 -> 44 million per second).

_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_SHIFT_32 = np.uint64(32)


@njit(inline="always")
def _mix64(z):
    """SplitMix64's output function: a bijection of uint64 that scrambles every bit."""
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def splitmix_state(seed):
    """The one-element ``rng`` state of the Wolff kernels for an integer ``seed``.

    The seed is scrambled, not used as the counter: counters ``seed * gamma`` of adjacent seeds
    would give the same stream shifted by one draw.
    """
    state = np.empty(1, dtype=np.uint64)
    state[0] = _mix64(np.uint64(seed) + _GOLDEN_GAMMA)
    return state


@njit(cache=True)
def wolff_update(spins, neighbors, add_threshold, stack, rng):
    """Grow and flip one Wolff cluster in place; return its size.

    A spin is flipped as soon as it joins the cluster, so "already flipped" doubles as the
    visited mark and a neighbor can join only while it still has the seed's old sign.
    ``add_threshold = probability_threshold(1 - exp(-2K))``; ``stack`` is scratch space of
    ``N`` int32: the entry past the top is written even when no spin joins, and the pending
    spins never exceed ``N - 1`` while one is being processed. ``rng`` is the chain's
    SplitMix64 state (:func:`splitmix_state`), advanced in place.
    """
    n_sites = spins.shape[0]
    n_bonds = neighbors.shape[1]
    state = rng[0]
    threshold = np.uint64(add_threshold)
    state += _GOLDEN_GAMMA
    # Lemire's multiply-shift: a uniform site up to a bias of N / 2**32
    seed_site = np.int64(((_mix64(state) >> _SHIFT_32) * np.uint64(n_sites)) >> _SHIFT_32)
    old = spins[seed_site]
    spins[seed_site] = -old
    stack[0] = seed_site
    top = 1
    size = 1
    while top > 0:
        top -= 1
        i = stack[top]
        for b in range(n_bonds):
            j = neighbors[i, b]
            s = spins[j]
            state += _GOLDEN_GAMMA
            join = (s == old) & ((_mix64(state) >> _SHIFT_32) < threshold)
            spins[j] = s - 2 * s * join
            stack[top] = j
            top += join
            size += join
    rng[0] = state
    return size


@njit(cache=True)
def wolff_update_branching(spins, neighbors, add_threshold, stack):
    """The reference kernel of the benchmarks: a branch per test, numba's generator.

    The samplers use :func:`wolff_update`; this one stays so that
    ``benchmarks/bench_ising.py`` and ``bench_ising_3d.py`` can show what it gains.
    """
    n_sites = spins.shape[0]
    n_bonds = neighbors.shape[1]
    seed_site = np.random.randint(0, n_sites)
    old = spins[seed_site]
    new = -old
    spins[seed_site] = new
    stack[0] = seed_site
    top = 1
    size = 1
    while top > 0:
        top -= 1
        i = stack[top]
        for b in range(n_bonds):
            j = neighbors[i, b]
            if spins[j] == old and random_bits() < add_threshold:
                spins[j] = new
                stack[top] = j
                top += 1
                size += 1
    return size


@njit(cache=True)
def wolff_sweeps(spins, neighbors, add_threshold, n_sweeps, stack, rng):
    """Flip clusters until at least ``n_sweeps * N`` spins have been flipped.

    Returns ``(flipped, n_clusters)``. Only for burn-in and calibration: a state recorded at
    such a stopping time is biased (see :func:`start_wolff`).
    """
    target = n_sweeps * spins.shape[0]
    flipped = 0
    n_clusters = 0
    while flipped < target:
        flipped += wolff_update(spins, neighbors, add_threshold, stack, rng)
        n_clusters += 1
    return flipped, n_clusters


@njit(cache=True)
def wolff_updates(spins, neighbors, add_threshold, n_clusters, stack, rng):
    """Flip ``n_clusters`` clusters; return the number of spins flipped."""
    flipped = 0
    for _ in range(n_clusters):
        flipped += wolff_update(spins, neighbors, add_threshold, stack, rng)
    return flipped


# ---------------------------------------------------------------------------
# Swendsen-Wang


@njit(cache=True)
def _find(parent, i):
    # path halving keeps the trees shallow without recursion
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@njit(cache=True)
def swendsen_wang_update(spins, neighbors, add_threshold, parent, flip):
    """One Swendsen-Wang update in place; return the number of spins flipped.

    Bonds between equal neighbors are activated with probability ``1 - exp(-2K)`` (``add_threshold``) and merged by
    union-find (each bond once, via the forward columns of ``neighbors``); every cluster then
    flips with probability 1/2. ``parent`` (int32) and ``flip`` (int8) are scratch of size ``N``.
    """
    n_sites = spins.shape[0]
    dimension = neighbors.shape[1] // 2
    for i in range(n_sites):
        parent[i] = i
    for i in range(n_sites):
        s = spins[i]
        for b in range(dimension):
            j = neighbors[i, b]
            if spins[j] == s and random_bits() < add_threshold:
                root_i = _find(parent, i)
                root_j = _find(parent, j)
                # the smaller index is the root: every root is then met before its members below
                if root_i < root_j:
                    parent[root_j] = root_i
                elif root_j < root_i:
                    parent[root_i] = root_j
    flipped = 0
    for i in range(n_sites):
        root = _find(parent, i)
        if root == i:
            flip[i] = np.random.randint(0, 2)
        if flip[root]:
            spins[i] = -spins[i]
            flipped += 1
    return flipped


@njit(cache=True)
def swendsen_wang_sweeps(spins, neighbors, add_threshold, n_sweeps, parent, flip):
    """``n_sweeps`` Swendsen-Wang updates (one update = one sweep); return spins flipped."""
    flipped = 0
    unbranched = neighbors.shape[1] == 6
    for _ in range(n_sweeps):
        if unbranched:
            flipped += swendsen_wang_update_unbranched(spins, neighbors, add_threshold, parent,
                                                       flip)
        else:
            flipped += swendsen_wang_update(spins, neighbors, add_threshold, parent, flip)
    return flipped


# ---------------------------------------------------------------------------
# Swendsen-Wang on the cubic lattice
#
# On the cubic lattice a test per neighbor is a coin flip for the branch predictor (is the
# neighbor of the old sign? does the bond activate?), and six of them per site cost more
# than the draws they save: this variant draws a number for every test and joins without a
# branch. Measured at T_c, one thread: 1.2-1.5x the flipped spins per second of the
# branching kernel on 32^3 and 64^3 (benchmarks/bench_ising_3d.py). It draws in a different
# order, so it is used for 3D only: the seeded 1D and 2D Swendsen-Wang samples stay as they were.


@njit(cache=True)
def swendsen_wang_update_unbranched(spins, neighbors, add_threshold, parent, flip):
    """:func:`swendsen_wang_update` with one draw per forward bond, and flips without a branch."""
    n_sites = spins.shape[0]
    dimension = neighbors.shape[1] // 2
    for i in range(n_sites):
        parent[i] = i
    for i in range(n_sites):
        s = spins[i]
        for b in range(dimension):
            j = neighbors[i, b]
            if (spins[j] == s) & (random_bits() < add_threshold):
                root_i = _find(parent, i)
                root_j = _find(parent, j)
                if root_i < root_j:
                    parent[root_j] = root_i
                elif root_j < root_i:
                    parent[root_i] = root_j
    flipped = 0
    for i in range(n_sites):
        root = _find(parent, i)
        if root == i:
            flip[i] = np.random.randint(0, 2)
        f = flip[root]
        spins[i] = spins[i] - 2 * spins[i] * f
        flipped += f
    return flipped


# ---------------------------------------------------------------------------
# Checkerboard Metropolis


@njit(cache=True)
def acceptance_table(K, dimension):
    """Thresholds ``table[s * h + 2 * dimension]`` of the flip probability ``min(1, exp(-2 K s h))``.

    ``h`` is the local field (sum of the ``2 * dimension`` neighbors) and ``dE = 2 s h``; level
    and downhill flips (``s h <= 0``) get the always-accept threshold ``2**32``.
    """
    table = np.full(4 * dimension + 1, _TWO_TO_32, dtype=np.int64)
    for sh in range(1, 2 * dimension + 1):
        table[sh + 2 * dimension] = probability_threshold(np.exp(-2.0 * K * sh))
    return table


@njit(cache=True)
def metropolis_sweeps_2d(spins, acceptance, n_sweeps):
    """``n_sweeps`` checkerboard sweeps of the ``L x L`` lattice (even ``L``) in place.

    Each sweep updates the sublattice ``x + y`` even, then ``x + y`` odd: one attempt per site.
    Returns the number of spins flipped. Every attempt draws a random number, even a certain
    (downhill) one, and the flip is written without a branch: an unpredictable branch per site
    cost more than the draw (about 1.6x slower at ``T_c``).
    """
    L = spins.shape[0]
    flipped = 0
    for _ in range(n_sweeps):
        for parity in range(2):
            for y in range(L):
                up = (y - 1) % L
                down = (y + 1) % L
                for x in range((y + parity) & 1, L, 2):
                    left = x - 1 if x > 0 else L - 1
                    right = x + 1 if x < L - 1 else 0
                    s = spins[y, x]
                    sh = s * (spins[up, x] + spins[down, x] + spins[y, left] + spins[y, right])
                    accept = random_bits() < acceptance[sh + 4]
                    spins[y, x] = s - 2 * s * accept
                    flipped += accept
    return flipped


@njit(cache=True)
def metropolis_sweeps_1d(spins, acceptance, n_sweeps):
    """``n_sweeps`` even/odd sweeps of the periodic chain (even ``L``) in place; return flips."""
    L = spins.shape[0]
    flipped = 0
    for _ in range(n_sweeps):
        for parity in range(2):
            for x in range(parity, L, 2):
                left = x - 1 if x > 0 else L - 1
                right = x + 1 if x < L - 1 else 0
                s = spins[x]
                sh = s * (spins[left] + spins[right])
                accept = random_bits() < acceptance[sh + 2]
                spins[x] = s - 2 * s * accept
                flipped += accept
    return flipped


@njit(cache=True)
def metropolis_sweeps_3d(spins, acceptance, n_sweeps):
    """``n_sweeps`` checkerboard sweeps of the ``L x L x L`` lattice (even ``L``) in place.

    As :func:`metropolis_sweeps_2d`, with the sublattices ``x + y + z`` even and odd.
    """
    L = spins.shape[0]
    flipped = 0
    for _ in range(n_sweeps):
        for parity in range(2):
            for z in range(L):
                back = (z - 1) % L
                front = (z + 1) % L
                for y in range(L):
                    up = (y - 1) % L
                    down = (y + 1) % L
                    for x in range((z + y + parity) & 1, L, 2):
                        left = x - 1 if x > 0 else L - 1
                        right = x + 1 if x < L - 1 else 0
                        s = spins[z, y, x]
                        sh = s * (spins[z, up, x] + spins[z, down, x] + spins[z, y, left]
                                  + spins[z, y, right] + spins[back, y, x] + spins[front, y, x])
                        accept = random_bits() < acceptance[sh + 6]
                        spins[z, y, x] = s - 2 * s * accept
                        flipped += accept
    return flipped


# ---------------------------------------------------------------------------
# Drivers, in two stages so that the caller can report progress between chunks of samples:
# ``start_*`` seeds numba's generator, draws the hot start and burns in, returning the chain
# state; ``record_*(*state, out, first, stop)`` continues the chain into ``out[first:stop]``.
# numba's generator state persists between calls on a thread, so ``start`` followed by
# records over consecutive ranges draws the same numbers however the range is cut.


@njit(cache=True)
def start_wolff(L, dimension, K, n_burn_in, n_between, seed):
    """Seed, hot start, burn-in and calibration of a Wolff chain; return its state.

    The state ``(spins, neighbors, add_threshold, n_clusters, stack, rng)`` is what
    :func:`record_wolff` takes first. Burn-in flips clusters until ``n_burn_in * N`` spins have
    flipped. The samples are then taken a *fixed* number of cluster updates apart, ``n_clusters
    = round(n_between * N / <|C|>)``, with the mean cluster size ``<|C|>`` measured in a further
    calibration stretch of ``n_between`` sweeps. Stopping on a flipped-spin count instead would
    be an inspection-paradox bias: the recorded states would favor those just after a large
    cluster flip, i.e. the more ordered ones (measured: ``<s s>_nn`` too high by 0.004, 14
    standard errors, at ``T_c``, L = 128).
    """
    np.random.seed(seed)
    neighbors = neighbor_table(L, dimension)
    n_sites = neighbors.shape[0]
    spins = hot_start(n_sites)
    stack = np.empty(n_sites, dtype=np.int32)
    rng = splitmix_state(seed)
    add_threshold = probability_threshold(-np.expm1(-2.0 * K))
    wolff_sweeps(spins, neighbors, add_threshold, n_burn_in, stack, rng)
    calibration_flips, calibration_clusters = wolff_sweeps(
        spins, neighbors, add_threshold, n_between, stack, rng
    )
    mean_cluster_size = calibration_flips / calibration_clusters
    n_clusters = max(1, int(np.round(n_between * n_sites / mean_cluster_size)))
    return spins, neighbors, add_threshold, n_clusters, stack, rng


@njit(cache=True)
def record_wolff(spins, neighbors, add_threshold, n_clusters, stack, rng, out, first, stop):
    """Samples ``first`` to ``stop - 1`` into the rows of ``out`` (int8, ``(n_samples, N)``)."""
    for k in range(first, stop):
        wolff_updates(spins, neighbors, add_threshold, n_clusters, stack, rng)
        out[k] = spins


@njit(cache=True)
def start_swendsen_wang(L, dimension, K, n_burn_in, n_between, seed):
    """Seed, hot start and burn-in of a Swendsen-Wang chain; return its state.

    The state ``(spins, neighbors, add_threshold, n_between, parent, flip)`` is what
    :func:`record_swendsen_wang` takes first.
    """
    np.random.seed(seed)
    neighbors = neighbor_table(L, dimension)
    n_sites = neighbors.shape[0]
    spins = hot_start(n_sites)
    parent = np.empty(n_sites, dtype=np.int32)
    flip = np.zeros(n_sites, dtype=np.int8)
    add_threshold = probability_threshold(-np.expm1(-2.0 * K))
    swendsen_wang_sweeps(spins, neighbors, add_threshold, n_burn_in, parent, flip)
    return spins, neighbors, add_threshold, n_between, parent, flip


@njit(cache=True)
def record_swendsen_wang(spins, neighbors, add_threshold, n_between, parent, flip, out, first,
                         stop):
    """As :func:`record_wolff`; sample 0 is the burnt-in state itself."""
    for k in range(first, stop):
        if k > 0:
            swendsen_wang_sweeps(spins, neighbors, add_threshold, n_between, parent, flip)
        out[k] = spins


@njit(cache=True)
def metropolis_sweeps(spins, acceptance, L, dimension, n_sweeps):
    """Checkerboard sweeps of the flat chain, ``L x L`` or ``L x L x L`` lattice; return flips."""
    if dimension == 1:
        return metropolis_sweeps_1d(spins, acceptance, n_sweeps)
    if dimension == 2:
        return metropolis_sweeps_2d(spins.reshape((L, L)), acceptance, n_sweeps)
    return metropolis_sweeps_3d(spins.reshape((L, L, L)), acceptance, n_sweeps)


@njit(cache=True)
def start_metropolis(L, dimension, K, n_burn_in, n_between, seed):
    """Seed, hot start and burn-in of a checkerboard Metropolis chain (``L`` even); its state.

    The state ``(spins, acceptance, L, dimension, n_between)``, ``spins`` flat, is what
    :func:`record_metropolis` takes first.
    """
    np.random.seed(seed)
    spins = hot_start(L**dimension)
    acceptance = acceptance_table(K, dimension)
    metropolis_sweeps(spins, acceptance, L, dimension, n_burn_in)
    return spins, acceptance, L, dimension, n_between


@njit(cache=True)
def record_metropolis(spins, acceptance, L, dimension, n_between, out, first, stop):
    """As :func:`record_wolff`; sample 0 is the burnt-in state itself."""
    for k in range(first, stop):
        if k > 0:
            metropolis_sweeps(spins, acceptance, L, dimension, n_between)
        out[k] = spins


# ---------------------------------------------------------------------------
# Calibration: the chain continues from its burnt-in state and records the energy and |m|
# per site along the way, for the autocorrelation times behind ``n_between="auto"``. Every
# kernel takes the flat spins and the neighbor table, so it works in any dimension.


@njit(cache=True)
def lattice_observables(spins, neighbors):
    """``(E / N, |M| / N)`` of the flat configuration ``spins`` (``H = -sum_<ij> s_i s_j``)."""
    n_sites = spins.shape[0]
    dimension = neighbors.shape[1] // 2
    bonds = 0
    total = 0
    for i in range(n_sites):
        s = np.int64(spins[i])
        total += s
        for b in range(dimension):
            bonds += s * spins[neighbors[i, b]]
    return -bonds / n_sites, abs(total) / n_sites


@njit(cache=True)
def calibrate_wolff(spins, neighbors, add_threshold, stack, rng, stride, energy,
                    abs_magnetization):
    """``stride * len(energy)`` cluster updates, recording the observables every ``stride``.

    Returns the number of spins flipped (their mean per update is the mean cluster size).
    """
    flipped = 0
    for k in range(energy.shape[0]):
        flipped += wolff_updates(spins, neighbors, add_threshold, stride, stack, rng)
        energy[k], abs_magnetization[k] = lattice_observables(spins, neighbors)
    return flipped


@njit(cache=True)
def calibrate_swendsen_wang(spins, neighbors, add_threshold, parent, flip, energy,
                            abs_magnetization):
    """One Swendsen-Wang update per entry of ``energy``, recording the observables after each.

    Returns the total number of clusters built (``N`` updates over it is the mean cluster size).
    """
    n_clusters = 0
    for k in range(energy.shape[0]):
        swendsen_wang_sweeps(spins, neighbors, add_threshold, 1, parent, flip)
        for i in range(spins.shape[0]):
            n_clusters += parent[i] == i  # the roots: one per cluster
        energy[k], abs_magnetization[k] = lattice_observables(spins, neighbors)
    return n_clusters


@njit(cache=True)
def calibrate_metropolis(spins, acceptance, L, dimension, neighbors, energy, abs_magnetization):
    """One checkerboard sweep per entry of ``energy``, recording the observables after each.

    Returns the number of spins flipped (over ``N len(energy)`` attempts: the acceptance rate).
    """
    flipped = 0
    for k in range(energy.shape[0]):
        flipped += metropolis_sweeps(spins, acceptance, L, dimension, 1)
        energy[k], abs_magnetization[k] = lattice_observables(spins, neighbors)
    return flipped


@njit(cache=True)
def sample_observables(samples, neighbors):
    """``(E / N, |M| / N)`` of every row of ``samples`` (int8, ``(n_samples, N)``)."""
    n_samples = samples.shape[0]
    energy = np.empty(n_samples)
    abs_magnetization = np.empty(n_samples)
    for k in range(n_samples):
        energy[k], abs_magnetization[k] = lattice_observables(samples[k], neighbors)
    return energy, abs_magnetization
