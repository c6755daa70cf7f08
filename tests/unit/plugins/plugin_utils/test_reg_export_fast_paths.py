# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""reg_export's fast paths (hex data decoded in C, quoted strings without escapes
cut with one find) give exactly what the general paths give, on regedit's own
shapes and on hostile ones; the general paths still take what they took."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.taskguard.windows.plugins.plugin_utils import reg_export
from ansible_collections.taskguard.windows.plugins.plugin_utils.reg_export import (
    REG_BINARY,
    REG_SZ,
    parse_reg_export,
)


def _general_hex(text):
    """The general path of _hex_bytes, as it was before the fast path."""
    text = text.replace(' ', '').replace('\t', '').rstrip(',')
    if not text:
        return b''
    try:
        return bytes(int(part, 16) for part in text.split(','))
    except ValueError:
        raise ValueError('bad hex data')


def _general_quoted(text, pos):
    """The character loop _parse_quoted used for every string."""
    out, i, n = [], pos + 1, len(text)
    while i < n:
        c = text[i]
        if c == '\\' and i + 1 < n:
            out.append(text[i + 1])
            i += 2
            continue
        if c == '"':
            return ''.join(out), i + 1
        out.append(c)
        i += 1
    raise ValueError('unterminated quoted string')


def _outcome(func, *args):
    try:
        return ("ok", func(*args))
    except ValueError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize("text, expected", [
    ("a2,46,c3", b"\xa2\x46\xc3"),
    ("A2,46,C3,", b"\xa2\x46\xc3"),            # trailing comma of a wrapped line
    ("00", b"\x00"),
    ("a,1b", b"\x0a\x1b"),                     # one digit: not regedit's shape, still read
    ("0a, 1b,\t2c", b"\x0a\x1b\x2c"),
])
def test_hex_shapes(text, expected):
    assert reg_export._hex_bytes(text) == expected


@pytest.mark.parametrize("text", ["0a1b,2c", "zz,00", "0a,,1b", "100", "0a,1b2"])
def test_bad_hex_is_an_error(text):
    with pytest.raises(ValueError, match="bad hex data"):
        reg_export._hex_bytes(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789abcdefABCDEF,\t _x+-\u0660\x0b", max_size=24))
def test_hex_fast_path_agrees_with_general_path(text):
    assert _outcome(reg_export._hex_bytes, text) == _outcome(_general_hex, text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='"\\ab=\r\x00 ', max_size=16))
def test_quoted_fast_path_agrees_with_the_loop(tail):
    text = '"' + tail
    assert _outcome(reg_export._parse_quoted, text, 0) == _outcome(_general_quoted, text, 0)


def test_escaped_names_and_strings_in_a_file():
    data = "\r\n".join([
        "Windows Registry Editor Version 5.00", "",
        "[HKEY_LOCAL_MACHINE\\K]",
        '"Path"="\\\\Microsoft\\\\Windows\\\\Task \\"quoted\\""',
        '"a\\"b"=hex:0a,1b,\\',
        "  2c",
        '"Plain"="no escapes"',
        '"Broken"="unterminated',
    ]) + "\r\n"
    export = parse_reg_export(data)
    key = export.key("HKEY_LOCAL_MACHINE\\K")
    assert key.get("Path").data == '\\Microsoft\\Windows\\Task "quoted"'
    assert (key.get("a\"b").type, key.get("a\"b").data) == (REG_BINARY, b"\x0a\x1b\x2c")
    assert (key.get("Plain").type, key.get("Plain").data) == (REG_SZ, "no escapes")
    assert key.get("Broken") is None
    assert export.errors == [(8, "unterminated quoted string")]


# -- the helpers of the line-shape fast path (test_reg_export_fast_lines.py checks whole files) --

_ESCAPED_TEXT = st.lists(st.one_of(st.sampled_from(['a', ' ', '=', '\r', '\u2028']),
                                   st.sampled_from(['\\', '"', 'a', 'n', '\r', '\x00']).map(lambda c: '\\' + c)),
                         max_size=12).map(''.join)


@settings(max_examples=400, deadline=None)
@given(_ESCAPED_TEXT)
def test_unescape_agrees_with_the_escape_pattern(text):
    """Every backslash has a character after it, as in a string _FAST_LINE matched."""
    assert reg_export._unescape(text) == reg_export._ESCAPE_RE.sub(r'\1', text)


@pytest.mark.parametrize("text, expected", [
    ('\\\\Microsoft\\\\Windows\\\\Task', '\\Microsoft\\Windows\\Task'),
    ('\\\\\\"', '\\"'),
    ('a\\\\\\\\b', 'a\\\\b'),
    ('\\"x\\"', '"x"'),
])
def test_unescape_shapes(text, expected):
    assert reg_export._unescape(text) == expected


def _joined(text):
    """The hex data the general path hands _hex_bytes for the same continued lines."""
    pieces = text.split('\\')
    return ''.join([pieces[0]] + [p.lstrip('\r\n').strip(' \t') for p in pieces[1:]])


_PAIRS_PIECE = st.sampled_from(['0a,', 'FF,', '1b', ',', 'a', '0a1b', ',,', '00,01,'])
_CONTINUED = st.sampled_from(['\\\r\n  ', '\\\n', '\\\r\n\t'])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.lists(_PAIRS_PIECE, max_size=4).map(''.join), _CONTINUED), max_size=3),
       st.lists(_PAIRS_PIECE, max_size=4).map(''.join))
def test_pairs_bytes_is_hex_bytes_or_leaves_it_to_the_general_path(lines, last):
    text = ''.join(data + cont for data, cont in lines) + last
    fast = reg_export._pairs_bytes(text)
    general = _outcome(reg_export._hex_bytes, _joined(text))
    if fast is not None:
        assert general == ("ok", fast)
    if re.fullmatch(r'(?:(?:[0-9a-fA-F]{2},)*[0-9a-fA-F]{2})?,?', _joined(text)):
        assert fast is not None   # regedit's own shape never leaves the fast path


@pytest.mark.parametrize("text, expected", [
    ('a2,46', b'\xa2\x46'),
    ('a2,46,\\\r\n  c3,df', b'\xa2\x46\xc3\xdf'),
    ('a2,46,\\\n\tc3,', b'\xa2\x46\xc3'),
    ('\\\r\n  a2', b'\xa2'),                      # regedit leaves the first line empty after a long name
    ('', b''),
])
def test_pairs_bytes_shapes(text, expected):
    assert reg_export._pairs_bytes(text) == expected


@pytest.mark.parametrize("text", ['0a1b,2c', '0a,,1b', '0a,,,,1b', ',0a', '0,a1b', 'a', '0a,\\\r\n  ,1b'])
def test_pairs_bytes_leaves_other_shapes(text):
    assert reg_export._pairs_bytes(text) is None
