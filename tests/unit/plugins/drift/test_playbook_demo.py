# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end: ansible-playbook playbooks/drift.yml on the demo fleet (offline, on the controller).

Asserts exactly the planted attacks are flagged, documented tasks are not, the
bookmarks advance only after the reports, unreachable/failed hosts are findings,
and taskguard_fail_on fails the job after the reports are written.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
PLAYBOOK = os.path.join(REPO, "playbooks", "drift.yml")
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")

EXPECTED = {
    ("dc01", "undocumented", "\\Microsoft\\Windows\\WindowsUpdate\\UpdateHealthCheck"),   # masquerade
    ("dc01", "author_mismatch", "\\Microsoft\\Windows\\WindowsUpdate\\UpdateHealthCheck"),  # Author claims Microsoft
    ("dc01", "undocumented", "\\WinUpdate"),                                             # Tarrask
    ("dc01", "hidden", "\\WinUpdate"),
    ("srv01", "undocumented", "\\SystemHealthMonitor"),                                  # SYSTEM from temp
    ("srv01", "modified", "\\Contoso\\Backup\\Nightly Backup"),                          # command swapped
    ("srv01", "registered_by", "\\Contoso\\Backup\\Nightly Backup"),
    ("srv01", "missing", "\\Microsoft\\Windows\\Windows Defender\\Windows Defender Scheduled Scan"),
    ("adminws01", "transient", "\\XbKqTnPo"),                                            # atexec, events only
    ("adminws01", "hidden", "\\Microsoft\\Windows\\Diagnosis\\RecommendedTroubleshootingCheck"),  # GhostTask
    ("adminws01", "undocumented", "\\Microsoft\\Windows\\Diagnosis\\RecommendedTroubleshootingCheck"),
    # a GPO immediate task running as SYSTEM from a UNC path, in dc01's SYSVOL (docs/least-privilege.md)
    ("dc01", "gpo_task", "\\GPO\\{5C2B7A1E-9D43-4F6B-8E21-3A7D0C9B6E54}\\Machine\\Install Updates"),
    ("adminws01", "undocumented", "\\At1.job"),                                        # legacy at job (T1053.002)
    # adminws01's SAM: an Entra ID account and a deleted local account nobody documented
    ("adminws01", "local_admin", "Administrators/S-1-12-1-2233445566-1122334455-3344556677-1455667788"),
    ("adminws01", "local_admin", "Administrators/S-1-5-21-2211445566-1188223344-3455667788-1009"),
    ("adminws01", "laps", None),                # its SOFTWARE hive has no LAPS policy: password not managed
    # adminws01's SECURITY hive: CONTOSO\jdoe may log on as a batch job, documented nowhere (TG-A023)
    ("adminws01", "task_account", "SeBatchLogonRight/S-1-5-21-1004336348-1177238915-682003330-3307"),
}
HIGH = {key for key in EXPECTED if key[1] in ("undocumented", "hidden", "modified", "transient", "gpo_task",
                                              "local_admin", "task_account")}


def _run(tmp_path, *extra, inventory=None):
    env = dict(os.environ,
               ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "collections"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
               ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_NOCOLOR="1")
    cmd = [ANSIBLE_PLAYBOOK, "-i", inventory or os.path.join(REPO, "inventories", "demo", "hosts.yml"), PLAYBOOK,
           "-e", "taskguard_report_dir=%s" % (tmp_path / "reports"),
           "-e", "taskguard_state_dir=%s" % (tmp_path / "state")] + list(extra)
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    return proc


def _report(tmp_path):
    with open(tmp_path / "reports" / "drift.json", encoding="utf-8") as handle:
        return json.load(handle)


def _task_findings(doc):
    """{(host, kind, task): row} with every kind of a row (one row per task holds all its problems)."""
    return {(host, kind, f["task"]): f for host, entry in doc["hosts"].items()
            for f in entry["findings"] if f["kind"] not in ("coverage_gap", "note") for kind in f.get("kinds") or [f["kind"]]}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("demo")
    first = _run(tmp_path)
    return tmp_path, first


def test_demo_flags_exactly_the_planted_attacks(demo_run):
    tmp_path, proc = demo_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = _report(tmp_path)
    assert sorted(doc["hosts"]) == ["adminws01", "dc01", "srv01"]
    found = _task_findings(doc)
    assert set(found) == EXPECTED            # nothing about documented tasks beyond the planted drift
    for key in HIGH:
        assert found[key]["severity"] in ("high", "critical"), key
    assert found[("dc01", "hidden", "\\WinUpdate")]["evidence"]["hidden_reasons"] == ["sd_missing"]
    ghost = found[("adminws01", "hidden", "\\Microsoft\\Windows\\Diagnosis\\RecommendedTroubleshootingCheck")]
    assert ghost["evidence"]["hidden_reasons"] == ["registry_without_file"]
    assert found[("srv01", "modified", "\\Contoso\\Backup\\Nightly Backup")]["entry"]["file"].endswith(
        os.path.join("task_inventory", "vendors", "contoso-backup.yml"))
    # a concealed task gets no allowlist proposal: it must be investigated first
    winupdate = found[("dc01", "undocumented", "\\WinUpdate")]
    assert winupdate["proposed_entry"] is None and "concealed" in winupdate["proposal_withheld"]
    # only exports, no .evtx in the samples: the report says so instead of claiming full coverage
    assert {e["status"] for e in doc["hosts"].values()} == {"partial"}


def test_demo_shows_who_is_local_admin_where(demo_run):
    tmp_path, _proc = demo_run
    table = _report(tmp_path)["administrators"]
    assert table["hosts"] == ["adminws01", "srv01"]
    assert [u["host"] for u in table["unread"]] == ["dc01"]            # a DC's admins are the domain's
    rows = {m["sid"]: m for m in table["members"]}
    domain_admins = rows["S-1-5-21-1004336348-1177238915-682003330-512"]
    assert {(c["host"], c["documented"]) for c in domain_admins["hosts"]} == {("adminws01", True), ("srv01", True)}
    assert rows["S-1-12-1-2233445566-1122334455-3344556677-1455667788"]["entra"] is True
    html = (tmp_path / "reports" / "drift.html").read_text(encoding="utf-8")
    assert "Who is local administrator where" in html and "adminws01 (not documented)" in html
    laps = {(h, f["code"]) for h, e in _report(tmp_path)["hosts"].items() for f in e["findings"]
            if str(f.get("code")).startswith("TG-L")}
    # srv01 and dc01: a Windows LAPS policy (its events are not in the evidence); adminws01: none
    assert laps == {("adminws01", "TG-L001"), ("srv01", "TG-L011"), ("dc01", "TG-L011")}


def test_demo_lists_batch_right_holders_from_the_security_hives(demo_run):
    tmp_path, _proc = demo_run
    doc = _report(tmp_path)
    defaults = ["S-1-5-32-544", "S-1-5-32-551", "S-1-5-32-559"]   # Administrators, Backup/Performance Log Users
    extra = {"dc01": [], "srv01": ["S-1-5-21-1004336348-1177238915-682003330-2201"],
             "adminws01": ["S-1-5-21-1004336348-1177238915-682003330-3307"]}
    for host, entry in doc["hosts"].items():
        rights = entry["user_rights"]
        assert rights["method"] == "security_hive" and rights["errors"] == [], host
        batch = rights["rights"]["SeBatchLogonRight"]
        assert batch["read"] is True
        assert [h["sid"] for h in batch["holders"]] == sorted(defaults + extra[host]), host
        assert rights["rights"]["SeDenyBatchLogonRight"] == {"read": True, "error": None, "holders": []}
    codes = {(host, f["code"]) for host, entry in doc["hosts"].items() for f in entry["findings"]}
    # every SECURITY hive was read; svc-backup on srv01 is a documented task account
    assert not {c for _h, c in codes if c in ("TG-A015", "TG-A016")}
    assert {(h, c) for h, c in codes if c == "TG-A023"} == {("adminws01", "TG-A023")}
    # the documented task run as svc-backup with a stored password is not flagged
    assert not [f for entry in doc["hosts"].values() for f in entry["findings"]
                if f.get("task") == "\\Contoso\\Backup\\Catalog Export"]


def test_demo_writes_every_format_and_advances_bookmarks(demo_run):
    tmp_path, _proc = demo_run
    names = sorted(os.listdir(tmp_path / "reports"))
    assert names == ["drift.csv", "drift.html", "drift.json", "drift.md", "junit.xml"]
    states = sorted(n for n in os.listdir(tmp_path / "state") if n.endswith(".events.json"))
    assert states == ["adminws01.events.json", "dc01.events.json", "srv01.events.json"]


