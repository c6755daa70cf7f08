# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Windows version of an offline host: from a ``reg export`` (crafted here, the way
``reg export`` writes it) and, when nothing else exists, inferred from the task folder
(os_inference.py) - conservatively: when unsure, ``unknown`` and the union of baselines."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import host_context, os_inference
from ansible_collections.taskguard.windows.plugins.plugin_utils.reg_export import parse_reg_export
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import collect_offline_tasks

from .conftest import REPO_ROOT

WIN10 = Path(__file__).resolve().parents[2] / "fixtures" / "authentic" / "tasks" / "win10-aptsim"
SIGNATURES = json.loads((REPO_ROOT / "task_inventory" / "baselines" / "os_signatures.json").read_text("utf-8"))


def folder_paths(root):
    return ["\\" + str(p.relative_to(root)).replace("/", "\\") for p in sorted(root.rglob("*")) if p.is_file()]


def reg_file(keys, header="Windows Registry Editor Version 5.00"):
    """A .reg file as ``reg export`` writes it: UTF-16 LE with BOM, CRLF."""
    lines = [header, ""]
    for key, values in keys:
        lines.append("[%s]" % key)
        lines.extend(values)
        lines.append("")
    return "\ufeff".encode("utf-16-le") + "\r\n".join(lines).encode("utf-16-le")


def current_version(build, installation, product="Windows 10 Pro", edition="Professional",
                    root="HKEY_LOCAL_MACHINE\\SOFTWARE"):
    return (root + "\\Microsoft\\Windows NT\\CurrentVersion", [
        '"ProductName"="%s"' % product, '"EditionID"="%s"' % edition, '"InstallationType"="%s"' % installation,
        '"CurrentBuild"="%s"' % build, '"CurrentBuildNumber"="%s"' % build, '"CurrentVersion"="6.3"',
        '"CurrentMajorVersionNumber"=dword:0000000a', '"CurrentMinorVersionNumber"=dword:00000000'])


def evidence(tmp_path, files=None):
    root = tmp_path / "evidence"
    tasks = root / "Windows" / "System32" / "Tasks"
    if files is None:
        shutil.copytree(str(WIN10), str(tasks))
    else:
        tasks.mkdir(parents=True)
        for rel in files:
            target = tasks / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(str(WIN10 / rel), str(target))
    return root


SOME_TASKS = ["Microsoft/Windows/Defrag/ScheduledDefrag", "Microsoft/Windows/Registry/RegIdleBackup"]


# ------------------------------------------------------------------ reg export
def test_windows_11_is_told_by_its_build_although_product_name_says_windows_10():
    export = parse_reg_export(reg_file([current_version("22631", "Client")]))
    host = host_context.host_from_current_version(host_context.current_version_from_reg_export(export),
                                                  source="reg_export")
    assert (host["os_family"], host["os_source"], host["os_build"], host["os_edition"]) == \
        ("windows_11", "reg_export", "22631", "Professional")
    assert host["os_caption"] == "Windows 10 Pro"   # passed through for humans only


@pytest.mark.parametrize("build,installation,family", [
    ("14393", "Server", "windows_server_2016"), ("17763", "Server Core", "windows_server_2019"),
    ("20348", "Server", "windows_server_2022"), ("26100", "Server", "windows_server_2025"),
    ("19045", "Client", "windows_10"), ("26100", "Client", "windows_11"),
    ("18363", "Server", "unknown"),     # a semi-annual server build: no baseline, no guess
])
def test_families_from_a_reg_export(build, installation, family):
    values = host_context.current_version_from_reg_export(parse_reg_export(reg_file([current_version(build, installation)])))
    assert host_context.host_from_current_version(values, source="reg_export")["os_family"] == family


