# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tell the hardening role whether the current task runs in check mode.

``ansible_check_mode`` only reflects ``--check`` on the command line; a play, block or
role-level ``check_mode: true`` makes modules run in check mode without changing that
variable. The role must know, because in check mode a change means "not compliant"
rather than "remediated". The effective value is on the play context of the task.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    # Read-only and runs on the controller: it must run in check mode, that is the point.
    _supports_check_mode = True
    _requires_connection = False
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset()

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        result["changed"] = False
        result["check_mode"] = bool(self._play_context.check_mode)
        return result
