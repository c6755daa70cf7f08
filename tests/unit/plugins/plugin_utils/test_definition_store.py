# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared definition store (plugins/plugin_utils/definition_store.py): a
definition taken from it is exactly what parsing the same bytes gives, at any
path; it is keyed only by what the controller computed, so a host cannot change
what another host's bytes mean; a broken, planted or unwritable store costs
parsing, never a wrong or missing task."""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import definition_store as ds
from ansible_collections.taskguard.windows.plugins.plugin_utils.safe_xml import decode_xml_bytes
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import normalize_live_tasks
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import definition_sha256, parse_task_definition
import bench_fleet
from test_parsed_reuse import _count_parses

DEFRAG = "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag"


@pytest.fixture
def full(unit_fixtures):
    return json.loads((unit_fixtures / "task_info" / "live_admin.json").read_text(encoding="utf-8"))["material"]


def _xml(material, path):
    return next(t["xml"] for t in material["api"]["tasks"] if t["path"] == path)


def test_second_host_takes_every_shared_definition_from_the_store(full, tmp_path, monkeypatch):
    first = normalize_live_tasks(copy.deepcopy(full), store=ds.DefinitionStore(str(tmp_path)))
    calls = _count_parses(monkeypatch)
    store = ds.DefinitionStore(str(tmp_path))   # another fork, same state dir
    second = normalize_live_tasks(copy.deepcopy(full), store=store)
    api_xml = [t for t in full["api"]["tasks"] if t.get("xml")]
    shared = {t["path"] for t in api_xml if ds.shareable(t["path"])}
    assert shared and len(shared) < len(api_xml)
    assert store.hits == len(shared) and store.written == 0
    # \Microsoft\ definitions come from the store; the others are parsed on each host
    assert not set(calls) & shared
    assert {t["path"] for t in api_xml} - shared <= set(calls)
    assert second == first == normalize_live_tasks(copy.deepcopy(full))


def test_only_tasks_under_microsoft_are_shared():
    assert ds.shareable("\\Microsoft\\Windows\\Defrag\\ScheduledDefrag")
    assert ds.shareable("\\MICROSOFT\\Office\\x")
    assert not ds.shareable("\\MicrosoftEdgeUpdateTaskMachineCore")
    assert not ds.shareable("\\Vendor\\Microsoft\\x") and not ds.shareable(None) and not ds.shareable("\\")


def test_same_bytes_at_another_path_get_that_path(full, tmp_path):
    store = ds.DefinitionStore(str(tmp_path))
    normalize_live_tasks(copy.deepcopy(full), store=store)
    xml = _xml(full, DEFRAG)
    moved_to = "\\Microsoft\\Windows\\Elsewhere\\Copy"
    moved = copy.deepcopy(full)
    for item in moved["api"]["tasks"]:
        if item["path"] == DEFRAG:
            item["path"] = moved_to
    store2 = ds.DefinitionStore(str(tmp_path))
    task = next(t for t in normalize_live_tasks(moved, store=store2)["tasks"] if t["path"] == moved_to)
    assert store2.hits >= 1
    expected = parse_task_definition(xml, path=moved_to)
    assert {k: task[k] for k in expected} == expected
    assert task["folder"] == "\\Microsoft\\Windows\\Elsewhere" and task["name"] == "Copy"
    assert list(task)[:len(expected)] == list(expected)   # same key order as the parser's
    # the place decides is_at_job too, not the kept definition
    kept = store2.kept_values(definition_sha256(xml))
    assert ds.at_place_values(kept, "\\At7") == parse_task_definition(xml, path="\\At7")
    assert ds.at_place_values(kept, "\\At7")["is_at_job"] is True


def test_store_round_trip_equals_parsing_on_authentic_definitions(shared_fixtures, tmp_path):
    """Every authentic task file, as the API would return it (text), through the
    store twice: the second time from the store, and equal to a fresh parse."""
    files = [p for p in (shared_fixtures / "tasks").rglob("*") if p.is_file() and not p.name.startswith("LICENSE")]
    checked = 0
    for number, path in enumerate(files):
        try:
            xml = decode_xml_bytes(path.read_bytes())
            expected = parse_task_definition(xml, path="\\Microsoft\\T%d" % number)
        except Exception:   # not a task (the README counts those); not what is tested here
            continue
        writer = ds.DefinitionStore(str(tmp_path))
        ds.parse_with_store(xml, "\\Microsoft\\T%d" % number, writer)
        reader = ds.DefinitionStore(str(tmp_path))
        got = ds.parse_with_store(xml, "\\Microsoft\\T%d" % number, reader)
        assert reader.hits == 1, path
        assert got == expected, path
        checked += 1
    assert checked >= 150


def test_key_is_computed_on_the_controller_not_taken_from_the_host(full, tmp_path):
    """A hostile host claiming another definition's hash changes nothing: the
    store is keyed by the hash of the bytes it sent."""
    defrag_sha = definition_sha256(_xml(full, DEFRAG))
    evil = copy.deepcopy(full)
    for item in evil["api"]["tasks"]:
        if item["path"] == DEFRAG:
            item["xml"] = item["xml"].replace("defrag.exe", "C:\\Users\\Public\\evil.exe")
            item["xml_sha256"] = defrag_sha
    normalize_live_tasks(evil, store=ds.DefinitionStore(str(tmp_path)))
    honest = normalize_live_tasks(copy.deepcopy(full), store=ds.DefinitionStore(str(tmp_path)))
    defrag = next(t for t in honest["tasks"] if t["path"] == DEFRAG)
    assert "evil.exe" not in json.dumps(defrag) and defrag["sha256"] == defrag_sha


@pytest.mark.parametrize("content", [
    b"not json", b"[1, 2, 3]", b"\xff\xfe garbage", b"{}",
    "WRONG_SHA",          # a valid entry of another definition, planted under this name
    "NO_FINGERPRINT",     # a definition-less entry: never served
    "TOO_BIG",
])
def test_broken_or_planted_entry_is_a_miss_and_is_replaced(full, tmp_path, content):
    xml = _xml(full, DEFRAG)
    sha = definition_sha256(xml)
    store = ds.DefinitionStore(str(tmp_path))
    expected = ds.parse_with_store(xml, DEFRAG, store)
    entry = Path(store._path(sha))
    values = json.loads(entry.read_text())
    if content == "WRONG_SHA":
        values[ds.STORED_KEYS.index("sha256")] = "0" * 64
        content = json.dumps(values).encode()
    elif content == "NO_FINGERPRINT":
        values[ds.STORED_KEYS.index("fingerprint")] = None
        content = json.dumps(values).encode()
    elif content == "TOO_BIG":
        content = b" " * (ds.MAX_ENTRY_BYTES + 1)
    entry.write_bytes(content)
    again = ds.DefinitionStore(str(tmp_path))
    assert again.kept_values(sha) is None
    assert ds.parse_with_store(xml, DEFRAG, again) == expected
    assert again.hits == 0 and again.written == 1
    assert ds.DefinitionStore(str(tmp_path)).kept_values(sha) is not None   # repaired


def test_unwritable_store_is_reported_and_the_run_goes_on(full, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / ds.STORE_DIR).write_text("a file where the store directory should be")
    store = ds.DefinitionStore(str(state))
    result = normalize_live_tasks(copy.deepcopy(full), store=store)
    assert store.error and "not written" in store.error and store.written == 0
    assert result == normalize_live_tasks(copy.deepcopy(full))


def test_unparseable_definitions_are_not_kept(full, tmp_path):
    broken = copy.deepcopy(full)
    for item in broken["api"]["tasks"]:
        if item["path"] == DEFRAG:
            item["xml"] = "<Task><unclosed></Task>"
    store = ds.DefinitionStore(str(tmp_path))
    result = normalize_live_tasks(broken, store=store)
    assert DEFRAG in {u["path"] for u in result["unparseable"]}
    assert store.kept_values(definition_sha256("<Task><unclosed></Task>")) is None


def test_entries_are_private_and_grouped_by_parser_version(full, tmp_path):
    store = ds.DefinitionStore(str(tmp_path))
    normalize_live_tasks(copy.deepcopy(full), store=store)
    root = Path(store.root)
    assert root.parent == tmp_path / ds.STORE_DIR and root.name == ds.model_stamp()[:16]
    entries = [p for p in root.rglob("*") if p.is_file()]
    assert len(entries) == store.written > 0
    assert all(p.stat().st_mode & 0o077 == 0 for p in entries)
    assert all(p.parent.stat().st_mode & 0o077 == 0 for p in entries)
    assert root.stat().st_mode & 0o077 == 0 and root.parent.stat().st_mode & 0o077 == 0
    assert not list(root.rglob("*.tmp"))
    # data only: every entry is a JSON list in STORED_KEYS order, then the writer's tag
    assert all(len(json.loads(p.read_text())) == len(ds.STORED_KEYS) + 1 for p in entries)
    assert not os.path.exists(os.path.join(str(tmp_path), ds.STORE_DIR, "0" * 16))


def test_task_xml_in_events_comes_from_the_store_too(tmp_path, monkeypatch):
    """4702 events of Windows Update rewriting built-in tasks carry the same bytes
    as the hosts' own definitions: their TaskContent is not parsed again."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import normalize_live_events
    events = bench_fleet.Fleet(1, events=60).host(0)[1]["events"]
    builtin_updates = [e for c in events["channels"] for e in c["events"]
                       if ">4702<" in e and "Name='TaskName'>\\Microsoft\\" in e]
    assert builtin_updates
    first = normalize_live_events(copy.deepcopy(events), store=ds.DefinitionStore(str(tmp_path)))
    calls = _count_parses(monkeypatch)
    store = ds.DefinitionStore(str(tmp_path))
    second = normalize_live_events(copy.deepcopy(events), store=store)
    assert store.hits >= len(builtin_updates) and not [c for c in calls if ds.shareable(c)]
    assert second == first == normalize_live_events(copy.deepcopy(events))
    assert all(e["definition"] for e in second["events"] if e["event_id"] == 4702)
