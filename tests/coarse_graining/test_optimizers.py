"""Tests of the optimizers: the step-size schedules, and the steps fit takes with them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rsmi import RSMICoarseGrainer
from sklearn_rsmi.coarse_graining._optimizers import SGD, Adam, scheduled_learning_rate
from sklearn_rsmi.datasets import make_ising
from sklearn_rsmi.physics import CRITICAL_TEMPERATURE


def test_adam_steps_along_the_gradient_by_the_learning_rate():
    """Adam's first step moves every parameter by the learning rate, along its gradient's sign
    (bias-corrected moments of a single gradient are g and g**2)."""
    optimizer = Adam(0.1)
    params = (np.zeros(3), np.ones((2, 2)))
    grads = (np.array([2.0, -0.5, 0.0]), np.full((2, 2), -3.0))
    new = optimizer.step(params, grads)
    np.testing.assert_allclose(new[0], [0.1, -0.1, 0.0], atol=1e-7)
    np.testing.assert_allclose(new[1], np.full((2, 2), 0.9), atol=1e-7)


def test_sgd_steps_by_learning_rate_times_gradient():
    new = SGD(0.5).step((np.ones(2),), (np.array([1.0, -4.0]),))
    np.testing.assert_array_equal(new[0], [1.5, -1.0])


@settings(max_examples=50, deadline=None)
@given(learning_rate=st.floats(1e-4, 10.0), n_steps=st.integers(1, 10_000))
def test_cosine_schedule_falls_from_the_learning_rate_towards_zero(learning_rate, n_steps):
    rates = np.array([scheduled_learning_rate(learning_rate, "cosine", step, n_steps)
                      for step in range(n_steps)])
    assert rates[0] == pytest.approx(learning_rate)
    assert np.all(np.diff(rates) <= 1e-12 * learning_rate) and np.all(rates > 0)
    if n_steps % 2 == 0:
        assert rates[n_steps // 2] == pytest.approx(learning_rate / 2)
    assert rates[-1] <= learning_rate * (np.pi / n_steps) ** 2  # 1 - cos(x) <= x^2 / 2
    assert scheduled_learning_rate(learning_rate, "constant", n_steps - 1, n_steps) == (
        learning_rate)


@pytest.mark.parametrize("schedule", ["constant", "cosine"])
def test_fit_steps_with_the_scheduled_learning_rates(schedule, monkeypatch):
    """Every gradient step of fit uses the schedule's rate, planned over all epochs."""
    used = []
    step = SGD.step

    def recording_step(self, params, grads):
        used.append(self.learning_rate)
        return step(self, params, grads)

    monkeypatch.setattr(SGD, "step", recording_step)
    X = make_ising(40, 8, CRITICAL_TEMPERATURE, random_state=0)
    cg = RSMICoarseGrainer(optimizer="sgd", learning_rate=0.3, learning_rate_schedule=schedule,
                           n_windows=1000, batch_size=300, n_epochs=3, objective="exact",
                           random_state=0).fit(X)
    n_batches = 4  # 1,000 windows in batches of 300
    assert len(used) == 3 * n_batches
    if schedule == "constant":
        assert used == [0.3] * len(used)
    else:
        expected = 0.15 * (1 + np.cos(np.pi * np.arange(len(used)) / len(used)))
        np.testing.assert_allclose(used, expected)
    assert np.all(np.isfinite(cg.filters_))


