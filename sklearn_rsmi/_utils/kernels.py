"""numba forms of the scalar functions the kernels share, and their counter-based uniforms.

Random numbers inside the RBM and coarse-graining kernels are counter-based: the uniform for
a ``counter`` under a 64-bit ``key`` is a SplitMix64 hash of ``key + counter * golden_gamma``.
Each draw depends only on its own indices, never on which thread computes it, so a fixed key
gives identical results for any number of numba threads. No ``fastmath`` anywhere: these
functions see arguments in the hundreds.
"""

import numpy as np
from numba import njit

_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, inline="always")
def uniform(key, counter):
    """SplitMix64 output for ``counter`` under ``key`` (both uint64), as a float64 in [0, 1)."""
    z = key + counter * _GOLDEN_GAMMA
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    z = z ^ (z >> np.uint64(31))
    return np.float64(z >> np.uint64(11)) * _TO_UNIT


@njit(cache=True, inline="always")
def softplus(x):
    """``log(1 + exp(x))`` without overflow or loss of small values."""
    if x > 0.0:
        return x + np.log1p(np.exp(-x))
    return np.log1p(np.exp(x))


@njit(cache=True, inline="always")
def sigmoid(x):
    """``1 / (1 + exp(-x))``, two-branch: never overflows, exact in both tails."""
    if x >= 0.0:
        return 1.0 / (1.0 + np.exp(-x))
    z = np.exp(x)
    return z / (1.0 + z)


@njit(cache=True, inline="always")
def branch_free_sigmoid(x, one):
    """``one / (one + exp(-x))`` in the dtype of ``one`` (float32 or float64).

    Twice as fast as :func:`sigmoid` on random signs, where the branch mispredicts; for
    ``x < -709`` ``exp(-x)`` is inf and the result exactly 0, never NaN.
    """
    return one / (one + np.exp(-x))