def test_current_version_reg_beside_the_tasks_gives_the_version(tmp_path):
    root = evidence(tmp_path, SOME_TASKS)
    (root / "CurrentVersion.reg").write_bytes(reg_file([current_version("20348", "Server", "Windows Server 2022 Standard",
                                                                        "ServerStandard")]))
    host = collect_offline_tasks(str(root))["host"]
    assert (host["os_family"], host["os_source"], host["product_type"]) == ("windows_server_2022", "reg_export", "server")


def test_a_whole_software_export_as_taskcache_reg_gives_the_version_too(tmp_path):
    root = evidence(tmp_path, SOME_TASKS)
    base = "HKEY_LOCAL_MACHINE\\OFFLINE_SOFTWARE"   # a hive loaded under another name, then exported
    taskcache = base + "\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache"
    (root / "TaskCache.reg").write_bytes(reg_file([
        current_version("17763", "Server", "Windows Server 2019 Datacenter", root=base),
        (taskcache, []), (taskcache + "\\Tasks", []), (taskcache + "\\Tree", [])]))
    result = collect_offline_tasks(str(root))
    assert result["registry_source"]["kind"] == "reg_export"
    assert (result["host"]["os_family"], result["host"]["os_source"]) == ("windows_server_2019", "reg_export")


def test_an_unreadable_version_export_is_reported_and_the_folder_still_audited(tmp_path):
    root = evidence(tmp_path)
    (root / "CurrentVersion.reg").write_bytes(b"this is not a registry export")
    result = collect_offline_tasks(str(root))
    assert any(e["source"] == "host" and "version export unreadable" in e["error"] for e in result["errors"])
    assert len(result["tasks"]) == 202
    # and the version then comes from the task folder, said so
    assert result["host"]["os_source"] == "task_folder_inference"


def test_an_export_without_the_current_version_key_is_reported(tmp_path):
    root = evidence(tmp_path, SOME_TASKS)
    (root / "CurrentVersion.reg").write_bytes(reg_file([("HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso", ['"x"="y"'])]))
    result = collect_offline_tasks(str(root))
    assert any("no ...\\Windows NT\\CurrentVersion key" in e["error"] for e in result["errors"])
    assert (result["host"]["os_family"], result["host"]["os_source"]) == ("unknown", None)


# ------------------------------------------------------------------ inference
def test_authentic_windows_10_folder_is_inferred_as_windows_10(tmp_path):
    host = collect_offline_tasks(str(evidence(tmp_path)))["host"]
    assert (host["os_family"], host["os_source"]) == ("windows_10", "task_folder_inference")
    inference = host["os_inference"]
    assert inference["confidence"] == "high" and inference["product_type"] == "client"
    assert len(inference["markers"]["windows_10"]) >= os_inference.MIN_MARKERS
    assert all(m.startswith("\\Microsoft\\Windows\\") for m in inference["markers"]["windows_10"])


def test_windows_11_source_is_inferred_as_windows_11():
    paths = SIGNATURES["families"]["windows_11"]["paths"]
    assert os_inference.infer_os_family(paths, SIGNATURES)["os_family"] == "windows_11"


def test_a_server_folder_is_never_labelled_with_one_server_version():
    """2016, 2022 and 2025 have no recorded source, so 2019 can never be proven."""
    result = os_inference.infer_os_family(SIGNATURES["families"]["windows_server_2019"]["paths"], SIGNATURES)
    assert result["os_family"] == "unknown" and result["confidence"] is None
    assert "cannot be ruled out" in result["reason"] and result["markers"]["windows_server_2019"]


def test_markers_of_two_versions_conflict():
    paths = folder_paths(WIN10) + [SIGNATURES["families"]["windows_11"]["paths"][0]]
    only11 = set(p.casefold() for p in SIGNATURES["families"]["windows_11"]["paths"]) - \
        set(p.casefold() for p in SIGNATURES["families"]["windows_10"]["paths"])
    paths.append(sorted(only11)[0])
    result = os_inference.infer_os_family(paths, SIGNATURES)
    assert result["os_family"] == "unknown" and "conflicting" in result["reason"]


