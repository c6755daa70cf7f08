# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""reg_export's line-shape fast path (_FAST_LINE: regedit's key and value lines
matched in C, issue 21) gives exactly the export the line-by-line parser gave:
keys, their order, every value's name, type, data and raw bytes, deleted keys,
errors with their line numbers, and the same exception for what cannot be read.

The reference below is that parser as it was before the fast path: every line
split, continued and read one at a time (it shares _key_line and _value_line,
which the fast path does not change). Generated files mix regedit's shapes with
the hostile ones that must leave the fast path: escapes, LF and stray CR line
ends, indentation, upper-case types, deleted keys and values, values before any
key, bad hex, continuations that swallow a key line, over-long lines."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.taskguard.windows.plugins.plugin_utils import reg_export
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import InputTooLargeError, RegExportError
from ansible_collections.taskguard.windows.plugins.plugin_utils.reg_export import (
    REG_BINARY,
    REG_DWORD,
    REG_SZ,
    parse_reg_export,
)

HEADER = 'Windows Registry Editor Version 5.00'
KEY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tree\\T'
MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _reference_logical_lines(text):
    """reg_export._logical_lines before the fast path: split('\\n'), '\\'-continued hex joined."""
    pending = None
    start = 0
    for number, line in enumerate(text.split('\n'), 1):
        line = line.rstrip('\r')
        if len(line) > reg_export.MAX_LINE_CHARS:
            raise InputTooLargeError('registry export line %d is longer than %d characters'
                                     % (number, reg_export.MAX_LINE_CHARS))
        if pending is not None:
            line = line.strip(' \t')
            if line.endswith('\\'):
                pending.append(line[:-1])
                continue
            pending.append(line)
            yield start, ''.join(pending)
            pending = None
            continue
        stripped = line.rstrip()
        if stripped.endswith('\\') and reg_export._starts_hex_value(stripped):
            pending = [stripped[:-1]]
            start = number
            continue
        yield number, line
    if pending is not None:
        yield start, ''.join(pending)


def _reference_parse(text):
    """parse_reg_export before the fast path, for text (the decoding is unchanged)."""
    result = reg_export.RegExport()
    current = None
    header_seen = False
    for number, line in _reference_logical_lines(text.lstrip('\ufeff')):
        stripped = line.strip()
        if not stripped or stripped.startswith(';'):
            continue
        if not header_seen:
            if stripped not in reg_export._HEADERS:
                raise RegExportError('not a registry export: first line is %r' % stripped[:60])
            header_seen = True
        elif stripped.startswith('['):
            current = reg_export._key_line(result, number, stripped)
        elif current is None:
            result.add_error(number, 'value outside of a key')
        elif stripped[0] not in '@"':
            result.add_error(number, 'unrecognised line')
        else:
            try:
                reg_export._value_line(current, stripped)
            except ValueError as exc:
                result.add_error(number, str(exc))
    if not header_seen:
        raise RegExportError('empty registry export')
    if result.error_count > len(result.errors):
        result.errors.append((0, '%d more malformed lines not listed' % (result.error_count - len(result.errors))))
    return result


def _shape(export):
    """Everything an export holds, comparable with ==."""
    keys = [(low, key.path, [(name, v.name, v.type, type(v.data).__name__, v.data, v.raw)
                             for name, v in key.values.items()])
            for low, key in export.keys.items()]
    return keys, export.order, export.errors, export.error_count, export.deleted_keys


def _outcome(parse, text):
    try:
        return 'ok', _shape(parse(text))
    except (RegExportError, InputTooLargeError) as exc:
        return type(exc).__name__, str(exc)


def _same_as_reference(text):
    new = _outcome(parse_reg_export, text)
    assert new == _outcome(_reference_parse, text)
    return new


class _GeneralLines:
    """The numbers of the lines where the general path starts reading (it reads on
    up to a line the fast path may take)."""

    def __init__(self, monkeypatch):
        self.lines = []
        general = reg_export._general_lines

        def counting(result, text, pos, number, current, header_seen):
            self.lines.append(number)
            return general(result, text, pos, number, current, header_seen)
        monkeypatch.setattr(reg_export, '_general_lines', counting)


# -- generated files: regedit's shapes and hostile ones, line ends of every kind --

