# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Measure evtx_reader throughput and memory (not a test; run by hand).

    .venv/bin/python tests/unit/plugins/task_events/bench_evtx.py [SOURCE.evtx] [REPEAT]

Builds a large synthetic EVTX in a temporary directory by repeating the chunks of
SOURCE (default: the authentic donpapi-benign-4702.evtx, 750 records, 17 chunks)
REPEAT times (default 300 -> 225,000 records, ~330 MB), then scans it with the same
code path the collector uses (EventID pre-filter, Channel check, record range tracking).
"""
from __future__ import annotations

import os
import resource
import struct
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[4] / "collections"))

from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import EVENTS, SECURITY  # noqa: E402
from ansible_collections.taskguard.windows.plugins.plugin_utils.evtx_reader import (  # noqa: E402
    EvtxScan,
    iter_task_records,
)

CHUNK = 65536
HEADER = 4096


def build_repeated(src: Path, repeat: int, dest: Path) -> None:
    data = src.read_bytes()
    header = bytearray(data[:HEADER])
    chunks = data[HEADER:]
    count = len(chunks) // CHUNK
    # File header: chunk count (uint16 at offset 42). The header CRC is not checked
    # by the parser for reading.
    struct.pack_into("<H", header, 42, min(count * repeat, 0xFFFF))
    with dest.open("wb") as out:
        out.write(header)
        for dummy in range(repeat):
            out.write(chunks[: count * CHUNK])


def scan(path: Path):
    result = EvtxScan(str(path))
    started = time.perf_counter()
    with path.open("rb") as handle:
        # As event_collection._scan_evtx reads Security.evtx: its own ids, every
        # record's Channel checked, the other channel's ids kept for routing.
        own = {i for i, (channel, dummy) in EVENTS.items() if channel == SECURITY}
        matched = sum(1 for dummy in iter_task_records(handle, own, result, channel=SECURITY,
                                                       foreign_event_ids=set(EVENTS) - own))
    return result, matched, time.perf_counter() - started


def main() -> None:
    default = HERE.parents[2] / "fixtures" / "authentic" / "evtx" / "donpapi-benign-4702.evtx"
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    res, matched, secs = scan(src)
    rate = res.records_scanned / secs
    print("%s: %d records, %d task events, %.0f records/s" % (src.name, res.records_scanned, matched, rate))
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.evtx"
        build_repeated(src, repeat, big)
        res, matched, secs = scan(big)
        print("synthetic x%d (%d MB): %d records, %d task events, %d errors, %.1f s, %.0f records/s, max RSS %d MB" % (
            repeat, os.path.getsize(big) >> 20, res.records_scanned, matched, res.error_count, secs,
            res.records_scanned / secs, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10))


if __name__ == "__main__":
    main()
