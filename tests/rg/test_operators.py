"""Lattice operators: their symmetry images, parity and fit, and lattice sums against np.roll."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rsmi.rg import LatticeOperator, default_operators, lattice_sums


def rolled_sums(X, operators):
    """Lattice sums by brute force: products of whole rolled lattices, summed."""
    spins = np.where(X > 0, 1, -1).astype(np.int64)
    axes = tuple(range(1, spins.ndim))
    out = np.zeros((spins.shape[0], len(operators)), dtype=np.int64)
    for a, op in enumerate(operators):
        for term in op.terms:
            product = np.ones_like(spins)
            for offset in term:
                product = product * np.roll(spins, tuple(-c for c in offset), axis=axes)
            out[:, a] += product.reshape(spins.shape[0], -1).sum(axis=1)
    return out


# --------------------------------------------------------------------------- operators
def test_square_lattice_terms_are_the_point_group_images():
    counts = {op.name: len(op.terms) for op in default_operators(2)}
    # Pairs along an axis or a diagonal come in 2 orientations, knight's moves in 4; the
    # plaquette, diamond and cross are symmetric; a 3-spin corner has 4 orientations.
    assert counts == {
        "nearest neighbor": 2, "next-nearest neighbor": 2, "third neighbor": 2, "plaquette": 1,
        "fourth neighbor": 4, "fifth neighbor": 2, "diamond": 1, "magnetization": 1,
        "three-spin corner": 4, "three in a row": 2, "five-spin cross": 1,
    }


def test_cubic_lattice_terms_are_the_point_group_images():
    counts = {op.name: len(op.terms) for op in default_operators(3)}
    # Bonds: 3 axes, 6 face diagonals, 4 body diagonals; (2, 1, 0) has 24 images, which
    # pair up under reversal. Plaquettes lie in 3 planes; a cube holds 2 tetrahedra; a
    # corner has 4 orientations in each of 3 planes; the star is symmetric.
    assert counts == {
        "nearest neighbor": 3, "face diagonal": 6, "body diagonal": 4, "fourth neighbor": 3,
        "plaquette": 3, "fifth neighbor": 12, "tetrahedron": 2, "magnetization": 1,
        "three-spin corner": 12, "three in a row": 3, "seven-spin star": 1,
    }
    assert [len(op.sites) for op in default_operators(3)] == [2, 2, 2, 2, 4, 2, 4, 1, 3, 3, 7]


def test_parity_and_order_of_the_default_sets():
    for dimension in (1, 2, 3):
        parities = [op.parity for op in default_operators(dimension)]
        assert parities == sorted(parities)  # even ones first
        assert parities[0] == "even" and parities[-1] == "odd"
    assert default_operators(2)[0].name == "nearest neighbor"


def test_operators_are_not_tied_to_two_dimensions():
    nn = LatticeOperator("nearest neighbor", [(0, 0, 0), (0, 0, 1)])
    assert nn.dimension == 3 and len(nn.terms) == 3
    corner = LatticeOperator("corner", [(0, 0, 0), (1, 0, 0), (0, 1, 0)])
    assert len(corner.terms) == 12  # 3 planes, 4 orientations each
    X = np.random.default_rng(0).choice([-1, 1], size=(3, 4, 6, 8))
    np.testing.assert_array_equal(lattice_sums(X, [nn, corner]), rolled_sums(X, [nn, corner]))


def test_unsymmetrized_operator_keeps_its_single_term():
    op = LatticeOperator("horizontal bond", [(0, 0), (0, 1)], symmetrize=False)
    assert op.terms == (((0, 0), (0, 1)),)
    stripes = np.tile(np.array([1, -1])[:, None], (1, 4))[None]  # rows alternate
    assert lattice_sums(stripes, [op])[0, 0] == 8  # every horizontal bond is satisfied


def test_operator_fits_a_lattice_when_its_sites_stay_distinct():
    third = LatticeOperator("third neighbor", [(0, 0), (0, 2)])
    assert third.fits((4, 4)) and third.fits((3, 3))
    assert not third.fits((2, 2)) and not third.fits((4,))
    with pytest.raises(ValueError, match="does not fit the 2x2"):
        lattice_sums(np.ones((1, 2, 2)), [third])


@pytest.mark.parametrize("sites, error, match", [
    ([], ValueError, "no sites"),
    ([(0, 0), (0, 0)], ValueError, "twice"),
    ([(0, 0), (1,)], ValueError, "one coordinate per lattice axis"),
    ([0, 1], TypeError, r"write \(0,\)"),
    ([(0.5, 0)], TypeError, "integers"),
])
def test_bad_operators_are_rejected(sites, error, match):
    with pytest.raises(error, match=match):
        LatticeOperator("bad", sites)


# --------------------------------------------------------------------------- lattice sums
@settings(max_examples=30)
@given(
    shape=st.one_of(st.tuples(st.integers(3, 9), st.integers(3, 70)),
                    st.tuples(st.integers(3, 140))),
    occupations=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_lattice_sums_equal_products_of_rolled_lattices(shape, occupations, seed):
    X = np.random.default_rng(seed).choice([-1, 1], size=(3, *shape)).astype(np.int8)
    operators = [op for op in default_operators(len(shape)) if op.fits(shape)]
    given_X = (X + 1) // 2 if occupations else X
    np.testing.assert_array_equal(lattice_sums(given_X, operators), rolled_sums(X, operators))


@settings(max_examples=25, deadline=None)
@given(
    shape=st.tuples(st.integers(3, 7), st.integers(3, 7), st.integers(3, 70)),
    occupations=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_cubic_lattice_sums_equal_products_of_rolled_lattices(shape, occupations, seed):
    X = np.random.default_rng(seed).choice([-1, 1], size=(2, *shape)).astype(np.int8)
    operators = [op for op in default_operators(3) if op.fits(shape)]
    given_X = (X + 1) // 2 if occupations else X
    np.testing.assert_array_equal(lattice_sums(given_X, operators), rolled_sums(X, operators))


def test_known_values_on_ordered_cubic_lattices():
    n = 4 ** 3
    up = np.ones((1, 4, 4, 4), dtype=np.int8)
    sums = dict(zip([op.name for op in default_operators(3)], lattice_sums(up)[0]))
    assert sums == {"nearest neighbor": 3 * n, "face diagonal": 6 * n, "body diagonal": 4 * n,
                    "fourth neighbor": 3 * n, "plaquette": 3 * n, "fifth neighbor": 12 * n,
                    "tetrahedron": 2 * n, "magnetization": n, "three-spin corner": 12 * n,
                    "three in a row": 3 * n, "seven-spin star": n}
    # The antiferromagnet: a spin's sign is the parity of x + y + z, so a pair's product is
    # (-1)^(distance in steps), and an odd operator averages out.
    staggered = np.where(np.indices((4, 4, 4)).sum(axis=0) % 2, 1, -1)[None]
    sums = dict(zip([op.name for op in default_operators(3)], lattice_sums(staggered)[0]))
    assert sums == {"nearest neighbor": -3 * n, "face diagonal": 6 * n, "body diagonal": -4 * n,
                    "fourth neighbor": 3 * n, "plaquette": 3 * n, "fifth neighbor": -12 * n,
                    "tetrahedron": 2 * n, "magnetization": 0, "three-spin corner": 0,
                    "three in a row": 0, "seven-spin star": 0}


def test_cubic_operators_that_do_not_fit_a_small_coarse_lattice_are_named():
    with pytest.raises(ValueError, match="'fourth neighbor' does not fit the 2x2x2"):
        lattice_sums(np.ones((1, 2, 2, 2), dtype=np.int8), default_operators(3))
    with pytest.raises(ValueError, match="3D sites but the lattice is 2D"):
        lattice_sums(np.ones((1, 4, 4), dtype=np.int8), default_operators(3))
    with pytest.raises(ValueError, match="2D sites but the lattice is 3D"):
        lattice_sums(np.ones((1, 4, 4, 4), dtype=np.int8), default_operators(2))


def test_known_values_on_ordered_lattices():
    up = np.ones((1, 4, 4), dtype=np.int8)
    sums = dict(zip([op.name for op in default_operators()], lattice_sums(up)[0]))
    n = 16
    assert sums["nearest neighbor"] == 2 * n and sums["fourth neighbor"] == 4 * n
    assert sums["plaquette"] == n and sums["magnetization"] == n
    assert sums["three-spin corner"] == 4 * n
    checkerboard = np.where(np.indices((4, 4)).sum(axis=0) % 2, 1, -1)[None]
    sums = dict(zip([op.name for op in default_operators()], lattice_sums(checkerboard)[0]))
    assert sums["nearest neighbor"] == -2 * n and sums["next-nearest neighbor"] == 2 * n
    assert sums["magnetization"] == 0 and sums["three-spin corner"] == 0


def test_lattice_sums_reject_non_binary_samples_and_keep_the_input():
    with pytest.raises(ValueError, match="binary"):
        lattice_sums(np.full((2, 4, 4), 0.5))
    X = np.random.default_rng(1).choice([0, 1], size=(2, 6, 6))
    before = X.copy()
    lattice_sums(X)
    np.testing.assert_array_equal(X, before)


def test_no_default_set_beyond_three_dimensions():
    with pytest.raises(ValueError, match="4D"):
        default_operators(4)
