# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Allow lists never pass an unknown registrant silently; one look-alike letter is no SID (brief H10).

1. an entry with ``allowed_registrants`` and a registration/update that names no account
   and has no Security twin: TG-D010 (low coverage gap, the host is never clean), and a
   task seen only in events is not documented by that entry; without a name the twin's
   SID is still tried; entries without an allow list are untouched;
2. ``normalize_account`` does not fold a look-alike letter (U+017F long s) into SID text
   or a well-known name."""
from __future__ import annotations

import datetime

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import drift, findings, inventory_compare
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import cards, markdown
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.document import build_report, host_entry
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.messages import CODE_TITLES_JA, Messages
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import Entry
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import load_rules
from audit_call import audit_host

from .helpers import SYSTEM, StubEntry, StubHostView, event, events_result, make_task, tasks_result

RULES = load_rules()
OPERATIONAL = "Microsoft-Windows-TaskScheduler/Operational"
NO_SOURCES = {"api": False, "files": False, "registry": False}
PERSON_SID = "S-1-5-21-1004336348-1177238915-682003330-1104"
AGENT = "\\Vendor\\Agent"
LONG_S = u"\u017f"     # LATIN SMALL LETTER LONG S: casefold() and upper() make it an ASCII s/S
T0 = "2026-03-10T02:00:00.1234567Z"
T1 = "2026-03-10T02:00:01.0000000Z"


def op(record, event_id, action, task, user, time=T1):
    """An Operational event as event_model normalizes it: subject_sid is the service's."""
    return dict(event(record, event_id, action, task, user=user, channel=OPERATIONAL, time=time),
                provider="Microsoft-Windows-TaskScheduler", subject_sid="S-1-5-18")


def sec(record, event_id, action, task, user, sid, time=T0):
    return dict(event(record, event_id, action, task, user=user, time=time), subject_sid=sid)


def run(tasks=(), entries=(), events=(), *, sources=None):
    return audit_host("h1", tasks_result(list(tasks), sources=sources), events_result(list(events)),
                      StubHostView(list(entries)), RULES, host={"name": "h1"},
                      propose=lambda t, h: {"path": t["path"]})


def problems(audit, task):
    """Every problem of the task's rows (a row's ``problems`` include its own)."""
    return [p for f in audit["findings"] if f["task"] == task for p in f.get("problems") or [f]]


def row(audit, task):
    (found,) = [f for f in audit["findings"] if f["task"] == task]
    return found


def codes(audit, task):
    return sorted({(p["code"], p["severity"]) for p in problems(audit, task)})


def real_entry(path, registrants):
    """An inventory_loader.Entry (normalize_account + compiled patterns), not a stub."""
    raw = {"path": path}
    if registrants is not None:
        raw["allowed_registrants"] = list(registrants)
    return Entry(raw, file="task_inventory/vendors/v.yml", line=1, index=0, owner={"name": "vendor"},
                 today=datetime.date(2026, 3, 10))


ENTRIES = [lambda regs: StubEntry(AGENT, registrants=regs), lambda regs: real_entry(AGENT, regs)]
ENTRY_IDS = ["stub", "inventory-entry"]


# ------------------------------------------------------------------ 1. a nameless registration and an allow list
@pytest.mark.parametrize("make_entry", ENTRIES, ids=ENTRY_IDS)
def test_a_nameless_update_without_twin_is_said_not_checked_and_the_host_is_not_clean(make_entry):
    """The reported hole: no user name, no Security twin -> the allow list was never enforced."""
    audit = run([make_task(AGENT, principal=SYSTEM)], [make_entry(["S-1-5-18"])],
                events=[op(3, 140, "updated", AGENT, None)])
    (unchecked,) = [p for p in problems(audit, AGENT) if p["code"] == "TG-D010"]
    assert unchecked["severity"] == "low" and unchecked["kind"] == "coverage_gap"
    assert unchecked["params"] == {"actions": "updated", "count": 1}
    assert [e["record_id"] for e in row(audit, AGENT)["evidence"]["events"]] == [3]
    assert "TG-D004" not in {c for c, _s in codes(audit, AGENT)}   # nothing says it was another account
    assert audit["status"] == "partial" and audit["verdict"]["state"] != "clean"


