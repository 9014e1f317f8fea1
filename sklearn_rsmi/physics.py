"""Exact results for the Ising and dimer models, and effective temperatures.

Everything here is closed-form physics (no sampling), used to check samplers, to read
an effective temperature off coarse-grained samples, and to anchor the tests.
Conventions: coupling ``J = 1``, ``k_B = 1``, ``K = 1 / T``; energies and correlations
are for the ferromagnetic Hamiltonian ``H = -sum_<ij> s_i s_j`` with ``s = +-1``.

Temperature functions are vectorised like numpy ufuncs: a scalar temperature gives a
``numpy.float64`` (a ``float``), an array gives an array of the same shape. A
temperature that is not a finite number ``> 0`` raises a ``ValueError`` that says so.

References
----------
- L. Onsager, Phys. Rev. 65, 117 (1944): free energy and energy of the 2D Ising model.
- C. N. Yang, Phys. Rev. 85, 808 (1952): spontaneous magnetization.
- B. M. McCoy and T. T. Wu, *The Two-Dimensional Ising Model* (Harvard, 1973), ch. VIII:
  the diagonal correlation and the correlation lengths.
- P. W. Kasteleyn, Physica 27, 1209 (1961); H. N. V. Temperley and M. E. Fisher,
  Phil. Mag. 6, 1061 (1961): dimer coverings of the square lattice.
"""

import numbers

import numpy as np
from scipy.special import ellipe, ellipk, ellipkm1

from ._validation import check_positive_int, infer_value_convention

__all__ = [
    "CRITICAL_TEMPERATURE",
    "DIMER_ENTROPY_PER_SITE",
    "binder_cumulant",
    "chain_correlation",
    "correlation_length",
    "count_dimer_coverings",
    "diagonal_correlation",
    "effective_temperature",
    "energy_per_site",
    "measure_nearest_neighbour_correlation",
    "nearest_neighbour_correlation",
    "spontaneous_magnetization",
]

#: Critical temperature of the square-lattice Ising model, ``2 / ln(1 + sqrt 2)``.
CRITICAL_TEMPERATURE = float(2.0 / np.log1p(np.sqrt(2.0)))

#: Catalan's constant G.
_CATALAN = 0.91596559417721901505460351493238411
#: Entropy per site of fully packed dimers on the square lattice, ``G / pi``.
DIMER_ENTROPY_PER_SITE = float(_CATALAN / np.pi)

_NN_AT_CRITICALITY = np.sqrt(0.5)
_DIAGONAL_AT_CRITICALITY = 2.0 / np.pi

# Power series in m = k^2 replace the elliptic integrals at high temperature, where
# the closed forms are differences of nearly equal numbers (catastrophic cancellation).
_N_SERIES = 14
_SERIES_MAX_M = 1e-2  # truncation error ~ m^14 relative: far below rounding
_n = np.arange(_N_SERIES)
# (2/pi) K(m) = sum a_n m^n with a_n = ((2n-1)!! / (2n)!!)^2
_A = np.cumprod(np.r_[1.0, ((2 * _n[1:] - 1) / (2 * _n[1:])) ** 2])
# sqrt(1 - m) = sum b_n m^n
_B = np.cumprod(np.r_[1.0, (_n[1:] - 1.5) / _n[1:]])
# sqrt(1 - m) (2/pi) K(m) = sum d_n m^n, d_0 = 1
_D = np.convolve(_A, _B)[:_N_SERIES]
# (2/pi) [E(m) - (1 - m) K(m)] = sum_{n>=1} a_{n-1} m^n / (2n)
_C = np.r_[0.0, _A[:-1] / (2 * _n[1:])]


# ---------------------------------------------------------------------------
# input handling


def _as_temperatures(temperature, name="temperature"):
    """Return ``(T, K)`` as float64 arrays after checking ``T`` is finite and > 0."""
    T = np.asarray(temperature)
    if T.dtype == bool or T.dtype == object or not np.issubdtype(T.dtype, np.number) \
            or np.iscomplexobj(T):
        raise TypeError(f"{name} must be a real number or array of real numbers, "
                        f"got {temperature!r}.")
    T = T.astype(np.float64)
    if np.any(np.isnan(T)):
        raise ValueError(f"{name} contains NaN.")
    if np.any(~np.isfinite(T)):
        raise ValueError(f"{name} must be finite, got infinity.")
    if np.any(T <= 0):
        raise ValueError(f"{name} must be > 0, got {T[T <= 0].ravel()[0]!r}.")
    with np.errstate(over="ignore"):  # subnormal T: K = inf is the right T = 0 limit
        return T, 1.0 / T


