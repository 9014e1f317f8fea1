"""Iterated real-space renormalization group: pipelines, temperature sweeps, T_c and nu.

One RG step is one fitted coarse-grainer (by default :class:`RSMICoarseGrainer` with a
2x2 block, which halves the linear size). Iterating is a scikit-learn
:class:`~sklearn.pipeline.Pipeline` of such steps: ``fit_transform`` learns the filters of
step 1 on the samples, coarse-grains them, learns the filters of step 2 on the coarse
samples, and so on, which is the procedure of Koch-Janusz and Ringel (Nature Physics 14,
578 (2018)).

:func:`rg_flow_sweep` runs that pipeline at many temperatures of the 2D Ising model in
parallel (joblib, so ``joblib.parallel_backend("dask")`` runs it on a Dask cluster) and
returns an :class:`RGFlowResult` with, per temperature and step, the correlations, the
effective temperature, the mutual information and the filters. The flow analysis
(:func:`critical_temperature_from_flow`, :func:`exponent_from_linearised_flow`,
:func:`exponent_from_collapse`) works on plain arrays, so it can be checked on synthetic
flows with known answers.

Who owns the cores
------------------
In a sweep, joblib owns them: it runs ``n_jobs`` temperatures at once, and every task
pins numba and BLAS to one thread and sets ``n_jobs=1`` on every pipeline step that has
that parameter. A single pipeline fitted outside a sweep keeps its steps' own ``n_jobs``.
"""

import math
import numbers
import os
import tempfile
from collections import namedtuple

import joblib
import numpy as np
from scipy.optimize import least_squares
from sklearn.base import clone
from sklearn.isotonic import IsotonicRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_memory
from threadpoolctl import threadpool_limits

from ._threads import numba_threads
from ._validation import check_positive_int, check_temperature
from .physics import (
    CRITICAL_TEMPERATURE,
    effective_temperature,
    measure_nearest_neighbour_correlation,
    nearest_neighbour_correlation,
)

__all__ = [
    "make_rg_pipeline",
    "rg_levels",
    "rg_flow_sweep",
    "RGFlowResult",
    "critical_temperature_from_flow",
    "exponent_from_linearised_flow",
    "exponent_from_collapse",
    "CriticalTemperatureEstimate",
    "ExponentEstimate",
    "DEFAULT_REFERENCE_TEMPERATURES",
]

#: Temperatures (in units of T_c) of the same-size reference simulations: dense near T_c,
#: where the finite-size curve differs most from Onsager's. Beyond them the reference
#: continues on Onsager's curve (there the correlation length is far below the lattice size).
DEFAULT_REFERENCE_TEMPERATURES = (
    0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 1.0, 1.01, 1.02, 1.03, 1.05,
    1.07, 1.1, 1.15, 1.2, 1.3, 1.45, 1.6, 1.8, 2.0,
)


# ---------------------------------------------------------------------------
# pipelines


def _default_coarse_grainer():
    # Imported here: the coarse-grainer pulls in the RBM and MI machinery.
    from ._coarse_grainer import RSMICoarseGrainer

    return RSMICoarseGrainer()


def make_rg_pipeline(n_steps=2, *, coarse_grainer=None, **coarse_grainer_params):
    """Build a Pipeline of ``n_steps`` coarse-graining steps, named ``rg1`` to ``rgN``.

    ``fit_transform`` on the pipeline performs iterated RG: every step learns its own
    filters on the output of the previous one.

    Parameters
    ----------
    n_steps : int, default=2
        Number of RG steps.
    coarse_grainer : estimator or None, default=None
        Template for every step, cloned once per step; ``None`` means
        :class:`~sklearn_rsmi.RSMICoarseGrainer`. Any transformer mapping lattices to
        coarser lattices works (e.g. a fixed majority rule, to compare against).
    **coarse_grainer_params
        Set on every step (e.g. ``n_epochs=10``, ``random_state=0``).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline

    Examples
    --------
    >>> from sklearn_rsmi.rg import make_rg_pipeline
    >>> pipe = make_rg_pipeline(3, n_epochs=5, random_state=0)
    >>> [name for name, _ in pipe.steps]
    ['rg1', 'rg2', 'rg3']
    >>> pipe.named_steps["rg2"].n_epochs
    5
    """
    n_steps = check_positive_int(n_steps, "n_steps", minimum=1)
    template = _default_coarse_grainer() if coarse_grainer is None else coarse_grainer
    if not (hasattr(template, "fit") and hasattr(template, "transform")):
        raise TypeError(
            f"coarse_grainer must be a transformer with fit and transform, got {template!r}."
        )
    steps = []
    for k in range(1, n_steps + 1):
        step = clone(template)
        if coarse_grainer_params:
            step.set_params(**coarse_grainer_params)
        steps.append((f"rg{k}", step))
    return Pipeline(steps)


def _rg_steps(pipeline):
    """The list of (name, step) of a Pipeline, or of a single coarse-grainer."""
    if isinstance(pipeline, Pipeline):
        return [(name, step) for name, step in pipeline.steps if step not in (None, "passthrough")]
    if hasattr(pipeline, "transform"):
        return [("rg1", pipeline)]
    raise TypeError(f"expected a Pipeline of coarse-grainers, got {type(pipeline).__name__}.")


def rg_levels(pipeline, X):
    """Coarse samples at every level of a fitted RG pipeline: ``[X, level1, ..., levelN]``.

    Each level is the previous one transformed by the next fitted step, so
    ``rg_levels(pipe, X)[-1]`` equals ``pipe.transform(X)``. With sampled coarse spins the
    draws are those of ``transform``, which are a deterministic function of the step's
    ``random_state``.

    Parameters
    ----------
    pipeline : Pipeline
        A fitted pipeline (e.g. from :func:`make_rg_pipeline`).
    X : array-like of shape (n_samples, Ly, Lx)
        Lattice samples.

    Returns
    -------
    levels : list of ndarray
        ``n_steps + 1`` arrays, the input first (as given, not copied).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from sklearn_rsmi.rg import make_rg_pipeline, rg_levels
    >>> decimate = FunctionTransformer(lambda X: X[:, ::2, ::2])
    >>> pipe = make_rg_pipeline(2, coarse_grainer=decimate)
    >>> X = np.ones((3, 8, 8), dtype=np.int8)
    >>> [level.shape for level in rg_levels(pipe.fit(X), X)]
    [(3, 8, 8), (3, 4, 4), (3, 2, 2)]
    """
    levels = [X]
    for _, step in _rg_steps(pipeline):
        levels.append(step.transform(levels[-1]))
    return levels


