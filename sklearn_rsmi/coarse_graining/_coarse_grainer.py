"""RSMICoarseGrainer: learn the relevant degrees of freedom by maximizing real-space mutual information.

The data's path through :meth:`RSMICoarseGrainer.fit`:

1. cut windows (visible block V, buffer B, environment E) from the lattice samples
   (:mod:`._windows`);
2. build the route of the chosen objective: the papers' two (:mod:`._theta_rbm_objective`,
   which first trains two Theta-RBMs by contrastive divergence, one on V and one on V u E)
   or the variational bound (:mod:`._variational_objective`);
3. ascend the objective in the filters Lambda with its explicit gradients, with Adam or
   plain steps (:mod:`._optimizers`).

:meth:`RSMICoarseGrainer.transform` then applies the same filters to every block of a
lattice tiling, which is one step of a real-space renormalization group.
"""

import numbers
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._utils.seeding import draw_seed
from .._utils.threads import cpu_threads
from .._utils.validation import SPIN, infer_value_convention, to_occupation
from ..rbm import ThetaRBM
from ._blocking import LatticeTransformerMixin, logistic_transform, transform_key
from ._optimizers import OPTIMIZERS, scheduled_learning_rate
from ._theta_rbm_objective import ThetaRBMRoute
from ._variational_objective import VariationalRoute
from ._windows import WindowGeometry

#: The route of every value of ``objective``: how fit trains and score evaluates it.
ROUTES = {"paper": ThetaRBMRoute, "exact": ThetaRBMRoute, "variational": VariationalRoute}

#: How far (bits) an estimate may stray outside [0, n_hidden] before it is reported as not
#: credible. The estimates are averages over windows and, with Gibbs, over chains, so a true
#: I(H:E) near 0 (high temperature, deep RG levels) may come out a little negative; beyond
#: this it is not that noise but a model that misses the block-environment correlation.
MI_TOLERANCE_BITS = 0.05


def _warn_if_implausible(mi, n_hidden, advice, scoring=False, stacklevel=3):
    """Warn when a reported I(H:E) lies clearly outside [0, n_hidden] bits.

    ``advice`` is the route's ``(model, plural, remedy)``. ``stacklevel`` points the warning
    at the caller's line (fit goes through sklearn's parameter-validation wrapper and
    ``_ascend``, score does not).
    """
    if -MI_TOLERANCE_BITS <= mi <= n_hidden + MI_TOLERANCE_BITS:
        return
    model, plural, remedy = advice
    if scoring:
        remedy = ("are these samples from the ensemble the estimator was fitted on? If they "
                  "are, " + remedy)
    s = "" if plural else "s"
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