def _return(values, like):
    """Scalars in, numpy scalar out (as a ufunc does); arrays keep their shape."""
    values = np.asarray(values, dtype=np.float64).reshape(np.shape(like))
    return values[()] if values.ndim == 0 else values


def _sinh_2k(K):
    """Return ``(sinh 2K, 1 / sinh 2K)`` without overflow for large K."""
    q = np.exp(-2.0 * K)
    inverse = 2.0 * q / -np.expm1(-4.0 * K)
    with np.errstate(divide="ignore"):
        return 1.0 / inverse, inverse


def _as_spins(samples, name="samples"):
    """Map binary samples (spins or occupations) to an int8 array of +-1."""
    samples = np.asarray(samples)
    infer_value_convention(samples, name=name)
    # occupation 1 -> +1, 0 -> -1; spins are unchanged. A fresh array either way.
    return np.where(samples > 0, 1, -1).astype(np.int8)


# ---------------------------------------------------------------------------
# 2D Ising: exact results


def nearest_neighbour_correlation(temperature):
    r"""Nearest-neighbour correlation of the infinite square-lattice Ising model.

    Onsager's energy per site,

    .. math::

        u = -\coth 2K \left[1 + \frac{2}{\pi}(2\tanh^2 2K - 1)\,\mathrm{K}(k)\right],
        \qquad k = \frac{2\sinh 2K}{\cosh^2 2K},

    gives :math:`\langle s_i s_j\rangle_{nn} = -u/2` (two bonds per site). At
    :math:`T_c` the product is :math:`0\cdot\infty` and the value is exactly
    :math:`1/\sqrt 2`. Well above :math:`T_c` a power series in :math:`k^2` replaces
    the elliptic integral to avoid cancellation, so the result stays accurate as
    :math:`T\to\infty` (where it approaches :math:`1/T`).

    Parameters
    ----------
    temperature : float or array-like
        Temperature(s) ``T > 0`` in units of ``J / k_B``.

    Returns
    -------
    correlation : float or ndarray
        :math:`\langle s_i s_j\rangle` for nearest neighbours, same shape as ``temperature``.

    References
    ----------
    L. Onsager, Phys. Rev. 65, 117 (1944).

    Examples
    --------
    >>> from sklearn_rsmi.physics import nearest_neighbour_correlation, CRITICAL_TEMPERATURE
    >>> round(float(nearest_neighbour_correlation(3.0)), 6)
    0.408655
    >>> float(nearest_neighbour_correlation(CRITICAL_TEMPERATURE)) == 2 ** -0.5
    True
    """
    T, K = _as_temperatures(temperature)
    s, inv_s = _sinh_2k(K)
    small = s <= 1.0
    # k = 2 sinh/cosh^2 and r = 2 tanh^2 - 1 = (s^2 - 1)/(s^2 + 1), from whichever of s, 1/s
    # is <= 1 (np.where evaluates both branches: the unused one may overflow)
    with np.errstate(over="ignore", invalid="ignore"):
        k = np.where(small, 2 * s / (1 + s * s), 2 * inv_s / (1 + inv_s * inv_s))
        r = np.where(small, (s * s - 1) / (s * s + 1), (1 - inv_s * inv_s) / (1 + inv_s * inv_s))
    m = k * k
    coth = (1 + np.exp(-4 * K)) / -np.expm1(-4 * K)

    # bracket = 1 + (2/pi) r K(k); r < 0 above T_c, where the bracket -> 0 as T -> inf
    with np.errstate(invalid="ignore", divide="ignore"):
        elliptic = np.where(m < 0.5, ellipk(np.minimum(m, 0.5)), ellipkm1(r * r))
        bracket = 1.0 + (2.0 / np.pi) * r * elliptic
    bracket = np.where(r == 0.0, 1.0, bracket)
    # rounding may push the saturated low-temperature value an ulp above 1
    nn = np.array(np.minimum(0.5 * coth * bracket, 1.0), dtype=np.float64)
    series = small & (m < _SERIES_MAX_M)
    if np.any(series):
        # bracket = k^2 g(k^2); (coth k) k keeps T ~ 1e300 from underflowing to 0
        g = -np.polynomial.polynomial.polyval(m[series], _D[1:])
        nn[series] = 0.5 * (coth[series] * k[series]) * k[series] * g
    nn = np.where(T == CRITICAL_TEMPERATURE, _NN_AT_CRITICALITY, nn)
    return _return(nn, T)


