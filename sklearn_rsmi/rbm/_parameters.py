"""The parameters of a Bernoulli RBM and the free energies they define, written once.

Fitted estimators keep scikit-learn's names (``components_``, ``intercept_visible_``,
``intercept_hidden_``, as :class:`sklearn.neural_network.BernoulliRBM` does); everything
else calls them ``weights`` (shape ``(n_hidden, n_visible)``), ``visible_bias`` and
``hidden_bias``.
"""

import numpy as np

from . import _kernels as kernels


def layer_free_energy(states, coupling, own_bias, other_bias):
    """Free energy of states of one layer, the other layer summed out.

    ``F(s) = -own_bias.s - sum_k softplus(other_bias_k + (s coupling)_k)``. For visible
    states ``coupling`` is ``weights.T`` (this is the RBM's ``F(v)``, ``P(v) = exp(-F(v)) /
    Z``); for hidden states it is ``weights``.

    Parameters
    ----------
    states : ndarray of shape (n_states, n_units)
        Rows in [0, 1].
    coupling : ndarray of shape (n_units, n_other_units)
    own_bias : ndarray of shape (n_units,)
    other_bias : ndarray of shape (n_other_units,)

    Returns
    -------
    free_energy : ndarray of shape (n_states,)
    """
    return -(states @ own_bias) - kernels.softplus_row_sums(states @ coupling, other_bias, 1.0)


def check_rbm_parameters(weights, visible_bias, hidden_bias):
    """Return the three arrays as contiguous float64 after checking shapes and finiteness."""
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    visible_bias = np.ascontiguousarray(visible_bias, dtype=np.float64)
    hidden_bias = np.ascontiguousarray(hidden_bias, dtype=np.float64)
    if (weights.ndim != 2 or visible_bias.shape != (weights.shape[1],)
            or hidden_bias.shape != (weights.shape[0],)):
        raise ValueError(
            f"Inconsistent RBM parameters: weights {weights.shape}, visible bias "
            f"{visible_bias.shape}, hidden bias {hidden_bias.shape}; expected (n_hidden, "
            "n_visible), (n_visible,), (n_hidden,)."
        )
    if not (np.all(np.isfinite(weights)) and np.all(np.isfinite(visible_bias))
            and np.all(np.isfinite(hidden_bias))):
        raise ValueError("RBM parameters contain NaN or infinity.")
    return weights, visible_bias, hidden_bias


class RBMParameters:
    """A validated float64 copy of a fitted RBM's parameters.

    Any object with ``components_``, ``intercept_visible_`` and ``intercept_hidden_`` will do:
    :class:`sklearn_rsmi.ThetaRBM` or scikit-learn's ``BernoulliRBM``.

    Parameters
    ----------
    rbm : object
        The fitted RBM; its arrays are copied.
    name : str
        How error messages call it.
    n_features : int or None, default=None
        The number of visible units it must have.

    Attributes
    ----------
    weights : ndarray of shape (n_components, n_features)
    weights_T : ndarray of shape (n_features, n_components)
        C-contiguous transpose: row slices (a block of visible sites) stay contiguous,
        which keeps products with data on BLAS's fast path.
    visible_bias : ndarray of shape (n_features,)
    hidden_bias : ndarray of shape (n_components,)
    n_features, n_components : int
    """

    def __init__(self, rbm, name, n_features=None):
        missing = [a for a in ("components_", "intercept_visible_", "intercept_hidden_")
                   if not hasattr(rbm, a)]
        if missing:
            raise TypeError(
                f"{name} must be a fitted RBM with components_, intercept_visible_ and "
                f"intercept_hidden_; {type(rbm).__name__} lacks {', '.join(missing)}."
            )
        try:
            weights, visible_bias, hidden_bias = check_rbm_parameters(
                rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        n_components, n_feat = weights.shape
        if n_features is not None and n_feat != n_features:
            raise ValueError(f"{name} has {n_feat} features, expected {n_features}.")
        # Copies: the caller's model may go on training.
        self.weights = weights.copy()
        self.weights_T = np.ascontiguousarray(weights.T)
        self.visible_bias = visible_bias.copy()
        self.hidden_bias = hidden_bias.copy()
        self.n_features = n_feat
        self.n_components = n_components

    def free_energy(self, X):
        """``F(x) = -a.x - sum_k softplus(c_k + W_k.x)`` of every row of ``X``."""
        return layer_free_energy(np.ascontiguousarray(X, dtype=np.float64), self.weights_T,
                                 self.visible_bias, self.hidden_bias)
