# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tools/build_inventory_baseline.py: every shipped baseline is what the generator
writes from the material recorded in the repository; task listings are read
tolerantly but never turned into an allow-anything entry."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory

REPO = Path(__file__).resolve().parents[3]
BASELINES = REPO / "task_inventory" / "baselines"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("build_baseline", REPO / "tools" / "build_inventory_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_baseline_file_has_a_recorded_source(tool):
    shipped = sorted(p.stem for p in BASELINES.glob("*.yml"))
    assert shipped == sorted(tool.SOURCES)


@pytest.mark.parametrize("family", ["windows_10", "windows_11", "windows_server_2019"])
def test_shipped_baseline_is_what_the_generator_writes(tool, family):
    text, dummy = tool.build_known(family)
    assert text == (BASELINES / (family + ".yml")).read_text(encoding="utf-8"), \
        "run: .venv/bin/python tools/build_inventory_baseline.py --all"


def test_shipped_baselines_validate_and_stay_small():
    inventory = load_inventory([str(BASELINES)], today="2026-12-03")
    assert inventory.errors == []
    for path in BASELINES.glob("*.yml"):
        assert path.stat().st_size < 1024 * 1024


LISTING = """\
TaskName    : \\Microsoft\\Windows\\Active Directory Rights Management Services Client\\AD RMS Rights Policy Template<SP>
              Management (Automated)
Run As User : \\Everyone
Task To Run : COM handler

TaskName    : \\Microsoft\\Windows\\Defrag\\ScheduledDefrag
Run As User : SYSTEM
Task To Run : %windir%\\system32\\defrag.exe -c -h -k -g -$

TaskName    : \\Microsoft\\Windows\\Defrag\\ScheduledDefrag
Run As User : SYSTEM
Task To Run : %windir%\\system32\\defrag.exe -c -h -k -g -$

TaskName    : \\Microsoft\\Windows\\PLA\\Server Manager Performance Monitor
Run As User : SYSTEM
Task To Run : %systemroot%\\system32\\rundll32.exe %systemroot%\\system32\\pla.dll,PlaHost Server Manager Performance<SP>
              Monitor" "$(Arg0)""

TaskName    : \\Microsoft\\Windows\\Maintenance\\WinSAT
Run As User : Administrators
Task To Run : COM handler

TaskName    : \\Microsoft\\Windows\\Odd\\Owner
Run As User : CONTOSO\\someone
Task To Run : C:\\x.exe

TaskName    : \\Amazon Agent
Run As User : SYSTEM
Task To Run : C:\\agent.exe
""".replace("<SP>", " ")   # JAWS leaves a blank before each wrap; pep8 refuses trailing blanks


def test_listing_blocks_and_wrapped_lines(tool):
    records = tool.parse_task_listing(LISTING)
    assert records[0]["path"].endswith("AD RMS Rights Policy Template Management (Automated)")
    assert records[3]["task_to_run"].endswith('Performance Monitor" "$(Arg0)""')
    assert [r["run_as"] for r in records][:2] == ["\\Everyone", "SYSTEM"]


def test_listing_entries(tool, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text(LISTING, encoding="utf-8")
    class_ids = {"\\microsoft\\windows\\maintenance\\winsat": ("{A9A33436-678B-4C9C-A211-7CC38785E79D}", "ref")}
    text, skipped = tool.build_from_listing(str(listing), "windows_server_2019", "test source", "2026-12-03",
                                            thin="a test", class_ids=class_ids)
    out = tmp_path / "b.yml"
    out.write_text(text, encoding="utf-8")
    inventory = load_inventory([str(out)], today="2026-12-03")
    assert inventory.errors == []
    assert "# THIN SOURCE: a test." in text
    by_path = {e.path: e.raw["expected"] for e in inventory.entries}
    # repeated blocks (one per trigger) make one entry with one action
    assert by_path["\\Microsoft\\Windows\\Defrag\\ScheduledDefrag"] == {
        "principal": {"user_id": "S-1-5-18"},
        "actions": [{"type": "exec", "command": "%windir%\\system32\\defrag.exe", "arguments": "-c -h -k -g -$"}]}
    # mangled quotes / $(Arg0): the program is checked, the arguments are not
    assert by_path["\\Microsoft\\Windows\\PLA\\Server Manager Performance Monitor"]["actions"] == [
        {"type": "exec", "command": "%systemroot%\\system32\\rundll32.exe", "arguments_pattern": "*"}]
    # groups become group_id SIDs; a COM task gets the class a reference folder shows
    assert by_path["\\Microsoft\\Windows\\Maintenance\\WinSAT"] == {
        "principal": {"group_id": "S-1-5-32-544"},
        "actions": [{"type": "com_handler", "class_id": "{A9A33436-678B-4C9C-A211-7CC38785E79D}"}]}
    reasons = dict(skipped)
    assert "no class ID" in reasons[
        "\\Microsoft\\Windows\\Active Directory Rights Management Services Client\\"
        "AD RMS Rights Policy Template Management (Automated)"]
    assert "not a well-known account" in reasons["\\Microsoft\\Windows\\Odd\\Owner"]
    assert "third-party" in reasons["\\Amazon Agent"]


def test_server_2019_baseline_agrees_with_the_windows_10_folder_on_shared_principals():
    """Two independent sources: where both list a task, the principal SIDs agree."""
    inventory = load_inventory([str(BASELINES)], today="2026-12-03")
    from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_compare import normalize_account

    def principals(family):
        out = {}
        for entry in inventory.entries:
            if entry.scope.raw.get("os_family") == [family] and entry.path:
                p = entry.raw["expected"].get("principal") or {}
                out[entry.path.casefold()] = {k: normalize_account(v) for k, v in p.items() if k in ("user_id", "group_id")}
        return out
    ten, server = principals("windows_10"), principals("windows_server_2019")
    shared = set(ten) & set(server)
    assert len(shared) > 100
    assert {p for p in shared if ten[p] != server[p]} == set()


def test_task_dump_extract_drops_what_the_dumper_could_not_read(tool):
    upstream = [{"Name": "T", "Path": "\\Microsoft\\Windows\\X\\", "Settings": {"Hidden": "true"},
                 "Principals": {"Id": "LocalSystem", "UserId": "S-1-5-18"},
                 "Actions": {"Type": "ComHandler", "ClassId": "{11111111-2222-3333-4444-555555555555}",
                             "Data": "System.Xml.XmlElement"}}]
    extract = tool.extract_from_task_dump(upstream)
    assert extract == [{"path": "\\Microsoft\\Windows\\X\\T", "hidden": True,
                        "principals": [{"UserId": "S-1-5-18"}],
                        "actions": [{"Type": "ComHandler", "ClassId": "{11111111-2222-3333-4444-555555555555}"}]}]
    tasks, bad = tool.tasks_from_extract(extract + [{"path": "\\Microsoft\\Y", "hidden": False, "principals": [],
                                                     "actions": []}])
    assert [t["path"] for t in tasks] == ["\\Microsoft\\Windows\\X\\T"] and bad[0][0] == "\\Microsoft\\Y"
    assert tasks[0]["actions"][0]["data"] is None


def test_windows_11_per_user_and_per_install_names_are_patterns():
    text = (BASELINES / "windows_11.yml").read_text(encoding="utf-8")
    assert "C:\\Users\\Admin" not in text and "S-1-5-21-" not in text.split("---", 1)[1]
    inventory = load_inventory([str(BASELINES / "windows_11.yml")], today="2026-12-03")
    view = inventory.for_host({"name": "h", "os_family": "windows_11"})
    # Edge's updater is not in a Windows baseline: one vendor file documents it for every version
    assert view.match("\\MicrosoftEdgeUpdateTaskMachineCore{0F2A8D5E-1234-4DEF-8ABC-0123456789AB}") is None
    sid = "S-1-5-21-1-2-3-1001"
    entry = view.match("\\OneDrive Startup Task-" + sid)
    task = {"path": "\\OneDrive Startup Task-" + sid, "principal": {"user_id": sid, "logon_type": "InteractiveToken"},
            "actions": [{"type": "exec", "arguments": "/startInstances",
                         "command": "C:\\Users\\bob\\AppData\\Local\\Microsoft\\OneDrive\\26.1.1.1\\OneDriveLauncher.exe"}],
            "hidden": False, "triggers": []}
    assert entry.compare(task) == []


def test_shipped_version_signatures_are_what_the_generator_writes(tool):
    assert tool.build_signatures() == (BASELINES / "os_signatures.json").read_text(encoding="utf-8"), \
        "run: .venv/bin/python tools/build_inventory_baseline.py --all"


def test_client_sources_agree_on_com_class_ids_which_server_2019_borrows():
    """Why the Server 2019 listing may take a COM task's class from the Windows 10 folder:
    the two independent client sources never disagree on it."""
    inventory = load_inventory([str(BASELINES)], today="2026-12-03")

    def com_classes(family):
        out = {}
        for entry in inventory.entries:
            actions = entry.raw["expected"].get("actions") or []
            if entry.scope.raw.get("os_family") == [family] and entry.path and len(actions) == 1 \
                    and actions[0]["type"] == "com_handler":
                out[entry.path.casefold()] = actions[0]["class_id"].casefold()
        return out
    ten, eleven = com_classes("windows_10"), com_classes("windows_11")
    shared = set(ten) & set(eleven)
    assert len(shared) > 100
    assert {p for p in shared if ten[p] != eleven[p]} == set()


def test_edge_update_is_documented_once_for_every_version_with_or_without_a_guid():
    vendor = BASELINES.parent / "vendors" / "microsoft-edge-update.yml"
    inventory = load_inventory([str(BASELINES), str(vendor)], today="2026-12-03")
    assert not inventory.errors
    for os_family in ("windows_10", "windows_11", "windows_server_2019", "windows_server_2025", "unknown"):
        view = inventory.for_host({"name": "h", "os_family": os_family})
        for name in ("\\MicrosoftEdgeUpdateTaskMachineCore", "\\MicrosoftEdgeUpdateTaskMachineUA",
                     "\\MicrosoftEdgeUpdateTaskMachineCore{0F2A8D5E-1234-4DEF-8ABC-0123456789AB}"):
            entry = view.match(name)
            assert entry is not None and entry.source["file"].endswith("microsoft-edge-update.yml"), (os_family, name)
