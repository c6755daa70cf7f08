# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Definition cache of the steady-state collection (plugins/plugin_utils/definition_cache.py):
what is kept, what is offered to the host, and that a broken or foreign cache is
never used."""
from __future__ import annotations

import copy
import gzip
import json
import os

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import definition_cache as dc
from ansible_collections.taskguard.windows.plugins.plugin_utils.definition_store import DefinitionStore
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import normalize_live_tasks
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import definition_sha256

DEFRAG = "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag"
UPDATER = "\\Vendor\\Nested\\Updater"


def _load(unit_fixtures, *parts):
    return json.loads((unit_fixtures.joinpath(*parts)).read_text(encoding="utf-8"))


@pytest.fixture
def full(unit_fixtures):
    return _load(unit_fixtures, "task_info", "live_admin.json")["material"]


def previous_run(full, state_dir, host="ws01"):
    """State dir after a full run in which the Updater still had its old definition."""
    previous = copy.deepcopy(full)
    for item in previous["api"]["tasks"]:
        if item["path"] == UPDATER:
            item["xml"] = item["xml"].replace("update.exe", "update-old.exe")
    assert dc.save(state_dir, host, normalize_live_tasks(previous)) is None
    return dc.load(state_dir, host)


def test_kept_hashes_are_what_the_host_computes(full, tmp_path, unit_fixtures):
    entries = previous_run(full, str(tmp_path))
    known = dc.known_hashes(entries)
    api_xml = {t["path"].lower(): t["xml"] for t in full["api"]["tasks"]}
    # Every task the API returned with a definition, hashed over the API XML.
    assert known[DEFRAG.lower()] == definition_sha256(api_xml[DEFRAG.lower()])
    assert set(known) == set(api_xml)
    assert _load(unit_fixtures, "steady_state", "known_task_hashes.json") == {
        k: known[k] for k in _load(unit_fixtures, "steady_state", "known_task_hashes.json")}


def test_kept_definitions_are_the_normalized_ones(full, tmp_path):
    entries = previous_run(full, str(tmp_path))
    tasks = {t["path"]: t for t in normalize_live_tasks(copy.deepcopy(full))["tasks"]}
    parsed = dc.parsed_definitions(entries)
    assert parsed[DEFRAG] == {k: tasks[DEFRAG][k] for k in parsed[DEFRAG]}
    # Registry-only and not-in-API tasks are not kept: the host never omits them.
    assert "\\GhostTask" not in parsed and "\\Tarrask" not in parsed


def test_definitions_of_another_parser_version_are_not_used(full, tmp_path):
    previous_run(full, str(tmp_path))
    path = dc.cache_path(str(tmp_path), "ws01")
    doc = json.loads(gzip.decompress(open(path, "rb").read()))
    doc["model"] = "0" * 64
    with open(path, "wb") as handle:
        handle.write(gzip.compress(json.dumps(doc).encode("utf-8")))
    assert dc.load(str(tmp_path), "ws01") == {}


def test_unchanged_definitions_are_not_rewritten(full, tmp_path):
    entries = previous_run(full, str(tmp_path))
    path = dc.cache_path(str(tmp_path), "ws01")
    os.utime(path, (1, 1))
    previous = copy.deepcopy(full)
    for item in previous["api"]["tasks"]:
        if item["path"] == UPDATER:
            item["xml"] = item["xml"].replace("update.exe", "update-old.exe")
    assert dc.save(str(tmp_path), "ws01", normalize_live_tasks(previous), previous=entries) is None
    assert os.stat(path).st_mtime == 1
    assert dc.save(str(tmp_path), "ws01", normalize_live_tasks(copy.deepcopy(full)), previous=entries) is None
    assert os.stat(path).st_mtime != 1
    new_xml = next(t["xml"] for t in full["api"]["tasks"] if t["path"] == UPDATER)
    assert dc.load(str(tmp_path), "ws01")[UPDATER.lower()]["sha256"] == definition_sha256(new_xml)


@pytest.mark.parametrize("content", [b"not gzip", gzip.compress(b"[1, 2]"), gzip.compress(b'{"version": 99, "tasks": []}')])
def test_unusable_cache_file_is_an_error(tmp_path, content):
    with open(dc.cache_path(str(tmp_path), "ws01"), "wb") as handle:
        handle.write(content)
    with pytest.raises(dc.DefinitionCacheError):
        dc.load(str(tmp_path), "ws01")


def test_missing_cache_is_empty_and_host_names_cannot_escape(tmp_path):
    assert dc.load(str(tmp_path), "never-seen") == {}
    assert dc.cache_path(str(tmp_path), "../../etc/passwd").startswith(str(tmp_path) + "/x-")


def test_malformed_entries_are_not_offered(full, tmp_path):
    entries = previous_run(full, str(tmp_path))
    stored = json.loads(gzip.decompress(open(dc.cache_path(str(tmp_path), "ws01"), "rb").read()))
    good = next(t for t in stored["tasks"] if t[0] == DEFRAG)
    own = next(t for t in stored["tasks"] if t[0] == UPDATER)
    assert good[2] is None and own[2] is not None   # \Microsoft\ in the shared store, the vendor's here
    doc = dict(stored, tasks=[
        [good[0], "zz", None],
        [good[0], "0" * 64, None],                          # a hash the store does not hold
        [own[0], own[1], own[2][:3]],                       # not a definition
        [own[0], "0" * 64, own[2]],                         # not the definition of that hash
        [good[0], good[1]],                                 # not a (path, hash, definition) triple
        {"path": good[0], "sha256": good[1]},
        "junk",
        good,
    ])
    assert entries[DEFRAG.lower()]["definition"]["path"] == DEFRAG
    with open(dc.cache_path(str(tmp_path), "h"), "wb") as handle:
        handle.write(gzip.compress(json.dumps(doc).encode("utf-8")))
    assert list(dc.load(str(tmp_path), "h")) == [DEFRAG.lower()]


def test_a_definition_the_store_lost_is_not_offered(full, tmp_path):
    """The host would omit it and the run could not restore it: the next run
    must collect it in full instead."""
    entries = previous_run(full, str(tmp_path))
    store = DefinitionStore(str(tmp_path))
    os.unlink(store._path(entries[DEFRAG.lower()]["sha256"]))
    again = dc.load(str(tmp_path), "ws01")
    assert DEFRAG.lower() not in again and len(again) == len(entries) - 1
