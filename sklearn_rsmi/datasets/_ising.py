"""Equilibrium samples of the Ising chain, square and simple cubic lattices, cached on disk."""

import math
import os
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._utils.seeding import draw_seed
from .._utils.validation import check_temperature, check_verbose
from ..physics import CRITICAL_TEMPERATURE, CRITICAL_TEMPERATURE_3D, correlation_length
from . import _ising_kernels
from ._autocorrelation import SamplerStatistics, integrated_autocorrelation_time, summarize_observable
from ._base import SamplingProgress, get_memory

ALGORITHMS = ("wolff", "swendsen-wang", "metropolis")

# (start, record) stages of each driver; see the end of _ising_kernels.
_SAMPLERS = {
    "wolff": (_ising_kernels.start_wolff, _ising_kernels.record_wolff),
    "swendsen-wang": (_ising_kernels.start_swendsen_wang, _ising_kernels.record_swendsen_wang),
    "metropolis": (_ising_kernels.start_metropolis, _ising_kernels.record_metropolis),
}

# Bump when a kernel changes what a given seed produces: it is part of the cache key, so
# stale datasets on disk are never returned for the new code.
# 2: n_between="auto" by default (the default spacing is measured); 3: Wolff draws from its own
# SplitMix64 stream, a draw per neighbor test.
_SAMPLER_VERSION = 3

#: ``n_between="auto"`` puts consecutive samples this many integrated autocorrelation times
#: apart, of the slower of the energy and ``|m|`` (see :func:`make_ising` and the user
#: guide's page on sampling defaults for how it was chosen).
AUTO_SPACING_IN_TAU = 3.0

# Calibration stretch of n_between="auto", in sweeps. The relative error of Sokal's
# estimate is about sqrt(4 c tau / T) for a stretch of T sweeps (c = 6): T = 600 tau
# gives 20 %. At T_c, L = 128, where tau is largest, Wolff has tau(E) = 1.7 sweeps and
# Swendsen-Wang 6.4 (both grow like L^0.25); Metropolis gets 50 times the model's tau(|m|)
# below (critical slowing down makes more unaffordable on large lattices).
_CLUSTER_CALIBRATION = {"wolff": 1000, "swendsen-wang": 2000}
_MIN_CALIBRATION_SWEEPS = 200
# Wolff: a short stretch first measures the mean cluster size, so that the calibration
# can record the observables about this many times per sweep.
_WOLFF_SIZE_SWEEPS = 10
_WOLFF_MEASUREMENTS_PER_SWEEP = 4

# Cluster-algorithm defaults, from integrated autocorrelation times measured with these kernels
# at T_c, L = 128 (in sweeps): Wolff tau(E) = 1.7, tau(|m|) = 1.0; Swendsen-Wang tau(E) = 6.4,
# tau(|m|) = 4.6. The defaults are ~6 and ~4 tau(E); tau grows only like L^0.25.
_CLUSTER_BURN_IN = 100
_CLUSTER_BETWEEN = {"wolff": 10, "swendsen-wang": 25}

# Metropolis: tau(|m|) at T_c measured as 12 sweeps (L = 16) and 49 (L = 32), consistent with
# tau = 12 (L / 16)^z, z = 2.17. Off criticality L is replaced by ~3 correlation lengths (this
# matched tau(|m|) at T = 2.5 and T = 3 within a factor ~1.5). The default is ~3 tau.
_METROPOLIS_TAU_16 = 12.0
_DYNAMIC_EXPONENT = 2.17
_METROPOLIS_MIN_BETWEEN = 5
_METROPOLIS_MIN_BURN_IN = 1000

