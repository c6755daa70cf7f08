# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight checks of a playbook's inputs (issue 17.3): one message per problem, naming the variable."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import preflight

REPO_ROOT = Path(__file__).resolve().parents[4]


def test_choices_name_the_variable_and_the_allowed_values():
    assert preflight.check_choice("taskguard_fail_on", "high", ["never", "high"]) == []
    assert preflight.check_choice("taskguard_fail_on", "hihg", ["never", "high"]) == [
        "taskguard_fail_on='hihg' is not one of: never, high"]
    assert preflight.check_choice("taskguard_report_formats", ["json", "pdf", "doc"], ["json", "md"]) == [
        "taskguard_report_formats: 'pdf', 'doc' are not one of: json, md"]
    assert preflight.check_choice("f", ["json"], ["json", "md"]) == []


@pytest.mark.parametrize("value,ok", [(True, True), ("false", True), ("yes", True), ("maybe", False), ("", False)])
def test_bools(value, ok):
    assert (preflight.check_bool("taskguard_fail_on_unaudited", value) == []) is ok


@pytest.mark.parametrize("value,ok", [(5000, True), ("10", True), (0, False), (-1, False), ("x", False),
                                      (True, False), (None, False)])
def test_positive_ints(value, ok):
    problems = preflight.check_positive_int("taskguard_max_events", value)
    assert (problems == []) is ok
    assert all(p.startswith("taskguard_max_events=") for p in problems)


def test_a_pattern_that_matches_nothing_is_a_problem():
    assert preflight.check_hosts("taskguard_hosts", "windows", ["dc01"]) == []
    [problem] = preflight.check_hosts("taskguard_hosts", "windws", [])
    assert problem.startswith("taskguard_hosts='windws' matches no host")


def test_inventory_paths_must_exist_and_load(tmp_path):
    name = "taskguard_task_inventory_dir"
    assert preflight.check_inventory_paths(name, [str(REPO_ROOT / "task_inventory")]) == []
    assert preflight.check_inventory_paths(name, [str(tmp_path / "nope")]) == [
        "%s: %s does not exist" % (name, tmp_path / "nope")]
    empty = tmp_path / "empty"
    empty.mkdir()
    [problem] = preflight.check_inventory_paths(name, [str(empty)])
    assert problem.startswith(name + ": no inventory file")
    # a folder of YAML that holds not one usable entry: the wrong folder
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "vendor.yml").write_text("inventory_version: 1\nowner: [\n", encoding="utf-8")
    [problem] = preflight.check_inventory_paths(name, [str(broken)])
    assert problem.startswith(name + ": not one usable entry in %s (wrong folder?): 1 error(s)" % broken)
    assert str(broken / "vendor.yml") + ":" in problem and "yaml_syntax" in problem
    assert preflight.check_inventory_paths(name, []) == [name + " is empty: give the task inventory folder(s) or file(s)"]


def test_a_broken_vendor_file_next_to_usable_entries_is_a_warning_not_a_stop(tmp_path):
    # the audit ignores the broken entries (more findings, never fewer): one bad
    # vendor file must not stop the audit of the whole fleet
    inventory = tmp_path / "inv"
    shutil.copytree(REPO_ROOT / "inventories" / "demo" / "task_inventory", inventory)
    (inventory / "vendor.yml").write_text("inventory_version: 1\nowner: [\n", encoding="utf-8")
    warnings = []
    assert preflight.check_inventory_paths("v", [str(inventory)], warnings=warnings) == []
    [warning] = warnings
    assert warning.startswith("v: entries with errors are ignored by the audit and reported as a coverage gap: 1 error(s)")
    assert preflight.run_checks(preflight.PreflightInputs(inventory={"v": [[str(inventory)]]}), warnings=[]) == []


def test_an_expired_entry_does_not_stop_the_audit(tmp_path):
    # expired entries are drift findings, not operator mistakes
    inventory = tmp_path / "inv"
    shutil.copytree(REPO_ROOT / "inventories" / "demo" / "task_inventory", inventory)
    assert preflight.check_inventory_paths("v", [str(inventory)], today="2099-01-01") == []


def test_writable_dir_is_created_and_probed_without_leftovers(tmp_path):
    target = tmp_path / "reports" / "slice-1"
    assert preflight.check_writable_dir("taskguard_report_dir", str(target)) == []
    assert target.is_dir() and os.listdir(target) == []


