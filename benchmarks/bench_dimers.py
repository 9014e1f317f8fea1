"""Speed of the dimer sampler: worm steps and worm updates per second, and a dataset's cost.

Run: ``python benchmarks/bench_dimers.py``. One numba thread, medians over repeats after a warm-up
call that compiles everything. References measured in the same run:

- the rate of bare ``np.random.randint`` draws in a numba loop (each worm step draws one), the
  floor a worm step cannot beat;
- for ``make_dimers``, the bare kernel producing the same worms without noise, validation or
  caching, to show the wrapper's overhead.
"""

import time

import numpy as np
from numba import njit

from sklearn_rsmi._utils.threads import numba_threads
from sklearn_rsmi.datasets import _dimer_kernels
from sklearn_rsmi.datasets._dimers import DEFAULT_N_BETWEEN, DEFAULT_N_BURN_IN, make_dimers

N_REPEATS = 5


@njit(cache=True)
def _bare_draws(n, seed):
    np.random.seed(seed)
    total = 0
    for _ in range(n):
        total += np.random.randint(0, 3)
    return total


def _median_time(function, n_repeats=N_REPEATS):
    times = []
    result = None
    for _ in range(n_repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def bench_worms(L, worms_per_site=5.0):
    n_worms = int(worms_per_site * L * L)
    partner = _dimer_kernels.columnar_covering(L)
    neighbors = _dimer_kernels.neighbor_table(L)
    _dimer_kernels.seed_numba(0)
    _dimer_kernels.run_worms(partner, neighbors, 2 * L * L)  # equilibrate (and compile)
    seconds, n_steps = _median_time(lambda: _dimer_kernels.run_worms(partner, neighbors, n_worms))
    return n_worms / seconds, n_steps / seconds, n_steps / n_worms


def bench_draws(n=20_000_000):
    _bare_draws(10, 0)
    seconds, _ = _median_time(lambda: _bare_draws(n, 1))
    return n / seconds


def bench_dataset(n_samples=1000, L=16, noise_coupling=1.0):
    make_dimers(2, L, noise_coupling=noise_coupling, random_state=0, cache=False)  # compile
    seeds = iter(range(1, 10 * N_REPEATS))
    seconds, _ = _median_time(
        lambda: make_dimers(n_samples, L, noise_coupling=noise_coupling,
                            random_state=next(seeds), cache=False)
    )
    n_burn_in = int(np.ceil(DEFAULT_N_BURN_IN * L * L))
    n_between = max(1, int(np.ceil(DEFAULT_N_BETWEEN * L * L)))
    bare, _ = _median_time(
        lambda: _dimer_kernels.sample_dimer_images(L, n_samples, n_burn_in, n_between, 7)
    )
    return seconds, bare


def main():
    with numba_threads(1):
        draws_per_second = bench_draws()
        print(f"reference: bare numba randint draws      {draws_per_second / 1e6:8.1f} M/s")
        for L in (32, 64):
            worms, steps, length = bench_worms(L)
            print(
                f"L = {L:3d}: worm steps {steps / 1e6:6.1f} M/s"
                f" ({steps / draws_per_second:.2f} of the draw rate),"
                f" worm updates {worms / 1e3:7.1f} k/s ({worms / L**2:6.1f} per site per s),"
                f" mean worm length {length:.0f} steps"
            )
        seconds, bare = bench_dataset()
        print(
            f"make_dimers(1000, 16, noise_coupling=1.0): {seconds:.3f} s"
            f" (bare kernel without noise {bare:.3f} s, ratio {seconds / bare:.2f};"
            f" defaults n_burn_in={DEFAULT_N_BURN_IN}, n_between={DEFAULT_N_BETWEEN}"
            " worms per site)"
        )


if __name__ == "__main__":
    main()
