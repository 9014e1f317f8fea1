"""Speed of the dimer sampler: worm steps and worm updates per second, and a dataset's cost.

Run: ``python benchmarks/bench_dimers.py``. One numba thread, medians over repeats after a warm-up
call that compiles everything. References measured in the same run:

- the rate of bare ``np.random.randint`` draws in a numba loop (each worm step draws one), the
  floor a worm step cannot beat;
- a memory-bound loop over the same lattice: every site reads its partner's direction and
  follows the neighbor table, as a worm step does, without random numbers (steps per second
  of a loop that does nothing else: the machine's limit for this access pattern);
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


@njit(cache=True)
def _neighbor_walk(partner_direction, neighbors, n_sweeps):
    """Reference: per site, look up the partner's direction and step through the table."""
    total = 0
    n_sites = partner_direction.shape[0]
    for _ in range(n_sweeps):
        for site in range(n_sites):
            d = np.int64(partner_direction[site]) & 3
            total += neighbors[neighbors[site, d], (d + 1) & 3]
    return total


def bench_neighbor_walk(L, n_sweeps=200):
    partner = _dimer_kernels.columnar_covering(L)
    neighbors = _dimer_kernels.neighbor_table(L)
    _neighbor_walk(partner, neighbors, 1)
    seconds, _ = _median_time(lambda: _neighbor_walk(partner, neighbors, n_sweeps))
    return n_sweeps * L * L / seconds


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
            walk = bench_neighbor_walk(L)
            print(
                f"L = {L:3d}: worm steps {steps / 1e6:6.1f} M/s"
                f" ({steps / draws_per_second:.2f} of the draw rate,"
                f" {steps / walk:.3f} of the memory-bound loop's {walk / 1e6:.0f} M/s),"
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
        _, stats = make_dimers(1000, 16, n_between="auto", random_state=1, cache=False,
                               return_statistics=True)
        taus = ", ".join(f"tau_int({k}) = {v.tau_int:.3f} +- {v.error:.3f}"
                         for k, v in stats.autocorrelation_times.items())
        print(f"n_between='auto' at L = 16: {taus} worms per site; samples "
              f"{stats.n_between:.3f} worms per site apart; effective sample size "
              f"{stats.effective_sample_size:.0f} of 1000")
    with open("/proc/loadavg") as handle:
        print(f"load average: {' '.join(handle.read().split()[:3])}")


if __name__ == "__main__":
    main()
