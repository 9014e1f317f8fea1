"""RSMICoarseGrainer: learn the relevant degrees of freedom by maximizing real-space mutual information.

The data's path through :meth:`RSMICoarseGrainer.fit`:

1. cut windows (visible block V, buffer B, environment E) from the lattice samples
   (:mod:`sklearn_rsmi._regions`);
2. train two Theta-RBMs by contrastive divergence, one on V and one on V u E
   (:class:`sklearn_rsmi.ThetaRBM`);
3. ascend the RSMI objective in the filters Lambda with its explicit gradients
   (:mod:`sklearn_rsmi._mi`), with Adam or plain SGD.

:meth:`RSMICoarseGrainer.transform` then applies the same filters to every block of a
lattice tiling, which is one step of a real-space renormalization group.
"""

import numbers
import time
import warnings

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._mi import RSMIObjective
from ._rbm import ThetaRBM
from ._regions import WindowGeometry, tile_blocks
from ._threads import numba_threads
from ._validation import from_occupation, infer_value_convention, to_occupation
from ._variational import VariationalObjective

#: How far (bits) an estimate may stray outside [0, n_hidden] before it is reported as not
#: credible. The estimates are averages over windows and, with Gibbs, over chains, so a true
#: I(H:E) near 0 (high temperature, deep RG levels) may come out a little negative; beyond
#: this it is not that noise but a model that misses the block-environment correlation.
MI_TOLERANCE_BITS = 0.05


def _warn_if_implausible(mi, n_hidden, estimator, visible_method=None, scoring=False,
                         stacklevel=3):
    """Warn when a reported I(H:E) lies clearly outside [0, n_hidden] bits.

    ``stacklevel`` points the warning at the caller's line (fit goes through sklearn's
    parameter-validation wrapper and ``_ascend``, score does not).
    """
    if -MI_TOLERANCE_BITS <= mi <= n_hidden + MI_TOLERANCE_BITS:
        return
    if estimator == "variational":
        model = "the critic q(H|E)"
        remedy = "train it longer (n_epochs)"
    elif visible_method == "gibbs":
        model = "the Theta-RBMs, through their Gibbs chains,"
        remedy = ("with V sampled, the chains with H clamped mix slowly when the RBMs miss the "
                  "block-environment correlation (as on the noisy dimers of Fig. 4); "
                  "estimator='variational' needs no sampling")
    else:
        model = "the Theta-RBMs"
        remedy = ("train them longer or larger (rbm_ve, rbm_v), or use "
                  "estimator='variational'")
    if scoring:
        remedy = ("are these samples from the ensemble the estimator was fitted on? If they "
                  "are, " + remedy)
    s = "s" if estimator == "variational" else ""  # one critic, several RBMs
    if not np.isfinite(mi):
        what = f"{model} gave a non-finite estimate"
    elif mi < 0:
        what = (f"{model} predict{s} the coarse variables from the environment worse than "
                f"their frequencies alone would")
    else:
        what = f"{model} credit{s} the coarse variables with more entropy than they can have"
    warnings.warn(
        f"I(H:E) estimated at {mi:.3f} bits, outside [0, {n_hidden}] bits where the mutual "
        f"information of {n_hidden} binary coarse variable{'s' if n_hidden > 1 else ''} lies: "
        f"{what}; {remedy}.",
        UserWarning,
        stacklevel=stacklevel,
    )


