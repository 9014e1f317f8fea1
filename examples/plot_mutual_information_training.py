"""
Mutual information during training (arXiv Fig. 5)
=================================================

The mutual information ``I(H:E)`` between the hidden unit and the environment rises during
training and saturates as the filter becomes Kadanoff's block spin. Its ceiling is one bit
for one hidden unit; at T_c a 2x2 block shares a little over half a bit with its
environment. The number is reported in bits on a fixed subset of training windows after
every epoch (``mutual_information_history_``), so ``tol`` can stop training on saturation.
"""

import os

import matplotlib.pyplot as plt

from sklearn_rsmi import RSMICoarseGrainer
from sklearn_rsmi.datasets import make_ising
from sklearn_rsmi.plotting import plot_mutual_information

quick = os.environ.get("SKLEARN_RSMI_GALLERY_QUICK") == "1"
fig, ax = plt.subplots(figsize=(5, 3.5))
for temperature in (2.0, 2.269, 2.6):
    X = make_ising(400 if quick else 1000, 32, temperature, random_state=0)
    cg = RSMICoarseGrainer(n_hidden=1, n_epochs=10 if quick else 30, learning_rate=0.02,
                           random_state=0).fit(X)
    plot_mutual_information(cg, ax=ax)
    ax.lines[-1].set_label(f"T = {temperature}")
    print(f"T = {temperature}: I(H:E) = {cg.mutual_information_:.3f} bits after "
          f"{cg.n_epochs_} epochs")
ax.legend()
plt.show()