_NAME_CHARS = st.sampled_from(['a', 'Id', 'SD', ' ', '=', '"', '\\', '\\\\', '\\"', '\t', '\r', '\x1c', '\u2028',
                               '\x00', 'é', '[', ']', 'hex', '@'])
_TEXT = st.lists(_NAME_CHARS, max_size=6).map(''.join)
_HEX_PIECE = st.sampled_from(['00', 'a2', 'FF', '0a,', '1b,', ',', 'f', 'zz', ',,', '1', '0a,1b,', ' ', '\t'])
_HEX = st.lists(_HEX_PIECE, max_size=6).map(''.join)
_CONTINUATION = st.sampled_from(['\\\r\n  ', '\\\n  ', '\\\r\n', '\\\r\n\t ', '\\ \r\n  ', '\\\r\r\n  ',
                                 '\\\r\n[' + KEY + ']', '\\'])
_VALUE_DATA = st.one_of(
    _TEXT.map(lambda t: '"%s"' % t),
    st.sampled_from(['', '0', '2a', '0000002a', 'ffffffff', '123456789', '+1', '0x1', '1_0', ' 2a', 'zz', '\u0661'])
    .flatmap(lambda d: st.sampled_from(['dword:', 'DWORD:', 'dword: ']).map(lambda p: p + d)),
    st.tuples(st.sampled_from(['hex:', 'HEX:', 'hex(2):', 'hex(7):', 'hex(b):', 'hex(4):', 'hex(0):', 'hex(x):',
                               'hex(1)', 'hex(123456789):']),
              st.lists(st.tuples(_HEX, _CONTINUATION), max_size=3), _HEX)
    .map(lambda t: t[0] + ''.join(a + b for a, b in t[1]) + t[2]),
    st.sampled_from(['-', ' -', 'qword:1', '', 'x']),
)
_VALUE_LINE = st.tuples(st.one_of(st.just('@'), _TEXT.map(lambda t: '"%s"' % t), st.just('"open')),
                        st.sampled_from(['=', ' =', '= ']), _VALUE_DATA).map(''.join)
_KEY_LINE = st.one_of(
    st.sampled_from(['', '\\Sub', '\\A]B', ' ', '\\\u2028']).map(lambda s: '[%s%s]' % (KEY, s)),
    st.sampled_from(['[-%s]' % KEY, '[%s' % KEY, '[]', '[-]', ' [%s]' % KEY, '[%s] ' % KEY, '[%s]\\' % KEY]),
)
_LINE = st.one_of(_VALUE_LINE, _VALUE_LINE, _VALUE_LINE, _KEY_LINE,
                  st.sampled_from(['', ' ', '\t', '; comment', 'garbage', '  "Id"="x"', HEADER, '\x0c', '\u2028']))
_END = st.sampled_from(['\r\n', '\r\n', '\n', '\r\r\n', ' \r\n', '\r'])


@st.composite
def _files(draw):
    lines = draw(st.lists(st.tuples(_LINE, _END), max_size=12))
    head = draw(st.sampled_from([HEADER + '\r\n\r\n', HEADER + '\n', 'REGEDIT4\r\n', '\ufeff' + HEADER + '\r\n',
                                 '\r\n' + HEADER + '\r\n', '', 'REGEDIT5\r\n', '[%s]\r\n' % KEY]))
    text = head + ''.join(line + end for line, end in lines)
    if draw(st.booleans()) and text.endswith('\n'):
        text = text.rstrip('\r\n')   # a last line without its line end
    return text


@MANY
@given(_files())
def test_generated_files_read_as_the_reference_reads_them(text):
    _same_as_reference(text)


def _mutate(text, edits):
    for pos, cut, insert in edits:
        pos = pos % (len(text) + 1)
        text = text[:pos] + insert + text[pos + cut:]
    return text


_EDITS = st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 40),
                            st.sampled_from(['', '\\', '\r\n', '\n', '"', ',', '[', ']', '-', ' ', 'zz', '@=',
                                             '\\\r\n  ', '0', 'hex:', '=', '\x00', '\u2028'])),
                  min_size=1, max_size=5)


