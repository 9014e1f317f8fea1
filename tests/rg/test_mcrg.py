"""Monte Carlo RG: the linearized matrix on the exactly solvable chain, the 2D and 3D Ising
exponents at small size, jackknife errors, two-lattice matching, and the errors for bad input."""

import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_rsmi import RSMICoarseGrainer
from sklearn_rsmi.coarse_graining import MajorityRuleCoarseGrainer
from sklearn_rsmi.datasets import make_ising
from sklearn_rsmi.physics import CRITICAL_TEMPERATURE, CRITICAL_TEMPERATURE_3D
from sklearn_rsmi.rg import (
    LatticeOperator,
    linearized_rg,
    make_rg_pipeline,
    match_two_lattices,
    measure_operators,
)
from sklearn_rsmi.rg._mcrg import _block_moments, _ising_mcrg, _jackknife_error, _replicas

T_C = CRITICAL_TEMPERATURE
NN_CHAIN = LatticeOperator("nearest neighbor", [(0,), (1,)])


def _decimation(n_steps=2):
    keep_every_other = FunctionTransformer(lambda X: X[:, ::2])
    return make_rg_pipeline(n_steps, coarse_grainer=keep_every_other)


@pytest.fixture(scope="module")
def ising_16():
    return make_ising(4000, 16, T_C, random_state=3)


@pytest.fixture(scope="module")
def majority_16(ising_16):
    pipe = make_rg_pipeline(2, coarse_grainer=MajorityRuleCoarseGrainer(), random_state=0)
    return measure_operators(pipe.fit(ising_16), ising_16)


# --------------------------------------------------------------------------- a known answer
@pytest.mark.parametrize("temperature", [1.0, 2.0])
def test_decimated_chain_gives_the_exact_linearized_rg(temperature):
    """Decimating every other spin of a periodic chain is exact: tanh K' = tanh(K)**2, no new
    couplings, so the one-operator T = dK'/dK = 2 t (1 - t**2) / (1 - t**4), t = tanh K,
    at the sampled K (pair 0 -> 1) and at K' (pair 1 -> 2)."""
    X = make_ising(20000, 64, temperature, dimension=1, random_state=1)
    sums = measure_operators(_decimation().fit(X), X, [NN_CHAIN])
    result = linearized_rg(sums, n_blocks=20)
    t = np.tanh(1.0 / temperature)
    for pair, tanh_k in enumerate([t, t**2]):
        exact = 2 * tanh_k * (1 - tanh_k**2) / (1 - tanh_k**4)
        eigenvalue = result.eigenvalues["even"][pair, 0, 0].real
        error = np.log(2) * eigenvalue * result.errors["even"][pair, 0]
        assert abs(eigenvalue - exact) < 4 * error, (pair, eigenvalue, exact, error)
        assert abs(eigenvalue / exact - 1) < 0.05
    # With odd operators added the even sector is unchanged (they do not mix).
    both = linearized_rg(measure_operators(_decimation().fit(X), X,
                                           [NN_CHAIN, LatticeOperator("m", [(0,)])]))
    np.testing.assert_allclose(both.exponents["even"], result.exponents["even"])


# --------------------------------------------------------------------------- 2D Ising, small
def test_majority_rule_exponents_on_16x16(majority_16):
    """16x16 at T_c, 4,000 samples: the even eigenvalue is relevant at both level pairs
    (16 -> 8 -> 4), and with 2 or more operators the odd one is within 1.5 % of 15/8 at
    the first pair and 0.5 % at the second (the first pair carries the largest transient)."""
    result = linearized_rg(majority_16)
    assert np.all(result.exponents["even"] > 0)
    assert np.all(np.abs(result.exponents["even"][1, 1:] - 1) < 0.15)
    assert np.all(np.abs(result.exponents["odd"][0, 1:] - 1.875) < 0.03)
    assert np.all(np.abs(result.exponents["odd"][1, 1:] - 1.875) < 0.01)
    # Jackknife errors are small but not zero.
    assert np.all((result.errors["odd"] > 0) & (result.errors["odd"] < 0.01))


