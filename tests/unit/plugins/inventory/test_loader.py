# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation: the repo's inventory is valid; each planted corruption names file and line."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import (
    ERROR_CODES, WARNING_CODES, format_problem, load_inventory,
)

from .conftest import REPO_ROOT, TODAY, VALID_VENDOR


def _codes(inventory):
    return [(os.path.basename(p["file"]), p["line"], p["code"]) for p in inventory.errors]


def test_repo_inventory_is_valid():
    inventory = load_inventory([str(REPO_ROOT / "task_inventory")], today=TODAY)
    assert inventory.errors == [], [format_problem(p) for p in inventory.errors]
    assert len(inventory.entries) > 150      # the Windows 10 baseline
    paths = {(e.path or e.path_pattern).casefold() for e in inventory.entries}
    assert "\\gameover" not in paths          # the lab's malicious task is never allow-listed
    assert "\\ansible-*" in paths
    assert not any("s-1-5-21-" in p for p in paths)   # no lab user SID, only {sid}


def test_schema_file_is_valid_json_schema():
    import jsonschema
    schema = json.loads((REPO_ROOT / "schemas" / "task_inventory.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)


def test_empty_inventory_is_valid(tmp_path):
    assert load_inventory([str(tmp_path)], today=TODAY).errors == []
    (tmp_path / "empty.yml").write_text("")
    (tmp_path / "no_tasks.yml").write_text(
        "inventory_version: 1\nowner: {name: a, kind: internal, contact: b}\ntasks: []\n")
    inventory = load_inventory([str(tmp_path)], today=TODAY)
    assert inventory.errors == [] and inventory.entries == []


def test_valid_vendor_file(write):
    write("vendors/contoso.yml", VALID_VENDOR)
    inventory = load_inventory([str(write.root)], today=TODAY)
    assert inventory.errors == []
    assert len(inventory.entries) == 1
    assert inventory.entries[0].source == {"file": str(write.root / "vendors/contoso.yml"), "line": 7}


# (replace-this, with-this, expected code, expected line in the corrupted file)
CORRUPTIONS = {
    "yaml_syntax": ("justification: Nightly backup of the local database.",
                    "justification: [unclosed", "yaml_syntax", 9),
    "duplicate_key": ("expires: \"2027-06-30\"", "expires: \"2027-06-30\"\n    expires: \"2028-01-01\"",
                      "duplicate_key", 19),
    "unknown_field": ("expires: \"2027-06-30\"", "expires: \"2027-06-30\"\n    expiry: \"2028-01-01\"",
                      "unknown_field", 19),
    "wrong_type": ("run_level: LeastPrivilege\n", "run_level: LeastPrivilege\n      hidden_flag: x\n",
                   "unknown_field", 14),
    "wrong_type_bool": ("      actions:", "      hidden: 'yes please'\n      actions:", "wrong_type", 14),
    "missing_field": ("    justification: Nightly backup of the local database.\n", "", "missing_field", 7),
    "invalid_enum": ("logon_type: Password", "logon_type: Batch", "invalid_value", 12),
    "invalid_pattern": ("- path: '\\Contoso\\Backup Nightly'", "- path_pattern: '\\Contoso\\Backup {user}'",
                        "invalid_pattern", 7),
    "too_broad_pattern": ("- path: '\\Contoso\\Backup Nightly'", "- path_pattern: '\\**'", "invalid_pattern", 7),
    "expired": ("expires: \"2027-06-30\"", "expires: \"2026-01-31\"", "expired", 18),
    "bad_date": ("expires: \"2027-06-30\"", "expires: \"2027-02-30\"", "invalid_value", 18),
    "privileged_without_approval": ("user_id: CONTOSO\\svc-backup", "user_id: NT AUTHORITY\\SYSTEM",
                                    "approval_missing", 7),
    "highest_without_approval": ("run_level: LeastPrivilege", "run_level: HighestAvailable", "approval_missing", 7),
    "group_without_approval": ("user_id: CONTOSO\\svc-backup", "group_id: S-1-5-32-544", "approval_missing", 7),
    "both_path_kinds": ("- path: '\\Contoso\\Backup Nightly'",
                        "- path: '\\Contoso\\Backup Nightly'\n    path_pattern: '\\Contoso\\B*'",
                        "conflicting_fields", 7),
    "python_tag": ("justification: Nightly backup of the local database.",
                   "justification: !!python/object/apply:os.system ['id']", "forbidden_tag", 8),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corruption_in_copy_of_repo_inventory(tmp_path, name):
    copy = tmp_path / "task_inventory"
    shutil.copytree(REPO_ROOT / "task_inventory", copy)
    old, new, code, line = CORRUPTIONS[name]
    assert old in VALID_VENDOR
    target = copy / "vendors" / "contoso.yml"
    target.write_text(VALID_VENDOR.replace(old, new, 1), encoding="utf-8")
    inventory = load_inventory([str(copy)], today=TODAY)
    assert ("contoso.yml", line, code) in _codes(inventory), [format_problem(p) for p in inventory.errors]
    # the rest of the repo's inventory stays clean: the error is attributed to the right file
    assert {os.path.basename(p["file"]) for p in inventory.errors} == {"contoso.yml"}
    assert all(p["column"] >= 1 for p in inventory.errors)


def test_all_errors_of_a_run_are_listed_at_once(write):
    write("vendors/a.yml", VALID_VENDOR.replace("logon_type: Password", "logon_type: Batch")
          .replace("expires: \"2027-06-30\"", "expires: \"2027-06-30\"\n    colour: red"))
    write("vendors/b.yml", "inventory_version: 1\nowner: [\n")
    inventory = load_inventory([str(write.root)], today=TODAY)
    codes = {(os.path.basename(p["file"]), p["code"]) for p in inventory.errors}
    assert codes >= {("a.yml", "invalid_value"), ("a.yml", "unknown_field"), ("b.yml", "yaml_syntax")}


def test_unknown_field_suggests_the_right_name(write):
    write("v.yml", VALID_VENDOR.replace("justification:", "justifcation:"))
    messages = [p["message"] for p in load_inventory([str(write.root)], today=TODAY).errors]
    assert any("did you mean 'justification'" in m for m in messages)


def test_overlap_across_files(write):
    write("vendors/contoso.yml", VALID_VENDOR)
    other = VALID_VENDOR.replace("Contoso Backup", "Fabrikam").replace(
        "- path: '\\Contoso\\Backup Nightly'", "- path_pattern: '\\Contoso\\Backup *'")
    write("vendors/fabrikam.yml", other)
    inventory = load_inventory([str(write.root)], today=TODAY)
    overlaps = [p for p in inventory.errors if p["code"] == "overlap"]
    assert len(overlaps) == 1
    assert overlaps[0]["line"] == 7
    assert "contoso.yml:7" in overlaps[0]["message"] or "fabrikam.yml:7" in overlaps[0]["message"]


def test_no_overlap_when_os_families_are_disjoint(write):
    write("a.yml", VALID_VENDOR.replace("    expires:", "    scope: {os_family: [windows_10]}\n    expires:"))
    write("b.yml", VALID_VENDOR.replace("    expires:", "    scope: {os_family: [windows_11]}\n    expires:"))
    assert load_inventory([str(write.root)], today=TODAY).errors == []


def test_no_overlap_when_host_patterns_are_disjoint(write):
    write("a.yml", VALID_VENDOR.replace("    expires:", "    scope: {hosts: ['web*']}\n    expires:"))
    write("b.yml", VALID_VENDOR.replace("    expires:", "    scope: {hosts: ['db*']}\n    expires:"))
    assert load_inventory([str(write.root)], today=TODAY).errors == []
    write("c.yml", VALID_VENDOR.replace("    expires:", "    scope: {hosts: ['w*']}\n    expires:"))
    codes = {p["code"] for p in load_inventory([str(write.root)], today=TODAY).errors}
    assert codes == {"overlap"}


def test_duplicate_exact_entry_in_one_file(write):
    entry = VALID_VENDOR[VALID_VENDOR.index("  - path:"):]
    write("v.yml", VALID_VENDOR + entry)
    problems = load_inventory([str(write.root)], today=TODAY).errors
    assert [(p["code"], p["line"]) for p in problems] == [("duplicate_entry", 20)]


@pytest.mark.hang_seconds(120)   # a safety net against a hang (tests/unit/conftest.py), not a speed bound
def test_alias_bomb_is_refused(write):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append("a%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 10)))
    write("bomb.yml", "\n".join(lines) + "\n")
    inventory = load_inventory([str(write.root)], today=TODAY)     # an expanded bomb never finishes
    assert "alias_limit" in {p["code"] for p in inventory.errors}


def test_python_object_tag_is_not_constructed(write, tmp_path):
    marker = tmp_path / "pwned"
    write("evil.yml", "inventory_version: 1\nowner: !!python/object/apply:os.system ['touch %s']\ntasks: []\n" % marker)
    inventory = load_inventory([str(write.root)], today=TODAY)
    assert [(p["code"], p["line"]) for p in inventory.errors][0] == ("forbidden_tag", 2)
    assert not marker.exists()


def test_other_non_core_tags_are_refused(write):
    write("t.yml", "inventory_version: 1\nowner: !!binary aGVsbG8=\ntasks: !!set {a: null}\n")
    problems = load_inventory([str(write.root)], today=TODAY).errors
    assert [(p["code"], p["line"]) for p in problems if p["code"] == "forbidden_tag"] == \
        [("forbidden_tag", 2), ("forbidden_tag", 3)]


@pytest.mark.hang_seconds(120)   # a safety net against a hang (tests/unit/conftest.py), not a speed bound
def test_ten_megabyte_string_is_refused_quickly(write, monkeypatch):
    from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_yaml

    def never(*_args, **_kwargs):
        raise AssertionError("an over-limit file was parsed")
    monkeypatch.setattr(inventory_yaml, "load_yaml_text", never)     # "quickly": refused before any parsing
    write("big.yml", "inventory_version: 1\nowner: {name: '" + "a" * (10 * 1024 * 1024) + "'}\n")
    problems = load_inventory([str(write.root)], today=TODAY).errors
    assert [p["code"] for p in problems] == ["file_too_large"]


def test_long_scalar_under_the_file_cap_is_refused(write):
    write("long.yml", VALID_VENDOR.replace("Nightly backup of the local database.", "b" * 9000))
    problems = load_inventory([str(write.root)], today=TODAY).errors
    assert ("value_too_long", 8) in [(p["code"], p["line"]) for p in problems]


def test_symlinks_are_refused(write, tmp_path):
    outside = tmp_path / "outside.yml"
    outside.write_text(VALID_VENDOR)
    os.symlink(outside, write.root / "link.yml")
    problems = load_inventory([str(write.root)], today=TODAY).errors
    assert [p["code"] for p in problems] == ["symlink_refused"]


def test_not_utf8(write):
    (write.root / "latin1.yml").write_bytes(b"inventory_version: 1\nowner: {name: \xe9}\n")
    assert [p["code"] for p in load_inventory([str(write.root)], today=TODAY).errors] == ["not_utf8"]


def test_unconfirmed_entries_warn_and_fail_in_strict_mode(write):
    write("v.yml", VALID_VENDOR.replace("    expires:", "    review: {status: unconfirmed, confirm: [owner]}\n    expires:"))
    lenient = load_inventory([str(write.root)], today=TODAY)
    assert lenient.errors == [] and [w["code"] for w in lenient.warnings] == ["unconfirmed"]
    strict = load_inventory([str(write.root)], today=TODAY, strict=True)
    assert [(p["code"], p["line"]) for p in strict.errors] == [("unconfirmed", 18)]


def test_expiring_soon_is_a_warning(write):
    write("v.yml", VALID_VENDOR.replace("2027-06-30", "2026-12-01"))
    inventory = load_inventory([str(write.root)], today=TODAY)
    assert inventory.errors == [] and [w["code"] for w in inventory.warnings] == ["expires_soon"]


def test_expired_entry_is_still_loaded_for_drift(write):
    write("v.yml", VALID_VENDOR.replace("2027-06-30", "2026-01-01"))
    inventory = load_inventory([str(write.root)], today=TODAY)
    assert [p["code"] for p in inventory.errors] == ["expired"]
    assert inventory.entries[0].expired is True


def test_defaults_apply_and_scope_merges(write):
    text = VALID_VENDOR.replace("tasks:\n", "defaults:\n  scope: {os_family: [windows_11]}\n"
                                "  approval: {ticket: CHG-1, approver: bob, date: '2026-01-01'}\ntasks:\n")
    text = text.replace("user_id: CONTOSO\\svc-backup", "user_id: S-1-5-18").replace(
        "    expires:", "    scope: {domain_role: [server]}\n    expires:")
    write("v.yml", text)
    inventory = load_inventory([str(write.root)], today=TODAY)
    assert inventory.errors == []
    entry = inventory.entries[0]
    assert entry.approval["ticket"] == "CHG-1"
    assert entry.scope.applies_to({"os_family": "windows_11", "domain_role": "member_server"})
    assert not entry.scope.applies_to({"os_family": "windows_10", "domain_role": "member_server"})


def test_error_codes_are_documented():
    guide = (REPO_ROOT / "docs" / "task-inventory.md").read_text(encoding="utf-8")
    for code in ERROR_CODES + WARNING_CODES:
        assert "`%s`" % code in guide, code


@pytest.mark.parametrize("old,new,code,line", [
    ("  - path: '\\Contoso\\Backup Nightly'\n    justification:", "  - justification:", "missing_field", 7),
    ("      actions:\n        - type: exec\n          command: '\"C:\\Program Files\\Contoso\\backup.exe\"'\n"
     "          arguments: --nightly --target D:\\backup\n", "      hidden: false\n", "missing_field", 9),
    ("          command: '\"C:\\Program Files\\Contoso\\backup.exe\"'\n", "", "missing_field", 15),
    ("          arguments: --nightly --target D:\\backup\n",
     "          arguments: --nightly --target D:\\backup\n          arguments_pattern: '--nightly *'\n",
     "conflicting_fields", 15),
    ("inventory_version: 1", "inventory_version: 1" + "1" * 5000, "invalid_value", 1),
    ("tasks:\n", "defaults: {expires: '2027-13-01'}\ntasks:\n", "invalid_value", 6),
])
def test_more_shape_errors(write, old, new, code, line):
    assert old in VALID_VENDOR
    write("v.yml", VALID_VENDOR.replace(old, new, 1))
    problems = load_inventory([str(write.root)], today=TODAY).errors
    assert (code, line) in [(p["code"], p["line"]) for p in problems], [format_problem(p) for p in problems]


@pytest.mark.hang_seconds(300)   # a safety net (tests/unit/conftest.py), not a speed bound: 16 s seen on a loaded machine
def test_large_inventory_validates_quickly(write):
    lines = ["inventory_version: 1", "owner: {name: big, kind: internal, contact: x}",
             "defaults: {approval: {ticket: T, approver: A, date: '2026-01-01'}}", "tasks:"]
    for i in range(1500):
        lines.append("  - path_pattern: '\\Big\\Job%04d-*'" % i if i % 3 == 0 else "  - path: '\\Big\\Job%04d'" % i)
        lines.append("    justification: j")
        lines.append("    expected: {actions: [{type: exec, command: 'C:\\Big\\job.exe'}]}")
    write("big.yml", "\n".join(lines) + "\n")
    write("other.yml", "\n".join(lines).replace("name: big", "name: other").replace("\\Big\\", "\\Other\\") + "\n")
    inventory = load_inventory([str(write.root)], today=TODAY)
    assert inventory.errors == [] and len(inventory.entries) == 3000


def test_placeholders_count_as_unconfirmed_even_if_review_says_confirmed(write):
    text = VALID_VENDOR.replace("name: Contoso Backup", "name: 'CONFIRM: owner'").replace(
        "    expires:", "    approval: {ticket: 'CONFIRM: change ticket', approver: bob, date: '2026-01-01'}\n"
        "    review: {status: confirmed}\n    expires:")
    write("v.yml", text)
    strict = load_inventory([str(write.root)], today=TODAY, strict=True)
    assert [(p["code"], p["line"]) for p in strict.errors] == [("unconfirmed", 3), ("unconfirmed", 19)]


def test_unapproved_privileged_entry_is_not_used(write):
    write("v.yml", VALID_VENDOR.replace("user_id: CONTOSO\\svc-backup", "user_id: SYSTEM"))
    inventory = load_inventory([str(write.root)], today=TODAY)
    assert [p["code"] for p in inventory.errors] == ["approval_missing"]
    assert inventory.entries == []
    assert inventory.for_host({}).match("\\Contoso\\Backup Nightly") is None


def test_unknown_os_family_is_a_warning(write):
    write("v.yml", VALID_VENDOR.replace("    expires:", "    scope: {os_family: [windows10]}\n    expires:"))
    inventory = load_inventory([str(write.root)], today=TODAY)
    assert inventory.errors == []
    assert [(w["code"], w["line"]) for w in inventory.warnings] == [("unknown_os_family", 18)]
