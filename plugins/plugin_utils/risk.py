# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Risk rules as data: load, validate, compile once, evaluate normalized tasks.

Rule files (``risk_rules/*.yml``, format in docs/drift.md) declare, per rule, an
id, title, description, severity, category, MITRE ids, references and a
declarative ``match`` tree (``all``/``any``/``not`` of ``{field, op, values}``).
Everything is compiled into closures once (``load_rules``); evaluating a task is
then a handful of set lookups and pre-built regexes, so scoring stays linear in
the number of tasks.

Severity of a task = the highest severity of its matched rules, raised one step
(up to ``critical``) for every escalation (``escalations:`` in the rule files)
whose groups are all satisfied by matched rules (see docs/drift.md).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re
import unicodedata

import yaml

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
# Re-exported for older imports; new code imports severity.py directly.
from ansible_collections.taskguard.windows.plugins.plugin_utils.severity import (  # noqa: F401 pylint: disable=unused-import
    SEVERITIES, SEVERITY_RANK, max_severity, severity_at_least,
)
OPERATORS = ("contains", "startswith", "endswith", "equals", "in", "regex")
MAX_RULE_FILE_BYTES = 1024 * 1024
# Field values longer than this are cut before matching: bounds the time any
# (user-written) regex can spend on attacker-controlled text.
MAX_MATCH_CHARS = 8192
DEFAULT_RULES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "risk_rules")

_SYSTEM_ACCOUNTS = frozenset(("s-1-5-18", "system", "nt authority\\system", "localsystem"))
_ENV_VARS = (
    ("%systemroot%", "c:\\windows"), ("%windir%", "c:\\windows"),
    ("%programdata%", "c:\\programdata"), ("%allusersprofile%", "c:\\programdata"),
    ("%public%", "c:\\users\\public"), ("%systemdrive%", "c:"),
    ("%localappdata%", "c:\\users\\%username%\\appdata\\local"),
    ("%appdata%", "c:\\users\\%username%\\appdata\\roaming"),
    ("%temp%", "c:\\users\\%username%\\appdata\\local\\temp"),
    ("%tmp%", "c:\\users\\%username%\\appdata\\local\\temp"),
    ("%userprofile%", "c:\\users\\%username%"),
    ("%programfiles%", "c:\\program files"), ("%programfiles(x86)%", "c:\\program files (x86)"),
)
# Also soft hyphen, combining grapheme joiner, fillers, variation selectors and tag
# characters: "power<U+00AD>shell" dodged the keyword rules and TG-R020 (issue 9).
_INVISIBLE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
                        "\u00ad\u034f\u0600-\u0605\u06dd\u070f\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0"
                        "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef]")


class RiskRuleError(TaskGuardInputError):
    """A risk rule file is unreadable or invalid (message names file and rule)."""


# --------------------------------------------------------------------------- text
def _strip_invisible(text):
    # Drops Unicode format characters (bidi overrides, zero-width) so they can
    # not split a keyword and dodge a rule; TG-R020 reports their presence.
    if _INVISIBLE.search(text) is None:
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc"))


def normalize_text(value):
    text = _strip_invisible(str(value)[:MAX_MATCH_CHARS]).lower()
    return text


def _expand(text):
    if "%" in text:
        for var, repl in _ENV_VARS:
            if var in text:
                text = text.replace(var, repl)
    return text


def normalize_arg_text(value):
    """Arguments: lower-cased, env vars expanded; slashes kept (/c, /k are switches)."""
    return _expand(normalize_text(value))


def normalize_path_text(value):
    """Paths: also / -> \\, quotes dropped, \\?\\ prefix dropped."""
    text = _expand(normalize_text(value).replace("/", "\\").replace('"', "").strip())
    if text.startswith("\\\\?\\"):
        text = text[4:]
    return text


def _basename(command):
    text = normalize_path_text(command)
    return text.rsplit("\\", 1)[-1].strip()


def _norm_task_path(value):
    if not value:
        return ""
    return normalize_text(value).replace("/", "\\").lstrip("\\")


# ------------------------------------------------------------------- task fields
def _actions(task):
    return [a for a in (task.get("actions") or []) if isinstance(a, dict)]


def _triggers(task):
    return [t for t in (task.get("triggers") or []) if isinstance(t, dict)]


def _principal(task):
    principal = task.get("principal")
    return principal if isinstance(principal, dict) else {}


def _strs(values):
    return [v for v in values if v is not None and v != ""]


def _uri_mismatch(task):
    uri = task.get("uri")
    if not uri:
        return False
    return _norm_task_path(uri) != _norm_task_path(task.get("path"))


def _has_invisible(task):
    texts = [task.get("path") or "", task.get("uri") or ""]
    for action in _actions(task):
        texts.extend((action.get("command") or "", action.get("arguments") or "", action.get("working_directory") or ""))
    return any(_INVISIBLE.search(str(t)) is not None for t in texts)


def _commandline(action):
    command = normalize_path_text(action.get("command") or "")
    arguments = normalize_arg_text(action.get("arguments") or "")
    return (command + " " + arguments).strip()


FIELDS = {
    # task.*
    "task.path": lambda t, c: _strs([normalize_text(t.get("path") or "").replace("/", "\\")]),
    "task.name": lambda t, c: _strs([normalize_text(t.get("name") or "")]),
    "task.folder": lambda t, c: _strs([normalize_text(t.get("folder") or "")]),
    "task.uri": lambda t, c: _strs([normalize_text(t.get("uri") or "")]),
    "task.author": lambda t, c: _strs([normalize_text(t.get("author") or "")]),
    "task.hidden": lambda t, c: [bool(t.get("hidden"))],
    "task.enabled": lambda t, c: [t.get("enabled") is not False],
    "task.is_at_job": lambda t, c: [bool(t.get("is_at_job"))],
    "task.hidden_reasons": lambda t, c: [normalize_text(r) for r in (t.get("hidden_reasons") or [])],
    "task.uri_mismatch": lambda t, c: [_uri_mismatch(t)],
    "task.has_invisible_chars": lambda t, c: [_has_invisible(t)],
    "task.documented": lambda t, c: [bool(c.get("documented"))],
    "task.seen_in": lambda t, c: [normalize_text(s) for s in (t.get("seen_in") or [])],
    # principal.*
    "principal.user_id": lambda t, c: _strs([normalize_text(_principal(t).get("user_id") or "")]),
    "principal.group_id": lambda t, c: _strs([normalize_text(_principal(t).get("group_id") or "")]),
    "principal.account": lambda t, c: _strs([normalize_text(_principal(t).get("user_id") or ""),
                                             normalize_text(_principal(t).get("group_id") or "")]),
    "principal.logon_type": lambda t, c: _strs([normalize_text(_principal(t).get("logon_type") or "")]),
    "principal.run_level": lambda t, c: _strs([normalize_text(_principal(t).get("run_level") or "")]),
    # action.* (any action)
    "action.type": lambda t, c: _strs([normalize_text(a.get("type") or "") for a in _actions(t)]),
    "action.command": lambda t, c: _strs([normalize_path_text(a.get("command") or "") for a in _actions(t)]),
    "action.command_basename": lambda t, c: _strs([_basename(a.get("command") or "") for a in _actions(t)]),
    "action.arguments": lambda t, c: _strs([normalize_arg_text(a.get("arguments") or "") for a in _actions(t)]),
    "action.working_directory": lambda t, c: _strs([normalize_path_text(a.get("working_directory") or "") for a in _actions(t)]),
    "action.commandline": lambda t, c: _strs([_commandline(a) for a in _actions(t)]),
    "action.all_paths": lambda t, c: _strs([normalize_path_text(" ".join(_strs((a.get("command"), a.get("arguments"), a.get("working_directory")))))
                                            for a in _actions(t)]),
    "action.class_id": lambda t, c: _strs([normalize_text(a.get("class_id") or "") for a in _actions(t)]),
    "action.data": lambda t, c: _strs([normalize_text(a.get("data") or "") for a in _actions(t)]),
    # trigger.* (any trigger)
    "trigger.type": lambda t, c: _strs([normalize_text(tr.get("type") or "") for tr in _triggers(t)]),
    "trigger.repetition_interval": lambda t, c: _strs([normalize_text(tr.get("repetition_interval") or "") for tr in _triggers(t)]),
    "trigger.user_id": lambda t, c: _strs([normalize_text(tr.get("user_id") or "") for tr in _triggers(t)]),
    "trigger.subscription": lambda t, c: _strs([normalize_text(tr.get("subscription") or "") for tr in _triggers(t)]),
}


def is_system_principal(task):
    principal = _principal(task)
    return normalize_text(principal.get("user_id") or "") in _SYSTEM_ACCOUNTS


class _FieldCache(object):
    """Computes each field of one task at most once per evaluation."""

    __slots__ = ("task", "context", "values")

    def __init__(self, task, context):
        self.task = task
        self.context = context
        self.values = {}

    def get(self, field):
        try:
            return self.values[field]
        except KeyError:
            value = FIELDS[field](self.task, self.context)
            self.values[field] = value
            return value


# ---------------------------------------------------------------- compilation
def _compile_condition(node, where):
    if not isinstance(node, dict) or not node:
        raise RiskRuleError("%s: a condition must be a mapping with all/any/not or field/op/values" % where)
    keys = set(node)
    if keys & {"all", "any", "not"}:
        if len(keys) != 1:
            raise RiskRuleError("%s: all/any/not must be the only key of its mapping (got %s)" % (where, sorted(keys)))
        key = next(iter(keys))
        if key == "not":
            inner = _compile_condition(node["not"], where + ".not")
            return lambda fc: not inner(fc)
        items = node[key]
        if not isinstance(items, list) or not items:
            raise RiskRuleError("%s.%s: must be a non-empty list of conditions" % (where, key))
        compiled = [_compile_condition(item, "%s.%s[%d]" % (where, key, i)) for i, item in enumerate(items)]
        if key == "all":
            return lambda fc: all(c(fc) for c in compiled)
        return lambda fc: any(c(fc) for c in compiled)

    unknown = keys - {"field", "op", "values"}
    if unknown:
        raise RiskRuleError("%s: unknown key(s) %s" % (where, sorted(unknown)))
    field, op, values = node.get("field"), node.get("op"), node.get("values")
    if field not in FIELDS:
        raise RiskRuleError("%s: unknown field %r (known: %s)" % (where, field, ", ".join(sorted(FIELDS))))
    if op not in OPERATORS:
        raise RiskRuleError("%s: unknown op %r (known: %s)" % (where, op, ", ".join(OPERATORS)))
    if not isinstance(values, list) or not values:
        raise RiskRuleError("%s: values must be a non-empty list" % where)

    bools = [v for v in values if isinstance(v, bool)]
    if bools:
        if len(bools) != len(values) or op not in ("equals", "in"):
            raise RiskRuleError("%s: boolean values only work with op equals/in and cannot be mixed with strings" % where)
        wanted = frozenset(bools)
        return lambda fc: any(v in wanted for v in fc.get(field) if isinstance(v, bool))
    for value in values:
        if not isinstance(value, (str, int, float)):
            raise RiskRuleError("%s: values must be strings (got %r)" % (where, type(value).__name__))
    texts = [str(v).lower() for v in values]

    if op in ("equals", "in"):
        wanted = frozenset(texts)
        return lambda fc: any(isinstance(v, str) and v in wanted for v in fc.get(field))
    if op == "startswith":
        prefixes = tuple(texts)
        return lambda fc: any(isinstance(v, str) and v.startswith(prefixes) for v in fc.get(field))
    if op == "endswith":
        suffixes = tuple(texts)
        return lambda fc: any(isinstance(v, str) and v.endswith(suffixes) for v in fc.get(field))
    if op == "contains":
        # One alternation instead of N substring scans.
        pattern = re.compile("|".join(re.escape(t) for t in texts))
    else:
        try:
            pattern = re.compile("|".join("(?:%s)" % t for t in texts), re.IGNORECASE)
        except re.error as exc:
            raise RiskRuleError("%s: invalid regex: %s" % (where, exc))
    search = pattern.search
    return lambda fc: any(isinstance(v, str) and search(v) is not None for v in fc.get(field))


class Rule(object):
    __slots__ = ("id", "title", "description", "severity", "rank", "category", "mitre", "references", "source", "_match")

    def __init__(self, data, source):
        self.id = data["id"]
        self.title = data["title"]
        self.description = data.get("description") or ""
        self.severity = data["severity"]
        self.rank = SEVERITY_RANK[self.severity]
        self.category = data.get("category") or "other"
        self.mitre = list(data.get("mitre") or [])
        self.references = [dict(r) for r in (data.get("references") or [])]
        self.source = source
        self._match = _compile_condition(data["match"], "%s: rule %s: match" % (source, self.id))

    def reason(self):
        return {"rule": self.id, "title": self.title, "severity": self.severity,
                "category": self.category, "mitre": list(self.mitre),
                "references": [dict(r) for r in self.references]}


class Escalation(object):
    __slots__ = ("id", "title", "description", "groups")

    def __init__(self, data, source):
        self.id = data["id"]
        self.title = data["title"]
        self.description = data.get("description") or ""
        groups = data.get("require")
        if not isinstance(groups, list) or not groups:
            raise RiskRuleError("%s: escalation %s: require must be a non-empty list" % (source, self.id))
        self.groups = []
        for i, group in enumerate(groups):
            if not isinstance(group, dict) or not isinstance(group.get("categories"), list) or not group["categories"]:
                raise RiskRuleError("%s: escalation %s: require[%d] needs a non-empty categories list" % (source, self.id, i))
            minimum = group.get("min_severity", "low")
            if minimum not in SEVERITY_RANK:
                raise RiskRuleError("%s: escalation %s: require[%d].min_severity %r is not one of %s"
                                    % (source, self.id, i, minimum, ", ".join(SEVERITIES)))
            self.groups.append((frozenset(str(c) for c in group["categories"]), SEVERITY_RANK[minimum]))

    def applies(self, matched):
        return all(any(r.category in cats and r.rank >= minimum for r in matched) for cats, minimum in self.groups)


class RuleSet(object):
    """Compiled rules; ``evaluate(task, context)`` -> {severity, reasons, escalations}."""

    def __init__(self, rules, escalations, sources):
        self.rules = rules
        self.escalations = escalations
        self.sources = sources
        self.by_id = {r.id: r for r in rules}

    def evaluate(self, task, context=None):
        if not isinstance(task, dict):
            return {"severity": None, "reasons": [], "escalations": []}
        fc = _FieldCache(task, context or {})
        matched = [rule for rule in self.rules if rule._match(fc)]
        if not matched:
            return {"severity": None, "reasons": [], "escalations": []}
        rank = max(r.rank for r in matched)
        applied = [e for e in self.escalations if e.applies(matched)]
        rank = min(rank + len(applied), SEVERITY_RANK["critical"])
        matched.sort(key=lambda r: (-r.rank, r.id))
        return {"severity": SEVERITIES[rank], "reasons": [r.reason() for r in matched],
                "escalations": [{"rule": e.id, "title": e.title} for e in applied]}


# ------------------------------------------------------------------- loading
class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases (no alias bombs) and without duplicate keys."""


def _no_alias(self, *args, **kwargs):
    raise yaml.constructor.ConstructorError(None, None, "YAML aliases/anchors are not allowed in rule files",
                                            self.peek_event().start_mark)


def _compose_node(self, parent, index):
    if self.check_event(yaml.events.AliasEvent):
        _no_alias(self)
    return yaml.composer.Composer.compose_node(self, parent, index)


def _construct_mapping(self, node, deep=False):
    seen = set()
    for key_node, _value in node.value:
        key = self.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:
            raise yaml.constructor.ConstructorError(None, None, "unhashable key", key_node.start_mark)
        if duplicate:
            raise yaml.constructor.ConstructorError(None, None, "duplicate key %r" % (key,), key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(self, node, deep=deep)


_StrictLoader.compose_node = _compose_node
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_RULE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{1,63}$")


def _read_rule_file(path):
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_RULE_FILE_BYTES + 1)
    except OSError as exc:
        raise RiskRuleError("%s: cannot read risk rule file: %s" % (path, exc.strerror or exc))
    if len(data) > MAX_RULE_FILE_BYTES:
        raise RiskRuleError("%s: risk rule file larger than %d bytes" % (path, MAX_RULE_FILE_BYTES))
    try:
        doc = yaml.load(data, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.YAMLError as exc:
        raise RiskRuleError("%s: invalid YAML: %s" % (path, exc))
    except (RecursionError, ValueError) as exc:
        # PyYAML composes recursively: a few hundred nesting levels raised a bare
        # RecursionError out of the audit action (issue 9); ValueError: odd scalars.
        raise RiskRuleError("%s: invalid YAML (nested too deeply or unreadable value): %s" % (path, type(exc).__name__))
    if not isinstance(doc, dict):
        raise RiskRuleError("%s: a risk rule file is a mapping with 'rules' (and optional 'escalations')" % path)
    unknown = set(doc) - {"version", "rules", "escalations"}
    if unknown:
        raise RiskRuleError("%s: unknown top-level key(s) %s" % (path, sorted(unknown)))
    if doc.get("version", 1) != 1:
        raise RiskRuleError("%s: unsupported rule file version %r (this collection reads version 1)" % (path, doc.get("version")))
    return doc


def _validate_rule(data, path, index):
    where = "%s: rules[%d]" % (path, index)
    if not isinstance(data, dict):
        raise RiskRuleError("%s: a rule must be a mapping" % where)
    rid = data.get("id")
    if not isinstance(rid, str) or not _RULE_ID.match(rid):
        raise RiskRuleError("%s: id must be a short identifier like TG-R001 (got %r)" % (where, rid))
    where = "%s: rule %s" % (path, rid)
    allowed = {"id", "title", "description", "severity", "category", "mitre", "references", "match", "enabled"}
    unknown = set(data) - allowed
    if unknown:
        raise RiskRuleError("%s: unknown key(s) %s" % (where, sorted(unknown)))
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise RiskRuleError("%s: title is required" % where)
    if data.get("severity") not in SEVERITY_RANK:
        raise RiskRuleError("%s: severity must be one of %s (got %r)" % (where, ", ".join(SEVERITIES), data.get("severity")))
    if not isinstance(data.get("mitre", []), list) or not all(isinstance(m, str) for m in data.get("mitre", [])):
        raise RiskRuleError("%s: mitre must be a list of technique ids" % where)
    refs = data.get("references", [])
    if not isinstance(refs, list) or not all(isinstance(r, dict) and isinstance(r.get("title"), str) for r in refs):
        raise RiskRuleError("%s: references must be a list of {title, url}" % where)
    if "match" not in data:
        raise RiskRuleError("%s: match is required" % where)


def load_rules(paths=None):
    """Load, validate and compile rule files (default: risk_rules/default.yml).

    Later files override rules with the same id (and may disable one with
    ``enabled: false``). Raises RiskRuleError naming the file and rule.
    """
    if not paths:
        paths = [os.path.join(DEFAULT_RULES_DIR, "default.yml")]
    rules = {}
    escalations = {}
    order = []
    for path in paths:
        doc = _read_rule_file(path)
        items = doc.get("rules") or []
        if not isinstance(items, list):
            raise RiskRuleError("%s: rules must be a list" % path)
        for index, data in enumerate(items):
            _validate_rule(data, path, index)
            if data.get("enabled", True) is False:
                rules.pop(data["id"], None)
                continue
            if data["id"] not in rules:
                order.append(data["id"])
            rules[data["id"]] = Rule(data, path)
        esc_items = doc.get("escalations") or []
        if not isinstance(esc_items, list):
            raise RiskRuleError("%s: escalations must be a list" % path)
        for index, data in enumerate(esc_items):
            if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("title"), str):
                raise RiskRuleError("%s: escalations[%d] needs id and title" % (path, index))
            escalations[data["id"]] = Escalation(data, path)
    return RuleSet([rules[i] for i in order if i in rules], list(escalations.values()), list(paths))


_CACHE = {}


def load_rules_cached(paths=None):
    """Per-process cache keyed by (path, mtime, size) of every file: rules compile once."""
    paths = list(paths or [os.path.join(DEFAULT_RULES_DIR, "default.yml")])
    key = []
    for path in paths:
        try:
            st = os.stat(path)
            key.append((os.path.abspath(path), st.st_mtime_ns, st.st_size))
        except OSError:
            key.append((os.path.abspath(path), None, None))
    key = tuple(key)
    ruleset = _CACHE.get(key)
    if ruleset is None:
        ruleset = load_rules(paths)
        _CACHE.clear()
        _CACHE[key] = ruleset
    return ruleset
