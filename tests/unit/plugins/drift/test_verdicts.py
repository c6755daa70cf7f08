# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a finding may claim, state changes, authors, one row per task and the
host verdict (issue 15), unconfirmed entries (issue 17) and the silent drop of a
matcher exception (issue 22)."""
from __future__ import annotations

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import findings as fnd
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK, load_rules
from audit_call import audit_host

from .helpers import SYSTEM, StubEntry, StubHostView, event, events_result, make_task, tasks_result

RULES = load_rules()
OPERATIONAL = "Microsoft-Windows-TaskScheduler/Operational"
NO_SOURCES = {"api": False, "files": False, "registry": False}


def run(tasks=(), entries=(), events=(), *, sources=None, view=None):
    return audit_host("h1", tasks_result(list(tasks), sources=sources), events_result(list(events)),
                      view if view is not None else StubHostView(list(entries)), RULES, host={"name": "h1"},
                      propose=lambda t, h: {"path": t["path"]})


def rows(audit, kind=None):
    return [f for f in audit["findings"] if kind is None or kind in f["kinds"]]


# ------------------------------------------------------------------ no claim without a source

def test_events_only_evidence_never_claims_absence():
    definition = make_task("\\eviltask", command="C:\\tools\\shell.cmd", principal=SYSTEM)
    audit = run(events=[event(7, 4698, "registered", "\\eviltask", user="OFFSEC\\admmig", definition=definition)],
                sources=NO_SOURCES)
    (row,) = rows(audit, "registered")
    assert row["code"] == "TG-T003"
    assert "current state was not collected" in row["title"] and "absent" not in row["title"]
    assert "OFFSEC\\admmig" in row["title"] and "2025-11-24" in row["title"]
    assert audit["verdict"]["task_sources_read"] is False
    assert any(r["code"] == "no_task_source" for r in audit["verdict"]["reasons"])


def test_absent_now_is_said_only_with_the_task_sources_that_show_it():
    evs = [event(7, 4698, "registered", "\\gone", user="CORP\\eve")]
    (row,) = rows(run(events=evs), "transient")
    assert row["code"] == "TG-T002"
    assert "absent from the task sources read (files, registry)" in row["title"]


def test_an_update_is_called_an_update():
    evs = [event(7, 4702, "updated", "\\gone", user="CORP\\eve")]
    (row,) = rows(run(events=evs, sources=NO_SOURCES), "registered")
    assert row["title"].startswith("Task updated at ")


def test_machine_account_update_of_a_windows_task_is_routine_info():
    path = "\\Microsoft\\Windows\\SoftwareProtectionPlatform\\SvcRestartTask"
    definition = make_task(path, principal={"user_id": "S-1-5-20", "group_id": None, "logon_type": None,
                                            "run_level": "LeastPrivilege"})
    definition["actions"] = [{"type": "com_handler", "class_id": "{B1AEBB5D-EAD9-4476-B375-9C3ED9F32AFC}",
                              "data": "timer", "command": None, "arguments": None, "working_directory": None}]
    audit = run(events=[event(3, 4702, "updated", path, user="CONTOSO\\FS03VULN$", definition=definition)],
                sources=NO_SOURCES)
    (row,) = rows(audit, "registered")
    assert (row["code"], row["severity"]) == ("TG-T009", "info")
    assert audit["verdict"]["state"] == "not_audited"          # no task source, nothing serious


# ------------------------------------------------------------------ disables and enables

def test_disabling_system_restore_is_high_with_the_technique():
    path = "\\Microsoft\\Windows\\SystemRestore\\SR"
    audit = run([make_task(path, principal=SYSTEM)], [StubEntry(path)],
                events=[event(9, 142, "disabled", path, user="CORP\\helpdesk", channel=OPERATIONAL)])
    (row,) = rows(audit, "disabled")
    assert row["code"] == "TG-T005" and SEVERITY_RANK[row["severity"]] >= SEVERITY_RANK["high"]
    assert row["reasons"][0]["mitre"] == ["T1490"]
    assert audit["verdict"]["state"] == "suspicious"


def test_the_system_disabling_a_security_task_is_medium_and_says_windows_does_it_too():
    path = "\\Microsoft\\Windows\\UpdateOrchestrator\\Reboot"
    audit = run([make_task(path, principal=SYSTEM)], [StubEntry(path)],
                # a real 4701 carries SubjectUserSid: the SID, not the name, makes it Windows (brief H3)
                events=[dict(event(9, 4701, "disabled", path, user="NT AUTHORITY\\SYSTEM"), subject_sid="S-1-5-18")])
    (row,) = rows(audit, "disabled")
    assert (row["code"], row["severity"]) == ("TG-T010", "medium")


def test_system_registering_a_windows_component_task_is_routine():
    path = "\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan"
    definition = make_task(path, command="%systemroot%\\system32\\usoclient.exe", arguments="StartScan",
                           principal=SYSTEM)
    audit = run(events=[event(3, 4698, "registered", path, user="WORKGROUP\\WS01$", definition=definition)],
                sources=NO_SOURCES)
    (row,) = rows(audit, "registered")
    assert (row["code"], row["severity"]) == ("TG-T009", "info")


def test_system_registering_a_task_that_runs_from_temp_is_not_routine():
    path = "\\Microsoft\\Windows\\UpdateOrchestrator\\Helper"
    definition = make_task(path, command="C:\\Windows\\Temp\\h.exe", principal=SYSTEM)
    audit = run(events=[event(3, 4698, "registered", path, user="NT AUTHORITY\\SYSTEM", definition=definition)],
                sources=NO_SOURCES)
    (row,) = rows(audit, "registered")
    assert row["code"] == "TG-T003" and SEVERITY_RANK[row["severity"]] >= SEVERITY_RANK["high"]


def test_disabling_a_documented_vendor_task_is_medium_and_enabling_an_undocumented_one_is_reported():
    audit = run([make_task("\\Vendor\\Agent"), make_task("\\Odd\\Thing")], [StubEntry("\\Vendor\\Agent")],
                events=[event(1, 4701, "disabled", "\\Vendor\\Agent"), event(2, 4700, "enabled", "\\Odd\\Thing")])
    (disabled,) = rows(audit, "disabled")
    assert (disabled["code"], disabled["severity"]) == ("TG-T004", "medium")
    (enabled,) = rows(audit, "enabled")
    assert enabled["task"] == "\\Odd\\Thing" and "TG-T006" in {p["code"] for p in enabled["problems"]}


# ------------------------------------------------------------------ authors

def test_author_claiming_another_account_than_the_registrant():
    task = make_task("\\Updater")
    task["author"] = "CONTOSO\\helpdesk"
    audit = run([task], [StubEntry("\\Updater")], events=[event(4, 4698, "registered", "\\Updater", user="CONTOSO\\eve")])
    (row,) = rows(audit, "author_mismatch")
    assert row["code"] == "TG-T007" and "CONTOSO\\eve" in row["title"]


def test_author_of_the_registrant_itself_and_system_registrations_are_fine():
    task = make_task("\\Updater")
    task["author"] = "CONTOSO\\eve"
    ms = make_task("\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", principal=SYSTEM)
    ms["author"] = "Microsoft Corporation"
    audit = run([task, ms], [StubEntry("\\Updater"), StubEntry(ms["path"])],
                events=[event(4, 4698, "registered", "\\Updater", user="CONTOSO\\eve"),
                        event(5, 4698, "registered", ms["path"], user="NT AUTHORITY\\SYSTEM")])
    assert rows(audit, "author_mismatch") == []


def test_oversized_author_is_a_finding():
    task = make_task("\\Big")
    task["author"] = "A" * 5000
    audit = run([task], [StubEntry("\\Big")], events=[event(4, 4698, "registered", "\\Big", user="CONTOSO\\eve")])
    (row,) = rows(audit, "author_mismatch")
    assert row["code"] == "TG-T008" and row["params"]["length"] == 5000


# ------------------------------------------------------------------ one row per task, verdict

def test_one_row_per_task_keeps_every_problem_and_reason():
    task = make_task("\\WinUpdate", command="C:\\Windows\\Temp\\svchost.exe", principal=SYSTEM,
                     hidden_reasons=["sd_missing"])
    audit = run([task], events=[event(1, 4698, "registered", "\\WinUpdate", user="CORP\\eve")])
    (row,) = rows(audit)
    assert row["kinds"][:2] == ["hidden", "undocumented"]
    assert {p["code"] for p in row["problems"]} >= {"TG-S001", "TG-D005"}
    assert {"TG-S001", "TG-R003"} <= {r["rule"] for r in row["reasons"]}
    assert audit["summary"]["tasks"] == 1
    # no allowlist proposal for a concealed task, and no 'hidden: false' anywhere
    assert row["proposed_entry"] is None and "concealed" in row["proposal_withheld"]
    assert audit["verdict"]["state"] == "compromised"
    assert audit["verdict"]["reasons"][0]["text"].startswith("\\WinUpdate: ")


@pytest.mark.parametrize("tasks,entries,sources,expected", [
    ([], [], None, "clean"),
    ([make_task("\\V\\Low")], [], None, "clean"),                       # undocumented, low: not suspicious
    ([], [], {"api": False, "files": True, "registry": False}, "incomplete"),
    ([], [], NO_SOURCES, "not_audited"),
])
def test_verdict_states(tasks, entries, sources, expected):
    assert run(tasks, entries, sources=sources)["verdict"]["state"] == expected


def test_unreachable_host_verdict():
    finding = fnd.unreachable_finding("h", "unreachable", "WinRM timeout")
    verdict = fnd.verdict("unreachable", [finding])
    assert verdict["state"] == "not_audited" and "WinRM timeout" in verdict["reasons"][0]["text"]


# ------------------------------------------------------------------ unconfirmed entries (issue 17)

class Unconfirmed(StubEntry):
    unconfirmed = True


def test_an_unconfirmed_entry_cannot_silence_a_critical_task():
    task = make_task("\\SystemHealthMonitor", command="C:\\Windows\\Temp\\svchost.exe",
                     arguments="sekurlsa::logonpasswords", principal=SYSTEM)
    audit = run([task], [Unconfirmed("\\SystemHealthMonitor", line=12)])
    (row,) = rows(audit)
    assert row["severity"] == "critical" and "undocumented" in row["kinds"]
    assert "TG-D007" in {p["code"] for p in row["problems"]}
    assert "test.yml:12" in row["title"]
    assert audit["unconfirmed_entries"] == [{"file": "task_inventory/vendors/test.yml", "line": 12,
                                            "key": "\\SystemHealthMonitor"}]


def test_an_unconfirmed_entry_of_a_harmless_task_is_pending_review():
    audit = run([make_task("\\Vendor\\Agent")], [Unconfirmed("\\Vendor\\Agent")])
    (row,) = rows(audit)
    assert row["kinds"] == ["pending_review"] and row["severity"] == "low"


# ------------------------------------------------------------------ the silent drop (issue 22)

class ExplodingEntry(StubEntry):
    def allows_registrant(self, user):
        raise RuntimeError("pattern engine broke")


def test_a_registrant_check_that_raises_is_reported_not_silenced():
    evs = [event(1, 4698, "registered", "\\Gone", user="CORP\\eve")]
    audit = run(entries=[ExplodingEntry("\\Gone", registrants=["x"])], events=evs)
    kinds = {k for f in audit["findings"] for k in f["kinds"]}
    # before: both the registered_by and the transient findings vanished
    assert {"registered_by", "transient"} <= kinds
    assert any(f["code"] == "TG-C014" for f in audit["findings"])


class ExplodingView(StubHostView):
    def match(self, path):
        raise RuntimeError("index corrupt")


def test_a_matcher_that_raises_is_a_coverage_finding_and_tasks_are_undocumented():
    audit = run([make_task("\\V\\A")], view=ExplodingView([]))
    assert any(f["code"] == "TG-C014" and f["params"]["count"] == 1 for f in audit["findings"])
    assert rows(audit, "undocumented")[0]["task"] == "\\V\\A"


class UnionView(StubHostView):
    baseline_missing = True
    union_os_families = ("windows_10", "windows_11", "windows_server_2019")


def test_a_version_without_baseline_is_said_as_a_note_not_a_risk():
    audit = audit_host("h1", tasks_result([]), events_result(), UnionView([]), RULES,
                       host={"name": "h1", "os_family": "windows_server_2025"})
    (note,) = [f for f in audit["findings"] if f["kind"] == "note"]
    assert note["code"] == "TG-C016" and note["severity"] == "info"
    assert "windows_server_2025" in note["title"] and "windows_11" in note["title"]
    assert audit["verdict"]["state"] == "clean"


class BaselineEntry(StubEntry):
    builtin_baseline = True


@pytest.mark.parametrize("command,principal,field,code", [
    ("%windir%\\system32\\rundll32.exe", SYSTEM, "actions[0].arguments", "TG-D009"),   # another build's arguments
    ("C:\\Users\\Public\\svc.exe", SYSTEM, "actions[0].command", "TG-D001"),          # program outside Windows
    ("%windir%\\system32\\rundll32.exe", {"user_id": "CORP\\eve"}, "principal.user_id", "TG-D001"),
    ("%windir%\\system32\\rundll32.exe", SYSTEM, "actions[0].class_id", "TG-D001"),     # COM class swapped
])
def test_differences_from_a_built_in_baseline(command, principal, field, code):
    path = "\\Microsoft\\Windows\\Maintenance\\Job"
    task = make_task(path, command=command, arguments="shell32.dll,Run", principal=principal)
    audit = run([task], [BaselineEntry(path, diff=[{"field": field, "expected": "x", "actual": "y"}])])
    (row,) = rows(audit, "modified")
    assert row["code"] == code
    assert (row["severity"] == "low") == (code == "TG-D009")


def test_a_documented_task_updated_to_something_else_is_reported_from_the_event():
    path = "\\Microsoft\\Windows\\Maintenance\\Job"
    evil = make_task(path, command="C:\\Users\\Public\\upd.exe", principal=SYSTEM)
    entry = StubEntry(path, diff=[{"field": "actions[0].command", "expected": "x", "actual": "y"}])
    audit = run(entries=[entry], events=[event(5, 4702, "updated", path, user="CORP\\eve", definition=evil)],
                sources=NO_SOURCES)
    (row,) = rows(audit, "modified")
    assert row["code"] == "TG-T011" and SEVERITY_RANK[row["severity"]] >= SEVERITY_RANK["high"]
    assert "CORP\\eve" in row["title"] and "actions[0].command" in row["title"]


def test_a_documented_task_updated_as_documented_is_quiet():
    path = "\\Vendor\\Agent"
    audit = run(entries=[StubEntry(path)], events=[event(5, 4702, "updated", path, definition=make_task(path))],
                sources=NO_SOURCES)
    assert rows(audit, "modified") == [] and rows(audit, "registered") == []


def test_legacy_job_files_are_medium_and_a_missing_tasks_folder_is_said():
    job = make_task("\\Backup.job", command="C:\\Program Files\\Vendor\\backup.exe", principal=SYSTEM)
    job["seen_in"] = ["job_file"]
    audit = run([job], sources={"api": False, "files": True, "registry": True, "job_files": True})
    (row,) = rows(audit, "undocumented")
    assert "TG-R018" in {r["rule"] for r in row["reasons"]} and SEVERITY_RANK[row["severity"]] >= SEVERITY_RANK["medium"]
    unlooked = run([], sources={"api": False, "files": True, "registry": True, "job_files": False})
    (gap,) = [f for f in unlooked["findings"] if f["code"] == "TG-C017"]
    assert gap["severity"] == "low" and unlooked["verdict"]["state"] == "incomplete"
