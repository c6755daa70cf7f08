# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Records of another channel in offline evidence (issue 22, event-collection review):
a record that fails to parse is booked on the channel it names, not on the channel
of the file it was found in; what exports named after a channel say about foreign
records is bounded and adds up over files instead of the last file overwriting it."""
from __future__ import annotations

from ansible_collections.taskguard.windows.plugins.plugin_utils import event_collection
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import EVTX_FILES, collect_offline_events
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import OPERATIONAL, SECURITY
from ansible_collections.taskguard.windows.plugins.plugin_utils.evtx_reader import MAX_FOREIGN_CHANNELS, OTHER_CHANNELS


def _event(record_id, event_id, channel, time="2026-01-01T00:00:00Z"):
    channel_el = "<Channel>%s</Channel>" % channel if channel is not None else ""
    return ("<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"
            "<EventID>%d</EventID><EventRecordID>%d</EventRecordID><TimeCreated SystemTime=\"%s\"/>%s"
            "</System></Event>" % (event_id, record_id, time, channel_el))


# A Security task event whose time is not a UTC time: it cannot be normalized.
BROKEN_SECURITY = _event(7, 4698, SECURITY, time="yesterday")
BROKEN_WITHOUT_CHANNEL = _event(8, 106, None, time="yesterday")


def _operational_file_yielding(monkeypatch, tmp_path, records):
    """An Operational log file whose reader yields ``records`` (the Rust reader
    cannot be made to render a broken record from a valid file)."""
    logs = tmp_path / "Windows" / "System32" / "winevt" / "Logs"
    logs.mkdir(parents=True)
    (logs / EVTX_FILES[OPERATIONAL]).write_bytes(b"stand-in")

    def fake_reader(handle, event_ids, scan, *, channel, foreign_event_ids):
        for number, xml in records:
            if "<Channel>%s</Channel>" % SECURITY in xml:
                scan.add_foreign(SECURITY)
            else:
                scan.records_scanned += 1
            yield number, xml

    monkeypatch.setattr(event_collection, "iter_task_records", fake_reader)


def test_a_broken_foreign_record_is_booked_on_its_own_channel(monkeypatch, tmp_path):
    _operational_file_yielding(monkeypatch, tmp_path, [(7, BROKEN_SECURITY)])
    result = collect_offline_events(str(tmp_path))
    assert result["unparseable_count"] == 1
    assert "unparseable_records" in result["coverage"][SECURITY]["reasons"]
    assert "unparseable_records" not in result["coverage"][OPERATIONAL]["reasons"]


def test_a_broken_record_without_a_channel_stays_on_the_file_channel(monkeypatch, tmp_path):
    _operational_file_yielding(monkeypatch, tmp_path, [(8, BROKEN_WITHOUT_CHANNEL)])
    result = collect_offline_events(str(tmp_path))
    assert "unparseable_records" in result["coverage"][OPERATIONAL]["reasons"]
    assert "unparseable_records" not in result["coverage"][SECURITY]["reasons"]


def test_a_broken_record_in_an_export_is_booked_on_the_channel_it_names(tmp_path):
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "anything.xml").write_text(BROKEN_SECURITY + "\n", encoding="utf-8")
    result = collect_offline_events(str(tmp_path))
    assert result["unparseable_count"] == 1
    assert "unparseable_records" in result["coverage"][SECURITY]["reasons"]
    assert "unparseable_records" not in result["coverage"][OPERATIONAL]["reasons"]


def test_foreign_channels_of_an_export_are_bounded(tmp_path):
    (tmp_path / "events").mkdir()
    names = ["Channel-%03d-%s" % (n, "x" * 200) for n in range(300)]
    text = "\n".join(_event(n + 1, 1, name) for n, name in enumerate(names))
    (tmp_path / "events" / "Security.xml").write_text(text, encoding="utf-8")
    cov = collect_offline_events(str(tmp_path))["coverage"][SECURITY]
    assert cov["foreign_records"] == 300
    assert len(cov["foreign_channels"]) == MAX_FOREIGN_CHANNELS + 1
    assert cov["foreign_channels"][OTHER_CHANNELS] == 300 - MAX_FOREIGN_CHANNELS
    assert sum(cov["foreign_channels"].values()) == 300
    assert len(cov["detail"]) <= event_collection.MAX_FOREIGN_DETAIL_CHARS
    assert cov["detail"].startswith("export named Security.xml holds 300 record(s) of channel Channel-000-")


def test_exports_named_after_one_channel_add_up(tmp_path):
    (tmp_path / "events").mkdir()
    first = "Microsoft-Windows-TaskScheduler%4Operational.xml"
    second = "Microsoft-Windows-TaskScheduler-Operational.xml"
    (tmp_path / "events" / first).write_text(_event(1, 4700, SECURITY), encoding="utf-8")
    (tmp_path / "events" / second).write_text(_event(2, 4700, SECURITY) + _event(3, 4700, SECURITY),
                                              encoding="utf-8")
    cov = collect_offline_events(str(tmp_path))["coverage"][OPERATIONAL]
    assert cov["foreign_records"] == 3 and cov["foreign_channels"] == {SECURITY: 3}
    assert "export named %s holds 1 record(s) of channel Security (1)" % first in cov["detail"]
    assert "export named %s holds 2 record(s) of channel Security (2)" % second in cov["detail"]


def test_many_exports_named_after_one_channel_are_counted_not_listed(tmp_path):
    (tmp_path / "events").mkdir()
    spellings = ["Security", "security", "SECURITY", "SEcurity", "SeCurity", "SecUrity", "SecuRity", "SecurIty"]
    for n, stem in enumerate(spellings):
        (tmp_path / "events" / (stem + ".xml")).write_text(_event(n + 1, 106, OPERATIONAL), encoding="utf-8")
    cov = collect_offline_events(str(tmp_path))["coverage"][SECURITY]
    assert cov["foreign_records"] == len(spellings)
    assert cov["detail"].count("export named ") == event_collection.MAX_FOREIGN_EXPORT_NOTES
    assert cov["detail"].endswith("; %d more export(s) named after Security hold records of other channels"
                                  % (len(spellings) - event_collection.MAX_FOREIGN_EXPORT_NOTES))
