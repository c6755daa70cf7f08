# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reader for ``reg export`` / regedit text files (``.reg``).

Evidence often carries the TaskCache as ``reg export "HKLM\\...\\TaskCache" x.reg``:
UTF-16 LE with BOM, ``Windows Registry Editor Version 5.00`` (or ``REGEDIT4`` in
ANSI), ``[key]`` lines, ``"name"=value`` lines where long ``hex:`` data is wrapped
with a trailing ``\\`` and continued on indented lines. The file is hostile input:
sizes are capped and every malformed line is an error with its line number, never
a crash and never silently skipped.

Two paths read the lines, with one result. After the header, a line is first
tried against ``_FAST_LINE``: the shapes regedit writes (a key line; a ``"name"=``
or ``@=`` value holding a ``"..."`` string, ``dword:`` with 1-8 hex digits, or
``hex:``/``hex(N):`` pairs with their ``\\``-continued lines) are matched and
split in C, one match per logical line and the blank lines after it, and
``_fast_value`` makes the value. Everything else (the header, comments,
indented or upper-case lines, deleted keys and values, a value before any key,
hex data that is not regedit's pairs, a match longer than ``MAX_LINE_CHARS``,
anything malformed) is read by ``_general_lines``, one logical line at a time
as before the fast path, up to the next line the fast path may take; it alone
makes errors, so line numbers are counted only when it runs.
tests/unit/plugins/plugin_utils/test_reg_export_fast_lines.py checks that the
result is the line-by-line parser's (keys, values, errors, exceptions) on
generated and edited files.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import codecs
import os
import re
import stat

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import (
    InputTooLargeError,
    RegExportError,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.state import read_fd_at_most

# A full TaskCache export of a busy server is tens of MB (hex-encoded binaries).
MAX_REG_BYTES = 256 * 1024 * 1024
MAX_LINE_CHARS = 16 * 1024 * 1024
# Malformed lines kept with their numbers; the rest are only counted. A 50 MB
# file of garbage lines made millions of error tuples (GBs of memory, issue 9).
MAX_ERRORS = 1000

REG_NONE, REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_DWORD_BE, REG_LINK, \
    REG_MULTI_SZ = range(8)
REG_QWORD = 11
TYPE_NAMES = {
    REG_NONE: 'REG_NONE', REG_SZ: 'REG_SZ', REG_EXPAND_SZ: 'REG_EXPAND_SZ',
    REG_BINARY: 'REG_BINARY', REG_DWORD: 'REG_DWORD', REG_DWORD_BE: 'REG_DWORD_BIG_ENDIAN',
    REG_LINK: 'REG_LINK', REG_MULTI_SZ: 'REG_MULTI_SZ', REG_QWORD: 'REG_QWORD',
}
_HEADERS = ('Windows Registry Editor Version 5.00', 'REGEDIT4')
# A quoted string with escapes, and one escape.
_QUOTED_RE = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_ESCAPE_RE = re.compile(r'\\(.)', re.DOTALL)

# The fast path's line shapes (see the module docstring). Inside "...": the scan of
# _parse_quoted (a backslash takes the next character), without CR or LF; hex data:
# digits and commas, the pairs checked by _pairs_bytes. The two alternatives of each
# repeat never match the same character, so a failed match costs time linear in
# the line. Each alternative ends on a character that is no backslash, where the
# general path's logical line ends too.
_QUOTED_TEXT = r'[^"\\\r\n]*(?:\\[^\r\n][^"\\\r\n]*)*'
_HEX_TEXT = r'[0-9a-fA-F,]*'
_FAST_LINE = re.compile(
    r'(?:\[([^-\]\r\n][^\]\r\n]*)\]'                          # [key], not [-deleted key]
    r'|(?:@|"(' + _QUOTED_TEXT + r')")='                         # @= or "name"=
    r'(?:"(' + _QUOTED_TEXT + r')"'                              # "string"
    r'|dword:([0-9a-fA-F]{1,8})'
    r'|hex(?:\(([0-9a-fA-F]{1,8})\))?:'                          # hex: or hex(N):
    r'(' + _HEX_TEXT + r'(?:\\\r?\n[ \t]*' + _HEX_TEXT + r')*)))'   # with continued lines
    r'\r?(?:\n|\Z)(?:[ \t]*\r?\n)*')                                 # and the blank lines after it


class RegValue(object):
    """One value: ``name`` ('' for the default value), ``type`` (int), ``data``.

    ``data`` is str for REG_SZ/REG_EXPAND_SZ, list of str for REG_MULTI_SZ, int
    for REG_DWORD/REG_QWORD, bytes otherwise (and for malformed typed data).
    """
    __slots__ = ('name', 'type', 'data', 'raw')

    def __init__(self, name, type_, data, raw=None):
        self.name = name
        self.type = type_
        self.data = data
        self.raw = raw

    def __repr__(self):
        return 'RegValue(%r, %s, %r)' % (self.name, TYPE_NAMES.get(self.type, self.type), self.data)


class RegKey(object):
    """A key: its full ``path`` as written and values by lower-cased name."""
    __slots__ = ('path', 'values')

    def __init__(self, path):
        self.path = path
        self.values = {}

    def get(self, name):
        return self.values.get(name.lower())


class RegExport(object):
    """Parsed file: ``keys`` by lower-cased full path, ``errors`` as (line, message)."""

    def __init__(self):
        self.keys = {}
        self.order = []
        self.errors = []
        self.error_count = 0
        self.deleted_keys = []

    def add_error(self, number, message):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((number, message))

    def key(self, path):
        return self.keys.get(path.lower())

    def subkeys(self, prefix):
        """Keys under ``prefix`` (exclusive), as (relative path, RegKey), in file order."""
        low = prefix.lower().rstrip('\\') + '\\'
        for lowpath in self.order:
            if lowpath.startswith(low):
                key = self.keys[lowpath]
                yield key.path[len(low):], key


def decode_reg_bytes(data):
    if data.startswith(codecs.BOM_UTF16_LE):
        encoding, data = 'utf-16-le', data[2:]
    elif data.startswith(codecs.BOM_UTF16_BE):
        encoding, data = 'utf-16-be', data[2:]
    elif data.startswith(codecs.BOM_UTF8):
        encoding, data = 'utf-8', data[3:]
    elif len(data) >= 2 and data[0] != 0 and data[1] == 0:
        encoding = 'utf-16-le'
    else:
        # REGEDIT4 files are in the ANSI code page; UTF-8 first, cp1252 as fallback.
        try:
            return data.decode('utf-8')
        except UnicodeDecodeError:
            encoding = 'cp1252'
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise RegExportError('registry export is not valid %s: %s' % (encoding, exc))


def _parse_quoted(text, pos):
    """Parse a "..." string starting at text[pos] == '"'; return (value, next_pos)."""
    # Most names and strings hold no escape: one find() instead of a loop per character.
    end = text.find('"', pos + 1)
    if end >= 0 and text.find('\\', pos + 1, end) < 0:
        return text[pos + 1:end], end + 1
    return _parse_escaped(text, pos)


def _parse_escaped(text, pos):
    """``_parse_quoted`` for a string holding backslash escapes (``\\x`` stands for ``x``).
    The two alternatives of the pattern never match the same character, so it
    runs in linear time on any input."""
    match = _QUOTED_RE.match(text, pos)
    if match is None:
        raise ValueError('unterminated quoted string')
    return _ESCAPE_RE.sub(r'\1', match.group(1)), match.end()


def _unescape(text):
    """What ``_ESCAPE_RE.sub(r'\\1', text)`` gives (``\\x`` stands for ``x``) for a
    string where every backslash has a character after it, without a Python call
    per escape: the pairs of backslashes are taken left to right, as the scan pairs
    them, then the backslash of each other escape is dropped."""
    if '\\' not in text.replace('\\\\', ''):
        return text.replace('\\\\', '\\')   # escaped backslashes only: a path
    return '\\'.join([part.replace('\\', '') for part in text.split('\\\\')])


def _pairs_bytes(text):
    """What _hex_bytes gives for hex data of _FAST_LINE (hex digits, commas and
    '\\'-continued lines, nothing else) in regedit's shape ``xx,xx,...,xx``; None
    for any other shape (the general path then reads it, or says why not)."""
    if '\\' in text:
        # the continued lines joined: their CR/LF and indentation are the only whitespace
        text = ''.join(text.split()).replace('\\', '')
    text = text.rstrip(',')
    if not text:
        return b''
    # _hex_bytes' own check of the pairs, then commas made spaces (fromhex skips
    # them): a replace by one character is a copy, deleting them cost 4x as much
    count = (len(text) + 1) // 3
    if len(text) != 3 * count - 1 or text[2::3] != ',' * (count - 1):
        return None
    try:
        data = bytes.fromhex(text.replace(',', ' '))
    except ValueError:
        return None
    return data if len(data) == count else None


def _hex_bytes(text):
    text = text.replace(' ', '').replace('\t', '').rstrip(',')
    if not text:
        return b''
    # What regedit writes: two hex digits per byte, comma-separated. Checked by
    # position, then decoded in C; anything else takes the general path below.
    count = (len(text) + 1) // 3
    if len(text) == 3 * count - 1 and text[2::3] == ',' * (count - 1):
        try:
            data = bytes.fromhex(text.replace(',', ''))
        except ValueError:
            data = None
        if data is not None and len(data) == count:
            return data
    try:
        return bytes(int(part, 16) for part in text.split(','))
    except ValueError:
        raise ValueError('bad hex data')


def _typed(type_, raw):
    """Interpret hex(N) bytes the way regedit wrote them (UTF-16 LE strings)."""
    if type_ in (REG_SZ, REG_EXPAND_SZ, REG_LINK):
        return raw.decode('utf-16-le', 'replace').split('\x00', 1)[0]
    if type_ == REG_MULTI_SZ:
        parts = raw.decode('utf-16-le', 'replace').split('\x00')
        while parts and parts[-1] == '':
            parts.pop()
        return parts
    if type_ == REG_DWORD and len(raw) == 4:
        return int.from_bytes(raw, 'little')
    if type_ == REG_DWORD_BE and len(raw) == 4:
        return int.from_bytes(raw, 'big')
    if type_ == REG_QWORD and len(raw) == 8:
        return int.from_bytes(raw, 'little')
    return raw


def _parse_value(rest):
    """Parse what follows '=' into (type, data, raw bytes or None); None for deletion."""
    if rest == '-':
        return None
    if rest.startswith('"'):
        value, end = _parse_quoted(rest, 0)
        if rest[end:].strip():
            raise ValueError('trailing characters after string value')
        return REG_SZ, value, None
    low = rest[:12].lower()
    if low.startswith('dword:'):
        digits = rest[6:].strip()
        if not digits or len(digits) > 8:
            raise ValueError('bad dword')
        return REG_DWORD, int(digits, 16), None
    if low.startswith('hex:'):
        raw = _hex_bytes(rest[4:])
        return REG_BINARY, raw, raw
    if low.startswith('hex('):
        close = rest.find('):')
        if close < 0:
            raise ValueError('bad hex(type) value')
        type_ = int(rest[4:close], 16)
        raw = _hex_bytes(rest[close + 2:])
        return type_, _typed(type_, raw), raw
    raise ValueError('unknown value format %r' % rest[:20])


def _starts_hex_value(line):
    """True for a value line whose data is hex: only hex data is ever wrapped
    (a quoted string that ends in a backslash still ends in '"')."""
    line = line.lstrip()
    if line.startswith('@='):
        return line[2:5].lower() == 'hex'
    if not line.startswith('"'):
        return False
    try:
        _name, end = _parse_quoted(line, 0)
    except ValueError:
        return False
    return line[end:end + 4].lower() == '=hex'


def _physical_line(text, pos, number):
    """(line ``number`` starting at text[pos] without its CR/LF, position of the next
    line); after the last line the position is past the end. Lines are cut at '\\n'
    only, as split('\\n') would: a REG_SZ may legally contain \\x1c or U+2028."""
    newline = text.find('\n', pos)
    if newline < 0:
        line, pos = text[pos:], len(text) + 1
    else:
        line, pos = text[pos:newline], newline + 1
    line = line.rstrip('\r')
    if len(line) > MAX_LINE_CHARS:
        raise InputTooLargeError('registry export line %d is longer than %d characters' % (number, MAX_LINE_CHARS))
    return line, pos


def _continued(text, pos, number, first):
    """A hex value line (``first``, its '\\' cut) joined with its '\\'-continued
    lines from text[pos] (line ``number``): (logical line, position after it,
    continued lines used)."""
    pending, used = [first], 0
    while pos <= len(text):
        line, pos = _physical_line(text, pos, number + used)
        used += 1
        line = line.strip(' \t')
        if not line.endswith('\\'):
            pending.append(line)
            break
        pending.append(line[:-1])
    return ''.join(pending), pos, used


def _decode_input(data, max_bytes):
    """The export's text, its size checked first."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > max_bytes:
            raise InputTooLargeError('registry export of %d bytes exceeds the limit of %d' % (len(data), max_bytes))
        return decode_reg_bytes(bytes(data))
    if isinstance(data, str):
        if len(data) > max_bytes:
            raise InputTooLargeError('registry export of %d characters exceeds the limit of %d' % (len(data), max_bytes))
        return data.lstrip('\ufeff')
    raise RegExportError('expected bytes or str, got %s' % type(data).__name__)


def _key_line(result, number, stripped):
    """A ``[key]`` line: the key values that follow go to (None after a malformed or deleting line)."""
    if not stripped.endswith(']'):
        result.add_error(number, 'malformed key line')
        return None
    path = stripped[1:-1]
    if path.startswith('-'):
        result.deleted_keys.append(path[1:])
        return None
    low = path.lower()
    current = result.keys.get(low)
    if current is None:
        current = RegKey(path)
        result.keys[low] = current
        result.order.append(low)
    return current


def _value_line(current, stripped):
    """A ``"name"=value`` or ``@=value`` line applied to ``current``; ValueError when malformed."""
    if stripped.startswith('@='):
        name, rest = '', stripped[2:]
    elif stripped.startswith('"'):
        name, end = _parse_quoted(stripped, 0)
        if stripped[end:end + 1] != '=':
            raise ValueError('expected = after value name')
        rest = stripped[end + 1:]
    else:
        raise ValueError('unrecognised line')
    parsed = _parse_value(rest.strip())
    if parsed is None:
        current.values.pop(name.lower(), None)
        return
    type_, value, raw = parsed
    current.values[name.lower()] = RegValue(name, type_, value, raw)


def _fast_value(name, text, dword, type_, hex_text):
    """The RegValue of a value line _FAST_LINE matched, as _value_line makes it;
    None for hex data that is no list of pairs (the general path says why)."""
    if name is None:
        name = ''   # @=
    elif '\\' in name:
        name = _unescape(name)
    if text is not None:
        return RegValue(name, REG_SZ, _unescape(text) if '\\' in text else text)
    if dword is not None:
        return RegValue(name, REG_DWORD, int(dword, 16))
    raw = _pairs_bytes(hex_text)
    if raw is None:
        return None
    if type_ is None:
        return RegValue(name, REG_BINARY, raw, raw)
    type_ = int(type_, 16)
    return RegValue(name, type_, _typed(type_, raw), raw)


def _general_lines(result, text, pos, number, current, header_seen):
    """Logical lines from text[pos] (line ``number``) read one at a time, up to a
    line the fast path may take (a key line, or a value line with a key to go
    to): (its position, its number, the key values go to, header seen). Every
    error is made here. A file of garbage lines is read in this one loop, without
    a match tried on each line (hence the physical line cut inline, as
    _physical_line cuts it)."""
    end = len(text)
    while pos < end:
        start = number
        newline = text.find('\n', pos)
        if newline < 0:
            line, pos = text[pos:].rstrip('\r'), end + 1
        else:
            line, pos = text[pos:newline].rstrip('\r'), newline + 1
        if len(line) > MAX_LINE_CHARS:
            raise InputTooLargeError('registry export line %d is longer than %d characters' % (number, MAX_LINE_CHARS))
        number += 1
        stripped = line.rstrip()
        if stripped.endswith('\\') and _starts_hex_value(stripped):
            line, pos, used = _continued(text, pos, number, stripped[:-1])
            number += used
        stripped = line.strip()
        if not stripped or stripped.startswith(';'):
            pass
        elif not header_seen:
            if stripped not in _HEADERS:
                raise RegExportError('not a registry export: first line is %r' % stripped[:60])
            header_seen = True
        elif stripped.startswith('['):
            current = _key_line(result, start, stripped)
        elif current is None:
            result.add_error(start, 'value outside of a key')
        elif stripped[0] not in '@"':
            result.add_error(start, 'unrecognised line')   # without raising: a file of garbage lines is hostile input
        else:
            try:
                _value_line(current, stripped)
            except ValueError as exc:
                result.add_error(start, str(exc))
        if header_seen and pos < end and (text[pos] == '[' or (current is not None and text[pos] in '"@')):
            break
    return pos, number, current, header_seen


def _read_lines(text, result):
    """Every line of ``text`` into ``result``: regedit's own shapes after the
    header through _FAST_LINE, the rest through _general_lines. Line numbers are
    counted only when the general path runs (it is the only one that reports
    lines)."""
    end = len(text)
    pos, number, current, header_seen = _general_lines(result, text, 0, 1, None, False)
    counted = pos            # the line at text[counted] is line ``number``
    fast = _FAST_LINE.match
    keys, order = result.keys, result.order
    while pos < end:
        match = fast(text, pos)
        if match is not None:
            after = match.end()
            path, name, text_, dword, type_, hex_text = match.groups()
            # a match longer than MAX_LINE_CHARS may hold a line that is too long:
            # the general path says which one
            if after - pos > MAX_LINE_CHARS:
                pass
            elif path is not None:
                low = path.lower()
                current = keys.get(low)
                if current is None:
                    current = keys[low] = RegKey(path)
                    order.append(low)
                pos = after
                continue
            elif current is not None:
                value = _fast_value(name, text_, dword, type_, hex_text)
                if value is not None:
                    current.values[value.name.lower()] = value
                    pos = after
                    continue
        number += text.count('\n', counted, pos)
        pos, number, current, header_seen = _general_lines(result, text, pos, number, current, header_seen)
        counted = pos
    return header_seen


def parse_reg_export(data, *, max_bytes=MAX_REG_BYTES):
    """Parse a ``.reg`` file's bytes (or text). Malformed lines land in ``errors``."""
    text = _decode_input(data, max_bytes)
    result = RegExport()
    if not _read_lines(text, result):
        raise RegExportError('empty registry export')
    if result.error_count > len(result.errors):
        result.errors.append((0, '%d more malformed lines not listed' % (result.error_count - len(result.errors))))
    return result


def read_reg_export(path, *, max_bytes=MAX_REG_BYTES):
    """Read and parse a ``.reg`` file; the size is checked before reading it all."""
    try:
        # O_NONBLOCK + S_ISREG: a FIFO planted as TaskCache.reg blocked open()
        # forever (issue 9); it is now refused like any other non-file.
        fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise RegExportError('registry export %s is not a regular file' % path)
            size = info.st_size
            if size > max_bytes:
                raise InputTooLargeError('registry export %s: %d bytes exceeds the limit of %d' % (path, size, max_bytes))
            # not a buffered read(max_bytes + 1): that allocated the 256 MiB cap first
            data = read_fd_at_most(fd, max_bytes + 1, size)
        finally:
            os.close(fd)
    except OSError as exc:
        raise RegExportError('cannot read registry export %s: %s' % (path, exc.strerror or exc))
    return parse_reg_export(data, max_bytes=max_bytes)
