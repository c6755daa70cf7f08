# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented administrators table of the task inventory (docs/least-privilege.md).

Three optional top-level sections of an inventory file, in the same YAML files,
under the same schema (``schemas/task_inventory.schema.json``) and with the same
file:line:column problems as tasks::

    administrators:              # who may be in the local Administrators group
    - sid: S-1-5-21-...-512      # or name: 'CORP\\Domain Admins' (resolved name, case-insensitive)
      justification: Domain Admins administer every member server
      scope: {domain_role: [server]}          # same scope keys as tasks
      required: true                          # must be present on every host in scope
      approval: {ticket: CHG-1, approver: CISO, date: '2026-01-10'}
      expires: '2027-01-10'
    - sid: '{machine_sid}-500'   # the local built-in Administrator of each host
      ...
    administrator_policies:
    - scope: {domain_role: [workstation]}
      builtin_administrator: disabled         # RID 500 enabled is a finding
      laps: required                          # LAPS must manage the local admin password
    task_accounts:               # ordinary accounts allowed to run tasks (not admins)
    - sid: S-1-5-21-...-1105     # or name: 'CORP\\svc-backup' (as the task's principal is written)
      justification: the backup agent's nightly task runs as this service account
      scope: {groups: [file_servers]}
      approval: {ticket: CHG-2, approver: CISO, date: '2026-01-10'}

