# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet view of who is admin where, and task accounts joined with it (issue 19 points 4 and 5)."""
from __future__ import annotations

import json
from pathlib import Path

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface, inventory_admins, local_admins
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory

REPO_ROOT = Path(__file__).resolve().parents[4]
UNIT_FIXTURES = REPO_ROOT / "tests" / "unit" / "fixtures"
FIX = UNIT_FIXTURES / "admin_surface"
DOM = "S-1-5-21-1004336348-1177238915-682003330"
ENTRA = "S-1-12-1-2233445566-1122334455-3344556677-1455667788"


def _models():
    ws = local_admins.parse_live_material(json.loads((FIX / "live_workstation.json").read_text())["administrators"])
    dc = local_admins.parse_live_material(json.loads((FIX / "live_dc.json").read_text())["administrators"])
    return {"adminws01": ws, "dc01": dc, "srv01": None,
            "srv02": local_admins.empty_model("Access is denied", "net_api")}


def test_fleet_table_rows_and_unread_hosts():
    table = admin_surface.fleet_admin_table(_models())
    assert table["hosts"] == ["adminws01", "dc01"]
    assert table["unread"] == [{"host": "srv01", "reason": "not collected"},
                               {"host": "srv02", "reason": "Access is denied"}]
    by_sid = {row["sid"]: row for row in table["members"]}
    assert [h["host"] for h in by_sid[DOM + "-512"]["hosts"]] == ["adminws01", "dc01"]
    assert by_sid[DOM + "-512"]["hosts"][1]["domain_controller_builtin"] is True
    assert by_sid[ENTRA]["entra"] is True and by_sid[ENTRA]["name"] is None
    assert by_sid[DOM + "-6102"]["orphaned"] is True
    assert table["members"][0]["sid"] == DOM + "-512"        # widest membership first
    assert all(h["documented"] is None for row in table["members"] for h in row["hosts"])   # no table given


def test_fleet_table_marks_documented_cells(tmp_path):
    (tmp_path / "a.yml").write_text(
        "inventory_version: 1\nowner: {name: IT, kind: internal, contact: it@x.example}\ntasks: []\n"
        "administrators:\n- sid: %s-512\n  justification: DA\n"
        "  approval: {ticket: C-1, approver: CISO, date: '2026-01-01'}\n" % DOM)
    inventory = load_inventory([str(tmp_path)], today="2026-12-03")
    models = _models()
    views = {h: inventory_admins.view(inventory, {"name": h}) for h in models}
    by_sid = {r["sid"]: r for r in admin_surface.fleet_admin_table(models, views)["members"]}
    assert {h["documented"] for h in by_sid[DOM + "-512"]["hosts"]} == {True}
    assert {h["documented"] for h in by_sid[ENTRA]["hosts"]} == {False}


def _task(path, user, logon="Password", run_level="LeastPrivilege"):
    return {"path": path, "principal": {"user_id": user, "logon_type": logon, "run_level": run_level}}


def test_task_accounts_joined_with_the_fleet():
    models = _models()
    hosts = {
        "srv01": {"tasks": [_task("\\Report", "CORP\\helpdesk-t2"),
                            _task("\\Sys", "S-1-5-18", "ServiceAccount", "HighestAvailable")],
                  "administrators": None},
        "srv02": {"tasks": [_task("\\Sync", "corp\\svc-sync", "S4U", "HighestAvailable")], "administrators": None},
        "srv03": {"tasks": [_task("\\Sync", "CORP\\svc-sync", "S4U")], "administrators": None},
        "srv04": {"tasks": [_task("\\Sync", "CORP\\SVC-SYNC", "S4U")], "administrators": None},
        "adminws01": {"tasks": [_task("\\Backup", DOM + "-512", "S4U")], "administrators": models["adminws01"]},
    }
    found = admin_surface.fleet_task_account_findings(hosts)
    [stored] = [f for f in found["srv01"] if f["code"] == "TG-A020"]
    assert stored["params"]["hosts"] == "adminws01" and stored["severity"] == "high"
    assert not any(f["params"].get("account") == "S-1-5-18" for f in found["srv01"])     # built-in: not judged
    assert [f["code"] for f in found["srv02"]] == ["TG-A021", "TG-A022"]
    assert found["srv02"][0]["params"]["count"] == 3
    assert [f["code"] for f in found["adminws01"]] == []       # S4U: no stored password
