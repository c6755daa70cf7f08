# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_patterns import (
    PatternError, compile_pattern, patterns_intersect, trailing_sid,
)

SID = "S-1-5-21-2212929841-2730996645-2649195864-1000"


@pytest.mark.parametrize("pattern,subject,expected", [
    ("\\ansible-*", "\\ansible-win_updates", True),
    ("\\ansible-*", "\\ANSIBLE-WIN_UPDATES", True),              # case-insensitive
    ("\\ansible-*", "\\Microsoft\\ansible-x", False),
    ("\\ansible-*", "\\ansible-x\\y", False),                     # * stays in one level
    ("\\Contoso\\**", "\\Contoso\\a\\b\\c", True),
    ("\\Contoso\\**", "\\Contosox\\a", False),
    ("\\Contoso\\Job?", "\\Contoso\\Job7", True),
    ("\\Contoso\\Job?", "\\Contoso\\Job77", False),
    ("\\OneDrive Reporting Task-{sid}", "\\OneDrive Reporting Task-" + SID, True),
    ("\\OneDrive Reporting Task-{sid}", "\\onedrive reporting task-s-1-12-1-1-2-3-4", True),
    ("\\OneDrive Reporting Task-{sid}", "\\OneDrive Reporting Task-S-1-5-18", False),
    ("\\OneDrive Reporting Task-{sid}", "\\OneDrive Reporting Task-" + SID + "x", False),
    ("\\GoogleUpdateTaskMachineUA{guid}", "\\GoogleUpdateTaskMachineUA{5C1DE8D8-1A9C-4F32-8062-6E1F475FB2AE}", True),
    ("\\GoogleUpdateTaskMachineUA{guid}", "\\GoogleUpdateTaskMachineUA{5C1DE8D8-1A9C-4F32-8062-6E1F475FB2A}", False),
    # braces that are not a placeholder are literal
    ("\\X{CF8953F0-7413-4BC6-94A3-B0282ACC3AE4}", "\\x{cf8953f0-7413-4bc6-94a3-b0282acc3ae4}", True),
    ("\\Contoso\\Backup", "\\contoso\\BACKUP", True),
    ("\\a.b", "\\axb", False),                                    # regex metachars are literal
])
def test_match(pattern, subject, expected):
    assert compile_pattern(pattern).match(subject) is expected


def test_any_separator_mode_crosses_backslash():
    assert compile_pattern("*\\powershell.exe", any_separator=True).match("c:\\windows\\system32\\powershell.exe")
    assert not compile_pattern("*\\powershell.exe").match("c:\\windows\\system32\\powershell.exe")


@pytest.mark.parametrize("pattern,fragment", [
    ("", "empty"),
    ("\\x{user}", "unknown placeholder"),
    ("\\" + "a" * 600, "longer than"),
    ("\\" + "*a" * 20, "wildcards"),
    ("\\a***", "ambiguous"),
    ("\\a\x01", "control"),
])
def test_invalid_patterns(pattern, fragment):
    with pytest.raises(PatternError, match=fragment):
        compile_pattern(pattern)


@pytest.mark.hang_seconds(120)   # a safety net against a hang (tests/unit/conftest.py), not a speed bound
def test_adversarial_pattern_runs_in_bounded_time():
    # (a*)^n b against aaaa...: catastrophic for a backtracking regex engine
    pattern = compile_pattern("\\" + "*a" * 15 + "b")
    subject = "\\" + "a" * 4000
    assert pattern.match(subject) is False       # backtracking would take hours: the hang guard


def test_overlong_subject_never_matches():
    assert compile_pattern("\\**").match("\\" + "a" * 5000) is False


@pytest.mark.parametrize("a,b,expected", [
    ("\\ansible-*", "\\ansible-win*", True),
    ("\\ansible-*", "\\Microsoft\\*", False),
    ("\\Contoso\\**", "\\*\\Backup", True),
    ("\\OneDrive Reporting Task-{sid}", "\\OneDrive Reporting Task-S-1-5-21-*", True),
    ("\\OneDrive Reporting Task-{sid}", "\\OneDrive Reporting Task-x*", False),
    ("\\a?", "\\ab", True),
    ("\\a?", "\\a\\", False),
])
def test_intersection(a, b, expected):
    assert patterns_intersect(compile_pattern(a), compile_pattern(b)) is expected
    assert patterns_intersect(compile_pattern(b), compile_pattern(a)) is expected


def test_trailing_sid():
    assert trailing_sid("OneDrive Standalone Update Task-" + SID) == SID
    assert trailing_sid("ScheduledDefrag") is None
    assert trailing_sid("Task-S-1-5-18") is None
