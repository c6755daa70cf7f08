# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TG-A024 (a task runs as an account not documented for its host) is judged in the
audit of each host (pipeline.judge), offline and live, with the inventory the audit
loaded (its ``today``), the host's groups and facts; the report step only carries it."""
from __future__ import annotations

import copy
import json
import re
import textwrap
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import finding_id
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report

REPO = Path(__file__).resolve().parents[4]
SRV01 = REPO / "samples" / "srv01"            # the demo member server (offline evidence folder)
VENDOR = REPO / "task_inventory" / "vendors" / "contoso-backup.yml"   # documents its tasks
SVC = "S-1-5-21-1004336348-1177238915-682003330-2201"                  # CONTOSO\svc-backup
CATALOG = "\\Contoso\\Backup\\Catalog Export"                          # runs as SVC in srv01
HEADER = """\
inventory_version: 1
owner: {name: Contoso IT, kind: internal, contact: it@contoso.example}
defaults:
  approval: {ticket: CHG-1, approver: CISO, date: '2026-01-10'}
tasks: []
"""


def accounts(tmp_path, body=""):
    """An inventory file with only an administrators/task_accounts part (``body``)."""
    folder = tmp_path / "accounts"
    folder.mkdir(exist_ok=True)
    (folder / "accounts.yml").write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return str(folder)


def audit(inventory_dirs, hints, today="2026-12-03", root=SRV01, name="srv01"):
    ctx = pipeline.prepare(inventory_dirs=[str(p) for p in inventory_dirs], today=today)
    result, error = pipeline.audit_offline(ctx, name, dict({"admin_surface": False}, **hints), root)
    assert error is None
    return result


def run_as(result):
    return {f["task"]: f for f in result["findings"] if f["code"] == "TG-A024"}


MEMBER = {"os_family": "windows_server_2022", "domain_role": "member_server"}


def test_a_documented_account_gives_nothing(tmp_path):
    inv = accounts(tmp_path, """\
        task_accounts:
        - sid: %s
          justification: the catalog export runs as the backup account
          scope: {hosts: [srv01]}
        """ % SVC)
    result = audit([VENDOR, inv], MEMBER)
    assert [t["path"] for t in result["task_accounts"]] == [CATALOG]
    assert run_as(result) == {}


def test_an_administrators_entry_documents_the_account_too(tmp_path):
    inv = accounts(tmp_path, """\
        administrators:
        - sid: %s
          justification: the backup account administers this file server
          scope: {hosts: [srv01]}
        """ % SVC)
    assert run_as(audit([VENDOR, inv], MEMBER)) == {}


def test_a_documented_task_with_an_undocumented_account_is_low_with_the_reports_id(tmp_path):
    result = audit([VENDOR, accounts(tmp_path)], dict(MEMBER, domain_role="domain_controller"))
    finding = run_as(result)[CATALOG]
    assert finding["severity"] == "low" and finding["evidence"]["task_documented"] is True
    assert finding["params"] == {"task": CATALOG, "account": SVC}
    assert finding["kinds"] == ["task_account"] and [p["code"] for p in finding["problems"]] == ["TG-A024"]
    # the id the report step gave it (admin_findings: host, kind, subject, family:key):
    # merged slices and earlier reports keep matching it
    assert finding["id"] == finding_id("srv01", "task_account", CATALOG, "TG-A:run-as")
    # a row of its own: never merged into the task's other row (it would take the task's id)
    assert finding["id"] != finding_id("srv01", "task", CATALOG.lower())


def plant(root, sample, path, user, command=None):
    """An evidence folder holding task files only: ``sample`` (a definition of srv01)
    saved as ``path``, run as ``user``, its program replaced by ``command``."""
    source = SRV01 / "Windows" / "System32" / "Tasks" / Path(*sample.strip("\\").split("\\"))
    target = root / "Windows" / "System32" / "Tasks" / Path(*path.strip("\\").split("\\"))
    target.parent.mkdir(parents=True, exist_ok=True)
    text = source.read_bytes().decode("utf-16")
    text = re.sub(r"<UserId>.*?</UserId>", lambda _m: "<UserId>%s</UserId>" % user, text)
    text = re.sub(r"<URI>.*?</URI>", lambda _m: "<URI>%s</URI>" % path, text)
    if command:
        text = re.sub(r"<Command>.*?</Command>", lambda _m: "<Command>%s</Command>" % command, text)
    target.write_bytes(text.encode("utf-16"))
    return root


