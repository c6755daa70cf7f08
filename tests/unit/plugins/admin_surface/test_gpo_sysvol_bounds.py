# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hostile or damaged SYSVOL is never skipped in silence (issue 19): folders that cannot be
listed, links and junctions, huge and malformed files, budgets; each is a TG-G011/TG-G012."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface, gpo_tasks

REPO_ROOT = Path(__file__).resolve().parents[4]
FIX = REPO_ROOT / "tests" / "unit" / "fixtures" / "admin_surface"
GUID = "{31B2F340-016D-11D2-945F-00C04FB984F9}"
EVIL_GUID = "{6AC1786C-016F-11D2-945F-00C04FB984F9}"
DC = {"name": "dc01", "domain_role": "domain_controller", "groups": []}
IMMEDIATE = (FIX / "scheduled_tasks_immediate_system.xml").read_bytes()


def policies(root):
    return root / "Windows" / "SYSVOL" / "domain" / "Policies"


def plant(root, guid, data=IMMEDIATE, scope="Machine"):
    target = policies(root) / guid / scope / "Preferences" / "ScheduledTasks"
    target.mkdir(parents=True, exist_ok=True)
    (target / "ScheduledTasks.xml").write_bytes(data)
    return target / "ScheduledTasks.xml"


def deny_listing(monkeypatch, denied):
    """os.scandir raises PermissionError on the given folders (the tests run as root: chmod does not deny)."""
    real = os.scandir
    denied = {os.path.realpath(p) for p in denied}

    def scandir(path="."):
        if os.path.realpath(path) in denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)
    monkeypatch.setattr(os, "scandir", scandir)


def gaps(root):
    material = admin_surface.collect_offline_admin_surface(str(root))
    return material["gpo_tasks"], {f["code"]: f for f in admin_surface.audit(DC, material, None)}


def test_a_gpo_folder_that_cannot_be_listed_is_reported_and_the_others_read(tmp_path, monkeypatch):
    root = tmp_path / "dc"
    plant(root, GUID)
    plant(root, EVIL_GUID)
    deny_listing(monkeypatch, [policies(root) / GUID / "Machine"])
    result, found = gaps(root)
    assert [t["gpo_guid"] for t in result["tasks"]] == [EVIL_GUID]
    [error] = result["errors"]
    assert error["gpo_guid"] == GUID and "cannot list folder: Permission denied" in error["error"]
    assert error["source"] == "Windows/SYSVOL/domain/Policies/%s/Machine" % GUID
    assert found["TG-G011"]["params"]["count"] == 1
    assert gpo_tasks.fully_read(result) is False


def test_a_policies_folder_that_cannot_be_listed_is_not_an_empty_sysvol(tmp_path, monkeypatch):
    root = tmp_path / "dc"
    plant(root, GUID)
    deny_listing(monkeypatch, [policies(root)])
    result, found = gaps(root)
    assert result["coverage"]["sysvol_found"] is True and result["tasks"] == []
    assert "cannot list folder" in result["errors"][0]["error"]
    assert "TG-G011" in found and gpo_tasks.fully_read(result) is False


def test_an_unlistable_sysvol_folder_is_reported_besides_sysvol_not_found(tmp_path, monkeypatch):
    root = tmp_path / "dc"
    plant(root, GUID)
    deny_listing(monkeypatch, [root / "Windows" / "SYSVOL"])
    result, found = gaps(root)
    assert result["coverage"]["sysvol_found"] is False
    assert {"TG-G010", "TG-G011"} <= set(found)


def test_links_inside_a_policies_folder_are_never_followed(tmp_path):
    root = tmp_path / "dc"
    plant(root, GUID)
    hidden = root / "elsewhere" / EVIL_GUID
    hidden.mkdir(parents=True)
    (policies(root) / EVIL_GUID).symlink_to(hidden)                    # a GPO folder that is a link
    xml = plant(root, "{11111111-2222-3333-4444-555555555555}")
    xml.unlink()
    xml.symlink_to(policies(root) / GUID / "Machine/Preferences/ScheduledTasks/ScheduledTasks.xml")
    result, found = gaps(root)
    assert [t["gpo_guid"] for t in result["tasks"]] == [GUID]
    errors = sorted(e["error"] for e in result["errors"])
    assert errors == ["GPO folder symbolic link or junction (reparse point): not followed",
                      "symbolic link or junction (reparse point): not followed"]
    assert found["TG-G011"]["params"]["count"] == 2


def test_the_sysvol_domain_junction_of_a_real_dc_is_followed_once_without_noise(tmp_path):
    root = tmp_path / "dc"
    plant(root, GUID)
    inner = root / "Windows" / "SYSVOL" / "sysvol"
    inner.mkdir()
    (inner / "corp.contoso.example").symlink_to(root / "Windows" / "SYSVOL" / "domain")
    result, _found = gaps(root)
    assert len(result["tasks"]) == 1 and result["errors"] == [] and gpo_tasks.fully_read(result)


