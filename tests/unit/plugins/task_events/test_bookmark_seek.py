# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 20, defect 7: a record-id bookmark is read by seeking, not only by filtering.

``Get-TgTaskEventMaterial`` (EventMaterial.psm1) positions an ``EventLogReader`` at the
bookmark (``EventLogReader(query, bookmark)``, EvtSeek relative to it) and filters by
event id only; an ``EventRecordID > N`` filter, which may make the event service test
every record of a multi-GB channel, stays as the fallback, with the reason in
``seek_error``. No PowerShell runs here: the source is checked for that structure, and
the controller is checked to read both ways alike (fixture ``live_bookmark_seek.json``).
"""

from __future__ import annotations

import json
from pathlib import Path

from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import normalize_live_events

ROOT = Path(__file__).resolve().parents[4]
EVENT_MATERIAL = ROOT / "plugins" / "module_utils" / "EventMaterial.psm1"
OP = "Microsoft-Windows-TaskScheduler/Operational"
SEC = "Security"


def _load(unit_fixtures, name):
    return json.loads((unit_fixtures / "task_events" / name).read_text(encoding="utf-8"))


def _function(source, name):
    start = source.index("Function %s {" % name)
    end = source.find("\nFunction ", start + 1)
    return source[start:end if end > 0 else len(source)]


def test_collector_seeks_to_the_bookmark_and_keeps_the_filter_as_fallback():
    source = EVENT_MATERIAL.read_text(encoding="utf-8")
    main = _function(source, "Get-TgTaskEventMaterial")
    assert "Get-TgEventBookmarkAt" in main, "the record-id bookmark is not turned into a reader position"
    assert "read_method = 'bookmark_seek'" in main
    assert "seek_error" in main
    # The fallback still filters on the record id.
    assert "-SinceRecordId $sinceRecordId" in main
    reader = _function(source, "Get-TgEventRecordXml")
    assert "-ArgumentList @($query, $Bookmark)" in reader
    # EvtSeek lands on the last match at or before the bookmark when there is no newer
    # one: the reader must skip what the previous run already returned.
    assert "$record.RecordId -le $AfterRecordId" in reader
    at = _function(source, "Get-TgEventBookmarkAt")
    assert "Seek([System.IO.SeekOrigin]::Begin, $RecordId - $OldestRecordId)" in at
    assert "$record.RecordId -gt $RecordId" in at


def test_seek_and_filter_reads_normalize_alike(unit_fixtures):
    since = {OP: {"record_id": 5020, "time": "2026-03-02T09:00:00Z"},
             SEC: {"record_id": 880100, "time": "2026-03-02T09:00:00Z"}}
    seek = normalize_live_events(_load(unit_fixtures, "live_bookmark_seek.json"), since=since)
    full = normalize_live_events(_load(unit_fixtures, "live_full.json"), since=since)
    assert seek["bookmark"] == full["bookmark"]
    assert [e["record_id"] for e in seek["events"]] == [e["record_id"] for e in full["events"]]
    assert seek["coverage"] == full["coverage"]
    assert seek["bookmark"][OP]["record_id"] == 5030
    assert seek["bookmark"][SEC]["record_id"] == 880110


def test_fixture_records_how_each_channel_was_read(unit_fixtures):
    raw = _load(unit_fixtures, "live_bookmark_seek.json")
    by_name = {c["name"]: c for c in raw["channels"]}
    assert by_name[OP]["read_method"] == "bookmark_seek" and by_name[OP]["seek_error"] is None
    assert "EventRecordID" not in by_name[OP]["xpath"]
    assert by_name[SEC]["read_method"] == "xpath_filter"
    assert set(by_name[SEC]["seek_error"]) == {"type", "hresult", "message"}
    assert "EventRecordID > 880100" in by_name[SEC]["xpath"]
