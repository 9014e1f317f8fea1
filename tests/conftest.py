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


@pytest.fixture(autouse=True, scope="session")
def _isolated_data_home(tmp_path_factory):
    """Keep the on-disk dataset cache of every test out of the user's home.

    Session-scoped, so that it is in place before the module- and session-scoped fixtures
    that sample data (a function-scoped one came too late for them: they wrote to the
    user's own cache, shared with every other process).
    """
    previous = os.environ.get("SKLEARN_RSMI_DATA")
    os.environ["SKLEARN_RSMI_DATA"] = str(tmp_path_factory.getbasetemp() / "rsmi_data")
    yield
    if previous is None:
        del os.environ["SKLEARN_RSMI_DATA"]
    else:
        os.environ["SKLEARN_RSMI_DATA"] = previous


@pytest.fixture
def rng():
    return np.random.default_rng(20261123)
