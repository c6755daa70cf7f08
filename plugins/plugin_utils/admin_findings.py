# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Judging the admin surface of one host: GPO-delivered tasks, local Administrators, LAPS.

Internal to taskguard.windows. Findings have the drift shape
(``{"id", "code", "params", "kind", "task", "severity", "title", "reasons",
"evidence", "entry", "proposed_entry", "diff"}``); every code is in ``CODES``
(kind, floor severity, English title template over ``params``, docs anchor)
so the findings catalogue can take them over unchanged. Families: ``TG-G``
GPO tasks, ``TG-A`` local Administrators, ``TG-L`` LAPS.

Like drift, one host at a time and no fleet state (safe under job slicing).
What could not be read is a ``coverage_gap`` finding, never an empty list.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift import finding_id, trim
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_compare import is_system
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK, max_severity

DOCS = "docs/least-privilege.md"
KINDS = ("gpo_task", "local_admin", "laps")


def _c(kind, severity, title, anchor):
    return {"kind": kind, "severity": severity, "title": title, "anchor": "%s#%s" % (DOCS, anchor)}


CODES = {
    # GPO-delivered tasks (Group Policy Preferences ScheduledTasks.xml in SYSVOL)
    "TG-G001": _c("gpo_task", "medium", "GPO task {name!r} of GPO {gpo_guid} not documented in the task inventory "
                                        "(runs {command})", "gpo-tasks"),
    "TG-G002": _c("gpo_task", "medium", "GPO task {name!r} of GPO {gpo_guid} differs from its inventory entry "
                                        "({fields})", "gpo-tasks"),
    "TG-G003": _c("gpo_task", "high", "Immediate GPO task {name!r} of GPO {gpo_guid} runs {command} as {run_as} "
                                      "at the next policy refresh", "gpo-tasks"),
    "TG-G004": _c("gpo_task", "high", "GPO task {name!r} of GPO {gpo_guid} runs {command} as SYSTEM from a "
                                      "{where} path", "gpo-tasks"),
    "TG-G005": _c("gpo_task", "high", "GPO task {name!r} of GPO {gpo_guid} added since the last audit", "gpo-tasks"),
    "TG-G006": _c("gpo_task", "high", "GPO task {name!r} of GPO {gpo_guid} changed since the last audit",
                  "gpo-tasks"),
    "TG-G007": _c("gpo_task", "high", "GPO task {name!r} of GPO {gpo_guid} stores a password in SYSVOL "
                                      "(cpassword, MS14-025)", "gpo-tasks"),
    "TG-G008": _c("gpo_task", "low", "GPO task {name!r} of GPO {gpo_guid} present but its inventory entry has "
                                     "expired", "gpo-tasks"),
    "TG-G010": _c("coverage_gap", "high", "SYSVOL not found on this domain controller: GPO tasks not audited",
                  "coverage"),
    "TG-G011": _c("coverage_gap", "medium", "{count} SYSVOL file(s) could not be read: GPO tasks there not audited",
                  "coverage"),
    "TG-G012": _c("unparseable", "medium", "GPO scheduled-task preference {source} could not be parsed: {error}",
                  "coverage"),
}

# Paths a standard user can write to (SigmaHQ's list, docs/least-privilege.md): a
# SYSTEM task running from there runs whatever that user put there.
_USER_WRITABLE = re.compile(
    r"(?:\\appdata\\|\\users\\public\\|\\windows\\temp\\|\\windows\\tasks\\|\\programdata\\|\\perflogs\\"
    r"|\\desktop\\|\\downloads\\|\A\s*\"?[a-z]:\\temp\\|\A\s*\"?[a-z]:\\tmp\\"
    r"|%(?:temp|tmp|appdata|localappdata|public|userprofile|programdata)%)",
    re.IGNORECASE)
_UNC = re.compile(r"(?:\A|[\s\"'=,;])(?:\\\\|//)[^\\/\s\"']+[\\/]")
_DC_ROLES = ("domain_controller", "primary_domain_controller", "backup_domain_controller")


