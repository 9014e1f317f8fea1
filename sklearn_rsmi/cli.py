"""The ``rsmi`` command.

``rsmi`` with no arguments runs the main job on its built-in default: 2D Ising samples
at T_c, checked against exact results, then one RSMI coarse-graining step with a 2x2
block and one hidden unit (Kadanoff's block spin, the papers' Fig. 2a).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from ._utils.files import check_writable_directory, write_atomically


def _print_filter(filters, indent="    "):
    """Print each hidden unit's filter as a grid, normalized by its largest |weight|."""
    for j, weights in enumerate(filters):
        scale = np.max(np.abs(weights)) or 1.0
        print(f"{indent}hidden unit {j} (largest |weight| = {scale:.3g}):")
        grid = np.atleast_2d(weights / scale)
        # a 3D block prints as its slices of constant z
        for k, plane in enumerate(grid if grid.ndim == 3 else [grid]):
            if grid.ndim == 3:
                print(f"{indent}  z = {k}:")
            for row in plane:
                print(indent + "  " + " ".join(f"{w:+.2f}" for w in row))


def _run_default(args):
    from sklearn_rsmi import RSMICoarseGrainer
    from sklearn_rsmi.datasets import make_ising
    from sklearn_rsmi.physics import (
        CRITICAL_TEMPERATURE,
        effective_temperature,
        measure_nearest_neighbor_correlation,
        nearest_neighbor_correlation,
    )

    T = CRITICAL_TEMPERATURE
    L, n_samples = args.lattice_size, args.n_samples
    print(f"sklearn-rsmi main job: 2D Ising model at T_c = {T:.4f}, {n_samples} samples of {L}x{L}")
    start = time.perf_counter()
    cached_before = _data_home_files()
    X = make_ising(n_samples, L, T, algorithm="wolff", random_state=args.random_state,
                   verbose=args.verbose)
    seconds = time.perf_counter() - start
    if _data_home_files() == cached_before:
        print(f"  loaded from the disk cache in {seconds:.1f} s")
    else:
        print(f"  sampled with Wolff clusters in {seconds:.1f} s (kept in the disk cache for "
              "the next run)")
    nn = measure_nearest_neighbor_correlation(X)
    print(
        f"  <s_i s_j>_nn = {nn.mean():.4f} +- {nn.std(ddof=1) / np.sqrt(nn.size):.4f}; "
        f"finite-size value 1/sqrt2 + 0.31/L = {1 / np.sqrt(2) + 0.31 / L:.4f}, "
        f"Onsager (L = inf) {float(nearest_neighbor_correlation(T)):.4f}"
    )

    print("  fitting RSMICoarseGrainer(n_hidden=1, visible_shape=(2, 2), buffer 1, environment 1)")
    start = time.perf_counter()
    cg = RSMICoarseGrainer(n_hidden=1, random_state=args.random_state,
                           verbose=args.verbose).fit(X)
    print(f"  fitted in {time.perf_counter() - start:.1f} s; "
          f"I(H:E) = {cg.mutual_information_:.3f} bits")
    _print_filter(cg.filters_)
    coarse = cg.transform(X)
    t_fine = effective_temperature(correlation=nn.mean())
    t_coarse = effective_temperature(correlation=measure_nearest_neighbor_correlation(coarse).mean())
    print(
        f"  coarse lattice {coarse.shape[1]}x{coarse.shape[2]}: T_eff/T_c = {t_coarse / T:.3f} "
        f"(fine lattice {t_fine / T:.3f}; infinite-lattice Onsager inversion)"
    )
    return 0


def _data_home_files():
    """The files of the sample cache: a new one means the samples were generated."""
    from sklearn_rsmi.datasets import get_data_home

    return {p for p in Path(get_data_home()).rglob("*") if p.is_file()}


#: Options of ``rsmi sample`` that only one of the models takes, with their defaults.
_ISING_OPTIONS = {"temperature": None, "dimension": 2, "algorithm": "wolff"}  # None: T_c
_DIMER_OPTIONS = {"noise_coupling": None}


def _sample_options(args):
    """The model's own options, their defaults filled in; the other model's are an error."""
    own, other = ((_ISING_OPTIONS, _DIMER_OPTIONS) if args.model == "ising"
                  else (_DIMER_OPTIONS, _ISING_OPTIONS))
    given = [name for name in other if getattr(args, name) is not None]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise ValueError(f"{flags}: not an option of the {args.model} model")
    return {name: default if getattr(args, name) is None else getattr(args, name)
            for name, default in own.items()}


