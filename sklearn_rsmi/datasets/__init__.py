"""Monte Carlo samples of lattice models, cached on disk.

``_ising``, ``_ising_kernels``
    The Ising chain, square and simple cubic lattices: Wolff, Swendsen-Wang and checkerboard
    Metropolis.
``_dimers``, ``_dimer_kernels``
    Fully packed dimers on the torus (worm updates), with optional noise spins, and a
    classification task labeled by their winding.
``_autocorrelation``
    Integrated autocorrelation times (Sokal's window) and :class:`SamplerStatistics`, the
    record the samplers return with ``return_statistics=True``.
``_base``
    The data home, the :class:`joblib.Memory` cache over it, and progress lines.

The functions here validate arguments, seed the numba kernels and cache results under
:func:`get_data_home` (moved by the ``SKLEARN_RSMI_DATA`` environment variable).
"""

from ._autocorrelation import (
    AutocorrelationTime,
    ObservableSummary,
    SamplerStatistics,
    integrated_autocorrelation_time,
)
from ._base import clear_data_home, get_data_home
from ._dimers import make_dimers, make_winding_classification
from ._ising import make_ising

__all__ = [
    "AutocorrelationTime",
    "ObservableSummary",
    "SamplerStatistics",
    "clear_data_home",
    "get_data_home",
    "integrated_autocorrelation_time",
    "make_dimers",
    "make_ising",
    "make_winding_classification",
]
