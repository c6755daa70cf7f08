# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hardening role's compliance reports inside the drift report."""
from __future__ import annotations

import json
import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.compliance_input import MAX_BYTES, read_compliance
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import html_page, markdown
from ansible_collections.taskguard.windows.plugins.plugin_utils.hardening import REPORT_SCHEMA
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import validate_report
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report

HOSTILE = "<script>alert(1)</script> | `x` {{ lookup('pipe','id') }}"


def compliance_doc(host, controls):
    return {"schema": REPORT_SCHEMA, "host": host, "mode": "audit", "generated_at": "2026-11-25T10:00:00Z",
            "controls": controls, "summary": {}}


def write(folder, host, doc):
    (folder / ("compliance-%s.json" % host)).write_text(json.dumps(doc), encoding="utf-8")


def audited():
    return {"status": "audited", "findings": [], "mode": "offline"}


def test_included_missing_and_invalid_hosts(tmp_path):
    write(tmp_path, "dc01", compliance_doc("dc01", [
        {"id": "TG-H1", "name": "Operational channel", "status": "compliant", "detail": None},
        {"id": "TG-H2", "name": "Audit policy", "status": "not_compliant", "detail": HOSTILE},
        {"id": "TG-H5F", "name": "File and Printer Sharing", "status": "not_applicable", "detail": "domain controller"},
        {"id": "TG-H6", "name": "at", "status": "unknown", "detail": None}]))
    write(tmp_path, "srv01", compliance_doc("someone-else", []))
    (tmp_path / "ws01.json").write_text("{}")  # not the file name the role writes: ws01 is not audited
    doc = build_run_report({"dc01": audited(), "srv01": audited(), "ws01": audited()},
                           run={"id": "r1"}, compliance_dir=str(tmp_path))
    validate_report(doc)
    dc = doc["hosts"]["dc01"]["compliance"]
    assert dc["status"] == "included"
    assert dc["summary"] == {"compliant": 1, "not_compliant": 1, "not_applicable": 1, "unknown": 1}
    assert doc["hosts"]["srv01"]["compliance"]["status"] == "invalid"
    assert "someone-else" in doc["hosts"]["srv01"]["compliance"]["error"]
    assert doc["hosts"]["ws01"]["compliance"]["status"] == "not_audited"
    assert doc["summary"]["compliance"] == {
        "hosts_included": 1, "hosts_not_audited": 1, "hosts_invalid": 1,
        "controls": {"compliant": 1, "not_compliant": 1, "not_applicable": 1, "unknown": 1}}


def test_without_compliance_dir_nothing_is_added():
    doc = build_run_report({"h": audited()}, run={"id": "r"})
    assert "compliance" not in doc["hosts"]["h"] and "compliance" not in doc["summary"]


def test_files_that_are_not_compliance_reports_are_invalid_never_compliant(tmp_path):
    cases = {
        "a": b"not json",
        "b": json.dumps({"schema": "other/1", "host": "b", "controls": []}).encode(),
        "c": json.dumps(compliance_doc("c", [{"id": "TG-H1", "status": "fine"}])).encode(),
        "d": b"[" * 100000 + b"]" * 100000,
        "e": b" " * (MAX_BYTES + 1),
        "f": "\udcff".encode("utf-8", "surrogatepass"),
    }
    for host, data in cases.items():
        (tmp_path / ("compliance-%s.json" % host)).write_bytes(data)
        section = read_compliance(str(tmp_path), host)
        assert section["status"] == "invalid", (host, section)
        assert section["controls"] == [] and section["error"]


def test_host_names_cannot_escape_the_folder(tmp_path):
    outside = tmp_path / "compliance-secret.json"
    write(tmp_path, "secret", compliance_doc("../secret", []))
    inner = tmp_path / "inner"
    inner.mkdir()
    section = read_compliance(str(inner), "../secret")
    assert section["status"] == "not_audited"
    assert section["file"].startswith(str(inner)) and outside.exists()


def test_markdown_and_html_show_hostile_detail_inert(tmp_path):
    write(tmp_path, "dc01", compliance_doc("dc01", [
        {"id": "TG-H2", "name": HOSTILE, "status": "not_compliant", "detail": HOSTILE}]))
    doc = build_run_report({"dc01": audited()}, run={"id": "r"}, compliance_dir=str(tmp_path))
    text = markdown.render(doc).decode("utf-8")
    lines = text.split("\n")
    start = lines.index("## Hardening compliance")
    row = next(line for line in lines[start:] if line.startswith("- **dc01**"))
    assert not re.findall(r"(?<!\\)\|", row)             # one list line, no table to break
    assert "TG-H2 (not\\_compliant)" in row
    page = html_page.render(doc).decode("utf-8")
    section = page[page.index("<h2>Hardening compliance</h2>"):page.index("</table>", page.index("<h2>Hardening compliance</h2>"))]
    assert "<script>" not in section and "&lt;script&gt;" in section