def test_learned_exponents_on_16x16(ising_16):
    """The same with two learned RSMI steps (2x2, one hidden unit, spin-flip symmetric).

    The learned map is softer than the majority rule (weights of about 3.4 in this short
    fit), and a soft map carries a larger transient in the odd sector: y_h = 1.895 at the
    first pair, 1.877 at the second.
    """
    pipe = make_rg_pipeline(2, coarse_grainer=RSMICoarseGrainer(n_epochs=10, n_windows=8000),
                            random_state=0).fit(ising_16[:1000])
    result = linearized_rg(measure_operators(pipe, ising_16))
    assert np.all(result.exponents["even"] > 0)
    assert np.all(np.abs(result.exponents["even"][1, 1:] - 1) < 0.15)
    assert np.all(np.abs(result.exponents["odd"][0, 1:] - 1.875) < 0.04)
    assert np.all(np.abs(result.exponents["odd"][1, 1:] - 1.875) < 0.01)


def test_a_sign_flipping_step_keeps_the_odd_eigenvalue_positive(ising_16, majority_16):
    """A step whose coarse spin opposes its block (a learned filter of negative weights) would
    make lambda_h negative; the running sign of the steps corrects the odd operators."""
    class Opposite(MajorityRuleCoarseGrainer):
        def transform(self, X):
            return -super().transform(X)

    pipe = make_rg_pipeline(2, coarse_grainer=Opposite(), random_state=0).fit(ising_16)
    sums = measure_operators(pipe, ising_16)
    np.testing.assert_array_equal(sums.orientation, [1, -1, 1])
    flipped, plain = linearized_rg(sums), linearized_rg(majority_16)
    # Level 1 is the majority rule's, negated: the same exponents. Level 2 draws its ties
    # from the negated level 1, other draws: the same within errors.
    np.testing.assert_allclose(flipped.exponents["odd"][0], plain.exponents["odd"][0])
    difference = flipped.exponents["odd"][1] - plain.exponents["odd"][1]
    assert np.all(np.abs(difference) < 4 * plain.errors["odd"][1])
    # Without the running sign, the cross-level correlations of odd operators change sign.
    sums.sums[1][:, [op.parity == "odd" for op in sums.operators]] *= -1
    assert np.all(np.isnan(linearized_rg(sums).exponents["odd"]))


def test_most_likely_blocking_breaks_ties_one_way(ising_16):
    pipe = make_rg_pipeline(2, coarse_grainer=MajorityRuleCoarseGrainer(),
                            random_state=0).fit(ising_16)
    sampled = measure_operators(pipe, ising_16[:500])
    likely = measure_operators(pipe, ising_16[:500], blocking="most-likely")
    m = [op.name for op in sampled.operators].index("magnetization")
    # Ties go up: every tied block adds +1 to the first level's magnetization sum, where the
    # sampled blocking adds +-1 at random. Expected rise: the mean number of ties per sample.
    X = ising_16[:500]
    n = X.shape[1] // 2
    block_sums = X.reshape(500, n, 2, n, 2).sum(axis=(2, 4))
    ties = (block_sums == 0).sum(axis=(1, 2))
    rise = likely.sums[1][:, m].mean() - sampled.sums[1][:, m].mean()
    assert ties.mean() > 4  # enough ties for the rise to stand out (about 5 per sample at T_c)
    assert abs(rise - ties.mean()) < 4 * np.sqrt(ties.mean() / 500), (rise, ties.mean())
    assert likely.blocking == "most-likely"
    with pytest.raises(ValueError, match="probabilities"):
        measure_operators(_decimation().fit(ising_16[:, 0]), ising_16[:50, 0],
                          blocking="most-likely")


def test_measurement_does_not_depend_on_batches_or_threads(ising_16):
    pipe = make_rg_pipeline(2, coarse_grainer=MajorityRuleCoarseGrainer(n_jobs=2),
                            random_state=0).fit(ising_16)
    X = ising_16[:300]
    one = measure_operators(pipe, X, batch_size=1000)
    other = measure_operators(pipe, X, batch_size=37, n_jobs=2)
    for a, b in zip(one.sums, other.sums):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- 3D Ising, small
#: Published exponents of the 3D Ising universality class (conformal bootstrap): y_t = 1/nu
#: with nu = 0.629971, y_h = (5 - eta) / 2 with eta = 0.0362978.
Y_T_3D, Y_H_3D = 1 / 0.629971, 2.481851


@pytest.fixture(scope="module")
def cubic_16():
    return make_ising(2000, 16, CRITICAL_TEMPERATURE_3D, dimension=3, random_state=11)


