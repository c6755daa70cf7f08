# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift.csv for triage: UTF-8 with BOM (Excel), one row per task finding and
per audit gap (and one per host without findings), with the host's tier and
verdict, the command line, run-as account, who registered or last updated the
task and when, reasons, MITRE techniques and the inventory entry. Headers are
in the report language; enumeration values (tier, verdict, kind, severity) stay
English so filters and scripts work in every language. Cells that a spreadsheet would read as a formula (starting
with = + - @ tab CR LF, also after leading spaces) get a leading apostrophe
(OWASP CSV injection guidance).

After the finding rows, the guideline's table of who is local admin where
(drift.json ``administrators``) as rows of kind ``administrator`` with the same
columns: one per host and member (task ``Administrators/<SID>``, the account in
the run-as column, the host's state of the member as the title, the id and
severity of the host's finding about it), and one per host whose group was not
read, saying why. Filtering the kind column on ``administrator`` gives the table;
a second file or a second header would break the filters and pivots of a sheet.

Then, the same way, the holders of "Log on as a batch job" (drift.json
``hosts.<host>.user_rights``) as rows of kind ``batch_right``: one per host and
holder (task ``SeBatchLogonRight/<SID>``, the account in the run-as column, its
state as the title, the id and severity of the host's TG-A023 about it), and one
per right not read (or host not collected), saying why."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import csv
import functools
import io

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import admin_table, batch_rights
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.cards import all_views, fleet
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.common import visible

# Message keys of the columns; "kind" stays fourth (scripts and tests read it by position).
COLUMNS = ("col.host", "col.tier", "col.verdict", "col.kind", "col.task", "col.command", "col.principal",
           "col.registered_by", "col.registered_at", "col.severity", "col.title", "col.reasons", "col.mitre",
           "col.entry", "col.finding_id")
ADMIN_KIND = "administrator"
BATCH_KIND = "batch_right"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


# Excel cells hold at most 32,767 characters: a longer field is not shown whole,
# and a host-supplied 10 MB task path made a 10 MB cell (issue 9). Cut with a marker.
MAX_CELL_CHARS = 32000


def safe_cell(value):
    if type(value) is str and len(value) <= 256:  # pylint: disable=unidiomatic-typecheck
        return _safe_short_cell(value)     # most cells are the same few hundred texts (tier, verdict, kind...)
    return _safe_cell(value)


@functools.lru_cache(maxsize=2048)
def _safe_short_cell(text):
    return _safe_cell(text)


def _safe_cell(value):
    text = visible(value)
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS] + "...[%d characters cut]" % (len(text) - MAX_CELL_CHARS)
    if text.lstrip(" ").startswith(_FORMULA_START) or text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _row(view, card):
    reasons = "; ".join("%s %s" % (r["rule"], r["title"]) for r in card["rules"])
    return (view["host"], view["tier"], view["verdict"], " ".join(str(k) for k in card["kinds"]), card["task"],
            card["command"], card["principal"], card["registered_by"], card["registered_at"], card["severity"],
            card["title"], reasons, " ".join(card["mitre"]), card["entry"], card["id"])


def _admin_rows(doc, views, msg):
    """The administrators table, host by host in the report's priority order
    (nothing for a report written before the table existed)."""
    if not admin_table.has_table(doc):
        return
    members, unread, read = admin_table.by_host(doc)
    for view in views:
        host = view["host"]
        for row, cell in members.get(host, []):
            finding = admin_table.member_finding(view["entry"], row.get("sid")) or {}
            yield (host, view["tier"], view["verdict"], ADMIN_KIND, admin_table.SUBJECT % row.get("sid"), "",
                   admin_table.label(row), "", "", finding.get("severity") or "", admin_table.state(row, cell, msg),
                   "", "", "", finding.get("id") or "")
        if host in unread or host not in read:
            yield (host, view["tier"], view["verdict"], ADMIN_KIND, "", "", "", "", "", "",
                   msg("admin.not_read", reason=unread.get(host) or msg("misc.not_collected")), "", "", "", "")


def _batch_rows(doc, views, msg):
    """The batch logon right holders, host by host (nothing for a report written before they were collected)."""
    if not batch_rights.has_holders(doc):
        return
    for view in views:
        host = view["host"]
        holders, unread = batch_rights.host_rows(view["entry"])
        for h in holders:
            finding = h["finding"] or {}
            yield (host, view["tier"], view["verdict"], BATCH_KIND, batch_rights.SUBJECT % h["sid"], "",
                   batch_rights.label(h, msg), "", "", finding.get("severity") or "", batch_rights.state(h, msg),
                   "", "", "", finding.get("id") or "")
        for right, reason in unread:
            yield (host, view["tier"], view["verdict"], BATCH_KIND, "", "", "", "", "", "",
                   batch_rights.unread_text(right, reason, msg), "", "", "", "")


def render(doc, language=None, fleet_view=None):
    msg, groups = fleet_view or fleet(doc, language)
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([msg(c) for c in COLUMNS])
    for view in all_views(groups):
        cards = view["cards"] + view["audit"]
        for card in cards:
            writer.writerow([safe_cell(v) for v in _row(view, card)])
        if not cards:
            writer.writerow([safe_cell(v) for v in (view["host"], view["tier"], view["verdict"], "none", "", "", "", "",
                                                    "", "", view["reason"], "", "", "", "")])
    for row in _admin_rows(doc, all_views(groups), msg):
        writer.writerow([safe_cell(v) for v in row])
    for row in _batch_rows(doc, all_views(groups), msg):
        writer.writerow([safe_cell(v) for v in row])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8", "replace")
