# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tasks that run as an account not documented for their host (TG-A024, issue 19 point 4).

Internal to taskguard.windows. "Documented for the host" is defined by the task
inventory (docs/least-privilege.md#tasks-that-run-as-an-undocumented-account):
a ``task_accounts`` or an ``administrators`` entry in the host's scope names the
account (``inventory_admins.AdminView.run_as_entry``), by SID or by the name the
task's principal is written with. Built-in principals (SYSTEM, LOCAL SERVICE,
NETWORK SERVICE, BUILTIN groups, NT SERVICE virtual accounts...: the list in
well_known_sids.py) never count: only accounts someone created are judged.

Severity: the task itself undocumented (an ``undocumented`` or ``pending_review``
row of the host names its path) is high on domain controllers and admin
workstations, medium elsewhere; a documented task whose account is not listed
is low (a review item: the task's entry was approved, its account was not).

Judged in the audit of each host (``pipeline.judge``, live and offline), with
the inventory view the rest of that audit used (the same ``today`` for expiry,
the host's groups, OS family and domain role), after the task findings that
decide the severity. The rows are part of the host's result like every other
finding; they are per host, so merged AWX slices keep them as they are
(report_merge joins only TG-A020/A021/A022 again).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_findings, well_known_sids
from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import lower_path, with_problems
from ansible_collections.taskguard.windows.plugins.plugin_utils.severity import SEVERITY_RANK

CODE = "TG-A024"
HIGH_TIERS = admin_findings.HIGH_TIERS
# A task row of these kinds means the task matched no (confirmed) inventory entry.
_UNDOCUMENTED_KINDS = frozenset(("undocumented", "pending_review"))
# The one rule of what Windows defines itself (shared with user_rights.py and the
# batch-right rows of the reports); kept under this name for its callers.
is_built_in = well_known_sids.is_built_in


def undocumented_task_paths(findings):
    """Lower-cased paths of the host's tasks that matched no confirmed inventory
    entry and were judged at medium or above. A row below medium is a task the
    audit already judged harmless though no baseline lists it (a Windows
    component of another build, e.g. a per-user built-in that runs as the user,
    TG-R022): its account is a review item (low), not a second alarm."""
    out = set()
    for row in findings or []:
        if not isinstance(row, dict) or not row.get("task"):
            continue
        kinds = set(row.get("kinds") or [row.get("kind")])
        if kinds & _UNDOCUMENTED_KINDS and SEVERITY_RANK.get(row.get("severity"), 0) >= SEVERITY_RANK["medium"]:
            out.add(lower_path(row["task"]))
    return out


def _severity(task_documented, tier):
    if task_documented:
        return "low"
    return "high" if tier in HIGH_TIERS else "medium"


def run_as_findings(host_name, entry, admin_view):
    """TG-A024 findings (admin_findings shape) of one host from the pieces of its
    audit result (``task_accounts``, ``findings``, ``tier``, ``administrators``).
    ``admin_view``: the host's ``inventory_admins.view`` (None: the inventory was not
    loaded or documents no account at all, so every ordinary account is undocumented).
    An entry in scope that expired documents nothing (the finding names it)."""
    out = admin_findings.Findings(host_name)
    undocumented = undocumented_task_paths(entry.get("findings"))
    model = entry.get("administrators") if isinstance(entry.get("administrators"), dict) else {}
    machine_sid = model.get("machine_sid")
    tier = entry.get("tier")
    for task in entry.get("task_accounts") or []:
        principal = (task or {}).get("principal") if isinstance(task, dict) else None
        written = (principal or {}).get("user_id") if isinstance(principal, dict) else None
        if not written or is_built_in(written):
            continue
        documented_by = admin_view.run_as_entry(written, machine_sid) if admin_view is not None else None
        if documented_by is not None and not documented_by.expired:
            continue
        path = task.get("path")
        task_documented = lower_path(path) not in undocumented
        evidence = {"principal": principal, "task_documented": task_documented, "tier": tier,
                    "expired_entry": documented_by.source if documented_by is not None else None}
        out.add(CODE, path, {"task": path, "account": written}, evidence=evidence,
                severity=_severity(task_documented, tier), key="run-as",
                entry=documented_by.source if documented_by is not None else None)
    return out.sorted()


def run_as_rows(host_name, entry, admin_view):
    """``run_as_findings`` as rows of the host's findings, one problem each, their ids
    kept (``findings.with_problems``): a TG-A024 row is never merged with another row
    of the same task (a merged row takes the task's id, and report_merge drops and
    re-joins only rows whose every code is fleet-joined)."""
    return [with_problems(f) for f in run_as_findings(host_name, entry, admin_view)]
