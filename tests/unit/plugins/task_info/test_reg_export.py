# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import codecs

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import (
    InputTooLargeError,
    RegExportError,
    TaskGuardInputError,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.reg_export import (
    REG_BINARY,
    REG_DWORD,
    REG_EXPAND_SZ,
    REG_MULTI_SZ,
    REG_QWORD,
    parse_reg_export,
    read_reg_export,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.taskcache import _tree_path, from_reg_export

from task_info_evidence import RegBuilder

SAMPLE = '\r\n'.join([
    'Windows Registry Editor Version 5.00',
    '',
    '; a comment',
    '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]',
    '@="default value"',
    '"Plain"="C:\\\\Program Files\\\\x.exe \\"quoted\\""',
    '"Trailing"="ends with backslash\\\\"',
    '"With=Equals"="a=b"',
    '"Dword"=dword:0000002a',
    '"Bin"=hex:01,02,03,\\',
    '  04,05,\\',
    '  06',
    '"Empty"=hex:',
    '"Expand"=hex(2):25,00,53,00,79,00,73,00,25,00,00,00',
    '"Multi"=hex(7):61,00,00,00,62,00,00,00,00,00',
    '"Qword"=hex(b):01,00,00,00,00,00,00,00',
    '"Gone"="x"',
    '"Gone"=-',
    '',
    '[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Deleted]',
    '',
    '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test\\Sub]',
    '"Broken"=qword:12',
    '"Unterminated="oops',
    '',
])


@pytest.mark.parametrize('encode', [
    lambda s: codecs.BOM_UTF16_LE + s.encode('utf-16-le'),
    lambda s: s.encode('utf-16-le'),
    lambda s: codecs.BOM_UTF8 + s.encode('utf-8'),
    lambda s: s,
], ids=['utf16-bom', 'utf16', 'utf8-bom', 'str'])
def test_sample_values(encode):
    export = parse_reg_export(encode(SAMPLE))
    key = export.key('hkey_local_machine\\software\\test')
    assert key is not None
    assert key.get('').data == 'default value'
    assert key.get('plain').data == 'C:\\Program Files\\x.exe "quoted"'
    assert key.get('Trailing').data == 'ends with backslash\\'
    assert key.get('With=Equals').data == 'a=b'
    assert (key.get('Dword').type, key.get('Dword').data) == (REG_DWORD, 42)
    assert (key.get('Bin').type, key.get('Bin').data) == (REG_BINARY, b'\x01\x02\x03\x04\x05\x06')
    assert key.get('Empty').data == b''
    assert (key.get('Expand').type, key.get('Expand').data) == (REG_EXPAND_SZ, '%Sys%')
    assert (key.get('Multi').type, key.get('Multi').data) == (REG_MULTI_SZ, ['a', 'b'])
    assert (key.get('Qword').type, key.get('Qword').data) == (REG_QWORD, 1)
    assert key.get('Gone') is None
    assert export.deleted_keys == ['HKEY_LOCAL_MACHINE\\SOFTWARE\\Deleted']
    # malformed lines are reported with their line numbers, the rest still read
    assert [n for n, _msg in export.errors] == [23, 24]
    assert export.key('HKEY_LOCAL_MACHINE\\SOFTWARE\\Test\\Sub') is not None
    assert [rel for rel, _k in export.subkeys('HKEY_LOCAL_MACHINE\\SOFTWARE\\Test')] == ['Sub']


def test_regedit4_ansi():
    text = 'REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\X]\r\n"A"="caf\xe9"\r\n'
    export = parse_reg_export(text.encode('cp1252'))
    assert export.key('HKEY_LOCAL_MACHINE\\X').get('a').data == 'caf\xe9'


@pytest.mark.parametrize('data', [b'', b'garbage\r\n[x]', b'\xff\xfe' + 'not a header'.encode('utf-16-le'),
                                  b'\xff\xfe\x00\xd8', 42])
def test_not_an_export(data):
    with pytest.raises(TaskGuardInputError):
        parse_reg_export(data)


def test_size_cap(tmp_path):
    with pytest.raises(InputTooLargeError):
        parse_reg_export(b'x' * 100, max_bytes=10)
    path = tmp_path / 'big.reg'
    path.write_bytes(b'x' * 100)
    with pytest.raises(InputTooLargeError):
        read_reg_export(str(path), max_bytes=10)
    with pytest.raises(RegExportError):
        read_reg_export(str(tmp_path / 'missing.reg'))


def test_taskcache_from_builder_export_with_continuations():
    sha = bytes(range(32))
    reg = RegBuilder().task('\\Vendor\\Up', '{11111111-1111-1111-1111-111111111111}', hash_=sha) \
        .task('\\Ghost', '{22222222-2222-2222-2222-222222222222}', sd=False, index=0)
    data = reg.bytes()
    assert b'\\\x00\r\x00\n\x00' in data  # the export really has continuation lines
    cache, found = from_reg_export(parse_reg_export(data))
    assert found and cache['errors'] == []
    assert set(cache['tree']) == {'\\vendor\\up', '\\ghost'}  # folder key \Vendor left out
    up = cache['tree']['\\vendor\\up']
    assert up == {'path': '\\Vendor\\Up', 'id': '{11111111-1111-1111-1111-111111111111}', 'index': 3,
                  'sd_present': True, 'sd_length': 119}
    ghost = cache['tree']['\\ghost']
    assert ghost['sd_present'] is False and ghost['index'] == 0
    task = cache['tasks']['{11111111-1111-1111-1111-111111111111}']
    assert task['path'] == '\\Vendor\\Up' and task['hash'] == sha.hex()


def test_taskcache_missing_key():
    export = parse_reg_export('Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Other]\r\n')
    cache, found = from_reg_export(export)
    assert not found and 'TaskCache' in cache['errors'][0]['error']


@pytest.mark.parametrize('rel', ['A', 'A\\B', '\\A', 'A\\', 'A\\\\B', '', '\\', '\\\\', 'A\\B\\', '\u0130\\x'])
def test_tree_path_with_a_leading_backslash_is_the_same_path(rel):
    """from_reg_export hands _tree_path '\\' + the subkey's path (its fast path):
    the same path as the subkey's path alone, empty parts dropped either way."""
    assert _tree_path('\\' + rel) == _tree_path(rel)


def test_taskcache_tree_keys_with_empty_parts_from_an_export():
    base = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache'
    text = '\r\n'.join(['Windows Registry Editor Version 5.00', '', '[%s]' % base,
                        '[%s\\Tree\\\\Double\\\\Slash\\]' % base, '"Id"="{1}"', '']) + '\r\n'
    cache, found = from_reg_export(parse_reg_export(text))
    assert found and list(cache['tree']) == ['\\double\\slash']
    assert cache['tree']['\\double\\slash']['path'] == '\\Double\\Slash'
