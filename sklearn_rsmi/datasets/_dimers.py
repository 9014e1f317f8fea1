"""Fully packed dimers on the square-lattice torus, sampled as binary images.

The image layout and the observables of dimer images (electric field, winding numbers)
are in :mod:`sklearn_rsmi.physics`.
"""

import math
import os
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._utils.seeding import draw_seed
from .._utils.validation import check_verbose
from ..physics import winding_numbers
from . import _dimer_kernels
from ._autocorrelation import SamplerStatistics, integrated_autocorrelation_time, summarize_observable
from ._base import SamplingProgress, get_memory

__all__ = ["make_dimers", "make_winding_classification"]

# Worm updates per site; measured on 16 x 16 and 64 x 64 tori, the winding numbers and the
# columnar order parameter are uncorrelated from one sample to the next after about 0.05 worms
# per site, and a chain started columnar forgets its start after about 0.1.
DEFAULT_N_BURN_IN = 2.0
DEFAULT_N_BETWEEN = 0.25

# n_between="auto": the windings are recorded every 0.01 worms per site over a calibration
# stretch of 10 worms per site (200 times the decorrelation time above), and samples are
# AUTO_SPACING_IN_TAU integrated autocorrelation times of the slower winding apart.
AUTO_SPACING_IN_TAU = 3.0
_CALIBRATION_WORMS_PER_SITE = 10.0
_CALIBRATION_STRIDE_PER_SITE = 0.01

_LATTICE_SIZE = Interval(Integral, 2, None, closed="left")


def _check_even(lattice_size):
    if lattice_size % 2:
        raise ValueError(
            f"lattice_size must be even: an {lattice_size} x {lattice_size} torus has "
            f"{lattice_size**2} sites, an odd number, so no fully packed dimer covering exists."
        )


def _check_worms_per_site(value, default):
    # validate_params has checked the range; infinity is in it and stays finite here.
    return default if value is None else float(value)


def _calibrate(state, lattice_size):
    """Calibration stretch of ``n_between="auto"``: the windings' tau_int and the spacing."""
    partner_direction, neighbors = state
    n_sites = lattice_size * lattice_size
    stride = max(1, round(_CALIBRATION_STRIDE_PER_SITE * n_sites))
    n_measurements = max(2, math.ceil(_CALIBRATION_WORMS_PER_SITE * n_sites / stride))
    winding_x, winding_y = np.empty(n_measurements), np.empty(n_measurements)
    n_steps = _dimer_kernels.calibrate_dimer_chain(partner_direction, neighbors, lattice_size,
                                                   stride, winding_x, winding_y)
    spacing = stride / n_sites  # worms per site between measurements
    taus = {"winding_x": integrated_autocorrelation_time(winding_x, spacing=spacing),
            "winding_y": integrated_autocorrelation_time(winding_y, spacing=spacing)}
    slowest = max(t.tau_int for t in taus.values())
    n_between_worms = max(1, math.ceil(AUTO_SPACING_IN_TAU * slowest * n_sites))
    moves = {"mean_worm_length": n_steps / (stride * n_measurements)}
    return n_between_worms, n_measurements * spacing, taus, moves