def _run_sample(args):
    from sklearn_rsmi.datasets import make_dimers, make_ising

    options = _sample_options(args)
    check_writable_directory(os.path.dirname(os.path.abspath(args.output)),
                             option=f"the folder of {args.output}")
    if args.model == "ising":
        if options["temperature"] is None:
            options["temperature"] = _critical_temperature(options["dimension"])
        X = make_ising(args.n_samples, args.lattice_size, random_state=args.random_state,
                       verbose=args.verbose, **options)
    else:
        X = make_dimers(args.n_samples, args.lattice_size, random_state=args.random_state,
                        verbose=args.verbose, **options)
    _save_npy_atomically(args.output, X)
    print(f"wrote {X.shape} {X.dtype} samples to {args.output}")
    return 0


def _critical_temperature(dimension):
    """T_c of the square lattice (also the default of chains, which have none) or the cubic one."""
    from sklearn_rsmi.physics import CRITICAL_TEMPERATURE, CRITICAL_TEMPERATURE_3D

    return CRITICAL_TEMPERATURE_3D if dimension == 3 else CRITICAL_TEMPERATURE


def _save_npy_atomically(path, array):
    write_atomically(path, lambda handle: np.save(handle, array))


class InputFileError(ValueError):
    """A samples file that cannot be used; the message names the file and the problem."""


def _load_samples(path):
    """Load lattice samples from a .npy file, or raise InputFileError naming the file."""
    from ._utils.validation import infer_value_convention

    try:
        with open(path, "rb") as handle:
            magic = handle.read(6)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if magic != b"\x93NUMPY" and magic[:4] != b"PK\x03\x04":  # .npy, or an .npz archive
        raise InputFileError(
            f"{path}: not a .npy file (it does not start as one); save the samples with "
            "numpy.save, or write them with rsmi sample")
    try:
        X = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise InputFileError(f"{path}: cannot read a .npy array ({exc})") from exc
    if not isinstance(X, np.ndarray):
        raise InputFileError(f"{path}: holds an archive, not a single array of samples")
    if X.ndim not in (2, 3, 4):
        raise InputFileError(
            f"{path}: samples must have shape (n_samples, L), (n_samples, Ly, Lx) or "
            f"(n_samples, Lz, Ly, Lx), got {X.shape}"
        )
    try:
        infer_value_convention(X, name="the array")
    except (TypeError, ValueError) as exc:
        raise InputFileError(f"{path}: {exc}") from exc
    return X


def _default_ising(args):
    from sklearn_rsmi.datasets import make_ising

    L, dimension = args.lattice_size, args.dimension or 2
    shape = "x".join([str(L)] * dimension)
    print(f"no samples given: {dimension}D Ising at T_c, {args.n_samples} samples of {shape}")
    return make_ising(args.n_samples, L, _critical_temperature(dimension), dimension=dimension,
                      random_state=args.random_state, verbose=args.verbose)


def _pyplot_or_none():
    """matplotlib's pyplot on the Agg backend, or None (with a hint) when not installed."""
    try:
        import matplotlib
    except ImportError:
        print("  (matplotlib not installed: no PNG; pip install 'sklearn-rsmi[plot]')")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save_png(path, figure):
    write_atomically(path, lambda handle: figure.savefig(handle, format="png", dpi=120,
                                                         bbox_inches="tight"))


def _save_filter_png(path, cg):
    plt = _pyplot_or_none()
    if plt is None:
        return False
    from sklearn_rsmi.plotting import plot_filters

    figure = plot_filters(cg)[0].figure
    figure.suptitle(f"RSMI filters, I(H:E) = {cg.mutual_information_:.3f} bits")
    _save_png(path, figure)
    plt.close(figure)
    return True


def _check_output_dir(path):
    # Checked (and created) before the work starts, so that a typo or a read-only folder
    # does not cost a finished fit or sweep.
    check_writable_directory(path, option="--output-dir")