def _block_size(steps, default=2):
    """Linear block size b of the steps (their ``visible_shape``), which must agree."""
    sizes = set()
    for _, step in steps:
        shape = getattr(step, "visible_shape", None)
        if shape is None:
            sizes.add(default)
            continue
        shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
        if len(set(shape)) != 1:
            raise ValueError(f"the RG analysis needs square blocks, got visible_shape={shape}.")
        sizes.add(int(shape[0]))
    if len(sizes) != 1:
        raise ValueError(f"every RG step must use the same block size, got {sorted(sizes)}.")
    return sizes.pop()


def _check_lattice_can_halve(lattice_size, block_size, n_steps):
    if block_size < 2:
        raise ValueError(f"an RG step must reduce the lattice: block size {block_size} < 2.")
    size = lattice_size
    for k in range(1, n_steps + 1):
        if size % block_size or size // block_size < 2:
            raise ValueError(
                f"{n_steps} RG steps of block size {block_size} need a lattice of linear size "
                f"divisible by {block_size}**{n_steps} = {block_size ** n_steps} and leaving at "
                f"least 2 sites; {lattice_size} allows only {k - 1}."
            )
        size //= block_size


# ---------------------------------------------------------------------------
# measurements of one level


def _diagonal_correlation(spins):
    """Per-sample mean of s(x, y) s(x+1, y+1) and s(x, y) s(x+1, y-1), periodic."""
    s = np.asarray(spins, dtype=np.int8)
    right = np.roll(s, -1, axis=2)
    total = (s * np.roll(right, -1, axis=1)).sum(axis=(1, 2), dtype=np.int64)
    total += (s * np.roll(right, 1, axis=1)).sum(axis=(1, 2), dtype=np.int64)
    return total / (2.0 * s.shape[1] * s.shape[2])


def _as_spin_lattice(level):
    """Map a level to +-1 int8 spins (occupations 1 -> +1); probabilities are rejected."""
    level = np.asarray(level)
    if level.ndim != 3:
        raise ValueError(
            f"an RG level must be square lattices (n_samples, Ly, Lx), got shape {level.shape}; "
            "multi-hidden-unit outputs are not supported by the flow analysis."
        )
    values = np.unique(level)
    if not (np.all(np.isin(values, (-1, 1))) or np.all(np.isin(values, (0, 1)))):
        raise ValueError(
            "the flow analysis needs sampled binary coarse spins (output='sample'), got values "
            f"{values[:4]}..."
        )
    return np.where(level > 0, 1, -1).astype(np.int8)


