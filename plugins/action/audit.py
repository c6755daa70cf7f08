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

from ansible.plugins.action import ActionBase
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.taskguard.windows.plugins.modules.audit import DOCUMENTATION
from ansible_collections.taskguard.windows.plugins.plugin_utils import argspec, host_audit, pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import RiskRuleError

_ARGS = argspec.from_documentation(DOCUMENTATION)

# Options the task may leave to the host's variables (playbooks/drift.yml does):
# Ansible compiles every templated task argument again in every forked worker,
# one Jinja compile per option and host, so the action reads these variables
# itself (docs/performance.md).
HOSTVAR_OPTIONS = (("inventory_dir", "taskguard_task_inventory_dir"),
                   ("extra_rule_files", "taskguard_risk_rule_files"),
                   ("max_events", "taskguard_max_events"))


def with_hostvars(raw_args, hostvar):
    """The task's arguments, with each option of HOSTVAR_OPTIONS it leaves out
    taken from the host variable (``hostvar(name)``: its templated value or None).
    The preload callback reads the arguments through here too."""
    out = dict(raw_args)
    for option, variable in HOSTVAR_OPTIONS:
        if option not in out:
            value = hostvar(variable)
            if value is not None:
                out[option] = value
    return out


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

    def _validated_args(self, task_vars):
        """The arguments after the argument spec, with the host-variable options. The
        options are added to this worker's own copy of the task (Ansible forks a worker
        per host), so validate_argument_spec checks them like any argument."""
        self._task.args = with_hostvars(self._task.args, lambda variable: self._hostvar(task_vars, variable))
        return self.validate_argument_spec(argument_spec=_ARGS)[1]

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self._validated_args(task_vars)
        name = str(task_vars.get("inventory_hostname"))
        offline_root = host_audit.evidence_root(args.get("offline_root") or
                                                self._hostvar(task_vars, "taskguard_offline_root"))
        started = host_audit.now_text()
        try:
            ctx = pipeline.prepare(**pipeline.context_args(args))
        except RiskRuleError as exc:
            result.update(host_audit.failed("risk rules: %s" % exc, "offline" if offline_root else "live"))
            return wrap_var(result)
        hints = host_audit.hints(args, lambda variable: self._hostvar(task_vars, variable),
                                 task_vars.get("group_names"))

        if offline_root:
            result.update(host_audit.offline_result(ctx, name, args, hints, offline_root, started))
            if result.get("failed"):
                return wrap_var(result)
        else:
            window = host_audit.window(args, name)
            cache = pipeline.LiveCache(args.get("state_dir"), name, enabled=args["definition_cache"])
            module_result = self._execute_module(module_name="taskguard.windows.collect",
                                                 module_args=dict(cache.module_args(window.since, args["max_events"]),
                                                                  admin_surface=args["admin_surface"]),
                                                 task_vars=task_vars)
            if module_result.get("failed") or module_result.get("unreachable"):
                result.update(module_result)
                result.update(host_audit.failed("collect failed: %s" % (module_result.get("msg") or "unknown error"),
                                                "live"))
                return wrap_var(result)
            audit, section = pipeline.audit_live(ctx, name, hints, module_result, cache, window)
            if section is not None:
                result["definition_cache"] = section
                if section.get("note"):
                    self._display.warning("%s: %s" % (name, section["note"]))
            result.update(audit)
            result.update({"audited_at": started, "offline_root": None})
        if args["spool"] and args.get("state_dir"):
            result, warning = host_audit.registered(args["state_dir"], name, result)
            if warning:
                self._display.warning(warning)
        return wrap_var(result)
