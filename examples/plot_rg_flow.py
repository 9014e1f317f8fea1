"""
The RG flow, T_c and nu (Fig. 5)
================================

Iterated RSMI: learn the filters, coarse-grain, re-learn on the coarse samples. Starting
below T_c the effective temperature falls with every step (the flow runs to order), above
it rises (to disorder). Where the flow splits is T_c; how fast it runs away gives nu.

This runs at 32x32 with two steps so that the gallery builds quickly. The paper's setting
(128x128, 5,000 samples, four steps) is ``rsmi flow --full`` or
``benchmarks/bench_rg_paper.py``; its result is on the Performance page: T_c within 0.31 %
of Onsager's and nu = 1.04 +- 0.07. Sweeps run under joblib: wrap the call in
``joblib.parallel_backend("dask")`` to run it on a Dask cluster.
"""

import os

import matplotlib.pyplot as plt

from sklearn_rsmi import RSMICoarseGrainer
from sklearn_rsmi.physics import CRITICAL_TEMPERATURE
from sklearn_rsmi.plotting import plot_rg_flow
from sklearn_rsmi.rg import make_rg_pipeline, rg_flow_sweep

quick = os.environ.get("SKLEARN_RSMI_GALLERY_QUICK") == "1"
ratios = [0.9, 0.95, 0.98, 1.0, 1.02, 1.05, 1.1]
pipeline = make_rg_pipeline(2, coarse_grainer=RSMICoarseGrainer(n_epochs=10))
result = rg_flow_sweep([r * CRITICAL_TEMPERATURE for r in ratios], pipeline=pipeline,
                       lattice_size=32, n_samples=300 if quick else 1000, n_jobs=2,
                       random_state=0)
print(result.flow() / CRITICAL_TEMPERATURE)
tc = result.critical_temperature()
print(f"T_c = {tc.value:.3f} +- {tc.error:.3f} (Onsager: {CRITICAL_TEMPERATURE:.4f})")

plot_rg_flow(result)
plt.show()
