# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPO-delivered tasks: SYSVOL discovery, ScheduledTasks.xml parsing, judging (issue 19)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface, gpo_tasks
from ansible_collections.taskguard.windows.plugins.plugin_utils.admin_findings import CODES
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory

REPO_ROOT = Path(__file__).resolve().parents[4]
UNIT_FIXTURES = REPO_ROOT / "tests" / "unit" / "fixtures"
FIX = UNIT_FIXTURES / "admin_surface"
GUID = "{31B2F340-016D-11D2-945F-00C04FB984F9}"
EVIL_GUID = "{6AC1786C-016F-11D2-945F-00C04FB984F9}"
DC = {"name": "dc01", "domain_role": "domain_controller", "groups": ["domain_controllers"]}
SERVER = {"name": "srv01", "domain_role": "member_server", "groups": []}


def plant(policies, guid, xml_name, *, scope="Machine", gpt=b"[General]\r\nVersion=3\r\ndisplayName=Default Domain Policy\r\n"):
    folder = policies / guid
    target = folder / scope / "Preferences" / "ScheduledTasks"
    target.mkdir(parents=True)
    (target / "ScheduledTasks.xml").write_bytes((FIX / xml_name).read_bytes())
    if gpt is not None:
        (folder / "GPT.INI").write_bytes(gpt)
    return target / "ScheduledTasks.xml"


@pytest.fixture
def dc_root(tmp_path):
    root = tmp_path / "dc01"
    policies = root / "Windows" / "SYSVOL" / "domain" / "Policies"
    plant(policies, EVIL_GUID, "scheduled_tasks_immediate_system.xml")
    return root


def test_offline_finds_the_immediate_task_at_the_real_dc_path(dc_root):
    result = gpo_tasks.collect_offline(dc_root)
    assert result["coverage"]["sysvol_found"] is True
    assert result["coverage"]["gpo_folders"] == 1 and result["coverage"]["files_parsed"] == 1
    [task] = result["tasks"]
    assert task["gpo_guid"] == EVIL_GUID and task["gpo_name"] == "Default Domain Policy"
    assert task["item_type"] == "ImmediateTaskV2" and task["immediate"] is True and task["action"] == "C"
    assert task["scope"] == "machine" and task["run_as"] == "NT AUTHORITY\\System"
    assert task["logon_type"] == "S4U" and task["run_level"] == "HighestAvailable"
    assert task["actions"] == [{"type": "exec", "command": "cmd.exe", "working_directory": None,
                                "arguments": "/c \\\\fs02.corp.contoso.example\\software$\\pivot.exe"}]
    assert task["path"] == "\\GPO\\%s\\Machine\\Install Updates" % EVIL_GUID
    assert task["source_path"] == "Windows/SYSVOL/domain/Policies/%s/Machine/Preferences/ScheduledTasks/ScheduledTasks.xml" % EVIL_GUID


def test_immediate_system_task_from_unc_is_critical_and_names_gpo_and_command(dc_root):
    material = admin_surface.collect_offline_admin_surface(str(dc_root))
    findings = [f for f in admin_surface.audit(DC, material, None) if f["kind"] == "gpo_task"]
    [finding] = findings
    assert finding["severity"] == "critical"
    assert finding["code"] == "TG-G003"
    assert {r["rule"] for r in finding["reasons"]} >= {"TG-G003", "TG-G004", "TG-G001"}
    assert EVIL_GUID in finding["title"] and "pivot.exe" in finding["title"]
    assert finding["params"]["gpo_guid"] == EVIL_GUID
    assert "\\\\fs02.corp.contoso.example\\software$\\pivot.exe" in finding["params"]["command"]
    assert finding["params"]["where"] == "UNC"
    assert set(finding) >= {"id", "kind", "task", "severity", "title", "reasons", "evidence", "entry",
                            "proposed_entry", "diff", "code", "params"}


def test_junction_copy_under_sysvol_sysvol_is_read_once(tmp_path):
    root = tmp_path / "dc"
    plant(root / "Windows" / "SYSVOL" / "domain" / "Policies", EVIL_GUID, "scheduled_tasks_immediate_system.xml")
    plant(root / "Windows" / "SYSVOL" / "sysvol" / "corp.contoso.example" / "Policies", EVIL_GUID,
          "scheduled_tasks_immediate_system.xml")
    result = gpo_tasks.collect_offline(root)
    assert len(result["tasks"]) == 1
    assert result["coverage"]["duplicates_skipped"] == 1