@pytest.mark.parametrize("learned", [False, True], ids=["majority rule", "learned"])
def test_cubic_exponents_on_16_cubed(cubic_16, learned):
    """16^3 at T_c, 2,000 samples, 2x2x2 blocks (16 -> 8 -> 4): the even eigenvalue is
    relevant at both level pairs, and with 2 or more operators the odd one is within 0.05
    (2 %) of 2.4819. Measured on this set: y_h 2.455-2.468 and y_t 1.44-1.57 (levels this
    small read both low; 1.5874 is the infinite-lattice y_t). Learned steps: 2x2x2, one
    hidden unit, spin-flip symmetric (the default), a short fit."""
    if learned:
        step = RSMICoarseGrainer(visible_shape=(2, 2, 2), n_epochs=10, n_windows=8000)
    else:
        step = MajorityRuleCoarseGrainer(visible_shape=(2, 2, 2))
    pipe = make_rg_pipeline(2, coarse_grainer=step, random_state=0).fit(cubic_16[:500])
    before = cubic_16.copy()
    sums = measure_operators(pipe, cubic_16)
    np.testing.assert_array_equal(cubic_16, before)
    assert sums.lattice_shapes == [(16, 16, 16), (8, 8, 8), (4, 4, 4)]
    assert sums.orientation.tolist() in ([1, 1, 1], [1, -1, 1], [1, 1, -1], [1, -1, -1])
    result = linearized_rg(sums, n_blocks=10)
    assert len(result.operator_names["even"]) == 7 and len(result.operator_names["odd"]) == 4
    assert np.all(result.exponents["even"] > 0)
    assert np.all(np.abs(result.exponents["even"][:, 1:] - Y_T_3D) < 0.3)
    assert np.all(np.abs(result.exponents["odd"][:, 1:] - Y_H_3D) < 0.05)
    assert np.all((result.errors["odd"] > 0) & (result.errors["odd"] < 0.02))


def test_plot_names_the_reference_line(majority_16):
    plt = pytest.importorskip("matplotlib.pyplot")
    result = linearized_rg(majority_16)
    ax = result.plot("odd", exact=2.481851, exact_label="published")
    labels = ax.get_legend_handles_labels()[1]
    assert "published 2.48185" in labels and "1 operator" in labels
    assert "exact 1.875" in result.plot("odd", exact=1.875).get_legend_handles_labels()[1]
    plt.close("all")


def test_cubic_matching_on_16_against_8_moves_towards_t_c():
    """Above T_c (T = 1.01 T_c): both matched levels read T_c below the sampled temperature,
    within 1 % of 4.5115 at the deepest (4^3) one (measured: 0.4-0.6 % low, errors 0.2 %;
    the linear matching from 1 % away is only first order in T - T_c)."""
    T = 1.01 * CRITICAL_TEMPERATURE_3D
    large = make_ising(1500, 16, T, dimension=3, random_state=12)
    small = make_ising(1500, 8, T, dimension=3, random_state=13)
    pipe = make_rg_pipeline(2, coarse_grainer=MajorityRuleCoarseGrainer(visible_shape=(2, 2, 2)),
                            random_state=0).fit(large[:10])
    result = match_two_lattices(measure_operators(pipe, large),
                                measure_operators(pipe, small, n_steps=1), T, n_blocks=10)
    assert result.levels == [1, 2] and result.coarse_shapes == [(8, 8, 8), (4, 4, 4)]
    assert np.all(result.critical_temperatures < T)
    deepest = result.critical_temperatures[-1]
    assert np.all(np.abs(deepest / CRITICAL_TEMPERATURE_3D - 1) < 0.01), result.table()


def test_cubic_bad_input_gets_clear_errors(cubic_16):
    cubic = make_rg_pipeline(2, coarse_grainer=MajorityRuleCoarseGrainer(visible_shape=(2, 2, 2)),
                             random_state=0).fit(cubic_16[:10])
    # A 3D block on 2D samples, and a 2D block on 3D samples.
    with pytest.raises(ValueError, match="2D lattices, but the block"):
        measure_operators(cubic, np.ones((10, 16, 16), dtype=np.int8))
    square = make_rg_pipeline(2, coarse_grainer=MajorityRuleCoarseGrainer(),
                              random_state=0).fit(np.ones((2, 16, 16), dtype=np.int8))
    with pytest.raises(ValueError, match="3D lattices, but the block"):
        measure_operators(square, cubic_16[:10])
    # A lattice the 2x2x2 blocks do not tile.
    with pytest.raises(ValueError, match="not tiled by blocks 2x2x2"):
        measure_operators(cubic, np.ones((10, 16, 16, 10), dtype=np.int8))
    # The default cubic set on a 2^3 level: three steps of a 16^3 lattice.
    deep = make_rg_pipeline(3, coarse_grainer=MajorityRuleCoarseGrainer(visible_shape=(2, 2, 2)),
                            random_state=0).fit(cubic_16[:10])
    with pytest.raises(ValueError, match="'fourth neighbor' does not fit the 2x2x2 lattice of "
                                         "level 3"):
        measure_operators(deep, cubic_16[:10])
    # Square-lattice operators on cubic levels.
    with pytest.raises(ValueError, match="2D sites but the lattice of level 0 is 3D"):
        measure_operators(cubic, cubic_16[:10], [LatticeOperator("nn", [(0, 0), (0, 1)])])
    with pytest.raises(ValueError, match="dimension must be 2 .* or 3"):
        _ising_mcrg(16, 100, dimension=4)
    with pytest.raises(ValueError, match=r"4 \* 2\*\*k with k >= 2 \(16, 32, 64, ...\) in 3D"):
        _ising_mcrg(8, 100, dimension=3)