# The simple cubic lattice, integrated autocorrelation times measured with its own kernels at
# T_c (benchmarks/bench_ising_3d.py, Sokal's window c = 6, in sweeps; errors ~5-10 %, 25 % at
# L = 64): Wolff tau(E) = 1.4 (L = 16), 1.4-1.6 (32), 2.3 (64); tau(|m|) = 1.1, 1.1, 1.4.
# Swendsen-Wang tau(E) = 5.5 (16), 7.8-8.8 (32), 7.7-9.0 (64); tau(|m|) = 4.8, 6.4-6.8, 7.4.
# The 3D defaults are 10 Wolff sweeps (>= 4 tau(E) up to L = 64) and 30 Swendsen-Wang sweeps
# (>= 3.4 tau(E)); the 100 sweeps of burn-in are >= 11 tau. Metropolis tau(|m|) = 5.5
# (L = 8), 20 (16), 46 (24): tau = 20 (L / 16)^2.0 (z = 2.06 between 16 and 24). No closed
# form gives the correlation length off T_c, so the Metropolis spacing always uses l = L:
# never too short, but wasteful far from T_c.
_CLUSTER_BETWEEN_3D = {"wolff": 10, "swendsen-wang": 30}
_METROPOLIS_TAU_16_3D = 20.0
_DYNAMIC_EXPONENT_3D = 2.0


def _correlation_length(temperature, dimension):
    """Exponential correlation length of the infinite system (``inf`` at the 2D ``T_c``)."""
    K = 1.0 / temperature
    if dimension == 1:
        # <s_0 s_r> = tanh(K)^r; tanh(K) rounds to 1 for K >~ 19: the chain is then frozen
        t = math.tanh(K)
        return math.inf if t >= 1.0 else -1.0 / math.log(t)
    if dimension == 3:
        return math.inf  # unknown in closed form: the lattice size bounds it
    return float(correlation_length(temperature))


def _metropolis_tau(lattice_size, temperature, dimension):
    """The model's tau(|m|) of checkerboard Metropolis, in sweeps (see the constants above)."""
    length = min(float(lattice_size), 3.0 * _correlation_length(temperature, dimension))
    if dimension == 3:
        return _METROPOLIS_TAU_16_3D * (length / 16.0) ** _DYNAMIC_EXPONENT_3D
    return _METROPOLIS_TAU_16 * (length / 16.0) ** _DYNAMIC_EXPONENT


def default_sweeps(lattice_size, temperature, *, dimension=2, algorithm="wolff"):
    """The fixed ``(n_burn_in, n_between)`` of the model of autocorrelation times.

    :func:`make_ising` uses this ``n_burn_in`` when it is None; ``n_between`` is measured
    by default (``"auto"``), and this fixed value is the one it had before. Cluster
    algorithms: 100 sweeps of burn-in and 10 (Wolff) or 25 (Swendsen-Wang) sweeps between
    samples, whatever the temperature. Metropolis: ``n_between = max(5, ceil(36
    (l / 16)^2.17))`` with ``l = min(L, 3 xi(T))``, about three autocorrelation times of
    ``|m|`` (this grows as ``L^2.17`` at ``T_c``: 3,282 sweeps at ``L = 128``), and
    ``n_burn_in = max(1000, 10 n_between)``, at least ``L^2`` below the 2D ``T_c`` where
    domains must coarsen from the hot start.

    The cubic lattice (``dimension=3``) has its own measured figures: 10 (Wolff) or 30
    (Swendsen-Wang) sweeps between samples, at least 4 and 3.4 integrated autocorrelation
    times of the energy at ``T_c`` up to ``L = 64`` (Wolff 1.4 to 2.3 sweeps, Swendsen-Wang
    5.5 to 9); Metropolis ``n_between = max(5, ceil(60 (L / 16)^2))`` at every temperature
    (no exact correlation length bounds it), the burn-in as in 2D with the 3D ``T_c``.
    """
    if algorithm != "metropolis":
        between = _CLUSTER_BETWEEN_3D if dimension == 3 else _CLUSTER_BETWEEN
        return _CLUSTER_BURN_IN, between[algorithm]
    tau = _metropolis_tau(lattice_size, temperature, dimension)
    n_between = max(_METROPOLIS_MIN_BETWEEN, math.ceil(3.0 * tau))
    n_burn_in = max(_METROPOLIS_MIN_BURN_IN, 10 * n_between)
    critical = {2: CRITICAL_TEMPERATURE, 3: CRITICAL_TEMPERATURE_3D}.get(dimension, 0.0)
    if temperature < critical:
        # domains coarsen from the hot start over ~L^2 sweeps
        n_burn_in = max(n_burn_in, lattice_size * lattice_size)
    return n_burn_in, n_between


