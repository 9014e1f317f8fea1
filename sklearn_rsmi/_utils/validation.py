"""Input checks shared by every estimator: value conventions and lattice shapes.

Two value conventions are accepted for binary lattice data:

- ``"spin"``: values in {-1, +1} (Ising spins);
- ``"occupation"``: values in {0, 1} (dimers present or absent, bits).

Internally every model works on occupations ``x = (s + 1) / 2``; outputs that are
lattices again (coarse-grained samples) are mapped back to the caller's convention.
"""

import numbers

import numpy as np
import scipy.sparse as sp

SPIN = "spin"
OCCUPATION = "occupation"


def check_dense(X, *, name="X"):
    """Raise a TypeError for scipy sparse input, which lattice samples never are."""
    if sp.issparse(X):
        raise TypeError(
            f"Sparse input is not supported: {name} is a {type(X).__name__}; lattice samples "
            f"are dense, pass {name}.toarray()."
        )


def _check_numeric(X, name):
    """Raise a TypeError (or ValueError for complex numbers) unless ``X`` is a real numeric array."""
    if np.iscomplexobj(X):
        raise ValueError(f"Complex data not supported: {name} has dtype {X.dtype}.")
    if X.dtype == object or not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {X.dtype}.")


def infer_value_convention(X, *, name="X"):
    """Return ``"spin"`` or ``"occupation"`` for binary data, else raise.

    This is the one check that data are binary. Data with a -1 anywhere is spin data; data
    inside {0, 1} is occupation data (an all-(+1) array is therefore read as occupations:
    pass the convention explicitly where that matters).
    """
    check_dense(X, name=name)
    X = np.asarray(X)
    _check_numeric(X, name)
    if X.size == 0:
        n_features = int(np.prod(X.shape[1:])) if X.ndim > 1 else 0
        raise ValueError(
            f"{name} is empty: {n_features} feature(s) (shape={X.shape}) while a minimum of 1 "
            "is required."
        )
    if np.issubdtype(X.dtype, np.floating) and not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinity.")
    if X.dtype.kind in "biu":
        # Integers need no sort: the extremes, and whether a zero hides among -1 and +1,
        # settle it. np.unique on a paper-size RG level (82 million sites) took seconds
        # and hundreds of MB.
        low, high = X.min(), X.max()
        if low >= 0 and high <= 1:
            return OCCUPATION
        if low == -1 and high <= 1 and np.count_nonzero(X) == X.size:
            return SPIN
    values = np.unique(X)
    if np.all(np.isin(values, (0, 1))):
        return OCCUPATION
    if np.all(np.isin(values, (-1, 1))):
        return SPIN
    shown = ", ".join(str(v) for v in values[:6]) + (", ..." if values.size > 6 else "")
    raise ValueError(
        f"{name} must be binary, with values in {{-1, +1}} (spins) or {{0, 1}} "
        f"(occupations); found values {shown}."
    )


def check_occupations(X, name, n_columns=None):
    """Return ``X`` as float64 rows of occupations in {0, 1}, or raise naming the problem.

    For the internal arrays of the objectives (``V``, ``E``, visible states), whose
    convention has already been mapped: spins here are a caller's mistake.
    """
    X = np.asarray(X)
    _check_numeric(X, name)
    X = X.astype(np.float64)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2D (rows, sites), got shape {X.shape}.")
    if n_columns is not None and X.shape[1] != n_columns:
        raise ValueError(f"{name} has {X.shape[1]} columns (sites), expected {n_columns}.")
    if not np.all((X == 0.0) | (X == 1.0)):
        raise ValueError(f"{name} must hold occupations in {{0, 1}} (convert spins first).")
    return X