class Findings(object):
    """Accumulates findings of one host in the drift shape, one per (code family, subject)."""

    def __init__(self, host_name):
        self.host = host_name
        self.items = []
        self._ids = set()

    def add(self, code, subject, params, *, reasons=None, evidence=None, entry=None, diff=None,
            severity=None, key=""):
        meta = CODES[code]
        # the id follows the subject, not the code: a task that was "new" last run
        # and is only "undocumented" now keeps its id
        fid = finding_id(self.host, meta["kind"], subject, key or code)
        if fid in self._ids:
            return None
        self._ids.add(fid)
        params = {k: _param(v) for k, v in (params or {}).items()}
        finding = {
            "id": fid, "code": code, "params": params, "kind": meta["kind"], "task": subject,
            "severity": severity or meta["severity"],
            "title": _title(meta["title"], params),
            "reasons": reasons or [reason(code)], "evidence": trim(evidence or {}),
            "entry": entry, "proposed_entry": None, "diff": trim(diff) if diff else None,
        }
        self.items.append(finding)
        return finding

    def sorted(self):
        return sorted(self.items, key=lambda f: (-SEVERITY_RANK[f["severity"]], f["code"], f["task"] or "", f["id"]))


def _param(value):
    if isinstance(value, str):
        return value[:300]
    return value


def _title(template, params):
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def reason(code, title=None, severity=None):
    meta = CODES[code]
    if title is None:
        title = meta["title"].split(" {")[0] if "{" in meta["title"] else meta["title"]
    return {"rule": code, "title": title,
            "severity": severity or meta["severity"], "category": "admin_surface", "mitre": [],
            "references": [{"title": "taskguard docs", "url": meta["anchor"]}]}


def _entry_source(entry):
    source = getattr(entry, "source", None)
    return {"file": source.get("file"), "line": source.get("line")} if isinstance(source, dict) else None


def is_domain_controller(host):
    return str((host or {}).get("domain_role") or "") in _DC_ROLES


# -------------------------------------------------------------------- GPO tasks
def where_it_runs_from(action):
    """'UNC' / 'user-writable' / None for one normalized action (command and arguments)."""
    text = " ".join(str(action.get(k) or "") for k in ("command", "arguments", "working_directory"))
    if _UNC.search(" " + text):
        return "UNC"
    if _USER_WRITABLE.search(text):
        return "user-writable"
    return None


def _command_text(task):
    parts = []
    for action in task.get("actions") or []:
        parts.append(" ".join(p for p in (action.get("command"), action.get("arguments")) if p))
    return "; ".join(parts) or "(no command)"


def _runs_as_system(task):
    if task.get("run_as_default"):
        # [MS-GPPREF] 2.2.1.18: a Computer Configuration task without runAs runs as
        # the Task Scheduler service's account, typically SYSTEM.
        return task.get("scope") == "machine"
    return is_system(task.get("run_as"))


def _previous_index(previous):
    """{(guid, scope, item_type, name): fingerprint} from the previous audit's material or GPO task list."""
    if previous is None:
        return None
    tasks = previous
    if isinstance(previous, dict):
        gpo = previous.get("gpo_tasks")
        tasks = gpo.get("tasks") if isinstance(gpo, dict) else previous.get("tasks")
    index = {}
    for task in tasks or []:
        if isinstance(task, dict):
            index[_task_key(task)] = task.get("fingerprint")
    return index


def _task_key(task):
    return (str(task.get("gpo_guid") or "").upper(), task.get("scope"), task.get("item_type"),
            str(task.get("name") or "").casefold())


def _match(host_view, path):
    if host_view is None:
        return None
    try:
        return host_view.match(path)
    except Exception:  # a matcher error on a hostile name means "no entry"
        return None


