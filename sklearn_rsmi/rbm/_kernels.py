"""numba kernels of :class:`sklearn_rsmi.ThetaRBM`: Gibbs sweeps, CD epochs, free energies, AIS.

Layout and conventions shared by every kernel:

- visible states ``v`` are rows in [0, 1] (occupations or probabilities), hidden states
  ``h`` rows in {0, 1}; ``weights`` has shape ``(n_hidden, n_visible)``, ``visible_bias``
  and ``hidden_bias`` are the biases of the two layers. Parameters are float64. The
  mini-batch work of training (products, sigmoids, samples) runs in the dtype of the data
  array given to :func:`cd_epoch`, float32 or float64: float32 halves the time of both
  the BLAS products and ``exp`` while the parameters and their updates stay float64;
- matrix products go to BLAS through ``np.dot``: at the RSMI shapes (a few hundred sites,
  64 hidden units, mini-batches of 64) dgemm and sgemm beat numba loops by about 2x, even
  loops that skip zero inputs. The elementwise work (sigmoids, Bernoulli draws, softplus
  sums) is fused in numba loops: serial inside a training mini-batch (a few thousand
  numbers, too few for threads), ``prange`` over rows in the kernels that see whole data
  sets;
- random numbers are counter-based (:func:`sklearn_rsmi._utils.kernels.uniform`): the
  uniform for element ``(row, unit)`` of sampling event ``event`` under a 64-bit ``key``
  has ``counter = event * 2**40 + row * n_units + unit``, so a fixed key gives identical
  results for any number of numba threads. Keys are drawn from the estimator's
  ``random_state`` (one per mini-batch or call).

Kernels that train update their array arguments in place and say so.
"""

import numpy as np
from numba import njit, prange, types
from numba.extending import overload

from .._utils.kernels import branch_free_sigmoid, softplus, uniform

_EVENT_STRIDE = np.uint64(1 << 40)


# float32 exp by Cody-Waite range reduction and a degree-6 Taylor polynomial: plain
# arithmetic that LLVM vectorizes (numba calls libm's scalar expf, 3-6x slower, and has
# no SVML here). Arguments are clamped to [-87, 87] so 2**k stays a normal float32.
_F32 = np.float32
_LOG2E_32 = _F32(1.4426950408889634)
_LN2_HI_32 = _F32(0.693145751953125)
_LN2_LO_32 = _F32(1.428606765330187e-06)
_CLAMP_32 = _F32(87.0)
_HALF_32 = _F32(0.5)
_ONE_32 = _F32(1.0)
_C2, _C3, _C4, _C5, _C6 = (_F32(1 / 2), _F32(1 / 6), _F32(1 / 24), _F32(1 / 120), _F32(1 / 720))


def sigmoid_into(pre_activation, bias, out):
    """Write ``sigmoid(pre_activation + bias)`` into ``out`` (2D arrays, ``bias`` 1D).

    Compiled by type: float64 uses libm's ``exp``; float32 uses a vectorized ``exp``
    accurate to 3e-7 relative wherever ``|x| <= 87`` (beyond, the result is within
    2e-38 of 0 or exactly 1); the tests check both against float64 numpy.
    """
    out[...] = 1.0 / (1.0 + np.exp(-(pre_activation + bias)))


@overload(sigmoid_into)
def _sigmoid_into_overload(pre_activation, bias, out):
    if isinstance(out, types.Array) and out.dtype == types.float32:
        def sigmoid_into_float32(pre_activation, bias, out):
            n_rows, n_units = pre_activation.shape
            two_to_k = np.empty(n_units, dtype=np.int32)
            scale = two_to_k.view(np.float32)
            for n in range(n_rows):
                for j in range(n_units):
                    t = -(pre_activation[n, j] + bias[j])
                    t = min(max(t, -_CLAMP_32), _CLAMP_32)
                    k = np.floor(t * _LOG2E_32 + _HALF_32)
                    x = t - k * _LN2_HI_32 - k * _LN2_LO_32
                    out[n, j] = _ONE_32 + x * (_ONE_32 + x * (_C2 + x * (_C3 + x * (
                        _C4 + x * (_C5 + x * _C6)))))
                    two_to_k[j] = (np.int32(k) + np.int32(127)) << np.int32(23)
                for j in range(n_units):
                    out[n, j] = _ONE_32 / (_ONE_32 + out[n, j] * scale[j])
        return sigmoid_into_float32

    def sigmoid_into_float64(pre_activation, bias, out):
        n_rows, n_units = pre_activation.shape
        for n in range(n_rows):
            for j in range(n_units):
                out[n, j] = branch_free_sigmoid(pre_activation[n, j] + bias[j], 1.0)
    return sigmoid_into_float64


