# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The finding: its shape, codes, ids, trimming, severities, one row per task,
summary and the host verdict. Internal to taskguard.windows (not an interface
for other collections).

Every built-in finding code is in ``CATALOGUE`` (code -> kind, English title
template, default severity, docs anchor); ``tests/unit/plugins/findings`` checks
that docs/drift.md documents each one. Risk rules (``TG-R…``/``TG-E…``) are data
in ``risk_rules/`` and are not repeated here.

Finding shape (docs/drift.md, schemas/drift_report.schema.json)::

    {"id", "code", "params", "kind", "kinds", "task", "severity", "title",
     "reasons": [{"rule", "title", "severity", "category", "mitre", "references"}],
     "problems": [{"code", "kind", "severity", "title", "params"}],
     "evidence": {...trimmed...}, "entry": {"file", "line"}|None,
     "proposed_entry": {...}|None, "proposal_withheld": str|None,
     "diff": [{"field", "expected", "actual"}]|None}

A task appears once per host: every problem found for it (hidden, undocumented,
modified, registered by whom, disabled...) is one ``problems`` item of that one
finding, whose ``kind``/``code``/``severity`` are those of its worst problem.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import json

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import proposal_allowed
from ansible_collections.taskguard.windows.plugins.plugin_utils.severity import SEVERITY_RANK, max_severity

DOCS = "docs/drift.md"

# Kinds in the order a reader should see them when one task has several problems.
KINDS = ("hidden", "transient", "registered", "disabled", "modified", "undocumented", "author_mismatch",
         "registered_by", "enabled", "pending_review", "missing", "expired", "gpo_task", "local_admin", "laps",
         "task_account", "unparseable", "coverage_gap", "note", "unreachable", "failed")
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}
# Kinds about a task (a verdict counts them); the others are about the audit itself.
TASK_KINDS = frozenset(("hidden", "transient", "registered", "disabled", "modified", "undocumented",
                        "author_mismatch", "registered_by", "enabled", "pending_review", "missing", "expired"))
# Admin-surface kinds (docs/least-privilege.md): judged like task findings by the verdict.
ADMIN_KINDS = frozenset(("gpo_task", "local_admin", "laps", "task_account"))
AUDIT_KINDS = frozenset(("coverage_gap", "unparseable", "unreachable", "failed"))


def _c(kind, severity, title, anchor):
    return {"kind": kind, "severity": severity, "title": title, "anchor": "%s#%s" % (DOCS, anchor)}


def _lp(kind, severity, title, anchor):
    return {"kind": kind, "severity": severity, "title": title, "anchor": "docs/least-privilege.md#%s" % anchor}


# TG-T012's {actor_check}: whether the events verify that {user} is Windows' own
# account (drift.decide_actors: WINDOWS, by the SID S-1-5-18/19/20, a computer account
# NAME$ or the Security twin's SID) or only name one (NAMED). The reports show it in
# their language (drift_reports/cards.localized_params).
T012_VERIFIED = "a Windows service account, verified by SID or computer-account name"
T012_NAME_ONLY = "a Windows service account by name only, not verified"
# The {user} of a finding about an event that names no acting account (an Operational
# record without a user name, drift.py); the reports show it in their language.
UNKNOWN_ACCOUNT = "an unknown account"

