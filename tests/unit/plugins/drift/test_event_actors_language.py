# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who acted in a task event, decided language-independently (brief H3).

Windows translates account names ("NT-AUTORITÄT\\SYSTEM" in German, "AUTORITE
NT\\Système" in French), never SIDs. Security 4698-4702 carry the acting SID;
Operational 106/140/141/142 carry a name only, and their System/Security/@UserID
is the Task Scheduler service (S-1-5-18), not the actor. A name alone never
lowers a severity; an unknown name never raises TG-T007 on Windows' own tasks."""
from __future__ import annotations

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import drift
from .actor_events import FRENCH, NO_SOURCES, PERSON_SID, SR, T0, T1, codes, kinds, op, run, sec
from .helpers import SYSTEM, StubEntry, make_task

GERMAN = u"NT-AUTORIT\u00c4T\\SYSTEM"
T5 = "2026-03-10T02:00:05.0000000Z"


def row(audit, task):
    (found,) = [f for f in audit["findings"] if f["task"] == task]
    return found


# ------------------------------------------------------------------ the classification

ACTORS = [
    (sec(1, 4698, "registered", "\\T", "CORP\\WS01$", "S-1-5-18"), drift.WINDOWS, "SYSTEM by SID (named NAME$)"),
    (sec(1, 4702, "updated", "\\T", "OFFSEC\\FS03VULN$", "S-1-5-20"), drift.WINDOWS, "NETWORK SERVICE by SID"),
    (sec(1, 4698, "registered", "\\T", FRENCH, "S-1-5-18"), drift.WINDOWS, "SYSTEM by SID, French name"),
    (sec(1, 4698, "registered", "\\T", "CORP\\alice", PERSON_SID), drift.PERSON, "a person by SID"),
    (sec(1, 4698, "registered", "\\T", "NT AUTHORITY\\SYSTEM", PERSON_SID), drift.PERSON,
     "the SID decides over a SYSTEM-looking name"),
    (sec(1, 4698, "registered", "\\T", "CORP\\eve$", "S-1-5-21-1-2-3-2105"), drift.PERSON,
     "an account SID named NAME$ (a user can be given a trailing $): the SID decides"),
    (op(1, 106, "registered", "\\T", "NT AUTHORITY\\System"), drift.NAMED, "English SYSTEM name only"),
    (op(1, 106, "registered", "\\T", GERMAN), drift.NAMED, "German SYSTEM name only"),
    (op(1, 106, "registered", "\\T", FRENCH), drift.UNVERIFIED, "French SYSTEM name no table knows"),
    (op(1, 106, "registered", "\\T", "CORP\\alice"), drift.UNVERIFIED,
     "a person's name: the Operational record's service SID is not the actor's"),
    (op(1, 140, "updated", "\\T", "S-1-5-18"), drift.WINDOWS, "the SID written as the name"),
    (op(1, 140, "updated", "\\T", PERSON_SID), drift.PERSON, "a person's SID written as the name"),
    (op(1, 140, "updated", "\\T", "CORP\\WS01$"), drift.WINDOWS, "a computer account by name"),
    (op(1, 140, "updated", "\\T", "$"), drift.UNVERIFIED, "a lone $ is no computer account"),
    (op(1, 140, "updated", "\\T", None), drift.UNVERIFIED, "no name at all"),
]


@pytest.mark.parametrize("ev,actor,_what", ACTORS, ids=[a[2] for a in ACTORS])
def test_who_acted(ev, actor, _what):
    assert kinds([ev]) == {id(ev): actor}


def test_an_operational_record_without_a_name_is_not_attributed_to_the_service_sid():
    ev = op(1, 140, "updated", "\\T", None)
    assert drift._user(ev) is None
    assert drift._user(sec(1, 4702, "updated", "\\T", None, "S-1-5-18")) == "S-1-5-18"


def test_a_name_only_event_takes_the_actor_of_its_security_twin():
    named = op(1, 106, "registered", "\\T", FRENCH, time=T1)
    twin = sec(2, 4698, "registered", "\\T", "CORP\\WS01$", "S-1-5-18", time=T0)
    assert kinds([named, twin])[id(named)] == drift.WINDOWS
    late = op(3, 106, "registered", "\\T", FRENCH, time=T5)             # 5 s later: no twin
    assert kinds([late, twin])[id(late)] == drift.UNVERIFIED
    other_action = op(4, 140, "updated", "\\T", FRENCH, time=T0)        # another action: no twin
    assert kinds([other_action, twin])[id(other_action)] == drift.UNVERIFIED
    person = sec(5, 4698, "registered", "\\T", "CORP\\eve", PERSON_SID, time=T0)
    assert kinds([named, twin, person])[id(named)] == drift.UNVERIFIED   # twins disagree
    assert kinds([named, person])[id(named)] == drift.PERSON


# ------------------------------------------------------------------ TG-T010 / TG-T005 (lowering)

@pytest.mark.parametrize("user", ["System", "NT AUTHORITY\\System", GERMAN, FRENCH, "CORP\\helpdesk"])
def test_a_name_alone_never_lowers_the_disable_of_a_security_task(user):
    audit = run([make_task(SR, principal=SYSTEM)], [StubEntry(SR)], events=[op(9, 142, "disabled", SR, user)])
    assert ("TG-T005", "high") in codes(audit, SR)
    assert "TG-T010" not in {c for c, _s in codes(audit, SR)}


@pytest.mark.parametrize("user", ["System", GERMAN, FRENCH])
def test_the_security_twin_of_the_disable_verifies_windows_in_any_language(user):
    events = [op(9, 142, "disabled", SR, user, time=T1), sec(10, 4701, "disabled", SR, "CORP\\WS01$", "S-1-5-18")]
    audit = run([make_task(SR, principal=SYSTEM)], [StubEntry(SR)], events=events)
    assert row(audit, SR)["severity"] == "medium"
    assert {c for c, _s in codes(audit, SR)} == {"TG-T010"}


def test_a_person_disabling_it_with_the_security_twin_stays_high():
    events = [op(9, 142, "disabled", SR, "CORP\\helpdesk", time=T1),
              sec(10, 4701, "disabled", SR, "CORP\\helpdesk", PERSON_SID)]
    audit = run([make_task(SR, principal=SYSTEM)], [StubEntry(SR)], events=events)
    assert row(audit, SR)["severity"] == "high"
    assert {c for c, _s in codes(audit, SR)} == {"TG-T005"}


# ------------------------------------------------------------------ TG-T009 / TG-T012 / TG-T003

UPDATE_ORCH = "\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan"


def _windows_definition():
    return make_task(UPDATE_ORCH, command="%systemroot%\\system32\\usoclient.exe", arguments="StartScan",
                     principal=SYSTEM)


@pytest.mark.parametrize("user,code,severity", [
    ("NT AUTHORITY\\System", "TG-T012", "low"),    # a name the table maps: said, not checked, low
    (GERMAN, "TG-T012", "low"),
    (FRENCH, "TG-T003", "medium"),                 # no table knows it: named at medium, never quieted
    ("CONTOSO\\helpdesk", "TG-T003", "medium"),    # a person
    ("CONTOSO\\WS01$", "TG-T009", "info"),         # a computer account: NAME$ is language independent
])
def test_an_operational_update_in_a_windows_folder_by_name_only(user, code, severity):
    audit = run(events=[op(3, 140, "updated", UPDATE_ORCH, user)], sources=NO_SOURCES)
    assert (row(audit, UPDATE_ORCH)["code"], row(audit, UPDATE_ORCH)["severity"]) == (code, severity)


@pytest.mark.parametrize("user", ["CORP\\WS01$", FRENCH, GERMAN])
def test_a_security_registration_by_the_system_sid_is_routine_whatever_its_name(user):
    ev = sec(3, 4698, "registered", UPDATE_ORCH, user, "S-1-5-18", definition=_windows_definition())
    audit = run(events=[ev], sources=NO_SOURCES)
    assert (row(audit, UPDATE_ORCH)["code"], row(audit, UPDATE_ORCH)["severity"]) == ("TG-T009", "info")


def test_a_person_s_sid_named_like_system_is_not_routine():
    ev = sec(3, 4698, "registered", UPDATE_ORCH, "NT AUTHORITY\\SYSTEM", PERSON_SID, definition=_windows_definition())
    audit = run(events=[ev], sources=NO_SOURCES)
    assert row(audit, UPDATE_ORCH)["code"] == "TG-T003"


def test_a_french_operational_registration_with_its_security_twin_is_routine():
    events = [op(3, 106, "registered", UPDATE_ORCH, FRENCH, time=T1),
              sec(4, 4698, "registered", UPDATE_ORCH, "CORP\\WS01$", "S-1-5-18", definition=_windows_definition())]
    audit = run(events=events, sources=NO_SOURCES)
    assert (row(audit, UPDATE_ORCH)["code"], row(audit, UPDATE_ORCH)["severity"]) == ("TG-T009", "info")


# ------------------------------------------------------------------ TG-D008 / TG-D004 and allow lists

SVC = "\\Microsoft\\Windows\\SoftwareProtectionPlatform\\SvcRestartTask"


def test_a_name_alone_does_not_make_a_refused_registrant_routine():
    entry = StubEntry(SVC, registrants=["CONTOSO\\admin"])
    audit = run([make_task(SVC, principal=SYSTEM)], [entry], events=[op(3, 140, "updated", SVC, GERMAN)])
    assert ("TG-D004", "medium") in codes(audit, SVC)


def test_the_security_twin_makes_the_refused_update_routine():
    entry = StubEntry(SVC, registrants=["CONTOSO\\admin"])
    events = [op(3, 140, "updated", SVC, GERMAN, time=T1), sec(4, 4702, "updated", SVC, "CONTOSO\\WS01$", "S-1-5-18")]
    audit = run([make_task(SVC, principal=SYSTEM)], [entry], events=events)
    assert {c for c, _s in codes(audit, SVC)} == {"TG-D008"}


def test_an_entry_allowing_the_system_sid_allows_a_security_event_by_that_sid_whatever_its_name():
    entry = StubEntry(SVC, registrants=["S-1-5-18"])
    audit = run([make_task(SVC, principal=SYSTEM)], [entry],
                events=[sec(4, 4702, "updated", SVC, "CONTOSO\\WS01$", "S-1-5-18")])
    assert codes(audit, SVC) == []
    # the service SID of an Operational record allows nothing
    audit = run([make_task(SVC, principal=SYSTEM)], [entry], events=[op(4, 140, "updated", SVC, "CORP\\eve")])
    assert ("TG-D004", "medium") in codes(audit, SVC)


# ------------------------------------------------------------------ TG-T007 (raising)

def _authored(author, path="\\Microsoft\\Windows\\Defrag\\ScheduledDefrag"):
    task = make_task(path, principal=SYSTEM)
    task["author"] = author
    return task


@pytest.mark.parametrize("ev,raised", [
    (op(4, 106, "registered", "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", FRENCH), False),
    (op(4, 106, "registered", "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", GERMAN), False),
    (op(4, 106, "registered", "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", "CORP\\eve"), False),
    (sec(4, 4698, "registered", "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", FRENCH, "S-1-5-18"), False),
    (sec(4, 4698, "registered", "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", "CORP\\eve", PERSON_SID), True),
], ids=["french-system-name", "german-system-name", "person-name-only", "system-sid", "person-sid"])
def test_a_microsoft_author_is_a_mismatch_only_for_a_verified_person(ev, raised):
    task = _authored("Microsoft Corporation")
    audit = run([task], [StubEntry(task["path"])], events=[ev])
    assert ("TG-T007" in {c for c, _s in codes(audit, task["path"])}) is raised


@pytest.mark.parametrize("user,raised", [("CORP\\eve", True), (FRENCH, True), (GERMAN, False),
                                         ("CORP\\WS01$", False), ("CORP\\bob", False)])
def test_an_author_naming_an_account_is_compared_with_the_registrant_s_name(user, raised):
    task = _authored("CORP\\bob", path="\\Updater")
    audit = run([task], [StubEntry("\\Updater")], events=[op(4, 106, "registered", "\\Updater", user)])
    assert ("TG-T007" in {c for c, _s in codes(audit, "\\Updater")}) is raised


def test_hostile_event_fields_are_unverified_never_a_crash():
    odd = [{"event_id": [4698], "action": {"x": 1}, "time": 12, "user": 5, "subject_sid": ["S-1-5-18"]},
           {"event_id": 4698, "action": ["registered"], "time": "9999-99-99T99:99:99", "user": None,
            "subject_sid": 18},
           {"event_id": "4698", "action": "registered", "time": None, "user": "x" * 100000, "subject_sid": "S-1-5-18"}]
    actors = kinds(odd)
    assert [actors[id(e)] for e in odd] == [drift.UNVERIFIED, drift.UNVERIFIED, drift.UNVERIFIED]
