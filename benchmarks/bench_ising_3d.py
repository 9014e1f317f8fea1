"""The 3D Ising samplers next to the 2D ones: throughput, autocorrelation times, data-set cost.

Run: ``python benchmarks/bench_ising_3d.py [--repeats 7] [--skip-autocorrelation]``.

1. Throughput, one thread, at each model's T_c: flipped spins per second of Wolff and
   Swendsen-Wang and spin-update attempts per second of checkerboard Metropolis, on the 2D
   lattice of ``bench_ising.py`` (128 x 128) and on 32^3 and 64^3 cubic lattices (32,768 and
   262,144 sites). Medians over repeats, the cases interleaved so that load on a shared
   machine hits them alike; the 3D/2D ratio is the figure of merit. The 3D cluster kernels
   draw one random number per neighbor test and join without a branch; the branching
   kernels that 1D and 2D use are measured on the cubic lattices too, as the reference.
2. Integrated autocorrelation times at T_c (in sweeps, as make_ising counts them) of the
   energy and of |m|, for L = 8 ... 64, by Sokal's self-consistent window (c = 6), from
   chains of thousands of sweeps: the numbers behind make_ising's 3D defaults.
3. The cost of a data set: 1,000 samples of 32^3 at T_c with the defaults, fresh process.
4. With ``--critical-point``: <s s>_nn and the Binder cumulant at T_c for L = 6 ... 32
   (Wolff, 40,000 to 4,000 samples, 3 sweeps apart), and the fit of
   <s s>_nn(L) = c_inf + A L^(1/nu - 3) behind sklearn_rsmi.physics.CRITICAL_NN_AMPLITUDE_3D
   (several minutes).
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numba
import numpy as np

from sklearn_rsmi.datasets import _ising_kernels as kernels
from sklearn_rsmi.physics import CRITICAL_TEMPERATURE, CRITICAL_TEMPERATURE_3D


# ---------------------------------------------------------------------------
# 1. throughput


def _chain(L, dimension, temperature, seed=12345):
    K = 1.0 / temperature
    kernels.seed_numba(seed)
    neighbors = kernels.neighbor_table(L, dimension)
    n_sites = neighbors.shape[0]
    threshold = kernels.probability_threshold(-np.expm1(-2.0 * K))
    spins = kernels.hot_start(n_sites)
    stack = np.empty(n_sites, dtype=np.int32)
    rng = kernels.splitmix_state(seed)
    parent = np.empty(n_sites, dtype=np.int32)
    flip = np.zeros(n_sites, dtype=np.int8)
    kernels.wolff_sweeps(spins, neighbors, threshold, 100, stack, rng)
    _, n_clusters = kernels.wolff_sweeps(spins, neighbors, threshold, 10, stack, rng)
    acceptance = kernels.acceptance_table(K, dimension)
    return dict(L=L, dimension=dimension, spins=spins, neighbors=neighbors, threshold=threshold,
                stack=stack, rng=rng, parent=parent, flip=flip,
                n_clusters=max(1, n_clusters // 10),
                acceptance=acceptance, n_sites=n_sites)


def _branching_wolff(c, n_clusters):
    flipped = 0
    for _ in range(n_clusters):
        flipped += kernels.wolff_update_branching(c["spins"], c["neighbors"], c["threshold"],
                                                  c["stack"])
    return flipped


def _branching_swendsen_wang(c, n_sweeps):
    flipped = 0
    for _ in range(n_sweeps):
        flipped += kernels.swendsen_wang_update(c["spins"], c["neighbors"], c["threshold"],
                                                c["parent"], c["flip"])
    return flipped


def _timed(run):
    start = time.perf_counter()
    count = run()
    return count / (time.perf_counter() - start)


def throughput(repeats):
    chains = {
        "2D 128^2": _chain(128, 2, CRITICAL_TEMPERATURE),
        "3D 32^3": _chain(32, 3, CRITICAL_TEMPERATURE_3D),
        "3D 64^3": _chain(64, 3, CRITICAL_TEMPERATURE_3D),
    }
    sweeps_per_run = 5  # about 5 sweeps' worth of flips per timed run
    runs = {}
    for name, c in chains.items():
        n_sites, L, d = c["n_sites"], c["L"], c["dimension"]
        runs[(name, "wolff")] = lambda c=c: kernels.wolff_updates(
            c["spins"], c["neighbors"], c["threshold"], sweeps_per_run * c["n_clusters"],
            c["stack"], c["rng"])
        runs[(name, "swendsen-wang")] = lambda c=c: kernels.swendsen_wang_sweeps(
            c["spins"], c["neighbors"], c["threshold"], sweeps_per_run, c["parent"], c["flip"])
        runs[(name, "metropolis (attempts)")] = lambda c=c, n=n_sites, L=L, d=d: (
            kernels.metropolis_sweeps(c["spins"], c["acceptance"], L, d, 4 * sweeps_per_run),
            4 * sweeps_per_run * n)[1]
        if d == 3:
            runs[(name, "wolff, branching kernel")] = lambda c=c: _branching_wolff(
                c, sweeps_per_run * c["n_clusters"])
            runs[(name, "swendsen-wang, branching kernel")] = lambda c=c: _branching_swendsen_wang(
                c, sweeps_per_run)
    for run in runs.values():  # compile
        run()
    rates = {key: [] for key in runs}
    for _ in range(repeats):
        for key, run in runs.items():
            rates[key].append(_timed(run))
    return {key: float(np.median(values)) for key, values in rates.items()}


# ---------------------------------------------------------------------------
# 2. autocorrelation


def integrated_autocorrelation_time(x, c=6.0):
    """Sokal's estimate: tau = 1/2 + sum_{t=1}^{W} rho(t), W the first window >= c tau."""
    x = np.asarray(x, dtype=np.float64) - np.mean(x)
    n = x.size
    spectrum = np.fft.rfft(x, 2 * n)
    acf = np.fft.irfft(spectrum * np.conj(spectrum))[:n]
    rho = acf / acf[0]
    tau = 0.5
    for window in range(1, n):
        tau += rho[window]
        if window >= c * tau:
            break
    error = tau * np.sqrt(2.0 * (2 * window + 1) / n)  # Madras & Sokal
    return float(tau), float(error)


