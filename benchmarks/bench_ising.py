"""Throughput of the Ising kernels at T_c, L = 128, one core, and the cost of the paper's data set.

Run: ``python benchmarks/bench_ising.py [--repeats 5] [--dataset-samples 5000]``.

Prints, for each algorithm, the median over repeats (after a warm-up that compiles) of
flipped spins per second (Wolff, Swendsen-Wang) or spin-update attempts per second
(checkerboard Metropolis), two references measured in the same run, and the ratios: a
plain-NumPy checkerboard Metropolis, and a memory-bound loop over the same lattice (every
site reads its four neighbors through the same neighbor table and writes itself, no
random numbers: the most a one-site update can cost-free do on this machine), so the
distance to the machine's limit is visible. Then the wall time and peak resident memory of generating the paper's
data set (5,000 decorrelated 128 x 128 samples at T_c, Wolff, default sweeps) in a fresh
process, measured directly, not extrapolated, unless ``--dataset-samples`` asks for fewer.
"""

import argparse
import json
import subprocess
import sys
import time

import numba
import numpy as np
from numba import njit

from sklearn_rsmi.datasets import _ising_kernels as kernels

CRITICAL_TEMPERATURE = 2.0 / np.log(1.0 + np.sqrt(2.0))
L = 128


def numpy_checkerboard_sweeps(spins, K, n_sweeps, rng):
    """Reference: vectorized checkerboard Metropolis with NumPy (float acceptance)."""
    y, x = np.indices(spins.shape)
    sublattices = [(x + y) % 2 == parity for parity in range(2)]
    for _ in range(n_sweeps):
        for mask in sublattices:
            field = (np.roll(spins, 1, 0) + np.roll(spins, -1, 0)
                     + np.roll(spins, 1, 1) + np.roll(spins, -1, 1))
            accept = rng.random(spins.shape) < np.exp(-2.0 * K * spins * field)
            spins[mask & accept] *= -1
    return spins


@njit(cache=True)
def neighbor_sum_sweeps(spins, neighbors, n_sweeps):
    """Reference: per site, read the four neighbors via the table and write the site."""
    n_sites = spins.shape[0]
    total = 0
    for _ in range(n_sweeps):
        for i in range(n_sites):
            h = (spins[neighbors[i, 0]] + spins[neighbors[i, 1]] + spins[neighbors[i, 2]]
                 + spins[neighbors[i, 3]])
            spins[i] = -spins[i] if h == 0 else spins[i]
            total += h
    return total


def median_rate(run, repeats):
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        count = run()
        rates.append(count / (time.perf_counter() - start))
    return float(np.median(rates)), float(np.min(rates)), float(np.max(rates))


def kernel_rates(repeats):
    K = 1.0 / CRITICAL_TEMPERATURE
    kernels.seed_numba(12345)
    neighbors = kernels.neighbor_table(L, 2)
    n_sites = L * L
    threshold = kernels.probability_threshold(-np.expm1(-2.0 * K))
    stack = np.empty(n_sites, dtype=np.int32)
    parent = np.empty(n_sites, dtype=np.int32)
    flip = np.zeros(n_sites, dtype=np.int8)
    acceptance = kernels.acceptance_table(K, 2)

    spins = kernels.hot_start(n_sites)
    rng = kernels.splitmix_state(12345)
    kernels.wolff_sweeps(spins, neighbors, threshold, 200, stack, rng)  # compile and equilibrate
    _, n_clusters = kernels.wolff_sweeps(spins, neighbors, threshold, 50, stack, rng)
    results = {}
    results["wolff (flipped spins/s)"] = median_rate(
        lambda: kernels.wolff_updates(spins, neighbors, threshold, n_clusters, stack, rng),
        repeats)

    def branching_wolff():
        return sum(kernels.wolff_update_branching(spins, neighbors, threshold, stack)
                   for _ in range(n_clusters))

    branching_wolff()
    results["wolff, branching kernel on numba's generator (flipped spins/s)"] = median_rate(
        branching_wolff, repeats)
    kernels.swendsen_wang_sweeps(spins, neighbors, threshold, 5, parent, flip)
    results["swendsen-wang (flipped spins/s)"] = median_rate(
        lambda: kernels.swendsen_wang_sweeps(spins, neighbors, threshold, 50, parent, flip),
        repeats)
    results["swendsen-wang (site updates/s)"] = median_rate(
        lambda: (kernels.swendsen_wang_sweeps(spins, neighbors, threshold, 50, parent, flip),
                 50 * n_sites)[1], repeats)
    lattice = spins.reshape(L, L)
    kernels.metropolis_sweeps_2d(lattice, acceptance, 10)
    results["metropolis (spin updates/s)"] = median_rate(
        lambda: (kernels.metropolis_sweeps_2d(lattice, acceptance, 500), 500 * n_sites)[1],
        repeats)
    rng = np.random.default_rng(0)
    reference = lattice.copy()
    numpy_checkerboard_sweeps(reference, K, 2, rng)
    results["numpy checkerboard metropolis (spin updates/s)"] = median_rate(
        lambda: (numpy_checkerboard_sweeps(reference, K, 20, rng), 20 * n_sites)[1], repeats)
    loop = spins.copy()
    neighbor_sum_sweeps(loop, neighbors, 2)
    results["memory-bound neighbor loop (site visits/s)"] = median_rate(
        lambda: (neighbor_sum_sweeps(loop, neighbors, 500), 500 * n_sites)[1], repeats)
    return results


