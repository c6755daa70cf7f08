# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Split event XML exports into single ``<Event>`` documents.

``wevtutil qe <log> /f:xml`` and ``Get-WinEvent | ForEach-Object ToXml`` write
concatenated ``<Event>`` elements without a common root (sometimes inside an
``<Events>`` wrapper, sometimes after an XML declaration), in UTF-8 or UTF-16 with
or without a BOM. No XML parser accepts that as one document, so the file is
decoded incrementally and cut at ``<Event ...>`` / ``</Event>`` boundaries; every
piece is then parsed on its own through ``safe_xml`` by the caller. A piece that
never closes (a truncated copy) or grows beyond the size cap is reported with its
offset instead of being silently dropped.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import codecs
import re

READ_SIZE = 1 << 20
# A real event is a few KB; 4698 with a large task definition stays well below 1 MB.
MAX_EVENT_CHARS = 4 << 20

_START_RE = re.compile(r"<Event(?=[\s>/])")
_END_RE = re.compile(r"</Event\s*>")


def detect_encoding(head):
    """Return ``(codec_name, bom_length)`` for the first bytes of an export."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if len(head) >= 2:
        # Without a BOM an XML file starts with '<' (or whitespace): one of the two
        # bytes of the first UTF-16 code unit is zero.
        if head[0] == 0 and head[1] != 0:
            return "utf-16-be", 0
        if head[0] != 0 and head[1] == 0:
            return "utf-16-le", 0
    return "utf-8", 0


def iter_export_events(fileobj, problems, *, max_event_chars=MAX_EVENT_CHARS, read_size=READ_SIZE):
    """Yield ``(char_offset, event_xml_text)`` for each complete ``<Event>`` element.

    ``problems`` receives ``{"offset", "error"}`` dicts for truncated or oversized
    pieces and undecodable bytes. Memory stays bounded by ``max_event_chars`` plus
    one read block.
    """
    head = fileobj.read(4)
    codec, bom = detect_encoding(head)
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    buf = decoder.decode(head[bom:])
    base = 0            # char offset of buf[0] within the decoded file
    pos = 0             # where to continue searching in buf
    # Absolute offset before which no end tag can start (learnt from a failed
    # search), so an unterminated element is not rescanned on every read: a 5 MB
    # export of repeated "<Event " rescanned 4 MB per start and never finished
    # (quadratic; issue 9).
    resume = 0
    replaced_reported = False
    eof = False
    while True:
        if "\ufffd" in buf and not replaced_reported:
            problems.append({"offset": base + buf.index("\ufffd"),
                             "error": "bytes that are not valid %s were replaced" % codec})
            replaced_reported = True
        start_m = _START_RE.search(buf, pos)
        if start_m is None:
            if eof:
                return
            # Keep a short tail: '<Event' may straddle two reads.
            keep = max(len(buf) - 8, pos)
            base += keep
            buf = buf[keep:]
            pos = 0
        else:
            start = start_m.start()
            search_from = max(start, resume - base)
            end_m = _END_RE.search(buf, search_from)
            if end_m is not None:
                yield base + start, buf[start:end_m.end()]
                pos = end_m.end()
                continue
            # Only the last "</Event" can still complete (its "\s*>" may follow).
            last = buf.rfind("</Event", search_from)
            resume = base + (last if last >= 0 else max(search_from, len(buf) - len("</Event")))
            if len(buf) - start > max_event_chars:
                problems.append({"offset": base + start,
                                 "error": "event element larger than %d characters, skipped" % max_event_chars})
                # Resynchronise on the next event start that could still be small
                # enough: every start before len(buf) - max has no end in buf either.
                nxt = _START_RE.search(buf, max(start + 1, len(buf) - max_event_chars))
                pos = nxt.start() if nxt else len(buf)
                continue
            if eof:
                problems.append({"offset": base + start,
                                 "error": "truncated export: <Event> element without end tag (%d characters)"
                                          % (len(buf) - start)})
                return
            base += start
            buf = buf[start:]
            pos = 0
        if eof:
            return
        block = fileobj.read(read_size)
        if not block:
            buf += decoder.decode(b"", final=True)
            eof = True
        else:
            buf += decoder.decode(block)
