"""The variational RSMI objective: a lower bound on ``I(H : E)`` that needs no Theta-RBMs.

The papers reach ``I(H : E)`` through two Theta-RBMs that model ``P(V, E)`` and ``P(V)``.
For large blocks that route is only as good as the RBMs and their Gibbs chains: on dimer
data with noise spins, CD-trained RBMs carry little of the flux correlation between a block
and its environment, and chains conditioned on the environment mix over thousands of sweeps
(see the method page of the docs). The variational route (Barber & Agakov,
2003; used for RSMI by Gokmen, Ringel, Huber & Koch-Janusz, PRL 127, 240603 (2021)) bounds
the same mutual information from below with a model ``q(H | E)`` of the coarse variables
given the environment, trained together with the filters:

``I(H : E) >= H(H) + E_{(V', E) ~ data} sum_H P_Lambda(H | V') log q(H | E)``,

with equality when ``q(H | E) = P(H | E)``. ``P(H)`` is the data average of
``P_Lambda(H | V')``. Here ``q`` is log-linear in the environment, a softmax over the
``2**n_hidden`` coarse states:

``log q(H | E) = critic_coef[H] . E + critic_intercept[H] - logsumexp over H``.

Everything is an average over data rows, so the objective and its gradient are exact on a
batch (no sampling) and cost a few matrix products. Arrays are in the occupation
convention {0, 1}; ``H_states`` enumerates the coarse states in binary order.
"""

import numpy as np
from scipy.special import expit, log_softmax

from .._utils.numerics import enumerate_binary_states, softplus

__all__ = ["VariationalObjective", "VariationalRoute", "MAX_VARIATIONAL_HIDDEN"]

#: ``q(H | E)`` has one row of weights per coarse state: 2**10 states is already a large critic.
MAX_VARIATIONAL_HIDDEN = 10


class VariationalObjective:
    """Barber-Agakov lower bound on ``I(H : E)`` with a log-linear critic ``q(H | E)``.

    Parameters
    ----------
    n_visible, n_environment, n_hidden : int
        Sizes of ``V``, ``E`` and ``H``; ``n_hidden`` is at most ``MAX_VARIATIONAL_HIDDEN``.
    environment_offset : ndarray of shape (n_environment,) or None, default=None
        Subtracted from ``E`` before the critic sees it: ``log q`` is linear in
        ``E - environment_offset``. Training passes the environment's mean: uncentered
        occupations (mean about 0.4) put a large common mode into every logit, and with
        Adam's unit-size steps the critic then overshoots and the filters can stall at zero
        (measured on 8x8 dimer blocks at learning rate 0.05). :meth:`uncentered_critic`
        turns the critic back into one on raw ``E``.
    """

    def __init__(self, n_visible, n_environment, n_hidden, environment_offset=None):
        if n_hidden > MAX_VARIATIONAL_HIDDEN:
            raise ValueError(
                f"objective='variational' models q(H | E) over all 2**n_hidden coarse states; "
                f"n_hidden={n_hidden} exceeds the largest supported, {MAX_VARIATIONAL_HIDDEN}."
            )
        self.n_visible = n_visible
        self.n_environment = n_environment
        self.n_hidden = n_hidden
        self.H_states = enumerate_binary_states(n_hidden).astype(np.float64)
        self.environment_offset = (
            np.zeros(n_environment) if environment_offset is None
            else np.asarray(environment_offset, dtype=np.float64)
        )

    def uncentered_critic(self, critic_coef, critic_intercept):
        """The same ``q(H | E)`` as weights and intercepts on raw ``E``."""
        return critic_coef, critic_intercept - critic_coef @ self.environment_offset

    def initial_critic(self):
        """Critic weights and intercepts of a uniform ``q(H | E)``."""
        n_states = self.H_states.shape[0]
        return np.zeros((n_states, self.n_environment)), np.zeros(n_states)

    def _terms(self, filters, bias, critic_coef, critic_intercept, V, E):
        activation = V @ filters.T + bias  # (rows, n_hidden)
        log_p = activation @ self.H_states.T - softplus(activation).sum(axis=1, keepdims=True)
        p = np.exp(log_p)  # P_Lambda(H | V'), (rows, states)
        log_q = log_softmax((E - self.environment_offset) @ critic_coef.T + critic_intercept, axis=1)
        p_marginal = np.maximum(p.mean(axis=0), np.finfo(np.float64).tiny)
        bound = float((p * log_q).sum(axis=1).mean() - p_marginal @ np.log(p_marginal))
        return activation, p, log_q, p_marginal, bound

    def value(self, filters, bias, critic_coef, critic_intercept, V, E):
        """The bound in nats on rows ``(V, E)``."""
        return self._terms(filters, bias, critic_coef, critic_intercept, V, E)[-1]

    def value_and_gradient(self, filters, bias, critic_coef, critic_intercept, V, E):
        """The bound in nats and its gradient in ``(filters, bias, critic_coef, critic_intercept)``."""
        activation, p, log_q, p_marginal, bound = self._terms(
            filters, bias, critic_coef, critic_intercept, V, E
        )
        n_rows = V.shape[0]
        # dP(H|V')/d a_j = P(H|V') (h_j - sigmoid(a_j)); the "+1" from differentiating
        # -P log P cancels because sum_H dP(H) = 0.
        weight = p * (log_q - np.log(p_marginal))
        residual = weight @ self.H_states - weight.sum(axis=1, keepdims=True) * expit(activation)
        grad_filters = residual.T @ V / n_rows
        grad_bias = residual.mean(axis=0)
        # Softmax regression of the data's soft coarse labels on E.
        error = p - np.exp(log_q)
        grad_coef = error.T @ (E - self.environment_offset) / n_rows
        grad_intercept = error.mean(axis=0)
        return bound, (grad_filters, grad_bias, grad_coef, grad_intercept)

    def mutual_information(self, filters, bias, critic_coef, critic_intercept, V, E):
        """The bound in bits on rows ``(V, E)``: a lower bound on their ``I(H : E)``."""
        return self.value(filters, bias, critic_coef, critic_intercept, V, E) / np.log(2.0)


