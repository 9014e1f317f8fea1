"""Who owns the cores: numba's thread pool sized from an estimator's ``n_jobs``."""

import contextlib
import os

import numba


def effective_n_threads(n_jobs):
    """Translate scikit-learn's ``n_jobs`` (None, -1, k) to a numba thread count."""
    available = numba.config.NUMBA_NUM_THREADS
    if n_jobs is None:
        return 1
    if n_jobs < 0:
        return max(1, min(available, (os.cpu_count() or 1) + 1 + n_jobs))
    return max(1, min(available, int(n_jobs)))


@contextlib.contextmanager
def numba_threads(n_jobs):
    """Run the block with numba using ``n_jobs`` threads, then restore the old count.

    Under joblib workers (loky, dask) ``n_jobs=None`` keeps numba to one thread per
    worker, so a parallel sweep over temperatures does not oversubscribe the cores.
    """
    previous = numba.get_num_threads()
    numba.set_num_threads(effective_n_threads(n_jobs))
    try:
        yield
    finally:
        numba.set_num_threads(previous)
