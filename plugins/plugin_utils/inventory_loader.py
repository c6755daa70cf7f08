# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load, validate and query the documented task inventory (``task_inventory/``).

Contract used by the drift engine (see docs/task-inventory.md):

``load_inventory(paths, *, today=None, strict=False) -> Inventory``
    ``paths`` are files or directories (walked recursively for ``*.yml``/``*.yaml``).
    ``Inventory.errors``/``.warnings``: ``[{"file", "line", "column", "code", "message"}]``,
    every problem of every file at once. ``Inventory.entries``: the valid entries
    (an entry with a schema error is left out; a file whose top level is broken
    contributes none). Expired entries are kept (``Entry.expired``) so that drift can
    say "documented but expired" instead of "undocumented".
``Inventory.for_host(host) -> HostView`` with host ``{"name", "groups", "os_family", "domain_role"}``.
``HostView.match(path) -> Entry|None``: exact paths first (dict, O(1)), then the
    patterns in file order. ``HostView.required_entries()``.
``HostView.version_unknown``/``.baseline_missing``/``.role_unknown``/``.union_os_families``:
    the host's os_family is unknown or has no built-in baseline (domain_role is
    unknown), so every built-in baseline entry
    (``owner.kind: baseline``) applies whatever its os_family (domain_role);
    a path several baselines document matches an ``AnyOfEntries`` whose
    ``compare`` is clean when any one of them fits.
``Entry.compare(task) -> [{"field", "expected", "actual"}]``, ``Entry.source``,
``Entry.expired``, ``Entry.allows_registrant(user) -> bool|None`` (None: no list given).

