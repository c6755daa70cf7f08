# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory shared between Ansible workers (inventory_cache.py) answers exactly
as a fresh load, and never outlives a change of the files, the date or the code."""
from __future__ import annotations

import json
import os

import bench_fleet
from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_cache
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory

TODAY = "2026-11-25"


def _summary(inventory, host):
    view = inventory.for_host(host)
    paths = ["\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", "\\AcmeBackup\\Agent Health",
             "\\AcmeBackup\\Updater{0A3A7B38-0000-4000-8000-000000000001}",
             "\\AcmeBackup Sync-S-1-5-21-1-2-3-1001", "\\OneDrive Reporting Task-S-1-5-21-1-2-3-1001",
             "\\ansible-win_updates", "\\Evil"]
    return {
        "errors": inventory.errors, "warnings": inventory.warnings, "files": inventory.files,
        "entries": [(e.key, e.source, e.owner, e.contact, e.expired, e.required) for e in inventory.entries],
        "matches": [getattr(view.match(p), "source", None) for p in paths],
    }


def test_cached_inventory_answers_like_a_fresh_load(tmp_path):
    paths = bench_fleet.write_inventory(str(tmp_path / "inv"), 5)
    host = {"name": "ws1", "groups": [], "os_family": "windows_10", "domain_role": "member_workstation"}
    fresh = load_inventory(paths, today=TODAY)
    first, note = inventory_cache.load_inventory(paths, today=TODAY, cache_dir=str(tmp_path / "state"))
    assert note is None
    cached_files = os.listdir(tmp_path / "state" / inventory_cache.SUBDIR)
    assert len(cached_files) == 1
    second, note = inventory_cache.load_inventory(paths, today=TODAY, cache_dir=str(tmp_path / "state"))
    assert note is None
    assert _summary(fresh, host) == _summary(first, host) == _summary(second, host)
    task = {"path": "\\AcmeBackup\\Agent Health", "principal": {"user_id": "S-1-5-18"}, "actions": [], "triggers": []}
    entry_fresh = fresh.for_host(host).match(task["path"])
    entry_cached = second.for_host(host).match(task["path"])
    assert entry_fresh.compare(task) == entry_cached.compare(task) != []


def test_an_edited_file_or_another_day_is_a_new_load(tmp_path):
    paths = bench_fleet.write_inventory(str(tmp_path / "inv"), 2)
    state = str(tmp_path / "state")
    inventory_cache.load_inventory(paths, today=TODAY, cache_dir=state)
    vendor = paths[-1]
    with open(vendor, "a", encoding="utf-8") as handle:
        handle.write("- path: '\\Added\\Task'\n  justification: added\n"
                     "  expected: {principal: {user_id: S-1-5-19}, actions: [{type: exec, command: a.exe}]}\n")
    edited, _note = inventory_cache.load_inventory(paths, today=TODAY, cache_dir=state)
    assert not edited.errors
    assert any(e.path == "\\Added\\Task" for e in edited.entries)
    inventory_cache.load_inventory(paths, today="2030-01-01", cache_dir=state)
    assert len(os.listdir(os.path.join(state, inventory_cache.SUBDIR))) == 3


def test_a_broken_cache_file_falls_back_to_a_load(tmp_path):
    paths = bench_fleet.write_inventory(str(tmp_path / "inv"), 1)
    state = str(tmp_path / "state")
    inventory_cache.load_inventory(paths, today=TODAY, cache_dir=state)
    folder = os.path.join(state, inventory_cache.SUBDIR)
    (cached,) = os.listdir(folder)
    with open(os.path.join(folder, cached), "w", encoding="utf-8") as handle:
        json.dump({"version": 99}, handle)
    inventory, note = inventory_cache.load_inventory(paths, today=TODAY, cache_dir=state)
    assert "not used" in note and len(inventory.entries) == len(load_inventory(paths, today=TODAY).entries)
