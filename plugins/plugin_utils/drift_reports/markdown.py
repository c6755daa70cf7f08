# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift.md for GitLab/GitHub merge requests.

Table cells escape everything that could end a cell, start markup or inject
HTML: backslash, pipe, backticks, brackets, emphasis characters, ``<``/``>``/``&``
(as entities), and newlines. Code blocks use a fence longer than any backtick
run in their content.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.common import (
    one_line, rules_text, sorted_findings, visible,
)

MAX_ROWS = 500
MAX_PROPOSALS = 50
# Characters that can end a cell, start inline markup, a link, an image, a
# mention (@user) or a reference (#1): backslash-escaped (CommonMark escapes).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~@#$!])")


def cell(value, limit=300):
    text = one_line(value, limit)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text or " "


def fenced(text, info=""):
    text = visible(text)
    longest = max((len(m) for m in re.findall(r"`+|~+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return "%s%s\n%s\n%s" % (fence, info, text, fence)


def _yaml(value):
    try:
        import yaml
        return yaml.safe_dump(value, sort_keys=False, allow_unicode=False, default_flow_style=False, width=120)
    except Exception:  # pragma: no cover
        return str(value)


def _compliance(doc):
    """Hardening compliance per host (when the run included it)."""
    hosts = [(h, e["compliance"]) for h, e in (doc.get("hosts") or {}).items() if isinstance(e.get("compliance"), dict)]
    if not hosts:
        return []
    lines = ["", "## Hardening compliance", "",
             "| host | report | compliant | not compliant | unknown | not applicable | controls not compliant or unknown |",
             "|---|---|---:|---:|---:|---:|---|"]
    for host, c in hosts:
        counts = c.get("summary") or {}
        open_controls = ", ".join("%s (%s)" % (x.get("id"), x.get("status")) for x in c.get("controls") or []
                                  if x.get("status") in ("not_compliant", "unknown"))
        lines.append("| %s | %s | %d | %d | %d | %d | %s |" % (
            cell(host), cell(c.get("status") if not c.get("error") else "%s: %s" % (c.get("status"), c.get("error"))),
            counts.get("compliant", 0), counts.get("not_compliant", 0), counts.get("unknown", 0),
            counts.get("not_applicable", 0), cell(open_controls)))
    return lines


def render(doc):
    s = doc.get("summary") or {}
    run = doc.get("run") or {}
    lines = ["# Scheduled task drift report", ""]
    lines.append("Run %s, generated %s. Hosts: **%d**; findings: **%d**; highest severity: **%s**." % (
        cell(run.get("id")), cell(run.get("generated_at")), s.get("hosts", 0), s.get("findings", 0),
        cell(s.get("highest_severity") or "none")))
    lines += ["", "| severity | findings |", "|---|---:|"]
    for sev in ("critical", "high", "medium", "low", "info"):
        lines.append("| %s | %d |" % (sev, (s.get("by_severity") or {}).get(sev, 0)))
    lines += ["", "## Hosts", "", "| host | status | findings | highest | message |", "|---|---|---:|---|---|"]
    for host, entry in (doc.get("hosts") or {}).items():
        hs = entry.get("summary") or {}
        lines.append("| %s | %s | %d | %s | %s |" % (
            cell(host), cell(entry.get("status")), hs.get("findings", 0),
            cell(hs.get("highest_severity") or "-"), cell(entry.get("message") or "")))
    lines += _compliance(doc)
    rows = sorted_findings(doc)
    lines += ["", "## Findings", "", "| severity | host | kind | task | title | rules | entry |", "|---|---|---|---|---|---|---|"]
    for host, _entry, f in rows[:MAX_ROWS]:
        src = f.get("entry") or {}
        where = "%s:%s" % (src.get("file"), src.get("line")) if src else ""
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            cell(f.get("severity")), cell(host), cell(f.get("kind")), cell(f.get("task") or "-"),
            cell(f.get("title")), cell(rules_text(f)), cell(where)))
    if len(rows) > MAX_ROWS:
        lines += ["", "%d more findings: see drift.html or drift.json." % (len(rows) - MAX_ROWS)]
    proposals = [(h, f) for h, _e, f in rows if f.get("proposed_entry")]
    if proposals:
        lines += ["", "## Proposed inventory entries", "",
                  "Review before adding them to `task_inventory/`: fields marked for confirmation need a human."]
        for host, f in proposals[:MAX_PROPOSALS]:
            lines += ["", "### %s on %s" % (cell(f.get("task")), cell(host)), "", fenced(_yaml(f["proposed_entry"]), "yaml")]
        if len(proposals) > MAX_PROPOSALS:
            lines += ["", "%d more proposals in drift.json." % (len(proposals) - MAX_PROPOSALS)]
    return ("\n".join(lines) + "\n").encode("utf-8")
