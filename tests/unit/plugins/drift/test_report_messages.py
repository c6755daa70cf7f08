# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report message catalogue (en/ja) and the task cards built from it."""
from __future__ import annotations

import re
import string

import pytest
import yaml

from ansible_collections.taskguard.windows.plugins.plugin_utils import event_model, task_model
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import (
    cards, csv_format, html_page, junit, markdown,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.document import build_report, host_entry
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.messages import (
    CODE_TITLES_JA, GUIDANCE, LANGUAGES, MESSAGES, Messages,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.write import write_reports
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import DEFAULT_RULES_DIR, RiskRuleError, load_rules

findings = pytest.importorskip("ansible_collections.taskguard.windows.plugins.plugin_utils.findings")
JAPANESE = re.compile("[\u3000-\u30ff\u4e00-\u9fff\uff08\uff09]")
SAME_IN_BOTH = {"col.mitre", "misc.dash", "kind.laps"}


def _fields(template):
    return {name for _t, name, _f, _c in string.Formatter().parse(template) if name}


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[lang].strip() for lang in LANGUAGES), key
        assert _fields(texts["en"]) == _fields(texts["ja"]), key
        if key not in SAME_IN_BOTH:
            assert JAPANESE.search(texts["ja"]), "%s: the Japanese text has no Japanese in it" % key


def test_every_catalogue_code_has_a_japanese_title_with_its_placeholders():
    assert set(findings.CATALOGUE) <= set(CODE_TITLES_JA), sorted(set(findings.CATALOGUE) - set(CODE_TITLES_JA))
    for code, entry in findings.CATALOGUE.items():
        assert _fields(CODE_TITLES_JA[code]) == _fields(entry["title"]), code


def test_every_enumeration_a_report_shows_has_a_label():
    msg = Messages("ja")
    for kind in findings.KINDS:
        assert msg.has("kind." + kind) and kind in GUIDANCE, kind
    for state in findings.VERDICTS:
        assert msg.has("verdict." + state), state
    for tier in findings.TIERS:
        assert msg.has("tier." + tier), tier
    for reason in findings.CONCEALMENT_CODES:
        assert msg.has("hidden." + reason), reason
    for _channel, action in event_model.EVENTS.values():
        assert msg.has("event." + action), action
    for trigger in task_model._TRIGGER_TYPES.values():
        assert msg.has("trigger." + trigger), trigger
    for steps in GUIDANCE.values():
        for key in steps[0] + steps[1]:
            assert key in MESSAGES, key


def test_every_default_rule_and_escalation_has_japanese_text():
    with open(DEFAULT_RULES_DIR + "/default.yml", encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    for item in doc["rules"] + doc["escalations"]:
        ja = (item.get("i18n") or {}).get("ja") or {}
        assert JAPANESE.search(ja.get("title", "")) and JAPANESE.search(ja.get("description", "")), item["id"]
    reason = load_rules().by_id["TG-R013"].reason()
    assert reason["i18n"]["ja"]["title"].startswith("レジストリの改ざん") and reason["description"]


def test_rule_i18n_must_be_title_and_description_strings(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("version: 1\nrules:\n  - id: X-1\n    title: t\n    severity: low\n    i18n: {ja: {title: [1]}}\n"
                   "    match: {field: task.path, op: equals, values: ['\\\\x']}\n")
    with pytest.raises(RiskRuleError, match="i18n"):
        load_rules([str(bad)])


def test_unknown_language_falls_back_to_english_and_write_refuses_it(tmp_path):
    assert Messages("xx")("verdict.clean") == "clean"
    with pytest.raises(ValueError, match="language"):
        write_reports(build_report({}, {"id": "r"}), str(tmp_path), language="xx")


# ------------------------------------------------------------------ cards from findings
def _task_finding(**extra):
    task = {"path": "\\Contoso\\Backup\\Nightly Backup", "enabled": True, "hidden": False, "seen_in": ["file", "registry"],
            "hidden_reasons": [], "author": "CONTOSO\\svc-backup",
            "principal": {"id": "LocalSystem", "user_id": "S-1-5-18", "logon_type": None, "run_level": "HighestAvailable"},
            "actions": [{"type": "exec", "command": "C:\\Program Files\\Contoso\\cb.exe", "arguments": "/c C:\\Users\\Public\\x.bat"}],
            "triggers": [{"type": "daily", "enabled": True, "start_boundary": "2024-01-01T23:30:00"}]}
    events = [{"action": "updated", "channel": "Security", "event_id": 4702, "record_id": 2, "user": "CONTOSO\\jdoe",
               "time": "2025-11-22T23:02:55Z", "task": task["path"], "client": {"fqdn": "ws9.contoso.example"}}]
    finding = {"id": "a" * 16, "code": "TG-D001", "params": {"fields": "actions[0].command"}, "kind": "modified",
               "kinds": ["modified", "registered_by"], "task": task["path"], "severity": "high",
               "title": "Task differs from its inventory entry (actions[0].command)",
               "problems": [{"code": "TG-D001", "kind": "modified", "severity": "high", "params": {"fields": "actions[0].command"},
                             "title": "Task differs from its inventory entry (actions[0].command)"},
                            {"code": "TG-D004", "kind": "registered_by", "severity": "medium",
                             "params": {"actions": "updated", "user": "CONTOSO\\jdoe"},
                             "title": "Task updated by an account its entry does not allow: CONTOSO\\jdoe"}],
               "reasons": [dict(load_rules().by_id["TG-R003"].reason())],
               "evidence": {"task": task, "events": events}, "entry": {"file": "task_inventory/vendors/contoso.yml", "line": 11},
               "diff": [{"field": "actions[0].command", "expected": "C:\\Program Files\\Contoso\\agent.exe",
                         "actual": "C:\\Program Files\\Contoso\\cb.exe"}], "proposed_entry": None}
    finding.update(extra)
    return finding


@pytest.mark.parametrize("language", LANGUAGES)
def test_card_shows_command_registrant_entry_and_next_steps(language):
    msg = Messages(language)
    card = cards.card("srv01", _task_finding(), msg)
    assert card["command"] == '"C:\\Program Files\\Contoso\\cb.exe" /c C:\\Users\\Public\\x.bat'
    assert card["registered_by"] == "CONTOSO\\jdoe" and card["registered_at"] == "2025-11-22T23:02:55Z"
    assert card["entry"] == "task_inventory/vendors/contoso.yml:11"
    who = " ".join(v for _l, v, _c in card["who"])
    assert "ws9.contoso.example" in who and "CONTOSO\\jdoe" in who
    assert any("task_inventory/vendors/contoso.yml:11" in step for step in card["investigate"])   # who owns the entry
    assert any("/disable" in step for step in card["remediate"])                                # disable, not delete
    assert "T1053.005" in card["mitre"]
    if language == "ja":
        assert card["title"].startswith("台帳エントリと異なるタスク") and "許可されていない" in card["title"]
        assert "アカウントがタスクを更新しました" in card["title"]         # the event word in Japanese
        assert card["rules"][0]["title"].startswith("ユーザーが書き込める場所")
        assert all(JAPANESE.search(step) for step in card["investigate"] + card["remediate"])


def test_unknown_code_keeps_the_english_title():
    card = cards.card("h", _task_finding(code="TG-X999", problems=[]), Messages("ja"))
    assert card["title"] == "Task differs from its inventory entry (actions[0].command)"


def _old_shape_doc():
    """One finding per problem, no verdict or tier: reports written before the merged finding."""
    def f(fid, kind, sev, task):
        return {"id": fid * 16, "kind": kind, "task": task, "severity": sev, "title": kind, "reasons": [], "evidence": {}}

    def old(entry):
        entry.pop("tier", None)
        entry.pop("verdict", None)
        return entry
    return build_report({
        "dc01": old(host_entry("partial", [f("a", "hidden", "critical", "\\T"), f("b", "undocumented", "critical", "\\T"),
                                           f("c", "coverage_gap", "medium", None)], about={"domain_role": "domain_controller"})),
        "ws01": old(host_entry("unreachable", [f("d", "unreachable", "high", None)], about={"domain_role": None}, message="timeout")),
        "srv01": old(host_entry("audited", [], about={"domain_role": "member_server"})),
    }, {"id": "r"})


def test_fleet_falls_back_for_reports_without_verdicts_and_counts_tasks():
    _msg, groups = cards.fleet(_old_shape_doc(), "en")
    assert [t for t, _v in groups] == ["domain_controller", "member_server", "other"]
    views = {v["host"]: v for v in cards.all_views(groups)}
    assert views["dc01"]["verdict"] == "compromised" and views["dc01"]["tasks"] == 1 and views["dc01"]["gaps"] == 1
    assert views["dc01"]["cards"][0]["kinds"] == ["hidden", "undocumented"]
    assert views["ws01"]["verdict"] == "not_audited" and views["ws01"]["reason"] == "timeout"
    assert views["srv01"]["verdict"] == "clean"


def test_japanese_reports_hold_no_english_catalogue_sentence():
    doc = _old_shape_doc()
    outputs = [html_page.render(doc, "ja").decode("utf-8"), markdown.render(doc, "ja").decode("utf-8"),
               csv_format.render(doc, "ja").decode("utf-8"), junit.render(doc, "ja").decode("utf-8")]
    english = [t["en"] for t in MESSAGES.values() if len(t["en"]) > 12 and not _fields(t["en"]) and t["en"] != t["ja"]]
    for text in outputs:
        leaked = [e for e in english if e in text]
        assert not leaked, leaked[:5]


def test_reports_stay_linear_in_findings():
    """Twice the findings, about twice the bytes (no per-pair work, no quadratic text)."""
    def doc(n):
        rows = [_task_finding(id="%016x" % i, task="\\T%d" % i) for i in range(n)]
        return build_report({"h": host_entry("audited", rows, about={"domain_role": "member_server"})}, {"id": "r"})
    for render in (html_page.render, markdown.render, csv_format.render, junit.render):
        small, large = len(render(doc(50), "ja")), len(render(doc(100), "ja"))
        assert 1.7 < large / small < 2.3, render