The JSON Schema (``schemas/task_inventory.schema.json``) checks the shape; this
module adds what a schema cannot: pattern compilation, cross-file overlaps,
expiry, approvals of privileged entries, calendar dates.
"""
from __future__ import (absolute_import, division, print_function)

__metaclass__ = type

import bisect
import collections
import datetime
import difflib
import json
import os

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_compare import (
    CompiledExpected, is_system, normalize_account,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_patterns import (
    PatternError, compile_pattern, patterns_intersect, trailing_sid,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_yaml import load_yaml_file

MAX_FILES = 2000
EXPIRY_WARNING_DAYS = 30
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                           "schemas", "task_inventory.schema.json")

DOMAIN_ROLE_SHORTHANDS = {
    "server": ("member_server", "standalone_server"),
    "workstation": ("member_workstation", "standalone_workstation"),
}

# Every code the validator can emit (the vendor guide lists them with examples).
ERROR_CODES = (
    "file_unreadable", "file_too_large", "not_utf8", "symlink_refused", "too_many_files",
    "yaml_syntax", "duplicate_key", "forbidden_tag", "alias_limit", "yaml_too_deep", "value_too_long",
    "unknown_field", "wrong_type", "missing_field", "conflicting_fields", "invalid_value",
    "invalid_pattern", "duplicate_entry", "overlap", "expired", "approval_missing", "unconfirmed",
)
WARNING_CODES = ("unconfirmed", "expires_soon", "unknown_os_family")


def _known_os_families():
    """The families the collectors can report (a typo would silently match no host)."""
    try:
        from ansible_collections.taskguard.windows.plugins.plugin_utils import host_context
        known = set(host_context.SERVER_BUILDS.values()) | {name for dummy, name in host_context.CLIENT_BUILDS}
    except (ImportError, AttributeError):   # collection part missing: fall back to the documented list
        known = set()
    return known | {"windows_10", "windows_11", "windows_server_2016", "windows_server_2019",
                    "windows_server_2022", "windows_server_2025"}


_schema_validator = None
_KNOWN_OS_FAMILIES = _known_os_families()


def _validator():
    global _schema_validator
    if _schema_validator is None:
        import jsonschema  # imported lazily: only the controller needs it
        with open(SCHEMA_PATH, "r", encoding="utf-8") as handle:
            schema = json.load(handle)
        _schema_validator = jsonschema.Draft202012Validator(schema)
    return _schema_validator


def _problem(file, line, column, code, message):
    return {"file": file, "line": int(line), "column": int(column), "code": code, "message": message}


def format_problem(problem):
    return "%s:%s:%s: %s: %s" % (problem["file"], problem["line"], problem["column"],
                                 problem["code"], problem["message"])


def _parse_date(text):
    try:
        return datetime.date.fromisoformat(str(text))
    except ValueError:
        return None


def _today(today):
    if today is None:
        return datetime.datetime.now(datetime.timezone.utc).date()
    if isinstance(today, datetime.date):
        return today
    parsed = _parse_date(today)
    if parsed is None:
        raise ValueError("today must be a date or YYYY-MM-DD, got %r" % (today,))
    return parsed


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------
def find_inventory_files(paths):
    """Return (files, problems). Symlinks are refused: an inventory lives in the repo."""
    files, problems = [], []
    for root in paths:
        if os.path.islink(root):
            problems.append(_problem(root, 1, 1, "symlink_refused", "inventory path is a symlink; refusing to follow it"))
            continue
        if os.path.isfile(root):
            files.append(root)
            continue
        if not os.path.isdir(root):
            problems.append(_problem(root, 1, 1, "file_unreadable", "no such file or directory"))
            continue
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            for name in list(dirnames):
                full = os.path.join(dirpath, name)
                if os.path.islink(full):
                    problems.append(_problem(full, 1, 1, "symlink_refused", "directory symlink in the inventory; refusing to follow it"))
                    dirnames.remove(name)
                elif name.startswith("."):
                    dirnames.remove(name)
            for name in sorted(filenames):
                if not name.endswith((".yml", ".yaml")) or name.startswith("."):
                    continue
                full = os.path.join(dirpath, name)
                if os.path.islink(full):
                    problems.append(_problem(full, 1, 1, "symlink_refused", "file symlink in the inventory; refusing to follow it"))
                    continue
                files.append(full)
    if len(files) > MAX_FILES:
        problems.append(_problem(paths[0] if paths else "", 1, 1, "too_many_files",
                                 "more than %d inventory files" % MAX_FILES))
        files = files[:MAX_FILES]
    return files, problems


# ---------------------------------------------------------------------------
# Schema errors -> file/line/column
# ---------------------------------------------------------------------------
_VALUE_CODES = {"enum": "invalid_value", "const": "invalid_value", "pattern": "invalid_value",
                "minLength": "invalid_value", "maxLength": "invalid_value", "minItems": "invalid_value",
                "maxItems": "invalid_value", "minProperties": "missing_field", "type": "wrong_type"}


def _schema_problems(file, doc, validator):
    problems = []
    for error in validator.iter_errors(doc.data):
        path = tuple(error.absolute_path)
        instance = error.instance
        kind = error.validator
        if kind == "additionalProperties" and isinstance(instance, dict):
            allowed = sorted((error.schema.get("properties") or {}).keys())
            for key in instance:
                if key in allowed:
                    continue
                line, col = doc.position(path + (key,), key=True)
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                message = "unknown field %r%s (allowed here: %s)" % (
                    key, "; did you mean %r?" % hint[0] if hint else "", ", ".join(allowed))
                problems.append((path + (key,), _problem(file, line, col, "unknown_field", message)))
            continue
        if kind == "required" and isinstance(instance, dict):
            # point at the key that holds the incomplete mapping ("expected:"), not its first child
            line, col = doc.position(path, key=True)
            for name in error.validator_value:
                if name not in instance:
                    where = "/".join(str(p) for p in path) or "top level"
                    problems.append((path, _problem(file, line, col, "missing_field",
                                                    "missing required field %r in %s" % (name, where))))
            continue
        if kind in ("oneOf", "anyOf", "not") and isinstance(instance, dict):
            line, col = doc.position(path, key=True)
            choices = _alternatives(error.validator_value) if kind != "not" else \
                list((error.validator_value or {}).get("required") or [])
            present = [c for c in choices if c in instance]
            if kind == "not" or len(present) > 1:
                problems.append((path, _problem(file, line, col, "conflicting_fields",
                                                "use only one of %s" % " / ".join(repr(c) for c in choices))))
            else:
                problems.append((path, _problem(file, line, col, "missing_field",
                                                "one of %s is required here" % " / ".join(repr(c) for c in choices))))
            continue
        line, col = doc.position(path)
        code = _VALUE_CODES.get(kind, "invalid_value")
        where = "/".join(str(p) for p in path) or "top level"
        message = "%s: %s" % (where, error.message)
        if len(message) > 300:
            message = message[:297] + "..."
        problems.append((path, _problem(file, line, col, code, message)))
    return problems


def _alternatives(variants):
    names = []
    for variant in variants or []:
        for name in variant.get("required") or []:
            if name not in names:
                names.append(name)
    return names


# ---------------------------------------------------------------------------
# Entries
# ---------------------------------------------------------------------------
class Scope:
    """Compiled scope: each given dimension must match; empty dimension = any."""

    def __init__(self, raw):
        raw = raw or {}
        self.raw = raw
        self.groups = frozenset(raw["groups"]) if raw.get("groups") else None
        self.hosts = [compile_pattern(h, any_separator=True, what="scope.hosts pattern")
                      for h in raw["hosts"]] if raw.get("hosts") else None
        self.os_family = frozenset(o.casefold() for o in raw["os_family"]) if raw.get("os_family") else None
        roles = set()
        for role in raw.get("domain_role") or []:
            roles.update(DOMAIN_ROLE_SHORTHANDS.get(role, (role,)))
        self.domain_role = frozenset(roles) if roles else None

    def applies_to(self, host, *, any_os_family=False, any_domain_role=False):
        """True when every given dimension matches the host.

        ``any_os_family``/``any_domain_role``: treat that dimension as matching
        whatever the entry names (used for built-in baselines on a host whose
        version or role is unknown, see ``HostView``).
        """
        if self.groups is not None and not self.groups.intersection(host.get("groups") or ()):
            return False
        if self.hosts is not None and not any(p.match(host.get("name") or "") for p in self.hosts):
            return False
        if self.os_family is not None and not any_os_family and \
                str(host.get("os_family") or "").casefold() not in self.os_family:
            return False
        if self.domain_role is not None and not any_domain_role and \
                (host.get("domain_role") or "") not in self.domain_role:
            return False
        return True

    def may_overlap(self, other):
        """False only when no host can be in both scopes (groups cannot be proven disjoint)."""
        if self.os_family is not None and other.os_family is not None and not self.os_family & other.os_family:
            return False
        if self.domain_role is not None and other.domain_role is not None and not self.domain_role & other.domain_role:
            return False
        if self.hosts is not None and other.hosts is not None and \
                not any(patterns_intersect(a, b) for a in self.hosts for b in other.hosts):
            return False
        return True


# Key set on the merged entry of a file whose ``owner.kind`` is ``baseline``
# (never read from YAML: the schema refuses unknown fields).
BASELINE_MARK = "_builtin_baseline"
UNKNOWN_VALUES = ("", "unknown")


def _is_placeholder(value):
    return isinstance(value, str) and value.lstrip().upper().startswith("CONFIRM")


class Entry:
    """One allowed task, with the file's defaults applied and patterns compiled."""

    def __init__(self, raw, *, file, line, index, owner, today):
        self.raw = raw
        self.file = file
        self.line = line
        self.index = index
        self.path = raw.get("path")
        self.path_pattern = raw.get("path_pattern")
        self.pattern = compile_pattern(self.path_pattern, what="path_pattern") if self.path_pattern else None
        self.owner = raw.get("owner") or owner.get("name")
        self.contact = raw.get("contact") or owner.get("contact")
        self.justification = raw.get("justification")
        self.scope = Scope(raw.get("scope"))
        self.required = bool(raw.get("required", False))
        self.approval = raw.get("approval")
        self.expires = raw.get("expires")
        expires = _parse_date(self.expires) if self.expires else None
        self.expired = bool(expires and expires < today)
        self.expected = CompiledExpected(raw.get("expected"))
        self.registrants = [compile_pattern(normalize_account(r), any_separator=True, what="allowed_registrants")
                            for r in raw.get("allowed_registrants") or []] or None
        self.review = raw.get("review")
        # Entry of a built-in Windows baseline (its file's owner.kind is
        # "baseline"): the marker travels in the merged raw entry.
        self.builtin_baseline = bool(raw.get(BASELINE_MARK))
        # HostView's index key, computed once here rather than for every host:
        # the case-folded path, or the literal start of the pattern.
        self.index_key = self.path.casefold() if self.pattern is None else _literal_prefix(self.path_pattern)

    def __repr__(self):
        return "Entry(%r @ %s:%s)" % (self.path or self.path_pattern, self.file, self.line)

    @property
    def source(self):
        return {"file": self.file, "line": self.line}

    @property
    def key(self):
        return self.path or self.path_pattern

    @property
    def is_pattern(self):
        return self.pattern is not None

    def matches_path(self, task_path):
        if self.pattern is not None:
            return self.pattern.match(task_path)
        return str(task_path or "").casefold() == self.path.casefold()

    @property
    def privileged(self):
        principal = (self.raw.get("expected") or {}).get("principal")
        if not principal:
            return True   # no constraint: the task may run as anyone, SYSTEM included
        return (is_system(principal.get("user_id")) or "group_id" in principal
                or str(principal.get("run_level", "")).casefold() == "highestavailable")

    @property
    def unconfirmed(self):
        if self.review and self.review.get("status") == "unconfirmed":
            return True
        approval = self.approval if isinstance(self.approval, dict) else {}
        return any(_is_placeholder(v) for v in (
            self.raw.get("owner"), self.raw.get("justification"), self.raw.get("contact"),
            approval.get("ticket"), approval.get("approver")))

    def compare(self, task):
        """Differences between this entry's ``expected`` and a normalized task."""
        sid = trailing_sid((task or {}).get("name") or (task or {}).get("path") or "")
        return self.expected.compare(task or {}, path_sid=sid)

    def allows_registrant(self, user):
        """True/False when the entry lists allowed registrants, None when it does not."""
        if self.registrants is None:
            return None
        if not user:
            return False
        account = normalize_account(user)
        return any(p.match(account) for p in self.registrants)

    def to_dict(self):
        """JSON-safe summary for reports."""
        return {"path": self.path, "path_pattern": self.path_pattern, "owner": self.owner,
                "contact": self.contact, "justification": self.justification, "required": self.required,
                "expires": self.expires, "expired": self.expired, "approval": self.approval,
                "source": self.source, "unconfirmed": self.unconfirmed}