def test_several_nameless_events_make_one_finding_that_counts_them():
    events = [op(3, 106, "registered", AGENT, None, time=T0), op(4, 140, "updated", AGENT, "", time=T1)]
    audit = run([make_task(AGENT)], [StubEntry(AGENT, registrants=["CORP\\deploy"])], events=events)
    (unchecked,) = [p for p in problems(audit, AGENT) if p["code"] == "TG-D010"]
    assert unchecked["params"] == {"actions": "registered/updated", "count": 2}
    assert unchecked["title"].startswith("Registrant not checked against the entry's allowed_registrants: 2 event(s)")


def test_a_nameless_update_beside_a_refused_one_keeps_its_own_gap_row():
    """The gap is a row of its own (audit findings are never merged into the task's row)."""
    events = [op(3, 140, "updated", AGENT, None, time=T0), op(4, 140, "updated", AGENT, "CORP\\eve", time=T1)]
    audit = run([make_task(AGENT)], [StubEntry(AGENT, registrants=["S-1-5-18"])], events=events)
    rows = sorted((f["code"], f["kind"]) for f in audit["findings"] if f["task"] == AGENT)
    assert rows == [("TG-D004", "registered_by"), ("TG-D010", "coverage_gap")]
    assert audit["status"] == "partial"


@pytest.mark.parametrize("make_entry", ENTRIES, ids=ENTRY_IDS)
def test_a_task_without_an_allow_list_gets_nothing_new(make_entry):
    """Severity of tasks with no allow list is not raised: no TG-D010, no gap, host clean."""
    audit = run([make_task(AGENT, principal=SYSTEM)], [make_entry(None)], events=[op(3, 140, "updated", AGENT, None)])
    assert codes(audit, AGENT) == []
    assert audit["status"] == "audited" and audit["verdict"]["state"] == "clean"


def test_a_nameless_absent_task_without_an_allow_list_stays_documented():
    audit = run([], [StubEntry(AGENT)], events=[op(3, 106, "registered", AGENT, None)], sources=NO_SOURCES)
    assert codes(audit, AGENT) == []


def test_a_nameless_registration_of_an_absent_task_is_not_documented_by_an_unchecked_allow_list():
    """Seen in events only: the entry cannot explain a registration it could not check."""
    audit = run([], [StubEntry(AGENT, registrants=["S-1-5-18"])], events=[op(3, 106, "registered", AGENT, None)],
                sources=NO_SOURCES)
    found = dict(codes(audit, AGENT))
    assert found["TG-D010"] == "low" and found["TG-T003"] == "medium"
    (t003,) = [p for p in problems(audit, AGENT) if p["code"] == "TG-T003"]
    assert t003["params"]["user"] == findings.UNKNOWN_ACCOUNT


@pytest.mark.parametrize("make_entry", ENTRIES, ids=ENTRY_IDS)
def test_a_nameless_update_is_allowed_by_its_twin_s_sid(make_entry):
    events = [op(3, 140, "updated", AGENT, None, time=T1), sec(4, 4702, "updated", AGENT, "CORP\\WS01$", "S-1-5-18")]
    audit = run([make_task(AGENT, principal=SYSTEM)], [make_entry(["S-1-5-18"])], events=events)
    assert codes(audit, AGENT) == []


@pytest.mark.parametrize("make_entry", ENTRIES, ids=ENTRY_IDS)
def test_a_nameless_update_is_refused_by_its_twin_s_sid(make_entry):
    """Before: the missing name returned before the twin's SID was tried, and nothing was said."""
    events = [op(3, 140, "updated", AGENT, None, time=T1), sec(4, 4702, "updated", AGENT, "CORP\\eve", PERSON_SID)]
    audit = run([make_task(AGENT, principal=SYSTEM)], [make_entry(["S-1-5-18"])], events=events)
    users = {p["params"]["user"] for p in problems(audit, AGENT) if p["code"] == "TG-D004"}
    assert users == {findings.UNKNOWN_ACCOUNT, "CORP\\eve"}
    assert "TG-D010" not in dict(codes(audit, AGENT))