# code -> kind, default (floor) severity, English title template ({name} = params), docs anchor.
CATALOGUE = {
    # coverage: what the audit could not see
    "TG-C001": _c("coverage_gap", "high", "Task definitions were not collected", "coverage-gaps"),
    "TG-C002": _c("coverage_gap", "medium", "Task source {source!r} could not be read", "coverage-gaps"),
    "TG-C003": _c("coverage_gap", "medium", "{count} error(s) while reading task source {source}", "coverage-gaps"),
    "TG-C004": _c("coverage_gap", "medium", "No task inventory applied: every task is reported as undocumented",
                  "coverage-gaps"),
    "TG-C005": _c("coverage_gap", "high", "Task events were not collected", "coverage-gaps"),
    "TG-C006": _c("coverage_gap", "medium", "{channel}: {problems}", "coverage-gaps"),
    "TG-C007": _c("coverage_gap", "medium", "Event collection truncated (more events than the limit)",
                  "coverage-gaps"),
    "TG-C008": _c("unreachable", "high", "Host unreachable: no audit", "coverage-gaps"),
    "TG-C009": _c("failed", "high", "Audit failed on this host", "coverage-gaps"),
    "TG-C010": _c("coverage_gap", "medium", "{count} error(s) while collecting events", "coverage-gaps"),
    "TG-C011": _c("coverage_gap", "high", "{error}", "coverage-gaps"),
    "TG-C012": _c("coverage_gap", "medium",
                  "{count} problem(s) in the task inventory: affected entries were ignored", "coverage-gaps"),
    "TG-C013": _c("coverage_gap", "low", "{error}", "coverage-gaps"),
    "TG-C014": _c("coverage_gap", "medium",
                  "The inventory could not be consulted for {count} task(s): they are judged as undocumented",
                  "coverage-gaps"),
    "TG-C015": _c("note", "info", "Windows version unknown: matched against all built-in baselines",
                  "coverage-gaps"),
    "TG-C017": _c("coverage_gap", "low", "Legacy at jobs not looked at: the evidence has no Windows\\Tasks folder "
                                         "(.job files)", "coverage-gaps"),
    # A gap and an act: whoever cleared the log removed the record of what came
    # before (T1070.001). High, so it leads the host's gaps and fails a job at
    # taskguard_fail_on: high; the verdict stays about tasks (incomplete, not suspicious).
    "TG-C018": _c("coverage_gap", "high", "{channel} log cleared at {time} by {user}: the task events before "
                  "that moment are gone", "coverage-gaps"),
    "TG-C016": _c("note", "info", "No built-in baseline for {os_family}: matched against all built-in baselines "
                                  "({families})", "coverage-gaps"),
    # unparseable material
    "TG-U001": _c("unparseable", "medium", "Task definition could not be parsed", "unparseable"),
    "TG-U002": _c("unparseable", "medium", "Event could not be parsed", "unparseable"),
    "TG-U003": _c("unparseable", "medium", "Task definition inside an event could not be parsed", "unparseable"),
    "TG-U004": _c("unparseable", "medium", "Collected task without a path", "unparseable"),
    # drift against the inventory
    "TG-D001": _c("modified", "medium", "Task differs from its inventory entry ({fields})", "drift"),
    "TG-D002": _c("expired", "low", "Task present but its inventory entry has expired", "drift"),
    "TG-D003": _c("missing", "medium", "Task required by the inventory is absent from the task sources read "
                                       "({sources})", "drift"),
    "TG-D004": _c("registered_by", "medium", "Task {actions} by an account its entry does not allow: {user}",
                  "drift"),
    "TG-D005": _c("undocumented", "low", "Task not documented in the task inventory", "drift"),
    "TG-D006": _c("pending_review", "low",
                  "Documented only by an unconfirmed inventory entry ({file}:{line}): pending review", "drift"),
    "TG-D007": _c("undocumented", "low",
                  "Matched by an unconfirmed inventory entry ({file}:{line}), which cannot document a finding "
                  "at high or above", "drift"),
    "TG-D009": _c("modified", "low", "Windows task differs from the built-in baseline ({fields}): a task of "
                                     "another Windows build or update looks like this", "drift"),
    # The allow list is there but could not be enforced: a gap of the audit (the host
    # is incomplete, never clean), low because nothing says the account was another.
    "TG-D010": _c("coverage_gap", "low", "Registrant not checked against the entry's allowed_registrants: "
                                         "{count} event(s) ({actions}) name no account and no Security event "
                                         "gives its SID (auditing 'Other Object Access Events' records it)",
                  "drift"),
    "TG-D008": _c("registered_by", "info",
                  "Documented built-in task {actions} by a Windows service or computer account ({user})", "drift"),
    # events: registrations, deletions, state changes
    "TG-T001": _c("transient", "medium", "Task registered and deleted between audits (seen only in events)",
                  "events"),
    "TG-T002": _c("transient", "medium", "Task {actions} at {time} by {user}; absent from the task sources read "
                                         "({sources}) and no deletion event seen", "events"),
    "TG-T003": _c("registered", "medium", "Task {actions} at {time} by {user} (seen in events); its current "
                                          "state was not collected", "events"),
    "TG-T004": _c("disabled", "medium", "Task disabled at {time} by {user}", "events"),
    "TG-T005": _c("disabled", "high", "Security-relevant Windows task disabled at {time} by {user}", "events"),
    "TG-T010": _c("disabled", "medium", "Security-relevant Windows task disabled at {time} by a Windows service "
                                        "or computer account ({user}): Windows does this itself at times (e.g. "
                                        "Windows Update toggling its own tasks); check that it was enabled again",
                  "events"),
    "TG-T011": _c("modified", "medium", "Task {actions} at {time} by {user} to a definition its inventory entry "
                                        "does not describe ({fields}); seen in events", "events"),
    "TG-T006": _c("enabled", "low", "Undocumented task enabled at {time} by {user}", "events"),
    "TG-T007": _c("author_mismatch", "medium",
                  "Task author {author!r} does not match the account that registered it ({user})", "events"),
    "TG-T008": _c("author_mismatch", "medium", "Task author field is oversized ({length} characters)", "events"),
    "TG-T009": _c("registered", "info", "Windows task {actions} at {time} by a Windows service or computer "
                                        "account ({user}): routine maintenance by Windows itself", "events"),
    "TG-T012": _c("registered", "low", "Windows task {actions} at {time} by {user} ({actor_check}; seen in "
                                       "events); no event read carries its definition and the task sources were "
                                       "not read, so whether it is one of Windows' own could not be checked",
                  "events"),
    # concealment (Tarrask / GhostTask); codes were TG-H-<reason> before, which collided with hardening TG-Hn
    "TG-S001": _c("hidden", "high", "Task concealed: security descriptor (SD) removed from its TaskCache Tree key",
                  "concealment"),
    "TG-S002": _c("hidden", "high", "Task concealed: TaskCache Tree Index set to 0", "concealment"),
    "TG-S003": _c("hidden", "high", "Task in the registry without a task file", "concealment"),
    "TG-S004": _c("hidden", "high", "Task not visible to the Task Scheduler API", "concealment"),
    "TG-S005": _c("hidden", "high", "TaskCache Tree entry without a Tasks entry", "concealment"),
    "TG-S006": _c("hidden", "medium", "TaskCache Tasks entry without a Tree entry", "concealment"),
    "TG-S007": _c("hidden", "medium", "Task file without a TaskCache registry entry", "concealment"),
    "TG-S008": _c("hidden", "medium", "Task path in TaskCache differs from the file", "concealment"),
    "TG-S009": _c("hidden", "medium", "TaskCache hash differs from the task file", "concealment"),
    # the admin surface (docs/least-privilege.md): GPO-delivered tasks, local Administrators, LAPS
    # GPO-delivered tasks (Group Policy Preferences ScheduledTasks.xml in SYSVOL)
    "TG-G001": _lp("gpo_task", "medium", "GPO task {name!r} of GPO {gpo_guid} not documented in the task inventory "
                                         "(runs {command})", "gpo-delivered-tasks"),
    "TG-G002": _lp("gpo_task", "medium", "GPO task {name!r} of GPO {gpo_guid} differs from its inventory entry "
                                         "({fields})", "gpo-delivered-tasks"),
    "TG-G003": _lp("gpo_task", "high", "Immediate GPO task {name!r} of GPO {gpo_guid} runs {command} as {run_as} "
                                       "at the next policy refresh", "gpo-delivered-tasks"),
    "TG-G004": _lp("gpo_task", "high", "GPO task {name!r} of GPO {gpo_guid} runs {command} as SYSTEM from a "
                                       "{where} path", "gpo-delivered-tasks"),
    "TG-G005": _lp("gpo_task", "high", "GPO task {name!r} of GPO {gpo_guid} added since the last audit", "gpo-delivered-tasks"),
    "TG-G006": _lp("gpo_task", "high", "GPO task {name!r} of GPO {gpo_guid} changed since the last audit",
                   "gpo-delivered-tasks"),
    "TG-G007": _lp("gpo_task", "high", "GPO task {name!r} of GPO {gpo_guid} stores a password in SYSVOL "
                                       "(cpassword, MS14-025)", "gpo-delivered-tasks"),
    "TG-G008": _lp("gpo_task", "low", "GPO task {name!r} of GPO {gpo_guid} present but its inventory entry has "
                                      "expired", "gpo-delivered-tasks"),
    "TG-G009": _lp("gpo_task", "medium", "GPO task {name!r} of GPO {gpo_guid} removed from SYSVOL since the last "
                                         "audit (it ran {command} as {run_as})", "gpo-delivered-tasks"),
    "TG-G010": _lp("coverage_gap", "high", "SYSVOL not found on this domain controller: GPO tasks not audited",
                   "coverage"),
    "TG-G011": _lp("coverage_gap", "medium", "{count} SYSVOL file(s) could not be read: GPO tasks there not audited",
                   "coverage"),
    "TG-G012": _lp("unparseable", "medium", "GPO scheduled-task preference {source} could not be parsed: {error}",
                   "coverage"),
    "TG-G013": _lp("note", "info", "No previous GPO task state for this host (first audit with this state dir): "
                                   "tasks added or removed since the last audit are not told", "gpo-task-state"),
    "TG-G014": _lp("coverage_gap", "medium", "Previous GPO task state could not be read ({error}): treated as no "
                                             "previous state, nothing is claimed added or removed", "gpo-task-state"),
    # local Administrators (S-1-5-32-544) against the documented administrators table
    "TG-A001": _lp("local_admin", "medium", "Local Administrators member {member} not documented in the "
                                            "administrators table", "local-administrators"),
    "TG-A002": _lp("local_admin", "medium", "Required administrator {member} is not in the local Administrators "
                                            "group", "local-administrators"),
    "TG-A003": _lp("local_admin", "medium", "Orphaned SID {sid} in the local Administrators group (the account no "
                                            "longer resolves)", "local-administrators"),
    "TG-A004": _lp("local_admin", "high", "Built-in Administrator {sid} is enabled where policy says it must be "
                                          "disabled", "local-administrators"),
    "TG-A005": _lp("local_admin", "low", "Local Administrators member {member} documented by an expired entry "
                                         "({file}:{line})", "local-administrators"),
    "TG-A010": _lp("coverage_gap", "medium", "Local Administrators membership could not be read: {error}", "coverage"),
    "TG-A011": _lp("coverage_gap", "low", "{count} problem(s) while reading the local Administrators group",
                   "coverage"),
    "TG-A012": _lp("coverage_gap", "medium", "No administrators table applies to this host: every member is "
                                             "reported as undocumented", "coverage"),
    "TG-A013": _lp("coverage_gap", "low", "Whether the built-in Administrator is enabled could not be read",
                   "coverage"),
    "TG-A014": _lp("coverage_gap", "high", "Domain controller: its Administrators group is the domain's (in NTDS.dit), "
                                           "not in the SAM hive of the evidence; membership not audited offline",
                   "coverage"),
    "TG-A015": _lp("coverage_gap", "medium", "Holders of {right} could not be read: {error}", "coverage"),
    "TG-A016": _lp("coverage_gap", "low", "{count} problem(s) while reading the holders of 'Log on as a batch job' "
                                          "(part of the holders may be missing)", "coverage"),
    "TG-A017": _lp("coverage_gap", "low", "Required administrator {member} could not be checked: {reason}",
                   "coverage"),
    # task accounts: task principals joined with the Administrators models (fleet view)
    "TG-A020": _lp("task_account", "high", "Task {task} stores the password of {account} (logon type Password), a "
                                           "local administrator on {hosts}", "task-accounts"),
    "TG-A021": _lp("task_account", "low", "Account {account} runs tasks on {count} hosts ({hosts})",
                   "task-accounts"),
    "TG-A022": _lp("task_account", "low", "Task {task} runs as {account} with RunLevel HighestAvailable (not a "
                                          "built-in service account)", "task-accounts"),
    "TG-A023": _lp("task_account", "medium", "{account} holds 'Log on as a batch job' (SeBatchLogonRight) but no "
                                             "administrators or task_accounts entry in scope names it",
                   "log-on-as-a-batch-job"),
    "TG-A024": _lp("task_account", "medium", "Task {task} runs as {account}, an account not documented for this "
                                             "host (no current task_accounts or administrators entry in scope)",
                   "tasks-that-run-as-an-undocumented-account"),
    # LAPS: is the local administrator password managed and rotated
    "TG-L001": _lp("laps", "medium", "Local administrator password not managed by LAPS ({detail})", "laps"),
    "TG-L002": _lp("laps", "high", "Last LAPS processing failed at {time}: {error}", "laps"),
    "TG-L003": _lp("laps", "medium", "Last successful LAPS processing {days} days ago, older than the policy's "
                                     "password age of {age} days", "laps"),
    "TG-L004": _lp("laps", "medium", "LAPS manages the password but {channel} holds no processing event (10004/10005)",
                   "laps"),
    "TG-L010": _lp("coverage_gap", "medium", "LAPS state could not be read: {error}", "coverage"),
    "TG-L011": _lp("coverage_gap", "low", "LAPS events not read: when the password last rotated is unknown ({error})",
                   "coverage"),
}
# hidden_reasons code (task collection) -> catalogue code
CONCEALMENT_CODES = {
    "sd_missing": "TG-S001", "index_zero": "TG-S002", "registry_without_file": "TG-S003", "not_in_api": "TG-S004",
    "tree_without_tasks_entry": "TG-S005", "tasks_entry_without_tree": "TG-S006",
    "file_without_registry": "TG-S007", "path_mismatch": "TG-S008", "hash_mismatch": "TG-S009",
}
CONCEALMENT = {reason: CATALOGUE[code]["severity"] for reason, code in CONCEALMENT_CODES.items()}

