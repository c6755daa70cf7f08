# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/least-privilege.md documents every admin-surface code, and its inventory example loads."""
from __future__ import annotations

import re
from pathlib import Path

from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_admins
from ansible_collections.taskguard.windows.plugins.plugin_utils.admin_findings import CODES
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory

REPO_ROOT = Path(__file__).resolve().parents[4]
UNIT_FIXTURES = REPO_ROOT / "tests" / "unit" / "fixtures"
DOC = (REPO_ROOT / "docs" / "least-privilege.md").read_text(encoding="utf-8")


def test_every_code_is_in_the_codes_table_with_its_kind():
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| (TG-[GAL]\d{3}) \| (\w+) \|", DOC, re.M)}
    assert rows == {code: meta["kind"] for code, meta in CODES.items()}


def test_anchors_exist():
    headings = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", DOC, re.M)}
    for meta in CODES.values():
        assert meta["anchor"].split("#")[1] in headings, meta["anchor"]


def test_administrators_example_loads(tmp_path):
    [block] = [b for b in re.findall(r"```yaml\n(.*?)```", DOC, re.S) if "administrators:" in b]
    (tmp_path / "admins.yml").write_text(block, encoding="utf-8")
    inventory = load_inventory([str(tmp_path)], today="2026-12-03")
    assert inventory.errors == []
    assert len(inventory.administrators) == 3 and len(inventory.administrator_policies) == 1
    view = inventory_admins.view(inventory, {"name": "ws1", "domain_role": "member_workstation",
                                             "groups": ["admin_workstations"]})
    assert [e.key for e in view.entries] == ["{machine_sid}-500", "CORP\\helpdesk-t2"]
    assert view.policy("laps")[0] == "required"