def _measure_level(level):
    spins = _as_spin_lattice(level)
    n = spins.shape[0]
    nn = measure_nearest_neighbour_correlation(spins)
    diagonal = _diagonal_correlation(spins)
    magnetization = np.abs(spins.mean(axis=(1, 2), dtype=np.float64))

    def sem(values):
        return float(values.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")

    return {
        "linear_size": int(spins.shape[1]),
        "nn_correlation": float(nn.mean()),
        "nn_correlation_error": sem(nn),
        "diagonal_correlation": float(diagonal.mean()),
        "diagonal_correlation_error": sem(diagonal),
        "abs_magnetization": float(magnetization.mean()),
    }


# ---------------------------------------------------------------------------
# one temperature (a joblib task)


def _seed_int(seed_sequence):
    return int(seed_sequence.generate_state(1, dtype=np.uint32)[0] >> 1)


def _steps_for_task(pipeline, seeds):
    """Clone the template; give every step its own seed and a single thread."""
    pipeline = clone(pipeline)
    steps = _rg_steps(pipeline)
    for (name, step), seed in zip(steps, seeds):
        params = step.get_params(deep=False)
        updates = {}
        if "random_state" in params:
            updates["random_state"] = seed
        if "n_jobs" in params:
            updates["n_jobs"] = 1
        if updates:
            step.set_params(**updates)
    return steps


def _run_temperature(temperature, samples, pipeline, n_samples, lattice_size, sampler_params,
                     sample_seed, step_seeds):
    """Iterated RG at one temperature; returns one record per level (0 = input)."""
    with numba_threads(1), threadpool_limits(1):
        if samples is None:
            from .datasets._ising import make_ising

            samples = make_ising(n_samples, lattice_size, temperature, random_state=sample_seed,
                                 **sampler_params)
        records = []
        level = samples
        steps = _steps_for_task(pipeline, step_seeds)
        for k in range(len(steps) + 1):
            record = {"temperature": float(temperature), "step": k}
            record.update(_measure_level(level))
            if k == 0:
                record.update(mutual_information=float("nan"), filters=None, intercept_hidden=None)
            else:
                step = steps[k - 1][1]
                record["mutual_information"] = float(getattr(step, "mutual_information_", np.nan))
                filters = getattr(step, "filters_", None)
                bias = getattr(step, "intercept_hidden_", None)
                record["filters"] = None if filters is None else np.array(filters, dtype=float)
                record["intercept_hidden"] = None if bias is None else np.array(bias, dtype=float)
            records.append(record)
            if k < len(steps):
                level = steps[k][1].fit_transform(level)
        return records


def _run_reference(temperature, lattice_size, n_samples, sampler_params, seed):
    """Nearest-neighbour correlation of Ising samples at one (T, L): mean and its error."""
    from .datasets._ising import make_ising

    with numba_threads(1), threadpool_limits(1):
        samples = make_ising(n_samples, lattice_size, temperature, random_state=seed,
                             **sampler_params)
        nn = measure_nearest_neighbour_correlation(samples)
    return float(nn.mean()), float(nn.std(ddof=1) / math.sqrt(nn.size))


def _reference_table(temperatures, correlations):
    """A strictly decreasing (T, correlation) table over (0, inf) for inversion.

    Measured points carry Monte Carlo noise: an isotonic fit makes them monotone and a
    tiny tilt makes them strictly so. Outside the measured range the table continues on
    Onsager's curve, where the finite-size correction is negligible.
    """
    T = np.asarray(temperatures, dtype=float)
    c = np.asarray(correlations, dtype=float)
    low = np.geomspace(0.05, T.min(), 12)[:-1]
    high = np.geomspace(T.max(), 1e4, 25)[1:]
    T_all = np.r_[low, T, high]
    c_all = np.r_[nearest_neighbour_correlation(low), c, nearest_neighbour_correlation(high)]
    weights = np.r_[np.full(low.size, 1e3), np.ones(T.size), np.full(high.size, 1e3)]
    fitted = IsotonicRegression(increasing=False).fit_transform(T_all, c_all, sample_weight=weights)
    # Clip inside (0, 1) first, then tilt: ties (from the fit or from the clip) become
    # strict steps far above rounding and far below any Monte Carlo error.
    fitted = np.clip(fitted, 1e-6, 1.0 - 1e-6) - 1e-10 * np.arange(fitted.size)
    return T_all, fitted


def _invert(correlation, error, reference):
    """Effective temperature of a correlation and its error from ``error`` in it."""
    T = float(effective_temperature(correlation=float(np.clip(correlation, -1, 1)),
                                    reference=reference))
    if not np.isfinite(error) or error == 0:
        return T, float("nan")
    lo, hi = np.clip([correlation - error, correlation + error], -1.0, 1.0)
    T_pair = effective_temperature(correlation=[lo, hi], reference=reference)
    if not np.all(np.isfinite(T_pair)):
        # Within its error the level may have no order left at all (T = inf).
        return T, float("inf")
    return T, float(abs(T_pair[0] - T_pair[1]) / 2)


# ---------------------------------------------------------------------------
# the sweep


def _check_temperatures(temperatures):
    if isinstance(temperatures, numbers.Real):
        temperatures = [temperatures]
    temperatures = list(temperatures)
    if len(temperatures) == 0:
        raise ValueError("temperatures is empty: give at least one temperature.")
    checked = [check_temperature(T, "temperatures") for T in temperatures]
    if len(set(checked)) != len(checked):
        raise ValueError("temperatures contains duplicates.")
    return checked


def _check_seed(random_state):
    if random_state is None or isinstance(random_state, np.random.SeedSequence):
        return np.random.SeedSequence(random_state.entropy if random_state is not None else None)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be >= 0, got {random_state}.")
        return np.random.SeedSequence(int(random_state))
    if isinstance(random_state, np.random.RandomState):
        return np.random.SeedSequence(int(random_state.randint(np.iinfo(np.int32).max)))
    raise TypeError(
        f"random_state must be None, an int, a SeedSequence or a RandomState, got {random_state!r}."
    )


def rg_flow_sweep(temperatures, *, n_steps=2, lattice_size=32, n_samples=1000, samples=None,
                  pipeline=None, coarse_grainer_params=None, reference="simulation",
                  reference_temperatures=None, n_reference_samples=1000, sampler_params=None,
                  n_jobs=None, memory=None, random_state=None, verbose=0):
    """Iterated RG of 2D Ising samples at many temperatures, in parallel.

    At every temperature: generate (or take) samples, run the RG pipeline step by step,
    and measure every level: nearest-neighbour and diagonal correlations, the effective
    temperature, the mutual information and filters of the step that produced it.

    Parameters
    ----------
    temperatures : sequence of float
        Starting temperatures (J = k_B = 1), all > 0 and distinct.
    n_steps : int, default=2
        RG steps; used only when ``pipeline`` is None.
    lattice_size : int, default=32
        Linear size L of the generated L x L samples; must be divisible by
        ``b**n_steps``. Ignored when ``samples`` is given.
    n_samples : int, default=1000
        Samples generated per temperature (ignored when ``samples`` is given).
    samples : sequence of arrays of shape (n_samples, L, L), optional
        One set of configurations per temperature, instead of generating them.
    pipeline : Pipeline or None, default=None
        Unfitted RG pipeline template, cloned per temperature, e.g. from
        :func:`make_rg_pipeline`. ``None`` means ``make_rg_pipeline(n_steps,
        **coarse_grainer_params)``. Steps with a ``random_state`` get a per-temperature
        seed; steps with ``n_jobs`` get 1 (see "Who owns the cores" in the module notes).
    coarse_grainer_params : dict or None, default=None
        Passed to :func:`make_rg_pipeline` when ``pipeline`` is None.
    reference : {"simulation", "onsager"}, default="simulation"
        How the effective temperature of a coarse level is read from its
        nearest-neighbour correlation. ``"simulation"`` inverts the correlation of Ising
        simulations at the level's own linear size (measured at
        ``reference_temperatures``, continued on Onsager's curve outside them);
        ``"onsager"`` inverts the infinite-lattice curve. The default is
        ``"simulation"`` because a coarse level is a small lattice (8 x 8 after four
        steps from 128 x 128), whose correlation at T_c exceeds Onsager's by about
        ``0.31 / L``: the infinite-lattice inversion would read that finite-size shift as
        a drift of the temperature. The ``"onsager"`` value is always recorded too
        (column ``effective_temperature_onsager``). Level 0 is given its nominal
        temperature.
    reference_temperatures : sequence of float or None, default=None
        Temperatures of the reference simulations; ``None`` means
        ``DEFAULT_REFERENCE_TEMPERATURES`` times T_c.
    n_reference_samples : int, default=1000
        Samples per reference temperature and size.
    sampler_params : dict or None, default=None
        Extra keyword arguments of :func:`sklearn_rsmi.datasets.make_ising` (default
        ``{"cache": False}``: the sweep's own ``memory`` caches the results instead).
    n_jobs : int or None, default=None
        joblib workers over temperatures (and reference points). Results do not depend
        on it or on the joblib backend.
    memory : str, joblib.Memory or None, default=None
        Cache of finished temperatures: re-running an interrupted sweep with the same
        arguments redoes only the unfinished ones.
    random_state : int, SeedSequence or None, default=None
        Root seed. Per-temperature seeds come from ``SeedSequence(random_state).spawn``
        in the order of ``temperatures``, never from worker state.
    verbose : int, default=0
        joblib verbosity.

    Returns
    -------
    result : RGFlowResult

    Examples
    --------
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from sklearn_rsmi.rg import make_rg_pipeline, rg_flow_sweep
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> hot = [np.where(rng.random((20, 8, 8)) < 0.5, -1, 1).astype(np.int8)]
    >>> decimate = FunctionTransformer(lambda X: X[:, ::2, ::2])
    >>> pipe = make_rg_pipeline(2, coarse_grainer=decimate)
    >>> result = rg_flow_sweep([50.0], samples=hot, pipeline=pipe, reference="onsager")
    >>> result["linear_size"].tolist()
    [8, 4, 2]
    """
    temperatures = _check_temperatures(temperatures)
    if reference not in ("simulation", "onsager"):
        raise ValueError(f"reference must be 'simulation' or 'onsager', got {reference!r}.")
    if pipeline is None:
        pipeline = make_rg_pipeline(n_steps, **(coarse_grainer_params or {}))
    elif coarse_grainer_params:
        raise ValueError("give coarse_grainer_params only without a pipeline (set them on it).")
    steps = _rg_steps(pipeline)
    n_steps = len(steps)
    block_size = _block_size(steps)
    sampler_params = {"cache": False, **(sampler_params or {})}

    if samples is not None:
        if len(samples) != len(temperatures):
            raise ValueError(
                f"samples holds {len(samples)} sets for {len(temperatures)} temperatures."
            )
        shapes = {np.shape(s)[1:] for s in samples}
        if len(shapes) != 1 or any(len(s) != 2 or s[0] != s[1] for s in shapes):
            raise ValueError(f"samples must all be L x L lattices of one size, got {shapes}.")
        lattice_size = shapes.pop()[0]
        samples = list(samples)
    else:
        lattice_size = check_positive_int(lattice_size, "lattice_size", minimum=2)
        n_samples = check_positive_int(n_samples, "n_samples", minimum=2)
        samples = [None] * len(temperatures)
    _check_lattice_can_halve(lattice_size, block_size, n_steps)

    root = _check_seed(random_state)
    task_seeds, reference_root = root.spawn(2)
    per_temperature = task_seeds.spawn(len(temperatures))
    memory = check_memory(memory)
    run_temperature = memory.cache(_run_temperature)
    run_reference = memory.cache(_run_reference)

    tasks = []
    for T, X, seq in zip(temperatures, samples, per_temperature):
        sample_seq, *step_seqs = seq.spawn(n_steps + 1)
        tasks.append(joblib.delayed(run_temperature)(
            T, X, pipeline, n_samples, lattice_size, sampler_params,
            _seed_int(sample_seq), [_seed_int(s) for s in step_seqs],
        ))
    coarse_sizes = [lattice_size // block_size**k for k in range(1, n_steps + 1)]
    reference_points = []
    if reference == "simulation":
        n_reference_samples = check_positive_int(n_reference_samples, "n_reference_samples", 2)
        if reference_temperatures is None:
            reference_temperatures = [t * CRITICAL_TEMPERATURE for t in DEFAULT_REFERENCE_TEMPERATURES]
        reference_temperatures = sorted(_check_temperatures(reference_temperatures))
        if len(reference_temperatures) < 2:
            raise ValueError("reference_temperatures needs at least two temperatures.")
        size_seqs = reference_root.spawn(len(coarse_sizes))
        for L, size_seq in zip(coarse_sizes, size_seqs):
            for T, seq in zip(reference_temperatures, size_seq.spawn(len(reference_temperatures))):
                reference_points.append((L, T))
                tasks.append(joblib.delayed(run_reference)(
                    T, L, n_reference_samples, sampler_params, _seed_int(seq)
                ))

    outputs = joblib.Parallel(n_jobs=n_jobs, verbose=verbose)(tasks)
    per_temperature_records = outputs[: len(temperatures)]
    references = {}
    if reference == "simulation":
        measured = outputs[len(temperatures):]
        for L in coarse_sizes:
            rows = [(T, m) for (size, T), m in zip(reference_points, measured) if size == L]
            table_T = np.array([T for T, _ in rows])
            table_c = np.array([m[0] for _, m in rows])
            references[L] = _reference_table(table_T, table_c)

    records = []
    for level_records in per_temperature_records:
        for record in level_records:
            record = dict(record)
            c, dc = record["nn_correlation"], record["nn_correlation_error"]
            T_onsager, dT_onsager = _invert(c, dc, None)
            record["effective_temperature_onsager"] = T_onsager
            record["effective_temperature_onsager_error"] = dT_onsager
            if record["step"] == 0:
                record["effective_temperature"] = record["temperature"]
                record["effective_temperature_error"] = 0.0
            elif reference == "simulation":
                T_eff, dT_eff = _invert(c, dc, references[record["linear_size"]])
                record["effective_temperature"] = T_eff
                record["effective_temperature_error"] = dT_eff
            else:
                record["effective_temperature"] = T_onsager
                record["effective_temperature_error"] = dT_onsager
            records.append(record)
    return RGFlowResult(records, block_size=block_size, reference=reference,
                        reference_tables=references)


# ---------------------------------------------------------------------------
# the result


_CSV_ORDER = (
    "temperature", "step", "linear_size", "effective_temperature", "effective_temperature_error",
    "effective_temperature_onsager", "effective_temperature_onsager_error", "nn_correlation",
    "nn_correlation_error", "diagonal_correlation", "diagonal_correlation_error",
    "abs_magnetization", "mutual_information", "filters", "intercept_hidden",
)


class RGFlowResult:
    """Tidy result of :func:`rg_flow_sweep`: one record per (starting temperature, step).

    Parameters
    ----------
    records : list of dict
        Each with at least ``temperature``, ``step`` and ``effective_temperature``.
    block_size : int, default=2
        Linear block size b of one RG step.
    reference : str, default="simulation"
        How ``effective_temperature`` was read (see :func:`rg_flow_sweep`).
    reference_tables : dict, optional
        Linear size -> (temperatures, correlations) tables used for the inversion.

    Attributes
    ----------
    records : list of dict
        The rows; ``result["column"]`` gives a column as an array (object arrays for
        ``filters`` and ``intercept_hidden``).

    Examples
    --------
    >>> from sklearn_rsmi.rg import RGFlowResult
    >>> rows = [{"temperature": 2.0, "step": k, "effective_temperature": 2.0 - 0.2 * k}
    ...         for k in range(3)]
    >>> result = RGFlowResult(rows)
    >>> result.flow().tolist()
    [[2.0, 1.8, 1.6]]
    """

    def __init__(self, records, *, block_size=2, reference="simulation", reference_tables=None):
        self.records = list(records)
        if not self.records:
            raise ValueError("an RGFlowResult needs at least one record.")
        for key in ("temperature", "step", "effective_temperature"):
            if any(key not in r for r in self.records):
                raise ValueError(f"every record needs a {key!r} entry.")
        self.block_size = int(block_size)
        self.reference = reference
        self.reference_tables = dict(reference_tables or {})

    def __len__(self):
        return len(self.records)

    @property
    def columns(self):
        """Column names, in a fixed order (known columns first)."""
        keys = []
        for record in self.records:
            keys.extend(k for k in record if k not in keys)
        return [k for k in _CSV_ORDER if k in keys] + [k for k in keys if k not in _CSV_ORDER]

    def __getitem__(self, name):
        if name not in self.columns:
            raise KeyError(f"no column {name!r}; columns are {self.columns}.")
        values = [r.get(name) for r in self.records]
        if any(v is None or isinstance(v, np.ndarray) for v in values):
            out = np.empty(len(values), dtype=object)
            out[:] = values
            return out
        return np.asarray(values)

    @property
    def temperatures(self):
        """Sorted distinct starting temperatures."""
        return np.unique(self["temperature"].astype(float))

    @property
    def n_steps(self):
        return int(self["step"].max())

    def flow(self, column="effective_temperature"):
        """Array of shape (n_temperatures, n_steps + 1): ``column`` per temperature and step."""
        T0 = self.temperatures
        out = np.full((T0.size, self.n_steps + 1), np.nan)
        rows = np.searchsorted(T0, self["temperature"].astype(float))
        out[rows, self["step"].astype(int)] = self[column].astype(float)
        return out

    def flow_error(self):
        """Errors of :meth:`flow` (zeros if the records carry none)."""
        if "effective_temperature_error" not in self.columns:
            return np.zeros((self.temperatures.size, self.n_steps + 1))
        return self.flow("effective_temperature_error")

    def filters(self, temperature, step):
        """The filters of the step that produced level ``step`` at ``temperature``."""
        for record in self.records:
            if record["temperature"] == temperature and record["step"] == step:
                return record.get("filters")
        raise KeyError(f"no record for temperature={temperature}, step={step}.")

    def to_csv(self, path):
        """Write the records as CSV, whole or not at all (temp file + ``os.replace``).

        Arrays (filters) are written as space-separated numbers in C order.
        """
        columns = self.columns
        path = os.fspath(path)
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".rg_flow_", suffix=".csv.tmp")
        try:
            with os.fdopen(fd, "w", newline="") as handle:
                handle.write(",".join(columns) + "\n")
                for record in self.records:
                    handle.write(",".join(_csv_cell(record.get(c)) for c in columns) + "\n")
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return path

    # convenience wrappers of the analysis functions
    def critical_temperature(self, **kwargs):
        """:func:`critical_temperature_from_flow` on this flow."""
        return critical_temperature_from_flow(self.temperatures, self.flow(), self.flow_error(),
                                              **kwargs)

    def exponent_from_linearised_flow(self, **kwargs):
        """:func:`exponent_from_linearised_flow` on this flow."""
        kwargs.setdefault("block_size", self.block_size)
        return exponent_from_linearised_flow(self.temperatures, self.flow(), self.flow_error(),
                                             **kwargs)

    def exponent_from_collapse(self, **kwargs):
        """:func:`exponent_from_collapse` on this flow."""
        kwargs.setdefault("block_size", self.block_size)
        return exponent_from_collapse(self.temperatures, self.flow(), self.flow_error(), **kwargs)


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, np.ndarray):
        return " ".join(repr(float(v)) for v in value.ravel())
    if isinstance(value, float):
        return repr(value)
    return str(value)


