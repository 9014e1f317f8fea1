"""The effective temperature: round trips through Onsager's curve, limits, reference tables
and callables, and its errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklearn_rsmi.physics import (
    chain_correlation,
    effective_temperature,
    measure_nearest_neighbor_correlation,
    nearest_neighbor_correlation,
)

T_C = 2 / math.log(1 + math.sqrt(2))


@given(st.floats(0.5, 20.0))
def test_effective_temperature_round_trip(temperature):
    recovered = effective_temperature(correlation=nearest_neighbor_correlation(temperature))
    assert recovered == pytest.approx(temperature, rel=1e-6)


def test_effective_temperature_at_criticality_and_limits():
    assert effective_temperature(correlation=1 / math.sqrt(2)) == T_C
    assert effective_temperature(correlation=math.sqrt(0.5)) == T_C
    near = effective_temperature(correlation=np.array([1 / math.sqrt(2) + 1e-12, 1 / math.sqrt(2) - 1e-12]))
    assert near[0] < T_C < near[1] and np.allclose(near, T_C, rtol=1e-6)
    assert effective_temperature(correlation=1.0) == 0.0
    assert effective_temperature(correlation=0.0) == math.inf
    assert effective_temperature(correlation=-0.3) == math.inf
    # far above T_c the curve is nn ~ 1/T
    assert effective_temperature(correlation=1e-6) == pytest.approx(1e6, rel=1e-6)


def test_effective_temperature_is_monotone_and_keeps_shape():
    c = np.linspace(0.01, 0.99, 300)
    T = effective_temperature(correlation=c)
    assert np.all(np.diff(T) < 0)
    grid = effective_temperature(correlation=c[:6].reshape(2, 3))
    assert grid.shape == (2, 3) and np.array_equal(grid.ravel(), T[:6])
    assert isinstance(effective_temperature(correlation=0.5), float)


def test_effective_temperature_from_samples(rng):
    up = np.ones((3, 4, 4), dtype=np.int8)
    assert effective_temperature(up) == 0.0
    spins = rng.choice([-1, 1], size=(20, 8, 8))
    spins[:, ::2, :] = spins[:, 1::2, :]  # positively correlated rows
    measured = measure_nearest_neighbor_correlation(spins).mean()
    assert effective_temperature(spins) == pytest.approx(effective_temperature(correlation=measured))
    with pytest.raises(ValueError, match="chains"):
        effective_temperature(spins[:, 0, :])
    chain_T = effective_temperature(spins[:, 0, :], reference=lambda T: chain_correlation(T, 1))
    chain_measured = measure_nearest_neighbor_correlation(spins[:, 0, :]).mean()
    assert chain_T == pytest.approx(1 / math.atanh(chain_measured), rel=1e-9)


def test_effective_temperature_of_cubic_samples_needs_a_reference(rng):
    cubes = rng.choice(np.array([-1, 1], dtype=np.int8), size=(10, 4, 4, 4))
    cubes[:, 1::2] = cubes[:, ::2]  # planes repeat in pairs along z: positive correlation
    with pytest.raises(ValueError, match="cubic lattices.*reference="):
        effective_temperature(cubes)
    table = ([4.0, 5.0, 6.0], [0.5, 0.3, 0.1])
    measured = measure_nearest_neighbor_correlation(cubes).mean()
    assert 0.1 < measured < 0.5
    # the table is linear between its points: invert it by hand
    low = int(measured < 0.3)
    expected = table[0][low] + (table[1][low] - measured) / (table[1][low] - table[1][low + 1])
    assert effective_temperature(cubes, reference=table) == pytest.approx(expected, rel=1e-12)


def test_effective_temperature_inverts_a_reference_table():
    temperatures = np.linspace(1.0, 4.0, 61)
    correlations = chain_correlation(temperatures, 1, lattice_size=16)
    order = np.random.default_rng(0).permutation(61)  # unsorted input is fine
    table = (temperatures[order], correlations[order])
    assert np.allclose(effective_temperature(correlation=correlations, reference=table), temperatures)
    # between nodes, linear in the correlation
    middle = 0.5 * (correlations[10] + correlations[11])
    assert effective_temperature(correlation=middle, reference=table) == pytest.approx(
        0.5 * (temperatures[10] + temperatures[11]))
    # beyond the table
    beyond = [correlations[0] + 0.01, correlations[-1] - 0.01]
    with pytest.raises(ValueError, match="outside the reference"):
        effective_temperature(correlation=beyond, reference=table)
    assert np.array_equal(
        effective_temperature(correlation=beyond, reference=table, out_of_range="clip"), [1.0, 4.0])
    assert np.all(np.isnan(effective_temperature(correlation=beyond, reference=table, out_of_range="nan")))
    assert effective_temperature(correlation=[1.0, 0.0], reference=table).tolist() == [0.0, math.inf]
    assert np.array_equal(table[0], temperatures[order]) and np.array_equal(table[1], correlations[order])


def test_effective_temperature_inverts_a_reference_callable():
    T = np.array([0.3, 1.0, 7.0, 300.0])
    c = np.tanh(1 / T)
    assert np.allclose(effective_temperature(correlation=c, reference=lambda t: np.tanh(1 / t)), T,
                       rtol=1e-9)


def test_effective_temperature_rejects_bad_references_and_input():
    with pytest.raises(ValueError, match="not monotonic"):
        effective_temperature(correlation=0.5, reference=([1.0, 2.0, 3.0], [0.9, 0.4, 0.6]))
    with pytest.raises(ValueError, match="not monotonic"):
        effective_temperature(correlation=0.5, reference=([1.0, 2.0, 3.0], [0.2, 0.4, 0.6]))
    with pytest.raises(ValueError, match="not monotonic"):
        effective_temperature(correlation=0.5, reference=lambda t: np.cos(t))
    with pytest.raises(ValueError, match="duplicates"):
        effective_temperature(correlation=0.5, reference=([1.0, 1.0, 3.0], [0.9, 0.8, 0.6]))
    with pytest.raises(ValueError, match="equal length"):
        effective_temperature(correlation=0.5, reference=([1.0, 2.0], [0.9, 0.8, 0.6]))
    with pytest.raises(ValueError, match="NaN"):
        effective_temperature(correlation=0.5, reference=([1.0, 2.0], [0.9, np.nan]))
    with pytest.raises(TypeError, match="reference"):
        effective_temperature(correlation=0.5, reference=3.0)
    with pytest.raises(ValueError, match="NaN"):
        effective_temperature(correlation=[0.5, np.nan])
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        effective_temperature(correlation=1.5)
    with pytest.raises(ValueError, match="exactly one"):
        effective_temperature()
    with pytest.raises(ValueError, match="exactly one"):
        effective_temperature(np.ones((2, 4, 4)), correlation=0.5)
    with pytest.raises(ValueError, match="out_of_range"):
        effective_temperature(correlation=0.5, out_of_range="ignore")
    with pytest.raises(TypeError, match="correlation"):
        effective_temperature(correlation="0.5")
