# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local Administrators: SAM alias C value, live material contract, administrators table (issue 19)."""
from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface, inventory_admins, local_admins
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory

REPO_ROOT = Path(__file__).resolve().parents[4]
UNIT_FIXTURES = REPO_ROOT / "tests" / "unit" / "fixtures"
FIX = UNIT_FIXTURES / "admin_surface"
DOM = "S-1-5-21-1004336348-1177238915-682003330"
MACH = "S-1-5-21-3623811015-3361044348-30300820"
ENTRA = "S-1-12-1-2233445566-1122334455-3344556677-1455667788"
WS = {"name": "adminws01", "domain_role": "member_workstation", "groups": ["admin_workstations"]}
SRV = {"name": "srv01", "domain_role": "member_server", "groups": []}
DC = {"name": "dc01", "domain_role": "domain_controller", "groups": []}


# ------------------------------------------------------------ SAM C value
def test_alias_c_value_round_trip_with_entra_and_well_known_sids():
    sids = [MACH + "-500", DOM + "-512", ENTRA, "S-1-5-4"]
    value = local_admins.build_alias_c_value(sids, comment="Administrators have complete access")
    assert struct.unpack_from("<I", value, 0x30)[0] == 4
    assert local_admins.parse_alias_members(value) == sids


def test_alias_c_value_with_no_members():
    assert local_admins.parse_alias_members(local_admins.build_alias_c_value([])) == []


@pytest.mark.parametrize("mutate, message", [
    (lambda v: v[:0x20], "shorter than its 0x34-byte header"),
    (lambda v: v[:-3], "remain"),                                               # last SID cut
    (lambda v: v[:0x30] + struct.pack("<I", 10 ** 6) + v[0x34:], "claims 1000000 members"),
    (lambda v: v[:0x28] + struct.pack("<I", 0xFFFFFF) + v[0x2C:], "runs past the end"),
    (lambda v: v[:0x30] + struct.pack("<I", 3) + v[0x34:], "runs past the end"),  # count larger than the list
])
def test_hostile_alias_c_values_raise_instead_of_reading_out_of_bounds(mutate, message):
    value = local_admins.build_alias_c_value([MACH + "-500", DOM + "-512"])
    with pytest.raises(local_admins.SamError, match=message):
        local_admins.parse_alias_members(mutate(value))


def test_from_sam_marks_local_orphans_only_when_the_account_list_was_read():
    sam = {"sids": [MACH + "-500", MACH + "-1004", DOM + "-512", ENTRA], "machine_sid": MACH,
           "local_rids": {500, 501}, "local_names": {500: "Administrator", 501: "Guest"},
           "builtin_admin_enabled": False}
    model = local_admins.from_sam(sam)
    by_sid = {m["sid"]: m for m in model["members"]}
    assert model["method"] == "sam_hive" and model["read"] is True
    assert by_sid[MACH + "-500"]["name"] == "Administrator" and by_sid[MACH + "-500"]["orphaned"] is False
    assert by_sid[MACH + "-1004"]["orphaned"] is True
    assert by_sid[DOM + "-512"]["orphaned"] is None          # offline cannot tell for a domain SID
    assert by_sid[ENTRA]["entra"] is True and by_sid[ENTRA]["orphaned"] is None
    assert model["builtin_administrator"] == {"sid": MACH + "-500", "enabled": False}
    unknown = local_admins.from_sam(dict(sam, local_rids=set(), local_names={}))
    assert all(m["orphaned"] is None for m in unknown["members"])


def test_offline_without_sam_hive_is_unread_not_empty(tmp_path):
    model = local_admins.collect_offline(str(tmp_path))
    assert model["read"] is False and model["members"] == []
    assert "no SAM hive" in model["errors"][0]


