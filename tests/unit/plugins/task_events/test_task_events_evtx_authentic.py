# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Acceptance: the authentic Security.evtx extracts yield exactly the task events
../shared/fixtures/README.md lists (the files are copied into a temporary evidence
root at test time, never into the repository)."""
from __future__ import annotations

import shutil

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import collect_offline_events

pytestmark = pytest.mark.authentic

ADMMIG = "OFFSEC\\admmig"
# file -> [(event_id, task, user, time, command or None, run-as or None)]
EXPECTED = {
    "persistent-system-task-4698.evtx": [
        (4698, "\\eviltask", ADMMIG, "2021-04-21T13:30:00.589460Z", "C:\\tools\\shell.cmd", "S-1-5-18"),
    ],
    "atexec-fast-create-delete-4698-4699.evtx": [
        (4698, "\\bouWFQYO", ADMMIG, "2021-06-10T21:21:26.383726Z", "cmd.exe", "S-1-5-18"),
        (4699, "\\bouWFQYO", ADMMIG, "2021-06-10T21:21:26.406652Z", None, None),
    ],
    "atexec-remote-task-4698-4699.evtx": [
        (4698, "\\bouWFQYO", ADMMIG, "2021-06-10T21:21:26.383726Z", "cmd.exe", "S-1-5-18"),
        (4699, "\\bouWFQYO", ADMMIG, "2021-06-10T21:21:26.406652Z", None, None),
    ],
    "smbexec-fast-create-delete-4698-4699.evtx": [
        (4698, "\\smbservice", ADMMIG, "2020-07-11T21:38:17.351448Z", "C:\\WINDOWS\\Temp\\MpCmdRun.bat", "S-1-5-18"),
        (4699, "\\smbservice", ADMMIG, "2020-07-11T21:38:17.445202Z", "C:\\WINDOWS\\Temp\\MpCmdRun.bat", "S-1-5-18"),
    ],
    "fortinet-apt-masquerade-4698.evtx": [
        (4698, "\\Microsoft\\SynchronizeTimeZone", ADMMIG, "2021-06-01T14:09:38.437109Z", "adf", "OFFSEC\\admmig"),
    ],
    "donpapi-benign-4702.evtx": [
        (4702, "\\Microsoft\\Windows\\SoftwareProtectionPlatform\\SvcRestartTask", "OFFSEC\\FS03VULN$",
         "2021-12-12T07:15:43.279921Z", None, "S-1-5-20"),
    ],
    "atexec-remote-5145.evtx": [],
    "schtasks-creation-4688.evtx": [],
    "at-interactive-shell-4688.evtx": [],
}


# The DonPapi capture starts with a 1102: the operator's account cleared the
# Security log before the run (a real clearing, reported as TG-C018).
CLEARED = {"donpapi-benign-4702.evtx": ("OFFSEC\\hack1", "2021-12-12T07:15:28.352504Z")}


def _root_with(tmp_path, src, name="Security.evtx"):
    logs = tmp_path / "Windows" / "System32" / "winevt" / "Logs"
    logs.mkdir(parents=True)
    shutil.copyfile(src, logs / name)
    return tmp_path


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_authentic_file_yields_exactly_listed_events(shared_fixtures, tmp_path, filename):
    root = _root_with(tmp_path, shared_fixtures / "evtx" / filename)
    result = collect_offline_events(str(root))
    got = [(e["event_id"], e["task"], e["user"], e["time"]) for e in result["events"]]
    want = [x[:4] for x in EXPECTED[filename]]
    assert got == want
    assert result["unparseable"] == []
    assert result["coverage"]["Security"]["readable"] is True
    cleared = CLEARED.get(filename)
    assert result["coverage"]["Security"]["events_may_be_lost"] is bool(cleared)
    assert [(c["user"], c["time"]) for c in result["coverage"]["Security"].get("cleared", [])] == (
        [cleared] if cleared else [])
    # No Operational log in these extracts: reported as missing, not as quiet.
    assert result["coverage"]["Microsoft-Windows-TaskScheduler/Operational"]["reasons"] == ["evtx_missing"]
    assert result["coverage"]["Microsoft-Windows-TaskScheduler/Operational"]["events_may_be_lost"] is True
    for event, (eid, _task, _user, _time, command, run_as) in zip(result["events"], EXPECTED[filename]):
        assert event["channel"] == "Security"
        assert event["provider"] == "Microsoft-Windows-Security-Auditing"
        assert event["source"] == "evtx:Windows/System32/winevt/Logs/Security.evtx"
        if command is None and run_as is None:
            assert event["definition"] is None
            continue
        d = event["definition"]
        assert event["definition_error"] is None, event["definition_error"]
        assert d["path"] == event["task"]
        assert d["principal"]["user_id"] == run_as
        if command is not None:
            assert d["actions"][0]["command"] == command
        else:
            assert d["actions"][0]["type"] == "com_handler"


def test_atexec_definition_details(shared_fixtures, tmp_path):
    root = _root_with(tmp_path, shared_fixtures / "evtx" / "atexec-fast-create-delete-4698-4699.evtx")
    created = collect_offline_events(str(root))["events"][0]
    assert created["definition"]["actions"][0]["arguments"] == "/C whoami > %windir%\\Temp\\bouWFQYO.tmp 2>&1"
    assert created["definition"]["hidden"] is True
    assert created["subject_sid"] == "S-1-5-21-4230534742-2542757381-3142984815-1111"
    assert created["logon_id"] == "0x5a419bc"


def test_channel_status_from_file(shared_fixtures, tmp_path):
    root = _root_with(tmp_path, shared_fixtures / "evtx" / "atexec-remote-task-4698-4699.evtx")
    result = collect_offline_events(str(root))
    sec = result["channels"]["Security"]
    assert sec["record_count"] == 12
    assert sec["oldest_record_id"] == 2004840 and sec["newest_record_id"] == 2004862
    assert sec["oldest_time"] == "2021-06-10T21:21:20.636029Z"
    assert sec["file_size_bytes"] == 69632
    assert sec["enabled"] is None  # cannot be known from a file
    # The whole file was scanned: the bookmark may move to the newest record.
    assert result["bookmark"]["Security"] == {"record_id": 2004862, "time": "2021-06-10T21:21:29.441570Z"}


def test_since_returns_only_newer(shared_fixtures, tmp_path):
    root = _root_with(tmp_path, shared_fixtures / "evtx" / "atexec-fast-create-delete-4698-4699.evtx")
    since = {"Security": {"record_id": 2004852, "time": "2021-06-10T21:21:26.383726Z"}}
    result = collect_offline_events(str(root), since=since)
    assert [e["event_id"] for e in result["events"]] == [4699]
    assert result["coverage"]["Security"]["events_may_be_lost"] is False


def test_wrapped_log_detected(shared_fixtures, tmp_path):
    root = _root_with(tmp_path, shared_fixtures / "evtx" / "atexec-remote-task-4698-4699.evtx")
    result = collect_offline_events(str(root), since={"Security": {"record_id": 2000000, "time": None}})
    cov = result["coverage"]["Security"]
    assert "wrapped" in cov["reasons"] and cov["events_may_be_lost"] is True
    assert len(result["events"]) == 2


def test_truncation_keeps_bookmark_at_last_returned(shared_fixtures, tmp_path):
    root = _root_with(tmp_path, shared_fixtures / "evtx" / "atexec-fast-create-delete-4698-4699.evtx")
    result = collect_offline_events(str(root), max_events=1)
    assert result["truncated"] is True
    assert [e["event_id"] for e in result["events"]] == [4698]
    assert result["bookmark"]["Security"]["record_id"] == 2004852
    assert "truncated" in result["coverage"]["Security"]["reasons"]
    again = collect_offline_events(str(root), max_events=1, since=result["bookmark"])
    assert [e["event_id"] for e in again["events"]] == [4699]
    assert again["truncated"] is False


def test_event_ids_filter(shared_fixtures, tmp_path):
    root = _root_with(tmp_path, shared_fixtures / "evtx" / "smbexec-fast-create-delete-4698-4699.evtx")
    result = collect_offline_events(str(root), event_ids=[4699])
    assert [e["event_id"] for e in result["events"]] == [4699]
    # Only Security was asked for: no Operational coverage entry.
    assert list(result["coverage"]) == ["Security"]


def test_corrupt_chunks_counted_rest_processed(shared_fixtures, tmp_path):
    data = bytearray((shared_fixtures / "evtx" / "donpapi-benign-4702.evtx").read_bytes())
    # Damage two chunks the 4702 is not in (chunk 0 starts at 4096, 64 KiB each).
    data[4096 + 5 * 65536:4096 + 5 * 65536 + 8] = b"XXXXXXXX"
    for off in range(4096 + 3 * 65536 + 600, 4096 + 3 * 65536 + 5000, 7):
        data[off] = 0xAB
    logs = tmp_path / "Windows" / "System32" / "winevt" / "Logs"
    logs.mkdir(parents=True)
    (logs / "Security.evtx").write_bytes(bytes(data))
    result = collect_offline_events(str(tmp_path))
    assert [e["event_id"] for e in result["events"]] == [4702]
    assert result["unparseable_count"] == 2
    assert all("corrupt EVTX" in u["error"] for u in result["unparseable"])
    cov = result["coverage"]["Security"]
    assert "corrupt_chunks" in cov["reasons"] and cov["events_may_be_lost"] is True
    assert result["channels"]["Security"]["record_count"] < 750


def test_dedup_between_evtx_and_export(shared_fixtures, tmp_path):
    from evtx import PyEvtxParser

    src = shared_fixtures / "evtx" / "atexec-fast-create-delete-4698-4699.evtx"
    root = _root_with(tmp_path, src)
    # An export of the same events, as Get-WinEvent | ForEach-Object ToXml would write it.
    xml = "".join(r["data"].split("?>", 1)[1] for r in PyEvtxParser(str(src)).records())
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "security.xml").write_text(xml, encoding="utf-16")
    result = collect_offline_events(str(root))
    assert [e["event_id"] for e in result["events"]] == [4698, 4699]
    assert all(e["source"].startswith("evtx:") for e in result["events"])


def test_streams_multi_chunk_file_and_dedups_repeats(shared_fixtures, tmp_path):
    """A synthetic large log (the chunks of one file repeated) is scanned completely;
    identical records (same channel, computer, EventRecordID) are reported once."""
    import struct

    from ansible_collections.taskguard.windows.plugins.plugin_utils.evtx_reader import EvtxScan, iter_task_records

    data = (shared_fixtures / "evtx" / "donpapi-benign-4702.evtx").read_bytes()
    header, chunks = bytearray(data[:4096]), data[4096:]
    repeat = 20
    struct.pack_into("<H", header, 42, (len(chunks) // 65536) * repeat)
    logs = tmp_path / "Windows" / "System32" / "winevt" / "Logs"
    logs.mkdir(parents=True)
    big = logs / "Security.evtx"
    big.write_bytes(bytes(header) + chunks * repeat)
    scan = EvtxScan("t")
    with big.open("rb") as handle:
        found = list(iter_task_records(handle, {4702}, scan))
    assert scan.records_scanned == 750 * repeat
    assert len(found) == repeat and scan.error_count == 0
    result = collect_offline_events(str(tmp_path))
    assert [e["event_id"] for e in result["events"]] == [4702]
    assert result["channels"]["Security"]["record_count"] == 750 * repeat
