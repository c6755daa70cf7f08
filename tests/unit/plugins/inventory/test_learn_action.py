# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""inventory_learn per host: live learns from the task_info module's material (one
run), offline from the evidence folder with the audit's own collection code."""
from __future__ import annotations

import json
from unittest.mock import MagicMock

from ansible_collections.taskguard.windows.plugins.action.inventory_learn import ActionModule
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import normalize_live_tasks
import action_harness as harness

TASK_VARS = {"inventory_hostname": "ws01", "group_names": ["windows"]}


def make_action(args):
    return harness.make_action(ActionModule, "taskguard.windows.inventory_learn", args)


def test_live_learns_every_task_of_the_module_material(unit_fixtures):
    module_result = json.loads((unit_fixtures / "task_info" / "live_admin.json").read_text(encoding="utf-8"))
    expected = normalize_live_tasks(module_result["material"])["tasks"]
    action = make_action({})
    action._execute_module = MagicMock(return_value=module_result)
    learned = action.run(task_vars=dict(TASK_VARS))["learned"]
    assert action._execute_module.call_count == 1
    assert learned["ok"] and learned["mode"] == "live"
    assert expected and learned["task_count"] == len(expected)
    assert learned["sources"]["api"] is True


def test_live_module_without_material_is_a_failed_host():
    action = make_action({})
    action._execute_module = MagicMock(return_value={"changed": False})
    result = action.run(task_vars=dict(TASK_VARS))
    assert result["failed"] and result["learned"]["ok"] is False
    assert "no material" in result["msg"]
