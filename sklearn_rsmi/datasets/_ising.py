"""Equilibrium samples of the Ising chain and square-lattice Ising model, cached on disk."""

import math
import os
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._utils.seeding import draw_seed
from .._utils.validation import check_temperature, check_verbose
from ..physics import CRITICAL_TEMPERATURE, correlation_length
from . import _ising_kernels
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
_SAMPLER_VERSION = 1

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


def _correlation_length(temperature, dimension):
    """Exponential correlation length of the infinite system (``inf`` at the 2D ``T_c``)."""
    K = 1.0 / temperature
    if dimension == 1:
        # <s_0 s_r> = tanh(K)^r; tanh(K) rounds to 1 for K >~ 19: the chain is then frozen
        t = math.tanh(K)
        return math.inf if t >= 1.0 else -1.0 / math.log(t)
    return float(correlation_length(temperature))


def default_sweeps(lattice_size, temperature, *, dimension=2, algorithm="wolff"):
    """The ``(n_burn_in, n_between)`` that :func:`make_ising` uses when they are None.

    Cluster algorithms: 100 sweeps of burn-in and 10 (Wolff) or 25 (Swendsen-Wang) sweeps
    between samples, whatever the temperature. Metropolis: ``n_between = max(5, ceil(36
    (l / 16)^2.17))`` with ``l = min(L, 3 xi(T))``, about three autocorrelation times of
    ``|m|`` (this grows as ``L^2.17`` at ``T_c``: 3,282 sweeps at ``L = 128``), and
    ``n_burn_in = max(1000, 10 n_between)``, at least ``L^2`` below the 2D ``T_c`` where
    domains must coarsen from the hot start.
    """
    if algorithm != "metropolis":
        return _CLUSTER_BURN_IN, _CLUSTER_BETWEEN[algorithm]
    length = min(float(lattice_size), 3.0 * _correlation_length(temperature, dimension))
    tau = _METROPOLIS_TAU_16 * (length / 16.0) ** _DYNAMIC_EXPONENT
    n_between = max(_METROPOLIS_MIN_BETWEEN, math.ceil(3.0 * tau))
    n_burn_in = max(_METROPOLIS_MIN_BURN_IN, 10 * n_between)
    if dimension == 2 and temperature < CRITICAL_TEMPERATURE:
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


def _generate(n_samples, lattice_size, temperature, dimension, algorithm, n_burn_in, n_between, seed,
              sampler_version, progress=None):
    """Run the sampler; every argument but ``progress`` is part of the on-disk cache key."""
    if progress is None:
        progress = SamplingProgress("make_ising", n_samples)
    start, record = _SAMPLERS[algorithm]
    state = start(lattice_size, dimension, 1.0 / temperature, n_burn_in, n_between, seed)
    progress.burned_in(f"{n_burn_in} sweeps")
    samples = np.empty((n_samples, lattice_size**dimension), dtype=np.int8)
    for first, stop in progress.chunks():
        record(*state, samples, first, stop)
    return samples.reshape((n_samples,) + (lattice_size,) * dimension)


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "lattice_size": [Interval(Integral, 2, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "dimension": [Interval(Integral, 1, 2, closed="both")],
        "algorithm": [StrOptions(set(ALGORITHMS))],
        "n_burn_in": [Interval(Integral, 0, None, closed="left"), None],
        "n_between": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": [Interval(Integral, 0, None, closed="left"), np.random.RandomState,
                         None],
        "data_home": [str, os.PathLike, None],
        "cache": ["boolean"],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def make_ising(n_samples, lattice_size, temperature, *, dimension=2, algorithm="wolff",
               n_burn_in=None, n_between=None, random_state=None, data_home=None, cache=True,
               verbose=0):
    r"""Equilibrium samples of the periodic Ising chain or square-lattice Ising model.

    The Hamiltonian is :math:`H = -\sum_{\langle ij\rangle} s_i s_j` over nearest-neighbor
    bonds with periodic boundaries, :math:`J = k_B = 1`, and configurations are drawn from
    :math:`e^{-H/T}` by Markov-chain Monte Carlo from a random (infinite-temperature) start.

    Parameters
    ----------
    n_samples : int
        Number of configurations, >= 1.
    lattice_size : int
        Linear size ``L``, >= 2 (a chain of ``L`` sites or an ``L x L`` torus). Must be even
        for ``algorithm="metropolis"``. For ``L = 2`` the periodic wrap makes two distinct bonds
        between each pair of neighbors, and both count in :math:`H`.
    temperature : float
        Temperature ``T > 0`` in units of ``J / k_B``. The 2D critical temperature is
        ``2 / ln(1 + sqrt 2) = 2.269...``.
    dimension : {1, 2}, default=2
        1 for the chain, 2 for the square lattice.
    algorithm : {"wolff", "swendsen-wang", "metropolis"}, default="wolff"
        ``"wolff"``: single-cluster updates. ``"swendsen-wang"``: every cluster of the bond
        configuration flipped with probability 1/2. ``"metropolis"``: checkerboard
        single-spin Metropolis, the two sublattices (even and odd sites in 1D) alternately;
        it suffers critical slowing down and, below ``T_c``, keeps the sign of the
        magnetization of its burn-in and may freeze into a stripe domain state from the hot
        start: prefer a cluster algorithm there.
    n_burn_in : int, default=None
        Sweeps discarded before the first sample, >= 0. None: see ``n_between``.
    n_between : int, default=None
        Sweeps between recorded samples, >= 1. A Metropolis sweep is one update attempt per
        site. A Wolff sweep is ``N = L**dimension`` flipped spins on aggregate: after burn-in
        and a calibration stretch of ``n_between`` sweeps that measures the mean cluster size,
        samples are a fixed ``round(n_between * N / <|C|>)`` cluster updates apart (stopping
        on a flipped-spin count instead would bias the samples towards order). A
        Swendsen-Wang sweep is one Swendsen-Wang update (it gives every spin a new value;
        about ``N / 2`` spins flip). Defaults (None), from autocorrelation times measured
        with these kernels: cluster algorithms burn in 100 sweeps and take 10 (Wolff) or 25
        (Swendsen-Wang) sweeps between samples, about 6 and 4 integrated autocorrelation
        times of the energy at ``T_c`` for ``L = 128`` (these grow only like ``L^0.25``).
        Metropolis takes ``n_between = max(5, ceil(36 (l / 16)^2.17))`` with ``l = min(L,
        3 xi(T))``, ``xi`` the exact correlation length, i.e. about three autocorrelation
        times of ``|m|``, and ``n_burn_in = max(1000, 10 n_between)`` (at least ``L^2``
        below the 2D ``T_c``, the coarsening time from the hot start). That is honest but
        expensive near ``T_c`` on large lattices (3,282 sweeps between samples at ``L =
        128``): the cost of critical slowing down, which the cluster algorithms avoid.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampler (an integer seed is drawn from it for numba's generator). A fixed
        value gives identical samples.
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
    samples : ndarray of int8, shape (n_samples, L) or (n_samples, L, L)
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
    n_between = default_between if n_between is None else n_between

    seeded = random_state is not None
    seed = draw_seed(random_state)
    args = (n_samples, lattice_size, temperature, dimension, algorithm, n_burn_in, n_between,
            seed, _SAMPLER_VERSION)
    if not (cache and seeded):
        return _generate(*args, progress=progress)
    memory = get_memory(data_home, cache=True)
    samples = memory.cache(_generate, ignore=["progress"])(*args, progress=progress)
    if not progress.sampled:
        progress.log(f"{n_samples} samples from the cache in {memory.location}")
    return samples
