# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Channel truth (issue 15.4): a log file is judged by the Channel of its records, not
by its name. The real-world mistake is reproduced with an authentic Security extract
copied under the Operational log's name; mixed files are built from rendered records."""
from __future__ import annotations

import shutil

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import evtx_reader
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import EVTX_FILES, collect_offline_events
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import OPERATIONAL, SECURITY

ATEXEC = "atexec-fast-create-delete-4698-4699.evtx"


def _logs(tmp_path):
    logs = tmp_path / "Windows" / "System32" / "winevt" / "Logs"
    logs.mkdir(parents=True, exist_ok=True)
    return logs


def test_security_log_under_the_operational_name_is_not_operational_coverage(shared_fixtures, tmp_path):
    shutil.copyfile(shared_fixtures / "evtx" / ATEXEC, _logs(tmp_path) / EVTX_FILES[OPERATIONAL])
    result = collect_offline_events(str(tmp_path))
    op = result["coverage"][OPERATIONAL]
    assert op["readable"] is False and op["events_may_be_lost"] is True
    assert op["reasons"] == ["evtx_wrong_channel"]
    assert op["foreign_records"] == 2 and op["foreign_channels"] == {SECURITY: 2}
    assert "holds 2 record(s) of channel Security" in op["detail"]
    assert "Microsoft-Windows-TaskScheduler%4Operational.evtx" in op["detail"]
    # No record range of the named channel is claimed.
    info = result["channels"][OPERATIONAL]
    assert (info["record_count"], info["oldest_record_id"], info["newest_record_id"]) == (0, None, None)
    assert OPERATIONAL not in result["bookmark"]
    # The task events are routed to their real channel, not dropped.
    assert [(e["event_id"], e["channel"], e["task"]) for e in result["events"]] == [
        (4698, SECURITY, "\\bouWFQYO"), (4699, SECURITY, "\\bouWFQYO")]
    sec = result["coverage"][SECURITY]
    assert sec["readable"] is True and "events_from_other_file" in sec["reasons"]
    assert sec["events_may_be_lost"] is True        # its own file is still missing
    assert result["unparseable"] == []


def test_genuine_file_has_no_foreign_records_and_misnamed_copy_is_not_counted_twice(shared_fixtures, tmp_path):
    logs = _logs(tmp_path)
    shutil.copyfile(shared_fixtures / "evtx" / ATEXEC, logs / EVTX_FILES[SECURITY])
    shutil.copyfile(shared_fixtures / "evtx" / ATEXEC, logs / EVTX_FILES[OPERATIONAL])
    result = collect_offline_events(str(tmp_path))
    sec = result["coverage"][SECURITY]
    assert "foreign_records" not in sec and sec["readable"] is True and sec["reasons"] == []
    assert result["channels"][SECURITY]["record_count"] == 2
    assert result["coverage"][OPERATIONAL]["reasons"] == ["evtx_wrong_channel"]
    assert [e["event_id"] for e in result["events"]] == [4698, 4699]      # deduplicated


def _record(number, channel, event_id=4698):
    channel_el = "<Channel>%s</Channel>" % channel if channel is not None else ""
    return {"event_record_id": number, "data": (
        "<Event><System><EventID>%d</EventID><TimeCreated SystemTime=\"2026-01-0%dT00:00:00Z\"/>"
        "<EventRecordID>%d</EventRecordID>%s</System></Event>" % (event_id, number, 100 + number, channel_el))}


def test_mixed_file_counts_foreign_records_and_keeps_them_out_of_the_range():
    records = iter([_record(1, SECURITY), _record(2, OPERATIONAL, 106), _record(3, SECURITY),
                    _record(4, "Application", 1000), _record(5, None)])
    scan = evtx_reader.EvtxScan("evtx:test")
    got = list(evtx_reader._records(records, scan, evtx_reader._EVENT_ID_RE.search,
                                    (frozenset({4698}), frozenset({106}), SECURITY), True))
    scan.finish_range()
    # Own task events and the foreign channel's task event are yielded (routed later).
    assert [number for number, _xml in got] == [1, 2, 3, 5]
    assert scan.records_scanned == 3          # 1, 3 and 5 (no Channel: the file's own)
    assert scan.foreign_records == 2 and scan.foreign == {OPERATIONAL: 1, "Application": 1}
    assert (scan.oldest_record_id, scan.newest_record_id) == (101, 105)


def test_foreign_channel_names_are_bounded():
    records = iter([_record(n, "Chan%d" % n, 1) for n in range(1, 40)])
    scan = evtx_reader.EvtxScan("evtx:test")
    list(evtx_reader._records(records, scan, evtx_reader._EVENT_ID_RE.search,
                              (frozenset(), frozenset(), SECURITY), True))
    assert scan.foreign_records == 39
    assert len(scan.foreign) == evtx_reader.MAX_FOREIGN_CHANNELS + 1
    assert scan.foreign[evtx_reader.OTHER_CHANNELS] == 39 - evtx_reader.MAX_FOREIGN_CHANNELS


@pytest.mark.parametrize("text,expected", [
    ("<System><Channel>Security</Channel></System>", "Security"),
    ("<System><Channel> Security </Channel></System>", "Security"),
    ("<System><Channel></Channel></System>", None),
    ("<System></System>", None),
    ("<Channel>" + "x" * 300 + "</Channel>", None),
])
def test_record_channel(text, expected):
    assert evtx_reader.record_channel(text) == expected


def test_export_named_after_a_channel_with_other_records(unit_fixtures, tmp_path):
    op = (unit_fixtures / "task_events" / "operational" / "106.xml").read_text().strip()
    sec = (unit_fixtures / "task_events" / "security" / "4698_v1.xml").read_text().strip()
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "Security.xml").write_text(op + "\n" + sec + "\n", encoding="utf-8")
    (tmp_path / "events" / "anything.xml").write_text(op + "\n", encoding="utf-8")
    result = collect_offline_events(str(tmp_path))
    cov = result["coverage"][SECURITY]
    assert cov["foreign_records"] == 1 and cov["foreign_channels"] == {OPERATIONAL: 1}
    assert "export named Security.xml holds 1 record(s) of channel " + OPERATIONAL in cov["detail"]
    # Free-named exports are judged by their records only; the 106 is routed to Operational.
    assert "foreign_records" not in result["coverage"][OPERATIONAL]
    assert sorted((e["event_id"], e["channel"]) for e in result["events"]) == [(106, OPERATIONAL), (4698, SECURITY)]
