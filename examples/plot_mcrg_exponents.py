"""
Exponents by Monte Carlo RG: the learned RG against the majority rule
=====================================================================

Swendsen's linearized RG on the levels of a fitted RSMI pipeline: for every pair of
consecutive levels, the matrix ``T = dK'/dK`` of the couplings of many operators, from the
correlations of their lattice sums within a level and across the two levels. Its leading
even eigenvalue gives ``y_t = 1/nu`` (exact 1 in 2D), its leading odd one ``y_h`` (exact
15/8). The same samples go through the majority rule (ties at random), the classic
transformation of Monte Carlo RG, and an ``L/2`` lattice gives T_c by two-lattice matching.

The RSMI steps keep the up/down symmetry (``symmetry='auto'`` ties the filter bias for spin
data), and their coarse spins are sampled with noise keyed to each sample, so the batched
measurement sees independent draws. This runs at 32x32 (16x16 for the matching) so that the
gallery builds quickly; ``rsmi exponents --full`` and ``benchmarks/bench_mcrg.py`` run
64x64 (results in ``benchmarks/results/mcrg.txt``).
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_rsmi import RSMICoarseGrainer
from sklearn_rsmi.coarse_graining import MajorityRuleCoarseGrainer
from sklearn_rsmi.datasets import make_ising
from sklearn_rsmi.physics import CRITICAL_TEMPERATURE, effective_temperature
from sklearn_rsmi.rg import (
    linearized_rg,
    make_rg_pipeline,
    match_two_lattices,
    measure_operators,
)

quick = os.environ.get("SKLEARN_RSMI_GALLERY_QUICK") == "1"
n_samples = 4000 if quick else 20000
T = CRITICAL_TEMPERATURE

# %%
# Samples at T_c: a 32x32 lattice for the exponents, a 16x16 one for the matching, and a
# separate chain to fit the RSMI steps on. Wolff updates 3 sweeps apart: consecutive
# samples are correlated, which the jackknife over contiguous blocks of samples absorbs.
X = make_ising(n_samples, 32, T, n_between=3, random_state=1)
X_small = make_ising(n_samples, 16, T, n_between=3, random_state=2)
X_fit = make_ising(1000, 32, T, n_between=3, random_state=3)

learned = make_rg_pipeline(3, coarse_grainer=RSMICoarseGrainer(n_epochs=10 if quick else 30),
                           random_state=0).fit(X_fit)
majority = make_rg_pipeline(3, coarse_grainer=MajorityRuleCoarseGrainer(),
                            random_state=0).fit(X_fit)
for name, step in learned.steps:
    weights = step.filters_.ravel()
    print(f"{name}: filters {np.round(weights, 2)}, spin-form offset "
          f"{step.filter_bias_[0] + weights.sum() / 2:+.2f}")

# %%
# Lattice sums of 7 even and 4 odd operators at every level (32, 16, 8, 4), then the
# linearized RG with jackknife errors over 20 blocks of samples.
results = {}
for name, pipe in (("learned", learned), ("majority rule", majority)):
    sums = measure_operators(pipe, X)
    small = measure_operators(pipe, X_small, n_steps=2)
    results[name] = (sums, linearized_rg(sums), match_two_lattices(sums, small, T))
    print(f"--- {name}: y_t (rows: level pairs; columns: number of even operators)")
    print(results[name][1].table("even"))
    print("y_h")
    print(results[name][1].table("odd"))

# %%
# The final numbers, by the rules stated in the user guide: y from the level pairs
# n -> n+1 with n >= 1 and a coarse lattice of at least 8x8, with two or more operators
# (at 32x32 that is the pair 1 -> 2); T_c from the deepest matched level.
for name, (_, linearized, matching) in results.items():
    y_t, y_h, tc = linearized.estimate("even"), linearized.estimate("odd"), matching.estimate()
    print(f"{name:14s} y_t = {y_t.value:.4f} +- {y_t.error:.4f}, "
          f"y_h = {y_h.value:.4f} +- {y_h.error:.4f}, T_c = {tc.value:.4f} +- {tc.error:.4f}")

# %%
# The flow's projection on the same samples. The effective-temperature analysis reads each
# level through its nearest-neighbor correlation alone; its MCRG analogue is the first
# column of the y_t table (one operator), which reads y_t low at every level pair.
for name, (sums, linearized, _) in results.items():
    readings = [float(effective_temperature(correlation=level[:, 0].mean() / (2 * np.prod(s))))
                for s, level in zip(sums.lattice_shapes, sums.sums)]
    print(f"{name:14s} T_eff/T_c per level (Onsager's curve): "
          + ", ".join(f"{t / T:.3f}" for t in readings)
          + "; y_t with one operator: "
          + ", ".join(f"{y:.3f}" for y in linearized.exponents["even"][:, 0]))

fig, axes = plt.subplots(2, 2, figsize=(10, 7), layout="constrained")
for row, (name, (_, linearized, _)) in zip(axes, results.items()):
    linearized.plot("even", ax=row[0], exact=1.0).set_title(f"{name}: y_t")
    linearized.plot("odd", ax=row[1], exact=15 / 8).set_title(f"{name}: y_h")
plt.show()
