"""Small pieces every subpackage shares, each written once.

``validation``
    Value conventions (spins or occupations), the one binary check, and argument checks.
``seeding``
    How a ``random_state`` becomes an integer seed, a 64-bit key or a generator.
``numerics``
    NumPy softplus, log-sigmoid and the enumeration of binary states.
``kernels``
    The numba versions of those scalars, and the counter-based uniform of the kernels.
``files``
    Files written whole or not at all.
``threads``
    numba's thread pool sized from ``n_jobs``.
"""
