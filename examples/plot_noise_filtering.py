"""
RSMI as a pretraining step that filters local noise
===================================================

A learning task where the label is long-range physics and local noise is strong: the sign
of the flux ``W_x`` of a dimer covering of the torus (a winding number), with the papers'
paired noise spins on every vertex and face. The coarse-grainer is an ordinary
scikit-learn transformer, so it drops into a pipeline:

``make_pipeline(RSMICoarseGrainer(...), LatticeFeatures(), LogisticRegression())``

:class:`~sklearn_rsmi.LatticeFeatures` turns the coarse lattice (4x4 blocks, two
coarse variables each) into 32 features. Three feature sets feed the same classifier:
raw sites (1,024), a ThetaRBM with 32 hidden units (contrastive divergence), and RSMI's.
The unsupervised steps are fitted inside every training split.

The flux is a linear function of the link occupations, so a linear model on raw sites
finds it too, given enough labels; with few labels it must first learn to ignore the
noise and it does not manage, while RSMI's features already hold the field. The
ThetaRBM's units model the noise pairs and miss the flux at every budget; the last
figure shows where each model's weights sit.
Set ``SKLEARN_RSMI_GALLERY_QUICK=1`` to run at smaller sizes.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedShuffleSplit, cross_val_score
from sklearn.pipeline import make_pipeline

from sklearn_rsmi import LatticeFeatures, RSMICoarseGrainer, ThetaRBM
from sklearn_rsmi.datasets import make_winding_classification
from sklearn_rsmi.plotting import plot_filters

quick = os.environ.get("SKLEARN_RSMI_GALLERY_QUICK") == "1"
train_sizes = [50, 200] if quick else [25, 50, 100, 250]
X, y = make_winding_classification(max(train_sizes) + 400, 16, noise_coupling=2.0,
                                   random_state=0)

rsmi = RSMICoarseGrainer(n_hidden=2, visible_shape=(8, 8), buffer_width=4, environment_width=2,
                         unit_cell=(2, 2), objective="variational", learning_rate=0.02,
                         learning_rate_schedule="cosine",
                         n_windows=20000, output="probability", random_state=0)
pipelines = {
    "raw sites (1024)": make_pipeline(LatticeFeatures(), LogisticRegression(max_iter=2000)),
    "ThetaRBM (32)": make_pipeline(LatticeFeatures(),
                                   ThetaRBM(n_components=32, n_epochs=20, random_state=0),
                                   LogisticRegression(max_iter=2000)),
    "RSMI (32)": make_pipeline(rsmi, LatticeFeatures(), LogisticRegression(max_iter=2000)),
}

# %%
# Cross-validated accuracy against the number of labeled samples
scores = {name: [] for name in pipelines}
for n_train in train_sizes:
    cv = StratifiedShuffleSplit(3 if quick else 5, train_size=n_train, test_size=400,
                                random_state=0)
    for name, pipeline in pipelines.items():
        scores[name].append(cross_val_score(pipeline, X, y, cv=cv))

print(f"{'labeled':>9s} " + " ".join(f"{name:>18s}" for name in pipelines))
for i, n_train in enumerate(train_sizes):
    print(f"{n_train:>9d} " + " ".join(
        f"{scores[name][i].mean():>10.3f} +- {scores[name][i].std():.3f}" for name in pipelines))

# %%
# The learning curves
fig, ax = plt.subplots(figsize=(5.5, 4), layout="constrained")
for name, values in scores.items():
    ax.errorbar(train_sizes, [v.mean() for v in values], yerr=[v.std() for v in values],
                marker="o", capsize=3, label=name)
ax.axhline(0.5, color="0.5", ls="--", lw=0.8)
ax.set_xscale("log")
ax.set_xticks(train_sizes, [str(n) for n in train_sizes])
ax.minorticks_off()
ax.set_xlabel("labeled training samples")
ax.set_ylabel("cross-validated accuracy")
ax.set_title("sign of the dimer flux $W_x$ under paired noise")
ax.legend()

# %%
# What each unsupervised step learned, fitted on the largest training budget. Noise spins
# sit on the cells whose row and column have the same parity (vertices and faces); the
# share of a model's squared weight on them is 0.5 for weights spread evenly.
n_fit = train_sizes[-1]
rbm = pipelines["ThetaRBM (32)"].fit(X[:n_fit], y[:n_fit]).named_steps["thetarbm"]
cg = pipelines["RSMI (32)"].fit(X[:n_fit], y[:n_fit]).named_steps["rsmicoarsegrainer"]


def noise_share(weights):
    rows, cols = np.indices(weights.shape[-2:])
    on_noise = rows % 2 == cols % 2
    return (weights[..., on_noise] ** 2).sum() / (weights**2).sum()


rbm_weights = rbm.components_.reshape(-1, *X.shape[1:])
print(f"ThetaRBM: {noise_share(rbm_weights):.2f} of the squared weight on noise sites; "
      f"RSMI: {noise_share(cg.filters_):.3f}")
fig, axes = plt.subplots(1, 5, figsize=(13, 3), layout="constrained")
plot_filters(rbm_weights[:3], axes=axes[:3], colorbar=False)
plot_filters(cg, axes=axes[3:])
for j, ax in enumerate(axes[:3]):
    ax.set_title(f"ThetaRBM unit {j} (whole image)\n"
                 f"{noise_share(rbm_weights[j]):.2f} on noise", fontsize=9)
for j, ax in enumerate(axes[3:]):
    ax.set_title(f"RSMI filter {j} (8x8 block)\n"
                 f"{noise_share(cg.filters_[j]):.3f} on noise", fontsize=9)
plt.show()
