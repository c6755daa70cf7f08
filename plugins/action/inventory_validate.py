# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin taskguard.windows.inventory_validate: validate the task inventory.

Runs entirely on the controller and never connects to the target (the
playbook runs it against localhost). Every problem of every file is printed as
``file:line:column: code: message`` (the format editors and CI annotate) once,
on standard output, and returned; the task fails when there is at least one
error, and a valid inventory prints a one-line summary.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.taskguard.windows.plugins.modules.inventory_validate import DOCUMENTATION
from ansible_collections.taskguard.windows.plugins.plugin_utils import argspec
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory

display = Display()

_COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_ARGS = argspec.from_documentation(DOCUMENTATION)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_ARGS)

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        dummy, args = self.validate_argument_spec(argument_spec=_ARGS)
        paths = [str(p) for p in (args.get("paths") or [os.path.join(_COLLECTION_ROOT, "task_inventory")])]
        try:
            inventory = load_inventory(paths, today=args.get("today"), strict=args["strict"])
        except ValueError as exc:      # a bad ``today`` argument; data problems never raise
            result.update(failed=True, msg=str(exc))
            return result
        report = inventory.to_result()
        # Each problem is printed once, here, as file:line:column: code: message
        # (the line CI annotates); the task's msg is only the summary, so the
        # failure does not print every error a second time.
        for line in report["error_lines"]:
            display.display(line)
        for line in report["warning_lines"]:
            display.display("warning: " + line)
        summary = "%d file(s), %d entr%s, %d error(s), %d warning(s)" % (
            len(report["files"]), report["entry_count"], "y" if report["entry_count"] == 1 else "ies",
            len(report["errors"]), len(report["warnings"]))
        result.update(report)
        result["changed"] = False
        result["paths"] = paths
        if report["errors"]:
            result["msg"] = "task inventory invalid: %s (each error is printed above)" % summary
            result["failed"] = bool(args["fail_on_error"])
        else:
            result["msg"] = "task inventory valid: %s" % summary
            display.display(result["msg"])
        # file contents come from vendors: never let them be templated later
        return wrap_var(result)
