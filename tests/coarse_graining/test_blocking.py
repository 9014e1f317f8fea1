"""The tiling transforms' shared parts: block site tables and per-sample keys of the noise."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rsmi.coarse_graining import tile_blocks
from sklearn_rsmi.coarse_graining._blocking import (
    block_sites,
    logistic_transform,
    majority_transform,
    transform_key,
)
from sklearn_rsmi.coarse_graining._blocking_kernels import sample_key


@settings(max_examples=30)
@given(ndim=st.sampled_from([1, 2]), block=st.integers(1, 3), n_blocks=st.integers(1, 4),
       seed=st.integers(0, 2**16))
def test_block_sites_follow_tile_blocks(ndim, block, n_blocks, seed):
    lattice = (block * n_blocks,) * ndim
    X = np.random.default_rng(seed).integers(0, 100, size=(2, *lattice))
    sites, grid = block_sites(lattice, (block,) * ndim)
    assert grid == (n_blocks,) * ndim
    expected = tile_blocks(X, (block,) * ndim).reshape(2, -1, block**ndim)
    np.testing.assert_array_equal(X.reshape(2, -1)[:, sites], expected)


@pytest.mark.parametrize("n_sites", [1, 63, 64, 65, 200])
def test_sample_key_depends_on_every_site_and_on_the_key(n_sites):
    rng = np.random.default_rng(n_sites)
    sample = rng.choice([-1, 1], size=n_sites).astype(np.int8)
    key = transform_key(0)
    base = sample_key(sample, key)
    keys = {int(base)}
    for i in range(n_sites):
        flipped = sample.copy()
        flipped[i] *= -1
        keys.add(int(sample_key(flipped, key)))
    assert len(keys) == n_sites + 1
    assert sample_key(sample, transform_key(1)) != base
    # Spins and occupations of the same configuration give the same key.
    assert sample_key(((sample + 1) // 2).astype(np.int8), key) == base
    # A longer lattice with the same leading sites is another sample.
    assert sample_key(np.r_[sample, np.int8(-1)], key) != base


def test_sampled_outputs_follow_their_probabilities():
    rng = np.random.default_rng(0)
    X = rng.choice([-1, 1], size=(3000, 4, 4)).astype(np.int8)
    filters, bias = np.array([[0.4, -1.0, 2.0, 0.3]]), np.array([-0.5])
    p = logistic_transform(X, (2, 2), filters, bias, key=transform_key(0), convention="spin",
                           output="probability")[..., 0]
    h = logistic_transform(X, (2, 2), filters, bias, key=transform_key(0), convention="spin",
                           output="sample")[..., 0]
    assert set(np.unique(h)) == {-1, 1}
    # Grouped by probability, the share of up spins is that probability.
    for value in np.unique(p):
        chosen = h[p == value]
        assert abs(np.mean(chosen == 1) - value) < 4 * np.sqrt(value * (1 - value) / chosen.size)
    occupations = logistic_transform(X, (2, 2), filters, bias, key=transform_key(0),
                                     convention="occupation", output="sample")[..., 0]
    np.testing.assert_array_equal(occupations, (h + 1) // 2)


def test_majority_probabilities_and_sample_shapes():
    X = np.array([[[1, 1, -1, -1], [1, -1, -1, -1]]], dtype=np.int8)
    p = majority_transform(X, (2, 2), key=transform_key(0), convention="spin",
                           output="probability")
    np.testing.assert_array_equal(p, [[[1.0, 0.0]]])
    h = majority_transform(X, (2, 2), key=transform_key(0), convention="occupation",
                           output="sample")
    np.testing.assert_array_equal(h, [[[1, 0]]])


def test_blocks_too_large_to_tabulate_take_the_direct_path():
    """A 4x4 block (16 sites, beyond the table) gives the same law as a hand computation."""
    rng = np.random.default_rng(1)
    X = rng.choice([-1, 1], size=(400, 8, 8)).astype(np.int8)
    filters, bias = rng.normal(size=(2, 16)), rng.normal(size=2)
    p = logistic_transform(X, (4, 4), filters, bias, key=transform_key(0), convention="spin",
                           output="probability")
    blocks = (tile_blocks(X, (4, 4)) > 0).astype(float)  # (400, 2, 2, 16)
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-(blocks @ filters.T + bias))), rtol=1e-12)
    h = logistic_transform(X, (4, 4), filters, bias, key=transform_key(0), convention="spin",
                           output="sample")
    assert abs(np.mean(h == 1) - p.mean()) < 4 * np.sqrt(0.25 / h.size)
    np.testing.assert_array_equal(
        logistic_transform(X[:7], (4, 4), filters, bias, key=transform_key(0), convention="spin",
                           output="sample"), h[:7])


def test_tabulated_and_direct_kernels_agree():
    from sklearn_rsmi.coarse_graining import _blocking_kernels
    from sklearn_rsmi.coarse_graining._blocking import _block_states

    rng = np.random.default_rng(2)
    bits = rng.choice([-1, 1], size=(50, 36)).astype(np.int8)
    sites, _ = block_sites((6, 6), (2, 3))
    filters, bias = rng.normal(size=(3, 6)), rng.normal(size=3)
    table = 1 / (1 + np.exp(-(bias[:, None] + filters @ _block_states(6).T)))
    direct = np.empty((50, sites.shape[0], 3))
    tabulated = np.empty_like(direct)
    _blocking_kernels.logistic_probabilities(bits, sites, filters, bias, direct)
    _blocking_kernels.tabulated_probabilities(bits, sites, table, tabulated)
    np.testing.assert_allclose(tabulated, direct, rtol=1e-12)
    key = transform_key(5)
    drawn = [np.empty((50, sites.shape[0], 3), dtype=np.int8) for _ in range(2)]
    _blocking_kernels.logistic_samples(bits, sites, filters, bias, key, 1, -1, drawn[0])
    _blocking_kernels.tabulated_samples(bits, sites, table, key, 1, -1, drawn[1])
    assert np.mean(drawn[0] != drawn[1]) < 0.001  # equal up to ties at the last bit