def energy_per_site(temperature):
    r"""Onsager's internal energy per site, :math:`u = -2\langle s_i s_j\rangle_{nn}`.

    Parameters
    ----------
    temperature : float or array-like
        Temperature(s) ``T > 0``.

    Returns
    -------
    energy : float or ndarray
        Energy per site in units of ``J`` (``-2`` at ``T = 0``, ``-sqrt 2`` at ``T_c``).

    References
    ----------
    L. Onsager, Phys. Rev. 65, 117 (1944).

    Examples
    --------
    >>> from sklearn_rsmi.physics import energy_per_site, CRITICAL_TEMPERATURE
    >>> round(float(energy_per_site(CRITICAL_TEMPERATURE)), 12)
    -1.414213562373
    """
    return -2.0 * nearest_neighbour_correlation(temperature)


def diagonal_correlation(temperature):
    r"""Next-nearest-neighbour (diagonal) correlation of the infinite 2D Ising model.

    McCoy and Wu's closed forms, with :math:`\mathrm{K}, \mathrm{E}` the complete
    elliptic integrals of modulus :math:`k`:

    - :math:`T > T_c`: :math:`k = \sinh^2 2K`,
      :math:`C = \frac{2}{\pi}\,[\mathrm{E}(k) - (1 - k^2)\mathrm{K}(k)] / k`;
    - :math:`T < T_c`: :math:`k = 1/\sinh^2 2K`, :math:`C = \frac{2}{\pi}\mathrm{E}(k)`;

    both give :math:`2/\pi` at :math:`T_c`. High above :math:`T_c` the first form is
    evaluated by its power series in :math:`k^2` (approaching :math:`2/T^2`).

    Parameters
    ----------
    temperature : float or array-like
        Temperature(s) ``T > 0``.

    Returns
    -------
    correlation : float or ndarray
        :math:`\langle s_{x,y} s_{x+1,y+1}\rangle`.

    References
    ----------
    B. M. McCoy and T. T. Wu, *The Two-Dimensional Ising Model* (1973), ch. VIII.

    Examples
    --------
    >>> from sklearn_rsmi.physics import diagonal_correlation
    >>> round(float(diagonal_correlation(3.0)), 6)
    0.266644
    """
    T, K = _as_temperatures(temperature)
    s, inv_s = _sinh_2k(K)
    above = s < 1.0
    C = np.empty_like(T)
    if np.any(above):
        k = s[above] ** 2
        m = k * k
        with np.errstate(invalid="ignore", divide="ignore"):
            one_minus_m = (1 - s[above] ** 2) * (1 + s[above] ** 2)
            closed = (2 / np.pi) * (ellipe(m) - one_minus_m * ellipkm1(one_minus_m)) / k
        series = m < _SERIES_MAX_M
        if np.any(series):
            closed[series] = k[series] * np.polynomial.polynomial.polyval(m[series], _C[1:])
        C[above] = closed
    if np.any(~above):
        m = inv_s[~above] ** 4
        C[~above] = np.minimum((2 / np.pi) * ellipe(m), 1.0)
    C = np.where(T == CRITICAL_TEMPERATURE, _DIAGONAL_AT_CRITICALITY, C)
    return _return(C, T)


def spontaneous_magnetization(temperature):
    r"""Yang's spontaneous magnetization of the infinite 2D Ising model.

    .. math::

        M = \left[1 - \sinh^{-4} 2K\right]^{1/8} \quad (T < T_c), \qquad M = 0 \quad (T \ge T_c).

    Parameters
    ----------
    temperature : float or array-like
        Temperature(s) ``T > 0``.

    Returns
    -------
    magnetization : float or ndarray
        Magnetization per site of the ordered state, ``+`` branch.

    References
    ----------
    C. N. Yang, Phys. Rev. 85, 808 (1952).

    Examples
    --------
    >>> from sklearn_rsmi.physics import spontaneous_magnetization
    >>> round(float(spontaneous_magnetization(2.0)), 6)
    0.911319
    >>> float(spontaneous_magnetization(3.0))
    0.0
    """
    T, K = _as_temperatures(temperature)
    _, inv_s = _sinh_2k(K)
    with np.errstate(over="ignore"):  # inv_s**4 overflows far above T_c, where M = 0 anyway
        base = np.clip(1.0 - inv_s**4, 0.0, None)
    M = np.where(T < CRITICAL_TEMPERATURE, base**0.125, 0.0)
    return _return(M, T)


