"""Helpers the tests share: inverses and samplers of what the library does, never used by it."""

import math

import numpy as np
from numba import njit
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state

from sklearn_rsmi._utils.kernels import uniform
from sklearn_rsmi.rbm import ThetaRBM
from sklearn_rsmi.rbm import _kernels as rbm_kernels


def random_anchors(geometry, lattice_shape, n_samples, n_per_sample, rng):
    """Anchors drawn uniformly, with replacement, among the allowed ones of ``geometry``.

    Shape ``(n_samples, n_per_sample, ndim)``, for :meth:`WindowGeometry.cut`.
    """
    allowed = geometry.anchor_positions(lattice_shape)
    picks = rng.integers(0, len(allowed), size=(n_samples, n_per_sample))
    return allowed[picks]


def untile_blocks(blocks, visible_shape):
    """Reassemble lattices from the blocks of :func:`tile_blocks`: its exact inverse."""
    blocks = np.asarray(blocks)
    visible_shape = (visible_shape,) if np.isscalar(visible_shape) else tuple(visible_shape)
    ndim = len(visible_shape)
    assert blocks.shape[-1] == math.prod(visible_shape)
    n_samples, counts = blocks.shape[0], blocks.shape[1:-1]
    order = [0] + [i for a in range(ndim) for i in (1 + a, 1 + ndim + a)]
    X = blocks.reshape(n_samples, *counts, *visible_shape).transpose(order)
    return X.reshape(n_samples, *(c * v for c, v in zip(counts, visible_shape))).copy()


@njit(cache=True)
def sigmoid_array(pre_activation, bias):
    """``sigmoid(pre_activation + bias)`` through the RBM kernels' ``sigmoid_into``."""
    out = np.empty_like(pre_activation)
    rbm_kernels.sigmoid_into(pre_activation, bias, out)
    return out


@njit(cache=True)
def uniforms(key, event, n_rows, n_units):
    """The uniforms the RBM sampling kernels draw for ``(key, event)``, shape (n_rows, n_units)."""
    out = np.empty((n_rows, n_units))
    base = np.uint64(event) * np.uint64(1 << 40)
    for n in range(n_rows):
        for j in range(n_units):
            out[n, j] = uniform(key, base + np.uint64(n * n_units + j))
    return out


# ------------------------------------------------------------ RBMs small enough to enumerate
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


# ------------------------------------------------------------ a stand-in RG step
class MajorityRule(TransformerMixin, BaseEstimator):
    """2x2 majority-rule block spin; ties broken at random from random_state."""

    n_fits = 0  # counts fits in this process (to see what a cache skipped)

    def __init__(self, visible_shape=(2, 2), random_state=None, n_jobs=None):
        self.visible_shape = visible_shape
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X, y=None):
        type(self).n_fits += 1
        self.filters_ = np.ones((1, *self.visible_shape))
        self.filter_bias_ = np.zeros(1)
        self.mutual_information_ = float("nan")
        self.seed_ = int(check_random_state(self.random_state).randint(2**31 - 1))
        return self

    def transform(self, X):
        X = np.asarray(X)
        n, L, _ = X.shape
        b = self.visible_shape[0]
        total = X.reshape(n, L // b, b, L // b, b).sum(axis=(2, 4), dtype=np.int64)
        ties = np.random.default_rng(self.seed_).choice(np.array([-1, 1], np.int8), total.shape)
        return np.where(total > 0, 1, np.where(total < 0, -1, ties)).astype(np.int8)
