# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report document (drift.json) and its fleet summary.

Shape: schemas/drift_report.schema.json. Built from per-host entries
``{"status", "findings", ...}``; hosts whose audit did not run are entries too
(status unreachable/failed with a finding saying so), never omissions.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime

from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import VERDICTS, summarize as summarize_findings, verdict as host_verdict
from ansible_collections.taskguard.windows.plugins.plugin_utils.severity import max_severity

SCHEMA_VERSION = 1
STATUSES = ("audited", "partial", "unreachable", "failed")


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# What a host entry says about the host itself, passed as one ``about`` dict
# (issue 22: a record instead of five more keyword arguments).
HOST_FIELDS = ("mode", "os_family", "domain_role", "audited_at", "tier")


def host_entry(status, findings, *, about=None, message=None, verdict=None):
    """One host of the report.

    ``about``: {field: value} for any of HOST_FIELDS (a missing field is None,
    the tier "other"). ``verdict``: the audit's (findings.verdict); computed from
    status and findings when the result carries none.
    """
    about = about or {}
    if not isinstance(verdict, dict) or verdict.get("state") not in VERDICTS:
        verdict = host_verdict(status, findings)
    if not message and verdict.get("reasons"):
        message = "; ".join(str(r.get("text")) for r in verdict["reasons"][:2])[:1000]
    return {"status": status, "verdict": verdict, "tier": about.get("tier") or "other", "mode": about.get("mode"),
            "os_family": about.get("os_family"), "domain_role": about.get("domain_role"), "message": message,
            "audited_at": about.get("audited_at"), "summary": summarize_findings(findings), "findings": findings}


def fleet_summary(hosts):
    by_status = {s: 0 for s in STATUSES}
    by_verdict = {v: 0 for v in VERDICTS}
    totals = {"findings": 0, "by_severity": {s: 0 for s in ("critical", "high", "medium", "low", "info")}, "by_kind": {}}
    highest = []
    for entry in hosts.values():
        by_status[entry.get("status")] = by_status.get(entry.get("status"), 0) + 1
        state = (entry.get("verdict") or {}).get("state")
        if state:
            by_verdict[state] = by_verdict.get(state, 0) + 1
        summary = entry.get("summary") or summarize_findings(entry.get("findings") or [])
        totals["findings"] += summary["findings"]
        totals["tasks"] = totals.get("tasks", 0) + summary.get("tasks", 0)
        for sev, count in summary["by_severity"].items():
            totals["by_severity"][sev] = totals["by_severity"].get(sev, 0) + count
        for kind, count in summary["by_kind"].items():
            totals["by_kind"][kind] = totals["by_kind"].get(kind, 0) + count
        if summary.get("highest_severity"):
            highest.append(summary["highest_severity"])
    totals.update({"hosts": len(hosts), "hosts_by_status": by_status, "hosts_by_verdict": by_verdict,
                   "highest_severity": max_severity(*highest)})
    return totals


def build_report(hosts, run):
    """hosts: {inventory_hostname: host_entry}; run: {"id", "slice", ...}."""
    run = dict(run or {})
    run.setdefault("generated_at", utc_now())
    ordered = {name: hosts[name] for name in sorted(hosts)}
    return {"schema_version": SCHEMA_VERSION,
            "generator": {"name": "taskguard.windows", "component": "drift"},
            "run": run, "summary": fleet_summary(ordered), "hosts": ordered}