@njit(cache=True)
def sigmoid_bernoulli(pre_activation, bias, key, event, probabilities, samples, first_row=0):
    """Fill ``probabilities = sigmoid(pre_activation + bias)`` and Bernoulli samples of them.

    ``pre_activation`` has shape (n_rows, n_units); ``bias`` shape (n_units,), same dtype.
    Writes into ``probabilities`` and ``samples`` (same shape and dtype). Row ``n`` draws
    the uniforms of row ``first_row + n`` of the stream of ``(key, event)``, so a block of
    a larger set of chains draws exactly what the whole set would.

    Serial on purpose: it runs once per mini-batch on a few thousand numbers, where a
    parallel region costs more than it saves (far slower with two threads on a
    loaded two-core machine). The parallel kernels below work on whole data sets.
    """
    sigmoid_into(pre_activation, bias, probabilities)
    bernoulli_into(probabilities, key, event, samples, first_row)


@njit(cache=True)
def bernoulli_into(probabilities, key, event, samples, first_row=0):
    """Write Bernoulli samples of ``probabilities`` into ``samples`` (stream as above)."""
    n_rows, n_units = probabilities.shape
    key = np.uint64(key)
    base = np.uint64(event) * _EVENT_STRIDE + np.uint64(first_row * n_units)
    for n in range(n_rows):
        row = base + np.uint64(n * n_units)
        for j in range(n_units):
            # A comparison, not a branch: the loop vectorizes.
            samples[n, j] = uniform(key, row + np.uint64(j)) < probabilities[n, j]


@njit(cache=True, parallel=True)
def sigmoid_rows(pre_activation, bias):
    """``sigmoid(pre_activation + bias)`` as a new array (rows in parallel)."""
    n_rows, n_units = pre_activation.shape
    out = np.empty((n_rows, n_units))
    for n in prange(n_rows):
        for j in range(n_units):
            out[n, j] = branch_free_sigmoid(pre_activation[n, j] + bias[j], 1.0)
    return out


@njit(cache=True, inline="always")
def _softplus_row(A, n, bias, scale):
    total = 0.0
    for j in range(A.shape[1]):
        total += softplus(scale * A[n, j] + bias[j])
    return total


@njit(cache=True, parallel=True)
def softplus_row_sums(pre_activation, bias, scale=1.0):
    """``sum_j softplus(scale * pre_activation[n, j] + bias[j])`` for every row ``n``."""
    n_rows = pre_activation.shape[0]
    out = np.empty(n_rows)
    for n in prange(n_rows):
        out[n] = _softplus_row(pre_activation, n, bias, scale)
    return out


@njit(cache=True)
def gibbs_steps(v, weights, visible_bias, hidden_bias, key, n_steps):
    """Run ``n_steps`` Gibbs sweeps v -> h -> v from the rows of ``v``; return the new v.

    The returned rows are binary samples; ``v`` itself is not modified.
    """
    n_rows = v.shape[0]
    n_hidden = weights.shape[0]
    v = v.copy()
    h_prob = np.empty((n_rows, n_hidden))
    h = np.empty((n_rows, n_hidden))
    v_prob = np.empty_like(v)
    for step in range(n_steps):
        sigmoid_bernoulli(np.dot(v, weights.T), hidden_bias, key, 2 * step, h_prob, h)
        sigmoid_bernoulli(np.dot(h, weights), visible_bias, key, 2 * step + 1, v_prob, v)
    return v


