# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback plugin taskguard.windows.preload: the audit's host-independent work
done once in the controller process, before Ansible forks its workers.

Ansible forks a fresh worker process for every host of every task, and each
``taskguard.windows.audit`` worker used to import the collection code the action
loads lazily, compile the risk rules and load the task inventory before looking
at its one host (~0.09 s of CPU per host on the project's 2-core VM, about half
of the audit task's cost over Ansible's own per-host floor; docs/performance.md).
Ansible sends ``v2_playbook_on_task_start`` in the controller process just before
it queues the task's first host, so what this plugin loads then is inherited by
every fork of that task: the action finds it in the per-process caches of
``audit_support`` (keyed by file paths, sizes and modification times, so a stale
or different preload is simply not used) and does no work of its own for it.

Nothing here is needed for correct results: any failure only means the workers
load everything themselves, as without the plugin.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
name: preload
type: aggregate
short_description: Load the drift audit's rules and task inventory once, before Ansible forks its workers
description:
  - When a play reaches a C(taskguard.windows.audit) task, templates the task's arguments for the first
    host of the play (and the options it leaves to host variables, as the action reads them), then
    imports the collection code the audit uses, compiles the risk rules and loads
    the task inventory in the controller process. Ansible forks a worker per host from that process, so
    every worker inherits them instead of loading them again.
  - It serves the per-host audit of live hosts; C(playbooks/drift.yml) audits evidence folders in one
    task (M(taskguard.windows.audit_offline)), which loads all this itself before it forks.
  - Only a speed-up; results are the same with or without it. Any error is shown at verbosity 3 and the
    workers then load everything themselves.
  - Enable it with C(callbacks_enabled = taskguard.windows.preload) in the C([defaults]) section of
    C(ansible.cfg) (or C(ANSIBLE_CALLBACKS_ENABLED)); see docs/performance.md.
author:
  - taskguard contributors (@taskguard)
requirements:
  - enabled in ansible.cfg (callbacks_enabled)
'''

import importlib

from ansible.plugins.callback import CallbackBase

AUDIT_ACTIONS = frozenset(("taskguard.windows.audit",))
_PU = "ansible_collections.taskguard.windows.plugins.plugin_utils."


def _mirror_audit_args(raw_args):
    """The audit action's arguments after its own argument spec (path expansion, list splitting)."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    from ansible_collections.taskguard.windows.plugins.action.audit import _ARGS
    result = ArgumentSpecValidator(_ARGS).validate(raw_args)
    if result.error_messages:
        raise ValueError("; ".join(result.error_messages))
    return result.validated_parameters


def _with_hostvars(raw_args, templar, task_vars):
    """The options the task leaves to the host's variables, read as the action reads them."""
    from ansible_collections.taskguard.windows.plugins.action.audit import with_hostvars

    def hostvar(name):
        value = task_vars.get(name)
        return None if value is None else templar.template(value)
    return with_hostvars(raw_args, hostvar)


def preload(args):
    """Warm the per-process caches the audit action reads: the same call
    (pipeline.prepare with pipeline.context_args), so the same cache keys.
    Returns (inventory, inventory problems)."""
    pipeline = importlib.import_module(_PU + "pipeline")
    ctx = pipeline.prepare(**pipeline.context_args(args))
    return ctx.inventory, ctx.inventory_errors


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "taskguard.windows.preload"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._play = None

    def v2_playbook_on_play_start(self, play):
        self._play = play

    def v2_playbook_on_task_start(self, task, is_conditional):
        # The action as resolved when the play was loaded: the public ``resolved_action``
        # would warn here for a task whose action is a template, on every such task.
        if self._play is None or getattr(task, "_resolved_action", None) not in AUDIT_ACTIONS:
            return
        try:
            self._preload(task)
        except Exception as exc:  # only a speed-up: the workers load everything themselves
            self._display.vvv("taskguard.windows.preload: nothing preloaded (%s: %s)" % (type(exc).__name__, exc))

    def _preload(self, task):
        from ansible.template import Templar
        play = self._play
        manager = play.get_variable_manager()
        loader = getattr(manager, "_loader", None)
        pattern = Templar(loader=loader, variables=manager.get_vars(play=play)).template(play.hosts)
        hosts = manager._inventory.get_hosts(pattern, order=play.order)
        if not hosts:
            return
        task_vars = manager.get_vars(play=play, host=hosts[0], task=task)
        templar = Templar(loader=loader, variables=task_vars)
        raw_args = _with_hostvars(templar.template(task.args), templar, task_vars)
        args = _mirror_audit_args(raw_args)
        _inventory, problems = preload(args)
        self._display.vvv("taskguard.windows.preload: rules and task inventory loaded before the workers fork"
                          "%s" % (" (%d inventory problem(s), reported per host)" % len(problems) if problems else ""))
