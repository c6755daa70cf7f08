# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit action reads taskguard_task_inventory_dir, taskguard_risk_rule_files and
taskguard_max_events from the host's variables when the task leaves the option out
(playbooks/drift.yml does, so Ansible does not compile them in every worker); a
task argument still wins, and a bad variable fails like a bad argument."""
from __future__ import annotations

import os
from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail

import action_harness as harness
from ansible_collections.taskguard.windows.plugins.action import audit as audit_action
from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DC01 = os.path.join(REPO, "samples", "dc01")


def _inventory(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "empty.yml").write_text("inventory_version: 1\nowner: {name: t, kind: internal, contact: t}\ntasks: []\n")
    return str(folder)


def _run(args, task_vars, monkeypatch):
    """Runs the action offline on dc01 and returns the arguments pipeline.prepare and the window saw."""
    seen = {}
    real_prepare, real_offline = pipeline.prepare, pipeline.audit_offline

    def prepare(**kwargs):
        seen["prepare"] = kwargs
        return real_prepare(**kwargs)

    def audit_offline(ctx, name, hints, root, window=None):
        seen["window"] = window
        return real_offline(ctx, name, hints, root, window)
    monkeypatch.setattr(pipeline, "prepare", prepare)
    monkeypatch.setattr(pipeline, "audit_offline", audit_offline)
    action = harness.make_action(audit_action.ActionModule, "taskguard.windows.audit", args)
    result = action.run(task_vars=dict({"inventory_hostname": "dc01", "taskguard_offline_root": DC01}, **task_vars))
    return result, seen


def test_options_left_out_are_read_from_host_variables(tmp_path, monkeypatch):
    inventory = _inventory(tmp_path, "from-var")
    result, seen = _run({}, {"taskguard_task_inventory_dir": inventory, "taskguard_max_events": "7",
                             "taskguard_risk_rule_files": []}, monkeypatch)
    assert result["mode"] == "offline"
    assert seen["prepare"]["inventory_dirs"] == [inventory]
    assert seen["window"].max_events == 7


def test_a_task_argument_wins_over_the_host_variable(tmp_path, monkeypatch):
    argument, variable = _inventory(tmp_path, "argument"), _inventory(tmp_path, "variable")
    _result, seen = _run({"inventory_dir": [argument], "max_events": 9},
                         {"taskguard_task_inventory_dir": variable, "taskguard_max_events": 7}, monkeypatch)
    assert seen["prepare"]["inventory_dirs"] == [argument]
    assert seen["window"].max_events == 9


def test_without_argument_or_variable_the_defaults_hold(monkeypatch):
    _result, seen = _run({}, {}, monkeypatch)
    assert seen["prepare"]["inventory_dirs"] is None      # audit_support: the collection's task_inventory/
    assert seen["prepare"]["rule_files"] == []
    assert seen["window"].max_events == 5000


def test_a_bad_host_variable_fails_like_a_bad_argument(monkeypatch):
    with pytest.raises(AnsibleActionFail, match="max_events"):
        _run({}, {"taskguard_max_events": "many"}, monkeypatch)


def test_unknown_arguments_are_still_refused(monkeypatch):
    with pytest.raises(AnsibleActionFail, match="Invalid options|Unsupported parameters"):
        _run({"no_such_option": 1}, {}, monkeypatch)


def test_the_preload_reads_the_same_variables(monkeypatch):
    from ansible_collections.taskguard.windows.plugins.callback import preload as preload_cb
    templar = MagicMock()
    templar.template.side_effect = lambda value: value
    raw = preload_cb._with_hostvars({"state_dir": "/s"}, templar,
                                    {"taskguard_task_inventory_dir": "/inv", "taskguard_max_events": 12})
    args = preload_cb._mirror_audit_args(raw)
    assert args["inventory_dir"] == ["/inv"] and args["max_events"] == 12 and args["state_dir"] == "/s"
