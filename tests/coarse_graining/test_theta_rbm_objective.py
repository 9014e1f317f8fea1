"""The Theta-RBM objectives: explicit gradients against finite differences, the mutual
information in bits against brute force, Monte Carlo paths against enumeration.

Independent references used here: central finite differences; brute-force mutual information
from an explicit joint table P(V, E) pushed through P_Lambda(H | V); free energies by explicit
sums over an RBM's hidden units."""

import itertools
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rsmi._utils.numerics import enumerate_binary_states
from sklearn_rsmi.coarse_graining._theta_rbm_objective import (
    MAX_ENUMERATED_HIDDEN,
    MAX_ENUMERATED_VISIBLE,
    ThetaRBMObjective,
    hidden_log_likelihood,
)
from tests._theta_rbm_tables import (
    free_energy,
    log_g_table,
    mutual_information_from_tables,
    objective_terms_from_tables,
    visible_log_probabilities,
)

LN2 = np.log(2.0)


def random_rbm(rng, n_features, n_components=5, scale=1.0):
    return SimpleNamespace(
        components_=scale * rng.normal(size=(n_components, n_features)),
        intercept_visible_=0.5 * rng.normal(size=n_features),
        intercept_hidden_=0.5 * rng.normal(size=n_components),
    )


def random_rows(rng, n_rows, n_sites):
    return rng.integers(0, 2, (n_rows, n_sites)).astype(np.float64)


def p_hidden_given_visible(filters, bias, V):
    """P(H | V) by explicit products over hidden units, (n_rows, 2**n_hidden), C-ordered H."""
    p_on = 1.0 / (1.0 + np.exp(-(V @ filters.T + bias)))
    out = []
    for h in itertools.product((0, 1), repeat=filters.shape[0]):
        h = np.array(h)
        out.append(np.prod(np.where(h == 1, p_on, 1.0 - p_on), axis=1))
    return np.stack(out, axis=1)


def mutual_information_bits(P):
    """I(A : B) in bits of a joint table P[a, b]."""
    pa = P.sum(axis=1, keepdims=True)
    pb = P.sum(axis=0, keepdims=True)
    mask = P > 0
    return float((P[mask] * np.log2(P[mask] / (pa @ pb)[mask])).sum())


class ExactTables:
    """An explicit joint P(V, E) on few bits, and its rows fed as weighted data."""

    def __init__(self, P, n_visible, n_environment):
        self.P = P
        self.V_states = enumerate_binary_states(n_visible)
        E_states = enumerate_binary_states(n_environment)
        n_v, n_e = P.shape
        p_visible = P.sum(axis=1)
        self.log_p_visible = np.log(p_visible)
        log_e_given_v = np.log(P / p_visible[:, None])  # [v, e]
        # One data row per (V', E) pair, weighted by P(V', E).
        self.V = np.repeat(self.V_states, n_e, axis=0)
        self.E = np.tile(E_states, (n_v, 1))
        self.weight = P.ravel()
        self.log_g = log_e_given_v.T[np.tile(np.arange(n_e), n_v)]  # row (v, e): log P(e | V_s)

    def brute_force_mi(self, filters, bias):
        P_hv = p_hidden_given_visible(filters, bias, self.V_states)  # [v, h]
        return mutual_information_bits(P_hv.T @ self.P)

    def brute_force_conditional_entropy(self, filters, bias):
        """H(E | H) in nats."""
        P_he = p_hidden_given_visible(filters, bias, self.V_states).T @ self.P
        cond = P_he / P_he.sum(axis=1, keepdims=True)
        mask = P_he > 0
        return float(-(P_he[mask] * np.log(cond[mask])).sum())

    def args(self):
        return self.V, self.log_g, self.V_states, self.log_p_visible


def random_tables(rng, n_visible=3, n_environment=3, power=3.0):
    P = rng.random((2**n_visible, 2**n_environment)) ** power + 1e-3
    return ExactTables(P / P.sum(), n_visible, n_environment)


def finite_difference(fn, filters, bias, eps=1e-5):
    grad_filters = np.zeros_like(filters)
    for index in np.ndindex(filters.shape):
        up, down = filters.copy(), filters.copy()
        up[index] += eps
        down[index] -= eps
        grad_filters[index] = (fn(up, bias) - fn(down, bias)) / (2 * eps)
    grad_bias = np.zeros_like(bias)
    for j in range(bias.size):
        up, down = bias.copy(), bias.copy()
        up[j] += eps
        down[j] -= eps
        grad_bias[j] = (fn(filters, up) - fn(filters, down)) / (2 * eps)
    return grad_filters, grad_bias


def relative_error(a, b):
    return np.abs(a - b).max() / max(np.abs(b).max(), 1e-12)


