# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Characterization tests for issue 22's last long functions and wide signatures.

hardening.classify_host / evaluate_control, inventory_propose._expected_for, the
preflight action's run (with run_checks), drift_reports.document.host_entry (via
report_runner.host_from_result) and inventory_baseline.baseline_text were split
into named steps or given a small record instead of many parameters. Their output
on realistic inputs (the unit fixtures, the authentic win10-aptsim task folder and
a grid of odd results) was recorded from the code BEFORE the refactor in
``characterization.json``; these tests compare today's output with it, so a
behaviour change in the split fails here.

Regenerate only for an intended behaviour change, and review the diff:
``.venv/bin/python tests/unit/plugins/plugin_utils/test_refactor_characterization.py``
from the repository root (it rewrites the JSON).
"""
from __future__ import annotations

import itertools
import json
import os
import sys
from pathlib import Path

GOLDEN = Path(__file__).with_name("characterization.json")
UNIT = Path(__file__).resolve().parents[2]
FIXTURES = UNIT / "fixtures"
SID = "S-1-5-21-1-2-3-1001"
TODAY = "2026-01-15"


def _hardening_facts():
    facts = {p.name: json.loads(p.read_text(encoding="utf-8"))
             for p in sorted((FIXTURES / "hardening").glob("facts_*.json"))}
    garbage = {"computer": {"domain_role": True}, "os": {"product_type": "1", "build_number": "x"},
               "features": {"FS-FileServer": "yes"}, "at_exe_present": "no",
               "shares": [None, {"name": "D", "type": "zero"}, {"name": "ADMIN$", "type": 2147483648},
                          {"name": "print$", "type": 0}, {"name": "data", "type": 0}, {"name": "p", "type": 1}]}
    facts.update({
        "not_a_dict": "garbage", "empty": {}, "garbage": garbage,
        "role_disagrees": {"computer": {"domain_role": 1}, "os": {"product_type": 3}, "shares": []},
        "product_only_ws": {"os": {"product_type": 1}, "shares": "denied"},
        "product_dc_only": {"computer": {"domain_role": 3}, "os": {"product_type": 2},
                            "features": {"FS-FileServer": True}},
    })
    return facts


def classify_cases():
    from ansible_collections.taskguard.windows.plugins.plugin_utils.hardening import classify_host
    return {name: classify_host(facts) for name, facts in _hardening_facts().items()}


def _plan_entries():
    return {
        "none": None,
        "not_applicable": {"applicable": False, "reason": "a DC"},
        "not_applicable_bare": {"applicable": False},
        "undecided": {"applicable": None, "reason": "facts missing"},
        "undecided_bare": {"applicable": "maybe"},
        "plain": {"applicable": True},
        "with_notes": {"applicable": True, "reason": "forced", "current": "4096 KiB"},
        "read_error": {"applicable": True, "read_error": "access denied", "current": "x"},
        "skip_ok": {"applicable": True, "compliant_when_skipped": True},
    }


def _results():
    results = {"none": None, "empty": [], "unreadable": ["x"],
               "failed": [{"failed": True, "msg": "boom"}], "failed_bare": [{"failed": True}],
               "skipped": [{"skipped": True, "changed": False}],
               "unchanged": [{"changed": False}],
               "changed_list": [{"changed": True, "changes": ["MaxSize 1 -> 2", "Enabled"]}],
               "changed_rules": [{"changed": True, "changed_rules": ["r1"]}],
               "changed_diff": [{"changed": True, "diff": {"before": 1, "after": 2}}],
               "changed_diff_list": [{"changed": True, "diff": [{"before": "a", "after": "b"}]}],
               "changed_bare": [{"changed": True}],
               "mixed": [{"skipped": True}, {"changed": True, "changes": ["a"]}, {"changed": False}],
               "failed_and_changed": [{"changed": True, "changes": ["a"]}, {"failed": True, "msg": "m"}],
               "residual": [{"changed": True, "exists": False, "name": "ch", "not_changeable": ["b", "a"]}],
               "some_missing": [{"changed": True, "changed_rules": ["r"], "missing_names": ["n1"],
                                 "missing_groups": ["g1"], "before": {"rules": [{"name": "r"}]}}],
               "all_missing": [{"changed": False, "missing_names": ["n1"], "before": {"rules": []}}],
               "lookup_failed": [{"changed": False, "before": {"lookup_errors": [
                   {"kind": "group", "selector": "@x", "error": "denied"}, "junk"]}}],
               "lookup_unreadable": [{"changed": False, "lookup_errors": "x", "before": {}}]}
    for path in sorted((FIXTURES / "hardening").glob("*.json")):
        if not path.name.startswith("facts_"):
            results["fixture:" + path.name] = [json.loads(path.read_text(encoding="utf-8"))]
    return results


def evaluate_cases():
    from ansible_collections.taskguard.windows.plugins.plugin_utils.hardening import evaluate_control
    out = {}
    for (pname, plan), (rname, results), check_mode in itertools.product(
            _plan_entries().items(), _results().items(), (True, False)):
        for control_id in ("TG-H1", "TG-H5", "TG-H6"):
            key = "%s|%s|%s|%s" % (control_id, pname, rname, check_mode)
            out[key] = evaluate_control(control_id, plan, results, check_mode)
    return out


def _aptsim_tasks():
    from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import parse_task_definition
    root = FIXTURES / "authentic" / "tasks" / "win10-aptsim"
    tasks = []
    for dirpath, _dirs, files in sorted(os.walk(root)):
        for name in sorted(files):
            full = os.path.join(dirpath, name)
            rel = "\\" + os.path.relpath(full, root).replace(os.sep, "\\")
            with open(full, "rb") as handle:
                tasks.append(parse_task_definition(handle.read(), path=rel))
    return tasks


def _odd_tasks():
    base = {"path": "\\V\\J", "hidden": False, "fingerprint": "ab" * 32,
            "principal": {"user_id": SID, "group_id": "S-1-5-32-544", "logon_type": "Password",
                          "run_level": "HighestAvailable"},
            "actions": [{"type": "exec", "command": "c.exe", "arguments": " ", "working_directory": "C:\\"}],
            "triggers": [{"type": "boot"}, {"enabled": True}]}

    def task(**changes):
        return dict(base, **changes)
    return {
        "base": task(),
        "name_principal": task(principal={"user_id": "HOST\\alice"}),
        "system": task(principal={"user_id": "S-1-5-18"}),
        "long_principal": task(principal={"user_id": "x" * 600}),
        "com": task(actions=[{"type": "com_handler", "class_id": "{1-2}", "data": "<d/>"}]),
        "com_no_class": task(actions=[{"type": "com_handler"}]),
        "no_command": task(actions=[{"type": "exec", "arguments": "x"}]),
        "no_command_no_fp": task(actions=[{"type": "exec"}], fingerprint=None),
        "mail": task(actions=[{"type": "send_email"}, {"type": "show_message"}]),
        "unknown_action": task(actions=[{"type": "weird"}]),
        "good_then_bad": task(actions=[{"type": "exec", "command": "a.exe"}, {"type": "weird"}]),
        "good_then_bad_no_fp": task(actions=[{"type": "exec", "command": "a.exe"}, {"type": "exec"}], fingerprint=None),
        "bad_then_junk": task(actions=[{"type": "weird"}, "not an action"]),
        "huge_args": task(actions=[{"type": "exec", "command": "c", "arguments": "a" * 5000}]),
        "no_actions_no_fp": task(actions=[], fingerprint=None),
        "concealed": task(hidden_reasons=["sd_missing"]),
        "hidden_not_bool": task(hidden="false"),
    }


def expected_cases():
    from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import _expected_for
    out = {}
    for task in _aptsim_tasks():
        out["aptsim:" + task["path"]] = _expected_for(task, None)
    for name, task in _odd_tasks().items():
        out["odd:%s|none" % name] = _expected_for(task, None)
        out["odd:%s|sid" % name] = _expected_for(task, SID)
    return out


def host_entry_cases():
    from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import host_from_result
    finding = {"id": "f1", "kind": "undocumented", "severity": "high", "task": "\\T", "title": "t",
               "detail": "d"}
    results = {
        "missing": None,
        "unreachable": {"unreachable": True, "msg": "timeout"},
        "skipped": {"skipped": True, "skip_reason": "when"},
        "failed": {"failed": True, "msg": "denied", "mode": "live"},
        "audited": {"status": "audited", "findings": [finding], "mode": "offline", "os_family": "windows_10",
                    "domain_role": "member_workstation", "audited_at": "2026-01-15T00:00:00Z",
                    "os_source": "registry", "os_build": "19045"},
        "audited_tier": {"status": "partial", "findings": [], "tier": "t0", "verdict": {"state": "bogus"}},
    }
    hints = {"groups": ["dcs"], "domain_role": "domain_controller"}
    out = {}
    for name, res in results.items():
        entry = host_from_result("h1", res, hints)
        out[name] = json.loads(json.dumps(entry, default=str))
    return out


def baseline_cases():
    from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_baseline
    entries = [{"path": "\\Microsoft\\Windows\\A", "justification": "j",
                "expected": {"principal": {"user_id": "S-1-5-18"}, "actions": [{"type": "exec", "command": "a.exe"}],
                             "triggers": []}}]
    text = inventory_baseline.baseline_text(
        entries, inventory_baseline.GoldenHost("gold\n01", "windows_11", "build 10.0.26100 (version from a reg export)",
                                               TODAY), left_out=[("\\X", "why\nnot"), ("\\Y", "y")], contact="c@example.org", approver="ap",
        notes=["Mode: offline; task sources read: files.", "note\u2028two"])
    return {"full": text}


def all_cases():
    return {"classify_host": classify_cases(), "evaluate_control": evaluate_cases(),
            "expected_for": expected_cases(), "host_entry": host_entry_cases(), "baseline_text": baseline_cases()}


def _plain(value):
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _golden(section):
    return json.loads(GOLDEN.read_text(encoding="utf-8"))[section]


def test_classify_host_unchanged():
    assert _plain(classify_cases()) == _golden("classify_host")


def test_evaluate_control_unchanged():
    assert _plain(evaluate_cases()) == _golden("evaluate_control")


def test_expected_for_unchanged_on_the_authentic_folder_and_odd_tasks():
    cases = _plain(expected_cases())
    assert len([k for k in cases if k.startswith("aptsim:")]) == 202
    assert cases == _golden("expected_for")


def test_host_entry_unchanged_through_host_from_result():
    assert _plain(host_entry_cases()) == _golden("host_entry")


def test_baseline_text_unchanged():
    assert baseline_cases() == _golden("baseline_text")


def test_the_golden_file_covers_every_outcome():
    # guards against a golden file recorded from inputs that exercise nothing
    golden = _golden("evaluate_control")
    assert {r["status"] for r in golden.values()} == {"compliant", "not_compliant", "not_applicable", "unknown"}
    assert any(r["remediated"] for r in golden.values())
    details = " ".join(str(r["detail"]) for r in golden.values())
    for text in ("not found on this host: n1, g1", "no firewall rule matched", "look-up failed",
                 "cannot be changed locally", "remediated in this run", "would change"):
        assert text in details, text
    assert any(v is None for v in _golden("expected_for").values())
    assert any(v and "fingerprint" in v for v in _golden("expected_for").values())
    assert {c["file_server"] for c in _golden("classify_host").values()} == {True, False, None}


if __name__ == "__main__":
    sys.path.insert(0, str(UNIT))
    # conftest puts the collection on sys.path
    import conftest  # noqa: F401 pylint: disable=unused-import
    GOLDEN.write_text(json.dumps(_plain(all_cases()), indent=1, sort_keys=True, ensure_ascii=True) + "\n",
                      encoding="utf-8")
    print("wrote", GOLDEN)
