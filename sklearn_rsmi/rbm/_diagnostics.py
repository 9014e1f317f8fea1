"""How much of the data's block-environment correlation a joint Theta-RBM reproduces.

RSMI sees the block-environment correlation only through the joint RBM's free energy: if the
RBM does not carry it, no objective built on it can find the right filters. The diagnostic
here compares canonical correlations (Hotelling 1936) of the block ``V`` against its
environment ``E``: the data's leading canonical pairs of directions ``(a_k, b_k)`` are found
on the data, and the correlation of ``a_k . V`` with ``b_k . E`` is then measured again on
samples drawn from the model. Fixing the directions on the data keeps the model figure free
of the upward bias that a canonical analysis of a few thousand model samples in hundreds of
dimensions would have.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, validate_params
from sklearn.utils.validation import check_is_fitted

from .._utils.validation import check_probabilities_or_spins

__all__ = ["block_environment_correlation", "canonical_correlations"]


def _inverse_sqrt(covariance, regularization):
    values, vectors = np.linalg.eigh(covariance)
    # Relative ridge: directions of (almost) constant sites get no weight instead of blowing up.
    floor = regularization * max(float(values.max()), 1e-300)
    return (vectors / np.sqrt(np.maximum(values, 0.0) + floor)) @ vectors.T


def _check_pair(V, E):
    V = check_probabilities_or_spins(np.asarray(V, dtype=np.float64), name="V")
    E = check_probabilities_or_spins(np.asarray(E, dtype=np.float64), name="E")
    if V.ndim != 2 or E.ndim != 2:
        raise ValueError(f"V and E must be 2D (rows, sites), got shapes {V.shape} and {E.shape}.")
    if V.shape[0] != E.shape[0]:
        raise ValueError(f"V has {V.shape[0]} rows but E has {E.shape[0]}.")
    if V.shape[0] < 2:
        raise ValueError(f"Canonical correlations need at least 2 rows, got {V.shape[0]}.")
    return V, E


@validate_params(
    {
        "V": ["array-like"],
        "E": ["array-like"],
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "regularization": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def canonical_correlations(V, E, n_components=None, *, regularization=1e-6):
    """Canonical correlations of the rows of ``V`` against those of ``E``, with their directions.

    The k-th canonical pair ``(a_k, b_k)`` maximizes the correlation of ``a_k . V`` with
    ``b_k . E`` among directions uncorrelated with the earlier pairs; the correlations are the
    singular values of ``C_VV^{-1/2} C_VE C_EE^{-1/2}``.

    Parameters
    ----------
    V : array-like of shape (n_rows, n_visible)
        Binary rows (occupations, probabilities or spins).
    E : array-like of shape (n_rows, n_environment)
        Binary rows, same number as ``V``.
    n_components : int or None, default=None
        How many leading pairs to return; ``None`` means all ``min(n_visible,
        n_environment)``.
    regularization : float, default=1e-6
        Ridge added to both covariances, relative to their largest eigenvalue (sites that
        never change would otherwise make them singular).

    Returns
    -------
    result : Bunch
        ``correlations`` (n_components,), decreasing; ``visible_directions`` (n_components,
        n_visible) and ``environment_directions`` (n_components, n_environment), each scaled to
        unit variance on these rows; ``visible_mean`` and ``environment_mean``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> E = rng.integers(0, 2, (20000, 3))
    >>> V = np.where(rng.random((20000, 1)) < 0.9, E[:, :1], 1 - E[:, :1])  # copies E_0, 10 % flips
    >>> round(float(canonical_correlations(V, E).correlations[0]), 2)
    0.8
    """
    V, E = _check_pair(V, E)
    n_pairs = min(V.shape[1], E.shape[1])
    n_components = n_pairs if n_components is None else min(n_components, n_pairs)
    visible_mean, environment_mean = V.mean(axis=0), E.mean(axis=0)
    Vc, Ec = V - visible_mean, E - environment_mean
    n = V.shape[0]
    whiten_v = _inverse_sqrt(Vc.T @ Vc / n, regularization)
    whiten_e = _inverse_sqrt(Ec.T @ Ec / n, regularization)
    cross = whiten_v @ (Vc.T @ Ec / n) @ whiten_e
    left, values, right_t = np.linalg.svd(cross, full_matrices=False)
    return Bunch(
        correlations=np.clip(values[:n_components], 0.0, 1.0),
        visible_directions=(whiten_v @ left[:, :n_components]).T,
        environment_directions=(whiten_e @ right_t[:n_components].T).T,
        visible_mean=visible_mean,
        environment_mean=environment_mean,
    )


def _correlation_along(V, E, a, b):
    x = (V - V.mean(axis=0)) @ a.T
    y = (E - E.mean(axis=0)) @ b.T
    sx, sy = x.std(axis=0), y.std(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (x * y).mean(axis=0) / (sx * sy)
    # A direction along which the model's samples do not vary carries no correlation.
    return np.where((sx > 0) & (sy > 0), r, 0.0)


@validate_params(
    {
        "rbm_joint": [HasMethods(["sample"])],
        "V": ["array-like"],
        "E": ["array-like"],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "n_samples": [Interval(Integral, 2, None, closed="left")],
        "n_steps": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def block_environment_correlation(rbm_joint, V, E, *, n_components=2, n_samples=2000,
                                  n_steps=500, random_state=0):
    """How much of the data's block-environment correlation a fitted joint RBM reproduces.

    The data's leading canonical pairs ``(a_k, b_k)`` of ``V`` against ``E`` are found on the
    data rows; the model's figure is the correlation of ``a_k . V`` with ``b_k . E`` on
    ``n_samples`` samples of the joint RBM (independent Gibbs chains of ``n_steps`` sweeps,
    see :meth:`ThetaRBM.sample`). A ratio near 1 means the RBM carries the correlation that
    RSMI's objective needs; a small one means no filter can be read off it (train the RBM
    longer, centered, with more hidden units). Its statistical error is about
    ``1 / sqrt(n_samples)`` per pair, plus whatever the chains have not mixed.

    Parameters
    ----------
    rbm_joint : ThetaRBM
        A fitted RBM of the windows ``[V sites, E sites]``.
    V : array-like of shape (n_rows, n_visible)
        The data's blocks, binary (either convention).
    E : array-like of shape (n_rows, n_environment)
        Their environments.
    n_components : int, default=2
        Leading canonical pairs compared.
    n_samples : int, default=2000
        Model samples (independent chains).
    n_steps : int, default=500
        Gibbs sweeps per chain.
    random_state : int, RandomState instance or None, default=0
        Seeds the chains.

    Returns
    -------
    result : Bunch
        ``data_correlations`` and ``model_correlations`` (n_components,) along the data's
        canonical directions, ``reproduced`` their ratio (model / data), and the directions
        ``visible_directions``, ``environment_directions``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi import ThetaRBM
    >>> rng = np.random.default_rng(0)
    >>> E = rng.integers(0, 2, (4000, 4))
    >>> V = np.where(rng.random((4000, 2)) < 0.9, E[:, :2], 1 - E[:, :2])
    >>> rbm = ThetaRBM(n_components=8, n_epochs=30, centering=True, random_state=0)
    >>> rbm = rbm.fit(np.hstack([V, E]))
    >>> diagnostic = block_environment_correlation(rbm, V, E, n_samples=1000, n_steps=100)
    >>> bool(diagnostic.reproduced.min() > 0.7)
    True
    """
    check_is_fitted(rbm_joint, "components_")
    V, E = _check_pair(V, E)
    n_features = rbm_joint.components_.shape[1]
    if V.shape[1] + E.shape[1] != n_features:
        raise ValueError(
            f"rbm_joint models {n_features} sites, but V and E have {V.shape[1]} + "
            f"{E.shape[1]} = {V.shape[1] + E.shape[1]}."
        )
    data = canonical_correlations(V, E, n_components)
    rng = check_random_state(random_state)
    samples = rbm_joint.sample(n_samples, n_steps=n_steps, random_state=rng)
    n_visible = V.shape[1]
    model = _correlation_along(samples[:, :n_visible], samples[:, n_visible:],
                               data.visible_directions, data.environment_directions)
    with np.errstate(invalid="ignore", divide="ignore"):
        reproduced = np.where(data.correlations > 0, model / data.correlations, 0.0)
    return Bunch(
        data_correlations=data.correlations,
        model_correlations=model,
        reproduced=reproduced,
        visible_directions=data.visible_directions,
        environment_directions=data.environment_directions,
    )
