# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decision logic of the hardening role: host classification, plan, compliance report."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import hardening
from ansible_collections.taskguard.windows.plugins.plugin_utils.hardening import (
    CONTROLS,
    HardeningInputError,
    at_least,
    build_plan,
    build_report,
    classify_host,
    evaluate_control,
    round_up_64k,
    safe_filename,
)

ALL_ON = {cid: True for cid in CONTROLS}
DEFAULTS = dict(ALL_ON, **{"TG-H5F": False, "TG-H8": False, "fps_force": False})


def load(unit_fixtures, name):
    return json.loads((unit_fixtures / "hardening" / name).read_text(encoding="utf-8"))


@pytest.fixture
def workstation(unit_fixtures):
    return load(unit_fixtures, "facts_member_workstation.json")


@pytest.fixture
def dc(unit_fixtures):
    return load(unit_fixtures, "facts_domain_controller_ja.json")


@pytest.fixture
def fileserver(unit_fixtures):
    return load(unit_fixtures, "facts_member_server_fileserver.json")


@pytest.fixture
def unreadable(unit_fixtures):
    return load(unit_fixtures, "facts_unreadable.json")


# --- classify_host ---------------------------------------------------------------

def test_workstation_is_classified_from_numeric_codes(workstation):
    host = classify_host(workstation)
    assert host["domain_role"] == "member_workstation"
    assert host["is_workstation"] is True
    assert host["is_domain_controller"] is False
    # Only administrative shares: not a file server.
    assert host["file_server"] is False
    assert host["at_exe_present"] is True
    assert host["os_build"] == 19045


def test_dc_is_detected_and_sysvol_counts_as_file_serving(dc):
    host = classify_host(dc)
    assert host["domain_role"] == "domain_controller"
    assert host["is_domain_controller"] is True
    assert host["is_workstation"] is False
    assert host["file_server"] is True
    assert any("SYSVOL" in r for r in host["file_server_reasons"])


def test_localized_caption_is_never_used(dc):
    # Same numeric codes, a caption in any language: same answer.
    other = copy.deepcopy(dc)
    other["os"]["caption"] = "Windows Server Datacenter (Workstation)"
    assert classify_host(other) == classify_host(dc)


def test_product_type_dc_wins_over_domain_role(workstation):
    facts = copy.deepcopy(workstation)
    facts["os"]["product_type"] = 2
    host = classify_host(facts)
    assert host["is_domain_controller"] is True
    assert host["domain_role"] == "domain_controller"


def test_disagreeing_role_codes_make_workstation_unknown(workstation):
    facts = copy.deepcopy(workstation)
    facts["os"]["product_type"] = 3  # server SKU claiming a workstation domain role
    assert classify_host(facts)["is_workstation"] is None


def test_file_server_feature_alone_marks_file_server(workstation):
    facts = copy.deepcopy(workstation)
    facts["features"]["FS-FileServer"] = True
    host = classify_host(facts)
    assert host["file_server"] is True
    assert "feature FS-FileServer is installed" in host["file_server_reasons"]


def test_print_dollar_share_is_not_file_serving(workstation):
    facts = copy.deepcopy(workstation)
    facts["shares"].append({"name": "print$", "type": 0, "path": "C:\\Windows\\system32\\spool\\drivers"})
    facts["shares"].append({"name": "HP", "type": 1, "path": ""})
    assert classify_host(facts)["file_server"] is False


def test_hidden_user_share_is_file_serving(workstation):
    facts = copy.deepcopy(workstation)
    facts["shares"].append({"name": "backup$", "type": 0, "path": "D:\\backup"})
    assert classify_host(facts)["file_server"] is True


def test_unreadable_facts_give_unknowns_not_guesses(unreadable):
    host = classify_host(unreadable)
    assert host["domain_role"] == "unknown"
    assert host["is_domain_controller"] is None
    assert host["is_workstation"] is None
    assert host["file_server"] is None