# Patterns are bucketed by the first _BUCKET_CHARS characters of their literal
# prefix, so a path is only tried against the patterns that can match it
# instead of every pattern of every vendor (docs/performance.md).
_BUCKET_CHARS = 6


class AnyOfEntries:
    """One task path documented by several built-in baselines (host version unknown).

    Each baseline describes the task as its own Windows version ships it; the
    task is as documented when it equals any one of them. Everything else
    (source, owner, expiry...) is the first entry's, in file order.
    """

    def __init__(self, entries):
        self.entries = list(entries)
        self._first = self.entries[0]

    def __getattr__(self, name):
        if name.startswith("_"):   # not set yet (copy/pickle): never recurse
            raise AttributeError(name)
        return getattr(self._first, name)

    def __repr__(self):
        return "AnyOfEntries(%r)" % (self.entries,)

    @property
    def expired(self):
        return all(e.expired for e in self.entries)

    def compare(self, task):
        """[] when any baseline's description fits; otherwise the shortest difference."""
        best = None
        for entry in self.entries:
            diff = entry.compare(task)
            if not diff:
                return []
            if best is None or len(diff) < len(best):
                best = diff
        return best

    def allows_registrant(self, user):
        answers = [e.allows_registrant(user) for e in self.entries]
        if any(a is True for a in answers):
            return True
        return False if any(a is False for a in answers) else None


