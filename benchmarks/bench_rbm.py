"""ThetaRBM against scikit-learn's BernoulliRBM: time per epoch and held-out log-likelihood.

Both are measured in the same run, in two settings: at the defaults a user gets (no
thread limits set by the caller: BLAS runs as many threads as it likes, ThetaRBM at
``n_jobs=None``), and one thread each (BLAS limited with threadpoolctl around the whole
fit). Same batch size (64), 64 hidden units and one Gibbs step
(ThetaRBM: PCD-1, its default; BernoulliRBM: its PCD-1). Each keeps its own default
learning-rate policy (ThetaRBM 0.1 with momentum 0.5 and linear decay; BernoulliRBM 0.1
constant). Data sets:

(a) critical 2D Ising windows: random 13x13 patches of 32x32 Wolff samples at T_c without
    their central 3x3 sites (160 visible units, the V u E shape of RSMI), 10^4 for
    training and 2,000 held out;
(b) scikit-learn's digits binarized at > 8 (64 visible), 1,500 for training, 297 held out.

Figures: median time per epoch over repeats (wall and CPU; the machine may be shared, CPU
time is the steadier with one thread; at the defaults the speed-up is read from wall time,
since spinning BLAS threads count as CPU time), held-out log-likelihood after the same number of epochs (mean and
range over seeds), and after the same wall-clock budget (the time BernoulliRBM needs for
10 epochs). Log-likelihoods are exact up to log Z, estimated by AIS (100 chains, 10^4
inverse temperatures, from the training data's base-rate model) for both models: the
BernoulliRBM parameters are copied into a ThetaRBM to evaluate them.

Run: ``python benchmarks/bench_rbm.py [--quick]``.
"""

import argparse
import contextlib
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.neural_network import BernoulliRBM
from threadpoolctl import threadpool_limits

from sklearn_rsmi.rbm import ThetaRBM
from sklearn_rsmi.datasets._ising import make_ising

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))


