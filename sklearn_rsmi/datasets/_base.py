"""Where generated datasets live on disk, and the joblib.Memory cache over them."""

import os
import shutil
from pathlib import Path

import joblib

DATA_HOME_ENV = "SKLEARN_RSMI_DATA"


def get_data_home(data_home=None):
    """Return the folder that caches generated datasets, creating it if needed.

    By default ``~/sklearn_rsmi_data``; the environment variable ``SKLEARN_RSMI_DATA``
    moves it, and an explicit ``data_home`` overrides both (as in
    :func:`sklearn.datasets.get_data_home`).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Explicit folder.

    Returns
    -------
    data_home : str
        The folder's path.
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV, Path("~") / "sklearn_rsmi_data")
    data_home = Path(data_home).expanduser()
    data_home.mkdir(parents=True, exist_ok=True)
    return str(data_home)


def clear_data_home(data_home=None):
    """Delete every cached dataset under the data home."""
    shutil.rmtree(get_data_home(data_home))


def get_memory(data_home=None, cache=True):
    """A ``joblib.Memory`` under the data home, or a no-op one when ``cache`` is False.

    joblib writes each result to a temporary file and renames it into place, so an
    interrupted generation never leaves a half-written dataset behind.
    """
    if not cache:
        return joblib.Memory(location=None, verbose=0)
    return joblib.Memory(location=os.path.join(get_data_home(data_home), "joblib"), verbose=0)
