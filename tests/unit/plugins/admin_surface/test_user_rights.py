# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Holders of "Log on as a batch job" (issue 19 point 4): SECURITY hive, live contract, TG-A015/A016/A023."""
from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_findings, admin_surface, user_rights
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_admins import view
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory

from regf_writer import REG_BINARY, Key, build_hive

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "admin_surface"
DOM = "S-1-5-21-1004336348-1177238915-682003330"
MACH = "S-1-5-21-3623811015-3361044348-30300820"
WS = {"name": "adminws01", "domain_role": "member_workstation", "groups": ["admin_workstations"]}
SRV = {"name": "srv02", "domain_role": "member_server", "groups": []}
REG_NONE = 0   # LSA attributes are stored as REG_NONE default values

TABLE = """\
inventory_version: 1
owner: {name: Contoso IT, kind: internal, contact: it@contoso.example}
defaults:
  approval: {ticket: CHG-7, approver: CISO, date: '2026-01-10'}
tasks: []
administrators:
- name: 'CORP\\helpdesk-t2'
  justification: tier 2 helpdesk on admin workstations
- sid: %(dom)s-512
  justification: Domain Admins
"""


def _sid_bytes(sid):
    parts = sid.split("-")
    subs = [int(p) for p in parts[3:]]
    return bytes([1, len(subs)]) + int(parts[2]).to_bytes(6, "big") + struct.pack("<%dI" % len(subs), *subs)


def security_hive(accounts):
    """accounts: [(key name, mask or None, write the Sid subkey, raw ActSysAc bytes or None)]."""
    root = Key("ROOT")
    root.ensure("Policy\\Accounts")
    for name, mask, with_sid, raw in accounts:
        key = root.ensure("Policy\\Accounts\\" + name)
        key.ensure("Privilgs").values.append(("", REG_NONE, b"\x01\x00\x00\x00"))
        if with_sid:
            key.ensure("Sid").values.append(("", REG_NONE, _sid_bytes(name)))
        if mask is not None or raw is not None:
            data = raw if raw is not None else struct.pack("<I", mask)
            key.ensure("ActSysAc").values.append(("", REG_NONE, data))
    return build_hive(root, "\\SystemRoot\\System32\\Config\\SECURITY")


def evidence(tmp_path, hive):
    config = tmp_path / "Windows" / "System32" / "config"
    config.mkdir(parents=True)
    if hive is not None:
        (config / "SECURITY").write_bytes(hive)
    return str(tmp_path)


def holders(model, right=user_rights.BATCH):
    return [h["sid"] for h in model["rights"][right]["holders"]]


def judge(model, host=None, admin_view=None, machine_sid=MACH):
    host = host or WS
    out = admin_findings.Findings(host["name"])
    user_rights.judge(out, model, host, admin_view, machine_sid)
    return out.sorted()


@pytest.fixture
def admin_view(tmp_path):
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "admins.yml").write_text(TABLE % {"dom": DOM})
    inventory = load_inventory([str(folder)], today="2026-12-03")
    assert inventory.errors == []
    return view(inventory, WS)


# ------------------------------------------------------------ offline: SECURITY hive
def test_security_hive_batch_and_deny_bits(tmp_path):
    root = evidence(tmp_path, security_hive([
        ("S-1-5-32-544", 0x407, True, None),        # Administrators: interactive, network, batch, RDP
        (DOM + "-2201", 0x004, True, None),         # batch only
        (DOM + "-2202", 0x104, False, None),        # batch and deny batch; SID from the key name
        ("S-1-5-32-546", 0x040, True, None),        # Guests: deny *interactive* (0x40), not deny batch
        ("S-1-5-32-551", None, True, None),         # privileges only: no ActSysAc subkey
    ]))
    model = user_rights.collect_offline(root, MACH)
    assert model["read"] is True and model["method"] == "security_hive" and model["errors"] == []
    assert holders(model) == sorted(["S-1-5-32-544", DOM + "-2201", DOM + "-2202"])
    assert holders(model, user_rights.DENY_BATCH) == [DOM + "-2202"]
    assert {h["domain"] for h in model["rights"][user_rights.BATCH]["holders"]} == {"builtin", "domain"}


def test_security_hive_damaged_account_is_an_error_the_others_are_read(tmp_path):
    root = evidence(tmp_path, security_hive([
        (DOM + "-2201", 0x004, True, None),
        (DOM + "-2203", None, True, b"\x04\x00"),    # 2-byte mask
        ("not-a-sid", 0x004, False, None),             # neither a Sid subkey nor a SID name
    ]))
    model = user_rights.collect_offline(root, MACH)
    assert holders(model) == [DOM + "-2201"]
    assert len(model["errors"]) == 2
    assert any("ActSysAc" in e for e in model["errors"]) and any("holds no SID" in e for e in model["errors"])
    codes = {f["code"]: f for f in judge(model)}
    assert codes["TG-A016"]["params"]["count"] == 2          # part of the holders may be missing
    assert "TG-A015" not in codes