def _is_unknown(value):
    return str(value or "").strip().casefold() in UNKNOWN_VALUES


class HostView:
    """The entries that apply to one host, indexed for O(1) exact lookups.

    A host whose ``os_family`` is unknown (an evidence folder without a
    SOFTWARE hive, say) is matched against the union of the built-in baselines
    (entries of ``owner.kind: baseline`` files): ``version_unknown`` is then
    True and ``union_os_families`` names the versions whose baselines were used.
    So is a host of a version that no built-in baseline covers (``baseline_missing``:
    Windows Server 2022 while only other versions have a recorded source).
    The same holds for ``domain_role`` (``role_unknown``). User and vendor
    entries keep their strict scope: an entry for windows_11 does not apply to
    a host of unknown version. Baseline entries applied only through the union
    are never ``required`` (the host may be another version).
    """

    def __init__(self, entries, host, baseline_families=None):
        self.host = host
        self.version_unknown = _is_unknown(host.get("os_family"))
        self.baseline_missing = (not self.version_unknown and baseline_families is not None
                                 and str(host.get("os_family")).casefold() not in baseline_families)
        self.role_unknown = _is_unknown(host.get("domain_role"))
        any_os = self.version_unknown or self.baseline_missing
        self.entries = []
        union_only = set()
        families = set()
        for e in entries:
            if e.scope.applies_to(host):
                self.entries.append(e)
            elif e.builtin_baseline and (any_os or self.role_unknown) and e.scope.applies_to(
                    host, any_os_family=any_os, any_domain_role=self.role_unknown):
                self.entries.append(e)
                union_only.add(id(e))
                families.update(e.scope.raw.get("os_family") or ())
        self._union_only = union_only
        self.union_os_families = sorted(families) if any_os else []
        self._exact = {}
        self._patterns = []
        alternatives = {}
        for entry in self.entries:
            if entry.pattern is None:
                key = entry.index_key
            else:
                key = (entry.index_key, entry.path_pattern.casefold())
            if key in alternatives:
                # a second baseline documents the same path: either description fits
                alternatives[key].append(entry)
                continue
            alternatives[key] = [entry]
            if entry.pattern is None:
                self._exact[key] = entry
            else:
                self._patterns.append(entry)
        for key, group in alternatives.items():
            if len(group) > 1 and all(e.builtin_baseline and id(e) in union_only for e in group[1:]):
                merged = AnyOfEntries(group)
                if isinstance(key, str):
                    self._exact[key] = merged
                else:
                    self._patterns[self._patterns.index(group[0])] = merged
        # A pattern can only match a path that starts with its literal prefix.
        # Patterns with a shorter prefix than the bucket key are candidates for
        # every path; each bucket keeps file order (first match wins).
        short = []
        keyed = {}
        for order, entry in enumerate(self._patterns):
            prefix = entry.index_key
            if len(prefix) < _BUCKET_CHARS:
                short.append((order, entry))
            else:
                keyed.setdefault(prefix[:_BUCKET_CHARS], []).append((order, entry))
        self._short = [entry for _order, entry in short]
        self._buckets = {key: [entry for _order, entry in (sorted(items + short, key=_first) if short else items)]
                         for key, items in keyed.items()}

    def match(self, task_path):
        if not task_path:
            return None
        folded = str(task_path).casefold()
        entry = self._exact.get(folded)
        if entry is not None:
            return entry
        for entry in self._buckets.get(folded[:_BUCKET_CHARS], self._short):
            if entry.pattern.match(task_path):
                return entry
        return None

    def required_entries(self):
        """Entries that must be present on this host (for a pattern: at least one match)."""
        return [e for e in self.entries if e.required and id(e) not in self._union_only]


