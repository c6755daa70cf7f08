# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host status from registered results, fail_on, and merging the reports of slices."""
from __future__ import annotations

import json

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.write import write_reports
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import (
    ReportInputError, load_report, merge_reports,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import (
    build_run_report, fail_on_reached,
)

AUDITED = {"changed": False, "status": "audited", "mode": "offline", "findings": [
    {"id": "0123456789abcdef", "kind": "undocumented", "task": "\\A", "severity": "high", "title": "t",
     "reasons": [], "evidence": {}, "entry": None, "proposed_entry": None, "diff": None}]}


def test_statuses_from_registered_results():
    doc = build_run_report({
        "ok": AUDITED,
        "down": {"unreachable": True, "msg": "Failed to connect to the host via winrm"},
        "broken": {"failed": True, "msg": "collect failed: boom"},
        "skipped": {"skipped": True, "skip_reason": "Conditional result was False"},
        "never": None,
    }, {"id": "r1"})
    status = {h: e["status"] for h, e in doc["hosts"].items()}
    assert status == {"ok": "audited", "down": "unreachable", "broken": "failed", "skipped": "failed", "never": "failed"}
    for host in ("down", "broken", "skipped", "never"):
        (f,) = doc["hosts"][host]["findings"]
        assert f["kind"] in ("unreachable", "failed") and f["severity"] == "high"
    assert doc["hosts"]["down"]["message"] == "Failed to connect to the host via winrm"
    assert doc["summary"]["hosts_by_status"] == {"audited": 1, "partial": 0, "unreachable": 1, "failed": 3}


def test_all_hosts_unreachable_still_gives_a_report():
    doc = build_run_report({"a": {"unreachable": True}, "b": {"unreachable": True}}, {"id": "r"})
    assert doc["summary"]["hosts"] == 2 and doc["summary"]["findings"] == 2


@pytest.mark.parametrize("fail_on,expected", [("never", False), ("critical", False), ("high", True), ("low", True)])
def test_fail_on(fail_on, expected):
    doc = build_run_report({"ok": AUDITED}, {"id": "r"})
    assert fail_on_reached(doc["summary"], fail_on) is expected


def test_merge_slices(tmp_path):
    s1 = build_run_report({"a": AUDITED, "b": {"unreachable": True}}, {"id": "77", "slice": "1", "generated_at": "2026-01-01T00:00:00Z"})
    s2 = build_run_report({"c": AUDITED, "b": AUDITED}, {"id": "77", "slice": "2", "generated_at": "2026-01-01T00:05:00Z"})
    for name, doc in (("s1", s1), ("s2", s2)):
        write_reports(doc, str(tmp_path / name), ["json"])
    docs = [(str(p), load_report(str(p))) for p in sorted(tmp_path.glob("s*/drift.json"))]
    merged = merge_reports(docs, run_id="77")
    assert sorted(merged["hosts"]) == ["a", "b", "c"]
    assert merged["hosts"]["b"]["status"] == "audited"          # newest slice wins
    assert merged["summary"]["hosts"] == 3 and merged["summary"]["findings"] == 3
    assert [m["slice"] for m in merged["run"]["merged_from"]] == ["1", "2"]
    paths = write_reports(merged, str(tmp_path / "merged"))
    assert json.loads(open(paths["json"]).read())["run"]["id"] == "77"


@pytest.mark.parametrize("content,message", [
    (b"{not json", "not valid JSON"),
    (b'{"schema_version": 99}', "schema version"),
    (b'{"schema_version": 1, "hosts": {}}', "not a valid drift report"),
])
def test_merge_rejects_bad_inputs(tmp_path, content, message):
    path = tmp_path / "drift.json"
    path.write_bytes(content)
    with pytest.raises(ReportInputError, match=message):
        load_report(str(path))
