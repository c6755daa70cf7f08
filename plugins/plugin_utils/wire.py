# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collect module's compressed material, decoded on the controller with bounds.

By default ``collect.ps1`` does not return ``tasks``/``events``/``admin_surface`` as
plain JSON: it serializes them to one JSON object, deflates it (.NET
``System.IO.Compression.DeflateStream``: raw deflate, RFC 1951, no zlib header) and
returns it base64-encoded (module option ``compress``, docs in collect.py)::

    {"changed": false, "errors": {...},
     "material": {"encoding": "deflate", "raw_bytes": <int>, "data": "<base64>"}}

``raw_bytes`` is the length of the UTF-8 JSON before deflating. Everything in it
comes from the host and is hostile: a base64 string larger than we would ever
need, a stream that inflates to gigabytes (a decompression bomb), a truncated or
corrupt stream, a ``raw_bytes`` that lies, bytes that are not UTF-8 JSON or JSON
that is not an object. Each of these is a ``MaterialDecodeError`` with a message
that says which; the inflate never holds more than ``MAX_MATERIAL_BYTES`` plus one
chunk, so a bomb costs bounded memory and time.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import binascii
import json
import zlib

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import InputTooLargeError, TaskGuardInputError

ENCODING = "deflate"
# A 250-task host sends about 0.8 MB of JSON; the largest host the collector
# allows (50,000 tasks, 5,000 events per channel) stays well below this.
MAX_MATERIAL_BYTES = 64 * 1024 * 1024
# Deflate never makes JSON bigger than a few bytes per 64 KiB block; base64 adds a third.
MAX_ENCODED_CHARS = MAX_MATERIAL_BYTES * 4 // 3 + 1024
# Output per zlib call: the bound is checked after every chunk.
CHUNK = 1024 * 1024
# The parts of a collect result that travel inside ``material``.
MATERIAL_KEYS = ("tasks", "events", "admin_surface")


class MaterialDecodeError(TaskGuardInputError):
    """The collect module's compressed material cannot be decoded."""


def inflate(compressed, limit=MAX_MATERIAL_BYTES):
    """Raw deflate (zlib wbits -15, what .NET DeflateStream writes) to bytes, at
    most ``limit`` bytes of output. Raises MaterialDecodeError (corrupt, truncated,
    trailing bytes) or InputTooLargeError (more than ``limit``)."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    out, total, pending = [], 0, compressed
    try:
        while not inflater.eof:
            piece = inflater.decompress(pending, min(CHUNK, limit - total + 1))
            pending = inflater.unconsumed_tail
            total += len(piece)
            if total > limit:
                raise InputTooLargeError("compressed material inflates to more than %d bytes (a decompression bomb?): "
                                         "not decoded" % limit)
            out.append(piece)
            if not piece and not pending:
                break   # every input byte used and nothing more comes out: the stream is cut short
    except zlib.error as exc:
        raise MaterialDecodeError("compressed material is not a valid deflate stream: %s" % exc)
    if not inflater.eof:
        raise MaterialDecodeError("compressed material is truncated (the deflate stream does not end)")
    if inflater.unused_data:
        raise MaterialDecodeError("compressed material has %d bytes after the end of the deflate stream"
                                  % len(inflater.unused_data))
    return b"".join(out)


def decode_material(material, limit=MAX_MATERIAL_BYTES):
    """The ``material`` section of a collect result as a dict with (some of) the
    keys ``MATERIAL_KEYS``. Raises MaterialDecodeError/InputTooLargeError."""
    if not isinstance(material, dict):
        raise MaterialDecodeError("material is a %s, not an object" % type(material).__name__)
    if material.get("encoding") != ENCODING:
        raise MaterialDecodeError("material encoding %r is not supported (expected %r)"
                                  % (str(material.get("encoding"))[:40], ENCODING))
    declared, data = material.get("raw_bytes"), material.get("data")
    if isinstance(declared, bool) or not isinstance(declared, int) or declared < 0:
        raise MaterialDecodeError("material raw_bytes is not a byte count")
    if declared > limit:
        raise InputTooLargeError("material of %d bytes exceeds the limit of %d bytes: not decoded" % (declared, limit))
    if not isinstance(data, str):
        raise MaterialDecodeError("material data is not a base64 string")
    if len(data) > MAX_ENCODED_CHARS:
        raise InputTooLargeError("material data of %d characters exceeds %d: not decoded" % (len(data), MAX_ENCODED_CHARS))
    try:
        compressed = base64.b64decode(data.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError) as exc:
        raise MaterialDecodeError("material data is not base64: %s" % exc)
    try:
        raw = inflate(compressed, limit=min(limit, declared))
    except InputTooLargeError:
        if declared >= limit:
            raise
        raise MaterialDecodeError("material inflates to more than the %d bytes the host declared: not decoded"
                                  % declared)
    if len(raw) != declared:
        raise MaterialDecodeError("material inflates to %d bytes, the host declared %d" % (len(raw), declared))
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MaterialDecodeError("material is not UTF-8: %s" % exc)
    except RecursionError:
        raise MaterialDecodeError("material JSON is nested too deeply")
    except ValueError as exc:
        raise MaterialDecodeError("material is not JSON: %s" % exc)
    if not isinstance(doc, dict):
        raise MaterialDecodeError("material JSON is a %s, not an object" % type(doc).__name__)
    return {key: doc[key] for key in MATERIAL_KEYS if key in doc}


def decode_result(module_result, limit=MAX_MATERIAL_BYTES):
    """(collect result with plain ``tasks``/``events``/``admin_surface``, problem or None).

    A result without ``material`` (``compress: false``, or an older collector) is
    returned as it is. With ``material``, only what it decodes to is used: plain
    keys beside it are dropped (a host does not get to send both). When it cannot
    be decoded the tasks and events are ``None`` (not collected) and the problem
    says why, so the audit reports a coverage gap instead of a clean host."""
    if not isinstance(module_result, dict) or "material" not in module_result:
        return module_result, None
    out = {key: value for key, value in module_result.items() if key != "material" and key not in MATERIAL_KEYS}
    try:
        out.update(decode_material(module_result.get("material"), limit=limit))
    except TaskGuardInputError as exc:
        out.update({"tasks": None, "events": None})
        return out, {"source": "material", "error": "the collected material could not be decoded: %s" % exc}
    out.setdefault("tasks", None)
    out.setdefault("events", None)
    return out, None


def encode_material(doc, level=9):
    """What collect.ps1 returns for ``doc`` (tests, fixtures and the benchmark's
    stand-in): compact JSON as ConvertTo-Json -Compress writes it, raw deflate, base64."""
    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    deflater = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    data = deflater.compress(raw) + deflater.flush()
    return {"encoding": ENCODING, "raw_bytes": len(raw), "data": base64.b64encode(data).decode("ascii")}
