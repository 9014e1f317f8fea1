"""Lattice operators of spin models: products of spins, summed over the lattice.

A coarse-grained Ising model has many couplings, ``H = sum_a K_a S_a``, one per operator
``S_a``. Each operator here is a product of spins at fixed relative positions (its
``sites``), summed over every position of the lattice and over the images of the sites under
the lattice's point group (all permutations and reflections of the axes), so that it is
invariant under the lattice's symmetries. Operators with an even number of spins are even
under a global spin flip (couplings of the energy sector), those with an odd number are odd
(couplings of the magnetic sector). Nothing here is specific to two dimensions: the sites
are offsets with one coordinate per lattice axis.
"""

import dataclasses
import itertools
import numbers

import numpy as np
from sklearn.utils._param_validation import validate_params

from .._utils.validation import infer_value_convention
from . import _operator_kernels

__all__ = ["LatticeOperator", "default_operators", "lattice_sums"]


def _canonical(offsets):
    """The term as a sorted tuple of offsets, translated so its smallest offset is the origin."""
    origin = min(offsets)
    return tuple(sorted(tuple(int(c - o) for c, o in zip(site, origin)) for site in offsets))


def _point_group_images(offsets, dimension):
    """Every image of the offsets under permutations and reflections of the axes, deduplicated."""
    images = set()
    for permutation in itertools.permutations(range(dimension)):
        for signs in itertools.product((1, -1), repeat=dimension):
            images.add(_canonical([
                tuple(signs[axis] * site[permutation[axis]] for axis in range(dimension))
                for site in offsets
            ]))
    return tuple(sorted(images))


@dataclasses.dataclass(frozen=True)
class LatticeOperator:
    """A product of spins at fixed relative positions, summed over the lattice.

    The lattice sum is ``S = sum_x sum_terms prod_{o in term} s_{x + o}`` over every site
    ``x`` of a periodic lattice, in the spin convention (``s = +-1``).

    Parameters
    ----------
    name : str
        A name for tables and plots.
    sites : sequence of tuple of int
        The offsets of the spins multiplied, one coordinate per lattice axis, all
        distinct: ``[(0, 0), (0, 1)]`` is a nearest-neighbor pair of the square lattice,
        ``[(0,)]`` the magnetization of a chain.
    symmetrize : bool, default=True
        Sum over the images of ``sites`` under the lattice's point group (permutations
        and reflections of the axes): ``[(0, 0), (0, 1)]`` then counts horizontal and
        vertical pairs. ``False`` keeps the single term ``sites``.

    Attributes
    ----------
    dimension : int
        Number of lattice axes.
    terms : tuple of tuple
        The distinct terms summed at every site, each a sorted tuple of offsets whose
        smallest is the origin.
    parity : {'even', 'odd'}
        How the operator behaves under a global spin flip: even with an even number of
        spins, odd otherwise.

    Examples
    --------
    >>> from sklearn_rsmi.rg import LatticeOperator
    >>> diagonal = LatticeOperator("next-nearest neighbor", [(0, 0), (1, 1)])
    >>> diagonal.terms
    (((0, 0), (1, -1)), ((0, 0), (1, 1)))
    >>> diagonal.parity
    'even'
    """

    name: str
    sites: tuple
    symmetrize: bool = True

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a str, got {self.name!r}.")
        sites = tuple(self._check_site(site) for site in self.sites)
        if not sites:
            raise ValueError(f"operator {self.name!r} has no sites.")
        dimensions = {len(site) for site in sites}
        if len(dimensions) != 1 or 0 in dimensions:
            raise ValueError(
                f"operator {self.name!r}: every site needs one coordinate per lattice axis, "
                f"got {sites}."
            )
        if len(set(sites)) != len(sites):
            raise ValueError(f"operator {self.name!r} lists a site twice: {sites}.")
        object.__setattr__(self, "sites", sites)

    def _check_site(self, site):
        if isinstance(site, numbers.Integral):
            raise TypeError(
                f"operator {self.name!r}: sites are tuples of coordinates, got the integer "
                f"{site}; write ({site},) for a chain."
            )
        site = tuple(site)
        if not all(isinstance(c, numbers.Integral) and not isinstance(c, bool) for c in site):
            raise TypeError(f"operator {self.name!r}: site {site} must hold integers.")
        return tuple(int(c) for c in site)

    @property
    def dimension(self):
        return len(self.sites[0])

    @property
    def terms(self):
        if self.symmetrize:
            return _point_group_images(self.sites, self.dimension)
        return (_canonical(self.sites),)

    @property
    def parity(self):
        return "even" if len(self.sites) % 2 == 0 else "odd"

    def fits(self, lattice_shape):
        """Whether every term's sites stay distinct on a periodic lattice of this shape."""
        shape = tuple(lattice_shape)
        if len(shape) != self.dimension:
            return False
        return all(
            len({tuple(c % n for c, n in zip(site, shape)) for site in term}) == len(term)
            for term in self.terms
        )

    def _check_fits(self, lattice_shape, where=""):
        shape = tuple(lattice_shape)
        if len(shape) != self.dimension:
            raise ValueError(
                f"operator {self.name!r} has {self.dimension}D sites but the lattice"
                f"{where} is {len(shape)}D ({'x'.join(map(str, shape))})."
            )
        if not self.fits(shape):
            raise ValueError(
                f"operator {self.name!r} does not fit the {'x'.join(map(str, shape))} "
                f"lattice{where}: on that torus two of its sites {self.sites} fall on the "
                "same site. Use a larger lattice, fewer RG steps, or leave the operator out."
            )


