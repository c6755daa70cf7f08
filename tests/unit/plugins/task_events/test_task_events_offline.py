# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline evidence: exports in every encoding, truncation, path safety, case, dedup."""
from __future__ import annotations

import io
import os

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import EvidenceError, TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import collect_offline_events
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_exports import iter_export_events

OP = "Microsoft-Windows-TaskScheduler/Operational"


@pytest.fixture
def op_xml(unit_fixtures):
    base = unit_fixtures / "task_events" / "operational"
    return {i: (base / ("%d.xml" % i)).read_text().strip() for i in (106, 140, 141, 142, 129, 200, 201)}


@pytest.fixture
def sec_xml(unit_fixtures):
    base = unit_fixtures / "task_events" / "security"
    return {n: (base / ("%s.xml" % n)).read_text().strip() for n in ("4698_v1", "4702_v1", "4699_v1")}


def _export(root, name, text, encoding="utf-8", bom=False):
    folder = root / "events"
    folder.mkdir(exist_ok=True)
    data = text.encode(encoding)
    if bom:
        data = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding] + data
    (folder / name).write_bytes(data)


def _double_quoted(xml):
    # wevtutil writes double quotes, ToXml single quotes.
    return xml.replace("'", '"')


@pytest.mark.parametrize("encoding,bom", [
    ("utf-8", False), ("utf-8", True), ("utf-16-le", True), ("utf-16-le", False), ("utf-16-be", True), ("utf-16-be", False),
])
def test_export_encodings(tmp_path, op_xml, encoding, bom):
    text = '<?xml version="1.0" encoding="UTF-16"?>\r\n' + op_xml[106] + "\r\n" + _double_quoted(op_xml[141]) + "\r\n"
    _export(tmp_path, "ops.xml", text, encoding, bom)
    result = collect_offline_events(str(tmp_path))
    assert [(e["event_id"], e["record_id"]) for e in result["events"]] == [(106, 5021), (141, 5030)]
    assert result["unparseable"] == []
    assert result["events"][0]["source"] == "export:events/ops.xml"
    # Exports alone never make a channel look fully covered.
    cov = result["coverage"][OP]
    assert cov["readable"] is True
    assert "evtx_missing" in cov["reasons"] and "exports_only" in cov["reasons"]
    assert cov["events_may_be_lost"] is True


def test_export_with_events_wrapper_and_all_ids(tmp_path, op_xml, sec_xml):
    text = "<Events>\n" + "\n".join(list(op_xml.values()) + list(sec_xml.values())) + "\n</Events>\n"
    _export(tmp_path, "All.XML", text)
    result = collect_offline_events(str(tmp_path))
    assert sorted(e["event_id"] for e in result["events"]) == [106, 129, 140, 141, 142, 200, 201, 4698, 4699, 4702]
    times = [e["time"] for e in result["events"]]
    assert times == sorted(times)
    assert result["bookmark"][OP]["record_id"] == 5030
    assert result["bookmark"]["Security"]["record_id"] == 880110


def test_truncated_export_reports_tail(tmp_path, op_xml):
    text = op_xml[106] + op_xml[140] + op_xml[142][:300]
    _export(tmp_path, "cut.xml", text)
    result = collect_offline_events(str(tmp_path))
    assert [e["event_id"] for e in result["events"]] == [106, 140]
    assert len(result["unparseable"]) == 1
    assert "truncated export" in result["unparseable"][0]["error"]
    assert result["unparseable"][0]["source"] == "export:events/cut.xml"


def test_broken_event_in_middle_is_counted(tmp_path, op_xml):
    broken = op_xml[140].replace("<EventRecordID>5022</EventRecordID>", "<EventRecordID>x</EventRecordID>")
    _export(tmp_path, "mid.xml", op_xml[106] + broken + op_xml[142])
    result = collect_offline_events(str(tmp_path))
    assert [e["event_id"] for e in result["events"]] == [106, 142]
    assert result["unparseable_count"] == 1


def test_entity_declaration_in_export_refused(tmp_path, op_xml):
    evil = '<!DOCTYPE Event [<!ENTITY a "b">]>' + op_xml[106].replace("CORP\\alice", "&a;")
    _export(tmp_path, "evil.xml", evil + op_xml[142])
    result = collect_offline_events(str(tmp_path))
    # The DOCTYPE sits outside the <Event> element and is dropped; the entity
    # reference inside it is undefined, so that event is unparseable.
    assert [e["event_id"] for e in result["events"]] == [142]
    assert result["unparseable_count"] == 1


def test_oversized_event_skipped_and_reported():
    big = "<Event>" + "x" * 5000 + "</Event><Event><System/></Event>"
    problems = []
    out = list(iter_export_events(io.BytesIO(big.encode()), problems, max_event_chars=1000, read_size=512))
    assert [text for offset, text in out] == ["<Event><System/></Event>"]
    assert "larger than" in problems[0]["error"]


def test_split_across_reads_and_lookalike_tags():
    text = "<?xml version='1.0'?><Event><EventData/></Event>\n<Events><Event a='1'>x</Event ></Events>"
    problems = []
    out = list(iter_export_events(io.BytesIO(text.encode("utf-16")), problems, read_size=3))
    assert [text for offset, text in out] == ["<Event><EventData/></Event>", "<Event a='1'>x</Event >"]
    assert problems == []


