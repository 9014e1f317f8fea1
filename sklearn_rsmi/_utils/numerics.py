"""NumPy forms of the scalar functions the models share, and the enumeration of binary states."""

import numpy as np

from .validation import check_positive_int

#: 2**30 states is the most any caller may enumerate (8 GiB of float64 rows at n = 1).
MAX_ENUMERATED_SITES = 30


def softplus(x):
    """``log(1 + exp(x))``, elementwise, without overflow."""
    return np.logaddexp(0.0, x)


def log_sigmoid(x):
    """``log(1 / (1 + exp(-x)))``, elementwise, finite for every finite ``x``."""
    return -np.logaddexp(0.0, -x)


def enumerate_binary_states(n_sites, start=0, stop=None):
    """Binary states of ``n_sites`` sites, rows ``start`` to ``stop - 1`` of their enumeration.

    Row ``s`` is the binary expansion of ``s`` with site 0 the **most** significant bit,
    ``states[s, i] = (s >> (n_sites - 1 - i)) & 1``: the order of
    ``itertools.product((0, 1), repeat=n_sites)`` and of ``np.unravel_index(s, (2,) * n_sites)``.

    Parameters
    ----------
    n_sites : int
        Number of sites, ``0 <= n_sites <= 30``.
    start, stop : int, default=0, None
        The range of rows; ``stop=None`` means ``2**n_sites``. Large enumerations are
        processed a range at a time.

    Returns
    -------
    states : ndarray of shape (stop - start, n_sites), float64

    Examples
    --------
    >>> enumerate_binary_states(2)
    array([[0., 0.],
           [0., 1.],
           [1., 0.],
           [1., 1.]])
    >>> enumerate_binary_states(3, start=5, stop=7)
    array([[1., 0., 1.],
           [1., 1., 0.]])
    """
    n_sites = check_positive_int(n_sites, "n_sites", minimum=0)
    if n_sites > MAX_ENUMERATED_SITES:
        raise ValueError(
            f"{n_sites} sites have 2**{n_sites} states: too many to enumerate (at most "
            f"{MAX_ENUMERATED_SITES} sites)."
        )
    stop = 2**n_sites if stop is None else stop
    index = np.arange(start, stop, dtype=np.int64)[:, None]
    shifts = np.arange(n_sites - 1, -1, -1, dtype=np.int64)[None, :]
    return ((index >> shifts) & 1).astype(np.float64)
