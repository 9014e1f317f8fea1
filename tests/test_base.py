"""The data home and the on-disk cache of generated datasets."""

import os

import numpy as np

from sklearn_rsmi.datasets import clear_data_home, get_data_home, make_ising
from sklearn_rsmi.datasets._base import get_memory


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
