# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unaudited hosts and missing slices (issue 17.4, 17.5)."""
from __future__ import annotations

from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import (
    merge_reports, missing_slices, unaudited_hosts,
)


def _host(status, verdict=None):
    summary = {"findings": 0, "by_severity": {}, "by_kind": {}, "highest_severity": None}
    entry = {"status": status, "findings": [], "summary": summary}
    if verdict is not None:
        entry["verdict"] = verdict
    return entry


def test_unaudited_hosts_from_status_and_verdict():
    hosts = {
        "ok": _host("audited", {"state": "clean", "reasons": [], "task_sources_read": True}),
        "gone": _host("unreachable"),
        "broken": _host("failed"),
        "blind": _host("partial", {"state": "not_audited", "reasons": []}),
        # a critical event finding makes it compromised, but no task was ever seen
        "seen_events_only": _host("partial", {"state": "compromised", "reasons": [], "task_sources_read": False}),
        "partial_old_report": _host("partial"),
    }
    assert unaudited_hosts(hosts) == ["blind", "broken", "gone", "seen_events_only"]
    assert unaudited_hosts({}) == []


def _doc(run_id, slice_id, hosts, number=None, stamp="2026-12-03T10:00:00Z"):
    run = {"id": run_id, "slice": slice_id, "generated_at": stamp}
    if number is not None:
        run["slice_number"] = number
    return {"run": run, "hosts": hosts}


def test_merge_names_missing_slices_when_the_reports_recorded_their_number():
    docs = [("a", _doc("700", "701", {"dc01": _host("audited")}, number=1)),
            ("c", _doc("700", "703", {"srv01": _host("audited")}, number=3))]
    merged = merge_reports(docs, run_id="700", expected_slices=3)
    assert merged["run"]["missing_slices"] == {"expected": 3, "found": 2, "missing": 1, "numbers": [2]}
    assert merged["run"]["expected_slices"] == 3


def test_merge_counts_missing_slices_without_numbers_and_ignores_a_rerun():
    docs = [("a", _doc("700", "701", {"dc01": _host("audited")})),
            ("a2", _doc("700", "701", {"dc01": _host("audited")}, stamp="2026-12-03T11:00:00Z"))]
    merged = merge_reports(docs, run_id="700", expected_slices=2)
    assert merged["run"]["missing_slices"] == {"expected": 2, "found": 1, "missing": 1, "numbers": []}


def test_merge_without_missing_slices_or_without_a_count():
    docs = [("a", _doc("700", "701", {"dc01": _host("audited")})), ("b", _doc("700", "702", {}))]
    assert merge_reports(docs, run_id="700", expected_slices=2)["run"]["missing_slices"] is None
    assert "missing_slices" not in merge_reports(docs, run_id="700")["run"]


def test_missing_slice_numbers():
    assert missing_slices([{"slice_number": 2}, {"slice_number": "x"}, {}], 3) == [1, 3]
    assert missing_slices([], 0) == []
