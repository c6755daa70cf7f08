# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Propose inventory entries for collected tasks (learning playbook, drift reports).

``propose_entry(task, host) -> dict`` returns an entry that is valid as written
(the validator accepts it) and that, fed back, matches the same task with no
differences. What a machine cannot know (who owns the task, why it exists, who
approved it) is filled with ``CONFIRM: ...`` text and listed in a ``review`` block
with ``status: unconfirmed``: ``validate.yml`` warns about such entries and fails
on them in strict mode, so a learned file can be used at once but not merged
into a vendor's file unreviewed.

``proposal_allowed(task, severity=..., hidden_reasons=..., risk_reasons=...)``
says whether a report may offer a proposal at all: never for a concealed task,
a high/critical finding or a task matching a medium+ risk rule (those carry
"investigate before documenting" instead). Every proposal says in
``review.notes`` what it would allow.

Per-user tasks whose name ends with a user SID (OneDrive, Edge per-user
updaters) are generalized to a ``{sid}`` path pattern so one entry covers every
user and a learned file does not carry user SIDs.
"""
from __future__ import (absolute_import, division, print_function)

__metaclass__ = type

import copy
import datetime

import yaml

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_compare import (
    is_system, is_user_account, normalize_account,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_patterns import (
    escape_literal, trailing_sid,
)

CONFIRM = "CONFIRM"
_TEXT_MAX = 512
_LONG_MAX = 4096
_PROPOSAL_EXPIRY_DAYS = 365


def _today(today):
    if today is None:
        return datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    return today.isoformat() if isinstance(today, datetime.date) else str(today)


def _fits(value, limit):
    return value is None or (isinstance(value, str) and len(value) <= limit)


def _expected_principal(task, path_sid):
    """The ``principal`` constraint of *task*: per-user tasks get ``{sid}`` / ``{user}``."""
    principal = {}
    source = task.get("principal") or {}
    user = source.get("user_id")
    if user:
        if path_sid and normalize_account(user) == path_sid.casefold():
            principal["user_id"] = "{sid}"
        elif path_sid and is_user_account(user):
            # per-user task whose principal is a name (HOST\\alice): any user account
            principal["user_id"] = "{user}"
        else:
            principal["user_id"] = user
    for key in ("group_id", "logon_type", "run_level"):
        if source.get(key):
            principal[key] = source[key]
    return principal


def _expected_action(action):
    """One action as the inventory writes it; None when it cannot be written (no
    command or class, an unknown type, or a field too long for the schema)."""
    kind = action.get("type")
    item = {"type": kind}
    if kind == "exec":
        if not action.get("command"):
            return None
        item["command"] = action["command"]
        if action.get("arguments") and action["arguments"].strip():
            item["arguments"] = action["arguments"]
        if action.get("working_directory"):
            item["working_directory"] = action["working_directory"]
    elif kind == "com_handler":
        if not action.get("class_id"):
            return None
        item["class_id"] = action["class_id"]
        if action.get("data"):
            item["data"] = action["data"]
    elif kind not in ("send_email", "show_message"):
        return None
    if not (_fits(item.get("command"), _TEXT_MAX) and _fits(item.get("working_directory"), _TEXT_MAX)
            and _fits(item.get("arguments"), _LONG_MAX) and _fits(item.get("data"), _LONG_MAX)):
        return None
    return item


def _expected_for(task, path_sid):
    """The ``expected`` block describing *task*; None when it cannot be expressed."""
    expected = {}
    principal = _expected_principal(task, path_sid)
    if principal and all(_fits(v, _TEXT_MAX) for v in principal.values()):
        expected["principal"] = principal

    actions = []
    for action in task.get("actions") or []:
        item = _expected_action(action)
        if item is None:
            actions = None    # one action the inventory cannot write: none are written
            break
        actions.append(item)
    if actions:
        expected["actions"] = actions
    elif task.get("fingerprint"):
        # odd definitions (no actions, huge arguments): pin the whole definition instead
        expected["fingerprint"] = task["fingerprint"]
        return expected
    else:
        return None
    expected["triggers"] = [{"type": t["type"]} for t in task.get("triggers") or [] if t.get("type")]
    # A task concealed by tampering (Tarrask, GhostTask) often says
    # Hidden=false in its XML: writing that down would document the
    # concealment as "not hidden". Such a task gets no hidden constraint.
    if isinstance(task.get("hidden"), bool) and not task.get("hidden_reasons"):
        expected["hidden"] = task["hidden"]
    return expected


INVESTIGATE = "investigate before documenting"
_RANK = {name: rank for rank, name in enumerate(("info", "low", "medium", "high", "critical"))}


def _rank(severity):
    # an unknown or missing severity counts as critical: fail closed
    return _RANK.get(str(severity or "").casefold(), _RANK["critical"])


def proposal_allowed(task, *, severity, hidden_reasons=(), risk_reasons=()):
    """(allowed, why): may a report offer an allowlist entry for *task*?

    No proposal for what must be investigated first: a task concealed by
    tampering (any code in *hidden_reasons*, the concealment codes the caller
    trusts), a finding at high or critical (*severity*), or a task matching a
    risk rule at medium or above (*risk_reasons*: reason dicts with a
    ``severity``; a reason without one counts as critical). *why* names what
    blocked it and starts with "investigate before documenting"; it is "" when
    a proposal is allowed.
    """
    del task  # the decision rests on what the caller scored, never on task text
    blockers = []
    concealed = sorted({str(code) for code in hidden_reasons or () if code})
    if concealed:
        blockers.append("the task is concealed from the scheduler (%s)" % ", ".join(concealed))
    if _rank(severity) >= _RANK["high"]:
        blockers.append("the finding is %s" % (severity or "of unknown severity"))
    risky = []
    for reason in risk_reasons or ():
        level = reason.get("severity") if isinstance(reason, dict) else None
        if _rank(level) >= _RANK["medium"]:
            name = reason.get("rule") or reason.get("title") if isinstance(reason, dict) else str(reason)
            risky.append("%s (%s)" % (name or "unnamed rule", level or "no severity"))
    if risky:
        blockers.append("it matches risk rule(s) %s" % ", ".join(risky[:5]))
    if blockers:
        return False, "%s: %s" % (INVESTIGATE, "; ".join(blockers))
    return True, ""


def describe_allowance(entry):
    """One sentence saying what an entry allows, for the reviewer (review.notes)."""
    key = entry.get("path") or entry.get("path_pattern") or "?"
    expected = entry.get("expected") or {}
    parts = ["Allows the task %s" % key]
    actions = []
    for action in expected.get("actions") or []:
        if action.get("type") == "exec":
            text = action.get("command") or ""
            if action.get("arguments"):
                text += " " + action["arguments"]
            actions.append("run %s" % text[:300])
        elif action.get("type") == "com_handler":
            actions.append("start COM handler %s" % action.get("class_id"))
        else:
            actions.append(str(action.get("type")))
    if actions:
        parts.append(" to " + "; ".join(actions))
    elif expected.get("fingerprint"):
        parts.append(" with exactly the definition of fingerprint %s" % expected["fingerprint"])
    principal = expected.get("principal") or {}
    who = principal.get("user_id") or principal.get("group_id")
    parts.append(" as %s" % who if who else " as any account (SYSTEM included)")
    if principal.get("run_level"):
        parts.append(" (%s)" % principal["run_level"])
    triggers = [t.get("type") for t in expected.get("triggers") or [] if t.get("type")]
    if "actions" in expected:
        parts.append(", triggered by %s" % (", ".join(triggers) if triggers else "nothing (run on demand)"))
    if "hidden" not in expected and "actions" in expected:
        parts.append(", hidden or not")
    scope = entry.get("scope") or {}
    if scope.get("os_family"):
        parts.append(", on %s" % ", ".join(scope["os_family"]))
    if scope.get("hosts"):
        parts.append(", on hosts %s" % ", ".join(scope["hosts"]))
    parts.append(", until %s." % entry.get("expires", "it is removed"))
    return "".join(parts)[:_LONG_MAX]


def _is_privileged(expected):
    principal = expected.get("principal")
    if not principal:
        return True
    return (is_system(principal.get("user_id")) or "group_id" in principal
            or str(principal.get("run_level", "")).casefold() == "highestavailable")


def entry_key(task, *, generalize=True):
    """(``path`` or ``path_pattern``, value, sid) the proposal uses for *task*."""
    path = task.get("path") or ""
    sid = trailing_sid(task.get("name") or path)
    if generalize and sid and path.endswith(sid):
        pattern = escape_literal(path[:-len(sid)])
        if pattern is not None:
            return "path_pattern", pattern + "{sid}", sid
    return "path", path, None


def propose_entry(task, host, *, today=None, generalize=True):
    """A valid inventory entry documenting *task* as seen on *host*.

    host: ``{"name", "os_family", "domain_role", "groups"}`` (any may be missing).
    Raises ValueError when the task has no path or nothing that can be pinned.
    """
    if not task or not task.get("path") or not str(task["path"]).startswith("\\"):
        raise ValueError("task has no scheduler path")
    host = host or {}
    day = _today(today)
    key, value, sid = entry_key(task, generalize=generalize)
    if len(value) > _TEXT_MAX:
        raise ValueError("task path longer than %d characters" % _TEXT_MAX)
    expected = _expected_for(task, sid)
    if expected is None:
        raise ValueError("task %s has neither expressible actions nor a fingerprint" % task["path"])
    host_name = str(host.get("name") or "unknown-host")
    entry = {key: value}
    entry["justification"] = "%s: why %s must exist (learned from %s on %s)" % (CONFIRM, value, host_name, day)
    entry["owner"] = "%s: team or vendor that owns this task" % CONFIRM
    os_family = host.get("os_family")
    if os_family and os_family != "unknown":
        entry["scope"] = {"os_family": [os_family]}
    entry["expected"] = expected
    confirm = ["owner", "justification"]
    if _is_privileged(expected):
        entry["approval"] = {"ticket": "%s: change ticket" % CONFIRM, "approver": "%s: approver" % CONFIRM,
                             "date": day}
        confirm.append("approval")
    expires = datetime.date.fromisoformat(day) + datetime.timedelta(days=_PROPOSAL_EXPIRY_DAYS)
    entry["expires"] = expires.isoformat()
    confirm.append("expires")
    provenance = {"learned_from": [host_name], "learned_at": day}
    if os_family:
        provenance["os_family"] = [os_family]
    seen = task.get("seen_in") or []
    if seen:
        provenance["source"] = ",".join(seen)
    entry["provenance"] = provenance
    entry["review"] = {"status": "unconfirmed", "confirm": confirm, "notes": describe_allowance(entry)}
    return entry


def propose_for_host(tasks, host, *, today=None, skip=None):
    """(entries, problems) for one host's tasks; ``skip(task) -> bool`` leaves documented ones out."""
    proposals, problems = [], []
    for task in tasks or []:
        if skip is not None and skip(task):
            continue
        if (task or {}).get("hidden_reasons"):
            # A learned baseline must not document a concealed task: it is
            # listed (header of the learned file) for investigation instead.
            problems.append({"host": (host or {}).get("name"), "path": (task or {}).get("path"),
                             "error": "%s: concealed from the scheduler (%s)"
                                      % (INVESTIGATE, ", ".join(str(r) for r in task["hidden_reasons"]))})
            continue
        try:
            proposals.append((task, propose_entry(task, host, today=today)))
        except ValueError as exc:
            problems.append({"host": (host or {}).get("name"), "path": (task or {}).get("path"),
                             "error": str(exc)})
    # Two users' tasks on one host that generalize to the same {sid} pattern but
    # differ otherwise cannot share one entry: keep their exact paths instead.
    by_key = {}
    for task, entry in proposals:
        if "path_pattern" in entry:
            by_key.setdefault(entry["path_pattern"].casefold(), []).append(entry["expected"])
    entries = []
    for task, entry in proposals:
        variants = by_key.get(entry.get("path_pattern", "").casefold()) if "path_pattern" in entry else None
        if variants and any(v != variants[0] for v in variants):
            entry = propose_entry(task, host, today=today, generalize=False)
        entries.append(entry)
    return entries, problems


