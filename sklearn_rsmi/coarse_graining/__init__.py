"""RSMI coarse-graining: windows, objectives, the estimator, and lattice features.

``_windows``
    The visible block V, buffer B and environment E of a window, cut with periodic wrap;
    the tiling of a lattice into blocks.
``_theta_rbm_objective``, ``_theta_rbm_kernels``
    The papers' objectives through two Theta-RBMs, and their numba kernels.
``_variational_objective``
    The variational lower bound with a log-linear critic (no Theta-RBMs).
``_optimizers``
    Adam and plain gradient steps, constant or cosine step size.
``_coarse_grainer``
    :class:`RSMICoarseGrainer`, which joins them: windows, the route of its ``objective``,
    the ascent, and the tiling ``transform``.
``_features``
    :class:`LatticeFeatures`, lattices as the 2D features of ordinary estimators.
``_selection``
    :func:`information_per_unit`: how many coarse variables, from the information each adds.
``_majority_rule``
    :class:`MajorityRuleCoarseGrainer`, majority-rule block spins with random ties: the
    classic transformation that learned ones are compared with.
``_blocking``, ``_blocking_kernels``
    The tiling transforms of both coarse-grainers, with noise keyed to each sample.
"""

from ._coarse_grainer import RSMICoarseGrainer
from ._features import LatticeFeatures
from ._majority_rule import MajorityRuleCoarseGrainer
from ._selection import InformationCurve, information_per_unit
from ._windows import WindowGeometry, tile_blocks

__all__ = [
    "InformationCurve",
    "LatticeFeatures",
    "MajorityRuleCoarseGrainer",
    "RSMICoarseGrainer",
    "WindowGeometry",
    "information_per_unit",
    "tile_blocks",
]
