"""The Theta-RBM route on the papers' hard case (Fig. 4a: noisy dimers, 8x8 block), per seed.

Run: ``python benchmarks/bench_theta_rbm_route.py [--seeds 0 1 2] [--quick]``.

Data: ``make_dimers(2000, 16, noise_coupling=2.0, random_state=0)`` (32x32 images, cached on
disk after the first run, untimed). Geometry: 8x8 block of the image, buffer 4, environment
2, unit cell (2, 2), two hidden units. For every seed and every configuration below it
prints, per filter, the share of its norm in span(E_x, E_y) and its largest noise weight
over its largest weight, the cosine of the two filters inside the span, the reported
I(H:E) in bits, the wall time of the fit, and for the Theta-RBM configurations how much of
the data's V-E canonical correlation the joint RBM reproduces
(:func:`sklearn_rsmi.rbm.block_environment_correlation`, untimed). The variational
estimator on the same windows gives the reference bound.

What the issue asks of the Theta-RBM route: every filter > 80 % in the span, every noise
weight < 10 % of the largest, cosine < 0.9, I(H:E) within 0.05 bits of the variational
bound or above it, in 3 of 3 seeds, each fit under 2 minutes on the 2-core machine. The
load average is printed at the start and the end: quote it with every time.
"""

import argparse
import os
import time

import numpy as np

from sklearn_rsmi import RSMICoarseGrainer, ThetaRBM
from sklearn_rsmi.datasets import make_dimers
from sklearn_rsmi.physics import dimer_block_patterns, dimer_filter_shares
from sklearn_rsmi.rbm import block_environment_correlation

DATA = dict(n_samples=2000, lattice_size=16, noise_coupling=2.0, random_state=0)
GEOMETRY = dict(n_hidden=2, visible_shape=(8, 8), buffer_width=4, environment_width=2,
                unit_cell=(2, 2))
VARIATIONAL = dict(objective="variational", n_windows=80000, n_epochs=30, learning_rate=0.02,
                   learning_rate_schedule="cosine")
#: The configurations measured: name -> (RSMICoarseGrainer parameters, joint ThetaRBM parameters).
CONFIGURATIONS = {
    # The best measured (seed 0: 81 % / 79 % in the span, cosine 0.02, noise 22 % / 33 %,
    # 0.028 bits; 32 minutes at load 10, see benchmarks/results/theta_rbm_route.txt).
    "joint P(V), exact": (
        dict(objective="exact", visible_marginal="joint", n_windows=20000, n_epochs=30,
             learning_rate=0.05, learning_rate_schedule="cosine", n_gibbs_samples=32,
             n_gibbs_burn_in=50),
        dict(n_components=256, learning_rate=1.0, centering=True),
    ),
}


def _report(cg):
    patterns, _ = dimer_block_patterns()
    filters = cg.filters_
    share, noise_share = dimer_filter_shares(filters)
    projected = filters.reshape(2, -1) @ patterns.reshape(2, -1).T
    cosine = abs(projected[0] @ projected[1]) / max(
        np.prod(np.linalg.norm(projected, axis=1)), 1e-300)
    passed = bool(np.all(share > 0.8) and np.all(noise_share < 0.1) and cosine < 0.9)
    return (f"span share {np.round(share, 2).tolist()}, noise/largest "
            f"{np.round(noise_share, 2).tolist()}, cosine {cosine:.2f}, "
            f"I(H:E) {cg.mutual_information_:.3f} bits"), passed


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help="seed 0 only")
    args = parser.parse_args()
    seeds = [0] if args.quick else args.seeds
    print(f"load average at start: {os.getloadavg()}")
    X = make_dimers(DATA["n_samples"], DATA["lattice_size"],
                    noise_coupling=DATA["noise_coupling"], random_state=DATA["random_state"])
    for seed in seeds:
        start = time.perf_counter()
        reference = RSMICoarseGrainer(random_state=seed, **GEOMETRY, **VARIATIONAL).fit(X)
        elapsed = time.perf_counter() - start
        text, passed = _report(reference)
        print(f"seed {seed} variational: {text}; {elapsed:.1f} s; figure {'yes' if passed else 'no'}",
              flush=True)
        for name, (params, rbm_params) in CONFIGURATIONS.items():
            start = time.perf_counter()
            cg = RSMICoarseGrainer(random_state=seed, rbm_joint=ThetaRBM(**rbm_params),
                                   **GEOMETRY, **params).fit(X)
            elapsed = time.perf_counter() - start
            text, passed = _report(cg)
            rows = np.random.default_rng(seed).choice(X.shape[0], 400, replace=False)
            V, E = cg._cut_windows(X[rows], np.random.RandomState(seed), 20000)
            diagnostic = block_environment_correlation(cg.rbm_joint_, V, E, n_samples=1000,
                                                       n_steps=300)
            close = cg.mutual_information_ >= reference.mutual_information_ - 0.05
            print(f"seed {seed} {name}: {text}; {elapsed:.1f} s; V-E correlation reproduced "
                  f"{np.round(100 * diagnostic.reproduced).astype(int).tolist()} %; within 0.05 "
                  f"bits of the bound or above: {'yes' if close else 'no'}; figure "
                  f"{'yes' if passed else 'no'}", flush=True)
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