def _run_fit(args):
    import joblib

    from sklearn_rsmi import RSMICoarseGrainer

    _check_output_dir(args.output_dir)
    X = _default_ising(args) if args.samples_file is None else _load_samples(args.samples_file)
    if args.dimension is not None and args.dimension != X.ndim - 1:
        raise ValueError(
            f"--dimension {args.dimension}, but the samples of shape {X.shape} in "
            f"{args.samples_file} are {X.ndim - 1}D lattices"
        )
    visible_shape = (2,) * (X.ndim - 1) if args.visible_shape is None else \
        tuple(args.visible_shape)
    if len(visible_shape) != X.ndim - 1:
        raise ValueError(
            f"--visible-shape {' '.join(map(str, visible_shape))} has {len(visible_shape)} "
            f"axes but the samples of shape {X.shape} are {X.ndim - 1}D lattices"
        )
    cg = RSMICoarseGrainer(
        n_hidden=args.n_hidden, visible_shape=visible_shape, buffer_width=args.buffer_width,
        environment_width=args.environment_width,
        unit_cell=None if args.unit_cell is None else tuple(args.unit_cell),
        n_windows=args.n_windows, objective=args.objective, n_epochs=args.n_epochs,
        learning_rate=args.learning_rate, learning_rate_schedule=args.learning_rate_schedule,
        random_state=args.random_state, verbose=args.verbose,
    )
    start = time.perf_counter()
    cg.fit(X)
    print(f"fitted in {time.perf_counter() - start:.1f} s: I(H:E) = {cg.mutual_information_:.3f} "
          f"bits ({cg.n_hidden} hidden unit{'s' if cg.n_hidden > 1 else ''})")
    _print_filter(cg.filters_)

    os.makedirs(args.output_dir, exist_ok=True)
    model = os.path.join(args.output_dir, "rsmi_model.joblib")
    write_atomically(model, lambda handle: joblib.dump(cg, handle))
    record = {
        "filters": cg.filters_.tolist(),
        "filter_bias": cg.filter_bias_.tolist(),
        "mutual_information_bits": float(cg.mutual_information_),
        "params": {k: v for k, v in cg.get_params(deep=False).items()
                   if isinstance(v, (int, float, str, tuple, list, type(None)))},
    }
    filters_json = os.path.join(args.output_dir, "filters.json")
    write_atomically(filters_json, lambda handle: json.dump(record, handle, indent=2),
                     binary=False)
    written = [model, filters_json]
    png = os.path.join(args.output_dir, "filters.png")
    if _save_filter_png(png, cg):
        written.append(png)
    print("wrote " + ", ".join(written))
    return 0


def _flow_settings(args):
    """Lattice, samples, steps, epochs and temperature ratios of ``rsmi flow``."""
    from sklearn_rsmi.reproduce import FIGURE5_SETTINGS

    if args.full and args.dimension == 3:
        raise ValueError("--full is the papers' 2D setting; in 3D give --lattice-size, "
                         "--n-samples and --n-steps instead")
    if args.full:
        settings = dict(FIGURE5_SETTINGS["full"])
    else:
        lattice_size = args.lattice_size
        if lattice_size is None:
            lattice_size = _QUICK_FLOW_SIZE_3D if args.dimension == 3 else _QUICK_FLOW_SIZE
        settings = dict(lattice_size=lattice_size, n_samples=args.n_samples,
                        n_steps=args.n_steps, n_epochs=_QUICK_FLOW_EPOCHS,
                        temperature_ratios=FIGURE5_SETTINGS["reduced"]["temperature_ratios"])
    if args.n_epochs is not None:
        settings["n_epochs"] = args.n_epochs
    if args.temperatures:
        bad = [r for r in args.temperatures if not r > 0]
        if bad:
            raise ValueError(f"--temperatures are ratios to T_c and must be > 0, got "
                             f"{' '.join(f'{r:g}' for r in bad)}")
        settings["temperature_ratios"] = tuple(args.temperatures)
    return settings


def _print_flow_estimates(result, critical_temperature):
    # Small or one-sided sweeps may not bracket T_c: report that, the flow is still written.
    try:
        tc = result.critical_temperature()
    except ValueError as exc:
        print(f"T_c: not available ({exc})")
        return
    print(f"T_c = {tc.value:.4f} +- {tc.error:.4f} (exact {critical_temperature:.4f})")
    for name, method in (("linearized flow", result.exponent_from_linearized_flow),
                         ("finite-size collapse", result.exponent_from_collapse)):
        try:
            nu = method(critical_temperature=tc.value)
            print(f"nu ({name}) = {nu.nu:.3f} +- {nu.nu_error:.3f}")
        except ValueError as exc:
            print(f"nu ({name}): not available ({exc})")


