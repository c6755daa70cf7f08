# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hardening_check_mode action reports the task's effective check mode."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.taskguard.windows.plugins.action.hardening_check_mode import ActionModule


def make_action(check_mode):
    task = Task()
    task.args = {}
    task.async_val = 0
    play_context = PlayContext()
    play_context.check_mode = check_mode
    return ActionModule(task, MagicMock(), play_context, MagicMock(), MagicMock(), MagicMock())


@pytest.mark.parametrize("check_mode", [True, False])
def test_reports_play_context_check_mode(check_mode):
    result = make_action(check_mode).run(task_vars={})
    assert result["check_mode"] is check_mode
    assert result["changed"] is False
    assert not result.get("skipped")
