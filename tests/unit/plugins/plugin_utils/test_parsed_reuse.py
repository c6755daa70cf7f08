# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Steady-state normalization (task_collection.normalize_live_tasks(raw, parsed=...)):
an omitted definition is taken from the kept ones only for the hash the host
reported; the result is what a full collection gives; nothing is silently empty."""
from __future__ import annotations

import copy
import json

import pytest

import bench_fleet
from ansible_collections.taskguard.windows.plugins.plugin_utils import definition_cache as dc
from ansible_collections.taskguard.windows.plugins.plugin_utils import definition_store, task_collection
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import (
    OMITTED_NOT_KEPT,
    normalize_live_tasks,
)
from test_definition_cache import DEFRAG, UPDATER, previous_run


def _count_parses(monkeypatch):
    """Record every task definition parse (API XML goes through the definition
    store module, file content straight to the parser)."""
    calls = []
    real = task_collection.parse_task_definition

    def counting(data, **kwargs):
        calls.append(kwargs.get("path"))
        return real(data, **kwargs)
    monkeypatch.setattr(task_collection, "parse_task_definition", counting)
    monkeypatch.setattr(definition_store, "parse_task_definition", counting)
    return calls


@pytest.fixture
def full(unit_fixtures):
    return json.loads((unit_fixtures / "task_info" / "live_admin.json").read_text(encoding="utf-8"))["material"]


@pytest.fixture
def steady(unit_fixtures):
    return json.loads((unit_fixtures / "steady_state" / "live_steady_state.json").read_text(encoding="utf-8"))["material"]


def test_steady_state_fixture_normalizes_like_a_full_collection(full, steady, tmp_path, monkeypatch):
    parsed = dc.parsed_definitions(previous_run(full, str(tmp_path)))
    calls = _count_parses(monkeypatch)
    result = normalize_live_tasks(steady, parsed=parsed)
    # Only what the host sent in full is parsed: the changed Updater and the unknown task.
    assert DEFRAG not in calls and "\\HiddenFlag" not in calls and UPDATER in calls
    assert result["tasks"] == normalize_live_tasks(copy.deepcopy(full))["tasks"]
    assert result["unparseable"] == normalize_live_tasks(copy.deepcopy(full))["unparseable"]


def test_omitted_without_a_kept_definition_is_unparseable(steady):
    result = normalize_live_tasks(steady)
    reported = {u["path"]: u["error"] for u in result["unparseable"]}
    assert reported[DEFRAG] == OMITTED_NOT_KEPT and reported["\\HiddenFlag"] == OMITTED_NOT_KEPT
    defrag = next(t for t in result["tasks"] if t["path"] == DEFRAG)
    assert defrag["fingerprint"] is None and defrag["seen_in"] == ["api", "file", "registry"]


def test_a_hash_other_than_the_kept_one_is_not_served(full, steady, tmp_path):
    parsed = dc.parsed_definitions(previous_run(full, str(tmp_path)))
    for item in steady["api"]["tasks"]:
        if item["path"] == UPDATER:   # a host omitting the changed task: its hash is the new one
            item.update({"xml": None, "xml_omitted": True})
    result = normalize_live_tasks(steady, parsed=parsed)
    assert {"path": UPDATER, "source": "api", "error": OMITTED_NOT_KEPT} in result["unparseable"]
    updater = next(t for t in result["tasks"] if t["path"] == UPDATER)
    assert updater["actions"] == [] and updater["fingerprint"] is None


def test_synthetic_host_in_steady_state_parses_nothing(tmp_path, monkeypatch):
    _name, result = bench_fleet.Fleet(4, events=200, vendors=6).host(1)
    material = json.loads(json.dumps(result["tasks"]))
    first = normalize_live_tasks(copy.deepcopy(material))
    dc.save(str(tmp_path), "h", first)
    parsed = dc.parsed_definitions(dc.load(str(tmp_path), "h"))
    calls = _count_parses(monkeypatch)
    again = normalize_live_tasks(bench_fleet.steady_state_material(material), parsed=parsed)
    assert calls == [] and again["tasks"] == first["tasks"] and again["unparseable"] == []
