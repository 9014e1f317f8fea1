"""Exact physics against independent computations: transfer matrices, enumeration, tables."""

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.sparse.linalg import LinearOperator, eigsh

from sklearn_rsmi.physics import (
    CRITICAL_TEMPERATURE,
    DIMER_ENTROPY_PER_SITE,
    binder_cumulant,
    chain_correlation,
    correlation_length,
    count_dimer_coverings,
    diagonal_correlation,
    effective_temperature,
    energy_per_site,
    measure_nearest_neighbor_correlation,
    nearest_neighbor_correlation,
    spontaneous_magnetization,
)

T_C = 2 / math.log(1 + math.sqrt(2))

# ---------------------------------------------------------------------------
# independent reference computations


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


def brute_force_dimer_coverings(Lx, Ly, periodic):
    """Count perfect matchings by backtracking; parallel bonds (sides of 2) counted apart."""
    n = Lx * Ly
    edges = [[] for _ in range(n)]
    for y in range(Ly):
        for x in range(Lx):
            site = y * Lx + x
            for dx, dy in ((1, 0), (0, 1)):
                nx, ny = x + dx, y + dy
                if periodic:
                    nx, ny = nx % Lx, ny % Ly
                elif nx >= Lx or ny >= Ly:
                    continue
                other = ny * Lx + nx
                if other != site:
                    edges[site].append(other)
                    edges[other].append(site)
    covered = [False] * n

    def count():
        try:
            first = covered.index(False)
        except ValueError:
            return 1
        total = 0
        covered[first] = True
        for other in edges[first]:
            if not covered[other]:
                covered[other] = True
                total += count()
                covered[other] = False
        covered[first] = False
        return total

    return count()


def float_open_product(m, n):
    """REFERENCE.md's open-boundary product, evaluated in floating point."""
    j = np.arange(1, math.ceil(m / 2) + 1)[:, None]
    k = np.arange(1, math.ceil(n / 2) + 1)[None, :]
    return np.prod(4 * np.cos(np.pi * j / (m + 1)) ** 2 + 4 * np.cos(np.pi * k / (n + 1)) ** 2)


# ---------------------------------------------------------------------------
# 2D Ising exact results


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


# ---------------------------------------------------------------------------
# 1D chain


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
    with pytest.raises(TypeError, match="integer"):
        chain_correlation(1.0, 1.5)
    with pytest.raises(ValueError, match="<= lattice_size"):
        chain_correlation(1.0, 7, lattice_size=6)
    with pytest.raises(TypeError, match="lattice_size must be an integer"):
        chain_correlation(1.0, 1, lattice_size=6.0)
    with pytest.raises(ValueError, match="> 0"):
        chain_correlation(0.0, 1)


# ---------------------------------------------------------------------------
# measurements


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


def test_measured_correlation_rejects_bad_samples():
    with pytest.raises(ValueError, match="shape"):
        measure_nearest_neighbor_correlation(np.ones((2, 2, 2, 2)))
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


# ---------------------------------------------------------------------------
# effective temperature


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


# ---------------------------------------------------------------------------
# dimers


@pytest.mark.parametrize("Lx, Ly, count", [(4, 4, 272), (4, 6, 3108), (6, 4, 3108), (6, 6, 90176),
                                           (8, 8, 311853312)])
def test_torus_dimer_counts_match_table(Lx, Ly, count):
    result = count_dimer_coverings(Lx, Ly)
    assert result == count and type(result) is int


@pytest.mark.parametrize("L, count", [(2, 2), (4, 36), (6, 6728), (8, 12988816)])
def test_open_dimer_counts_match_table(L, count):
    assert count_dimer_coverings(L, periodic=False) == count


@pytest.mark.parametrize("Lx, Ly, periodic", [(2, 2, True), (2, 4, True), (4, 4, True),
                                              (4, 4, False), (3, 4, False), (1, 6, False),
                                              (5, 2, False)])
def test_dimer_counts_match_enumeration(Lx, Ly, periodic):
    assert count_dimer_coverings(Lx, Ly, periodic=periodic) == brute_force_dimer_coverings(Lx, Ly, periodic)


def test_exact_dimer_counts_match_float_formulas_and_entropy():
    for m, n in [(5, 8), (7, 10), (12, 12)]:
        exact = count_dimer_coverings(m, n, periodic=False)
        assert exact == pytest.approx(float_open_product(m, n), rel=1e-12)
    catalan = sum((-1) ** k / (2 * k + 1) ** 2 for k in range(200000))
    assert DIMER_ENTROPY_PER_SITE == pytest.approx(catalan / math.pi, rel=1e-10)
    big = count_dimer_coverings(48)  # exact beyond float precision
    assert big > 2**53 and math.log(big) / 48**2 == pytest.approx(catalan / math.pi, abs=2e-3)
    assert count_dimer_coverings(48) % 2 == 0


def test_dimer_counts_odd_sites_and_bad_sizes():
    assert count_dimer_coverings(3) == 0
    assert count_dimer_coverings(5, 7, periodic=False) == 0
    with pytest.raises(ValueError, match="even"):
        count_dimer_coverings(3, 4)
    with pytest.raises(TypeError, match="Lx must be an integer"):
        count_dimer_coverings(4.0)
    with pytest.raises(TypeError, match="Ly must be an integer"):
        count_dimer_coverings(4, "6")
    with pytest.raises(ValueError, match="Lx must be >= 1"):
        count_dimer_coverings(0)
    with pytest.raises(TypeError, match="periodic"):
        count_dimer_coverings(4, periodic="yes")
