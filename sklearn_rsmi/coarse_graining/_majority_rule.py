"""MajorityRuleCoarseGrainer: the classic block-spin transformation, to compare learned ones with.

Each block of the tiling becomes one coarse spin, the sign of the block's magnetization; a
block with as many up as down spins (only even block sizes have them) gets a coarse spin
drawn up or down with probability 1/2. With random tie-breaking the map respects the up/down
symmetry of the Ising model exactly, and it is the transformation most Monte Carlo
renormalization-group results are quoted for (Swendsen, PRL 42, 859 (1979)). Nothing is
learned: ``fit`` only records the value convention and seeds the ties.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._utils.seeding import draw_seed
from .._utils.threads import numba_threads
from .._utils.validation import infer_value_convention
from ._blocking import LatticeTransformerMixin, majority_transform, transform_key
from ._windows import _as_shape

__all__ = ["MajorityRuleCoarseGrainer"]


class MajorityRuleCoarseGrainer(LatticeTransformerMixin, TransformerMixin, BaseEstimator):
    """Majority-rule block spins, ties broken at random: the reference RG transformation.

    A drop-in for :class:`~sklearn_rsmi.RSMICoarseGrainer` in RG pipelines
    (:func:`~sklearn_rsmi.rg.make_rg_pipeline`) and in the Monte Carlo RG analysis
    (:func:`~sklearn_rsmi.rg.measure_operators`), with the same tiling and the same
    per-sample keying of the noise.

    Parameters
    ----------
    visible_shape : int or tuple of int, default=(2, 2)
        The block: ``(b,)`` for chains ``(n, L)``, ``(by, bx)`` for square lattices,
        ``(bz, by, bx)`` for cubic ones (a 2x2x2 block ties, four against four, in 70
        of its 256 states).

    output : {'sample', 'probability'}, default='sample'
        What :meth:`transform` returns per block: the majority spin (a tie drawn up or down
        with probability 1/2), in the value convention of the training data, or the
        probability that it is up (1, 0, or 1/2 on a tie).

    random_state : int, RandomState instance or None, default=None
        Seeds the tie-breaks. The draw of a tie depends on its sample and block only
        (a hash of the sample's values under this seed), so a configuration is
        coarse-grained the same way in every call and different configurations
        independently.

    n_jobs : int or None, default=None
        numba threads used by :meth:`transform`. Results do not depend on it.

    Attributes
    ----------
    visible_shape_ : tuple of int
        The block shape.
    value_convention_ : {'spin', 'occupation'}
        The value convention of the training data, used for sampled outputs.
    lattice_ndim_ : int
        1 for chains, 2 for square lattices, 3 for cubic ones.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.coarse_graining import MajorityRuleCoarseGrainer
    >>> X = np.array([[[1, 1, -1, -1],
    ...                [1, -1, -1, -1],
    ...                [1, 1, 1, -1],
    ...                [1, 1, -1, 1]]])
    >>> MajorityRuleCoarseGrainer(output="probability").fit_transform(X)[0]
    array([[1. , 0. ],
           [1. , 0.5]])
    """

    _parameter_constraints = {
        "visible_shape": [tuple, list, Interval(numbers.Integral, 1, None, closed="left")],
        "output": [StrOptions({"sample", "probability"})],
        "random_state": ["random_state"],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(self, visible_shape=(2, 2), *, output="sample", random_state=None, n_jobs=None):
        self.visible_shape = visible_shape
        self.output = output
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _check_lattice(self, X, visible_shape, *, fitting):
        """Validate lattice samples against the block; return them with their convention."""
        if not hasattr(X, "shape"):
            X = np.asarray(X)
        convention = infer_value_convention(X, name="X")
        X = np.asarray(X)
        if X.ndim < 2:
            raise ValueError(
                f"Expected 2D array or more, got {X.ndim}D array with shape {X.shape}: X holds "
                "samples along its first axis and the lattice along the rest. Reshape your data "
                "using array.reshape(1, -1) if it is a single chain."
            )
        if X.ndim - 1 != len(visible_shape):
            raise ValueError(
                f"X has shape {X.shape}: {X.ndim - 1}D lattices, but the block "
                f"{visible_shape} is {len(visible_shape)}D"
                + ("" if fitting else " (the rank this coarse-grainer was fitted on)") + "."
            )
        return X, convention

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the value convention and block of lattice samples; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (n_samples, L), (n_samples, Ly, Lx) or (n_samples, Lz, Ly, Lx)
            Binary lattice samples, spins in {-1, +1} or occupations in {0, 1}.
        y : None
            Ignored.

        Returns
        -------
        self : MajorityRuleCoarseGrainer
            The fitted coarse-grainer.
        """
        visible_shape = _as_shape(self.visible_shape, "visible_shape")
        X, convention = self._check_lattice(X, visible_shape, fitting=True)
        self.visible_shape_ = visible_shape
        self.value_convention_ = convention
        self.lattice_ndim_ = len(visible_shape)
        self._transform_seed = draw_seed(check_random_state(self.random_state))
        return self

    def transform(self, X):
        """Replace every block of the tiling by its majority spin.

        Parameters
        ----------
        X : array-like of shape (n_samples, L), (n_samples, Ly, Lx) or (n_samples, Lz, Ly, Lx)
            Binary lattice samples of the rank the estimator was fitted on; the blocks
            must tile the lattice.

        Returns
        -------
        X_coarse : ndarray of shape (n_samples, L / b) or (n_samples, Ly / by, Lx / bx)
            int8 block spins in the value convention of the training data, or float64
            probabilities of an up spin with ``output='probability'``.
        """
        check_is_fitted(self)
        X, _ = self._check_lattice(X, self.visible_shape_, fitting=False)
        with numba_threads(self.n_jobs):
            return majority_transform(X, self.visible_shape_, key=transform_key(self._transform_seed),
                                      convention=self.value_convention_, output=self.output)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        return tags