# ---------------------------------------------------------------------------
# flow analysis

CriticalTemperatureEstimate = namedtuple(
    "CriticalTemperatureEstimate", ["value", "error", "per_step", "per_step_error"]
)
CriticalTemperatureEstimate.__doc__ = """T_c located from an RG flow.

value, error : float
    Combined estimate and its one-sigma uncertainty.
per_step, per_step_error : ndarray
    The estimate from each RG step used, and its uncertainty.
"""

ExponentEstimate = namedtuple(
    "ExponentEstimate", ["nu", "nu_error", "critical_temperature", "critical_temperature_error",
                         "n_points", "reduced_chi2"]
)
ExponentEstimate.__doc__ = """nu (and the T_c fitted with it) from an RG flow.

nu, nu_error : float
    Correlation-length exponent and its one-sigma uncertainty.
critical_temperature, critical_temperature_error : float
    T_c of the same fit.
n_points : int
    Data points used.
reduced_chi2 : float
    chi^2 per degree of freedom of the fit (nan without errors); the uncertainties are
    scaled up by its square root when it exceeds 1.
"""


def _check_flow(temperatures, flow, flow_error):
    T0 = np.asarray(temperatures, dtype=float)
    flow = np.asarray(flow, dtype=float)
    if T0.ndim != 1 or T0.size == 0:
        raise ValueError(f"temperatures must be a non-empty 1D array, got shape {T0.shape}.")
    if not np.all(np.isfinite(T0)) or np.any(T0 <= 0):
        raise ValueError("temperatures must be finite and > 0.")
    if flow.ndim != 2 or flow.shape[0] != T0.size or flow.shape[1] < 2:
        raise ValueError(
            f"flow must have shape (n_temperatures, n_steps + 1) = ({T0.size}, >= 2), "
            f"got {flow.shape}."
        )
    if np.any(np.isnan(flow)) or np.any(flow < 0):
        raise ValueError("flow must hold effective temperatures >= 0 (inf allowed), no NaN.")
    if flow_error is None:
        error = None
    else:
        error = np.asarray(flow_error, dtype=float)
        if error.shape != flow.shape:
            raise ValueError(f"flow_error must have the shape of flow {flow.shape}, got {error.shape}.")
        error = np.where(np.isfinite(error), error, np.inf)
        if np.any(error < 0):
            raise ValueError("flow_error must be >= 0.")
        if np.all(error[:, 1:] == 0):
            error = None
    order = np.argsort(T0)
    return T0[order], flow[order], None if error is None else error[order]


