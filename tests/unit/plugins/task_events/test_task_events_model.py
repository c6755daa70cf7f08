# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Normalizing single events: hand-written Operational/Security XML as Windows writes it."""
from __future__ import annotations

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import (
    OPERATIONAL,
    NotATaskEvent,
    normalize_event_xml,
    normalize_time,
    time_sort_key,
)

OP_EXPECTED = {
    106: ("registered", "CORP\\alice", "\\Updater\\Nightly", 5021, "2026-03-02T09:15:04.1234567Z"),
    140: ("updated", "CORP\\alice", "\\Updater\\Nightly", 5022, "2026-03-02T09:16:10.0000001Z"),
    141: ("deleted", "CORP\\alice", "\\Updater\\Nightly", 5030, "2026-03-02T09:20:00.5000000Z"),
    142: ("disabled", "System", "\\Microsoft\\Windows\\SystemRestore\\SR", 5024, "2026-03-02T09:17:30.2500000Z"),
    129: ("process_created", None, "\\Updater\\Nightly", 5025, "2026-03-02T09:18:00.7000000Z"),
    200: ("started", None, "\\Updater\\Nightly", 5026, "2026-03-02T09:18:00.7100000Z"),
    201: ("completed", None, "\\Updater\\Nightly", 5027, "2026-03-02T09:18:05.9000000Z"),
}


@pytest.mark.parametrize("event_id", sorted(OP_EXPECTED))
def test_operational_events(unit_fixtures, event_id):
    xml = (unit_fixtures / "task_events" / "operational" / ("%d.xml" % event_id)).read_text()
    ev = normalize_event_xml(xml, source="test")
    action, user, task, record_id, time = OP_EXPECTED[event_id]
    assert ev["event_id"] == event_id
    assert ev["action"] == action
    assert ev["user"] == user
    assert ev["task"] == task
    assert ev["record_id"] == record_id
    assert ev["time"] == time
    assert ev["channel"] == OPERATIONAL
    assert ev["provider"] == "Microsoft-Windows-TaskScheduler"
    assert ev["computer"] == "WS042.corp.example"
    assert ev["subject_sid"] == "S-1-5-18"
    assert ev["definition"] is None and ev["definition_error"] is None
    assert ev["client"] is None and ev["logon_id"] is None
    assert "TaskName" not in ev["data"]


def test_operational_extra_data(unit_fixtures):
    base = unit_fixtures / "task_events" / "operational"
    ev129 = normalize_event_xml((base / "129.xml").read_text(), source="t")
    assert ev129["data"]["Path"] == "C:\\Users\\Public\\upd.exe"
    assert ev129["data"]["ProcessID"] == "7312"
    ev201 = normalize_event_xml((base / "201.xml").read_text(), source="t")
    assert ev201["data"]["ResultCode"] == "2147942402"
    assert ev201["version"] == 2


def test_security_4698_v1_with_client_and_definition(unit_fixtures):
    xml = (unit_fixtures / "task_events" / "security" / "4698_v1.xml").read_text()
    ev = normalize_event_xml(xml, source="test")
    assert ev["action"] == "registered"
    assert ev["user"] == "CORP\\alice"
    assert ev["subject_sid"] == "S-1-5-21-1004336348-1177238915-682003330-1104"
    assert ev["logon_id"] == "0x3e7a1f"
    assert ev["client"] == {
        "process_start_key": "4503599627370617", "process_id": "6244", "parent_process_id": "5892",
        "rpc_call_client_locality": "0", "fqdn": "WS042.corp.example",
    }
    d = ev["definition"]
    assert ev["definition_error"] is None
    assert d["path"] == "\\Updater\\Nightly"
    assert d["hidden"] is True
    assert d["principal"]["user_id"] == "S-1-5-18"
    assert d["actions"][0]["command"] == "C:\\Users\\Public\\upd.exe"
    # &amp; inside the escaped TaskContent is one level of escaping deeper.
    assert d["actions"][0]["arguments"] == "-q & -x"
    assert d["triggers"][0]["type"] == "logon"
    assert d["fingerprint"]


def test_security_4702_uses_task_content_new(unit_fixtures):
    ev = normalize_event_xml((unit_fixtures / "task_events" / "security" / "4702_v1.xml").read_text(), source="t")
    assert ev["action"] == "updated"
    assert ev["definition"]["actions"][0]["command"] == "C:\\Users\\Public\\upd2.exe"


