# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-host drift: collected tasks + events + inventory view + risk rules -> findings.

``audit_host`` sees one host only (no fleet state), indexes everything it needs
once (tasks by path, events by task) and touches every task and event a constant
number of times: linear in tasks + events. Risk rules are only evaluated for tasks
that produce a finding (documented, unchanged tasks cost one dict lookup and one
``Entry.compare``).

Finding shape (docs/drift.md, schemas/drift_report.schema.json)::

    {"id", "kind", "task", "severity", "title", "reasons": [{"rule", "title", "severity", "references", ...}],
     "evidence": {...trimmed...}, "entry": {"file", "line"}|None, "proposed_entry": {...}|None,
     "diff": [{"field", "expected", "actual"}]|None}
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import json

from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import (
    SEVERITY_RANK, max_severity,
)

KINDS = ("undocumented", "modified", "missing", "hidden", "transient", "registered_by",
         "expired", "coverage_gap", "unparseable", "unreachable", "failed")

# Floor severity of each kind, before risk rules raise it.
BASE_SEVERITY = {
    "undocumented": "low", "modified": "medium", "missing": "medium", "hidden": "medium",
    "transient": "medium", "registered_by": "medium", "expired": "low",
    "coverage_gap": "medium", "unparseable": "medium", "unreachable": "high", "failed": "high",
}

# hidden_reasons codes that mean concealment (Tarrask / GhostTask). Codes that
# only follow from a missing source are filtered by the source check below.
CONCEALMENT = {
    "sd_missing": "high", "index_zero": "high", "registry_without_file": "high",
    "not_in_api": "high", "tree_without_tasks_entry": "high", "tasks_entry_without_tree": "medium",
    "file_without_registry": "medium", "uri_mismatch": "medium",
    "path_mismatch": "medium", "hash_mismatch": "medium",
}
# Codes that need a given source to have been read (offline hosts have no API).
_REASON_NEEDS = {"not_in_api": "api", "registry_without_file": "files", "file_without_registry": "registry"}

MAX_STR = 2048
MAX_LIST = 50
MAX_EVENTS_PER_FINDING = 20


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


def _lower_path(path):
    return (path or "").replace("/", "\\").lower()


def _event_trim(event):
    out = {k: v for k, v in event.items() if k != "definition"}
    if event.get("definition") is not None:
        out["definition"] = event["definition"]
    return trim(out)


class _Findings(object):
    def __init__(self, host):
        self.host = host
        self.items = []
        self._ids = set()

    def add(self, kind, task, severity, title, reasons=None, evidence=None, entry=None,
            proposed_entry=None, diff=None, key=""):
        fid = finding_id(self.host, kind, task, key)
        if fid in self._ids:  # same fact reported twice (e.g. two sources): keep one
            return None
        self._ids.add(fid)
        finding = {
            "id": fid, "kind": kind, "task": task,
            "severity": max_severity(severity, BASE_SEVERITY.get(kind, "info")) or "info",
            "title": title, "reasons": reasons or [], "evidence": evidence or {},
            "entry": entry, "proposed_entry": proposed_entry, "diff": diff,
        }
        self.items.append(finding)
        return finding


def _entry_source(entry):
    if entry is None:
        return None
    source = getattr(entry, "source", None)
    if isinstance(source, dict):
        return {"file": source.get("file"), "line": source.get("line")}
    return None


def _match(host_view, path):
    """Inventory entry for a path; a matcher error on a hostile path means "no entry"."""
    if host_view is None:
        return None
    try:
        return host_view.match(path)
    except Exception:
        return None


def _reason(rule, title, severity, references=None):
    return {"rule": rule, "title": title, "severity": severity, "category": "drift",
            "mitre": [], "references": references or []}


_COVERAGE_REF = [{"title": "taskguard docs: coverage gaps", "url": "docs/drift.md#coverage-gaps"}]


