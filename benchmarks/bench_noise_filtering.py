"""RSMI as a noise filter: where CD-trained ThetaRBM weights sit, and a classification task.

Data: 16x16 dimer coverings (32x32 images) with noise pairs of coupling 2 on vertex and face
cells (pairs agree with probability 0.98), the setting of the papers' Figs. 4 and 6.

(1) Fig. 6 of the arXiv paper as numbers: the share of the squared weight norm on noise
    sites, for ThetaRBMs trained by persistent CD-1 on the 8x8 tiles of 2,000 images with
    1-16 hidden units, and for RSMI's two filters (objective='variational', 8x8 block,
    buffer 4, environment 2), over three seeds (median [min, max]).
(2) The task: the sign of the flux W_x (:func:`make_winding_classification`), a property of
    the whole torus that local noise does not change. Three feature sets feed the same
    LogisticRegression: raw sites (1,024 features), ThetaRBM(32) on the whole image
    (32 features) and RSMI's two coarse variables per 8x8 block, as probabilities
    (4x4 blocks x 2 = 32 features). Accuracy over five stratified splits (500 test samples)
    for several numbers of labeled training samples; the unsupervised steps see only the
    training split, as in any scikit-learn pipeline.

Run: ``python benchmarks/bench_noise_filtering.py [--quick]``.
"""

import argparse
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedShuffleSplit, cross_val_score
from sklearn.pipeline import make_pipeline

from sklearn_rsmi import LatticeFeatures, RSMICoarseGrainer, ThetaRBM
from sklearn_rsmi.physics import noise_weight_share as noise_fraction
from sklearn_rsmi.datasets import make_dimers, make_winding_classification

DIMER_RSMI = dict(n_hidden=2, visible_shape=(8, 8), buffer_width=4, environment_width=2,
                  unit_cell=(2, 2), objective="variational", learning_rate=0.02,
                  learning_rate_schedule="cosine")


def weights_on_noise(seeds, unit_counts):
    X = make_dimers(2000, 16, noise_coupling=2.0, random_state=0)
    tiles = X.reshape(len(X), 4, 8, 4, 8).transpose(0, 1, 3, 2, 4).reshape(-1, 64)
    rows = []
    for n_units in unit_counts:
        values = [noise_fraction(ThetaRBM(n_components=n_units, n_epochs=20, random_state=s)
                                 .fit(tiles).components_) for s in seeds]
        rows.append((f"ThetaRBM (PCD-1), {n_units} unit{'s' if n_units > 1 else ''}", values))
    values = [noise_fraction(RSMICoarseGrainer(n_windows=80000, random_state=s, **DIMER_RSMI)
                             .fit(X).filters_) for s in seeds]
    rows.append(("RSMI (variational), 2 filters", values))
    print("\n(1) share of the squared weight norm on noise sites (noise: 32 of 64 sites)")
    for name, values in rows:
        print(f"  {name:34s} {np.median(values):.3f} [{min(values):.3f}, {max(values):.3f}]")


def learning_curve(train_sizes, n_splits):
    X, y = make_winding_classification(max(train_sizes) + 500, 16, noise_coupling=2.0,
                                       random_state=0)
    feature_sets = {
        "raw sites (1024)": make_pipeline(LatticeFeatures(), LogisticRegression(max_iter=2000)),
        "ThetaRBM (32)": make_pipeline(LatticeFeatures(), ThetaRBM(n_components=32, n_epochs=20,
                                                                  random_state=0),
                                       LogisticRegression(max_iter=2000)),
        "RSMI 2 per block (32)": make_pipeline(
            RSMICoarseGrainer(n_windows=20000, output="probability", random_state=0, **DIMER_RSMI),
            LatticeFeatures(), LogisticRegression(max_iter=2000)),
    }
    print(f"\n(2) sign of W_x, accuracy over {n_splits} splits (500 test samples): mean +- std")
    print(f"  {'labeled samples':>16s} " + " ".join(f"{name:>24s}" for name in feature_sets))
    for n_train in train_sizes:
        cv = StratifiedShuffleSplit(n_splits, train_size=n_train, test_size=500, random_state=0)
        cells = []
        for pipeline in feature_sets.values():
            scores = cross_val_score(pipeline, X, y, cv=cv)
            cells.append(f"{scores.mean():.3f} +- {scores.std():.3f}")
        print(f"  {n_train:>16d} " + " ".join(f"{cell:>24s}" for cell in cells), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, fewer sizes and splits")
    args = parser.parse_args()
    start = time.perf_counter()
    if args.quick:
        weights_on_noise([0], [2, 8])
        learning_curve([50, 200], 3)
    else:
        weights_on_noise([0, 1, 2], [1, 2, 4, 8, 16])
        learning_curve([25, 50, 100, 250, 1000], 5)
    print(f"\ntotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
