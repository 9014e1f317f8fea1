"""Measurements on lattice samples: correlations and the Binder cumulant."""

import numpy as np
from sklearn.utils._param_validation import validate_params

from .._utils.validation import to_spins
from ._observable_kernels import square_lattice_sums


@validate_params(
    {
        "samples": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def measure_nearest_neighbor_correlation(samples):
    r"""Per-sample mean of :math:`s_i s_j` over nearest-neighbor bonds, periodic wrap.

    Parameters
    ----------
    samples : array-like of shape (n_samples, L), (n_samples, Ly, Lx) or (n_samples, Lz, Ly, Lx)
        Binary configurations of chains, square or simple cubic lattices. Spins ``+-1``
        are used as they are; data in ``{0, 1}`` is read as occupations and mapped to
        spins ``s = 2x - 1`` (an all-``+1`` array counts as occupations, which maps to the
        same spins). Each lattice axis needs at least two sites. Bonds wrap around
        periodically: ``L`` bonds per chain, ``2 Lx Ly`` per square lattice and
        ``3 Lx Ly Lz`` per cubic lattice.

    Returns
    -------
    correlation : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.physics import measure_nearest_neighbor_correlation
    >>> checkerboard = np.indices((4, 4)).sum(axis=0) % 2 * 2 - 1
    >>> measure_nearest_neighbor_correlation(checkerboard[None])
    array([-1.])
    """
    spins = to_spins(samples, copy=False)
    if spins.ndim not in (2, 3, 4):
        raise ValueError(
            "samples must have shape (n_samples, L) for chains, (n_samples, Ly, Lx) for "
            f"square lattices or (n_samples, Lz, Ly, Lx) for cubic lattices, got shape "
            f"{spins.shape}."
        )
    if min(spins.shape[1:]) < 2:
        raise ValueError(f"each lattice axis needs >= 2 sites, got samples of shape {spins.shape}.")
    if spins.ndim == 3:
        nearest, _, _ = square_lattice_sums(np.ascontiguousarray(spins))
        return nearest / (2 * spins.shape[1] * spins.shape[2])
    lattice_axes = tuple(range(1, spins.ndim))
    total = np.zeros(spins.shape[0], dtype=np.int64)
    for axis in lattice_axes:
        total += (spins * np.roll(spins, -1, axis=axis)).sum(axis=lattice_axes, dtype=np.int64)
    n_bonds = len(lattice_axes) * np.prod(spins.shape[1:])
    return total / n_bonds


@validate_params(
    {
        "samples": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def binder_cumulant(samples):
    r"""Binder cumulant :math:`U = 1 - \langle m^4\rangle / (3\langle m^2\rangle^2)`.

    ``m`` is the magnetization per site of each sample. ``U -> 2/3`` in the ordered
    phase, ``-> 0`` in the disordered phase, and curves for different sizes cross near
    ``U* = 0.61069`` at the 2D Ising critical point (periodic square lattices, Salas &
    Sokal, J. Stat. Phys. 98, 551 (2000)).

    Parameters
    ----------
    samples : array-like of shape (n_samples, ...)
        Binary configurations (spins ``+-1``, or occupations ``{0, 1}`` mapped to spins).

    Returns
    -------
    U : float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.physics import binder_cumulant
    >>> ordered = np.array([np.ones((4, 4)), -np.ones((4, 4))])
    >>> round(binder_cumulant(ordered), 12)
    0.666666666667
    """
    spins = to_spins(samples)
    if spins.ndim < 2:
        raise ValueError(f"samples must have shape (n_samples, ...), got shape {spins.shape}.")
    m = spins.reshape(spins.shape[0], -1).mean(axis=1, dtype=np.float64)
    m2 = np.mean(m**2)
    if m2 == 0.0:
        raise ValueError("the Binder cumulant is undefined: every sample has zero magnetization.")
    return float(1.0 - np.mean(m**4) / (3.0 * m2**2))


@validate_params(
    {
        "samples": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def measure_diagonal_correlation(samples):
    r"""Per-sample mean of :math:`s_{x,y} s_{x+1,y+1}` and :math:`s_{x,y} s_{x+1,y-1}`, periodic.

    The next-nearest-neighbor correlation of square lattices, both diagonals averaged
    (compare :func:`diagonal_correlation`, its infinite-lattice value). On cubic lattices,
    the face diagonals: both diagonals of the three planes through a site, six bonds per
    site, averaged.

    Parameters
    ----------
    samples : array-like of shape (n_samples, Ly, Lx) or (n_samples, Lz, Ly, Lx)
        Binary configurations, spins or occupations (mapped to spins ``s = 2x - 1``).

    Returns
    -------
    correlation : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.physics import measure_diagonal_correlation
    >>> stripes = np.indices((4, 4))[1] % 2 * 2 - 1   # columns alternate
    >>> measure_diagonal_correlation(stripes[None])
    array([-1.])
    """
    spins = to_spins(samples, copy=False)
    if spins.ndim not in (3, 4):
        raise ValueError(
            "samples must have shape (n_samples, Ly, Lx) or (n_samples, Lz, Ly, Lx), got "
            f"shape {spins.shape}."
        )
    if spins.ndim == 3:
        _, diagonal, _ = square_lattice_sums(np.ascontiguousarray(spins))
        return diagonal / (2.0 * np.prod(spins.shape[1:]))
    lattice_axes = tuple(range(1, spins.ndim))
    total = np.zeros(spins.shape[0], dtype=np.int64)
    n_planes = 0
    for i, first in enumerate(lattice_axes):
        for second in lattice_axes[i + 1:]:
            forward = np.roll(spins, -1, axis=second)
            total += (spins * np.roll(forward, -1, axis=first)).sum(axis=lattice_axes,
                                                                    dtype=np.int64)
            total += (spins * np.roll(forward, 1, axis=first)).sum(axis=lattice_axes,
                                                                   dtype=np.int64)
            n_planes += 1
    return total / (2.0 * n_planes * np.prod(spins.shape[1:]))
