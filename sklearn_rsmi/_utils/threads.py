"""Who owns the cores: numba's thread pool and BLAS's, both sized from an estimator's ``n_jobs``.

The package runs numba kernels and numpy/BLAS products side by side, often a BLAS call
inside a numba loop. Left alone, the two pools fight: OpenBLAS (or MKL) starts its own
threads for every product above a few hundred thousand flops, so a serial numba loop
over mini-batches of 64 rows hands each small GEMM to two threads that spin, wake and
synchronize hundreds of times a second, and a loaded machine makes it far worse (ThetaRBM
trained 3-7x slower per epoch on the 2-core development machine). So every entry point
that runs numba kernels decides for both pools:

- :func:`numba_threads` sizes numba's pool from ``n_jobs`` (None means one thread);
- :func:`blas_threads` caps BLAS, with threadpoolctl: at one thread around kernels that
  call it on small matrices (training mini-batches, Gibbs chains, AIS blocks, which may
  also run inside numba's parallel regions), at the same count as numba around products
  over whole data sets;
- :func:`cpu_threads` does both with one count.

The caps only ever lower the number of BLAS threads: a limit the caller set (for example
``threadpoolctl.threadpool_limits(1)`` around a joblib worker) stays in force. Under
joblib workers the estimators get ``n_jobs=None`` (or 1), hence one thread each.
"""

import contextlib
import os

import numba
from threadpoolctl import ThreadpoolController

_controller = None


def _blas_controller():
    """The BLAS libraries loaded in this process (numpy's and scipy's), found once.

    Looking them up costs milliseconds, so it is done at the first call and reused;
    limiting through the controller then costs microseconds.
    """
    global _controller
    if _controller is None:
        import scipy.linalg  # noqa: F401  (loads scipy's BLAS, which numba's np.dot calls)

        _controller = ThreadpoolController().select(user_api="blas")
    return _controller


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


def current_blas_threads():
    """The largest thread count of the loaded BLAS libraries (1 when there are none)."""
    return max((lib.num_threads for lib in _blas_controller().lib_controllers), default=1)


@contextlib.contextmanager
def blas_threads(n_threads=1):
    """Run the block with every BLAS library capped at ``n_threads`` threads, then restore.

    A library already limited below ``n_threads`` keeps its limit.
    """
    controller = _blas_controller()
    counts = [lib.num_threads for lib in controller.lib_controllers]
    if not counts or max(counts) <= n_threads:
        yield
        return
    with controller.limit(limits=max(1, min(int(n_threads), *counts))):
        yield


@contextlib.contextmanager
def cpu_threads(n_jobs):
    """numba with ``effective_n_threads(n_jobs)`` threads and BLAS capped at the same count."""
    with numba_threads(n_jobs), blas_threads(effective_n_threads(n_jobs)):
        yield
