"""The Theta-RBM objectives' kernels: the log g table at large activations, and the clamped
Gibbs sampler against exact enumeration."""

from types import SimpleNamespace

import numpy as np
import pytest

from sklearn_rsmi._utils.numerics import enumerate_binary_states
from sklearn_rsmi.coarse_graining import _theta_rbm_kernels as _mi_kernels
from sklearn_rsmi.coarse_graining._theta_rbm_objective import (
    hidden_log_likelihood,
)
from tests._theta_rbm_tables import (
    visible_log_probabilities,
)


def random_rbm(rng, n_features, n_components=5, scale=1.0):
    return SimpleNamespace(
        components_=scale * rng.normal(size=(n_components, n_features)),
        intercept_visible_=0.5 * rng.normal(size=n_features),
        intercept_hidden_=0.5 * rng.normal(size=n_components),
    )


@pytest.mark.parametrize("scale, shift", [(1.0, 0.0), (40.0, 0.0), (400.0, 0.0), (1.0, 120.0),
                                          (1.0, -400.0)])
def test_log_g_kernel_large_activations(rng, scale, shift):
    # shift=120: every r + s is near 240, where products of exp(r + s) overflow.
    row = scale * rng.normal(size=(7, 13)) + shift
    state = scale * rng.normal(size=(5, 13)) + shift
    row_offset, state_offset = rng.normal(size=7), rng.normal(size=5)
    out = _mi_kernels.log_g_rows(row, row_offset, state, state_offset)
    expected = (row_offset[:, None] + state_offset[None, :]
                + np.logaddexp(0.0, row[:, None, :] + state[None, :, :]).sum(axis=2))
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, expected, rtol=1e-13, atol=1e-11)


def test_clamped_gibbs_sampler_matches_enumeration(rng):
    n_visible, n_components, n_chains = 6, 8, 20000
    rbm_v = random_rbm(rng, n_visible, n_components, scale=0.8)
    filters, bias = 1.5 * rng.normal(size=(2, n_visible)), rng.normal(size=2)
    V_states = enumerate_binary_states(n_visible)
    log_p = visible_log_probabilities(rbm_v, V_states)
    powers = 2 ** np.arange(n_visible - 1, -1, -1)
    for hidden in (np.array([1.0, 0.0]), np.array([0.0, 1.0])):
        log_q = hidden_log_likelihood(filters, bias, V_states, hidden[None])[:, 0] + log_p
        q = np.exp(log_q - np.log(np.exp(log_q).sum()))
        start = (rng.random((n_chains, n_visible)) < 0.5).astype(float)
        uniforms = rng.random((n_chains, 30, n_components + n_visible))
        out = _mi_kernels.clamped_gibbs_sweeps(start, hidden, filters, bias, rbm_v.components_,
                                               rbm_v.intercept_visible_, rbm_v.intercept_hidden_,
                                               uniforms)
        empirical = np.bincount((out @ powers).astype(int), minlength=2**n_visible) / n_chains
        # Statistical TV for 64 cells and 2e4 samples is about 0.02; the uniform start is ~0.5 away.
        assert 0.5 * np.abs(empirical - q).sum() < 0.05
    unchanged = start.copy()
    _mi_kernels.clamped_gibbs_sweeps(start, hidden, filters, bias, rbm_v.components_,
                                     rbm_v.intercept_visible_, rbm_v.intercept_hidden_, uniforms[:, :1])
    np.testing.assert_array_equal(start, unchanged)