MAX_STR = 2048
MAX_LIST = 50
MAX_EVENTS_PER_FINDING = 20
VERDICTS = ("not_audited", "compromised", "suspicious", "incomplete", "clean")
TIERS = ("domain_controller", "member_server", "admin_workstation", "other")


# ------------------------------------------------------------------ helpers
def trim(value, depth=0):
    """Bounded copy for evidence: long strings cut, long lists cut (marked)."""
    if depth > 8:
        return "<trimmed: nested too deep>"
    if isinstance(value, str):
        if len(value) > MAX_STR:
            return value[:MAX_STR] + "...<trimmed %d chars>" % (len(value) - MAX_STR)
        return value
    if isinstance(value, dict):
        return {str(k)[:200]: trim(v, depth + 1) for k, v in list(value.items())[:200]}
    if isinstance(value, (list, tuple)):
        out = [trim(v, depth + 1) for v in value[:MAX_LIST]]
        if len(value) > MAX_LIST:
            out.append("<trimmed: %d more>" % (len(value) - MAX_LIST))
        return out
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return trim(str(value), depth + 1)


def finding_id(host, kind, task, key=""):
    """Stable across runs: same host, kind, task and discriminator -> same id."""
    raw = json.dumps([host, kind, task, key], ensure_ascii=True)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def lower_path(path):
    return (path or "").replace("/", "\\").lower()


