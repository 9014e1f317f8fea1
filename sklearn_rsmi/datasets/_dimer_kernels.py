"""numba kernels of the dimer sampler: directed-loop (worm) updates on the L x L torus.

A covering is stored as ``partner_direction[y * L + x]``: the direction from vertex ``(y, x)`` to
the vertex it shares its dimer with, ``0 = +x``, ``1 = +y``, ``2 = -x``, ``3 = -y``; ``-1`` marks an
unmatched vertex (only the worm's tail and head are ever unmatched, and only during a worm).
Neighbors come from a table ``neighbors[site, direction]`` built once per lattice: looking them
up is about twice as fast as periodic index arithmetic in the inner loop.

The worm is a directed loop without bounces: remove the dimer of a uniformly chosen tail
vertex ``v0``; the head sits on its former partner. The head picks one of its
three bonds other than the one it arrived along, uniformly; if the far end is the unmatched tail
the dimer is placed and the worm closes; otherwise the dimer is placed, the far end's old dimer is
removed and the head moves to the far end's old partner. Each step has probability 1/3 and the
reversed worm (same tail, opposite orientation) retraces it step by step with the same
probabilities, so detailed balance holds with respect to the uniform distribution over coverings.

Working with directions rather than neighbor identities keeps the two distinct bonds between the
same pair of vertices on a 2 x 2 torus apart.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def seed_numba(seed):
    """Seed numba's per-thread generator (it is separate from NumPy's)."""
    np.random.seed(seed)


@njit(cache=True)
def neighbor_table(L):
    """``neighbors[y * L + x, d]``: the site one step from ``(y, x)`` in direction ``d``."""
    neighbors = np.empty((L * L, 4), dtype=np.int64)
    for y in range(L):
        for x in range(L):
            site = y * L + x
            neighbors[site, 0] = y * L + (x + 1) % L
            neighbors[site, 1] = ((y + 1) % L) * L + x
            neighbors[site, 2] = y * L + (x - 1 + L) % L
            neighbors[site, 3] = ((y - 1 + L) % L) * L + x
    return neighbors


@njit(cache=True)
def columnar_covering(L):
    """Horizontal dimers on the bonds ``(y, x) - (y, x + 1)`` with ``x`` even, in every row."""
    partner_direction = np.empty(L * L, dtype=np.int8)
    for y in range(L):
        for x in range(L):
            partner_direction[y * L + x] = 0 if x % 2 == 0 else 2
    return partner_direction


@njit(cache=True)
def worm_update(partner_direction, neighbors):
    """One worm update, in place; returns the number of head moves (worm steps) it took.

    Uses numba's global generator: seed it with :func:`seed_numba` first.
    """
    tail = np.random.randint(0, partner_direction.shape[0])
    d = np.int64(partner_direction[tail])
    head = neighbors[tail, d]
    partner_direction[tail] = -1
    partner_direction[head] = -1
    arrived = (d + 2) & 3  # the bond the head may not take back
    n_steps = 0
    while True:
        n_steps += 1
        new = (arrived + 1 + np.random.randint(0, 3)) & 3
        k = neighbors[head, new]
        k_direction = np.int64(partner_direction[k])
        partner_direction[head] = new
        partner_direction[k] = (new + 2) & 3
        if k_direction < 0:
            # Only the tail is unmatched besides the head: the loop closes.
            return n_steps
        head = neighbors[k, k_direction]
        partner_direction[head] = -1
        arrived = (k_direction + 2) & 3


@njit(cache=True)
def run_worms(partner_direction, neighbors, n_worms):
    """``n_worms`` worm updates in place; returns the total number of worm steps."""
    total = 0
    for _ in range(n_worms):
        total += worm_update(partner_direction, neighbors)
    return total


@njit(cache=True)
def covering_to_image(partner_direction, image):
    """Write the links of a covering into a ``(2L, 2L)`` image, leaving vertex and face cells."""
    L = image.shape[0] // 2
    for y in range(L):
        for x in range(L):
            image[2 * y, 2 * x + 1] = 0
            image[2 * y + 1, 2 * x] = 0
    for y in range(L):
        for x in range(L):
            d = partner_direction[y * L + x]
            if d == 0:
                image[2 * y, 2 * x + 1] = 1
            elif d == 1:
                image[2 * y + 1, 2 * x] = 1


# The chain runs in two stages so that the caller can report progress between chunks of
# samples; numba's generator state persists between calls on a thread, so start_dimer_chain
# followed by record_dimer_images over consecutive ranges draws the same numbers however the
# range is cut.


@njit(cache=True)
def start_dimer_chain(L, n_burn_in_worms, seed):
    """Seed, columnar start and burn-in; return the state ``(partner_direction, neighbors)``."""
    np.random.seed(seed)
    partner_direction = columnar_covering(L)
    neighbors = neighbor_table(L)
    run_worms(partner_direction, neighbors, n_burn_in_worms)
    return partner_direction, neighbors


@njit(cache=True)
def record_dimer_images(partner_direction, neighbors, n_between_worms, images, first, stop):
    """Images ``first`` to ``stop - 1`` of the chain into ``images``, ``n_between_worms`` apart.

    Sample 0 is the burnt-in covering itself. Only the link cells of ``images`` are written.
    """
    for s in range(first, stop):
        if s > 0:
            run_worms(partner_direction, neighbors, n_between_worms)
        covering_to_image(partner_direction, images[s])


@njit(cache=True)
def sample_dimer_images(L, n_samples, n_burn_in_worms, n_between_worms, seed):
    """Chain of worm updates from a columnar covering; one image every ``n_between_worms`` worms.

    Returns an int8 array ``(n_samples, 2L, 2L)`` with links filled in and vertex and face cells 0.
    """
    partner_direction, neighbors = start_dimer_chain(L, n_burn_in_worms, seed)
    images = np.zeros((n_samples, 2 * L, 2 * L), dtype=np.int8)
    record_dimer_images(partner_direction, neighbors, n_between_worms, images, 0, n_samples)
    return images


@njit(cache=True)
def covering_windings(partner_direction, L):
    """Winding numbers ``(W_x, W_y)`` of a covering: staggered dimer counts through two cuts.

    ``W_x`` counts the +x dimers leaving column 0, ``+1`` on even rows and ``-1`` on odd ones;
    ``W_y`` the +y dimers leaving row 0, ``+1`` on even columns and ``-1`` on odd ones (the
    flux of the electric field, as :func:`sklearn_rsmi.physics.winding_numbers` defines it).
    """
    w_x = 0
    w_y = 0
    for y in range(L):
        if partner_direction[y * L] == 0:
            w_x += 1 - 2 * (y & 1)
    for x in range(L):
        if partner_direction[x] == 1:
            w_y += 1 - 2 * (x & 1)
    return w_x, w_y


@njit(cache=True)
def calibrate_dimer_chain(partner_direction, neighbors, L, stride, winding_x, winding_y):
    """``stride`` worms per entry of ``winding_x``, recording the windings after each batch.

    Returns the total number of worm steps (over the worms run: the mean worm length).
    """
    total = 0
    for k in range(winding_x.shape[0]):
        total += run_worms(partner_direction, neighbors, stride)
        winding_x[k], winding_y[k] = covering_windings(partner_direction, L)
    return total
