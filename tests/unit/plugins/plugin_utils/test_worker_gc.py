# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""worker_gc: the inherited heap is frozen once per process, garbage made after
it is still collected, and the audit action freezes before it reads a host."""
from __future__ import annotations

import gc
import os
import weakref

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import worker_gc


class _Node:
    def __init__(self):
        self.other = None


@pytest.fixture
def fresh_state(monkeypatch):
    monkeypatch.setitem(worker_gc._STATE, "frozen_in", None)
    frozen_before = gc.get_freeze_count()
    yield
    if gc.get_freeze_count() != frozen_before:
        gc.unfreeze()   # give the test process its heap back


def test_freezes_once_per_process(fresh_state):
    alive = _Node()
    assert worker_gc.freeze_inherited_heap(pid=1000) is True
    assert gc.get_freeze_count() > 0
    assert id(alive) not in {id(o) for o in gc.get_objects()}
    assert worker_gc.freeze_inherited_heap(pid=1000) is False
    # a fork (another pid) freezes what it inherited once more
    assert worker_gc.freeze_inherited_heap(pid=1001) is True
    assert worker_gc.freeze_inherited_heap(pid=1001) is False


def test_default_pid_is_this_process(fresh_state):
    assert worker_gc.freeze_inherited_heap() is True
    assert worker_gc._STATE["frozen_in"] == os.getpid()
    assert worker_gc.freeze_inherited_heap() is False


def test_cycles_made_after_the_freeze_are_still_collected(fresh_state):
    worker_gc.freeze_inherited_heap(pid=2000)
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    probe = weakref.ref(first)
    del first, second
    gc.collect()
    assert probe() is None


def test_frozen_objects_are_not_walked_by_a_collection(fresh_state):
    before = _Node()
    attributes = before.__dict__   # materialized now (3.11 creates it on first access)
    assert id(before) in {id(o) for o in gc.get_objects()}
    worker_gc.freeze_inherited_heap(pid=3000)
    walked = {id(o) for o in gc.get_objects()}
    # gc.get_objects() lists what collections walk; frozen objects are not in it
    assert id(before) not in walked and id(attributes) not in walked
    after = _Node()
    assert id(after) in {id(o) for o in gc.get_objects()}


def test_audit_action_freezes_before_reading_the_host(monkeypatch, tmp_path, unit_fixtures):
    import json
    from unittest.mock import MagicMock
    from bench import _action
    from ansible_collections.taskguard.windows.plugins.action.audit import ActionModule
    module_result = json.loads((unit_fixtures / "drift" / "collect_live.json").read_text(encoding="utf-8"))
    inventory = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "task_inventory")
    action = _action(ActionModule, {"inventory_dir": [inventory], "state_dir": str(tmp_path), "today": "2026-11-25"})
    action._execute_module = MagicMock(return_value=module_result)
    calls = []
    monkeypatch.setattr(worker_gc, "freeze_inherited_heap",
                        lambda: calls.append(("freeze", action._execute_module.called)))
    result = action.run(task_vars={"inventory_hostname": "ws042", "group_names": ["windows"]})
    # once, before the module output (the host's material) exists
    assert calls == [("freeze", False)]
    assert result["findings"] and action._execute_module.called
