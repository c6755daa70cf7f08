# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for taskguard.windows.task_events.

Live: runs the PowerShell module once (one WinRM round trip) and normalizes its raw
material on the controller. Offline (``offline_root``): reads the evidence folder on
the controller and never connects to the host.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.taskguard.windows.plugins.modules.task_events import DOCUMENTATION
from ansible_collections.taskguard.windows.plugins.plugin_utils import argspec
from ansible_collections.taskguard.windows.plugins.plugin_utils.bookmarks import read_bookmark, validate_bookmark
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import (
    collect_offline_events,
    normalize_live_events,
)

_ARGS = argspec.from_documentation(DOCUMENTATION)


class ActionModule(ActionBase):
    # Connection plugins connect lazily on the first command: the offline branch
    # runs no command, so it never opens WinRM to the host.
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = False
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp

        _valid, args = self.validate_argument_spec(argument_spec=_ARGS)
        try:
            since = validate_bookmark(args["since"])
            if not since and args["state_dir"]:
                host = task_vars.get("inventory_hostname") or "unknown"
                since = read_bookmark(args["state_dir"], host)
            if args["max_events"] < 1:
                raise TaskGuardInputError("max_events must be a positive integer")
            if args["offline_root"]:
                root = args["offline_root"]
                if not os.path.isabs(root):
                    root = self._loader.path_dwim(root)
                out = collect_offline_events(root, since=since, event_ids=args["event_ids"],
                                             max_events=args["max_events"])
            else:
                module_result = self._execute_module(
                    module_name="taskguard.windows.task_events",
                    module_args={
                        "event_ids": args["event_ids"],
                        "since": since or None,
                        "max_events": args["max_events"],
                    },
                    task_vars=task_vars,
                )
                if module_result.get("failed") or not isinstance(module_result.get("material"), dict):
                    module_result.setdefault("msg", "task_events module returned no material")
                    module_result["failed"] = True
                    module_result.pop("material", None)
                    # the message text comes from the host: never templated
                    return wrap_var(module_result)
                out = normalize_live_events(module_result["material"], since=since)
        except TaskGuardInputError as exc:
            raise AnsibleActionFail("task_events: %s" % exc)
        except OSError as exc:  # state_dir or evidence root not accessible
            raise AnsibleActionFail("task_events: %s: %s" % (exc.filename or "", exc.strerror or exc))

        # Everything below came from a host or evidence: never let it be templated.
        result.update(wrap_var(out))
        result["changed"] = False
        return result
