"""The RSMI objectives, their explicit gradients, and the mutual information ``I(H : E)`` in bits.

Notation (see ``ALGORITHM.md`` §3-§5 and the Methods of Koch-Janusz & Ringel):

- ``V`` is the visible block (``n_visible`` sites), ``E`` its environment, ``H`` the
  ``n_hidden`` coarse variables; every array is in the occupation convention {0, 1}.
- Theta-RBMs are any objects with ``components_`` (n_components, n_features),
  ``intercept_visible_`` and ``intercept_hidden_`` (scikit-learn's ``BernoulliRBM``, our
  ``ThetaRBM``), with free energy ``F(x) = -a.x - sum_k softplus(c_k + W_k.x)``. The joint
  RBM's features are ordered ``[V sites, E sites]``.
- Lambda: ``P(h_j = 1 | V) = sigmoid(a_j(V))``, ``a_j(V) = filters[j] . V + bias[j]``, and
  ``l_H(V) = log P_Lambda(H | V)``.
- ``g(V, E) = exp(F_V(V) - F_VE(V, E))`` is ``P_VE(V, E) / P_V(V)`` up to the ratio of the two
  partition functions, a constant: it is ``P_Theta(E | V)`` (times that constant) to the extent
  that the joint RBM's V-marginal agrees with the V-RBM, which holds approximately since both
  model the same data. ``log g`` does not depend on Lambda.
- ``q_H(V) = P(V | H) = P_Lambda(H | V) P_Theta(V) / P(H)``.

The objectives, averaged over data rows ``(V'_n, E_n)`` (optionally weighted), are

- ``estimator="paper"``: ``A = E_n sum_H P(H | V'_n) <log g(V, E_n)>_{q_H}`` (Eqs. 13-15 of the
  arXiv version: the Jensen proxy);
- ``estimator="exact"``: ``A* = E_n sum_H P(H | V'_n) log <g(V, E_n)>_{q_H}``, which is
  ``-H(E | H)`` plus a constant, so ``A <= A*`` and ``A* = I(H : E) ln 2 + const``.

Their gradients (ascent directions) are ``E_n sum_H P(H|V'_n) [d l_H(V'_n) (G - b_n) + dG]``
with ``G`` the inner term, ``b_n`` a baseline (``sum_H P(H|V'_n) d l_H(V'_n) = 0``, so it changes
nothing in expectation), ``dG = Cov_q(log g, d l_H)`` for the paper proxy and
``dG = E_r[d l_H] - E_q[d l_H]``, ``r ∝ q_H g``, for the exact one. The mutual information needs
no partition function:
``I(H : E) = E_{(E,H)} log <g>_{q_H} - E_E log <g>_{P_Theta(V)}``, reported in bits.

Averages over ``V`` are exact sums over all ``2**n_visible`` states for small blocks
(``visible_method="enumerate"``) or Monte Carlo averages over Gibbs samples of ``q_H``
(``"gibbs"``); sums over ``H`` are exact (``hidden_method="enumerate"``) or Monte Carlo over
``H ~ P_Lambda(H | V'_n)`` with a leave-one-out baseline (``"sample"``). Everything is computed
in log space (logsumexp, log-sigmoid), so filters of size 50 or more, where the map becomes
deterministic, give finite results.
"""

import numbers

import numpy as np
from scipy.special import expit, logsumexp

from . import _mi_kernels
from ._validation import check_positive_int

__all__ = [
    "RSMIObjective",
    "enumerate_binary_states",
    "free_energy",
    "visible_log_probabilities",
    "log_g_table",
    "hidden_log_likelihood",
    "objective_terms_from_tables",
    "mutual_information_from_tables",
]

#: Largest block whose ``2**n_visible`` states may be enumerated at all (2**20 states: the
#: ``log g`` table then costs ``2**20 * n_components`` softplus evaluations per data row).
MAX_ENUMERATED_VISIBLE = 20
#: Largest ``n_hidden`` whose ``2**n_hidden`` coarse states may be enumerated at all.
MAX_ENUMERATED_HIDDEN = 12
#: Default largest ``n_visible`` that ``visible_method="auto"`` enumerates (see RSMIObjective).
AUTO_ENUMERATED_VISIBLE = 10
#: Default largest ``n_hidden`` that ``hidden_method="auto"`` enumerates.
AUTO_ENUMERATED_HIDDEN = 6
#: A ``log g`` table for a whole training set is worth keeping below this many entries (256 MiB).
MAX_TABLE_ENTRIES = 2**25
# Temporaries of shape (rows, states) are processed in pieces of at most this many entries.
_CHUNK_ENTRIES = 2**21
_NORMALISATION_TOL = 1e-6
# Coarse states whose clamped chains stratify the Gibbs estimate of <g>_{P_Theta(V)}.
_MAX_STRATA = 16
# Persistent Gibbs chain sets kept (one per coarse state met), least recently used dropped first.
_MAX_CHAIN_SETS = 1024


# --------------------------------------------------------------------------- small pieces
def _softplus(x):
    return np.logaddexp(0.0, x)


def _log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def enumerate_binary_states(n):
    """All ``2**n`` binary states of ``n`` sites, in C (row-major) order.

    Parameters
    ----------
    n : int
        Number of sites, ``0 <= n <= 30``.

    Returns
    -------
    states : ndarray of shape (2**n, n), float64
        Row ``s`` is the binary expansion of ``s`` with site 0 as the **most** significant bit:
        ``states[s, i] = (s >> (n - 1 - i)) & 1``, the order of ``itertools.product((0, 1), repeat=n)``
        and of ``np.unravel_index(s, (2,) * n)``.

    Examples
    --------
    >>> enumerate_binary_states(2)
    array([[0., 0.],
           [0., 1.],
           [1., 0.],
           [1., 1.]])
    """
    n = check_positive_int(n, "n", minimum=0)
    if n > 30:
        raise ValueError(f"n = {n} sites have 2**{n} states: too many to enumerate (at most 30).")
    index = np.arange(2**n, dtype=np.int64)[:, None]
    shifts = np.arange(n - 1, -1, -1, dtype=np.int64)[None, :]
    return ((index >> shifts) & 1).astype(np.float64)


