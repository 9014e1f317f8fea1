"""A first 3D RG flow: the simple cubic Ising model, 2x2x2 blocks, T_c and nu from the T_eff flow.

The effective-temperature flow analysis of the papers' Fig. 5, run on the cubic lattice:
sample 32^3 lattices at temperatures around T_c, re-learn a 2x2x2 RSMI coarse-graining at
every step (32 -> 16 -> 8 -> 4), read each level's effective temperature against
same-size cubic simulations, and locate T_c where the flow changes direction and nu from
the linearized flow and the finite-size collapse. Printed against the published values
(T_c = 4.5115232, nu = 0.629971) with the cost: wall time and peak memory of the process
tree (this process and its joblib workers), sampling included.

Full run (targets of the 3D issue: T_c within 0.1 %, nu within 2 %, in 20 minutes and
4 GiB on the 2-core machine)::

    python benchmarks/bench_rg_3d.py

Reduced run::

    python benchmarks/bench_rg_3d.py --lattice-size 16 --n-samples 300 --n-steps 2

``--majority`` swaps the learned coarse-graining for a 2x2x2 majority rule (ties, four
spins against four, broken at random), the hand-made block spin to compare with.
``--symmetric-bias`` ties the learned bias to the spin-flip symmetric value after every
fit (``b = -sum(w) / 2`` in the occupation form ``p(h = 1 | x) = sigmoid(w . x + b)``):
the objective does not determine the bias where the block-environment information is
small, and a drifted bias acts as a magnetic field on the coarse lattice, which the
nearest-neighbor correlation then reads as order. This is a stand-in, local to this
script, for a symmetric coarse-graining in the estimator itself.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_rg_paper import PeakMemory  # noqa: E402  (process-tree memory poller)

from sklearn_rsmi import RSMICoarseGrainer  # noqa: E402
from sklearn_rsmi.physics import CRITICAL_TEMPERATURE_3D as TC  # noqa: E402
from sklearn_rsmi.physics import REFERENCE_VALUES_3D  # noqa: E402
from sklearn_rsmi.rg import make_rg_pipeline, rg_flow_sweep  # noqa: E402

NU = REFERENCE_VALUES_3D["nu"].value

# Starting temperatures in units of T_c. One 2x2x2 step multiplies T - T_c by about
# 2^(1/nu) = 3 (2 in 2D), so the window is narrower than Fig. 5's and denser near T_c;
# it covers the collapse window beta/beta_c in [0.95, 1.03] (T/T_c in [0.971, 1.053]).
DEFAULT_TEMPERATURES = (0.94, 0.96, 0.97, 0.98, 0.99, 1.0, 1.01, 1.02, 1.03, 1.04, 1.06)


class CubicMajorityRule(TransformerMixin, BaseEstimator):
    """2x2x2 majority rule with random tie-break (four against four)."""

    def __init__(self, visible_shape=(2, 2, 2), random_state=None, n_jobs=None):
        self.visible_shape = visible_shape
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X, y=None):
        self.filters_ = np.ones((1, *self.visible_shape))
        self.filter_bias_ = np.full(1, -4.0)  # occupation form of the symmetric rule
        self.mutual_information_ = float("nan")
        self.seed_ = int(check_random_state(self.random_state).randint(2**31 - 1))
        return self

    def transform(self, X):
        X = np.asarray(X)
        n, L = X.shape[:2]
        total = X.reshape(n, L // 2, 2, L // 2, 2, L // 2, 2).sum(axis=(2, 4, 6),
                                                                   dtype=np.int64)
        ties = np.random.default_rng(self.seed_).choice(np.array([-1, 1], np.int8), total.shape)
        return np.where(total > 0, 1, np.where(total < 0, -1, ties)).astype(np.int8)


class SymmetricBiasRSMI(RSMICoarseGrainer):
    """RSMICoarseGrainer whose bias is set to the spin-flip symmetric value after fit."""

    def fit(self, X, y=None):
        super().fit(X, y)
        self.filter_bias_ = -self.filters_.reshape(self.n_hidden, -1).sum(axis=1) / 2
        return self


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lattice-size", type=int, default=32)
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--n-steps", type=int, default=3)
    parser.add_argument("--temperatures", type=float, nargs="+", default=DEFAULT_TEMPERATURES,
                        help="starting temperatures in units of T_c")
    parser.add_argument("--objective", choices=("paper", "exact", "variational"),
                        default="paper")
    parser.add_argument("--n-epochs", type=int, default=10)
    parser.add_argument("--n-windows", type=int, default=20000, help="n_windows per fit")
    parser.add_argument("--learning-rate-schedule", choices=("constant", "cosine"),
                        default="constant")
    parser.add_argument("--n-reference-samples", type=int, default=1000)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--memory", default=None, help="joblib cache folder (resumable run)")
    parser.add_argument("--csv", default=None, help="write the tidy result here")
    parser.add_argument("--plot", default=None, help="save the flow figure here (png)")
    parser.add_argument("--json", default=None, help="write the figures printed here")
    parser.add_argument("--majority", action="store_true",
                        help="fixed 2x2x2 majority rule instead of RSMI")
    parser.add_argument("--symmetric-bias", action="store_true",
                        help="tie the learned bias to the spin-flip symmetric value")
    args = parser.parse_args()
    # The classes by their module's name, not __main__'s: joblib's workers unpickle them.
    from bench_rg_3d import CubicMajorityRule, SymmetricBiasRSMI

    if args.majority:
        coarse_grainer = CubicMajorityRule()
        label = "2x2x2 majority rule"
    else:
        estimator = SymmetricBiasRSMI if args.symmetric_bias else RSMICoarseGrainer
        coarse_grainer = estimator(
            n_hidden=1, visible_shape=(2, 2, 2), buffer_width=1, environment_width=1,
            objective=args.objective, n_epochs=args.n_epochs, n_windows=args.n_windows,
            learning_rate_schedule=args.learning_rate_schedule)
        label = (f"RSMI ({args.objective}, {args.n_epochs} epochs, {args.n_windows} windows, "
                 f"{args.learning_rate_schedule}"
                 f"{', symmetric bias' if args.symmetric_bias else ''})")
    pipeline = make_rg_pipeline(args.n_steps, coarse_grainer=coarse_grainer)
    temperatures = [t * TC for t in args.temperatures]
    with open("/proc/loadavg") as handle:
        load_before = handle.read().split()[:3]
    print(f"{label}: L = {args.lattice_size}^3, {args.n_samples} samples x "
          f"{len(temperatures)} temperatures, {args.n_steps} steps, reference simulations "
          f"{args.n_reference_samples} samples per point, n_jobs = {args.n_jobs}; "
          f"load average before {' '.join(load_before)}")

    start = time.perf_counter()
    with PeakMemory() as memory:
        result = rg_flow_sweep(
            temperatures, dimension=3, pipeline=pipeline, lattice_size=args.lattice_size,
            n_samples=args.n_samples, n_reference_samples=args.n_reference_samples,
            n_jobs=args.n_jobs, memory=args.memory, random_state=args.random_state)
    wall = time.perf_counter() - start
    with open("/proc/loadavg") as handle:
        load_after = handle.read().split()[:3]

    np.set_printoptions(precision=4, suppress=True, linewidth=160)
    print("\nT_eff / T_c per starting temperature (rows) and RG step (columns):")
    print(result.flow() / TC)
    print("their errors / T_c:")
    print(result.flow_error() / TC)
    print("mutual information (bits) per step:")
    print(result.flow("mutual_information")[:, 1:])
    print("|m| per level:")
    print(result.flow("abs_magnetization"))

    figures = {"label": label, "wall_time_s": wall, "peak_memory_gib": memory.peak / 2**30,
               "load_before": load_before, "load_after": load_after}
    tc = result.critical_temperature()
    figures.update(critical_temperature=tc.value, critical_temperature_error=tc.error,
                   critical_temperature_per_step=tc.per_step.tolist(),
                   critical_temperature_per_step_error=tc.per_step_error.tolist())
    print(f"\nT_c from the flow's change of direction: {tc.value:.4f} +- {tc.error:.4f}  "
          f"(published {TC:.4f}; off by {100 * (tc.value / TC - 1):+.2f} %, "
          f"{abs(tc.value - TC) / tc.error:.1f} sigma)")
    print(f"  per step: {np.round(tc.per_step, 4)} +- {np.round(tc.per_step_error, 4)}")
    for name, method in (("linearized flow", result.exponent_from_linearized_flow),
                         ("finite-size collapse", result.exponent_from_collapse)):
        try:
            nu = method(critical_temperature=tc.value)
        except ValueError as error:
            print(f"nu from the {name}: not available ({error})")
            continue
        key = name.split()[0]
        figures[f"nu_{key}"] = nu.nu
        figures[f"nu_{key}_error"] = nu.nu_error
        figures[f"nu_{key}_reduced_chi2"] = nu.reduced_chi2
        print(f"nu from the {name}: {nu.nu:.3f} +- {nu.nu_error:.3f}  (published {NU:.4f}; "
              f"off by {100 * (nu.nu / NU - 1):+.1f} %; fit T_c {nu.critical_temperature:.4f} "
              f"+- {nu.critical_temperature_error:.4f}, {nu.n_points} points, chi2/dof "
              f"{nu.reduced_chi2:.2f})")
    print(f"\nwall time: {wall:.1f} s; peak memory (process tree): {memory.peak / 2**30:.2f} GiB;"
          f" load average before {' '.join(load_before)}, after {' '.join(load_after)}")

    if args.csv:
        result.to_csv(args.csv)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(figures, handle, indent=2)
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        from sklearn_rsmi.plotting import plot_rg_flow

        plot_rg_flow(result, critical_temperature=TC).figure.savefig(args.plot, dpi=120,
                                                                    bbox_inches="tight")


if __name__ == "__main__":
    main()
