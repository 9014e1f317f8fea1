"""The papers' objectives through two Theta-RBMs, their explicit gradients, and ``I(H : E)``.

Notation (the Methods of Koch-Janusz & Ringel; the method page of the docs derives it):

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

- ``objective="paper"``: ``A = E_n sum_H P(H | V'_n) <log g(V, E_n)>_{q_H}`` (Eqs. 13-15 of the
  arXiv version: the Jensen proxy);
- ``objective="exact"``: ``A* = E_n sum_H P(H | V'_n) log <g(V, E_n)>_{q_H}``, which is
  ``-H(E | H)`` plus a constant, so ``A <= A*`` and ``A* = I(H : E) ln 2 + const``.

Their gradients (ascent directions) are ``E_n sum_H P(H|V'_n) [d l_H(V'_n) (G - b_n) + dG]``
with ``G`` the inner term, ``b_n`` a baseline (``sum_H P(H|V'_n) d l_H(V'_n) = 0``, so it changes
nothing in expectation), ``dG = Cov_q(log g, d l_H)`` for the paper proxy and
``dG = E_r[d l_H] - E_q[d l_H]``, ``r ∝ q_H g``, for the exact one. The mutual information needs
no partition function:
``I(H : E) = E_{(E,H)} log <g>_{q_H} - E_E log <g>_{P_Theta(V)}``, reported in bits.

Averages over ``V`` are exact sums over all ``2**n_visible`` states for small blocks
(``visible_method="enumerate"``) or Monte Carlo averages over Gibbs samples of ``q_H``
(``"sample"``); sums over ``H`` are exact (``hidden_method="enumerate"``) or Monte Carlo over
``H ~ P_Lambda(H | V'_n)`` with a leave-one-out baseline (``"sample"``). Everything is computed
in log space (logsumexp, log-sigmoid), so filters of size 50 or more, where the map becomes
deterministic, give finite results.
"""

import numpy as np
from scipy.special import expit, logsumexp
from sklearn.base import clone
from sklearn.utils import check_random_state

from .._utils.numerics import enumerate_binary_states, log_sigmoid
from .._utils.seeding import as_generator, draw_keys, draw_seed
from .._utils.validation import check_occupations, check_positive_int
from ..rbm import ThetaRBM
from ..rbm._parameters import RBMParameters
from . import _theta_rbm_kernels as kernels

__all__ = ["JointConditionalObjective", "ThetaRBMObjective", "ThetaRBMRoute", "hidden_log_likelihood"]

#: Largest block whose ``2**n_visible`` states may be enumerated at all (2**20 states: the
#: ``log g`` table then costs ``2**20 * n_components`` softplus evaluations per data row).
MAX_ENUMERATED_VISIBLE = 20
#: Largest ``n_hidden`` whose ``2**n_hidden`` coarse states may be enumerated at all.
MAX_ENUMERATED_HIDDEN = 12
#: Default largest ``n_visible`` that ``visible_method="auto"`` enumerates (see ThetaRBMObjective).
AUTO_ENUMERATED_VISIBLE = 10
#: Default largest ``n_hidden`` that ``hidden_method="auto"`` enumerates.
AUTO_ENUMERATED_HIDDEN = 6
#: A ``log g`` table for a whole training set is worth keeping below this many entries (256 MiB).
MAX_TABLE_ENTRIES = 2**25
# Temporaries of shape (rows, states) are processed in pieces of at most this many entries.
_CHUNK_ENTRIES = 2**21
# Coarse states whose clamped chains stratify the Gibbs estimate of <g>_{P_Theta(V)}.
_MAX_STRATA = 16
# Persistent Gibbs chain sets kept (one per coarse state met), least recently used dropped first.
_MAX_CHAIN_SETS = 1024


# --------------------------------------------------------------------------- small pieces
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
    return log_sigmoid(-activation) @ (1.0 - H_states).T + log_sigmoid(activation) @ H_states.T


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