def _cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def _monte_carlo_standard_errors(rbm_v, rbm_ve, filters, bias, V, E, n_samples, n_hidden_samples):
    """Standard errors of the Gibbs estimates of A and A*, computed by enumeration.

    ``A_mc = sum_H mean_m f_H(V_Hm)`` with ``f_H(V) = sum_n w_n P(H|V'_n) log g(V, E_n)`` and
    independent ``V_Hm ~ q_H``: its variance is ``sum_H Var_q(f_H) / M``; for ``A*`` the delta
    method gives the same with ``f_H = sum_n w_n P(H|V'_n) g / <g>_q``. Sampling ``H`` adds
    ``sum_n w_n^2 Var_{H|V'_n}(G) / K``.
    """
    n_visible = V.shape[1]
    V_states = enumerate_binary_states(n_visible)
    H_states = enumerate_binary_states(filters.shape[0])
    lg = log_g_table(rbm_v, rbm_ve, V_states, E)
    p_h = np.exp(hidden_log_likelihood(filters, bias, V, H_states))
    log_q = hidden_log_likelihood(filters, bias, V_states, H_states).T + visible_log_probabilities(
        rbm_v, V_states)
    q = np.exp(log_q - np.log(np.exp(log_q).sum(axis=1, keepdims=True)))
    w = np.full(V.shape[0], 1.0 / V.shape[0])
    errors = {}
    for estimator in ("paper", "exact"):
        variance = hidden_variance = 0.0
        for h in range(H_states.shape[0]):
            if estimator == "paper":
                f = (w * p_h[:, h]) @ lg
                G = lg @ q[h]
            else:
                mean = np.exp(lg) @ q[h]
                f = (w * p_h[:, h] / mean) @ np.exp(lg)
                G = np.log(mean)
            variance += (q[h] @ f**2 - (q[h] @ f) ** 2) / n_samples
            errors.setdefault((estimator, "G"), []).append(G)
        G = np.stack(errors.pop((estimator, "G")), axis=1)
        hidden_variance = (w**2 * ((p_h * G**2).sum(1) - (p_h * G).sum(1) ** 2)).sum() / n_hidden_samples
        errors[estimator] = np.sqrt(variance)
        errors[estimator, "sample"] = np.sqrt(variance + hidden_variance)
    return errors


def _check_gibbs_against_enumeration(rng):
    n_visible, n_environment, n_rows, n_samples, n_runs = 6, 8, 100, 1500, 16
    rbm_v = random_rbm(rng, n_visible, 6, scale=0.7)
    rbm_ve = random_rbm(rng, n_visible + n_environment, 6, scale=0.7)
    V, E = random_rows(rng, n_rows, n_visible), random_rows(rng, n_rows, n_environment)
    filters, bias = 1.5 * rng.normal(size=(2, n_visible)), rng.normal(size=2)
    exact_path = ThetaRBMObjective(rbm_v, rbm_ve, n_visible, 2, visible_method="enumerate")
    errors = _monte_carlo_standard_errors(rbm_v, rbm_ve, filters, bias, V, E, n_samples, 8)
    mi = exact_path.mutual_information(filters, bias, V, E)
    for hidden_method in ("enumerate", "sample"):
        runs = [ThetaRBMObjective(rbm_v, rbm_ve, n_visible, 2, visible_method="sample",
                              hidden_method=hidden_method, n_gibbs_samples=n_samples,
                              n_gibbs_burn_in=30, n_hidden_samples=8, random_state=seed)
                for seed in range(n_runs)]
        for estimator in ("paper", "exact"):
            value, gf, gb = exact_path.value_and_gradient(filters, bias, V, E, estimator)
            reference = np.r_[value, gf.ravel(), gb]
            draws = np.array([np.r_[v, a.ravel(), b] for v, a, b in (
                run.value_and_gradient(filters, bias, V, E, estimator) for run in runs)])
            stderr = draws.std(axis=0, ddof=1) / np.sqrt(n_runs)
            # Bias of the log-mean and self-normalized weights is O(1/M), far below stderr here.
            assert np.max(np.abs(draws.mean(axis=0) - reference) / stderr) < 5
            # Spread of single runs as predicted for independent samples of q_H.
            predicted = errors[estimator] if hidden_method == "enumerate" else errors[estimator, "sample"]
            assert 0.5 < draws[:, 0].std(ddof=1) / predicted < 2.0
            if np.linalg.norm(reference[1:]) > 5 * np.linalg.norm(stderr[1:]):
                assert _cosine(draws[:, 1:].mean(axis=0), reference[1:]) > 0.95
        # Both terms of I are log-means, biased low by O(1/M): allow 0.015 bits for that.
        estimates = np.array([run.mutual_information(filters, bias, V, E) for run in runs])
        tolerance = 5 * estimates.std(ddof=1) / np.sqrt(n_runs) + 0.015
        assert estimates.mean() == pytest.approx(mi, abs=tolerance)


def test_free_energy_matches_sum_over_hidden_units(rng):
    rbm = random_rbm(rng, 4, n_components=3, scale=2.0)
    X = random_rows(rng, 6, 4)
    expected = []
    for x in X:
        terms = [rbm.intercept_visible_ @ x + np.array(h) @ (rbm.intercept_hidden_ + rbm.components_ @ x)
                 for h in itertools.product((0, 1), repeat=3)]
        expected.append(-np.log(np.sum(np.exp(terms))))
    np.testing.assert_allclose(free_energy(rbm, X), expected, rtol=1e-12)


