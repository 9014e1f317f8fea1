"""Exact Ising results against independent computations: transfer matrices on strips and
cylinders, tabulated values, enumeration of short chains."""

import itertools
import math
import warnings

import numpy as np
import pytest
from scipy.sparse.linalg import LinearOperator, eigsh

from sklearn_rsmi.physics import (
    chain_correlation,
    correlation_length,
    diagonal_correlation,
    effective_temperature,
    energy_per_site,
    nearest_neighbor_correlation,
    spontaneous_magnetization,
)

T_C = 2 / math.log(1 + math.sqrt(2))


def strip_transfer_matrix(width, temperature, n_states=4):
    """Leading eigenpairs of the symmetric row-to-row transfer matrix of a cylinder.

    Rows of ``width`` spins with periodic wrap; V = D^1/2 (x) exp(K s s') D^1/2, applied
    site by site so that widths up to ~14 stay cheap.
    """
    K = 1.0 / temperature
    rows = ((np.arange(2**width)[:, None] >> np.arange(width)) & 1) * 2 - 1
    within_row = np.exp(0.5 * K * (rows * np.roll(rows, -1, axis=1)).sum(axis=1))
    bond = np.array([[math.exp(K), math.exp(-K)], [math.exp(-K), math.exp(K)]])

    def apply(vector):
        x = (within_row * vector.ravel()).reshape((2,) * width)
        for axis in range(width):
            x = np.moveaxis(np.tensordot(bond, x, axes=([1], [axis])), 0, axis)
        return within_row * x.ravel()

    operator = LinearOperator((2**width, 2**width), matvec=apply, dtype=np.float64)
    values, vectors = eigsh(operator, k=n_states, which="LA", tol=1e-13)
    order = np.argsort(values)[::-1]
    return values[order], vectors[:, order], rows, apply


def strip_correlations(width, temperature):
    """nn along the row, nn across rows, and diagonal correlations on a cylinder."""
    values, vectors, rows, apply = strip_transfer_matrix(width, temperature, n_states=2)
    ground = vectors[:, 0]
    s0, s1 = rows[:, 0], rows[:, 1]
    along = np.sum(ground**2 * s0 * s1)
    across = ground @ (s0 * apply(s0 * ground)) / values[0]
    diagonal = ground @ (s0 * apply(s1 * ground)) / values[0]
    return along, across, diagonal


def brute_force_chain_correlation(temperature, n_sites, r):
    """<s_0 s_r> on a periodic chain by summing Boltzmann weights over all 2^L states."""
    states = np.array(list(itertools.product((-1, 1), repeat=n_sites)))
    energy = -(states * np.roll(states, -1, axis=1)).sum(axis=1)
    weight = np.exp(-energy / temperature)
    return np.sum(weight * states[:, 0] * states[:, r]) / np.sum(weight)


@pytest.mark.parametrize(
    "temperature, nn, diagonal", [(3.0, 0.408655, 0.266644), (4.0, 0.278636, 0.137058)]
)
def test_correlations_match_tabulated_transfer_matrix_values(temperature, nn, diagonal):
    assert nearest_neighbor_correlation(temperature) == pytest.approx(nn, abs=1e-6)
    assert diagonal_correlation(temperature) == pytest.approx(diagonal, abs=1e-6)
    assert energy_per_site(temperature) == pytest.approx(-2 * nn, abs=2e-6)


@pytest.mark.parametrize("temperature, width, tolerance", [(5.0, 10, 2e-5), (1.5, 12, 1e-4)])
def test_correlations_match_transfer_matrix_on_a_cylinder(temperature, width, tolerance):
    along, across, diagonal = strip_correlations(width, temperature)
    assert along == pytest.approx(nearest_neighbor_correlation(temperature), abs=tolerance)
    assert across == pytest.approx(nearest_neighbor_correlation(temperature), abs=tolerance)
    assert diagonal == pytest.approx(diagonal_correlation(temperature), abs=tolerance)