def _generate_dimers(n_samples, lattice_size, noise_coupling, n_burn_in, n_between, seed, progress=None):
    """The uncached generator: every argument already validated, ``seed`` an int.

    Every argument but ``progress`` is part of the on-disk cache key. Returns ``(images,
    statistics)``.
    """
    if progress is None:
        progress = SamplingProgress("make_dimers", n_samples)
    n_sites = lattice_size * lattice_size
    n_burn_in_worms = int(math.ceil(n_burn_in * n_sites))
    # Two seeds from one: the worm chain and the noise never share random numbers.
    seeds = np.random.SeedSequence(seed).generate_state(2)
    state = _dimer_kernels.start_dimer_chain(lattice_size, n_burn_in_worms, int(seeds[0]))
    if n_between == "auto":
        n_between_worms, n_calibration, taus, moves = _calibrate(state, lattice_size)
        progress.burned_in(f"{n_burn_in_worms} worms; calibration of {n_calibration:g} worms "
                           f"per site, samples {n_between_worms} worms apart")
    else:
        n_between_worms = max(1, int(math.ceil(n_between * n_sites)))
        n_calibration, taus, moves = 0.0, {}, {}
        progress.burned_in(f"{n_burn_in_worms} worms")
    images = np.zeros((n_samples, 2 * lattice_size, 2 * lattice_size), dtype=np.int8)
    for first, stop in progress.chunks():
        _dimer_kernels.record_dimer_images(*state, n_between_worms, images, first, stop)
    windings = winding_numbers(images)
    statistics = SamplerStatistics(
        algorithm="worm", unit="worms per site", n_between=n_between_worms / n_sites,
        n_calibration=n_calibration, autocorrelation_times=taus,
        observables={"winding_x": summarize_observable(windings[:, 0]),
                     "winding_y": summarize_observable(windings[:, 1])},
        move_statistics=moves,
    )
    if noise_coupling is not None:
        rng = np.random.default_rng(int(seeds[1]))
        # tanh keeps an infinite coupling finite: the pairs then always agree.
        p_agree = 0.5 * (1.0 + math.tanh(noise_coupling))
        vertex_up = rng.random((n_samples, lattice_size, lattice_size)) < 0.5
        agree = rng.random((n_samples, lattice_size, lattice_size)) < p_agree
        images[:, 0::2, 0::2] = vertex_up
        images[:, 1::2, 1::2] = vertex_up == agree
    return images, statistics


