# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property tests: arbitrary bytes never crash the readers, they only report."""
from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_exports import iter_export_events
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import normalize_event_xml
from ansible_collections.taskguard.windows.plugins.plugin_utils.evtx_reader import EvtxScan, iter_task_records

FRAGMENTS = st.lists(st.sampled_from([
    "<Event>", "</Event>", "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>",
    "<System>", "</System>", "<EventID>106</EventID>", "<EventRecordID>1</EventRecordID>",
    "<TimeCreated SystemTime='2026-01-01T00:00:00Z'/>", "<Channel>Security</Channel>",
    "<EventData>", "</EventData>", "<Data Name='TaskContent'>", "</Data>", "&lt;Task&gt;",
    "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;", "<Events>", "</Events>", "<?xml version='1.0'?>", "\x00", "x",
]), max_size=40).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FRAGMENTS, st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "utf-16"]), st.integers(1, 64))
def test_export_splitter_never_crashes(text, encoding, read_size):
    problems = []
    for offset, piece in iter_export_events(io.BytesIO(text.encode(encoding)), problems, read_size=read_size):
        assert piece.startswith("<Event") and piece.rstrip().endswith(">")
        assert offset >= 0
        try:
            normalize_event_xml(piece, source="fuzz")
        except TaskGuardInputError:
            pass


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=5000))
def test_evtx_reader_never_raises_on_garbage(data):
    scan = EvtxScan("fuzz")
    out = list(iter_task_records(io.BytesIO(b"ElfFile\x00" + data), {4698}, scan))
    assert out == [] or scan.records_scanned >= len(out)
    # Garbage is always reported (header refused or chunks corrupt), never silently empty.
    assert scan.fatal and scan.error_count == 1


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=3000))
def test_evtx_garbage_behind_valid_header_is_reported(data):
    header = bytearray(4096)
    header[:8] = b"ElfFile\x00"
    header[32:42] = (128).to_bytes(4, "little") + (1).to_bytes(2, "little") + (3).to_bytes(2, "little") + \
        (4096).to_bytes(2, "little")
    header[42:44] = (1).to_bytes(2, "little")
    body = bytearray(b"ElfChnk\x00" + data + bytes(65536 - 8 - len(data)))
    scan = EvtxScan("fuzz")
    out = list(iter_task_records(io.BytesIO(bytes(header) + bytes(body)), {4698}, scan))
    assert out == []
    assert scan.error_count >= 1
