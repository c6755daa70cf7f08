# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit of one host, wired in one place. Internal to taskguard.windows.

    prepare (once per process: rules, inventory)             -> Context
    collect (offline evidence folder | live module output)   -> tasks, events, problems
    host facts (hints > collected facts)                     -> host
    judge (drift.audit_host + problems as findings)          -> audit result

The audit action, the hostile-input suite and the benchmark all call
``audit_offline``/``audit_live``; nothing else wires the stages. Every call into
a part is guarded by the part itself (audit_support): a failure becomes a
coverage finding for that host, never a crash and never a clean result.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import collections

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_findings, admin_surface, audit_support
from ansible_collections.taskguard.windows.plugins.plugin_utils import definition_cache
from ansible_collections.taskguard.windows.plugins.plugin_utils import definition_store, inventory_admins, wire
from ansible_collections.taskguard.windows.plugins.plugin_utils import findings as fnd
from ansible_collections.taskguard.windows.plugins.plugin_utils import task_run_as, user_rights, well_known_sids
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift import Judges, Material, audit_host
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import clip_text

# Host-independent inputs of an audit, prepared once per process.
Context = collections.namedtuple("Context", "rules inventory inventory_errors propose")
# What one host's collection produced (``admin``: the admin-surface material, or
# None when it was not collected).
Collected = collections.namedtuple("Collected", "tasks events problems mode admin")
Collected.__new__.__defaults__ = (None,)
# The event window of one audit: events after ``since`` (a bookmark, or None for
# all), at most ``max_events`` per channel; ``bookmark_error`` when the stored
# bookmark could not be read (then every event still in the logs is read).
Window = collections.namedtuple("Window", "since max_events bookmark_error")
Window.__new__.__defaults__ = (None, 5000, None)


def context_args(args):
    """The host-independent arguments of the audit action (its validated ``args``)
    as ``prepare`` takes them. The audit action and the preload callback
    (plugins/callback/preload.py) both go through here, so the callback warms
    exactly the caches the action then reads."""
    return {"inventory_dirs": args.get("inventory_dir"), "today": args.get("today"),
            "rule_files": list(args.get("rule_files") or []) + list(args.get("extra_rule_files") or [])}


def prepare(*, inventory_dirs=None, rule_files=None, today=None):
    """Context for every host of this process. Broken rules raise RiskRuleError
    (the run must stop); a broken inventory does not (every task is then
    undocumented and a coverage finding says why)."""
    rules = audit_support.load_rules(list(rule_files or []))
    inventory, errors = audit_support.load_inventory(inventory_dirs, today)
    return Context(rules, inventory, errors, audit_support.proposer(today))


def host_facts(name, hints, collected_host):
    """Scoping facts of a host: operator hints (host vars) win over what was collected."""
    hints = hints or {}
    collected_host = collected_host or {}
    host = {"name": name, "groups": list(hints.get("groups") or [])}
    for fact in ("os_family", "domain_role"):
        host[fact] = hints.get(fact) or collected_host.get(fact) or "unknown"
    if hints.get("os_family"):
        host["os_source"] = "hint"
    elif collected_host.get("os_source"):
        host["os_source"] = collected_host["os_source"]
    else:
        host["os_source"] = "collected" if collected_host.get("os_family") not in (None, "unknown") else None
    host["product_type"] = collected_host.get("product_type")
    host["os_build"] = collected_host.get("os_build")
    inference = collected_host.get("os_inference")
    if host["os_source"] != "hint" and isinstance(inference, dict):
        # the report says how sure an inferred version is, or why none was inferred
        host["os_inference"] = {k: inference.get(k) for k in ("os_family", "confidence", "reason")}
    host["tier"] = fnd.tier(dict(host, tier=hints.get("tier")))
    return host


