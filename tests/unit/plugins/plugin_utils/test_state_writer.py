# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""state.atomic_write: the one writer of reports, bookmarks, caches and the definition store."""
from __future__ import annotations

import errno
import os

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import state
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardError


def _mode(path):
    return os.stat(path).st_mode & 0o777


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_report_file_is_0644_even_under_a_strict_umask(tmp_path):
    old = os.umask(0o077)
    try:
        state.atomic_write(str(tmp_path / "drift.json"), "{}")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "drift.json") == 0o644
    assert (tmp_path / "drift.json").read_bytes() == b"{}"


def test_private_file_and_every_created_folder_private(tmp_path, loose_umask):
    path = tmp_path / "state" / "definitions" / "ab" / "entry.json"
    state.atomic_write(str(path), b"[1]", durable=False, file_mode=state.PRIVATE_FILE, dir_mode=0o700)
    assert path.read_bytes() == b"[1]" and _mode(path) == 0o600
    for folder in (path.parent, path.parent.parent, path.parent.parent.parent):
        assert _mode(folder) == 0o700, folder


def test_fsync_only_when_asked(tmp_path, monkeypatch):
    calls = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd) or real_fsync(fd))
    state.atomic_write(str(tmp_path / "cache"), b"x", durable=False)
    assert calls == []
    state.atomic_write(str(tmp_path / "report"), b"x")
    assert len(calls) == 1
    state.atomic_write(str(tmp_path / "bookmark"), b"x", sync_dir=True)
    assert len(calls) == 3        # the file, then the directory


def test_existing_folders_are_not_touched(tmp_path, monkeypatch):
    """Folders are created only when the temporary file cannot be: no syscall per write."""
    made = []
    monkeypatch.setattr(state, "make_dirs", lambda *a: made.append(a))
    state.atomic_write(str(tmp_path / "a.json"), b"x", durable=False)
    assert made == []


def test_failed_rename_keeps_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "drift.json"
    state.atomic_write(str(path), b"old")

    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(state.ReportWriteError, match="no space left on device") as exc:
        state.atomic_write(str(path), b"new")
    monkeypatch.undo()
    assert str(path) in str(exc.value)
    # one error for both kinds of caller: the collection's base, and an OSError
    assert isinstance(exc.value, TaskGuardError) and isinstance(exc.value, OSError)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["drift.json"]


def test_never_writes_through_another_writers_temp_file(tmp_path, monkeypatch):
    """The temporary name is created exclusively: a file already there under that
    name (another process's, or planted) is never opened and written through."""
    monkeypatch.setattr(os, "urandom", lambda n: b"\0" * n)
    planted = tmp_path / (".tmp-a.json.%s.tmp" % ("00" * 6))
    planted.write_bytes(b"someone else's")
    with pytest.raises(state.ReportWriteError, match="cannot write"):
        state.atomic_write(str(tmp_path / "a.json"), b"mine")
    assert planted.read_bytes() == b"someone else's"
    assert not (tmp_path / "a.json").exists()


def test_folder_that_is_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "blocker").write_text("x")
    with pytest.raises(state.ReportWriteError, match="blocker"):
        state.atomic_write(str(tmp_path / "blocker" / "sub" / "a.json"), b"x")
    assert (tmp_path / "blocker").read_text() == "x"


def test_long_names_keep_a_short_temporary_name(tmp_path, monkeypatch):
    seen = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a: seen.append(path) or real_open(path, *a))
    name = "x" * 240 + ".json"
    state.atomic_write(str(tmp_path / name), b"x")
    assert (tmp_path / name).read_bytes() == b"x"
    assert all(len(os.path.basename(p)) <= 255 for p in seen)