def _run_flow(args):
    from sklearn_rsmi import RSMICoarseGrainer
    from sklearn_rsmi.rg import make_rg_pipeline, rg_flow_sweep

    _check_output_dir(args.output_dir)
    settings = _flow_settings(args)
    size, samples, steps = settings["lattice_size"], settings["n_samples"], settings["n_steps"]
    dimension = args.dimension
    critical_temperature = _critical_temperature(dimension)
    temperatures = [r * critical_temperature for r in settings["temperature_ratios"]]
    shape = "x".join([str(size)] * dimension)
    print(f"RG flow ({dimension}D): {len(temperatures)} temperatures, {samples} samples of "
          f"{shape}, {steps} steps, n_jobs = {args.n_jobs}")
    pipeline = make_rg_pipeline(
        steps, coarse_grainer=RSMICoarseGrainer(visible_shape=(2,) * dimension,
                                                n_epochs=settings["n_epochs"]))
    result = rg_flow_sweep(temperatures, pipeline=pipeline, lattice_size=size, n_samples=samples,
                           dimension=dimension, n_jobs=args.n_jobs,
                           random_state=args.random_state, verbose=1 + args.verbose,
                           memory=args.memory)
    print("T_eff / T_c per starting temperature (rows) and RG step (columns):")
    with np.printoptions(precision=3, suppress=True):
        print(result.flow() / critical_temperature)
    os.makedirs(args.output_dir, exist_ok=True)
    csv = result.to_csv(os.path.join(args.output_dir, "rg_flow.csv"))
    written = [csv]
    if _pyplot_or_none() is not None:
        from sklearn_rsmi.plotting import plot_rg_flow

        png = os.path.join(args.output_dir, "rg_flow.png")
        _save_png(png, plot_rg_flow(result, critical_temperature=critical_temperature).figure)
        written.append(png)
    print("wrote " + ", ".join(written))
    _print_flow_estimates(result, critical_temperature)
    return 0


def _run_reproduce(args):
    from sklearn_rsmi.reproduce import _NOT_IN_3D, reproduce

    if args.dimension == 3 and args.figure in _NOT_IN_3D:
        raise ValueError(_NOT_IN_3D[args.figure])
    _check_output_dir(args.output_dir)
    start = time.perf_counter()
    # The 2D call stays as it was, so recipes without a dimension keep working.
    extra = {"dimension": 3} if args.dimension == 3 else {}
    figure, summary = reproduce(args.figure, full=args.full, random_state=args.random_state,
                                verbose=1 + args.verbose, n_jobs=args.n_jobs, **extra)
    os.makedirs(args.output_dir, exist_ok=True)
    size = ("3d_" if args.dimension == 3 else "") + ("full" if args.full else "reduced")
    png = os.path.join(args.output_dir, f"{args.figure}_{size}.png")
    _save_png(png, figure)
    summary_json = os.path.join(args.output_dir, f"{args.figure}_{size}.json")
    write_atomically(summary_json, lambda handle: json.dump(summary, handle, indent=2),
                     binary=False)
    print(f"wrote {png}, {summary_json} ({time.perf_counter() - start:.0f} s)")
    return 0


def _exponents_settings(args):
    """Sizes of ``rsmi exponents``: the reduced default, or --full, with explicit overrides."""
    from sklearn_rsmi.rg._mcrg import EXPONENTS_SETTINGS, EXPONENTS_SETTINGS_3D

    table = EXPONENTS_SETTINGS_3D if args.dimension == 3 else EXPONENTS_SETTINGS
    settings = dict(table["full" if args.full else "reduced"])
    for name in ("lattice_size", "n_samples", "n_small_samples", "n_between", "n_fit_samples",
                 "n_epochs", "n_blocks", "n_chains"):
        value = getattr(args, name)
        if value is not None:
            settings[name] = value
    return settings


def _exact_exponents(dimension):
    """Exact (2D) or published (3D) values of ``rsmi exponents``' numbers."""
    from sklearn_rsmi.physics import (
        CRITICAL_TEMPERATURE,
        CRITICAL_TEMPERATURE_3D,
        REFERENCE_VALUES_3D,
    )

    if dimension == 3:
        nu = REFERENCE_VALUES_3D["nu"].value
        return {"y_t": 1 / nu, "y_h": REFERENCE_VALUES_3D["y_h"].value, "nu": nu,
                "critical_temperature": CRITICAL_TEMPERATURE_3D}
    return {"y_t": 1.0, "y_h": 15 / 8, "nu": 1.0, "critical_temperature": CRITICAL_TEMPERATURE}


def _print_exponents(title, numbers, dimension=2):
    print(f"{title}:")
    exact = _exact_exponents(dimension)
    word = "published" if dimension == 3 else "exact"
    for key, label in (("y_t", "y_t"), ("y_h", "y_h"), ("nu", "nu"),
                       ("critical_temperature", "T_c")):
        if numbers[key] is None:
            print(f"  {label:4s} not available")
            continue
        stat = numbers.get(f"{key}_statistical_error")
        split = "" if stat is None else (
            f" (stat {stat:.2g}, sys {numbers[f'{key}_systematic_error']:.2g})")
        print(f"  {label:4s} = {numbers[key]:.5f} +- {numbers[f'{key}_error']:.5f}{split}; "
              f"{word} {exact[key]:.6g}, off by {100 * (numbers[key] / exact[key] - 1):+.3f} %")
    for note in numbers["notes"]:
        print(f"  ({note})")


