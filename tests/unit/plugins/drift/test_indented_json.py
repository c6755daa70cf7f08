# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift_reports/indented_json.py writes drift.json (and the evidence JSON of
drift.html) faster than json.dumps with an indent: its text must be exactly
json.dumps's, and every value that is not a plain JSON shape (hostile or
unusual) must go to json.dumps itself, with json.dumps's text or error."""
from __future__ import annotations

import enum
import json
import types

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import (
    common, indented_json, json_format,
)


def stdlib(value, indent):
    return json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=True, default=str)


@pytest.fixture
def no_fallback(monkeypatch):
    """json.dumps made unusable inside indented_json: a value that still renders took the fast path."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("json.dumps was called")
    monkeypatch.setattr(indented_json, "json", types.SimpleNamespace(dumps=refuse))


@pytest.fixture
def fallback_calls(monkeypatch):
    calls = []

    def counting(*args, **kwargs):
        calls.append(args[0])
        return json.dumps(*args, **kwargs)
    monkeypatch.setattr(indented_json, "json", types.SimpleNamespace(dumps=counting))
    return calls


HOST_TEXT = ["", "plain", "quote \" backslash \\ slash /", "ctl\x00\x01\x1b[31m\x7f", "tab\tnl\nCR\r",
             "lone \ud800 surrogate \udfff", "rtl \u202e gpj.exe", "\u65e5\u672c\u8a9e", "\U0001f600 emoji",
             "{{ lookup('pipe','id') }}", "</script><script>", "\u2028\u2029", "\ufeff BOM"]
PLAIN = {
    "strings": HOST_TEXT,
    "numbers": [0, -1, 2 ** 64, -(2 ** 70), 0.0, -0.0, 1.5, 1e300, 1e-300, 3.141592653589793,
                float("nan"), float("inf"), float("-inf")],
    "flags": [True, False, None],
    "empty": {"dict": {}, "list": [], "tuple": (), "string": ""},
    "tuple": ("a", 1, ("nested", {"k": None})),
    "nested": [[[[{"deep": [{}]}]]]],
    "keys": {"b": 1, "a": 2, "B": 3, "\u00e9": 4, "": 5, "\ud800": 6, "a\x00": 7, "10": 8, "9": 9},
}


@pytest.mark.parametrize("indent", [0, 1, 2, 4])
def test_plain_shapes_are_json_dumps_text_without_calling_it(no_fallback, indent):
    assert indented_json.dumps(PLAIN, indent=indent) == stdlib(PLAIN, indent)


@pytest.mark.parametrize("value", [None, True, False, 0, 1.25, float("nan"), "text\x00", [], {}, (), [1, [2, []]]])
def test_top_level_values(no_fallback, value):
    assert indented_json.dumps(value, indent=1) == stdlib(value, 1)


class Kind(enum.IntEnum):
    ONE = 1


class Text(str):
    pass


class Mapping(dict):
    pass


UNUSUAL = {
    "int keys": {1: "a", 2: "b"},
    "float and bool keys": {1.5: 1, True: 2, 0: 3},
    "None key": {None: 1},
    "int enum value": {"kind": Kind.ONE},
    "str subclass value": {"text": Text("x")},
    "str subclass key": {Text("k"): 1},
    "dict subclass": [Mapping(a=1)],
    "object (default=str)": {"when": object.__new__(type("Stamp", (), {"__str__": lambda self: "2026-01-01"}))},
    "set (default=str)": {"set": {3}},
    "bytes (default=str)": [b"\x00raw"],
}
DEEP = "leaf"
for _level in range(indented_json.MAX_DEPTH + 5):
    DEEP = [DEEP]
UNUSUAL["deeper than MAX_DEPTH"] = {"deep": DEEP}


@pytest.mark.parametrize("name", sorted(UNUSUAL))
def test_unusual_values_are_written_by_json_dumps_itself(fallback_calls, name):
    value = UNUSUAL[name]
    assert indented_json.dumps(value, indent=1) == stdlib(value, 1)
    assert fallback_calls == [value]


def test_no_indent_is_json_dumps(fallback_calls):
    assert indented_json.dumps({"b": [1], "a": "x"}) == stdlib({"b": [1], "a": "x"}, None)
    assert len(fallback_calls) == 1


def _raised(call):
    try:
        call()
    except Exception as exc:   # the type and message are what must match
        return type(exc), str(exc)
    return None


def test_errors_are_json_dumps_errors():
    cycle = {"a": []}
    cycle["a"].append(cycle)
    mixed_keys = {"a": 1, 2: "b"}
    too_deep = []
    for _level in range(100000):
        too_deep = [too_deep]
    for value in (cycle, mixed_keys, too_deep):
        expected = _raised(lambda: stdlib(value, 1))
        assert expected is not None
        assert _raised(lambda: indented_json.dumps(value, indent=1)) == expected


def test_the_writers_use_it():
    doc = {"schema_version": 1, "hosts": {"h": {"findings": [{"title": HOST_TEXT}]}}, "n": float("nan")}
    assert json_format.render(doc) == (stdlib(doc, 1) + "\n").encode("ascii")
    assert common.to_json(doc, indent=1) == stdlib(doc, 1)
    assert common.to_json(doc) == stdlib(doc, None)


_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
            | st.text(max_size=20))
_VALUES = st.recursive(_SCALARS, lambda children: (
    st.lists(children, max_size=5) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=8), children, max_size=5)), max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(value=_VALUES, indent=st.integers(0, 3))
def test_property_same_text_as_json_dumps(value, indent):
    assert indented_json.dumps(value, indent=indent) == stdlib(value, indent)


@pytest.mark.parametrize("join_pieces", [0, 1, 7])
def test_joining_pieces_into_blocks_changes_no_text(no_fallback, monkeypatch, join_pieces):
    """Pieces are joined into blocks as the text grows (memory): any block size gives the same text."""
    monkeypatch.setattr(indented_json, "JOIN_PIECES", join_pieces)
    big = {"hosts": {"h%04d" % i: {"findings": [{"id": i, "title": HOST_TEXT[i % len(HOST_TEXT)], "tags": ["a", [], {}]}]}
                     for i in range(300)}, "plain": PLAIN}
    for indent in (0, 1, 3):
        assert indented_json.dumps(big, indent=indent) == stdlib(big, indent)


def test_a_large_document_with_the_default_block_size():
    big = [{"k%d" % i: [i, str(i), {"x": None}]} for i in range(5000)]
    assert indented_json.dumps(big, indent=1) == stdlib(big, 1)