def test_a_junction_leading_out_of_the_evidence_is_refused(tmp_path):
    root = tmp_path / "dc"
    outside = tmp_path / "outside"
    plant(outside, GUID)
    (root / "Windows" / "SYSVOL").mkdir(parents=True)
    (root / "Windows" / "SYSVOL" / "domain").symlink_to(outside / "Windows" / "SYSVOL" / "domain")
    result, found = gaps(root)
    assert result["tasks"] == [] and result["coverage"]["sysvol_found"] is False
    assert "links outside the evidence" in result["errors"][0]["error"]
    assert {"TG-G010", "TG-G011"} <= set(found)


def test_huge_sparse_file_is_refused_after_reading_its_cap_only(tmp_path):
    root = tmp_path / "dc"
    xml = plant(root, GUID)
    with open(xml, "r+b") as handle:
        handle.truncate(8 * 1024 ** 3)                                  # 8 GiB, sparse: nothing to read
    result, found = gaps(root)
    assert result["tasks"] == [] and "exceeds the limit of %d" % gpo_tasks.MAX_FILE_BYTES in result["errors"][0]["error"]
    assert result["coverage"]["bytes_read"] == 0 and "TG-G011" in found


def test_byte_budget_of_the_whole_read_stops_it_and_says_so(tmp_path, monkeypatch):
    root = tmp_path / "dc"
    for n in range(5):
        plant(root, "{%08d-0000-0000-0000-000000000000}" % n)
    monkeypatch.setattr(gpo_tasks, "MAX_TOTAL_BYTES", 2 * len(IMMEDIATE))
    result, found = gaps(root)
    assert len(result["tasks"]) == 2
    assert "this file and the rest were not read" in result["errors"][-1]["error"]
    assert "TG-G011" in found and not gpo_tasks.fully_read(result)


def test_file_budget_of_the_whole_read_stops_it_and_says_so(tmp_path, monkeypatch):
    root = tmp_path / "dc"
    for n in range(4):
        plant(root, "{%08d-0000-0000-0000-000000000000}" % n)
    monkeypatch.setattr(gpo_tasks, "MAX_FILES", 3)
    result, _found = gaps(root)
    assert len(result["tasks"]) == 3 and "not read" in result["errors"][-1]["error"]


def test_a_folder_with_too_many_entries_is_listed_in_part_and_said(tmp_path, monkeypatch):
    root = tmp_path / "dc"
    for n in range(6):
        plant(root, "{%08d-0000-0000-0000-000000000000}" % n)
    monkeypatch.setattr(gpo_tasks, "MAX_FOLDER_ENTRIES", 4)
    result, _found = gaps(root)
    assert "more than 4 entries" in result["errors"][0]["error"]
    assert len(result["tasks"]) == 4


def test_a_deep_tree_under_a_gpo_is_not_walked(tmp_path):
    root = tmp_path / "dc"
    plant(root, GUID)
    deep = policies(root) / GUID / "Machine"
    for n in range(200):
        deep = deep / ("d%d" % n)
    deep.mkdir(parents=True)
    result, _found = gaps(root)
    assert len(result["tasks"]) == 1 and result["errors"] == []


@pytest.mark.parametrize("payload, reason", [
    # billion laughs: refused before any expansion (safe_xml forbids DTDs)
    (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><ScheduledTasks><Task name="&c;"/></ScheduledTasks>', "DOCTYPE"),
    # an external entity that would read a file of the controller
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ScheduledTasks>&e;</ScheduledTasks>',
     "DOCTYPE"),
    (b"\xff\xfe<\x00S\x00", "not well-formed"),
    (b"", "empty"),
])
def test_malformed_and_hostile_xml_is_unparseable(tmp_path, payload, reason):
    root = tmp_path / "dc"
    plant(root, GUID, payload)
    result, found = gaps(root)
    [item] = result["unparseable"]
    assert reason.lower() in item["error"].lower(), item["error"]
    assert "TG-G012" in found and not gpo_tasks.fully_read(result)


def test_deeply_nested_items_do_not_crash(tmp_path):
    root = tmp_path / "dc"
    body = b"<ScheduledTasks>" + b"<TaskV2>" * 5000 + b"</TaskV2>" * 5000 + b"</ScheduledTasks>"
    plant(root, GUID, body)
    result, found = gaps(root)
    assert result["tasks"] == []
    assert result["unparseable"] and ("TG-G012" in found)


def test_live_gpo_folders_not_listed_are_coverage_gaps():
    material = {"found": True, "root": "C:\\Windows\\SYSVOL\\domain\\Policies", "gpo_folders": 1, "errors": [],
                "gpos": [{"guid": GUID, "gpt_ini_b64": None, "files": [],
                          "errors": ["C:\\Windows\\SYSVOL\\domain\\Policies\\%s\\Machine: access denied" % GUID]}]}
    result = gpo_tasks.parse_live_material(material)
    assert result["errors"] == [{"source": GUID, "gpo_guid": GUID,
                                 "error": "C:\\Windows\\SYSVOL\\domain\\Policies\\%s\\Machine: access denied" % GUID}]
    assert not gpo_tasks.fully_read(result)
    found = {f["code"] for f in admin_surface.audit(DC, {"gpo_tasks": result}, None)}
    assert "TG-G011" in found
