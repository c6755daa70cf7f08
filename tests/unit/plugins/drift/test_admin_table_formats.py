# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet table of who is local admin where (issue 19 point 5) in drift.csv and
junit.xml, in both languages, escaped, and never a pass for a group not read."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import csv_format, junit
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.document import build_report, host_entry
from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import Findings
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import merge_reports
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report

DA = "S-1-5-21-1-2-3-512"
ENTRA = "S-1-12-1-1111-2222-3333-4444"
ORPHAN = "S-1-5-21-1-2-3-1190"


def result(members, read=True, findings=(), tier="member_server"):
    return {"status": "audited", "findings": list(findings), "mode": "offline", "tier": tier,
            "verdict": {"state": "clean", "reasons": [], "task_sources_read": True},
            "administrators": {"read": read, "method": "sam_hive", "errors": [] if read else ["no SAM hive"],
                               "members": members}}


def undocumented_member_finding(host, sid):
    out = Findings(host)
    out.add("TG-A001", "Administrators/%s" % sid, params={"member": sid, "sid": sid, "name": None},
            severity="high")
    return out.rows()


def fleet_doc():
    return build_run_report({
        "srv01": result([{"sid": DA, "name": "CORP\\Domain Admins", "documented": True},
                         {"sid": ORPHAN, "orphaned": True, "documented": True}]),
        "ws01": result([{"sid": DA, "name": "CORP\\Domain Admins", "documented": True},
                        {"sid": ENTRA, "entra": True, "documented": False}],
                       findings=undocumented_member_finding("ws01", ENTRA), tier="admin_workstation"),
        "dc01": result([], read=False, tier="domain_controller"),
        "empty": result([]),
    }, {"id": "r1", "slice": None})


def csv_rows(doc, language=None):
    text = csv_format.render(doc, language).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def admin_rows(rows):
    return [r for r in rows[1:] if r[3] == "administrator"]


def test_csv_has_one_administrator_row_per_host_and_member_after_the_findings():
    rows = csv_rows(fleet_doc())
    admins = admin_rows(rows)
    assert rows.index(admins[0]) > max(i for i, r in enumerate(rows) if r[3] != "administrator")
    by_key = {(r[0], r[4]): r for r in admins}
    assert set(by_key) == {("srv01", "Administrators/" + DA), ("srv01", "Administrators/" + ORPHAN),
                           ("ws01", "Administrators/" + DA), ("ws01", "Administrators/" + ENTRA), ("dc01", "")}
    assert by_key[("srv01", "Administrators/" + DA)][6] == "CORP\\Domain Admins (%s)" % DA
    assert by_key[("srv01", "Administrators/" + DA)][10] == "documented"
    assert by_key[("srv01", "Administrators/" + ORPHAN)][10] == "documented, orphaned SID"
    entra = by_key[("ws01", "Administrators/" + ENTRA)]
    assert entra[10] == "not documented, Entra ID" and entra[1] == "admin_workstation"
    finding = fleet_doc()["hosts"]["ws01"]["findings"][0]
    assert entra[9] == "high" and entra[14] == finding["id"]        # linked to the host's finding
    assert by_key[("dc01", "")][10] == "Administrators group not read: no SAM hive"
    assert not [r for r in admins if r[0] == "empty"]              # read, no member: no row, and no "not read"


def test_csv_admin_rows_in_japanese_keep_the_kind_and_escape_formulas():
    doc = build_run_report({"srv01": result([{"sid": DA, "name": "=HYPERLINK(\"http://x\")", "documented": False}]),
                            "ws01": result([], read=False)}, {"id": "r1", "slice": None})
    rows = csv_rows(doc, "ja")
    assert rows[0][3] == "種別"
    (member, unread) = admin_rows(rows)
    assert member[10] == "台帳に未記載" and member[6].startswith("'=HYPERLINK")
    assert unread[10] == "Administrators グループ未取得: no SAM hive"


def test_csv_of_a_report_without_an_administrators_table_has_no_admin_rows():
    doc = build_report({"h": host_entry("audited", [])}, {"id": "r", "slice": None})
    assert admin_rows(csv_rows(doc)) == []


