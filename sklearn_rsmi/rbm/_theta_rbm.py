"""ThetaRBM: a Bernoulli restricted Boltzmann machine trained by contrastive divergence.

RSMI needs the free energy ``F(x) = -a.x - sum_k softplus(c_k + W_k.x)`` of a model of the
windows' distribution, ``P(x) = exp(-F(x)) / Z``; :class:`ThetaRBM` learns it by CD-k or
persistent CD-k and evaluates it, its exact or annealed-importance-sampled partition
function (:mod:`._partition_function`), and the true log-likelihood. The numba kernels are
in :mod:`._kernels`.
"""

import hashlib
import time
from numbers import Integral, Real

import numpy as np
from scipy.special import expit
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from .._utils.seeding import draw_keys
from .._utils.threads import blas_threads, cpu_threads, numba_threads
from .._utils.validation import check_positive_int, check_probabilities_or_spins
from . import _kernels as kernels
from ._parameters import layer_free_energy
from ._partition_function import (
    MAX_EXACT_UNITS,
    LogPartitionEstimate,
    ais_log_partition_function,
    exact_log_partition_function,
)

__all__ = ["ThetaRBM"]

# The per-epoch monitor uses the exact likelihood only while it costs next to nothing.
_MAX_MONITOR_EXACT_UNITS = 12
_MONITOR_ROWS = 256
# Rate of the moving average of the hidden offsets per mini-batch (centering); Melchior,
# Fischer & Wiskott (2016) found rates of 0.01-0.1 equally good.
_OFFSET_RATE = 0.05