def _check_steps(steps, n_levels, default_first):
    if steps is None:
        return list(range(default_first, n_levels))
    steps = [int(k) for k in steps]
    if not steps or any(k < 0 or k >= n_levels for k in steps):
        raise ValueError(f"steps must be levels in [0, {n_levels - 1}], got {steps}.")
    return steps


def _weighted_line(x, y, sigma):
    """Weighted least-squares line y = a + s x; returns (a, s, cov, chi2, dof)."""
    A = np.column_stack([np.ones_like(x), x])
    w = 1.0 / sigma
    coef, *_ = np.linalg.lstsq(A * w[:, None], y * w, rcond=None)
    cov = np.linalg.inv((A * w[:, None] ** 2).T @ A)
    chi2 = float(np.sum(((y - A @ coef) * w) ** 2))
    return coef[0], coef[1], cov, chi2, x.size - 2


def _scale(cov, chi2, dof, absolute):
    """Inflate a covariance by the reduced chi^2 when the fit is worse than its errors."""
    if dof <= 0:
        return cov, float("nan")
    reduced = chi2 / dof
    return cov * (max(1.0, reduced) if absolute else reduced), reduced


def critical_temperature_from_flow(temperatures, flow, flow_error=None, *, steps=None,
                                   n_points=4, combine="deepest"):
    """Locate T_c where the RG flow changes direction.

    Below T_c the flow runs to order (``T_k < T_0``), above it to disorder
    (``T_k > T_0``). For every step ``k``, the displacement ``T_k - T_0`` is fitted by a
    straight line through the ``n_points`` starting temperatures nearest its change of
    sign, and T_c is its root.

    The roots of successive steps drift: irrelevant couplings generated by the first
    coarse-grainings decay only with further steps, so early steps are biased (on the
    paper's 128x128 run the roots went 2.2426, 2.2560, 2.2610, 2.2621 for steps 1-4), while
    the early steps have the smallest statistical errors. ``combine="deepest"`` (default)
    therefore reports the deepest step's root, its error enlarged in quadrature by the
    drift from the step before (a systematic error of the transient);
    ``combine="weighted"`` is the inverse-variance mean over the steps, right only when the
    steps agree.

    Uncertainty: from the errors of the effective temperatures through the fit (delta
    method), or, without errors, from the scatter of the points about the line. It is
    scaled up by sqrt(chi^2 / dof) when the fits, or the steps, disagree more than their
    errors allow. Errors of different steps at the same temperature are correlated (the
    same samples flow through them), which this ignores.

    Parameters
    ----------
    temperatures : array-like of shape (n_temperatures,)
        Starting temperatures.
    flow : array-like of shape (n_temperatures, n_steps + 1)
        Effective temperature at every level; level 0 is the starting temperature.
        ``inf`` (flowed to disorder) and 0 (to order) are allowed.
    flow_error : array-like of the shape of flow, optional
        One-sigma errors of ``flow``.
    steps : sequence of int, optional
        Steps to use (default all of 1..n_steps).
    n_points : int, default=4
        Temperatures per line fit (half on each side of the sign change where possible).
    combine : {"deepest", "weighted"}, default="deepest"
        How the steps' roots make one estimate (see above).

    Returns
    -------
    estimate : CriticalTemperatureEstimate

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.rg import critical_temperature_from_flow
    >>> T0 = np.linspace(2.0, 2.5, 6)
    >>> flow = np.column_stack([T0, 2.27 + 2 * (T0 - 2.27), 2.27 + 4 * (T0 - 2.27)])
    >>> round(critical_temperature_from_flow(T0, flow).value, 6)
    2.27
    """
    if combine not in ("deepest", "weighted"):
        raise ValueError(f"combine must be 'deepest' or 'weighted', got {combine!r}.")
    T0, flow, error = _check_flow(temperatures, flow, flow_error)
    steps = _check_steps(steps, flow.shape[1], 1)
    n_points = check_positive_int(n_points, "n_points", minimum=2)
    roots, root_errors = [], []
    for k in steps:
        if k == 0:
            raise ValueError("step 0 does not flow: use steps >= 1.")
        displacement = flow[:, k] - T0
        negative = displacement < 0
        # The split that best separates "flows down" (below) from "flows up" (above).
        agreement = [np.sum(negative[:i]) + np.sum(~negative[i:]) for i in range(T0.size + 1)]
        split = int(np.argmax(agreement))
        if split == 0 or split == T0.size:
            direction = "up (to disorder)" if split == 0 else "down (to order)"
            raise ValueError(
                f"at step {k} every starting temperature flows {direction}: T_c is not inside "
                f"[{T0[0]:.4g}, {T0[-1]:.4g}]; add temperatures on the other side."
            )
        finite = np.isfinite(displacement)
        below = [i for i in range(split - 1, -1, -1) if finite[i]]
        above = [i for i in range(split, T0.size) if finite[i]]
        half = n_points // 2
        chosen = below[: max(half, n_points - len(above))] + above[: max(n_points - half,
                                                                          n_points - len(below))]
        chosen = sorted(chosen)[: max(n_points, 2)]
        if len(chosen) < 2:
            raise ValueError(f"step {k}: fewer than two finite points near the sign change.")
        x = T0[chosen] - T0[chosen].mean()
        y = displacement[chosen]
        if error is None:
            sigma, absolute = np.ones(len(chosen)), False
        else:
            sigma = np.maximum(error[chosen, k], 1e-12 * np.abs(flow[chosen, k]).max())
            absolute = True
        a, s, cov, chi2, dof = _weighted_line(x, y, sigma)
        if s <= 0:
            raise ValueError(f"step {k}: the flow displacement does not increase with T near T_c.")
        cov, _ = _scale(cov, chi2, dof, absolute)
        if not absolute and dof <= 0:
            # Two points and no errors: the bracket is all we know.
            cov = np.full((2, 2), np.nan)
        root = T0[chosen].mean() - a / s
        gradient = np.array([-1.0 / s, a / s**2])
        var = float(gradient @ cov @ gradient)
        roots.append(root)
        root_errors.append(math.sqrt(var) if np.isfinite(var) else (T0[above[0]] - T0[below[0]]) / 2)
    roots, root_errors = np.array(roots), np.array(root_errors)
    if combine == "deepest":
        deepest = int(np.argmax(steps))
        err = root_errors[deepest]
        if roots.size > 1:
            previous = int(np.argsort(steps)[-2])
            err = math.hypot(err, roots[deepest] - roots[previous])
        return CriticalTemperatureEstimate(float(roots[deepest]), float(err), roots, root_errors)
    if np.any(root_errors == 0):
        # Noise-free input (a perfect fit): weigh the exact roots equally.
        exact = root_errors == 0
        return CriticalTemperatureEstimate(float(roots[exact].mean()),
                                           float(np.ptp(roots[exact]) / 2), roots, root_errors)
    w = 1.0 / root_errors**2
    value = float(np.sum(w * roots) / np.sum(w))
    err = float(1.0 / math.sqrt(np.sum(w)))
    if roots.size > 1:
        reduced = float(np.sum(w * (roots - value) ** 2) / (roots.size - 1))
        err *= math.sqrt(max(1.0, reduced))
    return CriticalTemperatureEstimate(value, err, roots, root_errors)


