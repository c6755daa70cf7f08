# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Holders of "Log on as a batch job" per host (drift.json ``hosts.<host>.user_rights``,
written by ``user_rights.for_report``), seen row by row for the report writers.

Internal to taskguard.windows. Every value comes from hosts: the writers escape
it for their format. The state of a holder is read from what the audit judged:

* ``undocumented``: the host has a TG-A023 finding about the SID (no entry in
  scope, or only an expired one);
* ``built_in``: Windows defines the account itself (a ``BUILTIN`` alias, an
  ``NT AUTHORITY`` SID, a virtual service account): never a TG-A023 subject;
* ``documented``: any other holder the audit read and did not flag;
* ``deny_only``: holds ``SeDenyBatchLogonRight`` without the allow right.

``denied`` marks an allow holder that also holds the deny right (which wins).
A right that was not read is a reason, never an empty holder list.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.taskguard.windows.plugins.plugin_utils.well_known_sids import is_built_in

BATCH = "SeBatchLogonRight"
DENY_BATCH = "SeDenyBatchLogonRight"
SUBJECT = BATCH + "/%s"          # the subject of the TG-A023 findings about one holder
FINDING_CODE = "TG-A023"
STATES = {"undocumented": "admin.undocumented", "documented": "admin.documented", "built_in": "batch.built_in",
          "deny_only": "batch.deny_only"}
MAX_HOLDERS = 500                # per host and right, in a report
# Names of the well-known SIDs that hold the right by default or often (Microsoft's
# "Well-known SIDs" list), shown when the host did not name the holder (offline
# evidence never does). Marked as well-known in the report: not read from the host.
WELL_KNOWN = {"S-1-5-32-544": "BUILTIN\\Administrators", "S-1-5-32-545": "BUILTIN\\Users",
              "S-1-5-32-551": "BUILTIN\\Backup Operators", "S-1-5-32-559": "BUILTIN\\Performance Log Users",
              "S-1-5-32-568": "BUILTIN\\IIS_IUSRS", "S-1-5-18": "NT AUTHORITY\\SYSTEM",
              "S-1-5-19": "NT AUTHORITY\\LOCAL SERVICE", "S-1-5-20": "NT AUTHORITY\\NETWORK SERVICE",
              "S-1-1-0": "Everyone"}


def _d(value):
    return value if isinstance(value, dict) else {}


def has_holders(doc):
    """True when the holders were collected on at least one host. Without (a report
    written before they existed, a run where no host returned them) no section is
    written; each host then has its TG-A015 or its unreachable/failed finding. With
    it, every other host is listed as not collected, never left out."""
    return any(isinstance(_d(entry).get("user_rights"), dict) for entry in _d(_d(doc).get("hosts")).values())


def _holders(right):
    return [h for h in (right.get("holders") or [])[:MAX_HOLDERS] if isinstance(h, dict) and h.get("sid")]


def holder_finding(entry, sid):
    """The host's TG-A023 finding row about ``sid`` (None when there is none)."""
    subject = (SUBJECT % sid).casefold()
    for row in _d(entry).get("findings") or []:
        if isinstance(row, dict) and row.get("code") == FINDING_CODE \
                and str(row.get("task") or "").casefold() == subject:
            return row
    return None


def host_rows(entry):
    """``(rows, unread)`` of one drift.json host entry.

    rows: ``[{"sid", "name", "state", "denied", "finding"}]`` (allow holders, then
    deny-only holders); unread: ``[(right, reason)]`` for each right not read
    (``[(None, None)]`` when the host's holders were not collected at all).
    """
    model = _d(entry).get("user_rights")
    if not isinstance(model, dict):
        return [], [(None, None)]
    rights = _d(model.get("rights"))
    allow, deny = _d(rights.get(BATCH)), _d(rights.get(DENY_BATCH))
    unread = [(name, _d(rights.get(name)).get("error") or "")
              for name in (BATCH, DENY_BATCH) if not _d(rights.get(name)).get("read")]
    denied = {str(h["sid"]).upper() for h in _holders(deny)} if deny.get("read") else set()
    rows, seen = [], set()
    if allow.get("read"):
        for holder in _holders(allow):
            sid = str(holder["sid"]).upper()
            seen.add(sid)
            finding = holder_finding(entry, sid)
            state = "undocumented" if finding else ("built_in" if is_built_in(sid) else "documented")
            rows.append({"sid": sid, "name": holder.get("name"), "state": state, "denied": sid in denied,
                         "finding": finding})
    # "holds only the deny right" needs the allow right read too
    for holder in _holders(deny) if deny.get("read") and allow.get("read") else []:
        sid = str(holder["sid"]).upper()
        if sid not in seen:
            rows.append({"sid": sid, "name": holder.get("name"), "state": "deny_only", "denied": True,
                         "finding": None})
    return rows, unread


def name(row, msg):
    """The name the host resolved; else the well-known name, marked so; else None."""
    if row.get("name"):
        return str(row["name"])
    if row["sid"] in WELL_KNOWN:
        return msg("batch.well_known", name=WELL_KNOWN[row["sid"]])
    return None


def label(row, msg):
    """``name (SID)`` when a name is known, else the SID."""
    known = name(row, msg)
    return "%s (%s)" % (known, row["sid"]) if known else row["sid"]


def state(row, msg):
    """The holder's state in the report language (documented / not documented / Windows built-in, denied)."""
    parts = [msg(STATES[row["state"]])]
    if row["denied"] and row["state"] != "deny_only":
        parts.append(msg("batch.denied"))
    return msg("misc.list_sep").join(parts)


def unread_text(right, reason, msg):
    if right is None:
        return msg("batch.not_collected")
    return msg("batch.not_read", right=right, reason=reason or msg("misc.not_collected"))
