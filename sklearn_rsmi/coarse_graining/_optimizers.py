"""Gradient ascent on the filters: Adam or plain steps, with a constant or cosine step size."""

import numpy as np


def scheduled_learning_rate(learning_rate, schedule, step, n_steps):
    """The step size of gradient step ``step`` (from 0) out of ``n_steps``.

    ``"constant"`` keeps ``learning_rate``; ``"cosine"`` lowers it along half a cosine,
    from ``learning_rate`` at the first step towards 0 after the last.
    """
    if schedule == "constant":
        return learning_rate
    return 0.5 * learning_rate * (1.0 + np.cos(np.pi * step / n_steps))


class Adam:
    """Adam ascent (Kingma & Ba, 2015) on a tuple of arrays."""

    def __init__(self, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.t = 0
        self.m = self.v = None

    def step(self, params, grads):
        """Return the parameters after one ascent step along ``grads``."""
        if self.m is None:
            self.m = [np.zeros_like(g) for g in grads]
            self.v = [np.zeros_like(g) for g in grads]
        self.t += 1
        updated = []
        for i, (p, g) in enumerate(zip(params, grads)):
            self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * g
            self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * g * g
            m_hat = self.m[i] / (1 - self.beta1**self.t)
            v_hat = self.v[i] / (1 - self.beta2**self.t)
            updated.append(p + self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps))
        return tuple(updated)


class SGD:
    """Plain gradient ascent."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def step(self, params, grads):
        """Return the parameters after one ascent step along ``grads``."""
        return tuple(p + self.learning_rate * g for p, g in zip(params, grads))


OPTIMIZERS = {"adam": Adam, "sgd": SGD}
