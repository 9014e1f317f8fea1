"""The effective temperature of (coarse-grained) Ising samples: a correlation read off a reference curve."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params

from ._ising import (
    _NN_AT_CRITICALITY,
    CRITICAL_TEMPERATURE,
    _as_temperatures,
    _return,
    nearest_neighbor_correlation,
)
from ._observables import measure_nearest_neighbor_correlation

# ---------------------------------------------------------------------------
# effective temperature


_CALLABLE_T_RANGE = (1e-2, 1e4)


def _bisect_log_temperature(curve, correlation, log_t_low, log_t_high):
    """Vectorised bisection of a decreasing ``curve(T) = correlation`` in ``log T``.

    Bisection never needs the slope, so the infinite slope of the Onsager curve at T_c
    costs nothing; about 60 halvings reach float resolution.
    """
    low = np.array(log_t_low, dtype=np.float64)
    high = np.array(log_t_high, dtype=np.float64)
    for _ in range(200):
        mid = 0.5 * (low + high)
        too_cold = np.asarray(curve(np.exp(mid))) > correlation
        low = np.where(too_cold, mid, low)
        high = np.where(too_cold, high, mid)
        if np.all(high - low <= 2e-16 * np.maximum(1.0, np.abs(mid))):
            break
    return np.exp(0.5 * (low + high))


def _check_reference(reference):
    """Return ``(curve, t_min, t_max, c_at_t_min, c_at_t_max)`` for a reference curve."""
    if callable(reference):
        grid = np.geomspace(*_CALLABLE_T_RANGE, 257)
        values = np.asarray(reference(grid), dtype=np.float64)
        if values.shape != grid.shape or not np.all(np.isfinite(values)):
            raise ValueError(
                "reference must map an array of temperatures to finite correlations of the same "
                f"shape on T in {_CALLABLE_T_RANGE}."
            )
        if not np.all(np.diff(values) <= 0) or values[0] == values[-1]:
            raise ValueError(
                "reference is not monotonic: the correlation must decrease as the temperature "
                f"increases (checked on T in {_CALLABLE_T_RANGE})."
            )
        return reference, grid[0], grid[-1], values[0], values[-1]

    try:
        temperatures, correlations = reference
    except (TypeError, ValueError):
        raise TypeError(
            "reference must be a callable T -> correlation or a (temperatures, correlations) "
            f"pair of arrays, got {type(reference).__name__}."
        ) from None
    temperatures, _ = _as_temperatures(temperatures, name="reference temperatures")
    correlations = np.asarray(correlations, dtype=np.float64)
    if temperatures.ndim != 1 or temperatures.shape != correlations.shape or temperatures.size < 2:
        raise ValueError(
            "reference temperatures and correlations must be 1D arrays of equal length >= 2, got "
            f"shapes {temperatures.shape} and {correlations.shape}."
        )
    if not np.all(np.isfinite(correlations)):
        raise ValueError("reference correlations contain NaN or infinity.")
    order = np.argsort(temperatures, kind="stable")
    temperatures, correlations = temperatures[order], correlations[order]
    if np.any(np.diff(temperatures) == 0):
        raise ValueError("reference temperatures contain duplicates.")
    if not np.all(np.diff(correlations) < 0):
        raise ValueError(
            "reference table is not monotonic: sorted by temperature, the correlations must "
            "strictly decrease."
        )

    def table(T):
        return np.interp(T, temperatures, correlations)

    # Interpolating T linearly in the correlation is exact inversion of the piecewise
    # linear table; np.interp needs increasing abscissae, hence the reversal.
    table.inverse = lambda c: np.interp(c, correlations[::-1], temperatures[::-1])
    return table, temperatures[0], temperatures[-1], correlations[0], correlations[-1]


@validate_params(
    {
        "samples": ["array-like", None],
        "correlation": ["array-like", Real, None],
        "reference": [callable, "array-like", tuple, None],
        "out_of_range": [StrOptions({"raise", "clip", "nan"})],
    },
    prefer_skip_nested_validation=True,
)
def effective_temperature(samples=None, *, correlation=None, reference=None,
                          out_of_range="raise"):
    r"""Temperature at which a reference curve has the given nearest-neighbor correlation.

    By default the reference is Onsager's infinite-lattice curve
    :func:`nearest_neighbor_correlation`, which decreases monotonically from 1 at
    ``T = 0`` to 0 as ``T -> inf`` and has an infinite slope at :math:`T_c`. It is
    inverted by bisection in :math:`\log T`, which needs no derivative: the
    correlation :math:`1/\sqrt 2` maps to :math:`T_c` (exactly), and ``T -> nn -> T``
    round-trips to better than 1e-10 relative for ``T`` in ``[0.5, 20]`` (the
    conditioning is worst at low ``T``, where ``1 - nn ~ 4 exp(-8/T)``).

    Correlations ``>= 1`` give ``T = 0`` (perfect order) and correlations ``<= 0`` give
    ``T = inf`` (no ferromagnetic order left): an RG flow legitimately runs to both
    fixed points. Values outside ``[-1, 1]`` are not correlations of ``+-1`` spins and
    raise.

    Parameters
    ----------
    samples : array-like of shape (n_samples, Ly, Lx), optional
        2D Ising-like configurations; the correlation used is the mean over samples of
        :func:`measure_nearest_neighbor_correlation`. Chains ``(n_samples, L)`` and cubic
        lattices ``(n_samples, Lz, Ly, Lx)`` are accepted only together with a
        ``reference`` (the default curve is 2D).
    correlation : float or array-like, optional
        Nearest-neighbor correlation(s) to invert instead of ``samples`` (give exactly one).
    reference : callable or (temperatures, correlations), optional
        Curve to invert instead of Onsager's, e.g. finite-size correlations measured by
        simulation at the same linear size. A table is sorted by temperature, must
        strictly decrease, and is inverted by linear interpolation. A callable must map
        an array of temperatures to correlations, decrease on ``T`` in
        ``[1e-2, 1e4]`` (checked on a grid) and is inverted by bisection there.
    out_of_range : {"raise", "clip", "nan"}, default="raise"
        What a correlation in ``(0, 1)`` beyond the range of ``reference`` gives:
        a ``ValueError``, the nearest end temperature of the reference, or NaN.
        Unused with the Onsager curve, whose range is all of ``[0, 1]``.

    Returns
    -------
    temperature : float or ndarray
        Float for ``samples`` or a scalar ``correlation``; otherwise the shape of ``correlation``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.physics import effective_temperature, CRITICAL_TEMPERATURE
    >>> bool(effective_temperature(correlation=2 ** -0.5) == CRITICAL_TEMPERATURE)
    True
    >>> round(float(effective_temperature(correlation=0.408655)), 5)
    3.0
    >>> effective_temperature(correlation=[1.0, 0.0]).tolist()
    [0.0, inf]
    >>> table = ([1.0, 2.0, 3.0], [0.9, 0.7, 0.4])
    >>> float(effective_temperature(correlation=0.55, reference=table))
    2.5
    """
    if (samples is None) == (correlation is None):
        raise ValueError("pass exactly one of samples and correlation.")

    if samples is not None:
        per_sample = measure_nearest_neighbor_correlation(samples)
        if np.ndim(samples) == 2 and reference is None:
            raise ValueError(
                "samples of shape (n_samples, L) are chains, but the default reference is the 2D "
                "square-lattice curve; pass reference=, e.g. lambda T: chain_correlation(T, 1)."
            )
        if np.ndim(samples) == 4 and reference is None:
            raise ValueError(
                "samples of shape (n_samples, Lz, Ly, Lx) are cubic lattices, but the default "
                "reference is the 2D square-lattice curve and no closed form exists in 3D; pass "
                "reference=, a (temperatures, correlations) table from simulations at the same "
                "lattice size."
            )
        c = np.asarray(per_sample.mean())
    else:
        c = np.asarray(correlation)
        if c.dtype == bool or c.dtype == object or not np.issubdtype(c.dtype, np.number) \
                or np.iscomplexobj(c):
            raise TypeError(f"correlation must be a real number or array, got {correlation!r}.")
        c = c.astype(np.float64)
        if np.any(np.isnan(c)):
            raise ValueError("correlation contains NaN.")
        if np.any(np.abs(c) > 1):
            raise ValueError(
                "a nearest-neighbor correlation of +-1 spins lies in [-1, 1], got "
                f"{c[np.abs(c) > 1].ravel()[0]!r}."
            )
    flat = c.ravel()
    result = np.full(flat.shape, np.nan)
    result[flat >= 1] = 0.0
    result[flat <= 0] = np.inf
    inside = (flat > 0) & (flat < 1)

    if reference is None:
        target = flat[inside]
        result[inside] = _bisect_log_temperature(
            # nn ~ 1/T at high T; the cap keeps exp() finite for subnormal correlations
            nearest_neighbor_correlation, target, np.log(1 / 40.0),
            np.minimum(np.log(4.0) - np.log(target), np.log(1e308)),
        )
        # 1/sqrt(2) has two float spellings one ulp apart (sqrt(0.5), 1/sqrt(2))
        result[np.abs(flat - _NN_AT_CRITICALITY) <= 1.2e-16] = CRITICAL_TEMPERATURE
        return _return(result, c)

    curve, t_min, t_max, c_cold, c_hot = _check_reference(reference)
    colder = inside & (flat > c_cold)
    hotter = inside & (flat < c_hot)
    beyond = colder | hotter
    if np.any(beyond) and out_of_range == "raise":
        raise ValueError(
            f"correlation {flat[beyond][0]!r} is outside the reference's range "
            f"[{c_hot!r}, {c_cold!r}] (T in [{t_min!r}, {t_max!r}]); extend the reference or "
            "choose out_of_range='clip' or 'nan'."
        )
    result[colder] = t_min if out_of_range == "clip" else np.nan
    result[hotter] = t_max if out_of_range == "clip" else np.nan
    within = inside & ~beyond
    if hasattr(curve, "inverse"):
        result[within] = curve.inverse(flat[within])
    elif np.any(within):
        result[within] = _bisect_log_temperature(
            curve, flat[within], np.log(t_min), np.log(t_max)
        )
    return _return(result, c)