def exponent_from_linearised_flow(temperatures, flow, flow_error=None, *, block_size=2,
                                  critical_temperature=None, window=0.05, steps=None):
    """nu from the slope of the one-step RG map near its fixed point.

    Near T_c one step maps ``T_k - T_c`` to ``T_{k+1} - T_c ~ b^(1/nu) (T_k - T_c)``. The
    pairs ``(T_k, T_{k+1})`` with ``|T_k / T_c - 1| <= window`` are fitted by a straight
    line ``T_{k+1} = c + Lambda T_k`` (weighted by the effective variance
    ``sigma_{k+1}^2 + Lambda^2 sigma_k^2``, since both coordinates are measured); then
    ``nu = ln b / ln Lambda`` and the fixed point ``T* = c / (1 - Lambda)`` estimates T_c.

    Parameters
    ----------
    temperatures, flow, flow_error
        As in :func:`critical_temperature_from_flow`.
    block_size : int, default=2
        Linear block size b of one step.
    critical_temperature : float or None, default=None
        Centre of the window; ``None`` uses :func:`critical_temperature_from_flow`.
    window : float, default=0.05
        Relative half-width of the linear region around T_c.
    steps : sequence of int, optional
        Levels ``k`` whose map ``k -> k+1`` is used (default all).

    Returns
    -------
    estimate : ExponentEstimate
        Uncertainties from the fit covariance (delta method), scaled by sqrt(chi^2/dof)
        when larger than 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.rg import exponent_from_linearised_flow
    >>> T0 = np.linspace(2.2, 2.34, 8)
    >>> flow = np.column_stack([2.27 + 2 ** (k / 1.0) * (T0 - 2.27) for k in range(3)])
    >>> round(exponent_from_linearised_flow(T0, flow, window=0.2).nu, 6)
    1.0
    """
    T0, flow, error = _check_flow(temperatures, flow, flow_error)
    b = check_positive_int(block_size, "block_size", minimum=2)
    if not (isinstance(window, numbers.Real) and window > 0):
        raise ValueError(f"window must be a positive number, got {window!r}.")
    if critical_temperature is None:
        critical_temperature = critical_temperature_from_flow(T0, flow, error).value
    Tc = check_temperature(critical_temperature, "critical_temperature")
    steps = _check_steps(steps, flow.shape[1] - 1, 0)
    x, y, sx, sy = [], [], [], []
    for k in steps:
        xk, yk = flow[:, k], flow[:, k + 1]
        keep = np.isfinite(xk) & np.isfinite(yk) & (np.abs(xk / Tc - 1) <= window)
        x.append(xk[keep]); y.append(yk[keep])
        if error is not None:
            sx.append(error[keep, k]); sy.append(error[keep, k + 1])
    x, y = np.concatenate(x), np.concatenate(y)
    if x.size < 3:
        raise ValueError(
            f"only {x.size} (T_k, T_k+1) pairs lie within {window:.0%} of T_c = {Tc:.4f}; need 3. "
            "Add starting temperatures near T_c or widen the window."
        )
    if error is None:
        sigma_x, sigma_y, absolute = np.zeros_like(x), np.ones_like(y), False
    else:
        sigma_x, sigma_y, absolute = np.concatenate(sx), np.concatenate(sy), True
    slope = b ** 1.0  # nu = 1 as a starting guess for the effective variance
    for _ in range(20):
        sigma = np.sqrt(sigma_y**2 + slope**2 * sigma_x**2)
        sigma = np.maximum(sigma, 1e-12 * np.abs(y).max())
        c, new_slope, cov, chi2, dof = _weighted_line(x, y, sigma)
        converged = abs(new_slope - slope) <= 1e-12 * abs(slope)
        slope = new_slope
        if converged:
            break
    cov, reduced = _scale(cov, chi2, dof, absolute)
    if slope <= 1:
        raise ValueError(
            f"the fitted one-step slope {slope:.3f} is <= 1: the flow does not move away from "
            "T_c in this window, so nu is undefined."
        )
    nu = math.log(b) / math.log(slope)
    nu_error = math.log(b) / (slope * math.log(slope) ** 2) * math.sqrt(cov[1, 1])
    fixed = c / (1 - slope)
    gradient = np.array([1 / (1 - slope), c / (1 - slope) ** 2])
    fixed_error = math.sqrt(float(gradient @ cov @ gradient))
    return ExponentEstimate(float(nu), float(nu_error), float(fixed), float(fixed_error), int(x.size),
                            reduced if absolute else float("nan"))


