# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Acceptance of issue 6 on the authentic task folders (skipped without ../shared/fixtures).

The authentic folders are copies of System32\\Tasks; they are copied into a
temporary evidence root (Windows/System32/Tasks) because the collector refuses
symbolic links that leave the root.
"""
from __future__ import annotations

import shutil

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
from audit_call import audit_host, reviewed
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import (
    build_document, dump_document, merge_proposals,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK, load_rules
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import collect_offline_tasks

pytestmark = pytest.mark.authentic
RULES = load_rules()
MALICIOUS = {"\\gameover", "\\falshupdate22"}


def evidence(tmp_path, folder):
    root = tmp_path / "evidence"
    shutil.copytree(folder, root / "Windows" / "System32" / "Tasks")
    return str(root)


def learned_inventory(tmp_path, host, tasks, skip=lambda t: False):
    entries, problems = merge_proposals([(host, [t for t in tasks if not skip(t)])], today="2026-01-01")
    assert problems == []
    entries = [reviewed(e) for e in entries]
    path = tmp_path / "learned.yml"
    path.write_text(dump_document(build_document(entries, owner_name="lab", contact="lab@example.invalid")),
                    encoding="utf-8")
    inventory = load_inventory([str(path)], today="2026-01-01")
    assert inventory.errors == []
    return inventory


def undocumented(audit):
    return {f["task"]: f for f in audit["findings"] if f["kind"] == "undocumented"}


@pytest.mark.parametrize("folder,family,expected", [
    ("win10-aptsim", "windows_10", {"\\GameOver"}),
    ("server2022-aptsim", "windows_server_2022", {"\\GameOver", "\\falshupdate22"}),
])
def test_exactly_the_planted_tasks_are_undocumented_and_high(shared_fixtures, tmp_path, folder, family, expected):
    tasks_result = collect_offline_tasks(evidence(tmp_path, shared_fixtures / "tasks" / folder))
    host = {"name": "lab", "groups": ["windows"], "os_family": family, "domain_role": "standalone_workstation"}
    inventory = learned_inventory(tmp_path, host, tasks_result["tasks"], skip=lambda t: t["path"].lower() in MALICIOUS)
    audit = audit_host("lab", tasks_result, None, inventory.for_host(host), RULES, host=host)
    found = undocumented(audit)
    assert set(found) == expected
    for finding in found.values():
        assert SEVERITY_RANK[finding["severity"]] >= SEVERITY_RANK["high"]
    # nothing else about the legitimate tasks; only the (honest) coverage gaps remain
    others = [f for f in audit["findings"] if f["task"] not in expected]
    assert {f["kind"] for f in others} <= {"coverage_gap", "note"}   # note: a version without baseline


@pytest.mark.parametrize("folder", ["win10-aptsim", "server2022-aptsim"])
def test_clean_host_against_inventory_learned_from_it_has_no_medium_finding(shared_fixtures, tmp_path, folder):
    tasks_result = collect_offline_tasks(evidence(tmp_path, shared_fixtures / "tasks" / folder))
    host = {"name": "lab", "groups": ["windows"], "os_family": "windows_10", "domain_role": "standalone_workstation"}
    inventory = learned_inventory(tmp_path, host, tasks_result["tasks"])
    audit = audit_host("lab", tasks_result, None, inventory.for_host(host), RULES, host=host)
    task_findings = [f for f in audit["findings"] if f["kind"] != "coverage_gap"]
    assert [f for f in task_findings if SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK["medium"]] == []


def test_repository_baseline_documents_win10_except_gameover(shared_fixtures, tmp_path):
    baseline = audit_support.COLLECTION_ROOT + "/task_inventory"
    tasks_result = collect_offline_tasks(evidence(tmp_path, shared_fixtures / "tasks" / "win10-aptsim"))
    host = {"name": "lab", "groups": ["windows"], "os_family": "windows_10", "domain_role": "standalone_workstation"}
    inventory = load_inventory([baseline])
    if not any(e.path and e.path.lower() == "\\microsoft\\windows\\defrag\\scheduleddefrag" for e in inventory.entries):
        pytest.skip("repository has no windows_10 baseline")
    # the Google updater is third-party: the baseline leaves it to a vendor file
    google = [t for t in tasks_result["tasks"] if t["path"].lower().startswith("\\googleupdate")]
    vendor = learned_inventory(tmp_path, host, google)
    view = load_inventory([baseline, str(tmp_path / "learned.yml")]).for_host(host)
    del vendor
    audit = audit_host("lab", tasks_result, None, view, RULES, host=host)
    assert set(undocumented(audit)) == {"\\GameOver"}
    assert undocumented(audit)["\\GameOver"]["severity"] in ("high", "critical")
