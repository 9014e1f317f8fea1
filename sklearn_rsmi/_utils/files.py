"""Files the package writes: whole or not at all."""

import os
import tempfile


def write_atomically(path, write, *, binary=True):
    """Write ``path`` whole or not at all.

    ``write(handle)`` fills a temporary file in the same folder, which then replaces
    ``path`` in one rename: a reader never sees half a file, and an interrupted or failed
    write leaves the old file (or none) in place.

    Parameters
    ----------
    path : str or path-like
        The file to write.
    write : callable
        Called with the open handle of the temporary file.
    binary : bool, default=True
        Open the handle in binary mode (else text, newline-translated).

    Returns
    -------
    path : str
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".rsmi_", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"newline": ""})) as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