@pytest.mark.parametrize("garbage", [None, [], "x", {"computer": "x", "os": 5, "shares": "C$"}])
def test_garbage_facts_do_not_crash(garbage):
    host = classify_host(garbage)
    assert host["domain_role"] == "unknown"
    assert host["file_server"] in (None, False)
    assert host["is_domain_controller"] is None


def test_boolean_domain_role_is_not_taken_as_a_number(workstation):
    facts = copy.deepcopy(workstation)
    facts["computer"]["domain_role"] = True
    facts["os"]["product_type"] = None
    assert classify_host(facts)["domain_role"] == "unknown"


def test_malformed_share_entry_makes_file_server_unknown(workstation):
    facts = copy.deepcopy(workstation)
    facts["shares"].append("not a dict")
    assert classify_host(facts)["file_server"] is None


# --- build_plan: the refuse-FPS-on-DC rule and friends -----------------------------

def test_default_plan_on_workstation(workstation):
    plan = build_plan(workstation, DEFAULTS)
    c = plan["controls"]
    for cid in ("TG-H1", "TG-H2", "TG-H3", "TG-H4", "TG-H5", "TG-H6"):
        assert c[cid]["applicable"] is True, cid
    assert c["TG-H5F"]["applicable"] is False
    assert "hardening_firewall_file_printer_sharing" in c["TG-H5F"]["reason"]
    assert c["TG-H7"]["applicable"] is False
    assert "not a domain controller" in c["TG-H7"]["reason"]
    assert c["TG-H8"]["applicable"] is False
    # EnableAt absent: nothing to write, skipping means compliant.
    assert c["TG-H6"]["needs_change"] is False
    assert c["TG-H6"]["compliant_when_skipped"] is True


def test_fps_applies_on_plain_workstation(workstation):
    plan = build_plan(workstation, dict(DEFAULTS, **{"TG-H5F": True}))
    assert plan["controls"]["TG-H5F"]["applicable"] is True
    assert plan["controls"]["TG-H5F"]["refused"] is False


def test_fps_refused_on_domain_controller(dc):
    entry = build_plan(dc, dict(DEFAULTS, **{"TG-H5F": True}))["controls"]["TG-H5F"]
    assert entry["applicable"] is False
    assert entry["refused"] is True
    assert "domain controller" in entry["reason"]
    assert "SYSVOL" in entry["reason"]


def test_fps_refused_on_file_server(fileserver):
    entry = build_plan(fileserver, dict(DEFAULTS, **{"TG-H5F": True}))["controls"]["TG-H5F"]
    assert entry["applicable"] is False
    assert entry["refused"] is True
    assert "file server" in entry["reason"]


def test_fps_refused_on_plain_member_server(workstation):
    facts = copy.deepcopy(workstation)
    facts["computer"]["domain_role"] = 3
    facts["os"]["product_type"] = 3
    entry = build_plan(facts, dict(DEFAULTS, **{"TG-H5F": True}))["controls"]["TG-H5F"]
    assert entry["applicable"] is False
    assert "not a workstation" in entry["reason"]


def test_fps_refused_when_role_unknown(unreadable):
    entry = build_plan(unreadable, dict(DEFAULTS, **{"TG-H5F": True}))["controls"]["TG-H5F"]
    assert entry["applicable"] is False
    assert entry["refused"] is True


def test_fps_forced_on_dc_says_so(dc):
    entry = build_plan(dc, dict(DEFAULTS, **{"TG-H5F": True, "fps_force": True}))["controls"]["TG-H5F"]
    assert entry["applicable"] is True
    assert entry["forced"] is True
    assert entry["reason"].startswith("forced despite: domain controller")


def test_dc_plan_applies_submit_control_and_rewrites_enable_at(dc):
    c = build_plan(dc, DEFAULTS)["controls"]
    assert c["TG-H7"]["applicable"] is True
    assert c["TG-H6"]["needs_change"] is True
    assert c["TG-H6"]["current"] == "EnableAt=1"
    assert c["TG-H4"]["policy_current_kb"] == 4194240