def merge_proposals(host_tasks, *, today=None, skip=None):
    """One entry per distinct (path, expected) over several hosts.

    host_tasks: iterable of (host dict, [normalized tasks]).
    ``skip(task, host) -> bool`` leaves out tasks already documented.
    Returns (entries, problems) where problems lists tasks that could not be proposed.
    """
    host_entries, problems = [], []
    for host, tasks in host_tasks:
        host_skip = (lambda task, _h=host: skip(task, _h)) if skip is not None else None
        entries, bad = propose_for_host(tasks, host, today=today, skip=host_skip)
        host_entries.append((host, entries))
        problems.extend(bad)
    return merge_entries(host_entries), problems


def merge_entries(host_entries):
    """Merge per-host proposals (from ``propose_for_host``) into one list of entries.

    When hosts disagree about a task's definition, each variant gets ``scope.hosts``
    naming its hosts, so the file stays valid (no overlapping entries) and the
    difference is visible to the reviewer.
    """
    groups = {}
    for host, entries in host_entries:
        for entry in entries or []:
            key = entry.get("path", entry.get("path_pattern")).casefold()
            variants = groups.setdefault(key, [])
            for variant in variants:
                if variant["entry"]["expected"] == entry["expected"]:
                    variant["hosts"].append(host or {})
                    break
            else:
                variants.append({"entry": copy.deepcopy(entry), "hosts": [host or {}]})
    merged = []
    for key in sorted(groups):
        variants = groups[key]
        for variant in variants:
            entry = variant["entry"]
            hosts = variant["hosts"]
            names = sorted({str(h.get("name") or "unknown-host") for h in hosts})
            families = sorted({h.get("os_family") for h in hosts
                               if h.get("os_family") and h.get("os_family") != "unknown"})
            scope = {}
            # only when every host's family is known: otherwise the entry must not exclude the unknown ones
            if families and all(h.get("os_family") and h.get("os_family") != "unknown" for h in hosts):
                scope["os_family"] = families
            if len(variants) > 1:
                scope["hosts"] = names
            if scope:
                entry["scope"] = scope
            else:
                entry.pop("scope", None)
            entry = _reorder(entry)
            entry["provenance"]["learned_from"] = names
            if families:
                entry["provenance"]["os_family"] = families
            entry["review"]["notes"] = describe_allowance(entry)
            if len(variants) > 1:
                entry["review"]["notes"] += (" Hosts disagree about this task's definition: %d variants, "
                                             "each limited to the hosts it was seen on." % len(variants))
            merged.append(entry)
    return merged


