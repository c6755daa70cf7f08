# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentic attack-sample Security logs (EVTX-ATTACK-SAMPLES, GPL-3.0;
tests/unit/fixtures/authentic/evtx-attack-samples) audited as a user would: an
evidence folder that holds only one log, under its upstream-style name at the
evidence root (not Security.evtx), no task files, no OS hint, through the
production pipeline. Each attack must be reported on the right task with the
account and command the events carry, and nothing may be said about the task's
current state (no task source was read)."""
from __future__ import annotations

import os
import shutil

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK

SAMPLES = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "authentic",
                                       "evtx-attack-samples"))
pytestmark = pytest.mark.skipif(not os.path.isdir(SAMPLES), reason="attack-sample fixtures absent")
CTX = pipeline.prepare()


def audit(tmp_path, name):
    root = tmp_path / "evidence"
    root.mkdir()
    shutil.copy(os.path.join(SAMPLES, name), root / name)
    result, error = pipeline.audit_offline(CTX, "victim", {}, str(root))
    assert error is None
    return result


def loud(result):
    return {f["task"]: f for f in result["findings"]
            if f["task"] and SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK["medium"]}


@pytest.mark.parametrize("name,task,action,user,command", [
    ("atexec-target-host-4698-4699.evtx", "\\CYAlyNSS", "registered", "Administrator", "cmd.exe"),
    ("fullpowers-localservice-4698-4699.evtx", "\\FullPowersTask", "registered", "LOCAL SERVICE",
     "C:\\Users\\Public\\Tools\\TokenManip\\FullPowers.exe"),
    ("remote-task-update-4702.evtx", "\\LMST", "updated", "a-jbrown", "cmd.exe"),
])
def test_attack_is_reported_on_its_task_with_account_and_command(tmp_path, name, task, action, user, command):
    result = audit(tmp_path, name)
    rows = loud(result)
    assert set(rows) == {task}
    row = rows[task]
    assert SEVERITY_RANK[row["severity"]] >= SEVERITY_RANK["high"]
    event = next(e for e in row["evidence"]["events"] if e["action"] == action)
    assert event["user"].endswith(user)
    assert user in row["title"] or action == "registered"
    # the command comes from the definition the event carried (TaskContent)
    assert [a["command"] for a in event["definition"]["actions"]] == [command]
    # the verdict never calls the host clean, and says no task source was read
    assert result["verdict"]["state"] in ("suspicious", "compromised")
    assert result["verdict"]["task_sources_read"] is False


def test_the_atexec_task_is_transient_and_its_temp_redirect_scored(tmp_path):
    row = loud(audit(tmp_path, "atexec-target-host-4698-4699.evtx"))["\\CYAlyNSS"]
    assert row["kind"] == "transient"
    rules = {r["rule"] for r in row["reasons"]}
    assert "TG-T001" in rules


@pytest.mark.parametrize("name,user,time", [
    ("atexec-target-host-4698-4699.evtx", "EXAMPLE\\administrator", "2019-03-19T00:02:00.383090Z"),
    ("remote-task-update-4702.evtx", "3B\\a-jbrown", "2020-09-02T11:47:39.499106Z"),
])
def test_a_cleared_security_log_is_reported_with_who_and_when(tmp_path, name, user, time):
    """Both samples start with 1102 (the operator cleared the log before the attack):
    a high finding with the account and time, the host suspicious, and the clearing
    not counted as a task event."""
    result = audit(tmp_path, name)
    cleared = [f for f in result["findings"] if f["code"] == "TG-C018"]
    assert len(cleared) == 1
    row = cleared[0]
    assert row["severity"] == "high" and row["task"] is None
    assert row["params"]["channel"] == "Security"
    assert row["params"]["user"] == user and row["params"]["time"] == time
    assert user in row["title"]
    assert "TG-C018" in [r["code"] for r in result["verdict"]["reasons"]]


def test_a_log_without_clearing_has_no_clearing_finding(tmp_path):
    result = audit(tmp_path, "fullpowers-localservice-4698-4699.evtx")
    assert not [f for f in result["findings"] if f["code"] == "TG-C018"]
