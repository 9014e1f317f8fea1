"""The variational bound on I(H:E): gradients, bounds, and its exact value where q is exact."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklearn_rsmi.coarse_graining._theta_rbm_objective import enumerate_binary_states
from sklearn_rsmi.coarse_graining._variational_objective import (
    MAX_VARIATIONAL_HIDDEN,
    VariationalObjective,
)


def _random_problem(rng, n_rows, n_visible, n_environment, n_hidden, scale=1.0):
    V = (rng.random((n_rows, n_visible)) < 0.5).astype(float)
    E = (rng.random((n_rows, n_environment)) < 0.5).astype(float)
    n_states = 2**n_hidden
    params = (
        scale * rng.standard_normal((n_hidden, n_visible)),
        scale * rng.standard_normal(n_hidden),
        scale * rng.standard_normal((n_states, n_environment)),
        scale * rng.standard_normal(n_states),
    )
    return VariationalObjective(n_visible, n_environment, n_hidden), V, E, params


@pytest.mark.parametrize("n_hidden", [1, 2, 3])
def test_gradient_matches_central_differences(rng, n_hidden):
    objective, V, E, params = _random_problem(rng, 40, 5, 7, n_hidden)
    _, grads = objective.value_and_gradient(*params, V, E)
    step = 1e-6
    for which, (param, grad) in enumerate(zip(params, grads)):
        for index in np.ndindex(param.shape):
            up = [p.copy() for p in params]
            down = [p.copy() for p in params]
            up[which][index] += step
            down[which][index] -= step
            numeric = (objective.value(*up, V, E) - objective.value(*down, V, E)) / (2 * step)
            assert grad[index] == pytest.approx(numeric, rel=1e-6, abs=1e-9), (which, index)


def _empirical_mutual_information(objective, filters, bias, V, E):
    """I(H:E) in bits of the rows' distribution, P(H, E) = mean of P_Lambda(H|V') over rows with E."""
    H_states = enumerate_binary_states(filters.shape[0])
    activation = V @ filters.T + bias
    p = np.exp(activation @ H_states.T - np.logaddexp(0, activation).sum(axis=1, keepdims=True))
    _, labels = np.unique(E, axis=0, return_inverse=True)
    joint = np.zeros((labels.max() + 1, H_states.shape[0]))
    np.add.at(joint, labels.ravel(), p)
    joint /= V.shape[0]
    p_e = joint.sum(axis=1, keepdims=True)
    p_h = joint.sum(axis=0, keepdims=True)
    nonzero = joint > 0
    return float((joint[nonzero] * np.log2(joint[nonzero] / (p_e @ p_h)[nonzero])).sum())


@given(
    n_rows=st.integers(1, 30),
    n_visible=st.integers(1, 4),
    n_environment=st.integers(1, 3),
    n_hidden=st.integers(1, 3),
    scale=st.floats(0.0, 20.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_bound_never_exceeds_the_mutual_information(n_rows, n_visible, n_environment, n_hidden,
                                                     scale, seed):
    rng = np.random.default_rng(seed)
    objective, V, E, (filters, bias, coef, intercept) = _random_problem(
        rng, n_rows, n_visible, n_environment, n_hidden, scale
    )
    bound = objective.mutual_information(filters, bias, coef, intercept, V, E)
    exact = _empirical_mutual_information(objective, filters, bias, V, E)
    assert np.isfinite(bound)
    assert bound <= exact + 1e-9
    assert exact <= n_hidden + 1e-9


def test_bound_is_exact_for_the_true_conditional():
    """V a fair bit, E a copy flipped with probability 1/4, H = V: I = 1 - h2(1/4) bits."""
    rows = [(0, 0)] * 3 + [(0, 1)] + [(1, 1)] * 3 + [(1, 0)]
    V = np.array([[v] for v, _ in rows], dtype=float)
    E = np.array([[e] for _, e in rows], dtype=float)
    objective = VariationalObjective(1, 1, 1)
    filters, bias = np.array([[200.0]]), np.array([-100.0])  # H = V to machine precision
    # log q(H | E): q(H = E) = 3/4, from per-state logits H * log(3) * (2E - 1).
    coef = np.array([[0.0], [2 * np.log(3.0)]])
    intercept = np.array([0.0, -np.log(3.0)])
    h2 = -(0.25 * np.log2(0.25) + 0.75 * np.log2(0.75))
    assert objective.mutual_information(filters, bias, coef, intercept, V, E) == pytest.approx(
        1 - h2, abs=1e-12
    )


def test_uniform_critic_gives_zero():
    objective = VariationalObjective(3, 2, 2)
    rng = np.random.default_rng(0)
    V = (rng.random((50, 3)) < 0.5).astype(float)
    E = (rng.random((50, 2)) < 0.5).astype(float)
    coef, intercept = objective.initial_critic()
    bound = objective.mutual_information(rng.standard_normal((2, 3)), np.zeros(2), coef, intercept, V, E)
    # H(H) + E log(1/4) = H(H) - 2 bits <= 0, and 0 exactly when H is uniform.
    assert bound <= 1e-12


def test_too_many_hidden_units_is_refused():
    with pytest.raises(ValueError, match="n_hidden=11 exceeds"):
        VariationalObjective(4, 4, MAX_VARIATIONAL_HIDDEN + 1)


def test_offset_critic_is_the_same_model_on_raw_environments(rng):
    objective, V, E, params = _random_problem(rng, 30, 4, 5, 2)
    offset = rng.random(5)
    centered = VariationalObjective(4, 5, 2, environment_offset=offset)
    raw = centered.uncentered_critic(params[2], params[3])
    assert centered.value(*params, V, E) == pytest.approx(objective.value(*params[:2], *raw, V, E), abs=1e-12)