def title_of(code, params=None):
    """The English title of a code with its params; a param that is missing or
    breaks the template leaves the template as written (never an exception)."""
    template = CATALOGUE[code]["title"]
    try:
        return template.format(**(params or {}))
    except (KeyError, IndexError, ValueError, AttributeError):
        return template


def reason(code, params=None, severity=None, references=None):
    """A reason item for a built-in code (same shape as a risk rule's reason)."""
    entry = CATALOGUE[code]
    # The docs anchor is a path in this repository, not a web address: reports
    # show it as text (``docs``), never as a link.
    return {"rule": code, "title": title_of(code, params), "severity": severity or entry["severity"],
            "category": entry["kind"], "mitre": [], "references": list(references or []), "docs": entry["anchor"]}


def sort_key(finding):
    return (-SEVERITY_RANK[finding["severity"]], _KIND_ORDER.get(finding["kind"], 99), finding["task"] or "",
            finding["id"])


# ------------------------------------------------------------ accumulator
class Findings(object):
    """Collects one host's findings; ``rows()`` merges them to one row per task."""

    def __init__(self, host):
        self.host = host
        self.items = []
        self._ids = set()

    _FIELDS = frozenset(("severity", "params", "reasons", "evidence", "key", "entry", "proposed_entry", "diff"))

    def add(self, code, task=None, **fields):
        """Add one problem of catalogue ``code`` (about ``task``, or the host when None).

        ``fields``: severity (raises the code's floor), params (title values),
        reasons, evidence, key (discriminator of the id), entry, proposed_entry,
        diff. Returns the finding, or None when the same fact was already added
        (e.g. seen in two sources)."""
        unknown = set(fields) - self._FIELDS
        if unknown:
            raise TypeError("unknown finding field(s): %s" % ", ".join(sorted(unknown)))
        entry = CATALOGUE[code]
        fid = finding_id(self.host, entry["kind"], task, fields.get("key") or code)
        if fid in self._ids:
            return None
        self._ids.add(fid)
        params = dict(fields.get("params") or {})
        finding = {
            "id": fid, "code": code, "params": params, "kind": entry["kind"], "task": task,
            "severity": max_severity(fields.get("severity"), entry["severity"]) or "info",
            "title": title_of(code, params), "reasons": list(fields.get("reasons") or []),
            "evidence": fields.get("evidence") or {}, "entry": fields.get("entry"),
            "proposed_entry": fields.get("proposed_entry"), "proposal_withheld": None, "diff": fields.get("diff"),
        }
        self.items.append(finding)
        return finding

    def rows(self):
        """One finding per task (merged, ``problems`` keeps each), audit findings as they are; sorted."""
        by_task, out = {}, []
        for finding in self.items:
            if finding["task"] and finding["kind"] in TASK_KINDS:
                by_task.setdefault(lower_path(finding["task"]), []).append(finding)
            else:
                out.append(with_problems(finding))
        out.extend(merge_task_findings(self.host, group) for group in by_task.values())
        out.sort(key=sort_key)
        return out