def test_no_security_hive_is_unread_never_an_empty_list(tmp_path):
    model = user_rights.collect_offline(evidence(tmp_path, None))
    assert model["read"] is False and "Windows/System32/config/SECURITY" in model["errors"][0]
    assert model["rights"][user_rights.BATCH] == {"read": False, "error": model["errors"][0], "holders": []}
    found = judge(model)
    assert [(f["code"], f["severity"]) for f in found] == [("TG-A015", "medium"), ("TG-A015", "low")]


def test_security_hive_without_policy_accounts_or_not_a_hive_is_unread(tmp_path):
    root = Key("ROOT")
    root.ensure("Policy\\PolAdtEv")
    model = user_rights.collect_offline(evidence(tmp_path / "a", build_hive(root)))
    assert model["read"] is False and "Policy\\Accounts" in model["errors"][0]
    model = user_rights.collect_offline(evidence(tmp_path / "b", b"regf" + b"\x00" * 100))
    assert model["read"] is False


def test_offline_admin_surface_reads_the_security_hive_with_the_sam_machine_sid(tmp_path):
    from ansible_collections.taskguard.windows.plugins.plugin_utils import local_admins
    sam = Key("ROOT")
    sam.ensure("SAM\\Domains\\Builtin\\Aliases\\00000220").values.append(
        ("C", REG_BINARY, local_admins.build_alias_c_value([MACH + "-500"])))
    sam.ensure("SAM\\Domains\\Account").values.append(("V", REG_BINARY, b"\x00" * 0x40 + _sid_bytes(MACH)))
    root = tmp_path
    config = root / "Windows" / "System32" / "config"
    config.mkdir(parents=True)
    (config / "SAM").write_bytes(build_hive(sam, "\\SystemRoot\\System32\\Config\\SAM"))
    (config / "SECURITY").write_bytes(security_hive([(MACH + "-1010", 0x004, True, None)]))
    material = admin_surface.collect_offline_admin_surface(str(root))
    [holder] = material["user_rights"]["rights"][user_rights.BATCH]["holders"]
    assert holder == {"sid": MACH + "-1010", "name": None, "domain": "local", "lookup": "not_looked_up"}
    found = admin_surface.audit(WS, material, None)
    assert any(f["code"] == "TG-A023" and f["params"]["sid"] == MACH + "-1010" for f in found)


# ------------------------------------------------------------------- live contract
def _live(name):
    return json.loads((FIX / name).read_text())


def test_live_workstation_holders_with_names():
    model = user_rights.parse_live_material(_live("live_workstation.json")["user_rights"], MACH)
    assert model["read"] is True and model["method"] == "lsa_api" and model["errors"] == []
    by_sid = {h["sid"]: h for h in model["rights"][user_rights.BATCH]["holders"]}
    assert by_sid[DOM + "-2201"] == {"sid": DOM + "-2201", "name": "CORP\\svc-report", "domain": "domain",
                                     "lookup": "resolved"}
    assert holders(model, user_rights.DENY_BATCH) == ["S-1-5-32-546"]


def test_live_workstation_undocumented_holder_is_high_on_an_admin_workstation(admin_view):
    material = admin_surface.normalize_live_admin_surface(_live("live_workstation.json"))
    found = [f for f in admin_surface.audit(WS, material, None, admin_view=admin_view) if f["code"][:6] == "TG-A01"
             or f["code"] == "TG-A023"]
    batch = [f for f in found if f["code"] == "TG-A023"]
    # built-in aliases are never judged; helpdesk-t2 is documented by name; svc-report is not
    assert [(f["params"]["sid"], f["severity"]) for f in batch] == [(DOM + "-2201", "high")]
    assert batch[0]["task"] == "SeBatchLogonRight/" + DOM + "-2201"
    assert "CORP\\svc-report" in batch[0]["title"]


def test_same_holder_on_a_member_server_is_medium():
    model = user_rights.parse_live_material(_live("live_workstation.json")["user_rights"], MACH)
    batch = [f for f in judge(model, host=SRV) if f["code"] == "TG-A023"]
    assert {f["severity"] for f in batch} == {"medium"}
    assert {f["params"]["sid"] for f in batch} == {DOM + "-1107", DOM + "-2201"}   # no table: none documented


