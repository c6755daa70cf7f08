# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 16: Windows Server's own tasks stay quiet on every version, attacks dressed
as them stay loud (tests/unit/fixtures/builtin_tasks/, reconstructed definitions:
see the README there).

Each corpus is audited offline through the production pipeline, with the shipped
inventory and with an inventory that holds no built-in baseline at all (how a
built-in of a build or role that no baseline covers is judged: only the evidence
in its definition keeps it quiet), without a version hint and with every server
version and ``unknown``."""
from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK, load_rules, windows_component

sys.path.insert(0, os.path.dirname(__file__))
import builtin_corpus  # noqa: E402  pylint: disable=wrong-import-position

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
BUILTINS = builtin_corpus.load("server_builtin_tasks.yml")
ATTACKS = builtin_corpus.load("attacks_dressed_as_builtins.yml")
HINTS = [None, "windows_server_2016", "windows_server_2019", "windows_server_2022", "windows_server_2025", "unknown"]
SHIPPED = os.path.join(REPO, "task_inventory")


@pytest.fixture(scope="module")
def no_baseline(tmp_path_factory):
    """The shipped inventory without its built-in baselines (vendor files only)."""
    root = tmp_path_factory.mktemp("inventory")
    shutil.copytree(os.path.join(SHIPPED, "vendors"), root / "vendors")
    return str(root)


def worst_by_task(tmp_path, tasks, inventory, hint):
    evidence = builtin_corpus.write_evidence(tmp_path / "evidence", tasks)
    ctx = pipeline.prepare(inventory_dirs=[inventory])
    result, error = pipeline.audit_offline(ctx, "srv", {"os_family": hint} if hint else {}, evidence)
    assert error is None
    worst = {}
    for finding in result["findings"]:
        if finding["task"]:
            worst.setdefault(finding["task"], []).append(finding)
    return result, worst


def at_least(severity, level):
    return severity is not None and SEVERITY_RANK[severity] >= SEVERITY_RANK[level]


@pytest.mark.parametrize("hint", HINTS)
@pytest.mark.parametrize("inventory", ["shipped", "no_baseline"])
def test_server_built_ins_stay_below_medium(tmp_path, request, inventory, hint):
    inventory_dir = SHIPPED if inventory == "shipped" else request.getfixturevalue("no_baseline")
    result, by_task = worst_by_task(tmp_path, BUILTINS, inventory_dir, hint)
    loud = {path: [(f["code"], f["severity"]) for f in rows if at_least(f["severity"], "medium")]
            for path, rows in by_task.items()}
    assert {path: codes for path, codes in loud.items() if codes} == {}
    if inventory == "no_baseline":
        # nothing silently skipped: every task was read and is reported as undocumented,
        # each as "not in the baseline for this version" (TG-R022, low)
        for task in BUILTINS:
            rows = by_task[task["path"]]
            assert [f["code"] for f in rows] == ["TG-D005"], (task["path"], rows)
            assert rows[0]["severity"] == "low"
            assert "TG-R022" in {r.get("rule") for r in rows[0]["reasons"]}, task["path"]


@pytest.mark.parametrize("hint", [None, "windows_server_2022", "unknown"])
@pytest.mark.parametrize("inventory", ["shipped", "no_baseline"])
def test_attacks_dressed_as_built_ins_stay_high(tmp_path, request, inventory, hint):
    inventory_dir = SHIPPED if inventory == "shipped" else request.getfixturevalue("no_baseline")
    result, by_task = worst_by_task(tmp_path, ATTACKS, inventory_dir, hint)
    weak = {task["path"]: [f["severity"] for f in by_task.get(task["path"], [])] for task in ATTACKS
            if not any(at_least(f["severity"], "high") for f in by_task.get(task["path"], []))}
    assert weak == {}
    assert result["verdict"]["state"] == "compromised"


RULES = load_rules()


def _normalized(task):
    return {"path": task["path"], "name": task["path"].rsplit("\\", 1)[-1], "principal": task["principal"],
            "triggers": [{"type": t} for t in task.get("triggers", [])],
            "actions": [dict(a, type="exec") for a in task["actions"]]}


@pytest.mark.parametrize("task", [t for t in ATTACKS if "(R023)" in t["why"]], ids=lambda t: t["path"])
def test_inline_commands_in_a_windows_folder_are_high_by_themselves(task):
    """TG-R023 alone keeps these high: nothing outside C:\\Windows, no keyword, no SYSTEM."""
    result = RULES.evaluate(_normalized(task), {"documented": False})
    assert "TG-R023" in {r["rule"] for r in result["reasons"]}
    assert at_least(result["severity"], "high")


@pytest.mark.parametrize("command,arguments", [
    ("%systemroot%\\system32\\cmd.exe", "/d /c %systemroot%\\system32\\silcollector.cmd publish"),
    ("%WINDIR%\\system32\\cmd.exe", '/d /c "%WINDIR%\\system32\\hpatchmonTask.cmd"'),
    ("%systemroot%\\system32\\cscript.exe", "/B /nologo %systemroot%\\system32\\calluxxprovider.vbs $(Arg0) $(Arg1)"),
    ("%systemroot%\\system32\\rundll32.exe",
     '%systemroot%\\system32\\pla.dll,PlaHost "Server Manager Performance Monitor" "$(Arg0)"'),
    ("%windir%\\system32\\rundll32.exe", "/d acproxy.dll,PerformAutochkOperations"),
    ("%windir%\\system32\\speech_onecore\\common\\SpeechRuntime.exe", "StartedFromTask"),
    ("%windir%\\system32\\gatherNetworkInfo.vbs", None),
    ("sc.exe", "config upnphost start= auto"),
    ("%windir%\\system32\\cmd.exe", '/d /e:on /c "%windir%\\system32\\x.cmd" "%windir%\\logs\\y" 7'),
])
def test_windows_own_shapes_are_windows_components(command, arguments):
    task = {"path": "\\Microsoft\\Windows\\Some Feature\\Task", "actions": [
        {"type": "exec", "command": command, "arguments": arguments}]}
    assert windows_component(task)


@pytest.mark.parametrize("command,arguments,working_directory", [
    ("%systemroot%\\system32\\cmd.exe", "/d /c %systemroot%\\system32\\silcollector.cmd publish & calc", None),
    ("%systemroot%\\system32\\cmd.exe", "/c net user x y /add", None),
    ("%systemroot%\\system32\\cmd.exe", "/d /c %systemroot%\\system32\\x.cmd ^& calc", None),
    ("%systemroot%\\system32\\cmd.exe", "/d /c %systemroot%\\system32\\x.cmd %payload%", None),
    ("%systemroot%\\system32\\cmd.exe", "/d /c %systemroot%\\system32\\x.cmd %windir%\\system32\\calc.exe", None),
    ("%systemroot%\\system32\\cmd.exe", "/c C:\\Windows\\Temp\\x.cmd", None),
    ("%systemroot%\\system32\\cmd.exe", "/c %systemroot%\\system32\\..\\..\\Users\\Public\\x.cmd", None),
    ("%systemroot%\\system32\\cscript.exe", "//B C:\\Users\\Public\\x.vbs", None),
    ("%systemroot%\\system32\\cscript.exe", "//B %systemroot%\\system32\\x.vbs \\\\srv\\share\\y", None),
    ("%systemroot%\\system32\\rundll32.exe", "C:\\ProgramData\\x.dll,Start", None),
    ("%systemroot%\\system32\\rundll32.exe", "shell32.dll,ShellExec_RunDLL cmd.exe /c whoami", None),
    ("%systemroot%\\system32\\rundll32.exe", "javascript:\"\\..\\mshtml,RunHTMLApplication\"", None),
    ("%systemroot%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "-Command Get-Process", None),
    ("powershell.exe", "-File C:\\ProgramData\\x.ps1", None),
    ("%systemroot%\\system32\\mshta.exe", "%systemroot%\\system32\\x.hta", None),
    ("%systemroot%\\system32\\regsvr32.exe", "/s %systemroot%\\system32\\x.dll", None),
    ("%systemroot%\\system32\\cmd.exe", '/d /c "%systemroot%\\system32\\x.cmd & \\\\evil\\s\\y.cmd"', None),
    ("C:\\Windows\\System32\\cmd.exe /c net user x /add", None, None),       # arguments written into Command
    ("C:\\Windows\\System32\\cmd.exe", None, None),                         # an interactive shell
    ("C:\\Windows\\Temp\\svc.exe", None, None),
    ("C:\\Windows\\System32\\Tasks\\x.exe", None, None),
    ("C:\\Windows\\System32\\spool\\drivers\\color\\x.exe", None, None),
    ("C:\\Windows\\System32\\x.exe:payload", None, None),
    ("%windir%\\system32\\defrag.exe", "-c", "C:\\Users\\Public"),
])
def test_other_shapes_in_a_windows_folder_are_not_windows_components(command, arguments, working_directory):
    task = {"path": "\\Microsoft\\Windows\\Some Feature\\Task", "actions": [
        {"type": "exec", "command": command, "arguments": arguments, "working_directory": working_directory}]}
    assert not windows_component(task)


def test_windows_11_dump_built_ins_are_windows_components():
    """Every \\Microsoft\\Windows\\ task of the recorded Windows 11 25H2 facts (a newer
    build than the authentic Windows 10 folder, the base of Server 2025) is judged a
    Windows component, so it stays low without a baseline even at boot as SYSTEM."""
    path = os.path.join(REPO, "tools", "baseline_sources", "windows_11", "scheduled-tasks-25H2.extract.json")
    with open(path, encoding="utf-8") as handle:
        records = json.load(handle)
    windows = [r for r in records if r["path"].casefold().startswith("\\microsoft\\windows\\")]
    assert len(windows) > 200
    failed = []
    for record in windows:
        task = {"path": record["path"], "principal": {"user_id": "S-1-5-18"}, "triggers": [{"type": "boot"}],
                "actions": [{"type": "com_handler" if a.get("Type") == "ComHandler" else "exec",
                             "command": a.get("Command"), "arguments": a.get("Arguments"),
                             "working_directory": a.get("WorkingDirectory"), "class_id": a.get("ClassId")}
                            for a in record["actions"]]}
        severity = RULES.evaluate(task, {"documented": False})["severity"]
        if not windows_component(task) or at_least(severity, "medium"):
            failed.append((record["path"], severity))
    assert failed == []


def test_an_everyone_task_of_another_build_differing_from_the_baseline_is_the_other_build_code(tmp_path):
    """The AD RMS tasks run as group Everyone (S-1-1-0), a well-known group, not a person:
    the authentic Windows 10 task with one trigger fewer (as another build may have it)
    is TG-D009 (low), not a modification (TG-D001, medium)."""
    name = ("Microsoft\\Windows\\Active Directory Rights Management Services Client\\"
            "AD RMS Rights Policy Template Management (Automated)")
    source = os.path.join(REPO, "tests", "unit", "fixtures", "authentic", "tasks", "win10-aptsim", *name.split("\\"))
    with open(source, "rb") as handle:
        text = handle.read().decode("utf-16")
    start, end = text.index("<LogonTrigger"), text.index("</LogonTrigger>") + len("</LogonTrigger>")
    target = tmp_path / "evidence" / "Windows" / "System32" / "Tasks" / os.path.join(*name.split("\\"))
    target.parent.mkdir(parents=True)
    target.write_bytes(b"\xff\xfe" + (text[:start] + text[end:]).encode("utf-16-le"))
    ctx = pipeline.prepare(inventory_dirs=[SHIPPED])
    result, error = pipeline.audit_offline(ctx, "ws", {"os_family": "windows_10"}, str(tmp_path / "evidence"))
    assert error is None
    rows = [f for f in result["findings"] if f["task"] == "\\" + name]
    assert [(f["code"], f["severity"]) for f in rows] == [("TG-D009", "low")]


@pytest.mark.parametrize("hint", ["windows_server_2016", "windows_server_2025"])
def test_authentic_windows_10_folder_under_a_server_hint_only_gameover(tmp_path, hint):
    """The authentic built-ins judged with the union of the baselines (versions without
    one of their own): only the planted \\GameOver is loud. (Under windows_server_2019 the
    thin 2019 listing alone applies, which has no Microsoft Edge: Edge's updater, not a
    component of Server 2019, is then judged as any undocumented SYSTEM logon task.)"""
    folder = os.path.join(REPO, "tests", "unit", "fixtures", "authentic", "tasks", "win10-aptsim")
    shutil.copytree(folder, tmp_path / "evidence" / "Windows" / "System32" / "Tasks")
    ctx = pipeline.prepare(inventory_dirs=[SHIPPED])
    result, error = pipeline.audit_offline(ctx, "lab", {"os_family": hint}, str(tmp_path / "evidence"))
    assert error is None
    loud = {}
    for f in result["findings"]:   # the worst row of each task (its own, and TG-A024 for its account)
        if f["task"] and at_least(f["severity"], "medium"):
            loud[f["task"]] = max(loud.get(f["task"], f["severity"]), f["severity"], key=SEVERITY_RANK.get)
    assert loud == {"\\GameOver": "critical"}


def test_a_second_action_outside_windows_is_not_hidden_by_a_windows_first_action():
    task = {"path": "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", "principal": {"user_id": "S-1-5-18"},
            "triggers": [{"type": "weekly"}],
            "actions": [{"type": "exec", "command": "%windir%\\system32\\defrag.exe", "arguments": "-c -h -o -$"},
                        {"type": "exec", "command": "C:\\Windows\\Tasks\\d.exe"}]}
    result = RULES.evaluate(task, {"documented": False})
    assert {"TG-R009", "TG-R003"} <= {r["rule"] for r in result["reasons"]}
    assert at_least(result["severity"], "high")
    assert not windows_component(task)
