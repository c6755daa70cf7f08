# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who acted in a task event: follow-ups from the review of the event-actor rule (brief H7).

1. an allow list is also tried with the acting SID of an Operational event's Security twin;
2. every event without its own acting SID (a NAME$ or a SID written as the name included)
   takes its twin's actor, so one disable is not both TG-T005 and TG-T010;
3. one rule of which events carry the acting SID (event_model), used by drift and the reports;
4. "an unknown account" is one constant (findings.UNKNOWN_ACCOUNT);
5. TG-T009/T010/D008 titles claim only what was verified."""
from __future__ import annotations

import datetime

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import (
    drift, event_model, findings, inventory_compare, well_known_sids,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import cards, markdown
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.document import build_report, host_entry
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.messages import CODE_TITLES_JA, Messages
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import Entry
from . import actor_events
from .actor_events import FRENCH, NO_SOURCES, PERSON_SID, SR, T0, T1, codes, kinds, run, sec
from .helpers import SYSTEM, StubEntry, make_task

OTHER_PERSON_SID = "S-1-5-21-1004336348-1177238915-682003330-1105"
AGENT = "\\Vendor\\Agent"


def op(record, event_id, action, task, user, time=T1):
    """actor_events.op one second after the Security twins of these tests."""
    return actor_events.op(record, event_id, action, task, user, time=time)


def real_entry(path, registrants):
    """An inventory_loader.Entry (normalize_account + compiled patterns), not a stub."""
    return Entry({"path": path, "allowed_registrants": list(registrants)}, file="task_inventory/vendors/v.yml",
                 line=1, index=0, owner={"name": "vendor"}, today=datetime.date(2026, 3, 10))


# ------------------------------------------------------------------ 1. allow lists and the twin's SID
@pytest.mark.parametrize("make_entry", [lambda: StubEntry(AGENT, registrants=["S-1-5-18"]),
                                        lambda: real_entry(AGENT, ["S-1-5-18"])], ids=["stub", "inventory-entry"])
def test_an_entry_allowing_the_system_sid_allows_the_french_operational_event_by_its_twin(make_entry):
    """The reviewer's repro: both logs, SYSTEM named in French on the 140, its 4702 one second apart."""
    events = [op(3, 140, "updated", AGENT, FRENCH, time=T1),
              sec(4, 4702, "updated", AGENT, "CORP\\WS01$", "S-1-5-18", time=T0)]
    audit = run([make_task(AGENT, principal=SYSTEM)], [make_entry()], events=events)
    assert codes(audit, AGENT) == []


def test_an_absent_task_allowed_by_the_twin_s_sid_is_not_an_unexplained_registration():
    entry = StubEntry(AGENT, registrants=["S-1-5-18"])
    events = [op(3, 140, "updated", AGENT, FRENCH, time=T1),
              sec(4, 4702, "updated", AGENT, "CORP\\WS01$", "S-1-5-18", time=T0)]
    audit = run([], [entry], events=events, sources=NO_SOURCES)
    assert codes(audit, AGENT) == []


def test_a_twin_with_another_sid_does_not_allow_the_operational_event():
    entry = StubEntry(AGENT, registrants=["S-1-5-18"])
    events = [op(3, 140, "updated", AGENT, FRENCH, time=T1),
              sec(4, 4702, "updated", AGENT, "CORP\\eve", PERSON_SID, time=T0)]
    audit = run([make_task(AGENT, principal=SYSTEM)], [entry], events=events)
    refused = [f for f in audit["findings"] if f["task"] == AGENT]
    assert ("TG-D004", "medium") in codes(audit, AGENT)
    users = {p["params"]["user"] for f in refused for p in [f] + (f.get("problems") or [])
             if p["code"] == "TG-D004"}
    assert users == {FRENCH, "CORP\\eve"}


def test_twins_with_different_sids_allow_nothing_by_sid():
    """Two 4702 in the same second, SYSTEM and a person: which one the 140 is cannot be told."""
    entry = StubEntry(AGENT, registrants=["S-1-5-18"])
    events = [op(3, 140, "updated", AGENT, FRENCH, time=T1),
              sec(4, 4702, "updated", AGENT, "CORP\\WS01$", "S-1-5-18", time=T0),
              sec(5, 4702, "updated", AGENT, "CORP\\eve", PERSON_SID, time=T0)]
    audit = run([make_task(AGENT, principal=SYSTEM)], [entry], events=events)
    users = {p["params"]["user"] for f in audit["findings"] if f["task"] == AGENT
             for p in [f] + (f.get("problems") or []) if p["code"] == "TG-D004"}
    assert users == {FRENCH, "CORP\\eve"}


def test_two_person_twins_with_different_sids_give_no_sid():
    events = [op(3, 140, "updated", AGENT, "CORP\\x", time=T1),
              sec(4, 4702, "updated", AGENT, "CORP\\eve", PERSON_SID, time=T0),
              sec(5, 4702, "updated", AGENT, "CORP\\bob", OTHER_PERSON_SID, time=T0)]
    decided = drift.decide_actors(events)
    assert decided[id(events[0])] == drift.Actor(drift.PERSON, None)
    assert decided[id(events[1])] == drift.Actor(drift.PERSON, PERSON_SID)