def judge_gpo_tasks(out, gpo, host, host_view, previous=None, rules=None):
    """Add the TG-G findings of one host's GPO task collection (``gpo_tasks`` result) to ``out``."""
    if gpo is None:
        if is_domain_controller(host):
            out.add("TG-G010", None, {}, evidence={"reason": "SYSVOL was not collected"}, key="not-collected")
        return
    coverage = gpo.get("coverage") or {}
    if not coverage.get("sysvol_found") and is_domain_controller(host):
        out.add("TG-G010", None, {}, evidence={"coverage": coverage, "errors": gpo.get("errors") or []},
                key="sysvol")
    errors = [e for e in gpo.get("errors") or [] if isinstance(e, dict)]
    if errors:
        out.add("TG-G011", None, {"count": len(errors)}, evidence={"errors": errors}, key="errors")
    for item in gpo.get("unparseable") or []:
        if isinstance(item, dict):
            out.add("TG-G012", item.get("source"), {"source": item.get("source"), "error": item.get("error")},
                    evidence=item, key="%s:%s" % (item.get("source"), item.get("index")))
    before = _previous_index(previous)
    for task in gpo.get("tasks") or []:
        if isinstance(task, dict):
            _judge_one(out, task, host, host_view, before, rules)


def _judge_one(out, task, host, host_view, before, rules):
    definition = task.get("definition") or {}
    path = task.get("path")
    params = {"gpo_guid": task.get("gpo_guid"), "gpo_name": task.get("gpo_name"), "name": task.get("name"),
              "command": _command_text(task), "run_as": task.get("run_as") or "(default account)",
              "scope": task.get("scope"), "item_type": task.get("item_type"), "action": task.get("action")}
    evidence = {"gpo_task": {k: v for k, v in task.items() if k != "definition"}}
    runs = task.get("action") != "D"   # a Delete item removes a task; it runs nothing
    problems = []   # (code, extra params)
    if runs and task.get("immediate"):
        problems.append(("TG-G003", {}))
    system = runs and _runs_as_system(task)
    if system:
        where = next((w for w in map(where_it_runs_from, task.get("actions") or []) if w), None)
        if where:
            problems.append(("TG-G004", {"where": where}))
    if task.get("stored_password"):
        problems.append(("TG-G007", {}))
    if before is not None:
        key = _task_key(task)
        if key not in before:
            problems.append(("TG-G005", {}))
        elif before[key] != task.get("fingerprint"):
            problems.append(("TG-G006", {}))
    entry = _match(host_view, path)
    diff = None
    if entry is None:
        problems.append(("TG-G001", {}))
    else:
        try:
            diff = entry.compare(definition) or []
        except Exception as exc:
            diff = [{"field": "<compare error>", "expected": None, "actual": str(exc)}]
        if diff:
            problems.append(("TG-G002", {"fields": ", ".join(sorted({str(d.get("field")) for d in diff}))}))
        if getattr(entry, "expired", False):
            problems.append(("TG-G008", {}))
    if not problems:
        return
    risk = {"severity": None, "reasons": [], "escalations": []}
    if rules is not None and hasattr(rules, "evaluate") and runs:
        try:
            risk = rules.evaluate(definition, {"documented": entry is not None and not diff})
        except Exception as exc:  # scoring must never hide the finding
            risk = {"severity": None, "reasons": [], "escalations": ["risk rules failed: %s" % exc]}
        evidence["escalations"] = risk.get("escalations") or []
    problems.sort(key=lambda p: -SEVERITY_RANK[CODES[p[0]]["severity"]])
    code = problems[0][0]
    for _code, extra in problems:
        params.update(extra)
    severity = max_severity(risk.get("severity"), *[CODES[c]["severity"] for c, _e in problems])
    if task.get("immediate") and system and any(c == "TG-G004" for c, _e in problems):
        severity = "critical"   # domain-wide SYSTEM code execution from a path others control
    if task.get("disabled"):
        # GPP does not apply a disabled item; it stays visible (it can be re-enabled in one click)
        severity = "low"
        evidence["note"] = "the preference item is disabled in the GPO (disabled=1): not applied while so"
    reasons = [reason(c) for c, _e in problems] + list(risk.get("reasons") or [])
    out.add(code, path, params, reasons=reasons, evidence=evidence, entry=_entry_source(entry) if entry else None,
            diff=diff or None, severity=severity, key="gpo-task")
