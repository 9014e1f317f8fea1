"""The NumPy forms of the shared scalar functions and the enumeration of binary states."""

import itertools

import numpy as np
import pytest

from sklearn_rsmi._utils.numerics import enumerate_binary_states


def test_enumerate_binary_states_order():
    states = enumerate_binary_states(3)
    assert states.shape == (8, 3) and states.dtype == np.float64
    np.testing.assert_array_equal(states, np.array(list(itertools.product((0, 1), repeat=3))))
    assert enumerate_binary_states(0).shape == (1, 0)
    with pytest.raises(ValueError, match="too many"):
        enumerate_binary_states(31)
