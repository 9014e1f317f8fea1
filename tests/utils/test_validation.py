"""Value conventions and input checks shared by every estimator."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sklearn_rsmi._utils.validation import (
    OCCUPATION,
    SPIN,
    check_dense,
    check_positive_int,
    check_probabilities_or_spins,
    check_temperature,
    from_occupation,
    infer_value_convention,
    to_occupation,
    to_spins,
)

shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)
binary_dtypes = st.sampled_from([np.int8, np.int16, np.int64, np.float32, np.float64])


@given(bits=hnp.arrays(np.bool_, shapes), dtype=binary_dtypes)
def test_spins_round_trip_through_occupations(bits, dtype):
    spins = np.where(bits, 1, -1).astype(dtype)
    before = spins.copy()
    convention = infer_value_convention(spins)
    # An array of +1 only has no -1 to tell spins from occupations; both readings agree on it.
    assert convention == (SPIN if np.any(spins == -1) else OCCUPATION)
    occupations = to_occupation(spins, SPIN)
    np.testing.assert_array_equal(occupations, bits.astype(float))
    np.testing.assert_array_equal(from_occupation(occupations, SPIN), spins)
    np.testing.assert_array_equal(spins, before)


@given(bits=hnp.arrays(np.bool_, shapes), dtype=binary_dtypes)
def test_occupations_are_read_as_occupations_and_copied(bits, dtype):
    X = bits.astype(dtype)
    assert infer_value_convention(X) == OCCUPATION
    occupations = to_occupation(X, OCCUPATION)
    occupations[...] = 7  # writing into the result must leave the caller's array alone
    np.testing.assert_array_equal(X, bits.astype(dtype))
    np.testing.assert_array_equal(from_occupation(bits.astype(float), OCCUPATION), X)


def test_booleans_are_occupations():
    assert infer_value_convention(np.array([[True, False]])) == OCCUPATION


@given(
    X=hnp.arrays(np.float64, shapes, elements=st.floats(-3, 3, allow_nan=False)),
)
def test_anything_not_binary_is_rejected_by_value(X):
    values = set(np.unique(X).tolist())
    if values <= {0.0, 1.0} or values <= {-1.0, 1.0}:
        assert infer_value_convention(X) in (SPIN, OCCUPATION)
    else:
        with pytest.raises(ValueError, match="must be binary"):
            infer_value_convention(X)


@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.array([[0.0, np.nan]]), ValueError, "NaN"),
        (np.array([[1.0, np.inf]]), ValueError, "NaN or infinity"),
        (np.zeros((3, 0)), ValueError, "empty"),
        (np.array([[1 + 1j, 0]]), ValueError, "Complex"),
        (np.array([["a", "b"]]), TypeError, "numeric"),
        (np.array([[None, 1]], dtype=object), TypeError, "numeric"),
        (sp.csr_matrix(np.eye(3)), TypeError, "Sparse"),
    ],
)
def test_bad_input_names_the_problem(X, error, match):
    with pytest.raises(error, match=match):
        infer_value_convention(X, name="samples")


def test_the_array_name_appears_in_messages():
    with pytest.raises(ValueError, match="^samples must be binary"):
        infer_value_convention(np.array([0, 2]), name="samples")
    with pytest.raises(TypeError, match="my_lattice"):
        check_dense(sp.eye(2), name="my_lattice")


@given(p=hnp.arrays(np.float64, shapes, elements=st.floats(0, 1)))
def test_probabilities_pass_unchanged_as_a_copy(p):
    out = check_probabilities_or_spins(p)
    np.testing.assert_array_equal(out, p)
    assert out is not p and not np.shares_memory(out, p)


@pytest.mark.parametrize(
    "X, match",
    [
        ([[-1, 0.5]], "spins"),
        ([[-0.5, 1]], "spins"),
        ([[0.0, 1.5]], "above 1"),
        ([[np.nan, 1]], "NaN"),
    ],
)
def test_probabilities_or_spins_rejects_mixtures(X, match):
    with pytest.raises(ValueError, match=match):
        check_probabilities_or_spins(np.array(X))


@given(value=st.integers(-5, 5), minimum=st.integers(0, 2))
def test_positive_int(value, minimum):
    if value >= minimum:
        assert check_positive_int(value, "n", minimum=minimum) == value
    else:
        with pytest.raises(ValueError, match=f"n must be >= {minimum}"):
            check_positive_int(value, "n", minimum=minimum)


@pytest.mark.parametrize("value", [1.0, True, "3", None])
def test_positive_int_rejects_non_integers(value):
    with pytest.raises(TypeError, match="n_samples must be an integer"):
        check_positive_int(value, "n_samples")


@given(T=st.floats(allow_nan=True, allow_infinity=True))
def test_temperature_must_be_finite_and_positive(T):
    if np.isfinite(T) and T > 0:
        assert check_temperature(T) == T
    else:
        with pytest.raises(ValueError, match="temperature must be finite and > 0"):
            check_temperature(T)


@pytest.mark.parametrize("T", ["2.0", None, True])
def test_temperature_must_be_a_number(T):
    with pytest.raises(TypeError, match="temperature must be a real number"):
        check_temperature(T)


def test_to_spins_copies_unless_told_not_to_for_int8_spins():
    spins = np.array([[1, -1], [-1, 1]], dtype=np.int8)
    assert not np.shares_memory(to_spins(spins), spins)
    assert to_spins(spins, copy=False) is spins
    occupations = np.array([[1, 0]], dtype=np.int8)  # must be mapped: always a new array
    out = to_spins(occupations, copy=False)
    assert out.tolist() == [[1, -1]] and occupations.tolist() == [[1, 0]]
    wide = np.array([[1, -1]], dtype=np.int64)
    assert to_spins(wide, copy=False).dtype == np.int8
