# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's synthetic fleet (tools/bench_fleet.py) has the shape the figures
claim: collector-shaped material that normalizes without errors, an inventory that
validates, clean hosts without findings, drift hosts with exactly the planted ones."""
from __future__ import annotations

import json

import pytest

import bench_fleet
from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
from audit_call import audit_host

TODAY = "2026-11-25"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    inventory, problems = audit_support.load_inventory(
        bench_fleet.write_inventory(str(tmp_path_factory.mktemp("inv")), 12), TODAY)
    assert problems == []
    fleet = bench_fleet.Fleet(40, events=40 * 50, vendors=12)
    return fleet, inventory, audit_support.load_rules([])


def _audit(world, index):
    fleet, inventory, rules = world
    name, result = fleet.host(index)
    result = json.loads(bench_fleet.module_json(result))   # as it crosses WinRM
    tasks, events, problems = audit_support.normalize_live(result)
    host = {"name": name, "groups": [], "os_family": tasks["host"]["os_family"],
            "domain_role": tasks["host"]["domain_role"]}
    audit = audit_host(name, tasks, events, inventory.for_host(host), rules, host=host)
    return result, tasks, events, problems, audit


def test_clean_host_is_realistic_and_clean(world):
    result, tasks, events, problems, audit = _audit(world, 0)
    assert not world[0].is_drift_host(0)
    assert problems == [] and tasks["unparseable"] == [] and tasks["errors"] == [] and events["unparseable"] == []
    assert 240 <= len(tasks["tasks"]) <= 250 and len(events["events"]) == 50
    sizes = [len(t["xml"]) * 2 + 2 for t in result["tasks"]["api"]["tasks"]]   # as UTF-16 files
    assert 2200 <= min(sizes) and max(sizes) <= 6500
    kinds = {a["type"] for t in tasks["tasks"] for a in t["actions"]}
    assert kinds == {"exec", "com_handler"}
    users = [t["principal"]["user_id"] for t in tasks["tasks"] if t["principal"] and t["principal"]["user_id"]]
    assert any(t["hidden"] for t in tasks["tasks"]) and any(u.startswith("S-1-5-21-") for u in users)
    assert {e["event_id"] for e in events["events"]} >= {200, 201, 4702}
    assert audit["findings"] == [] and audit["status"] == "audited"


def test_drift_host_carries_exactly_the_planted_findings(world):
    index = next(i for i in range(40) if world[0].is_drift_host(i))
    _result, _tasks, _events, _problems, audit = _audit(world, index)
    found = sorted((kind, f["task"]) for f in audit["findings"] for kind in f["kinds"])
    assert found == sorted([
        ("hidden", "\\WinUpdateCheck"),
        ("undocumented", "\\WinUpdateCheck"),
        ("undocumented", "\\Microsoft\\Windows\\UpdateOrchestrator\\Refresh Settings"),
        ("modified", next(f["task"] for f in audit["findings"] if f["kind"] == "modified")),
        ("transient", "\\bouWFQYO"),
    ])
    assert all(f["severity"] in ("high", "critical") for f in audit["findings"])


def test_steady_state_material_omits_every_definition(world):
    fleet = world[0]
    _name, result = fleet.host(1)
    steady = bench_fleet.steady_state_material(result["tasks"])
    assert all(t["xml"] is None and t["xml_omitted"] and len(t["xml_sha256"]) == 64 for t in steady["api"]["tasks"])
    assert len(bench_fleet.module_json(steady)) * 2 < len(bench_fleet.module_json(result["tasks"]))
