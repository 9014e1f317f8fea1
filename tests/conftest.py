import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# numba compiles on first call: a per-example deadline would flag compilation, not slowness.
settings.register_profile(
    "default", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", deadline=None, max_examples=25, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(autouse=True)
def _isolated_data_home(tmp_path_factory, monkeypatch):
    """Keep the on-disk dataset cache of every test out of the user's home."""
    monkeypatch.setenv("SKLEARN_RSMI_DATA", str(tmp_path_factory.getbasetemp() / "rsmi_data"))


@pytest.fixture
def rng():
    return np.random.default_rng(20261123)