def _dual_coupling(K):
    """Kramers-Wannier dual ``K* = -ln(tanh K) / 2``, accurate for large and small K."""
    # ln tanh K: directly for small K, as log1p(-e^-2K) - log1p(e^-2K) for large K
    q = np.exp(-2.0 * np.maximum(K, 0.5))
    return np.where(K < 0.5, -0.5 * np.log(np.tanh(np.minimum(K, 0.5))),
                    -0.5 * (np.log1p(-q) - np.log1p(q)))


def correlation_length(temperature):
    r"""Exponential correlation length along a lattice axis, infinite 2D Ising model.

    With the Kramers-Wannier dual coupling :math:`\tanh K^* = e^{-2K}`:

    - :math:`T > T_c`: :math:`1/\xi = 2(K^* - K) = \ln\coth K - 2K`;
    - :math:`T < T_c`: :math:`1/\xi = 4(K - K^*)`, the decay rate of the *connected*
      correlation :math:`\langle s_0 s_r\rangle - M^2`;
    - :math:`T = T_c`: :math:`\xi = \infty`.

    The rate above :math:`T_c` is the gap of the row-to-row transfer matrix (one free
    fermion, McCoy & Wu ch. VI-VIII). Below :math:`T_c` the connected correlation
    decays through two-fermion states, twice the one-fermion gap
    :math:`2(K - K^*)` of the dual temperature, i.e. :math:`\xi(T) = \xi(T^*)/2`
    (McCoy & Wu; Wu, McCoy, Tracy & Barouch, Phys. Rev. B 13, 316 (1976)). The
    low-temperature form was checked in this project against transfer matrices on
    cylinders of width 8-16 (gap above the quasi-degenerate ground pair, extrapolated
    in ``1/W^2``): it agrees to 0.1 % at ``T = 1.5``. Along a diagonal the lengths differ.

    Parameters
    ----------
    temperature : float or array-like
        Temperature(s) ``T > 0``.

    Returns
    -------
    xi : float or ndarray
        Correlation length in lattice spacings (``inf`` at ``T_c``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.physics import correlation_length
    >>> K = 1 / 3.0
    >>> bool(np.isclose(correlation_length(3.0), 1 / (np.log(1 / np.tanh(K)) - 2 * K)))
    True
    """
    T, K = _as_temperatures(temperature)
    dual = _dual_coupling(K)
    inverse = np.where(T > CRITICAL_TEMPERATURE, 2.0 * (dual - K), 4.0 * (K - dual))
    with np.errstate(divide="ignore"):
        # rounding can leave a tiny rate of either sign within ~1e-16 of T_c
        xi = np.where((T == CRITICAL_TEMPERATURE) | (inverse <= 0), np.inf, 1.0 / inverse)
    return _return(xi, T)


# ---------------------------------------------------------------------------
# 1D Ising chain


def _as_distances(r, name="r"):
    r = np.asarray(r)
    if r.dtype == bool or not np.issubdtype(r.dtype, np.integer):
        raise TypeError(f"{name} must be an integer distance (or array of them), got {r!r}.")
    if np.any(r < 0):
        raise ValueError(f"{name} must be >= 0, got {r[r < 0].ravel()[0]}.")
    return r.astype(np.int64)