def _warn_if_not_converged(statistics):
    for name, tau in statistics.autocorrelation_times.items():
        if not tau.converged:
            warnings.warn(
                f"make_dimers: the integrated autocorrelation time of {name} did not converge "
                f"within the calibration stretch of {statistics.n_calibration:g} worms per "
                f"site: its estimate, {tau.tau_int:.3g} worms per site, needs a stretch of at "
                f"least {tau.needed_length:.3g} (50 tau_int). The samples may be closer than "
                "intended; pass a number as n_between to set the spacing yourself.",
                ConvergenceWarning,
                stacklevel=4,
            )


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "lattice_size": [_LATTICE_SIZE],
        "noise_coupling": [Interval(Real, 0, np.inf, closed="both"), None],
        "n_burn_in": [Interval(Real, 0, None, closed="left"), None],
        "n_between": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"}), None],
        "random_state": ["random_state"],
        "data_home": [str, os.PathLike, None],
        "cache": ["boolean"],
        "verbose": ["verbose"],
        "return_statistics": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_dimers(
    n_samples,
    lattice_size,
    *,
    noise_coupling=None,
    n_burn_in=None,
    n_between=None,
    random_state=None,
    data_home=None,
    cache=True,
    verbose=0,
    return_statistics=False,
):
    """Sample fully packed dimer coverings of the ``L x L`` torus, uniformly, as binary images.

    Every covering has the same weight. The sampler is a Markov chain of directed-loop (worm)
    updates started from a columnar covering: a worm removes one dimer and moves the resulting
    defect through the lattice until it closes, so it can change the winding numbers, which
    plaquette flips alone cannot. Each worm step picks one of the head's three other bonds
    uniformly; the chain satisfies detailed balance with respect to the uniform distribution.

    Parameters
    ----------
    n_samples : int
        Number of configurations, >= 1.
    lattice_size : int
        Linear size ``L`` of the dimer lattice; even and >= 2 (an odd ``L x L`` torus has an
        odd number of sites and no covering).
    noise_coupling : float or None, default=None
        Coupling ``K >= 0`` of the noise spins, or None for no noise. With noise, each vertex
        cell ``(2y, 2x)`` and its diagonal face cell ``(2y + 1, 2x + 1)`` hold an Ising pair that
        agrees with probability ``e^K / (e^K + e^-K) = (1 + tanh K) / 2``; pairs are independent
        of each other and of the dimers, each spin is up with probability 1/2; spin +1 is stored
        as 1 and -1 as 0. ``K = inf`` locks the pairs. Without noise, vertex and face cells are 0.
    n_burn_in : float, default=None
        Worm updates per site (``ceil(n_burn_in * L**2)`` worms) before the first sample;
        None means 2.0. A chain started columnar equilibrates after about 0.1.
    n_between : float, "auto" or None, default=None
        Worm updates per site between consecutive samples (at least one worm); None means
        0.25. Consecutive samples are uncorrelated within noise beyond about 0.05.
        ``"auto"``: after burn-in, a calibration stretch of 10 worms per site records the
        winding numbers every 0.01 worms per site and measures their integrated
        autocorrelation times (Sokal's window; see :func:`make_ising`); samples are then 3
        ``tau_int`` of the slower winding apart. An estimate that needed a longer stretch
        raises a ``ConvergenceWarning`` naming the winding and the length it needed.
    random_state : int, RandomState instance or None, default=None
        Seeds the chain and the noise; a fixed value gives identical output.
    data_home : str or path-like, default=None
        Folder of the on-disk cache (see :func:`~sklearn_rsmi.datasets.get_data_home`).
    cache : bool, default=True
        Cache the result on disk, keyed on every parameter and the seed. Nothing is cached
        when ``random_state`` is None.
    verbose : int, default=0
        When > 0, print progress lines while the chain runs: one after burn-in, then one at
        about every tenth of the samples, e.g. ``[make_dimers] 1500/3000 samples, 12.3 s``
        (seconds since the call), or a single line when the images come from the cache. It
        does not change the images and is not part of the cache key.
    return_statistics : bool, default=False
        Also return what the sampler measured about its chain.

    Returns
    -------
    images : ndarray of shape (n_samples, 2 * L, 2 * L), dtype int8
        Values in {0, 1}, in the layout of :mod:`sklearn_rsmi.physics`' dimer images:
        ``(2y, 2x)`` is vertex ``(y, x)``, ``(2y + 1, 2x + 1)`` the face to its lower right,
        ``(2y, 2x + 1)`` and ``(2y + 1, 2x)`` the links from ``(y, x)`` in +x and +y.
    statistics : SamplerStatistics
        Only with ``return_statistics=True``: ``tau_int`` of ``W_x`` and ``W_y`` (in worms per
        site, from the calibration stretch of ``"auto"``; empty otherwise), the spacing, the
        windings' means, errors and effective sample sizes over the returned samples, and
        the mean worm length (``"auto"`` only).

    Examples
    --------
    >>> from sklearn_rsmi.datasets import make_dimers
    >>> from sklearn_rsmi.physics import check_dimer_coverings
    >>> images = make_dimers(3, 4, noise_coupling=1.0, random_state=0, cache=False)
    >>> images.shape, images.dtype
    ((3, 8, 8), dtype('int8'))
    >>> check_dimer_coverings(images)  # every vertex touches exactly one dimer
    >>> int(images[:, 0::2, 1::2].sum() + images[:, 1::2, 0::2].sum())  # L**2 / 2 dimers each
    24
    """
    _check_even(lattice_size)
    noise_coupling = None if noise_coupling is None else float(noise_coupling)
    n_burn_in = _check_worms_per_site(n_burn_in, DEFAULT_N_BURN_IN)
    if n_between != "auto":
        n_between = _check_worms_per_site(n_between, DEFAULT_N_BETWEEN)
    progress = SamplingProgress("make_dimers", n_samples, check_verbose(verbose))

    seed = draw_seed(random_state)
    args = (n_samples, lattice_size, noise_coupling, n_burn_in, n_between, seed)
    if random_state is None or not cache:
        images, statistics = _generate_dimers(*args, progress=progress)
    else:
        memory = get_memory(data_home, cache)
        images, statistics = memory.cache(_generate_dimers, ignore=["progress"])(
            *args, progress=progress)
        if not progress.sampled:
            progress.log(f"{n_samples} samples from the cache in {memory.location}")
    _warn_if_not_converged(statistics)
    return (images, statistics) if return_statistics else images


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "lattice_size": [_LATTICE_SIZE],
        "noise_coupling": [Interval(Real, 0, np.inf, closed="both"), None],
        "random_state": ["random_state"],
        "data_home": [str, os.PathLike, None],
        "cache": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_winding_classification(n_samples, lattice_size, *, noise_coupling=2.0,
                                random_state=None, data_home=None, cache=True):
    """Dimer coverings labeled by the sign of their flux ``W_x``: a label set by long-range physics.

    ``W_x`` (see :func:`~sklearn_rsmi.physics.winding_numbers`) is a property of the whole
    torus: no local patch determines it, and local noise does not change it. Coverings are
    drawn with :func:`make_dimers` and those with ``W_x = 0`` (about 70 % of them on large
    tori, where ``P(W) ~ exp(-pi W^2 / 2)``) are
    dropped, so the two classes are equally likely by the lattice's reflection symmetry.
    The noise pairs of :func:`make_dimers` are the strong, irrelevant local pattern.

    Parameters
    ----------
    n_samples : int
        Number of labeled coverings, >= 1.
    lattice_size : int
        Linear size ``L`` of the dimer lattice (even, >= 2).
    noise_coupling : float or None, default=2.0
        Coupling of the noise pairs (see :func:`make_dimers`); None for no noise.
    random_state : int, RandomState instance or None, default=None
        Seeds the chains; a fixed value gives identical output.
    data_home : str or path-like, default=None
        Folder of the on-disk cache of the underlying :func:`make_dimers` batches.
    cache : bool, default=True
        Cache those batches (never when ``random_state`` is None).

    Returns
    -------
    images : ndarray of shape (n_samples, 2 * L, 2 * L), dtype int8
        Dimer images with noise, as :func:`make_dimers` returns them.
    y : ndarray of shape (n_samples,), dtype int64
        1 where ``W_x > 0``, 0 where ``W_x < 0``.

    Examples
    --------
    >>> from sklearn_rsmi.datasets import make_winding_classification
    >>> from sklearn_rsmi.physics import winding_numbers
    >>> images, y = make_winding_classification(20, 8, random_state=0, cache=False)
    >>> images.shape, y.shape
    ((20, 16, 16), (20,))
    >>> bool(((winding_numbers(images)[:, 0] > 0) == y).all())
    True
    """
    _check_even(lattice_size)
    rng = check_random_state(random_state)
    kept_images, kept_labels, n_kept = [], [], 0
    # About 30 % of coverings wind; draw batches sized for that until enough are kept.
    for _ in range(1000):
        batch = max(16, math.ceil(1.2 * (n_samples - n_kept) / 0.3))
        images = make_dimers(
            batch, lattice_size, noise_coupling=noise_coupling, random_state=draw_seed(rng),
            data_home=data_home, cache=cache and random_state is not None,
        )
        flux = winding_numbers(images)[:, 0]
        winding = flux != 0
        kept_images.append(images[winding])
        kept_labels.append((flux[winding] > 0).astype(np.int64))
        n_kept += int(winding.sum())
        if n_kept >= n_samples:
            break
    else:  # pragma: no cover - every torus with L >= 2 winds with positive probability
        raise RuntimeError(
            f"too few winding coverings of the {lattice_size}x{lattice_size} torus were drawn.")
    return np.concatenate(kept_images)[:n_samples], np.concatenate(kept_labels)[:n_samples]
