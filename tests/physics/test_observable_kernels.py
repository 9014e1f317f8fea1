import numpy as np
import pytest

from sklearn_rsmi.physics._observable_kernels import square_lattice_sums


@pytest.mark.parametrize("shape", [(4, 6, 6), (3, 2, 5), (2, 7, 2), (1, 1, 4)])
def test_square_lattice_sums_match_rolled_products(shape):
    rng = np.random.default_rng(0)
    spins = rng.choice(np.array([-1, 1], dtype=np.int8), size=shape)
    s = spins.astype(np.int64)
    right, down = np.roll(s, -1, axis=2), np.roll(s, -1, axis=1)
    nearest = (s * right + s * down).sum(axis=(1, 2))
    diagonal = (s * np.roll(right, -1, axis=1) + s * np.roll(right, 1, axis=1)).sum(axis=(1, 2))
    got = square_lattice_sums(spins)
    np.testing.assert_array_equal(got[0], nearest)
    np.testing.assert_array_equal(got[1], diagonal)
    np.testing.assert_array_equal(got[2], s.sum(axis=(1, 2)))
