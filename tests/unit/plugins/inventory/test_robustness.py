# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile or odd input never crashes the loader; the pattern engine agrees with a reference."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_patterns import (
    compile_pattern, patterns_intersect,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_yaml import load_yaml_text

from .conftest import TODAY


@pytest.mark.parametrize("text", [
    "[]", "42", "'just a string'", "tasks: 5", "owner: []\ntasks: [1, 'x', null, [], {}]",
    "inventory_version: 1\nowner: {name: a, kind: vendor, contact: b}\ntasks: [{path: 5, justification: [], expected: 3}]",
    "inventory_version: 1\nowner: {name: a, kind: vendor, contact: b}\ntasks:\n  - {path_pattern: '\\\\x*', justification: j,"
    " expected: {actions: [{type: exec, command_pattern: '{nope}'}]}, allowed_registrants: ['{sid']}",
    "--- a\n--- b\n", "? [a, b]\n: c\n", "a: !!int x\n", "a: &x\nb: *y\n", "\t- bad indent",
    "key: \ud7ff value", "{" * 100 + "}" * 100,
])
def test_odd_files_give_errors_not_exceptions(write, text):
    write("odd.yml", text)
    inventory = load_inventory([str(write.root)], today=TODAY)
    assert inventory.errors
    for problem in inventory.errors:
        assert set(problem) == {"file", "line", "column", "code", "message"}
        assert problem["line"] >= 1 and problem["column"] >= 1


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1:-[]{}&*!|>'\"#\n \t?,\\")), max_size=60))
def test_yaml_reader_never_raises(text):
    doc = load_yaml_text(text)
    assert isinstance(doc.errors, list)


def _reference(pattern):
    """Regex for the same glob semantics (only for short test inputs)."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append(r"[^\\]*")
            i += 1
        elif pattern[i] == "?":
            out.append(r"[^\\]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


_pat = st.text(alphabet=list("aB\\*?"), min_size=1, max_size=8).filter(lambda p: "***" not in p)
_subject = st.text(alphabet=list("abAB\\"), max_size=10)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(_pat, _subject)
def test_engine_agrees_with_reference_regex(pattern, subject):
    assert compile_pattern(pattern).match(subject) == bool(_reference(pattern).fullmatch(subject))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(_pat, _pat, st.lists(_subject, max_size=20))
def test_intersection_is_never_wrong_about_a_witness(a, b, subjects):
    pa, pb = compile_pattern(a), compile_pattern(b)
    if any(pa.match(s) and pb.match(s) for s in subjects):
        assert patterns_intersect(pa, pb)
    if not patterns_intersect(pa, pb):
        assert not any(pa.match(s) and pb.match(s) for s in subjects)