def _problem(finding):
    return {"code": finding["code"], "kind": finding["kind"], "severity": finding["severity"],
            "title": finding["title"], "params": finding["params"]}


def with_problems(finding):
    """A finding as a host row of its own: one problem (itself), its id kept. The one
    row shape of findings that are never merged with a task's other rows: audit
    findings here, admin-surface rows (pipeline.judge_admin_surface), TG-A024 rows
    (task_run_as) and the report step's fleet-joined rows (report_runner). A
    ``proposal_withheld`` already set is kept, else None (admin-shaped findings
    have none)."""
    row = dict(finding, params=finding.get("params") or {})
    row["kinds"] = [row["kind"]]
    row.setdefault("proposal_withheld", None)
    row["problems"] = [_problem(row)]
    return row


def _merge_events(groups):
    seen, out = set(), []
    for events in groups:
        for event in events or ():
            if not isinstance(event, dict):
                continue
            key = (event.get("channel"), event.get("record_id"), event.get("event_id"), event.get("time"))
            if key not in seen:
                seen.add(key)
                out.append(event)
    out.sort(key=lambda e: (str(e.get("time")), e.get("record_id") if isinstance(e.get("record_id"), int) else 0))
    return out[:MAX_EVENTS_PER_FINDING]


def merge_task_findings(host, group):
    """One row for every problem of one task (``group``: findings with the same task path)."""
    group = sorted(group, key=lambda f: (-SEVERITY_RANK[f["severity"]], _KIND_ORDER.get(f["kind"], 99)))
    first = group[0]
    row = dict(first)
    row["id"] = finding_id(host, "task", lower_path(first["task"]))
    row["kinds"] = sorted({f["kind"] for f in group}, key=lambda k: _KIND_ORDER.get(k, 99))
    row["problems"] = [_problem(f) for f in group]
    if len(group) > 1:
        others = [f["title"] for f in group[1:]]
        row["title"] = "%s; also: %s" % (first["title"], "; ".join(others[:4]))
    reasons, rules = [], set()
    for f in group:
        for item in f["reasons"]:
            rule = item.get("rule") if isinstance(item, dict) else None
            if rule not in rules:
                rules.add(rule)
                reasons.append(item)
    row["reasons"] = reasons
    evidence = {}
    for f in reversed(group):   # the worst problem's evidence wins on a shared key
        evidence.update(f["evidence"] or {})
    events = _merge_events([f["evidence"].get("events") for f in group if isinstance(f.get("evidence"), dict)])
    if events:
        evidence["events"] = events
    escalations = []
    for f in group:
        for item in (f["evidence"] or {}).get("escalations") or []:
            if item not in escalations:
                escalations.append(item)
    if escalations:
        evidence["escalations"] = escalations
    row["evidence"] = evidence
    for field in ("entry", "diff", "proposed_entry"):
        row[field] = next((f[field] for f in group if f.get(field)), None)
    return row