def ising_windows(n_windows, seed, L=32, per_config=10, side=13, hole=3):
    """Random side x side patches of critical Ising samples minus their central hole."""
    n_configs = -(-n_windows // per_config)
    samples = make_ising(n_configs, L, T_C, random_state=seed, cache=False)
    rng = np.random.default_rng(seed)
    keep = np.ones((side, side), dtype=bool)
    first = (side - hole) // 2
    keep[first:first + hole, first:first + hole] = False
    offsets = np.arange(side)
    windows = []
    for config in samples:
        for _ in range(per_config):
            y, x = rng.integers(0, L, size=2)
            windows.append(config[np.ix_((y + offsets) % L, (x + offsets) % L)][keep])
    return ((np.array(windows[:n_windows]) + 1) // 2).astype(np.float64)


def datasets(quick):
    n_train = 3000 if quick else 10_000
    ising_train = ising_windows(n_train, seed=1)
    ising_test = ising_windows(2000, seed=2)
    digits = (load_digits().data > 8).astype(np.float64)
    order = np.random.default_rng(0).permutation(digits.shape[0])
    digits = digits[order]
    return {
        "(a) Ising windows, 160 visible": (ising_train, ising_test),
        "(b) digits > 8, 64 visible": (digits[:1500], digits[1500:]),
    }


def make_theta(n_iter, seed, work_dtype=np.float32):
    rbm = ThetaRBM(n_components=64, batch_size=64, n_epochs=n_iter, random_state=seed)
    rbm._work_dtype = work_dtype  # float32 is the default; float64 for comparison
    return rbm


def make_sklearn(n_iter, seed):
    return BernoulliRBM(n_components=64, batch_size=64, n_iter=n_iter, learning_rate=0.1,
                        random_state=seed)


def timed_fit(model, X):
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(X)
    return model, time.perf_counter() - wall, time.process_time() - cpu


def held_out(model, X_train, X_test):
    """Mean held-out log-likelihood with AIS log Z, for either model class."""
    evaluator = ThetaRBM(n_components=64, n_epochs=0, random_state=0).fit(X_train)
    evaluator.components_ = np.asarray(model.components_, dtype=np.float64)
    evaluator.intercept_visible_ = np.asarray(model.intercept_visible_, dtype=np.float64)
    evaluator.intercept_hidden_ = np.asarray(model.intercept_hidden_, dtype=np.float64)
    estimate = evaluator.estimate_log_partition_function("ais", random_state=0)
    return float(np.mean(-evaluator.free_energy(X_test)) - estimate.log_z), estimate.std_err


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs and repeats")
    args = parser.parse_args()
    n_epochs = 5 if args.quick else 20
    n_seeds = 2 if args.quick else 3
    budget_epochs = 3 if args.quick else 10

    # Compile the kernels outside the timings.
    ThetaRBM(n_components=4, n_epochs=1).fit(np.eye(4))
    make_theta(1, 0, np.float64).fit(np.eye(4))
    settings = {"defaults": contextlib.nullcontext, "one thread": lambda: threadpool_limits(1)}
    rows = []
    for name, (X_train, X_test) in datasets(args.quick).items():
        print(f"\n{name}: train {X_train.shape}, test {X_test.shape}", flush=True)
        contenders = {
            ("defaults", "ThetaRBM"): lambda n, s: make_theta(n, s),
            ("defaults", "BernoulliRBM"): make_sklearn,
            ("one thread", "ThetaRBM"): lambda n, s: make_theta(n, s),
            ("one thread", "ThetaRBM float64 work"): lambda n, s: make_theta(n, s, np.float64),
            ("one thread", "BernoulliRBM"): make_sklearn,
        }
        times = {key: ([], []) for key in contenders}
        scores = {key: [] for key in contenders}
        for seed in range(n_seeds):  # interleaved, so load changes hit every contender
            for key, make in contenders.items():
                with settings[key[0]]():
                    model, wall, cpu = timed_fit(make(n_epochs, seed), X_train)
                times[key][0].append(wall / n_epochs)
                times[key][1].append(cpu / n_epochs)
                with threadpool_limits(1):
                    scores[key].append(held_out(model, X_train, X_test)[0])
        for key, make in contenders.items():
            budget = np.median(times[(key[0], "BernoulliRBM")][0]) * budget_epochs
            epochs = max(1, int(budget / np.median(times[key][0])))
            with settings[key[0]]():
                model, _, _ = timed_fit(make(epochs, 0), X_train)
            with threadpool_limits(1):
                ll_budget = held_out(model, X_train, X_test)[0]
            rows.append((name, key, np.median(times[key][0]), np.median(times[key][1]),
                         scores[key], epochs, ll_budget))
            print(f"  {key[0]}, {key[1]}: done", flush=True)

    with open("/proc/loadavg") as handle:
        load = " ".join(handle.read().split()[:3])
    print(f"\nSame batch size 64, 64 hidden, 1 Gibbs step; {n_epochs} epochs for the same-epoch "
          f"column ({n_seeds} seeds: mean [min, max]); budget = BernoulliRBM's time for "
          f"{budget_epochs} epochs in the same setting; load average at the end: {load}.")
    print("Speed-up = BernoulliRBM / model per epoch in the same setting: wall time at the "
          "defaults, CPU time with one thread.")
    header = (f"{'data':32s} {'setting':10s} {'model':22s} {'ms/epoch wall':>13s} "
              f"{'ms/epoch cpu':>12s} {'speed-up':>8s} {'held-out LL, same epochs':>30s} "
              f"{'epochs in budget':>16s} {'LL in budget':>12s}")
    print(header)
    print("-" * len(header))
    reference = {(name, key[0]): (wall, cpu) for name, key, wall, cpu, *_ in rows
                 if key[1] == "BernoulliRBM"}
    for name, (setting, model), wall, cpu, score_list, epochs, ll_budget in rows:
        ref_wall, ref_cpu = reference[(name, setting)]
        speed_up = ref_wall / wall if setting == "defaults" else ref_cpu / cpu
        same = f"{np.mean(score_list):.2f} [{min(score_list):.2f}, {max(score_list):.2f}]"
        print(f"{name:32s} {setting:10s} {model:22s} {wall * 1e3:13.1f} {cpu * 1e3:12.1f} "
              f"{speed_up:7.2f}x {same:>30s} {epochs:16d} {ll_budget:12.2f}")


if __name__ == "__main__":
    main()