def to_spins(X, *, name="samples", copy=True):
    """Binary samples (spins or occupations) as a new int8 array of +-1 (occupation 1 is +1).

    With ``copy=False``, int8 spins come back as they are (for read-only use: no copy of a
    large sample set just to measure it).
    """
    X = np.asarray(X)
    convention = infer_value_convention(X, name=name)
    if not copy and convention == SPIN and X.dtype == np.int8:
        return X
    # int8 arithmetic in place: no int64 temporary the size of the samples.
    spins = np.array(X, dtype=np.int8, copy=True)
    if convention == OCCUPATION:
        spins *= 2
        spins -= 1
    return spins


def to_occupation(X, convention):
    """Map binary data of the given convention to float64 occupations in {0, 1}."""
    if convention == SPIN:
        return (np.asarray(X, dtype=np.float64) + 1.0) * 0.5
    # Always a fresh array: callers may write into it, the caller's data must not change.
    return np.array(X, dtype=np.float64, copy=True)


def from_occupation(X, convention, dtype=np.int8):
    """Map occupations in {0, 1} back to the given convention."""
    X = np.asarray(X)
    if convention == SPIN:
        return (2 * X - 1).astype(dtype)
    return X.astype(dtype)


def check_probabilities_or_spins(X, *, name="X"):
    """Map binary or probability data to fresh float64 occupation probabilities in [0, 1].

    The rule is stateless, so every method of an estimator can apply it on its own:

    - no negative value: the data are occupations ``{0, 1}`` or probabilities in
      ``[0, 1]``, returned as they are (as a new float64 array);
    - any negative value: the data are spins, every value must then be -1 or +1, and
      ``x = (s + 1) / 2`` is returned. +1 maps to 1 in both readings, so an all-(+1)
      array means the same either way.

    Anything else (NaN, infinity, values above 1, negative values that are not -1, spins
    mixed with 0 or fractions) raises a ValueError that says what was found; non-numeric
    data raise a TypeError.

    Examples
    --------
    >>> check_probabilities_or_spins([[-1, 1], [1, -1]])
    array([[0., 1.],
           [1., 0.]])
    >>> check_probabilities_or_spins([[0.25, 1.0]])
    array([[0.25, 1.  ]])
    """
    X = np.asarray(X)
    if np.iscomplexobj(X):
        raise TypeError(f"{name} must be a numeric array, got dtype {X.dtype}.")
    _check_numeric(X, name)
    X = np.array(X, dtype=np.float64, copy=True)
    if X.size == 0:
        return X
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinity.")
    if X.min() < 0:
        bad = X[np.abs(X) != 1.0]
        if bad.size:
            shown = ", ".join(str(v) for v in np.unique(bad)[:6])
            raise ValueError(
                f"{name} has negative values, so it is read as spins in {{-1, +1}}, but it also "
                f"holds {shown}: spins cannot be mixed with occupations or probabilities."
            )
        X += 1.0
        X *= 0.5
        return X
    if X.max() > 1:
        shown = ", ".join(str(v) for v in np.unique(X[X > 1])[:6])
        raise ValueError(
            f"{name} must hold occupations or probabilities in [0, 1], or spins in "
            f"{{-1, +1}}; found values above 1: {shown}."
        )
    return X


def check_positive_int(value, name, minimum=1):
    """Return ``value`` as an int if it is an integer >= ``minimum``, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def check_temperature(T, name="temperature"):
    """Return ``T`` as a float if it is a finite positive number, else raise."""
    if isinstance(T, bool) or not isinstance(T, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {T!r}.")
    T = float(T)
    if not np.isfinite(T) or T <= 0:
        raise ValueError(f"{name} must be finite and > 0, got {T}.")
    return T


def check_verbose(verbose):
    """Return ``verbose`` as an int >= 0 (True and False count as 1 and 0), else raise."""
    if isinstance(verbose, (bool, np.bool_)):
        return int(verbose)
    if not isinstance(verbose, numbers.Integral):
        raise TypeError(
            f"verbose must be an integer >= 0, got {verbose!r} of type {type(verbose).__name__}."
        )
    if verbose < 0:
        raise ValueError(f"verbose must be >= 0, got {verbose}.")
    return int(verbose)
