"""Files written whole or not at all, with the permissions open() gives, into checked folders."""

import os
import stat

import pytest

from sklearn_rsmi._utils.files import check_writable_directory, write_atomically


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_written_files_follow_the_umask_as_open_does(tmp_path, umask):
    """mkstemp makes 0600 files: awkward on shared clusters, and not what open() gives."""
    old = os.umask(umask)
    try:
        write_atomically(tmp_path / "a.txt", lambda handle: handle.write(b"x"))
        with open(tmp_path / "b.txt", "w") as handle:
            handle.write("x")
    finally:
        os.umask(old)
    mode = stat.S_IMODE(os.stat(tmp_path / "a.txt").st_mode)
    assert mode == stat.S_IMODE(os.stat(tmp_path / "b.txt").st_mode) == 0o666 & ~umask


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "kept.txt"
    target.write_text("old")

    def fail(handle):
        handle.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(target, fail)
    assert target.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["kept.txt"]


def test_an_unwritable_folder_is_named_not_the_temporary_file(tmp_path, monkeypatch):
    """A read-only folder, simulated (the tests may run as root, who writes anywhere)."""
    from sklearn_rsmi._utils import files

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    monkeypatch.setattr(files.tempfile, "TemporaryFile", refuse)
    with pytest.raises(PermissionError, match=f"cannot write {tmp_path}/out.npy: Permission") as error:
        write_atomically(tmp_path / "out.npy", lambda handle: None)
    assert ".tmp" not in str(error.value)
    with pytest.raises(PermissionError, match=f"{tmp_path}: cannot write there"):
        check_writable_directory(tmp_path)


def test_a_missing_folder_is_created_and_a_file_is_refused(tmp_path):
    nested = tmp_path / "a" / "b"
    assert check_writable_directory(nested) == str(nested)
    assert nested.is_dir()
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="exists and is not a directory"):
        check_writable_directory(tmp_path / "file", option="--output-dir")