def chain_correlation(temperature, r, L=None):
    r"""Spin-spin correlation at distance ``r`` in the 1D Ising chain.

    Open or infinite chain: :math:`\langle s_i s_{i+r}\rangle = t^r`, :math:`t = \tanh K`.
    Periodic chain of ``L`` sites (transfer-matrix eigenvalues :math:`2\cosh K,
    2\sinh K`):

    .. math:: \langle s_i s_{i+r}\rangle_L = \frac{t^r + t^{L-r}}{1 + t^L}.

    Parameters
    ----------
    temperature : float or array-like
        Temperature(s) ``T > 0``.
    r : int or array-like of int
        Distance(s) ``>= 0`` (``<= L`` on a ring); broadcast against ``temperature``.
    L : int, optional
        Number of sites of a periodic chain. ``None`` (default) is the infinite chain.

    Returns
    -------
    correlation : float or ndarray
        Broadcast shape of ``temperature`` and ``r``.

    Examples
    --------
    >>> from sklearn_rsmi.physics import chain_correlation
    >>> import numpy as np
    >>> bool(np.isclose(chain_correlation(1.0, 2), np.tanh(1.0) ** 2))
    True
    >>> float(chain_correlation(1.0, 0, L=6))
    1.0
    """
    T, K = _as_temperatures(temperature)
    r = _as_distances(r)
    T, K, r = np.broadcast_arrays(T, K, r)
    t = np.tanh(K)
    if L is None:
        value = t**r
    else:
        L = check_positive_int(L, "L", minimum=1)
        if np.any(r > L):
            raise ValueError(f"r must be <= L = {L} on a periodic chain, got {r.max()}.")
        value = (t**r + t ** (L - r)) / (1.0 + t**L)
    return _return(value, T)


# ---------------------------------------------------------------------------
# measurements on samples


def measure_nearest_neighbour_correlation(samples):
    r"""Per-sample mean of :math:`s_i s_j` over nearest-neighbour bonds, periodic wrap.

    Parameters
    ----------
    samples : array-like of shape (n_samples, L) or (n_samples, Ly, Lx)
        Binary configurations of chains or square lattices. Spins ``+-1`` are used as
        they are; data in ``{0, 1}`` is read as occupations and mapped to spins
        ``s = 2x - 1`` (an all-``+1`` array counts as occupations, which maps to the
        same spins). Each lattice axis needs at least two sites. Bonds wrap around
        periodically: ``L`` bonds per chain, ``2 Lx Ly`` per square lattice.

    Returns
    -------
    correlation : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.physics import measure_nearest_neighbour_correlation
    >>> checkerboard = np.indices((4, 4)).sum(axis=0) % 2 * 2 - 1
    >>> measure_nearest_neighbour_correlation(checkerboard[None])
    array([-1.])
    """
    spins = _as_spins(samples)
    if spins.ndim not in (2, 3):
        raise ValueError(
            "samples must have shape (n_samples, L) for chains or (n_samples, Ly, Lx) "
            f"for square lattices, got shape {spins.shape}."
        )
    if min(spins.shape[1:]) < 2:
        raise ValueError(f"each lattice axis needs >= 2 sites, got samples of shape {spins.shape}.")
    lattice_axes = tuple(range(1, spins.ndim))
    total = np.zeros(spins.shape[0], dtype=np.int64)
    for axis in lattice_axes:
        total += (spins * np.roll(spins, -1, axis=axis)).sum(axis=lattice_axes, dtype=np.int64)
    n_bonds = len(lattice_axes) * np.prod(spins.shape[1:])
    return total / n_bonds


def binder_cumulant(samples):
    r"""Binder cumulant :math:`U = 1 - \langle m^4\rangle / (3\langle m^2\rangle^2)`.

    ``m`` is the magnetization per site of each sample. ``U -> 2/3`` in the ordered
    phase, ``-> 0`` in the disordered phase, and curves for different sizes cross near
    ``U* = 0.61069`` at the 2D Ising critical point (periodic square lattices, Salas &
    Sokal, J. Stat. Phys. 98, 551 (2000)).

    Parameters
    ----------
    samples : array-like of shape (n_samples, ...)
        Binary configurations (spins ``+-1``, or occupations ``{0, 1}`` mapped to spins).

    Returns
    -------
    U : float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.physics import binder_cumulant
    >>> ordered = np.array([np.ones((4, 4)), -np.ones((4, 4))])
    >>> round(binder_cumulant(ordered), 12)
    0.666666666667
    """
    spins = _as_spins(samples)
    if spins.ndim < 2:
        raise ValueError(f"samples must have shape (n_samples, ...), got shape {spins.shape}.")
    m = spins.reshape(spins.shape[0], -1).mean(axis=1, dtype=np.float64)
    m2 = np.mean(m**2)
    if m2 == 0.0:
        raise ValueError("the Binder cumulant is undefined: every sample has zero magnetization.")
    return float(1.0 - np.mean(m**4) / (3.0 * m2**2))


