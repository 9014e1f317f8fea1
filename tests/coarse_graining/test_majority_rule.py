"""MajorityRuleCoarseGrainer: the majority of every block, fair and independent tie-breaks."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rsmi.coarse_graining import MajorityRuleCoarseGrainer, tile_blocks
from sklearn_rsmi.rg import make_rg_pipeline, rg_levels


@settings(max_examples=30)
@given(
    ndim=st.sampled_from([1, 2, 3]),
    block=st.integers(1, 4),
    n_blocks=st.integers(1, 4),
    spins=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_every_block_gets_its_majority(ndim, block, n_blocks, spins, seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(4, *(block * n_blocks,) * ndim)).astype(np.int8)
    X = 2 * X - 1 if spins else X
    cg = MajorityRuleCoarseGrainer(visible_shape=(block,) * ndim, random_state=seed).fit(X)
    balance = (2 * tile_blocks(X > 0, (block,) * ndim).astype(int) - 1).sum(axis=-1)
    sampled = cg.transform(X)
    up, down = (1, -1) if spins else (1, 0)
    np.testing.assert_array_equal(sampled[balance > 0], up)
    np.testing.assert_array_equal(sampled[balance < 0], down)
    assert set(np.unique(sampled[balance == 0])) <= {up, down}
    probability = cg.set_params(output="probability").transform(X)
    np.testing.assert_array_equal(probability, np.sign(balance) * 0.5 + 0.5)


def test_ties_are_fair_and_independent():
    """Lattices whose every 2x2 block is a tie: odd rows are the negated even rows, and the
    even rows are random, so that the 2,000 samples are distinct (their keys differ)."""
    rng = np.random.default_rng(0)
    even_rows = rng.choice([-1, 1], size=(2000, 8, 16))
    X = np.stack([even_rows, -even_rows], axis=2).reshape(2000, 16, 16).astype(np.int8)
    ties = MajorityRuleCoarseGrainer(random_state=0).fit(X).transform(X).astype(float)
    assert abs(ties.mean()) < 4 / np.sqrt(ties.size)
    # Neighboring blocks and consecutive samples do not share their draws.
    assert abs(np.mean(ties[:, :, 1:] * ties[:, :, :-1])) < 4 / np.sqrt(ties[:, :, 1:].size)
    assert abs(np.mean(ties[1:] * ties[:-1])) < 4 / np.sqrt(ties[1:].size)


def test_cubic_ties_four_against_four_are_fair_and_independent():
    """2x2x2 blocks: a block whose lower half is the negated upper half is a tie; the upper
    halves are random, so the samples and blocks are distinct."""
    rng = np.random.default_rng(7)
    upper = rng.choice([-1, 1], size=(1000, 4, 1, 8, 8))
    X = np.concatenate([upper, -upper], axis=2).reshape(1000, 8, 8, 8).astype(np.int8)
    cg = MajorityRuleCoarseGrainer(visible_shape=(2, 2, 2), random_state=0).fit(X)
    np.testing.assert_array_equal(cg.set_params(output="probability").transform(X), 0.5)
    ties = cg.set_params(output="sample").transform(X).astype(float)
    assert ties.shape == (1000, 4, 4, 4)
    assert abs(ties.mean()) < 4 / np.sqrt(ties.size)
    assert abs(np.mean(ties[..., 1:] * ties[..., :-1])) < 4 / np.sqrt(ties[..., 1:].size)
    assert abs(np.mean(ties[:, 1:] * ties[:, :-1])) < 4 / np.sqrt(ties[:, 1:].size)
    assert abs(np.mean(ties[1:] * ties[:-1])) < 4 / np.sqrt(ties[1:].size)


def test_same_configuration_same_draws_in_any_call():
    rng = np.random.default_rng(1)
    X = rng.choice([-1, 1], size=(300, 8, 8)).astype(np.int8)
    cg = MajorityRuleCoarseGrainer(random_state=3).fit(X)
    whole = cg.transform(X)
    np.testing.assert_array_equal(np.concatenate([cg.transform(X[:100]), cg.transform(X[100:])]),
                                  whole)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(cg)).transform(X), whole)
    other = MajorityRuleCoarseGrainer(random_state=4).fit(X).transform(X)
    assert np.any(other != whole)


def test_spin_flip_symmetry_in_distribution():
    """Flipping the input flips the output's law: the mean coarse spin of ties is 0 either way."""
    rng = np.random.default_rng(2)
    X = rng.choice([-1, 1], size=(4000, 4, 4)).astype(np.int8)
    cg = MajorityRuleCoarseGrainer(random_state=0).fit(X)
    for sign in (1, -1):
        assert abs(cg.transform(sign * X).mean()) < 4 / np.sqrt(4000 * 4)


def test_in_an_rg_pipeline():
    X = np.random.default_rng(5).choice([-1, 1], size=(10, 16, 16)).astype(np.int8)
    pipe = make_rg_pipeline(3, coarse_grainer=MajorityRuleCoarseGrainer(), random_state=0).fit(X)
    assert [level.shape for level in rg_levels(pipe, X)] == [
        (10, 16, 16), (10, 8, 8), (10, 4, 4), (10, 2, 2)]
    cubic = np.random.default_rng(6).choice([-1, 1], size=(3, 16, 16, 16)).astype(np.int8)
    before = cubic.copy()
    pipe = make_rg_pipeline(3, coarse_grainer=MajorityRuleCoarseGrainer(visible_shape=(2, 2, 2)),
                            random_state=0).fit(cubic)
    assert [level.shape for level in rg_levels(pipe, cubic)] == [
        (3, 16, 16, 16), (3, 8, 8, 8), (3, 4, 4, 4), (3, 2, 2, 2)]
    np.testing.assert_array_equal(cubic, before)


def test_bad_input_is_rejected():
    cg = MajorityRuleCoarseGrainer().fit(np.ones((2, 4, 4), dtype=np.int8))
    with pytest.raises(ValueError, match="binary"):
        cg.transform(np.full((2, 4, 4), 0.5))
    with pytest.raises(ValueError, match="not tiled"):
        cg.transform(np.ones((2, 5, 5), dtype=np.int8))
    with pytest.raises(ValueError, match="1D lattices"):
        cg.transform(np.ones((2, 8), dtype=np.int8))
    cubic = MajorityRuleCoarseGrainer(visible_shape=(2, 2, 2)).fit(np.ones((2, 4, 4, 4)))
    with pytest.raises(ValueError, match="not tiled by blocks 2x2x2"):
        cubic.transform(np.ones((2, 4, 4, 6 + 1), dtype=np.int8))
    with pytest.raises(ValueError, match="2D lattices, but the block"):
        cubic.transform(np.ones((2, 4, 4), dtype=np.int8))
    with pytest.raises(ValueError, match="3D lattices, but the block"):
        cg.transform(np.ones((2, 4, 4, 4), dtype=np.int8))
    with pytest.raises(ValueError, match="2D lattices, but the block"):
        MajorityRuleCoarseGrainer(visible_shape=(2, 2, 2)).fit(np.ones((2, 4, 4)))
    with pytest.raises(ValueError, match="visible_shape"):
        MajorityRuleCoarseGrainer(visible_shape=0).fit(np.ones((2, 4, 4)))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        MajorityRuleCoarseGrainer().transform(np.ones((2, 4, 4)))