# --------------------------------------------------------------------- main
def audit_host(host_name, tasks_result, events_result, host_view, rules, *, host=None, propose=None):
    """Return {"status": "audited"|"partial", "findings": [...], "summary": {...}}.

    ``tasks_result``/``events_result``: the task_info / task_events results (None
    when that collection did not run). ``host_view``: inventory HostView (None
    when no inventory could be loaded: then every task is undocumented and a
    coverage gap says so). ``propose(task, host) -> dict``: inventory proposal.
    """
    out = _Findings(host_name)
    host = host or {"name": host_name}
    if rules is not None and not hasattr(rules, "evaluate"):
        rules = None  # e.g. [] from a caller without rules: drift kinds still apply, no scoring

    # ---- coverage of the task collection
    sources = {}
    if not isinstance(tasks_result, dict):
        out.add("coverage_gap", None, "high", "Task definitions were not collected",
                [_reason("TG-C001", "no task collection result", "high", _COVERAGE_REF)], key="tasks-missing")
        tasks = []
    else:
        sources = tasks_result.get("sources") or {}
        mode = tasks_result.get("mode")
        expected = ("files", "registry") if mode == "offline" else ("api", "files", "registry")
        for source in expected:
            if not sources.get(source):
                out.add("coverage_gap", None, "medium",
                        "Task source %r could not be read" % source,
                        [_reason("TG-C002", "task source not read: %s" % source, "medium", _COVERAGE_REF)],
                        evidence={"source": source, "mode": mode}, key="source:" + source)
        errors = tasks_result.get("errors") or []
        by_source = {}
        for err in errors:
            if isinstance(err, dict):
                by_source.setdefault(str(err.get("source")), []).append(err)
        for source, errs in sorted(by_source.items()):
            out.add("coverage_gap", None, "medium",
                    "%d error(s) while reading task source %s" % (len(errs), source),
                    [_reason("TG-C003", "errors while collecting tasks", "medium", _COVERAGE_REF)],
                    evidence={"errors": trim(errs)}, key="errors:" + source)
        for item in tasks_result.get("unparseable") or []:
            if not isinstance(item, dict):
                continue
            out.add("unparseable", item.get("path"), "medium", "Task definition could not be parsed",
                    [_reason("TG-U001", "unparseable task definition", "medium")],
                    evidence=trim(item), key="task:%s:%s" % (item.get("source"), item.get("path")))
        tasks = [t for t in (tasks_result.get("tasks") or []) if isinstance(t, dict)]

    if host_view is None:
        out.add("coverage_gap", None, "medium", "No task inventory applied: every task is reported as undocumented",
                [_reason("TG-C004", "task inventory not loaded", "medium", _COVERAGE_REF)], key="inventory")

    # ---- tasks: index by path once
    present = {}
    matched_entries = set()
    for index, task in enumerate(tasks):
        path = task.get("path")
        if not isinstance(path, str) or not path:
            out.add("unparseable", None, "medium", "Collected task without a path",
                    [_reason("TG-U004", "task without path", "medium")], evidence={"task": trim(task)},
                    key="nopath:%d" % index)
            continue
        present[_lower_path(path)] = task
        entry = _match(host_view, path)
        documented = entry is not None
        if documented:
            matched_entries.add(id(entry))

        concealment = [r for r in (task.get("hidden_reasons") or [])
                       if r in CONCEALMENT and sources.get(_REASON_NEEDS.get(r, "files"), True)]
        risk = None

        def _risk():
            return rules.evaluate(task, {"documented": documented}) if rules is not None else {"severity": None, "reasons": [], "escalations": []}

        if concealment:
            risk = _risk()
            severity = max_severity(risk["severity"], *[CONCEALMENT[r] for r in concealment])
            reasons = [_reason("TG-H-" + code, "concealment: %s" % code, CONCEALMENT[code]) for code in concealment] + risk["reasons"]
            out.add("hidden", path, severity, "Task concealed from the scheduler (%s)" % ", ".join(concealment),
                    reasons, evidence={"task": trim(task), "hidden_reasons": list(concealment),
                                       "escalations": risk["escalations"]},
                    entry=_entry_source(entry), key=",".join(sorted(concealment)))

        if not documented:
            risk = risk or _risk()
            proposal = None
            if propose is not None:
                try:
                    proposal = propose(task, host)
                except Exception as exc:  # a proposal must never hide the finding
                    proposal = {"error": "could not propose an entry: %s" % exc}
            out.add("undocumented", path, risk["severity"] or "low",
                    "Task not documented in the task inventory",
                    risk["reasons"], evidence={"task": trim(task), "escalations": risk["escalations"]},
                    proposed_entry=trim(proposal) if proposal is not None else None)
            continue

        try:
            diff = entry.compare(task) or []
        except Exception as exc:
            diff = [{"field": "<compare error>", "expected": None, "actual": str(exc)}]
        if diff:
            risk = risk or _risk()
            out.add("modified", path, risk["severity"] or "medium",
                    "Task differs from its inventory entry (%s)" % ", ".join(sorted({str(d.get("field")) for d in diff})),
                    [_reason("TG-D001", "definition differs from the inventory", "medium")] + risk["reasons"],
                    evidence={"task": trim(task), "escalations": risk["escalations"]},
                    entry=_entry_source(entry), diff=trim(diff))
        if getattr(entry, "expired", False):
            out.add("expired", path, "low", "Task present but its inventory entry has expired",
                    [_reason("TG-D002", "inventory entry expired", "low")],
                    evidence={"task": trim(task)}, entry=_entry_source(entry))

    # ---- missing required tasks
    if host_view is not None and tasks_result is not None:
        try:
            required = list(host_view.required_entries())
        except Exception:
            required = []
        for entry in required:
            if id(entry) in matched_entries:
                continue
            path = getattr(entry, "path", None) or getattr(entry, "key", None) or "?"
            if _lower_path(path) in present:  # matched by another (more specific) entry
                continue
            out.add("missing", path, "medium", "Task required by the inventory is absent",
                    [_reason("TG-D003", "required task missing", "medium")],
                    evidence={}, entry=_entry_source(entry))

    # ---- events
    by_task = _audit_events(out, events_result, host_view, rules, present, host, propose)
    # Who registered/changed a present task is what an analyst asks first: attach
    # the task's registration events to its task findings.
    for finding in out.items:
        if finding["kind"] in ("undocumented", "modified", "hidden") and finding["task"]:
            related = [e for e in by_task.get(_lower_path(finding["task"]), ())
                       if e.get("action") in ("registered", "updated", "deleted", "disabled", "enabled")]
            if related:
                finding["evidence"]["events"] = [_event_trim(e) for e in related[:MAX_EVENTS_PER_FINDING]]

    findings = sorted(out.items, key=lambda f: (-SEVERITY_RANK[f["severity"]], f["kind"], f["task"] or "", f["id"]))
    partial = any(f["kind"] == "coverage_gap" for f in findings)
    return {"status": "partial" if partial else "audited", "findings": findings,
            "summary": summarize_findings(findings)}


