"""Helpers the tests share: inverses and samplers of what the library does, never used by it."""

import math

import numpy as np
from numba import njit

from sklearn_rsmi._utils.kernels import uniform
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
