# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet table of who is local admin where (drift.json ``administrators``),
seen per host, for the writers that show it host by host (drift.csv, junit.xml).

Internal to taskguard.windows. Every value comes from hosts: the writers escape
it for their format. A host whose group was not read has its reason and no
members, never an empty list that reads as "no administrators".
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

SUBJECT = "Administrators/%s"     # the subject of the local_admin findings about one member
STATES = {True: "admin.documented", False: "admin.undocumented", None: "admin.no_table"}


def _d(value):
    return value if isinstance(value, dict) else {}


def by_host(doc):
    """({host: [(member row, host cell)]}, {host: reason not read}, {hosts read});
    all empty without a table. A host in none of them was not looked at either."""
    table = _d(_d(doc).get("administrators"))
    members, unread = {}, {}
    read = {str(h) for h in table.get("hosts") or []}
    for row in table.get("members") or []:
        if not isinstance(row, dict):
            continue
        for cell in row.get("hosts") or []:
            if isinstance(cell, dict):
                members.setdefault(str(cell.get("host")), []).append((row, cell))
    for item in table.get("unread") or []:
        if isinstance(item, dict):
            unread[str(item.get("host"))] = item.get("reason") or ""
    return members, unread, read


def has_table(doc):
    return isinstance(_d(doc).get("administrators"), dict)


def label(row):
    """``name (SID)`` when the SID resolved, else the SID."""
    return "%s (%s)" % (row.get("name"), row.get("sid")) if row.get("name") else str(row.get("sid"))


def state(row, cell, msg):
    """The host's state of one member, in the report language: documented / not
    documented / no table, then orphaned SID, Entra ID, the domain's group on a DC."""
    parts = [msg(STATES.get(cell.get("documented"), "admin.no_table"))]
    if row.get("orphaned"):
        parts.append(msg("admin.orphaned"))
    if row.get("entra"):
        parts.append(msg("admin.entra"))
    if cell.get("domain_controller_builtin"):
        parts.append(msg("admin.dc_builtin"))
    return msg("misc.list_sep").join(parts)


def failing(row, cell):
    """Not documented (or only by an expired entry, or no table applies) or orphaned."""
    return cell.get("documented") is not True or bool(row.get("orphaned"))


def member_finding(entry, sid):
    """The host's local_admin finding row about member ``sid`` (None when there is none)."""
    subject = (SUBJECT % sid).casefold()
    for row in _d(entry).get("findings") or []:
        if isinstance(row, dict) and str(row.get("task") or "").casefold() == subject \
                and "local_admin" in (row.get("kinds") or [row.get("kind")]):
            return row
    return None
