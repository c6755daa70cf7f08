# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""normalize_live_events against JSON fixtures in the exact shape of
EventMaterial.psm1 Get-TgTaskEventMaterial (the module's ``material``)."""
from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import normalize_live_events

OP = "Microsoft-Windows-TaskScheduler/Operational"
SEC = "Security"


def load(unit_fixtures, name):
    return json.loads((unit_fixtures / "task_events" / name).read_text())


def test_full(unit_fixtures):
    result = normalize_live_events(load(unit_fixtures, "live_full.json"))
    assert result["mode"] == "live"
    assert result["changed"] is False
    ids = [(e["channel"], e["event_id"]) for e in result["events"]]
    assert len(ids) == 10
    keys = [(e["time"], e["channel"], e["record_id"]) for e in result["events"]]
    assert keys == sorted(keys)
    # 4698 (09:15:04.12) comes before 106 (09:15:04.1234567): sorted on time, not on channel.
    assert ids[0] == (SEC, 4698) and ids[1] == (OP, 106)
    reg = [e for e in result["events"] if e["event_id"] == 4698][0]
    assert reg["definition"]["principal"]["run_level"] == "HighestAvailable"
    assert reg["source"] == "live:Security"
    assert result["channels"][SEC] == {
        "enabled": True, "readable": True, "log_mode": "circular", "max_size_bytes": 201326592,
        "file_size_bytes": 20975616, "record_count": 48113, "oldest_record_id": 832000,
        "oldest_time": "2026-02-27T11:02:13.5550000Z", "newest_record_id": 880110,
        "newest_time": "2026-03-02T09:20:00.4000000Z", "error": None,
    }
    for channel in (OP, SEC):
        assert result["coverage"][channel] == {"enabled": True, "readable": True,
                                               "events_may_be_lost": False, "reasons": []}
    assert result["bookmark"] == {
        OP: {"record_id": 5030, "time": "2026-03-02T09:20:00.5000000Z"},
        SEC: {"record_id": 880110, "time": "2026-03-02T09:20:00.4000000Z"},
    }
    assert result["truncated"] is False and result["unparseable"] == []


def test_since_filters_again_on_controller(unit_fixtures):
    # Even if the host ignored the bookmark, nothing at or below it is returned.
    since = {OP: {"record_id": 5025, "time": "2026-03-02T09:18:00.7000000Z"}}
    result = normalize_live_events(load(unit_fixtures, "live_full.json"), since=since)
    op_ids = [e["record_id"] for e in result["events"] if e["channel"] == OP]
    assert op_ids == [5026, 5027, 5030]
    assert result["coverage"][OP]["events_may_be_lost"] is False


def test_security_access_denied(unit_fixtures):
    since = {SEC: {"record_id": 870000, "time": "2026-03-01T00:00:00Z"}}
    result = normalize_live_events(load(unit_fixtures, "live_security_denied.json"), since=since)
    cov = result["coverage"][SEC]
    assert cov["readable"] is False and cov["events_may_be_lost"] is True
    assert "access_denied" in cov["reasons"]
    assert "UnauthorizedAccessException" in result["channels"][SEC]["error"]
    # A channel we could not read keeps its old bookmark.
    assert result["bookmark"][SEC] == since[SEC]
    assert result["coverage"][OP]["events_may_be_lost"] is False
    assert [e["event_id"] for e in result["events"]] == [106]


def test_operational_disabled(unit_fixtures):
    result = normalize_live_events(load(unit_fixtures, "live_operational_disabled.json"))
    cov = result["coverage"][OP]
    assert cov == {"enabled": False, "readable": True, "events_may_be_lost": True, "reasons": ["channel_disabled"]}
    assert result["channels"][OP]["enabled"] is False
    assert OP not in result["bookmark"]
    assert [e["event_id"] for e in result["events"]] == [4698]


def test_wrapped(unit_fixtures):
    since = {OP: {"record_id": 4700, "time": "2026-02-01T00:00:00Z"},
             SEC: {"record_id": 830000, "time": "2026-02-25T00:00:00Z"}}
    result = normalize_live_events(load(unit_fixtures, "live_wrapped.json"), since=since)
    for channel in (OP, SEC):
        assert result["coverage"][channel]["reasons"] == ["wrapped"]
        assert result["coverage"][channel]["events_may_be_lost"] is True
    assert len(result["events"]) == 10


def test_not_wrapped_when_oldest_is_next_record(unit_fixtures):
    since = {OP: {"record_id": 4800, "time": "2026-02-01T00:00:00Z"}}  # oldest retained is 4801
    result = normalize_live_events(load(unit_fixtures, "live_wrapped.json"), since=since)
    assert result["coverage"][OP]["reasons"] == []


def test_truncated(unit_fixtures):
    result = normalize_live_events(load(unit_fixtures, "live_truncated.json"))
    assert result["truncated"] is True
    assert [e["record_id"] for e in result["events"]] == [5021, 5022]
    # Bookmark is the last returned event, not the newest record in the log (5030).
    assert result["bookmark"][OP] == {"record_id": 5022, "time": "2026-03-02T09:16:10.0000001Z"}
    cov = result["coverage"][OP]
    assert cov["reasons"] == ["truncated"] and cov["events_may_be_lost"] is False


def test_controller_caps_too(unit_fixtures):
    raw = load(unit_fixtures, "live_full.json")
    raw["max_events"] = 3
    result = normalize_live_events(raw)
    assert result["truncated"] is True
    assert [e["record_id"] for e in result["events"] if e["channel"] == OP] == [5021, 5022, 5024]
    assert result["bookmark"][OP]["record_id"] == 5024


def test_log_reset(unit_fixtures):
    since = {OP: {"record_id": 5030, "time": "2026-03-02T09:20:00.5000000Z"}}
    result = normalize_live_events(load(unit_fixtures, "live_log_reset.json"), since=since)
    assert [e["record_id"] for e in result["events"]] == [7]
    cov = result["coverage"][OP]
    assert "log_reset" in cov["reasons"] and cov["events_may_be_lost"] is True
    # The bookmark follows the new numbering, or the next run would skip everything.
    assert result["bookmark"][OP]["record_id"] == 12


def test_channel_missing(unit_fixtures):
    result = normalize_live_events(load(unit_fixtures, "live_channel_missing.json"))
    cov = result["coverage"][OP]
    assert cov["readable"] is False and cov["events_may_be_lost"] is True
    assert cov["reasons"] == ["channel_not_found"]


def test_record_errors_and_broken_xml(unit_fixtures):
    result = normalize_live_events(load(unit_fixtures, "live_record_errors.json"))
    assert [e["record_id"] for e in result["events"]] == [5021]
    assert result["unparseable_count"] == 2
    assert {u["record_id"] for u in result["unparseable"]} == {5023, None}
    assert "unparseable_records" in result["coverage"][OP]["reasons"]


def test_channel_not_reported(unit_fixtures):
    raw = load(unit_fixtures, "live_full.json")
    raw["channels"] = raw["channels"][:1]
    result = normalize_live_events(raw)
    assert result["coverage"][SEC]["events_may_be_lost"] is True
    assert result["coverage"][SEC]["readable"] is False


def test_status_unavailable_is_not_clean(unit_fixtures):
    raw = load(unit_fixtures, "live_full.json")
    raw["channels"][0]["config"] = None
    raw["channels"][0]["config_error"] = {"type": "System.Diagnostics.Eventing.Reader.EventLogException",
                                          "hresult": -2147023143, "message": "x"}
    result = normalize_live_events(raw)
    assert result["coverage"][OP]["enabled"] is None
    assert "status_unavailable" in result["coverage"][OP]["reasons"]


@pytest.mark.parametrize("raw", [None, [], {"channels": "x"}, {"channels": [], "event_ids": [1]},
                                 {"channels": [], "max_events": 0}])
def test_bad_material_rejected(raw):
    with pytest.raises(TaskGuardInputError):
        normalize_live_events(raw)


def test_bad_since_rejected(unit_fixtures):
    with pytest.raises(TaskGuardInputError):
        normalize_live_events(load(unit_fixtures, "live_full.json"), since={OP: {"record_id": "abc"}})


def test_input_not_modified(unit_fixtures):
    raw = load(unit_fixtures, "live_full.json")
    before = copy.deepcopy(raw)
    normalize_live_events(raw)
    assert raw == before


def test_status_denied_but_events_readable(unit_fixtures):
    raw = load(unit_fixtures, "live_full.json")
    denied = {"type": "System.UnauthorizedAccessException", "hresult": -2147024891, "message": "x"}
    sec = raw["channels"][1]
    sec["info"], sec["info_error"] = None, denied
    sec["oldest"], sec["newest"], sec["edge_error"] = None, None, denied
    result = normalize_live_events(raw, since={SEC: {"record_id": 1, "time": None}})
    cov = result["coverage"][SEC]
    # Events came back, but without the oldest record a wrapped log cannot be ruled out.
    assert cov["readable"] is True
    assert cov["reasons"] == ["status_unavailable"] and cov["events_may_be_lost"] is True
    assert len([e for e in result["events"] if e["channel"] == SEC]) == 3