def _hex_value(name, data):
    """A hex value the way regedit wraps it: 25 pairs on the first line, then 25 per
    continued line indented by two spaces."""
    pairs = ['%02x' % b for b in data]
    first, rest = pairs[:25], pairs[25:]
    lines = ['"%s"=hex:%s' % (name, ','.join(first))]
    while rest:
        lines[-1] += ',\\'
        lines.append('  ' + ','.join(rest[:25]))
        rest = rest[25:]
    return '\r\n'.join(lines)


_BASE = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache'
_SEED = '\r\n'.join([
    HEADER, '',
    '[%s]' % _BASE, '',
    '[%s\\Tree]' % _BASE, '',
    '[%s\\Tree\\Vendor]' % _BASE, _hex_value('SD', b'\x01\x00\x04\x80' * 3), '',
    '[%s\\Tree\\Vendor\\Up]' % _BASE, '"Id"="{11111111-1111-1111-1111-111111111111}"', '"Index"=dword:00000003',
    _hex_value('SD', bytes(range(1, 120))), '',
    '[%s\\Tasks\\{11111111-1111-1111-1111-111111111111}]' % _BASE, '"Path"="\\\\Vendor\\\\Up"',
    _hex_value('Hash', bytes(range(32))), '"Schema"=dword:00010002', '',
    '[%s\\Tasks\\{22222222-2222-2222-2222-222222222222}]' % _BASE, '"Path"="\\\\Ghost"',
    _hex_value('Triggers', bytes(range(200))), '',
]) + '\r\n'


@MANY
@given(_EDITS)
def test_edited_regedit_files_read_as_the_reference_reads_them(edits):
    _same_as_reference(_mutate(_SEED, edits))


# -- the fast path is taken where it should be, and left where it must be --

def test_a_regedit_file_is_read_on_the_fast_path(monkeypatch):
    general = _GeneralLines(monkeypatch)
    outcome = _same_as_reference(_SEED)
    assert outcome[0] == 'ok'
    assert general.lines == [1]   # the header and the blank line after it
    export = parse_reg_export(_SEED)
    tree = export.key(_BASE + '\\Tree\\Vendor\\Up')
    assert (tree.get('Index').type, tree.get('Index').data) == (REG_DWORD, 3)
    assert (tree.get('SD').type, tree.get('SD').data) == (REG_BINARY, bytes(range(1, 120)))
    assert tree.get('SD').raw is tree.get('SD').data


def test_lf_line_ends_and_no_last_line_end_stay_on_the_fast_path(monkeypatch):
    general = _GeneralLines(monkeypatch)
    text = _SEED.replace('\r\n', '\n').rstrip('\n')
    assert _same_as_reference(text)[0] == 'ok'
    assert general.lines == [1]


def test_escaped_names_and_strings_on_the_fast_path(monkeypatch):
    general = _GeneralLines(monkeypatch)
    text = '\r\n'.join([HEADER, '[%s]' % KEY, '"Path"="\\\\Microsoft\\\\Windows\\\\Task \\"q\\" \\\\"',
                        '"a\\"b\\\\"="x"', '@="default"', '"Hash"=hex(3):0a,1b,\\', '  2c', '']) + '\r\n'
    _same_as_reference(text)
    assert general.lines == [1]
    values = parse_reg_export(text).key(KEY).values
    assert values['path'].data == '\\Microsoft\\Windows\\Task "q" \\'
    assert (values['a"b\\'].type, values['a"b\\'].data) == (REG_SZ, 'x')
    assert values[''].data == 'default'
    assert (values['hash'].type, values['hash'].data) == (3, b'\x0a\x1b\x2c')


@pytest.mark.parametrize('line, number', [
    ('"a"=hex:0a1b,2c', 3),            # no regedit pairs: 'bad hex data' from the general path
    ('"a"=hex:0a,,1b', 3),
    ('"a"=DWORD:1', None),             # upper case: read by the general path, no error
    ('"a"=dword:123456789', 3),        # nine digits
    ('"a"=-', None),                   # a deleted value
    ('  "a"="x"', None),               # indented
    ('"a"="x" ', None),                # trailing blank
    ('"a"="x', 3),                     # unterminated
    ('[-%s]' % KEY, None),             # a deleted key: the values after it are outside of a key
])
def test_other_shapes_take_the_general_path(monkeypatch, line, number):
    general = _GeneralLines(monkeypatch)
    text = '\r\n'.join([HEADER, '[%s]' % KEY, line, '"after"="y"', '']) + '\r\n'
    outcome = _same_as_reference(text)
    assert 3 in general.lines
    errors = outcome[1][2]
    if number is None:
        assert all(n != 3 for n, _msg in errors)
    else:
        assert errors[0][0] == number


