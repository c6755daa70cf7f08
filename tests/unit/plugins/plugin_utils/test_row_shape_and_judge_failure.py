# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One row shape and one judge-failure row (brief H8 points 4 and 5).

``findings.with_problems`` is the one place an admin-shaped finding becomes a host
row (the audit's own findings, the admin-surface rows of pipeline.judge_admin_surface,
the TG-A024 rows of task_run_as and the report step's fleet-joined rows); a judge
that breaks is one TG-C011 row whose error is cut by errors.clip_text."""
from __future__ import annotations

import copy

from ansible_collections.taskguard.windows.plugins.plugin_utils import (
    admin_findings, findings, pipeline, report_runner, task_run_as,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import MAX_ERROR_TEXT

HOST = {"name": "srv01"}


def admin_shaped():
    out = admin_findings.Findings("srv01")
    out.add("TG-A021", "account/corp\\svc", {"account": "CORP\\svc", "count": 2, "hosts": "a, b"})
    out.add("TG-L001", None, {"detail": "no LAPS policy"})
    return out.sorted()


def test_with_problems_makes_one_row_of_one_problem_and_keeps_the_finding():
    found = admin_shaped()
    before = copy.deepcopy(found)
    rows = [findings.with_problems(f) for f in found]
    assert found == before                      # the findings themselves are not changed
    for finding, row in zip(found, rows):
        assert {k: row[k] for k in finding} == finding
        assert row["kinds"] == [finding["kind"]] and row["proposal_withheld"] is None
        assert row["problems"] == [{"code": finding["code"], "kind": finding["kind"],
                                    "severity": finding["severity"], "title": finding["title"],
                                    "params": finding["params"]}]
    # a proposal already withheld stays withheld
    withheld = dict(found[0], proposal_withheld="investigate first")
    assert findings.with_problems(withheld)["proposal_withheld"] == "investigate first"


def test_the_report_step_shapes_its_rows_with_findings_not_task_run_as():
    assert not hasattr(task_run_as, "as_rows")
    assert "task_run_as" not in vars(report_runner)
    entry = {"status": "audited", "findings": [], "verdict": {"task_sources_read": True}}
    found = admin_shaped()
    report_runner._add_rows(entry, found)
    expected = sorted((findings.with_problems(f) for f in found), key=findings.sort_key)
    assert entry["findings"] == expected


def test_run_as_rows_are_with_problems_rows():
    entry = {"task_accounts": [{"path": "\\Vendor\\Job", "principal": {"user_id": "CORP\\mallory"}}],
             "findings": [], "tier": "member_server", "administrators": {}}
    found = task_run_as.run_as_findings("srv01", entry, None)
    assert [f["code"] for f in found] == ["TG-A024"]
    assert task_run_as.run_as_rows("srv01", entry, None) == [findings.with_problems(f) for f in found]


def test_judge_admin_surface_rows_are_with_problems_rows(monkeypatch):
    found = admin_shaped()
    monkeypatch.setattr(pipeline.admin_surface, "audit", lambda *_a, **_k: copy.deepcopy(found))
    collected = pipeline.Collected(None, None, [], "offline", admin={})
    rows, judged = pipeline.judge_admin_surface(HOST, collected, None, None, None)
    assert judged is True
    (merged,) = [r for r in rows if r["task"]]          # a subject's rows are merged (one here)
    assert merged["proposal_withheld"] is None and merged["problems"][0]["code"] == "TG-A021"
    # as before the one shape: the merge of the finding given proposal_withheld None
    (grouped,) = [f for f in found if f["task"]]
    assert merged == findings.merge_task_findings("srv01", [dict(grouped, proposal_withheld=None)])
    assert [r for r in rows if not r["task"]] == [findings.with_problems(f) for f in found if not f["task"]]


def _broken(*_args, **_kwargs):
    raise ValueError("host text " + "x" * 5000)


def test_both_judges_fail_into_one_clipped_coverage_row_each(monkeypatch):
    monkeypatch.setattr(pipeline.admin_surface, "audit", _broken)
    monkeypatch.setattr(pipeline.task_run_as, "run_as_rows", _broken)
    collected = pipeline.Collected(None, None, [], "offline", admin={})
    admin_rows, judged = pipeline.judge_admin_surface(HOST, collected, None, None, None)
    run_as_rows = pipeline.judge_run_as(HOST, {}, None)
    assert judged is False
    (admin_row,), (run_as_row,) = admin_rows, run_as_rows
    for row, said in ((admin_row, "admin surface could not be judged: ValueError: host text x"),
                      (run_as_row, "task accounts (TG-A024) could not be judged: ValueError: host text x")):
        error = row["params"]["error"]
        assert row["code"] == "TG-C011" and row["severity"] == "high"
        assert error.startswith(said)
        assert len(error) == MAX_ERROR_TEXT and error.endswith("\u2026")    # errors.clip_text's cut
    assert admin_row["id"] != run_as_row["id"]
