# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight action's run, called directly (the playbook tests only see its message).

Characterization for issue 22: the result recorded here was read from the action
before its ``run`` was split into gathering steps; the split must give the same
problems, warnings, order and message.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from unittest.mock import MagicMock

from ansible_collections.taskguard.windows.plugins.action.preflight import ActionModule
from ansible_collections.taskguard.windows.plugins.plugin_utils import preflight
import action_harness as harness

REPO_ROOT = Path(__file__).resolve().parents[4]


class BrokenVars(dict):
    """Hostvars whose taskguard_offline_root cannot be templated (an undefined variable)."""

    def __getitem__(self, name):
        if name == "taskguard_offline_root":
            raise ValueError("'nope' is undefined")
        return dict.__getitem__(self, name)


def _run(args, task_vars, monkeypatch):
    monkeypatch.setattr(preflight, "_importable", lambda module: module != "kerberos")
    action = harness.make_action(ActionModule, "taskguard.windows.preflight", args)
    action._display = MagicMock()
    result = action.run(task_vars=task_vars)
    return dict(result), action._display.deprecated.call_args_list


def test_every_kind_of_input_gives_the_recorded_problems_in_order(tmp_path, monkeypatch):
    evidence_file = tmp_path / "evidence.txt"
    evidence_file.write_text("x")
    missing = str(tmp_path / "missing")
    args = {
        "hosts": ["ws01", "dc01", "dc02", "off01", "bad01"],
        "host_pattern": "windows",
        "choices": {"taskguard_fail_on": {"value": "sometimes", "choices": ["never", "high"]},
                    "taskguard_report_formats": {"value": "json, pdf", "choices": ["json", "md"], "list": True},
                    "broken": {"value": "x"}},
        "bools": {"taskguard_fail_on_unaudited": "maybe"},
        "positive_ints": {"taskguard_max_events": "0"},
        "dates": {"taskguard_today": "2026-13-01"},
        "inventory_dirs": [missing],
        "writable_dirs": {"taskguard_state_dir": str(evidence_file)},
        "files": {"taskguard_ca": missing},
        "existing_paths": {"taskguard_compliance_dir": [missing]},
        "risk_rule_files": {"taskguard_risk_rule_files": [missing]},
        "output_files": {"taskguard_out": str(tmp_path)},
        "offline_roots": True,
        "connections": True,
        "renamed_vars": {"taskguard_old": "taskguard_new", "taskguard_unset": "taskguard_x"},
    }
    task_vars = {"taskguard_old": 1, "hostvars": {
        "ws01": {"ansible_connection": "winrm", "ansible_winrm_transport": "kerberos"},
        "dc01": {"ansible_connection": "ansible.builtin.winrm", "ansible_winrm_transport": ["kerberos"],
                 "taskguard_task_inventory_dir": [missing]},
        "dc02": {"ansible_connection": "winrm", "ansible_winrm_transport": "kerberos",
                 "taskguard_task_inventory_dir": missing + "2"},
        "off01": {"taskguard_offline_root": str(evidence_file), "ansible_connection": "winrm",
                  "ansible_winrm_transport": "kerberos"},
        "bad01": BrokenVars(ansible_connection="psrp", taskguard_offline_root="unused"),
    }}
    result, deprecated = _run(args, task_vars, monkeypatch)
    tmp = str(tmp_path)
    problems = [p.replace(tmp, "<tmp>") for p in result["problems"]]
    assert problems == [
        "preflight: choices.broken needs value and choices",
        "taskguard_offline_root for host bad01 cannot be read: 'nope' is undefined",
        "taskguard_fail_on='sometimes' is not one of: never, high",
        "taskguard_report_formats: 'pdf' is not one of: json, md",
        "taskguard_fail_on_unaudited='maybe' is not a boolean (true or false)",
        "taskguard_max_events='0' is not a positive whole number",
        "taskguard_today='2026-13-01' is not a calendar date (YYYY-MM-DD)",
        "taskguard_task_inventory_dir: <tmp>/missing does not exist",
        "taskguard_task_inventory_dir: <tmp>/missing2 does not exist",
        "taskguard_ca: <tmp>/missing does not exist",
        "taskguard_compliance_dir: <tmp>/missing does not exist",
        "taskguard_risk_rule_files: <tmp>/missing does not exist",
        "taskguard_out=<tmp> is a folder; give a file name",
        "taskguard_state_dir=<tmp>/evidence.txt is a file, not a folder",
        "taskguard_offline_root for host off01 is a file, not an evidence folder: <tmp>/evidence.txt",
        "ansible_winrm_transport=kerberos for host dc01 (and 2 more host(s)) needs the Python library kerberos "
        "on the controller: install pywinrm[kerberos] (pykerberos; system package krb5 headers, see bindep.txt), "
        "e.g. pip install -r requirements-winrm.txt",
    ]
    assert result["failed"] is True and result["changed"] is False
    assert result["hosts"] == args["hosts"]
    assert "warnings" not in result
    assert result["msg"].startswith("preflight found 16 problem(s); the run stopped before contacting any host:\n- ")
    assert result["msg"].count("\n- ") == 16
    assert [c.args[0] for c in deprecated] == ["taskguard_old is renamed to taskguard_new; set taskguard_new instead"]


def test_a_clean_run_passes_names_the_hosts_and_keeps_warnings(tmp_path, monkeypatch):
    inventory = tmp_path / "inv"
    shutil.copytree(REPO_ROOT / "inventories" / "demo" / "task_inventory", inventory)
    (inventory / "vendor.yml").write_text("inventory_version: 1\nowner: [\n", encoding="utf-8")
    args = {"hosts": ["ws01"], "inventory_dirs": [str(inventory)], "offline_roots": True, "connections": True,
            "choices": {"taskguard_report_formats": {"value": "json,md", "choices": ["json", "md"], "list": True}},
            "writable_dirs": {"taskguard_report_dir": str(tmp_path / "reports")}}
    task_vars = {"hostvars": {"ws01": {"taskguard_offline_root": str(tmp_path)}}}
    result = _run(args, task_vars, monkeypatch)[0]
    assert result["problems"] == [], result["problems"]
    assert result["msg"] == "preflight passed for 1 host(s)"
    assert "failed" not in result and result["hosts"] == ["ws01"]
    assert len(result["warnings"]) == 1 and result["warnings"][0].startswith(
        "taskguard_task_inventory_dir: entries with errors are ignored by the audit")


def test_without_hosts_the_default_inventory_is_checked_and_the_message_names_no_count(tmp_path, monkeypatch):
    result = _run({"inventory_dirs": [str(tmp_path / "none")]}, {}, monkeypatch)[0]
    assert [p.replace(str(tmp_path), "<tmp>") for p in result["problems"]] == [
        "taskguard_task_inventory_dir: <tmp>/none does not exist"]
    assert result["hosts"] == []
    result = _run({}, {}, monkeypatch)[0]
    assert result == {"changed": False, "problems": [], "hosts": [], "msg": "preflight passed"}
