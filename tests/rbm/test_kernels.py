"""The RBM kernels: the pseudo-likelihood against flipped free energies, the float32 sigmoid's
accuracy, and the counter-based uniform stream."""


import numpy as np
import pytest
from scipy.special import expit

from sklearn_rsmi.rbm import _kernels as kernels
from tests._helpers import brute_force, random_rbm, rbm_with, sigmoid_array, uniforms


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


def _one_batch_step(X, W, a, c, offsets, offset_rate=0.0, learning_rate=0.1):
    """One CD-1 mini-batch of cd_epoch over all of X (float64, no momentum); returns the new state."""
    from sklearn_rsmi.rbm._kernels import cd_epoch

    W, a, c = W.copy(), a.copy(), c.copy()
    velocities = np.zeros_like(W), np.zeros_like(a), np.zeros_like(c)
    visible_offset, hidden_offset = (np.zeros(0), np.zeros(0)) if offsets is None else (
        offsets[0].copy(), offsets[1].copy())
    cd_epoch(X, np.arange(X.shape[0], dtype=np.int64), X.shape[0], W, a, c, *velocities,
             np.zeros((0, W.shape[0])), np.array([12345], dtype=np.uint64), 1, False,
             learning_rate, learning_rate, 0.0, 0.0, visible_offset, hidden_offset, offset_rate)
    return W, a, c, hidden_offset


def test_centered_step_is_the_plain_step_in_centered_coordinates():
    """One mini-batch: same samples (same key, same start), so the centered step must be
    ``dW = lr (g_W - g_c mu^T - lambda g_a^T)``, ``da = lr g_a - dW^T lambda``,
    ``dc = lr g_c - dW mu``, with ``g`` the plain gradients read off the plain step."""
    rng = np.random.default_rng(0)
    X = (rng.random((50, 6)) < 0.4).astype(np.float64)
    W, a, c = rng.normal(0, 0.5, (3, 6)), rng.normal(0, 0.5, 6), rng.normal(0, 0.5, 3)
    mu, lam = rng.random(6), rng.random(3)
    lr = 0.1
    W1, a1, c1, _ = _one_batch_step(X, W, a, c, None, learning_rate=lr)
    g_W, g_a, g_c = (W1 - W) / lr, (a1 - a) / lr, (c1 - c) / lr
    W2, a2, c2, lam2 = _one_batch_step(X, W, a, c, (mu, lam), learning_rate=lr)
    dW = lr * (g_W - np.outer(g_c, mu) - np.outer(lam, g_a))
    np.testing.assert_allclose(W2 - W, dW, atol=1e-12)
    np.testing.assert_allclose(a2 - a, lr * g_a - dW.T @ lam, atol=1e-12)
    np.testing.assert_allclose(c2 - c, lr * g_c - dW @ mu, atol=1e-12)
    np.testing.assert_array_equal(lam2, lam)  # offset_rate = 0: offsets stay


def test_zero_offsets_give_the_plain_step_and_offsets_follow_the_data():
    rng = np.random.default_rng(1)
    X = (rng.random((40, 5)) < 0.5).astype(np.float64)
    W, a, c = rng.normal(0, 0.5, (4, 5)), rng.normal(0, 0.5, 5), rng.normal(0, 0.5, 4)
    plain = _one_batch_step(X, W, a, c, None)
    zero = _one_batch_step(X, W, a, c, (np.zeros(5), np.zeros(4)))
    for p, z in zip(plain[:3], zero[:3]):
        np.testing.assert_allclose(p, z, atol=1e-13)
    # offset_rate = 1: the hidden offsets become the data's mean hidden probabilities.
    _, _, _, lam = _one_batch_step(X, W, a, c, (np.zeros(5), np.zeros(4)), offset_rate=1.0)
    np.testing.assert_allclose(lam, (1.0 / (1.0 + np.exp(-(X @ W.T + c)))).mean(axis=0),
                               rtol=1e-12)
