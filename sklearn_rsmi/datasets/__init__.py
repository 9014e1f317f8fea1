"""Monte Carlo samples of lattice models, cached on disk.

``_ising``, ``_ising_kernels``
    The Ising chain and square lattice: Wolff, Swendsen-Wang and checkerboard Metropolis.
``_dimers``, ``_dimer_kernels``
    Fully packed dimers on the torus (worm updates), with optional noise spins, and a
    classification task labeled by their winding.
``_base``
    The data home, the :class:`joblib.Memory` cache over it, and progress lines.

The functions here validate arguments, seed the numba kernels and cache results under
:func:`get_data_home` (moved by the ``SKLEARN_RSMI_DATA`` environment variable).
"""

from ._base import clear_data_home, get_data_home
from ._dimers import make_dimers, make_winding_classification
from ._ising import make_ising

__all__ = [
    "clear_data_home",
    "get_data_home",
    "make_dimers",
    "make_ising",
    "make_winding_classification",
]