def test_a_file_or_a_folder_under_a_file_is_not_writable(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    assert preflight.check_writable_dir("taskguard_state_dir", str(blocker)) == [
        "taskguard_state_dir=%s is a file, not a folder" % blocker]
    [problem] = preflight.check_writable_dir("taskguard_state_dir", str(blocker / "state"))
    assert problem.startswith("taskguard_state_dir=%s cannot be created" % (blocker / "state"))
    assert preflight.check_writable_dir("taskguard_state_dir", "") == ["taskguard_state_dir is empty"]


def test_offline_root_that_is_a_file_is_named_as_such(tmp_path):
    evidence = tmp_path / "evidence.zip"
    evidence.write_bytes(b"PK")
    assert preflight.check_offline_root("srv01", str(evidence)) == [
        "taskguard_offline_root for host srv01 is a file, not an evidence folder: %s" % evidence]
    assert preflight.check_offline_root("srv01", str(tmp_path)) == []
    # missing: the audit reports the host as not audited and the job fails after the reports
    assert preflight.check_offline_root("srv01", str(tmp_path / "missing")) == []
    assert preflight.check_offline_root("srv01", None) == []


def test_files_and_existing_paths(tmp_path):
    rules = tmp_path / "rules.yml"
    rules.write_text("rules: []\n")
    assert preflight.check_files("taskguard_risk_rule_files", [str(rules)]) == []
    assert preflight.check_files("taskguard_risk_rule_files", [str(tmp_path)]) == [
        "taskguard_risk_rule_files: %s is not a file" % tmp_path]
    assert preflight.check_files("taskguard_risk_rule_files", str(tmp_path / "x.yml")) == [
        "taskguard_risk_rule_files: %s does not exist" % (tmp_path / "x.yml")]
    assert preflight.check_exists("d", [str(tmp_path), str(rules)]) == []


def test_run_checks_reports_every_problem_once_in_a_stable_order(tmp_path):
    blocker = tmp_path / "f"
    blocker.write_text("x")
    problems = preflight.run_checks(preflight.PreflightInputs(
        choices={"taskguard_fail_on": ("hihg", ["never", "high"])},
        bools={"taskguard_fail_on_unaudited": "perhaps"},
        hosts=("taskguard_hosts", "windows", ["dc01", "srv01"]),
        # the same inventory named by two hosts is checked once
        inventory={"taskguard_task_inventory_dir": [[str(tmp_path / "nope")], [str(tmp_path / "nope")]]},
        writable={"taskguard_report_dir": str(blocker)},
        offline_roots={"srv01": str(blocker)}))
    assert [p.split("=")[0].split(":")[0].split(" ")[0] for p in problems] == [
        "taskguard_fail_on", "taskguard_fail_on_unaudited", "taskguard_task_inventory_dir",
        "taskguard_report_dir", "taskguard_offline_root"]


def test_connection_libraries_are_checked_per_transport():
    have = {"winrm", "pypsrp"}.__contains__
    check = preflight.check_connection_libraries
    assert check("dc01", "local", None, importable=have) == []
    assert check("dc01", "winrm", "ntlm", importable=have) == []
    [problem] = check("dc01", "ansible.builtin.winrm", "kerberos", importable=have)
    assert problem.startswith("ansible_winrm_transport=kerberos for host dc01 needs the Python library kerberos")
    assert "requirements-winrm.txt" in problem
    assert len(check("dc01", "winrm", ["kerberos", "credssp"], importable=have)) == 2
    assert check("dc01", "winrm", "kerberos", importable=lambda m: False) == [
        "ansible_connection=winrm for host dc01 needs the Python library pywinrm on the controller "
        "(pip install -r requirements.txt)"]
    assert check("dc01", "psrp", None, importable=have) == []


def test_a_missing_library_is_one_line_for_the_whole_fleet(monkeypatch):
    monkeypatch.setattr(preflight, "_importable", lambda module: module != "kerberos")
    problems = preflight.run_checks(preflight.PreflightInputs(connections={
        "dc01": ("winrm", "kerberos"), "dc02": ("winrm", "kerberos"), "srv01": ("winrm", "ntlm")}))
    assert problems == ["ansible_winrm_transport=kerberos for host dc01 (and 1 more host(s)) needs the Python "
                        "library kerberos on the controller: install pywinrm[kerberos] (pykerberos; system "
                        "package krb5 headers, see bindep.txt), e.g. pip install -r requirements-winrm.txt"]


def test_the_example_inventory_connects_securely_and_holds_no_secret():
    import yaml
    example = REPO_ROOT / "inventories" / "example"
    conn = yaml.safe_load((example / "group_vars" / "windows" / "connection.yml").read_text(encoding="utf-8"))
    assert conn["ansible_port"] == 5986 and conn["ansible_winrm_scheme"] == "https"
    assert conn["ansible_winrm_server_cert_validation"] == "validate"
    assert conn["ansible_winrm_transport"] == "kerberos"
    assert conn["ansible_winrm_message_encryption"] == "always"
    assert conn["ansible_winrm_kerberos_delegation"] is False
    for path in example.rglob("*"):
        if path.is_file():
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            text = repr(data).lower()
            assert "password" not in text and "ansible_user" not in text, path


def test_risk_rule_files_must_compile(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("rules: [\n", encoding="utf-8")
    [problem] = preflight.check_risk_rules("taskguard_risk_rule_files", [str(bad)])
    assert problem.startswith("taskguard_risk_rule_files: %s:" % bad) and "invalid YAML" in problem
    assert preflight.check_risk_rules("taskguard_risk_rule_files", []) == []
    assert preflight.check_risk_rules("taskguard_risk_rule_files", str(tmp_path / "none.yml")) == [
        "taskguard_risk_rule_files: %s does not exist" % (tmp_path / "none.yml")]


def test_output_file_must_not_be_a_folder_and_its_folder_writable(tmp_path):
    name = "taskguard_baseline_output"
    assert preflight.check_output_file(name, str(tmp_path / "new" / "learned.yml")) == []
    assert (tmp_path / "new").is_dir() and os.listdir(tmp_path / "new") == []
    assert preflight.check_output_file(name, str(tmp_path)) == ["%s=%s is a folder; give a file name" % (name, tmp_path)]
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    [problem] = preflight.check_output_file(name, str(blocker / "learned.yml"))
    assert problem.startswith("%s: the folder %s is a file, not a folder" % (name, blocker)), problem


def test_dates():
    assert preflight.check_date("taskguard_inventory_today", "2026-11-25") == []
    assert preflight.check_date("taskguard_inventory_today", "2026-13-45") == [
        "taskguard_inventory_today='2026-13-45' is not a calendar date (YYYY-MM-DD)"]