class _RBMParameters:
    """A float64 snapshot of a Theta-RBM's parameters (duck-typed, validated)."""

    def __init__(self, rbm, name, n_features=None):
        missing = [a for a in ("components_", "intercept_visible_", "intercept_hidden_")
                   if not hasattr(rbm, a)]
        if missing:
            raise TypeError(
                f"{name} must be a fitted RBM with components_, intercept_visible_ and "
                f"intercept_hidden_; {type(rbm).__name__} lacks {', '.join(missing)}."
            )
        weights = np.array(rbm.components_, dtype=np.float64, copy=True)
        visible_bias = np.array(rbm.intercept_visible_, dtype=np.float64, copy=True)
        hidden_bias = np.array(rbm.intercept_hidden_, dtype=np.float64, copy=True)
        if weights.ndim != 2:
            raise ValueError(f"{name}.components_ must be 2D, got shape {weights.shape}.")
        n_components, n_feat = weights.shape
        if visible_bias.shape != (n_feat,):
            raise ValueError(
                f"{name}.intercept_visible_ has shape {visible_bias.shape}, expected ({n_feat},) "
                f"to match components_ {weights.shape}."
            )
        if hidden_bias.shape != (n_components,):
            raise ValueError(
                f"{name}.intercept_hidden_ has shape {hidden_bias.shape}, expected "
                f"({n_components},) to match components_ {weights.shape}."
            )
        for label, array in (("components_", weights), ("intercept_visible_", visible_bias),
                             ("intercept_hidden_", hidden_bias)):
            if not np.all(np.isfinite(array)):
                raise ValueError(f"{name}.{label} contains NaN or infinity.")
        if n_features is not None and n_feat != n_features:
            raise ValueError(f"{name} has {n_feat} features, expected {n_features}.")
        self.weights = np.ascontiguousarray(weights)
        # (n_features, n_components), C order: row slices (the V or the E block) stay
        # contiguous, which keeps the products with data on the BLAS fast path.
        self.weights_T = np.ascontiguousarray(weights.T)
        self.visible_bias = visible_bias
        self.hidden_bias = hidden_bias
        self.n_features = n_feat
        self.n_components = n_components

    def free_energy(self, X):
        return -(X @ self.visible_bias) - _softplus(X @ self.weights_T + self.hidden_bias).sum(axis=1)


def _check_binary(X, name, n_columns=None):
    if isinstance(X, np.ndarray) and X.dtype == object:
        raise TypeError(f"{name} must be a numeric array, got dtype object.")
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array: {exc}") from None
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2D (rows, sites), got shape {X.shape}.")
    if n_columns is not None and X.shape[1] != n_columns:
        raise ValueError(f"{name} has {X.shape[1]} columns (sites), expected {n_columns}.")
    if not np.all((X == 0.0) | (X == 1.0)):
        raise ValueError(f"{name} must hold occupations in {{0, 1}} (convert spins first).")
    return X


def free_energy(rbm, X):
    """Free energy ``F(x) = -a.x - sum_k softplus(c_k + W_k.x)`` of a Bernoulli RBM.

    Parameters
    ----------
    rbm : object
        With ``components_``, ``intercept_visible_`` and ``intercept_hidden_``.
    X : array-like of shape (n_rows, n_features)
        Occupations in {0, 1}.

    Returns
    -------
    F : ndarray of shape (n_rows,)

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> rbm = SimpleNamespace(components_=np.zeros((1, 2)), intercept_visible_=np.ones(2),
    ...                       intercept_hidden_=np.zeros(1))
    >>> np.round(free_energy(rbm, [[1, 1]]), 4)
    array([-2.6931])
    """
    params = _RBMParameters(rbm, "rbm")
    return params.free_energy(_check_binary(X, "X", params.n_features))


def visible_log_probabilities(rbm_visible, V_states):
    """``log P_Theta(V_s)`` normalised exactly over the given states (all of them, normally).

    Parameters
    ----------
    rbm_visible : object
        The V-RBM.
    V_states : array-like of shape (n_states, n_visible)
        Usually ``enumerate_binary_states(n_visible)``.

    Returns
    -------
    log_p : ndarray of shape (n_states,)
        ``-F(V_s) - logsumexp(-F)``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> rbm = SimpleNamespace(components_=np.zeros((1, 1)), intercept_visible_=np.zeros(1),
    ...                       intercept_hidden_=np.zeros(1))
    >>> np.exp(visible_log_probabilities(rbm, enumerate_binary_states(1)))
    array([0.5, 0.5])
    """
    params = _RBMParameters(rbm_visible, "rbm_visible")
    V_states = _check_binary(V_states, "V_states", params.n_features)
    minus_F = -params.free_energy(V_states)
    return minus_F - logsumexp(minus_F)


def _joint_row_parts(joint, E, n_visible):
    """Row part of the joint RBM's pre-activations: ``(c + W_E.E_n, a_E.E_n)``."""
    activation = E @ joint.weights_T[n_visible:] + joint.hidden_bias
    return activation, E @ joint.visible_bias[n_visible:]


def _joint_state_parts(visible, joint, V_states):
    """State part: ``(W_V.V_s, F_V(V_s) + a_V.V_s)``."""
    n_visible = visible.n_features
    activation = np.ascontiguousarray(V_states @ joint.weights_T[:n_visible])
    offset = visible.free_energy(V_states) + V_states @ joint.visible_bias[:n_visible]
    return activation, offset


def log_g_table(rbm_visible, rbm_joint, V_states, E):
    """``log g(V_s, E_n) = F_V(V_s) - F_VE(V_s, E_n)`` for every row and every visible state.

    ``log g`` is ``log P_Theta(E | V)`` up to one constant and does not depend on Lambda:
    compute it once per batch (or once per training set) and reuse it.

    Parameters
    ----------
    rbm_visible : object
        The V-RBM (``n_visible`` features).
    rbm_joint : object
        The V u E RBM, features ordered ``[V sites, E sites]``.
    V_states : array-like of shape (n_states, n_visible)
        Visible states, in {0, 1}.
    E : array-like of shape (n_rows, n_environment)
        Environments, in {0, 1}.

    Returns
    -------
    log_g : ndarray of shape (n_rows, n_states)

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> zero = lambda n_features: SimpleNamespace(components_=np.zeros((1, n_features)),
    ...     intercept_visible_=np.zeros(n_features), intercept_hidden_=np.zeros(1))
    >>> log_g_table(zero(1), zero(2), enumerate_binary_states(1), [[0], [1]])
    array([[0., 0.],
           [0., 0.]])
    """
    visible = _RBMParameters(rbm_visible, "rbm_visible")
    joint = _RBMParameters(rbm_joint, "rbm_joint")
    n_visible = visible.n_features
    if joint.n_features <= n_visible:
        raise ValueError(
            f"rbm_joint has {joint.n_features} features, but it must model V ({n_visible} sites, "
            "the features of rbm_visible) followed by a non-empty E."
        )
    V_states = _check_binary(V_states, "V_states", n_visible)
    E = _check_binary(E, "E", joint.n_features - n_visible)
    state_activation, state_offset = _joint_state_parts(visible, joint, V_states)
    row_activation, row_offset = _joint_row_parts(joint, E, n_visible)
    return _mi_kernels.log_g_rows(
        np.ascontiguousarray(row_activation), row_offset, state_activation, state_offset
    )