def _support_terms(log_q, lg, coef, objective, need_gradient):
    """Inner term ``G`` for pairs sharing one coarse state, and the gradient weights over its support.

    ``log_q`` (n_support,) are normalized log weights of the support points (``q_H``),
    ``lg`` (n_pairs, n_support) the ``log g`` values of each pair's environment on them.
    Returns ``G`` (n_pairs,) and ``R`` (n_support,) with
    ``sum_p coef_p dG_p = sum_s R_s d l_H(V_s)``.
    """
    q = np.exp(log_q)
    if objective == "paper":
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
                              objective, need_gradient, log_p_visible=None):
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
                                       objective, need_gradient)
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


def _check_objective(objective):
    if objective not in ("paper", "exact"):
        raise ValueError(f"objective must be 'paper' or 'exact', got {objective!r}.")
    return objective


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


def _tables_core(filters, bias, V, lg_chunk, n_rows, V_states, log_p_visible, weights, objective,
                 need_gradient, pairs, want_marginal=False):
    """Objective (or exact G for MI) with V enumerated, for a given set of (row, H) pairs."""
    coef = weights[pairs.row] * pairs.prob
    log_q, _ = _hidden_posteriors(filters, bias, V_states, log_p_visible, pairs.H_states)
    states_sigmoid = expit(V_states @ filters.T + bias)  # (n_states, n_hidden)
    # q_H's sigmoid table is the same for every H; broadcast a view instead of copying.
    states_sigmoid = np.broadcast_to(states_sigmoid, (pairs.H_states.shape[0],) + states_sigmoid.shape)
    return coef, _enumerated_visible_terms(
        pairs, coef, log_q, V_states, states_sigmoid, lg_chunk, n_rows, objective, need_gradient,
        log_p_visible if want_marginal else None,
    )


# --------------------------------------------------------------------------- the object
def _resolve_method(name, method, size_name, size, auto_max, hard_max, what):
    """``'enumerate'`` or ``'sample'`` for an average over ``2**size`` states."""
    if method == "auto":
        method = "enumerate" if size <= auto_max else "sample"
    if method not in ("enumerate", "sample"):
        raise ValueError(f"{name} must be 'auto', 'enumerate' or 'sample', got {method!r}.")
    if method == "enumerate" and size > hard_max:
        raise ValueError(
            f"{name}='enumerate' with {size_name} = {size}: 2**{size} {what} exceed the cap "
            f"of {hard_max}; use {name}='sample'."
        )
    return method