def _check_parameters(lattice_size, dimension, algorithm):
    """What validate_params cannot say: the checks that tie parameters together."""
    if algorithm == "metropolis" and lattice_size % 2:
        raise ValueError(
            f"lattice_size must be even for algorithm='metropolis', got {lattice_size}: the "
            "checkerboard update needs two sublattices whose sites only neighbor the other "
            "sublattice, which a periodic lattice of odd side does not have."
        )
    if lattice_size ** dimension > np.iinfo(np.int32).max:
        raise ValueError(
            f"lattice_size={lattice_size} is too large: lattice_size**dimension sites must "
            "fit an int32 index."
        )


def _calibration_sweeps(algorithm, lattice_size, temperature, dimension):
    """Length of the calibration stretch of ``n_between="auto"``, in sweeps."""
    if algorithm != "metropolis":
        return _CLUSTER_CALIBRATION[algorithm]
    tau = _metropolis_tau(lattice_size, temperature, dimension)
    return max(_MIN_CALIBRATION_SWEEPS, math.ceil(50.0 * tau))


def _autocorrelation_times(energy, abs_magnetization, spacing):
    return {
        "energy": integrated_autocorrelation_time(energy, spacing=spacing),
        "abs_magnetization": integrated_autocorrelation_time(abs_magnetization, spacing=spacing),
    }


def _calibrate(algorithm, state, lattice_size, dimension, n_calibration):
    """Run the calibration stretch from a burnt-in state; measure tau_int and set the spacing.

    Returns ``(state, n_between in sweeps, autocorrelation times, move statistics)``, the
    state with its spacing replaced by the measured one.
    """
    n_sites = lattice_size**dimension
    if algorithm == "wolff":
        spins, neighbors, add_threshold, n_clusters, stack, rng = state
        clusters_per_sweep = n_clusters / _WOLFF_SIZE_SWEEPS
        stride = max(1, round(clusters_per_sweep / _WOLFF_MEASUREMENTS_PER_SWEEP))
        n_measurements = max(2, math.ceil(n_calibration * clusters_per_sweep / stride))
        energy, abs_m = np.empty(n_measurements), np.empty(n_measurements)
        flipped = _ising_kernels.calibrate_wolff(spins, neighbors, add_threshold, stack, rng,
                                                 stride, energy, abs_m)
        mean_cluster_size = flipped / (stride * n_measurements)
        sweeps_per_update = mean_cluster_size / n_sites
        taus = _autocorrelation_times(energy, abs_m, stride * sweeps_per_update)
        slowest = max(t.tau_int for t in taus.values())
        n_clusters = max(1, math.ceil(AUTO_SPACING_IN_TAU * slowest / sweeps_per_update))
        state = (spins, neighbors, add_threshold, n_clusters, stack, rng)
        return (state, n_clusters * sweeps_per_update, taus,
                {"mean_cluster_size": mean_cluster_size})
    energy, abs_m = np.empty(n_calibration), np.empty(n_calibration)
    if algorithm == "swendsen-wang":
        spins, neighbors, add_threshold, _, parent, flip = state
        n_clusters = _ising_kernels.calibrate_swendsen_wang(
            spins, neighbors, add_threshold, parent, flip, energy, abs_m)
        moves = {"mean_cluster_size": n_sites * n_calibration / n_clusters}
    else:
        spins, acceptance, L, dimension, _ = state
        neighbors = _ising_kernels.neighbor_table(L, dimension)
        flipped = _ising_kernels.calibrate_metropolis(spins, acceptance, L, dimension, neighbors,
                                                      energy, abs_m)
        moves = {"acceptance_rate": flipped / (n_sites * n_calibration)}
    taus = _autocorrelation_times(energy, abs_m, 1.0)
    slowest = max(t.tau_int for t in taus.values())
    n_between = max(1, math.ceil(AUTO_SPACING_IN_TAU * slowest))
    state = state[:-1] + (n_between,) if algorithm == "metropolis" else (
        state[:3] + (n_between,) + state[4:])
    return state, float(n_between), taus, moves