class VariationalRoute:
    """How :class:`~sklearn_rsmi.RSMICoarseGrainer` fits and scores through the variational bound.

    The parameters ascended are ``(filters, filter_bias, critic_coef, critic_intercept)``;
    no Theta-RBMs are trained. The critic sees the environment centered on the training
    windows' mean, and is stored back as weights on raw ``E``.
    """

    def __init__(self, objective, V, E):
        self.objective, self.V, self.E = objective, V, E
        self.n_rows, self.n_visible = V.shape

    @classmethod
    def for_training(cls, coarse_grainer, V, E, rng):
        """The route on the training windows (``rng`` is not used: nothing is sampled)."""
        return cls(VariationalObjective(V.shape[1], E.shape[1], coarse_grainer.n_hidden,
                                        environment_offset=E.mean(axis=0)), V, E)

    @classmethod
    def for_scoring(cls, coarse_grainer, V, E, seed):
        """The route of a fitted coarse-grainer, on new windows."""
        return cls(VariationalObjective(V.shape[1], E.shape[1], coarse_grainer.n_hidden), V, E)

    def initial_extra_parameters(self):
        """The critic of a uniform ``q(H | E)``."""
        return self.objective.initial_critic()

    def fitted_attributes(self, params):
        """The estimator's fitted attributes from the final parameters (filters flat)."""
        filters, bias, critic_coef, critic_intercept = params
        critic_coef, critic_intercept = self.objective.uncentered_critic(critic_coef,
                                                                         critic_intercept)
        return {"filters_": filters, "filter_bias_": bias, "critic_coef_": critic_coef,
                "critic_intercept_": critic_intercept, "rbm_joint_": None, "rbm_visible_": None}

    @staticmethod
    def parameters_of(coarse_grainer):
        """The ascended parameters of a fitted coarse-grainer (critic on raw ``E``)."""
        return (coarse_grainer.filters_.reshape(coarse_grainer.n_hidden, -1),
                coarse_grainer.filter_bias_, coarse_grainer.critic_coef_,
                coarse_grainer.critic_intercept_)

    def gradient(self, params, rows):
        """The bound's gradient on the training rows ``rows``."""
        return self.objective.value_and_gradient(*params, self.V[rows], self.E[rows])[1]

    def mutual_information(self, params, rows=None):
        """The bound in bits on the rows ``rows`` (all when None)."""
        V, E = (self.V, self.E) if rows is None else (self.V[rows], self.E[rows])
        return self.objective.mutual_information(*params, V, E)

    def implausible_estimate_advice(self):
        """``(model, plural, remedy)`` for the warning about an I(H:E) outside ``[0, n_hidden]``."""
        return "the critic q(H|E)", False, "train it longer (n_epochs)"
