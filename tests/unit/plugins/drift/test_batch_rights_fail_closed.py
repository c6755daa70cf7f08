# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The batch-right table claims only what was read and judged."""
from __future__ import annotations

from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import batch_rights

SID = "S-1-5-21-1-2-3-3307"


def test_deny_only_is_not_claimed_when_the_allow_right_was_not_read():
    entry = {"findings": [], "user_rights": {"rights": {
        "SeBatchLogonRight": {"read": False, "error": "access denied", "holders": []},
        "SeDenyBatchLogonRight": {"read": True, "holders": [{"sid": SID, "name": None}]}}}}
    rows, unread = batch_rights.host_rows(entry)
    assert rows == [] and [r for r, _why in unread] == ["SeBatchLogonRight"]


def test_holders_are_not_reported_when_the_admin_surface_could_not_be_judged(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("judge broke")
    monkeypatch.setattr(pipeline.admin_surface, "audit", boom)
    collected = pipeline.Collected(tasks=None, events=None, problems=[], mode="offline",
                                   admin={"user_rights": {"rights": {}}})
    rows, judged = pipeline.judge_admin_surface({"name": "h"}, collected, None, None, None)
    assert judged is False and [r["code"] for r in rows] == ["TG-C011"]
