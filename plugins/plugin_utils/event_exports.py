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


# What _Cut.element_at found at an event start (besides a complete element).
_NEED_MORE = object()   # no end tag yet: read on
_SKIPPED = object()     # oversized element reported, search resumes after it
_STOP = object()        # truncated element at the end of the file reported


class _Cut:
    """State of one cut of an export: the decoded window ``buf`` and where to look.

    ``buf`` holds the text from char offset ``base`` of the decoded file; the
    search continues at ``pos``. ``resume`` is the absolute offset before which
    no end tag can start (learnt from a failed search), so an unterminated element
    is not rescanned on every read: a 5 MB export of repeated "<Event " rescanned
    4 MB per start and never finished (quadratic; issue 9).
    """

    def __init__(self, fileobj, problems, max_event_chars, read_size):
        self.fileobj, self.problems = fileobj, problems
        self.max_event_chars, self.read_size = max_event_chars, read_size
        head = fileobj.read(4)
        self.codec, bom = detect_encoding(head)
        self.decoder = codecs.getincrementaldecoder(self.codec)(errors="replace")
        self.buf = self.decoder.decode(head[bom:])
        self.base = 0
        self.pos = 0
        self.resume = 0
        self.replaced_reported = False
        self.eof = False

    def note_replaced_bytes(self):
        """Report the first undecodable byte sequence once per file."""
        if not self.replaced_reported and "\ufffd" in self.buf:
            self.problems.append({"offset": self.base + self.buf.index("\ufffd"),
                                  "error": "bytes that are not valid %s were replaced" % self.codec})
            self.replaced_reported = True

    def keep_tail(self):
        """No event start in the window: keep a short tail ('<Event' may straddle two reads)."""
        keep = max(len(self.buf) - 8, self.pos)
        self.base += keep
        self.buf = self.buf[keep:]
        self.pos = 0

    def element_at(self, start):
        """``(offset, text)`` of the element starting at ``start``, or what to do instead."""
        buf = self.buf
        search_from = max(start, self.resume - self.base)
        end_m = _END_RE.search(buf, search_from)
        if end_m is not None:
            self.pos = end_m.end()
            return self.base + start, buf[start:end_m.end()]
        # Only the last "</Event" can still complete (its "\s*>" may follow).
        last = buf.rfind("</Event", search_from)
        self.resume = self.base + (last if last >= 0 else max(search_from, len(buf) - len("</Event")))
        if len(buf) - start > self.max_event_chars:
            self._skip_oversized(start)
            return _SKIPPED
        if self.eof:
            self.problems.append({"offset": self.base + start,
                                  "error": "truncated export: <Event> element without end tag (%d characters)"
                                           % (len(buf) - start)})
            return _STOP
        self.base += start
        self.buf = buf[start:]
        self.pos = 0
        return _NEED_MORE

    def _skip_oversized(self, start):
        self.problems.append({"offset": self.base + start,
                              "error": "event element larger than %d characters, skipped" % self.max_event_chars})
        # Resynchronise on the next event start that could still be small enough:
        # every start before len(buf) - max has no end in buf either.
        nxt = _START_RE.search(self.buf, max(start + 1, len(self.buf) - self.max_event_chars))
        self.pos = nxt.start() if nxt else len(self.buf)

    def read_more(self):
        block = self.fileobj.read(self.read_size)
        if not block:
            self.buf += self.decoder.decode(b"", final=True)
            self.eof = True
        else:
            self.buf += self.decoder.decode(block)


def iter_export_events(fileobj, problems, *, max_event_chars=MAX_EVENT_CHARS, read_size=READ_SIZE):
    """Yield ``(char_offset, event_xml_text)`` for each complete ``<Event>`` element.

    ``problems`` receives ``{"offset", "error"}`` dicts for truncated or oversized
    pieces and undecodable bytes. Memory stays bounded by ``max_event_chars`` plus
    one read block.
    """
    cut = _Cut(fileobj, problems, max_event_chars, read_size)
    while True:
        cut.note_replaced_bytes()
        start_m = _START_RE.search(cut.buf, cut.pos)
        if start_m is None:
            if cut.eof:
                return
            cut.keep_tail()
        else:
            found = cut.element_at(start_m.start())
            if found is _STOP:
                return
            if found is _SKIPPED:
                continue
            if found is not _NEED_MORE:
                yield found
                continue
        if cut.eof:
            return
        cut.read_more()
