"""Where numba keeps the compiled kernels: a per-user cache folder, never the package folder.

numba's default writes its cache files (``*.nbi``, ``*.nbc``) beside the modules. In an
installed package that is ``site-packages/sklearn_rsmi/``, where they outlive
``pip uninstall``: the folder they leave behind has no ``__init__.py`` and becomes a namespace
package that shadows any later install. So unless the user chose a folder with numba's own
``NUMBA_CACHE_DIR``, the kernels are cached under the user's cache folder.
"""

import os
import tempfile
from pathlib import Path

import numba


def default_cache_dir():
    """``$XDG_CACHE_HOME/sklearn-rsmi/numba``, or ``~/.cache/sklearn-rsmi/numba``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path("~").expanduser() / ".cache"
    return Path(base) / "sklearn-rsmi" / "numba"


def use_user_cache_dir():
    """Point numba's cache at :func:`default_cache_dir` unless ``NUMBA_CACHE_DIR`` is set.

    Must run before any kernel module is imported: numba picks the folder of a function's
    cache when the function is decorated. A folder that cannot be created (a read-only home)
    falls back to one in the temporary directory. Returns the folder in use.
    """
    if numba.config.CACHE_DIR:  # the user's NUMBA_CACHE_DIR: theirs to choose
        return numba.config.CACHE_DIR
    for folder in (default_cache_dir(),
                   Path(tempfile.gettempdir()) / f"sklearn-rsmi-numba-{os.getuid()}"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            numba.config.CACHE_DIR = str(folder)
            return numba.config.CACHE_DIR
    return numba.config.CACHE_DIR  # nowhere writable: numba caches as it would by default