class ThetaRBMObjective:
    """The RSMI objective of one pair of Theta-RBMs, ready to be maximized over Lambda.

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
    visible_method : {'auto', 'enumerate', 'sample'}, default='auto'
        ``'enumerate'``: exact sums over the ``2**n_visible`` states of ``V``, with
        ``P_Theta(V)`` normalized exactly over them; deterministic. ``'sample'``: Monte Carlo
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
        ``n_rows * 2**n_visible * n_components`` softplus evaluations, Gibbs sampling about
        ``n_rows * 2**n_hidden * n_gibbs_samples * n_components`` plus the sweeps; with the
        table precomputed once per training set (:meth:`log_g`, up to
        ``MAX_TABLE_ENTRIES``) the per-epoch cost of enumeration is a few lookups. The two
        cross near 10 sites (``benchmarks/bench_mi.py`` measures them; the docs' performance
        page has the figures). Enumeration is exact and deterministic, so the default keeps
        it up to 10 sites (3x3 blocks included); 4x4 blocks (65536 states) are sampled.
        ``visible_method='enumerate'`` accepts up to ``MAX_ENUMERATED_VISIBLE`` = 20 sites.
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
    visible_method_ : {'enumerate', 'sample'}
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
    about ``Var(g) / (2 M <g>^2)``), and the exact gradient uses self-normalized weights
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
    >>> objective = ThetaRBMObjective(rbm(4), rbm(12), n_visible=4, n_hidden=1)
    >>> V = rng.integers(0, 2, (50, 4)).astype(float)
    >>> E = rng.integers(0, 2, (50, 8)).astype(float)
    >>> value, grad_filters, grad_bias = objective.value_and_gradient(
    ...     np.zeros((1, 4)), np.zeros(1), V, E)
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
        self._visible = RBMParameters(rbm_visible, "rbm_visible", self.n_visible)
        self._joint = RBMParameters(rbm_joint, "rbm_joint")
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

        visible_method = _resolve_method("visible_method", visible_method, "n_visible",
                                         self.n_visible, max_enumerated_visible,
                                         MAX_ENUMERATED_VISIBLE, "states")
        hidden_method = _resolve_method("hidden_method", hidden_method, "n_hidden",
                                        self.n_hidden, max_enumerated_hidden,
                                        MAX_ENUMERATED_HIDDEN, "coarse states")
        self.visible_method_ = visible_method
        self.hidden_method_ = hidden_method
        self._rng = as_generator(random_state)
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
        V = check_occupations(V, "V", self.n_visible)
        E = check_occupations(E, "E", self.n_environment)
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
            return kernels.log_g_rows(np.ascontiguousarray(row_activation[a:b]), row_offset[a:b],
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
        chains = kernels.clamped_gibbs_sweeps(
            chains, hidden_state, filters, bias, visible.weights, visible.visible_bias,
            visible.hidden_bias, uniforms,
        )
        self._chains[key] = chains
        if len(self._chains) > _MAX_CHAIN_SETS:
            del self._chains[next(iter(self._chains))]
        return chains

    def _sampled_visible_terms(self, pairs, coef, filters, bias, E, objective, need_gradient):
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
            lg = kernels.log_g_rows(np.ascontiguousarray(row_activation[rows]), row_offset[rows],
                                        state_activation, state_offset)
            G[idx], R = _support_terms(log_q, lg, coef[idx], objective, need_gradient)
            if need_gradient:
                _accumulate_state_gradient(R, hidden_state, samples,
                                           expit(samples @ filters.T + bias), grad_filters, grad_bias)
        return G, grad_filters, grad_bias

    def _sampled_log_mean_g(self, filters, bias, E, H_candidates):
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
            lg = kernels.log_g_rows(row_activation, row_offset, state_activation, state_offset)
            terms.append(log_p_hidden[u] + logsumexp(lg, axis=1) - np.log(samples.shape[0]))
        remainder = np.clip(1.0 - np.exp(log_p_conditional[:, strata]).sum(axis=1), 0.0, None)
        if remainder.max() > 1e-12:
            state_activation, state_offset = _joint_state_parts(self._visible, self._joint, free)
            lg = kernels.log_g_rows(row_activation, row_offset, state_activation, state_offset)
            terms.append(logsumexp(lg, b=remainder, axis=1) - np.log(free.shape[0]))
        return logsumexp(np.stack(terms, axis=1), axis=1), log_p_hidden

    # ------------------------------------------------------------------ API
    def value_and_gradient(self, filters, bias, V, E, objective="paper", sample_weight=None,
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
        objective : {'paper', 'exact'}, default='paper'
            ``'paper'``: the Jensen proxy ``A``; ``'exact'``: ``A*`` (``I(H:E) ln 2`` + const).
        sample_weight : ndarray of shape (n_rows,), default=None
            Row weights (normalized internally).
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
        objective = _check_objective(objective)
        filters, bias = _check_lambda(filters, bias, self.n_hidden, self.n_visible)
        V, E, log_g, weights = self._check_rows(V, E, log_g, sample_weight)
        pairs = self._hidden_pairs(filters, bias, V)
        if self.visible_method_ == "enumerate":
            coef, (G, grad_filters, grad_bias, _) = _tables_core(
                filters, bias, V, self._lg_source(E, log_g), V.shape[0], self.V_states_,
                self.log_p_visible_, weights, objective, True, pairs,
            )
        else:
            coef = weights[pairs.row] * pairs.prob
            G, grad_filters, grad_bias = self._sampled_visible_terms(pairs, coef, filters, bias, E,
                                                           objective, True)
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
            G, _, _ = self._sampled_visible_terms(pairs, coef, filters, bias, E, "exact", False)
            met = np.unique(pairs.state)
            marginal, log_p_met = self._sampled_log_mean_g(filters, bias, E, pairs.H_states[met])
            # P_Theta(H) of states never met in the data does not enter the KL.
            log_p_model = np.full(pairs.H_states.shape[0], -np.inf)
            log_p_model[met] = log_p_met
            mismatch = _hidden_marginal_mismatch(pairs, coef, log_p_model)
        return float((coef @ G - weights @ marginal - mismatch) / np.log(2.0))


# --------------------------------------------------------------------------- P(V) through the joint RBM
class JointConditionalObjective:
    """The objectives with ``P(V)`` taken from the joint RBM alone: ``P_Theta(V | E)`` by Gibbs.

    ``I(H : E) = H(H) + E_{(E, H)} log P(H | E)`` with ``P(H | E) = sum_V P_Lambda(H | V)
    P_Theta(V | E)``, the block distribution given the environment of the one joint model:
    no second model of ``P(V)`` enters, so nothing can disagree with it. For every data row
    ``n`` the estimator draws ``n_samples`` blocks ``V_nm ~ P_Theta(V | E_n)`` once (Gibbs
    chains of the joint RBM with ``E_n`` clamped, started at the blocks of other windows,
    which are samples of ``P(V)``), and then

    - ``objective='exact'``: ``H(H) + E_n sum_H P_Lambda(H | V'_n) log Q_n(H)``,
      ``Q_n(H)`` the mean of ``P_Lambda(H | V_nm)`` over the samples, mixed with the coarse
      marginal (``prior_weight``). ``Q_n`` is a normalized distribution of ``H`` for every row, so this is the Barber-Agakov lower bound on the data's ``I(H : E)``, whatever
      the RBM: it cannot exceed ``H(H) <= n_hidden`` bits;
    - ``objective='paper'``: the same with Jensen's inequality applied inside,
      ``log Q_n(H) >= mean_m log P_Lambda(H | V_nm)``.

    With the samples fixed, both are smooth deterministic functions of Lambda (common random
    numbers for every step: the Gibbs noise does not enter the ascent as noise), and their
    gradients are exact; the coarse states are enumerated (``n_hidden <= 12``).

    Parameters
    ----------
    rbm_joint : object
        Fitted RBM of ``[V sites, E sites]``.
    V, E : ndarray of shape (n_rows, n_visible), (n_rows, n_environment)
        The data's windows, occupations.
    n_hidden : int
    n_samples : int
        Blocks drawn per row.
    n_sweeps : int
        Gibbs sweeps per chain.
    prior_weight : float, default=1.0
        Weight, in samples, of the coarse marginal ``P(H)`` mixed into every ``Q_n``:
        ``Q_n = (sum_m P_Lambda(H | V_nm) + prior_weight P(H)) / (n_samples + prior_weight)``.
        The log of a mean of ``n_samples`` terms is biased low, without bound when a
        nearly deterministic map gives a state that none of the samples gives; the
        mixture caps that loss at ``log((n_samples + prior_weight) / prior_weight)`` per row
        and keeps ``Q_n`` a distribution, so the estimate stays a lower bound.
    random_state : int, RandomState or None
    """

    def __init__(self, rbm_joint, V, E, n_hidden, *, n_samples=16, n_sweeps=100,
                 prior_weight=1.0, random_state=None):
        self.n_hidden = check_positive_int(n_hidden, "n_hidden")
        if self.n_hidden > MAX_ENUMERATED_HIDDEN:
            raise ValueError(
                f"visible_marginal='joint' enumerates the 2**n_hidden coarse states: n_hidden = "
                f"{self.n_hidden} exceeds {MAX_ENUMERATED_HIDDEN}.")
        self.V = check_occupations(V, "V")
        self.n_rows, self.n_visible = self.V.shape
        joint = RBMParameters(rbm_joint, "rbm_joint", self.n_visible + E.shape[1])
        self.E = check_occupations(E, "E", joint.n_features - self.n_visible)
        self.n_samples = check_positive_int(n_samples, "n_samples")
        self.n_sweeps = check_positive_int(n_sweeps, "n_sweeps")
        self.prior_weight = float(prior_weight)
        if not self.prior_weight > 0:
            raise ValueError(f"prior_weight must be > 0, got {prior_weight!r}.")
        self.H_states = enumerate_binary_states(self.n_hidden)
        self.samples = self._draw(joint, check_random_state(random_state))

    def _draw(self, joint, rng):
        work = np.float32
        n_rows, n_visible, M = self.n_rows, self.n_visible, self.n_samples
        weights_visible = np.ascontiguousarray(joint.weights[:, :n_visible], dtype=work)
        visible_bias = joint.visible_bias[:n_visible].astype(work)
        samples = np.empty((n_rows, M, n_visible), dtype=np.uint8)
        rows_per_chunk = max(1, 4096 // M)
        for first in range(0, n_rows, rows_per_chunk):
            rows = np.arange(first, min(n_rows, first + rows_per_chunk))
            activation = (self.E[rows] @ joint.weights_T[n_visible:] + joint.hidden_bias)
            activation = np.repeat(activation.astype(work), M, axis=0)
            # Other windows' blocks: samples of P(V) that know nothing of E_n.
            start = self.V[(np.repeat(rows, M) + rng.randint(1, max(n_rows, 2), rows.size * M))
                           % n_rows]
            v = kernels.environment_clamped_gibbs(start.astype(work), activation, weights_visible,
                                                  visible_bias, draw_keys(rng), self.n_sweeps)
            samples[rows] = v.reshape(rows.size, M, n_visible).astype(np.uint8)
        return samples

    def _terms(self, filters, bias, rows, form, need_gradient):
        V = self.V[rows]
        S = self.samples[rows].reshape(-1, self.n_visible).astype(np.float64)
        B, M, K = V.shape[0], self.n_samples, self.H_states.shape[0]
        log_p = hidden_log_likelihood(filters, bias, V, self.H_states)  # (B, K)
        log_s = hidden_log_likelihood(filters, bias, S, self.H_states).reshape(B, M, K)
        p = np.exp(log_p)
        marginal = p.mean(axis=0)
        log_marginal = np.log(np.maximum(marginal, 1e-300))
        a = self.prior_weight
        if form == "exact":
            # log Q_n(H), Q_n = (sum_m P(H | V_nm) + a P(H)) / (M + a)
            G = np.logaddexp(logsumexp(log_s, axis=1), np.log(a) + log_marginal[None, :]) \
                - np.log(M + a)
        else:
            G = log_s.mean(axis=1)
        value = float(-(marginal @ log_marginal) + np.sum(p * G) / B)
        if not need_gradient:
            return value, None, None
        # Score terms of P_Lambda(H | V'_n): d/dtheta of -sum_H Pbar log Pbar + mean p G.
        c = p * (G - log_marginal[None, :]) / B  # (B, K)
        if form == "exact":
            w = p[:, None, :] * np.exp(log_s - G[:, None, :]) / (B * (M + a))  # (B, M, K)
            # The prior part of Q_n moves with P(H) = mean_n' P(H | V'_n').
            kappa = a / (M + a) * np.sum(p * np.exp(-G), axis=0) / B
            c = c + p * kappa[None, :] / B
        else:
            w = np.broadcast_to(p[:, None, :] / (B * M), log_s.shape)
        w = w.reshape(B * M, K)
        grad_filters = np.zeros_like(filters)
        grad_bias = np.zeros_like(bias)
        for X, coef in ((V, c), (S, w)):
            D = coef @ self.H_states - coef.sum(axis=1)[:, None] * expit(X @ filters.T + bias)
            grad_filters += D.T @ X
            grad_bias += D.sum(axis=0)
        return value, grad_filters, grad_bias

    def value_and_gradient(self, filters, bias, rows, form):
        """The objective (nats) on the rows ``rows`` and its gradient in ``(filters, bias)``."""
        filters, bias = _check_lambda(filters, bias, self.n_hidden, self.n_visible)
        return self._terms(filters, bias, rows, _check_objective(form), True)

    def mutual_information(self, filters, bias, rows=None):
        """The Barber-Agakov bound on ``I(H : E)`` in bits on the rows (all when None)."""
        filters, bias = _check_lambda(filters, bias, self.n_hidden, self.n_visible)
        rows = np.arange(self.n_rows) if rows is None else np.asarray(rows)
        # H(H) needs P(H) of all the rows at once; the rest is a sum over rows.
        p_sum, cross, sums, ps = np.zeros(self.H_states.shape[0]), 0.0, [], []
        for first in range(0, rows.size, 2000):
            chunk = rows[first:first + 2000]
            S = self.samples[chunk].reshape(-1, self.n_visible).astype(np.float64)
            p = np.exp(hidden_log_likelihood(filters, bias, self.V[chunk], self.H_states))
            log_s = hidden_log_likelihood(filters, bias, S, self.H_states).reshape(
                chunk.size, self.n_samples, -1)
            p_sum += p.sum(axis=0)
            sums.append(logsumexp(log_s, axis=1))
            ps.append(p)
        p_marginal = p_sum / rows.size
        a = self.prior_weight
        log_prior = np.log(a) + np.log(np.maximum(p_marginal, 1e-300))
        for p, log_sum in zip(ps, sums):
            cross += np.sum(p * (np.logaddexp(log_sum, log_prior[None, :])
                                 - np.log(self.n_samples + a)))
        seen = p_marginal > 0
        entropy = -np.sum(p_marginal[seen] * np.log(p_marginal[seen]))
        return float((entropy + cross / rows.size) / np.log(2.0))


# --------------------------------------------------------------------------- the route
def _default_rbm(n_features):
    # Enough hidden units to model the window's correlations, few enough to train fast.
    return ThetaRBM(n_components=int(min(64, max(8, n_features // 2))))


def _prepared_rbm(rbm, n_features, rng, n_jobs):
    """A clone of the caller's RBM (or the default), seeded from ``rng`` when it has no seed."""
    rbm = _default_rbm(n_features) if rbm is None else clone(rbm)
    updates = {}
    if rbm.random_state is None:
        updates["random_state"] = draw_seed(rng)
    if rbm.n_jobs is None:
        updates["n_jobs"] = n_jobs
    return rbm.set_params(**updates)


#: Diagnostic settings shown by fit at verbose (see block_environment_correlation).
_DIAGNOSTIC_ROWS = 20000
_DIAGNOSTIC_SAMPLES = 1000
_DIAGNOSTIC_SWEEPS = 300


def _print_diagnostic(rbm_joint, V, E, seed):
    from ..rbm import block_environment_correlation

    rows = slice(0, min(V.shape[0], _DIAGNOSTIC_ROWS))
    result = block_environment_correlation(
        rbm_joint, V[rows], E[rows], n_components=min(2, V.shape[1], E.shape[1]),
        n_samples=_DIAGNOSTIC_SAMPLES, n_steps=_DIAGNOSTIC_SWEEPS, random_state=seed)
    print(
        "[RSMICoarseGrainer] joint Theta-RBM: leading canonical correlations of V and E "
        f"{np.round(result.data_correlations, 3).tolist()} in the data, "
        f"{np.round(result.model_correlations, 3).tolist()} in the model "
        f"({np.round(100 * result.reproduced).astype(int).tolist()} % reproduced)"
    )


class ThetaRBMRoute:
    """How :class:`~sklearn_rsmi.RSMICoarseGrainer` fits and scores through two Theta-RBMs.

    The parameters ascended are ``(filters, filter_bias)``. Training fits the joint RBM of
    ``P(V, E)`` (``rbm_joint_``) and the RBM of ``P(V)`` (``rbm_visible_``) first.

    Parameters
    ----------
    objective : ThetaRBMObjective
        Built on the fitted RBMs.
    V, E : ndarray
        The windows, occupations.
    form : {'paper', 'exact'}
        Which of the two objectives is ascended.
    rbms : dict
        The fitted RBMs, as the estimator's attributes.
    """

    n_extra_parameters = 0

    def __init__(self, objective, V, E, form, rbms):
        self.objective, self.V, self.E, self.form, self.rbms = objective, V, E, form, rbms
        self.n_rows, self.n_visible = V.shape
        self.conditional = isinstance(objective, JointConditionalObjective)
        # log g does not depend on Lambda: with V enumerated, one table for the whole
        # training set turns every later epoch into cheap lookups.
        self.table = (objective.log_g(V, E)
                      if not self.conditional and objective.table_fits(self.n_rows) else None)

    @classmethod
    def for_training(cls, coarse_grainer, V, E, rng):
        """Fit the two Theta-RBMs on the windows and build the route on them."""
        n_jobs = coarse_grainer.n_jobs
        verbose = coarse_grainer.verbose
        rbm_joint = _prepared_rbm(coarse_grainer.rbm_joint, V.shape[1] + E.shape[1], rng, n_jobs)
        rbm_joint.fit(np.hstack([V, E]))
        if coarse_grainer.visible_marginal == "joint":
            rbm_visible = None  # P(V) comes from the joint RBM itself
        else:
            rbm_visible = _prepared_rbm(coarse_grainer.rbm_visible, V.shape[1], rng, n_jobs)
            rbm_visible.fit(V)
        if verbose:
            _print_diagnostic(rbm_joint, V, E, draw_seed(rng))
        rbms = {"rbm_joint_": rbm_joint, "rbm_visible_": rbm_visible}
        return cls(cls._objective(coarse_grainer, rbms, draw_seed(rng), V, E), V, E,
                   coarse_grainer.objective, rbms)

    @classmethod
    def for_scoring(cls, coarse_grainer, V, E, seed):
        """The route of a fitted coarse-grainer, on new windows."""
        rbms = {"rbm_joint_": coarse_grainer.rbm_joint_,
                "rbm_visible_": coarse_grainer.rbm_visible_}
        return cls(cls._objective(coarse_grainer, rbms, seed, V, E), V, E,
                   coarse_grainer.objective, rbms)

    @staticmethod
    def _objective(coarse_grainer, rbms, seed, V, E):
        if rbms["rbm_visible_"] is None:
            return JointConditionalObjective(
                rbms["rbm_joint_"], V, E, coarse_grainer.n_hidden,
                n_samples=coarse_grainer.n_gibbs_samples,
                n_sweeps=coarse_grainer.n_gibbs_burn_in, random_state=seed)
        return ThetaRBMObjective(
            rbms["rbm_visible_"], rbms["rbm_joint_"], coarse_grainer.geometry_.n_visible,
            coarse_grainer.n_hidden,
            visible_method=coarse_grainer.visible_method,
            hidden_method=coarse_grainer.hidden_method,
            n_gibbs_samples=coarse_grainer.n_gibbs_samples,
            n_gibbs_steps=coarse_grainer.n_gibbs_steps,
            n_gibbs_burn_in=coarse_grainer.n_gibbs_burn_in, random_state=seed,
        )

    def initial_extra_parameters(self):
        """No parameters besides the filters and their bias."""
        return ()

    def fitted_attributes(self, params):
        """The estimator's fitted attributes from the final parameters (filters flat)."""
        filters, bias = params
        return {"filters_": filters, "filter_bias_": bias, **self.rbms}

    @staticmethod
    def parameters_of(coarse_grainer):
        """The ascended parameters of a fitted coarse-grainer."""
        return (coarse_grainer.filters_.reshape(coarse_grainer.n_hidden, -1),
                coarse_grainer.filter_bias_)

    def _rows(self, rows):
        if rows is None:
            return self.V, self.E, self.table
        return self.V[rows], self.E[rows], None if self.table is None else self.table[rows]

    def gradient(self, params, rows):
        """The objective's gradient on the training rows ``rows``."""
        if self.conditional:
            _, grad_filters, grad_bias = self.objective.value_and_gradient(*params, rows,
                                                                           self.form)
            return grad_filters, grad_bias
        V, E, log_g = self._rows(rows)
        _, grad_filters, grad_bias = self.objective.value_and_gradient(
            *params, V, E, objective=self.form, log_g=log_g
        )
        return grad_filters, grad_bias

    def mutual_information(self, params, rows=None):
        """``I(H : E)`` in bits on the rows ``rows`` (all when None)."""
        if self.conditional:
            return self.objective.mutual_information(*params, rows)
        V, E, log_g = self._rows(rows)
        return self.objective.mutual_information(*params, V, E, log_g=log_g)

    def implausible_estimate_advice(self):
        """``(model, plural, remedy)`` for the warning about an I(H:E) outside ``[0, n_hidden]``."""
        if self.conditional:
            return ("the joint Theta-RBM", False,
                    "check how much of the block-environment correlation it reproduces "
                    "(sklearn_rsmi.rbm.block_environment_correlation, shown by fit at verbose) "
                    "and train it longer, centered or larger (rbm_joint)")
        if self.objective.visible_method_ == "sample":
            return ("the Theta-RBMs, through their Gibbs chains,", True,
                    "with V sampled, the chains with H clamped mix slowly when the RBMs miss "
                    "the block-environment correlation (as on the noisy dimers of Fig. 4); "
                    "objective='variational' needs no sampling")
        return ("the Theta-RBMs", True,
                "train them longer or larger (rbm_joint, rbm_visible), or use "
                "objective='variational'")
