# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 16 point 3: clean event logs of a server raise nothing at medium or above.

Windows registers, updates, deletes and runs its own tasks as SYSTEM (or, in the
Security log, as the machine account ``SRV01$``) during servicing: 4698/4702/4699 in
Security, 106/140/141/200/201 in TaskScheduler/Operational. Those events for the
built-in tasks of tests/unit/fixtures/builtin_tasks/ (event XML written like the
contract fixtures of tests/unit/fixtures/task_events/, crafted) are audited offline
as ``events/*.xml`` exports, with and without the task files and with and without
baselines; the same events for an attack dressed as a built-in stay high."""
from __future__ import annotations

import os
import shutil
import sys
from xml.sax.saxutils import escape

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK

sys.path.insert(0, os.path.dirname(__file__))
import builtin_corpus  # noqa: E402  pylint: disable=wrong-import-position

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
SHIPPED = os.path.join(REPO, "task_inventory")
BUILTINS = {t["path"]: t for t in builtin_corpus.load("server_builtin_tasks.yml")}
ATTACKS = {t["path"]: t for t in builtin_corpus.load("attacks_dressed_as_builtins.yml")}
OPERATIONAL = "Microsoft-Windows-TaskScheduler/Operational"
_OP_DATA = {106: ("TaskRegisteredEvent", "UserContext"), 140: ("TaskUpdated", "UserName"),
            141: ("TaskRegistrationDeleted", "UserName")}


class Log(object):
    """Security and Operational events of one host, written as exports."""

    def __init__(self):
        self.security, self.operational, self.record = [], [], 1000

    def _system(self, provider, guid, event_id, channel, second, user_sid="S-1-5-18"):
        self.record += 1
        return ("<System><Provider Name='%s' Guid='%s'/><EventID>%d</EventID><Version>1</Version><Level>0</Level>"
                "<Task>%d</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords>"
                "<TimeCreated SystemTime='2026-03-10T02:%02d:%02d.0000000Z'/><EventRecordID>%d</EventRecordID>"
                "<Correlation/><Execution ProcessID='780' ThreadID='2140'/><Channel>%s</Channel>"
                "<Computer>SRV01.contoso.example</Computer><Security UserID='%s'/></System>"
                % (provider, guid, event_id, event_id, second // 60, second % 60, self.record, channel, user_sid))

    def security_event(self, event_id, task, second, definition=None):
        """4698/4702/4699 by the machine account (SubjectUserSid S-1-5-18, SRV01$)."""
        content = "TaskContentNew" if event_id == 4702 else "TaskContent"
        data = ("<Data Name='SubjectUserSid'>S-1-5-18</Data><Data Name='SubjectUserName'>SRV01$</Data>"
                "<Data Name='SubjectDomainName'>CONTOSO</Data><Data Name='SubjectLogonId'>0x3e7</Data>"
                "<Data Name='TaskName'>%s</Data><Data Name='%s'>%s</Data>"
                % (escape(task["path"]), content, escape(builtin_corpus.render(task)) if definition else ""))
        self.security.append("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>%s"
                             "<EventData>%s</EventData></Event>"
                             % (self._system("Microsoft-Windows-Security-Auditing",
                                             "{54849625-5478-4994-a5ba-3e3b0328c30d}", event_id, "Security", second),
                                data))

    def operational_event(self, event_id, path, second, extra=""):
        name, user_field = _OP_DATA.get(event_id, ("ActionStart" if event_id == 200 else "ActionSuccess", None))
        data = "<Data Name='TaskName'>%s</Data>" % escape(path)
        if user_field:
            data += "<Data Name='%s'>NT AUTHORITY\\System</Data>" % user_field
        self.operational.append("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>%s"
                                "<EventData Name='%s'>%s%s</EventData></Event>"
                                % (self._system("Microsoft-Windows-TaskScheduler",
                                                "{de7b24ea-73c8-4a09-985d-5bdadcfa9017}", event_id, OPERATIONAL,
                                                second), name, data, extra))

    def servicing(self, task, second):
        """What a cumulative update does to one of Windows' tasks."""
        self.security_event(4699, task, second)                       # the old definition removed
        self.operational_event(141, task["path"], second)
        self.security_event(4698, task, second + 1, definition=True)  # the new one registered
        self.operational_event(106, task["path"], second + 1)
        self.security_event(4702, task, second + 2, definition=True)  # its triggers updated
        self.operational_event(140, task["path"], second + 2)
        command = escape(task["actions"][0].get("command", ""))
        self.operational_event(200, task["path"], second + 3,
                               "<Data Name='ActionName'>%s</Data><Data Name='TaskInstanceId'>"
                               "{6f5e0a4c-2b1d-4f0e-9a3b-7c1d2e3f4a5b}</Data><Data Name='EnginePID'>7312</Data>"
                               % command)
        self.operational_event(201, task["path"], second + 4,
                               "<Data Name='TaskInstanceId'>{6f5e0a4c-2b1d-4f0e-9a3b-7c1d2e3f4a5b}</Data>"
                               "<Data Name='ActionName'>%s</Data><Data Name='ResultCode'>0</Data>" % command)

    def write(self, root):
        events = os.path.join(str(root), "events")
        os.makedirs(events, exist_ok=True)
        for name, items in (("Security.xml", self.security),
                            ("Microsoft-Windows-TaskScheduler%4Operational.xml", self.operational)):
            with open(os.path.join(events, name), "w", encoding="utf-8") as handle:
                handle.write("<Events>%s</Events>" % "".join(items))


def audit(tmp_path, tasks, log, *, with_files, inventory, hint=None):
    root = tmp_path / "evidence"
    root.mkdir()
    if with_files:
        builtin_corpus.write_evidence(root, tasks)
    log.write(root)
    ctx = pipeline.prepare(inventory_dirs=[inventory])
    result, error = pipeline.audit_offline(ctx, "srv01", {"os_family": hint} if hint else {}, str(root))
    assert error is None
    return result


def loud(result, level="medium"):
    return {(f["task"], f["code"]): f["severity"] for f in result["findings"]
            if f["task"] and SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK[level]}


@pytest.fixture(scope="module")
def no_baseline(tmp_path_factory):
    root = tmp_path_factory.mktemp("inventory")
    shutil.copytree(os.path.join(SHIPPED, "vendors"), root / "vendors")
    return str(root)


@pytest.mark.parametrize("with_files", [True, False], ids=["with-task-files", "events-only"])
@pytest.mark.parametrize("inventory", ["shipped", "no_baseline"])
@pytest.mark.parametrize("hint", [None, "windows_server_2022"])
def test_servicing_events_of_built_in_tasks_stay_below_medium(tmp_path, request, with_files, inventory, hint):
    inventory_dir = SHIPPED if inventory == "shipped" else request.getfixturevalue("no_baseline")
    log = Log()
    for index, task in enumerate(BUILTINS.values()):
        log.servicing(task, index * 10)
    result = audit(tmp_path, list(BUILTINS.values()), log, with_files=with_files, inventory=inventory_dir, hint=hint)
    assert loud(result) == {}
    if not with_files and inventory == "no_baseline":
        # the events were read and each undocumented task reported from them (low), not dropped
        reported = {f["task"]: f for f in result["findings"] if f["task"]}
        assert set(BUILTINS) <= set(reported)
        assert {reported[p]["code"] for p in BUILTINS} == {"TG-T009"}


@pytest.mark.parametrize("with_files", [True, False], ids=["with-task-files", "events-only"])
def test_operational_log_alone_stays_below_medium(tmp_path, no_baseline, with_files):
    """Security auditing off: 106/140/141/200/201 only, no definition in any event."""
    log = Log()
    for index, task in enumerate(BUILTINS.values()):
        log.servicing(task, index * 10)
    log.security = []
    result = audit(tmp_path, list(BUILTINS.values()), log, with_files=with_files, inventory=no_baseline)
    assert loud(result) == {}
    if not with_files:
        registered = [f for f in result["findings"] if f["task"] in BUILTINS]
        assert len({f["task"] for f in registered}) == len(BUILTINS)
        assert all(f["code"] == "TG-T012" and f["severity"] == "low" for f in registered)


def test_a_person_registering_a_windows_folder_task_without_its_definition_is_not_quieted(tmp_path, no_baseline):
    log = Log()
    log.operational_event(106, "\\Microsoft\\Windows\\WDI\\SrvHost", 0)
    log.operational[-1] = log.operational[-1].replace("NT AUTHORITY\\System", "CONTOSO\\helpdesk")
    result = audit(tmp_path, [], log, with_files=False, inventory=no_baseline)
    assert loud(result) == {("\\Microsoft\\Windows\\WDI\\SrvHost", "TG-T003"): "medium"}


@pytest.mark.parametrize("with_files", [True, False], ids=["with-task-files", "events-only"])
def test_the_same_events_for_an_attack_dressed_as_a_built_in_stay_high(tmp_path, no_baseline, with_files):
    attack = ATTACKS["\\Microsoft\\Windows\\WDI\\SrvHost"]       # cmd running a payload from Windows\Temp
    log = Log()
    log.servicing(attack, 0)
    for index, task in enumerate(BUILTINS.values()):
        log.servicing(task, 10 + index * 10)
    result = audit(tmp_path, [attack] + list(BUILTINS.values()), log, with_files=with_files, inventory=no_baseline)
    assert {task for task, _code in loud(result, "high")} == {attack["path"]}