class Inventory:
    def __init__(self):
        self.errors = []
        self.warnings = []
        self.entries = []
        self.files = []
        self._baseline_families = None

    @property
    def valid(self):
        return not self.errors

    def for_host(self, host):
        if getattr(self, "_baseline_families", None) is None:
            # the os_families the built-in baselines cover, once per inventory
            self._baseline_families = frozenset(
                family.casefold() for e in self.entries if e.builtin_baseline
                for family in (e.scope.raw.get("os_family") or ()))
        return HostView(self.entries, host or {}, self._baseline_families)

    def to_result(self):
        return {"valid": self.valid, "errors": self.errors, "warnings": self.warnings,
                "files": self.files, "entry_count": len(self.entries),
                "error_lines": [format_problem(p) for p in self.errors],
                "warning_lines": [format_problem(p) for p in self.warnings]}


def _merge_defaults(entry, defaults):
    merged = dict(entry)
    for key in ("contact", "approval", "expires", "required", "allowed_registrants"):
        if key in defaults and key not in merged:
            merged[key] = defaults[key]
    if defaults.get("scope"):
        scope = dict(defaults["scope"])
        scope.update(entry.get("scope") or {})
        merged["scope"] = scope
    return merged


# What the stages of loading one file share.
_FileLoad = collections.namedtuple("_FileLoad", "file doc data owner defaults today strict inventory problems")


