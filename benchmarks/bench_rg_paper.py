"""The Nature Physics RG-flow run: 2D Ising 128x128, ~5,000 samples per temperature, four steps.

Koch-Janusz & Ringel (2018), Fig. 5: T_c to 1 % from where the flow diverges and
nu = 1.0 +- 0.15 from a finite-size collapse. This script runs the whole pipeline
(sampling, same-size reference simulations, RSMI filters re-learned at every step) and
prints T_c and nu with their uncertainties, the wall time, the peak memory of the
process tree (this process and its joblib workers, polled from /proc) and the load
average at the start and the end (on a shared machine wall times stretch with the load).

Full run (the target: 2 minutes of wall time or less on a quiet 2-core machine, from empty
caches, under 1.5 GiB)::

    python benchmarks/bench_rg_paper.py

Reduced run::

    python benchmarks/bench_rg_paper.py --lattice-size 64 --n-samples 1000 --n-steps 3 --n-epochs 5

``--majority`` swaps the RSMI coarse-grainer for a fixed 2x2 majority rule, a reference
measured in the same run.
"""

import argparse
import collections
import os
import subprocess
import sys
import threading
import time

import numpy as np

from sklearn_rsmi.coarse_graining import MajorityRuleCoarseGrainer
from sklearn_rsmi.physics import CRITICAL_TEMPERATURE as TC
from sklearn_rsmi.rg import make_rg_pipeline, rg_flow_sweep

# Starting temperatures in units of T_c: within +-10 %, dense inside the paper's collapse
# window beta/beta_c in [0.95, 1.03], i.e. T/T_c in [0.971, 1.053].
DEFAULT_TEMPERATURES = (0.92, 0.95, 0.97, 0.98, 0.99, 1.0, 1.01, 1.02, 1.03, 1.05, 1.08)


class PeakMemory:
    """Peak resident memory of this process and all its descendants, polled from /proc."""

    def __init__(self, interval=0.2):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    @staticmethod
    def _tree_rss():
        children = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(pid))
            except OSError:
                continue
        total, stack = 0, [os.getpid()]
        while stack:
            pid = stack.pop()
            try:
                with open(f"/proc/{pid}/statm") as handle:
                    total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except OSError:
                pass
            stack.extend(children.get(pid, []))
        return total

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lattice-size", type=int, default=128)
    parser.add_argument("--n-samples", type=int, default=5000)
    parser.add_argument("--n-steps", type=int, default=4)
    parser.add_argument("--temperatures", type=float, nargs="+", default=DEFAULT_TEMPERATURES,
                        help="starting temperatures in units of T_c")
    parser.add_argument("--n-epochs", type=int, default=10)
    parser.add_argument("--n-windows", type=int, default=20000, help="n_windows per fit")
    parser.add_argument("--reference-samples", type=int, default=1000)
    parser.add_argument("--reference", choices=("simulation", "onsager"), default="simulation")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--memory", default=None, help="joblib cache folder (resumable run)")
    parser.add_argument("--csv", default=None, help="write the tidy result here")
    parser.add_argument("--plot", default=None, help="save the flow figure here (png)")
    parser.add_argument("--majority", action="store_true",
                        help="fixed 2x2 majority rule instead of RSMI")
    parser.add_argument("--stages", action="store_true",
                        help="also print the time spent in each stage, summed over workers")
    args = parser.parse_args()
    if args.stages and not os.environ.get("RSMI_STAGE_LOG"):
        return _rerun_with_stage_timers()

    if args.majority:
        pipeline = make_rg_pipeline(args.n_steps, coarse_grainer=MajorityRuleCoarseGrainer())
    else:
        from sklearn_rsmi import RSMICoarseGrainer

        pipeline = make_rg_pipeline(args.n_steps, coarse_grainer=RSMICoarseGrainer(
            n_hidden=1, visible_shape=(2, 2), buffer_width=1, environment_width=1,
            n_epochs=args.n_epochs, n_windows=args.n_windows))
    temperatures = [t * TC for t in args.temperatures]
    print(f"{'majority rule' if args.majority else 'RSMI'}: L = {args.lattice_size}, "
          f"{args.n_samples} samples x {len(temperatures)} temperatures, {args.n_steps} steps, "
          f"reference = {args.reference}, n_jobs = {args.n_jobs}")

    start = time.perf_counter()
    with PeakMemory() as memory:
        result = rg_flow_sweep(
            temperatures, pipeline=pipeline, lattice_size=args.lattice_size, n_samples=args.n_samples,
            reference=args.reference, n_reference_samples=args.reference_samples,
            n_jobs=args.n_jobs, memory=args.memory, random_state=args.random_state)
    wall = time.perf_counter() - start

    np.set_printoptions(precision=4, suppress=True, linewidth=160)
    print("\nT_eff / T_c per starting temperature (rows) and RG step (columns):")
    print(result.flow() / TC)
    print("mutual information (bits) per step:")
    print(result.flow("mutual_information")[:, 1:])

    analysis_start = time.perf_counter()
    try:
        _print_analysis(result)
    except ValueError as error:
        print(f"\nflow analysis failed: {error}")
    analysis = time.perf_counter() - analysis_start
    print(f"\nwall time: {wall:.1f} s; peak memory (process tree): {memory.peak / 2**30:.2f} GiB; "
          f"load average {_LOAD_AT_START} at the start, {_load_average()} at the end")
    if os.environ.get("RSMI_STAGE_LOG"):
        _print_stages(os.environ["RSMI_STAGE_LOG"], wall, analysis)

    if args.csv:
        result.to_csv(args.csv)
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        from sklearn_rsmi.plotting import plot_rg_flow

        plot_rg_flow(result).figure.savefig(args.plot, dpi=120, bbox_inches="tight")


