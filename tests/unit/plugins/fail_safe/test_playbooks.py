# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operator mistakes stop every playbook before any host is contacted; unaudited hosts fail
the job after the reports (issue 17.3-17.5, 17.7). Runs ansible-playbook on the demo fleet
(offline evidence on the controller, ansible_connection: local)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
DEMO = REPO / "inventories" / "demo" / "hosts.yml"


def _run(tmp_path, playbook, *extra, inventory=DEMO):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=str(REPO / "collections"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    cmd = [ANSIBLE_PLAYBOOK, "-i", str(inventory), str(REPO / "playbooks" / playbook)] + list(extra)
    return subprocess.run(cmd, cwd=str(REPO), env=env, capture_output=True, text=True, timeout=300, check=False)


def _drift(tmp_path, *extra, inventory=DEMO):
    return _run(tmp_path, "drift.yml", "-e", "taskguard_report_dir=%s" % (tmp_path / "reports"),
                "-e", "taskguard_state_dir=%s" % (tmp_path / "state"), *extra, inventory=inventory)


def _stopped_before_collection(proc, tmp_path):
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out[-3000:]
    assert "the run stopped before contacting any host" in out
    assert "Collect, compare and score" not in out                     # the audit task never ran
    assert "Audit the evidence folders" not in out                     # nor the offline one
    assert "Traceback" not in out
    assert not (tmp_path / "reports" / "drift.json").exists()
    state = tmp_path / "state"
    assert not state.is_dir() or not [n for n in os.listdir(state) if n.endswith(".events.json")]
    return out


@pytest.mark.parametrize("extra,message", [
    (["-e", "taskguard_fail_on=hihg"],
     "taskguard_fail_on='hihg' is not one of: never, info, low, medium, high, critical"),
    (["-e", '{"taskguard_report_formats": ["json", "pdf"]}'],
     "taskguard_report_formats: 'pdf' is not one of: json, md, html, junit, csv"),
    (["-e", "taskguard_fail_on_unaudited=sometimes"], "taskguard_fail_on_unaudited='sometimes' is not a boolean"),
    (["-e", "taskguard_max_events=lots"], "taskguard_max_events='lots' is not a positive whole number"),
    (["-e", "taskguard_hosts=windws"], "taskguard_hosts='windws' matches no host"),
    (["-e", "taskguard_task_inventory_dir=/nonexistent/task_inventory"],
     "taskguard_task_inventory_dir: /nonexistent/task_inventory does not exist"),
    (["-e", '{"taskguard_risk_rule_files": ["/nonexistent/rules.yml"]}'],
     "taskguard_risk_rule_files: /nonexistent/rules.yml does not exist"),
])
def test_drift_mistakes_stop_before_collection(tmp_path, extra, message):
    out = _stopped_before_collection(_drift(tmp_path, *extra), tmp_path)
    assert message in out


def test_drift_broken_risk_rule_file_stops_before_collection(tmp_path):
    rules = tmp_path / "rules.yml"
    rules.write_text("rules: [\n", encoding="utf-8")
    out = _stopped_before_collection(_drift(tmp_path, "-e", "taskguard_risk_rule_files=%s" % rules), tmp_path)
    assert "- taskguard_risk_rule_files: %s:2:1: invalid YAML" % rules in out


def test_drift_formats_given_as_text_are_split_like_ansible_does(tmp_path):
    proc = _drift(tmp_path, "-e", "taskguard_report_formats=json,md")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert sorted(os.listdir(tmp_path / "reports")) == ["drift.json", "drift.md"]


def test_drift_checks_the_audited_group_s_variables_even_when_another_host_comes_first(tmp_path):
    inventory = tmp_path / "inv"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "00-linux.yml").write_text("linux:\n  hosts:\n    aaa-linux:\n", encoding="utf-8")
    _inventory(inventory, REPO / "samples" / "srv01")          # writes inventory/hosts.yml
    (inventory / "group_vars" / "windows.yml").write_text("taskguard_fail_on: hihg\n", encoding="utf-8")
    out = _stopped_before_collection(_drift(tmp_path, inventory=inventory), tmp_path)
    assert "taskguard_fail_on='hihg' is not one of" in out


