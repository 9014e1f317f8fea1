"""numba kernels of the tiling transforms: every block of every sample to its coarse variables.

The noise of a sampled coarse variable is keyed to the sample it belongs to: each sample's
bits are hashed, under the estimator's 64-bit key, into a key of its own, and the uniform of
block ``b``, hidden unit ``j`` is the counter-based ``uniform(sample_key, b * n_hidden + j)``
(:func:`sklearn_rsmi._utils.kernels.uniform`). A sample therefore gets the same coarse
variables whatever else is in the call, whichever call (chunk) it comes in and however many
threads run, while different samples get independent draws (a 64-bit hash collision aside).

Samples arrive flattened, ``(n_samples, n_sites)`` in int8, with a table of the flat sites of
every block, ``(n_blocks, block_size)``: the kernels do not know the lattice's dimension.
A site is up (occupied) when its value is > 0, for spins and occupations alike.
"""

import numpy as np
from numba import njit, prange

from .._utils.kernels import sigmoid, uniform

_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True, inline="always")
def _mix(z):
    # SplitMix64's finalizer: a bijection of uint64 whose output bits all depend on all input bits.
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def sample_key(sample, key):
    """A 64-bit key from one flattened sample's bits (``value > 0``) and the estimator's key."""
    n_sites = sample.shape[0]
    h = _mix(key ^ np.uint64(n_sites))
    word = np.uint64(0)
    n_bits = 0
    for i in range(n_sites):
        if sample[i] > 0:
            word |= np.uint64(1) << np.uint64(n_bits)
        n_bits += 1
        if n_bits == 64:
            h = _mix((h ^ word) + _GOLDEN_GAMMA)
            word = np.uint64(0)
            n_bits = 0
    if n_bits:
        h = _mix((h ^ word) + _GOLDEN_GAMMA)
    return h


@njit(cache=True, inline="always")
def _block_code(row, block_sites, b):
    """The block's state as an integer: bit m is 1 when site m of the block is up."""
    code = 0
    for m in range(block_sites.shape[1]):
        if row[block_sites[b, m]] > 0:
            code |= 1 << m
    return code


@njit(cache=True, parallel=True)
def tabulated_probabilities(X, block_sites, table, out):
    """``out[s, b, j] = table[j, code of block b]``: ``P(h_j = 1 | V)`` looked up per state."""
    n_samples = X.shape[0]
    n_blocks = block_sites.shape[0]
    n_hidden = table.shape[0]
    for s in prange(n_samples):
        for b in range(n_blocks):
            code = _block_code(X[s], block_sites, b)
            for j in range(n_hidden):
                out[s, b, j] = table[j, code]


@njit(cache=True, parallel=True)
def tabulated_samples(X, block_sites, table, key, up, down, out):
    """Coarse variables drawn with ``P(h_j = 1 | V) = table[j, code of V]``, as up or down."""
    n_samples = X.shape[0]
    n_blocks = block_sites.shape[0]
    n_hidden = table.shape[0]
    for s in prange(n_samples):
        own_key = sample_key(X[s], key)
        for b in range(n_blocks):
            code = _block_code(X[s], block_sites, b)
            for j in range(n_hidden):
                if uniform(own_key, np.uint64(b * n_hidden + j)) < table[j, code]:
                    out[s, b, j] = up
                else:
                    out[s, b, j] = down


@njit(cache=True, parallel=True)
def logistic_probabilities(X, block_sites, filters, bias, out):
    """``out[s, b, j] = sigmoid(filters[j] . x_b + bias[j])``, ``x_b`` the occupations of block b."""
    n_samples = X.shape[0]
    n_blocks, block_size = block_sites.shape
    n_hidden = filters.shape[0]
    for s in prange(n_samples):
        for b in range(n_blocks):
            for j in range(n_hidden):
                activation = bias[j]
                for m in range(block_size):
                    if X[s, block_sites[b, m]] > 0:
                        activation += filters[j, m]
                out[s, b, j] = sigmoid(activation)


@njit(cache=True, parallel=True)
def logistic_samples(X, block_sites, filters, bias, key, up, down, out):
    """Coarse variables drawn from ``P(h_j = 1 | V)``, written as ``up`` or ``down``."""
    n_samples = X.shape[0]
    n_blocks, block_size = block_sites.shape
    n_hidden = filters.shape[0]
    for s in prange(n_samples):
        own_key = sample_key(X[s], key)
        for b in range(n_blocks):
            for j in range(n_hidden):
                activation = bias[j]
                for m in range(block_size):
                    if X[s, block_sites[b, m]] > 0:
                        activation += filters[j, m]
                counter = np.uint64(b * n_hidden + j)
                if uniform(own_key, counter) < sigmoid(activation):
                    out[s, b, j] = up
                else:
                    out[s, b, j] = down


@njit(cache=True, parallel=True)
def majority_probabilities(X, block_sites, out):
    """``P(up)`` of the majority rule: 1 or 0 by the block's majority, 1/2 on a tie."""
    n_samples = X.shape[0]
    n_blocks, block_size = block_sites.shape
    for s in prange(n_samples):
        for b in range(n_blocks):
            balance = 0
            for m in range(block_size):
                balance += 1 if X[s, block_sites[b, m]] > 0 else -1
            out[s, b] = 1.0 if balance > 0 else (0.0 if balance < 0 else 0.5)


@njit(cache=True, parallel=True)
def majority_samples(X, block_sites, key, up, down, out):
    """The majority of each block, written as ``up`` or ``down``; ties drawn with odds 1/2."""
    n_samples = X.shape[0]
    n_blocks, block_size = block_sites.shape
    for s in prange(n_samples):
        own_key = sample_key(X[s], key)
        for b in range(n_blocks):
            balance = 0
            for m in range(block_size):
                balance += 1 if X[s, block_sites[b, m]] > 0 else -1
            if balance == 0:
                balance = 1 if uniform(own_key, np.uint64(b)) < 0.5 else -1
            out[s, b] = up if balance > 0 else down
