# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bookmark state files: validation, merge, atomic and concurrent writes."""
from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import bookmarks
from ansible_collections.taskguard.windows.plugins.plugin_utils.bookmarks import (
    BookmarkError,
    merge_bookmarks,
    read_bookmark,
    state_path,
    validate_bookmark,
    write_bookmark,
)

OP = "Microsoft-Windows-TaskScheduler/Operational"
MARK = {OP: {"record_id": 5030, "time": "2026-03-02T09:20:00.5000000Z"},
        "Security": {"record_id": 880110, "time": "2026-03-02T09:20:00.4000000Z"}}


def test_roundtrip(tmp_path):
    assert read_bookmark(str(tmp_path), "ws042") == {}
    write_bookmark(str(tmp_path), "ws042", MARK)
    assert read_bookmark(str(tmp_path), "ws042") == MARK
    assert read_bookmark(str(tmp_path), "other") == {}
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".tmp-")]


def test_merge_keeps_channels_not_in_new(tmp_path):
    write_bookmark(str(tmp_path), "h", MARK)
    write_bookmark(str(tmp_path), "h", {"Security": {"record_id": 880200, "time": "2026-03-03T00:00:00Z"}})
    got = read_bookmark(str(tmp_path), "h")
    assert got[OP] == MARK[OP] and got["Security"]["record_id"] == 880200
    write_bookmark(str(tmp_path), "h", {"Security": MARK["Security"]}, merge=False)
    assert read_bookmark(str(tmp_path), "h") == {"Security": MARK["Security"]}
    assert merge_bookmarks(None, MARK) == MARK


@pytest.mark.parametrize("bad", [
    [], {"Security": 5}, {"Security": {"record_id": -1}}, {"Security": {"record_id": True}},
    {"Security": {"record_id": 1, "time": "yesterday"}}, {"": {"record_id": 1}},
])
def test_validate_rejects(bad):
    with pytest.raises(BookmarkError):
        validate_bookmark(bad)


def test_validate_accepts_digit_strings_and_missing_time():
    assert validate_bookmark({"Security": {"record_id": "12"}}) == {"Security": {"record_id": 12, "time": None}}


@pytest.mark.parametrize("host", ["../../etc/passwd", "a/b", ".", "..", "host with space", "ホスト"])
def test_state_path_stays_in_dir(tmp_path, host):
    path = state_path(str(tmp_path), host)
    assert os.path.dirname(path) == str(tmp_path)
    assert "/" not in os.path.basename(path)


def test_corrupt_state_file_is_an_error(tmp_path):
    path = state_path(str(tmp_path), "h")
    with open(path, "w") as handle:
        handle.write('{"version": 1, "bookmark": {"Security": {"record_id": "x"')
    with pytest.raises(BookmarkError):
        read_bookmark(str(tmp_path), "h")
    with open(path, "w") as handle:
        json.dump({"version": 99, "bookmark": {}}, handle)
    with pytest.raises(BookmarkError):
        read_bookmark(str(tmp_path), "h")


def test_failed_write_leaves_old_file(tmp_path, monkeypatch):
    write_bookmark(str(tmp_path), "h", MARK)

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(bookmarks.os, "replace", boom)
    with pytest.raises(OSError):
        write_bookmark(str(tmp_path), "h", {"Security": {"record_id": 1, "time": None}})
    monkeypatch.undo()
    assert read_bookmark(str(tmp_path), "h") == MARK
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".tmp-")]


def _writer(state_dir, channel, count):
    for i in range(count):
        write_bookmark(state_dir, "h", {channel: {"record_id": i, "time": None}})


def test_concurrent_writers_do_not_corrupt_or_lose_channels(tmp_path):
    # Two runs at once: with the lock, merge-read-write is serialized, so each
    # writer's channel survives the other's writes.
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), ch, 60)) for ch in ("A", "B")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    got = read_bookmark(str(tmp_path), "h")
    assert got == {"A": {"record_id": 59, "time": None}, "B": {"record_id": 59, "time": None}}