def _audit_events(out, events_result, host_view, rules, present, host, propose):
    if not isinstance(events_result, dict):
        out.add("coverage_gap", None, "high", "Task events were not collected",
                [_reason("TG-C005", "no event collection result", "high", _COVERAGE_REF)], key="events-missing")
        return {}
    for channel, cov in sorted((events_result.get("coverage") or {}).items()):
        if not isinstance(cov, dict):
            continue
        problems = []
        if cov.get("enabled") is False:
            problems.append("channel disabled")
        if cov.get("readable") is False:
            problems.append("channel not readable")
        if cov.get("events_may_be_lost"):
            problems.append("events may have been lost")
        if problems or cov.get("reasons") and (cov.get("enabled") is False or cov.get("readable") is False or cov.get("events_may_be_lost")):
            detail = ", ".join(str(r) for r in (cov.get("reasons") or [])[:6])
            out.add("coverage_gap", None, "medium", "%s: %s%s" % (channel, "; ".join(problems),
                                                                  " (%s)" % detail if detail else ""),
                    [_reason("TG-C006", "event channel coverage", "medium", _COVERAGE_REF)],
                    evidence={"channel": channel, "coverage": trim(cov),
                              "channel_info": trim((events_result.get("channels") or {}).get(channel))},
                    key="channel:" + channel)
    event_errors = [e for e in (events_result.get("errors") or []) if isinstance(e, dict)]
    if event_errors:
        out.add("coverage_gap", None, "medium", "%d error(s) while collecting events" % len(event_errors),
                [_reason("TG-C010", "errors while collecting events", "medium", _COVERAGE_REF)],
                evidence={"errors": trim(event_errors)}, key="event-errors")
    if events_result.get("truncated"):
        out.add("coverage_gap", None, "medium", "Event collection truncated (more events than the limit)",
                [_reason("TG-C007", "event collection truncated", "medium", _COVERAGE_REF)], key="events-truncated")
    for item in events_result.get("unparseable") or []:
        if isinstance(item, dict):
            out.add("unparseable", None, "medium", "Event could not be parsed",
                    [_reason("TG-U002", "unparseable event", "medium")], evidence=trim(item),
                    key="event:%s:%s" % (item.get("source"), item.get("record_id")))

    # index events by task path (one pass)
    by_task = {}
    for event in events_result.get("events") or []:
        if not isinstance(event, dict):
            continue
        if event.get("definition_error"):
            out.add("unparseable", event.get("task"), "medium", "Task definition inside an event could not be parsed",
                    [_reason("TG-U003", "unparseable definition in event", "medium")], evidence=_event_trim(event),
                    key="event-def:%s:%s" % (event.get("channel"), event.get("record_id")))
        task = event.get("task")
        if task:
            by_task.setdefault(_lower_path(task), []).append(event)

    for key, events in by_task.items():
        path = events[0].get("task")
        entry = _match(host_view, path)
        registrations = [e for e in events if e.get("action") in ("registered", "updated")]
        deletions = [e for e in events if e.get("action") == "deleted"]

        # registered_by: an account the entry does not allow registered/updated it
        # (one finding per task and account, all its events as evidence)
        if entry is not None:
            refused = {}
            for event in registrations:
                user = event.get("user") or event.get("subject_sid")
                try:
                    allowed = entry.allows_registrant(user) if user else None
                except Exception:
                    allowed = None
                if allowed is False:
                    refused.setdefault(str(user).lower(), []).append(event)
            for _key, evs in sorted(refused.items()):
                user = str(evs[0].get("user") or evs[0].get("subject_sid"))
                out.add("registered_by", path, "medium",
                        "Task %s by an account its entry does not allow: %s"
                        % ("/".join(sorted({str(e.get("action")) for e in evs})), user),
                        [_reason("TG-D004", "registrant not allowed by the inventory", "medium")],
                        evidence={"events": [_event_trim(e) for e in evs[:MAX_EVENTS_PER_FINDING]]},
                        entry=_entry_source(entry), key="user:" + user.lower())

        if key in present or not registrations:
            continue
        # transient: registered (or updated) since the last audit and gone now
        if entry is not None:
            allowed = [None]
            try:
                allowed = [entry.allows_registrant(e.get("user") or e.get("subject_sid")) for e in registrations]
            except Exception:
                pass
            if all(a is not False for a in allowed):
                continue  # documented short-lived task (e.g. Ansible's own runner tasks)
        definition = next((e.get("definition") for e in reversed(registrations) if isinstance(e.get("definition"), dict)), None)
        risk = rules.evaluate(definition, {"documented": entry is not None}) if (definition and rules is not None) else \
            {"severity": None, "reasons": [], "escalations": []}
        title = ("Task registered and deleted between audits (seen only in events)" if deletions
                 else "Task registered since the last audit but absent now, without a deletion event")
        reasons = [_reason("TG-T001", "transient task (create/delete between audits)", "medium",
                           [{"title": "MITRE ATT&CK T1053.005", "url": "https://attack.mitre.org/techniques/T1053/005/"},
                            {"title": "Impacket atexec.py", "url": "https://github.com/fortra/impacket/blob/master/examples/atexec.py"}])]
        proposal = None
        if entry is None and definition and propose is not None:
            try:
                proposal = propose(definition, host)
            except Exception as exc:
                proposal = {"error": "could not propose an entry: %s" % exc}
        chosen = (registrations + deletions)
        chosen.sort(key=lambda e: (str(e.get("time")), e.get("record_id") or 0))
        out.add("transient", path, risk["severity"] or "medium", title, reasons + risk["reasons"],
                evidence={"events": [_event_trim(e) for e in chosen[:MAX_EVENTS_PER_FINDING]],
                          "event_count": len(events), "escalations": risk["escalations"]},
                entry=_entry_source(entry), proposed_entry=trim(proposal) if proposal is not None else None,
                key="%s:%s" % (registrations[0].get("channel"), registrations[0].get("record_id")))

    return by_task


def unreachable_finding(host_name, kind, message):
    """Finding for a host the audit could not run on (``kind``: unreachable|failed)."""
    title = "Host unreachable: no audit" if kind == "unreachable" else "Audit failed on this host"
    fid = finding_id(host_name, kind, None, "")
    return {"id": fid, "kind": kind, "task": None, "severity": BASE_SEVERITY[kind], "title": title,
            "reasons": [_reason("TG-C%s" % ("008" if kind == "unreachable" else "009"), title, BASE_SEVERITY[kind], _COVERAGE_REF)],
            "evidence": {"message": trim(str(message or ""))}, "entry": None, "proposed_entry": None, "diff": None}


def summarize_findings(findings):
    by_sev = {s: 0 for s in ("critical", "high", "medium", "low", "info")}
    by_kind = {}
    for f in findings:
        by_sev[f["severity"]] = by_sev.get(f["severity"], 0) + 1
        by_kind[f["kind"]] = by_kind.get(f["kind"], 0) + 1
    return {"findings": len(findings), "by_severity": by_sev, "by_kind": by_kind,
            "highest_severity": max_severity(*[f["severity"] for f in findings])}