def _observables(chunk, L, dimension):
    lattice = chunk.reshape((chunk.shape[0],) + (L,) * dimension).astype(np.int64)
    axes = tuple(range(1, dimension + 1))
    energy = sum((lattice * np.roll(lattice, -1, axis=a)).sum(axis=axes) for a in axes)
    magnetization = np.abs(lattice.sum(axis=axes)) / L**dimension
    return energy / (dimension * L**dimension), magnetization


def autocorrelation(L, dimension, algorithm, n_sweeps, temperature, seed=1):
    start, record = {
        "wolff": (kernels.start_wolff, kernels.record_wolff),
        "swendsen-wang": (kernels.start_swendsen_wang, kernels.record_swendsen_wang),
        "metropolis": (kernels.start_metropolis, kernels.record_metropolis),
    }[algorithm]
    calibration = 100
    state = start(L, dimension, 1.0 / temperature, 200, calibration, seed)
    if algorithm == "wolff":
        # One sweep of cluster updates, from the mean cluster size over 100 sweeps: one
        # sweep's worth of clusters measures it to a few tens of percent only.
        spins, neighbors, threshold, n_clusters, stack, rng = state
        state = (spins, neighbors, threshold, max(1, round(n_clusters / calibration)), stack, rng)
    elif algorithm == "swendsen-wang":  # (spins, neighbors, threshold, n_between, parent, flip)
        state = state[:3] + (1,) + state[4:]
    else:  # (spins, acceptance, L, dimension, n_between)
        state = state[:4] + (1,)
    # Rows start at 1: record advances the chain n_between = 1 sweep before every row but
    # row 0, which Swendsen-Wang and Metropolis fill with the current state.
    out = np.empty((201, L**dimension), dtype=np.int8)
    energies, magnetizations = [], []
    done = 0
    while done < n_sweeps:
        size = min(200, n_sweeps - done)
        record(*state, out, 1, size + 1)
        e, m = _observables(out[1 : size + 1], L, dimension)
        energies.append(e)
        magnetizations.append(m)
        done += size
    energies, magnetizations = np.concatenate(energies), np.concatenate(magnetizations)
    return (integrated_autocorrelation_time(energies),
            integrated_autocorrelation_time(magnetizations))