class ThetaRBM(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Bernoulli RBM trained by (persistent) contrastive divergence, with exact likelihoods.

    The model is ``P(v, h) = exp(a.v + c.h + h.W.v) / Z`` on binary visible units ``v``
    and hidden units ``h``; its free energy ``F(v) = -a.v - sum_k softplus(c_k + W_k.v)``
    gives ``P(v) = exp(-F(v)) / Z``. RSMI uses it as the "Theta-RBM" model of window
    distributions.

    Input convention (every method, one rule):

    - occupations in ``{0, 1}``; floats in ``[0, 1]`` are read as probabilities (as
      scikit-learn's ``BernoulliRBM`` does);
    - spins in ``{-1, +1}``, mapped to ``x = (s + 1) / 2``. The rule is stateless: data
      with any negative value are spins and must then be all ``±1``;
    - anything else (NaN, infinity, values above 1, other negative values, spins mixed
      with 0 or fractions) raises a ValueError saying what was found. Sparse input is
      refused. Caller arrays are never modified.

    Every fitted attribute is in the ``{0, 1}`` occupation convention, whatever the input.

    Parameters
    ----------
    n_components : int, default=64
        Number of hidden units.
    learning_rate : float, default=0.1
        Initial step size of the gradient ascent on the log-likelihood (per-sample
        gradient, so independent of ``batch_size``). :meth:`fit` decays it linearly to 0
        over its ``n_epochs`` epochs, which damps the oscillations of PCD (the held-out
        likelihoods it reaches, against scikit-learn's constant-rate PCD, are on the
        performance page). :meth:`partial_fit` uses it as a constant.
    batch_size : int, default=64
        Samples per mini-batch.
    n_chains : int or None, default=None
        Number of persistent chains (PCD only): the model samples of every mini-batch's
        negative phase. ``None`` means ``batch_size``. More chains give a less noisy
        negative phase at a cost proportional to ``n_chains * k``.
    n_epochs : int, default=20
        Passes (epochs) over the data in :meth:`fit`. Each :meth:`partial_fit` call is
        one pass over its data.
    k : int, default=1
        Gibbs sweeps per negative phase (CD-k / PCD-k).
    persistent : bool, default=True
        True: persistent CD (the negative chains continue from one mini-batch to the
        next, Tieleman 2008), which follows the likelihood gradient far better than CD
        for the same cost. False: CD-k, chains restart at the mini-batch's data.
    momentum : float in [0, 1), default=0.5
        Momentum of the parameter updates.
    weight_decay : float, default=0.0
        L2 penalty on the couplings (not the biases).
    centering : bool, default=False
        Train in the centered parametrization (Montavon & Mueller 2012; Melchior, Fischer
        & Wiskott 2016): the energy is written with the visible units shifted by the
        data's mean occupations and the hidden units by a running mean of their data
        activations. The model family is unchanged, but the gradient is far better
        conditioned, so correlations between distant groups of units (a block and its
        environment) are learned that plain (P)CD leaves out. The fitted
        ``components_``, ``intercept_visible_`` and ``intercept_hidden_`` are always the
        ordinary parameters. The offsets come from the data seen by :meth:`fit`; the
        first :meth:`partial_fit` call sets them from its data.
    random_state : int, RandomState instance or None, default=None
        Seeds initialization, mini-batch order and Gibbs sampling. A fixed value gives
        identical fits for any ``n_jobs``.
    verbose : int, default=0
        Print one line per epoch with the monitored likelihood figure and the time.
    n_jobs : int or None, default=None
        Threads for the row-parallel work: numba's pool for transform, free energies,
        log-likelihoods and AIS, and the BLAS products over whole data sets (capped at
        the same count). None means 1, as in scikit-learn. Training is serial numba around
        small BLAS products: its mini-batches are too small for threads to pay, so BLAS runs
        on one thread there whatever ``n_jobs`` is (two BLAS threads per mini-batch made an
        epoch 3-7x slower on a two-core machine). Limits set by the caller (threadpoolctl)
        are never raised.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Couplings ``W``.
    intercept_hidden_ : ndarray of shape (n_components,)
        Hidden biases ``c``.
    intercept_visible_ : ndarray of shape (n_features,)
        Visible biases ``a``.
    persistent_hidden_ : ndarray of shape (n_chains, n_components)
        Hidden states of the persistent chains (only when ``persistent=True``).
    hidden_offset_ : ndarray of shape (n_components,)
        Only with ``centering=True``: the hidden offsets (running mean of the hidden
        activation probabilities on the data) at the end of training.
    visible_mean_ : ndarray of shape (n_features,)
        Mean occupation of every visible unit over all data seen; its smoothed logits are
        the initial visible biases and the base model of AIS.
    n_features_in_ : int
        Number of visible units.
    feature_names_in_ : ndarray of shape ``(n_features_in_,)``
        Feature names seen in fit, when they are all strings.
    n_epochs_ : int
        Epochs run (fit, plus one per partial_fit call).
    log_likelihood_history_ : list of float
        The per-epoch figure printed by ``verbose``, on up to 256 evenly spaced rows of
        the data: the exact mean log-likelihood when the smaller layer has at most 12
        units, otherwise the mean pseudo-log-likelihood ``sum_i log P(x_i | x_-i)``,
        estimated from one flipped unit per row, cycling through the units.
    log_likelihood_kind_ : {"exact", "pseudo"}
        Which of the two the history holds.

    See Also
    --------
    sklearn.neural_network.BernoulliRBM : scikit-learn's RBM (PCD-1 without momentum,
        stochastic pseudo-likelihood scores).

    Notes
    -----
    Parameters, attributes and outputs are float64 whatever the input dtype, in
    :meth:`fit` and :meth:`partial_fit` alike. The products, sigmoids and samples inside a
    training mini-batch run in float32 (``_work_dtype``): that halves the time of BLAS and
    of ``exp``, and the rounding (1e-7 relative) is far below the Monte Carlo noise of
    the gradient; ``benchmarks/bench_rbm.py`` compares held-out likelihoods of both.

    Random numbers inside the kernels are counter-based (a SplitMix64 hash of a random
    key per mini-batch and the element's indices), so they do not depend on threads.

    :meth:`score_samples` and :meth:`score` are the true log-likelihood
    ``-F(x) - log Z``, with ``log Z`` exact for layers of up to 20 units (the smaller
    layer is enumerated) and estimated by AIS otherwise (cached per parameter values).

    References
    ----------
    G. E. Hinton, "Training products of experts by minimizing contrastive divergence",
    Neural Computation 14, 1771 (2002). T. Tieleman, "Training restricted Boltzmann
    machines using approximations to the likelihood gradient", ICML 2008.
    R. Salakhutdinov and I. Murray, "On the quantitative analysis of deep belief
    networks", ICML 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi import ThetaRBM
    >>> rng = np.random.default_rng(0)
    >>> X = rng.choice([-1, 1], size=(200, 6))
    >>> rbm = ThetaRBM(n_components=3, n_epochs=5, random_state=0).fit(X)
    >>> rbm.transform(X[:2]).shape
    (2, 3)
    >>> bool(rbm.score(X) < 0)
    True
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_chains": [Interval(Integral, 1, None, closed="left"), None],
        "n_epochs": [Interval(Integral, 0, None, closed="left")],
        "k": [Interval(Integral, 1, None, closed="left")],
        "persistent": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "centering": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "n_jobs": [Integral, None],
    }

    # Dtype of the mini-batch arithmetic in training (see Notes).
    _work_dtype = np.float32

    def __init__(
        self,
        n_components=64,
        *,
        learning_rate=0.1,
        batch_size=64,
        n_chains=None,
        n_epochs=20,
        k=1,
        persistent=True,
        momentum=0.5,
        weight_decay=0.0,
        centering=False,
        random_state=None,
        verbose=0,
        n_jobs=None,
    ):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_chains = n_chains
        self.n_epochs = n_epochs
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.centering = centering
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ helpers
    def _check_input(self, X, *, reset):
        """validate_data (shape, finiteness, n_features_in_), then the value convention."""
        X = validate_data(self, X, reset=reset, dtype=np.float64)
        return check_probabilities_or_spins(X, name="X")

    def _parameters(self):
        return self.components_, self.intercept_visible_, self.intercept_hidden_

    def _free_energy(self, X):
        weights, visible_bias, hidden_bias = self._parameters()
        return layer_free_energy(X, weights.T, visible_bias, hidden_bias)

    def _initialize(self, X, rng):
        n_samples, n_features = X.shape
        self.components_ = rng.normal(0.0, 0.01, (self.n_components, n_features))
        self.visible_mean_ = X.mean(axis=0)
        self._n_samples_seen = n_samples
        # Hinton's recipe: visible biases at the logits of the data's mean occupations.
        self.intercept_visible_ = self._base_visible_bias()
        self.intercept_hidden_ = np.zeros(self.n_components)
        self._velocity = (
            np.zeros_like(self.components_),
            np.zeros(n_features),
            np.zeros(self.n_components),
        )
        self._n_features_out = self.n_components
        if self.centering:
            self._start_offsets(X)
        elif hasattr(self, "hidden_offset_"):
            del self.hidden_offset_  # left over from an earlier centered fit
        if self.persistent:
            self._start_chains(X, rng)
        elif hasattr(self, "persistent_hidden_"):
            del self.persistent_hidden_  # left over from an earlier PCD fit
        self.n_epochs_ = 0
        self.log_likelihood_history_ = []
        small = min(n_features, self.n_components) <= _MAX_MONITOR_EXACT_UNITS
        self.log_likelihood_kind_ = "exact" if small else "pseudo"

    def _start_offsets(self, X):
        # The hidden offsets start at the hidden means of the data under the initial model.
        self.hidden_offset_ = expit(X @ self.components_.T + self.intercept_hidden_).mean(axis=0)

    def _n_chains(self):
        return self.batch_size if self.n_chains is None else self.n_chains

    def _start_chains(self, X, rng):
        # Chains start from data rows, not from zeros, so early negative phases are sane.
        rows = rng.randint(0, X.shape[0], size=self._n_chains())
        p = expit(X[rows] @ self.components_.T + self.intercept_hidden_)
        self.persistent_hidden_ = (rng.random_sample(p.shape) < p).astype(np.float64)

    def _base_visible_bias(self):
        # Smoothed mean, so units that never (or always) fire get finite biases.
        n = self._n_samples_seen
        p = (self.visible_mean_ * n + 0.5) / (n + 1.0)
        return np.log(p) - np.log1p(-p)

    def _run_epoch(self, X, X_work, rng, learning_rates):
        start_time = time.perf_counter()
        n_samples = X.shape[0]
        n_batches = -(-n_samples // self.batch_size)
        order = rng.permutation(n_samples).astype(np.int64)
        keys = draw_keys(rng, size=n_batches)
        if self.persistent:
            if (not hasattr(self, "persistent_hidden_")  # persistent switched on later
                    or self.persistent_hidden_.shape[0] != self._n_chains()):
                self._start_chains(X, rng)
            chains = self.persistent_hidden_.astype(self._work_dtype)
        else:
            chains = np.zeros((0, self.n_components), dtype=self._work_dtype)
        if self.centering:
            if not hasattr(self, "hidden_offset_"):  # centering switched on later
                self._start_offsets(X)
            visible_offset = self.visible_mean_
            hidden_offset = self.hidden_offset_
        else:
            visible_offset = hidden_offset = np.zeros(0)
        kernels.cd_epoch(
            X_work, order, self.batch_size, self.components_, self.intercept_visible_,
            self.intercept_hidden_, *self._velocity, chains, keys.astype(np.uint64),
            self.k, self.persistent, float(learning_rates[0]), float(learning_rates[1]),
            float(self.momentum), float(self.weight_decay), visible_offset, hidden_offset,
            _OFFSET_RATE,
        )
        if self.persistent:
            self.persistent_hidden_ = chains.astype(np.float64)
        self.n_epochs_ += 1
        figure = self._monitor_figure(X)
        self.log_likelihood_history_.append(figure)
        if self.verbose:
            name = "log-likelihood" if self.log_likelihood_kind_ == "exact" else (
                "pseudo-log-likelihood")
            print(
                f"[{type(self).__name__}] Iteration {self.n_epochs_}, {name} = {figure:.2f}, "
                f"time = {time.perf_counter() - start_time:.2f}s"
            )

    def _monitor_figure(self, X):
        n_samples = X.shape[0]
        n_rows = min(n_samples, _MONITOR_ROWS)
        rows = np.unique(np.linspace(0, n_samples - 1, n_rows).astype(np.int64))
        V = X[rows]
        weights, visible_bias, hidden_bias = self._parameters()
        if self.log_likelihood_kind_ == "exact":
            log_z = exact_log_partition_function(weights, visible_bias, hidden_bias)
            return float(np.mean(-self._free_energy(V)) - log_z)
        units = np.arange(V.shape[0], dtype=np.int64) % V.shape[1]
        terms = kernels.pseudo_log_likelihood(V, V @ weights.T + hidden_bias, weights, visible_bias, units)
        return float(V.shape[1] * np.mean(terms))

    # ---------------------------------------------------------------- training
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model to the data by ``n_epochs`` epochs of (P)CD-k.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data: occupations/probabilities in [0, 1] or spins in {-1, +1}.
        y : None
            Ignored.

        Returns
        -------
        self : ThetaRBM
            The fitted model.
        """
        X = self._check_input(X, reset=True)
        rng = check_random_state(self.random_state)
        with numba_threads(self.n_jobs), blas_threads(1):
            self._initialize(X, rng)
            self._rng = rng
            X_work = X.astype(self._work_dtype)
            # Linear decay to 0 over the fit damps the oscillations of PCD, whose last
            # iterate otherwise varies by several nats of held-out log-likelihood from
            # one seed to the next (measured on critical Ising windows).
            schedule = self.learning_rate * (
                1.0 - np.arange(self.n_epochs + 1) / max(self.n_epochs, 1))
            for epoch in range(self.n_epochs):
                self._run_epoch(X, X_work, rng, schedule[epoch:epoch + 2])
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """One epoch of (P)CD-k over ``X``, continuing from the current state.

        The first call initializes the model from ``X`` exactly as :meth:`fit` does; the
        random stream then continues across calls, so ``fit`` with ``n_epochs=m`` and
        ``m`` calls of ``partial_fit`` on the same data give the same model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data in either convention.
        y : None
            Ignored.

        Returns
        -------
        self : ThetaRBM
            The updated model.
        """
        first = not hasattr(self, "components_")
        if not first and not hasattr(self, "visible_mean_"):
            # Parameters set by hand: there are no data statistics to continue from.
            what = ("centering needs the data's mean occupations as its visible offsets"
                    if self.centering else "training continues from the data seen so far")
            raise ValueError(
                f"This ThetaRBM has parameters but has seen no data ({what}): call fit on "
                "data first, or delete components_ to start afresh with partial_fit."
            )
        X = self._check_input(X, reset=first)
        with numba_threads(self.n_jobs), blas_threads(1):
            if first:
                self._rng = check_random_state(self.random_state)
                self._initialize(X, self._rng)
            else:
                n_seen = self._n_samples_seen + X.shape[0]
                self.visible_mean_ = self.visible_mean_ + (
                    X.sum(axis=0) - X.shape[0] * self.visible_mean_) / n_seen
                self._n_samples_seen = n_seen
            self._run_epoch(X, X.astype(self._work_dtype), self._rng,
                            (self.learning_rate, self.learning_rate))
        return self

    # ------------------------------------------------------------- evaluation
    def transform(self, X):
        """Hidden activation probabilities ``P(h = 1 | v)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in either convention.

        Returns
        -------
        h : ndarray of shape (n_samples, n_components)
        """
        check_is_fitted(self)
        X = self._check_input(X, reset=False)
        with cpu_threads(self.n_jobs):
            return kernels.sigmoid_rows(X @ self.components_.T, self.intercept_hidden_)

    def free_energy(self, X):
        """Free energy ``F(x) = -a.x - sum_k softplus(c_k + W_k.x)`` of every row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in either convention.

        Returns
        -------
        F : ndarray of shape (n_samples,)
            ``P(x) = exp(-F(x)) / Z``.
        """
        check_is_fitted(self)
        X = self._check_input(X, reset=False)
        with cpu_threads(self.n_jobs):
            return self._free_energy(X)

    def _parameter_fingerprint(self):
        digest = hashlib.blake2b(digest_size=16)
        for array in self._parameters():
            digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
        return digest.hexdigest()

    def estimate_log_partition_function(self, method="auto", *, n_chains=100, n_betas=10000,
                                        random_state=0):
        """``log Z`` of the fitted model with its standard error and the method used.

        Parameters
        ----------
        method : {"auto", "exact", "ais"}, default="auto"
            "exact" enumerates the smaller layer (see
            :func:`exact_log_partition_function`); "ais" uses annealed importance
            sampling from the base-rate model of the training data (see
            :func:`ais_log_partition_function`); "auto" is exact when the smaller layer
            has at most 20 units.
        n_chains, n_betas : int, default=100, 10000
            AIS chains and inverse temperatures.
        random_state : int, RandomState instance or None, default=0
            Seeds AIS. Fixed by default so that repeated calls, :meth:`score_samples`
            and :meth:`score` agree; pass other seeds for independent estimates.

        Returns
        -------
        estimate : LogPartitionEstimate
            Named tuple ``(log_z, std_err, method)``. Results are cached per parameter
            values (refitting or changing the weights invalidates them).
        """
        check_is_fitted(self)
        if method not in ("auto", "exact", "ais"):
            raise ValueError(f"method must be 'auto', 'exact' or 'ais', got {method!r}.")
        weights, visible_bias, hidden_bias = self._parameters()
        if method == "auto":
            method = "exact" if min(weights.shape) <= MAX_EXACT_UNITS else "ais"
        if method == "exact":
            key = (self._parameter_fingerprint(), "exact")
        else:
            seeded = random_state is None or isinstance(random_state, Integral)
            key = (self._parameter_fingerprint(), "ais", n_chains, n_betas, random_state) \
                if seeded and random_state is not None else None
        cache = getattr(self, "_log_partition_cache", None)
        if key is not None and cache is not None and key in cache:
            return cache[key]
        # AIS calls BLAS on blocks of chains inside numba's parallel loop: one BLAS thread.
        threads = cpu_threads(self.n_jobs) if method == "exact" else blas_threads(1)
        with numba_threads(self.n_jobs), threads:
            if method == "exact":
                estimate = LogPartitionEstimate(
                    exact_log_partition_function(weights, visible_bias, hidden_bias), 0.0, "exact")
            else:
                estimate = ais_log_partition_function(
                    weights, visible_bias, hidden_bias, base_visible_bias=self._base_visible_bias(),
                    n_chains=n_chains, n_betas=n_betas, random_state=random_state,
                )
        if key is not None:
            # Only the latest parameter values are worth keeping.
            cache = {k: v for k, v in (cache or {}).items() if k[0] == key[0]}
            cache[key] = estimate
            self._log_partition_cache = cache
        return estimate

    def log_partition_function(self, method="auto", **ais_options):
        """``log Z`` as a float; see :meth:`estimate_log_partition_function`.

        Parameters
        ----------
        method : {"auto", "exact", "ais"}, default="auto"
            How to compute it.
        **ais_options
            ``n_chains``, ``n_betas``, ``random_state`` for AIS.

        Returns
        -------
        log_z : float
        """
        return self.estimate_log_partition_function(method, **ais_options).log_z

    def score_samples(self, X):
        """Log-likelihood ``log P(x) = -F(x) - log Z`` of every row.

        Unlike scikit-learn's ``BernoulliRBM.score_samples`` (a stochastic
        pseudo-likelihood), this is the model's log-probability, exact when the smaller
        layer has at most 20 units and with an AIS estimate of ``log Z`` otherwise
        (deterministic: seeded and cached, see :meth:`estimate_log_partition_function`).
        For probability-valued rows it is ``-F(x) - log Z`` evaluated at ``x``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in either convention.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = self._check_input(X, reset=False)
        log_z = self.log_partition_function()
        with cpu_threads(self.n_jobs):
            return -self._free_energy(X) - log_z

    def score(self, X, y=None):
        """Mean log-likelihood of the rows of ``X`` (higher is better).

        Used by ``GridSearchCV`` and ``cross_val_score`` to compare models on held-out
        data; see :meth:`score_samples`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data in either convention.
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))

    # ---------------------------------------------------------------- sampling
    def gibbs(self, X, random_state=None):
        """One Gibbs step ``v -> h -> v`` from every row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Starting visible states, either convention (validated like every input).
        random_state : int, RandomState instance or None, default=None
            Seeds the step. None draws from numpy's global generator, so successive calls
            give new samples.

        Returns
        -------
        v_new : ndarray of shape (n_samples, n_features)
            Sampled visible states, occupations in {0, 1} (``2 * v_new - 1`` for spins).
        """
        check_is_fitted(self)
        X = self._check_input(X, reset=False)
        key = draw_keys(random_state)
        weights, visible_bias, hidden_bias = self._parameters()
        with cpu_threads(self.n_jobs):
            return kernels.gibbs_steps(X, weights, visible_bias, hidden_bias, key, 1)

    def sample(self, n_samples, *, n_steps=1000, random_state=None):
        """Draw samples from the model with independent Gibbs chains.

        Each chain starts from independent visible units with the training data's mean
        occupations and runs ``n_steps`` full sweeps ``v -> h -> v``; its last visible
        state is one sample. All ``n_steps`` sweeps are burn-in: choose it well above the
        model's mixing time (sharply peaked, multimodal models mix slowly).

        Parameters
        ----------
        n_samples : int
            Number of samples (= chains), >= 1.
        n_steps : int, default=1000
            Gibbs sweeps per chain, >= 1.
        random_state : int, RandomState instance or None, default=None
            Seeds the chains.

        Returns
        -------
        samples : ndarray of shape (n_samples, n_features)
            Occupations in {0, 1}.
        """
        check_is_fitted(self)
        n_samples = check_positive_int(n_samples, "n_samples")
        n_steps = check_positive_int(n_steps, "n_steps")
        rng = check_random_state(random_state)
        v = (rng.random_sample((n_samples, self.n_features_in_)) < self.visible_mean_).astype(
            np.float64)
        key = draw_keys(rng)
        weights, visible_bias, hidden_bias = self._parameters()
        with cpu_threads(self.n_jobs):
            return kernels.gibbs_steps(v, weights, visible_bias, hidden_bias, key, n_steps)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags
