# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tasks that run as an account not documented for their host (TG-A024, issue 19 point 4):
the ``task_accounts`` inventory section, its loader problems, and the judgment of one
host as the audit makes it (pipeline.judge_run_as; through the whole audit, offline and
live: test_run_as_in_audit.py)."""
from __future__ import annotations

import textwrap

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_admins, pipeline, task_run_as
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory

SVC = "S-1-5-21-1-2-3-1105"
HELPDESK = "S-1-5-21-1-2-3-1200"
INVENTORY = """\
inventory_version: 1
owner: {name: Contoso IT, kind: internal, contact: it@contoso.example}
defaults:
  approval: {ticket: CHG-1, approver: CISO, date: '2026-01-10'}
tasks: []
administrators:
- sid: %(helpdesk)s
  justification: helpdesk administers the file servers
  scope: {groups: [file_servers]}
task_accounts:
- sid: %(svc)s
  name: 'CORP\\svc-backup'
  justification: the backup agent's nightly task
  scope: {groups: [file_servers]}
- name: 'CORP\\svc-old'
  justification: retired reporting job
  expires: '2026-06-30'
""" % {"svc": SVC, "helpdesk": HELPDESK}


HEADER_ONLY = """\
inventory_version: 1
owner: {name: Contoso IT, kind: internal, contact: it@contoso.example}
tasks: []
"""


@pytest.fixture
def inventory(tmp_path):
    (tmp_path / "accounts.yml").write_text(INVENTORY, encoding="utf-8")
    return load_inventory([str(tmp_path)], today="2026-12-03")


def task(path, user_id, logon_type="Password", run_level="LeastPrivilege"):
    return {"path": path, "principal": {"user_id": user_id, "logon_type": logon_type, "run_level": run_level}}


def result(tasks, tier="member_server", findings=()):
    return {"status": "audited", "findings": list(findings), "mode": "offline", "tier": tier,
            "os_family": "windows_server_2022", "domain_role": "member_server",
            "verdict": {"state": "clean", "reasons": [], "task_sources_read": True},
            "administrators": None, "task_accounts": tasks}


def undocumented_row(path):
    return {"id": "u-" + path, "code": "TG-D005", "kind": "undocumented", "kinds": ["undocumented"], "task": path,
            "severity": "medium", "title": "Task not documented", "params": {}, "reasons": [], "evidence": {},
            "entry": None, "proposed_entry": None, "diff": None, "proposal_withheld": None,
            "problems": [{"code": "TG-D005", "kind": "undocumented", "severity": "medium", "title": "x", "params": {}}]}


def judged(entry, inventory, groups=(), name="h1"):
    """TG-A024 rows of one host as its audit judges them: the administrators view of the
    host (its groups, OS family, domain role) from ``inventory`` (None: not loaded)."""
    host = {"name": name, "groups": list(groups), "os_family": entry["os_family"],
            "domain_role": entry["domain_role"], "tier": entry["tier"]}
    view = inventory_admins.view(inventory, host) if inventory is not None else None
    return [f for f in pipeline.judge_run_as(host, entry, view) if f["code"] == "TG-A024"]


def test_the_section_loads_with_scope_expiry_and_both_spellings(inventory):
    assert [e["code"] for e in inventory.errors] == ["expired"]
    assert inventory.errors[0]["line"] == 17     # file:line of the expired entry's expires
    assert len(inventory.task_accounts) == 2
    view = inventory_admins.view(inventory, {"name": "fs1", "groups": ["file_servers"]})
    assert view.run_as_entry(SVC.lower()).key == SVC
    assert view.run_as_entry("corp\\SVC-BACKUP").key == SVC       # the name as a task writes it
    assert view.run_as_entry(HELPDESK).key == HELPDESK           # an administrator of the host may run tasks
    assert view.run_as_entry("CORP\\svc-old").expired
    assert view.run_as_entry("CORP\\someone") is None
    elsewhere = inventory_admins.view(inventory, {"name": "ws1", "groups": ["workstations"]})
    assert elsewhere.run_as_entry(SVC) is None and elsewhere.run_as_entry(HELPDESK) is None


@pytest.mark.parametrize("entry, code, line", [
    ("- sid: S-1-5-21-9-9-9-1000\n  justification: no approval\n", "approval_missing", 5),
    ("- sid: S-1-5-21-9-9-9-1000\n  justification: x\n  approval: {ticket: C, approver: A, date: '2026-01-01'}\n"
     "  required: true\n", "unknown_field", 8),
    ("- justification: neither sid nor name\n  approval: {ticket: C, approver: A, date: '2026-01-01'}\n",
     "missing_field", 5),
])
def test_a_bad_task_account_is_a_problem_with_its_line_and_is_not_used(tmp_path, entry, code, line):
    text = textwrap.dedent("""\
        inventory_version: 1
        owner: {name: Contoso IT, kind: internal, contact: it@contoso.example}
        tasks: []
        task_accounts:
        """) + entry
    (tmp_path / "bad.yml").write_text(text, encoding="utf-8")
    inventory = load_inventory([str(tmp_path)], today="2026-12-03")
    assert [(e["code"], e["line"]) for e in inventory.errors][:1] == [(code, line)]
    assert not getattr(inventory, "task_accounts", None)


def test_a_file_holding_only_task_accounts_is_loaded(tmp_path):
    (tmp_path / "only.yml").write_text(textwrap.dedent("""\
        inventory_version: 1
        owner: {name: Contoso IT, kind: internal, contact: it@contoso.example}
        tasks: []
        task_accounts:
        - sid: S-1-5-21-9-9-9-1000
          justification: reporting
          approval: {ticket: C, approver: A, date: '2026-01-01'}
        """), encoding="utf-8")
    inventory = load_inventory([str(tmp_path)], today="2026-12-03")
    assert inventory.errors == [] and len(inventory.task_accounts) == 1


def test_documented_accounts_give_nothing_and_others_a_finding_naming_task_and_account(inventory):
    entry = result([task("\\Backup\\Nightly", "CORP\\svc-backup"), task("\\Helpdesk", HELPDESK),
                    task("\\Report", "CORP\\svc-old"), task("\\Rogue", "CORP\\mallory")])
    found = {f["task"]: f for f in judged(entry, inventory, ["file_servers"], name="fs1")}
    assert set(found) == {"\\Report", "\\Rogue"}
    assert found["\\Rogue"]["params"] == {"task": "\\Rogue", "account": "CORP\\mallory"}
    assert "CORP\\mallory" in found["\\Rogue"]["title"] and found["\\Rogue"]["kind"] == "task_account"
    assert found["\\Report"]["entry"]["line"] == 15     # the expired entry that no longer documents it


def test_an_account_documented_for_other_hosts_only_is_undocumented_here(inventory):
    rows = judged(result([task("\\Backup\\Nightly", SVC)]), inventory, ["workstations"], name="ws1")
    assert [f["task"] for f in rows] == ["\\Backup\\Nightly"]


@pytest.mark.parametrize("tier, task_documented, severity", [
    ("domain_controller", False, "high"),
    ("admin_workstation", False, "high"),
    ("member_server", False, "medium"),
    ("other", False, "medium"),
    ("domain_controller", True, "low"),
    ("member_server", True, "low"),
])
def test_severity_follows_the_tier_and_whether_the_task_is_documented(inventory, tier, task_documented, severity):
    rows = [] if task_documented else [undocumented_row("\\Rogue")]
    (finding,) = judged(result([task("\\Rogue", "CORP\\mallory")], tier=tier, findings=rows), inventory)
    assert finding["severity"] == severity
    assert finding["evidence"]["task_documented"] is task_documented


@pytest.mark.parametrize("principal", [
    "S-1-5-18", "SYSTEM", "NT AUTHORITY\\SYSTEM", "LocalService", "NT AUTHORITY\\NETWORK SERVICE", "S-1-5-19",
    "S-1-5-20", "S-1-5-32-545", "BUILTIN\\Users", "INTERACTIVE", "S-1-5-4", "S-1-5-6", "S-1-1-0",
    "NT SERVICE\\MSSQLSERVER", "S-1-5-80-3880718306-3832830129-1677859214-2598158968-1052248003",
    "S-1-5-90-0-1", "IIS APPPOOL\\DefaultAppPool",
])
def test_built_in_principals_never_trigger(inventory, principal):
    rows = [undocumented_row("\\T")]
    assert judged(result([task("\\T", principal)], tier="domain_controller", findings=rows), inventory) == []
    assert task_run_as.is_built_in(principal)


@pytest.mark.parametrize("principal", ["S-1-5-21-1-2-3-1001", "S-1-12-1-1111-2222-3333-4444", "CORP\\svc", "alice",
                                       "S-1-5-21-1-2-3-500"])
def test_accounts_someone_created_are_judged(principal):
    assert not task_run_as.is_built_in(principal)


def test_an_inventory_that_was_not_loaded_reports_every_ordinary_account():
    rows = judged(result([task("\\A", "CORP\\a"), task("\\B", "S-1-5-18")]), None)
    assert [f["task"] for f in rows] == ["\\A"]


def test_an_inventory_without_accounts_reports_every_ordinary_account(tmp_path):
    (tmp_path / "tasks.yml").write_text(HEADER_ONLY, encoding="utf-8")
    inventory = load_inventory([str(tmp_path)], today="2026-12-03")
    assert inventory_admins.view(inventory, {"name": "h1"}) is None
    assert [f["task"] for f in judged(result([task("\\A", "CORP\\a")]), inventory)] == ["\\A"]


def test_rows_are_host_rows_of_their_own_with_the_findings_id():
    (row,) = judged(result([task("\\A", "CORP\\a")]), None)
    assert row["kinds"] == ["task_account"] and row["proposal_withheld"] is None
    assert [p["code"] for p in row["problems"]] == ["TG-A024"]
    (raw,) = task_run_as.run_as_findings("h1", result([task("\\A", "CORP\\a")]), None)
    assert row["id"] == raw["id"]


def test_a_local_account_is_documented_through_the_machine_sid(tmp_path):
    (tmp_path / "local.yml").write_text(textwrap.dedent("""\
        inventory_version: 1
        owner: {name: Contoso IT, kind: internal, contact: it@contoso.example}
        tasks: []
        task_accounts:
        - sid: '{machine_sid}-1001'
          justification: the local reporting account of every kiosk
          approval: {ticket: C, approver: A, date: '2026-01-01'}
        """), encoding="utf-8")
    inventory = load_inventory([str(tmp_path)], today="2026-12-03")
    entry = dict(result([task("\\Kiosk", "S-1-5-21-7-8-9-1001"), task("\\Other", "S-1-5-21-7-8-9-1002")]),
                 administrators={"read": True, "machine_sid": "S-1-5-21-7-8-9", "members": []})
    assert [f["task"] for f in judged(entry, inventory, name="k1")] == ["\\Other"]


def test_a_built_in_the_audit_judged_low_raises_no_second_alarm(inventory):
    """A per-user Windows task of another build (no baseline lists it, the audit
    judged it low: TG-R022) runs as the user: on a domain controller its account is
    a review item (low), never a high that would bury the real findings."""
    row = dict(undocumented_row("\\Microsoft\\Windows\\Feeds\\User_Feed_Synchronization-{1}"), severity="low")
    (finding,) = judged(result([task(row["task"], "CORP\\alice", logon_type="InteractiveToken")],
                               tier="domain_controller", findings=[row]), inventory, name="dc1")
    assert finding["severity"] == "low"