def test_second_run_does_not_report_old_events_again(demo_run):
    tmp_path, _proc = demo_run
    proc = _run(tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    found = _task_findings(_report(tmp_path))
    assert ("adminws01", "transient", "\\XbKqTnPo") not in found        # seen in the previous run
    assert ("srv01", "modified", "\\Contoso\\Backup\\Nightly Backup") in found   # state drift stays


def test_unreachable_and_failed_hosts_are_findings_and_fail_on(tmp_path):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text("""
windows:
  vars:
    taskguard_task_inventory_dir: ["%(repo)s/inventories/demo/task_inventory"]
  hosts:
    dc01:
      ansible_connection: local
      taskguard_offline_root: "%(repo)s/samples/dc01"
      taskguard_domain_role: domain_controller
    lost:
      ansible_connection: local
      taskguard_offline_root: "%(tmp)s/no-such-evidence"
    ghost:
      ansible_host: 127.0.0.1
      ansible_port: 1
      ansible_connection: winrm
      ansible_winrm_scheme: http
      ansible_winrm_transport: basic
      ansible_user: nobody
      ansible_password: nothing
      ansible_winrm_connection_timeout: 5
""" % {"repo": REPO, "tmp": tmp_path})
    proc = _run(tmp_path, "-e", "taskguard_fail_on=high", inventory=str(inventory))
    assert proc.returncode != 0                                    # fail_on reached ...
    assert "reached" in proc.stdout and "taskguard_fail_on=high" in proc.stdout
    doc = _report(tmp_path)                                        # ... after the report was written
    status = {h: e["status"] for h, e in doc["hosts"].items()}
    assert status == {"dc01": "partial", "lost": "failed", "ghost": "unreachable"}
    assert [f["kind"] for f in doc["hosts"]["ghost"]["findings"]] == ["unreachable"]
    assert "does not exist" in doc["hosts"]["lost"]["findings"][0]["evidence"]["message"]
    # no bookmark for hosts that were not audited
    assert sorted(n for n in os.listdir(tmp_path / "state") if n.endswith(".events.json")) == ["dc01.events.json"]


def test_check_mode_writes_reports_but_keeps_bookmarks(tmp_path):
    proc = _run(tmp_path, "--check")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert _task_findings(_report(tmp_path))
    state = tmp_path / "state"
    written = [n for n in os.listdir(state) if n.endswith(".events.json")] if state.exists() else []
    assert written == []


def test_awx_slices_write_apart_publish_unique_stats_and_merge(tmp_path):
    env_stats = {"ANSIBLE_SHOW_CUSTOM_STATS": "1"}
    os.environ.update(env_stats)
    try:
        one = _run(tmp_path, "-e", "awx_workflow_job_id=700", "-e", "awx_job_id=701", "--limit", "dc01,srv01")
        two = _run(tmp_path, "-e", "awx_workflow_job_id=700", "-e", "awx_job_id=702", "--limit", "adminws01")
    finally:
        for key in env_stats:
            os.environ.pop(key, None)
    assert one.returncode == 0 and two.returncode == 0, one.stdout[-2000:] + two.stdout[-2000:]
    assert "taskguard_drift_701" in one.stdout and "taskguard_drift_702" in two.stdout
    base = tmp_path / "reports" / "700"
    assert sorted(os.listdir(base)) == ["slice-701", "slice-702"]
    with open(base / "slice-701" / "drift.json", encoding="utf-8") as handle:
        assert sorted(json.load(handle)["hosts"]) == ["dc01", "srv01"]
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "collections"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    merge = subprocess.run([ANSIBLE_PLAYBOOK, os.path.join(REPO, "playbooks", "merge_reports.yml"),
                            "-e", "taskguard_report_dir=%s" % (tmp_path / "reports"), "-e", "taskguard_run_id=700",
                            "-e", "taskguard_expected_slices=2"],    # unknown, the merge fails (fail closed)
                           cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert merge.returncode == 0, merge.stdout[-3000:] + merge.stderr[-2000:]
    with open(base / "merged" / "drift.json", encoding="utf-8") as handle:
        merged = json.load(handle)
    assert sorted(merged["hosts"]) == ["adminws01", "dc01", "srv01"]
    assert merged["run"]["id"] == "700"
    assert sorted(m["slice"] for m in merged["run"]["merged_from"]) == ["701", "702"]
    assert sorted(os.listdir(base / "merged")) == ["drift.csv", "drift.html", "drift.json", "drift.md", "junit.xml"]


def test_every_host_unreachable_still_writes_a_report(tmp_path):
    inventory = tmp_path / "hosts.yml"
    ghost = ("      ansible_host: 127.0.0.1\n      ansible_port: 1\n      ansible_connection: winrm\n"
             "      ansible_winrm_scheme: http\n      ansible_winrm_transport: basic\n"
             "      ansible_user: nobody\n      ansible_password: nothing\n")
    inventory.write_text("windows:\n  hosts:\n    ghost1:\n%s    ghost2:\n%s" % (ghost, ghost))
    proc = _run(tmp_path, inventory=str(inventory))
    # issue 17: unaudited hosts fail the job (taskguard_fail_on_unaudited), after the report
    assert proc.returncode == 2, proc.stdout[-3000:]
    assert "2 host(s) could not be audited: ghost1, ghost2" in proc.stdout
    doc = _report(tmp_path)
    assert {h: e["status"] for h, e in doc["hosts"].items()} == {"ghost1": "unreachable", "ghost2": "unreachable"}
    assert doc["summary"]["by_kind"] == {"unreachable": 2}


def test_unwritable_report_dir_fails_clearly_and_keeps_bookmarks(tmp_path):
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the report directory should be")
    proc = _run(tmp_path)
    assert proc.returncode != 0
    # issue 17: the preflight finds it before any host is contacted
    assert "taskguard_report_dir=%s is a file, not a folder" % blocker in proc.stdout
    state = tmp_path / "state"
    written = [n for n in os.listdir(state) if n.endswith(".events.json")] if state.exists() else []
    assert written == []


def test_committed_demo_samples_are_what_the_generator_writes():
    # Only the evidence: the demo inventory is also generated, but through
    # propose_entry (issue 5), whose layout may legitimately change.
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_demo_samples", os.path.join(REPO, "tools", "make_demo_samples.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files = {rel: data for rel, data in module.generate().items() if rel.startswith("samples")}
    assert len(files) > 30
    for rel, data in files.items():
        with open(os.path.join(REPO, rel), "rb") as handle:
            assert handle.read() == data, rel