def test_offline_sam_that_is_not_a_hive_is_an_error(tmp_path):
    config = tmp_path / "Windows" / "System32" / "config"
    config.mkdir(parents=True)
    (config / "SAM").write_bytes(b"not a hive" * 100)
    model = local_admins.collect_offline(str(tmp_path))
    assert model["read"] is False and "regf" in model["errors"][0]


# ------------------------------------------------------------ live contract
def _live(name):
    return json.loads((FIX / name).read_text())


def test_live_workstation_keeps_raw_entra_and_orphaned_sids():
    model = local_admins.parse_live_material(_live("live_workstation.json")["administrators"])
    by_sid = {m["sid"]: m for m in model["members"]}
    assert model["method"] == "winnt_adsi" and model["read"] is True
    assert by_sid[ENTRA] == {"sid": ENTRA, "name": None, "kind": "unknown", "source": "winnt_adsi",
                             "resolved": False, "entra": True, "orphaned": False, "rid": 1455667788,
                             "domain": "entra", "lookup": "not_mapped"}
    assert by_sid[DOM + "-6102"]["orphaned"] is True and by_sid[DOM + "-6102"]["domain"] == "domain"
    assert by_sid[MACH + "-1004"]["orphaned"] is True and by_sid[MACH + "-1004"]["domain"] == "local"
    assert by_sid[DOM + "-512"]["name"] == "CORP\\Domain Admins" and by_sid[DOM + "-512"]["orphaned"] is False
    assert model["builtin_administrator"] == {"sid": MACH + "-500", "enabled": True}
    assert model["errors"] == ["net_api: System.ComponentModel.Win32Exception: Access is denied"]


def test_live_dc_says_it_is_the_domain_builtin_group():
    model = local_admins.parse_live_material(_live("live_dc.json")["administrators"])
    assert model["is_domain_controller_builtin"] is True and model["method"] == "net_api"
    assert model["machine_sid"] is None and model["builtin_administrator"] is None


@pytest.mark.parametrize("role, is_dc", [(0, False), (1, False), (2, False), (3, False), (4, True), (5, True)])
def test_domain_role_is_judged_from_the_raw_win32_number(role, is_dc):
    material = dict(_live("live_workstation.json")["administrators"], domain_role=role)
    model = local_admins.parse_live_material(material)
    assert model["is_domain_controller_builtin"] is is_dc
    assert (model["machine_sid"] is None) is is_dc


@pytest.mark.parametrize("role", ["5", True, 9, -1, [4]])
def test_a_domain_role_that_is_not_a_role_is_an_error_not_a_dc(role):
    material = dict(_live("live_workstation.json")["administrators"], domain_role=role)
    model = local_admins.parse_live_material(material)
    assert model["is_domain_controller_builtin"] is False
    assert any("DomainRole" in e for e in model["errors"])


@pytest.mark.parametrize("account, machine_sid, builtin", [
    ({"sid": MACH + "-500", "disabled": True}, MACH, {"sid": MACH + "-500", "enabled": False}),
    ({"sid": MACH + "-500", "disabled": "no"}, MACH, None),          # enabled state unknown: not guessed
    ({"sid": MACH + "-501", "disabled": False}, None, None),          # not RID 500
    ({"sid": "S-1-5-32-544", "disabled": False}, None, None),         # not a machine account domain
    (None, None, None),
])
def test_machine_sid_and_builtin_state_are_derived_from_the_raw_rid_500_account(account, machine_sid, builtin):
    material = dict(_live("live_workstation.json")["administrators"], builtin_administrator=account)
    model = local_admins.parse_live_material(material)
    assert model["machine_sid"] == machine_sid and model["builtin_administrator"] == builtin


