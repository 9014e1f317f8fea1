"""Files the package writes: whole or not at all, with the permissions ``open()`` would give."""

import os
import tempfile


def _umask():
    # os.umask sets as it reads; put the value straight back.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_writable_directory(path, *, option="directory"):
    """Create ``path`` (and its parents) if needed and check that files can be written in it.

    Called before long work, so that a typo or a read-only folder ends the command at once
    with a message naming the folder, not after the work with one naming a temporary file.
    """
    path = os.fspath(path)
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"{option} {path}: exists and is not a directory")
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise PermissionError(
            f"{option} {path}: cannot write there ({exc.strerror or exc})") from None
    return path


def write_atomically(path, write, *, binary=True):
    """Write ``path`` whole or not at all.

    ``write(handle)`` fills a temporary file in the same folder, which then replaces
    ``path`` in one rename: a reader never sees half a file, and an interrupted or failed
    write leaves the old file (or none) in place. The file gets the permissions a plain
    ``open()`` would give it (``0o666`` less the umask), not the private ones of a
    temporary file.

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
    try:
        fd, tmp = tempfile.mkstemp(prefix=".rsmi_", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise PermissionError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"newline": ""})) as handle:
            write(handle)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
