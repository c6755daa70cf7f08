# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented administrators table of the task inventory (docs/least-privilege.md).

Two optional top-level sections of an inventory file, in the same YAML files,
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

Membership grants full control of the host, so every entry needs an approval
(in the entry or the file's ``defaults``): without one it is an error and the
entry is not used (fail closed, like privileged task entries). Expired entries
are kept (an ``expired`` error, and the member is reported as "documented but
expired"). Loaded by ``inventory_loader`` through one hook (``load_section``);
``view(inventory, host)`` gives the entries and policies of one host.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_patterns import PatternError

MACHINE_TOKEN = "{machine_sid}"


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
        if sid is not None:
            return str(member.get("sid") or "").upper() == sid
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
    """The administrator entries and policies that apply to one host."""

    def __init__(self, entries, policies, host):
        self.host = host
        self.entries = [e for e in entries if e.scope.applies_to(host)]
        self.policies = [p for p in policies if p.scope.applies_to(host)]

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


def view(inventory, host):
    """AdminView of one host; None when the inventory has no administrators table at all."""
    entries = getattr(inventory, "administrators", None) or []
    policies = getattr(inventory, "administrator_policies", None) or []
    if not entries and not policies:
        return None
    return AdminView(entries, policies, host or {})


def load_section(file, doc, data, inventory, today, problems):
    """Hook called by ``inventory_loader._load_file`` for a schema-valid file: adds its entries to ``inventory``."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_loader as loader

    for attr in ("administrators", "administrator_policies"):
        if getattr(inventory, attr, None) is None:
            setattr(inventory, attr, [])
    owner = data.get("owner") or {}
    defaults = data.get("defaults") or {}

    def add(path, code, message):
        line, col = doc.position(path)
        problems.append(loader._problem(file, line, col, code, message))

    for index, raw in enumerate(data.get("administrators") or []):
        base = ("administrators", index)
        merged = loader._merge_defaults(raw, defaults)
        merged.pop("allowed_registrants", None)
        bad_date = False
        for key in ("expires",):
            if merged.get(key) is not None and _date(merged[key]) is None:
                add(base + (key,), "invalid_value", "%r is not a calendar date (YYYY-MM-DD)" % (merged[key],))
                bad_date = True
        if bad_date:
            continue
        try:
            entry = AdminEntry(merged, file=file, line=doc.position(base)[0], owner=owner, today=today,
                               scope_class=loader.Scope)
        except PatternError as exc:
            add(base, "invalid_pattern", str(exc))
            continue
        if not merged.get("approval"):
            add(base, "approval_missing", "administrator %s grants full control of the host and needs approval: "
                                          "{ticket, approver, date}" % entry.key)
            continue   # an unapproved allow is no allow
        if entry.expired:
            add(base + ("expires",) if "expires" in raw else ("defaults", "expires"), "expired",
                "administrator %s expired on %s" % (entry.key, entry.expires))
        inventory.administrators.append(entry)
    for index, raw in enumerate(data.get("administrator_policies") or []):
        base = ("administrator_policies", index)
        try:
            inventory.administrator_policies.append(
                AdminPolicy(raw, file=file, line=doc.position(base)[0], scope_class=loader.Scope))
        except PatternError as exc:
            add(base, "invalid_pattern", str(exc))
