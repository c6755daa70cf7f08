# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Task-account findings across merged AWX slices (issue 19 point 4): each slice
joins only its own hosts; the merge joins them again over every slice without
counting a finding twice."""
from __future__ import annotations

import copy

from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import merge_reports
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report

SVC = "S-1-5-21-1-2-3-1105"


def result(tasks=(), admins=()):
    return {"status": "audited", "findings": [], "mode": "offline", "tier": "member_server",
            "verdict": {"state": "clean", "reasons": [], "task_sources_read": True},
            "administrators": {"read": True, "method": "sam_hive", "errors": [],
                               "members": [{"sid": s, "documented": True} for s in admins]},
            "task_accounts": list(tasks)}


def task(path, user_id=SVC, logon_type="S4U"):
    return {"path": path, "principal": {"user_id": user_id, "logon_type": logon_type, "run_level": "LeastPrivilege"}}


def slice_report(number, results):
    return build_run_report(results, {"id": "wf", "slice": str(10 + number), "slice_number": number})


def audited(entry, name):
    """``entry`` with the TG-A024 rows its audit gives it (pipeline.judge_run_as; no
    inventory: every ordinary account is undocumented)."""
    host = {"name": name, "tier": entry["tier"]}
    return dict(entry, findings=entry["findings"] + pipeline.judge_run_as(host, entry, None))


def codes(doc, host):
    return sorted(f["code"] for f in doc["hosts"][host]["findings"])


def test_a_stored_password_of_an_admin_on_a_host_of_another_slice_is_found_after_the_merge():
    one = slice_report(1, {"srv01": result(admins=[SVC])})
    two = slice_report(2, {"ws01": result([task("\\Backup", logon_type="Password")])})
    assert codes(two, "ws01") == []      # the slice alone cannot know srv01
    merged = merge_reports([("one", one), ("two", two)], run_id="m", expected_slices=2)
    (finding,) = merged["hosts"]["ws01"]["findings"]
    assert finding["code"] == "TG-A020" and "srv01" in finding["title"] and finding["severity"] == "high"
    assert merged["hosts"]["ws01"]["verdict"]["state"] == "suspicious"
    assert merged["summary"]["findings"] == 1 and merged["summary"]["by_kind"] == {"task_account": 1}


def test_an_account_on_hosts_of_several_slices_is_one_finding_per_host_with_the_fleet_count():
    one = slice_report(1, {"h1": result([task("\\Job")]), "h2": result([task("\\Job")])})
    two = slice_report(2, {"h3": result([task("\\Job")])})
    assert all(codes(doc, h) == [] for doc in (one, two) for h in doc["hosts"])   # 2 and 1 hosts: below 3
    merged = merge_reports([("one", one), ("two", two)], run_id="m")
    for host in ("h1", "h2", "h3"):
        (finding,) = merged["hosts"][host]["findings"]
        assert finding["code"] == "TG-A021" and finding["params"]["count"] == 3
        assert finding["params"]["hosts"] == "h1, h2, h3"


def test_a_finding_a_slice_already_had_is_replaced_not_counted_twice():
    one = slice_report(1, {"h%d" % i: result([task("\\Job")]) for i in (1, 2, 3)})
    assert [f["params"]["count"] for f in one["hosts"]["h1"]["findings"]] == [3]
    two = slice_report(2, {"h4": result([task("\\Job")])})
    merged = merge_reports([("one", one), ("two", two)], run_id="m")
    for host in ("h1", "h2", "h3", "h4"):
        (finding,) = merged["hosts"][host]["findings"]
        assert finding["code"] == "TG-A021" and finding["params"]["count"] == 4
    assert merged["summary"]["findings"] == 4
    # the merge of one slice with itself (a re-run) changes nothing
    again = merge_reports([("one", one)], run_id="m")
    assert [f["id"] for f in again["hosts"]["h1"]["findings"]] == [f["id"] for f in one["hosts"]["h1"]["findings"]]
    assert again["summary"]["findings"] == one["summary"]["findings"] == 3


def test_per_host_findings_of_a_slice_are_kept_once():
    # TG-A024 comes from each host's audit (its own inventory): the merge keeps it as it was
    one = slice_report(1, {"h1": audited(result([task("\\Job", "CORP\\mallory")]), "h1")})
    two = slice_report(2, {"h2": result()})
    merged = merge_reports([("one", one), ("two", two)], run_id="m")
    assert codes(merged, "h1") == codes(one, "h1") == ["TG-A024"]
    assert merged["hosts"]["h1"]["findings"] == one["hosts"]["h1"]["findings"]


def test_a_run_as_row_survives_the_rejoin_of_the_same_task_with_its_id():
    """The rejoin drops only rows whose every code is fleet-joined: a task whose account
    runs on hosts of several slices (TG-A021, joined again) keeps its TG-A024 row once."""
    one = slice_report(1, {h: audited(result([task("\\Job", "CORP\\mallory")]), h) for h in ("h1", "h2")})
    two = slice_report(2, {"h3": audited(result([task("\\Job", "CORP\\mallory")]), "h3")})
    assert codes(one, "h1") == ["TG-A024"]                 # 2 hosts in the slice: no TG-A021 yet
    merged = merge_reports([("one", one), ("two", two)], run_id="m")
    for host, doc in (("h1", one), ("h2", one), ("h3", two)):
        assert codes(merged, host) == ["TG-A021", "TG-A024"]
        (before,) = [f["id"] for f in doc["hosts"][host]["findings"] if f["code"] == "TG-A024"]
        assert [f["id"] for f in merged["hosts"][host]["findings"] if f["code"] == "TG-A024"] == [before]
    again = merge_reports([("merged", merged)], run_id="m2")      # a merge of a merge changes nothing
    assert codes(again, "h1") == ["TG-A021", "TG-A024"]


def test_a_host_of_an_older_report_without_task_accounts_keeps_its_rows():
    one = slice_report(1, {"srv01": result(admins=[SVC])})
    two = slice_report(2, {"ws01": result([task("\\Backup", logon_type="Password")]), "srv01b": result(admins=[SVC])})
    del two["hosts"]["ws01"]["task_accounts"]       # as written before task accounts were kept
    before = codes(two, "ws01")
    merged = merge_reports([("one", one), ("two", two)], run_id="m")
    assert codes(merged, "ws01") == before == ["TG-A020"]


def test_the_inputs_are_not_changed():
    one = slice_report(1, {"srv01": result(admins=[SVC])})
    two = slice_report(2, {"ws01": result([task("\\Backup", logon_type="Password")])})
    kept = copy.deepcopy((one, two))
    merge_reports([("one", one), ("two", two)], run_id="m")
    assert (one, two) == kept