def exponent_from_collapse(temperatures, flow, flow_error=None, *, block_size=2,
                           fit_window=(0.95, 1.03), critical_temperature=None, steps=None,
                           degree=3):
    """T_c and nu from a finite-size collapse of the flow.

    The coarse lattice after ``k`` steps is the original system seen at the length scale
    ``b^k``: its reduced temperature is ``b^(k/nu)`` times the starting one, so the
    effective temperatures of every level fall on one curve of the scaling variable
    ``x = (T_0 - T_c) / T_c * b^(k/nu)`` (a finite-size scaling variable with
    ``L_0 / L_k = b^k``). The curve is fitted by a polynomial of ``degree`` in ``x``,
    jointly with T_c and nu, by weighted least squares; the points are the starting
    temperatures with ``beta / beta_c`` in ``fit_window`` (the Nature Physics paper's
    ``[0.95, 1.03]``), ``beta_c`` from ``critical_temperature``.

    Parameters
    ----------
    temperatures, flow, flow_error
        As in :func:`critical_temperature_from_flow`.
    block_size : int, default=2
        Linear block size b of one step.
    fit_window : (float, float), default=(0.95, 1.03)
        Range of ``beta / beta_c = T_c / T_0`` of the starting temperatures used.
    critical_temperature : float or None, default=None
        Places the window; ``None`` uses :func:`critical_temperature_from_flow`.
        The fit's own T_c is returned.
    steps : sequence of int, optional
        Levels collapsed (default 1..n_steps: level 0 is the microscopic model, not the
        coarse Hamiltonian whose flow this measures).
    degree : int, default=3
        Degree of the master curve.

    Returns
    -------
    estimate : ExponentEstimate
        Uncertainties from the Jacobian of the fit (Gauss-Newton covariance), scaled by
        sqrt(chi^2/dof) when larger than 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.rg import exponent_from_collapse
    >>> T0 = 2.27 * np.linspace(0.96, 1.04, 9)
    >>> flow = np.column_stack([2.27 + 2 ** (k / 1.2) * (T0 - 2.27) for k in range(4)])
    >>> round(exponent_from_collapse(T0, flow, critical_temperature=2.27).nu, 6)
    1.2
    """
    T0, flow, error = _check_flow(temperatures, flow, flow_error)
    b = check_positive_int(block_size, "block_size", minimum=2)
    degree = check_positive_int(degree, "degree", minimum=1)
    low, high = (float(v) for v in fit_window)
    if not 0 < low < high:
        raise ValueError(f"fit_window must be (low, high) with 0 < low < high, got {fit_window}.")
    if critical_temperature is None:
        critical_temperature = critical_temperature_from_flow(T0, flow, error).value
    Tc_guess = check_temperature(critical_temperature, "critical_temperature")
    steps = _check_steps(steps, flow.shape[1], 1)
    beta_ratio = Tc_guess / T0
    rows = np.flatnonzero((beta_ratio >= low) & (beta_ratio <= high))
    T_pts, k_pts, y_pts, s_pts = [], [], [], []
    for k in steps:
        for i in rows:
            if np.isfinite(flow[i, k]):
                T_pts.append(T0[i]); k_pts.append(k); y_pts.append(flow[i, k])
                s_pts.append(1.0 if error is None else error[i, k])
    T_pts, k_pts, y_pts, s_pts = map(np.asarray, (T_pts, k_pts, y_pts, s_pts))
    n_params = degree + 3
    if len(set(k_pts.tolist())) < 2 or y_pts.size <= n_params:
        raise ValueError(
            f"the collapse needs at least two levels and more than {n_params} points in the "
            f"window beta/beta_c in {fit_window}; got {y_pts.size} points at levels "
            f"{sorted(set(k_pts.tolist()))}. Add starting temperatures near T_c = {Tc_guess:.4f}."
        )
    positive = s_pts[s_pts > 0]
    floor = positive.min() * 0.1 if positive.size else 1.0
    s_pts = np.where(s_pts > 0, s_pts, floor)
    scale = y_pts.std() or 1.0

    def residuals(p):
        Tc, nu, coef = p[0], p[1], p[2:]
        x = (T_pts - Tc) / Tc * b ** (k_pts / nu)
        return (y_pts - np.polyval(coef[::-1], x) * scale) / s_pts

    # Start from nu = 1 and a linear master curve through the guessed fixed point.
    coef0 = np.zeros(degree + 1)
    coef0[0], coef0[1] = Tc_guess / scale, Tc_guess / scale
    p0 = np.r_[Tc_guess, 1.0, coef0]
    lower = np.r_[Tc_guess * low * 0.9, 0.1, np.full(degree + 1, -np.inf)]
    upper = np.r_[Tc_guess * (1 / low) * 1.1, 10.0, np.full(degree + 1, np.inf)]
    fit = least_squares(residuals, p0, bounds=(lower, upper), x_scale="jac", method="trf")
    J = fit.jac
    cov = np.linalg.pinv(J.T @ J)
    chi2 = float(np.sum(fit.fun**2))
    dof = y_pts.size - n_params
    cov, reduced = _scale(cov, chi2, dof, error is not None)
    return ExponentEstimate(float(fit.x[1]), float(math.sqrt(cov[1, 1])), float(fit.x[0]),
                            float(math.sqrt(cov[0, 0])), int(y_pts.size),
                            reduced if error is not None else float("nan"))
