"""The RBM kernels: the pseudo-likelihood against flipped free energies, the float32 sigmoid's
accuracy, and the counter-based uniform stream."""


import numpy as np
import pytest
from scipy.special import expit, logsumexp

from sklearn_rsmi.rbm import ThetaRBM
from sklearn_rsmi.rbm import _kernels as kernels
from tests._helpers import sigmoid_array, uniforms


def all_states(n):
    """Every binary vector of length n, one per row."""
    return np.array([[(code >> i) & 1 for i in range(n)] for code in range(2**n)], dtype=float)


def brute_force(W, a, c):
    """log Z and log P(v) for every visible state, from the 2**(n_v + n_h) joint energies."""
    n_h, n_v = W.shape
    V, H = all_states(n_v), all_states(n_h)
    # -E(v, h) = a.v + c.h + h.W.v for every pair (v, h).
    neg_energy = (V @ a)[:, None] + (H @ c)[None, :] + V @ W.T @ H.T
    log_z = logsumexp(neg_energy)
    return log_z, logsumexp(neg_energy, axis=1) - log_z


def rbm_with(W, a, c, **params):
    """A fitted ThetaRBM whose parameters are set by hand."""
    W = np.asarray(W, dtype=float)
    rbm = ThetaRBM(n_components=W.shape[0], n_epochs=0, random_state=0, **params)
    rbm.fit(np.vstack([np.zeros(W.shape[1]), np.ones(W.shape[1])]))
    rbm.components_ = W.copy()
    rbm.intercept_visible_ = np.asarray(a, dtype=float).copy()
    rbm.intercept_hidden_ = np.asarray(c, dtype=float).copy()
    return rbm


def random_rbm(rng, n_v, n_h, scale=1.0):
    return (rng.normal(0, scale, (n_h, n_v)), rng.normal(0, 0.5 * scale, n_v),
            rng.normal(0, 0.5 * scale, n_h))


def test_pseudo_log_likelihood_kernel_matches_flipped_free_energies():
    rng = np.random.default_rng(10)
    W, a, c = random_rbm(rng, 5, 3)
    rbm = rbm_with(W, a, c)
    X = (rng.random((7, 5)) < 0.5).astype(float)
    units = np.arange(7) % 5
    flipped = X.copy()
    flipped[np.arange(7), units] = 1 - flipped[np.arange(7), units]
    _, log_p = brute_force(W, a, c)
    codes = lambda R: (R.astype(int) @ (1 << np.arange(5)))  # noqa: E731
    expected = log_p[codes(X)] - np.logaddexp(log_p[codes(X)], log_p[codes(flipped)])
    got = kernels.pseudo_log_likelihood(X, X @ W.T + c, W, a, units)
    np.testing.assert_allclose(got, expected, atol=1e-10)
    assert rbm.score_samples(X).shape == (7,)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-15), (np.float32, 3e-7)])
def test_sigmoid_kernel_accuracy(dtype, tolerance):
    x = np.linspace(-120, 120, 48000).reshape(3, -1)
    got = sigmoid_array(x.astype(dtype), np.zeros(x.shape[1], dtype=dtype))
    exact = expit(x.astype(dtype).astype(np.float64))
    assert got.dtype == dtype
    assert np.all((got >= 0) & (got <= 1))
    np.testing.assert_allclose(got, exact, rtol=tolerance, atol=2e-38)


def test_uniform_stream():
    u = uniforms(np.uint64(12345), 3, 200, 500)
    assert np.all((u >= 0) & (u < 1))
    assert abs(u.mean() - 0.5) < 0.003 and abs(u.var() - 1 / 12) < 0.002
    # Neighboring counters, other events and other keys are uncorrelated.
    for other in (u[:, 1:].ravel(), uniforms(np.uint64(12345), 4, 200, 500).ravel(),
                  uniforms(np.uint64(12346), 3, 200, 500).ravel()):
        assert abs(np.corrcoef(u.ravel()[: other.size], other)[0, 1]) < 0.01