# --------------------------------------------------------------------------- resampling
def test_jackknife_of_a_mean_is_its_standard_error(rng):
    x = rng.standard_normal((4000, 1))
    mean, _ = _replicas(*_block_moments(x, 40))
    error = _jackknife_error(mean[1:, 0])
    # The jackknife of a mean is exactly the standard error of the block means.
    block_means = x.reshape(40, 100).mean(axis=1)
    assert error == pytest.approx(block_means.std(ddof=1) / np.sqrt(40), rel=1e-10)
    assert error == pytest.approx(1 / np.sqrt(4000), rel=0.3)


def test_errors_shrink_like_one_over_the_root_of_the_samples(majority_16):
    """Four times the samples halve the errors (the quarter and the whole of one chain)."""
    quarter = linearized_rg(_first(majority_16, 1000), n_blocks=20)
    whole = linearized_rg(majority_16, n_blocks=20)
    ratios = quarter.errors["odd"][:, 1:] / whole.errors["odd"][:, 1:]
    ratios = np.concatenate([ratios.ravel(), (quarter.errors["even"][:, 1:4]
                                              / whole.errors["even"][:, 1:4]).ravel()])
    assert 1.5 < np.median(ratios) < 2.7, ratios


def _first(sums, n):
    import dataclasses

    return dataclasses.replace(sums, sums=[s[:n] for s in sums.sums],
                               nearest_neighbor_sum=sums.nearest_neighbor_sum[:n])


# --------------------------------------------------------------------------- matching
def test_two_lattice_matching_moves_towards_t_c():
    """16 against 8 at 2.3 (above T_c): the matched estimates fall below 2.3, near T_c."""
    T = 2.30
    large, small = make_ising(4000, 16, T, random_state=4), make_ising(4000, 8, T, random_state=5)
    pipe = make_rg_pipeline(2, coarse_grainer=MajorityRuleCoarseGrainer(), random_state=0)
    pipe.fit(large)
    result = match_two_lattices(measure_operators(pipe, large), measure_operators(pipe, small,
                                                                                n_steps=1), T)
    assert result.levels == [1, 2]
    estimate = result.critical_temperatures[-1, 0]
    assert estimate < T and abs(estimate - T_C) < 0.03, result.table()
    assert np.all(result.errors > 0)


# --------------------------------------------------------------------------- the rule
def test_exponent_rule_is_the_mean_of_its_candidates_with_their_spread(majority_16):
    result = linearized_rg(majority_16)
    estimate = result.estimate("odd", min_level=0, min_coarse_size=4)
    candidates = result.exponents["odd"][:, 1:]
    assert estimate.value == pytest.approx(candidates.mean())
    assert estimate.systematic_error == pytest.approx(np.max(np.abs(candidates
                                                                   - candidates.mean())))
    # The mean of correlated candidates: its error lies between the smallest single error
    # over the root of their number (independent) and the largest (fully correlated).
    errors = result.errors["odd"][:, 1:]
    assert errors.min() / np.sqrt(errors.size) < estimate.statistical_error <= errors.max()
    assert estimate.error == pytest.approx(np.hypot(estimate.statistical_error,
                                                    estimate.systematic_error))
    assert estimate.level == [(0, 1), (1, 2)] and estimate.n_operators == [2, 3, 4]
    with pytest.raises(ValueError, match="no candidate"):
        result.estimate("even")  # the default rule needs an 8x8 level n + 1 with n >= 1


