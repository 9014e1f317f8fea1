"""Exact and reference physics: what the samplers and the RG are checked against.

``_ising``
    Closed forms of the 2D Ising model (Onsager's energy, Yang's magnetization, McCoy and
    Wu's diagonal correlation and correlation lengths) and of the Ising chain.
``_ising_3d``
    Reference values of the simple cubic Ising model (critical point, exponents, Binder
    cumulant, critical energy, each with its source), its high- and low-temperature
    series and the finite-size law of its critical energy.
``_observables``
    Measurements on samples: nearest-neighbor and diagonal correlations, Binder cumulant.
``_effective_temperature``
    The temperature at which a reference curve has a measured correlation.
``_dimers``, ``_integer_polynomials``
    Exact counts of dimer coverings, the electric field and winding numbers of dimer
    images, and what a filter on a dimer block holds.

Conventions: ``J = k_B = 1``, ``K = 1 / T``.
"""

from ._dimers import (
    DIMER_ENTROPY_PER_SITE,
    check_dimer_coverings,
    count_dimer_coverings,
    dimer_block_patterns,
    dimer_filter_shares,
    electric_field,
    noise_weight_share,
    winding_numbers,
)
from ._effective_temperature import effective_temperature
from ._ising import (
    CRITICAL_TEMPERATURE,
    chain_correlation,
    correlation_length,
    diagonal_correlation,
    energy_per_site,
    nearest_neighbor_correlation,
    spontaneous_magnetization,
)
from ._ising_3d import (
    CRITICAL_NN_AMPLITUDE_3D,
    CRITICAL_TEMPERATURE_3D,
    REFERENCE_VALUES_3D,
    ReferenceValue,
    critical_nn_correlation_3d,
    high_temperature_nn_correlation_3d,
    low_temperature_nn_correlation_3d,
)
from ._observables import (
    binder_cumulant,
    measure_diagonal_correlation,
    measure_nearest_neighbor_correlation,
)

__all__ = [
    "CRITICAL_NN_AMPLITUDE_3D",
    "CRITICAL_TEMPERATURE",
    "CRITICAL_TEMPERATURE_3D",
    "DIMER_ENTROPY_PER_SITE",
    "REFERENCE_VALUES_3D",
    "ReferenceValue",
    "binder_cumulant",
    "chain_correlation",
    "check_dimer_coverings",
    "correlation_length",
    "count_dimer_coverings",
    "critical_nn_correlation_3d",
    "diagonal_correlation",
    "dimer_block_patterns",
    "dimer_filter_shares",
    "effective_temperature",
    "electric_field",
    "energy_per_site",
    "high_temperature_nn_correlation_3d",
    "low_temperature_nn_correlation_3d",
    "measure_diagonal_correlation",
    "measure_nearest_neighbor_correlation",
    "nearest_neighbor_correlation",
    "noise_weight_share",
    "spontaneous_magnetization",
    "winding_numbers",
]
