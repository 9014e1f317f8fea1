"""sklearn-rsmi: real-space mutual information coarse-graining and renormalization group.

Learns the physically relevant degrees of freedom of a lattice system from Monte Carlo
samples (Koch-Janusz & Ringel, Nature Physics 14, 578 (2018)), with scikit-learn estimators.

Estimators
    :class:`RSMICoarseGrainer` learns the filters of one RG step; :class:`ThetaRBM` is the
    Bernoulli RBM that models the data for it; :class:`LatticeFeatures` turns (coarse)
    lattices into the 2D features of ordinary scikit-learn estimators.
Subpackages, in the order of the data's path
    :mod:`sklearn_rsmi.datasets` (Monte Carlo samplers), :mod:`sklearn_rsmi.rbm` (the
    Theta-RBMs), :mod:`sklearn_rsmi.coarse_graining` (windows, objectives, the
    coarse-grainer), :mod:`sklearn_rsmi.rg` (iterated RG, sweeps, T_c and nu) and
    :mod:`sklearn_rsmi.physics` (exact results to check against).
Modules
    :mod:`sklearn_rsmi.plotting` (matplotlib, imported only when called),
    :mod:`sklearn_rsmi.reproduce` (the papers' figures) and :mod:`sklearn_rsmi.cli`
    (the ``rsmi`` command).
"""

from ._utils.numba_cache import use_user_cache_dir

# Before any kernel module is imported (see _utils/numba_cache.py).
use_user_cache_dir()

from .coarse_graining import LatticeFeatures, RSMICoarseGrainer  # noqa: E402
from .rbm import ThetaRBM  # noqa: E402

__version__ = "0.1.0.dev0"

__all__ = ["LatticeFeatures", "RSMICoarseGrainer", "ThetaRBM", "__version__"]
