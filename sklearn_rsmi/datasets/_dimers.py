"""Fully packed dimers on the square-lattice torus, as binary images, and their observables.

Image layout (ALGORITHM.md, section 1) for an ``L x L`` dimer lattice: an array of shape
``(2L, 2L)`` where

- ``(2y, 2x)`` is vertex ``(y, x)``;
- ``(2y + 1, 2x + 1)`` is the face to its lower right;
- ``(2y, 2x + 1)`` is the horizontal link from ``(y, x)`` to ``(y, x + 1 mod L)``;
- ``(2y + 1, 2x)`` is the vertical link from ``(y, x)`` to ``(y + 1 mod L, x)``.

Links hold 1 where a dimer sits. Vertex and face cells hold optional noise spins.
"""

import math
import numbers

import numpy as np
from sklearn.utils import check_random_state

# Absolute imports: they also work when the module is collected for doctests on its own.
from sklearn_rsmi._validation import check_positive_int, infer_value_convention, to_occupation
from sklearn_rsmi.datasets import _dimer_kernels
from sklearn_rsmi.datasets._base import SamplingProgress, check_verbose, get_memory

__all__ = [
    "make_dimers",
    "make_winding_classification",
    "electric_field",
    "winding_numbers",
    "check_dimer_coverings",
]

# Worm updates per site; measured on 16 x 16 and 64 x 64 tori, the winding numbers and the
# columnar order parameter are uncorrelated from one sample to the next after about 0.05 worms
# per site, and a chain started columnar forgets its start after about 0.1.
DEFAULT_N_BURN_IN = 2.0
DEFAULT_N_BETWEEN = 0.25


def _check_lattice_size(L):
    L = check_positive_int(L, "L", minimum=2)
    if L % 2:
        raise ValueError(
            f"L must be even: an {L} x {L} torus has {L * L} sites, an odd number, so no "
            "fully packed dimer covering exists."
        )
    return L


def _check_worms_per_site(value, name, default, *, allow_zero):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number of worm updates per site, got {value!r}.")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound} (worm updates per site), got {value}.")
    return value


def _check_noise_coupling(noise_coupling):
    if noise_coupling is None:
        return None
    if isinstance(noise_coupling, bool) or not isinstance(noise_coupling, numbers.Real):
        raise TypeError(
            f"noise_coupling must be a real number >= 0 or None, got {noise_coupling!r}."
        )
    noise_coupling = float(noise_coupling)
    if math.isnan(noise_coupling) or noise_coupling < 0:
        raise ValueError(
            f"noise_coupling must be >= 0 (a ferromagnetic coupling), got {noise_coupling}."
        )
    return noise_coupling


def _generate_dimers(n_samples, L, noise_coupling, n_burn_in, n_between, seed, progress=None):
    """The uncached generator: every argument already validated, ``seed`` an int.

    Every argument but ``progress`` is part of the on-disk cache key.
    """
    if progress is None:
        progress = SamplingProgress("make_dimers", n_samples)
    n_burn_in_worms = int(math.ceil(n_burn_in * L * L))
    n_between_worms = max(1, int(math.ceil(n_between * L * L)))
    # Two seeds from one: the worm chain and the noise never share random numbers.
    seeds = np.random.SeedSequence(seed).generate_state(2)
    state = _dimer_kernels.start_dimer_chain(L, n_burn_in_worms, int(seeds[0]))
    progress.burned_in(f"{n_burn_in_worms} worms")
    images = np.zeros((n_samples, 2 * L, 2 * L), dtype=np.int8)
    for first, stop in progress.chunks():
        _dimer_kernels.record_dimer_images(*state, n_between_worms, images, first, stop)
    if noise_coupling is not None:
        rng = np.random.default_rng(int(seeds[1]))
        # tanh keeps an infinite coupling finite: the pairs then always agree.
        p_agree = 0.5 * (1.0 + math.tanh(noise_coupling))
        vertex_up = rng.random((n_samples, L, L)) < 0.5
        agree = rng.random((n_samples, L, L)) < p_agree
        images[:, 0::2, 0::2] = vertex_up
        images[:, 1::2, 1::2] = vertex_up == agree
    return images


