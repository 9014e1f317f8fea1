"""Monte Carlo samples of lattice models, cached on disk.

The samplers are numba kernels (``_ising_kernels``, ``_dimer_kernels``); the functions here
validate arguments, seed the kernels and cache results with :class:`joblib.Memory` under
:func:`get_data_home` (moved by the ``SKLEARN_RSMI_DATA`` environment variable).
"""

from ._base import clear_data_home, get_data_home
from ._dimers import (
    check_dimer_coverings,
    electric_field,
    make_dimers,
    make_winding_classification,
    winding_numbers,
)
from ._ising import make_ising

__all__ = [
    "check_dimer_coverings",
    "clear_data_home",
    "electric_field",
    "get_data_home",
    "make_dimers",
    "make_ising",
    "make_winding_classification",
    "winding_numbers",
]
