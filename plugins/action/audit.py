# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin taskguard.windows.audit: collect one host and compare it.

Per host, no cross-host state: offline (host var ``taskguard_offline_root``: the
evidence folder is read on the controller, no connection) or live (the
``taskguard.windows.collect`` module runs once: one WinRM round trip for tasks and
events). The material is normalized with the task/event collection code, compared
with the task inventory and scored with the risk rules (plugins/plugin_utils/drift.py).
The new event bookmark is returned, not written: the report step writes it after
the reports. Everything returned is wrapped unsafe (host data is never templated).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import os

from ansible.plugins.action import ActionBase
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support, definition_cache, definition_store, worker_gc
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift import audit_host
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import RiskRuleError

_ARGS = {
    "inventory_dir": {"type": "list", "elements": "path", "required": False},
    "rule_files": {"type": "list", "elements": "path", "required": False},
    "extra_rule_files": {"type": "list", "elements": "path", "required": False, "default": []},
    "state_dir": {"type": "path", "required": False},
    "offline_root": {"type": "path", "required": False},
    "since": {"type": "dict", "required": False},
    "max_events": {"type": "int", "required": False, "default": 5000},
    "today": {"type": "str", "required": False},
    "os_family": {"type": "str", "required": False},
    "domain_role": {"type": "str", "required": False},
    "definition_cache": {"type": "bool", "required": False, "default": True},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_ARGS)

    def _hostvar(self, task_vars, name):
        # Host variables arrive untemplated in task_vars; they are inventory
        # configuration (not host data), so templating them is intended.
        value = task_vars.get(name)
        if value is None:
            return None
        return self._templar.template(value)

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=_ARGS)[1]
        host_name = str(task_vars.get("inventory_hostname"))
        offline_root = args.get("offline_root") or self._hostvar(task_vars, "taskguard_offline_root")
        started = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")

        # Inventory and rules: a broken inventory must not stop the audit (every
        # task is then undocumented and a coverage gap says why); broken rules do.
        try:
            rules = audit_support.load_rules(list(args.get("rule_files") or []) + list(args.get("extra_rule_files") or []))
        except RiskRuleError as exc:
            result.update({"failed": True, "taskguard_status": "failed", "msg": "risk rules: %s" % exc})
            return wrap_var(result)
        inventory, inventory_errors = audit_support.load_inventory(args.get("inventory_dir"), args.get("today"),
                                                                   cache_dir=args.get("state_dir"))
        # What this worker inherited and just loaded lives as long as it does:
        # keep the garbage collector from walking it for every host (worker_gc.py).
        worker_gc.freeze_inherited_heap()

        since = args.get("since")
        bookmark_error = None
        if since is None and args.get("state_dir"):
            since, bookmark_error = audit_support.read_bookmark(args["state_dir"], host_name)

        if offline_root:
            tasks_result, events_result, problems = audit_support.collect_offline(
                str(offline_root), since=since, max_events=args["max_events"])
            mode = "offline"
            fatal = [p for p in problems if p.get("fatal")]
            if fatal:
                result.update({"failed": True, "taskguard_status": "failed", "mode": mode,
                               "msg": "; ".join(str(p["error"]) for p in fatal)})
                return wrap_var(result)
        else:
            # Steady state (docs/performance.md): the host leaves out definitions whose
            # hash it computes to be the one cached here from the previous audit.
            # Definitions already parsed on any host are taken from the shared
            # definition store instead of being parsed again (definition_store.py).
            cache_entries, cache_note, store = {}, None, None
            module_args = {"since": since or {}, "max_events": args["max_events"]}
            use_cache = bool(args.get("state_dir")) and args["definition_cache"]
            if use_cache:
                store = definition_store.DefinitionStore(args["state_dir"], host=host_name)
                try:
                    cache_entries = definition_cache.load(args["state_dir"], host_name, store=store)
                except definition_cache.DefinitionCacheError as exc:
                    cache_note = "definition cache not used (every definition is collected): %s" % exc
                if cache_entries:
                    module_args["known_task_hashes"] = definition_cache.known_hashes(cache_entries)
            module_result = self._execute_module(
                module_name="taskguard.windows.collect",
                module_args=module_args,
                task_vars=task_vars)
            if module_result.get("failed") or module_result.get("unreachable"):
                result.update(module_result)
                result["failed"] = True
                result["taskguard_status"] = "failed"
                result["msg"] = "collect failed: %s" % (module_result.get("msg") or "unknown error")
                return wrap_var(result)
            tasks_result, events_result, problems = audit_support.normalize_live(
                module_result, since=since,
                parsed=definition_cache.parsed_definitions(cache_entries) if cache_entries else None, store=store)
            if use_cache and isinstance(tasks_result, dict):
                saved = definition_cache.save(args["state_dir"], host_name, tasks_result, previous=cache_entries,
                                              store=store)
                result["definition_cache"] = {"known": len(cache_entries), "omitted": definition_cache.omitted(
                    module_result.get("tasks")), "store_hits": store.hits, "store_pack_hits": store.pack_hits,
                    "store_written": store.written,
                    "note": cache_note or saved}
                if cache_note or saved:
                    self._display.warning("%s: %s" % (host_name, cache_note or saved))
            mode = "live"

        host_info = (tasks_result or {}).get("host") or {}
        host = {
            "name": host_name,
            "groups": list(task_vars.get("group_names") or []),
            "os_family": args.get("os_family") or self._hostvar(task_vars, "taskguard_os_family") or host_info.get("os_family") or "unknown",
            "domain_role": args.get("domain_role") or self._hostvar(task_vars, "taskguard_domain_role") or host_info.get("domain_role") or "unknown",
        }
        host_view = inventory.for_host(host) if inventory is not None else None
        audit = audit_host(host_name, tasks_result, events_result, host_view, rules, host=host,
                           propose=audit_support.proposer(args.get("today")))
        extra = audit_support.problem_findings(host_name, problems, inventory_errors, bookmark_error)
        if extra:
            audit = audit_support.add_findings(audit, extra)

        result.update({
            "changed": False,
            "host": host_name,
            "mode": mode,
            "status": audit["status"],
            "findings": audit["findings"],
            "summary": audit["summary"],
            "bookmark": (events_result or {}).get("bookmark") if isinstance(events_result, dict) else None,
            "os_family": host["os_family"],
            "domain_role": host["domain_role"],
            "audited_at": started,
            "counts": {"tasks": len((tasks_result or {}).get("tasks") or []),
                       "events": len((events_result or {}).get("events") or [])},
            "offline_root": os.path.abspath(str(offline_root)) if offline_root else None,
        })
        return wrap_var(result)