def hidden_log_likelihood(filters, bias, V, H_states):
    """``l_H(V) = log P_Lambda(H | V)`` for every row of ``V`` and every row of ``H_states``.

    Parameters
    ----------
    filters : ndarray of shape (n_hidden, n_visible)
    bias : ndarray of shape (n_hidden,)
    V : ndarray of shape (n_rows, n_visible)
    H_states : ndarray of shape (n_states, n_hidden)

    Returns
    -------
    l : ndarray of shape (n_rows, n_states)

    Examples
    --------
    >>> l = hidden_log_likelihood(np.ones((1, 2)), np.zeros(1), np.ones((1, 2)),
    ...                           enumerate_binary_states(1))
    >>> np.round(np.exp(l), 4)
    array([[0.1192, 0.8808]])
    """
    activation = np.asarray(V, dtype=np.float64) @ np.asarray(filters, dtype=np.float64).T + bias
    H_states = np.asarray(H_states, dtype=np.float64)
    # Finite for any finite activation: log-sigmoid is -|a| at worst, never log(0).
    return _log_sigmoid(-activation) @ (1.0 - H_states).T + _log_sigmoid(activation) @ H_states.T


# --------------------------------------------------------------------------- the core
class _Pairs:
    """The (data row, coarse state) pairs the sum over H runs through.

    ``prob[p]`` is ``P(H = H_states[state[p]] | V'_row[p])`` when H is enumerated, or the fraction of
    the row's ``n_samples`` draws that gave that state when H is sampled. Sorted by row.
    """

    def __init__(self, row, state, prob, H_states, n_samples=None):
        self.row, self.state, self.prob = row, state, prob
        self.H_states = H_states
        self.n_samples = n_samples


def _enumerated_pairs(log_p_hidden, H_states):
    prob = np.exp(log_p_hidden)
    # Pairs whose probability underflowed contribute exactly nothing: skip them.
    row, state = np.nonzero(prob > 0.0)
    return _Pairs(row, state, prob[row, state], H_states)


def _sampled_pairs(p_on, rng, n_samples):
    n_rows, n_hidden = p_on.shape
    draws = rng.random((n_rows, n_samples, n_hidden)) < p_on[:, None, :]
    H_states, inverse = np.unique(draws.reshape(-1, n_hidden), axis=0, return_inverse=True)
    inverse = inverse.reshape(n_rows, n_samples)
    key = np.arange(n_rows)[:, None] * H_states.shape[0] + inverse
    key, counts = np.unique(key.ravel(), return_counts=True)
    row, state = np.divmod(key, H_states.shape[0])
    return _Pairs(row, state, counts / n_samples, H_states.astype(np.float64), n_samples)


def _support_terms(log_q, lg, coef, estimator, need_gradient):
    """Inner term ``G`` for pairs sharing one coarse state, and the gradient weights over its support.

    ``log_q`` (n_support,) are normalised log weights of the support points (``q_H``),
    ``lg`` (n_pairs, n_support) the ``log g`` values of each pair's environment on them.
    Returns ``G`` (n_pairs,) and ``R`` (n_support,) with
    ``sum_p coef_p dG_p = sum_s R_s d l_H(V_s)``.
    """
    q = np.exp(log_q)
    if estimator == "paper":
        G = lg @ q
        R = q * (coef @ (lg - G[:, None])) if need_gradient else None
        return G, R
    x = lg + log_q
    top = x.max(axis=1)
    e = np.exp(x - top[:, None])
    total = e.sum(axis=1)
    G = top + np.log(total)
    if not need_gradient:
        return G, None
    R = coef @ (e / total[:, None]) - coef.sum() * q
    return G, R


def _accumulate_state_gradient(R, hidden_state, support, support_sigmoid, grad_filters, grad_bias):
    D = R[:, None] * (hidden_state[None, :] - support_sigmoid)
    grad_filters += D.T @ support
    grad_bias += D.sum(axis=0)


def _enumerated_visible_terms(pairs, coef, log_q, V_states, states_sigmoid, lg_chunk, n_rows,
                              estimator, need_gradient, log_p_visible=None):
    """``G`` for every pair with V enumerated, plus the dG part of the gradient.

    ``lg_chunk(start, stop)`` returns the ``log g`` rows ``start:stop`` for all states.
    With ``log_p_visible``, also returns ``log <g(., E_n)>_{P_Theta(V)}`` for every row.
    """
    n_states, n_visible = V_states.shape
    n_hidden = pairs.H_states.shape[1]
    G = np.empty(pairs.row.size)
    grad_filters = np.zeros((n_hidden, n_visible))
    grad_bias = np.zeros(n_hidden)
    marginal = np.empty(n_rows) if log_p_visible is not None else None
    rows_per_chunk = max(1, _CHUNK_ENTRIES // n_states)
    for start in range(0, n_rows, rows_per_chunk):
        stop = min(n_rows, start + rows_per_chunk)
        lg = lg_chunk(start, stop)
        if marginal is not None:
            marginal[start:stop] = logsumexp(lg + log_p_visible, axis=1)
        first, last = np.searchsorted(pairs.row, (start, stop))
        order = first + np.argsort(pairs.state[first:last], kind="stable")
        states = pairs.state[order]
        bounds = np.flatnonzero(np.r_[True, states[1:] != states[:-1], True])
        for b0, b1 in zip(bounds[:-1], bounds[1:]):
            idx = order[b0:b1]
            u = states[b0]
            G[idx], R = _support_terms(log_q[u], lg[pairs.row[idx] - start], coef[idx],
                                       estimator, need_gradient)
            if need_gradient:
                _accumulate_state_gradient(R, pairs.H_states[u], V_states, states_sigmoid[u],
                                           grad_filters, grad_bias)
    return G, grad_filters, grad_bias, marginal


def _finish(pairs, coef, G, V, weights, data_sigmoid, grad_filters, grad_bias):
    """Add the score-function term ``d l_H(V'_n) (G - b_n)`` and return the value."""
    value = float(coef @ G)
    n_rows = V.shape[0]
    row_mean = np.bincount(pairs.row, weights=pairs.prob * G, minlength=n_rows)
    if pairs.n_samples is None:
        baseline = row_mean[pairs.row]
    elif pairs.n_samples > 1:
        # Leave-one-out: each draw's baseline is the mean of the row's other draws, so it is
        # independent of that draw and the estimator stays unbiased.
        K = pairs.n_samples
        baseline = (K * row_mean[pairs.row] - G) / (K - 1)
    else:
        baseline = np.zeros_like(G)
    score = (coef * (G - baseline))[:, None] * (pairs.H_states[pairs.state] - data_sigmoid[pairs.row])
    grad_filters += score.T @ V[pairs.row]
    grad_bias += score.sum(axis=0)
    return value


def _check_lambda(filters, bias, n_hidden=None, n_visible=None):
    filters = np.asarray(filters, dtype=np.float64)
    bias = np.asarray(bias, dtype=np.float64)
    if filters.ndim != 2:
        raise ValueError(f"filters must be 2D (n_hidden, n_visible), got shape {filters.shape}.")
    if filters.shape[0] < 1:
        raise ValueError("filters must have at least one row: n_hidden must be >= 1.")
    if n_hidden is not None and filters.shape[0] != n_hidden:
        raise ValueError(f"filters has {filters.shape[0]} rows, expected n_hidden = {n_hidden}.")
    if n_visible is not None and filters.shape[1] != n_visible:
        raise ValueError(f"filters has {filters.shape[1]} columns, expected n_visible = {n_visible}.")
    if bias.shape != (filters.shape[0],):
        raise ValueError(f"bias has shape {bias.shape}, expected ({filters.shape[0]},) to match filters.")
    if not (np.all(np.isfinite(filters)) and np.all(np.isfinite(bias))):
        raise ValueError("filters and bias must be finite.")
    return np.ascontiguousarray(filters), bias


def _check_sample_weight(sample_weight, n_rows):
    if sample_weight is None:
        return np.full(n_rows, 1.0 / n_rows)
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n_rows,):
        raise ValueError(f"sample_weight has shape {w.shape}, expected ({n_rows},).")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("sample_weight must be finite and non-negative.")
    total = w.sum()
    if total <= 0:
        raise ValueError("sample_weight sums to zero.")
    return w / total