def test_unknown_role_makes_dc_only_control_undecided(unreadable):
    c = build_plan(unreadable, DEFAULTS)["controls"]
    assert c["TG-H7"]["applicable"] is None
    assert c["TG-H8"]["applicable"] is False  # toggle off wins


def test_at_not_applicable_without_at_exe(workstation):
    facts = dict(workstation, at_exe_present=False)
    entry = build_plan(facts, DEFAULTS)["controls"]["TG-H6"]
    assert entry["applicable"] is False
    assert "at.exe" in entry["reason"]


def test_enable_at_unreadable_is_rewritten(workstation):
    facts = dict(workstation, registry=[])
    entry = build_plan(facts, DEFAULTS)["controls"]["TG-H6"]
    assert entry["needs_change"] is True
    assert entry["compliant_when_skipped"] is False


def test_task_scheduler_policies_workstations_only(workstation, dc):
    settings = dict(DEFAULTS, **{"TG-H8": True})
    assert build_plan(workstation, settings)["controls"]["TG-H8"]["applicable"] is True
    assert build_plan(dc, settings)["controls"]["TG-H8"]["applicable"] is False


@pytest.mark.parametrize("bad", [{}, dict(DEFAULTS, **{"TG-H1": "yes"}), "TG-H1"])
def test_bad_settings_are_a_clear_error(workstation, bad):
    with pytest.raises(HardeningInputError):
        build_plan(workstation, bad)


# --- sizes ---------------------------------------------------------------------------

def test_at_least_never_shrinks():
    assert at_least(300 * 1024 * 1024, 200 * 1024 * 1024) == 300 * 1024 * 1024
    assert at_least(1052672, 134217728) == 134217728
    assert at_least(None, 196608) == 196608
    assert at_least("garbage", 196608) == 196608


@pytest.mark.parametrize("bad", [0, -1, None, "x"])
def test_at_least_rejects_bad_minimum(bad):
    with pytest.raises(HardeningInputError):
        at_least(1, bad)


def test_round_up_64k():
    assert round_up_64k(196608 * 1024) == 201326592
    assert round_up_64k(1052672) == 1114112
    assert round_up_64k(65536) == 65536
    with pytest.raises(HardeningInputError):
        round_up_64k(0)


# --- evaluate_control / build_report -------------------------------------------------

def test_check_mode_change_is_not_compliant(unit_fixtures, workstation):
    plan = build_plan(workstation, DEFAULTS)
    read = {"changed": False, "exists": True}
    set_ = load(unit_fixtures, "event_channel_check_disabled.json")
    record = evaluate_control("TG-H1", plan["controls"]["TG-H1"], [read, set_], check_mode=True)
    assert record["status"] == "not_compliant"
    assert "enabled" in record["detail"] and "maximum_size_bytes" in record["detail"]


def test_enforce_mode_change_is_remediated(unit_fixtures, workstation):
    plan = build_plan(workstation, DEFAULTS)
    set_ = load(unit_fixtures, "event_channel_check_disabled.json")
    record = evaluate_control("TG-H1", plan["controls"]["TG-H1"], [set_], check_mode=False)
    assert record["status"] == "compliant"
    assert record["remediated"] is True
    assert record["detail"].startswith("remediated in this run")


def test_missing_channel_is_not_compliant_even_after_enforce(unit_fixtures, workstation):
    plan = build_plan(workstation, DEFAULTS)
    read = load(unit_fixtures, "event_channel_missing.json")
    skipped = {"changed": False, "skipped": True}
    for check_mode in (True, False):
        record = evaluate_control("TG-H1", plan["controls"]["TG-H1"], [read, skipped], check_mode)
        assert record["status"] == "not_compliant"
        assert "does not exist" in record["detail"]


