"""Bernoulli restricted Boltzmann machines: the Theta-RBMs that model RSMI's windows.

``_theta_rbm``
    :class:`ThetaRBM`, trained by (persistent) contrastive divergence.
``_partition_function``
    ``log Z`` exact by enumeration, or by annealed importance sampling.
``_parameters``
    The parameters of a fitted RBM and the free energies they define.
``_diagnostics``
    How much of the data's block-environment correlation a joint RBM reproduces.
``_kernels``
    numba kernels: CD epochs, Gibbs sweeps, AIS, pseudo-likelihoods.
"""

from ._diagnostics import block_environment_correlation, canonical_correlations
from ._partition_function import (
    MAX_EXACT_UNITS,
    LogPartitionEstimate,
    ais_log_partition_function,
    exact_log_partition_function,
)
from ._theta_rbm import ThetaRBM

__all__ = [
    "MAX_EXACT_UNITS",
    "LogPartitionEstimate",
    "ThetaRBM",
    "ais_log_partition_function",
    "block_environment_correlation",
    "canonical_correlations",
    "exact_log_partition_function",
]
