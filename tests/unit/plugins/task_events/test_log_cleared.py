# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security 1102 ("the audit log was cleared"): normalized from its UserData, moved
out of the task events into the channel's coverage, bounded, after the bookmark."""
from __future__ import annotations

from ansible_collections.taskguard.windows.plugins.plugin_utils import event_collection
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import normalize_event_xml

CLEARED = """<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>
<Provider Name="Microsoft-Windows-Eventlog" Guid="{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}"/>
<EventID>1102</EventID><Version>0</Version><Level>4</Level><Task>104</Task><Opcode>0</Opcode>
<Keywords>0x4020000000000000</Keywords><TimeCreated SystemTime="2019-03-19T00:02:04.1796238Z"/>
<EventRecordID>%d</EventRecordID><Channel>Security</Channel><Computer>victim.example</Computer><Security/></System>
<UserData><LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog">
<SubjectUserSid>S-1-5-21-1-2-3-500</SubjectUserSid><SubjectUserName>administrator</SubjectUserName>
<SubjectDomainName>VICTIM</SubjectDomainName><SubjectLogonId>0x3e7</SubjectLogonId></LogFileCleared></UserData></Event>"""


def test_1102_is_normalized_with_the_account_from_userdata():
    event = normalize_event_xml(CLEARED % 7, source="t")
    assert event["action"] == "log_cleared" and event["channel"] == "Security" and event["task"] is None
    assert event["user"] == "VICTIM\\administrator" and event["subject_sid"] == "S-1-5-21-1-2-3-500"


def _finish(records, since=None):
    collector = event_collection._Collector(set(event_collection.DEFAULT_EVENT_IDS), since or {}, 1000)
    for number in records:
        collector.add_xml(CLEARED % number, "t")
    channels = {"Security": {"enabled": True, "readable": True}}
    states = {"Security": {"problems": [], "newest_record_id": max(records), "scanned_through": True}}
    return event_collection._finish(collector, channels, states, since or {}, "offline", [])


def test_clearings_leave_the_task_events_for_the_coverage_and_the_bookmark_passes_them():
    result = _finish([5, 9])
    assert result["events"] == []
    cov = result["coverage"]["Security"]
    assert cov["events_may_be_lost"] is True and "log_cleared" in cov["reasons"]
    assert [c["record_id"] for c in cov["cleared"]] == [5, 9] and cov["cleared_count"] == 2
    assert result["bookmark"]["Security"]["record_id"] == 9
    # the next run from that bookmark does not report them again
    again = _finish([5, 9], since=result["bookmark"])
    assert "cleared" not in again["coverage"]["Security"]


def test_many_clearings_are_bounded_and_counted():
    result = _finish(list(range(1, 101)))
    cov = result["coverage"]["Security"]
    assert len(cov["cleared"]) == event_collection.MAX_CLEARINGS and cov["cleared_count"] == 100


def test_a_loss_explained_only_by_a_clearing_is_said_once():
    from ansible_collections.taskguard.windows.plugins.plugin_utils import drift
    from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import Findings
    out = Findings("victim")
    drift.event_coverage(out, _finish([5]))
    assert [f["code"] for f in out.items] == ["TG-C018"]
    # with another reason too, the channel's gap is still reported
    result = _finish([5])
    result["coverage"]["Security"]["reasons"].append("wrapped")
    out = Findings("victim")
    drift.event_coverage(out, result)
    assert sorted(f["code"] for f in out.items) == ["TG-C006", "TG-C018"]
