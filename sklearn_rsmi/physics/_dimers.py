"""Dimer coverings of the square lattice: exact counts, and the observables of dimer images.

Image layout, for an ``L x L`` dimer lattice: an array of shape ``(2L, 2L)`` where

- ``(2y, 2x)`` is vertex ``(y, x)``;
- ``(2y + 1, 2x + 1)`` is the face to its lower right;
- ``(2y, 2x + 1)`` is the horizontal link from ``(y, x)`` to ``(y, x + 1 mod L)``;
- ``(2y + 1, 2x)`` is the vertical link from ``(y, x)`` to ``(y + 1 mod L, x)``.

Links hold 1 where a dimer sits. Vertex and face cells hold optional noise spins
(:func:`sklearn_rsmi.datasets.make_dimers`).

References
----------
P. W. Kasteleyn, Physica 27, 1209 (1961); H. N. V. Temperley and M. E. Fisher, Phil. Mag.
6, 1061 (1961): dimer coverings of the square lattice.
"""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params

from .._utils.validation import infer_value_convention, to_occupation
from ._integer_polynomials import open_factor, poly_neg_argument, resultant, torus_factor

#: Catalan's constant G.
_CATALAN = 0.91596559417721901505460351493238411
#: Entropy per site of fully packed dimers on the square lattice, ``G / pi``.
DIMER_ENTROPY_PER_SITE = float(_CATALAN / np.pi)

