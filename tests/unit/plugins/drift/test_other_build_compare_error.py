# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A comparison that raised is no 'difference between Windows builds' (TG-D009,
low; for events it was dropped): the task stays a modification."""
from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.taskguard.windows.plugins.plugin_utils import drift

TASK = {"path": "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", "principal": {"user_id": "S-1-5-18"},
        "actions": [{"type": "exec", "command": "%windir%\\system32\\defrag.exe", "arguments": "-c -h -o"}]}
BASELINE = SimpleNamespace(builtin_baseline=True)


def test_a_build_difference_is_recognised_but_not_a_failed_comparison():
    assert drift._other_build(BASELINE, TASK, [{"field": "arguments", "expected": "-c", "actual": "-c -h -o"}])
    assert not drift._other_build(BASELINE, TASK, [{"field": "<compare error>", "expected": None, "actual": "boom"}])