UPDATER = "\\Updater"


@pytest.mark.parametrize("hints, tier, severity", [
    (dict(MEMBER, domain_role="domain_controller"), "domain_controller", "high"),
    (dict(MEMBER, groups=["admin_workstations"], domain_role="member_workstation"), "admin_workstation", "high"),
    (MEMBER, "member_server", "medium"),
])
def test_an_undocumented_task_with_an_undocumented_account_follows_the_tier(tmp_path, hints, tier, severity):
    # a program in a folder every user can write to: the task itself is undocumented at high
    root = plant(tmp_path / "host", CATALOG, UPDATER, "CORP\\mallory", "C:\\Users\\Public\\upd.exe")
    result = audit([accounts(tmp_path)], hints, root=root, name="h1")
    assert result["tier"] == tier
    (task_row,) = [f for f in result["findings"] if f["task"] == UPDATER and f["code"] != "TG-A024"]
    assert "undocumented" in task_row["kinds"] and task_row["severity"] in ("medium", "high", "critical")
    finding = run_as(result)[UPDATER]
    assert finding["severity"] == severity and finding["evidence"]["task_documented"] is False
    assert finding["params"] == {"task": UPDATER, "account": "CORP\\mallory"}
    if severity == "high":
        assert result["verdict"]["state"] in ("suspicious", "compromised")


def test_groups_come_from_the_hints_and_the_domain_role_from_the_audits_facts(tmp_path):
    inv = accounts(tmp_path, """\
        task_accounts:
        - sid: %s
          justification: the catalog export
          scope: {groups: [file_servers], domain_role: [member_server]}
        """ % SVC)
    assert run_as(audit([VENDOR, inv], dict(MEMBER, groups=["file_servers"]))) == {}
    assert CATALOG in run_as(audit([VENDOR, inv], MEMBER))       # not in the group
    on_a_dc = dict(MEMBER, groups=["file_servers"], domain_role="domain_controller")
    assert CATALOG in run_as(audit([VENDOR, inv], on_a_dc))    # out of the domain_role scope


@pytest.mark.parametrize("today, documented", [("2026-03-01", True), ("2026-12-03", False)])
def test_expiry_is_judged_by_the_day_the_audit_was_given(tmp_path, today, documented):
    """The inventory the audit loaded (with its ``today``), not another load: an entry
    that expired is reported with the entry that no longer documents it."""
    inv = accounts(tmp_path, """\
        task_accounts:
        - sid: %s
          justification: the catalog export
          expires: '2026-06-30'
        """ % SVC)
    result = audit([VENDOR, inv], MEMBER, today=today)
    if documented:
        assert run_as(result) == {}
    else:
        finding = run_as(result)[CATALOG]
        assert finding["entry"]["line"] == 7 and finding["evidence"]["expired_entry"]["line"] == 7


def test_an_inventory_that_failed_to_load_documents_no_account(tmp_path):
    """Fail closed: every ordinary account is undocumented, and a coverage finding says why."""
    result = audit([tmp_path / "no-such-folder"], MEMBER)
    assert CATALOG in run_as(result)
    assert any(f["code"] == "TG-C012" for f in result["findings"])


def test_a_windows_component_the_audit_judged_low_stays_low_on_a_domain_controller(tmp_path):
    """A built-in (TG-R022: no baseline lists it, its definition looks like Windows')
    running as a user: a review item, never a second alarm."""
    path = "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag"
    root = plant(tmp_path / "dc", path, path, "CONTOSO\\alice")
    result = audit([accounts(tmp_path)], dict(MEMBER, domain_role="domain_controller"), root=root, name="dc01")
    (task_row,) = [f for f in result["findings"] if f["task"] == path and f["code"] != "TG-A024"]
    assert task_row["severity"] == "low" and "TG-R022" in {r.get("rule") for r in task_row["reasons"]}
    finding = run_as(result)[path]
    assert finding["severity"] == "low" and finding["params"]["account"] == "CONTOSO\\alice"