def _synthetic_linearized(shapes, table):
    """A LinearizedRG holding a given even table (the odd sector empty), no noise."""
    from sklearn_rsmi.rg import LinearizedRG

    table = np.asarray(table, dtype=float)
    pairs = [(n, n + 1) for n in range(len(table))]
    empty = np.zeros((len(table), 0))
    return LinearizedRG(pairs, shapes, {"even": ["a", "b"], "odd": []},
                        {"even": table, "odd": empty}, {"even": 0 * table, "odd": empty},
                        None, {"even": np.stack([table] * 4), "odd": np.zeros((4, 3, 0))}, 2,
                        100, 4, "sample")


def test_cubic_rule_adds_the_transient_left_after_the_deepest_pair():
    """Cubic levels 16^3, 8^3, 4^3; candidates 1.52 (pair 1 -> 2) and 1.57 (2 -> 3) with two
    operators. Value 1.545, spread 0.025; a transient shrinking by q = 2**-0.83 per level
    moves the exponent on by 0.05 q / (1 - q) = 0.0643 after the last pair."""
    cubic = [(16,) * 3, (8,) * 3, (4,) * 3]
    result = _synthetic_linearized(cubic, [[1.40, 1.41], [1.50, 1.52], [1.55, 1.57]])
    estimate = result.estimate("even")
    assert estimate.level == [(1, 2), (2, 3)] and estimate.n_operators == [2]
    assert estimate.value == pytest.approx(1.545)
    assert estimate.statistical_error == pytest.approx(0, abs=1e-12)
    assert estimate.systematic_error == pytest.approx(0.025 + 0.05 * 0.56250 / 0.43750, rel=1e-4)
    assert result.estimate("even", transient_ratio=0).systematic_error == pytest.approx(0.025)
    # The square lattice keeps its rule: coarse levels from 8x8, no remainder.
    square = _synthetic_linearized([(32, 32), (16, 16), (8, 8)],
                                   [[0.9, 0.95], [0.97, 0.99], [0.98, 1.0]])
    estimate = square.estimate("even")
    assert estimate.value == pytest.approx(0.995)
    assert estimate.systematic_error == pytest.approx(0.005)
    with pytest.raises(ValueError, match="transient_ratio must lie in"):
        result.estimate("even", transient_ratio=1.0)


def test_critical_temperature_rule_reads_the_deepest_matched_level():
    T = T_C
    large, small = make_ising(3000, 16, T, random_state=6), make_ising(3000, 8, T, random_state=8)
    pipe = make_rg_pipeline(2, coarse_grainer=MajorityRuleCoarseGrainer(), random_state=0)
    pipe.fit(large)
    result = match_two_lattices(measure_operators(pipe, large),
                                measure_operators(pipe, small, n_steps=1), T)
    estimate = result.estimate()
    deepest = result.critical_temperatures[-1]
    assert estimate.value == pytest.approx(deepest.mean())
    assert estimate.systematic_error == pytest.approx(
        np.max(np.abs(result.critical_temperatures - deepest.mean())))
    assert estimate.level == [1, 2]
    with pytest.raises(ValueError, match="deepest matched levels"):
        result.estimate(n_levels=3)


# --------------------------------------------------------------------------- bad input
def test_bad_input_gets_clear_errors(ising_16, majority_16):
    pipe = make_rg_pipeline(2, coarse_grainer=MajorityRuleCoarseGrainer(),
                            random_state=0).fit(ising_16)
    with pytest.raises(ValueError, match="binary"):
        measure_operators(pipe, np.full((10, 16, 16), 0.5))
    no_step = Pipeline([("rg1", "passthrough")]).fit(ising_16)
    with pytest.raises(ValueError, match="at least two levels"):
        measure_operators(no_step, ising_16)
    with pytest.raises(ValueError, match="n_steps=3 but the pipeline has 2 steps"):
        measure_operators(pipe, ising_16, n_steps=3)
    far = LatticeOperator("far pair", [(0, 0), (0, 4)])
    with pytest.raises(ValueError, match="does not fit the 4x4 lattice of level 2"):
        measure_operators(pipe, ising_16, [far])
    with pytest.raises(ValueError, match="too few samples for the resampling"):
        linearized_rg(_first(majority_16, 30), n_blocks=20)
    two_units = Pipeline([("rg1", MajorityRuleCoarseGrainer()),
                          ("rg2", RSMICoarseGrainer(n_hidden=2, n_epochs=1, n_windows=200))])
    with pytest.raises(ValueError, match="one coarse spin per block"):
        measure_operators(two_units.fit(ising_16[:20]), ising_16[:20])
    with pytest.raises(ValueError, match="no level"):
        match_two_lattices(majority_16, majority_16, T_C)
