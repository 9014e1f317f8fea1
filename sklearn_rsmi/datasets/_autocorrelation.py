"""Integrated autocorrelation times of Markov-chain series, and the samplers' statistics record.

The estimator is Sokal's automatic window (A. D. Sokal, "Monte Carlo methods in statistical
mechanics: foundations and new algorithms", Cargese lectures 1996; N. Madras and A. D. Sokal,
J. Stat. Phys. 50, 109 (1988)): with the normalized autocorrelation ``rho(t)`` of a series,

``tau_int(W) = 1/2 + sum_{t=1}^{W} rho(t)``,

summed up to the smallest window ``W >= c tau_int(W)`` (``c = 6``, which keeps the bias
of the cut below ``e^-6`` for an exponential decay while the variance stays small). Its
statistical error is ``tau_int sqrt(2 (2W + 1) / n)`` for ``n`` measurements. In this
convention independent measurements have ``tau_int = 1/2``, and ``n`` correlated
measurements are worth ``n / (2 tau_int)`` independent ones (the effective sample size).

An estimate is called converged when the window exists and the series is at least
``50 tau_int`` long (the rule of thumb of emcee's ``integrated_time``, Foreman-Mackey et
al. 2013; shorter series underestimate ``tau_int``). Nothing here depends on the lattice
or its dimension: the samplers pass series of scalar observables.
"""

import math
from dataclasses import dataclass, field

import numpy as np

#: Sokal's window constant ``c``: the sum stops at the first ``W >= c tau_int(W)``.
WINDOW_CONSTANT = 6.0
#: A series shorter than this many ``tau_int`` is not trusted (the estimate is not converged).
MIN_LENGTH_IN_TAU = 50.0


@dataclass(frozen=True)
class AutocorrelationTime:
    """Integrated autocorrelation time of one observable, in the units of its series' spacing.

    Attributes
    ----------
    tau_int : float
        ``1/2 + sum_t rho(t)`` over Sokal's window; 1/2 for independent measurements.
    error : float
        Its statistical error, ``tau_int sqrt(2 (2W + 1) / n)``.
    window : int
        The window ``W`` (in measurements).
    n_measurements : int
        Length ``n`` of the series.
    spacing : float
        Distance between consecutive measurements in the caller's unit (sweeps, worms per
        site, samples); ``tau_int`` and ``error`` are in that unit too.
    converged : bool
        The window was found and the series is at least ``50 tau_int`` long (and at least
        25 measurements).
    needed_length : float
        The length of series (in the same unit) the estimate asks for, ``50 tau_int``, or
        25 measurements when ``tau_int`` is below one half.
    """

    tau_int: float
    error: float
    window: int
    n_measurements: int
    spacing: float = 1.0
    converged: bool = True
    needed_length: float = 0.0

    @property
    def effective_sample_size(self):
        """``n / (2 tau_int)`` in measurements: the independent measurements they are worth."""
        return self.n_measurements * self.spacing / (2.0 * self.tau_int)


def autocorrelation_function(series):
    """Normalized autocorrelation ``rho(t)``, ``t = 0 ... n - 1``, of a 1D series (by FFT).

    Uses the standard biased estimate ``C(t) = (1/n) sum_i dx_i dx_{i+t}`` (its sum over the
    window has lower variance than the unbiased one). A constant series gives ``rho = [1, 0,
    ...]``: no fluctuation, nothing correlated.
    """
    x = np.asarray(series, dtype=np.float64)
    n = x.shape[0]
    dx = x - x.mean()
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(dx, size)
    acov = np.fft.irfft(spectrum * spectrum.conjugate(), size)[:n] / n
    rho = np.zeros(n)
    # Fluctuations at the level of rounding (a constant series) are no fluctuations.
    scale = float(np.abs(x).max())
    if acov[0] > (1e-12 * scale) ** 2 and acov[0] > 0.0:
        rho = acov / acov[0]
    else:
        rho[0] = 1.0
    return rho