def test_values_at_and_across_the_critical_temperature():
    assert nearest_neighbor_correlation(T_C) == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    assert diagonal_correlation(T_C) == pytest.approx(2 / math.pi, abs=1e-15)
    assert energy_per_site(T_C) == pytest.approx(-math.sqrt(2), abs=1e-15)
    around = np.array([T_C - 1e-9, T_C + 1e-9])
    assert np.allclose(nearest_neighbor_correlation(around), 1 / math.sqrt(2), atol=1e-7)
    assert np.allclose(diagonal_correlation(around), 2 / math.pi, atol=1e-7)
    assert np.all(np.isfinite(nearest_neighbor_correlation(np.linspace(T_C - 1e-6, T_C + 1e-6, 101))))


def test_correlations_are_monotone_with_the_right_limits():
    T = np.geomspace(0.05, 1e6, 4001)
    nn, diagonal = nearest_neighbor_correlation(T), diagonal_correlation(T)
    # where the value rounds to 1 the evaluation may wobble by an ulp or two, never above 1
    assert np.all(np.diff(nn) <= 5e-16) and np.all(np.diff(diagonal) <= 5e-16)
    assert np.all(nn <= 1) and np.all(diagonal <= 1)
    unsaturated = T > 0.4  # below, 1 - nn ~ 4 exp(-8/T) is under the float resolution of 1
    assert np.all(np.diff(nn[unsaturated]) < 0) and np.all(np.diff(diagonal[unsaturated]) < 0)
    assert np.all(diagonal[unsaturated] < nn[unsaturated])
    assert nn[0] == pytest.approx(1.0) and diagonal[0] == pytest.approx(1.0)
    # high-temperature series: nn = t + 2 t^3 + ..., diagonal = 2 t^2 + ..., t = tanh(1/T)
    t = math.tanh(1e-4)
    assert nearest_neighbor_correlation(1e4) == pytest.approx(t + 2 * t**3, rel=1e-12)
    assert diagonal_correlation(1e4) == pytest.approx(2 * t**2, rel=1e-6)


def test_extreme_temperatures_reach_their_limits_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cold, hot = np.array([1e-300, 5e-324]), np.array([1e300])
        assert np.all(nearest_neighbor_correlation(cold) == 1.0)
        assert np.all(diagonal_correlation(cold) == 1.0)
        assert np.all(spontaneous_magnetization(cold) == 1.0)
        assert np.all(correlation_length(cold) < 1e-299)
        assert nearest_neighbor_correlation(hot)[0] == pytest.approx(1e-300, rel=1e-12)
        assert spontaneous_magnetization(hot)[0] == 0.0
        assert diagonal_correlation(hot)[0] == pytest.approx(0.0, abs=1e-300)
        assert correlation_length(hot)[0] == pytest.approx(1 / math.log(1e300), rel=1e-12)  # ln coth K ~ ln T
        assert effective_temperature(correlation=1e-300) == pytest.approx(1e300, rel=1e-9)


def test_yang_magnetization():
    assert spontaneous_magnetization(2.0) == pytest.approx((1 - math.sinh(1.0) ** -4) ** 0.125, rel=1e-14)
    below = np.linspace(0.05, T_C - 1e-6, 500)
    M = spontaneous_magnetization(below)
    assert np.all(np.diff(M) <= 0) and np.all(M > 0)
    assert np.all(np.diff(M[below > 0.6]) < 0)  # below, M = 1 to float precision
    assert spontaneous_magnetization(0.1) == pytest.approx(1.0, abs=1e-12)
    assert np.all(spontaneous_magnetization(np.array([T_C, T_C + 1e-9, 3.0, 100.0])) == 0)


def test_yang_magnetization_matches_transfer_matrix():
    # |<0|s|1>| between the quasi-degenerate even and odd ground states is M as W -> inf
    values, vectors, rows, _ = strip_transfer_matrix(12, 1.5, n_states=2)
    overlap = abs(vectors[:, 0] @ (rows[:, 0] * vectors[:, 1]))
    assert overlap == pytest.approx(spontaneous_magnetization(1.5), abs=1e-4)


def test_correlation_length_above_critical_temperature():
    K = 1 / 3.0
    assert correlation_length(3.0) == pytest.approx(1 / (math.log(1 / math.tanh(K)) - 2 * K), rel=1e-13)
    approaching = T_C + np.geomspace(1, 1e-8, 30)
    xi = correlation_length(approaching)
    assert np.all(np.diff(xi) > 0) and xi[-1] > 1e7
    assert correlation_length(T_C) == math.inf
    # nu = 1: xi (T - T_c) tends to a constant
    assert xi[-1] * (approaching[-1] - T_C) == pytest.approx(xi[-2] * (approaching[-2] - T_C), rel=1e-4)


