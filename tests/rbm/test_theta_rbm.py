"""ThetaRBM against brute-force enumeration and exact sampling; its scikit-learn contract.

Expected values come from independent numpy code in this module (joint-state enumeration,
exact sampling by enumeration), never from the code under test."""

import pickle
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import expit
from sklearn.base import clone

from sklearn_rsmi.rbm import (
    ThetaRBM,
    exact_log_partition_function,
)
from tests._helpers import all_states, brute_force, random_rbm, rbm_with

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))


def ising_blocks(n_samples=300, L=16, seed=0):
    """2x2 blocks (flattened, spins) of 2D Ising samples at T_c, all block positions."""
    from sklearn_rsmi.datasets._ising import make_ising

    X = make_ising(n_samples, L, T_C, random_state=seed, cache=False)
    blocks = X.reshape(n_samples, L // 2, 2, L // 2, 2).transpose(0, 1, 3, 2, 4)
    return blocks.reshape(-1, 4)


def distribution_of(rows):
    """Empirical distribution over the 2**n binary states (bit i = column i)."""
    rows = (np.asarray(rows) > 0).astype(np.int64)
    codes = rows @ (1 << np.arange(rows.shape[1]))
    return np.bincount(codes, minlength=2 ** rows.shape[1]) / rows.shape[0]


@pytest.fixture(scope="module")
def critical_blocks():
    return ising_blocks()


@pytest.fixture(scope="module")
def binary_data():
    rng = np.random.default_rng(8)
    return (rng.random((300, 10)) < 0.3).astype(float)


def test_free_energy_matches_marginal_and_numpy_formula():
    rng = np.random.default_rng(3)
    W, a, c = random_rbm(rng, 6, 4, scale=2.0)
    rbm = rbm_with(W, a, c)
    V = all_states(6)
    log_z, log_p = brute_force(W, a, c)
    F = rbm.free_energy(V)
    # exp(-F(v)) = sum_h exp(-E(v, h)).
    np.testing.assert_allclose(-F, log_p + log_z, atol=1e-10)
    np.testing.assert_allclose(F, -V @ a - np.log1p(np.exp(V @ W.T + c)).sum(axis=1), atol=1e-10)


def test_free_energy_is_stable_for_huge_weights():
    W = np.array([[800.0, -900.0], [-1000.0, 700.0]])
    rbm = rbm_with(W, [1.0, -1.0], [0.5, -0.5])
    V = all_states(2)
    F = rbm.free_energy(V)
    expected = -V @ np.array([1.0, -1.0]) - np.logaddexp(0, V @ W.T + [0.5, -0.5]).sum(axis=1)
    assert np.all(np.isfinite(F))
    np.testing.assert_allclose(F, expected, rtol=1e-12)


def test_estimator_ais_path_and_cache():
    rng = np.random.default_rng(5)
    W, a, c = random_rbm(rng, 22, 21, scale=0.3)
    rbm = rbm_with(W, a, c)
    auto = rbm.estimate_log_partition_function(n_betas=1000, n_chains=32)
    assert auto.method == "ais" and auto.std_err > 0
    exact = exact_log_partition_function(W, a, c, enumerated_layer="hidden")
    assert auto.log_z == pytest.approx(exact, rel=0.01)
    # Cached: the same call returns the same object; changing the weights recomputes.
    assert rbm.estimate_log_partition_function(n_betas=1000, n_chains=32) is auto
    rbm.intercept_visible_ = rbm.intercept_visible_ + 1.0
    shifted = rbm.estimate_log_partition_function("exact")
    assert shifted.log_z != pytest.approx(exact)


def test_fit_recovers_a_known_rbm_in_kl():
    """Trained on exact samples of a known 8x3 RBM, the fit is close to it in KL.

    Bound: maximum likelihood with d = 8*3 + 8 + 3 = 35 parameters on N = 20000
    samples leaves an expected KL(P_true || P_fit) of about d / (2N) = 0.0009 nats. We
    allow 0.02 nats (20x that) for the bias of PCD-1 and the noise of SGD at a finite
    learning rate, and also require the fit to be 10x better than the best model with
    independent units (KL_indep is 1.0 nats for this RBM, whose first two hidden units
    make the data a mixture of four clusters, against an entropy of 4.5 nats).
    """
    rng = np.random.default_rng(6)
    W = rng.normal(0, 0.5, (3, 8))
    W[0] += 3.0
    W[1, :4] += 3.0
    W[1, 4:] -= 3.0
    # Biases that center every unit: all marginals are 1/2, only correlations are left.
    a, c = -0.5 * W.sum(axis=0), -0.5 * W.sum(axis=1)
    _, log_p_true = brute_force(W, a, c)
    p_true = np.exp(log_p_true)
    states = all_states(8)
    X = states[rng.choice(256, size=20000, p=p_true)]

    rbm = ThetaRBM(n_components=3, n_epochs=30, random_state=0).fit(X)
    _, log_p_fit = brute_force(rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_)
    kl_fit = float(np.sum(p_true * (log_p_true - log_p_fit)))

    marginals = X.mean(axis=0)
    log_p_indep = states @ np.log(marginals) + (1 - states) @ np.log1p(-marginals)
    kl_indep = float(np.sum(p_true * (log_p_true - log_p_indep)))
    assert kl_indep > 0.9
    assert kl_fit < 0.02
    assert kl_fit < 0.1 * kl_indep


def test_ising_block_distribution_at_tc(critical_blocks):
    """2x2 blocks of critical Ising samples: the model's 16 block probabilities match the data.

    The hard part is the 2-up-2-down blocks: straight domain walls are ten times as likely
    as diagonal ones (0.019 against 0.002); 15 epochs leave them mixed up (TV 0.1).
    """
    X = critical_blocks
    rbm = ThetaRBM(n_components=8, n_epochs=120, random_state=0).fit(X)
    p_data = distribution_of(X)
    states = all_states(4)
    p_model = np.exp(rbm.score_samples(states))
    tv = 0.5 * np.abs(p_model - p_data).sum()
    assert tv < 0.05
    # The data are far from independent spins: the bound is a real test.
    p_indep = np.prod(np.where(states == 1, 0.5, 0.5), axis=1)
    assert 0.5 * np.abs(p_indep - p_data).sum() > 0.2


def test_sample_draws_from_the_model():
    rng = np.random.default_rng(7)
    W, a, c = random_rbm(rng, 4, 3, scale=1.0)
    rbm = rbm_with(W, a, c)
    _, log_p = brute_force(W, a, c)
    samples = rbm.sample(20000, n_steps=30, random_state=0)
    assert set(np.unique(samples)) <= {0.0, 1.0}
    tv = 0.5 * np.abs(distribution_of(samples) - np.exp(log_p)).sum()
    assert tv < 0.02


def test_gibbs_samples_the_conditionals():
    # No couplings: v' is independent of v with P(v'_i = 1) = sigmoid(a_i).
    a = np.array([-2.0, 0.0, 1.5])
    rbm = rbm_with(np.zeros((2, 3)), a, [0.3, -0.3])
    V = rbm.gibbs(np.zeros((40000, 3)), random_state=0)
    np.testing.assert_allclose(V.mean(axis=0), expit(a), atol=0.01)
    assert rbm.gibbs(np.zeros((5, 3)), random_state=1).shape == (5, 3)
    # Different seeds, different samples; same seed, same samples.
    assert not np.array_equal(rbm.gibbs(np.zeros((100, 3)), random_state=1),
                              rbm.gibbs(np.zeros((100, 3)), random_state=2))
    np.testing.assert_array_equal(rbm.gibbs(np.zeros((100, 3)), random_state=3),
                                  rbm.gibbs(np.zeros((100, 3)), random_state=3))


def test_cd_mode_and_k(critical_blocks):
    X = critical_blocks
    rbm = ThetaRBM(n_components=8, n_epochs=60, persistent=False, k=2, random_state=0).fit(X)
    assert not hasattr(rbm, "persistent_hidden_")
    tv = 0.5 * np.abs(np.exp(rbm.score_samples(all_states(4))) - distribution_of(X)).sum()
    assert tv < 0.05
    # Switching modes: a PCD refit makes chains, a CD refit drops them, and partial_fit
    # starts chains when PCD is switched on later.
    rbm.set_params(persistent=True, n_epochs=1).fit(X[:500])
    assert rbm.persistent_hidden_.shape == (64, 8)
    rbm.set_params(persistent=False).fit(X[:500])
    assert not hasattr(rbm, "persistent_hidden_")
    rbm.set_params(persistent=True).partial_fit(X[:500])
    assert rbm.persistent_hidden_.shape == (64, 8)


def test_same_seed_same_fit_for_any_n_jobs(binary_data):
    fits = [ThetaRBM(n_components=5, n_epochs=3, random_state=3, n_jobs=n_jobs).fit(binary_data)
            for n_jobs in (1, 2, 1)]
    for other in fits[1:]:
        np.testing.assert_array_equal(fits[0].components_, other.components_)
        np.testing.assert_array_equal(fits[0].intercept_visible_, other.intercept_visible_)
        np.testing.assert_array_equal(fits[0].persistent_hidden_, other.persistent_hidden_)
        np.testing.assert_array_equal(fits[0].transform(binary_data), other.transform(binary_data))
        np.testing.assert_array_equal(fits[0].score_samples(binary_data),
                                      other.score_samples(binary_data))
    other_seed = ThetaRBM(n_components=5, n_epochs=3, random_state=4).fit(binary_data)
    assert not np.array_equal(fits[0].components_, other_seed.components_)


def test_pickle_round_trip(binary_data):
    rbm = ThetaRBM(n_components=4, n_epochs=2, random_state=0).fit(binary_data)
    clone_ = pickle.loads(pickle.dumps(rbm))
    np.testing.assert_array_equal(rbm.transform(binary_data), clone_.transform(binary_data))
    np.testing.assert_array_equal(rbm.score_samples(binary_data),
                                  clone_.score_samples(binary_data))
    # Training continues identically after unpickling.
    rbm.partial_fit(binary_data)
    clone_.partial_fit(binary_data)
    np.testing.assert_array_equal(rbm.components_, clone_.components_)


def test_partial_fit_returns_self_and_continues_fit(binary_data):
    rbm = ThetaRBM(n_components=4, n_epochs=3, random_state=1)
    assert rbm.partial_fit(binary_data) is rbm
    rbm.partial_fit(binary_data)
    rbm.partial_fit(binary_data)
    assert rbm.n_epochs_ == 3 and len(rbm.log_likelihood_history_) == 3
    # The first partial_fit initializes exactly like fit; the state then carries over.
    fitted = clone(rbm).set_params(n_epochs=0).fit(binary_data)
    for _ in range(3):
        fitted.partial_fit(binary_data)
    np.testing.assert_array_equal(rbm.components_, fitted.components_)
    np.testing.assert_array_equal(rbm.intercept_hidden_, fitted.intercept_hidden_)
    np.testing.assert_array_equal(rbm.persistent_hidden_, fitted.persistent_hidden_)
    assert rbm.log_likelihood_history_ == fitted.log_likelihood_history_
    # partial_fit on new data moves the weights and the mean occupations.
    before = rbm.components_.copy()
    rbm.partial_fit(1.0 - binary_data)
    assert not np.array_equal(before, rbm.components_)
    np.testing.assert_allclose(rbm.visible_mean_, 0.75 * binary_data.mean(0)
                               + 0.25 * (1 - binary_data.mean(0)))
    assert rbm.components_.dtype == np.float64


def test_float32_and_int_inputs_give_float64_and_the_same_fit(binary_data):
    fits = [ThetaRBM(n_components=4, n_epochs=2, random_state=0).fit(binary_data.astype(dtype))
            for dtype in (np.float64, np.float32, np.int8, bool)]
    for rbm in fits:
        assert rbm.components_.dtype == np.float64
        assert rbm.transform(binary_data.astype(np.float32)).dtype == np.float64
        np.testing.assert_array_equal(rbm.components_, fits[0].components_)


def test_spins_and_occupations_are_the_same_data(binary_data):
    spins = 2 * binary_data - 1
    a = ThetaRBM(n_components=4, n_epochs=2, random_state=0).fit(binary_data)
    b = ThetaRBM(n_components=4, n_epochs=2, random_state=0).fit(spins.astype(np.int8))
    np.testing.assert_array_equal(a.components_, b.components_)
    for method in ("transform", "free_energy", "score_samples"):
        np.testing.assert_array_equal(getattr(a, method)(binary_data), getattr(a, method)(spins))
    np.testing.assert_array_equal(a.gibbs(binary_data, random_state=0),
                                  a.gibbs(spins, random_state=0))
    # All +1 reads the same in both conventions.
    np.testing.assert_array_equal(a.transform(np.ones((1, 10))), a.transform(np.ones((1, 10))))


@pytest.mark.parametrize(
    "X, match",
    [
        ([[0.0, np.nan, 1.0]], "NaN"),
        ([[0.0, np.inf, 1.0]], "infinity"),
        ([[0.5, -1.0, 1.0]], "spins"),
        ([[-1.0, 0.0, 1.0]], "spins"),
        ([[0.0, 2.0, 1.0]], "above 1"),
        ([[0.0, 1.0]], "features"),
    ],
)
def test_bad_input_raises(binary_data, X, match):
    rbm = ThetaRBM(n_components=2, n_epochs=1, random_state=0).fit(binary_data[:, :3])
    for method in ("transform", "free_energy", "score_samples", "gibbs", "partial_fit"):
        with pytest.raises(ValueError, match=match):
            getattr(rbm, method)(X)
    if match != "features":
        with pytest.raises(ValueError, match=match):
            ThetaRBM(n_epochs=1).fit(np.vstack([X, X]))


def test_bad_input_types_and_parameters(binary_data):
    import scipy.sparse as sp

    with pytest.raises(TypeError, match="[Ss]parse"):
        ThetaRBM(n_epochs=1).fit(sp.csr_matrix(binary_data))
    with pytest.raises(ValueError):
        ThetaRBM(n_epochs=1).fit([["a", "b"], ["c", "d"]])
    with pytest.raises(ValueError, match="momentum"):
        ThetaRBM(momentum=1.0).fit(binary_data)
    with pytest.raises(ValueError, match="'k' parameter"):
        ThetaRBM(k=0).fit(binary_data)
    # The Gibbs settings of training and sampling (issue 14's "bad input").
    with pytest.raises(ValueError, match="n_chains"):
        ThetaRBM(n_chains=0).fit(binary_data)
    with pytest.raises(ValueError, match="n_chains"):
        ThetaRBM(n_chains=2.5).fit(binary_data)
    rbm = ThetaRBM(n_components=2, n_epochs=1, random_state=0).fit(binary_data)
    with pytest.raises(ValueError, match="method"):
        rbm.log_partition_function(method="magic")
    with pytest.raises(ValueError, match="n_samples"):
        rbm.sample(0)
    with pytest.raises(ValueError, match="n_steps"):
        rbm.sample(5, n_steps=0)
    with pytest.raises(ValueError, match="2\\*\\*40"):
        exact_log_partition_function(np.zeros((40, 41)), np.zeros(41), np.zeros(40),
                                     enumerated_layer="hidden")


def test_caller_arrays_are_not_modified(binary_data):
    X = 2 * binary_data - 1
    X.setflags(write=False)  # read-only input works, and nothing writes into it
    X_copy = X.copy()
    rbm = ThetaRBM(n_components=3, n_epochs=2, random_state=0).fit(X)
    rbm.partial_fit(X)
    for method in ("transform", "free_energy", "score_samples", "gibbs"):
        getattr(rbm, method)(X)
    np.testing.assert_array_equal(X, X_copy)
    P = np.full((4, 10), 0.25)
    rbm.transform(P)
    np.testing.assert_array_equal(P, 0.25)


def test_score_and_history(binary_data, critical_blocks, capsys):
    binary_data = binary_data[:200]  # all rows are monitored (up to 256 are)
    rbm = ThetaRBM(n_components=4, n_epochs=3, random_state=0, verbose=1).fit(binary_data)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 3
    for line in out:
        assert re.fullmatch(r"\[ThetaRBM\] Iteration \d+, log-likelihood = -?\d+\.\d\d, "
                            r"time = \d+\.\d\ds", line)
    assert rbm.log_likelihood_kind_ == "exact"
    assert rbm.score(binary_data) == pytest.approx(np.mean(rbm.score_samples(binary_data)))
    # The exact history figure is the mean log-likelihood of the monitored (here all) rows.
    assert rbm.log_likelihood_history_[-1] == pytest.approx(rbm.score(binary_data))
    # Training improves on the initial (independent-units) model by most of the
    # 0.87 nats of correlations in critical 2x2 blocks.
    blocks = critical_blocks[:4000]
    untrained = ThetaRBM(n_components=4, n_epochs=0, random_state=0).fit(blocks)
    trained = ThetaRBM(n_components=4, n_epochs=10, random_state=0).fit(blocks)
    assert trained.score(blocks) > untrained.score(blocks) + 0.6

    wide = np.hstack([binary_data, binary_data[:, :4]])  # 14 visible, 13 hidden
    big = ThetaRBM(n_components=13, n_epochs=1, random_state=0, verbose=1).fit(wide)
    assert "pseudo-log-likelihood" in capsys.readouterr().out
    assert big.log_likelihood_kind_ == "pseudo" and np.isfinite(big.log_likelihood_history_[0])


@given(
    n_visible=st.integers(1, 6),
    n_hidden=st.integers(1, 5),
    n_rows=st.integers(1, 8),
    seed=st.integers(0, 2**16),
    spins=st.booleans(),
)
def test_outputs_are_finite_with_right_shapes(n_visible, n_hidden, n_rows, seed, spins):
    rng = np.random.default_rng(seed)
    W, a, c = random_rbm(rng, n_visible, n_hidden, scale=3.0)
    rbm = rbm_with(W, a, c)
    X = (rng.random((n_rows, n_visible)) < 0.5).astype(float)
    data = 2 * X - 1 if spins else X
    F, T, S = rbm.free_energy(data), rbm.transform(data), rbm.score_samples(data)
    assert F.shape == (n_rows,) and T.shape == (n_rows, n_hidden) and S.shape == (n_rows,)
    assert np.all(np.isfinite(F)) and np.all(np.isfinite(T)) and np.all(S <= 1e-12)
    np.testing.assert_array_equal(F, rbm.free_energy(X))
    np.testing.assert_array_equal(T, rbm.transform(X))
    np.testing.assert_array_equal(S, rbm.score_samples(X))


# ------------------------------------------------------------ who owns the cores


def _blas_counts():
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_blas_runs_one_thread_inside_the_hot_kernels(n_jobs, monkeypatch):
    """Every kernel that calls BLAS sees one BLAS thread in training, Gibbs sampling and AIS
    (whatever n_jobs is), and the whole-data kernels see n_jobs threads of both pools
    (None: one), even when the process's BLAS runs two threads."""
    import numba
    from threadpoolctl import threadpool_limits

    from sklearn_rsmi.rbm import _kernels

    seen = {}

    def spy(name):
        original = getattr(_kernels, name)

        def wrapper(*args, **kwargs):
            seen.setdefault(name, set()).add((max(_blas_counts()), numba.get_num_threads()))
            return original(*args, **kwargs)

        monkeypatch.setattr(_kernels, name, wrapper)

    for name in ("cd_epoch", "gibbs_steps", "ais_log_weights", "sigmoid_rows",
                 "softplus_row_sums", "pseudo_log_likelihood"):
        spy(name)
    if n_jobs is not None and numba.config.NUMBA_NUM_THREADS < n_jobs:
        pytest.skip("numba's pool has fewer threads than n_jobs")
    rng = np.random.default_rng(0)
    X = (rng.random((300, 30)) < 0.3).astype(float)
    with threadpool_limits(2, user_api="blas"):
        if min(_blas_counts()) < 2:
            pytest.skip("this BLAS runs a single thread")
        rbm = ThetaRBM(n_components=25, n_epochs=2, random_state=0, n_jobs=n_jobs).fit(X)
        rbm.partial_fit(X)
        rbm.transform(X)
        rbm.gibbs(X[:5], random_state=0)
        rbm.sample(3, n_steps=2, random_state=0)
        rbm.estimate_log_partition_function("ais", n_chains=4, n_betas=20)
        rbm.free_energy(X)
        assert min(_blas_counts()) == 2  # and the caller's setting is back afterwards
    threads = 1 if n_jobs is None else n_jobs
    assert seen["cd_epoch"] == {(1, threads)}
    assert seen["ais_log_weights"] == {(1, threads)}
    assert seen["pseudo_log_likelihood"] == {(1, threads)}  # the per-epoch monitor
    assert seen["sigmoid_rows"] == {(threads, threads)}
    assert seen["gibbs_steps"] == {(threads, threads)}
    assert {counts for counts in seen["softplus_row_sums"]} == {(threads, threads)}
def test_n_chains_sets_the_persistent_chains(binary_data):
    rbm = ThetaRBM(n_components=3, n_epochs=2, n_chains=200, random_state=0).fit(binary_data)
    assert rbm.persistent_hidden_.shape == (200, 3)
    # None: one chain per mini-batch row, as before; a changed count restarts the chains.
    rbm.set_params(n_chains=None).partial_fit(binary_data)
    assert rbm.persistent_hidden_.shape == (64, 3)


def test_centered_fit_learns_the_block_distribution_at_tc(critical_blocks):
    """Centering changes the parametrization, not the model: the fitted ordinary parameters
    must give the data's distribution of 2x2 critical blocks (exact total variation)."""
    X = critical_blocks
    rbm = ThetaRBM(n_components=8, n_epochs=60, centering=True, random_state=0).fit(X)
    tv = 0.5 * np.abs(np.exp(rbm.score_samples(all_states(4))) - distribution_of(X)).sum()
    assert tv < 0.05
    # The hidden offsets follow the data's mean hidden activations (a moving average).
    np.testing.assert_allclose(rbm.hidden_offset_, rbm.transform(X).mean(axis=0), atol=0.05)
    # Switching centering off drops the offsets.
    rbm.set_params(centering=False, n_epochs=1).fit(X)
    assert not hasattr(rbm, "hidden_offset_")


def test_centering_learns_a_correlation_better_at_the_same_budget():
    """Two groups of 8 sites, each site of the second a noisy copy (15 % flips) of its partner
    in the first, with biased sites (mean 0.8), which is what centering corrects. Measured
    (seed 0, 20 epochs, learning rate 0.5): 89 % of the canonical correlations reproduced
    centered against 70 % plain, and a higher exact log-likelihood (-7.46 against -7.77)."""
    from sklearn_rsmi.rbm import block_environment_correlation

    rng = np.random.default_rng(0)
    first = (rng.random((3000, 8)) < 0.8).astype(float)
    second = np.where(rng.random((3000, 8)) < 0.15, 1 - first, first)
    X = np.hstack([first, second])
    reproduced, likelihood = {}, {}
    for centering in (False, True):
        rbm = ThetaRBM(n_components=16, n_epochs=20, learning_rate=0.5, centering=centering,
                       random_state=0).fit(X)
        reproduced[centering] = block_environment_correlation(
            rbm, first, second, n_components=4, n_samples=2000, n_steps=200).reproduced.mean()
        likelihood[centering] = rbm.score(X)
    assert reproduced[True] > 0.8, reproduced
    assert reproduced[True] > reproduced[False] + 0.1, reproduced
    assert likelihood[True] > likelihood[False] + 0.1, likelihood


def test_centering_of_an_rbm_without_data_is_refused(binary_data):
    rbm = ThetaRBM(n_components=3, centering=True)
    rbm.components_ = np.zeros((3, 10))  # parameters set by hand, no data seen
    rbm.intercept_visible_, rbm.intercept_hidden_ = np.zeros(10), np.zeros(3)
    with pytest.raises(ValueError, match="centering needs the data's mean occupations"):
        rbm.partial_fit(binary_data)
    rbm.set_params(centering=False)
    with pytest.raises(ValueError, match="has seen no data"):
        rbm.partial_fit(binary_data)
