"""The tiling transforms shared by the coarse-grainers: blocks, their sites, keyed noise.

A coarse-grainer's ``transform`` maps every block of a lattice tiling to coarse variables.
Here the lattice is flattened and the blocks become a table of flat site indices (the
order of :func:`~sklearn_rsmi.coarse_graining.tile_blocks`), so that the numba kernels of
:mod:`._blocking_kernels` work for lattices of any dimension. Sampled outputs draw their
noise from keys derived from each sample's own bits (see that module), never from a stream
that depends on the call.
"""

import math

import numpy as np
from scipy.special import expit

from .._utils.numerics import enumerate_binary_states
from .._utils.seeding import draw_keys
from .._utils.validation import SPIN
from . import _blocking_kernels
from ._windows import tile_blocks

class LatticeTransformerMixin:
    """What the coarse-grainers share as transformers of lattices into lattices.

    Their output has the shape of a lattice, not of a table, and its dtype is that of the
    coarse variables (int8 samples, or float64 probabilities), not the input's.
    """

    def set_output(self, *, transform=None):
        """Accept scikit-learn's output configuration; the coarse lattices stay arrays.

        A coarse lattice has the shape of a lattice, not of a table, so ``transform``
        returns a NumPy array whatever is set. This exists so that
        ``Pipeline(...).set_output(transform="pandas")`` works: a
        :class:`~sklearn_rsmi.LatticeFeatures` step after the coarse-grainers turns the
        lattices into a table and honors the setting.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"} or None, default=None
            The output requested of ``transform`` and ``fit_transform``.

        Returns
        -------
        self : estimator
        """
        if transform not in (None, "default", "pandas", "polars"):
            raise ValueError(
                f"transform must be 'default', 'pandas', 'polars' or None, got {transform!r}.")
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        tags.transformer_tags.preserves_dtype = []
        return tags


#: Blocks of up to this many sites are transformed through a table of P(h = 1 | V) over
#: their 2**n states (4,096 rows at most), which saves a sigmoid per block and sample.
MAX_TABULATED_SITES = 12


def _block_states(block_size):
    """Every state of a block, ``(2**block_size, block_size)``: row ``code``, site ``m`` is
    bit ``m`` of ``code`` (the kernels' ``_block_code``, least significant bit first)."""
    return enumerate_binary_states(block_size)[:, ::-1]


def block_sites(lattice_shape, visible_shape):
    """Flat site indices of every block of the tiling: ``(n_blocks, block_size)``, and the grid.

    Blocks in C order over the coarse lattice, sites in C order within a block (the order of
    :func:`tile_blocks`, whose checks this shares: the blocks must tile the lattice).
    """
    index = np.arange(math.prod(lattice_shape), dtype=np.intp).reshape((1, *lattice_shape))
    blocks = tile_blocks(index, visible_shape)[0]
    return np.ascontiguousarray(blocks.reshape(-1, blocks.shape[-1])), blocks.shape[:-1]


def flat_bits(X):
    """Validated binary samples as contiguous int8 rows ``(n_samples, n_sites)`` (values kept)."""
    X = np.asarray(X)
    # Exact for binary values of any numeric dtype; a view when X is contiguous int8.
    return np.ascontiguousarray(X.reshape(X.shape[0], -1)).astype(np.int8, copy=False)


def transform_key(seed):
    """The 64-bit key of the sampled outputs, from the integer seed drawn at fit."""
    return draw_keys(seed)


def output_values(convention):
    """The values written for an up and a down coarse variable in ``convention``."""
    return (np.int8(1), np.int8(-1)) if convention == SPIN else (np.int8(1), np.int8(0))


def logistic_transform(X, visible_shape, filters, bias, *, key, convention, output):
    """Every block through ``P(h_j = 1 | V) = sigmoid(filters[j] . V + bias[j])``.

    ``filters`` has shape ``(n_hidden, block_size)`` in the occupation convention. Returns
    ``(n_samples, *coarse_shape, n_hidden)``: probabilities (float64) for
    ``output='probability'``, else int8 samples in ``convention``.
    """
    bits = flat_bits(X)
    sites, coarse_shape = block_sites(np.shape(X)[1:], visible_shape)
    filters = np.ascontiguousarray(filters, dtype=np.float64)
    bias = np.ascontiguousarray(bias, dtype=np.float64)
    shape = (bits.shape[0], sites.shape[0], filters.shape[0])
    up, down = output_values(convention)
    if sites.shape[1] <= MAX_TABULATED_SITES:
        # Small blocks: one sigmoid per block state, then table lookups.
        table = expit(bias[:, None] + filters @ _block_states(sites.shape[1]).T)
        if output == "probability":
            out = np.empty(shape, dtype=np.float64)
            _blocking_kernels.tabulated_probabilities(bits, sites, table, out)
        else:
            out = np.empty(shape, dtype=np.int8)
            _blocking_kernels.tabulated_samples(bits, sites, table, key, up, down, out)
    elif output == "probability":
        out = np.empty(shape, dtype=np.float64)
        _blocking_kernels.logistic_probabilities(bits, sites, filters, bias, out)
    else:
        out = np.empty(shape, dtype=np.int8)
        _blocking_kernels.logistic_samples(bits, sites, filters, bias, key, up, down, out)
    return out.reshape((bits.shape[0], *coarse_shape, filters.shape[0]))


def majority_transform(X, visible_shape, *, key, convention, output):
    """Every block to its majority (ties drawn at random), or to ``P(up)``; ``(n_samples, *coarse)``."""
    bits = flat_bits(X)
    sites, coarse_shape = block_sites(np.shape(X)[1:], visible_shape)
    shape = (bits.shape[0], sites.shape[0])
    if output == "probability":
        out = np.empty(shape, dtype=np.float64)
        _blocking_kernels.majority_probabilities(bits, sites, out)
    else:
        out = np.empty(shape, dtype=np.int8)
        up, down = output_values(convention)
        _blocking_kernels.majority_samples(bits, sites, key, up, down, out)
    return out.reshape((bits.shape[0], *coarse_shape))
