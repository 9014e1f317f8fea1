"""The Theta-RBM objectives evaluated from precomputed tables (V and H enumerated).

Reference forms for the tests: every quantity is a deterministic function of the filters,
so gradients can be checked against finite differences and the mutual information against
brute force. They call the library's own table core (``_tables_core``), with the ``log g``
table and ``log P(V)`` given explicitly.
"""

import numpy as np
from scipy.special import expit, logsumexp

from sklearn_rsmi._utils.numerics import enumerate_binary_states
from sklearn_rsmi._utils.validation import check_occupations
from sklearn_rsmi.coarse_graining import _theta_rbm_kernels as kernels
from sklearn_rsmi.coarse_graining._theta_rbm_objective import (
    MAX_ENUMERATED_HIDDEN,
    _check_lambda,
    _check_objective,
    _check_sample_weight,
    _enumerated_pairs,
    _finish,
    _hidden_marginal_mismatch,
    _hidden_posteriors,
    _joint_row_parts,
    _joint_state_parts,
    _tables_core,
    hidden_log_likelihood,
)
from sklearn_rsmi.rbm._parameters import RBMParameters

_NORMALIZATION_TOL = 1e-6


def free_energy(rbm, X):
    """Free energy ``F(x) = -a.x - sum_k softplus(c_k + W_k.x)`` of a Bernoulli RBM."""
    params = RBMParameters(rbm, "rbm")
    return params.free_energy(check_occupations(X, "X", params.n_features))


def visible_log_probabilities(rbm_visible, V_states):
    """``log P_Theta(V_s)`` normalized exactly over the given states."""
    params = RBMParameters(rbm_visible, "rbm_visible")
    V_states = check_occupations(V_states, "V_states", params.n_features)
    minus_F = -params.free_energy(V_states)
    return minus_F - logsumexp(minus_F)


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

    """
    visible = RBMParameters(rbm_visible, "rbm_visible")
    joint = RBMParameters(rbm_joint, "rbm_joint")
    n_visible = visible.n_features
    if joint.n_features <= n_visible:
        raise ValueError(
            f"rbm_joint has {joint.n_features} features, but it must model V ({n_visible} sites, "
            "the features of rbm_visible) followed by a non-empty E."
        )
    V_states = check_occupations(V_states, "V_states", n_visible)
    E = check_occupations(E, "E", joint.n_features - n_visible)
    state_activation, state_offset = _joint_state_parts(visible, joint, V_states)
    row_activation, row_offset = _joint_row_parts(joint, E, n_visible)
    return kernels.log_g_rows(
        np.ascontiguousarray(row_activation), row_offset, state_activation, state_offset
    )




def _check_tables(filters, bias, V, log_g, V_states, log_p_visible, sample_weight):
    filters, bias = _check_lambda(filters, bias)
    n_hidden, n_visible = filters.shape
    if n_hidden > MAX_ENUMERATED_HIDDEN:
        raise ValueError(
            f"n_hidden = {n_hidden}: the 2**{n_hidden} coarse states are too many to enumerate "
            f"(at most {MAX_ENUMERATED_HIDDEN} hidden units)."
        )
    V = check_occupations(V, "V", n_visible)
    V_states = check_occupations(V_states, "V_states", n_visible)
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
    if not abs(norm) <= _NORMALIZATION_TOL:
        raise ValueError(
            f"log_p_visible must be normalized over V_states (logsumexp = 0); got logsumexp = {norm}."
        )
    weights = _check_sample_weight(sample_weight, V.shape[0])
    return filters, bias, V, log_g, V_states, log_p_visible, weights




def objective_terms_from_tables(filters, bias, V, log_g, V_states, log_p_visible,
                                objective="paper", sample_weight=None):
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
        ``log P(V_s)``, normalized over ``V_states``.
    objective : {'paper', 'exact'}, default='paper'
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

    """
    objective = _check_objective(objective)
    filters, bias, V, log_g, V_states, log_p_visible, weights = _check_tables(
        filters, bias, V, log_g, V_states, log_p_visible, sample_weight
    )
    n_hidden = filters.shape[0]
    H_states = enumerate_binary_states(n_hidden)
    pairs = _enumerated_pairs(hidden_log_likelihood(filters, bias, V, H_states), H_states)
    coef, (G, grad_filters, grad_bias, _) = _tables_core(
        filters, bias, V, lambda a, b: log_g[a:b], V.shape[0], V_states, log_p_visible, weights,
        objective, True, pairs,
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


