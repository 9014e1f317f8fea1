"""numba kernels of the Theta-RBM objectives: the ``log g`` table and the clamped-H Gibbs sampler.

Both are the hot loops of :mod:`._theta_rbm_objective`; everything else there is NumPy.

- :func:`log_g_rows` evaluates ``log g(V_s, E_n) = F_V(V_s) - F_VE(V_s, E_n)`` for every pair of
  a row ``n`` and a visible state ``s``. The joint RBM's pre-activations split into a row part
  (``c + W_E . E_n``) and a state part (``W_V . V_s``), both computed by the caller with BLAS;
  what remains, and dominates the cost, is ``n_rows * n_states * n_components`` softplus
  evaluations, which the blocked product below makes cheap.
- :func:`clamped_gibbs_sweeps` samples ``V`` from ``q_H(V) = P(V | H)``, proportional to
  ``P_Lambda(H | V) P_Theta(V)``, with the V-RBM's hidden units as auxiliary variables: the joint
  energy is ``-l_H(V) + E_Theta(V, aux)``. The auxiliary units are conditionally independent
  given ``V`` and are drawn all at once; ``l_H(V) = log P_Lambda(H | V)`` is not linear in ``V``,
  so the visible sites are updated one at a time.

Randomness is pre-drawn by the caller (uniforms in ``[0, 1)``), so the output depends only on the
inputs: the same ``random_state`` gives the same chains whatever the number of numba threads.
No ``fastmath``: every kernel evaluates exp/log of arguments that reach hundreds.
"""

import numpy as np
from numba import njit, prange

from .._utils.kernels import sigmoid, softplus
from ..rbm._kernels import sigmoid_bernoulli


# The softplus sum is evaluated as the log of products of ``1 + exp(r) exp(s)`` over blocks of
# _BLOCK components: one exponential per row and per state up front and one log per block,
# about ten times faster than a stable softplus per term. A block's product stays below
# exp(_BLOCK * _FAST_LIMIT) < 1e308 when every ``r + s <= _FAST_LIMIT``; rows or states with
# larger activations take the stable per-term path instead.
_BLOCK = 4
_FAST_LIMIT = 170.0
_EXP_LIMIT = 300.0


@njit(cache=True, parallel=True)
def log_g_rows(row_activation, row_offset, state_activation, state_offset):
    """``out[n, s] = row_offset[n] + state_offset[s] + sum_k softplus(row_activation[n, k] + state_activation[s, k])``.

    Parameters
    ----------
    row_activation : ndarray of shape (n_rows, n_components)
        ``c_k + W_E[k] . E_n`` of the joint RBM.
    row_offset : ndarray of shape (n_rows,)
        ``a_E . E_n`` of the joint RBM.
    state_activation : ndarray of shape (n_states, n_components)
        ``W_V[k] . V_s`` of the joint RBM.
    state_offset : ndarray of shape (n_states,)
        ``F_V(V_s) + a_V . V_s`` (V-RBM free energy plus the joint RBM's visible bias on V).

    Returns
    -------
    out : ndarray of shape (n_rows, n_states)
    """
    n_rows, n_components = row_activation.shape
    n_states = state_activation.shape[0]
    out = np.empty((n_rows, n_states))
    row_exp = np.exp(np.minimum(row_activation, _EXP_LIMIT))
    state_exp = np.exp(np.minimum(state_activation, _EXP_LIMIT))
    row_max = np.full(n_rows, -np.inf)
    state_max = np.full(n_states, -np.inf)
    for n in range(n_rows):
        for k in range(n_components):
            row_max[n] = max(row_max[n], row_activation[n, k])
    for s in range(n_states):
        for k in range(n_components):
            state_max[s] = max(state_max[s], state_activation[s, k])
    for n in prange(n_rows):
        for s in range(n_states):
            acc = 0.0
            if (row_max[n] <= _EXP_LIMIT and state_max[s] <= _EXP_LIMIT
                    and row_max[n] + state_max[s] <= _FAST_LIMIT):
                for k0 in range(0, n_components, _BLOCK):
                    product = 1.0
                    for k in range(k0, min(n_components, k0 + _BLOCK)):
                        product *= 1.0 + row_exp[n, k] * state_exp[s, k]
                    acc += np.log(product)
            else:
                for k in range(n_components):
                    acc += softplus(row_activation[n, k] + state_activation[s, k])
            out[n, s] = row_offset[n] + state_offset[s] + acc
    return out


