# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Learning a built-in baseline from a golden host (issue 16 point 4):
``inventory_baseline.py`` and the ``kind: baseline`` steps of the
``inventory_learn`` action, on evidence folders made from the authentic Windows
10 task folder; and the fixed precedence of the offline version sources (the
SOFTWARE hive before a reg export, a disagreement noted)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ansible_collections.taskguard.windows.plugins.action.inventory_learn import ActionModule
from ansible_collections.taskguard.windows.plugins.plugin_utils import (
    audit_support, host_context, inventory_baseline, pipeline,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import (
    _KNOWN_OS_FAMILIES, format_problem, load_inventory,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import collect_offline_tasks
import action_harness as harness

from .conftest import REPO_ROOT, TODAY
from .test_os_version import current_version, reg_file

WIN10 = Path(__file__).resolve().parents[2] / "fixtures" / "authentic" / "tasks" / "win10-aptsim"
RULES = audit_support.load_rules([])
SERVER_2025 = current_version("26100", "Server", "Windows Server 2025 Datacenter", "ServerDatacenter")


def golden(tmp_path, *, name="golden", version=SERVER_2025, drop=("GameOver",)):
    """An evidence folder: the authentic Windows 10 task folder (without the
    planted ``\\GameOver`` unless asked), and a CurrentVersion.reg export."""
    root = tmp_path / name
    shutil.copytree(str(WIN10), str(root / "Windows" / "System32" / "Tasks"))
    for rel in drop:
        (root / "Windows" / "System32" / "Tasks" / rel).unlink()
    if version is not None:
        (root / "CurrentVersion.reg").write_bytes(reg_file([version]))
    return root


def learn_host(root, *, name="golden", hint=None, allow=False):
    task_vars = {"inventory_hostname": name, "group_names": ["windows"], "taskguard_offline_root": str(root)}
    if hint:
        task_vars["taskguard_os_family"] = hint
    action = harness.make_action(ActionModule, "taskguard.windows.inventory_learn",
                                 {"kind": "baseline", "allow_findings": allow, "today": TODAY})
    return action.run(task_vars=task_vars)


def write(results, *, output_dir=None, output=None, approver="Security team (CHG-1)", contact="windows-ops@example.org"):
    args = {"kind": "baseline", "hosts": sorted(results), "today": TODAY, "approver": approver, "contact": contact}
    if output_dir:
        args["output_dir"] = str(output_dir)
    if output:
        args["output"] = str(output)
    action = harness.make_action(ActionModule, "taskguard.windows.inventory_learn", args)
    hostvars = {name: {"taskguard_learned": result} for name, result in results.items()}
    return action.run(task_vars={"inventory_hostname": "localhost", "hostvars": hostvars})


# ------------------------------------------------------------------ the version
def test_the_version_must_come_from_the_host_or_the_operator():
    hive = {"os_family": "windows_server_2025", "os_source": "hive", "os_build": "26100"}
    assert inventory_baseline.host_version(hive) == ("windows_server_2025", None)
    inferred = {"os_family": "windows_10", "os_source": "task_folder_inference"}
    family, problem = inventory_baseline.host_version(inferred)
    assert family is None and "taskguard_os_family" in problem and "inference" in problem
    family, problem = inventory_baseline.host_version({"os_family": "unknown", "os_source": None})
    assert family is None and "taskguard_os_family" in problem
    assert inventory_baseline.host_version(inferred, hint="windows_10") == ("windows_10", None)
    family, problem = inventory_baseline.host_version(inferred, hint="unknown")
    assert family is None and "taskguard_os_family='unknown' is not a Windows version" in problem
    family, problem = inventory_baseline.host_version(hive, hint="windows_11")
    assert family is None and "taskguard_os_family=windows_11" in problem and "windows_server_2025" in problem


# ------------------------------------------------------------------ the screens
def _authentic_tasks(tmp_path):
    result = collect_offline_tasks(str(golden(tmp_path, drop=())))
    return result["tasks"], result["sources"]


def test_a_high_finding_stops_the_host_and_the_override_still_leaves_it_out(tmp_path):
    tasks, sources = _authentic_tasks(tmp_path)
    refused = inventory_baseline.screen_tasks(tasks, sources, RULES)
    assert len(refused["blockers"]) == 1
    assert "\\GameOver scores critical" in refused["blockers"][0]
    assert inventory_baseline.ALLOW_FINDINGS_VAR in refused["blockers"][0]
    allowed = inventory_baseline.screen_tasks(tasks, sources, RULES, allow_findings=True)
    assert allowed["blockers"] == []
    left_out = dict(allowed["left_out"])
    assert left_out["\\GameOver"].startswith("investigate before documenting")
    # medium risk (a privileged boot task of a non-Windows program): never learned, no override needed
    assert "TG-R012" in left_out["\\MicrosoftEdgeUpdateTaskMachineCore"]
    assert left_out["\\GoogleUpdateTaskMachineUA{5C1DE8D8-1A9C-4F32-8062-6E1F475FB2AE}"] == inventory_baseline.NOT_WINDOWS
    kept = {t["path"] for t in allowed["kept"]}
    assert "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag" in kept
    assert not kept & set(left_out)
    assert len(kept) + len(left_out) == len(tasks)


def test_a_concealed_task_stops_the_host_even_when_it_scores_nothing():
    task = {"path": "\\Microsoft\\Windows\\Quiet", "hidden_reasons": ["sd_missing"], "actions": [
        {"type": "com_handler", "class_id": "{11111111-2222-3333-4444-555555555555}"}],
        "principal": {"user_id": "S-1-5-18"}, "triggers": []}
    screened = inventory_baseline.screen_tasks([task], {"files": True, "registry": True, "api": False}, RULES)
    assert screened["kept"] == [] and "concealed" in screened["blockers"][0]
    allowed = inventory_baseline.screen_tasks([task], {"files": True, "registry": True}, RULES, allow_findings=True)
    assert allowed["kept"] == [] and "concealed" in dict(allowed["left_out"])["\\Microsoft\\Windows\\Quiet"]


def test_hostile_paths_stay_in_one_comment_line():
    text = inventory_baseline.baseline_text(
        [], inventory_baseline.GoldenHost("h\nx: 1", "windows_11", "build 1", TODAY),
        left_out=[("\\evil\n---\nowner: x\u2028y", "why\r\nz")], contact="c", approver="a")
    header, body = text.split("\n---\n", 1)
    assert all(line.startswith("#") for line in header.splitlines())
    assert yaml.safe_load(body)["tasks"] == []


# ------------------------------------------------------------------ the action, end to end
def test_learned_baseline_is_valid_named_by_version_and_feeds_back_with_no_undocumented_task(tmp_path):
    root = golden(tmp_path)
    result = learn_host(root)
    learned = result["learned"]
    assert not result.get("failed"), result["msg"]
    assert learned["os_family"] == "windows_server_2025"
    assert learned["build"] == "build 10.0.26100 (version from a reg export)"
    written = write({"golden": result}, output_dir=tmp_path / "out")
    assert not written.get("failed"), written["msg"]
    path = tmp_path / "out" / "windows_server_2025.yml"
    assert written["paths"] == [str(path)]

    inventory = load_inventory([str(path)], today=TODAY, strict=True)
    assert inventory.errors == [], [format_problem(p) for p in inventory.errors]
    doc = yaml.safe_load(path.read_text(encoding="utf-8").split("\n---\n", 1)[1])
    assert doc["owner"]["kind"] == "baseline"
    assert doc["defaults"]["scope"] == {"os_family": ["windows_server_2025"]}
    assert len(doc["tasks"]) > 150       # the Windows tasks of the authentic folder
    for entry in doc["tasks"]:
        assert set(entry) <= {"path", "path_pattern", "justification", "expected", "provenance"}
        assert entry["provenance"]["learned_from"] == ["golden"]
        assert entry["provenance"]["learned_at"] == TODAY
        assert entry["provenance"]["source"] == "method: learned; golden host golden, " + learned["build"]

    # Re-audited against the same host with only the learned baseline: every
    # task it kept is documented; the undocumented ones are exactly those the
    # header lists as left out.
    ctx = pipeline.prepare(inventory_dirs=[str(path)], today=TODAY)
    audit, problem = pipeline.audit_offline(ctx, "golden", {"groups": ["windows"]}, str(root))
    assert problem is None and audit["os_family"] == "windows_server_2025" and audit["os_source"] == "reg_export"
    undocumented = {f["task"] for f in audit["findings"] if f.get("kind") == "undocumented"}
    assert undocumented == {p for p, why in learned["left_out"]}
    assert not [f for f in audit["findings"] if f.get("kind") in ("modified", "pending_review")]

    # with the shipped vendor files (Google and Edge updaters), the third-party
    # tasks left out are documented: nothing is left undocumented
    ctx = pipeline.prepare(inventory_dirs=[str(path), str(REPO_ROOT / "task_inventory" / "vendors")], today=TODAY)
    audit, dummy = pipeline.audit_offline(ctx, "golden", {"groups": ["windows"]}, str(root))
    assert {f["task"] for f in audit["findings"] if f.get("kind") == "undocumented"} == set()


def test_without_an_approver_every_entry_stays_unconfirmed(tmp_path):
    result = learn_host(golden(tmp_path))
    written = write({"golden": result}, output_dir=tmp_path / "out", approver=None, contact=None)
    path = Path(written["paths"][0])
    assert load_inventory([str(path)], today=TODAY).errors == []
    strict = load_inventory([str(path)], today=TODAY, strict=True)
    assert strict.errors and {p["code"] for p in strict.errors} == {"unconfirmed"}


def test_an_inferred_version_needs_the_operator(tmp_path):
    root = golden(tmp_path, version=None)
    refused = learn_host(root)
    assert refused["failed"] and "taskguard_os_family" in refused["msg"]
    hinted = learn_host(root, hint="windows_10")
    assert not hinted.get("failed") and hinted["learned"]["os_family"] == "windows_10"
    assert "version from the operator" in hinted["learned"]["build"]


def test_a_hint_the_host_contradicts_is_refused(tmp_path):
    refused = learn_host(golden(tmp_path), hint="windows_11")
    assert refused["failed"] and "says windows_server_2025" in refused["msg"]


def test_a_golden_host_with_findings_is_refused_and_nothing_is_written(tmp_path):
    root = golden(tmp_path, drop=())
    refused = learn_host(root)
    assert refused["failed"] and inventory_baseline.ALLOW_FINDINGS_VAR in refused["msg"]
    written = write({"golden": refused}, output_dir=tmp_path / "out")
    assert written["failed"] and "no baseline written" in written["msg"]
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    allowed = learn_host(root, allow=True)
    assert not allowed.get("failed")
    assert "\\GameOver" in dict(allowed["learned"]["left_out"])


def test_write_step_refuses_partial_or_ambiguous_runs(tmp_path):
    one = learn_host(golden(tmp_path, name="a"), name="a")
    two = learn_host(golden(tmp_path, name="b"), name="b")
    same = write({"a": one, "b": two}, output_dir=tmp_path / "out")
    assert same["failed"] and "one golden host per version" in same["msg"]
    w11 = learn_host(golden(tmp_path, name="c", version=current_version("22631", "Client")), name="c")
    assert w11["learned"]["os_family"] == "windows_11"
    single_file = write({"a": one, "c": w11}, output=tmp_path / "one.yml")
    assert single_file["failed"] and "taskguard_baseline_dir" in single_file["msg"]
    partial = write({"a": one, "gone": {"unreachable": True, "msg": "timeout"}}, output_dir=tmp_path / "out")
    assert partial["failed"] and "gone: timeout" in partial["msg"]
    both = write({"a": one, "c": w11}, output_dir=tmp_path / "out")
    assert not both.get("failed"), both["msg"]
    assert sorted(Path(p).name for p in both["paths"]) == ["windows_11.yml", "windows_server_2025.yml"]


def test_the_playbook_lists_every_version_the_collectors_report():
    play = yaml.safe_load((REPO_ROOT / "playbooks" / "baseline.yml").read_text(encoding="utf-8"))
    assert set(play[0]["vars"]["_tg_os_families"]) == set(_KNOWN_OS_FAMILIES) == inventory_baseline.KNOWN_OS_FAMILIES


# ------------------------------------------------------------------ version precedence (point 4 review)
def _hive_host(build="20348"):
    return host_context.host_from_current_version(
        {"currentbuildnumber": build, "installationtype": "Server", "productname": "Windows Server 2022 Standard"})


def _with_export(tmp_path, version):
    (tmp_path / "CurrentVersion.reg").write_bytes(reg_file([version]))
    from ansible_collections.taskguard.windows.plugins.plugin_utils.reg_export import read_reg_export
    return {"find": lambda root, names: str(tmp_path / names[0]), "read_reg": read_reg_export}


def test_hive_first_and_a_disagreeing_reg_export_is_noted(tmp_path):
    helpers = _with_export(tmp_path, SERVER_2025)
    host, errors = host_context.complete_offline_host(_hive_host(), str(tmp_path), **helpers)
    assert host["os_family"] == "windows_server_2022" and host["os_source"] == "hive"
    assert "hive says windows_server_2022 (build 20348)" in host["os_conflict"]
    assert "reg export says windows_server_2025 (build 26100)" in host["os_conflict"]
    assert errors == [{"source": "host", "path": None, "error": host["os_conflict"]}]


def test_an_agreeing_reg_export_changes_nothing(tmp_path):
    helpers = _with_export(tmp_path, current_version("20348", "Server", "Windows Server 2022 Standard"))
    hive = _hive_host()
    host, errors = host_context.complete_offline_host(hive, str(tmp_path), **helpers)
    assert host is hive and errors == [] and "os_conflict" not in host


def test_collection_with_both_a_hive_and_an_export_uses_the_hive(tmp_path):
    from regf_writer import REG_DWORD, REG_SZ, Key, build_hive
    root = golden(tmp_path, version=SERVER_2025)
    key = Key("ROOT")
    key.ensure("Microsoft\\Windows NT\\CurrentVersion").values = [
        ("CurrentBuildNumber", REG_SZ, "20348"), ("InstallationType", REG_SZ, "Server"),
        ("CurrentMajorVersionNumber", REG_DWORD, 10), ("CurrentMinorVersionNumber", REG_DWORD, 0)]
    config = root / "Windows" / "System32" / "config"
    config.mkdir()
    (config / "SOFTWARE").write_bytes(build_hive(key))
    result = collect_offline_tasks(str(root))
    assert result["host"]["os_family"] == "windows_server_2022" and result["host"]["os_source"] == "hive"
    assert any("version sources disagree" in e["error"] for e in result["errors"] if e["source"] == "host")


@pytest.mark.parametrize("family", sorted(_KNOWN_OS_FAMILIES))
def test_every_known_family_is_a_valid_file_name(family):
    from ansible_collections.taskguard.windows.plugins.action.inventory_learn import _FAMILY_NAME
    assert _FAMILY_NAME.match(family)


# ------------------------------------------------------------------ ansible-playbook playbooks/baseline.yml
def _playbook(*args):
    from .test_playbooks import _run
    return _run(*args)


def test_playbook_refuses_the_demo_host_with_findings_then_learns_with_the_override(tmp_path):
    out = tmp_path / "learned"
    common = ("-i", "inventories/demo/hosts.yml", "-l", "srv01", "playbooks/baseline.yml",
              "-e", "taskguard_baseline_kind=baseline", "-e", "taskguard_baseline_dir=%s" % out)
    refused = _playbook(*common)
    assert refused.returncode != 0
    assert "set taskguard_baseline_allow_findings=true" in refused.stdout + refused.stderr
    assert not list(out.glob("*.yml"))

    learned = _playbook(*common, "-e", "taskguard_baseline_allow_findings=true",
                        "-e", "taskguard_baseline_approver=Security (CHG-2)", "-e", "taskguard_baseline_contact=ops@example.org")
    assert learned.returncode == 0, learned.stdout[-3000:] + learned.stderr[-3000:]
    path = out / "windows_server_2022.yml"        # named by the demo host's version
    text = path.read_text(encoding="utf-8")
    assert "#   \\SystemHealthMonitor: investigate before documenting" in text   # left out, and said
    validate = _playbook("playbooks/validate.yml", "-e", "taskguard_task_inventory_dir=%s" % path,
                         "-e", "taskguard_inventory_strict=true")
    assert validate.returncode == 0, validate.stdout[-3000:]

    inventory = load_inventory([str(path)], today=TODAY)
    root = REPO_ROOT / "samples" / "srv01"
    collected = collect_offline_tasks(str(root))
    view = inventory.for_host({"name": "srv01", "groups": ["windows"], "os_family": "windows_server_2022",
                               "domain_role": "member_server"})
    learned_paths = {t["path"] for t in collected["tasks"] if view.match(t["path"]) is not None}
    assert learned_paths and "\\SystemHealthMonitor" not in learned_paths
    for task in collected["tasks"]:
        entry = view.match(task["path"])
        assert entry is None or entry.compare(task) == [], task["path"]


def test_playbook_preflight_refuses_operator_mistakes_before_any_host(tmp_path):
    hosts = tmp_path / "hosts.yml"
    # the evidence folder does not exist: preflight must stop first, naming both variables
    hosts.write_text("windows:\n  hosts:\n    gold:\n      taskguard_offline_root: %s\n"
                     "      taskguard_os_family: windows_server_2052\n" % (tmp_path / "missing"), encoding="utf-8")
    proc = _playbook("-i", str(hosts), "playbooks/baseline.yml", "-e", "taskguard_baseline_kind=basline",
                     "-e", "taskguard_baseline_dir=%s" % (tmp_path / "out"))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "preflight found 2 problem(s)" in out
    assert "taskguard_baseline_kind='basline' is not one of: learned, baseline" in out
    assert "taskguard_os_family: 'windows_server_2052' is not one of" in out
    assert "Learn the scheduled tasks" not in out            # the learning play never started


def test_learning_keeps_the_same_windows_tasks_as_the_generator():
    """The generator of the shipped baselines and the learning path select the same
    root-folder Microsoft components (one rule, kept in step by this test)."""
    import build_inventory_baseline as generator
    assert inventory_baseline.MICROSOFT_ROOT_PREFIXES == generator.MICROSOFT_ROOT_PREFIXES
    paths = ["\\Microsoft\\Windows\\X", "\\MicrosoftEdgeUpdateTaskMachineUA", "\\OneDrive Reporting Task-S-1-5-21-1",
             "\\GoogleUpdateTaskMachineUA", "\\Contoso\\Backup", "\\Microsoftish"]
    kept, dummy = generator.select([{"path": p} for p in paths])
    assert [t["path"] for t in kept] == [p for p in sorted(paths, key=str.casefold) if inventory_baseline.windows_task(p)]


def test_live_golden_host_gives_its_version_in_the_same_round_trip(unit_fixtures):
    """Live: one run of task_info (the recorded module shape), the version from WMI."""
    import json
    from unittest.mock import MagicMock
    module_result = json.loads((unit_fixtures / "task_info" / "live_admin.json").read_text(encoding="utf-8"))
    action = harness.make_action(ActionModule, "taskguard.windows.inventory_learn",
                                 {"kind": "baseline", "allow_findings": True, "today": TODAY})
    action._execute_module = MagicMock(return_value=module_result)
    result = action.run(task_vars={"inventory_hostname": "ws01", "group_names": ["windows"]})
    assert action._execute_module.call_count == 1
    learned = result["learned"]
    assert learned["mode"] == "live" and learned["os_family"] == "windows_10", result["msg"]
    assert learned["build"] == "build 10.0.19045 (version from the host (live, WMI))"
    assert learned["entries"]
    assert all(e["provenance"]["source"].endswith(learned["build"]) for e in learned["entries"])


def test_a_folder_without_windows_tasks_is_not_a_golden_host(tmp_path):
    root = tmp_path / "empty"
    (root / "Windows" / "System32" / "Tasks").mkdir(parents=True)
    shutil.copyfile(str(WIN10 / "GoogleUpdateTaskMachineUA{5C1DE8D8-1A9C-4F32-8062-6E1F475FB2AE}"),
                    str(root / "Windows" / "System32" / "Tasks" / "Updater"))
    refused = learn_host(root, hint="windows_11")
    assert refused["failed"] and "no Windows task learned (1 task(s) read, 1 left out)" in refused["msg"]