def _operator_set(dimension):
    e = [tuple(int(i == axis) for i in range(dimension)) for axis in range(dimension)]
    zero = (0,) * dimension

    def at(*steps):
        return tuple(sum(c) for c in zip(zero, *steps)) if steps else zero

    def times(k, v):
        return tuple(k * c for c in v)

    if dimension == 1:
        (x,) = e
        return (
            LatticeOperator("nearest neighbor", [zero, x]),
            LatticeOperator("second neighbor", [zero, times(2, x)]),
            LatticeOperator("third neighbor", [zero, times(3, x)]),
            LatticeOperator("four in a row", [zero, x, times(2, x), times(3, x)]),
            LatticeOperator("magnetization", [zero]),
            LatticeOperator("three in a row", [zero, x, times(2, x)]),
            LatticeOperator("three spins 0, 1, 3", [zero, x, times(3, x)]),
        )
    if dimension == 2:
        y, x = e
        return (
            LatticeOperator("nearest neighbor", [zero, x]),
            LatticeOperator("next-nearest neighbor", [zero, at(x, y)]),
            LatticeOperator("third neighbor", [zero, times(2, x)]),
            LatticeOperator("plaquette", [zero, x, y, at(x, y)]),
            LatticeOperator("fourth neighbor", [zero, at(times(2, x), y)]),
            LatticeOperator("fifth neighbor", [zero, at(times(2, x), times(2, y))]),
            LatticeOperator("diamond", [x, y, at(times(2, x), y), at(x, times(2, y))]),
            LatticeOperator("magnetization", [zero]),
            LatticeOperator("three-spin corner", [zero, x, y]),
            LatticeOperator("three in a row", [zero, x, times(2, x)]),
            LatticeOperator("five-spin cross", [at(x), y, at(x, y), at(times(2, x), y),
                                                at(x, times(2, y))]),
        )
    if dimension == 3:
        z, y, x = e
        return (
            LatticeOperator("nearest neighbor", [zero, x]),
            LatticeOperator("face diagonal", [zero, at(x, y)]),
            LatticeOperator("body diagonal", [zero, at(x, y, z)]),
            LatticeOperator("fourth neighbor", [zero, times(2, x)]),
            LatticeOperator("plaquette", [zero, x, y, at(x, y)]),
            LatticeOperator("fifth neighbor", [zero, at(times(2, x), y)]),
            LatticeOperator("tetrahedron", [zero, at(x, y), at(y, z), at(x, z)]),
            LatticeOperator("magnetization", [zero]),
            LatticeOperator("three-spin corner", [zero, x, y]),
            LatticeOperator("three in a row", [zero, x, times(2, x)]),
            LatticeOperator("seven-spin star", [at(x, y, z), at(y, z), at(x, z), at(x, y),
                                                at(times(2, x), y, z), at(x, times(2, y), z),
                                                at(x, y, times(2, z))]),
        )
    raise ValueError(
        f"no default operator set for {dimension}D lattices: there are sets for chains (1), "
        "square (2) and simple cubic (3) lattices. Pass your own LatticeOperator list "
        "(operators work in any dimension)."
    )


@validate_params({"dimension": [numbers.Integral]}, prefer_skip_nested_validation=True)
def default_operators(dimension=2):
    """The operators measured by default, even ones first, in order of range.

    Square lattice: even, the pairs of the first five neighbor shells (nearest, diagonal,
    at distance 2, at distance sqrt 5, at distance sqrt 8), the plaquette and the diamond
    (the four neighbors of a site); odd, the magnetization, three spins of a plaquette
    (corner), three in a row and the five-spin cross. The Monte Carlo RG literature uses
    sets like this one (Swendsen, PRL 42, 859 (1979)): short-range couplings first, so that
    truncating to the first ``k`` of a sector keeps the most important. Chains: pairs at
    distances 1-3 and four in a row (even), the magnetization and two three-spin products
    (odd).

    Simple cubic lattice: even, the pairs of the first five neighbor shells (nearest, face
    diagonal, body diagonal, at distance 2, at distance sqrt 5), the plaquette and the
    tetrahedron (four corners of a cube joined by face diagonals); odd, the magnetization,
    three spins of a plaquette (corner), three in a row and the seven-spin star (a site and
    its six neighbors). Each is summed over its images under the 48 elements of the cubic
    point group. Sets of this kind, short-range couplings first, are the usual ones of the
    3D Ising Monte Carlo RG (Baillie, Gupta, Hawick and Pawley, PRB 45, 10438 (1992)).

    Parameters
    ----------
    dimension : {1, 2, 3}, default=2
        Number of lattice axes.

    Returns
    -------
    operators : tuple of LatticeOperator
        Append your own to extend the set.

    Examples
    --------
    >>> from sklearn_rsmi.rg import default_operators
    >>> [op.name for op in default_operators() if op.parity == "odd"]
    ['magnetization', 'three-spin corner', 'three in a row', 'five-spin cross']
    """
    return _operator_set(int(dimension))