def _sample_observables(samples, lattice_size, dimension):
    """Energy and ``|m|`` per site of every sample (flat rows), without copying the samples."""
    neighbors = _ising_kernels.neighbor_table(lattice_size, dimension)
    return _ising_kernels.sample_observables(samples, neighbors)


def _generate(n_samples, lattice_size, temperature, dimension, algorithm, n_burn_in, n_between, seed,
              sampler_version, progress=None):
    """Run the sampler; every argument but ``progress`` is part of the on-disk cache key.

    Returns ``(samples, statistics)``.
    """
    if progress is None:
        progress = SamplingProgress("make_ising", n_samples)
    start, record = _SAMPLERS[algorithm]
    auto = n_between == "auto"
    if auto:
        # Wolff's start stage measures the mean cluster size over its n_between sweeps.
        first = _WOLFF_SIZE_SWEEPS if algorithm == "wolff" else 1
        state = start(lattice_size, dimension, 1.0 / temperature, n_burn_in, first, seed)
        n_calibration = _calibration_sweeps(algorithm, lattice_size, temperature, dimension)
        state, spacing, taus, moves = _calibrate(algorithm, state, lattice_size, dimension,
                                                 n_calibration)
        progress.burned_in(f"{n_burn_in} sweeps; {n_calibration} sweeps of calibration, "
                           f"samples {spacing:.3g} sweeps apart")
    else:
        state = start(lattice_size, dimension, 1.0 / temperature, n_burn_in, n_between, seed)
        n_calibration, spacing, taus, moves = 0, float(n_between), {}, {}
        if algorithm == "wolff":
            moves = {"mean_cluster_size": n_between * lattice_size**dimension / state[3]}
        progress.burned_in(f"{n_burn_in} sweeps")
    samples = np.empty((n_samples, lattice_size**dimension), dtype=np.int8)
    for first, stop in progress.chunks():
        record(*state, samples, first, stop)
    energy, abs_m = _sample_observables(samples, lattice_size, dimension)
    statistics = SamplerStatistics(
        algorithm=algorithm, unit="sweeps", n_between=spacing, n_calibration=n_calibration,
        autocorrelation_times=taus,
        observables={"energy": summarize_observable(energy),
                     "abs_magnetization": summarize_observable(abs_m)},
        move_statistics=moves,
    )
    return samples.reshape((n_samples,) + (lattice_size,) * dimension), statistics