class RSMICoarseGrainer(LatticeTransformerMixin, TransformerMixin, BaseEstimator):
    """Coarse-graining that maximizes the mutual information between a block and its environment.

    The network of Koch-Janusz and Ringel (Nature Physics 14, 578 (2018)): hidden units
    ``H`` couple to a visible block ``V`` through filters Lambda,
    ``p(h_j = 1 | V) = sigmoid(filters_[j] . V + filter_bias_[j])``, and Lambda is
    chosen to maximize ``I(H : E)``, the mutual information between ``H`` and the block's
    environment ``E``, with a buffer ``B`` between them excluded. The estimator knows
    nothing of the physics behind its input: any binary lattice is accepted.

    Parameters
    ----------
    n_hidden : int, default=1
        Number of coarse-grained variables (hidden units) per block.

    visible_shape : tuple of int, default=(2, 2)
        Shape of the visible block ``V``: ``(b,)`` for chains ``(n, L)``, ``(by, bx)`` for
        square lattices ``(n, Ly, Lx)``, ``(bz, by, bx)`` for cubic lattices
        ``(n, Lz, Ly, Lx)``. Also the tiling block of :meth:`transform`.

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

    rbm_visible, rbm_joint : ThetaRBM or None, default=None
        Unfitted models of ``P(V)`` and ``P(V, E)``, cloned at fit (so
        ``GridSearchCV`` can tune ``rbm_joint__n_components``). ``None`` means
        ``ThetaRBM`` with the defaults listed in the Notes. Unused by
        ``objective='variational'``.

    objective : {'variational', 'paper', 'exact'}, default='variational'
        What is maximized. ``'variational'`` (the default) trains no RBMs: it maximizes
        the Barber-Agakov lower bound ``H(H) + E log q(H|E)`` on the data's ``I(H:E)``,
        with a log-linear model ``q(H|E)`` of the coarse variables given the environment
        learned alongside the filters
        (:mod:`sklearn_rsmi.coarse_graining._variational_objective`); it needs
        ``n_hidden <= 10``. It is the default because it is the objective that gives the
        papers' filters in the cases measured (the table on the method page of the user
        guide): the Kadanoff and one-unit-per-spin filters of 2x2 Ising blocks, and the
        dimers' electric-field filters from 8x8 blocks (Fig. 4), where the Theta-RBMs
        that contrastive divergence trains within minutes miss most of the
        block-environment correlation; it is also the fastest. ``'paper'`` is the
        Jensen proxy of the papers, ``E sum_H P(H|V') <log g(V, E)>_{V|H}``;
        ``'exact'`` is the log-mean form ``E sum_H P(H|V') log <g(V, E)>_{V|H}``, equal
        to ``I(H:E)`` up to a constant. Both go through the Theta-RBMs (see
        ``visible_marginal``).

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

    visible_method, hidden_method : {'auto', 'enumerate', 'sample'}, default='auto'
        How the Theta-RBM objectives average over ``V`` given ``H`` and over ``H``: exact
        enumeration for small blocks; for large ones, Gibbs sampling of ``V`` with ``H``
        clamped (``visible_method='sample'``) and sampling ``H`` from ``P(H | V)``
        (``hidden_method='sample'``). ``'auto'`` enumerates ``V`` up to 10 sites and ``H``
        up to 6 units. Unused by ``objective='variational'``.

    symmetry : {'auto', 'spin-flip'} or None, default='auto'
        The symmetry the coarse-graining keeps. ``'spin-flip'``: flipping every spin of a
        block flips its coarse variables, ``P(H | V) = P(-H | -V)`` in spin form (``x ->
        1 - x``, ``h -> 1 - h`` in occupations). Written with spins ``s = 2x - 1`` the
        activation is ``filters_[j] . s / 2 + (filter_bias_[j] + filters_[j].sum() / 2)``,
        so the symmetry ties the bias to the filters, ``filter_bias_[j] =
        -filters_[j].sum() / 2`` (no offset in spin form), and only the filters are
        learned. A free bias is an offset the objectives barely constrain: it ends
        wherever the optimizer drifts, different in every fit, and acts on the coarse
        lattice as a magnetic field, which breaks the up/down symmetry of the coarse
        Hamiltonian (and mixes its even and odd couplings, see
        :func:`sklearn_rsmi.rg.linearized_rg`). ``None`` learns the bias freely.
        ``'auto'`` is ``'spin-flip'`` for spin data (values -1 and +1, as an Ising
        sample or its coarse levels) and ``None`` for occupations (values 0 and 1, such
        as dimer images, which have no up/down symmetry).
    n_gibbs_samples : int, default=32
        Samples of ``V`` behind every Monte Carlo average. With
        ``visible_marginal='windows'`` and ``V`` sampled: persistent Gibbs chains per
        coarse state (averages over ``P(V | H)``). With ``visible_marginal='joint'``:
        blocks drawn from ``P_Theta(V | E)`` per training window. The Monte Carlo error
        falls as ``1 / sqrt(n_gibbs_samples)``.

    n_gibbs_steps : int, default=4
        With ``visible_marginal='windows'`` and ``V`` sampled: sweeps every chain
        advances per gradient step (the chains persist and follow the slowly moving
        filters).

    n_gibbs_burn_in : int, default=100
        Sweeps run when chains are first made: those of a coarse state
        (``visible_marginal='windows'``), or each window's chains of ``P_Theta(V | E)``
        (``visible_marginal='joint'``, which runs no others).

    visible_marginal : {'windows', 'joint'}, default='windows'
        Where ``P(V)`` comes from in the Theta-RBM objectives. ``'windows'``: a second
        RBM (``rbm_visible_``) trained on the data's blocks, as in the papers; the
        ratio ``P(V, E) / P(V)`` of two separately trained models is then a conditional
        only to the extent that they agree on ``P(V)``. ``'joint'``: the joint RBM alone;
        for every window, blocks are drawn from its ``P_Theta(V | E)`` (Gibbs with the
        environment clamped, ``n_gibbs_samples`` chains of ``n_gibbs_burn_in`` sweeps,
        started at other windows' blocks), and ``I(H : E) = H(H) + E log P(H | E)`` with
        ``P(H | E)`` their average of ``P(H | V)`` mixed with one pseudo-sample of the
        coarse marginal: a lower bound on the data's ``I(H : E)``, deterministic in the
        filters (see the method page of the user guide). No ``rbm_visible_`` is trained;
        it needs ``n_hidden <= 12``. Unused by ``objective='variational'``.

    output : {'sample', 'probability'}, default='sample'
        What :meth:`transform` returns per block: coarse spins sampled from
        ``P(H|V)`` in the input's value convention (the papers' Monte Carlo samples of the
        coarse system), or the probabilities ``P(h_j = 1 | V)``. The noise of a sample
        is keyed to the sample itself (a hash of its values under ``random_state``): a
        configuration is coarse-grained the same way in every call, and different
        configurations get independent noise, in one call or in separate ones (chunks).

    value_convention : {'auto', 'spin', 'occupation'}, default='auto'
        How the binary values of the input are read. ``'auto'``: data with a -1 are spins
        in {-1, +1}, data within {0, 1} are occupations; so an all-(+1) lattice (an ordered
        spin system at low temperature) reads as occupations, and ``transform`` then returns
        {0, 1}. ``'spin'`` and ``'occupation'`` state it: values of the other kind are a
        ValueError, and ``transform`` answers in the stated convention.

    random_state : int, RandomState instance or None, default=None
        Seeds window selection, the RBMs (when theirs is None), the initial filters,
        the mini-batch order and the samples of :meth:`transform`.

    verbose : int, default=0
        Print a line per epoch with the mutual information and elapsed time.

    n_jobs : int or None, default=None
        Threads used in fit and score: numba's pool, and BLAS capped at the same
        count (None means 1; see :mod:`sklearn_rsmi._utils.threads`); passed to RBMs
        whose ``n_jobs`` is None. Results do not depend on it.

    Attributes
    ----------
    filters_ : ndarray of shape (n_hidden,) + visible_shape
        The learned Lambda, in the occupation convention (``x = (s + 1) / 2`` for spins).
    filter_bias_ : ndarray of shape (n_hidden,)
        The biases ``b_j`` that go with the filters; ``-filters_[j].sum() / 2`` under the
        spin-flip symmetry.
    symmetry_ : {'spin-flip'} or None
        The symmetry kept (``symmetry`` with ``'auto'`` resolved on the training data).
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
    rbm_visible_, rbm_joint_ : ThetaRBM or None
        The fitted models of ``P(V)`` and ``P(V, E)`` (None for
        ``objective='variational'``, which trains none; ``rbm_visible_`` is None with
        ``visible_marginal='joint'``).
    critic_coef_ : ndarray of shape (2**n_hidden, n_environment_sites)
        Only for ``objective='variational'``: weights of ``log q(H|E)``, one row per coarse
        state in binary order, one column per environment site in window order.
    critic_intercept_ : ndarray of shape (2**n_hidden,)
        Only for ``objective='variational'``: intercepts of ``log q(H|E)``.
    geometry_ : WindowGeometry
        The V/B/E geometry.
    value_convention_ : {'spin', 'occupation'}
        The value convention of the training data, used for sampled outputs.
    lattice_ndim_ : int
        1 for chains, 2 for square lattices, 3 for cubic lattices.
    n_epochs_ : int
        Epochs run.

    Notes
    -----
    The default Theta-RBMs are ``ThetaRBM(n_components=min(64, max(8, n_features // 2)))``,
    sized to the window they model; pass your own to control them.

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
        "rbm_visible": [ThetaRBM, None],
        "rbm_joint": [ThetaRBM, None],
        "objective": [StrOptions(set(ROUTES))],
        "optimizer": [StrOptions({"adam", "sgd"})],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "learning_rate_schedule": [StrOptions({"constant", "cosine"})],
        "n_epochs": [Interval(numbers.Integral, 0, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left"), None],
        "visible_method": [StrOptions({"auto", "enumerate", "sample"})],
        "hidden_method": [StrOptions({"auto", "enumerate", "sample"})],
        "symmetry": [StrOptions({"auto", "spin-flip"}), None],
        "n_gibbs_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_gibbs_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_gibbs_burn_in": [Interval(numbers.Integral, 0, None, closed="left")],
        "visible_marginal": [StrOptions({"windows", "joint"})],
        "output": [StrOptions({"sample", "probability"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "n_jobs": [numbers.Integral, None],
        "value_convention": [StrOptions({"auto", "spin", "occupation"})],
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
        rbm_visible=None,
        rbm_joint=None,
        objective="variational",
        optimizer="adam",
        learning_rate=0.05,
        learning_rate_schedule="constant",
        n_epochs=30,
        batch_size=500,
        tol=None,
        visible_method="auto",
        hidden_method="auto",
        symmetry="auto",
        n_gibbs_samples=32,
        n_gibbs_steps=4,
        n_gibbs_burn_in=100,
        visible_marginal="windows",
        output="sample",
        random_state=None,
        verbose=0,
        n_jobs=None,
        value_convention="auto",
    ):
        self.n_hidden = n_hidden
        self.visible_shape = visible_shape
        self.buffer_width = buffer_width
        self.environment_width = environment_width
        self.unit_cell = unit_cell
        self.window_stride = window_stride
        self.n_windows = n_windows
        self.rbm_visible = rbm_visible
        self.rbm_joint = rbm_joint
        self.objective = objective
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.tol = tol
        self.visible_method = visible_method
        self.hidden_method = hidden_method
        self.symmetry = symmetry
        self.n_gibbs_samples = n_gibbs_samples
        self.n_gibbs_steps = n_gibbs_steps
        self.n_gibbs_burn_in = n_gibbs_burn_in
        self.visible_marginal = visible_marginal
        self.output = output
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.value_convention = value_convention

    # ------------------------------------------------------------------ input
    def _check_lattice(self, X, *, fitting):
        """Validate lattice samples; return (occupations, value convention)."""
        if not hasattr(X, "shape"):
            X = np.asarray(X)
        convention = infer_value_convention(X, name="X")
        if self.value_convention != "auto" and convention != self.value_convention:
            # All +1 is both: spins as stated. Anything else contradicts the statement.
            if not (self.value_convention == SPIN and np.all(np.asarray(X) == 1)):
                raise ValueError(
                    f"X holds {convention}s ({'-1 and +1' if convention == SPIN else '0 and 1'}),"
                    f" but value_convention={self.value_convention!r}."
                )
            convention = self.value_convention
        X = np.asarray(X)
        if X.ndim < 2:
            raise ValueError(
                f"Expected 2D array or more, got {X.ndim}D array with shape {X.shape}: X holds "
                "samples along its first axis and the lattice along the rest. Reshape your data "
                "using array.reshape(1, -1) if it is a single chain."
            )
        ndim = X.ndim - 1
        if fitting:
            expected = self.geometry_.ndim
        else:
            expected = self.lattice_ndim_
        if ndim != expected:
            kind = {1: "chains (n_samples, L)", 2: "square lattices (n_samples, Ly, Lx)",
                    3: "cubic lattices (n_samples, Lz, Ly, Lx)"}
            raise ValueError(
                f"X has shape {X.shape}: {X.ndim - 1}D lattices, but this coarse-grainer "
                f"{'has a' if fitting else 'was fitted on'} {expected}D visible block "
                f"{tuple(self.geometry_.visible_shape)}; it expects "
                f"{kind.get(expected, f'{expected}D lattices')}."
            )
        if X.shape[0] < 1:
            raise ValueError("X holds no samples.")
        return X, convention

    def _check_training_set(self, X):
        """Refuse, or warn about, training sets that give a meaningless fit."""
        if X.shape[0] < 2:
            raise ValueError(
                f"X holds n_samples = {X.shape[0]} configuration: RSMI estimates the joint "
                "distribution of a block and its environment over many independent "
                "configurations, and the windows of a single one are all correlated. Give "
                "at least 2 (in practice hundreds)."
            )
        n_visible = self.geometry_.n_visible
        if self.n_hidden > n_visible:
            warnings.warn(
                f"n_hidden={self.n_hidden} coarse variables for a block of {n_visible} sites: "
                f"the block holds at most {n_visible} bits, so at least "
                f"{self.n_hidden - n_visible} units can only repeat the others (and the "
                "estimates get slower and noisier). Use n_hidden <= the block's sites.",
                UserWarning, stacklevel=4,
            )
        if self.unit_cell is None:
            _warn_if_sublattices_differ(X)

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
            # Draw (sample, anchor) pairs without replacement, never materializing all windows.
            picks = _distinct_integers(rng, n_total, n_windows)
            sample_index, anchor_index = np.divmod(picks, n_anchors)
            V, E = geometry._cut_pairs(X, sample_index, anchors[anchor_index])
        return V, E

    # -------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Learn the filters from lattice samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, L), (n_samples, Ly, Lx) or \
                (n_samples, Lz, Ly, Lx)
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
        self._check_training_set(X)
        self.value_convention_ = convention
        self.lattice_ndim_ = self.geometry_.ndim
        if self.symmetry == "auto":
            self.symmetry_ = "spin-flip" if convention == SPIN else None
        else:
            self.symmetry_ = self.symmetry
        rng = check_random_state(self.random_state)

        start = time.perf_counter()
        with cpu_threads(self.n_jobs):
            V, E = self._cut_windows(X, rng, self.n_windows)
            V = to_occupation(V, convention)
            E = to_occupation(E, convention)
            if self.verbose:
                trains = "" if self.objective == "variational" else "; training Theta-RBMs"
                print(
                    f"[RSMICoarseGrainer] {V.shape[0]} windows: |V| = {V.shape[1]}, "
                    f"|E| = {E.shape[1]}{trains}"
                )
            route = ROUTES[self.objective].for_training(self, V, E, rng)
            params = self._ascend(route, rng, start)

        for name, value in route.fitted_attributes(params).items():
            setattr(self, name, value)
        self.filters_ = self.filters_.reshape((self.n_hidden, *self.geometry_.visible_shape))
        self._transform_seed = draw_seed(rng)
        return self

    def _ascend(self, route, rng, start):
        """Gradient ascent on the route's objective; returns its final parameters."""
        n_rows = route.n_rows
        tied = self.symmetry_ == "spin-flip"
        # Small random weights break the symmetry between hidden units.
        filters = 0.01 * rng.standard_normal((self.n_hidden, route.n_visible))
        params = (filters, np.zeros(self.n_hidden), *route.initial_extra_parameters())
        if tied:
            params = _tie_bias(params)
        monitor = np.sort(rng.choice(n_rows, size=min(n_rows, 2000), replace=False))
        history = [route.mutual_information(params, monitor)]
        optimizer = OPTIMIZERS[self.optimizer](self.learning_rate)
        batch_size = min(self.batch_size, n_rows)
        batch_starts = range(0, n_rows, batch_size)
        n_steps = self.n_epochs * len(batch_starts)
        epochs_run = 0
        for epoch in range(self.n_epochs):
            order = rng.permutation(n_rows)
            for batch, first in enumerate(batch_starts):
                step = epoch * len(batch_starts) + batch
                optimizer.learning_rate = scheduled_learning_rate(
                    self.learning_rate, self.learning_rate_schedule, step, n_steps
                )
                grads = route.gradient(params, order[first : first + batch_size])
                if tied:
                    params = _tie_bias(optimizer.step(params, _tied_gradient(grads)))
                else:
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
        self.mutual_information_ = route.mutual_information(params)
        _warn_if_implausible(self.mutual_information_, self.n_hidden,
                             route.implausible_estimate_advice(), stacklevel=5)
        return params

    # -------------------------------------------------------------- transform
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
            ``output='probability'``, the probabilities ``P(h_j = 1 | V)``. The coarse
            variables of a sample are a deterministic function of that sample and
            ``random_state`` alone: the same in any call, independent between samples.
        """
        check_is_fitted(self)
        X, _ = self._check_lattice(X, fitting=False)
        # Blocks start at the origin and visible_shape is a multiple of the unit cell,
        # so every block sees the same arrangement of site kinds.
        with cpu_threads(self.n_jobs):
            out = logistic_transform(
                X, self.geometry_.visible_shape, self.filters_.reshape(self.n_hidden, -1),
                self.filter_bias_, key=transform_key(self._transform_seed),
                convention=self.value_convention_, output=self.output,
            )
        if self.n_hidden == 1:
            out = out[..., 0]
        return out

    def score(self, X, y=None):
        """Mutual information ``I(H : E)`` in bits on windows cut from ``X``.

        Uses the fitted Theta-RBMs and filters; higher is better, so
        ``GridSearchCV`` can select hyperparameters with it.

        Parameters
        ----------
        X : array-like of shape (n_samples, L), (n_samples, Ly, Lx) or \
                (n_samples, Lz, Ly, Lx)
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
        with cpu_threads(self.n_jobs):
            V, E = self._cut_windows(X, rng, self.n_windows)
            V, E = to_occupation(V, convention), to_occupation(E, convention)
            route = ROUTES[self.objective].for_scoring(self, V, E, self._transform_seed)
            mi = float(route.mutual_information(route.parameters_of(self)))
        _warn_if_implausible(mi, self.n_hidden, route.implausible_estimate_advice(), scoring=True)
        return mi


