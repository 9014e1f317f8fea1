"""MCRG exponents of the learned RG in 3D: simple cubic Ising at T_c, learned 2x2x2 filters.

Samples 32^3 and 16^3 lattices at the published T_c = 4.5115232 (Wolff, 3 sweeps apart,
eight chains each, sampled and measured as parallel joblib tasks), fits RSMI steps (2x2x2,
one hidden unit, spin-flip symmetric) down to 4^3 on a chain of their own, and measures the
learned pipeline and the 2x2x2 majority rule (ties, four against four, at random) on the
same samples: Swendsen's linearized RG for y_t and y_h, two-lattice matching (32^3 against
16^3) for T_c, with the errors and reading rules of ``sklearn_rsmi.rg._mcrg`` (stated in
doc/user_guide/three_dimensions.rst before this benchmark was run). Targets (issue 13):
T_c within 0.1 % of 4.5115232, nu within 2 % of 0.629971 (y_t = 1.587375), y_h within 1 %
of 2.481851, each with an honest error; the whole run within 20 minutes and 4 GiB on the
2-core machine, sampling included.

First, per-sample costs on one thread (sampling, lattice sums, transforms), then the run::

    python benchmarks/bench_mcrg_3d.py

Reduced run (the ``rsmi exponents --dimension 3`` default, 16^3 against 8^3)::

    python benchmarks/bench_mcrg_3d.py --lattice-size 16 --n-samples 8000

Honesty check of the statistical errors (independent seeds at the reduced size, pulls)::

    python benchmarks/bench_mcrg_3d.py --pulls 6
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_mcrg import (  # noqa: E402
    PeakMemory,
    _median_time,
    load,
    print_pull_summary,
    seed_pulls,
)

from sklearn_rsmi import RSMICoarseGrainer  # noqa: E402
from sklearn_rsmi._utils.threads import numba_threads  # noqa: E402
from sklearn_rsmi.coarse_graining import MajorityRuleCoarseGrainer  # noqa: E402
from sklearn_rsmi.datasets import make_ising  # noqa: E402
from sklearn_rsmi.physics import CRITICAL_TEMPERATURE_3D as TC  # noqa: E402
from sklearn_rsmi.physics import REFERENCE_VALUES_3D  # noqa: E402
from sklearn_rsmi.rg import default_operators, lattice_sums  # noqa: E402
from sklearn_rsmi.rg._mcrg import EXPONENTS_SETTINGS_3D, _estimates, _ising_mcrg  # noqa: E402

NU = REFERENCE_VALUES_3D["nu"].value
EXACT = {"y_t": 1 / NU, "y_h": REFERENCE_VALUES_3D["y_h"].value, "nu": NU,
         "critical_temperature": TC}
TARGET = {"nu": 0.02, "y_h": 0.01, "critical_temperature": 0.001}


def per_sample_costs(lattice_size=32, n_samples=500):
    """Milliseconds per sample of each stage on one thread (medians of three)."""
    print(f"Per-sample costs, {lattice_size}^3, {n_samples} samples, one thread, "
          f"load {load()}:")
    X = make_ising(n_samples, lattice_size, TC, n_between=3, dimension=3, random_state=123,
                   cache=False)
    operators = default_operators(3)
    learned = RSMICoarseGrainer(visible_shape=(2, 2, 2), n_epochs=5, n_windows=4000,
                                random_state=0).fit(X[:100])
    majority = MajorityRuleCoarseGrainer(visible_shape=(2, 2, 2), random_state=0).fit(X[:10])
    with numba_threads(1):
        lattice_sums(X[:2]), learned.transform(X[:2]), majority.transform(X[:2])  # compile
        sampling = _median_time(lambda: make_ising(
            200, lattice_size, TC, n_between=3, dimension=3, random_state=124,
            cache=False), 1) / 200
        kernel = _median_time(lambda: lattice_sums(X, operators)) / n_samples
        rsmi = _median_time(lambda: learned.transform(X)) / n_samples
        rule = _median_time(lambda: majority.transform(X)) / n_samples
    print(f"  Wolff sampling, 3 sweeps apart (burn-in included)  {1e3 * sampling:7.3f} ms")
    print(f"  lattice sums, {len(operators)} operators"
          f"{' ' * 24}{1e3 * kernel:7.3f} ms")
    print(f"  RSMI transform (sampled)                          {1e3 * rsmi:7.3f} ms")
    print(f"  majority-rule transform                           {1e3 * rule:7.3f} ms")
    print()


def _line(name, numbers, key):
    exact = EXACT[key]
    value, error = numbers[key], numbers[f"{key}_error"]
    if value is None:
        return f"  {name:5s} not available: {numbers['notes']}"
    stat, sys_ = numbers[f"{key}_statistical_error"], numbers[f"{key}_systematic_error"]
    off = value / exact - 1
    verdict = ""
    if key in TARGET:
        within = abs(off) <= TARGET[key]
        covered = abs(value - exact) <= error
        verdict = (f"  [{'within' if within else 'MISSES'} {100 * TARGET[key]:g} %, "
                   f"error {'covers' if covered else 'DOES NOT cover'} the published value]")
    return (f"  {name:5s} = {value:.5f} +- {error:.5f} (stat {stat:.5f}, sys {sys_:.5f}); "
            f"published {exact:.6g}, {100 * off:+.3f} %{verdict}")


def report(results, settings, peak):
    names = [("learned", "learned RSMI steps (2x2x2, one hidden unit, spin-flip symmetric)"),
             ("majority rule", "2x2x2 majority rule, random ties")]
    L = settings["lattice_size"]
    for name, title in names:
        pipeline = results["pipelines"][name]
        entry = results[name]["sample"]
        n_large, n_small = entry["n_samples"]
        print(f"==== {title} ({n_large} + {n_small} samples)")
        if name == "learned":
            for k, (_, step) in enumerate(pipeline.steps, start=1):
                weights = step.filters_.ravel()
                print(f"  step {k}: filters {np.round(weights, 2)}, spin-form offset "
                      f"{step.filter_bias_[0] + weights.sum() / 2:+.3f}, I(H:E) = "
                      f"{step.mutual_information_:.3f} bits")
        print(f"  orientation of the levels {entry['orientation']}")
        linearized, matching = entry["linearized"], entry["matching"]
        print("y_t (rows: level pairs; columns: number of even operators)")
        print(linearized.table("even"))
        print("y_h (columns: number of odd operators)")
        print(linearized.table("odd"))
        print(f"T_c by two-lattice matching, {L}^3 at level n against {L // 2}^3 at level n - 1")
        print(matching.table())
        numbers = _estimates(entry)
        even, odd = linearized.estimate("even"), linearized.estimate("odd")
        print(f"  read from level pairs {even.level}, operator counts {even.n_operators} "
              f"(even), {odd.n_operators} (odd); T_c from levels "
              f"{matching.estimate().level}")
        for key, label in (("y_t", "y_t"), ("y_h", "y_h"), ("nu", "nu"),
                           ("critical_temperature", "T_c")):
            print(_line(label, numbers, key))
        print()
    print("timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in results["seconds"].items()))
    print(f"peak memory of the process tree: {peak / 2**30:.2f} GiB")


def pulls(args):
    """Independent seeds at the reduced size: do the jackknife errors describe the spread?"""
    settings = dict(EXPONENTS_SETTINGS_3D["reduced"])
    print(f"Pull check: {args.pulls} seeds of {settings}, n_jobs = {args.n_jobs}, "
          f"load at start {load()}")
    keys = ("y_t", "y_h", "critical_temperature")
    rows = {name: [] for name in ("learned", "majority rule")}
    start = time.perf_counter()
    for seed in range(args.pulls):
        results = _ising_mcrg(
            settings["lattice_size"], settings["n_samples"], temperature=TC,
            n_small_samples=settings["n_small_samples"], n_chains=settings["n_chains"],
            n_between=settings["n_between"], n_fit_samples=settings["n_fit_samples"],
            n_epochs=settings["n_epochs"], n_blocks=settings["n_blocks"],
            random_state=1000 + seed, n_jobs=args.n_jobs, dimension=3)
        for name in rows:
            numbers = _estimates(results[name]["sample"])
            rows[name].append(numbers)
            print(f"  seed {1000 + seed} {name:14s} " + "  ".join(
                f"{k} {numbers[k]:.5f}+-{numbers[k + '_statistical_error']:.5f}" for k in keys))
    print(f"({time.perf_counter() - start:.0f} s, load at end {load()})")
    everything = []
    for name, numbers in rows.items():
        print(f"{name}:")
        for key in keys:
            x = np.array([n[key] for n in numbers])
            sigma = np.array([n[f"{key}_statistical_error"] for n in numbers])
            pull = seed_pulls(x, sigma)
            everything.extend(pull)
            print(f"  {key:22s} spread (std) {x.std(ddof=1):.5f}, mean jackknife error "
                  f"{sigma.mean():.5f}, ratio {x.std(ddof=1) / sigma.mean():.2f}; pulls "
                  + " ".join(f"{p:+.2f}" for p in pull))
    print_pull_summary(everything)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lattice-size", type=int, default=None)
    parser.add_argument("--n-samples", type=int, default=None,
                        help="samples of each lattice (default: the full setting's)")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--skip-costs", action="store_true")
    parser.add_argument("--pulls", type=int, default=0,
                        help="run the pull check over this many seeds instead")
    args = parser.parse_args()
    if args.pulls:
        pulls(args)
        return
    settings = dict(EXPONENTS_SETTINGS_3D["full"])
    if args.lattice_size:
        settings["lattice_size"] = args.lattice_size
    if args.n_samples:
        settings["n_samples"] = settings["n_small_samples"] = args.n_samples
    start = time.perf_counter()
    print(f"load average at start {load()}")
    with PeakMemory() as memory:
        if not args.skip_costs:
            per_sample_costs()
        print(f"3D MCRG benchmark: {settings}, T = {TC}, n_jobs = {args.n_jobs}, "
              f"random_state = {args.random_state}, load {load()}")
        results = _ising_mcrg(
            settings["lattice_size"], settings["n_samples"], temperature=TC,
            n_small_samples=settings["n_small_samples"], n_chains=settings["n_chains"],
            n_between=settings["n_between"], n_fit_samples=settings["n_fit_samples"],
            n_epochs=settings["n_epochs"], n_blocks=settings["n_blocks"],
            random_state=args.random_state, n_jobs=args.n_jobs, verbose=1, dimension=3)
    wall = time.perf_counter() - start
    print(f"wall time {wall:.1f} s (costs section and sampling included), load average at "
          f"end {load()}")
    print()
    report(results, settings, memory.peak)


if __name__ == "__main__":
    main()
