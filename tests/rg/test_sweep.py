"""Temperature sweeps: determinism across n_jobs and backends, caching, and flows that go the
right way with majority-rule and RSMI steps."""

import math

import joblib
import numpy as np
import pytest

from sklearn_rsmi.physics import CRITICAL_TEMPERATURE as TC
from sklearn_rsmi.rg import (
    RGFlowResult,
    make_rg_pipeline,
    rg_flow_sweep,
)
from tests._helpers import MajorityRule


def _majority_sweep(temperatures, **kwargs):
    kwargs.setdefault("pipeline", make_rg_pipeline(2, coarse_grainer=MajorityRule()))
    kwargs.setdefault("reference", "onsager")
    kwargs.setdefault("lattice_size", 16)
    kwargs.setdefault("n_samples", 40)
    kwargs.setdefault("random_state", 11)
    return rg_flow_sweep(temperatures, **kwargs)


def _assert_same(a, b):
    assert a.columns == b.columns
    for column in a.columns:
        for x, y in zip(a[column], b[column]):
            if isinstance(x, np.ndarray):
                np.testing.assert_array_equal(x, y)
            elif isinstance(x, float) and math.isnan(x):
                assert math.isnan(y)
            else:
                assert x == y, column


def _rsmi_pipeline(n_steps=2):
    from sklearn_rsmi import RSMICoarseGrainer

    # Enough Adam steps (240) for the weights to grow and the map to become nearly
    # deterministic; with 32 steps the sampled block spins are noisy enough to heat
    # every level, ordered or not.
    return make_rg_pipeline(n_steps, coarse_grainer=RSMICoarseGrainer(
        n_epochs=15, n_windows=4000, batch_size=250, learning_rate=0.1))


@pytest.fixture(scope="module")
def rsmi_loky_sweep():
    temperatures = [0.85 * TC, 0.92 * TC, 1.1 * TC, 1.2 * TC]
    return temperatures, rg_flow_sweep(
        temperatures, pipeline=_rsmi_pipeline(), lattice_size=32, n_samples=300,
        reference="onsager", n_jobs=2, random_state=5)


def test_sweep_rejects_bad_input():
    with pytest.raises(ValueError, match="empty"):
        _majority_sweep([])
    with pytest.raises(ValueError, match="> 0"):
        _majority_sweep([2.0, -1.0])
    with pytest.raises(ValueError, match="> 0"):
        _majority_sweep([0.0])
    with pytest.raises(ValueError, match="allows only 3"):
        _majority_sweep([2.0], pipeline=make_rg_pipeline(4, coarse_grainer=MajorityRule()))
    with pytest.raises(ValueError, match="divisible"):
        _majority_sweep([2.0], lattice_size=12, pipeline=make_rg_pipeline(3, coarse_grainer=MajorityRule()))
    with pytest.raises(ValueError, match="reference"):
        _majority_sweep([2.0], reference="exact")
    with pytest.raises(ValueError, match="samples holds"):
        _majority_sweep([2.0, 3.0], samples=[np.ones((2, 8, 8))])


def test_sweep_on_given_samples_records_every_level(rng):
    hot = [np.where(rng.random((30, 16, 16)) < 0.5, -1, 1).astype(np.int8) for _ in range(2)]
    copies = [h.copy() for h in hot]
    result = _majority_sweep([40.0, 80.0], samples=hot)
    for h, c in zip(hot, copies):
        np.testing.assert_array_equal(h, c)
    assert len(result) == 6
    assert result["step"].tolist() == [0, 1, 2] * 2
    assert result["lattice_size"].tolist() == [16, 8, 4] * 2
    # Independent spins: the nearest-neighbor correlation vanishes within its error.
    nn, err = result["nn_correlation"], result["nn_correlation_error"]
    assert np.all(np.abs(nn) < 5 * err)
    assert result.flow().shape == (2, 3)
    assert result.flow()[:, 0].tolist() == [40.0, 80.0]
    np.testing.assert_array_equal(result.filters(40.0, 1), np.ones((1, 2, 2)))


def test_sweep_is_deterministic_across_n_jobs_and_cached(tmp_path):
    MajorityRule.n_fits = 0
    temperatures = [1.8, 2.8]
    serial = _majority_sweep(temperatures, n_jobs=1, memory=str(tmp_path))
    assert MajorityRule.n_fits == 4
    parallel = _majority_sweep(temperatures, n_jobs=2)
    _assert_same(serial, parallel)
    # An interrupted sweep (only the first temperatures done) resumes: the finished
    # temperature is read from the cache, only the new one is computed.
    MajorityRule.n_fits = 0
    extended = _majority_sweep(temperatures + [3.5], n_jobs=1, memory=str(tmp_path))
    assert MajorityRule.n_fits == 2
    _assert_same(serial, RGFlowResult(extended.records[:6], reference="onsager"))
    other_seed = _majority_sweep(temperatures, n_jobs=1, random_state=12)
    assert not np.array_equal(other_seed["nn_correlation"], serial["nn_correlation"])


