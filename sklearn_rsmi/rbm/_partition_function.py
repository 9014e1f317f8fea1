"""The partition function ``Z`` of a Bernoulli RBM: exact by enumeration, or by AIS."""

from collections import namedtuple
from numbers import Integral

import numpy as np
from scipy.special import expit, logsumexp
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._utils.numerics import enumerate_binary_states, softplus
from .._utils.seeding import draw_keys
from . import _kernels as kernels
from ._parameters import check_rbm_parameters, layer_free_energy

#: Exact log Z enumerates 2**m states of the smaller layer; 2**20 is about a second.
MAX_EXACT_UNITS = 20
# Past this the enumeration is refused outright (2**30 states).
_MAX_ENUMERATED_UNITS = 30
_ENUMERATION_CHUNK = 1 << 14
# AIS chains per parallel block: the blocks, not the threads, fix the random streams.
_AIS_BLOCK = 16
_LOG_2 = float(np.log(2.0))

LogPartitionEstimate = namedtuple("LogPartitionEstimate", ["log_z", "std_err", "method"])
LogPartitionEstimate.__doc__ = """\
An estimate of ``log Z``.

log_z : float
    The estimate.
std_err : float
    Its standard error: 0.0 for ``method="exact"``; for ``"ais"`` the delta-method error
    ``std(w) / (sqrt(n_chains) mean(w))`` of the importance weights ``w``.
method : {"exact", "ais"}
    How it was computed.
"""


@validate_params(
    {
        "weights": ["array-like"],
        "visible_bias": ["array-like"],
        "hidden_bias": ["array-like"],
        "enumerated_layer": [StrOptions({"auto", "hidden", "visible"})],
    },
    prefer_skip_nested_validation=True,
)
def exact_log_partition_function(weights, visible_bias, hidden_bias, *, enumerated_layer="auto"):
    """Exact ``log Z`` of a Bernoulli RBM by enumerating the states of one layer.

    The other layer is summed out analytically: enumerating hidden states ``h``,
    ``Z = sum_h exp(c.h) prod_i (1 + exp(a_i + (W^T h)_i))``; enumerating visible states,
    ``Z = sum_v exp(-F(v))``. States are processed in chunks of 2**14 and combined with
    ``logsumexp``, so memory stays bounded and nothing overflows.

    Parameters
    ----------
    weights : array-like of shape (n_hidden, n_visible)
        Couplings ``W`` (a fitted model's ``components_``).
    visible_bias : array-like of shape (n_visible,)
        Visible biases ``a`` (``intercept_visible_``).
    hidden_bias : array-like of shape (n_hidden,)
        Hidden biases ``c`` (``intercept_hidden_``).
    enumerated_layer : {"auto", "hidden", "visible"}, default="auto"
        Which layer's ``2**m`` states to enumerate; "auto" takes the smaller one.

    Returns
    -------
    log_z : float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.rbm import exact_log_partition_function
    >>> weights = np.zeros((2, 3))
    >>> log_z = exact_log_partition_function(weights, np.zeros(3), np.zeros(2))
    >>> bool(np.isclose(log_z, 5 * np.log(2)))
    True
    """
    weights, visible_bias, hidden_bias = check_rbm_parameters(weights, visible_bias, hidden_bias)
    n_hidden, n_visible = weights.shape
    if enumerated_layer == "auto":
        enumerated_layer = "hidden" if n_hidden <= n_visible else "visible"
    if enumerated_layer == "hidden":
        coupling, own_bias, other_bias, m = weights, hidden_bias, visible_bias, n_hidden
    else:
        coupling, own_bias, other_bias, m = (np.ascontiguousarray(weights.T), visible_bias,
                                             hidden_bias, n_visible)
    if m > _MAX_ENUMERATED_UNITS:
        raise ValueError(
            f"Enumerating the {enumerated_layer} layer means 2**{m} states; exact log Z is "
            f"for layers of at most {MAX_EXACT_UNITS} or so units. Use AIS."
        )
    n_states = 1 << m
    chunk_logs = []
    for start in range(0, n_states, _ENUMERATION_CHUNK):
        states = enumerate_binary_states(m, start, min(start + _ENUMERATION_CHUNK, n_states))
        chunk_logs.append(logsumexp(-layer_free_energy(states, coupling, own_bias, other_bias)))
    return float(logsumexp(chunk_logs))


