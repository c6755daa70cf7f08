# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin taskguard.windows.audit_offline: the evidence folders of many hosts audited in one task.

Each host's arguments are built as the per-host ``taskguard.windows.audit``
action builds its own (the same host variables, the same argument spec), and its
result by the same code (host_audit.py), so the two give the same result. What
differs is where the work runs: here in ``workers`` processes forked once
(fork_pool.py) after the rules, the task inventory and the parses of the first
host's task files were loaded, instead of one Ansible worker per host.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

from ansible import context
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.taskguard.windows.plugins.action.audit import _ARGS as AUDIT_ARGS, with_hostvars
from ansible_collections.taskguard.windows.plugins.modules.audit_offline import DOCUMENTATION
from ansible_collections.taskguard.windows.plugins.plugin_utils import argspec, definition_memo, fork_pool
from ansible_collections.taskguard.windows.plugins.plugin_utils import host_audit, pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import clip_text
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import RiskRuleError

_ARGS = argspec.from_documentation(DOCUMENTATION)
# The options passed on to each host's audit arguments (the rest are this action's own).
SHARED_OPTIONS = ("state_dir", "inventory_dir", "rule_files", "extra_rule_files", "max_events", "today",
                  "admin_surface")


def _plain(value):
    """A templated variable as plain JSON types (Ansible's tagged strings and lists
    are subclasses; the job is inherited by a forked process and compared as a key)."""
    return json.loads(json.dumps(value, default=str))


class HostVariables(object):
    """A host's variables as its per-host audit reads them (``hostvar(name)``: templated,
    None when unset), each templated once and only when asked for."""

    def __init__(self, view):
        self._view, self._seen = view, {}

    def __call__(self, name):
        if name not in self._seen:
            value = self._view[name] if name in self._view else None   # templated on access
            self._seen[name] = None if value is None else _plain(value)
        return self._seen[name]


class HostInputs(object):
    """Builds each host's audit arguments from the task's options and the host's variables."""

    def __init__(self, shared):
        self._shared = shared
        self._validated = {}   # the validation of identical raw arguments, done once

    def job(self, name, hostvar, groups):
        """(job, None) for an offline host, (None, None) for a live one, (None, error) when its
        variables cannot be used. ``hostvar(name)``: the host's templated variable or None;
        what a host is audited with is read through it exactly as plugins/action/audit.py reads it."""
        root = host_audit.evidence_root(hostvar("taskguard_offline_root"))
        if root is None:
            return None, None
        raw = with_hostvars(dict(self._shared), hostvar)   # the result is always spooled (Auditor)
        key = json.dumps(raw, sort_keys=True)
        if key not in self._validated:
            checked = ArgumentSpecValidator(AUDIT_ARGS).validate(raw)
            self._validated[key] = (checked.validated_parameters, "; ".join(checked.error_messages) or None)
        args, error = self._validated[key]
        if error:
            return None, "the audit arguments of this host are not valid: %s" % error
        return {"name": name, "root": str(root), "args": args, "hints": host_audit.hints(args, hostvar, groups)}, None


class Auditor(object):
    """Audits one job; the rules and inventory of each distinct argument set are
    prepared once per process (pipeline.prepare also caches them per process)."""

    def __init__(self, state_dir):
        self.state_dir = state_dir
        self._contexts = {}

    def context(self, args):
        ctx_args = pipeline.context_args(args)
        key = json.dumps(ctx_args, sort_keys=True, default=str)
        if key not in self._contexts:
            try:
                self._contexts[key] = (pipeline.prepare(**ctx_args), None)
            except RiskRuleError as exc:
                self._contexts[key] = (None, "risk rules: %s" % exc)
        return self._contexts[key]

    def __call__(self, job):
        ctx, error = self.context(job["args"])
        if ctx is None:
            return host_audit.failed(error, "offline")
        result = host_audit.offline_result(ctx, job["name"], job["args"], job["hints"], job["root"],
                                           host_audit.now_text())
        registered, warning = host_audit.registered(self.state_dir, job["name"], result)
        if warning:
            registered = dict(registered, spool_warning=warning)
        return registered


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_ARGS)

    def _jobs(self, args, task_vars):
        """(jobs, live hosts, {host: failed result}). A host whose evidence folder variable
        cannot be read fails without a mode (it is not known whether it is offline)."""
        shared = {k: args[k] for k in SHARED_OPTIONS if args.get(k) is not None}
        inputs, hostvars = HostInputs(shared), task_vars.get("hostvars") or {}
        jobs, live, failed = [], [], {}
        for name in args["hosts"]:
            mode = None
            try:
                if name not in hostvars:
                    raise ValueError("%s is not a host of the inventory" % name)
                view = hostvars[name]
                hostvar = HostVariables(view)
                mode = "offline" if host_audit.evidence_root(hostvar("taskguard_offline_root")) else "live"
                groups = hostvar("group_names") or []
                job, error = inputs.job(name, hostvar, groups)
            except Exception as exc:  # noqa: BLE001 - one host's broken variables fail that host only
                job, error = None, "the variables of this host cannot be read: %s" % clip_text(str(exc), 500)
            if error:
                failed[name] = host_audit.failed(error, mode)
            elif job is None:
                live.append(name)
            else:
                jobs.append(job)
        return jobs, live, failed

    def _workers(self, args, jobs):
        if args["workers"] > 0:
            return min(args["workers"], len(jobs))
        forks = context.CLIARGS.get("forks") or 1
        return max(1, min(fork_pool.usable_cpus(), int(forks), len(jobs)))

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=_ARGS)[1]
        if args["workers"] < 0:
            raise AnsibleActionFail("workers must be 0 (automatic) or more, not %d" % args["workers"])
        names = [str(h) for h in args["hosts"]]
        if len(set(names)) != len(names):
            raise AnsibleActionFail("hosts names a host more than once")
        args["hosts"] = names
        jobs, live, results = self._jobs(args, task_vars)
        auditor = Auditor(args["state_dir"])
        workers = self._workers(args, jobs) if jobs else 0
        if jobs:
            # loaded before the fork, so every process shares them: the first host's rules and
            # inventory, and its task files parsed (definition_memo: a hit only for the same bytes)
            auditor.context(jobs[0]["args"])
            try:
                definition_memo.seed(jobs[0]["root"])
            except Exception:  # noqa: BLE001 - only a speed-up; each host parses its own files
                pass
        for job, (registered, error) in zip(jobs, fork_pool.map_items(auditor, jobs, workers)):
            if error:
                registered = host_audit.failed("the audit of this host did not finish: %s" % error, "offline")
            results[job["name"]] = registered
        for name in sorted(results):
            warning = results[name].pop("spool_warning", None)
            if warning:
                self._display.warning(warning)
        audited = {job["name"] for job in jobs}
        offline = [n for n in names if n in audited or results.get(n, {}).get("mode") == "offline"]
        failed = [n for n in names if n in results and results[n].get("failed")]
        result.update({"changed": False, "hosts": results, "offline_hosts": offline, "live_hosts": live,
                       "failed_hosts": failed, "workers": workers,
                       "msg": "%d evidence folder(s) audited in %d process(es); %d host(s) failed; %d live host(s) "
                              "left to the audit task" % (len(offline), workers, len(failed), len(live))})
        # host data inside: never templated again
        return wrap_var(result)
