"""T_c and nu from RG flows: exact answers on synthetic flows, honest errors on noisy ones."""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rsmi.rg import (
    critical_temperature_from_flow,
    exponent_from_collapse,
    exponent_from_linearized_flow,
)


def _synthetic_flow(Tc, nu, T0, n_steps, sigma, rng, b=2):
    k = np.arange(n_steps + 1)
    flow = Tc + b ** (k / nu) * (T0[:, None] - Tc)
    error = np.full(flow.shape, float(sigma))
    error[:, 0] = 0.0
    flow = flow + rng.normal(0, 1, flow.shape) * error
    # A real flow stops at T = 0 (perfect order); the analysis must cope with that.
    return np.maximum(flow, 0.0), error


@given(Tc=st.floats(1.5, 3.5), nu=st.floats(0.7, 1.5), n_steps=st.integers(2, 4))
@settings(max_examples=25)
def test_exact_synthetic_flow_gives_exact_tc_and_nu(Tc, nu, n_steps):
    # Narrow enough that the linear flow stays positive after four steps at nu = 0.7.
    T0 = Tc * np.linspace(0.985, 1.015, 9) + 1e-3 * Tc  # T_c not on a grid point
    flow, _ = _synthetic_flow(Tc, nu, T0, n_steps, 0.0, np.random.default_rng(0))
    assert critical_temperature_from_flow(T0, flow).value == pytest.approx(Tc, rel=1e-9)
    linear = exponent_from_linearized_flow(T0, flow, window=0.5)
    assert linear.nu == pytest.approx(nu, rel=1e-8)
    assert linear.critical_temperature == pytest.approx(Tc, rel=1e-8)
    collapse = exponent_from_collapse(T0, flow, critical_temperature=Tc)
    assert collapse.nu == pytest.approx(nu, rel=1e-6)
    assert collapse.critical_temperature == pytest.approx(Tc, rel=1e-7)


def test_uncertainties_cover_the_truth_on_noisy_synthetic_flows():
    """Over many noisy replicates, |estimate - truth| <= error about 68 % of the time."""
    rng = np.random.default_rng(7)
    Tc, nu, b = 2.2692, 1.0, 2
    T0 = Tc * np.array([0.90, 0.94, 0.97, 0.985, 0.995, 1.005, 1.015, 1.03, 1.06, 1.10])
    hits = {"tc": 0, "linear": 0, "collapse_nu": 0, "collapse_tc": 0}
    pulls = {key: [] for key in hits}
    n_rep = 120
    for _ in range(n_rep):
        flow, error = _synthetic_flow(Tc, nu, T0, 4, 0.004, rng, b)
        est = critical_temperature_from_flow(T0, flow, error)
        lin = exponent_from_linearized_flow(T0, flow, error, critical_temperature=est.value,
                                            window=0.08)
        col = exponent_from_collapse(T0, flow, error, critical_temperature=est.value)
        for key, value, err, truth in [("tc", est.value, est.error, Tc),
                                       ("linear", lin.nu, lin.nu_error, nu),
                                       ("collapse_nu", col.nu, col.nu_error, nu),
                                       ("collapse_tc", col.critical_temperature,
                                        col.critical_temperature_error, Tc)]:
            assert err > 0
            pulls[key].append((value - truth) / err)
            hits[key] += abs(value - truth) <= err
    for key, n_hit in hits.items():
        # Nominal 68 %; the T_c combination ignores the correlation between steps and
        # the PDG scale factor only ever inflates, so allow a conservative excess.
        assert 0.55 * n_rep <= n_hit <= 0.97 * n_rep, (key, n_hit, np.std(pulls[key]))
        assert abs(np.mean(pulls[key])) < 0.4, (key, np.mean(pulls[key]))


def test_noisy_flow_without_errors_still_gives_an_honest_uncertainty():
    rng = np.random.default_rng(3)
    Tc, nu = 2.0, 1.0
    T0 = Tc * np.linspace(0.9, 1.1, 11)
    flow, _ = _synthetic_flow(Tc, nu, T0, 3, 0.01, rng)
    est = critical_temperature_from_flow(T0, flow)  # errors from the scatter
    assert 0 < est.error < 0.05
    assert abs(est.value - Tc) < 4 * est.error
    assert est.per_step.shape == (3,)


def test_flow_analysis_rejects_bad_input():
    T0 = np.array([2.0, 2.2, 2.4])
    flow = np.column_stack([T0, T0 - 0.1, T0 - 0.2])  # everything flows to order
    with pytest.raises(ValueError, match=r"flows down .*not inside \[2, 2\.4\]; add temperatures"):
        critical_temperature_from_flow(T0, flow)
    T0_long = np.array([2.04226678279172, 2.2, 2.4961038456343245])
    with pytest.raises(ValueError, match=r"flows up .*not inside \[2\.042, 2\.496\];"):
        critical_temperature_from_flow(T0_long, np.column_stack([T0_long, T0_long + 0.1]))
    with pytest.raises(ValueError, match="shape"):
        critical_temperature_from_flow(T0, flow[:2])
    with pytest.raises(ValueError, match="NaN"):
        critical_temperature_from_flow(T0, np.full((3, 2), np.nan))
    with pytest.raises(ValueError, match="temperatures"):
        critical_temperature_from_flow([], np.zeros((0, 2)))
    with pytest.raises(ValueError, match="pairs"):
        exponent_from_linearized_flow(T0, flow, critical_temperature=5.0)
    with pytest.raises(ValueError, match="collapse needs"):
        exponent_from_collapse(T0, flow, critical_temperature=2.2)


def test_drifting_roots_deepest_step_versus_weighted_mean():
    """Transients shift early steps' roots: 'deepest' reports the last, with the drift as error."""
    T0 = np.linspace(2.0, 2.5, 11)
    roots = [2.20, 2.24, 2.25]  # converging towards 2.25 with the step
    flow = np.column_stack([T0] + [r + 2 ** (k + 1) * (T0 - r) for k, r in enumerate(roots)])
    deepest = critical_temperature_from_flow(T0, flow)
    np.testing.assert_allclose(deepest.per_step, roots, atol=1e-9)
    assert deepest.value == pytest.approx(2.25)
    assert deepest.error == pytest.approx(0.01, rel=1e-6)
    weighted = critical_temperature_from_flow(T0, flow, combine="weighted")
    assert min(roots) <= weighted.value <= max(roots)
    only_first = critical_temperature_from_flow(T0, flow, steps=[1])
    assert only_first.value == pytest.approx(2.20) and only_first.error < 1e-6
    with pytest.raises(ValueError, match="combine"):
        critical_temperature_from_flow(T0, flow, combine="median")


def test_infinite_effective_temperatures_count_as_flowing_to_disorder():
    T0 = np.array([2.0, 2.1, 2.2, 2.3, 2.4, 2.5])
    flow = np.column_stack([T0, 2.25 + 2 * (T0 - 2.25), 2.25 + 4 * (T0 - 2.25)])
    flow[-1, 2] = np.inf
    flow[0, 2] = 0.0
    assert critical_temperature_from_flow(T0, flow).value == pytest.approx(2.25)
