# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stream task events out of an ``.evtx`` file with bounded memory.

Why the ``evtx`` package (Rust, omerbenamram/evtx): it renders ~300k records/s
here and streams chunk by chunk, while ``python-evtx`` manages ~225 records/s, which
is hopeless for a 1 GB Security.evtx. A Security log is mostly logons and share
access, so every record is first checked with one precompiled regular expression on
the rendered text (EventID, which comes early in ``<System>``); only the few task
events go on to the full, hardened XML parse (``safe_xml``) in ``event_model``.

Every record's ``System/Channel`` is compared with the channel the file is read
for: a file is judged by what it holds, not by its name. Records of another channel
(a Security log copied under the Operational log's name, a merged file) are counted
per channel and kept out of the file's record range; their task events are still
yielded so the caller routes them to their real channel.

Corrupt chunks make the parser raise for that chunk; iteration continues with the
next chunk, and every failure is recorded so the caller can report it as coverage
loss instead of a quiet log.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

# Bounds so one broken file cannot flood a report with error entries.
MAX_ERRORS_KEPT = 100
MAX_ERROR_TEXT = 300

_EVENT_ID_RE = re.compile(r"<EventID(?:\s[^>]*)?>\s*(\d{1,10})\s*</EventID>")
_RECORD_ID_RE = re.compile(r"<EventRecordID>\s*(\d{1,20})\s*</EventRecordID>")
_SYSTEM_TIME_RE = re.compile(r"<TimeCreated\s+SystemTime=[\"']([^\"'<>]{1,64})[\"']")
_CHANNEL_OPEN = "<Channel>"
_CHANNEL_CLOSE = "</Channel>"
MAX_CHANNEL_CHARS = 256
# Distinct foreign channel names kept per file (a hostile file could invent many).
MAX_FOREIGN_CHANNELS = 16
OTHER_CHANNELS = "(other channels)"


def record_channel(text, start=0):
    """``System/Channel`` of one rendered event (None when absent or oversized).

    Two ``str.find`` calls instead of a regular expression: this runs on every
    record of a Security log. ``start`` may point past the EventID (Channel
    follows it in ``<System>``).
    """
    i = text.find(_CHANNEL_OPEN, start)
    if i < 0:
        return None
    i += len(_CHANNEL_OPEN)
    j = text.find(_CHANNEL_CLOSE, i, i + MAX_CHANNEL_CHARS + 1)
    if j < 0:
        return None
    return text[i:j].strip() or None


def count_channel(counts, channel, records=1):
    """Add ``records`` to ``counts[channel]``, keeping at most MAX_FOREIGN_CHANNELS
    names: the records of further names are counted under OTHER_CHANNELS (a hostile
    file can invent a channel name per record)."""
    if channel not in counts and len(counts) - (OTHER_CHANNELS in counts) >= MAX_FOREIGN_CHANNELS:
        channel = OTHER_CHANNELS
    counts[channel] = counts.get(channel, 0) + records


class EvtxScan:
    """What a scan saw, filled while iterating (also for records that were skipped)."""

    def __init__(self, source):
        self.source = source
        self.records_scanned = 0
        self.records_matched = 0
        self.errors = []          # [{"source", "record_id", "error"}], capped
        self.error_count = 0      # all errors, including those not kept
        self.oldest_record_id = None
        self.oldest_time = None
        self.newest_record_id = None
        self.newest_time = None
        self.fatal = None         # str when the file could not be opened as EVTX at all
        self.foreign = {}         # channel -> records of another channel than the one expected
        self.foreign_records = 0  # all of them (also those beyond MAX_FOREIGN_CHANNELS names)
        self.chunks = 0           # 64 KiB blocks with a chunk signature
        self.missing_chunks = 0   # chunks the header declares beyond the end of the file
        self.listed_chunks = None  # chunks in use per the header (last - first chunk number + 1)
        self._oldest = None       # (file record number, rendered xml)
        self._newest = None

    def add_error(self, message, record_id=None):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({
                "source": self.source,
                "record_id": record_id,
                "error": str(message)[:MAX_ERROR_TEXT],
            })

    def add_foreign(self, channel):
        self.foreign_records += 1
        count_channel(self.foreign, channel)

    def _track(self, file_record, data):
        # Only the file's record numbers are compared per record (cheap ints); the
        # rendered text of the current oldest/newest record is kept by reference and
        # its System/EventRecordID read once at the end (see finish_range).
        if file_record is None:
            return
        if self._oldest is None or file_record < self._oldest[0]:
            self._oldest = (file_record, data)
        if self._newest is None or file_record > self._newest[0]:
            self._newest = (file_record, data)

    def finish_range(self):
        """Fill oldest/newest record id and time from the System part of the edge records.

        The System/EventRecordID (not the file's record number) is what the live
        host, exports and bookmarks use: extracts saved with "Save filtered log"
        renumber their records but keep the original EventRecordID. Both grow
        together, so the record with the lowest file number is the oldest.
        """
        for attr, edge in (("oldest", self._oldest), ("newest", self._newest)):
            if edge is None:
                continue
            m = _RECORD_ID_RE.search(edge[1])
            t = _SYSTEM_TIME_RE.search(edge[1])
            setattr(self, attr + "_record_id", int(m.group(1)) if m else None)
            setattr(self, attr + "_time", t.group(1) if t else None)
        self._oldest = self._newest = None


HEADER_BLOCK = 4096
CHUNK_SIZE = 65536


def _listed_chunks(fileobj):
    """Chunks in use according to the header's first/last chunk numbers (offsets 8
    and 16), or None when they do not make sense or the header declares no chunk
    (offset 42: an empty log)."""
    fileobj.seek(0)
    head = fileobj.read(44)
    fileobj.seek(0)
    if len(head) < 44 or not int.from_bytes(head[42:44], "little"):
        return None
    first = int.from_bytes(head[8:16], "little")
    last = int.from_bytes(head[16:24], "little")
    if last < first or last - first >= 0xFFFF:
        return None
    return last - first + 1


def _missing_chunks(fileobj):
    """How many of the chunks the header declares (offset 42) lie beyond the end
    of the file: a copy cut short. Preallocated or corrupt chunks inside the file
    are not counted here (corrupt ones are reported by the parser)."""
    fileobj.seek(0)
    head = fileobj.read(44)
    size = fileobj.seek(0, 2)
    fileobj.seek(0)
    if len(head) < 44:
        return 0
    declared = int.from_bytes(head[42:44], "little")
    present = max(0, size - HEADER_BLOCK) // CHUNK_SIZE
    return max(0, declared - present)


def _precheck(fileobj):
    """Check the file header and count chunk signatures; returns (error or None, chunks).

    Random bytes behind a forged ``ElfFile`` magic make the parser yield nothing
    without an error; checking the header fields and counting the 64 KiB blocks
    that start with ``ElfChnk`` (one 8-byte read per block) turns that into a
    reported problem instead of an empty, "clean" log.
    """
    head = fileobj.read(HEADER_BLOCK)
    if len(head) < 128 or head[:8] != b"ElfFile\x00":
        return "not an EVTX file (no ElfFile header)", 0
    major = int.from_bytes(head[38:40], "little")
    block = int.from_bytes(head[40:42], "little")
    if major != 3 or block != HEADER_BLOCK:
        return "not an EVTX file (header version %d, block size %d)" % (major, block), 0
    chunks = 0
    offset = HEADER_BLOCK
    while True:
        fileobj.seek(offset)
        magic = fileobj.read(8)
        if len(magic) < 8:
            break
        if magic == b"ElfChnk\x00":
            chunks += 1
        offset += CHUNK_SIZE
    fileobj.seek(0)
    return None, chunks


def _open_parser(fileobj):
    # Imported lazily so controller code that never touches evtx does not need it.
    from evtx import PyEvtxParser
    return PyEvtxParser(fileobj)


def iter_task_records(fileobj, event_ids, scan, *, track_range=True, channel=None, foreign_event_ids=None):
    """Yield ``(file_record_number, xml_text)`` for records whose EventID is wanted.

    ``fileobj`` is an open binary file (the caller opened it safely inside the
    evidence root); ``event_ids`` a set of ints; ``scan`` an :class:`EvtxScan`
    that receives counts, record range and errors. Never raises for bad content.

    ``channel``: the channel the file is read for. Its records are matched against
    ``event_ids`` and make up the record range (``records_scanned``); a record of
    another channel is counted in ``scan.foreign`` instead and yielded when its
    EventID is in ``foreign_event_ids`` (the caller routes it by its own Channel).
    A record without a Channel element counts as the file's (as event_model does).
    Without ``channel`` every record is the file's.
    """
    wanted = frozenset(int(i) for i in event_ids)
    foreign_wanted = frozenset(int(i) for i in (foreign_event_ids or ()))
    try:
        problem, scan.chunks = _precheck(fileobj)
        if problem is None:
            scan.missing_chunks = _missing_chunks(fileobj)
            scan.listed_chunks = _listed_chunks(fileobj)
    except OSError as exc:
        problem = "cannot read: %s" % exc
    if problem:
        scan.fatal = problem
        scan.add_error(problem)
        return
    try:
        parser = _open_parser(fileobj)
        records = parser.records()
    except Exception as exc:  # the Rust side raises RuntimeError/OSError for a bad header
        scan.fatal = "not a readable EVTX file: %s" % (str(exc)[:MAX_ERROR_TEXT],)
        scan.add_error(scan.fatal)
        return
    search_event_id = _EVENT_ID_RE.search
    try:
        yield from _records(records, scan, search_event_id, (wanted, foreign_wanted, channel), track_range)
    finally:
        scan.finish_range()
    if scan.chunks and not scan.records_scanned and not scan.foreign_records and not scan.error_count:
        scan.add_error("%d chunk(s) found but no record could be read" % scan.chunks)
    if not scan.error_count and scan.listed_chunks and scan.chunks < scan.listed_chunks:
        # A chunk zeroed out in the middle of the file was skipped without a word
        # and its records vanished from a "clean" log (issue 9).
        scan.add_error("%d of the %d chunk(s) the header lists have no chunk signature (zeroed or overwritten)"
                       % (scan.listed_chunks - scan.chunks, scan.listed_chunks))
    if scan.missing_chunks:
        # A copy cut short (right after the header, or on a chunk boundary) read
        # as a complete, "clean" log (issue 9).
        scan.add_error("truncated file: %d chunk(s) the header declares lie beyond the end of the file"
                       % scan.missing_chunks)


def _records(records, scan, search_event_id, filters, track_range):
    wanted, foreign_wanted, expected = filters
    expected_folded = expected.casefold() if expected else None
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except Exception as exc:
            # One corrupt chunk (or record): the parser moves on to the next chunk.
            scan.add_error("corrupt EVTX data: %s" % (exc,))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("data"), str):
            scan.records_scanned += 1
            scan.add_error("record without rendered data")
            continue
        data = record["data"]
        file_record = record.get("event_record_id")
        m = search_event_id(data)
        own = True
        if expected is not None:
            found = record_channel(data, m.end() if m is not None else 0)
            if found is not None and found != expected and found.casefold() != expected_folded:
                own = False
                scan.add_foreign(found)
        if own:
            scan.records_scanned += 1
            if track_range:
                scan._track(file_record, data)
        if m is None:
            # Every rendered event has an EventID; one without it is broken.
            scan.add_error("record without EventID", record_id=file_record)
            continue
        if int(m.group(1)) not in (wanted if own else foreign_wanted):
            continue
        scan.records_matched += 1
        yield file_record, data
