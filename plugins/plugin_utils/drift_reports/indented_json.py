# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Indented, key-sorted, ASCII-only JSON text, the same text as
``json.dumps(value, indent=n, sort_keys=True, ensure_ascii=True, default=str)``
in about a third of the time.

Internal to taskguard.windows. Why: with ``indent`` the standard library never
uses its C encoder; its pure-Python generators cost ~1.6 s of CPU for the
drift.json of 2,000 hosts (a sixth of the report step, which runs once after
every host, so it adds straight to the run's wall time). Here each value is one
append to one list, strings are escaped by the standard library's own C escape
(``encode_basestring_ascii``) and floats and ints by their ``__repr__``, as the
standard library does.

Only plain JSON shapes take this path: ``dict`` with ``str`` keys, ``list``,
``tuple``, ``str``, ``int``, ``float``, ``bool``, ``None`` (exact types), at
most ``MAX_DEPTH`` containers deep. Anything else (a subclass, a non-string
key, an object that ``default=str`` would turn into text, a cycle, a deeper
document) makes the WHOLE value go through ``json.dumps`` itself, so its text,
or the error it raises, is exactly the standard library's.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

# Exact types are the point here (a subclass goes to json.dumps): type() is, not isinstance().
# pylint: disable=unidiomatic-typecheck

import json
import math
from json.encoder import encode_basestring_ascii as _escape

# Deeper documents go to json.dumps: its recursion (and the error it raises on a
# hostile depth) stays the one that decides, never this module's own.
MAX_DEPTH = 100
# The pieces written since the last join become one string once there are more
# than this many: a list of millions of small strings (80 bytes each for ~23
# characters) cost more memory than the text itself.
JOIN_PIECES = 1024
_FLOAT = float.__repr__
_INT = int.__repr__


class _NotPlain(Exception):
    """The value is not a plain JSON shape: json.dumps writes it."""


class _Pieces(list):
    """The text written so far; ``joined``: how many leading pieces are joined blocks."""
    __slots__ = ("joined",)


def dumps(value, indent=None):
    """``json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=True, default=str)``."""
    if type(indent) is int:
        out = _Pieces()
        out.joined = 0
        try:
            _value(value, out, "\n", " " * indent, 0)
            return "".join(out)
        except Exception:   # _NotPlain, TypeError of unsortable keys, RecursionError: the standard library decides
            pass
    return json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=True, default=str)


def _scalar(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is int:
        return _INT(value)
    if kind is float:
        # json.encoder's floatstr with allow_nan (the default)
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return _FLOAT(value)
    raise _NotPlain()


def _value(value, out, newline, step, depth):
    kind = type(value)
    if kind is str:
        out.append(_escape(value))
    elif kind is dict:
        _dict(value, out, newline, step, depth)
    elif kind is list or kind is tuple:
        _list(value, out, newline, step, depth)
    else:
        out.append(_scalar(value))


def _join_some(out):
    """The pieces written since the last block, as one more block when they are many
    (in order: the text is the same; each character is copied once more, no more)."""
    if len(out) - out.joined > JOIN_PIECES:
        out[out.joined:] = ["".join(out[out.joined:])]
        out.joined = len(out)


def _dict(obj, out, newline, step, depth):
    """``newline``: "\\n" and the indentation of the line that holds ``{``."""
    if not obj:
        out.append("{}")
        return
    if depth >= MAX_DEPTH:
        raise _NotPlain()
    inner = newline + step
    lead, separator = "{" + inner, "," + inner
    for key in sorted(obj):
        if type(key) is not str:
            raise _NotPlain()   # json.dumps turns int/float/bool/None keys into text
        item = obj[key]
        kind = type(item)
        if kind is str:
            out.append(lead + _escape(key) + ": " + _escape(item))
        else:
            out.append(lead + _escape(key) + ": ")
            if kind is dict:
                _dict(item, out, inner, step, depth + 1)
            elif kind is list or kind is tuple:
                _list(item, out, inner, step, depth + 1)
            else:
                out.append(_scalar(item))
        lead = separator
    out.append(newline + "}")
    _join_some(out)


def _list(seq, out, newline, step, depth):
    if not seq:
        out.append("[]")
        return
    if depth >= MAX_DEPTH:
        raise _NotPlain()
    inner = newline + step
    lead, separator = "[" + inner, "," + inner
    for item in seq:
        kind = type(item)
        if kind is str:
            out.append(lead + _escape(item))
        else:
            out.append(lead)
            if kind is dict:
                _dict(item, out, inner, step, depth + 1)
            elif kind is list or kind is tuple:
                _list(item, out, inner, step, depth + 1)
            else:
                out.append(_scalar(item))
        lead = separator
    out.append(newline + "]")
    _join_some(out)
