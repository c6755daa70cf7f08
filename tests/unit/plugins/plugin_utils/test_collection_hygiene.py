# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collection hygiene left by the review of issues 16/19/21/22.

* a SYSVOL folder is listed once per read, so a folder that cannot be listed is
  one TG-G011 error, not one per lookup through it (gpo_tasks._Read);
* a task folder the scheduler does not load (SysWOW64\\Tasks, Tasks_Migrated) is
  looked up once, so its lookup errors appear once (task_collection.add_other_locations);
* the file budget of an offline walk is enforced by the walk (offline_tasks.BoundedWalk);
* the error entries a live host returns are type-checked and bounded: a dict, a
  list or a huge string there is a "malformed" entry or a clipped text, never a
  crash and never an unbounded string in the host's result.
"""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import (
    audit_support, gpo_tasks, offline_tasks, pipeline, task_collection,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import MAX_ERROR_TEXT, clip_text

REPO_ROOT = Path(__file__).resolve().parents[4]
FIXTURES = REPO_ROOT / "tests" / "unit" / "fixtures"
GUID = "{31B2F340-016D-11D2-945F-00C04FB984F9}"
OTHER_GUID = "{6AC1786C-016F-11D2-945F-00C04FB984F9}"
IMMEDIATE = (FIXTURES / "admin_surface" / "scheduled_tasks_immediate_system.xml").read_bytes()
HUGE = "A" * 100000


# ------------------------------------------------------------------ helpers
def spy_listings(monkeypatch, denied=()):
    """Count os.scandir calls per folder (real path); the ``denied`` folders raise
    PermissionError (the tests run as root: chmod does not deny)."""
    real = os.scandir
    denied = {os.path.realpath(p) for p in denied}
    calls = {}

    def scandir(path="."):
        key = os.path.realpath(path)
        calls[key] = calls.get(key, 0) + 1
        if key in denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)
    monkeypatch.setattr(os, "scandir", scandir)
    return calls


def plant_gpo(policies, guid, scopes=("Machine",)):
    (policies / guid).mkdir(parents=True, exist_ok=True)
    (policies / guid / "GPT.INI").write_bytes(b"[General]\r\ndisplayName=Test GPO\r\n")
    for scope in scopes:
        target = policies / guid / scope / "Preferences" / "ScheduledTasks"
        target.mkdir(parents=True, exist_ok=True)
        (target / "ScheduledTasks.xml").write_bytes(IMMEDIATE)


def errors_about(result, folder_name):
    return [e for e in result["errors"] if e["source"].rstrip("/").endswith(folder_name)]


# ------------------------------------------------- 1. SYSVOL listed once per read
def test_a_gpo_folder_that_cannot_be_listed_is_one_error(tmp_path, monkeypatch):
    policies = tmp_path / "Windows" / "SYSVOL" / "domain" / "Policies"
    plant_gpo(policies, GUID)
    plant_gpo(policies, OTHER_GUID, scopes=("Machine", "User"))
    spy_listings(monkeypatch, denied=[policies / GUID])
    result = gpo_tasks.collect_offline(root=str(tmp_path))
    denied = errors_about(result, GUID)
    # GPT.INI, Machine\... and User\... are each looked up through the GPO folder: one error
    assert len(denied) == 1, result["errors"]
    assert "cannot list folder" in denied[0]["error"] and denied[0]["gpo_guid"] == GUID
    assert [t["gpo_guid"] for t in result["tasks"]] == [OTHER_GUID, OTHER_GUID]   # the other GPO is read
    assert not gpo_tasks.fully_read(result)


def test_each_sysvol_folder_is_listed_once(tmp_path, monkeypatch):
    sysvol = tmp_path / "sysvol_copy"
    plant_gpo(sysvol / "domain" / "Policies", GUID, scopes=("Machine", "User"))
    (sysvol / "sysvol" / "corp.example").mkdir(parents=True)
    calls = spy_listings(monkeypatch)
    result = gpo_tasks.collect_offline(sysvol_root=str(sysvol))
    assert len(result["tasks"]) == 2 and result["errors"] == []
    assert calls and max(calls.values()) == 1, {k: v for k, v in calls.items() if v > 1}


def test_an_unlistable_copied_sysvol_root_is_one_error(tmp_path, monkeypatch):
    sysvol = tmp_path / "sysvol_copy"
    sysvol.mkdir()
    spy_listings(monkeypatch, denied=[sysvol])
    result = gpo_tasks.collect_offline(sysvol_root=str(sysvol))
    # looked up for Policies, domain\Policies, sysvol\<domain> and <domain>\Policies: one error
    assert [e["error"] for e in result["errors"]] == ["cannot list folder: Permission denied"]
    assert result["coverage"]["sysvol_found"] is False


def test_a_folder_listed_in_part_is_said_once(tmp_path, monkeypatch):
    policies = tmp_path / "Windows" / "SYSVOL" / "domain" / "Policies"
    plant_gpo(policies, GUID)
    for index in range(5):
        (policies / GUID / ("junk%d" % index)).mkdir()
    monkeypatch.setattr(gpo_tasks, "MAX_FOLDER_ENTRIES", 4)
    result = gpo_tasks.collect_offline(root=str(tmp_path))
    cut = [e for e in result["errors"] if "more than 4 entries" in e["error"] and e.get("gpo_guid") == GUID]
    assert len(cut) == 1, result["errors"]


def test_the_listings_kept_are_bounded(tmp_path, monkeypatch):
    """The memo never holds more entries than its budget: past it a folder is listed
    again (its problems are still reported once)."""
    sysvol = tmp_path / "sysvol_copy"
    plant_gpo(sysvol / "domain" / "Policies", GUID)
    for index in range(6):
        (sysvol / ("site%d" % index)).mkdir()
    monkeypatch.setattr(gpo_tasks, "MAX_KEPT_LISTING_ENTRIES", 3)
    read = gpo_tasks._Read()
    roots = gpo_tasks.find_policy_roots(sysvol_root=str(sysvol), read=read)
    assert [os.path.relpath(p, b) for p, b in roots] == [os.path.join("domain", "Policies")]
    assert read.kept_entries <= 3
    assert sum(len(v) for v in read.listed.values() if v) <= 3


# ------------------------------------------- 2. other task locations looked up once
def _evidence(tmp_path):
    root = tmp_path / "evidence"
    (root / "Windows" / "System32" / "Tasks").mkdir(parents=True)
    return root


def test_an_other_location_spelled_twice_is_one_error(tmp_path):
    root = _evidence(tmp_path)
    # neither spelling is Windows' own (an exact match would win without a doubt)
    (root / "Windows" / "SYSWOW64" / "Tasks").mkdir(parents=True)
    (root / "Windows" / "syswow64" / "Tasks").mkdir(parents=True)
    result = task_collection.collect_offline_tasks(str(root))
    spelled = [e for e in result["errors"] if "several spellings of 'SysWOW64'" in e["error"]]
    assert len(spelled) == 1, result["errors"]
    assert spelled[0]["source"] == "syswow64_tasks"
    assert result["other_locations"]["syswow64_tasks"] == 0


def test_an_other_location_linked_out_of_the_evidence_is_one_error(tmp_path):
    root = _evidence(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Planted").write_bytes(b"<Task/>")
    os.symlink(outside, root / "Windows" / "System32" / "Tasks_Migrated")
    result = task_collection.collect_offline_tasks(str(root))
    refused = [e for e in result["errors"] if "outside the evidence root" in e["error"]]
    assert len(refused) == 1, result["errors"]
    assert refused[0]["source"] == "tasks_migrated"
    assert result["other_locations"]["tasks_migrated"] is None          # not read
    assert not any(t["path"] == "\\Planted" for t in result["tasks"])


def test_other_locations_absent_or_a_file_stay_null_without_errors(tmp_path):
    root = _evidence(tmp_path)
    (root / "Windows" / "System32" / "Tasks_Migrated").write_bytes(b"a file, not a folder")
    result = task_collection.collect_offline_tasks(str(root))
    assert result["other_locations"] == {"syswow64_tasks": None, "tasks_migrated": None}
    assert not [e for e in result["errors"] if e["source"] in ("syswow64_tasks", "tasks_migrated")]


# ----------------------------------------------------- 3. the walk owns its file budget
def test_the_task_walk_stops_at_its_file_budget(tmp_path):
    tasks = _evidence(tmp_path) / "Windows" / "System32" / "Tasks"
    for name in ("A", "B", "C"):
        (tasks / name).write_bytes(b"x")
    _dir, files, errors = offline_tasks.walk_task_files(str(tmp_path / "evidence"), max_files=2)
    assert [f["path"] for f in files] == ["\\A", "\\B"]
    assert errors == [{"source": "files", "path": "\\C", "error": "more than 2 task files: walk stopped"}]


def test_bounded_walk_enforces_max_files(tmp_path):
    walk = offline_tasks.BoundedWalk(tmp_path, max_file_bytes=10, max_files=2, what="job files")
    assert walk.room_for_file("a") and not walk.errors
    walk.files.extend([{}, {}])
    assert walk.room_for_file("c") is False
    assert walk.errors == [{"source": "files", "path": "c", "error": "more than 2 job files: walk stopped"}]
    walk = offline_tasks.BoundedWalk(tmp_path, max_file_bytes=10, max_files=2, what="job files")
    assert walk.first_files(["a", "b", "c"], "Tasks") == ["a", "b"]
    assert walk.errors == [{"source": "files", "path": "Tasks", "error": "3 job files, only the first 2 read"}]


# --------------------------------------------- 4. host error entries checked and bounded
def _module_result():
    return json.loads((FIXTURES / "collect" / "live_plain.json").read_text(encoding="utf-8"))


HOSTILE_ENTRIES = [
    {"path": {"nested": ["dict"]}, "error": "denied"},
    {"path": ["a", "list"], "error": {"message": "a dict"}},
    {"path": "P" * 100000, "error": HUGE},
    {"path": 7, "error": None},
    {"path": None, "error": [1, 2, 3]},
    "not an entry at all",
    ["a", "list", "entry"],
]


def _assert_bounded(entries):
    for entry in entries:
        assert isinstance(entry, dict), entry
        assert isinstance(entry.get("path"), (str, type(None))), entry
        assert isinstance(entry.get("error"), str), entry
        assert len(entry["error"]) <= MAX_ERROR_TEXT, len(entry["error"])
        assert entry["path"] is None or len(entry["path"]) <= MAX_ERROR_TEXT, len(entry["path"])


def _normalize(module_result):
    tasks, _events, problems = audit_support.normalize_live(module_result)
    assert not [p for p in problems if p["source"] == "tasks"], problems    # normalized, not lost
    assert isinstance(tasks, dict)
    return tasks


@pytest.mark.parametrize("part", ["files", "job_files", "taskcache"])
def test_hostile_error_entries_of_a_live_source_are_malformed_entries(part):
    module_result = _module_result()
    material = module_result["tasks"]
    if part == "job_files":
        material["job_files"] = {"read": True, "entries": [], "errors": copy.deepcopy(HOSTILE_ENTRIES)}
    else:
        material[part]["errors"] = copy.deepcopy(HOSTILE_ENTRIES)
    tasks = _normalize(module_result)
    source = "registry" if part == "taskcache" else part
    mine = [e for e in tasks["errors"] if e["source"] == source]
    _assert_bounded(tasks["errors"])
    malformed = [e for e in mine if "malformed" in e["error"]]
    # every entry that is not a dict, or whose path or error is not text, is said to be malformed
    assert len(malformed) == 6, mine
    assert any(e["error"] == clip_text(HUGE) and e["path"] == clip_text("P" * 100000) for e in mine)


def test_hostile_api_folder_errors_are_bounded_and_fail_closed():
    module_result = _module_result()
    api = module_result["tasks"]["api"]
    api["folder_errors"] = [{"path": {"x": 1}, "error": HUGE}, "junk"]
    tasks = _normalize(module_result)
    _assert_bounded(tasks["errors"])
    api_errors = [e for e in tasks["errors"] if e["source"] == "api"]
    assert len([e for e in api_errors if "malformed" in e["error"]]) == 2, api_errors
    # a denied folder the host did not name is the whole tree: absence from the API proves nothing
    assert not [t for t in tasks["tasks"] if "not_in_api" in t["hidden_reasons"]]


@pytest.mark.parametrize("where", ["host", "api", "files", "job_files", "taskcache"])
@pytest.mark.parametrize("value", [HUGE, {"message": "dict"}, ["list"]])
def test_hostile_error_of_a_whole_source_is_bounded_text(where, value):
    module_result = _module_result()
    material = module_result["tasks"]
    if where == "host":
        material["host"]["error"] = value
    elif where == "job_files":
        material["job_files"] = {"read": False, "error": value}
    else:
        material[where] = {"read": False, "error": value}
    tasks = _normalize(module_result)
    _assert_bounded(tasks["errors"])
    expected = "registry" if where == "taskcache" else where
    said = [e for e in tasks["errors"] if e["source"] == expected]
    assert said, tasks["errors"]
    if not isinstance(value, str):
        assert [e for e in said if "malformed" in e["error"]], said     # never str() of the host's object
    if where != "host":
        assert tasks["sources"][expected] is False      # not read stays not read


def test_hostile_item_errors_are_bounded_in_unparseable():
    module_result = _module_result()
    material = module_result["tasks"]
    material["api"]["tasks"].append({"path": "\\Broken", "xml": None, "error": {"x": HUGE}})
    material["files"]["entries"].append({"path": "\\OnlyFile", "content": None, "error": HUGE})
    material["job_files"] = {"read": True, "entries": [{"name": "At1.job", "content": None, "error": ["x"] * 9}]}
    tasks = _normalize(module_result)
    _assert_bounded(tasks["errors"])
    by_path = {u["path"]: u for u in tasks["unparseable"]}
    for path in ("\\Broken", "\\OnlyFile", "\\At1.job"):
        assert isinstance(by_path[path]["error"], str) and len(by_path[path]["error"]) <= MAX_ERROR_TEXT
    assert "malformed" in by_path["\\Broken"]["error"] and "malformed" in by_path["\\At1.job"]["error"]


def test_hostile_error_entries_through_the_whole_live_audit():
    module_result = _module_result()
    material = module_result["tasks"]
    material["files"]["errors"] = copy.deepcopy(HOSTILE_ENTRIES)
    material["job_files"] = {"read": True, "entries": [], "errors": copy.deepcopy(HOSTILE_ENTRIES)}
    ctx = pipeline.Context(audit_support.load_rules([]), None, [], None)
    result, _section = pipeline.audit_live(ctx, "ws042", {}, module_result)
    codes = {f.get("code") for f in result["findings"]}
    assert "TG-C003" in codes                                   # the errors are a coverage gap
    assert result["verdict"]["state"] != "clean"
    assert HUGE not in json.dumps(result)


def test_clip_text_marks_the_cut():
    assert clip_text("abc") == "abc"
    assert clip_text("abcdef", 4) == "abc\u2026"
    assert len(clip_text(HUGE)) == MAX_ERROR_TEXT


@pytest.mark.parametrize("part", ["files", "job_files", "taskcache"])
@pytest.mark.parametrize("errors", [{"path": "\\x", "error": "a dict, not a list"}, "text", 5])
def test_an_error_list_that_is_not_a_list_is_said(part, errors):
    module_result = _module_result()
    material = module_result["tasks"]
    if part == "job_files":
        material["job_files"] = {"read": True, "entries": [], "errors": errors}
    else:
        material[part]["errors"] = errors
    tasks = _normalize(module_result)
    _assert_bounded(tasks["errors"])
    source = "registry" if part == "taskcache" else part
    assert [e for e in tasks["errors"] if e["source"] == source and "malformed error list" in e["error"]]


def test_folder_errors_that_are_not_a_list_make_the_whole_api_tree_unknown():
    module_result = _module_result()
    module_result["tasks"]["api"]["folder_errors"] = {"path": "\\Locked", "error": "denied"}
    tasks = _normalize(module_result)
    assert [e for e in tasks["errors"] if e["source"] == "api" and "malformed error list" in e["error"]]
    assert not [t for t in tasks["tasks"] if "not_in_api" in t["hidden_reasons"]]


def test_the_fixture_still_finds_not_in_api():
    """The guard of the two tests above: the fixture as recorded does raise not_in_api."""
    tasks = _normalize(_module_result())
    assert [t for t in tasks["tasks"] if "not_in_api" in t["hidden_reasons"]]


def test_a_huge_taskcache_key_path_is_bounded_in_its_error():
    module_result = _module_result()
    module_result["tasks"]["taskcache"]["tree"].append({"path": "\\" + "K" * 100000, "id": 5, "index": 1,
                                                        "sd_present": True, "sd_length": 20})
    tasks = _normalize(module_result)
    _assert_bounded(tasks["errors"])
    # a key path that long is not evaluated (taskcache.MAX_TASK_PATH): said, with the path cut
    assert [e for e in tasks["errors"] if e["source"] == "registry" and "longer than" in e["error"]
            and e["path"] == clip_text("Tree\\" + "K" * 100000)]


def test_huge_times_and_hashes_from_the_host_are_not_taken():
    module_result = _module_result()
    api_task = module_result["tasks"]["api"]["tasks"][0]
    api_task["last_run_time"] = "2024-05-01T10:00:00" + "0" * 100000
    entry = dict(module_result["tasks"]["files"]["entries"][0], content=None, sha256="a" * 100000,
                 content_sha256="b" * 100000, path="\\HashOnly")
    module_result["tasks"]["files"]["entries"].append(entry)
    tasks = _normalize(module_result)
    by_path = {t["path"]: t for t in tasks["tasks"]}
    assert by_path[api_task["path"]]["last_run_time"] is None
    assert by_path["\\HashOnly"]["file"]["sha256"] is None
    assert by_path["\\HashOnly"]["file"]["content_sha256"] is None