def test_majority_rule_flow_goes_the_right_way_with_same_size_reference():
    temperatures = [0.8 * TC, 0.9 * TC, 1.15 * TC, 1.3 * TC]
    result = _majority_sweep(temperatures, lattice_size=32, n_samples=200, reference="simulation",
                             n_reference_samples=200, n_jobs=2)
    flow = result.flow()
    assert np.all(flow[:2, 2] < flow[:2, 0])
    assert np.all(flow[2:, 2] > flow[2:, 0])
    assert set(result.reference_tables) == {16, 8}
    T_table, c_table = result.reference_tables[8]
    assert np.all(np.diff(c_table) < 0)
    # The finite 8 x 8 lattice at T_c is more correlated than Onsager's 1/sqrt(2)
    # by about 0.31 / L (doc/user_guide/reference_values.rst).
    c_at_tc = np.interp(TC, T_table, c_table)
    assert c_at_tc == pytest.approx(2**-0.5 + 0.31 / 8, abs=0.015)
    # Level 0 really is Ising at its temperature: Onsager's inversion recovers it.
    level0 = result["step"] == 0
    T_read = result["effective_temperature_onsager"][level0]
    assert np.all(np.abs(T_read / np.array(temperatures) - 1) < 0.05)


def test_rsmi_flow_goes_the_right_way(rsmi_loky_sweep):
    temperatures, result = rsmi_loky_sweep
    flow = result.flow()
    below = np.array(temperatures) < TC
    assert np.all(flow[below, 1] < flow[below, 0]) and np.all(flow[below, 2] < flow[below, 1])
    assert np.all(flow[~below, 1] > flow[~below, 0]) and np.all(flow[~below, 2] > flow[~below, 1])
    assert result["filters"][1].shape == (1, 2, 2)
    mi = result["mutual_information"][result["step"] > 0].astype(float)
    assert np.all((mi >= 0) & (mi <= 1.0 + 1e-9))


def test_rsmi_sweep_identical_on_dask_and_loky(rsmi_loky_sweep):
    distributed = pytest.importorskip("distributed")
    temperatures, loky_result = rsmi_loky_sweep
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        with joblib.parallel_backend("dask"):
            dask_result = rg_flow_sweep(
                temperatures, pipeline=_rsmi_pipeline(), lattice_size=32, n_samples=300,
                reference="onsager", n_jobs=2, random_state=5)
    _assert_same(loky_result, dask_result)


@pytest.mark.slow
def test_paper_rg_flow_reduced():
    """A reduced version of benchmarks/bench_rg_paper.py: 64 x 64, three steps."""
    temperatures = TC * np.array([0.92, 0.95, 0.97, 0.98, 0.99, 1.0, 1.01, 1.02, 1.03, 1.05, 1.08])
    from sklearn_rsmi import RSMICoarseGrainer

    pipe = make_rg_pipeline(3, coarse_grainer=RSMICoarseGrainer(n_epochs=10, n_windows=10000))
    result = rg_flow_sweep(temperatures, pipeline=pipe, lattice_size=64, n_samples=1500,
                           n_reference_samples=1000, n_jobs=2, random_state=0)
    tc = result.critical_temperature()
    assert abs(tc.value / TC - 1) < 0.02
    collapse = result.exponent_from_collapse(critical_temperature=tc.value)
    assert abs(collapse.nu - 1.0) < 0.3


def test_a_global_pandas_output_setting_does_not_break_the_sweep():
    """It raised 'Unable to coerce to Series' from the reference table's isotonic fit."""
    import sklearn

    temperatures = [0.9 * TC, 1.1 * TC]
    kwargs = dict(reference="simulation", reference_temperatures=[2.0, 2.3, 2.6],
                  n_reference_samples=20)
    with sklearn.config_context(transform_output="pandas"):
        result = _majority_sweep(temperatures, **kwargs)
    _assert_same(result, _majority_sweep(temperatures, **kwargs))


def test_verbose_reports_progress_at_about_every_tenth_of_the_tasks(capsys):
    import re

    temperatures = [0.9 * TC, 0.95 * TC, 1.05 * TC, 1.1 * TC]
    _majority_sweep(temperatures, verbose=1)
    lines = capsys.readouterr().out.strip().splitlines()
    done = [int(m.group(1)) for m in
            (re.fullmatch(r"\[rg_flow_sweep\] (\d+)/4 tasks, \d+\.\d s", line) for line in lines)
            if m]
    assert done == [1, 2, 3, 4] and len(lines) == 4
    _majority_sweep(temperatures)
    assert capsys.readouterr().out == ""
# ---------------------------------------------------------------------------
# three dimensions

TC_3D = 4.5115232  # simple cubic lattice (Ferrenberg, Xu & Landau 2018)


