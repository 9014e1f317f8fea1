"""sklearn-rsmi: real-space mutual information coarse-graining and renormalization group.

Learns the physically relevant degrees of freedom of a lattice system from Monte Carlo
samples (Koch-Janusz & Ringel, Nature Physics 14, 578 (2018)), with scikit-learn estimators.

Estimators
    :class:`RSMICoarseGrainer` learns the filters of one RG step; :class:`ThetaRBM` is the
    Bernoulli RBM that models the data for it; :class:`LatticeFeatures` turns (coarse)
    lattices into the 2D features of ordinary scikit-learn estimators.
Modules
    :mod:`sklearn_rsmi.datasets` (Monte Carlo samplers), :mod:`sklearn_rsmi.physics` (exact
    Ising and dimer results), :mod:`sklearn_rsmi.rg` (iterated RG and temperature sweeps),
    :mod:`sklearn_rsmi.plotting` (matplotlib, imported only when called).
"""

from ._coarse_grainer import RSMICoarseGrainer
from ._features import LatticeFeatures
from ._rbm import ThetaRBM

__version__ = "0.1.0.dev0"

__all__ = ["LatticeFeatures", "RSMICoarseGrainer", "ThetaRBM", "__version__"]
