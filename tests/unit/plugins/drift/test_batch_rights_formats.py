# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Holders of "Log on as a batch job" (issue 19 point 4) in drift.html, drift.md and
drift.csv: per host, documented or not, denied, both languages, escaped, and a
right not read is said, never an empty list."""
from __future__ import annotations

import csv
import io

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_findings, user_rights
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import (
    batch_rights, csv_format, html_page, markdown)
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report

DOM = "S-1-5-21-1004336348-1177238915-682003330"
JDOE = DOM + "-3307"
SVC = DOM + "-2201"
BAIT = "<script>alert(1)</script>|=cmd"


def model(allow, deny=(), names=None):
    names = names or {}
    masks = {sid: 0x4 for sid in allow}
    for sid in deny:
        masks[sid] = masks.get(sid, 0) | 0x100
    out = user_rights.from_masks(masks)
    for right in out["rights"].values():
        for holder in right["holders"]:
            holder["name"] = names.get(holder["sid"])
    return out


def result(rights, tier="admin_workstation", host="ws01"):
    findings = admin_findings.Findings(host)
    user_rights.judge(findings, rights, {"name": host, "tier": tier}, None)
    return {"status": "audited", "findings": findings.sorted(), "mode": "offline", "tier": tier,
            "verdict": {"state": "clean", "reasons": [], "task_sources_read": True},
            "user_rights": user_rights.for_report(rights) if isinstance(rights, dict) else None}


def fleet_doc():
    ws = model(["S-1-5-32-544", JDOE, SVC], deny=[SVC], names={JDOE: BAIT})
    srv = user_rights.empty_model("no SECURITY hive in the evidence (Windows/System32/config/SECURITY)",
                                  "security_hive")
    return build_run_report({"ws01": result(ws), "srv01": result(srv, tier="member_server", host="srv01"),
                             "old01": result(None, tier="member_server", host="old01")},
                            {"id": "r1", "slice": None})


def test_rows_state_documented_built_in_denied_and_deny_only():
    doc = fleet_doc()
    rows, unread = batch_rights.host_rows(doc["hosts"]["ws01"])
    by_sid = {r["sid"]: r for r in rows}
    assert unread == []
    assert by_sid["S-1-5-32-544"]["state"] == "built_in" and by_sid["S-1-5-32-544"]["finding"] is None
    assert by_sid[JDOE]["state"] == "undocumented"
    assert by_sid[JDOE]["finding"]["code"] == "TG-A023" and by_sid[JDOE]["finding"]["severity"] == "high"
    # no administrators table at all: every ordinary holder is undocumented (fail closed), the
    # denied one at low
    assert by_sid[SVC]["state"] == "undocumented" and by_sid[SVC]["denied"] is True
    assert by_sid[SVC]["finding"]["severity"] == "low"
    only_denied = {"hosts": {"h": {"findings": [], "user_rights": user_rights.for_report(model([], deny=[SVC]))}}}
    rows, _unread = batch_rights.host_rows(only_denied["hosts"]["h"])
    assert [(r["sid"], r["state"], r["denied"]) for r in rows] == [(SVC, "deny_only", True)]


def test_a_holder_without_a_finding_that_windows_does_not_define_is_documented():
    entry = {"findings": [], "user_rights": user_rights.for_report(model([SVC]))}
    rows, _unread = batch_rights.host_rows(entry)
    assert [(r["sid"], r["state"]) for r in rows] == [(SVC, "documented")]


def test_unread_and_not_collected_are_reasons_never_empty_lists():
    doc = fleet_doc()
    rows, unread = batch_rights.host_rows(doc["hosts"]["srv01"])
    assert rows == [] and [r for r, _reason in unread] == ["SeBatchLogonRight", "SeDenyBatchLogonRight"]
    assert "no SECURITY hive" in unread[0][1]
    assert batch_rights.host_rows(doc["hosts"]["old01"]) == ([], [(None, None)])


def test_no_section_when_no_host_collected_the_holders():
    doc = build_run_report({"old01": result(None, tier="member_server", host="old01")}, {"id": "r1", "slice": None})
    assert not batch_rights.has_holders(doc)
    assert "batch job" not in html_page.render(doc).decode("utf-8")
    assert "batch job" not in markdown.render(doc).decode("utf-8")
    assert not [r for r in csv_rows(doc) if r[3] == csv_format.BATCH_KIND]


def csv_rows(doc, language=None):
    return list(csv.reader(io.StringIO(csv_format.render(doc, language).decode("utf-8-sig"))))


def test_csv_rows_per_host_and_holder_linked_to_the_finding():
    doc = fleet_doc()
    rows = [r for r in csv_rows(doc) if r[3] == "batch_right"]
    by_key = {(r[0], r[4]): r for r in rows}
    admin = by_key[("ws01", "SeBatchLogonRight/S-1-5-32-544")]
    assert admin[6] == "BUILTIN\\Administrators (well-known SID) (S-1-5-32-544)" and admin[10] == "Windows built-in"
    jdoe = by_key[("ws01", "SeBatchLogonRight/" + JDOE)]
    finding = next(f for f in doc["hosts"]["ws01"]["findings"] if f["code"] == "TG-A023" and JDOE in f["task"])
    assert jdoe[10] == "not documented" and jdoe[9] == "high" and jdoe[14] == finding["id"]
    assert jdoe[6] == "%s (%s)" % (BAIT, JDOE)             # starts with <, not a formula; kept as text
    svc = by_key[("ws01", "SeBatchLogonRight/" + SVC)]
    assert svc[10] == "not documented, also holds SeDenyBatchLogonRight (the deny wins)"
    assert [r[10].split(":")[0] for r in rows if r[0] == "srv01"] == [
        "SeBatchLogonRight not read", "SeDenyBatchLogonRight not read"]
    assert "no SECURITY hive in the evidence" in next(r[10] for r in rows if r[0] == "srv01")
    assert by_key[("old01", "")][10] == "batch logon rights not collected"
    ja = {(r[0], r[4]): r for r in csv_rows(doc, "ja") if r[3] == "batch_right"}
    assert ja[("ws01", "SeBatchLogonRight/" + JDOE)][10] == "台帳に未記載"
    assert ja[("old01", "")][10] == "バッチ ログオン権利は未取得"


def test_csv_formula_in_a_holder_name_is_neutralised():
    entry = {"hosts": {"h": {"findings": [], "status": "audited", "tier": "member_server",
                             "user_rights": user_rights.for_report(model([SVC], names={SVC: "=HYPERLINK(1)"}))}}}
    rows = [r for r in csv_rows(entry) if r[3] == "batch_right"]
    assert rows and rows[0][6].startswith("'=HYPERLINK(1)")


def test_html_escapes_holders_and_lists_what_was_not_read():
    doc = fleet_doc()
    page = html_page.render(doc).decode("utf-8")
    section = page[page.index("Who may log on as a batch job"):]
    assert "<script>alert" not in section and "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "<code>%s</code>" % JDOE in section and "not documented" in section
    assert "srv01: SeBatchLogonRight not read: no SECURITY hive" in section
    assert "old01: batch logon rights not collected" in section
    ja = html_page.render(doc, "ja").decode("utf-8")
    assert "バッチ ジョブとしてログオンできるアカウント" in ja and "Windows の組み込み" in ja


def test_markdown_escapes_holders_one_line_each():
    doc = fleet_doc()
    text = markdown.render(doc).decode("utf-8")
    section = text[text.index("## Who may log on as a batch job"):]
    line = next(x for x in section.splitlines() if JDOE in x and x.startswith("- **ws01**"))
    assert "<script>" not in line and "&lt;script&gt;" in line and "\\|=cmd" in line
    assert line.endswith(": not documented")
    assert "- **old01**: batch logon rights not collected" in section
    assert "バッチ ジョブとしてログオンできるアカウント" in markdown.render(doc, "ja").decode("utf-8")


def test_batch_right_finding_card_guides_to_the_right_not_to_a_task_export():
    from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.messages import CODE_GUIDANCE, Messages
    doc = fleet_doc()
    for language, grant in (("en", "gpresult /h"), ("ja", "gpresult /h")):
        text = markdown.render(doc, language).decode("utf-8")
        card = text[text.index("SeBatchLogonRight/%s\n" % JDOE):]
        card = card[:card.index("\n####")] if "\n####" in card else card
        assert grant in card and "4704/4705" in card and "schtasks /query" not in card, language
    for keys in CODE_GUIDANCE.values():
        for key in keys[0] + keys[1]:
            assert Messages("en").has(key) and Messages("ja").has(key), key
