# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The speed-ups of inventory matching (docs/performance.md) keep its meaning:
prefix/suffix quick rejection never rejects a match, and the prefix-bucketed
HostView still returns the first matching pattern in file order."""
from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_patterns import compile_pattern


def test_prefix_and_suffix_are_the_literal_ends():
    pattern = compile_pattern("\\Contoso\\Updater{guid}.job", what="path_pattern")
    assert pattern.prefix == "\\contoso\\updater{"
    assert pattern.suffix == "}.job"
    assert pattern.match("\\CONTOSO\\Updater{0A3A7B38-0000-4000-8000-000000000001}.JOB")
    assert not pattern.match("\\Contoso\\Updater{0A3A7B38-0000-4000-8000-000000000001}.jobx")
    assert not pattern.match("\\Fabrikam\\Updater{0A3A7B38-0000-4000-8000-000000000001}.job")
    star_first = compile_pattern("*\\powershell.exe", any_separator=True, what="command_pattern")
    assert star_first.prefix == "" and star_first.suffix == "\\powershell.exe"
    assert star_first.match("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell.EXE")


def _reference(text):
    """Reference regex for the path-pattern syntax subset used below (* ? {sid})."""
    out = []
    for token in re.split(r"(\*\*|\*|\?|\{sid\})", text):
        if token == "**":
            out.append(".*")
        elif token == "*":
            out.append(r"[^\\]*")
        elif token == "?":
            out.append(r"[^\\]")
        elif token == "{sid}":
            out.append(r"S-1-(?:5-21|12-1)(?:-\d{1,10}){4}")
        else:
            out.append(re.escape(token))
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


_ALPHABET = st.sampled_from(["a", "B", "\\", "x", "-", "1", ".", "S"])


@settings(max_examples=300, deadline=None)
@given(head=st.text(_ALPHABET, max_size=6), tail=st.text(_ALPHABET, max_size=6),
       wild=st.sampled_from(["*", "**", "?", "{sid}", "*x*"]), subject=st.text(_ALPHABET, max_size=16))
def test_quick_rejection_never_changes_the_answer(head, tail, wild, subject):
    text = "\\" + head + wild + tail
    pattern = compile_pattern(text, what="path_pattern")
    assert pattern.match(subject) == bool(_reference(text).fullmatch(subject))
    probe = "\\" + head + "S-1-5-21-1-2-3-1001" + tail
    assert pattern.match(probe) == bool(_reference(text).fullmatch(probe))


def _write(path, tasks):
    lines = ["inventory_version: 1", "owner: {name: Test, kind: vendor, contact: t@example.invalid}", "tasks:"]
    for key, value in tasks:
        lines += ["  - %s: '%s'" % (key, value), "    justification: test",
                  "    expected: {principal: {user_id: S-1-5-19}, actions: [{type: exec, command: a.exe}]}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_first_pattern_in_file_order_wins_across_buckets(tmp_path):
    # A short-prefix pattern listed first must still win over a long-prefix one
    # (they sit in different index buckets), and the reverse order too.
    _write(tmp_path / "a.yml", [("path_pattern", "\\Con*\\Agent"), ("path_pattern", "\\Contoso\\*")])
    inventory = load_inventory([str(tmp_path / "a.yml")], today="2026-01-01")
    assert not inventory.errors
    view = inventory.for_host({"name": "h"})
    assert view.match("\\Contoso\\Agent").path_pattern == "\\Con*\\Agent"
    assert view.match("\\Contoso\\Other").path_pattern == "\\Contoso\\*"
    assert view.match("\\Cx\\Agent") is None

    _write(tmp_path / "b.yml", [("path_pattern", "\\Contoso\\*"), ("path_pattern", "\\Con*\\Agent"),
                                ("path", "\\Contoso\\Exact")])
    inventory = load_inventory([str(tmp_path / "b.yml")], today="2026-01-01")
    assert not inventory.errors
    view = inventory.for_host({"name": "h"})
    assert view.match("\\Contoso\\Agent").path_pattern == "\\Contoso\\*"
    assert view.match("\\Conan\\Agent").path_pattern == "\\Con*\\Agent"
    assert view.match("\\CONTOSO\\EXACT").path == "\\Contoso\\Exact"   # exact still wins
    assert view.match("\\Co") is None   # shorter than the bucket key


def _reference_normalize_path(path):
    path = str(path).replace("/", "\\")
    return "\\" + "\\".join(p for p in path.split("\\") if p)


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(["\\", "/", "a", "B", " ", "."]), max_size=10))
def test_normalize_path_fast_path_gives_the_same_answers(path):
    from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import normalize_path
    assert normalize_path(path) == _reference_normalize_path(path)
