# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compare fast path (a task value written exactly as in the entry is not
normalized) gives the same differences as normalizing every value, over values
that are equal only after normalizing, equal in Python but of other types
(1 == True == 1.0), missing, or hostile."""
from __future__ import annotations

import random

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_compare
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_compare import CompiledExpected

TEXTS = [
    "C:\\Windows\\System32\\foo.exe", "c:\\windows\\SYSTEM32\\foo.exe", "%windir%\\system32\\foo.exe",
    '"C:\\Windows\\System32\\foo.exe"', "C:/Windows/System32/foo.exe", "", "   ", None, 1, True, 1.0, "1", "true",
    "SYSTEM", "NT AUTHORITY\\SYSTEM", "S-1-5-18", ".\\alice", "HOST\\alice", "  a   b ", "a b", "A B",
    "{0358B920-0AC7-461F-98F4-58E32CD89148}", "0358b920-0ac7-461f-98f4-58e32cd89148", "exec", "Exec",
    "com_handler", "ServiceAccount", "InteractiveToken", "HighestAvailable", "PT1H", "pt1h", ["x"], {"x": 1},
]
ACTION_KEYS = ("type", "command", "arguments", "working_directory", "class_id", "data")
TRIGGER_KEYS = ("type", "enabled", "user_id", "delay")
PRINCIPAL_KEYS = ("user_id", "group_id", "logon_type", "run_level")


def _pick(rng, keys, optional=True):
    return {k: rng.choice(TEXTS) for k in keys if not optional or rng.random() < 0.6}


def _case(rng):
    want_actions = [_pick(rng, ACTION_KEYS) for _i in range(rng.choice((1, 1, 2)))]
    for action in want_actions:
        if not isinstance(action.get("type"), str):
            action["type"] = rng.choice(("exec", "com_handler"))
    expected = {"principal": _pick(rng, PRINCIPAL_KEYS), "actions": want_actions,
                "triggers": [_pick(rng, TRIGGER_KEYS) for _i in range(rng.choice((0, 1, 2)))]}
    if rng.random() < 0.3:
        expected["hidden"] = rng.choice((True, False))
    task = {"principal": dict(expected["principal"]),
            "actions": [dict(a) for a in want_actions],
            "triggers": [dict(t) for t in expected["triggers"]],
            "hidden": rng.choice((True, False))}
    # Then disturb the task: other spellings, other types, missing values.
    for part in [task["principal"]] + task["actions"] + task["triggers"]:
        for key in list(part):
            roll = rng.random()
            if roll < 0.07:
                part[key] = rng.choice(TEXTS)
            elif roll < 0.09:
                del part[key]
    if rng.random() < 0.1:
        task["triggers"].reverse()
    return expected, task


def _all_slow(monkeypatch):
    monkeypatch.setattr(inventory_compare, "_same_text", lambda written, have, none_too=False: False)


@pytest.mark.parametrize("seed", range(4))
def test_same_differences_as_normalizing_everything(seed, monkeypatch):
    rng = random.Random(seed)
    cases = [_case(rng) for _i in range(1500)]
    compiled = [(CompiledExpected(expected), task) for expected, task in cases]
    fast = [c.compare(task, path_sid="S-1-5-21-1-2-3-1001") for c, task in compiled]
    taken = {"yes": 0}
    real = inventory_compare._same_text

    def counting(written, have, none_too=False):
        same = real(written, have, none_too)
        taken["yes"] += bool(same)
        return same
    monkeypatch.setattr(inventory_compare, "_same_text", counting)
    assert [c.compare(task, path_sid="S-1-5-21-1-2-3-1001") for c, task in compiled] == fast
    assert taken["yes"] > 1000   # the fast path was taken, often
    _all_slow(monkeypatch)
    slow = [c.compare(task, path_sid="S-1-5-21-1-2-3-1001") for c, task in compiled]
    assert slow == fast
    # the cases are not all alike: some differ, some do not
    assert 100 < sum(1 for d in fast if d) < len(fast) - 100


@pytest.mark.parametrize("written, have, none_too, same", [
    ("a", "a", False, True),
    ("a", "A", False, False),      # equal only once normalized: the slow path decides
    (1, True, False, False),       # equal in Python, not as text
    (1.0, 1, False, False),
    (None, None, False, False),
    (None, None, True, True),
    (None, "", True, False),
    ("", None, True, False),
])
def test_same_text(written, have, none_too, same):
    assert inventory_compare._same_text(written, have, none_too) is same


@pytest.mark.parametrize("expected, task, differs", [
    ({"triggers": [{"type": "boot", "enabled": True}]}, {"triggers": [{"type": "boot", "enabled": 1}]}, True),
    ({"triggers": [{"type": "boot", "enabled": True}]}, {"triggers": [{"type": "boot", "enabled": True}]}, False),
    ({"triggers": [{"type": "boot", "delay": 1}]}, {"triggers": [{"type": "boot", "delay": True}]}, True),
    ({"triggers": [{"type": "Boot"}]}, {"triggers": [{"type": "boot"}]}, False),
    ({"principal": {"user_id": "SYSTEM"}}, {"principal": {"user_id": "S-1-5-18"}}, False),
    ({"principal": {"user_id": "SYSTEM"}}, {"principal": {"user_id": "SYSTEM "}}, False),
    ({"principal": {"run_level": 1}}, {"principal": {"run_level": True}}, True),
    ({"actions": [{"type": "exec", "command": "%windir%\\x.exe"}]},
     {"actions": [{"type": "exec", "command": "C:\\Windows\\x.exe"}]}, False),
    ({"actions": [{"type": "exec", "command": "x.exe"}]}, {"actions": [{"type": "exec", "command": "x.exe", "arguments": "-evil"}]}, True),
    ({"actions": [{"type": "exec", "command": "x.exe"}]}, {"actions": [{"type": "exec", "command": "x.exe", "arguments": ""}]}, False),
    ({"actions": [{"type": "exec", "command": "x.exe", "arguments": "-a"}]},
     {"actions": [{"type": "exec", "command": "x.exe", "arguments": "-A"}]}, False),
])
def test_tricky_values_both_paths(expected, task, differs, monkeypatch):
    fast = CompiledExpected(expected).compare(task)
    _all_slow(monkeypatch)
    assert CompiledExpected(expected).compare(task) == fast
    assert bool(fast) is differs