def _save_exponents_png(path, results, dimension=2):
    plt = _pyplot_or_none()
    if plt is None:
        return False
    names = [name for name in ("learned", "majority rule") if "sample" in results[name]]
    figure, axes = plt.subplots(len(names), 2, figsize=(10, 3.4 * len(names)), squeeze=False,
                                layout="constrained")
    for row, name in zip(axes, names):
        linearized = results[name]["sample"]["linearized"]
        exact = _exact_exponents(dimension)
        for ax, sector, exact in zip(row, ("even", "odd"), (exact["y_t"], exact["y_h"])):
            linearized.plot(sector, ax=ax, exact=exact,
                            exact_label="published" if dimension == 3 else "exact")
            ax.set_title(f"{name}: {'y_t (even)' if sector == 'even' else 'y_h (odd)'}")
    figure.suptitle("Linearized RG exponents against level, one line per operator count")
    _save_png(path, figure)
    plt.close(figure)
    return True


def _run_exponents(args):
    from sklearn_rsmi.rg._mcrg import _ising_mcrg, _summary

    _check_output_dir(args.output_dir)
    settings = _exponents_settings(args)
    L, n, dimension = settings["lattice_size"], settings["n_samples"], args.dimension
    temperature = (_critical_temperature(dimension) if args.temperature is None
                   else args.temperature)
    blockings = ("sample", "most-likely") if args.blocking == "both" else (args.blocking,)
    large, small = ("x".join([str(size)] * dimension) for size in (L, L // 2))
    print(f"Monte Carlo RG of the {dimension}D Ising model at T = {temperature:.6f}: "
          f"{n} samples of {large} and {settings['n_small_samples']} of {small}, "
          f"learned RSMI steps and the majority rule, n_jobs = {args.n_jobs}")
    results = _ising_mcrg(
        L, n, temperature=temperature, n_small_samples=settings["n_small_samples"],
        n_chains=settings["n_chains"], n_between=settings["n_between"],
        n_fit_samples=settings["n_fit_samples"], n_epochs=settings["n_epochs"],
        blockings=blockings, n_blocks=settings["n_blocks"], random_state=args.random_state,
        n_jobs=args.n_jobs, verbose=args.verbose, dimension=dimension)
    summary = _summary(results, temperature=temperature, dimension=dimension, **settings)
    for name in ("learned", "majority rule"):
        for blocking in blockings:
            entry = results[name][blocking]
            key = name.replace(" ", "_") + ("" if blocking == "sample" else "_most_likely")
            print(f"--- {name}, {blocking} blocking; y_t (rows: level pairs, columns: "
                  "number of even operators)")
            print(entry["linearized"].table("even"))
            print("y_h (columns: number of odd operators)")
            print(entry["linearized"].table("odd"))
            print("T_c by two-lattice matching (rows: levels of L against L/2)")
            print(entry["matching"].table())
            _print_exponents(f"{name} ({blocking} blocking)", summary[key], dimension)
    os.makedirs(args.output_dir, exist_ok=True)
    path = os.path.join(args.output_dir, "exponents.json")
    write_atomically(path, lambda handle: json.dump(summary, handle, indent=2), binary=False)
    written = [path]
    png = os.path.join(args.output_dir, "exponents.png")
    if _save_exponents_png(png, results, dimension):
        written.append(png)
    print(f"wrote {', '.join(written)} ({results['seconds']['total']:.0f} s)")
    return 0


# ------------------------------------------------------------------ the parser
# Every option is the parameter it sets, with dashes: --n-hidden sets n_hidden.

_QUICK_FLOW_EPOCHS = 15
_QUICK_FLOW_SIZE = 32
_QUICK_FLOW_SIZE_3D = 16


def _add_sample_parser(sub, common):
    sample = sub.add_parser("sample", parents=[common],
                            help="write Monte Carlo samples to a .npy file",
                            description="Sample the Ising model or noisy dimers and write the "
                            "configurations to a .npy file.")
    sample.add_argument("model", choices=["ising", "dimers"], help="which model to sample")
    sample.add_argument("output", help="the .npy file to write")
    sample.add_argument("--lattice-size", type=int, default=32,
                        help="linear lattice size L (default: %(default)s)")
    sample.add_argument("--n-samples", type=int, default=1000,
                        help="number of samples (default: %(default)s)")
    sample.add_argument("--temperature", type=float, default=None,
                        help="Ising: temperature (default: T_c, 2.269185 for the square "
                        "lattice and the chain, 4.511523 for the cubic lattice)")
    sample.add_argument("--dimension", type=int, default=None, choices=[1, 2, 3],
                        help="Ising: 1 chain, 2 square, 3 simple cubic lattice (default: 2)")
    sample.add_argument("--algorithm", default=None,
                        choices=["wolff", "swendsen-wang", "metropolis"],
                        help="Ising: Monte Carlo update (default: wolff)")
    sample.add_argument("--noise-coupling", type=float, default=None,
                        help="dimers: coupling of the noise spin pairs (default: no noise)")
    sample.set_defaults(run=_run_sample)


def _add_fit_parser(sub, parents):
    fit = sub.add_parser(
        "fit", parents=parents, help="learn RSMI filters from samples in a .npy file",
        description="Learn the filters of one RSMI coarse-graining step. Without SAMPLES.npy, "
        "runs on Ising samples at T_c (2D, or 3D with --dimension 3). Writes the fitted "
        "estimator (joblib), the filters (JSON) and a PNG of them to --output-dir.",
    )
    fit.add_argument("samples_file", nargs="?", default=None, metavar="SAMPLES.npy",
                     help="binary samples, shape (n, L), (n, Ly, Lx) or (n, Lz, Ly, Lx), "
                     "spins or 0/1")
    fit.add_argument("--dimension", type=int, default=None, choices=[1, 2, 3],
                     help="lattice dimension of the default data; with SAMPLES.npy, checked "
                     "against the file (default: 2, or the file's)")
    fit.add_argument("--visible-shape", type=int, nargs="+", default=None,
                     help="block shape, e.g. 2 2, 2 2 2, or 4 for chains (default: 2 along "
                     "every lattice axis)")
    fit.add_argument("--buffer-width", type=int, default=1,
                     help="buffer width (default: %(default)s)")
    fit.add_argument("--environment-width", type=int, default=1,
                     help="environment width (default: %(default)s)")
    fit.add_argument("--n-hidden", type=int, default=1,
                     help="hidden units per block (default: %(default)s)")
    fit.add_argument("--unit-cell", type=int, nargs="+", default=None,
                     help="translation cell of the lattice, e.g. 2 2 for dimer images "
                     "(default: every site equivalent)")
    fit.add_argument("--objective", choices=["variational", "paper", "exact"],
                     default="variational",
                     help="what is maximized (default: %(default)s)")
    fit.add_argument("--n-epochs", type=int, default=30,
                     help="training epochs (default: %(default)s)")
    fit.add_argument("--n-windows", type=int, default=20000,
                     help="training windows cut at random (default: %(default)s)")
    fit.add_argument("--learning-rate", type=float, default=0.05,
                     help="optimizer step size (default: %(default)s; 0.02 for dimer blocks)")
    fit.add_argument("--learning-rate-schedule", choices=["constant", "cosine"],
                     default="constant", help="step-size schedule; cosine settles weights the "
                     "MI does not need (default: %(default)s)")
    fit.add_argument("--lattice-size", type=int, default=32,
                     help="default data: lattice size (default: %(default)s)")
    fit.add_argument("--n-samples", type=int, default=1000,
                     help="default data: number of samples (default: %(default)s)")
    fit.set_defaults(run=_run_fit)


def _add_flow_parser(sub, parents):
    flow = sub.add_parser(
        "flow", parents=parents,
        help="run iterated RG over a temperature sweep: flow, T_c and nu",
        description="Sample the 2D (or, with --dimension 3, the simple cubic) Ising model at "
        "temperatures around T_c, run iterated RSMI RG at each, print T_c and nu with "
        "uncertainties, write rg_flow.csv and rg_flow.png.",
    )
    flow.add_argument("--dimension", type=int, default=2, choices=[2, 3],
                      help="2 square lattice, 3 simple cubic with 2x2x2 blocks "
                      "(default: %(default)s)")
    flow.add_argument("--lattice-size", type=int, default=None,
                      help=f"linear lattice size (default: {_QUICK_FLOW_SIZE}, "
                      f"{_QUICK_FLOW_SIZE_3D} in 3D)")
    flow.add_argument("--n-samples", type=int, default=500,
                      help="samples per temperature (default: %(default)s)")
    flow.add_argument("--n-steps", type=int, default=2, help="RG steps (default: %(default)s)")
    flow.add_argument("--temperatures", type=float, nargs="+", default=None,
                      help="starting temperatures in units of T_c (default: 9 within +-8%%)")
    flow.add_argument("--n-epochs", type=int, default=None,
                      help=f"epochs per coarse-grainer (default: {_QUICK_FLOW_EPOCHS}; "
                      "10 with --full)")
    flow.add_argument("--full", action="store_true",
                      help="the paper's setting: 128x128, 5000 samples, 11 temperatures, "
                      "4 steps (slow)")
    flow.add_argument("--n-jobs", type=int, default=-1,
                      help="temperatures run in parallel; -1 is one per core "
                      "(default: %(default)s)")
    flow.add_argument("--memory", default=None,
                      help="joblib cache folder: rerunning resumes a sweep (default: none)")
    flow.set_defaults(run=_run_flow)


def _add_reproduce_parser(sub, parents):
    reproduce = sub.add_parser(
        "reproduce", parents=parents,
        help="regenerate a figure of the papers (reduced size, or --full)",
        description="Regenerate a figure of Koch-Janusz & Ringel: fig2 (Ising filters), fig4 "
        "(dimer filters with noise), fig5 (RG flow, T_c, nu), fig6 (CD-RBM against RSMI on "
        "noisy dimers). Reduced sizes by default (each under a minute or so on two cores); "
        "--full uses the papers' sizes. With --dimension 3, fig5 on the simple cubic lattice "
        "(2x2x2 blocks; 16^3 reduced, 32^3 with --full); the other figures are square-lattice "
        "or dimer figures and are refused. Writes FIG_SIZE.png and "
        "FIG_SIZE.json (the numbers printed; SIZE is 3d_reduced or 3d_full in 3D).",
    )
    reproduce.add_argument("figure", choices=["fig2", "fig4", "fig5", "fig6"],
                           help="which figure")
    reproduce.add_argument("--full", action="store_true", help="the papers' sizes (slow)")
    reproduce.add_argument("--dimension", type=int, default=2, choices=[2, 3],
                           help="2 the papers' figures, 3 the RG flow (fig5) on the simple "
                           "cubic lattice (default: %(default)s)")
    reproduce.add_argument("--n-jobs", type=int, default=-1,
                           help="temperatures run in parallel, fig5 only; -1 is one per core "
                           "(default: %(default)s)")
    reproduce.set_defaults(run=_run_reproduce)


def _add_exponents_parser(sub, parents):
    from sklearn_rsmi.physics import CRITICAL_TEMPERATURE, CRITICAL_TEMPERATURE_3D
    from sklearn_rsmi.rg._mcrg import EXPONENTS_SETTINGS, EXPONENTS_SETTINGS_3D

    reduced, full = EXPONENTS_SETTINGS["reduced"], EXPONENTS_SETTINGS["full"]
    reduced_3d, full_3d = EXPONENTS_SETTINGS_3D["reduced"], EXPONENTS_SETTINGS_3D["full"]
    exponents = sub.add_parser(
        "exponents", parents=parents,
        help="Monte Carlo RG: y_t, y_h, nu and T_c of the learned RG, with errors",
        description="Sample the 2D Ising model (or, with --dimension 3, the simple cubic one) "
        "on an L and an L/2 lattice, learn RSMI steps (2x2 or 2x2x2, one hidden unit) down "
        "to a lattice of 4 along every axis, and measure the linearized "
        "RG (Swendsen's method) for y_t, y_h and nu, and T_c by two-lattice matching, "
        "with jackknife and systematic errors; the majority rule on the same samples "
        f"beside. Reduced size by default ({reduced['n_samples']} samples of "
        f"{reduced['lattice_size']}x{reduced['lattice_size']}); --full is the benchmark's "
        f"({full['n_samples']} of {full['lattice_size']}x{full['lattice_size']}); in 3D "
        f"{reduced_3d['n_samples']} samples of {reduced_3d['lattice_size']}^3 and, with --full, "
        f"{full_3d['n_samples']} of {full_3d['lattice_size']}^3. Writes "
        "exponents.json and exponents.png.",
    )
    exponents.add_argument("--dimension", type=int, default=2, choices=[2, 3],
                           help="2 square lattice, 3 simple cubic with 2x2x2 blocks "
                           "(default: %(default)s)")
    exponents.add_argument("--full", action="store_true",
                           help="the benchmark's size (slow: minutes on two cores)")
    exponents.add_argument("--lattice-size", type=int, default=None,
                           help=f"linear size L, 4 * 2**k with k >= 3, k >= 2 in 3D (default: "
                           f"{reduced['lattice_size']}; {full['lattice_size']} with --full; in "
                           f"3D {reduced_3d['lattice_size']} and {full_3d['lattice_size']})")
    exponents.add_argument("--n-samples", type=int, default=None,
                           help=f"samples of the L lattice (default: {reduced['n_samples']}; "
                           f"{full['n_samples']} with --full; in 3D {reduced_3d['n_samples']} "
                           f"and {full_3d['n_samples']})")
    exponents.add_argument("--n-small-samples", type=int, default=None,
                           help=f"samples of the L/2 lattice (default: "
                           f"{reduced['n_small_samples']}; {full['n_small_samples']} with --full; "
                           f"in 3D {reduced_3d['n_small_samples']} and "
                           f"{full_3d['n_small_samples']})")
    exponents.add_argument("--temperature", type=float, default=None,
                           help="temperature of both lattices (default: T_c of the lattice, "
                           f"{CRITICAL_TEMPERATURE:.6f} in 2D, {CRITICAL_TEMPERATURE_3D:.6f} "
                           "in 3D)")
    exponents.add_argument("--n-between", type=int, default=None,
                           help=f"Wolff sweeps between samples (default: {reduced['n_between']})")
    exponents.add_argument("--n-fit-samples", type=int, default=None,
                           help=f"samples the RSMI steps are fitted on, a chain of their own "
                           f"(default: {reduced['n_fit_samples']}; in 3D "
                           f"{reduced_3d['n_fit_samples']}, {full_3d['n_fit_samples']} with "
                           "--full)")
    exponents.add_argument("--n-epochs", type=int, default=None,
                           help="epochs per RSMI step (default: the estimator's, 30)")
    exponents.add_argument("--n-blocks", type=int, default=None,
                           help=f"jackknife blocks (default: {reduced['n_blocks']})")
    exponents.add_argument("--n-chains", type=int, default=None,
                           help=f"Markov chains per lattice, the joblib tasks (default: "
                           f"{reduced['n_chains']}, {full['n_chains']} with --full; in 3D "
                           f"{reduced_3d['n_chains']} and {full_3d['n_chains']})")
    exponents.add_argument("--blocking", choices=["sample", "most-likely", "both"],
                           default="sample",
                           help="coarse spins sampled from P(H|V), or the most likely value "
                           "(ties up), or both (default: %(default)s)")
    exponents.add_argument("--n-jobs", type=int, default=-1,
                           help="chains sampled and measured in parallel; -1 is one per core "
                           "(default: %(default)s)")
    exponents.set_defaults(run=_run_exponents)


def build_parser():
    """The argument parser of the ``rsmi`` command."""
    parser = argparse.ArgumentParser(
        prog="rsmi",
        description="Real-space mutual information coarse-graining. With no subcommand, run the "
        "main job: 2D Ising at T_c, one RSMI step with a 2x2 block.",
    )
    parser.add_argument("--lattice-size", type=int, default=32,
                        help="linear lattice size (default: %(default)s)")
    parser.add_argument("--n-samples", type=int, default=1000,
                        help="number of samples (default: %(default)s)")
    parser.add_argument("--random-state", type=int, default=0,
                        help="random seed (default: %(default)s)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="report progress")
    parser.set_defaults(run=_run_default)
    sub = parser.add_subparsers(title="subcommands")
    # Options every subcommand takes. Their defaults are suppressed so that a value given
    # before the subcommand (rsmi -v sample ...) is not reset by the subcommand's parser.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--random-state", type=int, default=argparse.SUPPRESS,
                        help="random seed (default: 0)")
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        help="report progress")
    writes = argparse.ArgumentParser(add_help=False)
    writes.add_argument("--output-dir", default=".",
                        help="where to write (default: the current folder)")
    _add_sample_parser(sub, common)
    _add_fit_parser(sub, [common, writes])
    _add_flow_parser(sub, [common, writes])
    _add_reproduce_parser(sub, [common, writes])
    _add_exponents_parser(sub, [common, writes])
    return parser


#: Options of the main job that subcommands define for themselves: given before a subcommand,
#: the subcommand's own default would silently replace them.
_MAIN_JOB_ONLY = ("--lattice-size", "--n-samples")


def _reject_main_job_options_before_a_subcommand(parser, argv):
    subcommands = {"sample", "fit", "flow", "reproduce", "exponents"}
    for i, token in enumerate(argv):
        if token in subcommands:
            misplaced = [t.split("=")[0] for t in argv[:i] if t.split("=")[0] in _MAIN_JOB_ONLY]
            if misplaced:
                parser.error(f"{', '.join(misplaced)} before '{token}' would be ignored; give "
                             f"{'it' if len(misplaced) == 1 else 'them'} after the subcommand "
                             f"(rsmi {token} ... {misplaced[0]} N).")
            return


def main(argv=None):
    """Entry point of the ``rsmi`` console script."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    _reject_main_job_options_before_a_subcommand(parser, argv)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, TypeError, OSError) as exc:
        # One line naming the problem, no traceback: these are the user's inputs.
        print(f"rsmi: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
