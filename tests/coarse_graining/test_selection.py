"""Choosing the number of coarse variables from the information each adds."""

import numpy as np
import pytest

from sklearn_rsmi import RSMICoarseGrainer
from sklearn_rsmi.coarse_graining import information_per_unit
from sklearn_rsmi.datasets import make_ising


def test_two_independent_fields_need_two_units_and_no_more():
    """Two independent Ising chains on the even and odd sites of one chain: a block carries
    one relevant bit of each, so the second unit gains as much as the first and the third
    much less (the score itself keeps growing, so it would pick 3)."""
    a = make_ising(400, 32, 1.0, dimension=1, random_state=1)
    b = make_ising(400, 32, 1.0, dimension=1, random_state=2)
    X = np.empty((400, 64), dtype=np.int8)
    X[:, 0::2], X[:, 1::2] = a, b
    template = RSMICoarseGrainer(objective="variational", visible_shape=(4,), buffer_width=2,
                                 environment_width=2, unit_cell=(2,), n_windows=8000)
    curve = information_per_unit(X, max_hidden=3, coarse_grainer=template, random_state=0)
    assert curve.suggested_n_hidden == 2
    assert np.all(np.diff(curve.mutual_information) > -0.02)  # it never really falls
    assert curve.gain[1] > 0.5 * curve.gain[0] and curve.gain[2] < 0.5 * curve.gain[1]
    np.testing.assert_allclose(np.cumsum(curve.gain), curve.mutual_information)


def test_one_unit_is_one_unit_and_bad_input_is_refused():
    X = make_ising(200, 16, 2.269, random_state=0)
    template = RSMICoarseGrainer(objective="variational", n_epochs=5)
    curve = information_per_unit(X, max_hidden=1, coarse_grainer=template, random_state=0)
    assert curve.suggested_n_hidden == 1 and curve.n_hidden.tolist() == [1]
    with pytest.raises(ValueError, match="'max_hidden' parameter"):
        information_per_unit(X, max_hidden=0)
    with pytest.raises(ValueError, match="'test_size' parameter"):
        information_per_unit(X, test_size=1.5)
