# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit action in steady state: the second live run sends the hashes it kept,
restores what the host omitted, and reports exactly what a full run reports; a
task the host reports changed is taken from the host, never from the cache."""
from __future__ import annotations

import copy
import json
import os
from unittest.mock import MagicMock

from bench import _action
from ansible_collections.taskguard.windows.plugins.action.audit import ActionModule
from ansible_collections.taskguard.windows.plugins.plugin_utils import definition_cache
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import definition_sha256

TASK_VARS = {"inventory_hostname": "ws042", "group_names": ["windows"]}
UPDATER = "\\Vendor\\Nested\\Updater"


def _collect_live(unit_fixtures):
    return json.loads((unit_fixtures / "drift" / "collect_live.json").read_text(encoding="utf-8"))


def _omit_known(module_result, known):
    """What collect.ps1 returns for these known hashes (host-side rule)."""
    out = copy.deepcopy(module_result)
    for item in out["tasks"]["api"]["tasks"]:
        sha = definition_sha256(item["xml"])
        item["xml_sha256"], item["xml_omitted"] = sha, known.get(item["path"].lower()) == sha
        if item["xml_omitted"]:
            item["xml"] = None
    out["tasks"]["api"]["known_hashes"] = len(known)
    return out


def _run(tmp_path, module_result, host="ws042", **args):
    base = {"inventory_dir": [os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "task_inventory")],
            "state_dir": str(tmp_path / "state"), "today": "2026-11-25"}
    base.update(args)
    action = _action(ActionModule, base)
    action._execute_module = MagicMock(return_value=module_result)
    return action, action.run(task_vars=dict(TASK_VARS, inventory_hostname=host))


def _comparable(result):
    return sorted((f["kind"], f["task"], f["severity"], json.dumps(f.get("evidence"), sort_keys=True, default=str))
                  for f in result["findings"])


def test_second_run_sends_known_hashes_and_reports_the_same(unit_fixtures, tmp_path):
    full = _collect_live(unit_fixtures)
    first_action, first = _run(tmp_path, copy.deepcopy(full))
    assert "known_task_hashes" not in first_action._execute_module.call_args.kwargs["module_args"]
    # the first run parsed every definition and put it in the shared store
    assert first["definition_cache"]["store_hits"] == 0
    shared = [t for t in full["tasks"]["api"]["tasks"] if t["path"].lower().startswith("\\microsoft\\")]
    assert first["definition_cache"]["store_written"] == len(shared) > 0
    known = definition_cache.known_hashes(definition_cache.load(str(tmp_path / "state"), "ws042"))
    assert len(known) == len(full["tasks"]["api"]["tasks"])

    action, second = _run(tmp_path, _omit_known(full, known))
    sent = action._execute_module.call_args.kwargs["module_args"]["known_task_hashes"]
    assert sent == known
    # the omitted definitions came from the store, nothing new was written; none
    # from a pack: this host wrote them itself, no other host has them
    assert second["definition_cache"] == {"known": len(known), "omitted": len(known), "store_hits": len(shared),
                                          "store_pack_hits": 0, "store_written": 0, "note": None}
    assert _comparable(second) == _comparable(first)


def test_changed_task_comes_from_the_host(unit_fixtures, tmp_path):
    full = _collect_live(unit_fixtures)
    _run(tmp_path, copy.deepcopy(full))
    known = definition_cache.known_hashes(definition_cache.load(str(tmp_path / "state"), "ws042"))
    changed = copy.deepcopy(full)
    for item in changed["tasks"]["api"]["tasks"]:
        if item["path"] == UPDATER:
            item["xml"] = item["xml"].replace("update.exe", "C:\\Users\\Public\\evil.exe")
    _action2, result = _run(tmp_path, _omit_known(changed, known))
    assert result["definition_cache"]["omitted"] == len(known) - 1
    updated = definition_cache.load(str(tmp_path / "state"), "ws042")[UPDATER.lower()]
    # the cache follows the host: the new definition, parsed from the XML it sent
    assert "evil.exe" in json.dumps(updated["definition"]["actions"])
    assert updated["sha256"] != known[UPDATER.lower()]


def test_cache_can_be_turned_off(unit_fixtures, tmp_path):
    full = _collect_live(unit_fixtures)
    _run(tmp_path, copy.deepcopy(full), definition_cache=False)
    action, _result = _run(tmp_path, copy.deepcopy(full), definition_cache=False)
    assert "known_task_hashes" not in action._execute_module.call_args.kwargs["module_args"]
    assert not os.path.exists(definition_cache.cache_path(str(tmp_path / "state"), "ws042"))


def test_third_host_of_a_build_reads_the_shared_definitions_from_its_pack(unit_fixtures, tmp_path):
    """Two hosts had the built-in definitions: the third reads them from one
    pack file and reports exactly what parsing them reports."""
    full = _collect_live(unit_fixtures)
    shared = [t for t in full["tasks"]["api"]["tasks"] if t["path"].lower().startswith("\\microsoft\\")]
    _action1, first = _run(tmp_path, copy.deepcopy(full), host="ws001")
    _action2, second = _run(tmp_path, copy.deepcopy(full), host="ws002")
    _action3, third = _run(tmp_path, copy.deepcopy(full), host="ws003")
    _action4, alone = _run(tmp_path / "elsewhere", copy.deepcopy(full), host="ws003")
    assert first["definition_cache"]["store_pack_hits"] == second["definition_cache"]["store_pack_hits"] == 0
    assert second["definition_cache"]["store_hits"] == len(shared) > 0
    assert third["definition_cache"]["store_pack_hits"] == third["definition_cache"]["store_hits"] == len(shared)
    assert third["definition_cache"]["note"] is None
    assert _comparable(third) == _comparable(alone)