@validate_params(
    {
        "Lx": [Interval(Integral, 1, None, closed="left")],
        "Ly": [Interval(Integral, 1, None, closed="left"), None],
        "periodic": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def count_dimer_coverings(Lx, Ly=None, *, periodic=True):
    r"""Number of fully packed dimer coverings of an ``Lx x Ly`` square lattice.

    Open boundaries (Kasteleyn; Temperley & Fisher):

    .. math::

        Z = \prod_{j=1}^{\lceil L_x/2\rceil}\prod_{k=1}^{\lceil L_y/2\rceil}
            \left[4\cos^2\frac{\pi j}{L_x+1} + 4\cos^2\frac{\pi k}{L_y+1}\right].

    Torus (both sides even; Kasteleyn's four Pfaffians, the all-periodic one vanishing):

    .. math::

        Z = \tfrac12\left(P_{0,\frac12} + P_{\frac12,0} + P_{\frac12,\frac12}\right),\quad
        P_{\theta\phi} = \prod_{j=0}^{L_x/2-1}\prod_{k=0}^{L_y/2-1}
        \left[4\sin^2\frac{2\pi(j+\theta)}{L_x} + 4\sin^2\frac{2\pi(k+\phi)}{L_y}\right].

    Both double products are evaluated exactly, as resultants of integer
    (Chebyshev) polynomials whose roots are the two sets of factors, so the count is an
    exact Python ``int`` at any size. A side of length 2 on the torus joins each pair of
    sites by two distinct bonds, and both are counted.

    Parameters
    ----------
    Lx : int
        Number of columns, ``>= 1``.
    Ly : int, optional
        Number of rows; defaults to ``Lx``.
    periodic : bool, default=True
        Torus if True, open rectangle if False.

    Returns
    -------
    count : int
        ``0`` when ``Lx * Ly`` is odd.

    Raises
    ------
    ValueError
        On the torus with an odd side and an even number of sites (the lattice is not
        bipartite and the formula above does not apply).

    References
    ----------
    P. W. Kasteleyn, Physica 27, 1209 (1961).

    Examples
    --------
    >>> from sklearn_rsmi.physics import count_dimer_coverings
    >>> count_dimer_coverings(4), count_dimer_coverings(8)
    (272, 311853312)
    >>> count_dimer_coverings(8, periodic=False)
    12988816
    """
    Ly = Lx if Ly is None else Ly
    if (Lx * Ly) % 2:
        return 0
    if not periodic:
        factor_y = poly_neg_argument(open_factor(Ly))
        if len(factor_y) % 2 == 0:  # odd degree: restore a monic prod_k (y + y_k)
            factor_y = [-c for c in factor_y]
        return int(resultant(open_factor(Lx), factor_y))
    if Lx % 2 or Ly % 2:
        raise ValueError(
            f"on the torus both sides must be even (bipartite lattice), got Lx={Lx}, Ly={Ly}."
        )
    half_x, half_y = Lx // 2, Ly // 2
    total = 0
    for theta, phi in ((False, True), (True, False), (True, True)):
        # roots of the x-polynomial are 4 sin^2(pi (j+theta)/half_x), as sin^2 has period pi
        roots_x = poly_neg_argument(torus_factor(half_x, theta))
        if half_x % 2:
            roots_x = [-c for c in roots_x]
        total += resultant(roots_x, torus_factor(half_y, phi))
    if total % 2:
        raise ArithmeticError("Kasteleyn's Pfaffian sum is odd: this is a bug.")  # pragma: no cover
    return int(total // 2)


# ---------------------------------------------------------------------------
# observables of dimer images


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


@validate_params(
    {
        "images": ["array-like"],
    },
    prefer_skip_nested_validation=True,
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
    >>> from sklearn_rsmi.physics import check_dimer_coverings
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


@validate_params(
    {
        "images": ["array-like"],
    },
    prefer_skip_nested_validation=True,
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
    >>> from sklearn_rsmi.datasets import make_dimers
    >>> from sklearn_rsmi.physics import electric_field
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


@validate_params(
    {
        "images": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
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
    >>> from sklearn_rsmi.physics import winding_numbers
    >>> columnar = np.zeros((1, 8, 8), dtype=np.int8)
    >>> columnar[0, 0::2, 1::4] = 1  # bonds (y, x) - (y, x + 1) with x even
    >>> winding_numbers(columnar)
    array([[0, 0]])
    """
    check_dimer_coverings(images)
    E_x, E_y = electric_field(images)
    windings = np.stack([E_x[:, :, 0].sum(axis=1), E_y[:, 0, :].sum(axis=1)], axis=1)
    return np.rint(windings).astype(np.int64)


# ---------------------------------------------------------------------------
# what a filter on a dimer block holds


@validate_params(
    {
        "block": [Interval(Integral, 2, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def dimer_block_patterns(block=8):
    """The staggered E_x and E_y patterns on a ``block x block`` corner of a dimer image.

    Read off :func:`electric_field` itself rather than written down:
    a block anchored on a vertex holds the vertices ``(y, x)`` with ``y, x < block / 2`` and
    the links leaving them in +x and +y, and the field summed over those bonds is linear in
    the link occupations, ``sum_r E_mu(r) = P_mu . n + const``. One-hot images give
    ``P_mu``: ``+-1`` (the staggered sign ``(-1)^(x + y)``) on the mu links, 0 elsewhere.
    Blocks anchored on the other sublattice see ``-P_mu``, the same span.

    Returns
    -------
    patterns : ndarray of shape (2, block, block)
        ``P_x`` and ``P_y``.
    noise : ndarray of shape (block, block), dtype bool
        The vertex (even, even) and face (odd, odd) cells, where the noise spins sit.
    """
    if block % 2:
        raise ValueError(
            f"block must be even (whole vertex-link-face cells of the dimer image), got {block}.")
    n_vertices = block // 2
    empty = np.zeros((1, 2 * block, 2 * block), dtype=np.int8)  # any image larger than the block
    base = [field[0, :n_vertices, :n_vertices].sum() for field in electric_field(empty)]
    patterns = np.zeros((2, block, block))
    for cell in np.ndindex(block, block):
        image = empty.copy()
        image[(0, *cell)] = 1
        for mu, field in enumerate(electric_field(image)):
            patterns[mu][cell] = field[0, :n_vertices, :n_vertices].sum() - base[mu]
    rows, cols = np.indices((block, block))
    return patterns, rows % 2 == cols % 2


@validate_params(
    {
        "filters": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def dimer_filter_shares(filters):
    """Per filter of a square dimer block: its norm's share in span(E_x, E_y), and its largest
    weight on a noise site relative to its largest weight (the criteria of Fig. 4)."""
    patterns, noise = dimer_block_patterns(filters.shape[-1])
    basis = patterns.reshape(2, -1) / np.linalg.norm(patterns.reshape(2, -1), axis=1, keepdims=True)
    flat = filters.reshape(filters.shape[0], -1)
    # P_x and P_y have disjoint supports, so projecting on each is projecting on the span.
    span_share = np.linalg.norm(flat @ basis.T, axis=1) / np.linalg.norm(flat, axis=1)
    noise_share = np.abs(filters[:, noise]).max(axis=1) / np.abs(flat).max(axis=1)
    return span_share, noise_share


@validate_params(
    {
        "weights": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def noise_weight_share(weights):
    """Share of the squared weight norm on the noise sites of 8x8 dimer blocks (arXiv Fig. 6):
    0 for weights that ignore the noise, 0.5 for weights spread evenly."""
    _, noise = dimer_block_patterns(8)
    weights = np.asarray(weights).reshape(-1, 8, 8)
    return float((weights[:, noise] ** 2).sum() / (weights**2).sum())