def test_an_entry_that_cannot_answer_is_taken_to_have_a_list():
    class Broken(StubEntry):
        def allows_registrant(self, user):
            raise RuntimeError("boom")
    audit = run([make_task(AGENT)], [Broken(AGENT)], events=[op(3, 140, "updated", AGENT, None)])
    assert "TG-D010" in dict(codes(audit, AGENT))
    assert any("allowed_registrants: RuntimeError" in str(f.get("evidence")) for f in audit["findings"])


def test_the_finding_reads_in_japanese_with_the_event_words_of_the_language():
    audit = run([make_task(AGENT)], [StubEntry(AGENT, registrants=["S-1-5-18"])],
                events=[op(3, 140, "updated", AGENT, None)])
    (unchecked,) = [p for p in problems(audit, AGENT) if p["code"] == "TG-D010"]
    ja = Messages("ja")
    title = cards.code_title("TG-D010", unchecked["params"], unchecked["title"], ja)
    assert title != unchecked["title"] and "allowed_registrants" in title and "1 件" in title
    assert "updated" not in title and ja.label("event", "updated") in title
    assert "TG-D010" in CODE_TITLES_JA
    doc = build_report({"h1": host_entry(audit["status"], audit["findings"])}, {"id": "r"})
    assert title.replace("_", "\\_") in markdown.render(doc, "ja").decode("utf-8")   # markdown escapes "_"


# ------------------------------------------------------------------ 2. a look-alike letter is no SID
def test_normalize_account_keeps_a_look_alike_s_out_of_sid_text():
    assert inventory_compare.normalize_account("S-1-5-18") == "s-1-5-18"
    assert inventory_compare.normalize_account(".\\S-1-5-18") == "s-1-5-18"
    for text in (LONG_S + "-1-5-18", ".\\" + LONG_S + "-1-5-18", LONG_S + "-1-5-21-1-2-3-500"):
        folded = inventory_compare.normalize_account(text)
        assert folded.casefold() == folded and not folded.startswith("s-1-"), text


def test_normalize_account_keeps_a_look_alike_s_out_of_well_known_names():
    assert inventory_compare.normalize_account("NT AUTHORITY\\SYSTEM") == "s-1-5-18"
    assert inventory_compare.normalize_account(u"NT-AUTORIT\u00c4T\\SYSTEM") == "s-1-5-18"   # German: no look-alike
    for text in (LONG_S + "YSTEM", "NT AUTHORITY\\" + LONG_S + "YSTEM", "NETWORK " + LONG_S + "ERVICE"):
        assert not inventory_compare.normalize_account(text).startswith("s-1-5-"), text


@pytest.mark.parametrize("allowed", ["S-1-5-18", "S-1-5-*", "SYSTEM"])
def test_an_inventory_entry_allowing_system_does_not_allow_a_long_s_sid(allowed):
    entry = real_entry(AGENT, [allowed])
    assert entry.allows_registrant("S-1-5-18") is True
    assert entry.allows_registrant(LONG_S + "-1-5-18") is False


def test_a_long_s_sid_as_the_operational_name_is_refused_and_verifies_nothing():
    """Through the audit: the 140 named "\u017f-1-5-18" is neither allowed as SYSTEM nor Windows' own."""
    events = [op(3, 140, "updated", AGENT, LONG_S + "-1-5-18")]
    audit = run([make_task(AGENT, principal=SYSTEM)], [real_entry(AGENT, ["S-1-5-18"])], events=events)
    users = {p["params"]["user"] for p in problems(audit, AGENT) if p["code"] == "TG-D004"}
    assert users == {LONG_S + "-1-5-18"}
    assert drift.decide_actors(events)[id(events[0])] == drift.Actor(drift.UNVERIFIED, None)
    ascii_sid = [op(3, 140, "updated", AGENT, "S-1-5-18")]
    assert drift.decide_actors(ascii_sid)[id(ascii_sid[0])].kind == drift.WINDOWS