# ---------------------------------------------------------------------------
# 3. data-set cost

_DATASET_SCRIPT = """
import json, resource, sys, time
from sklearn_rsmi.datasets import make_ising
from sklearn_rsmi.datasets._ising import default_sweeps
from sklearn_rsmi.physics import CRITICAL_TEMPERATURE_3D as T
n, L = int(sys.argv[1]), int(sys.argv[2])
make_ising(2, 8, 4.0, dimension=3, random_state=0, cache=False)  # load the compiled kernels
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
X = make_ising(n, L, T, dimension=3, random_state=0, cache=False)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(wall=wall, base_kib=base, peak_kib=peak, nbytes=X.nbytes,
                      sweeps=default_sweeps(L, T, dimension=3))))
"""


def dataset_cost(n_samples, L):
    out = subprocess.run([sys.executable, "-c", _DATASET_SCRIPT, str(n_samples), str(L)],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "NUMBA_NUM_THREADS": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------
# 4. the critical point


def critical_point(plan=((6, 40000), (8, 40000), (12, 20000), (16, 20000), (24, 8000),
                         (32, 4000))):
    from sklearn_rsmi.datasets import make_ising
    from sklearn_rsmi.physics import REFERENCE_VALUES_3D, measure_nearest_neighbor_correlation

    rows = []
    for L, n in plan:
        X = make_ising(n, L, CRITICAL_TEMPERATURE_3D, dimension=3, n_between=3, n_burn_in=200,
                       random_state=100 + L, cache=False)
        nn = measure_nearest_neighbor_correlation(X)
        batches = nn[: n // 20 * 20].reshape(20, -1).mean(axis=1)
        m = np.abs(X.reshape(n, -1).mean(axis=1, dtype=np.float64))
        binder = 1 - np.mean(m**4) / (3 * np.mean(m**2) ** 2)
        rows.append((L, nn.mean(), batches.std(ddof=1) / np.sqrt(20), binder))
        print(f"  L = {L:2d} ({n} samples): <s s>_nn = {nn.mean():.5f} +- {rows[-1][2]:.5f}, "
              f"U4 = {binder:.4f}", flush=True)
        del X
    L, c, dc, _ = map(np.array, zip(*rows))
    exponent = 1 / REFERENCE_VALUES_3D["nu"].value - 3
    bulk = REFERENCE_VALUES_3D["nn_correlation_at_critical_point"].value
    design = np.column_stack([np.ones_like(c), L**exponent]) / dc[:, None]
    (c_inf, amplitude), *_ = np.linalg.lstsq(design, c / dc, rcond=None)
    cov = np.linalg.inv(design.T @ design)
    chi2 = np.sum((design @ [c_inf, amplitude] - c / dc) ** 2) / (L.size - 2)
    print(f"  fit with c_inf free: c_inf = {c_inf:.5f} +- {cov[0, 0] ** 0.5:.5f}, "
          f"A = {amplitude:.4f} +- {cov[1, 1] ** 0.5:.4f}, chi2/dof = {chi2:.2f}")
    x, y, sigma = L**exponent, c - bulk, dc
    fixed = np.sum(x * y / sigma**2) / np.sum(x**2 / sigma**2)
    print(f"  fit with c_inf = {bulk}: A = {fixed:.4f} +- {np.sum(x**2 / sigma**2) ** -0.5:.4f}, "
          f"chi2/dof = {np.sum(((y - fixed * x) / sigma) ** 2) / (L.size - 1):.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--skip-autocorrelation", action="store_true")
    parser.add_argument("--dataset-samples", type=int, default=1000)
    parser.add_argument("--critical-point", action="store_true",
                        help="also measure <s s>_nn and U4 at T_c for L = 6 ... 32 (minutes)")
    args = parser.parse_args()
    numba.set_num_threads(1)
    with open("/proc/loadavg") as handle:
        print(f"load average before: {handle.read().split()[:3]}")

    print(f"\n1. Throughput at T_c, one thread, median of {args.repeats} interleaved repeats")
    rates = throughput(args.repeats)
    for (lattice, algorithm), rate in rates.items():
        print(f"  {lattice:9s} {algorithm:34s} {rate:10.3e} /s")
    for algorithm in ("wolff", "swendsen-wang", "metropolis (attempts)"):
        reference = rates[("2D 128^2", algorithm)]
        ratios = ", ".join(f"{lattice} {rates[(lattice, algorithm)] / reference:.2f}"
                           for lattice in ("3D 32^3", "3D 64^3"))
        print(f"  3D / 2D per spin, {algorithm}: {ratios}")
    for algorithm in ("wolff", "swendsen-wang"):
        branching = algorithm + ", branching kernel"
        gains = ", ".join(
            f"{lattice} {rates[(lattice, algorithm)] / rates[(lattice, branching)]:.2f}"
            for lattice in ("3D 32^3", "3D 64^3"))
        print(f"  unbranched / branching kernel, {algorithm}: {gains}")

    if not args.skip_autocorrelation:
        print("\n2. Integrated autocorrelation times at T_c (sweeps), Sokal window c = 6")
        plan = [("wolff", 8, 20000), ("wolff", 16, 20000), ("wolff", 32, 8000),
                ("wolff", 64, 2000), ("swendsen-wang", 8, 20000), ("swendsen-wang", 16, 20000),
                ("swendsen-wang", 32, 8000), ("swendsen-wang", 64, 2000),
                ("metropolis", 8, 40000), ("metropolis", 16, 40000)]
        for algorithm, L, n_sweeps in plan:
            start = time.perf_counter()
            (tau_e, err_e), (tau_m, err_m) = autocorrelation(L, 3, algorithm, n_sweeps,
                                                             CRITICAL_TEMPERATURE_3D)
            print(f"  {algorithm:14s} L = {L:3d} ({n_sweeps} sweeps, "
                  f"{time.perf_counter() - start:5.0f} s): tau(E) = {tau_e:6.2f} +- {err_e:.2f}, "
                  f"tau(|m|) = {tau_m:6.2f} +- {err_m:.2f}")

    n = args.dataset_samples
    cost = dataset_cost(n, 32)
    burn_in, between = cost["sweeps"]
    print(f"\n3. Data set: {n} samples of 32^3 at T_c, Wolff, n_burn_in={burn_in}, "
          f"n_between={between} sweeps, fresh process, one thread")
    print(f"  wall time        {cost['wall']:.1f} s")
    print(f"  output array     {cost['nbytes'] / 2**20:.1f} MiB")
    print(f"  peak RSS         {cost['peak_kib'] / 1024:.1f} MiB "
          f"(+{(cost['peak_kib'] - cost['base_kib']) / 1024:.1f} MiB over the process after "
          "import)")
    if args.critical_point:
        print("\n4. The critical point: finite-size <s s>_nn and Binder cumulant at T_c")
        critical_point()
    with open("/proc/loadavg") as handle:
        print(f"load average after: {handle.read().split()[:3]}")


if __name__ == "__main__":
    main()
