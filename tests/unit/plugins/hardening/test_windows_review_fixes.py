# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 20, defects 1-4: what a review of the Windows side against the platform found.

Where the controller judges, the tests drive ``plugin_utils/hardening.py`` with the
module result fixtures of the new shapes. Where only the PowerShell was wrong (no
PowerShell runs here), a test reads the source and pins the property the fix gives it;
the integration targets check the same on a real host.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from ansible_collections.taskguard.windows.plugins.plugin_utils import hardening
from ansible_collections.taskguard.windows.plugins.plugin_utils.hardening import (
    CONTROLS,
    at_least,
    build_plan,
    evaluate_control,
)

ROOT = Path(__file__).resolve().parents[4]
DEFAULTS = dict({cid: True for cid in CONTROLS}, **{"TG-H5F": False, "TG-H8": False, "fps_force": False})
NOSCOPE = ("RemoteTask-In-TCP-NoScope", "RemoteTask-RPCSS-In-TCP-NoScope")
REMOTE_TASKS_GROUP = "@FirewallAPI.dll,-33252"


def load(unit_fixtures, name):
    return json.loads((unit_fixtures / "hardening" / name).read_text(encoding="utf-8"))


# --- 1: TG-H5 must cover the Domain-profile rules -------------------------------------

def test_h5_defaults_cover_the_domain_profile_rules():
    defaults = yaml.safe_load((ROOT / "roles/hardening/defaults/main.yml").read_text(encoding="utf-8"))
    names = defaults["hardening_firewall_remote_tasks_rules"]
    groups = defaults["hardening_firewall_remote_tasks_groups"]
    assert set(NOSCOPE) <= set(names) or REMOTE_TASKS_GROUP in groups
    # Both, so a host where one selector fails still has the other one.
    assert set(NOSCOPE) <= set(names) and REMOTE_TASKS_GROUP in groups


def test_h5_argument_spec_defaults_match_role_defaults():
    defaults = yaml.safe_load((ROOT / "roles/hardening/defaults/main.yml").read_text(encoding="utf-8"))
    spec = yaml.safe_load((ROOT / "roles/hardening/meta/argument_specs.yml").read_text(encoding="utf-8"))
    options = spec["argument_specs"]["main"]["options"]
    for var in ("hardening_firewall_remote_tasks_rules", "hardening_firewall_remote_tasks_groups"):
        assert options[var]["default"] == defaults[var], var


def test_h5_open_domain_profile_rules_are_not_compliant_in_an_audit(unit_fixtures):
    plan = build_plan(load(unit_fixtures, "facts_member_workstation.json"), DEFAULTS)["controls"]
    result = load(unit_fixtures, "firewall_rule_state_domain_noscope.json")
    record = evaluate_control("TG-H5", plan["TG-H5"], [result], check_mode=True)
    assert record["status"] == "not_compliant"
    assert "RemoteTask-In-TCP-NoScope" in record["detail"]


def test_h5_integration_targets_check_the_noscope_rules():
    for target in ("firewall_rule_state", "role_hardening"):
        text = (ROOT / "tests/integration/targets" / target / "tasks/main.yml").read_text(encoding="utf-8")
        for name in NOSCOPE:
            assert name in text, (target, name)
        assert REMOTE_TASKS_GROUP in text, target


# --- 2: event_channel maximum_size_bytes beyond Int32 ---------------------------------

def _spec_type(module, option):
    source = (ROOT / "plugins/modules" / (module + ".ps1")).read_text(encoding="utf-8")
    match = re.search(r"^\s*%s\s*=\s*@\{\s*type\s*=\s*'(\w+)'" % re.escape(option), source, re.M)
    assert match, "no spec entry for %s in %s.ps1" % (option, module)
    return match.group(1)


def test_event_channel_size_is_not_parsed_as_int32():
    # Ansible.Basic's 'int' is Int32 (Int32.Parse): a 3 GiB Security log fails there.
    assert _spec_type("event_channel", "maximum_size_bytes") != "int"


def test_event_channel_size_doc_type_matches_the_spec():
    doc = (ROOT / "plugins/modules/event_channel.py").read_text(encoding="utf-8")
    options = yaml.safe_load(re.search(r'DOCUMENTATION = r"""(.*?)"""', doc, re.S).group(1))["options"]
    assert options["maximum_size_bytes"]["type"] == _spec_type("event_channel", "maximum_size_bytes")