def _check_estimator(estimator):
    if estimator not in ("paper", "exact"):
        raise ValueError(f"estimator must be 'paper' or 'exact', got {estimator!r}.")
    return estimator


def _check_tables(filters, bias, V, log_g, V_states, log_p_visible, sample_weight):
    filters, bias = _check_lambda(filters, bias)
    n_hidden, n_visible = filters.shape
    if n_hidden > MAX_ENUMERATED_HIDDEN:
        raise ValueError(
            f"n_hidden = {n_hidden}: the 2**{n_hidden} coarse states are too many to enumerate "
            f"(at most {MAX_ENUMERATED_HIDDEN} hidden units)."
        )
    V = _check_binary(V, "V", n_visible)
    V_states = _check_binary(V_states, "V_states", n_visible)
    log_g = np.asarray(log_g, dtype=np.float64)
    if log_g.shape != (V.shape[0], V_states.shape[0]):
        raise ValueError(
            f"log_g has shape {log_g.shape}, expected (n_rows, n_states) = "
            f"({V.shape[0]}, {V_states.shape[0]})."
        )
    if not np.all(np.isfinite(log_g)):
        raise ValueError("log_g contains NaN or infinity.")
    log_p_visible = np.asarray(log_p_visible, dtype=np.float64)
    if log_p_visible.shape != (V_states.shape[0],):
        raise ValueError(
            f"log_p_visible has shape {log_p_visible.shape}, expected ({V_states.shape[0]},)."
        )
    if np.any(np.isnan(log_p_visible)) or np.any(log_p_visible == np.inf):
        raise ValueError("log_p_visible contains NaN or +infinity.")
    norm = logsumexp(log_p_visible)
    if not abs(norm) <= _NORMALISATION_TOL:
        raise ValueError(
            f"log_p_visible must be normalised over V_states (logsumexp = 0); got logsumexp = {norm}."
        )
    weights = _check_sample_weight(sample_weight, V.shape[0])
    return filters, bias, V, log_g, V_states, log_p_visible, weights


def _hidden_posteriors(filters, bias, V_states, log_p_visible, H_states):
    """``log q_H(V_s)`` (n_H, n_states) and ``log P(H)`` (n_H,) with V enumerated."""
    joint = hidden_log_likelihood(filters, bias, V_states, H_states).T + log_p_visible
    log_p_hidden = logsumexp(joint, axis=1)
    return joint - log_p_hidden[:, None], log_p_hidden


def _hidden_marginal_mismatch(pairs, coef, log_p_model):
    """``KL(P_data(H) || P_Theta(H))`` in nats over the coarse states ``pairs.H_states``.

    ``P_data(H)`` averages ``P_Lambda(H | V')`` over the data rows; ``log_p_model`` is
    ``log P_Theta(H)``, the same map applied to the V-RBM. Subtracting this from
    ``E log <g>_{q_H} - E log <g>_{P_Theta}`` turns the estimate into the Barber-Agakov bound
    ``H_data(H) + E_data log P_Theta(H | E)``: never above ``H_data(H) <= n_hidden`` bits, and
    equal to the plain form when the V-RBM's coarse marginal matches the data's.
    """
    p_data = np.bincount(pairs.state, weights=coef, minlength=pairs.H_states.shape[0])
    seen = p_data > 0
    return float(np.sum(p_data[seen] * (np.log(p_data[seen]) - log_p_model[seen])))


def _tables_core(filters, bias, V, lg_chunk, n_rows, V_states, log_p_visible, weights, estimator,
                 need_gradient, pairs, want_marginal=False):
    """Objective (or exact G for MI) with V enumerated, for a given set of (row, H) pairs."""
    coef = weights[pairs.row] * pairs.prob
    log_q, _ = _hidden_posteriors(filters, bias, V_states, log_p_visible, pairs.H_states)
    states_sigmoid = expit(V_states @ filters.T + bias)  # (n_states, n_hidden)
    # q_H's sigmoid table is the same for every H; broadcast a view instead of copying.
    states_sigmoid = np.broadcast_to(states_sigmoid, (pairs.H_states.shape[0],) + states_sigmoid.shape)
    return coef, _enumerated_visible_terms(
        pairs, coef, log_q, V_states, states_sigmoid, lg_chunk, n_rows, estimator, need_gradient,
        log_p_visible if want_marginal else None,
    )