def test_a_judge_that_breaks_is_a_coverage_finding_not_a_quiet_host(tmp_path, monkeypatch):
    from ansible_collections.taskguard.windows.plugins.plugin_utils import task_run_as

    def broken(*_args):
        raise ValueError("boom")
    monkeypatch.setattr(task_run_as, "run_as_rows", broken)
    result = audit([VENDOR, accounts(tmp_path)], MEMBER)
    assert run_as(result) == {} and result["status"] == "partial"
    assert any(f["code"] == "TG-C011" and "TG-A024" in f["params"]["error"] for f in result["findings"])


def test_the_live_path_judges_it_too():
    """audit_live on the collect module's contract fixture, one task turned to run as an ordinary account."""
    module = json.loads((REPO / "tests" / "unit" / "fixtures" / "collect" / "live_plain.json").read_text("utf-8"))
    module = copy.deepcopy(module)
    path = "\\Vendor\\Nested\\Updater"
    changed = 0
    for part in ("api", "files"):
        for task in (module["tasks"].get(part) or {}).get("tasks") or []:
            if task.get("path") == path and task.get("xml"):
                task["xml"] = re.sub(r"<UserId>.*?</UserId>", r"<UserId>CORP\\mallory</UserId>", task["xml"])
                changed += 1
    assert changed
    ctx = pipeline.prepare(inventory_dirs=[str(REPO / "task_inventory")], today="2026-12-03")
    result, _cache = pipeline.audit_live(ctx, "ws01", {"groups": ["admin_workstations"]}, module)
    assert [t["path"] for t in result["task_accounts"]] == [path]
    finding = run_as(result)[path]
    assert finding["severity"] == "high" and finding["params"]["account"] == "CORP\\mallory"


def test_the_report_step_carries_the_audits_rows_and_judges_nothing_again(tmp_path):
    """No second judgment: a result without TG-A024 rows gets none in the report,
    and one with them keeps them once, with their ids."""
    result = audit([VENDOR, accounts(tmp_path)], MEMBER)
    (finding,) = run_as(result).values()
    doc = build_run_report({"srv01": result}, {"id": "r1", "slice": None})
    assert [f["id"] for f in doc["hosts"]["srv01"]["findings"] if f["code"] == "TG-A024"] == [finding["id"]]
    bare = dict(result, findings=[f for f in result["findings"] if f["code"] != "TG-A024"])
    doc = build_run_report({"srv01": bare}, {"id": "r1", "slice": None})
    assert not [f for f in doc["hosts"]["srv01"]["findings"] if f["code"] == "TG-A024"]


def test_the_drift_report_action_records_inventory_dir_and_loads_no_inventory(tmp_path, monkeypatch):
    from action_harness import make_action
    from ansible_collections.taskguard.windows.plugins.action.drift_report import ActionModule
    from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support

    result = audit([VENDOR, accounts(tmp_path)], MEMBER)

    def no_load(*_args, **_kwargs):
        raise AssertionError("the report step loaded the task inventory")
    monkeypatch.setattr(audit_support, "load_inventory", no_load)
    action = make_action(ActionModule, "taskguard.windows.drift_report",
                         {"hosts": ["srv01"], "results": {"srv01": result}, "report_dir": str(tmp_path / "r"),
                          "formats": ["json"], "run_id": "t", "inventory_dir": [str(tmp_path / "elsewhere")]})
    out = action.run(task_vars={})
    assert not out.get("failed"), out
    doc = json.loads((tmp_path / "r" / "drift.json").read_text(encoding="utf-8"))
    assert doc["run"]["inventory_dir"] == str(tmp_path / "elsewhere")
    assert list(run_as(doc["hosts"]["srv01"])) == [CATALOG]
