"""numba's thread pool follows n_jobs inside a block and is restored after it."""

import numba
import pytest

from sklearn_rsmi._utils import threads
from sklearn_rsmi._utils.threads import effective_n_threads, numba_threads


@pytest.mark.parametrize("n_jobs, expected", [
    (None, 1),    # scikit-learn's None: one thread unless a joblib context says otherwise
    (1, 1), (3, 3), (8, 8),
    (100, 8),     # capped at numba's pool
    (-1, 6),      # all the machine's cores, within numba's pool
    (-2, 5),      # all but one
    (-6, 1), (-50, 1),  # never fewer than one
])
def test_effective_threads_on_a_machine_of_six_cores_and_a_pool_of_eight(n_jobs, expected,
                                                                          monkeypatch):
    """Fixed machines, so a wrong sign, offset or cap in the translation fails."""
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 6)
    monkeypatch.setattr(threads.numba.config, "NUMBA_NUM_THREADS", 8)
    assert effective_n_threads(n_jobs) == expected


def test_the_pool_follows_n_jobs_inside_the_block_and_is_restored():
    before = numba.get_num_threads()
    with numba_threads(1):
        assert numba.get_num_threads() == 1
    if numba.config.NUMBA_NUM_THREADS >= 2:
        with numba_threads(2):
            assert numba.get_num_threads() == 2
    assert numba.get_num_threads() == before


def test_threads_restored_even_after_an_error():
    before = numba.get_num_threads()
    with pytest.raises(RuntimeError):
        with numba_threads(1):
            assert numba.get_num_threads() == 1
            raise RuntimeError("boom")
    assert numba.get_num_threads() == before