A task that runs as an ordinary account is "documented for the host" when a
``task_accounts`` or an ``administrators`` entry in the host's scope names the
account (TG-A024 otherwise, judged in each host's audit: pipeline.judge, task_run_as.py).

Membership grants full control of the host, so every entry needs an approval
(in the entry or the file's ``defaults``): without one it is an error and the
entry is not used (fail closed, like privileged task entries). Expired entries
are kept (an ``expired`` error, and the member is reported as "documented but
expired"). A ``task_accounts`` entry lets an account run tasks on the hosts in its
scope; it also needs an approval (an unapproved allow is no allow). Loaded by
``inventory_loader`` through one hook (``load_section``); ``view(inventory, host)``
gives the entries, task accounts and policies of one host.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_patterns import PatternError

MACHINE_TOKEN = "{machine_sid}"
SECTIONS = ("administrators", "administrator_policies", "task_accounts")
SID_TEXT = re.compile(r"\AS-1-\d+(?:-\d+){1,15}\Z", re.IGNORECASE)   # a SID as text (also user_rights.py)


def _date(text):
    try:
        return datetime.date.fromisoformat(str(text))
    except ValueError:
        return None


class AdminEntry(object):
    def __init__(self, raw, *, file, line, owner, today, scope_class):
        self.raw = raw
        self.file, self.line = file, line
        sid = raw.get("sid")
        self.sid = str(sid).upper() if sid and not str(sid).startswith(MACHINE_TOKEN) else None
        self.machine_suffix = str(sid)[len(MACHINE_TOKEN):] if sid and str(sid).startswith(MACHINE_TOKEN) else None
        self.name = str(raw["name"]).casefold() if raw.get("name") else None
        self.justification = raw.get("justification")
        self.owner = raw.get("owner") or owner.get("name")
        self.scope = scope_class(raw.get("scope"))
        self.required = bool(raw.get("required", False))
        self.approval = raw.get("approval")
        self.expires = raw.get("expires")
        expires = _date(self.expires) if self.expires else None
        self.expired = bool(expires and expires < today)

    @property
    def key(self):
        return self.raw.get("sid") or self.raw.get("name")

    @property
    def source(self):
        return {"file": self.file, "line": self.line}

    def sid_for(self, machine_sid):
        if self.sid:
            return self.sid
        if self.machine_suffix is not None and machine_sid:
            return (str(machine_sid) + self.machine_suffix).upper()
        return None

    def matches(self, member, machine_sid=None):
        sid = self.sid_for(machine_sid)
        if sid is not None and str(member.get("sid") or "").upper() == sid:
            return True
        # a task account may give both (the task's principal is written either way)
        if self.name is not None and member.get("resolved") and member.get("name"):
            return str(member["name"]).casefold() == self.name
        return False


class AdminPolicy(object):
    def __init__(self, raw, *, file, line, scope_class):
        self.raw = raw
        self.file, self.line = file, line
        self.scope = scope_class(raw.get("scope"))

    @property
    def source(self):
        return {"file": self.file, "line": self.line}


class AdminView(object):
    """The administrator entries, task accounts and policies that apply to one host."""

    def __init__(self, entries, policies, host, task_accounts=()):
        self.host = host
        self.entries = [e for e in entries if e.scope.applies_to(host)]
        self.policies = [p for p in policies if p.scope.applies_to(host)]
        self.task_accounts = [e for e in task_accounts if e.scope.applies_to(host)]

    def run_as_entry(self, account, machine_sid=None):
        """The entry that documents ``account`` (a task principal as written: SID or
        name) as allowed to run tasks on this host: a ``task_accounts`` entry first,
        then an ``administrators`` entry (an account documented as admin of the host
        may run tasks there). A current entry wins over an expired one; None when
        no entry in scope names it."""
        member = principal_member(account)
        found = [e for e in self.task_accounts + self.entries if e.matches(member, machine_sid)]
        current = [e for e in found if not e.expired]
        return (current or found or [None])[0]

    def match(self, member, machine_sid=None):
        for entry in self.entries:
            if entry.matches(member, machine_sid):
                return entry
        return None

    def required_entries(self):
        return [e for e in self.entries if e.required]

    def policy(self, key):
        """(value, policy) of the first policy in file order that sets ``key``; (None, None) when none does."""
        for policy in self.policies:
            if policy.raw.get(key) is not None:
                return policy.raw[key], policy
        return None, None


def principal_member(account):
    """A task principal as written (``S-1-5-21-...``, ``CORP\\svc``, ``.\\svc``) in the
    shape ``AdminEntry.matches`` takes: a SID compares with ``sid`` entries, a name
    with ``name`` entries (case-insensitive; a name is never resolved to a SID here)."""
    text = str(account or "").strip()
    if text.startswith(".\\"):
        text = text[2:]
    if SID_TEXT.match(text):
        return {"sid": text.upper(), "name": None, "resolved": False}
    return {"sid": None, "name": text, "resolved": bool(text)}


def view(inventory, host):
    """AdminView of one host; None when the inventory has no administrators table,
    no task accounts and no policies at all."""
    entries = getattr(inventory, "administrators", None) or []
    policies = getattr(inventory, "administrator_policies", None) or []
    task_accounts = getattr(inventory, "task_accounts", None) or []
    if not entries and not policies and not task_accounts:
        return None
    return AdminView(entries, policies, host or {}, task_accounts)


def load_section(file, doc, data, inventory, today, problems):
    """Hook called by ``inventory_loader._load_file`` for a schema-valid file: adds its entries to ``inventory``."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_loader as loader

    for attr in SECTIONS:
        if getattr(inventory, attr, None) is None:
            setattr(inventory, attr, [])
    owner = data.get("owner") or {}
    defaults = data.get("defaults") or {}

    def add(path, code, message):
        line, col = doc.position(path)
        problems.append(loader._problem(file, line, col, code, message))

    for section, why in (("administrators", "grants full control of the host"),
                         ("task_accounts", "may run tasks on the hosts in its scope")):
        what = "administrator" if section == "administrators" else "task account"
        for index, raw in enumerate(data.get(section) or []):
            base = (section, index)
            merged = loader._merge_defaults(raw, defaults)
            merged.pop("allowed_registrants", None)
            if section == "task_accounts":
                merged.pop("required", None)   # a task account is allowed, never required
            if merged.get("expires") is not None and _date(merged["expires"]) is None:
                add(base + ("expires",), "invalid_value", "%r is not a calendar date (YYYY-MM-DD)" % (merged["expires"],))
                continue
            try:
                entry = AdminEntry(merged, file=file, line=doc.position(base)[0], owner=owner, today=today,
                                   scope_class=loader.Scope)
            except PatternError as exc:
                add(base, "invalid_pattern", str(exc))
                continue
            if not merged.get("approval"):
                add(base, "approval_missing", "%s %s %s and needs approval: {ticket, approver, date}"
                    % (what, entry.key, why))
                continue   # an unapproved allow is no allow
            if entry.expired:
                add(base + ("expires",) if "expires" in raw else ("defaults", "expires"), "expired",
                    "%s %s expired on %s" % (what, entry.key, entry.expires))
            getattr(inventory, section).append(entry)
    for index, raw in enumerate(data.get("administrator_policies") or []):
        base = ("administrator_policies", index)
        try:
            inventory.administrator_policies.append(
                AdminPolicy(raw, file=file, line=doc.position(base)[0], scope_class=loader.Scope))
        except PatternError as exc:
            add(base, "invalid_pattern", str(exc))
