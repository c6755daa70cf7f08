# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet table of who is local admin where (issue 19 point 5) in drift.json,
for one run and for merged slices; hosts not read are listed, never empty rows."""
from __future__ import annotations

from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import merge_reports
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report

DA = "S-1-5-21-1-2-3-512"
ENTRA = "S-1-12-1-1111-2222-3333-4444"


def result(members, read=True):
    return {"status": "audited", "findings": [], "mode": "offline",
            "verdict": {"state": "clean", "reasons": [], "task_sources_read": True},
            "administrators": {"read": read, "method": "sam_hive", "errors": [] if read else ["no SAM hive"],
                               "members": members}}


def test_one_row_per_member_with_each_host_and_whether_it_is_documented():
    results = {
        "srv01": result([{"sid": DA, "name": "CORP\\Domain Admins", "documented": True},
                         {"sid": ENTRA, "name": None, "entra": True, "documented": False}]),
        "srv02": result([{"sid": DA, "name": "CORP\\Domain Admins", "documented": True}]),
        "ws01": result([], read=False),
        "down": {"unreachable": True, "msg": "timeout"},
    }
    doc = build_run_report(results, {"id": "r1", "slice": None})
    table = doc["administrators"]
    assert table["hosts"] == ["srv01", "srv02"]
    assert {u["host"] for u in table["unread"]} == {"ws01", "down"}
    rows = {r["sid"]: r for r in table["members"]}
    assert [c["host"] for c in rows[DA]["hosts"]] == ["srv01", "srv02"]
    assert all(c["documented"] is True for c in rows[DA]["hosts"])
    assert rows[ENTRA]["entra"] is True and rows[ENTRA]["hosts"][0]["documented"] is False


def test_merged_slices_rebuild_the_table_over_every_slice():
    one = build_run_report({"srv01": result([{"sid": DA, "documented": True}])}, {"id": "a", "slice": "1"})
    two = build_run_report({"srv02": result([{"sid": DA, "documented": False}])}, {"id": "a", "slice": "2"})
    merged = merge_reports([("one", one), ("two", two)], run_id="m")
    (row,) = merged["administrators"]["members"]
    assert {(c["host"], c["documented"]) for c in row["hosts"]} == {("srv01", True), ("srv02", False)}


def test_the_table_is_in_the_html_and_markdown_reports_escaped_and_in_both_languages():
    from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import html_page, markdown
    hostile = "<script>alert(1)</script>|x"
    results = {"srv01": result([{"sid": DA, "name": hostile, "documented": False},
                                {"sid": ENTRA, "entra": True, "documented": True}]),
               "ws01": result([], read=False)}
    doc = build_run_report(results, {"id": "r1", "slice": None})
    page = html_page.render(doc).decode("utf-8")
    assert "Who is local administrator where" in page and DA in page and ENTRA in page
    assert "srv01 (not documented)" in page and "Not read: ws01: no SAM hive" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    text = markdown.render(doc, language="ja").decode("utf-8")
    assert "ローカル管理者の一覧" in text and "srv01 (台帳に未記載)" in text and "未取得: ws01" in text
    assert "<script>" not in text


def test_a_task_storing_the_password_of_an_admin_elsewhere_is_found_in_the_report_step():
    svc = "S-1-5-21-1-2-3-1105"
    task = {"path": "\\Backup\\Nightly", "principal": {"user_id": svc, "logon_type": "Password",
                                                       "run_level": "LeastPrivilege"}}
    srv01 = result([{"sid": svc, "documented": True}])
    ws01 = dict(result([]), task_accounts=[task])
    doc = build_run_report({"srv01": srv01, "ws01": ws01}, {"id": "r1", "slice": None})
    (row,) = [f for f in doc["hosts"]["ws01"]["findings"] if f["kind"] == "task_account"]
    assert row["code"] == "TG-A020" and "srv01" in row["title"] and row["severity"] == "high"
    assert doc["hosts"]["ws01"]["verdict"]["state"] == "suspicious"
    assert doc["summary"]["by_kind"]["task_account"] == 1


def test_junit_errors_a_host_whose_tasks_were_never_read_even_when_events_make_it_compromised():
    import xml.etree.ElementTree as ET
    from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import junit
    from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import Findings
    out = Findings("ev01")
    out.add("TG-T001", "\\bouWFQYO", severity="critical")
    events_only = {"status": "partial", "findings": out.rows(), "mode": "offline",
                   "verdict": {"state": "compromised", "reasons": [], "task_sources_read": False}}
    doc = build_run_report({"ev01": events_only}, {"id": "r1", "slice": None})
    root = ET.fromstring(junit.render(doc))
    host_case = next(c for c in root.iter("testcase") if c.get("name") == "ev01")
    assert host_case.find("error") is not None


def test_a_re_run_slice_counts_once_and_the_missing_one_is_named():
    def slice_doc(number, job):
        return build_run_report({"h%d%s" % (number, job): result([])},
                                {"id": "wf", "slice": job, "slice_number": number})
    merged = merge_reports([("a", slice_doc(1, "11")), ("b", slice_doc(1, "14")), ("c", slice_doc(2, "12"))],
                           run_id="m", expected_slices=3)
    assert merged["run"]["missing_slices"]["numbers"] == [3]
    assert merged["run"]["missing_slices"]["missing"] == 1
