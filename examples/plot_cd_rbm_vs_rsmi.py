"""
A CD-trained RBM models the noise; RSMI discards it (arXiv Fig. 6)
==================================================================

Dimer coverings carry their long-range physics in the electric field; the papers add
"noise": Ising spins on the vertices and faces of the lattice, locked together in pairs
(they agree 98 % of the time) and coupled to nothing else. The pairs are the most
pronounced pattern in the image, and they are physically irrelevant: they carry no
information beyond their own cell.

An RBM trained by contrastive divergence models the data, so it spends its hidden units on
whatever is most pronounced: given a few units, most of them become detectors of single
noise pairs. RSMI maximizes the information a block's coarse variables share with a distant
environment; the noise pairs share none, so RSMI's filters put (almost) no weight on them.

The numbers: the share of each model's squared weight norm that sits on noise sites.
Set ``SKLEARN_RSMI_GALLERY_QUICK=1`` to run at smaller sizes.
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_rsmi import RSMICoarseGrainer, ThetaRBM
from sklearn_rsmi.datasets import make_dimers
from sklearn_rsmi.plotting import plot_filters

quick = os.environ.get("SKLEARN_RSMI_GALLERY_QUICK") == "1"
X = make_dimers(1000 if quick else 2000, 16, noise_coupling=2.0, random_state=0)

rows, cols = np.indices((8, 8))
noise = rows % 2 == cols % 2  # vertex (even, even) and face (odd, odd) cells of a block


def noise_share(weights):
    weights = weights.reshape(len(weights), 8, 8)
    return (weights[:, noise] ** 2).sum() / (weights**2).sum()


# %%
# A Theta-RBM trained by persistent CD on the 8x8 tiles of the images
tiles = X.reshape(len(X), 4, 8, 4, 8).transpose(0, 1, 3, 2, 4).reshape(-1, 64)
rbm = ThetaRBM(n_components=8, n_epochs=20, random_state=0).fit(tiles)
print(f"ThetaRBM, 8 units: {noise_share(rbm.components_):.2f} of the weight on noise sites")

# %%
# RSMI on the same images: 8x8 block, buffer 4, environment 2, two hidden units
cg = RSMICoarseGrainer(n_hidden=2, visible_shape=(8, 8), buffer_width=4, environment_width=2,
                       unit_cell=(2, 2), n_windows=40000 if quick else 80000,
                       objective="variational", learning_rate=0.02,
                       learning_rate_schedule="cosine", random_state=0).fit(X)
print(f"RSMI, 2 filters:   {noise_share(cg.filters_):.3f} of the weight on noise sites")

# %%
# The weights. Noise sites are the checkerboard of (even, even) and (odd, odd) cells; the
# RBM's pair detectors light up one vertex-face pair each, RSMI's filters are the staggered
# electric-field patterns on the links (the dimers' own degrees of freedom).
fig, axes = plt.subplots(2, 5, figsize=(13, 5.5), layout="constrained")
plot_filters(rbm.components_.reshape(8, 8, 8), axes=axes.ravel()[:8], colorbar=False)
plot_filters(cg, axes=axes.ravel()[8:])
for j, ax in enumerate(axes.ravel()[:8]):
    ax.set_title(f"CD-RBM unit {j}\n{noise_share(rbm.components_[j:j + 1]):.2f} on noise",
                 fontsize=9)
for j, ax in enumerate(axes.ravel()[8:]):
    ax.set_title(f"RSMI filter {j}\n{noise_share(cg.filters_[j:j + 1]):.3f} on noise", fontsize=9)
plt.show()
