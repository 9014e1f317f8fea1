"""Sokal's windowed tau_int against AR(1) series, whose tau_int is known in closed form."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rsmi.datasets._autocorrelation import (
    autocorrelation_function,
    integrated_autocorrelation_time,
    summarize_observable,
)


def ar1(phi, n, seed):
    """x_t = phi x_{t-1} + noise, started in equilibrium: rho(t) = phi^t exactly."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(n) * math.sqrt(1.0 - phi**2)
    x = np.empty(n)
    x[0] = rng.standard_normal()
    for t in range(1, n):
        x[t] = phi * x[t - 1] + noise[t]
    return x


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.8, 0.95])
def test_tau_of_ar1_within_its_error(phi):
    """tau_int = 1/2 + sum_t phi^t = (1 + phi) / (2 (1 - phi)); 1/2 for white noise."""
    exact = (1.0 + phi) / (2.0 * (1.0 - phi))
    estimate = integrated_autocorrelation_time(ar1(phi, 40_000, seed=1))
    assert estimate.converged
    assert abs(estimate.tau_int - exact) < 3.0 * estimate.error + 0.02
    assert estimate.error < 0.15 * exact + 0.02
    assert estimate.window >= 6.0 * estimate.tau_int


def test_spacing_scales_tau_and_the_needed_length():
    x = ar1(0.8, 5000, seed=2)
    unit = integrated_autocorrelation_time(x)
    scaled = integrated_autocorrelation_time(x, spacing=0.25)
    assert scaled.tau_int == pytest.approx(0.25 * unit.tau_int)
    assert scaled.error == pytest.approx(0.25 * unit.error)
    assert scaled.needed_length == pytest.approx(0.25 * 50 * unit.tau_int)
    assert scaled.effective_sample_size == pytest.approx(unit.effective_sample_size)


def test_short_series_of_a_slow_chain_is_not_converged():
    """phi = 0.99 has tau_int = 99.5: 300 measurements are far from 50 tau."""
    estimate = integrated_autocorrelation_time(ar1(0.99, 300, seed=3))
    assert not estimate.converged
    assert estimate.needed_length > 300


def test_constant_series_counts_as_independent():
    estimate = integrated_autocorrelation_time(np.full(50, 0.7))
    assert estimate.tau_int == pytest.approx(0.5)
    assert estimate.converged


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=200))
@settings(max_examples=60, deadline=None)
def test_acf_starts_at_one_is_bounded_and_tau_is_finite(values):
    x = np.array(values)
    rho = autocorrelation_function(x)
    assert rho.shape == x.shape
    assert rho[0] == pytest.approx(1.0)
    assert np.all(np.abs(rho) <= 1.0 + 1e-9)
    estimate = integrated_autocorrelation_time(x)
    assert math.isfinite(estimate.tau_int) and estimate.tau_int > 0
    assert math.isfinite(estimate.error) and estimate.error >= 0


@pytest.mark.parametrize("bad, match", [
    (np.zeros((3, 2)), "1D"), (np.array([1.0]), "at least 2"), (np.array([1.0, np.nan]), "NaN"),
])
def test_bad_series_are_refused(bad, match):
    with pytest.raises(ValueError, match=match):
        integrated_autocorrelation_time(bad)


def test_summary_of_independent_values():
    x = np.random.default_rng(4).standard_normal(4000)
    summary = summarize_observable(x)
    assert summary.mean == pytest.approx(x.mean())
    assert summary.variance == pytest.approx(x.var(ddof=1))
    assert summary.effective_sample_size == pytest.approx(4000, rel=0.15)
    assert summary.error_of_mean == pytest.approx(x.std(ddof=1) / math.sqrt(4000), rel=0.1)