def integrated_autocorrelation_time(series, *, spacing=1.0):
    """Sokal's windowed estimate of ``tau_int`` of a 1D series (see the module notes).

    Parameters
    ----------
    series : array-like of shape (n,)
        Measurements of one observable along the chain, ``n >= 2``.
    spacing : float, default=1.0
        Chain time between measurements; ``tau_int``, its error and ``needed_length`` are
        returned in that unit.

    Returns
    -------
    estimate : AutocorrelationTime
    """
    x = np.asarray(series, dtype=np.float64)
    if x.ndim != 1 or x.shape[0] < 2:
        raise ValueError(f"series must be 1D with at least 2 measurements, got shape {x.shape}.")
    if not np.all(np.isfinite(x)):
        raise ValueError("series contains NaN or infinity.")
    n = x.shape[0]
    rho = autocorrelation_function(x)
    taus = np.cumsum(rho) - 0.5  # taus[W] = 1/2 + sum_{t=1}^{W} rho(t)
    windows = np.arange(n)
    ok = windows >= WINDOW_CONSTANT * taus
    found = bool(ok[1:].any()) if n > 1 else False
    window = int(np.argmax(ok[1:]) + 1) if found else n - 1
    # Anticorrelated chains can give tau below 1/2; an honest floor is a tiny positive value.
    tau = max(float(taus[window]), 1e-3)
    error = tau * math.sqrt(2.0 * (2 * window + 1) / n)
    # A short series can look anticorrelated by chance; the length it needs is judged as if
    # its measurements were at least independent.
    needed = MIN_LENGTH_IN_TAU * max(tau, 0.5)
    converged = found and n >= needed
    return AutocorrelationTime(
        tau_int=tau * spacing, error=error * spacing, window=window, n_measurements=n,
        spacing=float(spacing), converged=converged, needed_length=needed * spacing,
    )


@dataclass(frozen=True)
class ObservableSummary:
    """Mean of an observable over the returned samples, with its autocorrelation-aware error.

    Attributes
    ----------
    mean : float
    error_of_mean : float
        ``sqrt(variance * 2 tau_int / n)``, with ``tau_int`` (in samples) from the samples.
    variance : float
    tau_int : float
        Integrated autocorrelation time between consecutive samples, in samples (1/2 when
        they are independent). With few samples it is a rough estimate.
    effective_sample_size : float
        ``n / (2 tau_int)``, at most ``n``.
    """

    mean: float
    error_of_mean: float
    variance: float
    tau_int: float
    effective_sample_size: float


def summarize_observable(values):
    """An :class:`ObservableSummary` of the per-sample values of one observable."""
    x = np.asarray(values, dtype=np.float64)
    n = x.shape[0]
    variance = float(x.var(ddof=1)) if n > 1 else float("nan")
    if n < 2:
        return ObservableSummary(float(x.mean()), float("nan"), variance, float("nan"), float(n))
    # Thinned samples are near-independent; a tau below 1/2 would claim more than n samples.
    tau = max(integrated_autocorrelation_time(x).tau_int, 0.5)
    return ObservableSummary(
        mean=float(x.mean()), error_of_mean=math.sqrt(variance * 2.0 * tau / n),
        variance=variance, tau_int=tau, effective_sample_size=n / (2.0 * tau),
    )


@dataclass(frozen=True)
class SamplerStatistics:
    """What a sampler measured about its own chain, in the spirit of NetKet's ``Stats``.

    Returned by :func:`~sklearn_rsmi.datasets.make_ising` and
    :func:`~sklearn_rsmi.datasets.make_dimers` with ``return_statistics=True``.

    Attributes
    ----------
    algorithm : str
        The update: ``"wolff"``, ``"swendsen-wang"``, ``"metropolis"`` or ``"worm"``.
    unit : str
        The unit of chain time: ``"sweeps"`` (Ising) or ``"worms per site"`` (dimers).
    n_between : float
        Chain time between consecutive samples, in ``unit`` (for Wolff: the fixed number
        of cluster updates times the mean cluster size over the number of sites).
    n_calibration : float
        Length of the calibration stretch that measured the autocorrelation times (0
        when ``n_between`` was given as a number: nothing was calibrated).
    autocorrelation_times : dict of str to AutocorrelationTime
        ``tau_int`` of each observable along the chain, in ``unit``, from the calibration
        stretch (empty without calibration). Ising: ``"energy"`` and
        ``"abs_magnetization"``; dimers: ``"winding_x"`` and ``"winding_y"``.
    observables : dict of str to ObservableSummary
        The same observables over the returned samples: mean, error of the mean, and
        the effective sample size measured on the samples themselves.
    move_statistics : dict of str to float
        Wolff and Swendsen-Wang: ``"mean_cluster_size"`` (sites); Metropolis:
        ``"acceptance_rate"``; worm: ``"mean_worm_length"`` (worm steps).
    spacing_in_tau : float or None
        ``n_between`` over the largest ``tau_int``: how many autocorrelation times apart
        the samples are (None without calibration).
    """

    algorithm: str
    unit: str
    n_between: float
    n_calibration: float
    autocorrelation_times: dict = field(default_factory=dict)
    observables: dict = field(default_factory=dict)
    move_statistics: dict = field(default_factory=dict)

    @property
    def spacing_in_tau(self):
        if not self.autocorrelation_times:
            return None
        tau = max(a.tau_int for a in self.autocorrelation_times.values())
        return self.n_between / tau

    @property
    def effective_sample_size(self):
        """The smallest effective sample size over the observables (measured on the samples)."""
        return min(s.effective_sample_size for s in self.observables.values())