# scikit-learn common checks that cannot pass, each with the reason (used by tests/test_common.py).
_REAL_VALUED = (
    "feeds real-valued random data; RSMICoarseGrainer accepts only binary lattices (spins {-1, +1} or "
    "occupations {0, 1}) and rejects anything else with a ValueError rather than silently "
    "binarizing it"
)
EXPECTED_FAILED_CHECKS = {
    "check_fit_score_takes_y": _REAL_VALUED,
    "check_estimators_overwrite_params": _REAL_VALUED,
    "check_dont_overwrite_parameters": _REAL_VALUED,
    "check_estimators_fit_returns_self": _REAL_VALUED,
    "check_readonly_memmap_input": _REAL_VALUED,
    "check_n_features_in_after_fitting": _REAL_VALUED,
    "check_positive_only_tag_during_fit": _REAL_VALUED,
    "check_estimators_dtypes": _REAL_VALUED,
    "check_dtype_object": _REAL_VALUED,
    "check_pipeline_consistency": _REAL_VALUED,
    "check_estimators_nan_inf": _REAL_VALUED,
    "check_estimators_pickle": _REAL_VALUED,
    "check_estimators_pickle(readonly_memmap=True)": _REAL_VALUED,
    "check_f_contiguous_array_estimator": _REAL_VALUED,
    "check_transformer_data_not_an_array": _REAL_VALUED,
    "check_transformer_general": _REAL_VALUED,
    "check_transformer_preserve_dtypes": _REAL_VALUED,
    "check_transformer_general(readonly_memmap=True)": _REAL_VALUED,
    "check_methods_sample_order_invariance": _REAL_VALUED,
    "check_methods_subset_invariance": _REAL_VALUED,
    "check_fit2d_1sample": _REAL_VALUED,
    "check_fit2d_1feature": _REAL_VALUED,
    "check_dict_unchanged": _REAL_VALUED,
    "check_fit_idempotent": _REAL_VALUED,
    "check_fit_check_is_fitted": _REAL_VALUED,
    "check_n_features_in": _REAL_VALUED,
    "check_fit2d_predict1d": _REAL_VALUED,
}


