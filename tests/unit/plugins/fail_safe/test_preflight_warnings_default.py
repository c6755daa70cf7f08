# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A preflight warning is never dropped: a caller without a warnings list gets it
back as a problem (the run stops) instead of a silent pass."""
from __future__ import annotations

import shutil
from pathlib import Path

from ansible_collections.taskguard.windows.plugins.plugin_utils import preflight

REPO_ROOT = Path(__file__).resolve().parents[4]
PREFIX = "v: entries with errors are ignored by the audit and reported as a coverage gap: 1 error(s)"


def _inventory_with_a_broken_vendor_file(tmp_path):
    inventory = tmp_path / "inv"
    shutil.copytree(REPO_ROOT / "inventories" / "demo" / "task_inventory", inventory)
    (inventory / "vendor.yml").write_text("inventory_version: 1\nowner: [\n", encoding="utf-8")
    return inventory


def test_without_a_warnings_list_the_warning_is_returned_as_a_problem(tmp_path):
    inventory = _inventory_with_a_broken_vendor_file(tmp_path)
    [problem] = preflight.check_inventory_paths("v", [str(inventory)])
    assert problem.startswith(PREFIX)
    [problem] = preflight.run_checks(preflight.PreflightInputs(inventory={"v": [[str(inventory)]]}))
    assert problem.startswith(PREFIX)


def test_with_a_warnings_list_it_is_a_warning_and_no_problem(tmp_path):
    inventory = _inventory_with_a_broken_vendor_file(tmp_path)
    warnings = []
    assert preflight.run_checks(preflight.PreflightInputs(inventory={"v": [[str(inventory)]]}),
                                warnings=warnings) == []
    [warning] = warnings
    assert warning.startswith(PREFIX)


def test_a_clean_inventory_gives_neither(tmp_path):
    inventory = tmp_path / "inv"
    shutil.copytree(REPO_ROOT / "inventories" / "demo" / "task_inventory", inventory)
    warnings = []
    assert preflight.check_inventory_paths("v", [str(inventory)]) == []
    assert preflight.check_inventory_paths("v", [str(inventory)], warnings=warnings) == [] and warnings == []
