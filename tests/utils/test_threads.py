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


def _blas_counts():
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture
def two_blas_threads():
    """Every BLAS library at two threads for the test (skipped where BLAS has one)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(2, user_api="blas"):
        if not _blas_counts() or min(_blas_counts()) < 2:
            pytest.skip("this BLAS runs a single thread")
        yield


def test_blas_capped_inside_the_block_and_restored(two_blas_threads):
    with threads.blas_threads(1):
        assert _blas_counts() == [1] * len(_blas_counts())
        assert threads.current_blas_threads() == 1
    assert min(_blas_counts()) == 2
    with threads.blas_threads(5):  # a cap above the pool changes nothing
        assert min(_blas_counts()) == 2


def test_blas_cap_never_raises_the_callers_limit(two_blas_threads):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        with threads.blas_threads(2), threads.cpu_threads(2):
            assert max(_blas_counts()) == 1
        assert max(_blas_counts()) == 1


def test_blas_restored_even_after_an_error(two_blas_threads):
    with pytest.raises(RuntimeError):
        with threads.blas_threads(1):
            raise RuntimeError("boom")
    assert min(_blas_counts()) == 2


def test_cpu_threads_sizes_both_pools_from_n_jobs(two_blas_threads):
    with threads.cpu_threads(None):
        assert numba.get_num_threads() == 1
        assert max(_blas_counts()) == 1
    if numba.config.NUMBA_NUM_THREADS >= 2:
        with threads.cpu_threads(2):
            assert numba.get_num_threads() == 2
            assert min(_blas_counts()) == 2
