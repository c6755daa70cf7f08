# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who acted in an event, as the reports show it (brief H4).

A TaskScheduler/Operational record's ``subject_sid`` is System/Security/@UserID,
the Task Scheduler service that wrote it (S-1-5-18 whoever acted): a record
without a user name shows "unknown", never SYSTEM. Security 4698-4702 keep their
SubjectUserSid. TG-T012 says whether its account was verified or only named.
Asserted through the renderers (HTML timeline, Markdown card, CSV column)."""
from __future__ import annotations

import csv
import io
import re

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import event_model, findings
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import (
    cards, csv_format, html_page, markdown,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.document import build_report, host_entry
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.messages import Messages
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import load_rules
from audit_call import audit_host
from conftest import UNIT_FIXTURES

from .helpers import StubHostView, event, events_result, tasks_result

RULES = load_rules()
NO_SOURCES = {"api": False, "files": False, "registry": False}
OPERATIONAL = "Microsoft-Windows-TaskScheduler/Operational"
PERSON_SID = "S-1-5-21-1004336348-1177238915-682003330-1104"
UNKNOWN = {"en": "unknown", "ja": u"不明"}


def nameless_operational_140():
    """The contract fixture of a 140, its UserName removed: normalized by event_model,
    its subject_sid is the service's S-1-5-18 (System/Security/@UserID)."""
    xml = (UNIT_FIXTURES / "task_events" / "operational" / "140.xml").read_text(encoding="utf-8")
    xml = xml.replace("<Data Name='UserName'>CORP\\alice</Data>", "")
    ev = event_model.normalize_event_xml(xml, source="test")
    assert ev["user"] is None and ev["subject_sid"] == "S-1-5-18" and ev["event_id"] == 140
    return ev


def op(record, event_id, action, task, user, time):
    return dict(event(record, event_id, action, task, user=user, channel=OPERATIONAL, time=time),
                provider="Microsoft-Windows-TaskScheduler", subject_sid="S-1-5-18")


def report(events):
    audit = audit_host("h1", tasks_result([], sources=NO_SOURCES), events_result(list(events)), StubHostView([]),
                       RULES, host={"name": "h1"}, propose=lambda t, h: None)
    return build_report({"h1": host_entry(audit["status"], audit["findings"])}, {"id": "r"})


def timeline_actor(html, time):
    """The actor cell of the timeline row of the event at ``time``."""
    (row,) = re.findall(r"<tr><td>%s</td><td><code>[^<]*</code></td><td>[^<]*</td><td>([^<]*)</td>" % re.escape(time),
                        html)
    return row


def markdown_who(text, task):
    """The Who line of the task's card in drift.md."""
    card = text.split("#### ", 2)
    body = next(c for c in card if c.split("\n", 1)[0].endswith(task.replace("\\", "\\\\")))
    (line,) = [ln for ln in body.splitlines() if ln.startswith("- **") and ("Who" in ln or u"実行者" in ln)]
    return line


def csv_registered_by(text, task):
    """The "registered by" column (the 8th) of the task's row in drift.csv."""
    rows = list(csv.reader(io.StringIO(text.lstrip(u"\ufeff"))))
    (row,) = [r for r in rows[1:] if r[4] == task]
    return row[7]


# ------------------------------------------------------------------ the nameless Operational record
@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_nameless_operational_event_is_shown_as_unknown_not_as_the_service_sid(language):
    ev = nameless_operational_140()
    doc = report([ev])
    html = html_page.render(doc, language).decode("utf-8")
    assert timeline_actor(html, ev["time"]) == UNKNOWN[language]
    who = markdown_who(markdown.render(doc, language).decode("utf-8"), ev["task"])
    assert UNKNOWN[language] in who and "S-1-5-18" not in who and "SYSTEM" not in who.upper()
    assert csv_registered_by(csv_format.render(doc, language).decode("utf-8"), ev["task"]) == UNKNOWN[language]


def test_security_events_keep_their_acting_sid_and_named_events_their_name():
    t_sec, t_op = "2026-03-10T02:00:00.0000000Z", "2026-03-10T03:00:00.0000000Z"
    nameless_security = dict(event(1, 4702, "updated", "\\Updater\\A", user=None, time=t_sec), subject_sid=PERSON_SID)
    named_operational = op(2, 140, "updated", "\\Updater\\B", "CORP\\alice", t_op)
    doc = report([nameless_security, named_operational])
    html = html_page.render(doc, "en").decode("utf-8")
    assert timeline_actor(html, t_sec) == PERSON_SID
    assert timeline_actor(html, t_op) == "CORP\\alice"
    text = markdown.render(doc, "en").decode("utf-8")
    assert "updated by %s at %s" % (PERSON_SID, t_sec) in markdown_who(text, "\\Updater\\A")
    assert "updated by CORP\\\\alice at" in markdown_who(text, "\\Updater\\B")