class CubicMajorityRule(MajorityRule):
    """2x2x2 majority-rule block spin; ties (4 against 4) broken at random."""

    def __init__(self, visible_shape=(2, 2, 2), random_state=None, n_jobs=None):
        super().__init__(visible_shape=visible_shape, random_state=random_state, n_jobs=n_jobs)

    def transform(self, X):
        X = np.asarray(X)
        n, L = X.shape[:2]
        total = X.reshape(n, L // 2, 2, L // 2, 2, L // 2, 2).sum(axis=(2, 4, 6), dtype=np.int64)
        ties = np.random.default_rng(self.seed_).choice(np.array([-1, 1], np.int8), total.shape)
        return np.where(total > 0, 1, np.where(total < 0, -1, ties)).astype(np.int8)


def test_cubic_majority_rule_flow_goes_the_right_way_with_same_size_reference():
    from sklearn_rsmi.physics import (
        high_temperature_nn_correlation_3d,
        low_temperature_nn_correlation_3d,
    )

    temperatures = [0.8 * TC_3D, 0.9 * TC_3D, 1.15 * TC_3D, 1.3 * TC_3D]
    result = rg_flow_sweep(temperatures, dimension=3, lattice_size=16, n_samples=100,
                           pipeline=make_rg_pipeline(2, coarse_grainer=CubicMajorityRule()),
                           n_reference_samples=200, n_jobs=2, random_state=3)
    flow = result.flow()
    assert np.all(flow[:2, 2] < flow[:2, 0])
    assert np.all(flow[2:, 2] > flow[2:, 0])
    assert result["lattice_size"].tolist()[:3] == [16, 8, 4]
    assert np.all(np.isnan(result["effective_temperature_onsager"].astype(float)))
    assert set(result.reference_tables) == {8, 4}
    T_table, c_table = result.reference_tables[8]
    assert np.all(np.diff(c_table) < 0)
    # At T_c the 8^3 lattice's <s s>_nn is 0.3302 + 0.73 / 8^1.4126 = 0.369 (measured with
    # long Wolff runs); 200 samples per reference point resolve it to ~0.005.
    assert np.interp(TC_3D, T_table, c_table) == pytest.approx(0.369, abs=0.015)
    # Beyond the simulated temperatures the table continues on the cubic lattice's series.
    far = (T_table < 0.5 * TC_3D) | (T_table > 2.5 * TC_3D)
    series = np.where(T_table < TC_3D, low_temperature_nn_correlation_3d(T_table),
                      high_temperature_nn_correlation_3d(T_table))
    np.testing.assert_allclose(c_table[far], series[far], atol=1e-6)


@pytest.mark.filterwarnings("ignore::UserWarning")  # one epoch: the MI estimate may stray
def test_cubic_default_pipeline_has_cubic_blocks():
    result = rg_flow_sweep(
        [2.0 * TC_3D], dimension=3, n_steps=1, lattice_size=8, n_samples=20,
        coarse_grainer_params=dict(objective="variational", n_epochs=1, n_windows=300),
        reference_temperatures=[0.9 * TC_3D, 1.1 * TC_3D], n_reference_samples=20,
        random_state=0)
    assert result.filters(2.0 * TC_3D, 1).shape == (1, 2, 2, 2)
    assert result["lattice_size"].tolist() == [8, 4]


def test_cubic_sweep_rejects_what_does_not_fit():
    square_pipeline = make_rg_pipeline(1, coarse_grainer=MajorityRule())
    cube_pipeline = make_rg_pipeline(1, coarse_grainer=CubicMajorityRule())
    with pytest.raises(ValueError, match=r"reference='onsager' is the square lattice's exact "
                                         r"curve; in 3D there is none"):
        rg_flow_sweep([4.0], dimension=3, pipeline=cube_pipeline, reference="onsager")
    with pytest.raises(ValueError, match=r"step 'rg1' has visible_shape=\(2, 2\), a 2D block, "
                                         r"but the sweep is of 3D lattices"):
        rg_flow_sweep([4.0], dimension=3, pipeline=square_pipeline)
    with pytest.raises(ValueError, match=r"a 3D block, but the sweep is of 2D lattices"):
        rg_flow_sweep([2.0], pipeline=cube_pipeline, reference="onsager")
    with pytest.raises(ValueError, match=r"samples are 2D lattices \(shape \(8, 8\)\) but "
                                         r"dimension=3"):
        rg_flow_sweep([4.0], dimension=3, pipeline=cube_pipeline,
                      samples=[np.ones((3, 8, 8), np.int8)])
    with pytest.raises(ValueError, match=r"samples are 3D lattices .* pass dimension=3"):
        rg_flow_sweep([2.0], pipeline=square_pipeline, reference="onsager",
                      samples=[np.ones((3, 8, 8, 8), np.int8)])
    with pytest.raises(ValueError, match=r"sampler_params\['dimension'\]=2 contradicts "
                                         r"dimension=3"):
        rg_flow_sweep([4.0], dimension=3, pipeline=cube_pipeline,
                      sampler_params={"dimension": 2})
    with pytest.raises(ValueError, match=r"'dimension' parameter of rg_flow_sweep must be an "
                                         r"int in the range \[2, 3\]"):
        rg_flow_sweep([4.0], dimension=4)
