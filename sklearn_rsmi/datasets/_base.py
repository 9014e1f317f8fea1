"""Where generated datasets live on disk, the joblib.Memory cache over them, and progress lines."""

import os
import shutil
import time
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


class SamplingProgress:
    """Progress lines of a sampler, ``[name] message, 12.3 s``, as the estimators print them.

    The sampler records its ``n_samples`` over the ranges of :meth:`chunks`: a single range
    when silent, so that a quiet run makes no extra kernel calls, else about one tenth of the
    samples at a time, with a line after each.

    Parameters
    ----------
    name : str
        Shown in brackets at the start of every line.
    n_samples : int
        Samples the sampler records.
    verbose : int, default=0
        Print the lines when > 0.
    """

    def __init__(self, name, n_samples, verbose=0):
        self.name = name
        self.n_samples = n_samples
        self.verbose = verbose
        # Stays False when the cache answered: the caller then says so instead.
        self.sampled = False
        self._start = time.perf_counter()

    def log(self, message):
        """Print ``[name] message, <seconds since creation> s`` when verbose, flushed."""
        if self.verbose:
            elapsed = time.perf_counter() - self._start
            print(f"[{self.name}] {message}, {elapsed:.1f} s", flush=True)

    def burned_in(self, description):
        """Mark the chain as sampled and report the end of its burn-in."""
        self.sampled = True
        self.log(f"burn-in done ({description})")

    def chunks(self):
        """Yield ``(first, stop)`` ranges covering ``range(n_samples)`` in order.

        When verbose, the ``i``-th range ends at ``ceil(i * n_samples / 10)``, equal ends merged:
        ``min(n_samples, 10)`` ranges of nearly equal size, each reported as ``stop/n_samples
        samples`` once the caller asks for the next. When silent, one range.
        """
        n = self.n_samples
        stops = sorted({-(-i * n // 10) for i in range(1, 11)}) if self.verbose else [n]
        first = 0
        for stop in stops:
            yield first, stop
            self.log(f"{stop}/{n} samples")
            first = stop