def make_dimers(
    n_samples,
    L,
    *,
    noise_coupling=None,
    n_burn_in=None,
    n_between=None,
    random_state=None,
    data_home=None,
    cache=True,
    verbose=0,
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
    L : int
        Linear size of the dimer lattice; even and >= 2 (an odd ``L x L`` torus has an odd
        number of sites and no covering).
    noise_coupling : float or None, default=None
        Coupling ``K >= 0`` of the noise spins, or None for no noise. With noise, each vertex
        cell ``(2y, 2x)`` and its diagonal face cell ``(2y + 1, 2x + 1)`` hold an Ising pair that
        agrees with probability ``e^K / (e^K + e^-K) = (1 + tanh K) / 2``; pairs are independent
        of each other and of the dimers, each spin is up with probability 1/2; spin +1 is stored
        as 1 and -1 as 0. ``K = inf`` locks the pairs. Without noise, vertex and face cells are 0.
    n_burn_in : float, default=None
        Worm updates per site (``ceil(n_burn_in * L**2)`` worms) before the first sample;
        None means 2.0. A chain started columnar equilibrates after about 0.1.
    n_between : float, default=None
        Worm updates per site between consecutive samples (at least one worm); None means
        0.25. Consecutive samples are uncorrelated within noise beyond about 0.05.
    random_state : int, RandomState instance or None, default=None
        Seeds the chain and the noise; a fixed value gives identical output.
    data_home : str or path-like, default=None
        Folder of the on-disk cache (see :func:`~sklearn_rsmi.datasets._base.get_data_home`).
    cache : bool, default=True
        Cache the result on disk, keyed on every parameter and the seed. Nothing is cached
        when ``random_state`` is None.
    verbose : int, default=0
        When > 0, print progress lines while the chain runs: one after burn-in, then one at
        about every tenth of the samples, e.g. ``[make_dimers] 1500/3000 samples, 12.3 s``
        (seconds since the call), or a single line when the images come from the cache. It
        does not change the images and is not part of the cache key.

    Returns
    -------
    images : ndarray of shape (n_samples, 2 * L, 2 * L), dtype int8
        Values in {0, 1}; the layout is described in the module docstring.

    Examples
    --------
    >>> from sklearn_rsmi.datasets._dimers import make_dimers, check_dimer_coverings
    >>> images = make_dimers(3, 4, noise_coupling=1.0, random_state=0, cache=False)
    >>> images.shape, images.dtype
    ((3, 8, 8), dtype('int8'))
    >>> check_dimer_coverings(images)  # every vertex touches exactly one dimer
    >>> int(images[:, 0::2, 1::2].sum() + images[:, 1::2, 0::2].sum())  # L**2 / 2 dimers each
    24
    """
    n_samples = check_positive_int(n_samples, "n_samples", minimum=1)
    L = _check_lattice_size(L)
    noise_coupling = _check_noise_coupling(noise_coupling)
    n_burn_in = _check_worms_per_site(n_burn_in, "n_burn_in", DEFAULT_N_BURN_IN, allow_zero=True)
    n_between = _check_worms_per_site(n_between, "n_between", DEFAULT_N_BETWEEN, allow_zero=False)
    if not isinstance(cache, (bool, np.bool_)):
        raise TypeError(f"cache must be True or False, got {cache!r}.")
    progress = SamplingProgress("make_dimers", n_samples, check_verbose(verbose))

    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    args = (n_samples, L, noise_coupling, n_burn_in, n_between, seed)
    if random_state is None or not cache:
        return _generate_dimers(*args, progress=progress)
    memory = get_memory(data_home, cache)
    images = memory.cache(_generate_dimers, ignore=["progress"])(*args, progress=progress)
    if not progress.sampled:
        progress.log(f"{n_samples} samples from the cache in {memory.location}")
    return images


def _check_images(images, name="images"):
    """Return the link occupations of ``(n, 2L, 2L)`` dimer images as an int8 array."""
    convention = infer_value_convention(images, name=name)
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(
            f"{name} must have shape (n_samples, 2L, 2L); got {images.ndim} dimension(s), shape "
            f"{images.shape} (wrap a single image as image[None])."
        )
    n, rows, cols = images.shape
    if rows != cols or rows % 2 or rows < 4:
        raise ValueError(
            f"{name} must have shape (n_samples, 2L, 2L) with L even and >= 2 (square images "
            f"whose side is a multiple of 4); got shape {images.shape}."
        )
    if (rows // 2) % 2:
        raise ValueError(
            f"{name} has side {rows}, i.e. L = {rows // 2}, which is odd: an odd torus has no "
            "dimer covering."
        )
    return to_occupation(images, convention).astype(np.int8)


def _vertex_dimer_counts(links):
    horizontal = links[:, 0::2, 1::2]  # bond (y, x) - (y, x + 1)
    vertical = links[:, 1::2, 0::2]  # bond (y, x) - (y + 1, x)
    return (
        horizontal
        + vertical
        + np.roll(horizontal, 1, axis=2)  # bond (y, x - 1) - (y, x)
        + np.roll(vertical, 1, axis=1)  # bond (y - 1, x) - (y, x)
    )


def check_dimer_coverings(images):
    """Raise unless every image is a fully packed dimer covering.

    Only the link cells are read (vertex and face cells may hold noise). Each vertex must
    touch exactly one occupied link.

    Parameters
    ----------
    images : array-like of shape (n_samples, 2L, 2L)
        Binary images, occupations {0, 1} or spins {-1, +1} (+1 is a dimer).

    Raises
    ------
    ValueError
        Naming the first configuration and vertex touched by zero or several dimers, or the
        problem with the array's shape or values.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.datasets._dimers import check_dimer_coverings
    >>> image = np.zeros((1, 4, 4), dtype=np.int8)
    >>> image[0, 0, 1] = image[0, 2, 1] = 1  # two horizontal dimers on a 2 x 2 torus
    >>> check_dimer_coverings(image)
    >>> image[0, 2, 1] = 0
    >>> check_dimer_coverings(image)
    Traceback (most recent call last):
    ...
    ValueError: configuration 0 is not a dimer covering: vertex (y=1, x=0) touches 0 dimers.
    """
    links = _check_images(images)
    counts = _vertex_dimer_counts(links)
    bad = np.argwhere(counts != 1)
    if bad.size:
        s, y, x = (int(i) for i in bad[0])
        raise ValueError(
            f"configuration {s} is not a dimer covering: vertex (y={y}, x={x}) touches "
            f"{int(counts[s, y, x])} dimers."
        )


def electric_field(images):
    """Electric field of dimer configurations, on the bonds leaving each vertex in +x and +y.

    ``E_mu(r) = eta_r (n_mu(r) - 1/4)`` with ``eta_r = +1`` if ``x + y`` is even and -1
    otherwise, ``n_mu(r)`` the occupation of the bond from ``r = (y, x)`` in direction ``mu``.
    On a covering the field is divergence-free. Any binary link pattern is accepted (it need
    not be a covering).

    Parameters
    ----------
    images : array-like of shape (n_samples, 2L, 2L)
        Binary images, occupations {0, 1} or spins {-1, +1}.

    Returns
    -------
    E_x, E_y : ndarray of shape (n_samples, L, L), dtype float64
        ``E_x[s, y, x]`` lives on the bond ``(y, x) - (y, x + 1)``, ``E_y[s, y, x]`` on
        ``(y, x) - (y + 1, x)``.

    Examples
    --------
    >>> from sklearn_rsmi.datasets._dimers import make_dimers, electric_field
    >>> E_x, E_y = electric_field(make_dimers(2, 4, random_state=0, cache=False))
    >>> E_x.shape
    (2, 4, 4)
    >>> sorted(set(abs(E_x.ravel())))
    [np.float64(0.25), np.float64(0.75)]
    """
    links = _check_images(images).astype(np.float64)
    L = links.shape[1] // 2
    y, x = np.indices((L, L))
    eta = np.where((x + y) % 2 == 0, 1.0, -1.0)
    E_x = eta * (links[:, 0::2, 1::2] - 0.25)
    E_y = eta * (links[:, 1::2, 0::2] - 0.25)
    return E_x, E_y


def winding_numbers(images):
    """Winding numbers (electric fluxes) of dimer coverings of the torus.

    ``W_x`` is the flux of ``E_x`` through a column cut (the sum of ``E_x`` over ``y`` at fixed
    ``x``), ``W_y`` that of ``E_y`` through a row cut. Because the field is divergence-free the
    cut does not matter; only loops that wrap the torus change them. Columnar coverings have
    ``W = 0``, staggered ones ``|W| = L / 2``.

    Parameters
    ----------
    images : array-like of shape (n_samples, 2L, 2L)
        Dimer coverings (checked with :func:`check_dimer_coverings`).

    Returns
    -------
    windings : ndarray of shape (n_samples, 2), dtype int64
        Columns ``(W_x, W_y)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.datasets._dimers import winding_numbers
    >>> columnar = np.zeros((1, 8, 8), dtype=np.int8)
    >>> columnar[0, 0::2, 1::4] = 1  # bonds (y, x) - (y, x + 1) with x even
    >>> winding_numbers(columnar)
    array([[0, 0]])
    """
    check_dimer_coverings(images)
    E_x, E_y = electric_field(images)
    windings = np.stack([E_x[:, :, 0].sum(axis=1), E_y[:, 0, :].sum(axis=1)], axis=1)
    return np.rint(windings).astype(np.int64)


def make_winding_classification(n_samples, L, *, noise_coupling=2.0, random_state=None,
                                data_home=None, cache=True):
    """Dimer coverings labelled by the sign of their flux ``W_x``: a label set by long-range physics.

    ``W_x`` (see :func:`winding_numbers`) is a property of the whole torus: no local patch
    determines it, and local noise does not change it. Coverings are drawn with
    :func:`make_dimers` and those with ``W_x = 0`` (about 70 % of them, REFERENCE.md) are
    dropped, so the two classes are equally likely by the lattice's reflection symmetry.
    The noise pairs of :func:`make_dimers` are the strong, irrelevant local pattern.

    Parameters
    ----------
    n_samples : int
        Number of labelled coverings, >= 1.
    L : int
        Linear size of the dimer lattice (even, >= 2).
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
    >>> from sklearn_rsmi.datasets import make_winding_classification, winding_numbers
    >>> images, y = make_winding_classification(20, 8, random_state=0, cache=False)
    >>> images.shape, y.shape
    ((20, 16, 16), (20,))
    >>> bool(((winding_numbers(images)[:, 0] > 0) == y).all())
    True
    """
    n_samples = check_positive_int(n_samples, "n_samples", minimum=1)
    L = _check_lattice_size(L)
    rng = check_random_state(random_state)
    kept_images, kept_labels, n_kept = [], [], 0
    # About 30 % of coverings wind; draw batches sized for that until enough are kept.
    for _ in range(1000):
        batch = max(16, math.ceil(1.2 * (n_samples - n_kept) / 0.3))
        seed = int(rng.randint(np.iinfo(np.int32).max))
        images = make_dimers(
            batch, L, noise_coupling=noise_coupling, random_state=seed, data_home=data_home,
            cache=cache and random_state is not None,
        )
        flux = winding_numbers(images)[:, 0]
        winding = flux != 0
        kept_images.append(images[winding])
        kept_labels.append((flux[winding] > 0).astype(np.int64))
        n_kept += int(winding.sum())
        if n_kept >= n_samples:
            break
    else:  # pragma: no cover - every torus with L >= 2 winds with positive probability
        raise RuntimeError(f"too few winding coverings of the {L}x{L} torus were drawn.")
    return np.concatenate(kept_images)[:n_samples], np.concatenate(kept_labels)[:n_samples]
