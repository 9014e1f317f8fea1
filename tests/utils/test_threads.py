"""numba's thread pool follows n_jobs inside a block and is restored after it."""

import os

import numba
import pytest

from sklearn_rsmi._utils.threads import effective_n_threads, numba_threads


@pytest.mark.parametrize("n_jobs, expected", [(None, 1), (1, 1), (10**6, None), (-1, None)])
def test_effective_threads(n_jobs, expected):
    available = numba.config.NUMBA_NUM_THREADS
    if expected is None:
        expected = available if n_jobs > 0 else max(1, min(available, os.cpu_count() or 1))
    assert effective_n_threads(n_jobs) == expected


def test_threads_restored_even_after_an_error():
    before = numba.get_num_threads()
    with pytest.raises(RuntimeError):
        with numba_threads(1):
            assert numba.get_num_threads() == 1
            raise RuntimeError("boom")
    assert numba.get_num_threads() == before