def test_copied_sysvol_root_and_case_insensitive_names(tmp_path):
    copy = tmp_path / "sysvol-copy" / "corp.contoso.example"
    target = copy / "policies" / GUID.lower() / "MACHINE" / "preferences" / "scheduledtasks"
    target.mkdir(parents=True)
    (target / "scheduledtasks.xml").write_bytes((FIX / "scheduled_tasks_mixed.xml").read_bytes())
    result = gpo_tasks.collect_offline(None, str(tmp_path / "sysvol-copy"))
    assert result["coverage"]["sysvol_found"] is True
    assert {t["name"] for t in result["tasks"]} == {"Inventory Agent", "Legacy Cleanup", "Old Immediate"}
    assert all(t["gpo_guid"] == GUID for t in result["tasks"])


def test_v1_items_filters_and_bad_items(tmp_path):
    data = (FIX / "scheduled_tasks_mixed.xml").read_bytes()
    tasks, bad = gpo_tasks.parse_scheduled_tasks_xml(data, gpo_guid=GUID, source_path="x.xml")
    by_name = {t["name"]: t for t in tasks}
    legacy = by_name["Legacy Cleanup"]
    assert legacy["item_type"] == "Task" and legacy["immediate"] is False
    assert legacy["actions"] == [{"type": "exec", "command": "C:\\Users\\Public\\cleanup.bat",
                                  "arguments": "/quiet", "working_directory": "C:\\Users\\Public"}]
    assert legacy["run_as"] == "CORP\\svc-cleanup" and legacy["run_once"] is True
    assert legacy["stored_password"] is True
    # the decryptable cpassword itself is never copied into the result
    assert "ZmFrZS1ub3QtYS1yZWFsLWNwYXNzd29yZA" not in json.dumps(tasks)
    old = by_name["Old Immediate"]
    assert old["immediate"] is True and old["disabled"] is True and old["run_as_default"] is True
    assert {(b.get("name") or b.get("item_type")) for b in bad} == {"Broken", "Shortcut"}
    assert all(b["error"] for b in bad)


def test_disabled_item_is_reported_low_and_undocumented_items_medium_or_more(tmp_path):
    root = tmp_path / "dc"
    plant(root / "Windows" / "SYSVOL" / "domain" / "Policies", GUID, "scheduled_tasks_mixed.xml")
    findings = admin_surface.audit(DC, admin_surface.collect_offline_admin_surface(str(root)), None)
    by_name = {f["params"].get("name"): f for f in findings if f["kind"] == "gpo_task"}
    assert by_name["Old Immediate"]["severity"] == "low"
    assert by_name["Legacy Cleanup"]["severity"] == "high"          # stored password
    assert by_name["Inventory Agent"]["severity"] == "medium"       # undocumented only
    unparseable = [f for f in findings if f["code"] == "TG-G012"]
    assert len(unparseable) == 2


INVENTORY = """\
inventory_version: 1
owner: {name: Contoso IT, kind: internal, contact: it@contoso.example}
tasks:
- path: '\\GPO\\%s\\Machine\\Inventory Agent'
  justification: Inventory agent pushed by the default domain policy
  expected:
    principal: {user_id: S-1-5-20, run_level: LeastPrivilege}
    actions:
    - {type: exec, command: 'C:\\Program Files\\Contoso\\Inventory\\invagent.exe', arguments: %s}
"""


def _view(tmp_path, arguments):
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "gpo.yml").write_text(INVENTORY % (GUID, arguments))
    inventory = load_inventory([str(inv)], today="2026-12-01")
    assert inventory.valid, inventory.errors
    return inventory.for_host(DC)


@pytest.mark.parametrize("arguments, expected", [("--scan", None), ("--full", "TG-G002")])
def test_gpo_task_is_compared_with_the_inventory(tmp_path, arguments, expected):
    root = tmp_path / "dc"
    plant(root / "Windows" / "SYSVOL" / "domain" / "Policies", GUID, "scheduled_tasks_mixed.xml")
    material = admin_surface.collect_offline_admin_surface(str(root))
    findings = admin_surface.audit(DC, material, _view(tmp_path, arguments))
    agent = [f for f in findings if f["params"].get("name") == "Inventory Agent"]
    if expected is None:
        assert agent == []
    else:
        [finding] = agent
        assert finding["code"] == expected and finding["entry"]["file"].endswith("gpo.yml")
        assert finding["diff"][0]["field"] == "actions[0].arguments"