def test_log_g_table_is_conditional_up_to_one_constant(rng):
    n_visible, n_environment = 3, 4
    rbm_v, rbm_ve = random_rbm(rng, n_visible), random_rbm(rng, n_visible + n_environment)
    V_states = enumerate_binary_states(n_visible)
    E_states = enumerate_binary_states(n_environment)
    table = log_g_table(rbm_v, rbm_ve, V_states, E_states)  # [e, v]
    # Direct: log P_VE(V, E) - log P_V(V), both normalized by brute force.
    joint = np.array([[-free_energy(rbm_ve, np.r_[v, e][None])[0] for e in E_states] for v in V_states])
    joint -= np.log(np.exp(joint).sum())
    marginal = -free_energy(rbm_v, V_states)
    marginal -= np.log(np.exp(marginal).sum())
    log_ratio = (joint - marginal[:, None]).T
    constant = table - log_ratio
    np.testing.assert_allclose(constant, constant[0, 0], atol=1e-10)
    np.testing.assert_allclose(np.exp(visible_log_probabilities(rbm_v, V_states)), np.exp(marginal),
                               rtol=1e-12)


def test_hidden_log_likelihood_normalized(rng):
    filters, bias = 3 * rng.normal(size=(3, 4)), rng.normal(size=3)
    V = random_rows(rng, 5, 4)
    l = hidden_log_likelihood(filters, bias, V, enumerate_binary_states(3))
    np.testing.assert_allclose(np.exp(l), p_hidden_given_visible(filters, bias, V), rtol=1e-10)
    np.testing.assert_allclose(np.exp(l).sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("n_hidden", [1, 2, 4])
@pytest.mark.parametrize("estimator", ["paper", "exact"])
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_matches_finite_differences(rng, n_hidden, estimator, weighted):
    n_visible, n_environment, n_rows = 4, 5, 25
    rbm_v, rbm_ve = random_rbm(rng, n_visible), random_rbm(rng, n_visible + n_environment)
    V, E = random_rows(rng, n_rows, n_visible), random_rows(rng, n_rows, n_environment)
    V_states = enumerate_binary_states(n_visible)
    log_g = log_g_table(rbm_v, rbm_ve, V_states, E)
    log_p = visible_log_probabilities(rbm_v, V_states)
    weight = rng.random(n_rows) if weighted else None
    filters, bias = 1.5 * rng.normal(size=(n_hidden, n_visible)), rng.normal(size=n_hidden)

    def value(f, b):
        return objective_terms_from_tables(f, b, V, log_g, V_states, log_p, estimator, weight)[0]

    _, grad_filters, grad_bias = objective_terms_from_tables(
        filters, bias, V, log_g, V_states, log_p, estimator, weight)
    fd_filters, fd_bias = finite_difference(value, filters, bias)
    assert relative_error(grad_filters, fd_filters) < 1e-6
    assert relative_error(grad_bias, fd_bias) < 1e-6
    # The object built on the same RBMs gives the same numbers.
    objective = ThetaRBMObjective(rbm_v, rbm_ve, n_visible, n_hidden, visible_method="enumerate",
                              hidden_method="enumerate")
    v2, gf2, gb2 = objective.value_and_gradient(filters, bias, V, E, estimator, weight)
    assert v2 == pytest.approx(value(filters, bias), rel=1e-12)
    np.testing.assert_allclose(gf2, grad_filters, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(gb2, grad_bias, rtol=1e-10, atol=1e-14)


def test_gradient_of_exact_tables_matches_finite_differences(rng):
    tables = random_tables(rng)
    filters, bias = 2 * rng.normal(size=(2, 3)), rng.normal(size=2)
    V, log_g, V_states, log_p = tables.args()
    for estimator in ("paper", "exact"):
        def value(f, b):
            return objective_terms_from_tables(f, b, V, log_g, V_states, log_p, estimator,
                                               tables.weight)[0]

        _, gf, gb = objective_terms_from_tables(filters, bias, V, log_g, V_states, log_p, estimator,
                                                tables.weight)
        fd_f, fd_b = finite_difference(value, filters, bias)
        assert relative_error(gf, fd_f) < 1e-6 and relative_error(gb, fd_b) < 1e-6


@pytest.mark.parametrize("n_hidden", [1, 2])
def test_mutual_information_matches_brute_force(rng, n_hidden):
    tables = random_tables(rng)
    V, log_g, V_states, log_p = tables.args()
    for _ in range(3):
        filters, bias = 3 * rng.normal(size=(n_hidden, 3)), rng.normal(size=n_hidden)
        mi = mutual_information_from_tables(filters, bias, V, log_g, V_states, log_p, tables.weight)
        assert mi == pytest.approx(tables.brute_force_mi(filters, bias), abs=1e-10)
        # A* is -H(E|H) when log g is log P(E|V) exactly.
        exact = objective_terms_from_tables(filters, bias, V, log_g, V_states, log_p, "exact",
                                            tables.weight)[0]
        assert exact == pytest.approx(-tables.brute_force_conditional_entropy(filters, bias), abs=1e-10)


def test_exact_objective_is_mi_plus_a_lambda_independent_constant(rng):
    tables = random_tables(rng)
    V, log_g, V_states, log_p = tables.args()
    # Shift log g by an arbitrary per-row constant, as the RBMs' partition functions do.
    log_g = log_g + rng.normal(size=(log_g.shape[0], 1))
    constants = []
    for _ in range(2):
        filters, bias = 3 * rng.normal(size=(2, 3)), rng.normal(size=2)
        exact = objective_terms_from_tables(filters, bias, V, log_g, V_states, log_p, "exact",
                                            tables.weight)[0]
        paper = objective_terms_from_tables(filters, bias, V, log_g, V_states, log_p, "paper",
                                            tables.weight)[0]
        assert paper <= exact + 1e-12
        constants.append(exact - tables.brute_force_mi(filters, bias) * LN2)
        mi = mutual_information_from_tables(filters, bias, V, log_g, V_states, log_p, tables.weight)
        assert mi == pytest.approx(tables.brute_force_mi(filters, bias), abs=1e-10)
    assert constants[0] == pytest.approx(constants[1], abs=1e-10)


def test_objective_of_two_rbms_matches_brute_force(rng):
    """The RBM path against the formulas of the method page, evaluated by explicit loops.

    With two separately trained RBMs, ``g = P_VE(V, E) / P_V(V)`` is ``P(E | V)`` (up to a
    constant) only if the joint RBM's V-marginal equals ``P_V``; the mutual information of the
    method is defined through ``g`` and ``P_V`` as below (it is the true ``I(H:E)`` when the two
    agree, which the table tests above check).
    """
    n_visible, n_environment, n_hidden, n_rows = 3, 3, 2, 12
    rbm_v = random_rbm(rng, n_visible, scale=1.5)
    rbm_ve = random_rbm(rng, n_visible + n_environment, scale=1.5)
    V_states = enumerate_binary_states(n_visible)
    V, E = random_rows(rng, n_rows, n_visible), random_rows(rng, n_rows, n_environment)
    weight = rng.random(n_rows)
    objective = ThetaRBMObjective(rbm_v, rbm_ve, n_visible, n_hidden)
    assert (objective.visible_method_, objective.hidden_method_) == ("enumerate", "enumerate")

    def explicit_free_energy(rbm, x):
        return -np.log(sum(np.exp(rbm.intercept_visible_ @ x + np.array(h) @ (rbm.intercept_hidden_
                                                                              + rbm.components_ @ x))
                           for h in itertools.product((0, 1), repeat=rbm.components_.shape[0])))

    p_v = np.array([np.exp(-explicit_free_energy(rbm_v, v)) for v in V_states])
    p_v /= p_v.sum()
    g = np.array([[np.exp(explicit_free_energy(rbm_v, v) - explicit_free_energy(rbm_ve, np.r_[v, e]))
                   for v in V_states] for e in E])  # [n, s]
    values = []
    for _ in range(2):
        filters, bias = 3 * rng.normal(size=(n_hidden, n_visible)), rng.normal(size=n_hidden)
        p_h_state = p_hidden_given_visible(filters, bias, V_states)  # [s, H]
        p_h_data = p_hidden_given_visible(filters, bias, V)  # [n, H]
        q = p_h_state * p_v[:, None] / (p_h_state * p_v[:, None]).sum(axis=0)  # [s, H]
        paper = exact = first = second = 0.0
        for n in range(n_rows):
            w = weight[n] / weight.sum()
            for h in range(2**n_hidden):
                paper += w * p_h_data[n, h] * (q[:, h] @ np.log(g[n]))
                exact += w * p_h_data[n, h] * np.log(q[:, h] @ g[n])
            second += w * np.log(p_v @ g[n])
        first = exact
        # Barber-Agakov: minus KL between the data's and the V-RBM's coarse marginals.
        p_h_data_marginal = (weight / weight.sum()) @ p_h_data
        p_h_model_marginal = p_v @ p_h_state
        mismatch = sum(a * np.log(a / b) for a, b in zip(p_h_data_marginal, p_h_model_marginal))
        assert mismatch >= 0
        mi = objective.mutual_information(filters, bias, V, E, sample_weight=weight)
        assert mi == pytest.approx((first - second - mismatch) / LN2, abs=1e-10)
        for estimator, expected in (("paper", paper), ("exact", exact)):
            value = objective.value_and_gradient(filters, bias, V, E, estimator, weight)[0]
            # Up to the constant log(Z_VE / Z_V), the same for both Lambdas.
            values.append(value - expected)
    assert values[0] == pytest.approx(values[2], abs=1e-10)
    assert values[1] == pytest.approx(values[3], abs=1e-10)
    assert values[0] == pytest.approx(values[1], abs=1e-10)


@settings(max_examples=30)
@given(seed=st.integers(0, 2**32 - 1), n_hidden=st.integers(1, 3), scale=st.floats(0.0, 20.0),
       power=st.floats(0.5, 8.0))
def test_mutual_information_bounds(seed, n_hidden, scale, power):
    rng = np.random.default_rng(seed)
    tables = random_tables(rng, power=power)
    V, log_g, V_states, log_p = tables.args()
    filters, bias = scale * rng.normal(size=(n_hidden, 3)), scale * rng.normal(size=n_hidden)
    mi = mutual_information_from_tables(filters, bias, V, log_g, V_states, log_p, tables.weight)
    assert -1e-9 <= mi <= min(n_hidden, mutual_information_bits(tables.P)) + 1e-9
    exact = objective_terms_from_tables(filters, bias, V, log_g, V_states, log_p, "exact", tables.weight)
    paper = objective_terms_from_tables(filters, bias, V, log_g, V_states, log_p, "paper", tables.weight)
    assert paper[0] <= exact[0] + 1e-12


@pytest.mark.parametrize("estimator", ["paper", "exact"])
def test_deterministic_filters_reach_the_mi_of_the_function(rng, estimator):
    tables = random_tables(rng)
    V, log_g, V_states, log_p = tables.args()
    # h_0 = v_0 and h_1 = v_1 AND v_2, with weights of size 50.
    filters = np.array([[100.0, 0.0, 0.0], [0.0, 50.0, 50.0]])
    bias = np.array([-50.0, -75.0])
    hard = np.zeros((8, 4))
    for s, v in enumerate(V_states):
        hard[s, int(2 * v[0] + (v[1] * v[2]))] = 1.0
    expected = mutual_information_bits(hard.T @ tables.P)
    mi = mutual_information_from_tables(filters, bias, V, log_g, V_states, log_p, tables.weight)
    assert mi == pytest.approx(expected, abs=1e-9)
    value, gf, gb = objective_terms_from_tables(filters, bias, V, log_g, V_states, log_p, estimator,
                                                tables.weight)
    assert np.isfinite(value) and np.all(np.isfinite(gf)) and np.all(np.isfinite(gb))
    # Larger still: exp(-activation) underflows entirely, results stay finite.
    value, gf, gb = objective_terms_from_tables(20 * filters, 20 * bias, V, log_g, V_states, log_p,
                                                estimator, tables.weight)
    assert np.isfinite(value) and np.all(np.isfinite(gf)) and np.all(np.isfinite(gb))


def test_large_weights_through_the_rbm_path(rng):
    rbm_v, rbm_ve = random_rbm(rng, 4), random_rbm(rng, 10)
    V, E = random_rows(rng, 40, 4), random_rows(rng, 40, 6)
    filters, bias = 50 * np.sign(rng.normal(size=(2, 4))), np.array([-50.0, 25.0])
    for visible_method in ("enumerate", "sample"):
        objective = ThetaRBMObjective(rbm_v, rbm_ve, 4, 2, visible_method=visible_method, random_state=0)
        for estimator in ("paper", "exact"):
            value, gf, gb = objective.value_and_gradient(filters, bias, V, E, estimator)
            assert np.isfinite(value) and np.all(np.isfinite(gf)) and np.all(np.isfinite(gb))
        assert np.isfinite(objective.mutual_information(filters, bias, V, E))


def test_gibbs_estimates_agree_with_enumeration(rng):
    """Independent Gibbs runs scatter around the enumerated values as Monte Carlo predicts."""
    from sklearn_rsmi._utils.threads import numba_threads

    # Many small kernel calls: one thread avoids fork/join stalls on a busy machine.
    with numba_threads(1):
        _check_gibbs_against_enumeration(rng)


def test_sampled_hidden_gradient_is_unbiased(rng):
    n_visible, n_environment, n_rows, n_hidden = 4, 5, 40, 3
    rbm_v, rbm_ve = random_rbm(rng, n_visible), random_rbm(rng, n_visible + n_environment)
    V, E = random_rows(rng, n_rows, n_visible), random_rows(rng, n_rows, n_environment)
    filters, bias = rng.normal(size=(n_hidden, n_visible)), rng.normal(size=n_hidden)
    enumerated = ThetaRBMObjective(rbm_v, rbm_ve, n_visible, n_hidden, hidden_method="enumerate")
    sampled = ThetaRBMObjective(rbm_v, rbm_ve, n_visible, n_hidden, hidden_method="sample",
                            n_hidden_samples=2, random_state=3)
    table = sampled.log_g(V, E)
    for estimator in ("paper", "exact"):
        value, gf, gb = enumerated.value_and_gradient(filters, bias, V, E, estimator)
        reference = np.r_[gf.ravel(), gb]
        draws = np.array([np.r_[r[0], r[1].ravel(), r[2]] for r in (
            sampled.value_and_gradient(filters, bias, V, E, estimator, log_g=table)
            for _ in range(400))])
        mean = draws.mean(axis=0)
        stderr = draws.std(axis=0) / np.sqrt(draws.shape[0])
        z = np.abs(mean - np.r_[value, reference]) / stderr
        assert z.max() < 4.5
        # Single draws are noisy, so agreement of the mean is not a tautology.
        assert draws[:, 1:].std(axis=0).max() > 10 * stderr[1:].max()


def test_gibbs_is_deterministic_given_the_seed(rng):
    rbm_v, rbm_ve = random_rbm(rng, 5), random_rbm(rng, 11)
    V, E = random_rows(rng, 20, 5), random_rows(rng, 20, 6)
    filters, bias = rng.normal(size=(2, 5)), rng.normal(size=2)
    results = []
    for _ in range(2):
        objective = ThetaRBMObjective(rbm_v, rbm_ve, 5, 2, visible_method="sample", hidden_method="sample",
                                  random_state=7)
        first = objective.value_and_gradient(filters, bias, V, E, "exact")
        mi = objective.mutual_information(filters, bias, V, E)
        second = objective.value_and_gradient(filters, bias, V, E)
        results.append((first[0], *first[1].ravel(), mi, second[0], *second[2]))
    assert results[0] == results[1]


def test_results_do_not_depend_on_the_number_of_threads(rng):
    from sklearn_rsmi._utils.threads import numba_threads

    rbm_v, rbm_ve = random_rbm(rng, 5), random_rbm(rng, 11)
    V, E = random_rows(rng, 30, 5), random_rows(rng, 30, 6)
    filters, bias = rng.normal(size=(2, 5)), rng.normal(size=2)
    results = []
    for n_jobs in (1, 2):
        with numba_threads(n_jobs):
            gibbs = ThetaRBMObjective(rbm_v, rbm_ve, 5, 2, visible_method="sample", random_state=3)
            value, gf, gb = gibbs.value_and_gradient(filters, bias, V, E, "exact")
            table = ThetaRBMObjective(rbm_v, rbm_ve, 5, 2).log_g(V, E)
        results.append((value, gf, gb, table))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_chain_sets_are_bounded(rng, monkeypatch):
    import sklearn_rsmi.coarse_graining._theta_rbm_objective as mi_module

    monkeypatch.setattr(mi_module, "_MAX_CHAIN_SETS", 3)
    rbm_v, rbm_ve = random_rbm(rng, 5), random_rbm(rng, 11)
    V, E = random_rows(rng, 40, 5), random_rows(rng, 40, 6)
    objective = ThetaRBMObjective(rbm_v, rbm_ve, 5, 4, visible_method="sample", hidden_method="sample",
                              n_gibbs_burn_in=5, random_state=0)
    filters, bias = 0.1 * rng.normal(size=(4, 5)), np.zeros(4)  # many coarse states met
    value, gf, _ = objective.value_and_gradient(filters, bias, V, E)
    mi = objective.mutual_information(filters, bias, V, E)
    assert len(objective._chains) <= 3
    assert np.isfinite(value) and np.all(np.isfinite(gf)) and np.isfinite(mi)


def test_precomputed_table_gives_the_same_results(rng):
    rbm_v, rbm_ve = random_rbm(rng, 4), random_rbm(rng, 12)
    V, E = random_rows(rng, 30, 4), random_rows(rng, 30, 8)
    filters, bias = rng.normal(size=(2, 4)), rng.normal(size=2)
    objective = ThetaRBMObjective(rbm_v, rbm_ve, 4, 2)
    assert objective.table_fits(30) and not objective.table_fits(2**40)
    table = objective.log_g(V, E)
    rows = np.array([3, 1, 4, 1, 5, 9, 2, 6])
    a = objective.value_and_gradient(filters, bias, V[rows], E[rows], "exact")
    b = objective.value_and_gradient(filters, bias, V[rows], E[rows], "exact", log_g=table[rows])
    assert a[0] == b[0]
    np.testing.assert_array_equal(a[1], b[1])
    assert objective.mutual_information(filters, bias, V, E) == \
        objective.mutual_information(filters, bias, V, E, log_g=table)


def test_inputs_are_not_modified(rng):
    rbm_v, rbm_ve = random_rbm(rng, 4), random_rbm(rng, 9)
    snapshot = [a.copy() for a in (rbm_v.components_, rbm_ve.components_)]
    V, E = random_rows(rng, 10, 4), random_rows(rng, 10, 5)
    filters, bias, weight = rng.normal(size=(1, 4)), rng.normal(size=1), rng.random(10)
    copies = [x.copy() for x in (V, E, filters, bias, weight)]
    for visible_method in ("enumerate", "sample"):
        objective = ThetaRBMObjective(rbm_v, rbm_ve, 4, 1, visible_method=visible_method, random_state=0)
        objective.value_and_gradient(filters, bias, V, E, "exact", weight)
        objective.mutual_information(filters, bias, V, E, weight)
    for before, after in zip(copies, (V, E, filters, bias, weight)):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(snapshot[0], rbm_v.components_)
    np.testing.assert_array_equal(snapshot[1], rbm_ve.components_)


def test_works_with_sklearn_bernoulli_rbm(rng):
    from sklearn.neural_network import BernoulliRBM

    X = random_rows(rng, 200, 10)
    rbm_ve = BernoulliRBM(n_components=6, n_iter=2, random_state=0).fit(X)
    rbm_v = BernoulliRBM(n_components=4, n_iter=2, random_state=0).fit(X[:, :4])
    objective = ThetaRBMObjective(rbm_v, rbm_ve, 4, 1)
    value, gf, gb = objective.value_and_gradient(np.ones((1, 4)), np.zeros(1), X[:, :4], X[:, 4:])
    assert np.isfinite(value) and gf.shape == (1, 4) and gb.shape == (1,)


def test_bad_input_raises(rng):
    rbm_v, rbm_ve = random_rbm(rng, 4), random_rbm(rng, 9)
    V, E = random_rows(rng, 10, 4), random_rows(rng, 10, 5)
    filters, bias = rng.normal(size=(2, 4)), rng.normal(size=2)
    objective = ThetaRBMObjective(rbm_v, rbm_ve, 4, 2)
    with pytest.raises(ValueError, match="n_hidden"):
        ThetaRBMObjective(rbm_v, rbm_ve, 4, 0)
    with pytest.raises(ValueError, match="rbm_visible has 4 features, expected 5"):
        ThetaRBMObjective(rbm_v, rbm_ve, 5, 1)
    with pytest.raises(ValueError, match="rbm_joint"):
        ThetaRBMObjective(rbm_v, random_rbm(rng, 4), 4, 1)
    with pytest.raises(TypeError, match="components_"):
        ThetaRBMObjective(object(), rbm_ve, 4, 1)
    with pytest.raises(ValueError, match="cap"):
        ThetaRBMObjective(random_rbm(rng, 21), random_rbm(rng, 25), 21, 1, visible_method="enumerate")
    with pytest.raises(ValueError, match="cap"):
        ThetaRBMObjective(rbm_v, rbm_ve, 4, MAX_ENUMERATED_HIDDEN + 1, hidden_method="enumerate")
    with pytest.raises(ValueError, match="visible_method"):
        ThetaRBMObjective(rbm_v, rbm_ve, 4, 1, visible_method="exact")
    with pytest.raises(ValueError, match="hidden_method"):
        ThetaRBMObjective(rbm_v, rbm_ve, 4, 1, hidden_method="gibbs")
    with pytest.raises(ValueError, match="filters has 1 rows"):
        objective.value_and_gradient(filters[:1], bias[:1], V, E)
    with pytest.raises(ValueError, match="bias"):
        objective.value_and_gradient(filters, bias[:1], V, E)
    with pytest.raises(ValueError, match="V has 3 columns"):
        objective.value_and_gradient(filters, bias, V[:, :3], E)
    with pytest.raises(ValueError, match="E has 4 columns"):
        objective.value_and_gradient(filters, bias, V, E[:, :4])
    with pytest.raises(ValueError, match="V has 10 rows but E has 9"):
        objective.value_and_gradient(filters, bias, V, E[:9])
    with pytest.raises(ValueError, match="occupations"):
        objective.value_and_gradient(filters, bias, 2 * V - 1, E)
    with pytest.raises(ValueError, match="sample_weight"):
        objective.value_and_gradient(filters, bias, V, E, sample_weight=np.ones(9))
    with pytest.raises(ValueError, match="sample_weight"):
        objective.value_and_gradient(filters, bias, V, E, sample_weight=-np.ones(10))
    with pytest.raises(ValueError, match="objective"):
        objective.value_and_gradient(filters, bias, V, E, objective="jensen")
    with pytest.raises(ValueError, match="finite"):
        objective.value_and_gradient(np.full((2, 4), np.nan), bias, V, E)
    with pytest.raises(ValueError, match="log_g has shape"):
        objective.value_and_gradient(filters, bias, V, E, log_g=np.zeros((10, 8)))
    with pytest.raises(ValueError, match="log_g contains NaN"):
        objective.value_and_gradient(filters, bias, V, E, log_g=np.full((10, 16), np.nan))
    assert MAX_ENUMERATED_VISIBLE >= 16


@settings(max_examples=25, deadline=None)
@given(
    n_visible=st.integers(1, 4),
    n_hidden=st.integers(1, 3),
    scale=st.floats(0.1, 4.0),
    seed=st.integers(0, 2**16),
)
def test_mutual_information_never_exceeds_the_coarse_entropy(n_visible, n_hidden, scale, seed):
    """Whatever the RBMs and filters, I <= H_data(H) <= n_hidden bits (V and H enumerated)."""
    rng = np.random.default_rng(seed)
    rbm_v = random_rbm(rng, n_visible, scale=scale)
    rbm_ve = random_rbm(rng, n_visible + 3, scale=scale)
    V, E = random_rows(rng, 30, n_visible), random_rows(rng, 30, 3)
    filters, bias = scale * rng.normal(size=(n_hidden, n_visible)), rng.normal(size=n_hidden)
    objective = ThetaRBMObjective(rbm_v, rbm_ve, n_visible, n_hidden)
    mi = objective.mutual_information(filters, bias, V, E)
    p_h = p_hidden_given_visible(filters, bias, V).mean(axis=0)
    entropy_bits = -np.sum(p_h[p_h > 0] * np.log2(p_h[p_h > 0]))
    assert mi <= entropy_bits + 1e-9
    assert entropy_bits <= n_hidden + 1e-9


# --------------------------------------------------------------------------- P(V) through the joint RBM
def _joint_table(rbm, n_visible):
    """P(V, E) of a small RBM by explicit sums over its hidden units, shape (2**nv, 2**ne)."""
    n_features = rbm.components_.shape[1]
    states = np.array(list(itertools.product((0, 1), repeat=n_features)), dtype=float)
    hidden = np.array(list(itertools.product((0, 1), repeat=rbm.components_.shape[0])), dtype=float)
    neg_energy = (states @ rbm.intercept_visible_)[:, None] + (hidden @ rbm.intercept_hidden_)[None, :] \
        + states @ rbm.components_.T @ hidden.T
    weight = np.exp(neg_energy).sum(axis=1)
    P = weight / weight.sum()
    return P.reshape(2**n_visible, -1), states


def test_joint_conditional_gradient_matches_finite_differences(rng):
    from sklearn_rsmi.coarse_graining._theta_rbm_objective import JointConditionalObjective

    joint = random_rbm(rng, 7)
    V, E = random_rows(rng, 30, 3), random_rows(rng, 30, 4)
    objective = JointConditionalObjective(joint, V, E, 2, n_samples=5, n_sweeps=3, random_state=0)
    filters, bias = rng.normal(size=(2, 3)), rng.normal(size=2)
    rows = np.arange(30)
    for form in ("paper", "exact"):
        _, grad_filters, grad_bias = objective.value_and_gradient(filters, bias, rows, form)
        eps = 1e-6
        for index in itertools.product(range(2), range(3)):
            step = np.zeros_like(filters)
            step[index] = eps
            numeric = (objective.value_and_gradient(filters + step, bias, rows, form)[0]
                       - objective.value_and_gradient(filters - step, bias, rows, form)[0]) / (2 * eps)
            assert abs(numeric - grad_filters[index]) < 1e-6
        for j in range(2):
            step = np.zeros(2)
            step[j] = eps
            numeric = (objective.value_and_gradient(filters, bias + step, rows, form)[0]
                       - objective.value_and_gradient(filters, bias - step, rows, form)[0]) / (2 * eps)
            assert abs(numeric - grad_bias[j]) < 1e-6


def test_joint_conditional_mi_matches_enumeration_on_data_from_the_rbm(rng):
    """Windows drawn exactly from a small joint RBM: the estimate must reach the RBM's own
    I(H : E), computed from its enumerated P(V, E) pushed through P_Lambda(H | V)."""
    from sklearn_rsmi.coarse_graining._theta_rbm_objective import JointConditionalObjective

    n_visible = 3
    # Hidden unit k couples block site k to environment site k (weight 4, bias -4), plus noise.
    joint = random_rbm(rng, 6, n_components=3, scale=0.3)
    joint.components_ += 4.0 * np.hstack([np.eye(3), np.eye(3)])
    joint.intercept_hidden_ -= 4.0
    P, states = _joint_table(joint, n_visible)
    draws = rng.choice(P.size, size=6000, p=P.ravel())
    V, E = states[draws, :n_visible], states[draws, n_visible:]
    filters, bias = np.array([[12.0, 0.0, 0.0], [0.0, 12.0, 0.0]]), np.array([-6.0, -6.0])
    p_h = p_hidden_given_visible(filters, bias, states[::2**3, :n_visible])  # (8 V states, 4 H)
    exact = mutual_information_bits(p_h.T @ P)  # P(H, E)
    assert exact > 0.01
    # A lower bound, tight for the true conditional up to the log-of-a-mean bias of
    # n_samples terms (measured: 0.0081 against 0.0114 with 256 samples, -0.03 with 16
    # samples and prior_weight 1) and the sampling error of 6,000 rows.
    objective = JointConditionalObjective(joint, V, E, 2, n_samples=256, n_sweeps=30,
                                          prior_weight=16.0, random_state=1)
    estimate = objective.mutual_information(filters, bias)
    assert exact - 0.005 < estimate < exact + 0.003, (estimate, exact)


def test_joint_conditional_needs_enumerable_coarse_states(rng):
    from sklearn_rsmi.coarse_graining._theta_rbm_objective import JointConditionalObjective

    with pytest.raises(ValueError, match="n_hidden = 13 exceeds 12"):
        JointConditionalObjective(random_rbm(rng, 5), random_rows(rng, 4, 2), random_rows(rng, 4, 3),
                                  13)
