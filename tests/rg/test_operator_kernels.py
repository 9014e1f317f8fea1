"""The bit-packed lattice-sum kernel against a direct product over sites, on raw tables."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rsmi.rg._operator_kernels import lattice_sums


def direct(samples, row_length, row_table, shift, term_size, term_operator, n_operators):
    spins = np.where(samples > 0, 1, -1)
    n_rows = samples.shape[1] // row_length
    out = np.zeros((samples.shape[0], n_operators), dtype=np.int64)
    for t in range(row_table.shape[0]):
        for r in range(n_rows):
            for x in range(row_length):
                product = np.ones(samples.shape[0], dtype=np.int64)
                for m in range(term_size[t]):
                    row = row_table[t, m, r]
                    product *= spins[:, row * row_length + (x + shift[t, m]) % row_length]
                out[:, term_operator[t]] += product
    return out


@settings(max_examples=25)
@given(
    n_rows=st.integers(1, 4),
    row_length=st.sampled_from([1, 3, 63, 64, 65, 130]),
    n_terms=st.integers(1, 4),
    max_size=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_kernel_matches_the_direct_product(n_rows, row_length, n_terms, max_size, seed):
    rng = np.random.default_rng(seed)
    samples = rng.choice([-1, 0, 1], size=(2, n_rows * row_length)).astype(np.int8)
    row_table = rng.integers(0, n_rows, size=(n_terms, max_size, n_rows))
    shift = rng.integers(0, row_length, size=(n_terms, max_size))
    term_size = rng.integers(1, max_size + 1, size=n_terms)
    term_operator = rng.integers(0, 2, size=n_terms)
    out = np.zeros((2, 2), dtype=np.int64)
    lattice_sums(samples, row_length, row_table, shift, 0, term_size, term_operator, out)
    expected = direct(samples, row_length, row_table, shift, term_size, term_operator, 2)
    np.testing.assert_array_equal(out, expected)
