"""Measurements on samples against explicit bond sums and hand-made configurations."""


import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklearn_rsmi.physics import (
    binder_cumulant,
    measure_diagonal_correlation,
    measure_nearest_neighbor_correlation,
)


def test_measured_correlation_of_hand_made_configurations():
    up2d = np.ones((6, 6), dtype=np.int8)
    checkerboard = (np.indices((6, 6)).sum(axis=0) % 2) * 2 - 1
    stripes = np.tile(np.array([1, -1] * 3), (6, 1))  # columns alternate: rows +-+-..
    samples = np.stack([up2d, checkerboard, stripes, -up2d])
    assert np.array_equal(measure_nearest_neighbor_correlation(samples), [1.0, -1.0, 0.0, 1.0])

    chain = np.array([[1] * 8, [1, -1] * 4, [1, 1, -1, -1] * 2, [1, 1, 1, 1, 1, 1, 1, -1]])
    assert np.allclose(measure_nearest_neighbor_correlation(chain), [1.0, -1.0, 0.0, 0.5])


def test_measured_correlation_accepts_occupations_and_leaves_input_alone(rng):
    spins = rng.choice(np.array([-1, 1], dtype=np.int8), size=(5, 4, 6))
    occupations = (spins + 1) // 2
    kept = spins.copy()
    assert np.array_equal(measure_nearest_neighbor_correlation(spins),
                          measure_nearest_neighbor_correlation(occupations))
    assert np.array_equal(spins, kept)
    assert np.array_equal(measure_nearest_neighbor_correlation(spins.astype(float)),
                          measure_nearest_neighbor_correlation(spins))


@given(st.integers(2, 5), st.integers(2, 5), st.integers(0, 2**31 - 1))
def test_measured_correlation_equals_explicit_bond_sum(Ly, Lx, seed):
    spins = np.random.default_rng(seed).choice([-1, 1], size=(3, Ly, Lx))
    expected = []
    for s in spins:
        bonds = [s[y, x] * s[y, (x + 1) % Lx] for y in range(Ly) for x in range(Lx)]
        bonds += [s[y, x] * s[(y + 1) % Ly, x] for y in range(Ly) for x in range(Lx)]
        expected.append(np.mean(bonds))
    assert np.allclose(measure_nearest_neighbor_correlation(spins), expected)


@given(st.integers(2, 4), st.integers(2, 4), st.integers(2, 4), st.integers(0, 2**31 - 1))
def test_measured_correlation_equals_explicit_bond_sum_on_cubic_lattices(Lz, Ly, Lx, seed):
    spins = np.random.default_rng(seed).choice([-1, 1], size=(2, Lz, Ly, Lx))
    expected = []
    for s in spins:
        bonds = []
        for z in range(Lz):
            for y in range(Ly):
                for x in range(Lx):
                    bonds += [s[z, y, x] * s[z, y, (x + 1) % Lx],
                              s[z, y, x] * s[z, (y + 1) % Ly, x],
                              s[z, y, x] * s[(z + 1) % Lz, y, x]]
        expected.append(np.mean(bonds))
    assert np.allclose(measure_nearest_neighbor_correlation(spins), expected)


@given(st.integers(2, 4), st.integers(2, 4), st.integers(2, 4), st.integers(0, 2**31 - 1))
def test_measured_diagonal_correlation_of_cubic_lattices_is_the_face_diagonal_mean(
        Lz, Ly, Lx, seed):
    spins = np.random.default_rng(seed).choice([-1, 1], size=(2, Lz, Ly, Lx))
    expected = []
    for s in spins:
        bonds = []
        for z in range(Lz):
            for y in range(Ly):
                for x in range(Lx):
                    here = s[z, y, x]
                    for dz, dy, dx in ((0, 1, 1), (0, -1, 1), (1, 0, 1), (-1, 0, 1),
                                       (1, 1, 0), (-1, 1, 0)):
                        bonds.append(here * s[(z + dz) % Lz, (y + dy) % Ly, (x + dx) % Lx])
        expected.append(np.mean(bonds))
    assert np.allclose(measure_diagonal_correlation(spins), expected)


def test_cubic_lattice_correlations_of_hand_made_configurations():
    up = np.ones((4, 4, 4), dtype=np.int8)
    # a 3D checkerboard: every nearest neighbor differs, every face diagonal agrees
    checkerboard = (np.indices((4, 4, 4)).sum(axis=0) % 2) * 2 - 1
    # planes alternate along z: the x and y bonds agree (2 of 3), the z bonds differ;
    # of the face diagonals, the xy ones agree (1 of 3), the xz and yz ones differ
    planes = np.indices((4, 4, 4))[0] % 2 * 2 - 1
    samples = np.stack([up, checkerboard, planes])
    assert np.allclose(measure_nearest_neighbor_correlation(samples), [1.0, -1.0, 1 / 3])
    assert np.allclose(measure_diagonal_correlation(samples), [1.0, 1.0, -1 / 3])


def test_measured_correlation_rejects_bad_samples():
    with pytest.raises(ValueError, match="shape"):
        measure_nearest_neighbor_correlation(np.ones((2, 2, 2, 2, 2)))
    with pytest.raises(ValueError, match="shape"):
        measure_diagonal_correlation(np.ones((2, 4)))
    with pytest.raises(ValueError, match=">= 2 sites"):
        measure_nearest_neighbor_correlation(np.ones((3, 1, 4)))
    with pytest.raises(ValueError, match="binary"):
        measure_nearest_neighbor_correlation(np.full((2, 4), 2))
    with pytest.raises(ValueError, match="NaN"):
        measure_nearest_neighbor_correlation(np.array([[1.0, np.nan]]))


def test_binder_cumulant():
    ordered = np.stack([np.ones((4, 4)), -np.ones((4, 4)), np.ones((4, 4))])
    assert binder_cumulant(ordered) == pytest.approx(2 / 3)
    # magnetizations 1/2 and 1 (chains of 4 spins): <m^2> = 5/8, <m^4> = 17/32
    samples = np.array([[1, 1, 1, -1], [1, 1, 1, 1]])
    assert binder_cumulant(samples) == pytest.approx(1 - (17 / 32) / (3 * (5 / 8) ** 2))
    assert binder_cumulant((samples + 1) // 2) == binder_cumulant(samples)
    with pytest.raises(ValueError, match="zero magnetization"):
        binder_cumulant(np.array([[1, -1], [-1, 1]]))
