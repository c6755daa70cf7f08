# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentic Security.evtx extracts (EVTX-to-MITRE-Attack, CC0; tests/unit/fixtures/authentic/evtx)
audited as a user would: an evidence folder that holds only the Security log, no
task files, no registry, no OS hint, through the production pipeline.

Expected: every malicious registration at medium or above with the right task,
user and time; no claim of absence (no task source was read); the benign
machine-account update and the negative cases without task events raise nothing
at medium or above; the verdict says no task source was read."""
from __future__ import annotations

import os
import shutil

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK

EVTX = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "authentic", "evtx"))
pytestmark = pytest.mark.skipif(not os.path.isdir(EVTX), reason="authentic evtx fixtures absent")
CTX = pipeline.prepare()


def audit(tmp_path, name):
    logs = tmp_path / "evidence" / "Windows" / "System32" / "winevt" / "Logs"
    logs.mkdir(parents=True)
    shutil.copy(os.path.join(EVTX, name), logs / "Security.evtx")
    result, error = pipeline.audit_offline(CTX, "victim", {}, str(tmp_path / "evidence"))
    assert error is None
    return result


def task_rows(result, at_least="medium"):
    return {f["task"]: f for f in result["findings"]
            if f["task"] and SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK[at_least]}


@pytest.mark.parametrize("name,task,user,time,severity", [
    ("atexec-fast-create-delete-4698-4699.evtx", "\\bouWFQYO", None, "2021", "high"),
    ("atexec-remote-task-4698-4699.evtx", "\\bouWFQYO", None, "2021", "high"),
    ("smbexec-fast-create-delete-4698-4699.evtx", "\\smbservice", None, "20", "high"),
    ("fortinet-apt-masquerade-4698.evtx", "\\Microsoft\\SynchronizeTimeZone", "OFFSEC\\admmig",
     "2021-06-01T14:09:38", "high"),
    ("persistent-system-task-4698.evtx", "\\eviltask", "OFFSEC\\admmig", "2021-04-21T13:30:00", "medium"),
])
def test_malicious_registrations_are_reported_with_task_user_and_time(tmp_path, name, task, user, time, severity):
    result = audit(tmp_path, name)
    rows = task_rows(result)
    assert set(rows) == {task}
    row = rows[task]
    assert SEVERITY_RANK[row["severity"]] >= SEVERITY_RANK[severity]
    registration = next(e for e in row["evidence"]["events"] if e["action"] == "registered")
    assert str(registration["time"]).startswith(time)
    if user:
        assert registration["user"] == user
        assert user in row["title"]
    # nothing said about the task's current state: no task source was read
    for problem in row["problems"]:
        assert "absent" not in problem["title"]
    assert result["verdict"]["state"] in ("suspicious", "compromised")
    assert result["verdict"]["task_sources_read"] is False


def test_deleted_within_milliseconds_is_transient_not_registered(tmp_path):
    row = task_rows(audit(tmp_path, "atexec-fast-create-delete-4698-4699.evtx"))["\\bouWFQYO"]
    assert row["code"] == "TG-T001"
    assert {e["action"] for e in row["evidence"]["events"]} == {"registered", "deleted"}


def test_registration_without_deletion_says_the_state_was_not_collected(tmp_path):
    row = task_rows(audit(tmp_path, "fortinet-apt-masquerade-4698.evtx"))["\\Microsoft\\SynchronizeTimeZone"]
    assert row["code"] == "TG-T003" and "current state was not collected" in row["title"]
    assert "TG-R009" in {r["rule"] for r in row["reasons"]}          # masquerade under \Microsoft\


@pytest.mark.parametrize("name", ["donpapi-benign-4702.evtx", "atexec-remote-5145.evtx",
                                  "schtasks-creation-4688.evtx", "at-interactive-shell-4688.evtx"])
def test_benign_and_negative_logs_raise_nothing_at_medium(tmp_path, name):
    result = audit(tmp_path, name)
    assert task_rows(result) == {}
    assert any(r["code"] == "no_task_source" for r in result["verdict"]["reasons"])
    assert result["verdict"]["state"] == "not_audited"              # honest: no task source, nothing found
    if name == "donpapi-benign-4702.evtx":
        # the task update is benign, but the capture starts with the operator's
        # account clearing the Security log (1102): the first gap the verdict names
        gaps = [r["code"] for r in result["verdict"]["reasons"] if r["code"] != "no_task_source"]
        assert gaps[0] == "TG-C018"


def test_samples_under_their_own_names_are_read_and_routed_by_channel(tmp_path):
    """Attack samples keep their names (atexec.evtx...): with a channel's own file
    missing, the other .evtx files of the Logs folder are read, each record routed
    by its Channel."""
    logs = tmp_path / "evidence" / "Windows" / "System32" / "winevt" / "Logs"
    logs.mkdir(parents=True)
    for name in sorted(os.listdir(EVTX)):
        if name.endswith(".evtx"):
            shutil.copy(os.path.join(EVTX, name), logs / name)
    result, error = pipeline.audit_offline(CTX, "victim", {}, str(tmp_path / "evidence"))
    assert error is None
    assert set(task_rows(result)) == {"\\bouWFQYO", "\\smbservice", "\\Microsoft\\SynchronizeTimeZone", "\\eviltask"}
    security = next(f for f in result["findings"] if f["code"] == "TG-C006" and f["params"]["channel"] == "Security")
    assert "events_from_other_file" in security["params"]["detail"]     # said, not hidden


def test_a_full_logs_folder_reads_only_the_channel_files(tmp_path):
    logs = tmp_path / "evidence" / "Windows" / "System32" / "winevt" / "Logs"
    logs.mkdir(parents=True)
    shutil.copy(os.path.join(EVTX, "donpapi-benign-4702.evtx"), logs / "Security.evtx")
    shutil.copy(os.path.join(EVTX, "donpapi-benign-4702.evtx"), logs / "Microsoft-Windows-TaskScheduler%4Operational.evtx")
    shutil.copy(os.path.join(EVTX, "atexec-fast-create-delete-4698-4699.evtx"), logs / "Application-copy.evtx")
    result, error = pipeline.audit_offline(CTX, "victim", {}, str(tmp_path / "evidence"))
    assert error is None and "\\bouWFQYO" not in task_rows(result)


def test_samples_dropped_in_the_evidence_root_are_read_too(tmp_path):
    (tmp_path / "evidence").mkdir()
    shutil.copy(os.path.join(EVTX, "fortinet-apt-masquerade-4698.evtx"), tmp_path / "evidence" / "fortinet.evtx")
    result, error = pipeline.audit_offline(CTX, "victim", {}, str(tmp_path / "evidence"))
    assert error is None and set(task_rows(result)) == {"\\Microsoft\\SynchronizeTimeZone"}


def test_other_evtx_files_are_read_within_a_byte_budget(tmp_path, monkeypatch):
    from ansible_collections.taskguard.windows.plugins.plugin_utils import event_collection
    monkeypatch.setattr(event_collection, "MAX_OTHER_EVTX_BYTES", 1)
    (tmp_path / "evidence").mkdir()
    shutil.copy(os.path.join(EVTX, "fortinet-apt-masquerade-4698.evtx"), tmp_path / "evidence" / "fortinet.evtx")
    result, error = pipeline.audit_offline(CTX, "victim", {}, str(tmp_path / "evidence"))
    assert error is None and task_rows(result) == {}
    assert any("not read: more than 1 bytes" in str(f["evidence"]) for f in result["findings"] if f["code"] == "TG-C010")
