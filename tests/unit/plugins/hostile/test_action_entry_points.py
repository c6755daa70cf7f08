# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ansible entry points (action plugins task_info, task_events, audit) in
offline mode on the hostile evidence folder of the acceptance test (issue 9):
no exception escapes, nothing connects or runs a module (the shared harness
fails the test if it does), no string of the result is trusted as a template,
and nothing from outside the root appears in the result."""
from __future__ import annotations

import uuid

import pytest
from ansible.template import is_trusted_as_template, trust_as_template

import action_harness as harness
from ansible_collections.taskguard.windows.plugins.action.audit import ActionModule as AuditAction
from ansible_collections.taskguard.windows.plugins.action.task_events import ActionModule as EventsAction
from ansible_collections.taskguard.windows.plugins.action.task_info import ActionModule as TaskInfoAction

from . import payloads as P
from .test_acceptance_playbook import _build


def _strings(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


@pytest.mark.parametrize("action_class, name, extra", [
    (TaskInfoAction, "taskguard.windows.task_info", {}),
    (EventsAction, "taskguard.windows.task_events", {}),
    (AuditAction, "taskguard.windows.audit", {"inventory_dir": []}),
])
def test_action_plugins_offline_on_hostile_evidence(tmp_path, canary, net_canary, file_reads, action_class, name,
                                                    extra):
    root, bad, _bait = _build(tmp_path, canary, net_canary, uuid.uuid4().hex)
    inventory = tmp_path / "inv"
    inventory.mkdir()
    (inventory / "x.yml").write_text("inventory_version: 1\nowner: {name: t, kind: internal, contact: t}\ntasks: []\n")
    # Arguments arrive from the playbook trusted as templates; whatever the action
    # echoes back (paths, names) must come back untrusted like the host data.
    args = dict(extra, offline_root=trust_as_template(str(root)))
    if "inventory_dir" in args:
        args["inventory_dir"] = [trust_as_template(str(inventory))]
    action = harness.make_action(action_class, name, args)
    with file_reads:
        result = action.run(task_vars={"inventory_hostname": "hostile01", "group_names": ["windows"]})
    assert file_reads.outside(root, allowed=[inventory]) == []
    assert not result.get("failed"), result.get("msg")
    strings = list(_strings(result))
    assert strings and not any(is_trusted_as_template(s) for s in strings)
    canary.assert_not_in(P.all_text(result))
    if name.endswith("task_info"):
        assert set(bad) <= {u["path"] for u in result["unparseable"]}
    elif name.endswith("task_events"):
        assert result["unparseable"] and result["coverage"]["Security"]["events_may_be_lost"] is True
    else:
        assert result["status"] == "partial"
        assert set(bad) <= {f["task"] for f in result["findings"] if f["kind"] == "unparseable"}