def _load_file(file, inventory, today, strict, validator):
    """Entries of one inventory file: read and validate the document, file-level
    checks, then each entry (semantics, expiry, approval, review). Problems are
    added to ``inventory.errors``/``warnings``; a broken file yields no entry."""
    doc, problems, bad_entries = _read_document(file, validator)
    if doc is None:
        inventory.errors.extend(problems)
        return []
    data = doc.data
    load = _FileLoad(file, doc, data, data.get("owner") or {}, data.get("defaults") or {}, today, strict,
                     inventory, problems)
    _file_checks(load)
    entries = []
    for index, raw in enumerate(data.get("tasks") or []):
        if index not in bad_entries and isinstance(raw, dict):
            entry = _load_entry(load, index, raw)
            if entry is not None:
                entries.append(entry)
    if data.get("administrators") or data.get("administrator_policies") or data.get("task_accounts"):
        # the administrators table and task accounts (issue 19) live in the same files: their own module
        # (imported here: it builds on this module's Scope)
        from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_admins
        inventory_admins.load_section(file, doc, data, inventory, today, problems)
    inventory.errors.extend(problems)
    return entries


def _read_document(file, validator):
    """(doc or None, problems, indexes of broken task entries). None: nothing of the
    file may be used (unreadable, not a mapping, broken at file level, or altered
    while reading); an empty file is a document without data (an empty inventory)."""
    doc = load_yaml_file(file)
    problems = [_problem(file, line, col, code, msg) for line, col, code, msg in doc.errors]
    if doc.data is None:   # unreadable, or an empty file (an empty inventory: no problem)
        return None, problems, set()
    bad_entries, file_broken = set(), False
    for path, problem in _schema_problems(file, doc, validator):
        problems.append(problem)
        if len(path) >= 2 and path[0] == "tasks" and isinstance(path[1], int):
            bad_entries.add(path[1])
        else:
            file_broken = True
    if any(p["code"] in ("duplicate_key", "forbidden_tag", "value_too_long") for p in problems):
        # the data was altered while reading (a key dropped, a tag ignored): do not use it
        file_broken = True
    if not isinstance(doc.data, dict) or file_broken:
        return None, problems, bad_entries
    return doc, problems, bad_entries


def _file_checks(load):
    """Defaults and owner of the file: unknown OS families, placeholders, dates."""
    file, doc = load.file, load.doc
    for i, family in enumerate(((load.defaults.get("scope") or {}).get("os_family")) or []):
        if family not in _KNOWN_OS_FAMILIES:
            pos = doc.position(("defaults", "scope", "os_family", i))
            load.inventory.warnings.append(_problem(file, pos[0], pos[1], "unknown_os_family",
                                                    "os_family %r is not one the collectors report; no host will "
                                                    "match it" % (family,)))
    for key in ("name", "contact"):
        if _is_placeholder(load.owner.get(key)):
            pos = doc.position(("owner", key))
            problem = _problem(file, pos[0], pos[1], "unconfirmed",
                               "owner.%s is still a placeholder: %s" % (key, load.owner[key]))
            (load.problems if load.strict else load.inventory.warnings).append(problem)
    for path in (("defaults", "expires"), ("defaults", "approval", "date")):
        value = load.data
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None and _parse_date(value) is None:
            pos = doc.position(path)
            load.problems.append(_problem(file, pos[0], pos[1], "invalid_value",
                                          "%r is not a calendar date (YYYY-MM-DD)" % (value,)))


def _load_entry(load, index, raw):
    """One task entry with the file's defaults, or None when it must not be trusted."""
    file, doc, base = load.file, load.doc, ("tasks", index)
    merged = _merge_defaults(raw, load.defaults)
    if load.owner.get("kind") == "baseline":
        merged[BASELINE_MARK] = True
    entry_problems = _semantic_checks(load, base, raw, merged)
    if entry_problems:
        load.problems.extend(entry_problems)
        if any(p["code"] in ("invalid_pattern", "invalid_value") for p in entry_problems):
            return None
    try:
        entry = Entry(merged, file=file, line=doc.position(base)[0], index=index, owner=load.owner, today=load.today)
    except PatternError as exc:   # a pattern in defaults (already reported per entry otherwise)
        pos = doc.position(base)
        load.problems.append(_problem(file, pos[0], pos[1], "invalid_pattern", str(exc)))
        return None
    return entry if _entry_may_document(load, base, raw, merged, entry) else None


