"""Cost of the RSMI objective (sklearn_rsmi.coarse_graining._theta_rbm_objective): per call, per epoch, enumerate against Gibbs.

Run: ``python benchmarks/bench_mi.py [--quick]``. Prints medians over repeats. Reference measured in
the same run: the ``log g`` table by plain NumPy broadcasting (``np.logaddexp``), against which the
numba kernel's speed is given as a ratio. Single numba thread unless ``--threads`` is given
(the coarse-grainer's default ``n_jobs=None`` means one thread).

Settings follow the published windows: a Theta-RBM of 64 hidden units on V u E, the V-RBM with
``min(64, max(8, n_visible // 2))`` units (the coarse-grainer's default), batches of 500 rows and
10^4 training rows per epoch (20 calls).
"""

import argparse
import time
from types import SimpleNamespace

import numba
import numpy as np

from sklearn_rsmi.coarse_graining._theta_rbm_objective import ThetaRBMObjective, enumerate_binary_states


def random_rbm(rng, n_features, n_components, scale=0.1):
    return SimpleNamespace(
        components_=scale * rng.standard_normal((n_components, n_features)),
        intercept_visible_=0.1 * rng.standard_normal(n_features),
        intercept_hidden_=0.1 * rng.standard_normal(n_components),
    )


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def setup(rng, n_visible, n_environment, n_hidden, n_rows, joint_components=64, **kwargs):
    rbm_v = random_rbm(rng, n_visible, min(64, max(8, n_visible // 2)))
    rbm_ve = random_rbm(rng, n_visible + n_environment, joint_components)
    objective = ThetaRBMObjective(rbm_v, rbm_ve, n_visible, n_hidden, random_state=0, **kwargs)
    V = (rng.random((n_rows, n_visible)) < 0.5).astype(float)
    E = (rng.random((n_rows, n_environment)) < 0.5).astype(float)
    filters = 0.5 * rng.standard_normal((n_hidden, n_visible))
    bias = np.zeros(n_hidden)
    return objective, rbm_v, rbm_ve, V, E, filters, bias


def numpy_log_g(rbm_v, rbm_ve, V_states, E):
    """Reference: the same table by NumPy broadcasting."""
    n_visible = V_states.shape[1]
    W = rbm_ve.components_
    row = E @ W[:, n_visible:].T + rbm_ve.intercept_hidden_
    state = V_states @ W[:, :n_visible].T
    F_v = -(V_states @ rbm_v.intercept_visible_) - np.logaddexp(
        0, V_states @ rbm_v.components_.T + rbm_v.intercept_hidden_).sum(1)
    soft = np.logaddexp(0, row[:, None, :] + state[None, :, :]).sum(2)
    return soft + (E @ rbm_ve.intercept_visible_[n_visible:])[:, None] + (
        F_v + V_states @ rbm_ve.intercept_visible_[:n_visible])[None, :]


def enumerate_epoch(rng, n_visible, n_rows, batch, repeats, n_hidden=1, n_environment=160):
    objective, rbm_v, rbm_ve, V, E, filters, bias = setup(
        rng, n_visible, n_environment, n_hidden, n_rows, visible_method="enumerate")
    objective.value_and_gradient(filters, bias, V[:2], E[:2])  # compile
    per_call = median_time(lambda: objective.value_and_gradient(filters, bias, V[:batch], E[:batch]),
                           repeats)
    table_time = median_time(lambda: objective.log_g(V[:batch], E[:batch]), repeats)
    table = objective.log_g(V[:batch], E[:batch])
    with_table = median_time(
        lambda: objective.value_and_gradient(filters, bias, V[:batch], E[:batch], log_g=table), repeats)
    with_table_exact = median_time(
        lambda: objective.value_and_gradient(filters, bias, V[:batch], E[:batch], objective="exact",
                                             log_g=table), repeats)
    reference_rows = max(1, min(batch, 2**22 // (2**n_visible * 64)))
    states = enumerate_binary_states(n_visible)
    numba_ref = median_time(lambda: objective.log_g(V[:reference_rows], E[:reference_rows]), repeats)
    numpy_ref = median_time(lambda: numpy_log_g(rbm_v, rbm_ve, states, E[:reference_rows]), repeats)
    calls = n_rows / batch
    print(f"  enumerate |V| = {n_visible:2d} ({2**n_visible} states), n_hidden = {n_hidden}, batch {batch}:")
    print(f"    value_and_gradient per call {per_call * 1e3:9.2f} ms  (log g table alone "
          f"{table_time * 1e3:9.2f} ms; Lambda part with a precomputed table: paper "
          f"{with_table * 1e3:.2f} ms, exact {with_table_exact * 1e3:.2f} ms)")
    print(f"    per epoch of {n_rows} rows: {per_call * calls:8.2f} s recomputing log g, "
          f"{table_time * calls:.2f} s once + {with_table * calls:.3f} s/epoch with the table")
    print(f"    log g kernel vs NumPy broadcasting on {reference_rows} rows: "
          f"{numba_ref * 1e3:.2f} ms vs {numpy_ref * 1e3:.2f} ms (ratio {numpy_ref / numba_ref:.1f}x)")
    return per_call


def gibbs_call(rng, n_visible, n_hidden, batch, repeats, n_environment, label, **kwargs):
    objective, *_, V, E, filters, bias = setup(
        rng, n_visible, n_environment, n_hidden, batch, visible_method="sample", **kwargs)
    objective.value_and_gradient(filters, bias, V, E)  # compile + burn-in
    per_call = median_time(lambda: objective.value_and_gradient(filters, bias, V, E), repeats)
    per_call_exact = median_time(lambda: objective.value_and_gradient(filters, bias, V, E, "exact"),
                                 repeats)
    mi = median_time(lambda: objective.mutual_information(filters, bias, V, E), repeats)
    print(f"  gibbs {label}: |V| = {n_visible}, |E| = {n_environment}, n_hidden = {n_hidden}, batch "
          f"{batch}, {objective.n_gibbs_samples} chains x {objective.n_gibbs_steps} sweeps per H state:")
    print(f"    value_and_gradient {per_call * 1e3:.2f} ms (paper), {per_call_exact * 1e3:.2f} ms "
          f"(exact); mutual_information {mi * 1e3:.2f} ms")
    return per_call


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, skip the 4x4 enumeration")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    numba.set_num_threads(args.threads)
    repeats = 3 if args.quick else 7
    rng = np.random.default_rng(0)
    print(f"numba threads: {numba.get_num_threads()}")
    print("Enumerated V (E of 160 sites, joint RBM of 64 units, 10^4 rows per epoch):")
    enumerate_epoch(rng, 4, 10_000, 500, repeats)
    enumerate_epoch(rng, 4, 10_000, 500, repeats, n_hidden=4)
    enumerate_epoch(rng, 9, 10_000, 500, repeats)
    if not args.quick:
        enumerate_epoch(rng, 16, 10_000, 20, 1)
    print("Gibbs V:")
    gibbs_call(rng, 64, 2, 256, repeats, 320, "8x8 dimers")
    gibbs_call(rng, 64, 2, 500, repeats, 320, "8x8 dimers")
    gibbs_call(rng, 16, 1, 500, repeats, 160, "4x4")
    print("Enumerate against Gibbs per call (batch 500, E 160, n_hidden 2), to place the 'auto' threshold:")
    for n_visible in (6, 8, 10, 12):
        objective, *_, V, E, filters, bias = setup(rng, n_visible, 160, 2, 500, visible_method="enumerate")
        objective.value_and_gradient(filters, bias, V, E)
        t_enum = median_time(lambda: objective.value_and_gradient(filters, bias, V, E), repeats)
        objective, *_, V, E, filters, bias = setup(rng, n_visible, 160, 2, 500, visible_method="sample")
        objective.value_and_gradient(filters, bias, V, E)
        t_gibbs = median_time(lambda: objective.value_and_gradient(filters, bias, V, E), repeats)
        print(f"    |V| = {n_visible:2d}: enumerate {t_enum * 1e3:8.2f} ms, gibbs {t_gibbs * 1e3:8.2f} ms, "
              f"ratio {t_enum / t_gibbs:.2f}")


if __name__ == "__main__":
    main()