def _ais_betas(n_betas):
    # Denser near beta = 1, where the distributions change fastest for trained RBMs
    # (the 500 / 4000 / 10000 split of Salakhutdinov & Murray, ICML 2008, made proportional).
    return np.interp(np.linspace(0.0, 1.0, n_betas), [0.0, 0.05, 0.45, 1.0], [0.0, 0.5, 0.9, 1.0])


@validate_params(
    {
        "weights": ["array-like"],
        "visible_bias": ["array-like"],
        "hidden_bias": ["array-like"],
        "base_visible_bias": ["array-like", None],
        "n_chains": [Interval(Integral, 2, None, closed="left")],
        "n_betas": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def ais_log_partition_function(weights, visible_bias, hidden_bias, *, base_visible_bias=None,
                               n_chains=100, n_betas=10000, random_state=None):
    """Annealed importance sampling estimate of ``log Z`` of a Bernoulli RBM.

    The chains start in a base-rate model (independent visible units with biases
    ``base_visible_bias``, no couplings, uniform hidden units), whose ``log Z_0`` is known,
    and are annealed to the RBM through ``n_betas`` intermediate distributions with one
    Gibbs sweep each (Salakhutdinov & Murray, ICML 2008). ``log Z`` is
    ``log Z_0 + log mean(w)``; the estimate of ``Z`` is unbiased, so that of ``log Z`` is
    biased low by about ``std_err**2 / 2``.

    Parameters
    ----------
    weights, visible_bias, hidden_bias : array-like
        Couplings (n_hidden, n_visible), visible and hidden biases.
    base_visible_bias : array-like of shape (n_visible,), default=None
        Biases of the base model; the logits of the data's mean occupations are the usual
        choice. None takes ``visible_bias``.
    n_chains : int, default=100
        Independent annealing runs, >= 2.
    n_betas : int, default=10000
        Inverse temperatures from 0 to 1, >= 2.
    random_state : int, RandomState instance or None, default=None
        Seeds the starting states and the Gibbs sweeps. The result does not depend on the
        number of numba threads.

    Returns
    -------
    estimate : LogPartitionEstimate
        ``(log_z, std_err, "ais")``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.rbm import ais_log_partition_function, exact_log_partition_function
    >>> weights = np.full((3, 4), 0.5)
    >>> estimate = ais_log_partition_function(weights, np.zeros(4), np.zeros(3), n_betas=200,
    ...                                       random_state=0)
    >>> exact = exact_log_partition_function(weights, np.zeros(4), np.zeros(3))
    >>> bool(abs(estimate.log_z - exact) < 0.05)
    True
    """
    weights, visible_bias, hidden_bias = check_rbm_parameters(weights, visible_bias, hidden_bias)
    n_hidden, n_visible = weights.shape
    base = visible_bias if base_visible_bias is None else np.ascontiguousarray(
        base_visible_bias, dtype=np.float64)
    if base.shape != (n_visible,) or not np.all(np.isfinite(base)):
        raise ValueError(f"base_visible_bias must be {n_visible} finite numbers.")
    rng = check_random_state(random_state)
    v = (rng.random_sample((n_chains, n_visible)) < expit(base)).astype(np.float64)
    log_w = kernels.ais_log_weights(weights, visible_bias, hidden_bias, base,
                                    _ais_betas(n_betas), v, draw_keys(rng), _AIS_BLOCK)
    log_z0 = float(softplus(base).sum()) + n_hidden * _LOG_2
    log_mean_w = float(logsumexp(log_w) - np.log(n_chains))
    w = np.exp(log_w - log_w.max())
    std_err = float(w.std(ddof=1) / (np.sqrt(n_chains) * w.mean()))
    return LogPartitionEstimate(log_z0 + log_mean_w, std_err, "ais")
