# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit action: live = exactly one collect call; offline = no connection; results unsafe."""
from __future__ import annotations

import json
import os
from unittest.mock import MagicMock

from ansible.template import is_trusted_as_template, trust_as_template

from ansible_collections.taskguard.windows.plugins.action.audit import ActionModule
import action_harness as harness
from ansible_collections.taskguard.windows.plugins.plugin_utils import bookmarks

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def make_action(args):
    return harness.make_action(ActionModule, "taskguard.windows.audit", args)


def fixture(unit_fixtures, name):
    return json.loads((unit_fixtures / "drift" / name).read_text(encoding="utf-8"))


def empty_inventory(tmp_path):
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "empty.yml").write_text("inventory_version: 1\nowner: {name: t, kind: internal, contact: t}\ntasks: []\n")
    return str(folder)


def test_live_runs_collect_once_and_marks_unsafe(unit_fixtures, tmp_path):
    action = make_action({"inventory_dir": [empty_inventory(tmp_path)], "state_dir": str(tmp_path / "state")})
    action._execute_module = MagicMock(return_value=fixture(unit_fixtures, "collect_live.json"))
    result = action.run(task_vars={"inventory_hostname": "ws042", "group_names": ["windows"]})
    assert action._execute_module.call_count == 1
    kwargs = action._execute_module.call_args.kwargs
    assert kwargs["module_name"] == "taskguard.windows.collect"
    assert kwargs["module_args"] == {"since": {}, "max_events": 5000, "admin_surface": True}
    assert result["mode"] == "live" and result["status"] in ("audited", "partial")
    assert result["findings"] and {f["kind"] for f in result["findings"]} >= {"undocumented"}
    assert result["bookmark"]
    paths = [f["task"] for f in result["findings"] if f["task"]]
    assert paths and not any(is_trusted_as_template(p) for p in paths)


def test_results_are_never_trusted_as_templates(tmp_path, monkeypatch):
    from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline
    hostile = trust_as_template("{{ lookup('pipe', 'id') }}")
    assert is_trusted_as_template(hostile)

    def fake_audit(*args, **kwargs):
        finding = {"id": "x", "kind": "undocumented", "task": hostile, "severity": "low", "title": hostile}
        return {"status": "audited", "summary": {}, "findings": [finding],
                "verdict": {"state": "clean", "reasons": [], "task_sources_read": True}}
    monkeypatch.setattr(pipeline, "audit_host", fake_audit)
    action = make_action({"inventory_dir": [empty_inventory(tmp_path)]})
    result = action.run(task_vars={"inventory_hostname": "dc01",
                                   "taskguard_offline_root": os.path.join(REPO, "samples", "dc01")})
    (hostile_row,) = [f for f in result["findings"] if f["id"] == "x"]
    assert hostile_row["task"] == "{{ lookup('pipe', 'id') }}"
    assert not is_trusted_as_template(hostile_row["task"])
    assert not is_trusted_as_template(hostile_row["title"])
    assert not any(is_trusted_as_template(f["title"]) for f in result["findings"])


def test_live_event_half_failed_is_a_gap_not_a_clean_result(unit_fixtures, tmp_path):
    action = make_action({"inventory_dir": [empty_inventory(tmp_path)]})
    action._execute_module = MagicMock(return_value=fixture(unit_fixtures, "collect_events_failed.json"))
    result = action.run(task_vars={"inventory_hostname": "ws042"})
    assert result["status"] == "partial"
    titles = [f["title"] for f in result["findings"] if f["kind"] == "coverage_gap"]
    assert any("UnauthorizedAccessException" in t for t in titles)
    assert any("events were not collected" in t for t in titles)


def test_live_module_failure_fails_the_host(tmp_path):
    action = make_action({"inventory_dir": [empty_inventory(tmp_path)]})
    action._execute_module = MagicMock(return_value={"failed": True, "msg": "winrm said no"})
    result = action.run(task_vars={"inventory_hostname": "ws042"})
    assert result["failed"] is True and "winrm said no" in result["msg"]


def test_bookmark_from_state_dir_is_sent_as_since(unit_fixtures, tmp_path):
    state = str(tmp_path / "state")
    mark = {"Security": {"record_id": 41, "time": "2026-01-01T00:00:00Z"}}
    bookmarks.write_bookmark(state, "ws042", mark)
    action = make_action({"inventory_dir": [empty_inventory(tmp_path)], "state_dir": state})
    action._execute_module = MagicMock(return_value=fixture(unit_fixtures, "collect_live.json"))
    action.run(task_vars={"inventory_hostname": "ws042"})
    assert action._execute_module.call_args.kwargs["module_args"]["since"] == mark
    # reading never writes: the report step advances bookmarks
    assert bookmarks.read_bookmark(state, "ws042") == mark


def test_offline_never_connects(tmp_path):
    action = make_action({"inventory_dir": [os.path.join(REPO, "inventories", "demo", "task_inventory")]})
    result = action.run(task_vars={"inventory_hostname": "dc01",
                                   "taskguard_offline_root": os.path.join(REPO, "samples", "dc01"),
                                   "taskguard_domain_role": "domain_controller"})
    action._execute_module.assert_not_called()
    assert result["mode"] == "offline"
    assert ("hidden", "\\WinUpdate") in {(f["kind"], f["task"]) for f in result["findings"]}


def test_offline_missing_evidence_fails_clearly(tmp_path):
    action = make_action({"inventory_dir": [empty_inventory(tmp_path)]})
    result = action.run(task_vars={"inventory_hostname": "x", "taskguard_offline_root": str(tmp_path / "nope")})
    assert result["failed"] is True and "does not exist" in result["msg"]


def test_broken_inventory_is_reported_not_fatal(tmp_path):
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "bad.yml").write_text("inventory_version: 1\nowner: {name: t}\ntasks: [{path: 1}]\n")
    action = make_action({"inventory_dir": [str(folder)]})
    result = action.run(task_vars={"inventory_hostname": "dc01",
                                   "taskguard_offline_root": os.path.join(REPO, "samples", "dc01")})
    assert any("problem(s) in the task inventory" in f["title"] for f in result["findings"])


def test_invalid_user_rule_file_fails_with_a_clear_message(tmp_path):
    rules = tmp_path / "ours.yml"
    rules.write_text("rules: [{id: X-1, title: t, severity: severe, match: {all: []}}]")
    action = make_action({"inventory_dir": [empty_inventory(tmp_path)], "extra_rule_files": [str(rules)]})
    result = action.run(task_vars={"inventory_hostname": "dc01",
                                   "taskguard_offline_root": os.path.join(REPO, "samples", "dc01")})
    assert result["failed"] is True
    assert result["msg"].startswith("risk rules: ") and "severity must be one of" in result["msg"]
