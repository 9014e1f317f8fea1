"""LatticeFeatures: lattices (raw or coarse-grained) as the 2D feature matrix of ordinary estimators.

Coarse-graining keeps the lattice shape, ``(n, Ly', Lx')`` or ``(n, Ly', Lx', n_hidden)``;
classifiers and regressors expect ``(n, n_features)``. This step sits between the two in a
pipeline, optionally pooling sites over blocks first (block sums or means are the
block-level order parameters that a linear model can combine):

``make_pipeline(RSMICoarseGrainer(output="probability"), LatticeFeatures(), LogisticRegression())``
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from .._utils.validation import check_dense

__all__ = ["LatticeFeatures"]


class LatticeFeatures(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Flatten lattice samples into features, optionally pooled over blocks.

    Values are kept as they are (spins, occupations or probabilities); only the layout
    changes. Stateless apart from remembering the input shape, so that a fitted pipeline
    refuses lattices of another size.

    Parameters
    ----------
    block_shape : int, tuple of int or None, default=None
        ``None`` makes one feature per site (and per channel). A shape ``(b,)`` or
        ``(by, bx)`` first pools the lattice over non-overlapping blocks of that shape, which
        must tile it; the first ``len(block_shape)`` axes after the sample axis are the
        lattice, and any trailing axes (the hidden units of a coarse-grainer with
        ``n_hidden > 1``) are kept as channels. A block the size of the whole lattice
        gives one global order parameter per channel.
    pooling : {'mean', 'sum'}, default='mean'
        How sites of a block are combined.

    Attributes
    ----------
    input_shape_ : tuple of int
        Shape of one sample seen in :meth:`fit`.
    n_features_in_ : int
        Number of values per sample seen in :meth:`fit`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi import LatticeFeatures
    >>> X = np.arange(2 * 4 * 4).reshape(2, 4, 4)
    >>> LatticeFeatures().fit_transform(X).shape
    (2, 16)
    >>> LatticeFeatures(block_shape=(2, 2), pooling="sum").fit_transform(X)[0]
    array([10., 18., 42., 50.])
    """

    _parameter_constraints = {
        "block_shape": [numbers.Integral, tuple, list, None],
        "pooling": [StrOptions({"mean", "sum"})],
    }

    def __init__(self, block_shape=None, *, pooling="mean"):
        self.block_shape = block_shape
        self.pooling = pooling

    def _block_shape(self):
        if self.block_shape is None:
            return None
        shape = (self.block_shape,) if isinstance(self.block_shape, numbers.Integral) else tuple(
            self.block_shape
        )
        if not shape or not all(isinstance(b, numbers.Integral) and b >= 1 for b in shape):
            raise ValueError(
                f"block_shape must be None or a tuple of positive integers, got {self.block_shape!r}."
            )
        return tuple(int(b) for b in shape)

    def _check_array(self, X):
        check_dense(X)
        X = np.asarray(X)
        if np.iscomplexobj(X):
            raise ValueError(f"Complex data not supported: X has dtype {X.dtype}.")
        if X.dtype == object:
            X = X.astype(np.float64)  # numbers held as objects; anything else raises TypeError
        if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
            raise TypeError(f"X must be a numeric array, got dtype {X.dtype}.")
        if X.ndim < 2:
            raise ValueError(
                f"Expected 2D array or more, got {X.ndim}D array with shape {X.shape}: X holds "
                "samples along its first axis and the lattice along the rest. Reshape your data "
                "using array.reshape(-1, 1) for a single feature or array.reshape(1, -1) for a "
                "single sample."
            )
        if X.shape[0] < 1:
            raise ValueError(f"X is empty: 0 sample(s) (shape={X.shape}) while a minimum of 1 is required.")
        if X.size == 0:
            raise ValueError(
                f"X is empty: 0 feature(s) (shape={X.shape}) while a minimum of 1 is required."
            )
        X = X.astype(np.float64)  # a new array: the caller's is never written to
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinity.")
        return X

    def fit(self, X, y=None):
        """Remember the shape of one sample and check that the blocks tile it.

        Parameters
        ----------
        X : array-like of shape (n_samples, L) or (n_samples, Ly, Lx), optionally with channels
            Lattice samples, for instance the output of
            :meth:`~sklearn_rsmi.RSMICoarseGrainer.transform` (one channel per hidden unit).
        y : None
            Ignored.

        Returns
        -------
        self : LatticeFeatures
        """
        self._validate_params()
        X = self._check_array(X)
        self.input_shape_ = X.shape[1:]
        self.n_features_in_ = int(np.prod(self.input_shape_))
        self._n_features_out = self._pool(X[:1]).shape[1]
        return self

    def _pool(self, X):
        block = self._block_shape()
        if block is None:
            return X.reshape(X.shape[0], -1)
        lattice = X.shape[1 : 1 + len(block)]
        if len(lattice) < len(block):
            raise ValueError(
                f"block_shape {block} has {len(block)} axes, but samples of shape {X.shape[1:]} "
                f"have only {len(lattice)}."
            )
        off = [(size, b) for size, b in zip(lattice, block) if size % b]
        if off:
            details = ", ".join(f"{size} % {b} = {size % b}" for size, b in off)
            raise ValueError(
                f"lattice {lattice} is not tiled by blocks {block}: {details}."
            )
        channels = X.shape[1 + len(block) :]
        split = [X.shape[0]]
        for size, b in zip(lattice, block):
            split += [size // b, b]
        pooled = X.reshape(*split, *channels)
        within = tuple(2 + 2 * a for a in range(len(block)))
        pooled = pooled.sum(axis=within) if self.pooling == "sum" else pooled.mean(axis=within)
        return pooled.reshape(X.shape[0], -1)

    def transform(self, X):
        """Features of every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Lattice samples of the shape seen in :meth:`fit` (``input_shape_``).

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out), float64
            Sites (or block means or sums) in C order, channels last.
        """
        check_is_fitted(self)
        X = self._check_array(X)
        if X.shape[1:] != self.input_shape_:
            raise ValueError(
                f"X has {int(np.prod(X.shape[1:]))} features, but LatticeFeatures is expecting "
                f"{self.n_features_in_} features as input: samples of shape {X.shape[1:]}, "
                f"fitted on samples of shape {self.input_shape_}."
            )
        return self._pool(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.requires_fit = True
        return tags
