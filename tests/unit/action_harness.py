# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Builds an action plugin instance for unit tests, wired so that any attempt to
connect to a host or run a module fails the test unless the test allows it (by
replacing ``action._execute_module``)."""
from __future__ import annotations

from unittest.mock import MagicMock

from ansible.playbook.task import Task
from ansible.template import Templar


def make_action(action_class, action_name, args):
    task = Task()
    task.args = args
    task.action = action_name
    connection = MagicMock()
    connection._shell.tmpdir = None
    connection.exec_command.side_effect = AssertionError("must not connect")
    play_context = MagicMock()
    play_context.check_mode = False
    loader = MagicMock()
    loader.path_dwim.side_effect = lambda p: p
    action = action_class(task, connection, play_context, loader, Templar(loader=loader), None)
    action._execute_module = MagicMock(side_effect=AssertionError("module must not run"))
    return action
