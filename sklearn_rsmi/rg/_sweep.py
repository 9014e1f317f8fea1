"""Temperature sweeps of iterated RG: every temperature a joblib task, every level measured.

Who owns the cores
------------------
In a sweep, joblib owns them: it runs ``n_jobs`` temperatures at once, and every task
pins numba and BLAS to one thread and sets ``n_jobs=1`` on every pipeline step that has
that parameter. A single pipeline fitted outside a sweep keeps its steps' own ``n_jobs``.
"""

import math
import numbers
import time
from numbers import Integral, Real

import joblib
import numpy as np
from sklearn.base import clone
from sklearn.isotonic import IsotonicRegression
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params
from sklearn.utils.validation import check_memory
from threadpoolctl import threadpool_limits

from .._utils.seeding import as_seed_sequence, seed_of
from .._utils.threads import numba_threads
from .._utils.validation import check_temperature, to_spins
from ..physics import (
    CRITICAL_TEMPERATURE,
    CRITICAL_TEMPERATURE_3D,
    effective_temperature,
    high_temperature_nn_correlation_3d,
    low_temperature_nn_correlation_3d,
    measure_diagonal_correlation,
    measure_nearest_neighbor_correlation,
    nearest_neighbor_correlation,
)
from ..physics._observable_kernels import square_lattice_sums
from ._pipeline import _block_size, _check_lattice_can_halve, _rg_steps, make_rg_pipeline
from ._result import RGFlowResult

#: Temperatures (in units of T_c) of the same-size reference simulations: dense near T_c,
#: where the finite-size curve differs most from Onsager's. Beyond them the reference
#: continues on Onsager's curve (there the correlation length is far below the lattice size);
#: in 3D on the cubic lattice's low- and high-temperature series.
DEFAULT_REFERENCE_TEMPERATURES = (
    0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 1.0, 1.01, 1.02, 1.03, 1.05,
    1.07, 1.1, 1.15, 1.2, 1.3, 1.45, 1.6, 1.8, 2.0,
)



# ---------------------------------------------------------------------------
# measurements of one level


def _as_spin_lattice(level, dimension=2):
    """Map a level to +-1 int8 spins (occupations 1 -> +1); probabilities are rejected."""
    level = np.asarray(level)
    if level.ndim != dimension + 1:
        expected = "square lattices (n_samples, Ly, Lx)" if dimension == 2 else \
            "cubic lattices (n_samples, Lz, Ly, Lx)"
        raise ValueError(
            f"an RG level must be {expected}, got shape {level.shape}; "
            "multi-hidden-unit outputs are not supported by the flow analysis."
        )
    try:
        return to_spins(level, name="an RG level", copy=False)
    except ValueError as exc:
        raise ValueError(
            f"the flow analysis needs sampled binary coarse spins (output='sample'): {exc}"
        ) from None


