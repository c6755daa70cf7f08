# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift.md for GitLab/GitHub merge requests: fits a screen (no wide tables).

The fleet as one line per host (grouped by tier, verdict and reason), then per
host the task cards in short form (task, command line, run-as account,
registrant, how it starts, why, next steps) and the proposed inventory entries.

Table cells escape everything that could end a cell, start markup or inject
HTML: backslash, pipe, backticks, brackets, emphasis characters, ``<``/``>``/``&``
(as entities), and newlines. Code blocks use a fence longer than any backtick
run in their content.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import batch_rights
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.cards import (
    all_views, count_verdicts, fleet,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.common import one_line, visible
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.host_version import os_version_text

MAX_CARDS = 500
MAX_STEPS = 4
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


def code(value, limit=600):
    """An inline code span that its content cannot close (CommonMark: a longer backtick run)."""
    text = one_line(value, limit)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    return "%s %s %s" % (ticks, text, ticks) if text else " "


def _compliance(doc, msg):
    """Hardening compliance per host (when the run included it)."""
    hosts = [(h, e["compliance"]) for h, e in (doc.get("hosts") or {}).items() if isinstance(e.get("compliance"), dict)]
    if not hosts:
        return []
    lines = ["", "## %s" % msg("report.compliance"), ""]
    for host, c in hosts:     # one line per host: a table this wide does not fit a merge request
        counts = c.get("summary") or {}
        open_controls = ", ".join("%s (%s)" % (x.get("id"), x.get("status")) for x in c.get("controls") or []
                                  if x.get("status") in ("not_compliant", "unknown"))
        lines.append("- **%s**: %s; %s" % (
            cell(host), cell(c.get("status") if not c.get("error") else "%s: %s" % (c.get("status"), c.get("error"))),
            cell(msg("report.compliance_counts", compliant=counts.get("compliant", 0),
                     not_compliant=counts.get("not_compliant", 0), unknown=counts.get("unknown", 0),
                     not_applicable=counts.get("not_applicable", 0), open=open_controls or "-"), 2000)))
    return lines


def _row(card, label_key, values, msg, as_code=False):
    if not values:
        return []
    shown = "; ".join(code(v) if as_code else cell(v) for v in values)
    return ["- **%s**: %s" % (msg(label_key), shown)]


def _card(card, msg):
    lines = ["", "#### %s %s" % (cell(msg.label("severity", card["severity"])), cell(card["task"] or msg("misc.host_level"))),
             "", "%s (%s)" % (cell(card["title"], 600), cell(", ".join(msg.label("kind", k) for k in card["kinds"])))]
    commands = [v for label, v, _c in card["what"] if label in (msg("field.action"), msg("field.com"))]
    lines += _row(card, "card.what", commands, msg, as_code=True)
    who = [v for label, v, _c in card["who"] if label in (msg("field.principal"), msg("field.registered"),
                                                          msg("field.history"))]
    lines += _row(card, "card.who", who, msg)
    lines += _row(card, "card.how", [v for _l, v, _c in card["how"]], msg)
    lines += _row(card, "card.where", [v for _l, v, _c in card["where"]], msg)
    why = ["%s %s%s" % (r["rule"], r["title"], (" (%s)" % ", ".join(r["mitre"])) if r["mitre"] else "")
           for r in card["rules"][:4]]
    lines += _row(card, "card.why", why, msg)
    steps = card["investigate"][:MAX_STEPS - min(2, len(card["remediate"]))] + card["remediate"][:2]
    if steps:
        lines.append("- **%s**:" % msg("card.todo"))
        lines += ["  %d. %s" % (i, cell(s, 400)) for i, s in enumerate(steps, 1)]
    return lines


def _administrators(doc, msg):
    """Who is local administrator where: one line per account (a table would not fit a merge request)."""
    table = doc.get("administrators")
    if not isinstance(table, dict):
        return []
    lines = ["", "## %s" % msg("report.admins"), "", cell(msg("report.admins_help"), 600), ""]
    states = {True: "admin.documented", False: "admin.undocumented"}
    for m in [m for m in table.get("members") or [] if isinstance(m, dict)][:MAX_CARDS]:
        hosts = ", ".join("%s (%s)" % (c.get("host"), msg(states.get(c.get("documented"), "admin.no_table")))
                          for c in m.get("hosts") or [] if isinstance(c, dict))
        marks = ([msg("admin.orphaned")] if m.get("orphaned") else []) + ([msg("admin.entra")] if m.get("entra") else [])
        marked = (" (%s)" % cell(", ".join(marks))) if marks else ""
        lines.append("- **%s** %s%s: %s" % (cell(m.get("name") or "-"), code(m.get("sid")), marked, cell(hosts, 2000)))
    if not table.get("members") and not table.get("unread"):
        lines.append(cell(msg("report.admins_none")))
    for u in [u for u in table.get("unread") or [] if isinstance(u, dict)][:MAX_CARDS]:
        lines.append("- %s" % cell(msg("report.admins_unread", host=u.get("host"), reason=u.get("reason")), 600))
    return lines


def _batch_rights(doc, views, msg):
    """Holders of "Log on as a batch job": one line per host and holder."""
    if not batch_rights.has_holders(doc):
        return []
    lines = ["", "## %s" % msg("report.batch"), "", cell(msg("report.batch_help"), 800), ""]
    shown = 0
    for view in views:
        holders, unread = batch_rights.host_rows(view["entry"])
        for h in holders[:max(MAX_CARDS - shown, 0)]:
            known = batch_rights.name(h, msg)
            lines.append("- **%s**: %s%s: %s" % (cell(view["host"]), (cell(known) + " ") if known else "",
                                                 code(h["sid"]), cell(batch_rights.state(h, msg), 400)))
        shown += len(holders)
        lines += ["- **%s**: %s" % (cell(view["host"]), cell(batch_rights.unread_text(right, reason, msg), 600))
                  for right, reason in unread]
    return lines


def render(doc, language=None, fleet_view=None):
    msg, groups = fleet_view or fleet(doc, language)
    views = all_views(groups)
    run = doc.get("run") or {}
    counts = count_verdicts(views)
    lines = ["# %s" % msg("report.title"), "",
             "%s %s" % (cell(msg("report.run", run=visible(run.get("id")), time=visible(run.get("generated_at"))), 400),
                        cell(msg("report.totals", hosts=len(views), tasks=sum(v["tasks"] for v in views),
                                 gaps=sum(v["gaps"] for v in views)))),
             "", " ".join("**%s**: %d" % (cell(msg.label("verdict", k)), n) for k, n in counts.items()),
             "", "## %s" % msg("report.fleet")]
    for tier, tier_views in groups:
        lines += ["", "### %s" % msg("tier." + tier), ""]
        for v in tier_views:
            lines.append("- **%s**: **%s**: %s" % (cell(v["host"]), cell(msg.label("verdict", v["verdict"])),
                                                   cell(v["reason"], 400)))
    lines += _administrators(doc, msg)
    lines += _batch_rights(doc, views, msg)
    lines += _compliance(doc, msg)
    shown = 0
    for v in views:
        lines += ["", "## %s: %s" % (cell(v["host"]), cell(msg.label("verdict", v["verdict"])))]
        version = os_version_text(v["entry"], msg)
        if version:
            lines += ["", "_%s_" % cell(version, 400)]
        for card in v["cards"]:
            if shown >= MAX_CARDS:
                break
            lines += _card(card, msg)
            shown += 1
        if v["audit"]:
            lines += ["", "#### %s" % msg("report.audit_gaps"), ""]
            lines += ["- %s" % cell(c["title"], 400) for c in v["audit"][:20]]
    total = sum(len(v["cards"]) for v in views)
    if total > MAX_CARDS:
        lines += ["", msg("report.more_cards", count=total - MAX_CARDS)]
    lines += ["", "_%s_" % cell(msg("report.see_html"))]
    proposals = [(v["host"], c["finding"]) for v in views for c in v["cards"] if c["finding"].get("proposed_entry")]
    if proposals:
        lines += ["", "## %s" % msg("report.proposals"), "", msg("report.proposals_help").replace("CONFIRM", "`CONFIRM`")
                  .replace("task_inventory/", "`task_inventory/`")]
        for host, f in proposals[:MAX_PROPOSALS]:
            lines += ["", "### %s: %s" % (cell(host), cell(f.get("task"))), "", fenced(_yaml(f["proposed_entry"]), "yaml")]
        if len(proposals) > MAX_PROPOSALS:
            lines += ["", msg("report.more_proposals", count=len(proposals) - MAX_PROPOSALS)]
    return ("\n".join(lines) + "\n").encode("utf-8")