def test_unreachable_domain_makes_domain_sids_unresolved_not_orphaned():
    model = local_admins.parse_live_material(_live("live_member_server_dc_unreachable.json")["administrators"])
    srv = "S-1-5-21-2870120016-2263418370-3012309931"
    by_sid = {m["sid"]: m for m in model["members"]}
    # the lookup failed for another reason than "not mapped": nothing known
    assert by_sid[DOM + "-512"]["lookup"] == "unresolved" and by_sid[DOM + "-512"]["orphaned"] is None
    # "not mapped" for a domain SID while the domain could not be asked about others: not proof
    assert by_sid[DOM + "-3301"]["lookup"] == "not_mapped" and by_sid[DOM + "-3301"]["orphaned"] is None
    # a local SID is looked up locally: "not mapped" is proof
    assert by_sid[srv + "-1009"]["orphaned"] is True
    assert model["builtin_administrator"] == {"sid": srv + "-500", "enabled": False}


def test_not_mapped_domain_sid_is_orphaned_only_when_a_domain_controller_answered():
    material = _live("live_member_server_dc_unreachable.json")["administrators"]
    material["members"] = [m for m in material["members"] if m["sid"] != DOM + "-512"]
    # no lookup failed for another reason, but no DC of the domain could be located: not proof
    model = local_admins.parse_live_material(material)
    assert {m["sid"]: m for m in model["members"]}[DOM + "-3301"]["orphaned"] is None
    assert any("no domain controller answered" in e for e in model["errors"])
    material["dc_locator"] = {"ok": True, "domain": "corp.contoso.example", "dc": "dc01", "error": None}
    by_sid = {m["sid"]: m for m in local_admins.parse_live_material(material)["members"]}
    assert by_sid[DOM + "-3301"]["orphaned"] is True


@pytest.mark.parametrize("error", [None, {"type": "System.SystemException", "hresult": -2146233087},
                                   {"type": "System.Security.Principal.IdentityNotMappedException"}])
def test_lookup_outcome_follows_the_error_type_never_the_message(error):
    name, lookup = local_admins.lookup_outcome({"sid": DOM + "-9", "name": None, "lookup_error": error})
    expected = "not_mapped" if error and error["type"].endswith("IdentityNotMappedException") else "unresolved"
    assert name is None and lookup == expected


def test_truncated_membership_is_incomplete():
    material = dict(_live("live_workstation.json")["administrators"], truncated=True)
    model = local_admins.parse_live_material(material)
    assert model["complete"] is False and any("rest was not read" in e for e in model["errors"])
    assert local_admins.parse_live_material(_live("live_workstation.json")["administrators"])["complete"] is True


@pytest.mark.parametrize("material, error", [
    (None, "no Administrators material"),
    ({"group_sid": "S-1-5-32-545", "members": []}, "not about S-1-5-32-544"),
    ({"group_sid": "S-1-5-32-544", "method": "net_api", "error": "Access is denied"}, "Access is denied"),
])
def test_live_material_that_says_nothing_is_unread(material, error):
    model = local_admins.parse_live_material(material)
    assert model["read"] is False and error in model["errors"][0]


def test_live_members_without_sid_are_reported():
    model = local_admins.parse_live_material({"group_sid": "S-1-5-32-544", "method": "net_api",
                                              "members": [{"name": "x"}, "junk", {"sid": "S-1-5-32-545"}]})
    assert [m["sid"] for m in model["members"]] == ["S-1-5-32-545"]
    assert len(model["errors"]) == 2 and model["complete"] is False


# ------------------------------------------------------------ administrators table
TABLE = """\
inventory_version: 1
owner: {name: Contoso IT, kind: internal, contact: it@contoso.example}
defaults:
  approval: {ticket: CHG-7, approver: CISO, date: '2026-01-10'}
tasks: []
administrators:
- sid: %(dom)s-512
  justification: Domain Admins
  required: true
- sid: '{machine_sid}-500'
  justification: built-in Administrator (disabled by policy on workstations)
- name: 'CORP\\helpdesk-t2'
  justification: tier 2 helpdesk on admin workstations
  scope: {groups: [admin_workstations]}
  expires: '2026-06-30'
- sid: %(dom)s-1337
  justification: break-glass account
  required: true
  scope: {domain_role: [workstation]}
administrator_policies:
- scope: {domain_role: [workstation]}
  builtin_administrator: disabled
"""


