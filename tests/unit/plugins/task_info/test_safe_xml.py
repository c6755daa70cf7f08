# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import codecs

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import (
    InputTooLargeError,
    TaskGuardInputError,
    UnsafeXmlError,
    XmlParseError,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.safe_xml import local_name, parse_xml

DOC = '<?xml version="1.0" encoding="UTF-16"?>\r\n<Root xmlns="urn:x"><Child a="\u00e9">\u4e2d\u6587 text</Child></Root>\r\n'


def _check(root):
    assert local_name(root.tag) == 'Root'
    child = root[0]
    assert child.get('a') == '\u00e9'
    assert child.text == '\u4e2d\u6587 text'


@pytest.mark.parametrize('data', [
    codecs.BOM_UTF16_LE + DOC.encode('utf-16-le'),
    codecs.BOM_UTF16_BE + DOC.encode('utf-16-be'),
    DOC.encode('utf-16-le'),
    DOC.encode('utf-16-be'),
    codecs.BOM_UTF8 + DOC.replace('UTF-16', 'UTF-8').encode('utf-8'),
    DOC.replace('UTF-16', 'UTF-8').encode('utf-8'),
    # mislabelled: declaration says UTF-16, bytes are UTF-8 (we trust the bytes)
    DOC.encode('utf-8'),
    DOC.replace('\r\n', '\n').encode('utf-16'),
], ids=['le-bom', 'be-bom', 'le', 'be', 'utf8-bom', 'utf8', 'utf8-mislabelled', 'lf'])
def test_encodings_decoded_from_bytes(data):
    _check(parse_xml(data))


def test_str_with_utf16_declaration_is_accepted():
    # 4698 TaskContent arrives as decoded text that still declares UTF-16.
    _check(parse_xml(DOC))
    _check(parse_xml('\ufeff' + DOC))


def test_bom_wins_over_declaration():
    # The fast path hands BOM-prefixed bytes to libxml2 unchanged; this pins that
    # libxml2 follows the BOM, not a lying declaration.
    data = codecs.BOM_UTF16_LE + DOC.replace('UTF-16', 'ISO-8859-1').encode('utf-16-le')
    _check(parse_xml(data))


def test_declared_single_byte_encoding_when_not_utf8():
    data = '<?xml version="1.0" encoding="windows-1252"?><Root><Child a="\u00e9">x</Child></Root>'.encode('cp1252')
    assert parse_xml(data)[0].get('a') == '\u00e9'


BOMB = '''<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>'''
XXE = '''<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'''
XXE_PARAM = '''<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://example.invalid/x.dtd"><r/>'''


@pytest.mark.parametrize('doc', [BOMB, XXE, XXE_PARAM])
@pytest.mark.parametrize('encode', [
    lambda s: s,
    lambda s: s.encode('utf-8'),
    lambda s: codecs.BOM_UTF16_LE + s.encode('utf-16-le'),
    lambda s: codecs.BOM_UTF16_BE + s.encode('utf-16-be'),
    lambda s: s.encode('utf-16-le'),
    lambda s: codecs.BOM_UTF8 + s.encode('utf-8'),
], ids=['str', 'utf8', 'le-bom', 'be-bom', 'le', 'utf8-bom'])
def test_dtd_and_entities_refused(doc, encode):
    with pytest.raises(UnsafeXmlError):
        parse_xml(encode(doc))


def test_undeclared_entity_is_a_parse_error():
    with pytest.raises(XmlParseError):
        parse_xml('<r>&undefined;</r>')


def test_size_cap_bytes_and_str():
    big = '<r>' + 'a' * 5000 + '</r>'
    with pytest.raises(InputTooLargeError):
        parse_xml(big, max_bytes=1000)
    with pytest.raises(InputTooLargeError):
        parse_xml(big.encode('utf-8'), max_bytes=1000)
    with pytest.raises(InputTooLargeError):
        parse_xml(codecs.BOM_UTF16_LE + big.encode('utf-16-le'), max_bytes=1000)
    assert parse_xml(big, max_bytes=10000).text == 'a' * 5000


@pytest.mark.parametrize('data', [
    b'', '', '   ', b'<r>', b'not xml at all', b'<a></b>',
    codecs.BOM_UTF16_LE + b'<\x00r\x00>',  # odd length, truncated
    b'\xff\xfe\x00\xd8',  # lone surrogate
    b'<r>\xff\xfe\xfa</r>',  # neither UTF-8 nor declared
    12345, None,
])
def test_garbage_raises_input_error(data):
    with pytest.raises(TaskGuardInputError) as info:
        parse_xml(data, what='thing')
    assert 'thing' in str(info.value)


def test_error_hierarchy():
    for cls in (UnsafeXmlError, XmlParseError, InputTooLargeError):
        assert issubclass(cls, TaskGuardInputError)
        assert issubclass(cls, ValueError)


def test_comments_and_pis_dropped():
    root = parse_xml('<r><!-- c --><?pi x?><a/></r>')
    assert [local_name(c.tag) for c in root] == ['a']


def test_doctype_behind_a_long_comment_is_still_refused():
    # The byte scan only looks at the head of BOM-prefixed documents; a DOCTYPE
    # pushed further back is parsed without entity expansion and then refused.
    doc = '<!--' + 'x' * 5000 + '-->' + XXE.replace('<?xml version="1.0"?>', '')
    for data in (codecs.BOM_UTF16_LE + doc.encode('utf-16-le'), codecs.BOM_UTF8 + doc.encode('utf-8'), doc):
        with pytest.raises(UnsafeXmlError):
            parse_xml(data)
    bomb = '<!--' + 'x' * 5000 + '-->' + BOMB.replace('<?xml version="1.0"?>', '')
    with pytest.raises(UnsafeXmlError):
        parse_xml(codecs.BOM_UTF16_LE + bomb.encode('utf-16-le'))
