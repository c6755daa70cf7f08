# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift tests' way to call ``drift.audit_host`` with loose arguments.

Production builds ``Material``/``Judges`` in plugin_utils/pipeline.py; the unit
tests of the drift stage hand it stub views and rules, so they keep this one
spelling of the call instead of repeating the two records in every test."""
from __future__ import annotations

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift import Judges, Material, audit_host as _audit_host


def audit_host(host_name, tasks_result, events_result, host_view, rules, *, host=None, propose=None):
    return _audit_host(Material(host_name, host or {"name": host_name}, tasks_result, events_result),
                       Judges(host_view, rules, propose))


def reviewed(entry):
    """What a reviewer does before a learned entry documents anything: fills in
    owner, justification and approval and drops the review block (an unconfirmed
    entry cannot document a finding at high or above, docs/drift.md#findings)."""
    entry = dict(entry)
    entry.pop("review", None)
    entry["owner"] = "lab team"
    entry["justification"] = "reviewed lab task"
    if "approval" in entry:
        entry["approval"] = {"ticket": "LAB-1", "approver": "reviewer", "date": "2026-01-01"}
    return entry