def test_unchanged_is_compliant(unit_fixtures, workstation):
    plan = build_plan(workstation, DEFAULTS)
    result = load(unit_fixtures, "audit_subcategory_unchanged.json")
    record = evaluate_control("TG-H2", plan["controls"]["TG-H2"], [result], check_mode=True)
    assert record["status"] == "compliant"
    assert record["detail"] is None


def test_gpo_firewall_rule_stays_not_compliant(unit_fixtures, workstation):
    plan = build_plan(workstation, DEFAULTS)
    result = load(unit_fixtures, "firewall_rule_state_gpo.json")
    record = evaluate_control("TG-H5", plan["controls"]["TG-H5"], [result], check_mode=False)
    assert record["status"] == "not_compliant"
    assert "Group Policy" in record["detail"]
    assert "RemoteTask-In-TCP" in record["detail"]


def test_failed_task_is_unknown_never_compliant(workstation):
    plan = build_plan(workstation, DEFAULTS)
    failed = {"failed": True, "msg": "Access is denied"}
    record = evaluate_control("TG-H2", plan["controls"]["TG-H2"], [failed], check_mode=True)
    assert record["status"] == "unknown"
    assert "Access is denied" in record["detail"]


def test_all_skipped_is_unknown_unless_plan_says_compliant(workstation, dc):
    skipped = [{"changed": False, "skipped": True}]
    ws_plan = build_plan(workstation, DEFAULTS)["controls"]
    assert evaluate_control("TG-H6", ws_plan["TG-H6"], skipped, True)["status"] == "compliant"
    assert evaluate_control("TG-H3", ws_plan["TG-H3"], skipped, True)["status"] == "unknown"


def test_regedit_result_shape(unit_fixtures, dc):
    plan = build_plan(dc, DEFAULTS)["controls"]
    result = load(unit_fixtures, "win_regedit_changed.json")
    record = evaluate_control("TG-H3", plan["TG-H3"], [result], check_mode=True)
    assert record["status"] == "not_compliant"
    assert "SCENoApplyLegacyAuditPolicy" in record["detail"]


def test_undecided_plan_is_unknown(unreadable):
    plan = build_plan(unreadable, DEFAULTS)["controls"]
    record = evaluate_control("TG-H7", plan["TG-H7"], [], check_mode=True)
    assert record["status"] == "unknown"
    assert "domain role" in record["detail"]


def test_unknown_control_id_is_rejected():
    with pytest.raises(HardeningInputError):
        evaluate_control("TG-H99", {"applicable": True}, [], True)


def test_report_shape_lists_every_control_once(unit_fixtures, dc):
    plan = build_plan(dc, dict(DEFAULTS, **{"TG-H5F": True}))
    records = [
        {"id": "TG-H2", "results": [load(unit_fixtures, "audit_subcategory_unchanged.json")]},
        {"id": "TG-H3", "results": [load(unit_fixtures, "win_regedit_changed.json")]},
        {"id": "TG-H5", "results": [load(unit_fixtures, "firewall_rule_state_gpo.json")]},
    ]
    report = build_report("dc01.corp.example", records, plan, True, "2026-11-25T18:00:00Z")
    assert report["schema"] == "taskguard.hardening.compliance/1"
    assert report["host"] == "dc01.corp.example"
    assert report["mode"] == "audit"
    assert report["domain_role"] == "domain_controller"
    ids = [c["id"] for c in report["controls"]]
    assert ids == ["TG-H1", "TG-H2", "TG-H3", "TG-H4", "TG-H5", "TG-H5F", "TG-H6", "TG-H7", "TG-H8"]
    status = {c["id"]: c["status"] for c in report["controls"]}
    assert status["TG-H2"] == "compliant"
    assert status["TG-H3"] == "not_compliant"
    assert status["TG-H5"] == "not_compliant"
    assert status["TG-H5F"] == "not_applicable"  # refused on the DC
    assert status["TG-H8"] == "not_applicable"   # off by default
    # Applicable but never recorded: we did not look, so unknown.
    assert status["TG-H1"] == "unknown"
    assert status["TG-H7"] == "unknown"
    assert sum(report["summary"].values()) == len(CONTROLS)
    assert report["summary"]["unknown"] == 4  # H1, H4, H6, H7
    for control in report["controls"]:
        assert set(control) >= {"id", "name", "status", "detail"}
        assert control["status"] in hardening.STATUSES
    json.dumps(report)  # serialisable as is


