# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end through ansible-playbook: validate.yml exit code/output, baseline.yml fed back."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import (
    format_problem, load_inventory,
)

from .conftest import REPO_ROOT, TODAY, VALID_VENDOR

ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
SID = "S-1-5-21-1111111111-2222222222-3333333333-1001"

_TASK = """<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><URI>{uri}</URI></RegistrationInfo>
  <Triggers>{triggers}</Triggers>
  <Principals><Principal id="Author">{principal}</Principal></Principals>
  <Settings><Hidden>{hidden}</Hidden></Settings>
  <Actions Context="Author">{actions}</Actions>
</Task>
"""
HAND_WRITTEN = {
    "Contoso/Backup Nightly": dict(
        triggers=("<CalendarTrigger><StartBoundary>2026-01-01T02:00:00</StartBoundary>"
                  "<ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay></CalendarTrigger>"),
        principal="<UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel>", hidden="false",
        actions="<Exec><Command>\"C:\\Program Files\\Contoso\\backup.exe\"</Command><Arguments>--nightly</Arguments></Exec>"),
    "Contoso Sync-" + SID: dict(
        triggers="<LogonTrigger><UserId>" + SID + "</UserId></LogonTrigger>",
        principal="<UserId>" + SID + "</UserId><LogonType>InteractiveToken</LogonType>", hidden="false",
        actions="<Exec><Command>%LocalAppData%\\Contoso\\sync.exe</Command></Exec>"),
    "Microsoft/Windows/Contoso/Com": dict(
        triggers="", principal="<GroupId>S-1-5-4</GroupId>", hidden="true",
        actions="<ComHandler><ClassId>{11111111-2222-3333-4444-555555555555}</ClassId><Data>x</Data></ComHandler>"),
}


def _run(*args, cwd=REPO_ROOT):
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_DEPRECATION_WARNINGS="0",
               ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"))
    return subprocess.run([ANSIBLE_PLAYBOOK, *args], cwd=str(cwd), env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def _evidence(root, tasks):
    tasks_dir = root / "Windows" / "System32" / "Tasks"
    for rel, parts in tasks.items():
        target = tasks_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        xml = _TASK.format(uri="\\" + rel.replace("/", "\\"), **parts).replace("\n", "\r\n")
        target.write_bytes(b"\xff\xfe" + xml.encode("utf-16-le"))
    return root


def test_validate_playbook_passes_on_repo():
    proc = _run("playbooks/validate.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_validate_playbook_fails_and_prints_every_error(tmp_path):
    copy = tmp_path / "inv"
    shutil.copytree(REPO_ROOT / "task_inventory", copy)
    bad = VALID_VENDOR.replace("logon_type: Password", "logon_type: Batch").replace(
        "expires: \"2027-06-30\"", "expires: \"2027-06-30\"\n    colour: red")
    (copy / "vendors").mkdir(exist_ok=True)
    (copy / "vendors" / "contoso.yml").write_text(bad, encoding="utf-8")
    proc = _run("playbooks/validate.yml", "-e", "taskguard_task_inventory_dir=%s" % copy,
                "-e", "taskguard_inventory_today=%s" % TODAY)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    target = str(copy / "vendors" / "contoso.yml")
    assert "%s:12:21: invalid_value:" % target in out
    assert "%s:19:5: unknown_field:" % target in out


def test_baseline_playbook_offline_writes_a_valid_file_that_feeds_back_clean(tmp_path):
    from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import collect_offline_tasks
    evidence = _evidence(tmp_path / "ev", HAND_WRITTEN)
    hosts = tmp_path / "hosts.yml"
    hosts.write_text(textwrap.dedent("""\
        all:
          children:
            windows:
              hosts:
                ws01: {taskguard_offline_root: %s, taskguard_os_family: windows_11}
                ghost: {taskguard_offline_root: %s}
        """ % (evidence, tmp_path / "missing")))
    output = tmp_path / "out" / "learned.yml"
    proc = _run("-i", str(hosts), "playbooks/baseline.yml", "-e", "taskguard_baseline_output=%s" % output)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    text = output.read_text(encoding="utf-8")
    assert "# NOT LEARNED ghost:" in text          # the unreachable host is said, not skipped silently
    assert SID not in text.split("---", 1)[1]      # per-user task generalized to {sid}
    inventory = load_inventory([str(output)], today=TODAY)
    assert inventory.errors == [], [format_problem(p) for p in inventory.errors]
    assert len(inventory.entries) == 3
    assert all(e.unconfirmed for e in inventory.entries)
    assert load_inventory([str(output)], today=TODAY, strict=True).errors   # strict refuses unreviewed

    collected = collect_offline_tasks(str(evidence))
    host = {"name": "ws01", "groups": ["windows"], "os_family": "windows_11", "domain_role": "unknown"}
    view = inventory.for_host(host)
    for task in collected["tasks"]:
        entry = view.match(task["path"])
        assert entry is not None and entry.compare(task) == [], task["path"]

    try:
        from audit_call import audit_host
    except ImportError:  # pragma: no cover - drift part not present
        return
    audit = audit_host("ws01", collected, None, view, [], host=host)
    kinds = {f["kind"] for f in audit["findings"]}
    assert not kinds & {"undocumented", "modified", "missing", "expired"}, audit["findings"]


@pytest.mark.authentic
def test_baseline_playbook_on_the_authentic_folder(tmp_path, shared_fixtures):
    from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import collect_offline_tasks
    evidence = tmp_path / "ev"
    shutil.copytree(shared_fixtures / "tasks" / "win10-aptsim", evidence / "Windows" / "System32" / "Tasks")
    hosts = tmp_path / "hosts.yml"
    hosts.write_text("all:\n  children:\n    windows:\n      hosts:\n        lab: {taskguard_offline_root: %s}\n" % evidence)
    output = tmp_path / "learned.yml"
    proc = _run("-i", str(hosts), "playbooks/baseline.yml", "-e", "taskguard_baseline_output=%s" % output)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    inventory = load_inventory([str(output)], today=TODAY)
    assert inventory.errors == []
    collected = collect_offline_tasks(str(evidence))
    assert len(collected["tasks"]) == 202
    view = inventory.for_host({"name": "lab", "groups": ["windows"], "os_family": collected["host"].get("os_family"),
                               "domain_role": collected["host"].get("domain_role")})
    for task in collected["tasks"]:
        entry = view.match(task["path"])
        assert entry is not None and entry.compare(task) == [], task["path"]
