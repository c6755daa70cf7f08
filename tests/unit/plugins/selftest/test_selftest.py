# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Judging of playbooks/selftest.yml (plugins/plugin_utils/selftest.py), driven by the
fixtures of passing and failing hosts in tests/unit/fixtures/selftest/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ansible_collections.taskguard.windows.plugins.plugin_utils import selftest
from ansible_collections.taskguard.windows.plugins.plugin_utils.selftest import SelftestInputError

ROOT = Path(__file__).resolve().parents[4]
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "selftest"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def raw(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def document(name, host="lab1"):
    return selftest.build_document(host, selftest.collect_inputs(raw(name)), "2026-12-03T12:00:00Z")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_host_fixture_gets_its_verdicts(name):
    expected = dict(EXPECTED[name])
    left = expected.pop("canary_left_on_host", False)
    doc = document(name)
    assert {a["id"]: a["status"] for a in doc["assumptions"]} == expected
    assert doc["canary_left_on_host"] is left
    assert sum(doc["summary"].values()) == len(selftest.ASSUMPTIONS)


def test_every_fixture_file_is_in_expected():
    assert sorted(p.name for p in FIXTURES.glob("raw_*.json")) == sorted(EXPECTED)


def test_every_verdict_says_what_depends_on_it():
    for item in document("raw_pass.json")["assumptions"]:
        assert item["status"] == "pass"
        assert item["depends"] and item["title"] and item["detail"]


@pytest.mark.parametrize("name,needle", [
    ("raw_hash_with_bom.json", "WITH its byte-order mark"),
    ("raw_hidden_from_api.json", "\\Tarrask"),
    ("raw_operational_disabled.json", "disabled"),
    ("raw_audit_off.json", "success auditing is off"),
    ("raw_save_changes_denied.json", "Group Policy size 196608 KB"),
    ("raw_noscope_missing.json", "RemoteTask-In-TCP-NoScope missing"),
    ("raw_register_failed.json", "could not be registered: Access is denied"),
    ("raw_check_mode.json", "check mode"),
])
def test_details_say_why(name, needle):
    details = " | ".join(a["detail"] for a in document(name)["assumptions"])
    assert needle in details


def test_check_mode_still_judges_the_read_only_assumptions():
    verdicts = {a["id"]: a for a in document("raw_check_mode.json")["assumptions"]}
    for ident in ("ST1", "ST2", "ST3", "ST8"):
        assert verdicts[ident]["status"] == "pass", ident
    assert "no canary in check mode" in verdicts["ST1"]["detail"]


def test_nothing_passes_when_nothing_was_read():
    empty = {"canary_path": "\\taskguard-selftest-0123456789abcdef"}
    doc = selftest.build_document("lab1", selftest.collect_inputs(empty))
    assert doc["summary"]["pass"] == 0
    assert doc["canary_left_on_host"] is False


@pytest.mark.parametrize("mangle", [
    lambda r: r.update(task_info="garbage"),
    lambda r: r["task_info"].update(tasks=[1, None, "x", {"path": 5}]),
    lambda r: r["task_info"].update(sources=None, checks=[1]),
    lambda r: r["events"].update(events={"a": 1}, coverage="x"),
    lambda r: r["firewall"].update(before={"rules": [None, 3]}, lookup_errors="x"),
    lambda r: r["save_changes"].update(output=[None]),
])
def test_hostile_shapes_never_pass_what_they_broke(mangle):
    data = raw("raw_pass.json")
    mangle(data)
    doc = selftest.build_document("lab1", selftest.collect_inputs(data))
    assert doc["summary"]["pass"] < len(selftest.ASSUMPTIONS)


def test_unreadable_policy_state_is_said_not_guessed():
    data = raw("raw_pass.json")
    data["facts"]["registry"] = {"x": 1}
    st7 = [a for a in selftest.build_document("lab1", selftest.collect_inputs(data))["assumptions"] if a["id"] == "ST7"]
    assert "Group Policy size not read" in st7[0]["detail"]


def test_long_host_strings_are_clipped():
    data = raw("raw_pass.json")
    data["register"] = {"failed": True, "msg": "x" * 100000}
    doc = selftest.build_document("lab1", selftest.collect_inputs(data))
    assert len(json.dumps(doc)) < 20000


@pytest.mark.parametrize("path", [None, "", "\\Other", "\\taskguard-selftest-XYZ", "\\taskguard-selftest-1234"])
def test_canary_path_must_be_a_canary(path):
    data = raw("raw_pass.json")
    data["canary_path"] = path
    with pytest.raises(SelftestInputError):
        selftest.collect_inputs(data)


def test_returned_documents_judge_again_to_the_same_verdicts():
    # selftest-*.json: files as the playbook writes them (and as an operator sends
    # them back). Their inputs, judged by this code, give the verdicts they carry.
    documents = sorted(FIXTURES.glob("selftest-*.json"))
    assert documents
    for path in documents:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["schema"] == selftest.SCHEMA
        again = selftest.build_document(doc["host"], doc["inputs"], doc["generated_at"], doc["collection_version"])
        assert again == doc, path.name


def test_written_document_fixture_is_current():
    written = json.loads((FIXTURES / "selftest-lab-pass.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(document("raw_pass.json", host="lab-pass")))


# --- summary -------------------------------------------------------------------------

def test_summary_lists_each_assumption_with_result_and_dependency():
    text = selftest.render_summary(document("raw_noscope_missing.json"))
    for ident, _name, _title, depends in selftest.ASSUMPTIONS:
        assert "| %s |" % ident in text
    assert "| fail |" in text and "hardening TG-H5" in text


def test_summary_warns_first_when_the_canary_is_left_on_the_host():
    text = selftest.render_summary(document("raw_canary_not_removed.json"))
    head = text.split("| id |", maxsplit=1)[0]
    assert "WARNING" in head and "taskguard-selftest-0123456789abcdef could not be removed" in head


def test_summary_escapes_host_text():
    data = raw("raw_pass.json")
    data["register"] = {"failed": True, "msg": "a|b\n# heading <script>"}
    text = selftest.render_summary(selftest.build_document("lab1", selftest.collect_inputs(data)))
    assert "<script>" not in text and "\n# heading" not in text
    assert "a\\|b" in text


# --- target check --------------------------------------------------------------------

HOSTS = ["lab1", "lab2.example.org", "dc01"]
GROUPS = ["all", "ungrouped", "windows", "lab"]


@pytest.mark.parametrize("value,expected", [
    ("lab1", ["lab1"]),
    ("lab2.example.org", ["lab2.example.org"]),
    (" lab1 , dc01 ,lab1", ["lab1", "dc01"]),
])
def test_named_hosts_are_accepted(value, expected):
    assert selftest.selftest_hosts(value, HOSTS, GROUPS) == expected


@pytest.mark.parametrize("value", [
    None, "", "  ", "all", "windows", "lab", "lab*", "lab?", "~lab.*", "!lab1", "lab1:dc01", "lab1:&dc01",
    "lab[1:2]", "lab1,", "unknown", "lab1,unknown", 5,
])
def test_patterns_groups_and_unknown_names_are_refused(value):
    with pytest.raises(SelftestInputError):
        selftest.selftest_hosts(value, HOSTS, GROUPS)


# --- playbook ------------------------------------------------------------------------

def _playbook():
    return yaml.safe_load((ROOT / "playbooks" / "selftest.yml").read_text(encoding="utf-8"))


def _tasks(play):
    for task in play.get("tasks", []):
        yield task
        for key in ("block", "rescue", "always"):
            yield from task.get(key, [])


def test_playbook_checks_the_names_before_contacting_a_host():
    plays = _playbook()
    assert plays[0]["hosts"] == "localhost"
    assert "selftest_hosts" in json.dumps(plays[0]["tasks"][0])
    first = plays[1]["tasks"][0]
    assert first["delegate_to"] == "localhost" and "selftest_hosts" in json.dumps(first)
    assert plays[1]["any_errors_fatal"] is True and plays[1]["gather_facts"] is False


def test_playbook_removes_the_canary_in_always():
    block = next(t for t in _playbook()[1]["tasks"] if "block" in t)
    removal = [t for t in block["always"] if t.get("community.windows.win_scheduled_task", {}).get("state") == "absent"]
    assert removal
    registration = [t for t in block["block"] if "community.windows.win_scheduled_task" in t]
    assert registration[0]["community.windows.win_scheduled_task"]["enabled"] is False
    assert registration[0]["community.windows.win_scheduled_task"]["name"] == removal[0][
        "community.windows.win_scheduled_task"]["name"]


def test_playbook_passes_every_input_the_judge_reads():
    text = json.dumps(_playbook())
    for key in ("check_mode", "canary_path", "register", "remove", "remove_verify", "task_info", "events",
                "audit", "facts", "save_changes", "firewall"):
        assert "'%s':" % key in text, key


def test_playbook_writes_reports_in_check_mode_too():
    write = next(t for t in _tasks(_playbook()[1]) if "ansible.builtin.copy" in t)
    assert write["check_mode"] is False and write["delegate_to"] == "localhost"
