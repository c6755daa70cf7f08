# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every text a live host sends is typed and bounded (after the collection-hygiene work).

* taskcache.from_live: error entries, the Tree and Tasks lists and their entries,
  ``tree_unreadable``: a malformed entry is an error of the cache, never skipped
  silently and never str() of a host object; a path longer than MAX_TASK_PATH,
  a GUID or hash longer than its bound is not taken (said);
* host_context.host_from_live: the host's name, caption, version and numbers are
  type-checked and bounded; a malformed fact is None plus an error entry;
* task paths of the API and of the task files longer than MAX_TASK_PATH are
  unparseable tasks (their path cut), never joined with the other sources.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import (
    audit_support, host_context, pipeline, taskcache,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import MAX_ERROR_TEXT, clip_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HUGE = "A" * 100000
GUID = "{0A3A7B38-0000-4000-8000-0000000000AA}"
LONG_PATH = "\\Vendor\\" + "L" * (taskcache.MAX_TASK_PATH + 10)


def _module_result():
    return json.loads((FIXTURES / "collect" / "live_plain.json").read_text(encoding="utf-8"))


def _normalize(module_result):
    tasks, _events, problems = audit_support.normalize_live(module_result)
    assert not [p for p in problems if p["source"] == "tasks"], problems    # normalized, not lost
    return tasks


def _assert_bounded(entries):
    for entry in entries:
        assert isinstance(entry, dict), entry
        assert isinstance(entry.get("error"), str) and len(entry["error"]) <= MAX_ERROR_TEXT, entry
        assert entry.get("path") is None or (isinstance(entry["path"], str)
                                             and len(entry["path"]) <= MAX_ERROR_TEXT), entry


def _errors(cache, text):
    return [e for e in cache["errors"] if text in e["error"]]


# ------------------------------------------------------------ 1. taskcache.from_live
def test_from_live_error_entries_are_checked_and_bounded():
    raw = {"read": True, "tree": [], "tasks": [],
           "errors": ["not an entry", ["a", "list"], {"path": {"a": 1}, "error": HUGE},
                      {"path": "P" * 9000, "error": 5}]}
    cache, read = taskcache.from_live(raw)
    assert read is True
    assert len(cache["errors"]) == 4                       # none skipped
    _assert_bounded(cache["errors"])
    assert all(e["source"] == "registry" for e in cache["errors"])
    assert len(_errors(cache, "malformed error entry")) == 4
    assert cache["errors"][2]["path"] is None and HUGE[:400] in cache["errors"][2]["error"]
    assert cache["errors"][3]["path"] == clip_text("P" * 9000)


@pytest.mark.parametrize("errors", ["text", {"path": "\\x", "error": "a dict"}, 5])
def test_from_live_an_error_list_that_is_no_list_is_said(errors):
    cache, _read = taskcache.from_live({"read": True, "errors": errors})
    assert _errors(cache, "malformed error list"), cache["errors"]


@pytest.mark.parametrize("value", [{"message": HUGE}, ["x"] * 50000, 12345])
def test_from_live_a_whole_error_that_is_no_text_is_never_str(value):
    cache, read = taskcache.from_live({"read": False, "error": value})
    assert read is False
    assert cache["errors"][-1]["error"] == "malformed text from the collector (a %s)" % type(value).__name__


def test_from_live_a_huge_whole_error_is_clipped():
    cache, _read = taskcache.from_live({"read": False, "error": HUGE})
    assert cache["errors"][-1]["error"] == clip_text(HUGE)


@pytest.mark.parametrize("key", ["tree", "tasks"])
@pytest.mark.parametrize("value", [{"path": "\\A", "id": GUID}, "text", 7])
def test_from_live_a_tree_or_tasks_list_that_is_no_list_is_not_read(key, value):
    """A Tree that is not a list would read as an empty key: every task file would
    then be 'without registry'. The TaskCache is not evaluated at all."""
    raw = {"read": True, "tree": [], "tasks": [], key: value}
    cache, read = taskcache.from_live(raw)
    assert read is False
    assert _errors(cache, "malformed %s list" % key.capitalize())


@pytest.mark.parametrize("key", ["tree", "tasks"])
def test_from_live_more_entries_than_max_keys_is_not_read(key, monkeypatch):
    monkeypatch.setattr(taskcache, "MAX_KEYS", 3)
    entries = ([{"path": "\\T%d" % i, "id": GUID} for i in range(4)] if key == "tree"
               else [{"guid": GUID, "path": "\\T"}] * 4)
    cache, read = taskcache.from_live({"read": True, key: entries})
    assert read is False and _errors(cache, "more than 3")


def test_from_live_malformed_tree_and_tasks_entries_are_said():
    raw = {"read": True,
           "tree": ["junk", None, {"path": 5, "id": GUID}, {"id": GUID},
                    {"path": "\\Good", "id": GUID, "index": 3, "sd_present": True, "sd_length": 20}],
           "tasks": ["junk", {"guid": 5, "path": "\\X"}, {"guid": "  ", "path": "\\Y"}, {"guid": GUID, "path": "\\Good"}]}
    cache, read = taskcache.from_live(raw)
    assert read is True
    assert list(cache["tree"]) == ["\\good"] and list(cache["tasks"]) == [GUID.lower()]
    assert len(_errors(cache, "malformed Tree entry")) == 4
    assert len(_errors(cache, "malformed Tasks entry")) == 3
    # junk never switches the Tree checks off (test_taskcache_partial_read.py)
    assert "tree_unreadable" not in cache


def test_from_live_a_tree_key_path_longer_than_the_bound_is_not_taken():
    raw = {"read": True, "tree": [{"path": LONG_PATH, "id": GUID, "index": 3, "sd_present": True, "sd_length": 20},
                                  {"path": "\\Vendor\\Short", "id": GUID, "index": 3, "sd_present": True,
                                   "sd_length": 20}]}
    cache, _read = taskcache.from_live(raw)
    assert list(cache["tree"]) == ["\\vendor\\short"]
    said = _errors(cache, "longer than %d" % taskcache.MAX_TASK_PATH)
    assert len(said) == 1 and said[0]["path"] == clip_text("Tree" + LONG_PATH)
    _assert_bounded(cache["errors"])


def test_from_live_a_tree_key_path_at_the_bound_is_taken():
    path = "\\" + "B" * (taskcache.MAX_TASK_PATH - 1)
    cache, _read = taskcache.from_live({"read": True, "tree": [{"path": path, "id": GUID, "index": 3}]})
    assert list(cache["tree"]) == [path.lower()] and not cache["errors"]


def test_from_live_a_huge_tree_id_is_no_guid():
    cache, _read = taskcache.from_live({"read": True, "tree": [{"path": "\\T", "id": "{" + HUGE + "}", "index": 1}]})
    assert cache["tree"]["\\t"]["id"] is None
    assert _errors(cache, "Id value is not a GUID")


def test_from_live_tasks_entry_texts_are_bounded():
    other = "{0A3A7B38-0000-4000-8000-0000000000BB}"
    third = "{0A3A7B38-0000-4000-8000-0000000000CC}"
    raw = {"read": True, "tasks": [
        {"guid": GUID, "path": LONG_PATH, "hash": "ab"},                     # path too long: not taken
        {"guid": other, "path": {"x": 1}, "hash": "A" * (taskcache.MAX_HASH_CHARS + 1)},
        {"guid": third, "path": "\\Ok", "hash": ["not", "text"]},
        {"guid": "{" + HUGE + "}", "path": "\\Z", "hash": None},             # no GUID
    ]}
    cache, read = taskcache.from_live(raw)
    assert read is True
    assert set(cache["tasks"]) == {other.lower(), third.lower()}
    assert cache["tasks"][other.lower()] == {"guid": other, "path": None, "hash": None}
    assert cache["tasks"][third.lower()] == {"guid": third, "path": "\\Ok", "hash": None}
    for text in ("Path value longer than", "Path value is not a string", "Hash value longer than",
                 "Hash value is not text", "longer than %d characters): not evaluated" % taskcache.MAX_GUID_CHARS):
        assert len(_errors(cache, text)) == 1, (text, cache["errors"])
    _assert_bounded(cache["errors"])


@pytest.mark.parametrize("unreadable, said", [
    ("not a list", "malformed list of unreadable Tree keys"),
    ([None, 5, {"x": 1}], "malformed unreadable Tree key"),
    (["\\Vendor\\" + "U" * taskcache.MAX_TASK_PATH], "unreadable Tree key with a path longer than"),
])
def test_from_live_unreadable_tree_keys_that_cannot_be_taken_are_said(unreadable, said):
    cache, _read = taskcache.from_live({"read": True, "tree_unreadable": unreadable})
    assert _errors(cache, said)
    assert "tree_unreadable" not in cache            # never honoured: no check switched off
    _assert_bounded(cache["errors"])


def test_from_live_keeps_the_unreadable_keys_it_can_take(monkeypatch):
    monkeypatch.setattr(taskcache, "MAX_KEYS", 2)
    cache, _read = taskcache.from_live({"read": True, "tree_unreadable": ["\\A", "\\B\\", "\\C"]})
    assert cache["tree_unreadable"] == ["\\a", "\\b"]
    assert _errors(cache, "more than 2 unreadable Tree keys")


# -------------------------------------------------------- 2. host_context.host_from_live
HOST = {"name": "ws01.corp.example", "os_caption": "Microsoft Windows 10 Enterprise", "os_version": "10.0.19045",
        "os_build": "19045", "product_type": 1, "domain_role": 1}


def test_host_from_live_as_the_collector_sends_it_has_no_errors():
    errors = []
    host = host_context.host_from_live(dict(HOST), errors)
    assert errors == []
    assert (host["name"], host["os_build"], host["os_family"], host["domain_role"]) == (
        "ws01.corp.example", "19045", "windows_10", "member_workstation")


@pytest.mark.parametrize("field", ["name", "os_caption", "os_version"])
@pytest.mark.parametrize("value", [{"x": 1}, ["a"], 12, True])
def test_host_from_live_a_text_fact_that_is_no_text_is_none_and_said(field, value):
    errors = []
    host = host_context.host_from_live(dict(HOST, **{field: value}), errors)
    assert host[field] is None
    assert [e for e in errors if e["source"] == "host" and "malformed host fact" in e["error"] and field in e["error"]]


@pytest.mark.parametrize("field", ["name", "os_caption", "os_version"])
def test_host_from_live_a_text_fact_too_long_is_cut_and_said(field):
    errors = []
    host = host_context.host_from_live(dict(HOST, **{field: HUGE}), errors)
    limit = host_context.MAX_LIVE_TEXT[field]
    assert host[field] == clip_text(HUGE, limit) and len(host[field]) == limit
    assert [e for e in errors if "longer than %d characters: cut" % limit in e["error"]]


def test_host_from_live_a_text_fact_at_its_bound_is_kept_whole():
    errors = []
    name = "n" * host_context.MAX_LIVE_TEXT["name"]
    assert host_context.host_from_live(dict(HOST, name=name), errors)["name"] == name and errors == []


@pytest.mark.parametrize("field, value", [("os_build", "9" * 4000), ("os_build", {"x": 1}), ("os_build", "19045x"),
                                          ("product_type", "workstation"), ("domain_role", [1]),
                                          ("os_build", 10 ** 12), ("product_type", True)])
def test_host_from_live_a_number_fact_that_is_no_number_is_none_and_said(field, value):
    errors = []
    host = host_context.host_from_live(dict(HOST, **{field: value}), errors)
    assert host["os_family"] == "unknown" if field != "domain_role" else host["domain_role"] == "unknown"
    assert [e for e in errors if "malformed host fact" in e["error"] and field in e["error"]]
    assert all(len(e["error"]) <= MAX_ERROR_TEXT for e in errors)


def test_host_from_live_a_section_that_is_no_dict_is_said():
    errors = []
    assert host_context.host_from_live(["x"], errors) == host_context.empty_host()
    assert errors and "malformed host facts" in errors[0]["error"]
    assert host_context.host_from_live(None, errors) == host_context.empty_host() and len(errors) == 1


def test_hostile_host_facts_through_the_live_normalization():
    module_result = _module_result()
    module_result["tasks"]["host"].update(name={"evil": HUGE}, os_caption=HUGE, os_build=HUGE)
    tasks = _normalize(module_result)
    assert tasks["host"]["name"] is None
    assert len(tasks["host"]["os_caption"]) == host_context.MAX_LIVE_TEXT["os_caption"]
    host_errors = [e for e in tasks["errors"] if e["source"] == "host"]
    assert len(host_errors) == 3, host_errors
    _assert_bounded(tasks["errors"])


def test_a_host_section_that_is_no_dict_through_the_live_normalization():
    module_result = _module_result()
    module_result["tasks"]["host"] = ["not", "a", "dict"]
    tasks = _normalize(module_result)
    assert [e for e in tasks["errors"] if e["source"] == "host" and "malformed host facts" in e["error"]]


def test_hostile_host_facts_through_the_whole_live_audit():
    module_result = _module_result()
    module_result["tasks"]["host"].update(name=HUGE, os_caption=HUGE, os_version=HUGE, os_build="9" * 4000)
    ctx = pipeline.Context(audit_support.load_rules([]), None, [], None)
    result, _section = pipeline.audit_live(ctx, "ws042", {}, module_result)
    assert result["os_build"] is None and "9" * 100 not in json.dumps(result)
    assert HUGE[:1000] not in json.dumps(result)
    # said, as a coverage gap of the host facts (cut name, caption and version, no build)
    assert [f for f in result["findings"] if f.get("code") == "TG-C003" and f["params"]["source"] == "host"
            and f["params"]["count"] == 4]


# ---------------------------------------------------- 3. task paths of the API and the files
def _add_long_task(module_result, where, path=LONG_PATH):
    material = module_result["tasks"]
    if where == "api":
        item = copy.deepcopy(material["api"]["tasks"][0])
        material["api"]["tasks"].append(dict(item, path=path))
    else:
        item = copy.deepcopy(material["files"]["entries"][-1])
        material["files"]["entries"].append(dict(item, path=path))


@pytest.mark.parametrize("where, source", [("api", "api"), ("files", "file")])
def test_a_task_path_longer_than_the_bound_is_an_unparseable_task(where, source):
    module_result = _module_result()
    _add_long_task(module_result, where)
    tasks = _normalize(module_result)
    assert all(len(t["path"]) <= taskcache.MAX_TASK_PATH for t in tasks["tasks"])
    said = [u for u in tasks["unparseable"] if "longer than %d" % taskcache.MAX_TASK_PATH in u["error"]]
    assert said == [{"path": clip_text(LONG_PATH), "source": source,
                     "error": "task path longer than %d characters: not evaluated" % taskcache.MAX_TASK_PATH}]


def test_a_task_path_at_the_bound_is_evaluated():
    module_result = _module_result()
    path = "\\" + "B" * (taskcache.MAX_TASK_PATH - 1)
    _add_long_task(module_result, "api", path)
    tasks = _normalize(module_result)
    assert path in {t["path"] for t in tasks["tasks"]}
    assert not [u for u in tasks["unparseable"] if "longer than" in u["error"]]


def test_a_long_path_on_both_sources_is_never_joined_or_called_hidden():
    """The same long task from the API, the files and the TaskCache: each is said where
    it was met, and no hidden reason is claimed for a path that was not evaluated."""
    module_result = _module_result()
    _add_long_task(module_result, "api")
    _add_long_task(module_result, "files")
    cache = module_result["tasks"]["taskcache"]
    cache["tree"].append({"path": LONG_PATH, "id": GUID, "index": 3, "sd_present": False, "sd_length": None})
    cache["tasks"].append({"guid": GUID, "path": LONG_PATH, "hash": "ab" * 32})
    tasks = _normalize(module_result)
    assert {u["source"] for u in tasks["unparseable"] if "longer than" in u["error"]} == {"api", "file"}
    assert len([e for e in tasks["errors"] if e["source"] == "registry" and "longer than" in e["error"]]) == 2
    assert not [t for t in tasks["tasks"] if GUID.lower() in json.dumps(t.get("registry")).lower()]
    _assert_bounded(tasks["errors"])


@pytest.mark.parametrize("where", ["api", "files"])
def test_task_entries_without_a_text_path_are_said(where):
    module_result = _module_result()
    material = module_result["tasks"]
    junk = ["junk", {"path": {"x": 1}}, {"path": ""}, {"path": None}]
    (material["api"]["tasks"] if where == "api" else material["files"]["entries"]).extend(junk)
    tasks = _normalize(module_result)
    said = [e for e in tasks["errors"] if e["source"] == where and "malformed task entry" in e["error"]]
    assert len(said) == 4, tasks["errors"]


def test_a_long_task_path_through_the_whole_live_audit():
    module_result = _module_result()
    _add_long_task(module_result, "api", "\\" + HUGE)
    ctx = pipeline.Context(audit_support.load_rules([]), None, [], None)
    result, _section = pipeline.audit_live(ctx, "ws042", {}, module_result)
    assert "TG-U001" in {f.get("code") for f in result["findings"]}
    assert result["verdict"]["state"] != "clean"
    assert HUGE[:1000] not in json.dumps(result)