def test_added_or_changed_since_the_last_audit(dc_root):
    material = admin_surface.collect_offline_admin_surface(str(dc_root))
    same = admin_surface.audit(DC, material, None, previous=material)
    assert not any(r["rule"] in ("TG-G005", "TG-G006") for f in same for r in f["reasons"])
    empty = {"gpo_tasks": {"tasks": []}}
    [added] = [f for f in admin_surface.audit(DC, material, None, previous=empty) if f["kind"] == "gpo_task"]
    assert "TG-G005" in {r["rule"] for r in added["reasons"]}
    changed_prev = json.loads(json.dumps(material))
    changed_prev["gpo_tasks"]["tasks"][0]["fingerprint"] = "0" * 64
    [changed] = [f for f in admin_surface.audit(DC, material, None, previous=changed_prev) if f["kind"] == "gpo_task"]
    assert "TG-G006" in {r["rule"] for r in changed["reasons"]}


def test_no_sysvol_is_a_coverage_gap_on_a_dc_only(tmp_path):
    root = tmp_path / "empty"
    (root / "Windows").mkdir(parents=True)
    material = admin_surface.collect_offline_admin_surface(str(root))
    assert material["gpo_tasks"]["coverage"]["sysvol_found"] is False
    dc_codes = {f["code"] for f in admin_surface.audit(DC, material, None)}
    assert "TG-G010" in dc_codes
    assert "TG-G010" not in {f["code"] for f in admin_surface.audit(SERVER, material, None)}


@pytest.mark.parametrize("payload, reason", [
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><ScheduledTasks/>', "DOCTYPE"),
    (b"<Groups><Group/></Groups>", "not <ScheduledTasks>"),
    (b"<ScheduledTasks><TaskV2", "not well-formed"),
])
def test_hostile_files_become_unparseable_findings(tmp_path, payload, reason):
    root = tmp_path / "dc"
    target = plant(root / "Windows" / "SYSVOL" / "domain" / "Policies", GUID, "scheduled_tasks_mixed.xml")
    target.write_bytes(payload)
    material = admin_surface.collect_offline_admin_surface(str(root))
    [item] = material["gpo_tasks"]["unparseable"]
    assert reason in item["error"]
    assert "TG-G012" in {f["code"] for f in admin_surface.audit(DC, material, None)}


def test_oversized_file_is_an_error_not_a_silent_skip(tmp_path, monkeypatch):
    monkeypatch.setattr(gpo_tasks, "MAX_FILE_BYTES", 100)
    root = tmp_path / "dc"
    plant(root / "Windows" / "SYSVOL" / "domain" / "Policies", GUID, "scheduled_tasks_mixed.xml")
    material = admin_surface.collect_offline_admin_surface(str(root))
    assert material["gpo_tasks"]["errors"] and "exceeds" in material["gpo_tasks"]["errors"][0]["error"]
    assert "TG-G011" in {f["code"] for f in admin_surface.audit(DC, material, None)}


def test_symlinked_gpo_folder_outside_the_evidence_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    plant(outside, GUID, "scheduled_tasks_mixed.xml")
    policies = tmp_path / "dc" / "Windows" / "SYSVOL" / "domain" / "Policies"
    policies.mkdir(parents=True)
    (policies / GUID).symlink_to(outside / GUID)
    result = gpo_tasks.collect_offline(tmp_path / "dc")
    assert result["tasks"] == []
    assert "outside the evidence" in result["errors"][0]["error"]


def test_gpt_ini_utf16_and_hostile_names():
    text = "[General]\r\nVersion=65537\r\ndisplayName=Tâches\x01 planifiées\r\n"
    assert gpo_tasks.parse_gpt_ini(b"\xff\xfe" + text.encode("utf-16-le")) == "Tâches planifiées"
    assert gpo_tasks.parse_gpt_ini(b"[General]\nVersion=1\n") is None
    assert gpo_tasks.parse_gpt_ini(b"[Other]\ndisplayName=x\n") is None