def test_security_4699_empty_content(unit_fixtures):
    ev = normalize_event_xml((unit_fixtures / "task_events" / "security" / "4699_v1.xml").read_text(), source="t")
    assert ev["action"] == "deleted"
    assert ev["definition"] is None and ev["definition_error"] is None


@pytest.mark.parametrize("name", ["4698_entity_bomb.xml", "4698_external_entity.xml"])
def test_hostile_task_content_is_reported_not_expanded(unit_fixtures, name):
    ev = normalize_event_xml((unit_fixtures / "task_events" / "security" / name).read_text(), source="t")
    assert ev["event_id"] == 4698
    assert ev["task"] == "\\Updater\\Nightly"
    assert ev["definition"] is None
    assert "DOCTYPE" in ev["definition_error"] or "ENTITY" in ev["definition_error"]
    assert "lollol" not in str(ev) and "root:" not in str(ev)


def test_huge_task_content(unit_fixtures):
    xml = (unit_fixtures / "task_events" / "security" / "4698_v1.xml").read_text()
    huge = "&lt;Task&gt;" + "A" * (2 * 1024 * 1024) + "&lt;/Task&gt;"
    start = xml.index("<Data Name='TaskContent'>") + len("<Data Name='TaskContent'>")
    end = xml.index("</Data>", start)
    ev = normalize_event_xml(xml[:start] + huge + xml[end:], source="t")
    assert ev["definition"] is None
    assert "exceeds" in ev["definition_error"]
    assert len(str(ev)) < 10000


def test_entity_in_event_itself_is_refused(unit_fixtures):
    xml = (unit_fixtures / "task_events" / "operational" / "106.xml").read_text()
    evil = '<!DOCTYPE Event [<!ENTITY x "y">]>' + xml.replace("CORP\\alice", "&x;")
    with pytest.raises(TaskGuardInputError):
        normalize_event_xml(evil, source="t")


def test_not_a_task_event(unit_fixtures):
    xml = (unit_fixtures / "task_events" / "operational" / "106.xml").read_text()
    with pytest.raises(NotATaskEvent):
        normalize_event_xml(xml.replace("<EventID>106<", "<EventID>4624<"), source="t")
    # 106 from another log is not a task registration.
    with pytest.raises(NotATaskEvent):
        normalize_event_xml(xml.replace("Microsoft-Windows-TaskScheduler/Operational", "System"), source="t")


@pytest.mark.parametrize("broken", [
    lambda x: x.replace("<EventRecordID>5021</EventRecordID>", ""),
    lambda x: x.replace("<EventRecordID>5021<", "<EventRecordID>abc<"),
    lambda x: x.replace("SystemTime='2026-03-02T09:15:04.1234567Z'", "SystemTime='yesterday'"),
    lambda x: x[: len(x) // 2],
])
def test_broken_records_raise_input_error(unit_fixtures, broken):
    xml = (unit_fixtures / "task_events" / "operational" / "106.xml").read_text()
    with pytest.raises(TaskGuardInputError):
        normalize_event_xml(broken(xml), source="t")


@pytest.mark.parametrize("raw,expected", [
    ("2021-06-10T21:21:26.383726Z", "2021-06-10T21:21:26.383726Z"),
    ("2026-03-02T09:15:04.1234567Z", "2026-03-02T09:15:04.1234567Z"),
    ("2026-03-02T09:15:04.123456700Z", "2026-03-02T09:15:04.123456700Z"),
    ("2026-03-02 09:15:04.5 UTC", "2026-03-02T09:15:04.5Z"),
    ("2026-03-02T09:15:04+00:00", "2026-03-02T09:15:04Z"),
])
def test_normalize_time(raw, expected):
    assert normalize_time(raw) == expected


def test_normalize_time_refuses_local_offsets():
    with pytest.raises(TaskGuardInputError):
        normalize_time("2026-03-02T09:15:04+09:00")


def test_time_sort_key_handles_mixed_precision():
    # Lexical order of the raw strings would put .38Z after .383Z.
    assert time_sort_key("2021-01-01T00:00:00.38Z") < time_sort_key("2021-01-01T00:00:00.383Z")