def _check_operators(operators, lattice_shape, where=""):
    operators = tuple(operators)
    if not operators:
        raise ValueError("operators is empty: give at least one LatticeOperator.")
    for op in operators:
        if not isinstance(op, LatticeOperator):
            raise TypeError(f"operators must be LatticeOperator instances, got {op!r}.")
        op._check_fits(lattice_shape, where)
    names = [op.name for op in operators]
    if len(set(names)) != len(names):
        raise ValueError(f"operator names must be distinct, got {names}.")
    return operators


class _Layout:
    """Where the kernel finds every term's spins: rows along the last axis, and shifts.

    A term's factor at offset ``o`` reads, for the sites of base row ``r``, the row at
    ``r + o[:-1]`` (wrapped periodically) shifted by ``o[-1]`` along the row.
    """

    def __init__(self, operators, lattice_shape):
        shape = tuple(int(n) for n in lattice_shape)
        row_shape = shape[:-1]
        rows = np.indices(row_shape).reshape(len(row_shape), -1).T if row_shape else \
            np.zeros((1, 0), dtype=np.intp)
        terms = [(a, term) for a, op in enumerate(operators) for term in op.terms]
        max_size = max(len(term) for _, term in terms)
        self.row_table = np.zeros((len(terms), max_size, rows.shape[0]), dtype=np.int64)
        self.shift = np.zeros((len(terms), max_size), dtype=np.int64)
        for t, (_, term) in enumerate(terms):
            for m, offset in enumerate(term):
                if row_shape:
                    wrapped = (rows + np.asarray(offset[:-1])) % np.asarray(row_shape)
                    self.row_table[t, m] = np.ravel_multi_index(tuple(wrapped.T), row_shape)
                # Wrapped onto the row, so the kernel's padding stays below one row.
                self.shift[t, m] = offset[-1] % shape[-1]
        self.before = 0
        self.row_length = shape[-1]
        self.sizes = np.array([len(term) for _, term in terms], dtype=np.int64)
        self.owners = np.array([a for a, _ in terms], dtype=np.int64)
        self.n_operators = len(operators)

    def sums(self, samples):
        """Lattice sums ``(n_samples, n_operators)`` of binary samples ``(n_samples, *lattice)``."""
        samples = np.asarray(samples)
        flat = np.ascontiguousarray(samples.reshape(samples.shape[0], -1))
        if flat.dtype != np.int8:
            flat = flat.astype(np.int8)  # exact for binary values; one kernel to compile
        out = np.zeros((flat.shape[0], self.n_operators), dtype=np.int64)
        _operator_kernels.lattice_sums(flat, self.row_length, self.row_table, self.shift,
                                       self.before, self.sizes, self.owners, out)
        return out


@validate_params(
    {"samples": ["array-like"], "operators": ["array-like", None]},
    prefer_skip_nested_validation=True,
)
def lattice_sums(samples, operators=None):
    """Lattice sums of operators on every sample, in the spin convention.

    Parameters
    ----------
    samples : array-like of shape (n_samples, L), (n_samples, Ly, Lx) or (n_samples, Lz, Ly, Lx)
        Binary configurations with periodic boundaries: spins ``+-1``, or occupations
        ``{0, 1}`` read as spins ``2x - 1``.
    operators : sequence of LatticeOperator or None, default=None
        ``None`` means :func:`default_operators` of the samples' dimension. Every operator
        must fit the lattice (its sites distinct on the torus).

    Returns
    -------
    sums : ndarray of int64, shape (n_samples, n_operators)
        ``sums[n, a] = S_a`` of sample ``n``: extensive sums, not per site.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.rg import LatticeOperator, lattice_sums
    >>> up = np.ones((1, 4, 4), dtype=np.int8)
    >>> lattice_sums(up, [LatticeOperator("nearest neighbor", [(0, 0), (0, 1)])])
    array([[32]])
    """
    infer_value_convention(samples, name="samples")
    samples = np.asarray(samples)
    if samples.ndim < 2:
        raise ValueError(
            f"samples must have shape (n_samples, *lattice), got shape {samples.shape}."
        )
    lattice_shape = samples.shape[1:]
    if operators is None:
        operators = default_operators(len(lattice_shape))
    operators = _check_operators(operators, lattice_shape)
    return _Layout(operators, lattice_shape).sums(samples)