def _distinct_integers(rng, n, k):
    """``k`` distinct integers of ``[0, n)``, sorted, uniform over the k-subsets.

    ``rng.choice(n, k, replace=False)`` permutes all of ``range(n)``: for the windows of a
    paper-size data set (5,000 x 128^2 anchors) that is 650 MB and seconds, for 20,000
    picks. When ``k`` is a small share of ``n``, draws with replacement, topped up until
    ``k`` are distinct, do it in O(k); the process treats every integer alike, so every
    k-subset is equally likely.
    """
    if 4 * k > n:
        return np.sort(rng.choice(n, size=k, replace=False))
    picks = np.unique(rng.randint(0, n, size=k))
    while picks.size < k:
        picks = np.unique(np.concatenate([picks, rng.randint(0, n, size=k - picks.size)]))
    return picks


def _warn_if_sublattices_differ(X):
    """Warn when the sites of a 2-site cell of the lattice have different statistics.

    Without ``unit_cell`` every site is taken as equivalent and the filters average over
    sites of different kinds. Sites are grouped by their coordinates modulo 2 along every
    axis of even length; when the mean occupations of two groups differ by more than 0.1
    and by more than ten standard errors, the sites are not all equivalent: the dimer
    image's vertex, link and face cells, for instance. Larger cells go undetected.
    """
    # A few hundred configurations pin the means far below the 0.1 threshold.
    occupied = np.asarray(X[:256]) > 0
    n_samples, lattice = occupied.shape[0], occupied.shape[1:]
    axes = [a for a, size in enumerate(lattice) if size % 2 == 0]
    if not axes:
        return
    split = [n_samples]
    for a, size in enumerate(lattice):
        split += [size // 2, 2] if a in axes else [size, 1]
    grouped = occupied.reshape(split)
    within = tuple(2 * a + 1 for a in range(len(lattice))) + (0,)
    means = grouped.mean(axis=within).ravel()
    n_sites = occupied.size / means.size
    error = np.sqrt(max(float(np.max(means * (1 - means))), 1e-12) / n_sites)
    if np.ptp(means) > max(0.1, 10 * error):
        warnings.warn(
            f"The sites of a 2-site cell of the lattice differ: mean occupations from "
            f"{means.min():.3f} to {means.max():.3f}. The sites are not all equivalent, and "
            "without unit_cell the filters average over sites of different kinds; pass the "
            "lattice's translation cell as unit_cell (for dimer images, (2, 2)).",
            UserWarning, stacklevel=5,
        )


def _tie_bias(params):
    """The parameters with each filter's bias at its spin-flip symmetric value."""
    filters, _, *extra = params
    return (filters, -0.5 * filters.sum(axis=1), *extra)


def _tied_gradient(grads):
    """The gradient along the filters when the bias follows them (``b = -filters.sum() / 2``).

    The chain rule adds ``d objective / d b_j * d b_j / d filters[j, i] = -grad_b[j] / 2`` to
    every weight of unit ``j``; the bias itself is no longer a free parameter.
    """
    grad_filters, grad_bias, *extra = grads
    return (grad_filters - 0.5 * grad_bias[:, None], np.zeros_like(grad_bias), *extra)