def _entry_may_document(load, base, raw, merged, entry):
    """Expiry (reported; an expired entry still documents, as 'expired'), approval of
    privileged entries (an unapproved privileged allow is no allow) and review."""
    file, doc = load.file, load.doc
    expires_at = base + ("expires",) if "expires" in raw else ("defaults", "expires")
    if entry.expired:
        pos = doc.position(expires_at)
        load.problems.append(_problem(file, pos[0], pos[1], "expired",
                                      "entry %s expired on %s" % (entry.key, entry.expires)))
    else:
        expires = _parse_date(entry.expires) if entry.expires else None
        if expires and (expires - load.today).days <= EXPIRY_WARNING_DAYS:
            pos = doc.position(expires_at)
            load.inventory.warnings.append(_problem(file, pos[0], pos[1], "expires_soon",
                                                    "entry %s expires on %s" % (entry.key, entry.expires)))
    if entry.privileged and not merged.get("approval"):
        pos = doc.position(base)
        load.problems.append(_problem(file, pos[0], pos[1], "approval_missing",
                                      "entry %s is privileged (%s) and needs approval: {ticket, approver, date}"
                                      % (entry.key, _privilege_reason(merged))))
        return False
    if entry.unconfirmed:
        pos = doc.position(base + ("review",) if "review" in raw else base)
        problem = _problem(file, pos[0], pos[1], "unconfirmed",
                           "entry %s was learned automatically; a human must confirm %s"
                           % (entry.key, ", ".join((raw.get("review") or {}).get("confirm") or ["it"])))
        (load.problems if load.strict else load.inventory.warnings).append(problem)
    return True


def _privilege_reason(entry):
    principal = (entry.get("expected") or {}).get("principal")
    if not principal:
        return "no principal constraint, so it may run as SYSTEM"
    reasons = []
    if is_system(principal.get("user_id")):
        reasons.append("runs as SYSTEM")
    if "group_id" in principal:
        reasons.append("group principal")
    if str(principal.get("run_level", "")).casefold() == "highestavailable":
        reasons.append("HighestAvailable")
    return ", ".join(reasons)


def _semantic_checks(load, base, raw, merged):
    """Problems of one entry the schema cannot see (patterns, dates, scopes...);
    warnings go to the inventory's warnings."""
    file, doc, today, warnings = load.file, load.doc, load.today, load.inventory.warnings
    problems = []

    def add(path, code, message):
        line, col = doc.position(path)
        problems.append(_problem(file, line, col, code, message))

    def check_pattern(path, text, any_separator, what):
        try:
            compile_pattern(text, any_separator=any_separator, what=what)
        except PatternError as exc:
            add(path, "invalid_pattern", str(exc))
            return False
        return True

    if "path_pattern" in raw:
        text = raw["path_pattern"]
        if check_pattern(base + ("path_pattern",), text, False, "path_pattern"):
            literal = [c for c in text if c not in "*?\\"]
            stripped = text.replace("{sid}", "").replace("{guid}", "")
            if not [c for c in stripped if c not in "*?\\"] or not literal:
                add(base + ("path_pattern",), "invalid_pattern",
                    "path_pattern %r is too broad: it must name at least part of the task path" % text)
    for i, family in enumerate((raw.get("scope") or {}).get("os_family") or []):
        if family not in _KNOWN_OS_FAMILIES:
            line, col = doc.position(base + ("scope", "os_family", i))
            warnings.append(_problem(file, line, col, "unknown_os_family",
                                     "os_family %r is not one the collectors report (%s); no host will match it"
                                     % (family, ", ".join(sorted(_KNOWN_OS_FAMILIES)))))
    for i, host in enumerate((raw.get("scope") or {}).get("hosts") or []):
        check_pattern(base + ("scope", "hosts", i), host, True, "scope.hosts pattern")
    for i, action in enumerate((raw.get("expected") or {}).get("actions") or []):
        for key in ("command_pattern", "arguments_pattern", "data_pattern"):
            if key in action:
                check_pattern(base + ("expected", "actions", i, key), action[key], True, key)
    for i, reg in enumerate(raw.get("allowed_registrants") or []):
        check_pattern(base + ("allowed_registrants", i), reg, True, "allowed_registrants")
    principal = (raw.get("expected") or {}).get("principal") or {}
    for key in ("user_id", "group_id"):
        if principal.get(key) == "{sid}" and "{sid}" not in (raw.get("path_pattern") or ""):
            add(base + ("expected", "principal", key), "invalid_value",
                "%s '{sid}' refers to the SID in the task path, but path_pattern has no {sid}" % key)
    for path in (base + ("expires",), base + ("approval", "date")):
        value = raw
        for part in path[2:]:
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None and _parse_date(value) is None:
            add(path, "invalid_value", "%r is not a calendar date (YYYY-MM-DD)" % (value,))
    return problems


