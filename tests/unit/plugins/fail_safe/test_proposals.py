# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No allowlist proposal for what must be investigated; proposals say what they allow (issue 17.2)."""
from __future__ import annotations

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import (
    INVESTIGATE, build_document, dump_document, propose_entry, propose_for_host, proposal_allowed,
)

TODAY = "2026-11-25"
HOST = {"name": "srv01", "os_family": "windows_server_2022"}


def _task(path="\\Vendor\\Job", *, hidden=False, hidden_reasons=(), user="S-1-5-18"):
    return {"path": path, "name": path.rsplit("\\", 1)[1], "hidden": hidden, "enabled": True,
            "hidden_reasons": list(hidden_reasons),
            "principal": {"user_id": user, "logon_type": "ServiceAccount", "run_level": "HighestAvailable"},
            "actions": [{"type": "exec", "command": "C:\\Vendor\\job.exe", "arguments": "/run"}],
            "triggers": [{"type": "boot", "enabled": True}]}


@pytest.mark.parametrize("severity", ["high", "critical", None, "bogus"])
def test_no_proposal_at_high_critical_or_unknown_severity(severity):
    allowed, why = proposal_allowed(_task(), severity=severity, hidden_reasons=[], risk_reasons=[])
    assert allowed is False
    assert why.startswith(INVESTIGATE)


def test_no_proposal_for_a_concealed_task_even_at_low():
    allowed, why = proposal_allowed(_task(), severity="low", hidden_reasons=["sd_missing"], risk_reasons=[])
    assert not allowed and "concealed" in why and "sd_missing" in why


@pytest.mark.parametrize("level,allowed", [("medium", False), ("high", False), ("critical", False),
                                           (None, False), ("low", True), ("info", True)])
def test_risk_rules_at_medium_or_above_block_proposals(level, allowed):
    reason = {"rule": "TG-R-temp-exec", "title": "runs from a temp folder"}
    if level:
        reason["severity"] = level
    got, why = proposal_allowed(_task(), severity="low", hidden_reasons=[], risk_reasons=[reason])
    assert got is allowed
    assert ("TG-R-temp-exec" in why) is (not allowed)


def test_plain_low_finding_may_be_proposed():
    assert proposal_allowed(_task(), severity="low", hidden_reasons=(), risk_reasons=()) == (True, "")
    assert proposal_allowed(_task(), severity="medium", hidden_reasons=(), risk_reasons=())[0] is True


def test_proposal_never_says_hidden_false_for_a_concealed_task():
    concealed = propose_entry(_task(hidden=False, hidden_reasons=["index_zero"]), HOST, today=TODAY)
    assert "hidden" not in concealed["expected"]
    assert "hidden or not" in concealed["review"]["notes"]
    plain = propose_entry(_task(hidden=False), HOST, today=TODAY)
    assert plain["expected"]["hidden"] is False


def test_proposal_says_what_it_allows_and_stays_valid(tmp_path):
    entry = propose_entry(_task(), HOST, today=TODAY)
    notes = entry["review"]["notes"]
    assert notes.startswith("Allows the task \\Vendor\\Job to run C:\\Vendor\\job.exe /run as S-1-5-18")
    assert "triggered by boot" in notes and "windows_server_2022" in notes and entry["expires"] in notes
    path = tmp_path / "learned.yml"
    path.write_text(dump_document(build_document([entry], owner_name="x", contact="y")), encoding="utf-8")
    inventory = load_inventory([str(path)], today=TODAY)
    assert inventory.errors == []
    assert inventory.entries[0].unconfirmed


def test_learning_lists_concealed_tasks_for_investigation_instead_of_documenting_them():
    entries, problems = propose_for_host([_task("\\WinUpdate", hidden_reasons=["sd_missing"]), _task()], HOST,
                                         today=TODAY)
    assert [e["path"] for e in entries] == ["\\Vendor\\Job"]
    assert problems == [{"host": "srv01", "path": "\\WinUpdate",
                         "error": INVESTIGATE + ": concealed from the scheduler (sd_missing)"}]
