"""How a ``random_state`` becomes the seeds the kernels take.

Every draw from a ``random_state`` that seeds something else goes through one of these, so
that the same seed gives the same stream everywhere, whatever asks for it.
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state

_INT32_MAX = np.iinfo(np.int32).max
_INT64_MAX = np.iinfo(np.int64).max


def draw_seed(random_state):
    """An integer seed in ``[0, 2**31 - 1)`` for a sampler, a sub-estimator or a generator.

    ``random_state`` is anything :func:`sklearn.utils.check_random_state` takes; a
    ``RandomState`` advances by one draw.
    """
    return int(check_random_state(random_state).randint(_INT32_MAX))


def draw_keys(random_state, size=None):
    """Random 64-bit keys of the counter-based streams of the kernels (see ``kernels.uniform``).

    Returns one ``numpy.uint64`` when ``size`` is None, else a uint64 array of that size.
    """
    keys = check_random_state(random_state).randint(0, _INT64_MAX, size=size, dtype=np.int64)
    return np.uint64(keys) if size is None else keys.astype(np.uint64)


def as_generator(random_state):
    """A ``numpy.random.Generator`` from None, an int, a RandomState or a Generator."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(draw_seed(random_state))
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.default_rng(random_state)
    raise TypeError(
        f"random_state must be None, an int, a RandomState or a Generator, got {random_state!r}."
    )


def as_seed_sequence(random_state):
    """A ``numpy.random.SeedSequence`` to spawn independent child seeds from.

    None gives fresh entropy; an int ``>= 0`` or a SeedSequence is used as it is (a copy of
    the latter, so spawning does not advance the caller's); a RandomState gives one draw.
    """
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.SeedSequence):
        return np.random.SeedSequence(random_state.entropy)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be >= 0, got {random_state}.")
        return np.random.SeedSequence(int(random_state))
    if isinstance(random_state, np.random.RandomState):
        return np.random.SeedSequence(draw_seed(random_state))
    raise TypeError(
        f"random_state must be None, an int, a SeedSequence or a RandomState, got {random_state!r}."
    )


def seed_of(sequence):
    """A non-negative 32-bit integer seed from a SeedSequence (for samplers and estimators)."""
    return int(sequence.generate_state(1, dtype=np.uint32)[0] >> 1)