def test_a_known_task_outside_the_inferred_version_keeps_it_unknown():
    """Markers of A, plus a task A's source lacks but B and C both show (so it is
    nobody's marker): A's baseline alone would not document it."""
    a = ["\\Microsoft\\Windows\\A\\t%d" % i for i in range(6)]
    shared = "\\Microsoft\\Windows\\Shared\\BC"
    signatures = {"families": {"a": {"product_type": "client", "paths": a},
                               "b": {"product_type": "client", "paths": [shared, "\\Microsoft\\Windows\\B"]},
                               "c": {"product_type": "client", "paths": [shared]}},
                  "without_source": {}}
    assert os_inference.infer_os_family(a, signatures)["os_family"] == "a"
    result = os_inference.infer_os_family(a + [shared], signatures)
    assert result["os_family"] == "unknown" and "not in its source" in result["reason"]


def test_too_few_markers_stay_unknown():
    ten_only = sorted({p.casefold(): p for p in SIGNATURES["families"]["windows_10"]["paths"]}.items())
    others = set().union(*({p.casefold() for p in SIGNATURES["families"][f]["paths"]}
                           for f in SIGNATURES["families"] if f != "windows_10"))
    markers = [p for k, p in ten_only if k not in others]
    result = os_inference.infer_os_family(markers[:os_inference.MIN_MARKERS - 1], SIGNATURES)
    assert result["os_family"] == "unknown" and "at least" in result["reason"]
    assert os_inference.infer_os_family(markers[:os_inference.MIN_MARKERS], SIGNATURES)["os_family"] == "windows_10"


@pytest.mark.parametrize("paths", [[], None, [None, 7, b"\\Microsoft\\Windows\\x"], ["\\GameOver"]])
def test_nothing_to_go_by_is_unknown(paths):
    assert os_inference.infer_os_family(paths, SIGNATURES)["os_family"] == "unknown"


@pytest.mark.parametrize("signatures", [{}, {"families": []}, {"families": {"x": {"product_type": "toaster"}}},
                                        {"families": {"x": {"product_type": "client", "paths": [1]}},
                                         "without_source": {}}])
def test_broken_signatures_mean_unknown(signatures):
    result = os_inference.infer_os_family(folder_paths(WIN10), signatures)
    assert (result["os_family"], result["reason"]) == ("unknown", "no version signatures available")


def test_a_huge_path_list_is_refused_not_walked():
    many = ("\\Microsoft\\Windows\\x%d" % i for i in range(os_inference.MAX_PATHS + 5))
    assert "no inference" in os_inference.infer_os_family(many, SIGNATURES)["reason"]


def test_system_hive_product_type_contradicting_the_tasks_wins_nothing():
    host = dict(host_context.empty_host(), product_type="server")
    host, errors = host_context.complete_offline_host(host, "/nonexistent", task_paths=folder_paths(WIN10))
    assert errors == [] and host["os_family"] == "unknown" and host["os_source"] is None
    assert "SYSTEM hive says server" in host["os_inference"]["reason"]


def test_a_hive_answer_is_kept():
    host = dict(host_context.empty_host(), os_family="windows_server_2022", os_source="hive")
    assert host_context.complete_offline_host(host, "/nonexistent", task_paths=folder_paths(WIN10))[0] is host


@pytest.mark.parametrize("build,family", [("19045", "windows_10"), ("22631", "unknown")])
def test_a_build_without_installation_type_must_agree_with_the_tasks(build, family):
    """A hive with CurrentBuild but no InstallationType: the inferred version must fit the build."""
    host = dict(host_context.empty_host(), os_build=build)
    host, dummy = host_context.complete_offline_host(host, "/nonexistent", task_paths=folder_paths(WIN10))
    assert host["os_family"] == family
    if family == "unknown":
        assert "build 22631 is windows_11" in host["os_inference"]["reason"]