def objective_terms_from_tables(filters, bias, V, log_g, V_states, log_p_visible,
                                estimator="paper", sample_weight=None):
    """RSMI objective and its gradient with V and H both enumerated (deterministic).

    Parameters
    ----------
    filters : ndarray of shape (n_hidden, n_visible)
        Lambda filters.
    bias : ndarray of shape (n_hidden,)
        Lambda biases.
    V : ndarray of shape (n_rows, n_visible)
        The data's visible blocks ``V'_n``.
    log_g : ndarray of shape (n_rows, n_states)
        ``log g(V_s, E_n)`` (any per-row constant is allowed: it changes the value by a
        Lambda-independent constant and the gradient not at all).
    V_states : ndarray of shape (n_states, n_visible)
        The support of ``V``, normally ``enumerate_binary_states(n_visible)``.
    log_p_visible : ndarray of shape (n_states,)
        ``log P(V_s)``, normalised over ``V_states``.
    estimator : {'paper', 'exact'}, default='paper'
        ``'paper'``: ``A = E sum_H P(H|V') <log g>_{q_H}``; ``'exact'``: ``A* = E sum_H P(H|V') log <g>_{q_H}``.
    sample_weight : ndarray of shape (n_rows,), default=None
        Row weights; the average is ``sum_n w_n (...) / sum_n w_n``.

    Returns
    -------
    value : float
        The objective, in nats.
    grad_filters : ndarray of shape (n_hidden, n_visible)
        Its gradient with respect to ``filters`` (an ascent direction).
    grad_bias : ndarray of shape (n_hidden,)
        Its gradient with respect to ``bias``.

    Examples
    --------
    >>> V_states = enumerate_binary_states(1)
    >>> log_g = np.log([[0.9, 0.1], [0.1, 0.9]])      # P(E|V) for E = V and E = 1 - V
    >>> value, gf, gb = objective_terms_from_tables(
    ...     [[8.0]], [-4.0], V_states, log_g, V_states, np.log([0.5, 0.5]), estimator="exact")
    >>> bool(gf[0, 0] > 0)                              # a sharper copy of V tells more about E
    True
    """
    estimator = _check_estimator(estimator)
    filters, bias, V, log_g, V_states, log_p_visible, weights = _check_tables(
        filters, bias, V, log_g, V_states, log_p_visible, sample_weight
    )
    n_hidden = filters.shape[0]
    H_states = enumerate_binary_states(n_hidden)
    pairs = _enumerated_pairs(hidden_log_likelihood(filters, bias, V, H_states), H_states)
    coef, (G, grad_filters, grad_bias, _) = _tables_core(
        filters, bias, V, lambda a, b: log_g[a:b], V.shape[0], V_states, log_p_visible, weights,
        estimator, True, pairs,
    )
    value = _finish(pairs, coef, G, V, weights, expit(V @ filters.T + bias), grad_filters, grad_bias)
    return value, grad_filters, grad_bias


def mutual_information_from_tables(filters, bias, V, log_g, V_states, log_p_visible,
                                   sample_weight=None):
    """``I(H : E)`` in bits with V and H enumerated.

    ``I = E_{(E,H)} log <g>_{q_H} - E_E log <g>_{P(V)}``: ``log_g`` needs to be ``log P(E | V)``
    only up to a constant per row, which cancels.

    Parameters
    ----------
    filters, bias, V, log_g, V_states, log_p_visible, sample_weight
        As in :func:`objective_terms_from_tables`.

    Returns
    -------
    mi : float
        Mutual information in bits.

    Examples
    --------
    >>> V_states = enumerate_binary_states(1)
    >>> log_g = np.log([[1.0, 1e-300], [1e-300, 1.0]])   # E = V exactly
    >>> mi = mutual_information_from_tables([[60.0]], [-30.0], V_states, log_g, V_states,
    ...                                     np.log([0.5, 0.5]), sample_weight=[0.5, 0.5])
    >>> round(mi, 6)                                       # H copies V, V copies E: one bit
    1.0
    """
    filters, bias, V, log_g, V_states, log_p_visible, weights = _check_tables(
        filters, bias, V, log_g, V_states, log_p_visible, sample_weight
    )
    H_states = enumerate_binary_states(filters.shape[0])
    pairs = _enumerated_pairs(hidden_log_likelihood(filters, bias, V, H_states), H_states)
    coef, (G, _, _, marginal) = _tables_core(
        filters, bias, V, lambda a, b: log_g[a:b], V.shape[0], V_states, log_p_visible, weights,
        "exact", False, pairs, want_marginal=True,
    )
    _, log_p_model = _hidden_posteriors(filters, bias, V_states, log_p_visible, pairs.H_states)
    mismatch = _hidden_marginal_mismatch(pairs, coef, log_p_model)
    return float((coef @ G - weights @ marginal - mismatch) / np.log(2.0))


# --------------------------------------------------------------------------- the object
def _as_generator(random_state):
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.default_rng(random_state)
    raise TypeError(f"random_state must be None, an int or a numpy generator, got {random_state!r}.")