def judge(ctx, name, hints, collected, bookmark_error=None):
    """The audit result of one host from its collected material."""
    tasks, events = collected.tasks, collected.events
    host = host_facts(name, hints, (tasks or {}).get("host") if isinstance(tasks, dict) else None)
    view = ctx.inventory.for_host(host) if ctx.inventory is not None else None
    audit = audit_host(Material(name, host, tasks, events), Judges(view, ctx.rules, ctx.propose))
    admin_view = inventory_admins.view(ctx.inventory, host) if ctx.inventory is not None else None
    extra = problem_findings(name, collected.problems, ctx.inventory_errors, bookmark_error)
    # the GPO task state the last audit kept (docs/least-privilege.md#gpo-task-state)
    previous = admin_surface.load_previous((hints or {}).get("state_dir"), name, collected.admin)
    admin_rows, admin_judged = judge_admin_surface(host, collected, ctx.rules, view, admin_view, previous)
    extra += admin_rows
    task_accounts = _task_accounts(tasks)
    administrators = _administrators_for_report(admin_view, collected.admin)
    # TG-A024 with the inventory view this audit used (its ``today``, the host's groups and
    # facts), after every other row: its severity reads whether the task itself is documented
    extra += judge_run_as(host, {"task_accounts": task_accounts, "findings": audit["findings"] + extra,
                                 "tier": host["tier"], "administrators": administrators}, admin_view)
    if extra:
        audit = add_findings(audit, extra, task_sources_read=audit["verdict"]["task_sources_read"])
    return {
        "changed": False, "host": name, "mode": collected.mode,
        "status": audit["status"], "verdict": audit["verdict"], "tier": host["tier"],
        "findings": audit["findings"], "summary": audit["summary"],
        "unconfirmed_entries": audit.get("unconfirmed_entries") or [],
        "bookmark": events.get("bookmark") if isinstance(events, dict) else None,
        "os_family": host["os_family"], "os_source": host["os_source"], "domain_role": host["domain_role"],
        "os_build": host["os_build"], "os_inference": host.get("os_inference"),
        "administrators": administrators,
        # holders the judge never compared are not shown as documented (reports read
        # "no TG-A023 for this SID" as documented)
        "user_rights": user_rights.for_report((collected.admin or {}).get("user_rights")) if admin_judged else None,
        "task_accounts": task_accounts,
        # written by the report step after the reports (drift_report), like the bookmark
        "gpo_state": admin_surface.state_for_next_audit(collected.admin, previous) if previous is not None else None,
        "counts": {"tasks": len((tasks or {}).get("tasks") or []) if isinstance(tasks, dict) else 0,
                   "events": len((events or {}).get("events") or []) if isinstance(events, dict) else 0},
    }


def audit_offline(ctx, name, hints, root, window=None):
    """(result, None) or (None, message) when the evidence folder cannot be audited at all."""
    window = window or Window()
    tasks, events, problems = audit_support.collect_offline(str(root), since=window.since,
                                                            max_events=window.max_events)
    fatal = [p for p in problems if p.get("fatal")]
    if fatal:
        return None, "; ".join(str(p["error"]) for p in fatal)
    admin = None
    if (hints or {}).get("admin_surface", True):
        try:
            admin = admin_surface.collect_offline_admin_surface(str(root), (hints or {}).get("sysvol_root"))
        except Exception as exc:  # a part that breaks is a coverage finding, never a crash
            problems.append({"source": "admin_surface", "error": "admin surface not read: %s: %s"
                             % (type(exc).__name__, exc)})
    collected = Collected(tasks, events, problems, "offline", admin)
    return judge(ctx, name, hints, collected, window.bookmark_error), None