class RSMICoarseGrainer(TransformerMixin, BaseEstimator):
    """Coarse-graining that maximizes the mutual information between a block and its environment.

    The network of Koch-Janusz and Ringel (Nature Physics 14, 578 (2018)): hidden units
    ``H`` couple to a visible block ``V`` through filters Lambda,
    ``p(h_j = 1 | V) = sigmoid(filters_[j] . V + intercept_hidden_[j])``, and Lambda is
    chosen to maximize ``I(H : E)``, the mutual information between ``H`` and the block's
    environment ``E``, with a buffer ``B`` between them excluded. The estimator knows
    nothing of the physics behind its input: any binary lattice is accepted.

    Parameters
    ----------
    n_hidden : int, default=1
        Number of coarse-grained variables (hidden units) per block.

    visible_shape : tuple of int, default=(2, 2)
        Shape of the visible block ``V``: ``(b,)`` for chains ``(n, L)``, ``(by, bx)`` for
        square lattices ``(n, Ly, Lx)``. Also the tiling block of :meth:`transform`.

    buffer_width : int, default=1
        Width of the discarded shell ``B`` around ``V``.

    environment_width : int, default=1
        Width of the environment shell ``E`` around ``B``.

    unit_cell : tuple of int or None, default=None
        The lattice's translation cell. Windows and the tiling of :meth:`transform` are
        anchored on multiples of it, so that filters are not averaged over sites of
        different kinds (the dimer image has a ``(2, 2)`` cell: vertex, face, two links).
        ``None`` means every site is equivalent.

    window_stride : int, default=1
        Spacing, in unit cells, of the window anchors that may be cut.

    n_windows : int or None, default=20000
        How many windows to cut for training: that many ``(sample, anchor)`` pairs drawn
        at random without replacement, or every allowed anchor of every sample when
        ``None`` (or when fewer exist). Bounding it keeps memory independent of the
        number and size of the samples.

    rbm_v, rbm_ve : ThetaRBM or None, default=None
        Unfitted models of ``P(V)`` and ``P(V, E)``, cloned at fit (so
        ``GridSearchCV`` can tune ``rbm_ve__n_components``). ``None`` means
        ``ThetaRBM`` with the defaults listed in the Notes. Unused by ``estimator='variational'``.

    estimator : {'paper', 'exact', 'variational'}, default='paper'
        Objective maximized. ``'paper'`` is the Jensen proxy of the papers,
        ``E sum_H P(H|V') <log g(V, E)>_{V|H}``; ``'exact'`` is the log-mean form
        ``E sum_H P(H|V') log <g(V, E)>_{V|H}``, equal to ``I(H:E)`` up to a constant. Both
        go through the two Theta-RBMs. ``'variational'`` trains no RBMs: it maximizes the
        Barber-Agakov lower bound ``H(H) + E log q(H|E)`` on the data's ``I(H:E)``, with a
        log-linear model ``q(H|E)`` of the coarse variables given the environment learned
        alongside the filters (:mod:`sklearn_rsmi._variational`). It is the one that
        recovers the dimers' electric-field filters from 8x8 blocks (Fig. 4), where
        CD-trained RBMs miss the block-environment correlation; it needs
        ``n_hidden <= 10``.

    optimizer : {'adam', 'sgd'}, default='adam'
        Gradient ascent rule for Lambda.

    learning_rate : float, default=0.05
        Step size of the optimizer.

    learning_rate_schedule : {'constant', 'cosine'}, default='constant'
        ``'cosine'`` lowers the step size from ``learning_rate`` towards 0 along half a
        cosine over the ``n_epochs`` planned. Weights that the objective does not need
        (on sites that carry no information about the environment, such as local noise)
        otherwise keep a random walk driven by minibatch noise, which Adam does not damp;
        the decay lets them settle. On the noisy dimers of Fig. 4 it lowers the largest
        noise weight by about a third (seeds 0-2: 6-9 % of the largest weight to 5-6 %)
        and raises the bound on the MI from 0.30 to 0.32 bits. It cannot be combined
        with ``tol``: stopping early would cut the decay short.

    n_epochs : int, default=30
        Passes over the training windows.

    batch_size : int, default=500
        Windows per gradient step.

    tol : float or None, default=None
        Stop early once the mutual information gained over the last five epochs is
        below ``tol`` bits (only with ``learning_rate_schedule='constant'``). ``None`` runs all ``n_epochs`` (the weights of a maximizing
        map grow without bound, so a fixed budget is the natural stop).

    visible_method, hidden_method : {'auto', 'enumerate', 'gibbs'/'sample'}, default='auto'
        How averages over ``V`` given ``H`` and over ``H`` are taken: exact enumeration
        for small blocks, Gibbs sampling with ``H`` clamped (``visible_method='gibbs'``)
        and sampling ``H`` (``hidden_method='sample'``) for large ones. See
        :class:`sklearn_rsmi._mi.RSMIObjective`.

    output : {'sample', 'probability'}, default='sample'
        What :meth:`transform` returns per block: coarse spins sampled from
        ``P(H|V)`` in the input's value convention (the papers' Monte Carlo samples of the
        coarse system), or the probabilities ``P(h_j = 1 | V)``.

    random_state : int, RandomState instance or None, default=None
        Seeds window selection, the RBMs (when theirs is None), the initial filters,
        the mini-batch order and the samples of :meth:`transform`.

    verbose : int, default=0
        Print a line per epoch with the mutual information and elapsed time.

    n_jobs : int or None, default=None
        numba threads used in fit (and passed to RBMs whose ``n_jobs`` is None).
        Results do not depend on it.

    Attributes
    ----------
    filters_ : ndarray of shape (n_hidden,) + visible_shape
        The learned Lambda, in the occupation convention (``x = (s + 1) / 2`` for spins).
    intercept_hidden_ : ndarray of shape (n_hidden,)
        Hidden biases ``b_j``.
    mutual_information_ : float
        ``I(H : E)`` in bits on the training windows: given the fitted RBMs for
        ``'paper'`` and ``'exact'``, the variational lower bound for ``'variational'``
        (on the windows it was trained on; :meth:`score` on held-out samples is the
        unbiased figure). A ``UserWarning`` says so when the estimate lies more than
        ``MI_TOLERANCE_BITS`` (0.05) outside ``[0, n_hidden]`` bits, where no mutual
        information can be: the models behind it then miss the block-environment
        correlation, and the figure should not be trusted.
    mutual_information_history_ : ndarray of shape (n_epochs_run + 1,)
        ``I(H : E)`` in bits before training and after every epoch, on a fixed subset
        of at most 2,000 training windows.
    rbm_v_, rbm_ve_ : ThetaRBM or None
        The fitted models of ``P(V)`` and ``P(V, E)`` (None for
        ``estimator='variational'``, which trains none).
    critic_coef_ : ndarray of shape (2**n_hidden, n_environment_sites)
        Only for ``estimator='variational'``: weights of ``log q(H|E)``, one row per coarse
        state in binary order, one column per environment site in window order.
    critic_intercept_ : ndarray of shape (2**n_hidden,)
        Only for ``estimator='variational'``: intercepts of ``log q(H|E)``.
    geometry_ : WindowGeometry
        The V/B/E geometry.
    value_convention_ : {'spin', 'occupation'}
        The value convention of the training data, used for sampled outputs.
    lattice_ndim_ : int
        1 for chains, 2 for square lattices.
    n_epochs_ : int
        Epochs run.

    Notes
    -----
    The default Theta-RBMs are ``ThetaRBM(n_components=...)`` sized to the window (see
    ``_default_rbm``); pass your own to control them.

    Examples
    --------
    >>> from sklearn_rsmi import RSMICoarseGrainer
    >>> from sklearn_rsmi.datasets import make_ising
    >>> X = make_ising(200, 16, 2.269, random_state=0)
    >>> cg = RSMICoarseGrainer(n_hidden=1, n_epochs=5, random_state=0).fit(X)
    >>> cg.filters_.shape
    (1, 2, 2)
    >>> cg.transform(X).shape
    (200, 8, 8)
    """

    _parameter_constraints = {
        "n_hidden": [Interval(numbers.Integral, 1, None, closed="left")],
        "visible_shape": [tuple, list, Interval(numbers.Integral, 1, None, closed="left")],
        "buffer_width": [Interval(numbers.Integral, 0, None, closed="left")],
        "environment_width": [Interval(numbers.Integral, 1, None, closed="left")],
        "unit_cell": [tuple, list, None],
        "window_stride": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_windows": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "rbm_v": [ThetaRBM, None],
        "rbm_ve": [ThetaRBM, None],
        "estimator": [StrOptions({"paper", "exact", "variational"})],
        "optimizer": [StrOptions({"adam", "sgd"})],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "learning_rate_schedule": [StrOptions({"constant", "cosine"})],
        "n_epochs": [Interval(numbers.Integral, 0, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left"), None],
        "visible_method": [StrOptions({"auto", "enumerate", "gibbs"})],
        "hidden_method": [StrOptions({"auto", "enumerate", "sample"})],
        "output": [StrOptions({"sample", "probability"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(
        self,
        n_hidden=1,
        *,
        visible_shape=(2, 2),
        buffer_width=1,
        environment_width=1,
        unit_cell=None,
        window_stride=1,
        n_windows=20000,
        rbm_v=None,
        rbm_ve=None,
        estimator="paper",
        optimizer="adam",
        learning_rate=0.05,
        learning_rate_schedule="constant",
        n_epochs=30,
        batch_size=500,
        tol=None,
        visible_method="auto",
        hidden_method="auto",
        output="sample",
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.n_hidden = n_hidden
        self.visible_shape = visible_shape
        self.buffer_width = buffer_width
        self.environment_width = environment_width
        self.unit_cell = unit_cell
        self.window_stride = window_stride
        self.n_windows = n_windows
        self.rbm_v = rbm_v
        self.rbm_ve = rbm_ve
        self.estimator = estimator
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.tol = tol
        self.visible_method = visible_method
        self.hidden_method = hidden_method
        self.output = output
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ input
    def _check_lattice(self, X, *, fitting):
        """Validate lattice samples; return (occupations, value convention)."""
        if not hasattr(X, "shape"):
            X = np.asarray(X)
        convention = infer_value_convention(X, name="X")
        X = np.asarray(X)
        ndim = X.ndim - 1
        if fitting:
            expected = self.geometry_.ndim
        else:
            expected = self.lattice_ndim_
        if ndim != expected:
            kind = {1: "chains (n_samples, L)", 2: "square lattices (n_samples, Ly, Lx)"}
            raise ValueError(
                f"X has shape {X.shape}: {X.ndim - 1}D lattices, but this coarse-grainer "
                f"{'has a' if fitting else 'was fitted on'} {expected}D visible block "
                f"{tuple(self.geometry_.visible_shape)}; it expects "
                f"{kind.get(expected, f'{expected}D lattices')}."
            )
        if X.shape[0] < 1:
            raise ValueError("X holds no samples.")
        return X, convention

    def _default_rbm(self, n_features):
        # Enough hidden units to model the window's correlations, few enough to train fast.
        return ThetaRBM(n_components=int(min(64, max(8, n_features // 2))))

    def _prepared_rbm(self, rbm, n_features, rng):
        rbm = self._default_rbm(n_features) if rbm is None else clone(rbm)
        updates = {}
        if rbm.random_state is None:
            updates["random_state"] = int(rng.randint(np.iinfo(np.int32).max))
        if rbm.n_jobs is None:
            updates["n_jobs"] = self.n_jobs
        return rbm.set_params(**updates)

    def _cut_windows(self, X, rng, n_windows):
        """Cut V and E windows (occupations) from validated samples X."""
        geometry = self.geometry_
        lattice_shape = X.shape[1:]
        geometry.check_lattice(lattice_shape)
        anchors = geometry.anchor_positions(lattice_shape, stride=self.window_stride)
        n_samples, n_anchors = X.shape[0], anchors.shape[0]
        n_total = n_samples * n_anchors
        if n_windows is None or n_windows >= n_total:
            V, E = geometry.cut(X, anchors)
        else:
            # Draw (sample, anchor) pairs without replacement, never materialising all windows.
            picks = np.sort(rng.choice(n_total, size=n_windows, replace=False))
            sample_index, anchor_index = np.divmod(picks, n_anchors)
            V, E = _cut_pairs(geometry, X, anchors, sample_index, anchor_index)
        return V, E

    # -------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Learn the filters from lattice samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, L) or (n_samples, Ly, Lx)
            Binary lattice samples, spins in {-1, +1} or occupations in {0, 1}, with
            periodic boundaries.
        y : None
            Ignored.

        Returns
        -------
        self : RSMICoarseGrainer
            The fitted coarse-grainer.
        """
        visible_shape = self.visible_shape
        if isinstance(visible_shape, numbers.Integral):
            visible_shape = (int(visible_shape),)
        if self.tol is not None and self.learning_rate_schedule != "constant":
            raise ValueError(
                f"tol={self.tol!r} with learning_rate_schedule={self.learning_rate_schedule!r}: "
                "stopping early would cut the schedule's decay short; use tol=None, or the "
                "'constant' schedule."
            )
        self.geometry_ = WindowGeometry.from_params(
            tuple(visible_shape),
            self.buffer_width,
            self.environment_width,
            unit_cell=None if self.unit_cell is None else tuple(self.unit_cell),
        )
        X, convention = self._check_lattice(X, fitting=True)
        self.value_convention_ = convention
        self.lattice_ndim_ = self.geometry_.ndim
        rng = check_random_state(self.random_state)

        start = time.perf_counter()
        with numba_threads(self.n_jobs):
            V, E = self._cut_windows(X, rng, self.n_windows)
            V = to_occupation(V, convention)
            E = to_occupation(E, convention)
            n_visible = V.shape[1]
            if self.verbose:
                print(
                    f"[RSMICoarseGrainer] {V.shape[0]} windows: |V| = {n_visible}, "
                    f"|E| = {E.shape[1]}; training Theta-RBMs"
                )
            if self.estimator == "variational":
                # The bound needs no model of P(V, E): no Theta-RBMs are trained.
                self.rbm_v_ = self.rbm_ve_ = None
                route = _VariationalRoute(
                    VariationalObjective(n_visible, E.shape[1], self.n_hidden,
                                         environment_offset=E.mean(axis=0)), V, E
                )
            else:
                self.rbm_ve_ = self._prepared_rbm(self.rbm_ve, V.shape[1] + E.shape[1], rng)
                self.rbm_ve_.fit(np.hstack([V, E]))
                self.rbm_v_ = self._prepared_rbm(self.rbm_v, n_visible, rng)
                self.rbm_v_.fit(V)
                objective = self._objective(int(rng.randint(np.iinfo(np.int32).max)))
                route = _ThetaRBMRoute(objective, V, E, self.estimator)
            filters, bias, *critic = self._ascend(route, rng, start)

        if critic:
            self.critic_coef_, self.critic_intercept_ = critic
        self.filters_ = filters.reshape((self.n_hidden, *self.geometry_.visible_shape))
        self.intercept_hidden_ = bias
        self._transform_seed = int(rng.randint(np.iinfo(np.int32).max))
        return self

    def _objective(self, seed):
        return RSMIObjective(
            self.rbm_v_,
            self.rbm_ve_,
            self.geometry_.n_visible,
            self.n_hidden,
            visible_method=self.visible_method,
            hidden_method=self.hidden_method,
            random_state=seed,
        )

    def _ascend(self, route, rng, start):
        """Gradient ascent on the route's objective; returns its final parameters."""
        n_rows = route.n_rows
        # Small random weights break the symmetry between hidden units.
        filters = 0.01 * rng.standard_normal((self.n_hidden, route.n_visible))
        params = (filters, np.zeros(self.n_hidden), *route.initial_extra_parameters())
        monitor = np.sort(rng.choice(n_rows, size=min(n_rows, 2000), replace=False))
        history = [route.mutual_information(params, monitor)]
        optimizer = _Adam(self.learning_rate) if self.optimizer == "adam" else _SGD(self.learning_rate)
        batch_size = min(self.batch_size, n_rows)
        batch_starts = range(0, n_rows, batch_size)
        n_steps = self.n_epochs * len(batch_starts)
        epochs_run = 0
        for epoch in range(self.n_epochs):
            order = rng.permutation(n_rows)
            for batch, first in enumerate(batch_starts):
                step = epoch * len(batch_starts) + batch
                optimizer.learning_rate = _scheduled_learning_rate(
                    self.learning_rate, self.learning_rate_schedule, step, n_steps
                )
                grads = route.gradient(params, order[first : first + batch_size])
                params = optimizer.step(params, grads)
            epochs_run += 1
            history.append(route.mutual_information(params, monitor))
            if self.verbose:
                print(
                    f"[RSMICoarseGrainer] epoch {epoch + 1}/{self.n_epochs}, "
                    f"I(H:E) = {history[-1]:.4f} bits, time = {time.perf_counter() - start:.2f}s"
                )
            if self.tol is not None and epochs_run >= 5 and history[-1] - history[-6] < self.tol:
                break
        self.n_epochs_ = epochs_run
        self.mutual_information_history_ = np.asarray(history)
        self.mutual_information_ = route.mutual_information(params, None)
        _warn_if_implausible(self.mutual_information_, self.n_hidden, self.estimator,
                             getattr(getattr(route, "objective", None), "visible_method_", None),
                             stacklevel=5)
        return route.final_parameters(params)

    # -------------------------------------------------------------- transform
    def _block_probabilities(self, X):
        check_is_fitted(self)
        X, convention = self._check_lattice(X, fitting=False)
        # Blocks start at the origin and visible_shape is a multiple of the unit cell,
        # so every block sees the same arrangement of site kinds.
        blocks = tile_blocks(X, self.geometry_.visible_shape)
        blocks = to_occupation(blocks, convention)
        filters = self.filters_.reshape(self.n_hidden, -1)
        return expit(blocks @ filters.T + self.intercept_hidden_), convention

    def transform(self, X):
        """Coarse-grain every block of the lattice tiling with the learned filters.

        Parameters
        ----------
        X : array-like of shape (n_samples, L) or (n_samples, Ly, Lx)
            Binary lattice samples of the rank the estimator was fitted on; the blocks
            of ``visible_shape`` must tile the lattice.

        Returns
        -------
        X_coarse : ndarray of shape (n_samples, L / b) or (n_samples, Ly / by, Lx / bx), \
                with a trailing axis of size ``n_hidden`` when ``n_hidden > 1``
            With ``output='sample'``, coarse variables drawn from ``P(H | V)`` as int8
            in the value convention of the training data (spins in, spins out); with
            ``output='probability'``, the probabilities ``P(h_j = 1 | V)``. Samples are
            a deterministic function of ``X`` and ``random_state``.
        """
        probabilities, _ = self._block_probabilities(X)
        if self.output == "probability":
            out = probabilities
        else:
            rng = np.random.default_rng(self._transform_seed)
            hidden = rng.random(probabilities.shape) < probabilities
            out = from_occupation(hidden, self.value_convention_)
        if self.n_hidden == 1:
            out = out[..., 0]
        return out

    def score(self, X, y=None):
        """Mutual information ``I(H : E)`` in bits on windows cut from ``X``.

        Uses the fitted Theta-RBMs and filters; higher is better, so
        ``GridSearchCV`` can select hyperparameters with it.

        Parameters
        ----------
        X : array-like of shape (n_samples, L) or (n_samples, Ly, Lx)
            Binary lattice samples.
        y : None
            Ignored.

        Returns
        -------
        score : float
            ``I(H : E)`` in bits.
        """
        check_is_fitted(self)
        X, convention = self._check_lattice(X, fitting=False)
        rng = check_random_state(self._transform_seed)
        with numba_threads(self.n_jobs):
            V, E = self._cut_windows(X, rng, self.n_windows)
            V, E = to_occupation(V, convention), to_occupation(E, convention)
            filters = self.filters_.reshape(self.n_hidden, -1)
            if self.estimator == "variational":
                objective = VariationalObjective(V.shape[1], E.shape[1], self.n_hidden)
                mi = float(objective.mutual_information(
                    filters, self.intercept_hidden_, self.critic_coef_, self.critic_intercept_, V, E
                ))
            else:
                objective = self._objective(self._transform_seed)
                mi = float(objective.mutual_information(filters, self.intercept_hidden_, V, E))
        _warn_if_implausible(mi, self.n_hidden, self.estimator,
                             getattr(objective, "visible_method_", None), scoring=True)
        return mi

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags


def _cut_pairs(geometry, X, anchors, sample_index, anchor_index):
    """Cut one window per (sample, anchor) pair, grouped by sample to bound memory."""
    V = np.empty((sample_index.size, geometry.n_visible), dtype=X.dtype)
    E = np.empty((sample_index.size, geometry.n_environment), dtype=X.dtype)
    starts = np.flatnonzero(np.r_[True, sample_index[1:] != sample_index[:-1]])
    stops = np.r_[starts[1:], sample_index.size]
    for first, last in zip(starts, stops):
        sample = sample_index[first]
        v, e = geometry.cut(X[sample : sample + 1], anchors[anchor_index[first:last]])
        V[first:last], E[first:last] = v, e
    return V, E


class _ThetaRBMRoute:
    """The papers' objectives, through the fitted Theta-RBMs; parameters (filters, bias)."""

    def __init__(self, objective, V, E, estimator):
        self.objective, self.V, self.E, self.estimator = objective, V, E, estimator
        self.n_rows, self.n_visible = V.shape
        # log g does not depend on Lambda: with V enumerated, one table for the whole
        # training set turns every later epoch into cheap lookups.
        self.table = objective.log_g(V, E) if objective.table_fits(self.n_rows) else None

    def _rows(self, rows):
        if rows is None:
            return self.V, self.E, self.table
        return self.V[rows], self.E[rows], None if self.table is None else self.table[rows]

    def initial_extra_parameters(self):
        return ()

    def final_parameters(self, params):
        return params

    def gradient(self, params, rows):
        V, E, log_g = self._rows(rows)
        _, grad_filters, grad_bias = self.objective.value_and_gradient(
            *params, V, E, estimator=self.estimator, log_g=log_g
        )
        return grad_filters, grad_bias

    def mutual_information(self, params, rows):
        V, E, log_g = self._rows(rows)
        return self.objective.mutual_information(*params, V, E, log_g=log_g)


class _VariationalRoute:
    """The variational bound; parameters (filters, bias, critic_coef, critic_intercept)."""

    def __init__(self, objective, V, E):
        self.objective, self.V, self.E = objective, V, E
        self.n_rows, self.n_visible = V.shape

    def initial_extra_parameters(self):
        return self.objective.initial_critic()

    def final_parameters(self, params):
        filters, bias, critic_coef, critic_intercept = params
        return (filters, bias, *self.objective.uncentred_critic(critic_coef, critic_intercept))

    def gradient(self, params, rows):
        return self.objective.value_and_gradient(*params, self.V[rows], self.E[rows])[1]

    def mutual_information(self, params, rows):
        V, E = (self.V, self.E) if rows is None else (self.V[rows], self.E[rows])
        return self.objective.mutual_information(*params, V, E)


def _scheduled_learning_rate(learning_rate, schedule, step, n_steps):
    """The step size of gradient step ``step`` (from 0) out of ``n_steps``."""
    if schedule == "constant":
        return learning_rate
    return 0.5 * learning_rate * (1.0 + np.cos(np.pi * step / n_steps))


class _Adam:
    """Adam ascent (Kingma & Ba) on a tuple of arrays."""

    def __init__(self, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.t = 0
        self.m = self.v = None

    def step(self, params, grads):
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


class _SGD:
    """Plain gradient ascent."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def step(self, params, grads):
        return tuple(p + self.learning_rate * g for p, g in zip(params, grads))
