# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A compiled pattern's match (the literal prefix/suffix checked first, then the
rest of each branch) answers exactly as the set-based simulation over every
whole branch, for random patterns and subjects, placeholders and both star
modes included."""
from __future__ import annotations

import random

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_patterns as ip

PATTERN_PIECES = ["a", "B", "\\", "-", "1", "9", "f", "*", "**", "?", "{sid}", "{guid}", "S-1-5-21-", "x"]
SUBJECT_PIECES = ["a", "b", "A", "\\", "-", "1", "0", "9", "f", "F", "x", "S-1-5-21-1-2-3-1001", "S-1-12-1-4-3-2-1",
                  "{0358B920-0AC7-461F-98F4-58E32CD89148}", "{0358b920-0ac7-461f-98f4-58e32cd8914}", "ß", "ss"]


def _reference(pattern, subject):
    if len(subject) > ip.MAX_SUBJECT_LENGTH:
        return False
    folded = subject.casefold()
    if pattern.literal is not None:
        return folded == pattern.literal
    return any(ip._simulate(list(branch), folded) for branch in pattern.branches)


def _pattern(rng):
    text = "".join(rng.choice(PATTERN_PIECES) for _i in range(rng.randint(1, 7)))
    try:
        return ip.compile_pattern(text, any_separator=rng.random() < 0.5)
    except ip.PatternError:
        return None


def _subjects(rng, pattern):
    out = ["".join(rng.choice(SUBJECT_PIECES) for _i in range(rng.randint(0, 8))) for _i in range(12)]
    # and subjects made from the pattern itself, so that matches are common
    for _i in range(6):
        pieces = []
        for ch in pattern.text.replace("**", "*"):
            pieces.append({"*": rng.choice(["", "a", "a\\b", "xx"]), "?": rng.choice(["a", "\\", ""])}.get(ch, ch))
        text = "".join(pieces).replace("{sid}", rng.choice(["S-1-5-21-1-2-3-4", "S-1-5-21-1-2-3"]))
        out.append(text.replace("{guid}", rng.choice(["{0358B920-0AC7-461F-98F4-58E32CD89148}", "{x}"])))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_match_agrees_with_the_whole_branch_simulation(seed):
    rng = random.Random(seed)
    checked = matched = 0
    while checked < 3000:
        pattern = _pattern(rng)
        if pattern is None:
            continue
        for subject in _subjects(rng, pattern):
            assert pattern.match(subject) is _reference(pattern, subject), (pattern.text, subject)
            checked += 1
            matched += _reference(pattern, subject)
    assert 300 < matched < checked - 300   # both answers are well represented
