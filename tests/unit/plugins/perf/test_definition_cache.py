# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Steady-state collection (plugins/plugin_utils/definition_cache.py): omitted
definitions come back only when their hash matches what the host reported; a
changed or unknown task is never served from the cache."""
from __future__ import annotations

import copy
import gzip
import json

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import definition_cache as dc
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import normalize_live_tasks
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import definition_sha256

DEFRAG = "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag"
UPDATER = "\\Vendor\\Nested\\Updater"


def _load(unit_fixtures, *parts):
    return json.loads((unit_fixtures.joinpath(*parts)).read_text(encoding="utf-8"))


@pytest.fixture
def full(unit_fixtures):
    return _load(unit_fixtures, "task_info", "live_admin.json")["material"]


@pytest.fixture
def steady(unit_fixtures):
    return _load(unit_fixtures, "steady_state", "live_steady_state.json")["material"]


def _previous_run(full, tmp_path, host="ws01"):
    """State dir after a full run in which the Updater still had its old definition."""
    previous = copy.deepcopy(full)
    for item in previous["api"]["tasks"]:
        if item["path"] == UPDATER:
            item["xml"] = item["xml"].replace("update.exe", "update-old.exe")
    assert dc.save(str(tmp_path), host, previous) is None
    return dc.load(str(tmp_path), host)


def test_known_hashes_are_the_controller_definition_hashes(full, tmp_path, unit_fixtures):
    entries = _previous_run(full, tmp_path)
    known = dc.known_hashes(entries)
    by_path = {t["path"].lower(): t["xml"] for t in full["api"]["tasks"]}
    assert known[DEFRAG.lower()] == definition_sha256(by_path[DEFRAG.lower()])
    # What the fixture says the controller sent is what this code computes.
    sent = _load(unit_fixtures, "steady_state", "known_task_hashes.json")
    assert {k: known[k] for k in sent} == sent


def test_steady_state_material_normalizes_like_a_full_collection(full, steady, tmp_path):
    entries = _previous_run(full, tmp_path)
    stats = dc.expand(steady, entries)
    assert stats == {"omitted": 2, "restored": 2, "missing": 0}
    assert normalize_live_tasks(steady)["tasks"] == normalize_live_tasks(full)["tasks"]


def test_a_changed_task_is_never_served_from_the_cache(full, steady, tmp_path):
    entries = _previous_run(full, tmp_path)
    # A host that (wrongly) omitted the changed Updater: its reported hash is the
    # new definition's, the cache holds the old one -> not restored, reported.
    for item in steady["api"]["tasks"]:
        if item["path"] == UPDATER:
            item.update({"xml": None, "xml_omitted": True})
    stats = dc.expand(steady, entries)
    assert stats["missing"] == 1 and stats["restored"] == 2
    result = normalize_live_tasks(steady)
    updater = next(t for t in result["tasks"] if t["path"] == UPDATER)
    assert updater["actions"] == [] and updater["fingerprint"] is None
    assert any(u["path"] == UPDATER and u["error"] == dc.OMITTED_NOT_CACHED for u in result["unparseable"])


def test_an_edited_cache_cannot_inject_a_definition(full, steady, tmp_path):
    _previous_run(full, tmp_path)
    path = dc.cache_path(str(tmp_path), "ws01")
    doc = json.loads(gzip.decompress(open(path, "rb").read()))
    for item in doc["tasks"]:
        if item["path"] == DEFRAG:   # hash kept, definition swapped
            item["xml"] = item["xml"].replace("defrag.exe", "evil.exe")
    with open(path, "wb") as handle:
        handle.write(gzip.compress(json.dumps(doc).encode("utf-8")))
    stats = dc.expand(steady, dc.load(str(tmp_path), "ws01"))
    assert stats == {"omitted": 2, "restored": 1, "missing": 1}
    tasks = {t["path"]: t for t in normalize_live_tasks(steady)["tasks"]}
    assert tasks[DEFRAG]["actions"] == []
    assert "evil.exe" not in json.dumps(tasks)


def test_omitted_without_cache_is_unparseable_not_clean(steady):
    stats = dc.expand(steady, {})
    assert stats == {"omitted": 2, "restored": 0, "missing": 2}
    result = normalize_live_tasks(steady)
    reported = {u["path"] for u in result["unparseable"]}
    assert {DEFRAG, "\\HiddenFlag"} <= reported


@pytest.mark.parametrize("content", [b"not gzip", gzip.compress(b"[1, 2]"), gzip.compress(b'{"version": 99, "tasks": []}')])
def test_unusable_cache_file_is_an_error(tmp_path, content):
    with open(dc.cache_path(str(tmp_path), "ws01"), "wb") as handle:
        handle.write(content)
    with pytest.raises(dc.DefinitionCacheError):
        dc.load(str(tmp_path), "ws01")


def test_missing_cache_is_empty_and_host_names_cannot_escape(tmp_path):
    assert dc.load(str(tmp_path), "never-seen") == {}
    assert dc.cache_path(str(tmp_path), "../../etc/passwd").startswith(str(tmp_path) + "/x-")


def test_malformed_entries_are_not_offered(tmp_path):
    doc = {"version": dc.CACHE_VERSION, "tasks": [
        {"path": "\\A", "sha256": "zz", "xml": "<Task/>"},
        {"path": "\\B", "sha256": definition_sha256("<Task/>"), "xml": None},
        "junk",
        {"path": "\\C", "sha256": definition_sha256("<Task/>"), "xml": "<Task/>"},
    ]}
    with open(dc.cache_path(str(tmp_path), "h"), "wb") as handle:
        handle.write(gzip.compress(json.dumps(doc).encode("utf-8")))
    assert list(dc.load(str(tmp_path), "h")) == ["\\c"]


def test_unchanged_definitions_are_not_rewritten_changed_ones_are(full, steady, tmp_path):
    entries = _previous_run(full, tmp_path)
    path = dc.cache_path(str(tmp_path), "ws01")
    import os
    os.utime(path, (1, 1))
    same = copy.deepcopy(full)
    for item in same["api"]["tasks"]:
        if item["path"] == UPDATER:
            item["xml"] = item["xml"].replace("update.exe", "update-old.exe")
    assert dc.save(str(tmp_path), "ws01", same, previous=entries) is None
    assert os.stat(path).st_mtime == 1
    dc.expand(steady, entries)   # the Updater changed on the host
    assert dc.save(str(tmp_path), "ws01", steady, previous=entries) is None
    assert os.stat(path).st_mtime != 1
    updated = dc.load(str(tmp_path), "ws01")
    new_xml = next(t["xml"] for t in full["api"]["tasks"] if t["path"] == UPDATER)
    assert updated[UPDATER.lower()]["sha256"] == definition_sha256(new_xml)