_DATASET_SCRIPT = """
import json, resource, sys, time
import numpy as np
from sklearn_rsmi.datasets._ising import make_ising, default_sweeps
n = int(sys.argv[1])
make_ising(2, 16, 2.5, random_state=0, cache=False)  # load the compiled kernels
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
X, stats = make_ising(n, 128, 2.0 / np.log(1 + np.sqrt(2)), random_state=0, cache=False,
                      return_statistics=True)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(wall=wall, base_kib=base, peak_kib=peak, nbytes=X.nbytes,
                      burn_in=default_sweeps(128, 2.269185314213022)[0],
                      between=stats.n_between, calibration=stats.n_calibration,
                      tau={k: [v.tau_int, v.error] for k, v in
                           stats.autocorrelation_times.items()},
                      ess={k: v.effective_sample_size for k, v in stats.observables.items()})))
"""


def dataset_cost(n_samples):
    out = subprocess.run([sys.executable, "-c", _DATASET_SCRIPT, str(n_samples)],
                         capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "NUMBA_NUM_THREADS": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dataset-samples", type=int, default=5000)
    args = parser.parse_args()
    numba.set_num_threads(1)

    print(f"Ising kernels at T_c, L = {L}, one thread; median [min, max] over {args.repeats}"
          " repeats after warm-up")
    results = kernel_rates(args.repeats)
    for name, (median, low, high) in results.items():
        print(f"  {name:48s} {median:10.3e}  [{low:.3e}, {high:.3e}]")
    ratio = (results["metropolis (spin updates/s)"][0]
             / results["numpy checkerboard metropolis (spin updates/s)"][0])
    print(f"  numba / numpy checkerboard Metropolis: {ratio:.1f}x")
    limit = results["memory-bound neighbor loop (site visits/s)"][0]
    for name in ("wolff (flipped spins/s)", "swendsen-wang (flipped spins/s)",
                 "swendsen-wang (site updates/s)", "metropolis (spin updates/s)"):
        print(f"  {name} / memory-bound loop: {results[name][0] / limit:.3f}")
    with open("/proc/loadavg") as handle:
        print(f"  load average: {' '.join(handle.read().split()[:3])}")

    n = args.dataset_samples
    cost = dataset_cost(n)
    print(f"\nData set: {n} samples of 128 x 128 at T_c, Wolff, defaults (n_burn_in="
          f"{cost['burn_in']}, n_between='auto': {cost['between']:.2f} sweeps after "
          f"{cost['calibration']} sweeps of calibration), fresh process, one thread")
    for name, (tau, error) in cost["tau"].items():
        print(f"  tau_int({name}) = {tau:.2f} +- {error:.2f} sweeps; effective sample size "
              f"{cost['ess'][name]:.0f} of {n}")
    print(f"  wall time        {cost['wall']:.1f} s")
    print(f"  output array     {cost['nbytes'] / 2**20:.1f} MiB")
    print(f"  peak RSS         {cost['peak_kib'] / 1024:.1f} MiB "
          f"(+{(cost['peak_kib'] - cost['base_kib']) / 1024:.1f} MiB over the process after import)")
    if n != 5000:
        print(f"  extrapolated to 5000 samples: {cost['wall'] * 5000 / n:.1f} s")


if __name__ == "__main__":
    main()