def _measure_level(level, dimension=2):
    spins = _as_spin_lattice(level, dimension)  # read only: int8 spins are not copied
    n = spins.shape[0]
    if dimension == 2:
        # one pass per sample for all three (82 MB of spins at level 0 of the paper's flow)
        nearest, diagonal, total = square_lattice_sums(np.ascontiguousarray(spins))
        n_sites = spins.shape[1] * spins.shape[2]
        nn, diagonal = nearest / (2 * n_sites), diagonal / (2.0 * n_sites)
        magnetization = np.abs(total) / n_sites
    else:
        nn = measure_nearest_neighbor_correlation(spins)
        diagonal = measure_diagonal_correlation(spins)
        magnetization = np.abs(spins.reshape(n, -1).mean(axis=1, dtype=np.float64))

    def sem(values):
        return float(values.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")

    return {
        "lattice_size": int(spins.shape[1]),
        "nn_correlation": float(nn.mean()),
        "nn_correlation_error": sem(nn),
        "diagonal_correlation": float(diagonal.mean()),
        "diagonal_correlation_error": sem(diagonal),
        "abs_magnetization": float(magnetization.mean()),
    }


# ---------------------------------------------------------------------------
# one temperature (a joblib task)


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
            from ..datasets import make_ising

            samples = make_ising(n_samples, lattice_size, temperature, random_state=sample_seed,
                                 **sampler_params)
        dimension = np.ndim(samples) - 1
        records = []
        level = samples
        steps = _steps_for_task(pipeline, step_seeds)
        for k in range(len(steps) + 1):
            record = {"temperature": float(temperature), "step": k}
            record.update(_measure_level(level, dimension))
            if k == 0:
                record.update(mutual_information=float("nan"), filters=None, filter_bias=None)
            else:
                step = steps[k - 1][1]
                record["mutual_information"] = float(getattr(step, "mutual_information_", np.nan))
                filters = getattr(step, "filters_", None)
                bias = getattr(step, "filter_bias_", None)
                record["filters"] = None if filters is None else np.array(filters, dtype=float)
                record["filter_bias"] = None if bias is None else np.array(bias, dtype=float)
            records.append(record)
            if k < len(steps):
                level = steps[k][1].fit_transform(level)
        return records


def _run_reference(temperature, lattice_size, n_samples, sampler_params, seed):
    """Nearest-neighbor correlation of Ising samples at one (T, L): mean and its error."""
    from ..datasets import make_ising

    with numba_threads(1), threadpool_limits(1):
        samples = make_ising(n_samples, lattice_size, temperature, random_state=seed,
                             **sampler_params)
        nn = measure_nearest_neighbor_correlation(samples)
    return float(nn.mean()), float(nn.std(ddof=1) / math.sqrt(nn.size))


def _reference_table(temperatures, correlations, dimension=2):
    """A strictly decreasing (T, correlation) table over (0, inf) for inversion.

    Measured points carry Monte Carlo noise: an isotonic fit makes them monotone and a
    tiny tilt makes them strictly so. Outside the measured range the table continues on
    Onsager's curve, where the finite-size correction is negligible; in 3D on the cubic
    lattice's low- and high-temperature series (there is no closed form), which are
    accurate to about 1e-3 or better beyond the default reference temperatures (0.6 and
    2 T_c).
    """
    T = np.asarray(temperatures, dtype=float)
    c = np.asarray(correlations, dtype=float)
    low = np.geomspace(0.05, T.min(), 12)[:-1]
    high = np.geomspace(T.max(), 1e4, 25)[1:]
    T_all = np.r_[low, T, high]
    if dimension == 3:
        c_all = np.r_[low_temperature_nn_correlation_3d(low), c,
                      high_temperature_nn_correlation_3d(high)]
    else:
        c_all = np.r_[nearest_neighbor_correlation(low), c, nearest_neighbor_correlation(high)]
    weights = np.r_[np.full(low.size, 1e3), np.ones(T.size), np.full(high.size, 1e3)]
    # fit().predict() rather than fit_transform(): a global set_config(transform_output=
    # "pandas") turns transform's output into a DataFrame, never predict's.
    isotonic = IsotonicRegression(increasing=False).fit(T_all, c_all, sample_weight=weights)
    fitted = isotonic.predict(T_all)
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


@validate_params(
    {
        "temperatures": ["array-like", Real],
        "n_steps": [Interval(Integral, 1, None, closed="left")],
        "lattice_size": [Interval(Integral, 2, None, closed="left")],
        "n_samples": [Interval(Integral, 2, None, closed="left")],
        "dimension": [Interval(Integral, 2, 3, closed="both")],
        "samples": ["array-like", list, None],
        "pipeline": [Pipeline, HasMethods(["fit", "transform"]), None],
        "coarse_grainer_params": [dict, None],
        "reference": [StrOptions({"simulation", "onsager"})],
        "reference_temperatures": ["array-like", None],
        "n_reference_samples": [Interval(Integral, 2, None, closed="left")],
        "sampler_params": [dict, None],
        "n_jobs": [Integral, None],
        "memory": [str, HasMethods(["cache"]), None],
        "random_state": [Interval(Integral, 0, None, closed="left"), np.random.SeedSequence,
                         np.random.RandomState, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=False,
)
def rg_flow_sweep(temperatures, *, n_steps=2, lattice_size=32, n_samples=1000, dimension=2,
                  samples=None, pipeline=None, coarse_grainer_params=None,
                  reference="simulation", reference_temperatures=None, n_reference_samples=1000,
                  sampler_params=None, n_jobs=None, memory=None, random_state=None, verbose=0):
    """Iterated RG of 2D or 3D Ising samples at many temperatures, in parallel.

    At every temperature: generate (or take) samples, run the RG pipeline step by step,
    and measure every level: nearest-neighbor and diagonal correlations, the effective
    temperature, the mutual information and filters of the step that produced it.

    Parameters
    ----------
    temperatures : sequence of float
        Starting temperatures (J = k_B = 1), all > 0 and distinct.
    n_steps : int, default=2
        RG steps; used only when ``pipeline`` is None.
    lattice_size : int, default=32
        Linear size L of the generated L x L (or L x L x L) samples; must be divisible by
        ``b**n_steps``. Ignored when ``samples`` is given.
    n_samples : int, default=1000
        Samples generated per temperature (ignored when ``samples`` is given).
    dimension : {2, 3}, default=2
        The square lattice (2) or the simple cubic lattice (3). In 3D the default
        coarse-grainer has ``visible_shape=(2, 2, 2)``, the reference simulations are of
        cubic lattices at ``DEFAULT_REFERENCE_TEMPERATURES`` times the 3D ``T_c``
        (:data:`~sklearn_rsmi.physics.CRITICAL_TEMPERATURE_3D`), continued on the cubic
        lattice's low- and high-temperature series beyond them, and ``reference="onsager"``
        is refused (no closed form exists). Samples given must have this rank.
    samples : sequence of arrays of shape (n_samples, L, L) or (n_samples, L, L, L), optional
        One set of configurations per temperature, instead of generating them.
    pipeline : Pipeline or None, default=None
        Unfitted RG pipeline template, cloned per temperature, e.g. from
        :func:`make_rg_pipeline`. ``None`` means ``make_rg_pipeline(n_steps,
        **coarse_grainer_params)`` (with ``visible_shape=(2, 2, 2)`` in 3D unless those
        params set it). Steps with a ``random_state`` get a per-temperature
        seed; steps with ``n_jobs`` get 1 (see "Who owns the cores" in the module notes).
        Steps whose ``visible_shape`` has another rank than ``dimension`` are refused.
    coarse_grainer_params : dict or None, default=None
        Passed to :func:`make_rg_pipeline` when ``pipeline`` is None.
    reference : {"simulation", "onsager"}, default="simulation"
        How the effective temperature of a coarse level is read from its
        nearest-neighbor correlation. ``"simulation"`` inverts the correlation of Ising
        simulations at the level's own linear size (measured at
        ``reference_temperatures``, continued on Onsager's curve outside them);
        ``"onsager"`` inverts the infinite-lattice curve. The default is
        ``"simulation"`` because a coarse level is a small lattice (8 x 8 after four
        steps from 128 x 128), whose correlation at T_c exceeds Onsager's by about
        ``0.31 / L``: the infinite-lattice inversion would read that finite-size shift as
        a drift of the temperature. The ``"onsager"`` value is always recorded too
        (column ``effective_temperature_onsager``; NaN in 3D). Level 0 is given its
        nominal temperature.
    reference_temperatures : sequence of float or None, default=None
        Temperatures of the reference simulations; ``None`` means
        ``DEFAULT_REFERENCE_TEMPERATURES`` times T_c (of the square or cubic lattice).
    n_reference_samples : int, default=1000
        Samples per reference temperature and size.
    sampler_params : dict or None, default=None
        Extra keyword arguments of :func:`sklearn_rsmi.datasets.make_ising` (default
        ``{"cache": False}``: the sweep's own ``memory`` caches the results instead;
        ``dimension`` is set from the parameter of that name).
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
        When > 0, print a progress line at about every tenth of the tasks (temperatures and
        reference points), ``[rg_flow_sweep] 30/107 tasks, 41.2 s``; above 1, joblib's own
        lines too (``verbose - 1`` is joblib's verbosity).

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
    >>> result["lattice_size"].tolist()
    [8, 4, 2]
    """
    temperatures = _check_temperatures(temperatures)
    if pipeline is None:
        coarse_grainer_params = dict(coarse_grainer_params or {})
        if dimension == 3:
            coarse_grainer_params.setdefault("visible_shape", (2, 2, 2))
        pipeline = make_rg_pipeline(n_steps, **coarse_grainer_params)
    elif coarse_grainer_params:
        raise ValueError("give coarse_grainer_params only without a pipeline (set them on it).")
    if dimension == 3 and reference == "onsager":
        raise ValueError(
            "reference='onsager' is the square lattice's exact curve; in 3D there is none: use "
            "reference='simulation'."
        )
    if (sampler_params or {}).get("dimension", dimension) != dimension:
        raise ValueError(
            f"sampler_params['dimension']={sampler_params['dimension']!r} contradicts "
            f"dimension={dimension}; set the dimension with the parameter alone."
        )
    steps = _rg_steps(pipeline)
    n_steps = len(steps)
    block_size = _block_size(steps)
    _check_block_rank(steps, dimension)
    sampler_params = {"cache": False, **(sampler_params or {})}
    if dimension != 2:  # 2D sweeps keep the cache keys they had before 3D existed
        sampler_params["dimension"] = dimension
    samples, lattice_size = _check_samples(samples, temperatures, lattice_size, dimension)
    _check_lattice_can_halve(lattice_size, block_size, n_steps)

    task_seeds, reference_root = as_seed_sequence(random_state).spawn(2)
    memory = check_memory(memory)
    run_temperature = memory.cache(_run_temperature)
    tasks = []
    for T, X, seq in zip(temperatures, samples, task_seeds.spawn(len(temperatures))):
        sample_seq, *step_seqs = seq.spawn(n_steps + 1)
        tasks.append(joblib.delayed(run_temperature)(
            T, X, pipeline, n_samples, lattice_size, sampler_params,
            seed_of(sample_seq), [seed_of(s) for s in step_seqs],
        ))
    coarse_sizes = [lattice_size // block_size**k for k in range(1, n_steps + 1)]
    reference_points = []
    if reference == "simulation":
        reference_points, reference_tasks = _reference_tasks(
            coarse_sizes, reference_temperatures, n_reference_samples, sampler_params,
            reference_root, memory, dimension)
        tasks += reference_tasks

    outputs = _run_tasks(tasks, n_jobs, verbose)
    references = _reference_tables(coarse_sizes, reference_points, outputs[len(temperatures):],
                                   dimension)
    records = [_with_effective_temperatures(record, references.get(record["lattice_size"]),
                                            dimension)
               for level_records in outputs[: len(temperatures)] for record in level_records]
    return RGFlowResult(records, block_size=block_size, reference=reference,
                        reference_tables=references)


def _run_tasks(tasks, n_jobs, verbose):
    """Run the joblib tasks in order; report progress lines when verbose."""
    parallel = joblib.Parallel(n_jobs=n_jobs, verbose=max(0, verbose - 1),
                               return_as="generator" if verbose else "list")
    if not verbose:
        return parallel(tasks)
    start = time.perf_counter()
    n_tasks = len(tasks)
    # Report at about every tenth, as the samplers do.
    stops = {-(-i * n_tasks // 10) for i in range(1, 11)}
    outputs = []
    for output in parallel(tasks):
        outputs.append(output)
        if len(outputs) in stops:
            print(f"[rg_flow_sweep] {len(outputs)}/{n_tasks} tasks, "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
    return outputs


def _check_block_rank(steps, dimension):
    """Refuse steps whose visible block has another rank than the lattice."""
    for name, step in steps:
        shape = getattr(step, "visible_shape", None)
        if shape is None:
            continue
        rank = 1 if isinstance(shape, numbers.Integral) else len(tuple(shape))
        if rank != dimension:
            raise ValueError(
                f"step {name!r} has visible_shape={shape!r}, a {rank}D block, but the sweep "
                f"is of {dimension}D lattices (dimension={dimension}); give it a "
                f"{dimension}D block such as {(2,) * dimension}."
            )


def _check_samples(samples, temperatures, lattice_size, dimension=2):
    """One sample set (or None, to generate) per temperature, and their lattice size."""
    if samples is None:
        return [None] * len(temperatures), lattice_size
    if len(samples) != len(temperatures):
        raise ValueError(
            f"samples holds {len(samples)} sets for {len(temperatures)} temperatures."
        )
    shapes = {np.shape(s)[1:] for s in samples}
    if len(shapes) != 1 or any(len(set(s)) != 1 for s in shapes):
        raise ValueError(f"samples must all be lattices of one size, L along every axis, "
                         f"got {shapes}.")
    shape = shapes.pop()
    if len(shape) != dimension:
        raise ValueError(
            f"samples are {len(shape)}D lattices (shape {shape}) but dimension={dimension}; "
            f"pass dimension={len(shape)} for them."
        )
    return list(samples), shape[0]


def _reference_tasks(coarse_sizes, reference_temperatures, n_reference_samples, sampler_params,
                     root, memory, dimension=2):
    """The (size, T) points of the same-size reference simulations and their joblib tasks."""
    if reference_temperatures is None:
        critical = CRITICAL_TEMPERATURE_3D if dimension == 3 else CRITICAL_TEMPERATURE
        reference_temperatures = [t * critical for t in DEFAULT_REFERENCE_TEMPERATURES]
    reference_temperatures = sorted(_check_temperatures(reference_temperatures))
    if len(reference_temperatures) < 2:
        raise ValueError("reference_temperatures needs at least two temperatures.")
    run_reference = memory.cache(_run_reference)
    points, tasks = [], []
    for L, size_seq in zip(coarse_sizes, root.spawn(len(coarse_sizes))):
        for T, seq in zip(reference_temperatures, size_seq.spawn(len(reference_temperatures))):
            points.append((L, T))
            tasks.append(joblib.delayed(run_reference)(
                T, L, n_reference_samples, sampler_params, seed_of(seq)
            ))
    return points, tasks


def _reference_tables(coarse_sizes, reference_points, measured, dimension=2):
    """Linear size -> the monotone (T, correlation) table to invert at that size."""
    references = {}
    if not reference_points:
        return references
    for L in coarse_sizes:
        rows = [(T, m) for (size, T), m in zip(reference_points, measured) if size == L]
        references[L] = _reference_table(np.array([T for T, _ in rows]),
                                         np.array([m[0] for _, m in rows]), dimension)
    return references


def _with_effective_temperatures(record, reference_table, dimension=2):
    """The record with its effective temperatures: the same-size reference's (when there is
    one) and Onsager's (NaN in 3D); level 0 keeps its nominal temperature."""
    record = dict(record)
    c, dc = record["nn_correlation"], record["nn_correlation_error"]
    if dimension == 3:
        T_onsager, dT_onsager = float("nan"), float("nan")
    else:
        T_onsager, dT_onsager = _invert(c, dc, None)
    record["effective_temperature_onsager"] = T_onsager
    record["effective_temperature_onsager_error"] = dT_onsager
    if record["step"] == 0:
        T_eff, dT_eff = record["temperature"], 0.0
    elif reference_table is not None:
        T_eff, dT_eff = _invert(c, dc, reference_table)
    else:
        T_eff, dT_eff = T_onsager, dT_onsager
    record["effective_temperature"] = T_eff
    record["effective_temperature_error"] = dT_eff
    return record