def test_report_rejects_bad_records(workstation):
    plan = build_plan(workstation, DEFAULTS)
    with pytest.raises(HardeningInputError):
        build_report("ws01", [{"id": "nope", "results": []}], plan, True)
    with pytest.raises(HardeningInputError):
        build_report("", [], plan, True)
    with pytest.raises(HardeningInputError):
        build_report("ws01", [], {}, True)


def test_long_host_message_is_clipped(workstation):
    plan = build_plan(workstation, DEFAULTS)["controls"]
    record = evaluate_control("TG-H2", plan["TG-H2"], [{"failed": True, "msg": "x" * 50000}], True)
    assert len(record["detail"]) < 2100


@pytest.mark.parametrize("host,expected", [
    ("ws01.corp.example", "ws01.corp.example"),
    ("../../etc/passwd", "_.._etc_passwd"),
    ("host name/with\\slashes", "host_name_with_slashes"),
])
def test_safe_filename(host, expected):
    assert safe_filename(host) == expected


@pytest.mark.parametrize("bad", ["", None, "..."])
def test_safe_filename_rejects(bad):
    with pytest.raises(HardeningInputError):
        safe_filename(bad)


def _fw_result(rules, missing_names=(), missing_groups=(), changed=False):
    state = {"rules": rules, "missing_names": list(missing_names), "missing_groups": list(missing_groups)}
    return {"changed": changed, "before": state, "after": state, "missing_names": list(missing_names),
            "missing_groups": list(missing_groups), "changed_rules": [], "not_changeable": []}


def test_firewall_selector_matching_nothing_is_unknown(workstation):
    # E.g. a wrong group resource string: we did not see the rules, so no "compliant".
    plan = build_plan(workstation, dict(DEFAULTS, **{"TG-H5F": True}))["controls"]
    result = _fw_result([], missing_groups=["@FirewallAPI.dll,-28502"])
    record = evaluate_control("TG-H5F", plan["TG-H5F"], [result], check_mode=True)
    assert record["status"] == "unknown"
    assert "no firewall rule matched" in record["detail"]


def test_firewall_some_names_missing_is_a_note(workstation):
    plan = build_plan(workstation, DEFAULTS)["controls"]
    rule = {"name": "RemoteTask-In-TCP", "group": "@FirewallAPI.dll,-12345", "direction": "inbound",
            "enabled": False, "profile": "Any", "action": "allow", "source": "Local"}
    result = _fw_result([rule], missing_names=["RemoteTask-RPCSS-In-TCP"])
    record = evaluate_control("TG-H5", plan["TG-H5"], [result], check_mode=True)
    assert record["status"] == "compliant"
    assert record["detail"] == "not found on this host: RemoteTask-RPCSS-In-TCP"


def test_enable_at_detail_says_what_was_found(workstation, dc):
    skipped = [{"changed": False, "skipped": True}]
    ws = evaluate_control("TG-H6", build_plan(workstation, DEFAULTS)["controls"]["TG-H6"], skipped, True)
    assert ws["status"] == "compliant"
    assert ws["detail"] == "before: EnableAt absent (at.exe disabled by default)"
    changed = [{"changed": True, "diff": {"before": "EnableAt=1", "after": "EnableAt=0"}}]
    dc_record = evaluate_control("TG-H6", build_plan(dc, DEFAULTS)["controls"]["TG-H6"], changed, True)
    assert dc_record["status"] == "not_compliant"
    assert dc_record["detail"].endswith("before: EnableAt=1")
