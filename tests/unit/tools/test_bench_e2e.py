# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tools/bench_e2e.py: its options and the fleet it generates (no timing here:
the benchmark prints figures, it never asserts them)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tools"))

import bench_e2e  # noqa: E402  pylint: disable=wrong-import-position


def test_defaults_are_a_2000_host_run_with_ansibles_default_forks():
    opts = bench_e2e.parse_args([])
    assert (opts.hosts, opts.forks, opts.also_hosts, opts.live, opts.preload_ab) == (2000, 5, [], False, False)


def test_quick_is_200_hosts_and_sizes_accumulate():
    opts = bench_e2e.parse_args(["--quick", "--also-hosts", "4000", "--also-hosts", "300", "--forks", "8"])
    assert (opts.hosts, opts.also_hosts, opts.forks) == (200, [4000, 300], 8)


@pytest.mark.parametrize("args", [["--hosts", "0"], ["--forks", "0"], ["--also-hosts", "-1"], ["--ab-rounds", "0"]])
def test_non_positive_sizes_are_refused(args, capsys):
    with pytest.raises(SystemExit):
        bench_e2e.parse_args(args)
    assert "must be positive" in capsys.readouterr().err


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, request):
    if not os.path.isdir(bench_e2e.authentic_source()):
        pytest.skip("authentic task folder absent")
    work = tmp_path_factory.mktemp("bench-e2e")
    # 17 hosts: index 16 is the first host with findings (every 33rd, offset 16).
    gen = bench_e2e.generate(17, work=str(work), progress=False)
    return work, gen


def _task_files(root):
    out = {}
    for dirpath, _dirs, files in os.walk(os.path.join(root, "Windows", "System32", "Tasks")):
        for name in files:
            full = os.path.join(dirpath, name)
            out[os.path.relpath(full, root)] = os.lstat(full)
    return out


def test_hosts_are_hard_links_to_one_pool_never_symlinks(fleet):
    work, gen = fleet
    first = _task_files(work / "hosts" / "ws00000")
    second = _task_files(work / "hosts" / "ws00008")   # same vendor mix (8 mixes)
    assert 240 <= len(first) <= 260
    assert not any(os.path.islink(work / "hosts" / "ws00000" / rel) for rel in first)
    shared = set(first) & set(second)
    assert shared and all(first[rel].st_ino == second[rel].st_ino for rel in shared)
    assert os.path.samefile(work / "hosts" / "ws00000" / "TaskCache.reg", work / "hosts" / "ws00008" / "TaskCache.reg")
    assert gen["made"] == 17 and gen["findings_hosts"] == 1


def test_the_planted_task_is_only_on_findings_hosts_with_their_own_taskcache(fleet):
    work, _gen = fleet
    planted = os.path.join("Windows", "System32", "Tasks", "GameOver")
    assert (work / "hosts" / "ws00016" / planted).is_file()
    assert not (work / "hosts" / "ws00000" / planted).exists()
    assert os.stat(work / "hosts" / "ws00016" / "TaskCache.reg").st_nlink == 1
    assert "\\\\WinUpdate" in (work / "hosts" / "ws00016" / "TaskCache.reg").read_bytes().decode("utf-16")


def test_a_second_generation_reuses_the_folders(fleet):
    work, _gen = fleet
    again = bench_e2e.generate(17, work=str(work), progress=False)
    assert again["made"] == 0


def test_the_evidence_reader_reads_every_linked_task_file(fleet):
    work, gen = fleet
    from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
    inventory, problems = audit_support.load_inventory([gen["inventory_dir"]])
    assert inventory is not None and not problems
    paths = {}
    for name in ("ws00000", "ws00016"):
        tasks, _events, _problems = audit_support.collect_offline(str(work / "hosts" / name))
        assert len(tasks["tasks"]) == len(_task_files(work / "hosts" / name))
        paths[name] = {task["path"] for task in tasks["tasks"]}
    assert "\\GameOver" in paths["ws00016"] and "\\GameOver" not in paths["ws00000"]


def test_inventory_and_floor_play_have_the_shape_the_runs_need(fleet):
    work, gen = fleet
    path = bench_e2e.write_ansible_inventory(str(work), 3, gen["inventory_dir"], name="inv.yml")
    with open(path, encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    hosts = doc["windows"]["hosts"]
    assert sorted(hosts) == ["ws00000", "ws00001", "ws00002"]
    assert all(os.path.isdir(h["taskguard_offline_root"]) for h in hosts.values())
    assert doc["windows"]["vars"]["ansible_connection"] == "local"
    tasks = yaml.safe_load(bench_e2e.FLOOR_PLAY)[0]["tasks"]
    assert "run_once" not in tasks[0] and tasks[0]["ansible.builtin.debug"]["verbosity"] == 9
    assert tasks[1]["run_once"] is True and tasks[1]["delegate_to"] == "localhost"


def test_the_live_stand_in_lives_only_in_the_shadow_collection(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_e2e, "LIVE_MATERIALS", 2)
    live = bench_e2e.build_live(str(tmp_path), 3)
    modules = Path(live["collections"]) / "ansible_collections" / "taskguard" / "windows" / "plugins" / "modules"
    assert not (modules / "collect.ps1").exists()
    assert "TASKGUARD_BENCH_MATERIAL" in (modules / "collect.py").read_text(encoding="utf-8")
    assert "TASKGUARD_BENCH_MATERIAL" not in (ROOT / "plugins" / "modules" / "collect.py").read_text(encoding="utf-8")
    with open(live["inventory"], encoding="utf-8") as handle:
        hosts = yaml.safe_load(handle)["windows"]["hosts"]
    assert all(os.access(h["ansible_python_interpreter"], os.X_OK) for h in hosts.values())