def admin_case(root, host):
    return next(c for c in root.iter("testcase")
                if c.get("classname") == "taskguard.drift." + host and c.get("name") == junit.ADMIN_CASE)


def test_junit_has_an_administrators_testcase_per_host_failing_on_undocumented_or_orphaned_members():
    root = ET.fromstring(junit.render(fleet_doc()))
    srv01, ws01 = admin_case(root, "srv01"), admin_case(root, "ws01")
    assert "1 of 2 member(s)" in srv01.find("failure").get("message") and ORPHAN in srv01.find("failure").get("message")
    assert ENTRA in ws01.find("failure").get("message") and DA not in ws01.find("failure").get("message")
    dc01 = admin_case(root, "dc01")
    assert dc01.find("skipped").get("message") == "Administrators group not read: no SAM hive"
    assert dc01.find("failure") is None and dc01.find("system-out") is None
    empty = admin_case(root, "empty")
    assert empty.find("failure") is None and empty.find("skipped") is None
    assert "0 member(s)" in empty.find("system-out").text


def test_junit_counts_the_admin_testcases():
    root = ET.fromstring(junit.render(fleet_doc()))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    # ws01: its TG-A001 card fails too, and the admin testcase
    assert suites["ws01"].get("failures") == "2" and suites["ws01"].get("tests") == "3"
    assert suites["dc01"].get("skipped") == "1" and suites["dc01"].get("failures") == "0"
    assert root.get("skipped") == "1"
    assert root.get("tests") == str(sum(int(s.get("tests")) for s in suites.values()))
    assert root.get("failures") == str(sum(int(s.get("failures")) for s in suites.values()))


def test_junit_admin_testcase_in_japanese_keeps_its_name():
    root = ET.fromstring(junit.render(fleet_doc(), language="ja"))
    ws01 = admin_case(root, "ws01")
    assert "台帳に未記載" in ws01.find("failure").get("message")
    assert "Administrators グループ未取得" in admin_case(root, "dc01").find("skipped").get("message")


def test_junit_host_absent_from_the_table_is_skipped_not_passed():
    doc = fleet_doc()
    doc["administrators"]["hosts"].remove("empty")          # e.g. a table written by another version
    case = admin_case(ET.fromstring(junit.render(doc)), "empty")
    assert case.find("skipped") is not None


def test_junit_escapes_hostile_member_names():
    hostile = "</failure><script>x</script>\x07"
    doc = build_run_report({"srv01": result([{"sid": DA, "name": hostile, "documented": False}])},
                           {"id": "r1", "slice": None})
    body = junit.render(doc)
    case = admin_case(ET.fromstring(body), "srv01")
    assert "<script>" not in body.decode("utf-8") and "<U+0007>" in case.find("failure").text


def test_merged_slices_show_the_table_over_every_slice_in_csv_and_junit():
    one = build_run_report({"srv01": result([{"sid": DA, "documented": True}])}, {"id": "a", "slice": "1"})
    two = build_run_report({"srv02": result([{"sid": DA, "documented": False}])}, {"id": "a", "slice": "2"})
    merged = merge_reports([("one", one), ("two", two)], run_id="m")
    states = {r[0]: r[10] for r in admin_rows(csv_rows(merged))}
    assert states == {"srv01": "documented", "srv02": "not documented"}
    root = ET.fromstring(junit.render(merged))
    assert admin_case(root, "srv01").find("failure") is None and admin_case(root, "srv02").find("failure") is not None


def test_a_domain_controllers_group_is_named_as_the_domains():
    entry = result([{"sid": DA, "name": "CORP\\Domain Admins", "documented": True}], tier="domain_controller")
    entry["administrators"]["is_domain_controller_builtin"] = True
    doc = build_run_report({"dc01": entry}, {"id": "r1", "slice": None})
    (row,) = admin_rows(csv_rows(doc))
    assert row[10] == "documented, the domain's BUILTIN\\Administrators (domain controller)"
    (row,) = admin_rows(csv_rows(doc, "ja"))
    assert row[10] == "台帳に記載、ドメインの BUILTIN\\Administrators(ドメインコントローラー)"