@njit(cache=True)
def _negative_phase(V, H, m, weights_work, visible_bias_work, hidden_bias_work, chains_hidden,
                    key, n_gibbs_steps, persistent):
    """Fill the data rows ``V[:m]``'s hidden probabilities and the model rows of ``V, H``.

    ``V[:m]`` holds the mini-batch; ``V[m:]`` and ``H[m:]`` receive the negative (model)
    visible samples and hidden probabilities, ``H[:m]`` the data's hidden probabilities.
    With PCD the chains continue from ``chains_hidden``, which is updated in place.
    """
    work = V.dtype
    n_visible = V.shape[1]
    n_hidden = H.shape[1]
    n_negative = V.shape[0] - m
    v_pos, v_neg = V[:m], V[m:]
    h_pos_prob, h_neg_prob = H[:m], H[m:]
    v_neg_prob = np.empty((n_negative, n_visible), dtype=work)
    h_neg = np.empty((n_negative, n_hidden), dtype=work)
    if persistent:
        # The chains do not depend on the data, so the last hidden step of the chains
        # and the positive phase share one product [v_pos; v_neg] weights^T.
        h = chains_hidden.copy()
        for step in range(n_gibbs_steps):
            sigmoid_bernoulli(np.dot(h, weights_work), visible_bias_work, key, 2 * step + 1,
                              v_neg_prob, v_neg)
            if step < n_gibbs_steps - 1:
                sigmoid_bernoulli(np.dot(v_neg, weights_work.T), hidden_bias_work, key,
                                  2 * step + 2, h_neg_prob, h_neg)
                h = h_neg
        sigmoid_into(np.dot(V, weights_work.T), hidden_bias_work, H)
        bernoulli_into(h_neg_prob, key, 2 * n_gibbs_steps, h_neg)
        chains_hidden[:] = h_neg
    else:
        h_pos = np.empty((m, n_hidden), dtype=work)
        sigmoid_bernoulli(np.dot(v_pos, weights_work.T), hidden_bias_work, key, 0, h_pos_prob,
                          h_pos)
        h = h_pos
        for step in range(n_gibbs_steps):
            sigmoid_bernoulli(np.dot(h, weights_work), visible_bias_work, key, 2 * step + 1,
                              v_neg_prob, v_neg)
            sigmoid_bernoulli(np.dot(v_neg, weights_work.T), hidden_bias_work, key,
                              2 * step + 2, h_neg_prob, h_neg)
            h = h_neg


