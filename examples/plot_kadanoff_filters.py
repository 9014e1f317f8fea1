"""
Kadanoff's block spin, single spins and boundaries (Fig. 2)
===========================================================

RSMI learns, from Monte Carlo samples of the 2D Ising model at T_c alone, the coarse-graining
that keeps most information about a block's environment. For a 2x2 block and one hidden unit
it finds Kadanoff's block spin: four equal weights of one sign. With four hidden units the
exact objective gives each unit its own spin (Fig. 2b). For larger blocks the weight moves
to the block's boundary, the part that talks to the environment (Fig. 2c-e).

Set ``SKLEARN_RSMI_GALLERY_QUICK=1`` to run at smaller sizes.
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_rsmi import RSMICoarseGrainer
from sklearn_rsmi.datasets import make_ising
from sklearn_rsmi.physics import CRITICAL_TEMPERATURE
from sklearn_rsmi.plotting import plot_filters

quick = os.environ.get("SKLEARN_RSMI_GALLERY_QUICK") == "1"
# Sampling 1,000 lattices of 32x32 takes about a second (and is cached on disk).
X = make_ising(1000, 32, CRITICAL_TEMPERATURE, random_state=0)

# %%
# One hidden unit on a 2x2 block (the papers' Fig. 2a)
kadanoff = RSMICoarseGrainer(n_hidden=1, random_state=0).fit(X)
print(f"I(H:E) = {kadanoff.mutual_information_:.3f} bits")
print(kadanoff.filters_[0] / abs(kadanoff.filters_).max())

# %%
# Four hidden units, exact objective (Fig. 2b): each unit's largest weight on its own spin.
# The exact objective needs its full default budget (1,200 Adam steps) to get there.
per_spin = RSMICoarseGrainer(n_hidden=4, objective="exact", random_state=0).fit(X)
print(f"I(H:E) = {per_spin.mutual_information_:.3f} bits")

# %%
# A 4x4 block (Fig. 2c): the boundary carries the weight. The variational objective shows it
# within seconds (the boundary's mean absolute weight is 3 to 5 times the interior's over
# seeds 0-2 at the quick budget); the Theta-RBM route needs a far larger budget before its
# filter leaves the flat start.
boundary = RSMICoarseGrainer(n_hidden=1, visible_shape=(4, 4), buffer_width=2,
                             environment_width=2, objective="variational",
                             n_windows=10000 if quick else 20000, n_epochs=20 if quick else 30,
                             random_state=0).fit(X)
edge = np.ones((4, 4), dtype=bool)
edge[1:3, 1:3] = False
weights = abs(boundary.filters_[0])
print(f"mean |weight|: boundary {weights[edge].mean():.2f}, interior {weights[~edge].mean():.2f}")

fig, axes = plt.subplots(1, 6, figsize=(15, 3), layout="constrained")
plot_filters(kadanoff, axes=axes[:1], colorbar=False)
plot_filters(per_spin, axes=axes[1:5], colorbar=False)
plot_filters(boundary, axes=axes[5:])
axes[0].set_title("2x2, one hidden unit")
axes[5].set_title("4x4, one hidden unit (variational)")
plt.show()
