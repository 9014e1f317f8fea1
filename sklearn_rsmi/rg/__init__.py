"""Iterated real-space renormalization group: pipelines, temperature sweeps, T_c and nu.

One RG step is one fitted coarse-grainer (by default :class:`~sklearn_rsmi.RSMICoarseGrainer`
with a 2x2 block, which halves the linear size; 2x2x2 on cubic lattices). Iterating is a
scikit-learn
:class:`~sklearn.pipeline.Pipeline` of such steps: ``fit_transform`` learns the filters of
step 1 on the samples, coarse-grains them, learns the filters of step 2 on the coarse
samples, and so on, which is the procedure of Koch-Janusz and Ringel (Nature Physics 14,
578 (2018)).

``_pipeline``
    :func:`make_rg_pipeline` and :func:`rg_levels`.
``_sweep``
    :func:`rg_flow_sweep` runs the pipeline at many temperatures of the 2D or 3D Ising model in
    parallel (joblib, so ``joblib.parallel_backend("dask")`` runs it on a Dask cluster).
``_result``
    :class:`RGFlowResult`: per temperature and step, the correlations, the effective
    temperature, the mutual information and the filters.
``_flow_analysis``
    :func:`critical_temperature_from_flow`, :func:`exponent_from_linearized_flow` and
    :func:`exponent_from_collapse`, on plain arrays.
``_operators``, ``_operator_kernels``
    :class:`LatticeOperator`, :func:`default_operators` and :func:`lattice_sums`: products
    of spins summed over a lattice, the couplings of a coarse Hamiltonian.
``_mcrg``
    Monte Carlo RG (Swendsen): :func:`measure_operators` at every level of a fitted
    pipeline, :func:`linearized_rg` for the exponents ``y_t`` and ``y_h`` with jackknife
    errors, and :func:`match_two_lattices` for T_c.
"""

from ._flow_analysis import (
    CriticalTemperatureEstimate,
    ExponentEstimate,
    critical_temperature_from_flow,
    exponent_from_collapse,
    exponent_from_linearized_flow,
)
from ._mcrg import (
    LinearizedRG,
    MCRGEstimate,
    OperatorSums,
    TwoLatticeMatching,
    linearized_rg,
    match_two_lattices,
    measure_operators,
)
from ._operators import LatticeOperator, default_operators, lattice_sums
from ._pipeline import make_rg_pipeline, rg_levels
from ._result import RGFlowResult
from ._sweep import DEFAULT_REFERENCE_TEMPERATURES, rg_flow_sweep

__all__ = [
    "DEFAULT_REFERENCE_TEMPERATURES",
    "CriticalTemperatureEstimate",
    "ExponentEstimate",
    "LatticeOperator",
    "LinearizedRG",
    "MCRGEstimate",
    "OperatorSums",
    "RGFlowResult",
    "TwoLatticeMatching",
    "critical_temperature_from_flow",
    "default_operators",
    "exponent_from_collapse",
    "exponent_from_linearized_flow",
    "lattice_sums",
    "linearized_rg",
    "make_rg_pipeline",
    "match_two_lattices",
    "measure_operators",
    "rg_flow_sweep",
    "rg_levels",
]
