"""Canonical correlations and the block-environment diagnostic against known answers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rsmi.rbm import (
    ThetaRBM,
    block_environment_correlation,
    canonical_correlations,
)


def _noisy_copies(rng, n_rows, flip, n_copied=2, n_environment=4):
    """E uniform bits; V copies the first ``n_copied`` of them, each flipped with prob. ``flip``."""
    E = rng.integers(0, 2, (n_rows, n_environment)).astype(float)
    flips = rng.random((n_rows, n_copied)) < flip
    return np.where(flips, 1 - E[:, :n_copied], E[:, :n_copied]), E


@pytest.mark.parametrize("flip", [0.0, 0.1, 0.3])
def test_noisy_copies_have_correlation_one_minus_twice_the_flip_rate(flip):
    # For uniform bits x and y = x flipped with probability p, corr(x, y) = 1 - 2p.
    V, E = _noisy_copies(np.random.default_rng(0), 40000, flip)
    result = canonical_correlations(V, E)
    np.testing.assert_allclose(result.correlations, 1 - 2 * flip, atol=0.01)
    # The directions: each visible direction lives on V, each environment one on E_0, E_1 only.
    directions = np.abs(result.environment_directions)
    assert np.all(directions[:, 2:] < 0.1 * directions.max(axis=1, keepdims=True))
    # Unit variance along every direction.
    np.testing.assert_allclose(np.var((V - V.mean(0)) @ result.visible_directions.T, axis=0), 1,
                               atol=1e-3)


def test_independent_blocks_have_no_canonical_correlation():
    rng = np.random.default_rng(1)
    V = rng.integers(0, 2, (20000, 3))
    E = rng.integers(0, 2, (20000, 5))
    # Sampling noise of the largest of 3 canonical correlations: a few / sqrt(n).
    assert canonical_correlations(V, E).correlations.max() < 0.04


def test_spins_and_constant_sites_are_accepted():
    rng = np.random.default_rng(2)
    V, E = _noisy_copies(rng, 20000, 0.1)
    E = np.hstack([E, np.ones((E.shape[0], 1))])  # a site that never changes
    spins = canonical_correlations(2 * V - 1, 2 * E - 1, 1).correlations
    np.testing.assert_allclose(spins, 0.8, atol=0.02)


@settings(max_examples=15)
@given(n_visible=st.integers(1, 4), n_environment=st.integers(1, 4), n_rows=st.integers(2, 30),
       seed=st.integers(0, 10**6))
def test_correlations_lie_in_zero_one_for_any_shapes(n_visible, n_environment, n_rows, seed):
    rng = np.random.default_rng(seed)
    V = rng.integers(0, 2, (n_rows, n_visible))
    E = rng.integers(0, 2, (n_rows, n_environment))
    result = canonical_correlations(V, E)
    assert result.correlations.shape == (min(n_visible, n_environment),)
    assert np.all((result.correlations >= 0) & (result.correlations <= 1))
    assert np.all(np.diff(result.correlations) <= 1e-12)


def _pair_rbm(w, c, a):
    """A one-hidden-unit RBM on (v, e) coupling both with weight w; its exact correlation."""
    rbm = ThetaRBM(n_components=1, n_epochs=0, random_state=0).fit(np.array([[0, 0], [1, 1]]))
    rbm.components_ = np.array([[w, w]])
    rbm.intercept_hidden_ = np.array([c])
    rbm.intercept_visible_ = np.array([a, a])
    states = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    # P(v, e) by summing the hidden unit out by hand: exp(a (v + e)) (1 + exp(c + w (v + e))).
    weight = np.exp(a * states.sum(1)) * (1 + np.exp(c + w * states.sum(1)))
    p = weight / weight.sum()
    mean = p @ states
    cov = (p * (states[:, 0] - mean[0]) * (states[:, 1] - mean[1])).sum()
    corr = cov / np.sqrt(mean[0] * (1 - mean[0]) * mean[1] * (1 - mean[1]))
    return rbm, p, states, corr


def test_model_correlation_of_a_known_rbm_matches_enumeration():
    rbm, p, states, exact = _pair_rbm(w=3.0, c=-3.0, a=-0.5)
    rng = np.random.default_rng(3)
    data = states[rng.choice(4, size=20000, p=p)]
    result = block_environment_correlation(rbm, data[:, :1], data[:, 1:], n_components=1,
                                           n_samples=20000, n_steps=50, random_state=0)
    assert exact > 0.3  # a real correlation
    np.testing.assert_allclose(result.data_correlations, exact, atol=0.02)
    np.testing.assert_allclose(result.model_correlations, exact, atol=0.02)
    np.testing.assert_allclose(result.reproduced, 1.0, atol=0.06)


def test_an_rbm_without_couplings_reproduces_nothing():
    V, E = _noisy_copies(np.random.default_rng(4), 5000, 0.1)
    rbm = ThetaRBM(n_components=4, n_epochs=0, random_state=0).fit(np.hstack([V, E]))
    rbm.components_ = np.zeros_like(rbm.components_)
    result = block_environment_correlation(rbm, V, E, n_samples=4000, n_steps=5)
    np.testing.assert_allclose(result.data_correlations, 0.8, atol=0.03)
    assert np.all(np.abs(result.reproduced) < 0.06)


def test_a_trained_rbm_reproduces_noisy_copies():
    V, E = _noisy_copies(np.random.default_rng(5), 4000, 0.1)
    rbm = ThetaRBM(n_components=8, n_epochs=30, centering=True, random_state=0).fit(
        np.hstack([V, E]))
    result = block_environment_correlation(rbm, V, E, n_samples=2000, n_steps=100)
    assert np.all(result.reproduced > 0.8), result.reproduced


def test_bad_input_is_named():
    V, E = _noisy_copies(np.random.default_rng(6), 100, 0.1)
    rbm = ThetaRBM(n_components=2, n_epochs=1, random_state=0).fit(np.hstack([V, E]))
    with pytest.raises(ValueError, match="rbm_joint models 6 sites, but V and E have 2 \\+ 3"):
        block_environment_correlation(rbm, V, E[:, :3])
    with pytest.raises(ValueError, match="V has 100 rows but E has 99"):
        canonical_correlations(V, E[:99])
    with pytest.raises(ValueError, match="at least 2 rows"):
        canonical_correlations(V[:1], E[:1])
    with pytest.raises(ValueError, match="n_samples"):
        block_environment_correlation(rbm, V, E, n_samples=1)
    with pytest.raises(ValueError, match="n_steps"):
        block_environment_correlation(rbm, V, E, n_steps=0)
    with pytest.raises(ValueError, match="V"):
        canonical_correlations(V + 0.5, E)