def test_drift_unwritable_state_dir_and_several_problems_at_once(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    proc = _run(tmp_path, "drift.yml", "-e", "taskguard_report_dir=%s" % (tmp_path / "reports"),
                "-e", "taskguard_state_dir=%s" % (blocker / "state"), "-e", "taskguard_fail_on=hihg")
    out = _stopped_before_collection(proc, tmp_path)
    assert "preflight found 2 problem(s)" in out
    assert "taskguard_state_dir=%s cannot be created" % (blocker / "state") in out


def _inventory(tmp_path, lost_root):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text("""
windows:
  vars:
    ansible_connection: local
    taskguard_task_inventory_dir: ["%(repo)s/inventories/demo/task_inventory"]
  hosts:
    dc01:
      taskguard_offline_root: "%(repo)s/samples/dc01"
    lost:
      taskguard_offline_root: "%(lost)s"
""" % {"repo": REPO, "lost": lost_root})
    return inventory


def test_drift_offline_root_that_is_a_file_stops_before_collection(tmp_path):
    evidence = tmp_path / "evidence.zip"
    evidence.write_bytes(b"PK\x03\x04")
    out = _stopped_before_collection(_drift(tmp_path, inventory=_inventory(tmp_path, evidence)), tmp_path)
    assert "taskguard_offline_root for host lost is a file, not an evidence folder: %s" % evidence in out


def test_drift_a_per_host_inventory_dir_is_checked(tmp_path):
    inventory = _inventory(tmp_path, REPO / "samples" / "srv01")
    inventory.write_text(inventory.read_text().replace("inventories/demo/task_inventory", "inventories/demo/nope"))
    out = _stopped_before_collection(_drift(tmp_path, inventory=inventory), tmp_path)
    assert "taskguard_task_inventory_dir: %s/inventories/demo/nope does not exist" % REPO in out


def test_drift_missing_evidence_fails_after_the_reports(tmp_path):
    proc = _drift(tmp_path, inventory=_inventory(tmp_path, tmp_path / "no-such-evidence"))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out[-3000:]
    assert "1 host(s) could not be audited: lost" in out
    doc = json.loads((tmp_path / "reports" / "drift.json").read_text(encoding="utf-8"))
    assert doc["hosts"]["lost"]["status"] == "failed"
    assert doc["hosts"]["dc01"]["status"] in ("audited", "partial")
    # the host that was audited still advanced its bookmark
    assert (tmp_path / "state" / "dc01.events.json").exists()
    assert not (tmp_path / "state" / "lost.events.json").exists()


def test_drift_unaudited_hosts_can_be_accepted(tmp_path):
    proc = _drift(tmp_path, "-e", "taskguard_fail_on_unaudited=false",
                  inventory=_inventory(tmp_path, tmp_path / "no-such-evidence"))
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_drift_preflight_runs_under_limit_and_the_demo_passes(tmp_path):
    proc = _drift(tmp_path, "--limit", "srv01")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "Check variables, folders, evidence roots and the host pattern" in proc.stdout
    doc = json.loads((tmp_path / "reports" / "drift.json").read_text(encoding="utf-8"))
    assert sorted(doc["hosts"]) == ["srv01"]


def test_baseline_without_output_or_with_no_learned_host_fails_and_writes_nothing(tmp_path):
    proc = _run(tmp_path, "baseline.yml")
    assert proc.returncode == 2 and "taskguard_baseline_output is not set" in proc.stdout
    output = tmp_path / "learned" / "x.yml"
    proc = _run(tmp_path, "baseline.yml", "-e", "taskguard_baseline_output=%s" % output, "--limit", "lost",
                inventory=_inventory(tmp_path, tmp_path / "no-such-evidence"))
    assert proc.returncode == 2, proc.stdout[-3000:]
    assert "no host was learned, nothing written to %s" % output in proc.stdout
    assert not output.exists()


def test_baseline_writes_under_limit(tmp_path):
    output = tmp_path / "learned" / "x.yml"
    proc = _run(tmp_path, "baseline.yml", "-e", "taskguard_baseline_output=%s" % output, "--limit", "dc01")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert output.exists() and "learned dc01" in output.read_text(encoding="utf-8")


def test_harden_and_compliance_accept_the_old_host_variable_with_a_deprecation(tmp_path):
    for playbook in ("harden.yml", "compliance.yml"):
        proc = _run(tmp_path, playbook, "-e", "taskguard_target=windws")
        out = proc.stdout + proc.stderr
        assert proc.returncode == 2, out[-3000:]
        assert "taskguard_target is renamed to taskguard_hosts" in out
        assert "taskguard_target='windws' matches no host" in out


def test_merge_reports_names_missing_slices_and_fails_after_writing(tmp_path):
    for job, number, limit in (("701", "1", "dc01"),):
        proc = _drift(tmp_path, "-e", "awx_workflow_job_id=700", "-e", "awx_job_id=%s" % job,
                      "-e", "awx_job_slice_number=%s" % number, "--limit", limit)
        assert proc.returncode == 0, proc.stdout[-3000:]
    proc = _run(tmp_path, "merge_reports.yml", "-e", "taskguard_report_dir=%s" % (tmp_path / "reports"),
                "-e", "taskguard_run_id=700", "-e", "taskguard_expected_slices=2")
    assert proc.returncode == 2, proc.stdout[-3000:]
    assert "only 1 of 2 slices were merged (1 missing: slice 2)" in proc.stdout
    merged = json.loads((tmp_path / "reports" / "700" / "merged" / "drift.json").read_text(encoding="utf-8"))
    assert merged["run"]["missing_slices"] == {"expected": 2, "found": 1, "missing": 1, "numbers": [2]}
    proc = _run(tmp_path, "merge_reports.yml", "-e", "taskguard_report_dir=%s" % (tmp_path / "reports"),
                "-e", "taskguard_run_id=700", "-e", "taskguard_expected_slices=2",
                "-e", "taskguard_allow_missing_slices=true")
    assert proc.returncode == 0, proc.stdout[-3000:]
    proc = _run(tmp_path, "merge_reports.yml", "-e", "taskguard_report_dir=%s" % (tmp_path / "reports"),
                "-e", "taskguard_run_id=700", "-e", "taskguard_expected_slices=none")
    assert proc.returncode == 2 and "taskguard_expected_slices='none' is not a positive whole number" in proc.stdout


def _validate(tmp_path, inventory, *extra):
    return _run(tmp_path, "validate.yml", "-e", "taskguard_task_inventory_dir=%s" % inventory,
                "-e", "taskguard_inventory_today=2026-11-25", *extra, inventory="localhost,")


def test_validate_prints_each_error_once_and_a_summary(tmp_path):
    inventory = tmp_path / "inv"
    shutil.copytree(REPO / "inventories" / "demo" / "task_inventory", inventory)
    proc = _validate(tmp_path, inventory)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "task inventory valid: " in proc.stdout
    bad = inventory / "vendor.yml"
    bad.write_text("inventory_version: 1\nowner: {name: x, kind: vendor, contact: y}\ntasks:\n"
                   "  - path: '\\Vendor\\Job\n    justification: x\n", encoding="utf-8")
    proc = _validate(tmp_path, inventory)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2
    lines = [line for line in out.splitlines() if line.startswith(str(bad) + ":")]
    assert len(lines) == 1, out[-3000:]
    assert "quote ' opened at line 4, column 11 is not closed" in lines[0]
    assert out.count("opened at line 4") == 1                             # printed once, not again in msg


def test_validate_strict_fails_on_a_pasted_proposal(tmp_path):
    from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import (
        build_document, dump_document, propose_entry,
    )
    task = {"path": "\\SystemHealthMonitor", "name": "SystemHealthMonitor", "hidden": False,
            "principal": {"user_id": "S-1-5-18"},
            "actions": [{"type": "exec", "command": "C:\\Windows\\Temp\\svchost.exe"}], "triggers": []}
    entry = propose_entry(task, {"name": "srv01"}, today="2026-11-25")
    entry["review"]["status"] = "confirmed"          # a reviewer ticked it, the CONFIRM: text is still there
    inventory = tmp_path / "inv"
    inventory.mkdir()
    (inventory / "vendor.yml").write_text(dump_document(build_document(
        [entry], owner_name="Vendor", contact="vendor@example.com", kind="vendor")), encoding="utf-8")
    assert _validate(tmp_path, inventory).returncode == 0                  # a warning only ...
    proc = _validate(tmp_path, inventory, "-e", "taskguard_inventory_strict=true")
    assert proc.returncode == 2                                             # ... an error in the MR pipeline
    assert ": unconfirmed: " in proc.stdout


def test_ci_templates_validate_strict():
    for name in ("gitlab-ci.yml", "github-actions.yml"):
        text = (REPO / "ci-templates" / name).read_text(encoding="utf-8")
        assert "taskguard_inventory_strict=true" in text
        assert "2>&1" in text                                              # the errors are on stdout


def test_drift_mixed_fleet_evidence_folders_in_one_task_live_hosts_in_their_own_play(tmp_path):
    """Evidence folders are audited by the one controller task; only the live host runs
    the per-host audit; a live host that cannot be reached is in the report and fails the job."""
    inventory = tmp_path / "hosts.yml"
    inventory.write_text("""
windows:
  vars:
    taskguard_task_inventory_dir: ["%(repo)s/inventories/demo/task_inventory"]
  hosts:
    dc01:
      ansible_connection: local
      taskguard_offline_root: "%(repo)s/samples/dc01"
    srv01:
      ansible_connection: local
      taskguard_offline_root: "%(repo)s/samples/srv01"
    live01:
      ansible_connection: ssh
      ansible_host: 127.0.0.1
      ansible_port: 9
      ansible_ssh_common_args: -o ConnectTimeout=5 -o BatchMode=yes
""" % {"repo": REPO})
    proc = _drift(tmp_path, inventory=inventory)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out[-3000:]
    assert "Traceback" not in out
    live_play = out.split("PLAY [Audit the live hosts]", 1)[1].split("PLAY [", 1)[0]
    assert "live01" in live_play and "dc01" not in live_play and "srv01" not in live_play
    doc = json.loads((tmp_path / "reports" / "drift.json").read_text(encoding="utf-8"))
    assert set(doc["hosts"]) == {"dc01", "srv01", "live01"}
    assert doc["hosts"]["dc01"]["findings"] and doc["hosts"]["dc01"]["status"] in ("audited", "partial")
    assert doc["hosts"]["live01"]["status"] in ("unreachable", "failed")
    assert "1 host(s) could not be audited: live01" in out