def test_correlation_length_is_the_transfer_matrix_gap_above_critical_temperature():
    values, *_ = strip_transfer_matrix(12, 4.0, n_states=2)
    assert 1 / math.log(values[0] / values[1]) == pytest.approx(correlation_length(4.0), rel=1e-4)


def test_correlation_length_below_critical_temperature_is_half_the_dual_one():
    for T in (0.7, 1.5, 2.0, 2.25):
        K = 1 / T
        dual_K = math.atanh(math.exp(-2 * K))  # tanh K* = exp(-2K), independently of the module
        assert correlation_length(T) == pytest.approx(correlation_length(1 / dual_K) / 2, rel=1e-10)


def test_correlation_length_below_critical_temperature_matches_transfer_matrix():
    # the gap above the quasi-degenerate ground pair converges as 1/W^2: extrapolate
    widths = np.array([10, 12, 14])
    gaps = [math.log(v[0] / v[2]) for v in (strip_transfer_matrix(w, 1.5)[0] for w in widths)]
    design = np.stack([np.ones(3), widths**-2.0, widths**-4.0], axis=1)
    extrapolated = np.linalg.solve(design, gaps)[0]
    assert 1 / extrapolated == pytest.approx(correlation_length(1.5), rel=1e-3)


@pytest.mark.parametrize(
    "function",
    [nearest_neighbor_correlation, energy_per_site, diagonal_correlation,
     spontaneous_magnetization, correlation_length],
)
def test_temperature_functions_are_vectorised_and_validate(function):
    scalar = function(2.5)
    assert isinstance(scalar, float) and np.ndim(scalar) == 0
    grid = np.array([[1.0, 2.5], [3.0, 4.0]])
    out = function(grid)
    assert out.shape == (2, 2) and out[0, 1] == scalar
    assert function([2.5]).shape == (1,)
    for bad in (0.0, -1.0, [1.0, -2.0]):
        with pytest.raises(ValueError, match="> 0"):
            function(bad)
    with pytest.raises(ValueError, match="NaN"):
        function([2.0, float("nan")])
    with pytest.raises(ValueError, match="finite"):
        function(math.inf)
    with pytest.raises(TypeError, match="temperature"):
        function("hot")
    with pytest.raises(TypeError, match="temperature"):
        function(True)


@pytest.mark.parametrize("n_sites", [8, 10])
@pytest.mark.parametrize("temperature", [0.5, 1.0, 3.0])
def test_chain_correlation_matches_enumeration(n_sites, temperature):
    for r in range(1, 5):
        exact = brute_force_chain_correlation(temperature, n_sites, r)
        assert chain_correlation(temperature, r, lattice_size=n_sites) == pytest.approx(exact, rel=1e-12)


def test_chain_correlation_infinite_chain_and_broadcasting():
    t = math.tanh(0.5)
    assert chain_correlation(2.0, 3) == pytest.approx(t**3, rel=1e-14)
    out = chain_correlation(np.array([[1.0], [2.0]]), np.arange(4))
    assert out.shape == (2, 4)
    assert out[1, 2] == pytest.approx(t**2)
    assert np.all(out[:, 0] == 1.0)
    # a long ring approaches the infinite chain
    assert chain_correlation(2.0, 3, lattice_size=400) == pytest.approx(t**3, rel=1e-12)


def test_chain_correlation_rejects_bad_distances():
    with pytest.raises(ValueError, match="r must be >= 0"):
        chain_correlation(1.0, -1)
    with pytest.raises(TypeError, match="'r' parameter of chain_correlation"):
        chain_correlation(1.0, 1.5)
    with pytest.raises(ValueError, match="<= lattice_size"):
        chain_correlation(1.0, 7, lattice_size=6)
    with pytest.raises(TypeError, match="'lattice_size' parameter of chain_correlation must be an int"):
        chain_correlation(1.0, 1, lattice_size=6.0)
    with pytest.raises(ValueError, match="> 0"):
        chain_correlation(0.0, 1)