# ------------------------------------------------------------ proposals
def withhold_proposal(row):
    """No allowlist proposal for what must be investigated first (a copied proposal
    must never silence an attack): the reason, or None when one may be offered.
    The rule itself is inventory_propose.proposal_allowed."""
    hidden = (row.get("evidence") or {}).get("hidden_reasons") or (["concealed"] if "hidden" in row["kinds"] else [])
    risk_reasons = [r for r in row["reasons"] if isinstance(r, dict) and r.get("rule") not in CATALOGUE]
    allowed, why = proposal_allowed((row.get("evidence") or {}).get("task"), severity=row["severity"],
                                    hidden_reasons=hidden, risk_reasons=risk_reasons)
    return None if allowed else why


# ------------------------------------------------------------ summary, verdict, tier
def summarize(findings):
    by_sev = {s: 0 for s in ("critical", "high", "medium", "low", "info")}
    by_kind = {}
    tasks = 0
    for f in findings:
        by_sev[f["severity"]] = by_sev.get(f["severity"], 0) + 1
        by_kind[f["kind"]] = by_kind.get(f["kind"], 0) + 1
        if f["kind"] in TASK_KINDS:
            tasks += 1
    return {"findings": len(findings), "tasks": tasks, "by_severity": by_sev, "by_kind": by_kind,
            "highest_severity": max_severity(*[f["severity"] for f in findings])}