# ---------------------------------------------------------------------------
# effective temperature


_OUT_OF_RANGE = ("raise", "clip", "nan")
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


def effective_temperature(samples=None, *, correlation=None, reference=None,
                          out_of_range="raise"):
    r"""Temperature at which a reference curve has the given nearest-neighbour correlation.

    By default the reference is Onsager's infinite-lattice curve
    :func:`nearest_neighbour_correlation`, which decreases monotonically from 1 at
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
        :func:`measure_nearest_neighbour_correlation`. Chains ``(n_samples, L)`` are
        accepted only together with a ``reference`` (the default curve is 2D).
    correlation : float or array-like, optional
        Nearest-neighbour correlation(s) to invert instead of ``samples`` (give exactly one).
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
    if out_of_range not in _OUT_OF_RANGE:
        raise ValueError(f"out_of_range must be one of {_OUT_OF_RANGE}, got {out_of_range!r}.")

    if samples is not None:
        per_sample = measure_nearest_neighbour_correlation(samples)
        if np.ndim(samples) == 2 and reference is None:
            raise ValueError(
                "samples of shape (n_samples, L) are chains, but the default reference is the 2D "
                "square-lattice curve; pass reference=, e.g. lambda T: chain_correlation(T, 1)."
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
                "a nearest-neighbour correlation of +-1 spins lies in [-1, 1], got "
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
            nearest_neighbour_correlation, target, np.log(1 / 40.0),
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


# ---------------------------------------------------------------------------
# dimers: exact counts by integer arithmetic


def _integer_determinant(matrix):
    """Determinant of a square matrix of Python ints (Bareiss, fraction-free, exact)."""
    M = [list(row) for row in matrix]
    n = len(M)
    if n == 0:
        return 1
    sign, previous = 1, 1
    for k in range(n - 1):
        if M[k][k] == 0:
            swap = next((i for i in range(k + 1, n) if M[i][k] != 0), None)
            if swap is None:
                return 0
            M[k], M[swap] = M[swap], M[k]
            sign = -sign
        pivot = M[k][k]
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                M[i][j] = (M[i][j] * pivot - M[i][k] * M[k][j]) // previous
        previous = pivot
    return sign * M[n - 1][n - 1]


def _resultant(a, b):
    """Resultant of integer polynomials (coefficient lists, highest degree first).

    For monic ``a`` this is the product of ``b`` over the roots of ``a``.
    """
    da, db = len(a) - 1, len(b) - 1
    size = da + db
    rows = [[0] * i + list(a) + [0] * (size - da - 1 - i) for i in range(db)]
    rows += [[0] * i + list(b) + [0] * (size - db - 1 - i) for i in range(da)]
    return _integer_determinant(rows)


def _poly_mul_x(p):
    return list(p) + [0]


def _poly_add(p, q):
    n = max(len(p), len(q))
    p = [0] * (n - len(p)) + list(p)
    q = [0] * (n - len(q)) + list(q)
    return [x + y for x, y in zip(p, q)]


def _poly_neg_argument(p):
    """Coefficients of ``p(-x)`` (highest degree first)."""
    d = len(p) - 1
    return [c * (-1) ** (d - i) for i, c in enumerate(p)]


def _chebyshev_u(n):
    """Monic ``U_n(x/2)``: roots ``2 cos(pi k / (n + 1))``, ``k = 1..n``."""
    previous, current = [1], [1, 0]
    if n == 0:
        return previous
    for _ in range(n - 1):
        previous, current = current, _poly_add(_poly_mul_x(current), [-c for c in previous])
    return current


def _lucas_v(n):
    """Monic ``2 T_n(z/2)`` (``z^n + ...``): equals ``w^n + w^-n`` at ``z = w + 1/w``."""
    previous, current = [2], [1, 0]
    if n == 0:
        return previous
    for _ in range(n - 1):
        previous, current = current, _poly_add(_poly_mul_x(current), [-c for c in previous])
    return current


def _open_factor(n):
    """Monic polynomial in y whose roots are ``4 cos^2(pi k/(n+1))``, ``k = 1..ceil(n/2)``."""
    u = _chebyshev_u(n)
    if n % 2:
        u = _poly_mul_x(u)  # x U_n(x/2) is even, with an extra root x^2 = 0 for the middle k
    return u[::2]  # even polynomial in x -> polynomial in y = x^2


def _shift(p, s):
    """Coefficients of ``p(x + s)`` (highest degree first), exact."""
    result = []
    for c in p:  # Horner in the polynomial ring
        result = _poly_add(_poly_add(_poly_mul_x(result), [s * r for r in result]), [c])
    return result


def _torus_factor(n, antiperiodic):
    """Monic ``prod_k (x + 4 sin^2(pi (k + phi) / n))``, ``phi = 1/2`` if antiperiodic else 0.

    With ``z = x + 2`` the product is ``V_n(z) - 2 cos(2 pi phi)``.
    """
    p = _lucas_v(n)
    p = _shift(p, 2)
    p[-1] += 2 if antiperiodic else -2
    return p


def count_dimer_coverings(Lx, Ly=None, *, periodic=True):
    r"""Number of fully packed dimer coverings of an ``Lx x Ly`` square lattice.

    Open boundaries (Kasteleyn; Temperley & Fisher):

    .. math::

        Z = \prod_{j=1}^{\lceil L_x/2\rceil}\prod_{k=1}^{\lceil L_y/2\rceil}
            \left[4\cos^2\frac{\pi j}{L_x+1} + 4\cos^2\frac{\pi k}{L_y+1}\right].

    Torus (both sides even; Kasteleyn's four Pfaffians, the all-periodic one vanishing):

    .. math::

        Z = \tfrac12\left(P_{0,\frac12} + P_{\frac12,0} + P_{\frac12,\frac12}\right),\quad
        P_{\theta\phi} = \prod_{j=0}^{L_x/2-1}\prod_{k=0}^{L_y/2-1}
        \left[4\sin^2\frac{2\pi(j+\theta)}{L_x} + 4\sin^2\frac{2\pi(k+\phi)}{L_y}\right].

    Both double products are evaluated exactly, as resultants of integer
    (Chebyshev) polynomials whose roots are the two sets of factors, so the count is an
    exact Python ``int`` at any size. A side of length 2 on the torus joins each pair of
    sites by two distinct bonds, and both are counted.

    Parameters
    ----------
    Lx : int
        Number of columns, ``>= 1``.
    Ly : int, optional
        Number of rows; defaults to ``Lx``.
    periodic : bool, default=True
        Torus if True, open rectangle if False.

    Returns
    -------
    count : int
        ``0`` when ``Lx * Ly`` is odd.

    Raises
    ------
    ValueError
        On the torus with an odd side and an even number of sites (the lattice is not
        bipartite and the formula above does not apply).

    References
    ----------
    P. W. Kasteleyn, Physica 27, 1209 (1961).

    Examples
    --------
    >>> from sklearn_rsmi.physics import count_dimer_coverings
    >>> count_dimer_coverings(4), count_dimer_coverings(8)
    (272, 311853312)
    >>> count_dimer_coverings(8, periodic=False)
    12988816
    """
    Lx = check_positive_int(Lx, "Lx")
    Ly = Lx if Ly is None else check_positive_int(Ly, "Ly")
    if not isinstance(periodic, (bool, np.bool_)):
        raise TypeError(f"periodic must be True or False, got {periodic!r}.")
    if (Lx * Ly) % 2:
        return 0
    if not periodic:
        factor_y = _poly_neg_argument(_open_factor(Ly))
        if len(factor_y) % 2 == 0:  # odd degree: restore a monic prod_k (y + y_k)
            factor_y = [-c for c in factor_y]
        return int(_resultant(_open_factor(Lx), factor_y))
    if Lx % 2 or Ly % 2:
        raise ValueError(
            f"on the torus both sides must be even (bipartite lattice), got Lx={Lx}, Ly={Ly}."
        )
    half_x, half_y = Lx // 2, Ly // 2
    total = 0
    for theta, phi in ((False, True), (True, False), (True, True)):
        # roots of the x-polynomial are 4 sin^2(pi (j+theta)/half_x), as sin^2 has period pi
        roots_x = _poly_neg_argument(_torus_factor(half_x, theta))
        if half_x % 2:
            roots_x = [-c for c in roots_x]
        total += _resultant(roots_x, _torus_factor(half_y, phi))
    if total % 2:
        raise ArithmeticError("Kasteleyn's Pfaffian sum is odd: this is a bug.")  # pragma: no cover
    return int(total // 2)
