# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place where XML from hosts, evidence and vendors is parsed.

Everything we parse is attacker-controlled (task files, event XML, TaskContent of
4698 events), so the parser is hardened once here instead of at every call site:

* DOCTYPE and ENTITY declarations are refused outright (before libxml2 sees
  them): task and event XML never need a DTD, so there is no reason to parse one
  (billion laughs, external entities, parameter entities);
* the lxml parser itself is created with ``resolve_entities=False``,
  ``no_network=True``, ``load_dtd=False``, ``huge_tree=False`` (libxml2's own
  depth and text-size limits stay on) as a second line of defence;
* input is capped in size before decoding, which also bounds parse time (libxml2
  parses in linear time once DTDs are out of the way);
* the encoding is decided here, not by the document: UTF-16 LE/BE with or without
  BOM and UTF-8 (with or without BOM) are detected from the bytes; the XML
  declaration is dropped because it may lie (4698 TaskContent is already-decoded
  text that still says ``encoding="UTF-16"``).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import codecs
import re
import threading

try:
    from lxml import etree
except ImportError:  # pragma: no cover - lxml is in requirements.txt
    etree = None

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import (
    InputTooLargeError,
    UnsafeXmlError,
    XmlParseError,
)

# Task definitions are a few KB; event XML with a task inside tens of KB. 8 MiB is
# far above anything legitimate and keeps one hostile file from exhausting memory.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024

_DECLARATION = re.compile(r'\A\s*<\?xml\s[^>]*?\?>')
_DECL_ENCODING = re.compile(r'''encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']''')
# Refused anywhere in the text: a false positive (the string inside CDATA) makes a
# document unparseable, which is reported; a false negative would be worse.
_FORBIDDEN = ('<!DOCTYPE', '<!ENTITY')

_local = threading.local()


def _parser():
    if etree is None:
        raise XmlParseError('lxml is required on the controller to parse XML (see requirements.txt)')
    # lxml parsers must not be shared between threads; Ansible workers are
    # processes, but a thread-local costs nothing and keeps the module reusable.
    parser = getattr(_local, 'parser', None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
            recover=False,
        )
        _local.parser = parser
    return parser


def decode_xml_bytes(data, what='XML'):
    """Decode XML bytes to text, deciding the encoding from the bytes themselves."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[3:].decode('utf-8')
        if data.startswith(codecs.BOM_UTF16_LE):
            return data[2:].decode('utf-16-le')
        if data.startswith(codecs.BOM_UTF16_BE):
            return data[2:].decode('utf-16-be')
        if len(data) >= 2:
            # No BOM: '<' (or whitespace) as UTF-16 has a zero byte on one side.
            if data[0] == 0 and data[1] != 0:
                return data.decode('utf-16-be')
            if data[0] != 0 and data[1] == 0:
                return data.decode('utf-16-le')
    except UnicodeDecodeError as exc:
        raise XmlParseError('%s: cannot decode as UTF-16: %s' % (what, exc))
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Not UTF-8: honour a declared single-byte encoding (old hand-written files).
    head = data[:200].decode('ascii', 'replace')
    match = _DECLARATION.match(head)
    enc = _DECL_ENCODING.search(match.group(0)) if match else None
    if enc:
        try:
            codec = codecs.lookup(enc.group(1))
            if not codec.name.startswith(('utf-16', 'utf-32', 'utf_16', 'utf_32')):
                return data.decode(codec.name)
        except (LookupError, UnicodeDecodeError):
            pass
    raise XmlParseError('%s: not valid UTF-8 or UTF-16: %s' % (what, utf8_error))


def prepare_text(data, *, max_bytes=DEFAULT_MAX_BYTES, what='XML'):
    """Return the document as text without BOM and XML declaration, size-checked."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        if len(data) > max_bytes:
            raise InputTooLargeError('%s: %d bytes exceeds the limit of %d' % (what, len(data), max_bytes))
        text = decode_xml_bytes(data, what)
    elif isinstance(data, str):
        # Text is capped on characters: a UTF-16 file of max_bytes has at most
        # max_bytes/2 characters, so this is never stricter than the bytes cap.
        if len(data) > max_bytes:
            raise InputTooLargeError('%s: %d characters exceeds the limit of %d' % (what, len(data), max_bytes))
        text = data
    else:
        raise XmlParseError('%s: expected bytes or str, got %s' % (what, type(data).__name__))
    if text.startswith('\ufeff'):
        text = text[1:]
    # XML 1.0 cannot contain NUL. UTF-32 without a BOM decodes "successfully" as
    # UTF-8 with NULs between the characters, which hid a DOCTYPE from the scan
    # below while libxml2 re-detected UTF-32 and processed it (issue 9).
    if '\x00' in text:
        raise XmlParseError('%s: NUL character in the document (not XML 1.0, or UTF-32)' % what)
    match = _DECLARATION.match(text)
    if match:
        text = text[match.end():]
    # Both forbidden tokens contain '!', which task and event XML rarely has: one
    # memchr-speed scan for it first (a scan for '<!' itself costs more than the
    # two token scans, '<' being everywhere).
    if '!' in text:
        for token in _FORBIDDEN:
            if token in text:
                raise UnsafeXmlError('%s: %s is not allowed' % (what, token[2:]))
    return text


