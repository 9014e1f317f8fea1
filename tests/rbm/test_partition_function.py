"""log Z of an RBM, exact and by AIS, against brute-force enumeration of the joint states."""


import numpy as np
import pytest

from sklearn_rsmi.rbm import (
    ais_log_partition_function,
    exact_log_partition_function,
)
from tests._helpers import all_states, brute_force, random_rbm, rbm_with


@pytest.mark.parametrize("enumerated_layer", ["hidden", "visible", "auto"])
def test_exact_log_partition_and_likelihood_match_brute_force(enumerated_layer):
    rng = np.random.default_rng(1)
    W, a, c = random_rbm(rng, 6, 4, scale=1.5)
    log_z, log_p = brute_force(W, a, c)
    assert exact_log_partition_function(W, a, c, enumerated_layer=enumerated_layer) == \
        pytest.approx(log_z, abs=1e-10)
    rbm = rbm_with(W, a, c)
    assert rbm.log_partition_function() == pytest.approx(log_z, abs=1e-10)
    assert rbm.estimate_log_partition_function().method == "exact"
    np.testing.assert_allclose(rbm.score_samples(all_states(6)), log_p, atol=1e-10)
    # The model's probabilities sum to one.
    assert np.exp(log_p).sum() == pytest.approx(1.0)


def test_exact_log_partition_more_hidden_than_visible():
    rng = np.random.default_rng(2)
    W, a, c = random_rbm(rng, 3, 7)
    log_z, _ = brute_force(W, a, c)
    for layer in ("hidden", "visible"):
        assert exact_log_partition_function(W, a, c, enumerated_layer=layer) == \
            pytest.approx(log_z, abs=1e-10)


def test_ais_agrees_with_exact_and_its_error_bar_is_consistent():
    rng = np.random.default_rng(4)
    W, a, c = random_rbm(rng, 20, 12, scale=0.6)
    exact = exact_log_partition_function(W, a, c)
    estimates = [ais_log_partition_function(W, a, c, n_chains=64, n_betas=2000,
                                            base_visible_bias=np.zeros(20), random_state=seed)
                 for seed in range(40)]
    log_z = np.array([e.log_z for e in estimates])
    std_err = np.array([e.std_err for e in estimates])
    assert all(e.method == "ais" for e in estimates)
    assert np.all(np.abs(log_z - exact) < 5 * std_err + 1e-3)
    # Unbiased within the noise of 40 runs (the log of an unbiased Z is biased low by about
    # std_err**2 / 2, here 2e-4, far below the test's resolution).
    spread = log_z.std(ddof=1)
    assert abs(log_z.mean() - exact) < 3 * spread / np.sqrt(len(log_z))
    # The reported error bar is the spread of independent runs. Measured ratio: 0.79 (the
    # delta method slightly overstates it). 40 runs pin the ratio to about 11 %, so an error
    # bar off by a factor 1.5 either way (ratio outside [0.55, 1.35]) fails.
    assert 0.55 < spread / std_err.mean() < 1.35


def test_ais_does_not_depend_on_threads():
    rng = np.random.default_rng(9)
    W, a, c = random_rbm(rng, 30, 25, scale=0.3)
    results = []
    for n_jobs in (1, 2):
        rbm = rbm_with(W, a, c, n_jobs=n_jobs)
        results.append(rbm.estimate_log_partition_function(n_chains=40, n_betas=300))
    assert results[0] == results[1]
