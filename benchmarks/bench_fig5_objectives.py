"""The reduced Fig. 5 flow (``rsmi reproduce fig5``) with each objective: T_c, nu and time.

The settings are figure5's reduced recipe (FIGURE5_SETTINGS["reduced"]: 64x64, 1,000
samples at 9 temperatures within +-8 % of T_c, 3 RG steps, 10 epochs per coarse-grainer,
seed 0) with ``objective`` varied; one objective per process so that each time stands alone.

Run: ``python benchmarks/bench_fig5_objectives.py {variational,paper,exact} [L n_samples]``
(the two numbers reduce the lattice and the samples further).
"""

import sys
import time

from sklearn_rsmi import RSMICoarseGrainer
from sklearn_rsmi.physics import CRITICAL_TEMPERATURE
from sklearn_rsmi.reproduce import FIGURE5_SETTINGS
from sklearn_rsmi.rg import make_rg_pipeline, rg_flow_sweep


def _load():
    with open("/proc/loadavg") as f:
        return f.read().strip()


def main():
    objective = sys.argv[1]
    settings = dict(FIGURE5_SETTINGS["reduced"])
    if len(sys.argv) > 2:
        settings.update(lattice_size=int(sys.argv[2]), n_samples=int(sys.argv[3]))
    print(objective, settings, _load(), flush=True)
    start = time.perf_counter()
    pipeline = make_rg_pipeline(settings["n_steps"], coarse_grainer=RSMICoarseGrainer(
        objective=objective, n_epochs=settings["n_epochs"]))
    result = rg_flow_sweep([r * CRITICAL_TEMPERATURE for r in settings["temperature_ratios"]],
                           pipeline=pipeline, lattice_size=settings["lattice_size"],
                           n_samples=settings["n_samples"], n_jobs=1, random_state=0, verbose=1)
    tc = result.critical_temperature()
    linear = result.exponent_from_linearized_flow(critical_temperature=tc.value)
    collapse = result.exponent_from_collapse(critical_temperature=tc.value)
    elapsed = time.perf_counter() - start
    print(f"RESULT {objective}: T_c = {tc.value:.4f} +- {tc.error:.4f} "
          f"({100 * (tc.value / CRITICAL_TEMPERATURE - 1):+.2f} %); "
          f"nu = {linear.nu:.3f} +- {linear.nu_error:.3f} (linearized), "
          f"{collapse.nu:.3f} +- {collapse.nu_error:.3f} (collapse); {elapsed:.0f} s; "
          f"load {_load()}", flush=True)


if __name__ == "__main__":
    main()