def test_holder_also_denied_is_low():
    material = _live("live_workstation.json")["user_rights"]
    material["rights"]["SeDenyBatchLogonRight"]["holders"].append(
        {"sid": DOM + "-2201", "name": "CORP\\svc-report", "lookup_error": None})
    batch = {f["params"]["sid"]: f for f in judge(user_rights.parse_live_material(material, MACH), host=SRV)
             if f["code"] == "TG-A023"}
    assert batch[DOM + "-2201"]["severity"] == "low" and "wins" in batch[DOM + "-2201"]["evidence"]["note"]
    assert batch[DOM + "-1107"]["severity"] == "medium"


def test_unresolved_holder_with_name_entries_in_scope_is_low(admin_view):
    material = _live("live_member_server_dc_unreachable.json")
    model = user_rights.parse_live_material(material["user_rights"])
    found = {f["code"]: f for f in judge(model, host=SRV, admin_view=view(admin_view_inventory(admin_view), SRV))}
    assert found["TG-A023"]["params"]["sid"] == DOM + "-3302" and found["TG-A023"]["severity"] == "low"
    # the deny right could not be read: a low coverage gap naming it, the allow right was read
    assert found["TG-A015"]["params"]["right"] == "SeDenyBatchLogonRight" and found["TG-A015"]["severity"] == "low"


def admin_view_inventory(admin_view):
    class _Inventory(object):
        administrators = admin_view.entries
        administrator_policies = []
        task_accounts = []
    return _Inventory()


@pytest.mark.parametrize("material, error", [
    (None, "no user-rights material"),
    ({"method": "lsa_api", "rights": {}, "error": "LSA API not available: Add-Type refused"}, "Add-Type refused"),
    ({"method": "lsa_api", "error": None, "rights": {"SeBatchLogonRight": {"holders": None,
                                                                           "error": "Access is denied"}}},
     "Access is denied"),
])
def test_live_material_that_says_nothing_is_a_coverage_gap(material, error):
    model = user_rights.parse_live_material(material)
    assert model["read"] is False and holders(model) == []
    found = judge(model)
    assert found[0]["code"] == "TG-A015" and found[0]["severity"] == "medium" and error in found[0]["title"]
    assert "TG-A023" not in {f["code"] for f in found} and "TG-A016" not in {f["code"] for f in found}


def test_live_holders_cut_short_or_without_sid_are_reported():
    material = _live("live_workstation.json")["user_rights"]
    material["rights"]["SeBatchLogonRight"]["truncated"] = True
    material["rights"]["SeBatchLogonRight"]["holders"].append({"name": "no sid"})
    model = user_rights.parse_live_material(material, MACH)
    assert len(model["errors"]) == 2 and model["read"] is True
    assert {f["code"] for f in judge(model)} >= {"TG-A016", "TG-A023"}


def test_report_lists_holders_per_right():
    model = user_rights.parse_live_material(_live("live_dc.json")["user_rights"])
    report = user_rights.for_report(model)
    assert report["method"] == "lsa_api"
    assert [h["sid"] for h in report["rights"]["SeBatchLogonRight"]["holders"]] == [
        "S-1-5-32-544", "S-1-5-32-551", "S-1-5-32-559", "S-1-5-32-568"]
    assert report["rights"]["SeDenyBatchLogonRight"] == {"read": True, "error": None, "holders": []}
    assert user_rights.for_report(None) is None
    # built-in holders only on the DC: nothing to judge
    assert judge(model, host={"name": "dc01", "domain_role": "domain_controller"}) == []


# ------------------------------------------------------------------ drift.json host entry
def test_live_audit_result_and_drift_host_entry_list_the_holders():
    from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support, pipeline
    from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report
    module_result = json.loads((FIX.parent / "collect" / "live_plain.json").read_text(encoding="utf-8"))
    module_result["admin_surface"] = _live("live_workstation.json")
    ctx = pipeline.Context(audit_support.load_rules([]), None, [], None)
    result, _section = pipeline.audit_live(ctx, "adminws01", {}, module_result)
    batch = result["user_rights"]["rights"]["SeBatchLogonRight"]
    assert batch["read"] is True and DOM + "-2201" in [h["sid"] for h in batch["holders"]]
    assert any(f["code"] == "TG-A023" for f in result["findings"])
    doc = build_run_report({"adminws01": result}, {"id": "r1", "slice": None})
    assert doc["hosts"]["adminws01"]["user_rights"] == result["user_rights"]
    # an old collector without the part: null in the report and a coverage gap, never "nobody holds it"
    del module_result["admin_surface"]["user_rights"]
    result, _section = pipeline.audit_live(ctx, "adminws01", {}, module_result)
    assert result["user_rights"] is None and not any(f["code"] == "TG-A023" for f in result["findings"])
    gaps = [p for f in result["findings"] for p in f.get("problems") or [f] if p["code"] == "TG-A015"]
    assert gaps and "not collected" in gaps[0]["title"]