class RSMIObjective:
    """The RSMI objective of one pair of Theta-RBMs, ready to be maximised over Lambda.

    Parameters
    ----------
    rbm_visible : object
        Fitted RBM of ``P(V)`` (``n_visible`` features). Its parameters are copied.
    rbm_joint : object
        Fitted RBM of ``P(V, E)``, features ordered ``[V sites, E sites]``. Copied.
    n_visible : int
        Sites in ``V``.
    n_hidden : int
        Coarse variables ``H``.
    visible_method : {'auto', 'enumerate', 'gibbs'}, default='auto'
        ``'enumerate'``: exact sums over the ``2**n_visible`` states of ``V``, with
        ``P_Theta(V)`` normalised exactly over them; deterministic. ``'gibbs'``: Monte Carlo
        averages over ``q_H(V) = P(V | H)``, sampled by Gibbs with ``H`` clamped (the V-RBM's
        hidden units as auxiliaries, sites updated one at a time). ``'auto'`` enumerates when
        ``n_visible <= max_enumerated_visible``.
    hidden_method : {'auto', 'enumerate', 'sample'}, default='auto'
        ``'enumerate'``: exact sums over the ``2**n_hidden`` states of ``H``. ``'sample'``:
        ``n_hidden_samples`` draws of ``H ~ P_Lambda(H | V'_n)`` per row, score-function gradient
        with a leave-one-out baseline (unbiased given the inner averages). ``'auto'`` enumerates
        when ``n_hidden <= max_enumerated_hidden``.
    max_enumerated_visible : int, default=10
        Threshold of ``visible_method='auto'``. Enumeration costs a ``log g`` table of
        ``n_rows * 2**n_visible * n_components`` softplus evaluations (about 3 ns each on one
        core), Gibbs about ``n_rows * 2**n_hidden * n_gibbs_samples * n_components`` plus the
        sweeps. Measured per call on 500 rows, a 160-site E, 64 joint-RBM units and two hidden
        units (``benchmarks/bench_mi.py``, one thread): enumeration 8 / 22 / 120 / 430 ms at
        6 / 8 / 10 / 12 sites against 15-35 ms for Gibbs; with the table precomputed once per
        training set (:meth:`log_g`, up to ``MAX_TABLE_ENTRIES``) the per-epoch cost of
        enumeration drops to a few ms per call at any of these sizes. Enumeration is exact and
        deterministic, so the default keeps it up to 10 sites (3x3 blocks included) and
        expects the caller to precompute the table where it fits; 4x4 blocks (65536 states,
        about 0.4 s per row-batch of 20) go to Gibbs. ``visible_method='enumerate'`` accepts up
        to ``MAX_ENUMERATED_VISIBLE`` = 20 sites.
    max_enumerated_hidden : int, default=6
        Threshold of ``hidden_method='auto'``; at most 12.
    n_gibbs_samples : int, default=32
        Persistent chains, hence samples of ``V``, per coarse state per call.
    n_gibbs_steps : int, default=4
        Sweeps each chain advances per call.
    n_gibbs_burn_in : int, default=100
        Sweeps run when a coarse state's chains are first created (from random bits).
    n_hidden_samples : int, default=4
        Draws of ``H`` per data row when ``H`` is sampled (>= 2 enables the leave-one-out
        baseline).
    random_state : int, numpy Generator or None
        Seeds the Gibbs chains and the draws of ``H``.

    Attributes
    ----------
    visible_method_ : {'enumerate', 'gibbs'}
        The method ``'auto'`` resolved to.
    hidden_method_ : {'enumerate', 'sample'}
        Likewise for H.
    n_environment : int
        Sites in ``E``, from the joint RBM.

    Notes
    -----
    Determinism: with both methods ``'enumerate'`` every result is a deterministic function of
    the arguments. Otherwise results are deterministic given ``random_state`` *and the sequence
    of calls*: Gibbs chains are persistent, one set of ``n_gibbs_samples`` chains per coarse
    state (keyed by the bits of ``H``) shared by :meth:`value_and_gradient` and
    :meth:`mutual_information`, and every call advances the chains of the states it needs by
    ``n_gibbs_steps`` sweeps. Between calls Lambda moves a little, so the chains follow their
    slowly moving targets (as in persistent contrastive divergence) at a fraction of the cost
    of fresh burn-in. Chains of the unclamped ``P_Theta(V)`` (used by the mutual information)
    are kept the same way. At most 1024 chain sets are kept, the least recently used dropped
    first (only reachable when ``H`` is sampled with many hidden units).

    With Gibbs, ``G = log <g>_{q_H}`` is a log-mean of ``n_gibbs_samples`` terms (biased low by
    about ``Var(g) / (2 M <g>^2)``), and the exact gradient uses self-normalised weights
    ``r ∝ g``: both are consistent, not unbiased. The mutual information's second term,
    ``log <g>_{P_Theta(V)}``, is not a plain average over unclamped samples (``g`` spans orders of
    magnitude across V, which makes that noisy and biased low) but the stratified form
    ``sum_H P(H) <g>_{q_H}`` over the (at most 16) most probable coarse states met in the batch,
    with ``P(H)`` averaged over unclamped chains of ``P_Theta(V)`` and the leftover probability
    mass averaged over those chains too.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> rng = np.random.default_rng(0)
    >>> rbm = lambda n_features: SimpleNamespace(components_=rng.normal(size=(4, n_features)),
    ...     intercept_visible_=np.zeros(n_features), intercept_hidden_=np.zeros(4))
    >>> objective = RSMIObjective(rbm(4), rbm(12), n_visible=4, n_hidden=1)
    >>> V = rng.integers(0, 2, (50, 4)).astype(float)
    >>> E = rng.integers(0, 2, (50, 8)).astype(float)
    >>> value, grad_filters, grad_bias = objective.value_and_gradient(np.zeros((1, 4)), np.zeros(1), V, E)
    >>> grad_filters.shape, objective.visible_method_
    ((1, 4), 'enumerate')
    >>> mi = objective.mutual_information(np.zeros((1, 4)), np.zeros(1), V, E)
    >>> abs(mi) < 1e-12                                    # H ignores V: no information
    True
    """

    def __init__(self, rbm_visible, rbm_joint, n_visible, n_hidden, *, visible_method="auto",
                 hidden_method="auto", max_enumerated_visible=AUTO_ENUMERATED_VISIBLE,
                 max_enumerated_hidden=AUTO_ENUMERATED_HIDDEN, n_gibbs_samples=32,
                 n_gibbs_steps=4, n_gibbs_burn_in=100, n_hidden_samples=4, random_state=None):
        self.n_visible = check_positive_int(n_visible, "n_visible")
        self.n_hidden = check_positive_int(n_hidden, "n_hidden")
        self._visible = _RBMParameters(rbm_visible, "rbm_visible", self.n_visible)
        self._joint = _RBMParameters(rbm_joint, "rbm_joint")
        if self._joint.n_features <= self.n_visible:
            raise ValueError(
                f"rbm_joint has {self._joint.n_features} features; it must model the "
                f"{self.n_visible} V sites followed by at least one E site."
            )
        self.n_environment = self._joint.n_features - self.n_visible
        max_enumerated_visible = check_positive_int(max_enumerated_visible, "max_enumerated_visible")
        max_enumerated_hidden = check_positive_int(max_enumerated_hidden, "max_enumerated_hidden")
        if max_enumerated_visible > MAX_ENUMERATED_VISIBLE:
            raise ValueError(f"max_enumerated_visible must be <= {MAX_ENUMERATED_VISIBLE}.")
        if max_enumerated_hidden > MAX_ENUMERATED_HIDDEN:
            raise ValueError(f"max_enumerated_hidden must be <= {MAX_ENUMERATED_HIDDEN}.")
        self.n_gibbs_samples = check_positive_int(n_gibbs_samples, "n_gibbs_samples")
        self.n_gibbs_steps = check_positive_int(n_gibbs_steps, "n_gibbs_steps")
        self.n_gibbs_burn_in = check_positive_int(n_gibbs_burn_in, "n_gibbs_burn_in", minimum=0)
        self.n_hidden_samples = check_positive_int(n_hidden_samples, "n_hidden_samples")

        if visible_method == "auto":
            visible_method = "enumerate" if self.n_visible <= max_enumerated_visible else "gibbs"
        if visible_method not in ("enumerate", "gibbs"):
            raise ValueError(
                f"visible_method must be 'auto', 'enumerate' or 'gibbs', got {visible_method!r}."
            )
        if visible_method == "enumerate" and self.n_visible > MAX_ENUMERATED_VISIBLE:
            raise ValueError(
                f"visible_method='enumerate' with n_visible = {self.n_visible}: 2**{self.n_visible} "
                f"states exceed the cap of {MAX_ENUMERATED_VISIBLE} sites; use visible_method='gibbs'."
            )
        if hidden_method == "auto":
            hidden_method = "enumerate" if self.n_hidden <= max_enumerated_hidden else "sample"
        if hidden_method not in ("enumerate", "sample"):
            raise ValueError(
                f"hidden_method must be 'auto', 'enumerate' or 'sample', got {hidden_method!r}."
            )
        if hidden_method == "enumerate" and self.n_hidden > MAX_ENUMERATED_HIDDEN:
            raise ValueError(
                f"hidden_method='enumerate' with n_hidden = {self.n_hidden}: 2**{self.n_hidden} "
                f"coarse states exceed the cap of {MAX_ENUMERATED_HIDDEN}; use hidden_method='sample'."
            )
        self.visible_method_ = visible_method
        self.hidden_method_ = hidden_method
        self._rng = _as_generator(random_state)
        self._chains = {}

        if visible_method == "enumerate":
            self.V_states_ = enumerate_binary_states(self.n_visible)
            minus_F = -self._visible.free_energy(self.V_states_)
            self.log_p_visible_ = minus_F - logsumexp(minus_F)
            self._state_activation, self._state_offset = _joint_state_parts(
                self._visible, self._joint, self.V_states_
            )

    # ------------------------------------------------------------------ inputs
    def _check_rows(self, V, E, log_g, sample_weight):
        V = _check_binary(V, "V", self.n_visible)
        E = _check_binary(E, "E", self.n_environment)
        if V.shape[0] != E.shape[0]:
            raise ValueError(f"V has {V.shape[0]} rows but E has {E.shape[0]}.")
        if V.shape[0] == 0:
            raise ValueError("V and E hold no rows.")
        if log_g is not None:
            if self.visible_method_ != "enumerate":
                raise ValueError("log_g tables exist only with visible_method='enumerate'.")
            log_g = np.asarray(log_g, dtype=np.float64)
            if log_g.shape != (V.shape[0], self.V_states_.shape[0]):
                raise ValueError(
                    f"log_g has shape {log_g.shape}, expected (n_rows, 2**n_visible) = "
                    f"({V.shape[0]}, {self.V_states_.shape[0]})."
                )
            if not np.all(np.isfinite(log_g)):
                raise ValueError("log_g contains NaN or infinity.")
        return V, E, log_g, _check_sample_weight(sample_weight, V.shape[0])

    def _lg_source(self, E, log_g):
        if log_g is not None:
            return lambda a, b: log_g[a:b]
        row_activation, row_offset = _joint_row_parts(self._joint, E, self.n_visible)

        def chunk(a, b):
            return _mi_kernels.log_g_rows(np.ascontiguousarray(row_activation[a:b]), row_offset[a:b],
                                          self._state_activation, self._state_offset)

        return chunk

    def table_fits(self, n_rows):
        """Whether a ``log g`` table of ``n_rows`` rows stays under ``MAX_TABLE_ENTRIES``."""
        return self.visible_method_ == "enumerate" and n_rows * 2**self.n_visible <= MAX_TABLE_ENTRIES

    def log_g(self, V, E):
        """Precompute ``log g(V_s, E_n)`` for every row and every V state (enumerate only).

        ``log g`` does not depend on Lambda: compute it once for a whole training set (when
        :meth:`table_fits`), then pass ``log_g=table[rows]`` to :meth:`value_and_gradient` and
        :meth:`mutual_information` with the same rows of ``V`` and ``E``.

        Parameters
        ----------
        V : ndarray of shape (n_rows, n_visible)
            Checked for shape only (``log g`` depends on E).
        E : ndarray of shape (n_rows, n_environment)

        Returns
        -------
        table : ndarray of shape (n_rows, 2**n_visible)
        """
        if self.visible_method_ != "enumerate":
            raise ValueError("log_g tables exist only with visible_method='enumerate'.")
        V, E, _, _ = self._check_rows(V, E, None, None)
        return self._lg_source(E, None)(0, E.shape[0])

    def _hidden_pairs(self, filters, bias, V):
        if self.hidden_method_ == "enumerate":
            H_states = enumerate_binary_states(self.n_hidden)
            return _enumerated_pairs(hidden_log_likelihood(filters, bias, V, H_states), H_states)
        return _sampled_pairs(expit(V @ filters.T + bias), self._rng, self.n_hidden_samples)

    # ------------------------------------------------------------------ Gibbs
    def _advance(self, key, hidden_state, filters, bias):
        """Samples of ``q_H`` (or of ``P_Theta(V)`` for ``key=None``) from the persistent chains."""
        # Least recently used chain sets are dropped beyond _MAX_CHAIN_SETS, so that sampled
        # coarse states of many hidden units cannot grow memory without bound.
        chains = self._chains.pop(key, None)
        n_sweeps = self.n_gibbs_steps
        if chains is None:
            chains = (self._rng.random((self.n_gibbs_samples, self.n_visible)) < 0.5).astype(np.float64)
            n_sweeps += self.n_gibbs_burn_in
        visible = self._visible
        uniforms = self._rng.random((self.n_gibbs_samples, n_sweeps,
                                     visible.n_components + self.n_visible))
        chains = _mi_kernels.clamped_gibbs_sweeps(
            chains, hidden_state, filters, bias, visible.weights, visible.visible_bias,
            visible.hidden_bias, uniforms,
        )
        self._chains[key] = chains
        if len(self._chains) > _MAX_CHAIN_SETS:
            del self._chains[next(iter(self._chains))]
        return chains

    def _gibbs_terms(self, pairs, coef, filters, bias, E, estimator, need_gradient):
        n_hidden, n_visible = filters.shape
        G = np.empty(pairs.row.size)
        grad_filters = np.zeros((n_hidden, n_visible))
        grad_bias = np.zeros(n_hidden)
        row_activation, row_offset = _joint_row_parts(self._joint, E, self.n_visible)
        log_q = np.full(self.n_gibbs_samples, -np.log(self.n_gibbs_samples))
        order = np.argsort(pairs.state, kind="stable")
        states = pairs.state[order]
        bounds = np.flatnonzero(np.r_[True, states[1:] != states[:-1], True])
        for b0, b1 in zip(bounds[:-1], bounds[1:]):
            idx = order[b0:b1]
            hidden_state = pairs.H_states[states[b0]]
            samples = self._advance(hidden_state.astype(np.int8).tobytes(), hidden_state, filters, bias)
            state_activation, state_offset = _joint_state_parts(self._visible, self._joint, samples)
            rows = pairs.row[idx]
            lg = _mi_kernels.log_g_rows(np.ascontiguousarray(row_activation[rows]), row_offset[rows],
                                        state_activation, state_offset)
            G[idx], R = _support_terms(log_q, lg, coef[idx], estimator, need_gradient)
            if need_gradient:
                _accumulate_state_gradient(R, hidden_state, samples,
                                           expit(samples @ filters.T + bias), grad_filters, grad_bias)
        return G, grad_filters, grad_bias

    def _gibbs_log_mean_g(self, filters, bias, E, H_candidates):
        """``log <g(., E_n)>_{P_Theta(V)}`` for every row, stratified by coarse state.

        ``g`` varies over orders of magnitude across V, so a plain average over unclamped
        samples of ``P_Theta(V)`` is noisy and biased low. Instead use
        ``<g>_P = sum_{H in S} P(H) <g>_{q_H} + <g (1 - sum_{H in S} P(H | V))>_P`` with ``S`` the
        (at most ``_MAX_STRATA``) most probable candidate states, whose clamped chains have just
        been advanced, ``P(H)`` averaged over the unclamped chains, and the remainder (zero when
        ``S`` holds every state) averaged over them too: unbiased inside the log, and the
        clamped samples' errors cancel against those of the first term of ``I``.

        Returns the per-row log-means and ``log P_Theta(H)`` of every candidate state.
        """
        free = self._advance(None, np.zeros(0), np.zeros((0, self.n_visible)), np.zeros(0))
        log_p_conditional = hidden_log_likelihood(filters, bias, free, H_candidates)  # (M0, U)
        log_p_hidden = logsumexp(log_p_conditional, axis=0) - np.log(free.shape[0])
        strata = np.argsort(-log_p_hidden, kind="stable")[:_MAX_STRATA]
        row_activation, row_offset = _joint_row_parts(self._joint, E, self.n_visible)
        row_activation = np.ascontiguousarray(row_activation)
        terms = []
        for u in strata:
            samples = self._chains.get(H_candidates[u].astype(np.int8).tobytes())
            if samples is None:  # evicted within this call: only with > _MAX_CHAIN_SETS states
                samples = self._advance(H_candidates[u].astype(np.int8).tobytes(), H_candidates[u],
                                        filters, bias)
            state_activation, state_offset = _joint_state_parts(self._visible, self._joint, samples)
            lg = _mi_kernels.log_g_rows(row_activation, row_offset, state_activation, state_offset)
            terms.append(log_p_hidden[u] + logsumexp(lg, axis=1) - np.log(samples.shape[0]))
        remainder = np.clip(1.0 - np.exp(log_p_conditional[:, strata]).sum(axis=1), 0.0, None)
        if remainder.max() > 1e-12:
            state_activation, state_offset = _joint_state_parts(self._visible, self._joint, free)
            lg = _mi_kernels.log_g_rows(row_activation, row_offset, state_activation, state_offset)
            terms.append(logsumexp(lg, b=remainder, axis=1) - np.log(free.shape[0]))
        return logsumexp(np.stack(terms, axis=1), axis=1), log_p_hidden

    # ------------------------------------------------------------------ API
    def value_and_gradient(self, filters, bias, V, E, estimator="paper", sample_weight=None,
                           log_g=None):
        """The objective averaged over the rows ``(V'_n, E_n)``, and its gradient.

        Parameters
        ----------
        filters : ndarray of shape (n_hidden, n_visible)
            Lambda filters.
        bias : ndarray of shape (n_hidden,)
            Lambda biases.
        V : ndarray of shape (n_rows, n_visible)
            Visible blocks of the data, occupations.
        E : ndarray of shape (n_rows, n_environment)
            Their environments, occupations.
        estimator : {'paper', 'exact'}, default='paper'
            ``'paper'``: the Jensen proxy ``A``; ``'exact'``: ``A*`` (``I(H:E) ln 2`` + const).
        sample_weight : ndarray of shape (n_rows,), default=None
            Row weights (normalised internally).
        log_g : ndarray of shape (n_rows, 2**n_visible), default=None
            These rows of a table from :meth:`log_g`, to skip recomputing it.

        Returns
        -------
        value : float
            The objective in nats.
        grad_filters : ndarray of shape (n_hidden, n_visible)
            Gradient with respect to ``filters`` (ascent direction).
        grad_bias : ndarray of shape (n_hidden,)
            Gradient with respect to ``bias``.
        """
        estimator = _check_estimator(estimator)
        filters, bias = _check_lambda(filters, bias, self.n_hidden, self.n_visible)
        V, E, log_g, weights = self._check_rows(V, E, log_g, sample_weight)
        pairs = self._hidden_pairs(filters, bias, V)
        if self.visible_method_ == "enumerate":
            coef, (G, grad_filters, grad_bias, _) = _tables_core(
                filters, bias, V, self._lg_source(E, log_g), V.shape[0], self.V_states_,
                self.log_p_visible_, weights, estimator, True, pairs,
            )
        else:
            coef = weights[pairs.row] * pairs.prob
            G, grad_filters, grad_bias = self._gibbs_terms(pairs, coef, filters, bias, E,
                                                           estimator, True)
        value = _finish(pairs, coef, G, V, weights, expit(V @ filters.T + bias), grad_filters,
                        grad_bias)
        return value, grad_filters, grad_bias

    def mutual_information(self, filters, bias, V, E, sample_weight=None, log_g=None):
        """``I(H : E)`` in bits on the rows ``(V'_n, E_n)``, given the two Theta-RBMs.

        ``E_{(E,H)} log <g>_{q_H} - E_E log <g>_{P_Theta(V)}``, expectations over the data rows.
        The data and the RBMs disagree a little, and that mixed form can then exceed
        ``n_hidden`` bits (seen on ordered Ising levels). With V enumerated,
        ``KL(P_data(H) || P_Theta(H))`` is subtracted, which gives the Barber-Agakov bound
        ``H_data(H) + E_data log P_Theta(H | E) <= I_data(H : E)``, never above the entropy of
        the coarse variables, hence ``n_hidden`` bits. It is exact when the RBMs are.
        With V sampled by Gibbs, both terms and ``P_Theta(H)`` (of the coarse states met in
        the batch, from the unclamped chains) are Monte Carlo estimates and the same KL is
        subtracted.

        Parameters
        ----------
        filters, bias, V, E, sample_weight, log_g
            As in :meth:`value_and_gradient`.

        Returns
        -------
        mi : float
            Mutual information in bits.
        """
        filters, bias = _check_lambda(filters, bias, self.n_hidden, self.n_visible)
        V, E, log_g, weights = self._check_rows(V, E, log_g, sample_weight)
        if self.visible_method_ == "enumerate":
            pairs = self._hidden_pairs(filters, bias, V)
            coef, (G, _, _, marginal) = _tables_core(
                filters, bias, V, self._lg_source(E, log_g), V.shape[0], self.V_states_,
                self.log_p_visible_, weights, "exact", False, pairs, want_marginal=True,
            )
            _, log_p_model = _hidden_posteriors(
                filters, bias, self.V_states_, self.log_p_visible_, pairs.H_states
            )
            mismatch = _hidden_marginal_mismatch(pairs, coef, log_p_model)
        else:
            pairs = self._hidden_pairs(filters, bias, V)
            coef = weights[pairs.row] * pairs.prob
            G, _, _ = self._gibbs_terms(pairs, coef, filters, bias, E, "exact", False)
            met = np.unique(pairs.state)
            marginal, log_p_met = self._gibbs_log_mean_g(filters, bias, E, pairs.H_states[met])
            # P_Theta(H) of states never met in the data does not enter the KL.
            log_p_model = np.full(pairs.H_states.shape[0], -np.inf)
            log_p_model[met] = log_p_met
            mismatch = _hidden_marginal_mismatch(pairs, coef, log_p_model)
        return float((coef @ G - weights @ marginal - mismatch) / np.log(2.0))
