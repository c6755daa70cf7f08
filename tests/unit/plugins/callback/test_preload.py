# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preload callback (plugins/callback/preload.py): what it loads in the controller
process is exactly what the audit action then finds in its caches, it never fails a
run, and a drift run gives the same findings with and without it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from ansible_collections.taskguard.windows.plugins.callback import preload as preload_cb
from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support, inventory_loader, risk

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
DEMO_INVENTORY = [os.path.join(REPO, "task_inventory", "vendors", "contoso-backup.yml"),
                  os.path.join(REPO, "inventories", "demo", "task_inventory")]


def _refuse(*_args, **_kwargs):
    raise AssertionError("loaded again although preloaded")


def test_the_action_finds_the_preloaded_rules_and_inventory_without_loading_them(tmp_path, monkeypatch):
    raw = {"inventory_dir": DEMO_INVENTORY, "extra_rule_files": [], "state_dir": str(tmp_path / "state"),
           "max_events": 5000}
    args = preload_cb._mirror_audit_args(raw)
    inventory, problems = preload_cb.preload(args)
    assert inventory is not None and not problems
    rules = audit_support.load_rules([])
    # From here on, loading anything would fail: the audit action's own calls with the
    # same arguments (plugins/action/audit.py) must be served from the warm caches.
    monkeypatch.setattr(risk, "load_rules", _refuse)
    monkeypatch.setattr(inventory_loader, "load_inventory", _refuse)
    assert audit_support.load_rules(list(args.get("rule_files") or []) + list(args["extra_rule_files"])) is rules
    again, _problems = audit_support.load_inventory(args.get("inventory_dir"), args.get("today"))
    assert again is inventory


def test_arguments_are_read_as_the_action_reads_them():
    args = preload_cb._mirror_audit_args({"inventory_dir": "~/inv", "state_dir": "~/state"})
    assert args["inventory_dir"] == [os.path.expanduser("~/inv")]
    assert args["state_dir"] == os.path.expanduser("~/state")
    assert args["max_events"] == 5000 and args["extra_rule_files"] == []
    with pytest.raises(ValueError):
        preload_cb._mirror_audit_args({"max_events": "many"})


class _Display:
    def __init__(self):
        self.messages = []

    def vvv(self, msg, *_args, **_kwargs):
        self.messages.append(msg)


def _callback(monkeypatch, behaviour):
    cb = preload_cb.CallbackModule()
    cb._display = _Display()
    calls = []

    def fake(task):
        calls.append(task)
        behaviour()
    monkeypatch.setattr(cb, "_preload", fake)
    cb.v2_playbook_on_play_start(SimpleNamespace())
    return cb, calls


def test_only_audit_tasks_are_preloaded(monkeypatch):
    cb, calls = _callback(monkeypatch, lambda: None)
    cb.v2_playbook_on_task_start(SimpleNamespace(_resolved_action="ansible.builtin.debug"), False)
    cb.v2_playbook_on_task_start(SimpleNamespace(_resolved_action=None), False)
    assert calls == []
    task = SimpleNamespace(_resolved_action="taskguard.windows.audit")
    cb.v2_playbook_on_task_start(task, False)
    assert calls == [task]


def test_a_failing_preload_never_fails_the_run(monkeypatch):
    def boom():
        raise RuntimeError("inventory folder vanished")
    cb, calls = _callback(monkeypatch, boom)
    cb.v2_playbook_on_task_start(SimpleNamespace(_resolved_action="taskguard.windows.audit"), False)
    assert len(calls) == 1
    assert any("nothing preloaded" in m and "inventory folder vanished" in m for m in cb._display.messages)


PER_HOST_PLAY = """
- name: Per-host audit, then the report
  hosts: windows
  gather_facts: false
  tasks:
    - name: Audit
      taskguard.windows.audit:
        state_dir: "{{ taskguard_state_dir }}"
        spool: true
      register: taskguard_audit
      ignore_errors: true
    - name: Report
      taskguard.windows.drift_report:
        hosts: "{{ ansible_play_hosts_all }}"
        report_dir: "{{ taskguard_report_dir }}"
        state_dir: "{{ taskguard_state_dir }}"
        formats: [json]
      run_once: true
      delegate_to: localhost
"""


def _drift_run(tmp_path, preload):
    # The repository's ansible.cfg enables the preload; the run without it reads a copy
    # of that file without the callbacks_enabled line.
    tmp_path.mkdir(parents=True)
    config = tmp_path / "ansible.cfg"
    with open(os.path.join(REPO, "ansible.cfg"), encoding="utf-8") as handle:
        text = handle.read()
    assert "callbacks_enabled = taskguard.windows.preload" in text
    if not preload:
        text = text.replace("callbacks_enabled = taskguard.windows.preload", "")
    config.write_text(text.replace("./collections", os.path.join(REPO, "collections"))
                      .replace("./roles", os.path.join(REPO, "roles")), encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=str(config),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "collections"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
    # playbooks/drift.yml audits evidence folders in one task (audit_offline) and runs the
    # per-host audit only for live hosts; the preload serves that per-host task, run here
    # over the demo's evidence folders as a user's own playbook would.
    playbook = tmp_path / "per_host.yml"
    playbook.write_text(PER_HOST_PLAY, encoding="utf-8")
    cmd = [ANSIBLE_PLAYBOOK, "-vvv", "-i", os.path.join(REPO, "inventories", "demo", "hosts.yml"), str(playbook),
           "-e", "taskguard_report_dir=%s" % (tmp_path / "reports"), "-e", "taskguard_state_dir=%s" % (tmp_path / "state")]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(tmp_path / "reports" / "drift.json", encoding="utf-8") as handle:
        doc = json.load(handle)
    findings = {(host, f["id"], f["severity"]) for host, entry in doc["hosts"].items() for f in entry["findings"]}
    return proc.stdout, findings


def test_a_drift_run_finds_the_same_with_and_without_the_preload(tmp_path):
    with_out, with_findings = _drift_run(tmp_path / "with", True)
    without_out, without_findings = _drift_run(tmp_path / "without", False)
    assert "rules and task inventory loaded before the workers fork" in with_out
    assert "parsed before the workers fork" not in with_out    # evidence-folder parses: audit_offline's job
    assert "before the workers fork" not in without_out
    assert with_findings == without_findings and any(sev in ("high", "critical") for _h, _i, sev in with_findings)