# ------------------------------------------------------------------ live
class LiveCache(object):
    """The definition-cache bookkeeping of a live audit (docs/performance.md):
    what to tell the collector it may leave out, and what to keep afterwards."""

    def __init__(self, state_dir, host, enabled=True):
        self.state_dir, self.host = state_dir, host
        self.store = definition_store.DefinitionStore(state_dir, host=host) if (state_dir and enabled) else None
        self.entries, self.note, self.saved = {}, None, None

    def module_args(self, since, max_events):
        args = {"since": since or {}, "max_events": max_events}
        if self.store is None:
            return args
        try:
            self.entries = definition_cache.load(self.state_dir, self.host, store=self.store)
        except definition_cache.DefinitionCacheError as exc:
            self.note = "definition cache not used (every definition is collected): %s" % exc
        if self.entries:
            args["known_task_hashes"] = definition_cache.known_hashes(self.entries)
        return args

    def parsed(self):
        return definition_cache.parsed_definitions(self.entries) if self.entries else None

    def keep(self, tasks_result, module_result):
        """Save this run's definitions; returns the report's ``definition_cache`` section or None."""
        if self.store is None or not isinstance(tasks_result, dict):
            return None
        self.saved = definition_cache.save(self.state_dir, self.host, tasks_result, previous=self.entries,
                                           store=self.store)
        store = self.store
        return {"known": len(self.entries), "omitted": definition_cache.omitted(module_result.get("tasks")),
                "store_hits": store.hits, "store_pack_hits": store.pack_hits, "store_written": store.written,
                "note": self.note or self.saved}


def audit_live(ctx, name, hints, module_result, cache=None, window=None):
    """(result, definition_cache section or None) from the collect module's output."""
    cache = cache or LiveCache(None, name, enabled=False)
    window = window or Window()
    # The material travels deflated (collect.ps1, option compress): bounded inflate first.
    module_result, wire_problem = wire.decode_result(module_result)
    tasks, events, problems = audit_support.normalize_live(module_result, since=window.since, parsed=cache.parsed(),
                                                           store=cache.store)
    if wire_problem is not None:
        problems.append(wire_problem)
    section = cache.keep(tasks, module_result)
    admin = None
    if "admin_surface" in module_result:
        try:
            admin = admin_surface.normalize_live_admin_surface(module_result.get("admin_surface"))
        except Exception as exc:
            problems.append({"source": "admin_surface", "error": "admin surface material could not be normalized: "
                             "%s: %s" % (type(exc).__name__, exc)})
    result = judge(ctx, name, hints, Collected(tasks, events, problems, "live", admin), window.bookmark_error)
    return result, section


def _task_accounts(tasks):
    """The tasks that run as an ordinary account (path and principal only), for this
    host's TG-A024 (judge_run_as) and the report step's fleet join with the
    Administrators groups (report_runner.py).
    Principals Windows defines itself (well_known_sids: NT SERVICE, IIS APPPOOL...)
    are left out, so TG-A020/A021/A022 judge the same accounts as TG-A024.

    Every such task, no cap: TG-A020/A021/A022/A024 must see them all, and a cut
    would hide the tasks after it. The size is bounded where the tasks are read
    (offline_tasks.MAX_FILES task files, wire.MAX_MATERIAL_BYTES of live material);
    an entry is ~140 bytes, an undocumented task's finding row 5-15 KB, so a
    hostile host's task_accounts stay small beside the findings it already gets."""
    out = []
    for task in (tasks or {}).get("tasks") or [] if isinstance(tasks, dict) else []:
        account, written = admin_findings.task_account(task) if isinstance(task, dict) else (None, None)
        if account is not None and not well_known_sids.is_built_in(written):
            principal = task.get("principal") or {}
            out.append(fnd.trim({"path": task.get("path"), "principal": {k: principal.get(k) for k in
                                                                         ("user_id", "logon_type", "run_level")}}))
    return out


def _administrators_for_report(admin_view, admin):
    """The host's Administrators model for the fleet table of the reports, each
    member marked ``documented`` (True/False, None without a table) as judged here."""
    model = (admin or {}).get("administrators")
    if not isinstance(model, dict):
        return None
    model = dict(model)
    try:
        members = []
        for member in model.get("members") or []:
            if isinstance(member, dict):
                entry = admin_view.match(member, model.get("machine_sid")) if admin_view is not None else None
                documented = None if admin_view is None else bool(entry is not None and not entry.expired)
                members.append(dict(member, documented=documented))
        model["members"] = members
    except Exception as exc:   # the table is a view of what was judged; never a crash
        model["errors"] = list(model.get("errors") or []) + ["documented flags not set: %s" % exc]
    return fnd.trim(model)