def test_live_material_contract():
    live = json.loads((FIX / "live_dc.json").read_text())
    material = admin_surface.normalize_live_admin_surface(live)
    [task] = material["gpo_tasks"]["tasks"]
    assert task["gpo_guid"] == EVIL_GUID and task["gpo_name"] == "Default Domain Policy"
    assert task["source_path"].endswith("ScheduledTasks.xml")
    source = "C:\\Windows\\SYSVOL\\domain\\Policies\\%s\\User\\Preferences\\ScheduledTasks\\ScheduledTasks.xml" % EVIL_GUID
    assert material["gpo_tasks"]["errors"] == [
        {"source": source, "gpo_guid": EVIL_GUID,
         "error": "System.UnauthorizedAccessException: Access to the path is denied."}]


def test_codes_catalogue_shape():
    for code, meta in CODES.items():
        assert code.startswith(("TG-G", "TG-A", "TG-L"))
        assert set(meta) == {"kind", "severity", "title", "anchor"}


def test_demo_dc01_sample_reports_the_immediate_task():
    material = admin_surface.collect_offline_admin_surface(str(REPO_ROOT / "samples" / "dc01"))
    findings = admin_surface.audit(DC, material, None)
    [gpo] = [f for f in findings if f["kind"] == "gpo_task"]
    assert gpo["severity"] == "critical" and gpo["params"]["gpo_guid"] == "{5C2B7A1E-9D43-4F6B-8E21-3A7D0C9B6E54}"
    assert gpo["params"]["gpo_name"] == "Server Maintenance"
    assert gpo["params"]["command"] == "cmd.exe /c \\\\fs02.corp.contoso.example\\software$\\pivot.exe"
    assert gpo["params"]["run_as"] == "NT AUTHORITY\\System"
    # a DC's Administrators group is not in any SAM hive (said, not hidden), and dc01's
    # SOFTWARE hive holds a LAPS policy whose events are not in the evidence (TG-L011)
    assert {"TG-A014", "TG-L011"} <= {f["code"] for f in findings}


def test_fifos_in_the_sysvol_are_refused_not_waited_on(tmp_path):
    import os
    root = tmp_path / "dc"
    target = plant(root / "Windows" / "SYSVOL" / "domain" / "Policies", GUID, "scheduled_tasks_mixed.xml")
    target.unlink()
    os.mkfifo(target)
    gpt = target.parents[3] / "GPT.INI"
    gpt.unlink()
    os.mkfifo(gpt)
    result = gpo_tasks.collect_offline(root)
    assert result["tasks"] == []
    assert {e["error"] for e in result["errors"]} == {"GPT.INI not readable: not a regular file",
                                                      "not readable: not a regular file"}


def test_state_for_next_audit_round_trip(dc_root, tmp_path):
    material = admin_surface.collect_offline_admin_surface(str(dc_root))
    state = json.loads(json.dumps(admin_surface.state_for_next_audit(material)))
    assert state["fully_read"] is True and state["unread_gpos"] == []
    assert state["tasks"] == [{"gpo_guid": EVIL_GUID, "scope": "machine", "item_type": "ImmediateTaskV2",
                               "name": "Install Updates", "fingerprint": material["gpo_tasks"]["tasks"][0]["fingerprint"],
                               "run_as": "NT AUTHORITY\\System",
                               "command": "cmd.exe /c \\\\fs02.corp.contoso.example\\software$\\pivot.exe"}]
    again = admin_surface.audit(DC, material, None, previous=state)
    assert not any(r["rule"] in ("TG-G005", "TG-G006", "TG-G009") for f in again for r in f["reasons"])
    # a previous audit that could not see SYSVOL proves nothing about "new"
    blind = admin_surface.collect_offline_admin_surface(str(tmp_path))
    assert admin_surface.state_for_next_audit(blind) is None
    after_blind = admin_surface.audit(DC, material, None, previous=blind)
    assert not any(r["rule"] == "TG-G005" for f in after_blind for r in f["reasons"])


