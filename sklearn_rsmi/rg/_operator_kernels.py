"""numba kernel of the operators' lattice sums, on bit-packed rows.

The product of spins ``+-1`` is ``(-1)^(number of down spins)``, so with one bit per site
(1 for a down spin) the product of a term over 64 consecutive sites is the popcount
parity of the XOR of the term's rows, each shifted by its offset: a sum over a row costs a
few word operations per 64 sites instead of a multiplication per site and factor.

Samples arrive flattened, ``(n_samples, n_sites)`` (any binary convention: a value > 0 is
up), their sites in C order. A lattice is a stack of rows along its last axis; the kernel
sees only those rows: ``row_table[t, m, r]`` is the row that factor ``m`` of term ``t``
reads for base row ``r`` (periodic wrap in every other axis already applied), and
``shift[t, m]`` its offset along the row. Nothing else of the lattice's dimension or shape
reaches it.
"""

import numpy as np
from numba import njit, prange

_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


@njit(cache=True, inline="always")
def _popcount(x):
    x = x - ((x >> np.uint64(1)) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return (x * _H01) >> np.uint64(56)


@njit(cache=True, inline="always")
def _window(words, row, position):
    """64 bits of a packed row starting at bit ``position``."""
    word = position >> 6
    bit = position & 63
    low = words[row, word] >> np.uint64(bit)
    if bit == 0:
        return low
    return low | (words[row, word + 1] << np.uint64(64 - bit))


@njit(cache=True, parallel=True)
def lattice_sums(samples, row_length, row_table, shift, before, term_size, term_operator, out):
    """``out[s, a] += sum over terms t of a, sites i: prod_m s_(i + offset_(t, m))``.

    ``samples`` is ``(n_samples, n_rows * row_length)``; ``row_table`` is ``(n_terms,
    max_term_size, n_rows)`` and ``shift`` ``(n_terms, max_term_size)``, of which the first
    ``term_size[t]`` factors count; ``before`` is the largest negative shift (as a positive
    number). ``out`` is int64, zeroed by the caller.
    """
    n_samples = samples.shape[0]
    n_terms, _, n_rows = row_table.shape
    # A row's bits run from x = -before to row_length + after, wrapped, plus a spare word.
    after = 0
    for t in range(n_terms):
        for m in range(term_size[t]):
            after = max(after, shift[t, m])
    n_bits = row_length + before + after
    n_words = (n_bits + 63) // 64 + 1
    n_chunks = (row_length + 63) // 64
    tail = row_length - 64 * (n_chunks - 1)
    tail_mask = np.uint64(0xFFFFFFFFFFFFFFFF) if tail == 64 else (
        (np.uint64(1) << np.uint64(tail)) - np.uint64(1))
    for s in prange(n_samples):
        words = np.zeros((n_rows, n_words), dtype=np.uint64)
        for r in range(n_rows):
            first = r * row_length
            for w in range(n_words - 1):
                acc = np.uint64(0)
                for b in range(min(64, n_bits - 64 * w)):
                    x = 64 * w + b - before
                    if x < 0:
                        x += row_length
                    elif x >= row_length:
                        x -= row_length
                    acc |= np.uint64(samples[s, first + x] <= 0) << np.uint64(b)
                words[r, w] = acc
        for t in range(n_terms):
            k = term_size[t]
            down = 0
            for r in range(n_rows):
                for c in range(n_chunks):
                    acc = np.uint64(0)
                    for m in range(k):
                        acc ^= _window(words, row_table[t, m, r], 64 * c + shift[t, m] + before)
                    if c == n_chunks - 1:
                        acc &= tail_mask
                    down += _popcount(acc)
            out[s, term_operator[t]] += n_rows * row_length - 2 * down
