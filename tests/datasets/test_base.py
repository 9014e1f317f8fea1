"""The data home and the on-disk cache of generated datasets."""

import contextlib
import io
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rsmi._utils.validation import check_verbose
from sklearn_rsmi.datasets import clear_data_home, get_data_home, make_ising
from sklearn_rsmi.datasets._base import SamplingProgress, get_memory


def test_environment_variable_moves_the_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SKLEARN_RSMI_DATA", str(tmp_path / "elsewhere"))
    assert get_data_home() == str(tmp_path / "elsewhere")
    assert os.path.isdir(tmp_path / "elsewhere")
    # An explicit folder overrides the variable.
    assert get_data_home(tmp_path / "explicit") == str(tmp_path / "explicit")


def test_cache_returns_the_same_samples_and_clears(tmp_path):
    first = make_ising(5, 8, 2.5, random_state=0, data_home=tmp_path)
    assert os.listdir(tmp_path / "joblib")
    again = make_ising(5, 8, 2.5, random_state=0, data_home=tmp_path)
    np.testing.assert_array_equal(first, again)
    clear_data_home(tmp_path)
    assert not os.path.exists(tmp_path / "joblib")


def test_no_cache_writes_nothing(tmp_path):
    memory = get_memory(tmp_path, cache=False)
    assert memory.location is None
    make_ising(3, 8, 2.5, random_state=0, data_home=tmp_path, cache=False)
    assert not os.path.exists(tmp_path / "joblib")


@settings(max_examples=100, deadline=None)
@given(n_samples=st.integers(1, 5000), verbose=st.integers(0, 3))
def test_progress_chunks_cover_every_sample_once_in_order(n_samples, verbose):
    progress = SamplingProgress("make_test", n_samples, verbose)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        ranges = list(progress.chunks())
    assert ranges[0][0] == 0 and ranges[-1][1] == n_samples
    assert all(stop > first for first, stop in ranges)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    assert len(ranges) == (min(n_samples, 10) if verbose else 1)
    lines = printed.getvalue().splitlines()
    assert len(lines) == (len(ranges) if verbose else 0)
    if verbose:
        assert lines[-1].startswith(f"[make_test] {n_samples}/{n_samples} samples, ")


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (1.5, TypeError), ("2", TypeError),
                                        (None, TypeError)])
def test_bad_verbose_is_named(bad, error):
    with pytest.raises(error, match="verbose"):
        check_verbose(bad)


def test_verbose_accepts_booleans_and_integers():
    assert [check_verbose(v) for v in (False, True, 0, 3, np.int64(2))] == [0, 1, 0, 3, 2]