# ------------------------------------------------------------------ 2. NAME$ and SID text consult the twin
@pytest.mark.parametrize("name", ["CORP\\eve$", "S-1-5-18"], ids=["name-dollar", "sid-as-name"])
def test_an_operational_disable_takes_the_person_of_its_security_twin(name):
    events = [op(9, 142, "disabled", SR, name, time=T1), sec(10, 4701, "disabled", SR, "CORP\\eve$", PERSON_SID)]
    assert kinds(events)[id(events[0])] == drift.PERSON
    audit = run([make_task(SR, principal=SYSTEM)], [StubEntry(SR)], events=events)
    assert {c for c, _s in codes(audit, SR)} == {"TG-T005"}      # never T005 and T010 together
    assert max(s for c, s in codes(audit, SR)) == "high"


def test_a_computer_account_without_a_twin_or_with_disagreeing_twins_stays_windows():
    alone = op(9, 142, "disabled", SR, "CORP\\WS01$")
    assert kinds([alone])[id(alone)] == drift.WINDOWS
    events = [alone, sec(10, 4701, "disabled", SR, "CORP\\eve", PERSON_SID),
              sec(11, 4701, "disabled", SR, "CORP\\WS01$", "S-1-5-18")]
    assert kinds(events)[id(alone)] == drift.WINDOWS


# ------------------------------------------------------------------ 3. one rule: which events carry the acting SID
@pytest.mark.parametrize("event_id", sorted(event_model.EVENTS))
def test_drift_and_the_reports_take_the_acting_sid_from_the_same_events(event_id):
    nameless = {"event_id": event_id, "user": None, "subject_sid": PERSON_SID, "action": "x", "time": T0}
    carries = event_id in event_model.ACTING_SID_EVENTS
    assert carries == (event_id >= 4698 or event_id == 1102)
    assert event_model.acting_sid(nameless) == (PERSON_SID if carries else None)
    assert drift._user(nameless) == event_model.acting_account(nameless)
    shown = cards.event_actor(nameless, Messages("en"))
    assert shown == (PERSON_SID if carries else "unknown")
    named = dict(nameless, user="CORP\\alice")
    assert event_model.acting_account(named) == "CORP\\alice" == cards.event_actor(named, Messages("en"))


@pytest.mark.parametrize("event_id", ["4698", True, None, 4698.0, [4698]])
def test_an_event_id_that_is_no_integer_carries_no_acting_sid(event_id):
    assert event_model.acting_sid({"event_id": event_id, "subject_sid": "S-1-5-18"}) is None


def test_blank_or_non_text_subject_sids_are_no_acting_sid():
    assert event_model.acting_sid({"event_id": 4698, "subject_sid": "  "}) is None
    assert event_model.acting_sid({"event_id": 4698, "subject_sid": 18}) is None
    assert event_model.acting_sid({"event_id": 4698, "subject_sid": " S-1-5-18 "}) == "S-1-5-18"


def test_the_service_account_sids_are_one_set():
    assert not hasattr(well_known_sids, "SERVICE_ACCOUNT_SIDS")
    for sid in inventory_compare.SERVICE_SIDS:
        assert well_known_sids.is_service_account_sid(sid.upper())
    # a look-alike: u"\u017f" (long s) upper-cases to "S"; it is no SID Windows writes
    assert not well_known_sids.is_service_account_sid(u"\u017f-1-5-18")
    assert not well_known_sids.is_service_account_sid("S-1-5-21-1-2-3-500")


# ------------------------------------------------------------------ 4. "an unknown account"
def test_a_nameless_operational_disable_names_the_one_unknown_account_constant():
    audit = run([make_task("\\V\\T")], [StubEntry("\\V\\T")], events=[op(9, 142, "disabled", "\\V\\T", None)])
    (found,) = [f for f in audit["findings"] if f["task"] == "\\V\\T"]
    assert found["code"] == "TG-T004" and found["params"]["user"] == findings.UNKNOWN_ACCOUNT
    doc = build_report({"h1": host_entry(audit["status"], audit["findings"])}, {"id": "r"})
    japanese = markdown.render(doc, "ja").decode("utf-8")
    assert findings.UNKNOWN_ACCOUNT not in japanese and Messages("ja")("field.unknown_account") in japanese


# ------------------------------------------------------------------ 5. titles say what was verified
@pytest.mark.parametrize("code", ["TG-T009", "TG-T010", "TG-D008"])
def test_titles_of_a_verified_windows_actor_do_not_name_one_kind_of_account(code):
    english = findings.CATALOGUE[code]["title"]
    assert "machine account" not in english and "system account" not in english
    assert "a Windows service or computer account" in english
    japanese = CODE_TITLES_JA[code]
    assert u"マシンアカウント" not in japanese and u"システムアカウント" not in japanese
    assert u"Windows のサービスまたはコンピューターアカウント" in japanese


def test_a_french_system_disable_verified_by_its_twin_is_titled_as_a_windows_account():
    events = [op(9, 142, "disabled", SR, FRENCH, time=T1), sec(10, 4701, "disabled", SR, "CORP\\WS01$", "S-1-5-18")]
    audit = run([make_task(SR, principal=SYSTEM)], [StubEntry(SR)], events=events)
    titles = [p["title"] for f in audit["findings"] if f["task"] == SR for p in [f] + (f.get("problems") or [])]
    assert titles and all("a Windows service or computer account" in t for t in titles)
