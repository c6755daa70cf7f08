# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn the registered per-host ``audit`` results of one run into the report document.

A host whose result is missing, unreachable, failed or not an audit result is
kept in the report with status ``unreachable``/``failed`` and a finding of the
same kind: an audit that could not run is never an omission.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.taskguard.windows.plugins.plugin_utils.compliance_input import compliance_summary, read_compliance
from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface, result_spool
from ansible_collections.taskguard.windows.plugins.plugin_utils import findings as fnd
from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import unreachable_finding
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.document import build_report, host_entry
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.gc_pause import paused as gc_paused
from ansible_collections.taskguard.windows.plugins.plugin_utils.severity import severity_at_least

_VALID = ("audited", "partial")
# Codes joined over the whole fleet (every host's tasks and Administrators groups):
# merged slices join them again (report_merge.py), replacing what each slice found.
FLEET_TASK_ACCOUNT_CODES = frozenset(("TG-A020", "TG-A021", "TG-A022"))


def _plain(value):
    """Unsafe wrappers (AnsibleUnsafeText...) -> plain Python types for writers."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def host_from_result(host, res, hints=None):
    """The report entry of one host. ``hints``: {"groups", "tier", "domain_role"} from
    the Ansible inventory, so a host that was never audited still has its tier."""
    hints = hints or {}

    def not_audited(status, kind, msg, mode=None):
        return host_entry(status, [unreachable_finding(host, kind, msg)], message=str(msg)[:1000], about={
            "mode": mode, "tier": fnd.tier(dict(hints, name=host)), "domain_role": hints.get("domain_role")})

    if not isinstance(res, dict):
        return not_audited("failed", "failed", "no audit result was recorded for this host "
                                               "(the play did not reach the audit task)")
    if not isinstance(res, result_spool.PlainResult):   # read back from JSON: plain already, no copy needed
        res = _plain(res)
    if res.get("unreachable"):
        return not_audited("unreachable", "unreachable", res.get("msg") or "host unreachable")
    if res.get("skipped"):
        return not_audited("failed", "failed", "audit task skipped: %s" % (res.get("skip_reason") or "condition"))
    if res.get("failed") or res.get("status") not in _VALID or not isinstance(res.get("findings"), list):
        return not_audited("failed", "failed", res.get("msg") or "audit failed", mode=res.get("mode"))
    about = {name: res.get(name) for name in ("mode", "os_family", "domain_role", "audited_at")}
    about["tier"] = res.get("tier") or fnd.tier(dict(hints, domain_role=res.get("domain_role")))
    entry = host_entry(res["status"], res["findings"], about=about, verdict=res.get("verdict"))
    entry["os_source"] = res.get("os_source")
    entry["os_build"] = res.get("os_build")
    entry["os_inference"] = res.get("os_inference")
    entry["administrators"] = res.get("administrators")
    entry["user_rights"] = res.get("user_rights")   # SeBatchLogonRight holders (user_rights.for_report)
    entry["task_accounts"] = res.get("task_accounts") or []
    entry["unconfirmed_entries"] = res.get("unconfirmed_entries") or []
    return entry


def build_run_report(results, run, compliance_dir=None, hints=None):
    """``compliance_dir``: where the hardening role wrote compliance-<host>.json
    files; when given, every host carries a ``compliance`` section. ``hints``:
    {host: {"groups", "tier", "domain_role"}} from the Ansible inventory.
    Per-host judgments (TG-A024 included) come with each audit result
    (pipeline.judge); only the fleet-joined task-account findings are added here."""
    hints = hints or {}
    with gc_paused():   # drift_reports/gc_pause.py: the whole fleet is in memory, full collections walk it
        hosts = {str(h): host_from_result(str(h), r, hints.get(h)) for h, r in results.items()}
        if compliance_dir:
            for name, entry in hosts.items():
                entry["compliance"] = read_compliance(compliance_dir, name)
        add_task_account_findings(hosts)
        doc = build_report(hosts, run)
        doc["administrators"] = fleet_administrators(doc["hosts"])
        if compliance_dir:
            doc["summary"]["compliance"] = compliance_summary(doc["hosts"])
    return doc


def add_task_account_findings(hosts, rejoin=False):
    """Task accounts joined with every host's Administrators group (fleet state, so
    here, after all hosts of the run): a task storing the password of an account that
    is local admin somewhere (TG-A020), one account running tasks on many hosts
    (TG-A021), an ordinary account with HighestAvailable (TG-A022). Added to each
    host's findings; its summary and verdict are computed again.

    ``rejoin`` (merged slices): each slice joined its own hosts only, so the
    fleet-joined rows of every host that carries its ``task_accounts`` are dropped
    and joined again over all hosts (a finding a slice already had comes back with
    the same id, never twice; a host of an older report without ``task_accounts``
    keeps its rows). Entries are replaced, never changed in place."""
    if rejoin:
        for name, entry in hosts.items():
            if isinstance(entry.get("task_accounts"), list):
                kept = [f for f in entry.get("findings") or [] if not _fleet_joined(f)]
                if len(kept) != len(entry.get("findings") or []):
                    _set_findings(entry, kept)
    fleet = {name: {"tasks": entry.get("task_accounts") or [], "administrators": entry.get("administrators")}
             for name, entry in hosts.items() if entry.get("status") in _VALID}
    for name, found in admin_surface.fleet_task_account_findings(fleet).items():
        _add_rows(hosts[name], found)


def _fleet_joined(row):
    codes = {p.get("code") for p in row.get("problems") or [] if isinstance(p, dict)} | {row.get("code")}
    return row.get("kind") == "task_account" and codes <= FLEET_TASK_ACCOUNT_CODES


def _set_findings(entry, findings):
    entry["findings"] = sorted(findings, key=fnd.sort_key)
    entry["summary"] = fnd.summarize(entry["findings"])
    sources_read = (entry.get("verdict") or {}).get("task_sources_read", True)
    entry["verdict"] = fnd.verdict(entry["status"], entry["findings"], task_sources_read=sources_read)


def _add_rows(entry, found):
    """Report-step findings (admin_findings shape) as rows of the host; ids already there are not added again."""
    if not found:
        return
    rows = [fnd.with_problems(f) for f in found]
    ids = {f["id"] for f in entry["findings"]}
    _set_findings(entry, entry["findings"] + [f for f in rows if f["id"] not in ids])


def fleet_administrators(hosts):
    """Who is local admin where (the guideline's table) across report host entries
    (``hosts.<name>.administrators``): admin_surface.fleet_admin_table with each
    cell's ``documented`` as that host's audit judged it. Hosts not read are listed
    in ``unread``, never as hosts without administrators. Also used on merged slices."""
    models = {str(name): (entry or {}).get("administrators") for name, entry in sorted((hosts or {}).items())}
    table = admin_surface.fleet_admin_table(models)
    flags = {(host, m.get("sid")): m.get("documented") for host, model in models.items() if isinstance(model, dict)
             for m in model.get("members") or [] if isinstance(m, dict)}
    for row in table["members"]:
        for cell in row["hosts"]:
            cell["documented"] = flags.get((cell["host"], row["sid"]))
    return table


def fail_on_reached(summary, fail_on):
    if not fail_on or fail_on == "never":
        return False
    return bool(summary.get("highest_severity")) and severity_at_least(summary["highest_severity"], fail_on)
