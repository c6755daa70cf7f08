# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for taskguard.windows.task_info.

Live: runs the PowerShell module once (one WinRM round trip) and normalizes the raw
material on the controller. Offline (``offline_root``): reads the evidence copy on
the controller and never connects to the host.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.taskguard.windows.plugins.modules.task_info import DOCUMENTATION
from ansible_collections.taskguard.windows.plugins.plugin_utils import argspec
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import (
    collect_offline_tasks,
    normalize_live_tasks,
)

_ARGS = argspec.from_documentation(DOCUMENTATION)


class ActionModule(ActionBase):
    # Connections open lazily on the first command: the offline branch runs
    # none, so it never connects to the host.
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = False
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp

        _valid, args = self.validate_argument_spec(argument_spec=_ARGS)
        root = args['offline_root']
        if not root and (args['taskcache_reg'] or args['hive']):
            raise AnsibleActionFail('task_info: taskcache_reg and hive need offline_root')
        if not 0 <= args['max_content_bytes'] <= 2 * 1024 * 1024:
            raise AnsibleActionFail('task_info: max_content_bytes must be between 0 and 2097152')
        try:
            if root:
                if not os.path.isabs(root):
                    root = self._loader.path_dwim(root)
                out = collect_offline_tasks(root, taskcache_reg=args['taskcache_reg'], hive=args['hive'])
            else:
                module_result = self._execute_module(
                    module_name='taskguard.windows.task_info',
                    module_args={'max_content_bytes': args['max_content_bytes']},
                    task_vars=task_vars,
                )
                if module_result.get('failed') or not isinstance(module_result.get('material'), dict):
                    module_result.setdefault('msg', 'task_info module returned no material')
                    module_result['failed'] = True
                    module_result.pop('material', None)
                    return wrap_var(module_result)
                out = normalize_live_tasks(module_result['material'])
        except TaskGuardInputError as exc:
            raise AnsibleActionFail('task_info: %s' % exc)

        # Everything below came from a host or evidence: never let it be templated.
        result.update(wrap_var(out))
        result['changed'] = False
        return result