def _check_overlaps(entries, inventory):
    """Two entries that can match the same task on the same host.

    Across files it is an ``overlap`` (two owners claim one task: which definition
    counts?); within one file an exact duplicate is a ``duplicate_entry``. Patterns
    within one file may overlap (first one wins, as documented).
    """
    exact = {}
    patterns = []
    # A pattern can only match paths that start with its literal prefix: sorted
    # exact paths + bisect keep this near-linear for large inventories.
    for entry in entries:
        if entry.pattern is None:
            exact.setdefault(entry.path.casefold(), []).append(entry)
        else:
            patterns.append(entry)

    def report(first, second):
        same_file = first.file == second.file
        if same_file and (first.pattern is not None or second.pattern is not None):
            return
        code = "duplicate_entry" if same_file else "overlap"
        inventory.errors.append(_problem(
            second.file, second.line, 1, code,
            "%s can match the same task as %s at %s:%d (owner %s) for overlapping hosts"
            % (second.key, first.key, first.file, first.line, first.owner)))

    for group in exact.values():
        for i, second in enumerate(group):
            for first in group[:i]:
                if first.scope.may_overlap(second.scope):
                    report(first, second)
                    break
    exact_keys = sorted(exact)
    prefixes = [_literal_prefix(pat.path_pattern) for pat in patterns]   # once each, not once per pair
    for j, pat in enumerate(patterns):
        prefix = prefixes[j]
        start = bisect.bisect_left(exact_keys, prefix)
        for key in exact_keys[start:]:
            if not key.startswith(prefix):
                break
            group = exact[key]
            if pat.pattern.match(group[0].path):
                for other in group:
                    if other.file != pat.file and other.scope.may_overlap(pat.scope):
                        first, second = sorted((other, pat), key=lambda e: (e.file, e.line))
                        report(first, second)
        for other, other_prefix in zip(patterns[:j], prefixes):
            if not (prefix.startswith(other_prefix) or other_prefix.startswith(prefix)):
                continue
            if other.file != pat.file and other.scope.may_overlap(pat.scope) and \
                    patterns_intersect(other.pattern, pat.pattern):
                report(other, pat)


def _first(item):
    return item[0]


def _literal_prefix(pattern_text):
    cut = len(pattern_text)
    for marker in ("*", "?", "{sid}", "{guid}"):
        pos = pattern_text.find(marker)
        if pos != -1:
            cut = min(cut, pos)
    return pattern_text[:cut].casefold()


def load_inventory(paths, *, today=None, strict=False):
    """Load every inventory file under *paths*; see the module docstring."""
    if isinstance(paths, str):
        paths = [paths]
    today = _today(today)
    inventory = Inventory()
    files, problems = find_inventory_files(list(paths))
    inventory.errors.extend(problems)
    inventory.files = files
    validator = _validator()
    for file in files:
        inventory.entries.extend(_load_file(file, inventory, today, strict, validator))
    _check_overlaps(inventory.entries, inventory)
    inventory.errors.sort(key=lambda p: (p["file"], p["line"], p["column"], p["code"]))
    inventory.warnings.sort(key=lambda p: (p["file"], p["line"], p["column"], p["code"]))
    return inventory