@njit(cache=True)
def cd_epoch(X, order, batch_size, weights, visible_bias, hidden_bias, velocity_weights,
             velocity_visible, velocity_hidden, chains_hidden, batch_keys, n_gibbs_steps,
             persistent, learning_rate_start, learning_rate_end, momentum, weight_decay,
             visible_offset, hidden_offset, offset_rate):
    """One pass of CD-k or PCD-k over the rows ``X[order]`` in mini-batches; updates in place.

    ``X`` (n_samples, n_visible) and ``chains_hidden`` (n_chains, n_hidden) are in the work
    dtype (float32 or float64); ``weights, visible_bias, hidden_bias`` and the momentum
    buffers ``velocity_*`` are float64 and updated in place, as are (PCD) the persistent
    hidden states ``chains_hidden``. ``batch_keys`` holds one uint64 random key per
    mini-batch.

    The log-likelihood gradient per sample is ``<h v>_data - <h v>_model``, with hidden
    probabilities (not samples) on both sides and sampled visible negatives. Per
    mini-batch of PCD-1 this takes three BLAS products: ``h_chains W``, then
    ``[v_data; v_model] W^T`` and ``[h_data / m; -h_model / n] ^T [v_data; v_model]``
    (stacking saves one product of four). The step is
    ``velocity = momentum * velocity + learning_rate * (gradient - weight_decay * W)``,
    ``W += velocity``; the biases take the same step without decay. ``learning_rate``
    goes linearly from ``learning_rate_start`` (first mini-batch) towards
    ``learning_rate_end`` (reached after the last one).

    Centering (Montavon & Mueller 2012; Melchior, Fischer & Wiskott 2016): with offsets
    ``mu = visible_offset`` and ``lambda = hidden_offset`` the energy is written
    ``-(v - mu) W (h - lambda) - b'(v - mu) - c'(h - lambda)``, the same model family with
    ``a = b' - W^T lambda`` and ``c = c' - W mu``. Ascending in the centered parameters
    changes the weight gradient to ``gradient_W - g_c mu^T - lambda g_a^T`` (``g_a, g_c`` the
    bias gradients, unchanged), and a step ``(dW, db', dc')`` is the step
    ``(dW, db' - dW^T lambda, dc' - dW mu)`` of the ordinary parameters, which are the ones
    stored: nothing needs converting on export. Without centering pass zero-length offsets.
    ``hidden_offset`` follows the data's mean hidden probabilities as an exponential moving
    average with rate ``offset_rate`` per mini-batch (updated in place);
    ``visible_offset`` stays fixed (the data's mean).
    """
    centered = visible_offset.shape[0] > 0
    n_samples, n_visible = X.shape
    n_hidden = weights.shape[0]
    n_batches = batch_keys.shape[0]
    work = X.dtype
    for b in range(n_batches):
        start = b * batch_size
        stop = min(start + batch_size, n_samples)
        m = stop - start
        learning_rate = learning_rate_start + (learning_rate_end - learning_rate_start) * (
            b / n_batches)
        n_negative = chains_hidden.shape[0] if persistent else m
        # Data and model statistics stacked, so one GEMM gives the whole gradient.
        V = np.empty((m + n_negative, n_visible), dtype=work)
        H = np.empty((m + n_negative, n_hidden), dtype=work)
        for r in range(m):
            V[r] = X[order[start + r]]
        _negative_phase(V, H, m, weights.astype(work), visible_bias.astype(work),
                        hidden_bias.astype(work), chains_hidden, batch_keys[b], n_gibbs_steps,
                        persistent)
        gradient_hidden = np.zeros(n_hidden)
        gradient_visible = np.zeros(n_visible)
        # Column sums row by row (contiguous, vectorizable, fixed summation order); the
        # hidden rows are scaled in place to +1/m (data) and -1/n_negative (model).
        for r in range(m + n_negative):
            weight = 1.0 / m if r < m else -1.0 / n_negative
            weight_work = work.type(weight)
            for j in range(n_hidden):
                H[r, j] *= weight_work
                gradient_hidden[j] += H[r, j]
            for i in range(n_visible):
                gradient_visible[i] += weight * V[r, i]
        gradient_weights = np.dot(H.T, V)
        if not centered:
            for j in range(n_hidden):
                velocity_hidden[j] = (momentum * velocity_hidden[j]
                                      + learning_rate * gradient_hidden[j])
                hidden_bias[j] += velocity_hidden[j]
                for i in range(n_visible):
                    velocity_weights[j, i] = momentum * velocity_weights[j, i] + learning_rate * (
                        gradient_weights[j, i] - weight_decay * weights[j, i]
                    )
                    weights[j, i] += velocity_weights[j, i]
            for i in range(n_visible):
                velocity_visible[i] = (momentum * velocity_visible[i]
                                       + learning_rate * gradient_visible[i])
                visible_bias[i] += velocity_visible[i]
            continue
        # The data rows of H were scaled by 1/m above: their column sums are the batch means.
        data_hidden_mean = np.zeros(n_hidden)
        for r in range(m):
            for j in range(n_hidden):
                data_hidden_mean[j] += H[r, j]
        for i in range(n_visible):
            velocity_visible[i] = (momentum * velocity_visible[i]
                                   + learning_rate * gradient_visible[i])
            visible_bias[i] += velocity_visible[i]
        for j in range(n_hidden):
            velocity_hidden[j] = momentum * velocity_hidden[j] + learning_rate * gradient_hidden[j]
            step_dot_mu = 0.0
            for i in range(n_visible):
                centered_gradient = (gradient_weights[j, i] - gradient_hidden[j] * visible_offset[i]
                                     - hidden_offset[j] * gradient_visible[i])
                velocity_weights[j, i] = momentum * velocity_weights[j, i] + learning_rate * (
                    centered_gradient - weight_decay * weights[j, i]
                )
                weights[j, i] += velocity_weights[j, i]
                step_dot_mu += velocity_weights[j, i] * visible_offset[i]
                visible_bias[i] -= velocity_weights[j, i] * hidden_offset[j]
            hidden_bias[j] += velocity_hidden[j] - step_dot_mu
        for j in range(n_hidden):
            hidden_offset[j] += offset_rate * (data_hidden_mean[j] - hidden_offset[j])