@njit(cache=True, parallel=True)
def clamped_gibbs_sweeps(chains, hidden, filters, bias, weights, visible_bias, hidden_bias, uniforms):
    """Advance Gibbs chains of ``V`` with the coarse variables ``H`` clamped.

    Target: ``q_H(V) ∝ P_Lambda(H | V) sum_aux exp(a.V + c.aux + aux.W.V)``, i.e.
    ``P_Lambda(H | V) P_Theta(V)``. A sweep draws every auxiliary unit from
    ``sigmoid(c_k + W_k . V)``, then every visible site in order from its conditional given the
    auxiliaries and the other sites, whose log-odds is
    ``a_i + sum_k W_ki aux_k + l_H(V with v_i = 1) - l_H(V with v_i = 0)``.
    With zero hidden units (``filters`` of shape ``(0, n_visible)``) this samples ``P_Theta(V)``.

    Parameters
    ----------
    chains : ndarray of shape (n_chains, n_visible)
        Current states in {0, 1}; not modified.
    hidden : ndarray of shape (n_hidden,)
        The clamped ``H`` in {0, 1}.
    filters : ndarray of shape (n_hidden, n_visible)
        Lambda filters.
    bias : ndarray of shape (n_hidden,)
        Lambda biases.
    weights : ndarray of shape (n_components, n_visible)
        V-RBM weights ``W``.
    visible_bias, hidden_bias : ndarray of shape (n_visible,), (n_components,)
        V-RBM biases ``a`` and ``c``.
    uniforms : ndarray of shape (n_chains, n_sweeps, n_components + n_visible)
        Pre-drawn uniforms in [0, 1): the first ``n_components`` of a sweep for the
        auxiliaries, the rest for the visible sites.

    Returns
    -------
    out : ndarray of shape (n_chains, n_visible)
        The chains after ``n_sweeps`` sweeps.
    """
    n_chains, n_visible = chains.shape
    n_components = weights.shape[0]
    n_hidden = filters.shape[0]
    n_sweeps = uniforms.shape[1]
    out = chains.copy()
    for m in prange(n_chains):
        v = out[m]
        aux = np.empty(n_components)
        activation = np.empty(n_hidden)
        for t in range(n_sweeps):
            # Recomputed every sweep so that incremental updates cannot drift.
            for j in range(n_hidden):
                acc = bias[j]
                for i in range(n_visible):
                    acc += filters[j, i] * v[i]
                activation[j] = acc
            for k in range(n_components):
                acc = hidden_bias[k]
                for i in range(n_visible):
                    acc += weights[k, i] * v[i]
                aux[k] = 1.0 if uniforms[m, t, k] < sigmoid(acc) else 0.0
            for i in range(n_visible):
                field = visible_bias[i]
                for k in range(n_components):
                    field += weights[k, i] * aux[k]
                for j in range(n_hidden):
                    lam = filters[j, i]
                    off = activation[j] - lam * v[i]
                    on = off + lam
                    field += hidden[j] * lam - softplus(on) + softplus(off)
                new = 1.0 if uniforms[m, t, n_components + i] < sigmoid(field) else 0.0
                if new != v[i]:
                    for j in range(n_hidden):
                        activation[j] += filters[j, i] * (new - v[i])
                    v[i] = new
    return out


@njit(cache=True)
def environment_clamped_gibbs(v, row_activation, weights_visible, visible_bias, key, n_sweeps):
    """Gibbs sweeps of the joint RBM's block ``V`` with each chain's environment ``E`` clamped.

    Samples ``P_Theta(V | E)`` of the joint RBM: with ``E`` fixed the hidden units see the
    field ``row_activation = c + W_E . E`` (one row per chain), and a sweep draws
    ``aux ~ sigmoid(row_activation + W_V . V)`` then ``V ~ sigmoid(a_V + W_V^T aux)``. Both
    conditionals factorize, so a sweep is two BLAS products.

    Parameters
    ----------
    v : ndarray of shape (n_chains, n_visible)
        Starting blocks in {0, 1}, float32 or float64; not modified.
    row_activation : ndarray of shape (n_chains, n_components)
        ``c + W_E . E`` of each chain's environment, same dtype as ``v``.
    weights_visible : ndarray of shape (n_components, n_visible)
        The joint RBM's couplings to the block sites, same dtype.
    visible_bias : ndarray of shape (n_visible,)
        The joint RBM's biases of the block sites, same dtype.
    key : uint64
        Key of the counter-based random stream (see :mod:`sklearn_rsmi.rbm._kernels`).
    n_sweeps : int

    Returns
    -------
    v_new : ndarray of shape (n_chains, n_visible)
    """
    n_chains, n_visible = v.shape
    n_components = weights_visible.shape[0]
    v = v.copy()
    zero = np.zeros(n_components, dtype=v.dtype)
    aux_prob = np.empty((n_chains, n_components), dtype=v.dtype)
    aux = np.empty((n_chains, n_components), dtype=v.dtype)
    v_prob = np.empty_like(v)
    for sweep in range(n_sweeps):
        sigmoid_bernoulli(np.dot(v, weights_visible.T) + row_activation, zero, key, 2 * sweep,
                          aux_prob, aux)
        sigmoid_bernoulli(np.dot(aux, weights_visible), visible_bias, key, 2 * sweep + 1, v_prob, v)
    return v