def test_risk_rules_score_the_gpo_task_definition(dc_root):
    from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import load_rules
    material = admin_surface.collect_offline_admin_surface(str(dc_root))
    [finding] = [f for f in admin_surface.audit(DC, material, None, rules=load_rules()) if f["kind"] == "gpo_task"]
    rules = [r["rule"] for r in finding["reasons"]]
    assert rules[:3] == ["TG-G003", "TG-G004", "TG-G001"]
    assert any(r.startswith("TG-R") for r in rules)          # the same rules as local tasks


def test_two_items_of_one_name_are_both_judged():
    """A disabled Task and an ImmediateTask named alike must not share an id: the
    immediate SYSTEM task from a UNC path would otherwise be dropped."""
    tasks = []
    for item_type, disabled, command in (("TaskV2", True, "C:\\Windows\\System32\\notepad.exe"),
                                         ("ImmediateTaskV2", False, "\\\\evil\\share\\x.exe")):
        tasks.append({"gpo_guid": "{5C2B7A1E-9D43-4F6B-8E21-3A7D0C9B6E54}", "gpo_name": "g", "scope": "machine",
                      "item_type": item_type, "immediate": item_type.startswith("Immediate"), "action": "C",
                      "action_valid": True, "name": "x", "path": "\\GPO\\{5C2B7A1E-9D43-4F6B-8E21-3A7D0C9B6E54}\\Machine\\x",
                      "actions": [{"type": "exec", "command": command, "arguments": None, "working_directory": None}],
                      "run_as": "NT AUTHORITY\\System", "run_as_default": False, "logon_type": "S4U",
                      "run_level": "HighestAvailable", "source_path": "Policies/x/ScheduledTasks.xml",
                      "changed": None, "uid": "{1}", "disabled": disabled, "remove_policy": False,
                      "user_context": False, "run_once": False, "filters": [], "definition": {}})
    gpo = {"tasks": tasks, "errors": [], "unparseable": [], "coverage": {"sysvol_found": True}}
    found = admin_surface.audit(DC, {"gpo_tasks": gpo}, None)
    severities = sorted(f["severity"] for f in found if f["kind"] == "gpo_task")
    assert severities == ["critical", "low"]


def test_items_past_the_same_key_bound_are_said_not_judged(monkeypatch):
    """A hostile GPO repeating one item past the bound: the overflow is TG-G012, never dropped."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_findings
    monkeypatch.setattr(admin_findings, "MAX_SAME_KEY", 1)
    task = {"gpo_guid": "{5C2B7A1E-9D43-4F6B-8E21-3A7D0C9B6E54}", "gpo_name": "g", "scope": "machine",
            "item_type": "TaskV2", "immediate": False, "action": "C", "action_valid": True, "name": "x",
            "path": "\\GPO\\{5C2B7A1E-9D43-4F6B-8E21-3A7D0C9B6E54}\\Machine\\x",
            "actions": [{"type": "exec", "command": "C:\\Windows\\System32\\notepad.exe", "arguments": None,
                         "working_directory": None}],
            "run_as": "NT AUTHORITY\\System", "run_as_default": False, "logon_type": "S4U",
            "run_level": "HighestAvailable", "source_path": "Policies/x/ScheduledTasks.xml", "changed": None,
            "uid": "{1}", "disabled": False, "remove_policy": False, "user_context": False, "run_once": False,
            "filters": [], "definition": {}}
    gpo = {"tasks": [task, dict(task)], "errors": [], "unparseable": [], "coverage": {"sysvol_found": True}}
    found = admin_surface.audit(DC, {"gpo_tasks": gpo}, None)
    assert [f["code"] for f in found if f["task"] == task["path"]].count("TG-G012") == 1
    assert len([f for f in found if f["kind"] == "gpo_task"]) == 1


@pytest.mark.parametrize("files, errors", [({"a": 1}, "abc"), ("xyz", 5)])
def test_live_sysvol_parts_of_the_wrong_type_are_not_iterated(files, errors):
    material = {"found": True, "root": "C:\\Windows\\SYSVOL\\domain\\Policies", "gpo_folders": 1,
                "gpos": [{"guid": "{5C2B7A1E-9D43-4F6B-8E21-3A7D0C9B6E54}", "gpt_ini_b64": None, "files": files}],
                "errors": errors}
    result = gpo_tasks.parse_live_material(material)
    assert result["tasks"] == [] and all(len(str(e.get("error"))) > 1 for e in result["errors"])