def test_case_insensitive_paths(tmp_path, op_xml):
    logs = tmp_path / "windows" / "SYSTEM32" / "WinEvt" / "logs"
    logs.mkdir(parents=True)
    (logs / "SECURITY.EVTX").write_bytes(b"ElfFile\x00" + b"\x00" * 100)
    (tmp_path / "Events").mkdir()
    (tmp_path / "Events" / "x.Xml").write_text(op_xml[106])
    result = collect_offline_events(str(tmp_path))
    assert [e["event_id"] for e in result["events"]] == [106]
    # The (bogus) Security.evtx was found despite the case and reported as unreadable.
    assert "evtx_unreadable" in result["coverage"]["Security"]["reasons"]
    assert result["coverage"]["Security"]["events_may_be_lost"] is True


def test_garbage_evtx_is_reported(tmp_path):
    logs = tmp_path / "Windows" / "System32" / "winevt" / "Logs"
    logs.mkdir(parents=True)
    (logs / "Microsoft-Windows-TaskScheduler%4Operational.evtx").write_bytes(os.urandom(70000))
    result = collect_offline_events(str(tmp_path))
    cov = result["coverage"][OP]
    assert cov["readable"] is False and "evtx_unreadable" in cov["reasons"]
    assert result["unparseable_count"] >= 1


def test_symlinks_out_of_root_refused(tmp_path, op_xml):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.xml").write_text(op_xml[106])
    (outside / "Security.evtx").write_bytes(b"not read")
    root = tmp_path / "root"
    logs = root / "Windows" / "System32" / "winevt" / "Logs"
    logs.mkdir(parents=True)
    os.symlink(outside / "Security.evtx", logs / "Security.evtx")
    (root / "events").mkdir()
    os.symlink(outside / "secret.xml", root / "events" / "leak.xml")
    result = collect_offline_events(str(root))
    assert result["events"] == []
    refused = [e for e in result["errors"] if "outside the evidence root" in e["error"]]
    assert {e["path"] for e in refused} == {os.path.join("Windows", "System32", "winevt", "Logs", "Security.evtx"),
                                            os.path.join("events", "leak.xml")}
    assert "evtx_refused" in result["coverage"]["Security"]["reasons"]


def test_symlinked_directory_out_of_root_refused(tmp_path, op_xml):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.xml").write_text(op_xml[106])
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "events")
    result = collect_offline_events(str(root))
    assert result["events"] == []
    assert any("outside the evidence root" in e["error"] for e in result["errors"])


def test_symlink_inside_root_is_followed(tmp_path, op_xml):
    root = tmp_path / "root"
    (root / "copy").mkdir(parents=True)
    (root / "copy" / "a.xml").write_text(op_xml[106])
    os.symlink(root / "copy", root / "events")
    result = collect_offline_events(str(root))
    assert [e["event_id"] for e in result["events"]] == [106]


def test_root_must_exist(tmp_path):
    with pytest.raises(EvidenceError):
        collect_offline_events(str(tmp_path / "nope"))


def test_unknown_event_id_refused(tmp_path):
    with pytest.raises(TaskGuardInputError):
        collect_offline_events(str(tmp_path), event_ids=[4624])


def test_empty_root_is_not_clean(tmp_path):
    result = collect_offline_events(str(tmp_path))
    assert result["events"] == []
    for channel in (OP, "Security"):
        assert result["coverage"][channel] == {"enabled": None, "readable": False, "events_may_be_lost": True,
                                               "reasons": ["evtx_missing"]}
    assert result["bookmark"] == {}


def test_bookmark_kept_when_channel_unreadable(tmp_path):
    since = {"Security": {"record_id": 99, "time": "2026-01-01T00:00:00Z"}}
    result = collect_offline_events(str(tmp_path), since=since)
    assert result["bookmark"] == since


def test_duplicate_exports_reported_once(tmp_path, op_xml):
    _export(tmp_path, "a.xml", op_xml[106])
    _export(tmp_path, "b.xml", _double_quoted(op_xml[106]), "utf-16-le", True)
    result = collect_offline_events(str(tmp_path))
    assert len(result["events"]) == 1
    assert result["events"][0]["source"] == "export:events/a.xml"


def _many(op_xml, count):
    out = []
    for i in range(count):
        rid = 10000 + (i * 7919) % count  # shuffled order, all distinct
        out.append(op_xml[106].replace("<EventRecordID>5021<", "<EventRecordID>%d<" % rid)
                   .replace("2026-03-02T09:15:04.1234567Z", "2026-03-02T09:%02d:%02d.0000000Z" % ((rid - 10000) // 60 % 60, (rid - 10000) % 60)))
    return out


@pytest.mark.parametrize("since", [None, {OP: {"record_id": 10100, "time": "2026-03-02T09:01:40.0000000Z"}}])
def test_many_events_bounded_and_selection_exact(tmp_path, op_xml, since, monkeypatch):
    from ansible_collections.taskguard.windows.plugins.plugin_utils import event_collection

    _export(tmp_path, "many.xml", "".join(_many(op_xml, 997)))
    peak = []
    original = event_collection._Collector._prune

    def spy(self, channel, bucket):
        peak.append(len(bucket))
        return original(self, channel, bucket)

    monkeypatch.setattr(event_collection._Collector, "_prune", spy)
    result = collect_offline_events(str(tmp_path), max_events=5, since=since)
    first = 10000 if since is None else 10101
    assert [e["record_id"] for e in result["events"]] == list(range(first, first + 5))
    assert result["truncated"] is True
    assert result["bookmark"][OP]["record_id"] == first + 4
    assert peak and max(peak) == 4 * 6 + 1  # pruned as soon as the bound was passed