@pytest.fixture
def inventory(tmp_path):
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "admins.yml").write_text(TABLE % {"dom": DOM})
    return load_inventory([str(folder)], today="2026-12-03")


def test_table_loads_with_file_line_errors_for_expired_entries(inventory):
    assert [e["code"] for e in inventory.errors] == ["expired"]
    assert inventory.errors[0]["line"] == 15   # the expires: line of the helpdesk entry
    assert len(inventory.administrators) == 4 and len(inventory.administrator_policies) == 1


def test_table_entry_without_approval_is_refused(tmp_path):
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "a.yml").write_text(TABLE.replace("defaults:\n  approval: {ticket: CHG-7, approver: CISO, "
                                                "date: '2026-01-10'}\n", "") % {"dom": DOM})
    inventory = load_inventory([str(folder)], today="2026-12-03")
    assert {e["code"] for e in inventory.errors} == {"approval_missing"}
    assert inventory.administrators == []


def test_table_schema_errors_point_at_the_line(tmp_path):
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "a.yml").write_text(TABLE.replace("  justification: Domain Admins\n", "  justificaton: x\n")
                                  % {"dom": DOM})
    inventory = load_inventory([str(folder)], today="2026-12-03")
    codes = {(e["code"], e["line"]) for e in inventory.errors}
    assert {("unknown_field", 8), ("missing_field", 7)} <= codes


def test_admin_workstation_findings(inventory):
    material = admin_surface.normalize_live_admin_surface(_live("live_workstation.json"))
    findings = admin_surface.audit(WS, material, None, admin_view=inventory_admins.view(inventory, WS))
    got = {(f["code"], f["params"].get("sid")) for f in findings}
    assert ("TG-A001", ENTRA) in got                       # undocumented Entra member, kept as raw SID
    assert ("TG-A003", DOM + "-6102") in got and ("TG-A001", DOM + "-6102") in got
    assert ("TG-A003", MACH + "-1004") in got
    assert ("TG-A004", MACH + "-500") in got               # enabled although policy says disabled
    assert ("TG-A005", None) not in got
    expired = [f for f in findings if f["code"] == "TG-A005"]
    assert expired[0]["params"]["sid"] == DOM + "-1107"
    assert [f["task"] for f in findings if f["code"] == "TG-A002"] == ["Administrators/%s-1337" % DOM]
    assert not any(f["params"].get("sid") == DOM + "-512" for f in findings)   # documented and required
    undocumented = [f for f in findings if f["code"] == "TG-A001"]
    assert {f["severity"] for f in undocumented} == {"high"}                    # admin workstation
    assert "TG-A011" in {f["code"] for f in findings}                           # net_api failed first


def test_member_server_undocumented_is_medium_and_no_table_is_a_coverage_gap():
    material = admin_surface.normalize_live_admin_surface(_live("live_workstation.json"))
    findings = admin_surface.audit(SRV, material, None, admin_view=None)
    assert "TG-A012" in {f["code"] for f in findings}
    assert {f["severity"] for f in findings if f["code"] == "TG-A001"} == {"medium"}


def test_dc_members_are_judged_and_unreadable_membership_is_high(inventory):
    material = admin_surface.normalize_live_admin_surface(_live("live_dc.json"))
    findings = admin_surface.audit(DC, material, None, admin_view=inventory_admins.view(inventory, DC))
    undocumented = [f for f in findings if f["code"] == "TG-A001"]
    assert undocumented and all(f["severity"] == "high" for f in undocumented)
    assert "shared by every domain controller" in undocumented[0]["evidence"]["note"]
    broken = admin_surface.normalize_live_admin_surface({"administrators": {"group_sid": "S-1-5-32-544",
                                                                            "error": "Access is denied"}})
    [gap] = [f for f in admin_surface.audit(SRV, broken, None, admin_view=None) if f["code"] == "TG-A010"]
    assert gap["severity"] == "high" and "Access is denied" in gap["title"]