def _verdict_reason(code, text, params=None, task=None):
    return {"code": code, "text": text, "params": dict(params or {}), "task": task}


def verdict(status, findings, *, task_sources_read=True):
    """``{"state", "reasons", "task_sources_read"}`` of one host (docs/drift.md#host-verdict).

    compromised: a critical task finding; suspicious: a task finding at medium or
    above; not_audited: no audit result, or no task source could be read at all
    (events alone can still make a host compromised or suspicious: then
    ``task_sources_read`` is False and a reason says so); incomplete: the audit
    could not see everything; clean: none of these.
    """
    reasons = []
    if status in ("unreachable", "failed"):
        first = next((f for f in findings if f["kind"] in ("unreachable", "failed")), None)
        text = (first or {}).get("evidence", {}).get("message") or (first or {}).get("title") or status
        return {"state": "not_audited", "reasons": [_verdict_reason("not_audited", str(text)[:300])],
                "task_sources_read": False}
    task_rows = [f for f in findings if f["kind"] in TASK_KINDS or f["kind"] in ADMIN_KINDS]
    critical = [f for f in task_rows if f["severity"] == "critical"]
    serious = [f for f in task_rows if SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK["medium"]]
    # the most severe gaps first: a cleared log (TG-C018, high) leads the reasons
    gaps = sorted((f for f in findings if f["kind"] in AUDIT_KINDS), key=lambda f: -SEVERITY_RANK[f["severity"]])
    for f in (critical or serious)[:3]:
        text = "%s: %s" % (f["task"], f["title"]) if f["task"] else f["title"]
        reasons.append(_verdict_reason(f.get("code") or f["kind"], text, f.get("params"), f["task"]))
    if not task_sources_read:
        reasons.append(_verdict_reason("no_task_source", "no task source could be read"))
    for f in gaps[:3]:
        reasons.append(_verdict_reason(f.get("code") or f["kind"], f["title"], f.get("params")))
    if critical:
        state = "compromised"
    elif serious:
        state = "suspicious"
    elif not task_sources_read:
        state = "not_audited"
    elif gaps:
        state = "incomplete"
    else:
        state = "clean"
        reasons.append(_verdict_reason("clean", "every task source and event channel read; no task finding "
                                                "at medium or above"))
    extra = len(critical or serious) - 3
    if extra > 0:
        reasons.insert(3, _verdict_reason("more", "%d more task finding(s)" % extra, {"count": extra}))
    return {"state": state, "reasons": reasons, "task_sources_read": bool(task_sources_read)}


_ADMIN_GROUPS = ("admin_workstation", "admin_workstations", "paw", "paws", "tier0_workstations")


def tier(host):
    """The guideline's priority tiers: domain controllers, member servers, admin
    workstations, others. ``taskguard_tier`` (host var, given as ``host["tier"]``) wins."""
    given = str(host.get("tier") or "").strip().lower()
    if given in TIERS:
        return given
    groups = {str(g).lower() for g in host.get("groups") or ()}
    role = str(host.get("domain_role") or "")
    if role == "domain_controller":
        return "domain_controller"
    if groups & set(_ADMIN_GROUPS):
        return "admin_workstation"
    if role in ("member_server", "standalone_server") or host.get("product_type") in ("server", "domain_controller"):
        return "member_server"
    return "other"


def unreachable_finding(host_name, kind, message):
    """The finding of a host the audit could not run on (``kind``: unreachable|failed)."""
    code = "TG-C008" if kind == "unreachable" else "TG-C009"
    out = Findings(host_name)
    finding = out.add(code, reasons=[reason(code)], evidence={"message": trim(str(message or ""))})
    finding["id"] = finding_id(host_name, kind, None, "")
    return with_problems(finding)