def judge_admin_surface(host, collected, rules, host_view, admin_view, previous=None):
    """Findings of the admin surface (docs/least-privilege.md), as rows like the task findings.
    ``host_view``: the host's task inventory view (GPO tasks are matched in it);
    ``admin_view``: its administrators table; ``previous``: the GPO task state of the
    last audit (``admin_surface.load_previous``). Not collected (option off, or an old
    collector): nothing is claimed about it. Returns ``(rows, judged)``: judged is False
    when the judge failed (one TG-C011 row)."""
    if collected.admin is None:
        return [], True
    try:
        found = admin_surface.audit(host, collected.admin, host_view, previous, rules=rules, admin_view=admin_view)
    except Exception as exc:
        return _judge_failure(host, "admin surface", "admin-surface", exc), False
    # one row per subject (a GPO task, a member SID), like one row per task
    by_subject, rows = {}, []
    for finding in (fnd.with_problems(f) for f in found):
        if finding.get("task") and finding["kind"] in fnd.ADMIN_KINDS:
            by_subject.setdefault((finding["kind"], fnd.lower_path(finding["task"])), []).append(finding)
        else:
            rows.append(finding)
    rows.extend(fnd.merge_task_findings(host["name"], group) for group in by_subject.values())
    return rows, True


def judge_run_as(host, result, admin_view):
    """TG-A024 rows of one host (task_run_as.py): tasks that run as an ordinary account no
    ``task_accounts``/``administrators`` entry in the host's scope names. ``result``: the
    pieces of the audit result it reads (``task_accounts``, ``findings``, ``tier``,
    ``administrators``); ``admin_view`` None (inventory not loaded, or it documents no
    account): every ordinary account is undocumented. A failure is one TG-C011 row (the
    accounts were not judged: never a host that looks clean)."""
    try:
        return task_run_as.run_as_rows(host["name"], result, admin_view)
    except Exception as exc:
        return _judge_failure(host, "task accounts (TG-A024)", "run-as", exc)


def _judge_failure(host, what, key, exc):
    """The rows of a judge that broke: one TG-C011 saying ``what`` could not be judged
    (never a host that looks clean), its error cut like every other error text
    (errors.clip_text; an exception's text may carry host data of any length).
    ``key`` keeps the TG-C011 of each judge apart."""
    out = fnd.Findings(host["name"])
    error = "%s could not be judged: %s: %s" % (what, type(exc).__name__, exc)
    out.add("TG-C011", params={"error": clip_text(error)}, key=key)
    return out.rows()


# ------------------------------------------------------------------ problems as findings
def problem_findings(host, problems, inventory_errors, bookmark_error):
    """Collection problems, inventory errors and an unreadable bookmark as coverage findings."""
    out = fnd.Findings(host)
    for problem in problems or []:
        error = str(problem.get("error"))[:500]
        out.add("TG-C011", params={"error": error}, reasons=[fnd.reason("TG-C011", {"error": error})],
                evidence=fnd.trim(problem), key="problem:%s" % problem.get("source"))
    if inventory_errors:
        params = {"count": len(inventory_errors)}
        out.add("TG-C012", params=params, reasons=[fnd.reason("TG-C012", params)],
                evidence={"errors": fnd.trim(inventory_errors[:50])}, key="inventory-errors")
    if bookmark_error:
        params = {"error": bookmark_error[:500]}
        out.add("TG-C013", params=params, reasons=[fnd.reason("TG-C013", params)],
                evidence={"error": bookmark_error}, key="bookmark")
    return out.rows()


def add_findings(audit, extra, task_sources_read=True):
    """An audit result with more (audit-level) findings: status, summary and verdict again."""
    ids = {f["id"] for f in audit["findings"]}
    findings = audit["findings"] + [f for f in extra if f["id"] not in ids]
    findings.sort(key=fnd.sort_key)
    status = "partial" if any(f["kind"] == "coverage_gap" for f in findings) else audit["status"]
    out = dict(audit)
    out.update({"status": status, "findings": findings, "summary": fnd.summarize(findings),
                "verdict": fnd.verdict(status, findings, task_sources_read=task_sources_read)})
    return out
