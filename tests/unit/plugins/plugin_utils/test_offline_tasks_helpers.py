# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The public helpers of offline_tasks that every offline collector shares (task
files, job files, event logs, GPO files): bounded reads of regular files only,
containment in the evidence root, and a walk that reports what it could not read."""
from __future__ import annotations

import os

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import offline_tasks
from ansible_collections.taskguard.windows.plugins.plugin_utils.offline_tasks import (
    BoundedWalk,
    NotRegularFile,
    is_inside,
    open_regular_file,
    read_regular_file,
)


def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path):
    fifo = tmp_path / "planted"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile):
        open_regular_file(str(fifo))
    with pytest.raises(OSError, match="not a regular file"):
        read_regular_file(str(fifo), 10)


def test_a_final_symlink_is_not_followed(tmp_path):
    (tmp_path / "real").write_bytes(b"x")
    os.symlink(tmp_path / "real", tmp_path / "link")
    with pytest.raises(OSError):
        open_regular_file(str(tmp_path / "link"))


def test_reads_are_bounded(tmp_path):
    (tmp_path / "small").write_bytes(b"abc")
    (tmp_path / "big").write_bytes(b"a" * 11)
    assert read_regular_file(str(tmp_path / "small"), 3) == (3, b"abc")
    assert read_regular_file(str(tmp_path / "big"), 10) == (11, None)


def test_is_inside_follows_links(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", root / "escape")
    assert is_inside(str(root), str(root))
    assert not is_inside(str(root / "escape"), str(root))
    assert not is_inside(str(tmp_path / "rootx"), str(root))     # a sibling with the same prefix


def test_walk_reports_a_folder_it_cannot_list_and_a_link_loop(tmp_path):
    walk = BoundedWalk(tmp_path, max_file_bytes=10, max_files=5, source="gpo")
    assert walk.list_folder(str(tmp_path / "missing"), "missing") is None
    assert walk.list_folder(str(tmp_path), "root") == []
    assert walk.list_folder(str(tmp_path), "again") is None
    assert [(e["source"], e["path"]) for e in walk.errors] == [("gpo", "missing"), ("gpo", "again")]
    assert "symlink loop" in walk.errors[1]["error"]


def test_walk_refuses_a_link_out_of_the_root(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret").write_bytes(b"s")
    os.symlink(tmp_path / "secret", root / "link")
    walk = BoundedWalk(root, max_file_bytes=10, max_files=5)
    entries = walk.list_folder(str(root), "\\")
    assert [walk.entry_kind(e, "\\link") for e in entries] == [None]
    assert walk.errors[-1]["error"] == "symlink points outside the evidence root: refused"


def test_walk_reads_within_the_total_budget(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / name).write_bytes(b"12345")
    walk = BoundedWalk(tmp_path, max_file_bytes=5, max_files=5, max_total_bytes=10, what="GPO files")
    got = [walk.read(str(tmp_path / name)) for name in ("a", "b", "c")]
    assert got[:2] == [(5, b"12345", None), (5, b"12345", None)]
    assert got[2] == (None, None, "more than 10 bytes of GPO files read: content not read")


def test_job_walk_lists_job_files_only_and_bounds_their_number(tmp_path):
    jobs = tmp_path / "Windows" / "Tasks"
    jobs.mkdir(parents=True)
    for name in ("At1.job", "At2.JOB", "At3.job", "desktop.ini", "SA.DAT"):
        (jobs / name).write_bytes(b"j")
    jobs_dir, records, errors = offline_tasks.walk_job_files(str(tmp_path), max_file_bytes=10, max_files=2)
    assert jobs_dir == str(jobs)
    assert [(r["name"], r["data"]) for r in records] == [("At1.job", b"j"), ("At2.JOB", b"j")]
    assert errors == [{"source": "job_files", "path": "Windows\\Tasks", "error": "3 job files, only the first 2 read"}]


# Containment is checked by resolving links only where there is a link
# (find_case_insensitive, BoundedWalk.real_root, walk_job_files): a plain copy of a
# volume resolves no path at all; every link is still resolved and judged.
REFUSED = "symlink points outside the evidence root: refused"


def _volume(base):
    tasks = base / "Windows" / "System32" / "Tasks"
    tasks.mkdir(parents=True)
    (tasks / "T").write_bytes(b"t")
    return tasks


def test_a_plain_copy_resolves_no_path(tmp_path, monkeypatch):
    _volume(tmp_path / "root")
    (tmp_path / "root" / "Windows" / "Tasks").mkdir()
    (tmp_path / "root" / "Windows" / "Tasks" / "At1.job").write_bytes(b"j")

    def refused(path, *args, **kwargs):
        raise AssertionError("realpath(%s) on a copy without links" % path)
    monkeypatch.setattr(os.path, "realpath", refused)
    root = str(tmp_path / "root")
    assert offline_tasks.find_case_insensitive(root, ("windows", "SYSTEM32", "tasks")).endswith("Tasks")
    _dir, records, errors = offline_tasks.walk_task_files(root)
    assert [r["path"] for r in records] == ["\\T"] and errors == []
    _dir, jobs, errors = offline_tasks.walk_job_files(root, max_file_bytes=10)
    assert [j["data"] for j in jobs] == [b"j"] and errors == []


def test_links_inside_the_root_are_followed_and_chains_out_of_it_refused(tmp_path):
    root = tmp_path / "root"
    tasks = _volume(root / "Real")
    os.symlink("Real/Windows", root / "Windows")                    # a segment linked inside the root
    assert offline_tasks.find_case_insensitive(str(root), offline_tasks.TASKS_SEGMENTS) == \
        str(root / "Windows" / "System32" / "Tasks")
    (tmp_path / "out").mkdir()
    os.symlink(str(tmp_path / "out"), root / "Hop")                  # a link to a link that leads out
    os.symlink("Hop", root / "Chained")
    errors = []
    assert offline_tasks.find_case_insensitive(str(root), ("Chained",), errors) is None
    assert errors == [{"source": "files", "path": str(root / "Chained"), "error": REFUSED}]
    # the root itself reached through a link (and with a '..' in its path) is no escape
    os.symlink(str(root), tmp_path / "rootlink")
    for given in (str(tmp_path / "rootlink"), str(tmp_path / "out" / ".." / "rootlink")):
        errors = []
        found = offline_tasks.find_case_insensitive(given, offline_tasks.TASKS_SEGMENTS, errors)
        assert found == os.path.join(given, "Windows", "System32", "Tasks") and errors == []
        _dir, records, walk_errors = offline_tasks.walk_task_files(given)
        assert [r["data"] for r in records] == [b"t"] and walk_errors == []
    assert tasks.is_dir()


def test_job_files_linked_inside_are_not_followed_and_out_of_the_root_refused(tmp_path):
    jobs = tmp_path / "root" / "Windows" / "Tasks"
    jobs.mkdir(parents=True)
    (jobs / "real.bin").write_bytes(b"inside")
    (tmp_path / "secret.job").write_bytes(b"outside")
    os.symlink("real.bin", jobs / "At1.job")
    os.symlink(str(tmp_path / "secret.job"), jobs / "At2.job")
    _dir, records, _errors = offline_tasks.walk_job_files(str(tmp_path / "root"), max_file_bytes=100)
    assert [(r["name"], r["data"], r["error"]) for r in records] == [
        ("At1.job", None, "cannot read: Too many levels of symbolic links"), ("At2.job", None, REFUSED)]
