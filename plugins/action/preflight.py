# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin taskguard.windows.preflight: check a playbook's inputs on the controller.

Runs once (run_once + delegate_to localhost) before any host is contacted. It
gathers the values to check - the playbook's own arguments, plus per-host
``taskguard_offline_root`` and task inventory folders read from hostvars (never
from the hosts) - hands them to ``plugin_utils.preflight.run_checks`` and fails
with one line per problem. It never opens a connection.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.plugins.action import ActionBase
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.taskguard.windows.plugins.modules.preflight import DOCUMENTATION
from ansible_collections.taskguard.windows.plugins.plugin_utils import argspec, host_audit
from ansible_collections.taskguard.windows.plugins.plugin_utils.preflight import PreflightInputs, run_checks

_ARGS = argspec.from_documentation(DOCUMENTATION)


def _flat(value):
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            out.extend(_flat(item))
        return out
    return [] if value in (None, "") else [str(value)]


def _choices(specs, problems):
    """{name: (value, [choices])} of the well-formed choices; a malformed one is a problem."""
    choices = {}
    for name, spec in specs.items():
        if isinstance(spec, dict) and "value" in spec and "choices" in spec:
            value = spec["value"]
            if spec.get("list") and isinstance(value, str):
                # the consuming option is a list: Ansible splits "json,md" the same way
                value = [v.strip() for v in value.split(",") if v.strip()]
            choices[name] = (value, _flat(spec["choices"]))
        else:
            problems.append("preflight: choices.%s needs value and choices" % name)
    return choices


def _finish(result, problems, warnings, hosts):
    """The action's result: failed with one line per problem, else passed."""
    result["changed"] = False
    if warnings:
        result["warnings"] = warnings   # Ansible shows them; they do not stop the run
    result["problems"] = problems
    result["hosts"] = list(hosts or [])
    if problems:
        result["failed"] = True
        result["msg"] = ("preflight found %d problem(s); the run stopped before contacting any host:\n- %s"
                         % (len(problems), "\n- ".join(problems)))
    else:
        result["msg"] = "preflight passed%s" % (" for %d host(s)" % len(hosts) if hosts is not None else "")
    return result


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_ARGS)

    def _host_var(self, task_vars, host, name):
        """(value, problem) of a variable as *host* sees it (templated, from the inventory)."""
        try:
            # one view per host: each hostvars[host] computes all of the host's variables again
            views = self._host_views
            if host not in views:
                views[host] = task_vars["hostvars"][host]
            hostvars = views[host]
            return (hostvars[name] if name in hostvars else None), None
        except Exception as exc:  # noqa: BLE001 - an undefined or broken variable is a problem to report
            return None, "%s for host %s cannot be read: %s" % (name, host, str(exc)[:300])

    def _warn_renamed(self, renamed, task_vars):
        for old, new in sorted(renamed.items()):
            if old in task_vars:
                self._display.deprecated("%s is renamed to %s; set %s instead" % (old, new, new),
                                         version="1.0.0", collection_name="taskguard.windows")

    def _inventory_values(self, args, task_vars, problems):
        """{inventory_var: [paths per host]}: the audit reads the inventory folder each
        host's variables name, the default only for hosts that name none."""
        if args.get("inventory_dirs") is None:
            return {}
        hosts = args.get("hosts")
        values = [] if hosts else [args["inventory_dirs"]]
        for host in hosts or []:
            value, problem = self._host_var(task_vars, host, args["inventory_var"])
            if problem:
                problems.append(problem)
            else:
                values.append(_flat(value) if value is not None else args["inventory_dirs"])
        return {args["inventory_var"]: values}

    def _offline_roots(self, args, task_vars, problems):
        """{host: taskguard_offline_root} of the hosts read from an evidence folder."""
        offline = {}
        for host in (args.get("hosts") or []) if args["offline_roots"] else []:
            value, problem = self._host_var(task_vars, host, "taskguard_offline_root")
            if problem:
                problems.append(problem)
            elif host_audit.evidence_root(value):
                offline[host] = value
        return offline

    def _connections(self, args, task_vars, offline, problems):
        """{host: (ansible_connection, ansible_winrm_transport)} of the hosts contacted live:
        hosts read from an evidence folder are never contacted."""
        connections = {}
        for host in [h for h in args.get("hosts") or [] if h not in offline] if args["connections"] else []:
            connection, problem = self._host_var(task_vars, host, "ansible_connection")
            transport, problem2 = self._host_var(task_vars, host, "ansible_winrm_transport")
            problems.extend(p for p in (problem, problem2) if p)
            connections[host] = (connection, transport)
        return connections

    def _gather(self, args, task_vars, problems):
        """The PreflightInputs of this run; problems met while reading hostvars go to *problems*."""
        hosts = args.get("hosts")
        choices = _choices(args["choices"], problems)
        inventory = self._inventory_values(args, task_vars, problems)
        offline = self._offline_roots(args, task_vars, problems)
        return PreflightInputs(
            choices=choices, bools=args["bools"], positive_ints=args["positive_ints"], dates=args["dates"],
            hosts=(args["host_pattern_var"], args["host_pattern"], hosts) if hosts is not None else None,
            inventory=inventory, writable=args["writable_dirs"],
            files={n: _flat(v) for n, v in args["files"].items()},
            existing={n: _flat(v) for n, v in args["existing_paths"].items()},
            risk_rules={n: _flat(v) for n, v in args["risk_rule_files"].items()}, outputs=args["output_files"],
            offline_roots=offline, connections=self._connections(args, task_vars, offline, problems))

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=_ARGS)[1]
        self._warn_renamed(args["renamed_vars"], task_vars)
        problems, warnings = [], []
        self._host_views = {}
        inputs = self._gather(args, task_vars, problems)
        problems += run_checks(inputs, warnings=warnings)
        # values come from the operator's variables and paths: never template them again
        return wrap_var(_finish(result, problems, warnings, args.get("hosts")))
