# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin: live runs the module exactly once, offline never touches the connection."""
from __future__ import annotations

import json
from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.taskguard.windows.plugins.action.task_events import ActionModule
import action_harness as harness
from ansible_collections.taskguard.windows.plugins.plugin_utils.bookmarks import write_bookmark

OP = "Microsoft-Windows-TaskScheduler/Operational"


def make_action(args):
    return harness.make_action(ActionModule, "taskguard.windows.task_events", args)


def test_offline_never_runs_module_or_connects(tmp_path, unit_fixtures):
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "a.xml").write_text(
        (unit_fixtures / "task_events" / "operational" / "106.xml").read_text())
    action = make_action({"offline_root": str(tmp_path)})
    result = action.run(task_vars={"inventory_hostname": "ws042"})
    assert result["mode"] == "offline"
    assert [e["event_id"] for e in result["events"]] == [106]
    action._execute_module.assert_not_called()
    action._connection.exec_command.assert_not_called()


def test_live_runs_module_once_and_normalizes(unit_fixtures, tmp_path):
    material = json.loads((unit_fixtures / "task_events" / "live_full.json").read_text())
    write_bookmark(str(tmp_path), "ws042", {OP: {"record_id": 5025, "time": "2026-03-02T09:18:00.7000000Z"}})
    action = make_action({"state_dir": str(tmp_path), "max_events": 100})
    action._execute_module = MagicMock(return_value={"changed": False, "material": material})
    result = action.run(task_vars={"inventory_hostname": "ws042"})
    assert action._execute_module.call_count == 1
    sent = action._execute_module.call_args.kwargs["module_args"]
    assert sent["since"] == {OP: {"record_id": 5025, "time": "2026-03-02T09:18:00.7000000Z"}}
    assert sent["max_events"] == 100
    assert result["mode"] == "live"
    assert [e["record_id"] for e in result["events"] if e["channel"] == OP] == [5026, 5027, 5030]
    assert "material" not in result


def test_live_module_failure_is_passed_on(unit_fixtures):
    action = make_action({})
    action._execute_module = MagicMock(return_value={"failed": True, "msg": "winrm said no"})
    result = action.run(task_vars={})
    assert result["failed"] is True and result["msg"] == "winrm said no"


def test_bad_since_fails_clearly():
    action = make_action({"since": {"Security": {"record_id": "abc"}}})
    with pytest.raises(AnsibleActionFail, match="record_id"):
        action.run(task_vars={})