_ORDER = ("path", "path_pattern", "justification", "owner", "scope", "expected", "approval", "expires",
          "provenance", "review")


def _reorder(entry):
    ordered = {k: entry[k] for k in _ORDER if k in entry}
    ordered.update((k, v) for k, v in entry.items() if k not in ordered)
    return ordered


def build_document(entries, *, owner_name, contact, kind="learned", provenance=None, defaults=None):
    doc = {"inventory_version": 1,
           "owner": {"name": owner_name, "kind": kind, "contact": contact}}
    if provenance:
        doc["provenance"] = provenance
    if defaults:
        doc["defaults"] = defaults
    doc["tasks"] = list(entries)
    return doc


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        # anchors/aliases confuse vendors reading the file; repeat values instead
        return True


def _str_representer(dumper, data):
    # Backslash-heavy Windows paths read best single-quoted; multi-line text as a block.
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str_representer)


def to_plain(value, _depth=0):
    """Plain dict/list/str/int/float/bool/None copy (Ansible hands over str/dict subclasses)."""
    if _depth > 64:
        raise ValueError("document nested too deeply")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_plain(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v, _depth + 1) for v in value]
    raise ValueError("cannot write a %s into an inventory file" % type(value).__name__)


def dump_document(doc, *, header=None):
    """YAML text of an inventory document, with an optional comment header."""
    body = yaml.dump(to_plain(doc), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096,
                     default_flow_style=False)
    lines = []
    for line in (header or "").splitlines():
        lines.append("# " + line if line else "#")
    return ("\n".join(lines) + "\n" if lines else "") + "---\n" + body