@pytest.mark.parametrize("ev,shown", [
    ({"event_id": 140, "user": None, "subject_sid": "S-1-5-18"}, "unknown"),
    ({"event_id": 106, "user": "", "subject_sid": "S-1-5-18"}, "unknown"),
    ({"event_id": 201, "subject_sid": "S-1-5-18"}, "unknown"),
    ({"event_id": 4698, "user": None, "subject_sid": "S-1-5-18"}, "S-1-5-18"),
    ({"event_id": 4701, "user": "CORP\\WS01$", "subject_sid": "S-1-5-18"}, "CORP\\WS01$"),
    ({"event_id": 1102, "user": None, "subject_sid": PERSON_SID}, PERSON_SID),
    ({"event_id": "4698", "user": None, "subject_sid": PERSON_SID}, "unknown"),   # not a number: not trusted
    ({"event_id": True, "user": None, "subject_sid": PERSON_SID}, "unknown"),
    ({"event_id": None, "user": None, "subject_sid": PERSON_SID}, "unknown"),
    ("not an event", "unknown"),
], ids=["140", "106-blank", "201", "4698-system-sid", "4701-named", "1102", "id-as-text", "id-bool", "no-id", "junk"])
def test_event_actor(ev, shown):
    assert cards.event_actor(ev, Messages("en")) == shown


# ------------------------------------------------------------------ "an unknown account" in Japanese titles
def test_japanese_titles_and_reasons_name_the_unknown_account_in_japanese():
    doc = report([nameless_operational_140()])
    text = markdown.render(doc, "ja").decode("utf-8")
    assert "an unknown account" not in text
    assert u"不明なアカウント がタスクを更新しました" in text
    assert "updated" not in text     # the reason's {actions} is the Japanese event word too


# ------------------------------------------------------------------ TG-T012: verified or named
ORCH = "\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan"
T0 = "2026-03-10T02:00:00.0000000Z"


@pytest.mark.parametrize("user,check", [
    ("NT AUTHORITY\\System", findings.T012_NAME_ONLY),    # a name the table maps: nothing verifies it
    (u"NT-AUTORIT\u00c4T\\SYSTEM", findings.T012_NAME_ONLY),
    ("CONTOSO\\WS01$", findings.T012_VERIFIED),           # a computer account: NAME$ is not translated
    ("S-1-5-18", findings.T012_VERIFIED),                 # the SID written as the name
])
def test_tg_t012_says_whether_the_account_was_verified(user, check):
    doc = report([op(3, 106, "registered", ORCH, user, T0)])
    (row,) = [f for f in doc["hosts"]["h1"]["findings"] if f["task"] == ORCH]
    assert (row["code"], row["severity"], row["params"]["actor_check"]) == ("TG-T012", "low", check)
    english = markdown.render(doc, "en").decode("utf-8")
    japanese = markdown.render(doc, "ja").decode("utf-8")
    if check == findings.T012_VERIFIED:
        assert "verified by SID or computer-account name" in english and "not verified" not in english
        assert u"確認した Windows のサービスアカウント" in japanese and u"未確認" not in japanese
    else:
        assert "by name only, not verified" in english and "verified by SID" not in english
        assert u"サービスアカウント名のみで、未確認" in japanese and u"確認した" not in japanese
    assert "system account" not in english and "actor_check" not in english + japanese


def test_tg_t012_verified_by_the_security_twin():
    """A name-only 106 whose 4698 twin has the SYSTEM SID but no readable definition."""
    twin = dict(event(4, 4698, "registered", ORCH, user="CONTOSO\\WS01$", time=T0), subject_sid="S-1-5-18",
                definition=None)
    named = op(3, 106, "registered", ORCH, u"AUTORITE NT\\Syst\u00e8me", "2026-03-10T02:00:01.0000000Z")
    doc = report([named, twin])
    (row,) = [f for f in doc["hosts"]["h1"]["findings"] if f["task"] == ORCH]
    assert row["code"] == "TG-T012" and row["params"]["actor_check"] == findings.T012_VERIFIED
