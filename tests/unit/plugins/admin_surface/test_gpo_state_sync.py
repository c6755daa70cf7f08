# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report step keeps the GPO task states like the event bookmarks: written without an
fsync per host, one sync of the state dir for the whole run, and a failed write or sync
reported (``gpo_state_errors`` and a warning), never swallowed."""
from __future__ import annotations

import errno
import json
from unittest.mock import MagicMock

from action_harness import make_action
from ansible_collections.taskguard.windows.plugins.action.drift_report import ActionModule
from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support, gpo_state

MARK = {"Security": {"record_id": 42, "time": "2026-03-02T09:15:04.1200000Z"}}


def state(name):
    return {"version": gpo_state.STATE_VERSION, "fully_read": True, "unread_gpos": [],
            "tasks": [{"gpo_guid": "{31B2F340-016D-11D2-945F-00C04FB984F9}", "scope": "machine",
                       "item_type": "ImmediateTaskV2", "name": name, "fingerprint": "f" * 64,
                       "command": "C:\\Windows\\System32\\cmd.exe", "run_as": "S-1-5-18"}]}


def result(gpo=None, bookmark=None):
    return {"status": "audited", "findings": [], "summary": {}, "mode": "offline",
            "gpo_state": gpo, "bookmark": bookmark}


def run(tmp_path, results, check_mode=False):
    action = make_action(ActionModule, "taskguard.windows.drift_report",
                         {"hosts": list(results), "results": results, "report_dir": str(tmp_path / "r"),
                          "state_dir": str(tmp_path / "s"), "run_id": "t", "formats": ["json"]})
    action._play_context.check_mode = check_mode
    action._display = MagicMock()
    return action, action.run(task_vars={})


def warnings(action):
    return [str(call.args[0]) for call in action._display.warning.call_args_list]


def test_every_state_is_written_without_fsync_and_the_run_syncs_once(tmp_path, monkeypatch):
    writes, synced = [], []
    real = gpo_state.atomic_write

    def recording(path, data, **kwargs):
        writes.append((path, kwargs["durable"], kwargs["sync_dir"]))
        return real(path, data, **kwargs)
    monkeypatch.setattr(gpo_state, "atomic_write", recording)
    monkeypatch.setattr(audit_support, "sync_bookmarks", synced.append)
    action, out = run(tmp_path, {"dc01": result(state("A")), "dc02": result(state("B")), "ws01": result()})
    written = [(p.rsplit("/", 1)[-1], d, s) for p, d, s in writes]
    assert written == [("dc01.gpo.json", False, False), ("dc02.gpo.json", False, False)]
    assert synced == [str(tmp_path / "s")]              # once, though no bookmark was written
    assert out["gpo_state_errors"] == [] and not warnings(action)
    kept = json.loads((tmp_path / "s" / "dc02.gpo.json").read_text(encoding="utf-8"))
    assert [t["name"] for t in kept["tasks"]] == ["B"] and kept["host"] == "dc02"


def test_a_failed_sync_is_reported_for_the_states_and_the_bookmarks(tmp_path, monkeypatch):
    def failing(_state_dir):
        raise OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr(audit_support, "sync_bookmarks", failing)
    action, out = run(tmp_path, {"dc01": result(state("A"), MARK)})
    assert [(e["host"], "not flushed" in e["error"] and "Input/output error" in e["error"])
            for e in out["gpo_state_errors"]] == [(None, True)]
    assert [e["host"] for e in out["bookmark_errors"]] == [None]
    assert any("GPO task state not kept" in w and "not flushed" in w for w in warnings(action))


def test_a_failed_sync_with_only_gpo_states_is_still_reported(tmp_path, monkeypatch):
    def failing(_state_dir):
        raise OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr(audit_support, "sync_bookmarks", failing)
    action, out = run(tmp_path, {"dc01": result(state("A"))})
    assert [e["host"] for e in out["gpo_state_errors"]] == [None] and out["bookmark_errors"] == []
    assert any("GPO task state not kept" in w for w in warnings(action))


def test_a_state_that_cannot_be_written_is_that_hosts_error_and_the_others_are_kept(tmp_path, monkeypatch):
    synced = []
    monkeypatch.setattr(audit_support, "sync_bookmarks", synced.append)
    broken = dict(state("A"), tasks="not a list")       # a result the state module refuses
    action, out = run(tmp_path, {"dc01": result(broken), "dc02": result(state("B"))})
    assert [e["host"] for e in out["gpo_state_errors"]] == ["dc01"]
    assert not (tmp_path / "s" / "dc01.gpo.json").exists() and (tmp_path / "s" / "dc02.gpo.json").is_file()
    assert synced == [str(tmp_path / "s")]
    assert any("dc01" in w for w in warnings(action))


def test_check_mode_writes_and_syncs_nothing(tmp_path, monkeypatch):
    synced = []
    monkeypatch.setattr(audit_support, "sync_bookmarks", synced.append)
    _action, out = run(tmp_path, {"dc01": result(state("A"), MARK)}, check_mode=True)
    assert synced == [] and out["gpo_state_errors"] == [] and out["bookmarks_advanced"] == []
    assert not (tmp_path / "s" / "dc01.gpo.json").exists()