@njit(cache=True)
def _ais_block(weights, visible_bias, hidden_bias, base_visible_bias, betas, v, key, first_row,
               log_w):
    """AIS for one block of chains (rows ``first_row...`` of the stream); fills ``log_w``."""
    n_chains, n_visible = v.shape
    n_hidden = weights.shape[0]
    h_prob = np.empty((n_chains, n_hidden))
    h = np.empty((n_chains, n_hidden))
    v_prob = np.empty((n_chains, n_visible))
    annealed_visible_bias = np.empty(n_visible)
    zero_hidden = np.zeros(n_hidden)
    visible_bias_change = visible_bias - base_visible_bias
    n_betas = betas.shape[0]
    for k in range(1, n_betas):
        beta_old = betas[k - 1]
        beta = betas[k]
        A = np.dot(v, weights.T)
        for n in range(n_chains):
            for j in range(n_hidden):
                A[n, j] += hidden_bias[j]
        visible_term = np.dot(v, visible_bias_change)
        for n in range(n_chains):
            # log p*_beta(v) - log p*_beta_old(v), the hidden units summed out.
            log_w[n] += (_softplus_row(A, n, zero_hidden, beta)
                         - _softplus_row(A, n, zero_hidden, beta_old)
                         + (beta - beta_old) * visible_term[n])
        if k == n_betas - 1:
            break
        # One Gibbs sweep that leaves p_beta invariant.
        for n in range(n_chains):
            for j in range(n_hidden):
                A[n, j] *= beta
        sigmoid_bernoulli(A, zero_hidden, key, 2 * k, h_prob, h, first_row)
        for i in range(n_visible):
            annealed_visible_bias[i] = ((1.0 - beta) * base_visible_bias[i]
                                        + beta * visible_bias[i])
        B = np.dot(h, weights)
        for n in range(n_chains):
            for i in range(n_visible):
                B[n, i] *= beta
        sigmoid_bernoulli(B, annealed_visible_bias, key, 2 * k + 1, v_prob, v, first_row)


@njit(cache=True, parallel=True)
def ais_log_weights(weights, visible_bias, hidden_bias, base_visible_bias, betas, v, key,
                    block_size):
    """Annealed importance sampling log-weights from a base-rate model to the RBM.

    The path of distributions is
    ``p_beta(v, h) ~ exp((1 - beta) a_0.v + beta (a.v + c.h + h.W.v))`` for ``beta`` in
    ``betas`` (0 first, 1 last), with ``W, a, c`` the ``weights``, ``visible_bias`` and
    ``hidden_bias`` and ``a_0`` the ``base_visible_bias``: at ``beta = 0`` the visible units
    are independent with biases ``a_0`` and the hidden units uniform. ``v`` holds the
    chains' starting states drawn from that base model, shape (n_chains, n_visible), and is
    overwritten. Returns ``log w`` per chain: ``log Z = log Z_0 + log mean exp(log w)``.

    Chains run in blocks of ``block_size`` rows in parallel; the blocks are fixed by
    ``block_size`` alone, so the result does not depend on the number of threads.
    """
    n_chains = v.shape[0]
    log_w = np.zeros(n_chains)
    n_blocks = (n_chains + block_size - 1) // block_size
    for block in prange(n_blocks):
        start = block * block_size
        stop = min(start + block_size, n_chains)
        v_block = v[start:stop].copy()
        w_block = np.zeros(stop - start)
        _ais_block(weights, visible_bias, hidden_bias, base_visible_bias, betas, v_block, key,
                   start, w_block)
        log_w[start:stop] = w_block
        v[start:stop] = v_block
    return log_w


@njit(cache=True, parallel=True)
def pseudo_log_likelihood(X, pre_activation, weights, visible_bias, units):
    """Pseudo-log-likelihood terms ``log P(x_i | x_-i)`` for unit ``i = units[n]`` of row ``n``.

    ``pre_activation`` is ``A = X W^T + c``. Flipping unit ``i`` of ``x`` changes the
    free energy by ``F(x') - F(x) = s a_i + sum_k [softplus(A_k) - softplus(A_k - s W_ki)]``
    with ``s = 2 x_i - 1``; then ``log P(x_i | x_-i) = log sigmoid(F(x') - F(x))``.
    Multiplied by ``n_visible`` and averaged over rows whose flipped units cycle through
    all units, this estimates the mean pseudo-log-likelihood ``sum_i log P(x_i | x_-i)``.
    """
    n_rows = X.shape[0]
    n_hidden = weights.shape[0]
    out = np.empty(n_rows)
    for n in prange(n_rows):
        i = units[n]
        sign = 2.0 * X[n, i] - 1.0
        gap = sign * visible_bias[i]
        for k in range(n_hidden):
            a = pre_activation[n, k]
            gap += softplus(a) - softplus(a - sign * weights[k, i])
        out[n] = -softplus(-gap)
    return out
