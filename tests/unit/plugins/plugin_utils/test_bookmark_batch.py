# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Batch bookmark writes (drift_report): no fsync per host, one sync for the run,
same bookmarks on disk."""
from __future__ import annotations

import os

from ansible_collections.taskguard.windows.plugins.plugin_utils import bookmarks

MARK = {"Security": {"record_id": 42, "time": "2026-03-02T09:15:04.1200000Z"}}


def test_batch_write_skips_fsync_and_syncs_once(tmp_path, monkeypatch):
    calls = {"fsync": 0, "sync": 0}
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: calls.__setitem__("fsync", calls["fsync"] + 1) or real_fsync(fd))
    monkeypatch.setattr(os, "sync", lambda: calls.__setitem__("sync", calls["sync"] + 1))
    for host in ("ws1", "ws2", "ws3"):
        bookmarks.write_bookmark(str(tmp_path), host, MARK, durable=False)
    assert calls == {"fsync": 0, "sync": 0}
    bookmarks.sync_state(str(tmp_path))
    assert calls["sync"] == 1 and calls["fsync"] == 1   # the directory, once
    assert all(bookmarks.read_bookmark(str(tmp_path), h) == MARK for h in ("ws1", "ws2", "ws3"))


def test_default_write_is_still_durable(tmp_path, monkeypatch):
    calls = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd) or real_fsync(fd))
    bookmarks.write_bookmark(str(tmp_path), "ws1", MARK)
    assert len(calls) == 2   # file and directory
    assert bookmarks.read_bookmark(str(tmp_path), "ws1") == MARK


def test_drift_report_advances_every_bookmark_with_one_sync(tmp_path, monkeypatch):
    from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
    synced = []
    monkeypatch.setattr(audit_support, "sync_bookmarks", synced.append)
    from bench import _action
    from ansible_collections.taskguard.windows.plugins.action.drift_report import ActionModule
    results = {h: {"status": "audited", "findings": [], "summary": {}, "bookmark": MARK, "mode": "live"}
               for h in ("ws1", "ws2")}
    action = _action(ActionModule, {"hosts": list(results), "results": results,
                                    "report_dir": str(tmp_path / "r"), "state_dir": str(tmp_path / "s"), "run_id": "t"})
    out = action.run(task_vars={})
    assert sorted(out["bookmarks_advanced"]) == ["ws1", "ws2"] and synced == [str(tmp_path / "s")]
    assert bookmarks.read_bookmark(str(tmp_path / "s"), "ws2") == MARK
