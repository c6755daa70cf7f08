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


# ---------------------------------------------------------------------------
# The compiled comparison against the rules read straight: every value of both
# sides normalized on every call, nothing decided at load time. Catches a
# compiled shortcut (principal kinds, lazy field names, one copy of the
# triggers) that both the fast and the slow path above would share.
def _reference(expected, task, path_sid):
    ic = inventory_compare
    diffs = []

    def diff(field, want, have):
        diffs.append({"field": field, "expected": want, "actual": have})
    principal = task.get("principal") or {}
    for key in ("user_id", "group_id", "logon_type", "run_level"):
        if key not in (expected.get("principal") or {}):
            continue
        want, have = expected["principal"][key], principal.get(key)
        if key in ("logon_type", "run_level"):
            ok = ic.normalize_simple(want) == ic.normalize_simple(have)
        elif want == "{sid}":
            ok = path_sid is not None and ic.normalize_account(have) == path_sid.casefold()
        elif want == "{user}":
            ok = ic.is_user_account(have)
        else:
            ok = ic.normalize_account(want) == ic.normalize_account(have)
        if not ok:
            diff("principal." + key, want, have)
    if expected.get("actions") is not None:
        actual = task.get("actions") or []
        if len(actual) != len(expected["actions"]):
            diff("actions", [ic._describe_action(a) for a in expected["actions"]], [ic._describe_action(a) for a in actual])
        else:
            for i, (want, have) in enumerate(zip(expected["actions"], actual)):
                _reference_action("actions[%d]." % i, want, have, diff)
    if "triggers" in expected:
        remaining = list(task.get("triggers") or [])
        unmatched = False
        for want in expected["triggers"]:
            for i, have in enumerate(remaining):
                if all(_reference_trigger_value(k, v, have.get(k)) for k, v in want.items()):
                    del remaining[i]
                    break
            else:
                unmatched = True
        if unmatched or remaining:
            diff("triggers", [ic._describe_trigger(t) for t in expected["triggers"]],
                 [ic._describe_trigger(t) for t in task.get("triggers") or []])
    for key in ("hidden", "enabled"):
        if key in expected and expected[key] is not task.get(key):
            diff(key, expected[key], task.get(key))
    if "fingerprint" in expected:
        have = task.get("fingerprint")
        if have is None or str(have).casefold() != str(expected["fingerprint"]).casefold():
            diff("fingerprint", expected["fingerprint"], have)
    return diffs


def _matches(pattern_text, normalize, value):
    from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_patterns import compile_pattern
    pattern = compile_pattern(normalize(pattern_text) or pattern_text, any_separator=True, what="test")
    return bool(pattern.match(normalize(value) or ""))


def _reference_action(prefix, want, have, diff):
    ic = inventory_compare
    if ic.normalize_simple(want.get("type")) != ic.normalize_simple(have.get("type")):
        diff(prefix + "type", want.get("type"), have.get("type"))
        return
    if "command" in want:
        if ic.normalize_command(want["command"]) != ic.normalize_command(have.get("command")):
            diff(prefix + "command", want["command"], have.get("command"))
    elif "command_pattern" in want and not _matches(want["command_pattern"], ic.normalize_command, have.get("command")):
        diff(prefix + "command", want["command_pattern"], have.get("command"))
    if "arguments_pattern" in want:
        if not _matches(want["arguments_pattern"], ic.normalize_arguments, have.get("arguments")):
            diff(prefix + "arguments", want["arguments_pattern"], have.get("arguments"))
    elif ic.normalize_arguments(want.get("arguments")) != ic.normalize_arguments(have.get("arguments")):
        diff(prefix + "arguments", want.get("arguments"), have.get("arguments"))
    if "working_directory" in want and \
            ic.normalize_command(want["working_directory"]) != ic.normalize_command(have.get("working_directory")):
        diff(prefix + "working_directory", want["working_directory"], have.get("working_directory"))
    if "class_id" in want and ic.normalize_class_id(want["class_id"]) != ic.normalize_class_id(have.get("class_id")):
        diff(prefix + "class_id", want["class_id"], have.get("class_id"))
    # "data" wins only when it differs: an equal "data" still has "data_pattern" checked
    if "data" in want and ic.normalize_simple(want["data"]) != ic.normalize_simple(have.get("data")):
        diff(prefix + "data", want["data"], have.get("data"))
    elif "data_pattern" in want and not _matches(want["data_pattern"], ic.normalize_simple, have.get("data")):
        diff(prefix + "data", want["data_pattern"], have.get("data"))


def _reference_trigger_value(key, want, have):
    ic = inventory_compare
    if key == "user_id":
        return ic.normalize_account(want) == ic.normalize_account(have)
    if isinstance(want, bool):
        return want is have
    return ic.normalize_simple(want) == ic.normalize_simple(have)


PATTERNS = {"command_pattern": ["C:\\Windows\\**", "*\\foo.exe", "%ProgramFiles%\\Vendor\\*.exe"],
            "arguments_pattern": ["*", "-a *", "/S*"], "data_pattern": ["*", "<x>*"]}


def _case_with_patterns_and_sids(rng):
    expected, task = _case(rng)
    for action in expected["actions"]:
        for key, choices in PATTERNS.items():
            if rng.random() < 0.25:
                action[key] = rng.choice(choices)   # "command"/"data" as well: those win
        if "command_pattern" in action and rng.random() < 0.7:
            action.pop("command", None)
    if rng.random() < 0.15:
        expected["principal"]["user_id"] = rng.choice(("{sid}", "{user}"))
    for key in ("enabled", "fingerprint"):
        if rng.random() < 0.2:
            expected[key] = rng.choice((True, False, "abc", "ABC"))
            task[key] = rng.choice((True, False, "abc", "abC", None))
    if rng.random() < 0.1:
        del expected["actions"]
    return expected, task


@pytest.mark.parametrize("seed", range(3))
def test_compiled_compare_equals_the_rules_read_straight(seed):
    rng = random.Random(1000 + seed)
    checked = differ = 0
    for _i in range(1500):
        expected, task = _case_with_patterns_and_sids(rng)
        sid = rng.choice((None, "S-1-5-21-1-2-3-1001", "s-1-5-18"))
        try:
            compiled = CompiledExpected(expected)
        except Exception:   # a pattern the loader refuses (the inventory reports it): not compared
            continue
        got = compiled.compare(task, path_sid=sid)
        assert got == _reference(expected, task, sid), (expected, task)
        checked += 1
        differ += bool(got)
    assert checked > 1000 and 100 < differ < checked - 100
