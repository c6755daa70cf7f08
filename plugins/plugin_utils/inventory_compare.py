# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Normalization and comparison of an inventory entry's ``expected`` block with a task.

Windows compares paths and account names case-insensitively and the same program
is written in many ways (``"C:\\Windows\\system32\\x.exe"``, ``%windir%\\System32\\x.exe``,
``%SystemRoot%\\system32\\x.exe``): both sides are brought to one canonical form
before they are compared, so a vendor's entry does not depend on the spelling the
installer happened to use. The canonical form is only used for comparing; reports
show the values as written.
"""
from __future__ import (absolute_import, division, print_function)

__metaclass__ = type

import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_patterns import (
    compile_pattern,
)

# Well-known principals: every spelling maps to the SID.
_ACCOUNT_ALIASES = {
    "s-1-5-18": ["system", "localsystem", "nt authority\\system", "nt-autorität\\system", "local system"],
    "s-1-5-19": ["local service", "localservice", "nt authority\\local service", "nt authority\\localservice"],
    "s-1-5-20": ["network service", "networkservice", "nt authority\\network service", "nt authority\\networkservice"],
    "s-1-5-4": ["interactive", "nt authority\\interactive"],
    "s-1-5-11": ["authenticated users", "nt authority\\authenticated users"],
    "s-1-5-32-544": ["administrators", "builtin\\administrators"],
    "s-1-5-32-545": ["users", "builtin\\users"],
    "s-1-1-0": ["everyone"],
}
_ALIAS_TO_SID = {}
for _sid, _names in _ACCOUNT_ALIASES.items():
    _ALIAS_TO_SID[_sid] = _sid
    for _name in _names:
        _ALIAS_TO_SID[_name] = _sid

SYSTEM_SID = "s-1-5-18"

# Canonical prefixes for commands: longest first, so "program files (x86)" wins.
_ENV_FORMS = [
    ("%programfiles(x86)%", ["c:\\program files (x86)", "%programfiles(x86)%"]),
    ("%commonprogramfiles%", ["c:\\program files\\common files", "%commonprogramfiles%"]),
    ("%programfiles%", ["c:\\program files", "%programfiles%", "%programw6432%"]),
    ("%programdata%", ["c:\\programdata", "%programdata%", "%allusersprofile%"]),
    ("%systemroot%", ["c:\\windows", "%systemroot%", "%windir%"]),
]
_ENV_RE = re.compile("|".join(
    "(?:%s)" % re.escape(form) for _canon, forms in _ENV_FORMS for form in sorted(forms, key=len, reverse=True)
))
_ENV_CANON = {form: canon for canon, forms in _ENV_FORMS for form in forms}
_WS_RE = re.compile(r"\s+")
_SLASHES_RE = re.compile(r"\\{2,}")


# A SID as text once folded, ASCII only: \\d and re.IGNORECASE would also take
# other scripts' digits and U+017F (long s) for "s".
_FOLDED_SID_TEXT = re.compile(r"s-1(?:-[0-9]+)+", re.ASCII)


def normalize_account(value):
    """Canonical, case-folded account: well-known names become their SID.

    casefold() turns a few look-alike letters into ASCII (U+017F long s into
    "s", U+212A Kelvin sign into "k"); Windows does not. A text that would become
    SID text or a well-known name only through such a letter ("\u017f-1-5-18",
    "NT AUTHORITY\\\u017fYSTEM") is not that account: the look-alikes are kept as
    ``<u+017f>``, which no later casefold (inventory_patterns matches casefolded)
    turns back into the SID. Other names still casefold."""
    if value is None:
        return None
    raw = str(value).strip()
    if raw.startswith(".\\"):
        raw = raw[2:]
    v = raw.casefold()
    if raw.isascii() or not (_FOLDED_SID_TEXT.fullmatch(v) or v in _ALIAS_TO_SID):
        return _ALIAS_TO_SID.get(v, v)
    if not any(_folds_into_ascii(c) for c in raw):
        return _ALIAS_TO_SID.get(v, v)   # e.g. the German NT-AUTORIT\u00c4T\\SYSTEM
    return "".join("<u+%04x>" % ord(c) if _folds_into_ascii(c) else c.casefold() for c in raw)


def _folds_into_ascii(char):
    """A letter that is not ASCII but that casefold turns into ASCII (a look-alike)."""
    return not char.isascii() and char.casefold().isascii()


# SYSTEM, LOCAL SERVICE, NETWORK SERVICE (case-folded, as normalize_account returns
# them): the one set of the accounts Windows' own services run as (well_known_sids
# and drift.py use it too).
SERVICE_SIDS = frozenset(("s-1-5-18", "s-1-5-19", "s-1-5-20"))


def is_user_account(value):
    """True for an ordinary account: not SYSTEM/LOCAL SERVICE/NETWORK SERVICE, not a well-known group.

    Used by ``user_id: '{user}'`` for per-user tasks whose principal is written as
    a name (``HOST\\alice``) rather than the SID in the task path.
    """
    account = normalize_account(value)
    if not account:
        return False
    return account not in SERVICE_SIDS and account not in _ACCOUNT_ALIASES


def is_system(value):
    return normalize_account(value) == SYSTEM_SID


def _canon_env(text):
    return _ENV_RE.sub(lambda m: _ENV_CANON[m.group(0)], text)


def normalize_command(value):
    """Case-folded program path with quotes stripped and env var forms unified."""
    if value is None:
        return None
    v = str(value).strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        v = v[1:-1].strip()
    v = v.replace("/", "\\").casefold()
    v = v.replace("%systemdrive%", "c:")
    v = _SLASHES_RE.sub(r"\\", v)
    return _canon_env(v)


def normalize_arguments(value):
    """Arguments: whitespace collapsed, case-folded, env var forms unified; empty -> None.

    Case is folded because the programs Windows tasks run (and Windows itself)
    treat switches and paths case-insensitively; documented in the vendor guide.
    """
    if value is None:
        return None
    v = _WS_RE.sub(" ", str(value)).strip()
    if not v:
        return None
    return _canon_env(v.casefold().replace("%systemdrive%", "c:"))


def normalize_class_id(value):
    if value is None:
        return None
    v = str(value).strip().casefold()
    if not v.startswith("{"):
        v = "{" + v + "}"
    return v


def normalize_simple(value):
    if value is None:
        return None
    v = _WS_RE.sub(" ", str(value)).strip()
    return v.casefold() if v else None


def _pattern_or_none(spec, key, normalize):
    """Compile a pattern in the same canonical form as the values it is matched against.

    So ``C:\\Windows\\**`` also matches ``%windir%\\system32\\x.exe``.
    """
    text = spec.get(key)
    if text is None:
        return None
    return compile_pattern(normalize(text) or text, any_separator=True, what=key)


# How an expected principal value is compared (_principal_kind), decided once per entry.
_SIMPLE, _PATH_SID, _ANY_USER, _ACCOUNT = "simple", "{sid}", "{user}", "account"


def _principal_kind(key, want):
    """logon_type/run_level as text; an account as written, '{sid}' (the SID the task
    path ends with) or '{user}' (any ordinary account)."""
    if key == "logon_type" or key == "run_level":
        return _SIMPLE
    if want == "{sid}":
        return _PATH_SID
    if want == "{user}":
        return _ANY_USER
    return _ACCOUNT


class CompiledExpected:
    """``expected`` block compiled once per entry (patterns compiled at load time)."""

    def __init__(self, expected):
        self.raw = expected or {}
        self.principal = dict(self.raw.get("principal") or {})
        self.actions = []
        for action in self.raw.get("actions") or []:
            compiled = dict(action)
            compiled["_command_pattern"] = _pattern_or_none(action, "command_pattern", normalize_command)
            compiled["_arguments_pattern"] = _pattern_or_none(action, "arguments_pattern", normalize_arguments)
            compiled["_data_pattern"] = _pattern_or_none(action, "data_pattern", normalize_simple)
            # The entry's side of every comparison, normalized once here instead of
            # for every task of every host (performance, docs/performance.md).
            compiled["_norm"] = {
                "type": normalize_simple(action.get("type")),
                "command": normalize_command(action.get("command")),
                "arguments": normalize_arguments(action.get("arguments")),
                "working_directory": normalize_command(action.get("working_directory")),
                "class_id": normalize_class_id(action.get("class_id")),
                "data": normalize_simple(action.get("data")),
            }
            self.actions.append(compiled)
        self.triggers = list(self.raw.get("triggers") or [])
        self._principal_norm = {key: (normalize_simple(value) if key in ("logon_type", "run_level")
                                      else normalize_account(value))
                                for key, value in self.principal.items()}
        self._trigger_norm = [_normalize_trigger_want(t) for t in self.triggers]
        # What compare() checks, decided once per entry rather than per task.
        self._principal_checks = [(key, self.principal[key], self._principal_norm[key], _principal_kind(key, self.principal[key]))
                                  for key in ("user_id", "group_id", "logon_type", "run_level") if key in self.principal]
        self._flag_checks = [(key, self.raw[key]) for key in ("hidden", "enabled") if key in self.raw]

        # Which parts compare() looks at, decided once (not per task of every host).
        self._check_actions = self.raw.get("actions") is not None
        self._check_triggers = "triggers" in self.raw
        self._check_fingerprint = "fingerprint" in self.raw

    # -- comparison -------------------------------------------------------
    def compare(self, task, *, path_sid=None):
        diffs = []
        if self._principal_checks:
            principal = task.get("principal") or {}
            for key, want, want_norm, kind in self._principal_checks:
                have = principal.get(key)
                if kind is _ACCOUNT:
                    ok = _same_text(want, have) or want_norm == normalize_account(have)
                elif kind is _SIMPLE:
                    ok = _same_text(want, have) or want_norm == normalize_simple(have)
                elif kind is _PATH_SID:
                    ok = path_sid is not None and normalize_account(have) == path_sid.casefold()
                else:   # _ANY_USER
                    ok = is_user_account(have)
                if not ok:
                    _diff(diffs, "principal." + key, want, have)

        if self._check_actions:
            actual_actions = task.get("actions") or []
            if len(actual_actions) != len(self.actions):
                _diff(diffs, "actions", [_describe_action(a) for a in self.raw["actions"]],
                      [_describe_action(a) for a in actual_actions])
            else:
                for i, (want, have) in enumerate(zip(self.actions, actual_actions)):
                    self._compare_action(i, want, have, diffs)

        if self._check_triggers:
            # Trigger order carries no meaning (the scheduler fires each on its own),
            # so expected triggers are matched to actual ones as a multiset.
            remaining = list(task.get("triggers") or [])
            unmatched = False
            for want_norm in self._trigger_norm:
                for i, have in enumerate(remaining):
                    if _trigger_matches_norm(want_norm, have):
                        del remaining[i]
                        break
                else:
                    unmatched = True
            if unmatched or remaining:
                _diff(diffs, "triggers", [_describe_trigger(t) for t in self.triggers],
                      [_describe_trigger(t) for t in (task.get("triggers") or [])])

        for key, want in self._flag_checks:
            if want is not task.get(key):
                _diff(diffs, key, want, task.get(key))

        if self._check_fingerprint:
            have = task.get("fingerprint")
            if have is None or str(have).casefold() != str(self.raw["fingerprint"]).casefold():
                _diff(diffs, "fingerprint", self.raw["fingerprint"], have)
        return diffs

    @staticmethod
    def _compare_action(i, want, have, diffs):
        # The field names ("actions[i].<field>") are built only for a difference.
        norm = want["_norm"]
        value = have.get("type")
        if not _same_text(want.get("type"), value) and norm["type"] != normalize_simple(value):
            _diff(diffs, "actions[%d].type" % i, want.get("type"), value)
            return
        if "command" in want:
            value = have.get("command")
            if not _same_text(want["command"], value) and norm["command"] != normalize_command(value):
                _diff(diffs, "actions[%d].command" % i, want["command"], value)
        elif want["_command_pattern"] is not None:
            value = have.get("command")
            if not want["_command_pattern"].match(normalize_command(value) or ""):
                _diff(diffs, "actions[%d].command" % i, want["command_pattern"], value)
        value = have.get("arguments")
        if want["_arguments_pattern"] is not None:
            if not want["_arguments_pattern"].match(normalize_arguments(value) or ""):
                _diff(diffs, "actions[%d].arguments" % i, want["arguments_pattern"], value)
        elif not _same_text(want.get("arguments"), value, none_too=True) and \
                norm["arguments"] != normalize_arguments(value):
            # no arguments in the entry means: none allowed (appending arguments to an
            # allowed program is a classic way to abuse an allow list)
            _diff(diffs, "actions[%d].arguments" % i, want.get("arguments"), value)
        if "working_directory" in want:
            value = have.get("working_directory")
            if not _same_text(want["working_directory"], value) and norm["working_directory"] != normalize_command(value):
                _diff(diffs, "actions[%d].working_directory" % i, want["working_directory"], value)
        if "class_id" in want:
            value = have.get("class_id")
            if norm["class_id"] != normalize_class_id(value):
                _diff(diffs, "actions[%d].class_id" % i, want["class_id"], value)
        value = have.get("data")
        if "data" in want and norm["data"] != normalize_simple(value):
            _diff(diffs, "actions[%d].data" % i, want["data"], value)
        elif want["_data_pattern"] is not None and not want["_data_pattern"].match(normalize_simple(value) or ""):
            # also when "data" is given and equal: both are checked then
            _diff(diffs, "actions[%d].data" % i, want["data_pattern"], value)


def _diff(diffs, field, expected, actual):
    diffs.append({"field": field, "expected": expected, "actual": actual})


def _same_text(written, have, none_too=False):
    """True when the task holds exactly the text the entry was written with.

    Every normalize_* function maps equal input to equal output, so such a
    value needs no normalizing: the common case (entries are written from the
    tasks they document) skips the regular expressions of the normalizers
    (performance, docs/performance.md). Only strings qualify: ``1 == True``
    and ``1 == 1.0`` are equal in Python but normalize differently.
    ``none_too``: None on both sides is also the same (a field the entry leaves
    out and the task does not have).
    """
    if written.__class__ is str:
        return have.__class__ is str and have == written
    return none_too and written is None and have is None


def _describe_action(action):
    if not isinstance(action, dict):
        return str(action)
    kind = action.get("type")
    if kind == "com_handler":
        return "com_handler %s" % (action.get("class_id"),)
    command = action.get("command") or action.get("command_pattern")
    args = action.get("arguments") or action.get("arguments_pattern")
    return "%s %s%s" % (kind, command, (" " + args) if args else "")


def _normalize_trigger_want(want):
    """An expected trigger as (key, kind, normalized value, value as written)
    tuples, computed once."""
    out = []
    for key, want_value in want.items():
        if key == "user_id":
            out.append((key, "account", normalize_account(want_value), want_value))
        elif isinstance(want_value, bool):
            out.append((key, "bool", want_value, want_value))
        else:
            out.append((key, "simple", normalize_simple(want_value), want_value))
    return out


def _trigger_matches_norm(want_norm, have):
    """True when the task's trigger ``have`` has every value the expected trigger
    names (``want_norm`` from _normalize_trigger_want): accounts compared as SIDs,
    booleans by identity, the rest whitespace-collapsed and case-folded."""
    for key, kind, want_value, written in want_norm:
        have_value = have.get(key)
        if kind != "bool" and _same_text(written, have_value):
            continue
        if kind == "account":
            same = want_value == normalize_account(have_value)
        elif kind == "bool":
            same = want_value is have_value
        else:
            same = want_value == normalize_simple(have_value)
        if not same:
            return False
    return True


def _describe_trigger(trigger):
    if not isinstance(trigger, dict):
        return str(trigger)
    extra = ["%s=%s" % (k, trigger[k]) for k in ("enabled", "user_id", "delay", "repetition_interval")
             if k in trigger and trigger[k] is not None]
    return " ".join([str(trigger.get("type"))] + extra)