def _print_analysis(result):
    """T_c from the divergence of the flow, nu from the linearized flow and the collapse."""
    tc = result.critical_temperature()
    print(f"\nT_c from the flow's divergence: {tc.value:.4f} +- {tc.error:.4f}  "
          f"(exact {TC:.4f}; off by {100 * (tc.value / TC - 1):+.2f} %)")
    print(f"  per step: {np.round(tc.per_step, 4)} +- {np.round(tc.per_step_error, 4)}")
    try:
        linear = result.exponent_from_linearized_flow(critical_temperature=tc.value)
        print(f"nu from the linearized flow: {linear.nu:.3f} +- {linear.nu_error:.3f}  "
              f"(fixed point {linear.critical_temperature:.4f} +- "
              f"{linear.critical_temperature_error:.4f}, {linear.n_points} pairs, "
              f"chi2/dof {linear.reduced_chi2:.2f})")
    except ValueError as error:
        print(f"nu from the linearized flow: not available ({error})")
    collapse = result.exponent_from_collapse(critical_temperature=tc.value)
    print(f"nu from the finite-size collapse: {collapse.nu:.3f} +- {collapse.nu_error:.3f}  "
          f"(T_c {collapse.critical_temperature:.4f} +- {collapse.critical_temperature_error:.4f}"
          f", {collapse.n_points} points, chi2/dof {collapse.reduced_chi2:.2f})")


def _rerun_with_stage_timers():
    """Run this script again with the stage timers loaded in every process it starts."""
    hook = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_stage_timers")
    log = os.path.abspath(f"rg_paper_stages_{os.getpid()}.log")
    env = dict(os.environ, RSMI_STAGE_LOG=log,
               PYTHONPATH=os.pathsep.join(filter(None, [hook, os.environ.get("PYTHONPATH")])))
    try:
        return subprocess.run([sys.executable, *sys.argv], check=False, env=env).returncode
    finally:
        if os.path.exists(log):
            os.remove(log)


def _print_stages(log, wall, analysis):
    """Seconds per stage summed over all processes, wall and CPU, from the timer log.

    On a shared machine the CPU seconds are the figures to compare between runs: wall
    seconds of a stage stretch with the load, CPU seconds hardly do.
    """
    walls, cpus, calls = collections.Counter(), collections.Counter(), collections.Counter()
    with open(log) as handle:
        for line in handle:
            stage, stage_wall, stage_cpu = line.rstrip("\n").split("\t")
            walls[stage] += float(stage_wall)
            cpus[stage] += float(stage_cpu)
            calls[stage] += 1
    main = "flow analysis (T_c, nu; main process)"
    walls[main] += analysis
    cpus[main] += analysis
    calls[main] += 1
    total_cpu = sum(cpus.values())
    load = _load_average()
    print(f"\nStages, summed over processes: {sum(walls.values()):.0f} worker-s wall, "
          f"{total_cpu:.0f} CPU-s; run wall {wall:.0f} s; load average {_LOAD_AT_START} at the "
          f"start, {load} at the end")
    print(f"  {'stage':45s} {'CPU s':>8s} {'share':>6s} {'wall s':>8s}  calls")
    for stage, seconds in cpus.most_common():
        print(f"  {stage:45s} {seconds:8.1f} {100 * seconds / total_cpu:5.1f}% {walls[stage]:8.1f}"
              f"  {calls[stage]}")


def _load_average():
    """The 1, 5 and 15 minute load averages."""
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


_LOAD_AT_START = _load_average()


if __name__ == "__main__":
    sys.exit(main())
