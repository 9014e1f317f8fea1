"""Reference physics of the simple cubic Ising model: the series against polygon counts made here
by brute force, the published numbers against their stated relations, and input handling.
(The series against Monte Carlo samples are tested with the samplers, in tests/datasets.)"""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rsmi.physics import (
    CRITICAL_NN_AMPLITUDE_3D,
    CRITICAL_TEMPERATURE_3D,
    REFERENCE_VALUES_3D,
    critical_nn_correlation_3d,
    high_temperature_nn_correlation_3d,
    low_temperature_nn_correlation_3d,
)

_STEPS = [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]


def polygons_per_site(n_bonds):
    """Self-avoiding polygons of ``n_bonds`` bonds per site of the cubic lattice, by walking.

    A polygon is met as a closed walk from each of its sites in both directions, so the
    closed self-avoiding walks from the origin number ``2 n p_n``.
    """
    count = 0

    def walk(site, visited, length):
        nonlocal count
        for step in _STEPS:
            nxt = (site[0] + step[0], site[1] + step[1], site[2] + step[2])
            if nxt == (0, 0, 0):
                count += length + 1 == n_bonds
                continue
            if length + 1 < n_bonds and nxt not in visited:
                # prune: the way home must still fit in the bonds left
                if sum(map(abs, nxt)) <= n_bonds - length - 1:
                    visited.add(nxt)
                    walk(nxt, visited, length + 1)
                    visited.remove(nxt)

    walk((0, 0, 0), {(0, 0, 0)}, 0)
    assert count % (2 * n_bonds) == 0
    return count // (2 * n_bonds)


def test_high_temperature_series_from_polygon_counts():
    p4, p6, p8 = (polygons_per_site(n) for n in (4, 6, 8))
    assert (p4, p6, p8) == (3, 22, 207)
    # ln Z / N = ln 2 + 3 ln cosh K + a4 v^4 + a6 v^6 + a8 v^8 + ...: every closed subgraph
    # of 4 and 6 bonds is a polygon; of 8 bonds, a polygon or two plaquettes that share no
    # bond. The logarithm subtracts all (3N)^2 / 2 ordered-half pairs of plaquettes, and the
    # 4 plaquettes around each of the 3N bonds give 6 pairs that share it.
    a4, a6, a8 = p4, p6, p8 - 3 / 2 - 3 * 6
    # <s s>_nn = (1/3) d(ln Z/N)/dK with dv/dK = 1 - v^2: its terms up to v^7
    expected = {1: 1.0, 3: 4 * a4 / 3, 5: 6 * a6 / 3 - 4 * a4 / 3, 7: 8 * a8 / 3 - 6 * a6 / 3}
    for T in (50.0, 20.0, 12.0, 8.0):
        v = np.tanh(1 / T)
        polynomial = sum(c * v**n for n, c in expected.items())
        assert high_temperature_nn_correlation_3d(T) == pytest.approx(polynomial, rel=1e-13)


def test_low_temperature_series_by_counting_overturned_spins():
    # ln Z / N = 3K + u^3 + 3u^5 - (7/2) u^6 + 15 u^7 + ..., u = exp(-4K): one overturned
    # spin breaks 6 bonds; an adjacent pair (3 per site) 10; two apart 12, where the
    # logarithm removes the 6 + 1 positions per site the pair cannot take; three in a line
    # (3 per site) or bent (12 per site) 14.
    coefficients = {3: 1.0, 5: 3.0, 6: -(6 + 1) / 2, 7: 3.0 + 12.0}
    for T in (0.5, 1.0, 1.5, 2.0):
        u = np.exp(-4 / T)
        energy_per_site = -3 + 4 * sum(n * b * u**n for n, b in coefficients.items())
        assert low_temperature_nn_correlation_3d(T) == pytest.approx(-energy_per_site / 3,
                                                                     rel=1e-13)


def test_series_limits_and_shapes():
    assert high_temperature_nn_correlation_3d(1e6) == pytest.approx(1e-6, rel=1e-9)
    assert low_temperature_nn_correlation_3d(0.01) == 1.0
    T = np.array([[10.0, 20.0], [30.0, 40.0]])
    values = high_temperature_nn_correlation_3d(T)
    assert values.shape == (2, 2) and np.all(np.diff(values.ravel()) < 0)
    assert isinstance(high_temperature_nn_correlation_3d(10.0), float)
    low = low_temperature_nn_correlation_3d([0.5, 1.0, 2.0])
    assert np.all(np.diff(low) < 0) and np.all(low < 1)
    # the series bracket the critical region from both sides
    assert low_temperature_nn_correlation_3d(0.5 * CRITICAL_TEMPERATURE_3D) > 0.9
    assert high_temperature_nn_correlation_3d(2 * CRITICAL_TEMPERATURE_3D) < 0.13


@pytest.mark.parametrize("function", [high_temperature_nn_correlation_3d,
                                      low_temperature_nn_correlation_3d])
def test_series_reject_bad_temperatures(function):
    with pytest.raises(ValueError, match="> 0"):
        function(-1.0)
    with pytest.raises(ValueError, match="NaN"):
        function([1.0, np.nan])
    with pytest.raises((TypeError, InvalidParameterError)):
        function("hot")


def test_reference_values_are_consistent():
    values = {name: ref.value for name, ref in REFERENCE_VALUES_3D.items()}
    errors = {name: ref.error for name, ref in REFERENCE_VALUES_3D.items()}
    assert values["critical_temperature"] == CRITICAL_TEMPERATURE_3D == 4.5115232
    product = values["critical_temperature"] * values["critical_coupling"]
    relative = errors["critical_temperature"] / values["critical_temperature"] + \
        errors["critical_coupling"] / values["critical_coupling"]
    assert abs(product - 1) < relative
    assert values["y_t"] == pytest.approx(1.587375, abs=2e-6)
    assert values["y_h"] == pytest.approx(2.481851, abs=1e-6)
    assert values["binder_cumulant"] == pytest.approx(0.4655, abs=1e-4)
    assert values["nn_correlation_at_critical_point"] == pytest.approx(0.99063 / 3, abs=1e-4)
    assert all(ref.error >= 0 and ref.source for ref in REFERENCE_VALUES_3D.values())


def test_critical_correlation_approaches_the_bulk_value_from_above():
    bulk = REFERENCE_VALUES_3D["nn_correlation_at_critical_point"].value
    assert critical_nn_correlation_3d() == bulk
    sizes = [4, 8, 16, 32, 64, 1024]
    values = [critical_nn_correlation_3d(L) for L in sizes]
    assert CRITICAL_NN_AMPLITUDE_3D > 0 and np.all(np.diff(values) < 0)
    # the shift falls as L^(1/nu - 3): doubling L divides it by 2^1.4126 = 2.66
    shifts = np.array(values) - bulk
    assert shifts[1] / shifts[2] == pytest.approx(2 ** (3 - 1 / 0.629971), rel=1e-9)
    assert shifts[-1] < 1e-4
    with pytest.raises(ValueError, match="lattice_size"):
        critical_nn_correlation_3d(1)