# ------------------------------------------------------------ required members, unresolved members
REQUIRED = """\
inventory_version: 1
owner: {name: Contoso IT, kind: internal, contact: it@contoso.example}
defaults:
  approval: {ticket: CHG-7, approver: CISO, date: '2026-01-10'}
tasks: []
administrators:
- name: 'CORP\\Domain Admins'
  justification: Domain Admins, written by name
  required: true
- sid: %(dom)s-512
  justification: Domain Admins by SID
  required: true
- sid: %(dom)s-9999
  justification: break-glass group
  required: true
"""


@pytest.fixture
def required_view(tmp_path):
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "admins.yml").write_text(REQUIRED % {"dom": DOM})
    inventory = load_inventory([str(folder)], today="2026-12-03")
    assert inventory.errors == []
    return inventory_admins.view(inventory, SRV)


def _required_findings(material, view):
    found = admin_surface.audit(SRV, {"administrators": local_admins.parse_live_material(material)}, None,
                                admin_view=view)
    return {(f["code"], f["params"].get("member") or f["params"].get("sid")) for f in found}


def test_unreachable_domain_is_neither_orphaned_nor_missing(required_view):
    material = _live("live_member_server_dc_unreachable.json")["administrators"]
    codes = _required_findings(material, required_view)
    # a name entry cannot be compared while a member's name is unknown: not "missing"
    assert ("TG-A017", "CORP\\Domain Admins") in codes and ("TG-A002", "CORP\\Domain Admins") not in codes
    # a SID entry can be compared with every member: the SID is there, no finding; this one is missing
    assert not {c for c in codes if c[1] == DOM + "-512" and c[0] in ("TG-A002", "TG-A017")}
    assert ("TG-A002", DOM + "-9999") in codes
    # the member whose lookup failed is not called orphaned
    assert ("TG-A003", DOM + "-512") not in codes and ("TG-A003", DOM + "-3301") not in codes
    srv = "S-1-5-21-2870120016-2263418370-3012309931"
    assert ("TG-A003", srv + "-1009") in codes


def test_membership_read_in_part_claims_no_missing_member(required_view):
    material = dict(_live("live_member_server_dc_unreachable.json")["administrators"], truncated=True)
    codes = _required_findings(material, required_view)
    assert ("TG-A017", DOM + "-9999") in codes and not {c for c in codes if c[0] == "TG-A002"}


def test_whole_resolved_membership_still_reports_missing_members(required_view):
    material = _live("live_workstation.json")["administrators"]
    material["members"] = [m for m in material["members"] if m["name"]]
    codes = _required_findings(material, required_view)
    assert ("TG-A002", DOM + "-9999") in codes and not {c for c in codes if c[0] == "TG-A017"}
    assert not {c for c in codes if c[1] in ("CORP\\Domain Admins", DOM + "-512")}


def test_a_workgroup_host_claims_nothing_about_domain_controllers():
    """The locator is only asked on a domain member: on a standalone host its
    failure says nothing, and no 'no domain controller answered' error is made."""
    material = _live("live_member_server_dc_unreachable.json")["administrators"]
    member = local_admins.parse_live_material(material)
    assert any("no domain controller answered" in e for e in member["errors"])
    standalone = local_admins.parse_live_material(dict(material, domain_role=2))
    assert not any("domain controller" in e for e in standalone["errors"])


@pytest.mark.parametrize("members", [None, "S-1-5-32-544", {"sid": "S-1-5-18"}])
def test_no_member_list_is_not_a_complete_empty_group(members):
    material = dict(_live("live_workstation.json")["administrators"], members=members)
    model = local_admins.parse_live_material(material)
    assert model["complete"] is False and model["members"] == []
    assert any("no member list" in e for e in model["errors"])