def test_a_continued_hex_line_swallows_the_key_line_after_it_as_before():
    text = '\r\n'.join([HEADER, '[%s]' % KEY, '"a"=hex:0a,\\', '[%s\\Next]' % KEY, '"b"="y"', '']) + '\r\n'
    status, (keys, order, errors, _count, _deleted) = _same_as_reference(text)
    assert status == 'ok' and errors == [(3, 'bad hex data')]
    assert len(order) == 1   # [..\Next] was part of the hex value, "b" went to the first key


def test_values_before_any_key_and_error_numbers_after_fast_lines():
    text = '\r\n'.join([HEADER, '"early"="x"', '"early"=hex:01,\\', '  02', '[%s]' % KEY]
                       + ['"v%d"=dword:%08x' % (i, i) for i in range(50)] + ['garbage', '']) + '\r\n'
    status, (_keys, _order, errors, _count, _deleted) = _same_as_reference(text)
    assert status == 'ok'
    assert errors == [(2, 'value outside of a key'), (3, 'value outside of a key'), (56, 'unrecognised line')]


def test_errors_beyond_the_cap_are_counted_between_fast_lines():
    lines = [HEADER, '[%s]' % KEY]
    for i in range(reg_export.MAX_ERRORS + 5):
        lines += ['"ok%d"="x"' % i, 'garbage %d' % i]
    status, (_keys, _order, errors, count, _deleted) = _same_as_reference('\r\n'.join(lines) + '\r\n')
    assert status == 'ok' and count == reg_export.MAX_ERRORS + 5
    assert errors[0] == (4, 'unrecognised line') and errors[-2][0] == 2 * reg_export.MAX_ERRORS + 2
    assert errors[-1] == (0, '5 more malformed lines not listed')


@pytest.mark.parametrize('line', ['"a"="%s"', '"%s"="x"', '[%s]', '"a"=hex:%s', '"a"=hex:00,\\\r\n  %s'])
def test_a_line_longer_than_the_limit_in_a_fast_shape_is_refused_with_its_number(monkeypatch, line):
    monkeypatch.setattr(reg_export, 'MAX_LINE_CHARS', 60)
    long_part = ('ab,' * 30)[:-1] if 'hex' in line else 'A' * 70
    text = '\r\n'.join([HEADER, '[%s]' % KEY[:40], '"ok"="x"', line % long_part, '"b"="y"', '']) + '\r\n'
    outcome = _same_as_reference(text)
    number = 5 if '\\\r\n' in line else 4
    assert outcome == ('InputTooLargeError', 'registry export line %d is longer than 60 characters' % number)


def test_many_short_lines_longer_than_the_limit_together_are_read(monkeypatch):
    """A fast match spanning more than MAX_LINE_CHARS (a long hex value, blank lines
    after it) is read by the general path, which refuses only a long line."""
    monkeypatch.setattr(reg_export, 'MAX_LINE_CHARS', 60)
    chain = '"a"=hex:' + ',\\\r\n  '.join(['00,01,02,03'] * 20)
    text = '\r\n'.join([HEADER, '[%s]' % KEY[:40], chain, '', '', '"b"="y"', '']) + '\r\n'
    status, (keys, _order, errors, _count, _deleted) = _same_as_reference(text)
    assert status == 'ok' and errors == []
    assert keys[0][2][0][4] == bytes([0, 1, 2, 3]) * 20


def test_a_blank_line_longer_than_the_limit_after_a_fast_line_is_refused(monkeypatch):
    """The blank lines a fast match takes along are held to the limit too."""
    monkeypatch.setattr(reg_export, 'MAX_LINE_CHARS', 60)
    text = '\r\n'.join([HEADER, '[%s]' % KEY[:40], '"ok"="x"', ' ' * 70, '"b"="y"', '']) + '\r\n'
    assert _same_as_reference(text) == ('InputTooLargeError', 'registry export line 4 is longer than 60 characters')