_BOMS = (
    (codecs.BOM_UTF16_LE, 'utf-16-le'),
    (codecs.BOM_UTF16_BE, 'utf-16-be'),
    (codecs.BOM_UTF8, 'utf-8'),
)
# The tokens as they appear in each encoding, trailing NUL bytes trimmed: a
# search pattern ending in NUL (frequent in UTF-16) defeats the skip table of
# CPython's byte search and costs twice as much. A trimmed pattern can only
# add matches (a refusal), never miss one.
_FORBIDDEN_ENCODED = {
    enc: tuple((token, token.encode(enc).rstrip(b'\x00')) for token in _FORBIDDEN) for _bom, enc in _BOMS
}


_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def _bom_encoding(data, what='XML'):
    # UTF-32 (never used for task or event XML) is refused: its LE BOM starts
    # with the UTF-16 LE one, so the UTF-16 token scan below missed a DOCTYPE in
    # it and libxml2, which does read UTF-32, then loaded the external DTD and
    # parameter entities it named (file reads outside the root; issue 9).
    if data.startswith(_UTF32_BOMS):
        raise XmlParseError('%s: UTF-32 is not supported' % what)
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return None


def parse_xml(data, *, max_bytes=DEFAULT_MAX_BYTES, what='XML'):
    """Parse untrusted XML (bytes or str) and return the root lxml element.

    Raises ``InputTooLargeError``/``UnsafeXmlError``/``XmlParseError`` (all
    ``TaskGuardInputError``) on input we will not or cannot parse.
    """
    source = None
    if isinstance(data, (bytes, bytearray)):
        enc = _bom_encoding(data, what)
        if enc is not None:
            # Fast path for the common case (task files are UTF-16 LE with BOM):
            # libxml2 lets the BOM win over whatever the declaration claims
            # (checked in tests), so the bytes can go in as they are and the
            # decode/re-encode round trip is skipped.
            if len(data) > max_bytes:
                raise InputTooLargeError('%s: %d bytes exceeds the limit of %d' % (what, len(data), max_bytes))
            # The whole document is scanned, not only its head (issue 9 hostile
            # suite): a DOCTYPE pushed back by a long comment reached libxml2,
            # which then opened the external DTD / parameter entity named in it
            # (a file outside the evidence root: a FIFO there hung the run)
            # before the docinfo check below could refuse it. ``bytes in`` is a
            # C memory search, about a tenth of the parse per token.
            # The '!' byte pre-scan (as in prepare_text) can only let the full scan run
            # more often: every encoding of both tokens contains the byte 0x21.
            if b'!' in data:
                for token, encoded in _FORBIDDEN_ENCODED[enc]:
                    if encoded in data:
                        raise UnsafeXmlError('%s: %s is not allowed' % (what, token[2:]))
            source = bytes(data) if isinstance(data, bytearray) else data
    if source is None:
        text = prepare_text(data, max_bytes=max_bytes, what=what)
        if not text or text.isspace():
            raise XmlParseError('%s: empty document' % what)
        # Text goes in as text: lxml takes a str without an XML declaration, and a
        # lone surrogate (JSON can carry one) is then a parse error, where the
        # former encode('utf-8') raised UnicodeEncodeError and lost the host.
        source = text
    try:
        root = etree.fromstring(source, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlParseError('%s: not well-formed: %s' % (what, exc))
    except (ValueError, TypeError) as exc:  # lxml raises ValueError for odd input
        raise XmlParseError('%s: cannot parse: %s' % (what, exc))
    if root is None:
        raise XmlParseError('%s: empty document' % what)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeXmlError('%s: DOCTYPE is not allowed' % what)
    return root


def local_name(tag):
    """Element tag without namespace (``{ns}Exec`` -> ``Exec``); '' for non-elements."""
    if not isinstance(tag, str):
        return ''
    if tag[:1] == '{':
        return tag[tag.index('}') + 1:]
    return tag
