# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPO task state through the real wiring: the audit reads it (pipeline), the report step writes it
after the reports (drift_report action), not in check mode (issue 19 point 1)."""
from __future__ import annotations

from pathlib import Path

from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline

REPO_ROOT = Path(__file__).resolve().parents[4]
FIX = REPO_ROOT / "tests" / "unit" / "fixtures" / "admin_surface"
GUID = "{31B2F340-016D-11D2-945F-00C04FB984F9}"
EVIL_GUID = "{6AC1786C-016F-11D2-945F-00C04FB984F9}"


def plant(root, guid):
    target = root / "Windows" / "SYSVOL" / "domain" / "Policies" / guid / "Machine" / "Preferences" / "ScheduledTasks"
    target.mkdir(parents=True, exist_ok=True)
    (target / "ScheduledTasks.xml").write_bytes((FIX / "scheduled_tasks_immediate_system.xml").read_bytes())


def audit(root, state_dir):
    ctx = pipeline.prepare(inventory_dirs=[str(REPO_ROOT / "task_inventory")], today="2026-12-03")
    hints = {"domain_role": "domain_controller", "state_dir": str(state_dir)}
    result, error = pipeline.audit_offline(ctx, "dc01", hints, root)
    assert error is None
    return result


def report(results, tmp_path, state_dir, check_mode=False):
    from bench import _action
    from ansible_collections.taskguard.windows.plugins.action.drift_report import ActionModule
    action = _action(ActionModule, {"hosts": list(results), "results": results, "report_dir": str(tmp_path / "r"),
                                    "state_dir": str(state_dir), "run_id": "t", "formats": ["json"]})
    action._play_context.check_mode = check_mode
    return action.run(task_vars={})


def rules(result):
    """Every code of every finding: a GPO task's row lists them in its reasons."""
    return {f["code"] for f in result["findings"]} | {r["rule"] for f in result["findings"] for r in f["reasons"]}


def test_state_is_read_by_the_audit_and_written_by_the_report_step(tmp_path):
    root, state_dir = tmp_path / "dc01", tmp_path / "state"
    plant(root, GUID)
    first = audit(root, state_dir)
    assert "TG-G013" in rules(first) and "TG-G005" not in rules(first)
    assert first["gpo_state"]["tasks"] and not (state_dir / "dc01.gpo.json").exists()   # not before the report
    report({"dc01": first}, tmp_path, state_dir)
    assert (state_dir / "dc01.gpo.json").is_file()
    plant(root, EVIL_GUID)
    second = audit(root, state_dir)
    assert "TG-G005" in rules(second) and "TG-G013" not in rules(second)
    [new] = [f for f in second["findings"] if f.get("params", {}).get("gpo_guid") == EVIL_GUID]
    assert new["severity"] == "critical"


def test_check_mode_and_no_state_dir_keep_nothing(tmp_path):
    root, state_dir = tmp_path / "dc01", tmp_path / "state"
    plant(root, GUID)
    first = audit(root, state_dir)
    report({"dc01": first}, tmp_path, state_dir, check_mode=True)
    assert not (state_dir / "dc01.gpo.json").exists()
    ctx = pipeline.prepare(inventory_dirs=[str(REPO_ROOT / "task_inventory")], today="2026-12-03")
    result, _error = pipeline.audit_offline(ctx, "dc01", {"domain_role": "domain_controller"}, root)
    assert result["gpo_state"] is None and "TG-G013" not in rules(result)