def _warn_if_not_converged(statistics, sampler):
    for name, tau in statistics.autocorrelation_times.items():
        if not tau.converged:
            warnings.warn(
                f"{sampler}: the integrated autocorrelation time of {name} did not converge "
                f"within the calibration stretch of {statistics.n_calibration:g} "
                f"{statistics.unit}: its estimate, {tau.tau_int:.3g} {statistics.unit}, needs a "
                f"stretch of at least {tau.needed_length:.3g} {statistics.unit} (50 tau_int). "
                "The samples may be closer than intended; pass an integer n_between to set "
                "the spacing yourself.",
                ConvergenceWarning,
                stacklevel=4,
            )


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "lattice_size": [Interval(Integral, 2, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "dimension": [Interval(Integral, 1, 3, closed="both")],
        "algorithm": [StrOptions(set(ALGORITHMS))],
        "n_burn_in": [Interval(Integral, 0, None, closed="left"), None],
        "n_between": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None],
        "random_state": [Interval(Integral, 0, None, closed="left"), np.random.RandomState,
                         None],
        "data_home": [str, os.PathLike, None],
        "cache": ["boolean"],
        "verbose": ["verbose"],
        "return_statistics": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_ising(n_samples, lattice_size, temperature, *, dimension=2, algorithm="wolff",
               n_burn_in=None, n_between="auto", random_state=None, data_home=None, cache=True,
               verbose=0, return_statistics=False):
    r"""Equilibrium samples of the periodic Ising chain, square or simple cubic lattice.

    The Hamiltonian is :math:`H = -\sum_{\langle ij\rangle} s_i s_j` over nearest-neighbor
    bonds with periodic boundaries, :math:`J = k_B = 1`, and configurations are drawn from
    :math:`e^{-H/T}` by Markov-chain Monte Carlo from a random (infinite-temperature) start.

    Parameters
    ----------
    n_samples : int
        Number of configurations, >= 1.
    lattice_size : int
        Linear size ``L``, >= 2 (a chain of ``L`` sites, an ``L x L`` or an ``L x L x L``
        torus). Must be even for ``algorithm="metropolis"``. For ``L = 2`` the periodic wrap
        makes two distinct bonds between each pair of neighbors, and both count in :math:`H`.
    temperature : float
        Temperature ``T > 0`` in units of ``J / k_B``. The 2D critical temperature is
        ``2 / ln(1 + sqrt 2) = 2.269...``; the simple cubic lattice's is ``4.5115232``
        (:data:`sklearn_rsmi.physics.CRITICAL_TEMPERATURE_3D`).
    dimension : {1, 2, 3}, default=2
        1 for the chain, 2 for the square lattice, 3 for the simple cubic lattice (site
        ``(z, y, x)`` has the six neighbors ``z +- 1``, ``y +- 1``, ``x +- 1``).
    algorithm : {"wolff", "swendsen-wang", "metropolis"}, default="wolff"
        ``"wolff"``: single-cluster updates. ``"swendsen-wang"``: every cluster of the bond
        configuration flipped with probability 1/2. ``"metropolis"``: checkerboard
        single-spin Metropolis, the two sublattices (even and odd sites in 1D) alternately;
        it suffers critical slowing down and, below ``T_c``, keeps the sign of the
        magnetization of its burn-in and may freeze into a stripe domain state from the hot
        start: prefer a cluster algorithm there.
    n_burn_in : int, default=None
        Sweeps discarded before the first sample, >= 0. None: 100 for the cluster
        algorithms; for Metropolis ``max(1000, 10 n)`` with ``n`` the modeled spacing of
        :func:`default_sweeps` (``n = max(5, ceil(36 (l / 16)^2.17))``, ``l = min(L, 3
        xi(T))``, about three autocorrelation times of ``|m|``), and at least ``L^2``
        below the 2D or 3D ``T_c``, where domains must coarsen from the hot start (on the
        cubic lattice ``n = max(5, ceil(60 (L / 16)^2))`` at every temperature).
    n_between : int, "auto" or None, default="auto"
        Chain time between recorded samples: a positive number of sweeps, or ``"auto"``
        (None means the same) to measure it. A Metropolis sweep is one update attempt per
        site. A Wolff sweep is ``N = L**dimension`` flipped spins on aggregate: samples are
        a fixed number of cluster updates apart, ``round(n_between * N / <|C|>)`` with the
        mean cluster size ``<|C|>`` measured in a calibration stretch of ``n_between`` sweeps
        after burn-in (stopping on a flipped-spin count instead would bias the samples
        towards order). A Swendsen-Wang sweep is one Swendsen-Wang update (it gives every
        spin a new value; about ``N / 2`` spins flip).

        ``"auto"``: after burn-in, a calibration stretch records the energy and ``|m|``
        (Wolff: about four times per sweep; the others: every sweep) and measures their
        integrated autocorrelation times ``tau_int`` (Sokal's automatic window, in the
        convention where independent samples have ``tau_int = 1/2``); samples are then
        ``3 tau_int`` of the slower of the two apart (``AUTO_SPACING_IN_TAU``), rounded up
        to whole sweeps (Wolff: whole cluster updates). The stretch is 1,000 sweeps (Wolff),
        2,000 (Swendsen-Wang) or ``max(200, 50 tau)`` with Metropolis's modeled ``tau`` (see
        :func:`default_sweeps`); an estimate that needs a longer stretch than it had (less
        than ``50 tau_int``) raises a ``ConvergenceWarning`` that names the observable and
        the length it needed. At ``T_c``, ``L = 128``, Wolff then takes samples about 7
        sweeps apart (``tau_int(E)`` about 2.0-2.4 sweeps), where the fixed default of earlier
        versions took 10; at ``0.92 T_c`` and ``1.08 T_c`` about 3-4 sweeps. The user guide's
        page on sampling defaults says how the multiple was chosen.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampler (an integer seed is drawn from it for numba's generator and, for
        Wolff, a SplitMix64 stream). A fixed value gives identical samples.
    data_home : str or path-like, default=None
        Folder of the on-disk cache; see :func:`sklearn_rsmi.datasets.get_data_home`
        (the ``SKLEARN_RSMI_DATA`` environment variable moves the default).
    cache : bool, default=True
        Store the result on disk, keyed by every parameter and the drawn seed, and return
        it from there when asked again. With ``random_state=None`` nothing is cached: such
        a call is meant to give new samples every time.
    verbose : int, default=0
        When > 0, print progress lines while the samples are generated: one after burn-in,
        then one at about every tenth of the samples, e.g. ``[make_ising] 1500/3000 samples,
        12.3 s`` (seconds since the call), or a single line when the samples come from the
        cache. It does not change the samples and is not part of the cache key.

    Returns
    -------
    samples : ndarray of int8, shape (n_samples, L), (n_samples, L, L) or (n_samples, L, L, L)
        Spins, +1 or -1. A fresh array: writing into it does not alter the cache.

    Examples
    --------
    >>> from sklearn_rsmi.datasets import make_ising
    >>> X = make_ising(20, 8, 2.0, random_state=0, cache=False)
    >>> X.shape, X.dtype
    ((20, 8, 8), dtype('int8'))
    >>> sorted(set(X.ravel().tolist()))
    [-1, 1]
    """
    temperature = check_temperature(temperature)
    _check_parameters(lattice_size, dimension, algorithm)
    progress = SamplingProgress("make_ising", n_samples, check_verbose(verbose))
    default_burn_in, default_between = default_sweeps(
        lattice_size, temperature, dimension=dimension, algorithm=algorithm
    )
    n_burn_in = default_burn_in if n_burn_in is None else n_burn_in
    n_between = "auto" if n_between is None else n_between

    seeded = random_state is not None
    seed = draw_seed(random_state)
    args = (n_samples, lattice_size, temperature, dimension, algorithm, n_burn_in, n_between,
            seed, _SAMPLER_VERSION)
    if not (cache and seeded):
        samples, statistics = _generate(*args, progress=progress)
    else:
        memory = get_memory(data_home, cache=True)
        samples, statistics = memory.cache(_generate, ignore=["progress"])(*args,
                                                                           progress=progress)
        if not progress.sampled:
            progress.log(f"{n_samples} samples from the cache in {memory.location}")
    _warn_if_not_converged(statistics, "make_ising")
    return (samples, statistics) if return_statistics else samples
