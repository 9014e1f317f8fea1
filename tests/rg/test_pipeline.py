"""RG pipelines: one clone of the template per step, and the levels of a fitted pipeline."""


import numpy as np
import pytest
from sklearn.pipeline import Pipeline

from sklearn_rsmi.rg import (
    make_rg_pipeline,
    rg_levels,
)
from tests._helpers import MajorityRule


def test_make_rg_pipeline_names_clones_and_params():
    pipe = make_rg_pipeline(3, coarse_grainer=MajorityRule(), random_state=4)
    assert [name for name, _ in pipe.steps] == ["rg1", "rg2", "rg3"]
    steps = [step for _, step in pipe.steps]
    assert len({id(s) for s in steps}) == 3
    assert all(s.random_state == 4 for s in steps)
    with pytest.raises(ValueError, match="n_steps"):
        make_rg_pipeline(0, coarse_grainer=MajorityRule())
    with pytest.raises(TypeError, match="'coarse_grainer' parameter of make_rg_pipeline must be an object implementing 'fit' and 'transform'"):
        make_rg_pipeline(2, coarse_grainer=object())


def test_pipeline_fit_transform_is_iterated_rg_and_levels_are_inspectable():
    X = np.where(np.random.default_rng(0).random((5, 16, 16)) < 0.5, -1, 1).astype(np.int8)
    X_before = X.copy()
    pipe = Pipeline([("rg1", MajorityRule(random_state=0)), ("rg2", MajorityRule(random_state=1))])
    out = pipe.fit_transform(X)
    levels = rg_levels(pipe, X)
    assert [lv.shape for lv in levels] == [(5, 16, 16), (5, 8, 8), (5, 4, 4)]
    np.testing.assert_array_equal(levels[-1], out)
    # Independent check of level 1: majority of each 2x2 block where it is not a tie.
    sums = X.reshape(5, 8, 2, 8, 2).sum(axis=(2, 4))
    decided = sums != 0
    np.testing.assert_array_equal(levels[1][decided], np.sign(sums)[decided])
    np.testing.assert_array_equal(X, X_before)


def test_cubic_pipeline_levels_and_block_checks():
    from sklearn.preprocessing import FunctionTransformer

    from sklearn_rsmi import RSMICoarseGrainer
    from sklearn_rsmi.rg._pipeline import _block_size, _check_lattice_can_halve

    def decimate(X):
        return X[:, ::2, ::2, ::2]

    X = np.arange(3 * 8**3).reshape(3, 8, 8, 8)
    pipe = make_rg_pipeline(2, coarse_grainer=FunctionTransformer(decimate)).fit(X)
    levels = rg_levels(pipe, X)
    assert [lv.shape for lv in levels] == [(3, 8, 8, 8), (3, 4, 4, 4), (3, 2, 2, 2)]
    np.testing.assert_array_equal(levels[2][:, 1, 0, 1], X[:, 4, 0, 4])  # sites 4 apart

    cubic = make_rg_pipeline(3, visible_shape=(2, 2, 2))
    assert all(step.visible_shape == (2, 2, 2) for _, step in cubic.steps)
    assert _block_size(cubic.steps) == 2
    _check_lattice_can_halve(16, 2, 3)
    with pytest.raises(ValueError, match=r"square or cubic blocks .* visible_shape=\(2, 2, 4\)"):
        _block_size([("rg1", RSMICoarseGrainer(visible_shape=(2, 2, 4)))])
