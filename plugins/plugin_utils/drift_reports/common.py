# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text helpers shared by the report writers.

Every string in a report comes from a host, an evidence folder or a vendor file:
it is made *visible* (invisible and control characters become ``<U+XXXX>``
markers so a right-to-left override cannot reorder what the analyst reads)
before each format escapes it for its own syntax.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import functools
import json
import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import indented_json


# C0/C1 controls (except tab, LF, CR), bidi controls, zero-width characters,
# BOM, noncharacters and lone surrogates; also the other format characters and
# blank fillers that render as nothing (soft hyphen, combining grapheme joiner,
# Hangul/Khmer/Mongolian fillers, variation selectors, tag characters): without
# them "Up<U+00AD>date" showed as "Update" (issue 9).
_INVISIBLE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f"
                        "\u2028\u2029\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff"
                        "\u00ad\u034f\u0600-\u0605\u06dd\u070f\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0"
                        "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef]")


def visible(value):
    """str() of value with invisible/control characters shown as <U+XXXX>."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable() and type(text) is str:  # pylint: disable=unidiomatic-typecheck
        # nothing to mark: every character _INVISIBLE matches is a control or non-ASCII
        # (the common case; the regex pass cost ~0.5 us a string, a million strings a report)
        return text
    return _INVISIBLE.sub(_marker, text)


def _marker(match):
    return "<U+%04X>" % ord(match.group(0))


def one_line(value, limit=300):
    if type(value) is str and len(value) <= 256:  # pylint: disable=unidiomatic-typecheck
        return _short_one_line(value, limit)   # labels and enumerations: the same few hundred texts
    return _one_line(value, limit)


@functools.lru_cache(maxsize=2048)
def _short_one_line(text, limit):
    return _one_line(text, limit)


def _one_line(value, limit):
    text = visible(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    if len(text) > limit:
        text = text[:limit] + "..."
    return text


def to_json(value, indent=None):
    if indent is not None:
        return indented_json.dumps(value, indent=indent)   # the same text as below, faster
    return json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=True, default=str)