def test_h4_keeps_a_security_log_beyond_int32(unit_fixtures):
    read = load(unit_fixtures, "event_channel_security_3gib.json")
    size = read["before"]["maximum_size_bytes"]
    assert size > 2 ** 31
    assert at_least(size, 196608 * 1024) == size
    plan = build_plan(load(unit_fixtures, "facts_member_workstation.json"), DEFAULTS)["controls"]
    unchanged = dict(read)
    record = evaluate_control("TG-H4", plan["TG-H4"], [read, unchanged], check_mode=True)
    assert record["status"] == "compliant"


# --- 3: EnableAt that could not be read --------------------------------------------------

def test_enable_at_access_denied_is_returned_as_an_error(unit_fixtures):
    facts = load(unit_fixtures, "facts_enableat_denied.json")
    assert hardening.registry_read_error(facts, "EnableAt") == "Requested registry access is not allowed."
    assert hardening.registry_read_error(facts, "SubmitControl") is None


def test_enable_at_access_denied_is_unknown_never_compliant(unit_fixtures):
    facts = load(unit_fixtures, "facts_enableat_denied.json")
    entry = build_plan(facts, DEFAULTS)["controls"]["TG-H6"]
    assert entry["applicable"] is True
    # Whatever win_regedit reports (it ran, it was skipped, it changed the value),
    # the control was never read, so it is unknown.
    for result in ({"changed": False}, {"changed": False, "skipped": True},
                   {"changed": True, "diff": {"before": "?", "after": "EnableAt=0"}}):
        for check_mode in (True, False):
            record = evaluate_control("TG-H6", entry, [result], check_mode=check_mode)
            assert record["status"] == "unknown", (result, check_mode)
            assert "not allowed" in record["detail"]


def test_enable_at_absent_is_still_compliant(unit_fixtures):
    facts = load(unit_fixtures, "facts_member_workstation.json")
    entry = build_plan(facts, DEFAULTS)["controls"]["TG-H6"]
    assert "read_error" not in entry
    record = evaluate_control("TG-H6", entry, [{"changed": False, "skipped": True}], check_mode=True)
    assert record["status"] == "compliant"


def test_enable_at_error_next_to_exists_false_is_not_absent(unit_fixtures):
    # A collector that reports exists false but also an error did not look.
    facts = load(unit_fixtures, "facts_member_workstation.json")
    for entry in facts["registry"]:
        if entry["name"] == "EnableAt":
            entry["error"] = "Access is denied."
    record = evaluate_control("TG-H6", build_plan(facts, DEFAULTS)["controls"]["TG-H6"],
                              [{"changed": False, "skipped": True}], check_mode=True)
    assert record["status"] == "unknown"


def test_hardening_facts_does_not_silence_registry_errors():
    source = (ROOT / "plugins/modules/hardening_facts.ps1").read_text(encoding="utf-8")
    registry_part = source[source.index("$registryWanted"):]
    assert "SilentlyContinue" not in registry_part


# --- 4: firewall look-up failures are not "missing" ------------------------------------

def test_firewall_lookup_error_is_unknown_even_with_other_rules_found(unit_fixtures):
    plan = build_plan(load(unit_fixtures, "facts_member_workstation.json"), DEFAULTS)["controls"]
    result = load(unit_fixtures, "firewall_rule_state_lookup_error.json")
    for check_mode in (True, False):
        record = evaluate_control("TG-H5", plan["TG-H5"], [result], check_mode=check_mode)
        assert record["status"] == "unknown"
        assert "RemoteTask-In-TCP-NoScope" in record["detail"]
        assert "look-up failed" in record["detail"]


def test_firewall_lookup_errors_garbage_is_unknown(unit_fixtures):
    plan = build_plan(load(unit_fixtures, "facts_member_workstation.json"), DEFAULTS)["controls"]
    result = load(unit_fixtures, "firewall_rule_state_lookup_error.json")
    for garbage in ("denied", {"kind": "name"}, [42]):
        bad = dict(result, lookup_errors=garbage)
        record = evaluate_control("TG-H5", plan["TG-H5"], [bad], check_mode=True)
        assert record["status"] == "unknown", garbage


def test_firewall_without_lookup_errors_key_is_judged_as_before(unit_fixtures):
    # Results of the module before this change (no lookup_errors) keep their meaning.
    plan = build_plan(load(unit_fixtures, "facts_member_workstation.json"), DEFAULTS)["controls"]
    result = load(unit_fixtures, "firewall_rule_state_domain_noscope.json")
    for part in (result, result["before"], result["after"]):
        part.pop("lookup_errors")
    record = evaluate_control("TG-H5", plan["TG-H5"], [result], check_mode=True)
    assert record["status"] == "not_compliant"
