# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline SAM and SOFTWARE hives through regipy, written by the tests' own hive writer."""
from __future__ import annotations

import struct

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface, laps, local_admins

from regf_writer import REG_BINARY, REG_DWORD, Key, build_hive

MACH = "S-1-5-21-3623811015-3361044348-30300820"
DOM = "S-1-5-21-1004336348-1177238915-682003330"
ENTRA = "S-1-12-1-2233445566-1122334455-3344556677-1455667788"


def sam_hive(members, *, admin_flags=0x0210, names=(("Administrator", 500), ("Guest", 501))):
    root = Key("ROOT")
    root.ensure("SAM\\Domains\\Builtin\\Aliases\\00000220").values.append(
        ("C", REG_BINARY, local_admins.build_alias_c_value(members)))
    root.ensure("SAM\\Domains\\Account").values.append(("V", REG_BINARY, b"\x00" * 0x40 + local_admins.sid_to_bytes(MACH)))
    for name, rid in names:
        # SAM convention: the default value's type is the account's RID
        root.ensure("SAM\\Domains\\Account\\Users\\Names\\" + name).values.append(("", rid, b""))
    f_value = bytearray(0x50)
    struct.pack_into("<H", f_value, 0x38, admin_flags)
    root.ensure("SAM\\Domains\\Account\\Users\\000001F4").values.append(("F", REG_BINARY, bytes(f_value)))
    return build_hive(root, "\\SystemRoot\\System32\\Config\\SAM")


def evidence(tmp_path, *, sam=None, software=None):
    config = tmp_path / "Windows" / "System32" / "config"
    config.mkdir(parents=True)
    if sam is not None:
        (config / "SAM").write_bytes(sam)
    if software is not None:
        (config / "SOFTWARE").write_bytes(software)
    return tmp_path


def test_sam_hive_gives_members_names_orphans_and_builtin_state(tmp_path):
    root = evidence(tmp_path, sam=sam_hive([MACH + "-500", MACH + "-1004", DOM + "-512", ENTRA]))
    model = local_admins.collect_offline(str(root))
    assert model["read"] is True and model["method"] == "sam_hive" and model["machine_sid"] == MACH
    by_sid = {m["sid"]: m for m in model["members"]}
    assert list(by_sid) == [MACH + "-500", MACH + "-1004", DOM + "-512", ENTRA]
    assert by_sid[MACH + "-500"]["name"] == "Administrator" and by_sid[MACH + "-500"]["orphaned"] is False
    assert by_sid[MACH + "-1004"]["orphaned"] is True
    assert by_sid[ENTRA]["entra"] is True
    assert model["builtin_administrator"] == {"sid": MACH + "-500", "enabled": True}


def test_sam_hive_disabled_builtin_administrator(tmp_path):
    root = evidence(tmp_path, sam=sam_hive([MACH + "-500"], admin_flags=0x0211))
    assert local_admins.collect_offline(str(root))["builtin_administrator"]["enabled"] is False


def test_sam_hive_without_the_alias_key_is_unread(tmp_path):
    root_key = Key("ROOT")
    root_key.ensure("SAM\\Domains\\Account")
    root = evidence(tmp_path, sam=build_hive(root_key, "\\SystemRoot\\System32\\Config\\SAM"))
    model = local_admins.collect_offline(str(root))
    assert model["read"] is False and "00000220" in model["errors"][0]


def software_hive(subkey, values):
    root = Key("ROOT")
    root.ensure(subkey.split("\\", 1)[1]).values.extend(values)
    return build_hive(root)


def test_software_hive_windows_laps_policy_without_events_is_coverage(tmp_path):
    _name, gpo = laps.ROOTS[1]
    values = [("BackupDirectory", REG_DWORD, 2), ("PasswordAgeDays", REG_DWORD, 14)]
    root = evidence(tmp_path, software=software_hive(gpo, values))
    model = laps.collect_offline(str(root))
    assert (model["manager"], model["policy_root"], model["password_age_days"]) == ("windows_laps", "gpo", 14)
    assert model["events_read"] is False
    codes = {f["code"] for f in admin_surface.audit({"name": "ws"}, {"laps": model}, None)}
    assert codes == {"TG-L011"}


def test_software_hive_without_laps_is_not_managed(tmp_path):
    root = evidence(tmp_path, software=software_hive("SOFTWARE\\Contoso", [("x", REG_DWORD, 1)]))
    model = laps.collect_offline(str(root))
    assert model["read"] is True and model["manager"] is None
    assert "TG-L001" in {f["code"] for f in admin_surface.audit({"name": "ws"}, {"laps": model}, None)}


def test_sam_symlinked_outside_the_evidence_is_refused(tmp_path):
    outside = tmp_path / "outside.hive"
    outside.write_bytes(sam_hive([MACH + "-500"]))
    config = tmp_path / "ev" / "Windows" / "System32" / "config"
    config.mkdir(parents=True)
    (config / "SAM").symlink_to(outside)
    model = local_admins.collect_offline(str(tmp_path / "ev"))
    assert model["read"] is False and "outside the evidence" in model["errors"][0]


def test_dc_evidence_sam_is_not_taken_for_the_domain_group(tmp_path):
    root = evidence(tmp_path, sam=sam_hive([MACH + "-500"]))
    material = admin_surface.collect_offline_admin_surface(str(root))
    findings = admin_surface.audit({"name": "dc01", "domain_role": "domain_controller"}, material, None)
    codes = {f["code"] for f in findings}
    assert "TG-A014" in codes and "TG-A001" not in codes
