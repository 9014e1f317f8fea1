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


#: Bounds on the spread of (estimate - truth) / error over noisy replicates: 1 for an honest
#: error bar. No estimate may understate its error by more than 15 % (spread above 1.15);
#: those meant to be calibrated may not overstate it by more than 20 % either. Two are
#: conservative by construction and may: the deepest-step T_c adds the drift from the step
#: before as a systematic error, which on these drift-free flows is pure noise (measured
#: spread 0.51), and the linearized-flow fit only ever inflates by its reduced chi^2 (0.78).
_PULL_SPREAD_BOUNDS = {
    "tc_deepest": (0.35, 1.15), "tc_weighted": (0.8, 1.15), "linearized_nu": (0.6, 1.15),
    "collapse_nu": (0.8, 1.15), "collapse_tc": (0.8, 1.15),
}


def test_uncertainties_are_honest_on_noisy_synthetic_flows():
    """The pull distribution of every estimate: unbiased, and its spread as stated above.

    300 replicates pin a spread to about 4 % and a mean pull to 0.06 (one standard error).
    """
    rng = np.random.default_rng(7)
    Tc, nu, b = 2.2692, 1.0, 2
    T0 = Tc * np.array([0.90, 0.94, 0.97, 0.985, 0.995, 1.005, 1.015, 1.03, 1.06, 1.10])
    pulls = {key: [] for key in _PULL_SPREAD_BOUNDS}
    for _ in range(300):
        flow, error = _synthetic_flow(Tc, nu, T0, 4, 0.004, rng, b)
        est = critical_temperature_from_flow(T0, flow, error)
        weighted = critical_temperature_from_flow(T0, flow, error, combine="weighted")
        lin = exponent_from_linearized_flow(T0, flow, error, critical_temperature=est.value,
                                            window=0.08)
        col = exponent_from_collapse(T0, flow, error, critical_temperature=est.value)
        for key, value, err, truth in [("tc_deepest", est.value, est.error, Tc),
                                       ("tc_weighted", weighted.value, weighted.error, Tc),
                                       ("linearized_nu", lin.nu, lin.nu_error, nu),
                                       ("collapse_nu", col.nu, col.nu_error, nu),
                                       ("collapse_tc", col.critical_temperature,
                                        col.critical_temperature_error, Tc)]:
            assert err > 0
            pulls[key].append((value - truth) / err)
    for key, (low, high) in _PULL_SPREAD_BOUNDS.items():
        pull = np.array(pulls[key])
        assert abs(pull.mean()) < 3 * pull.std() / np.sqrt(pull.size), (key, pull.mean())
        assert low <= pull.std() <= high, (key, pull.std())


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
