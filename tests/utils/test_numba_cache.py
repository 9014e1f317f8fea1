"""numba's compiled kernels are cached in a per-user folder, never beside the package's modules."""

import os
import subprocess
import sys
from pathlib import Path

import sklearn_rsmi

PACKAGE_DIR = Path(sklearn_rsmi.__file__).resolve().parent
_COMPILE_ONE_KERNEL = (
    "import numba, sklearn_rsmi; from sklearn_rsmi.datasets import _ising_kernels as k; "
    "k.probability_threshold(0.25); print(numba.config.CACHE_DIR)"
)


def _cache_files(folder):
    return {p for p in Path(folder).rglob("*") if p.suffix in (".nbi", ".nbc")}


def _run(env):
    env = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    result = subprocess.run([sys.executable, "-c", _COMPILE_ONE_KERNEL], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_kernels_are_cached_under_the_users_cache_folder(tmp_path):
    """A cache beside the modules outlives pip uninstall and shadows the next install."""
    before = _cache_files(PACKAGE_DIR)
    folder = _run({"HOME": str(tmp_path), "XDG_CACHE_HOME": None, "NUMBA_CACHE_DIR": None})
    assert Path(folder) == tmp_path / ".cache" / "sklearn-rsmi" / "numba"
    assert any("probability_threshold" in p.name for p in _cache_files(folder))
    assert _cache_files(PACKAGE_DIR) <= before


def test_numba_cache_dir_and_xdg_cache_home_are_honored(tmp_path):
    chosen = tmp_path / "chosen"
    assert _run({"NUMBA_CACHE_DIR": str(chosen)}) == str(chosen)
    assert _cache_files(chosen)
    xdg = tmp_path / "xdg"
    folder = _run({"NUMBA_CACHE_DIR": None, "XDG_CACHE_HOME": str(xdg)})
    assert Path(folder) == xdg / "sklearn-rsmi" / "numba"


def test_an_unwritable_home_falls_back_to_the_temporary_folder(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o500)
    try:
        folder = _run({"HOME": str(home), "XDG_CACHE_HOME": None, "NUMBA_CACHE_DIR": None,
                       "TMPDIR": str(tmp_path)})
    finally:
        home.chmod(0o700)
    if os.geteuid() == 0:  # root writes anywhere: the home folder works after all
        assert Path(folder).is_relative_to(home) or Path(folder).is_relative_to(tmp_path)
    else:
        assert Path(folder).parent == tmp_path
