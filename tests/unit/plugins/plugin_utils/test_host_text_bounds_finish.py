# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bounds of host texts, finished (after test_live_host_text_bounds.py):

* live: a file hash the host sent that cannot be a hash is said, as
  taskcache.from_live says it of a TaskCache Hash (it was silently dropped);
  the host's collection errors are bounded in audit_support.normalize_live;
* offline: task paths longer than taskcache.MAX_TASK_PATH, from the task folder,
  a reg export or a SOFTWARE hive, are not evaluated and said (a 3,000-character
  path was an evaluated task); every error path of the offline walk is cut.

Every test goes through a public entry point: audit_support.normalize_live,
task_collection.collect_offline_tasks or pipeline.audit_offline.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support, pipeline, taskcache
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import MAX_ERROR_TEXT, clip_text
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import collect_offline_tasks
from regf_writer import REG_BINARY, REG_DWORD, REG_SZ, Key, build_hive

REPO = Path(__file__).resolve().parents[4]
FIXTURES = REPO / "tests" / "unit" / "fixtures"
SAMPLE = REPO / "samples" / "srv01"
GUID = "{0A3A7B38-0000-4000-8000-0000000000AA}"
TASKCACHE = "Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache"
# Eight folders of 250 characters: 2,008 characters, within the bound; a task of a
# 100-character name in them is 2,109 characters long, over it.
FOLDERS = ["F%d" % i + "x" * 248 for i in range(8)]
LONG_FOLDER = "\\" + "\\".join(FOLDERS)
LONG_TASK = LONG_FOLDER + "\\" + "T" * 100
TASK_XML = (SAMPLE / "Windows" / "System32" / "Tasks" / "Microsoft" / "Windows" / "Defrag" / "ScheduledDefrag")


def _assert_bounded(entries):
    for entry in entries:
        assert isinstance(entry.get("error"), str) and len(entry["error"]) <= MAX_ERROR_TEXT, entry
        assert entry.get("path") is None or len(entry["path"]) <= MAX_ERROR_TEXT, entry


# ------------------------------------------------------------------------- live
def _module_result():
    return json.loads((FIXTURES / "collect" / "live_plain.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("field", ["sha256", "content_sha256"])
@pytest.mark.parametrize("value, said", [
    ("A" * (taskcache.MAX_HASH_CHARS + 1), "value longer than %d characters: not taken" % taskcache.MAX_HASH_CHARS),
    (["not", "text"], "value is not text: not taken"),
    (12345, "value is not text: not taken"),
])
def test_live_a_file_hash_that_cannot_be_one_is_said(field, value, said):
    module_result = _module_result()
    entry = module_result["tasks"]["files"]["entries"][0]
    entry[field] = value
    entry.pop("content", None)      # content_sha256 is recomputed from content when it came
    tasks, _events, problems = audit_support.normalize_live(module_result)
    assert not problems
    named = [e for e in tasks["errors"] if e["source"] == "files" and e["error"] == field + " " + said]
    assert len(named) == 1 and named[0]["path"].lower() == entry["path"].lower()
    task = next(t for t in tasks["tasks"] if t["path"].lower() == entry["path"].lower())
    assert task["file"][field] is None


def test_live_a_file_hash_as_the_collector_sends_it_is_no_error():
    tasks, _events, _problems = audit_support.normalize_live(_module_result())
    assert not [e for e in tasks["errors"] if "sha256" in e["error"]]


@pytest.mark.parametrize("value", ["E" * 100000, {"message": "E" * 100000}, ["x"] * 1000, 10 ** 5000],
                         ids=["huge-text", "dict", "list", "huge-int"])   # str() of that int raises
def test_live_a_collection_error_of_the_host_is_bounded(value):
    module_result = _module_result()
    module_result["errors"] = {"events": value}
    _tasks, _events, problems = audit_support.normalize_live(module_result)
    said = [p for p in problems if p["source"] == "events"]
    assert len(said) == 1 and len(said[0]["error"]) <= MAX_ERROR_TEXT + 100
    assert said[0]["error"].startswith("collection on the host failed: ")
    if not isinstance(value, str):
        assert "malformed text from the collector (a %s)" % type(value).__name__ in said[0]["error"]


def test_live_a_collection_error_under_a_huge_source_name_is_bounded():
    module_result = _module_result()
    module_result["errors"] = {"S" * 100000: "failed"}
    _tasks, _events, problems = audit_support.normalize_live(module_result)
    assert [len(p["source"]) <= MAX_ERROR_TEXT for p in problems] == [True]


# ---------------------------------------------------------------------- offline
def _tasks_folder(root):
    folder = root / "Windows" / "System32" / "Tasks"
    folder.mkdir(parents=True)
    return folder


def _offline_with_long_paths(tmp_path):
    """Evidence: one ordinary task, one task of 2,109 characters and a folder of
    2,259 characters (holding a task); no TaskCache source."""
    root = tmp_path / "c"
    tasks = _tasks_folder(root)
    shutil.copy(TASK_XML, tasks / "Ordinary")
    deep = tasks.joinpath(*FOLDERS)
    deep.mkdir(parents=True)
    shutil.copy(TASK_XML, deep / ("T" * 100))
    deeper = deep / ("G" * 250)
    deeper.mkdir()
    shutil.copy(TASK_XML, deeper / "Inside")
    return root


def test_offline_a_task_path_longer_than_the_bound_is_unparseable_not_a_task(tmp_path):
    result = collect_offline_tasks(str(_offline_with_long_paths(tmp_path)))
    assert [t["path"] for t in result["tasks"]] == ["\\Ordinary"]
    too_long = [u for u in result["unparseable"] if u["error"] == taskcache.TASK_PATH_TOO_LONG]
    assert too_long == [{"path": clip_text(LONG_TASK), "source": "file", "error": taskcache.TASK_PATH_TOO_LONG}]


def test_offline_a_folder_path_longer_than_the_bound_is_said_and_not_walked(tmp_path):
    result = collect_offline_tasks(str(_offline_with_long_paths(tmp_path)))
    said = [e for e in result["errors"] if "folder path longer than %d" % taskcache.MAX_TASK_PATH in e["error"]]
    assert len(said) == 1 and said[0]["source"] == "files"
    assert said[0]["path"] == clip_text(LONG_FOLDER + "\\" + "G" * 250)
    _assert_bounded(result["errors"] + result["unparseable"])


def test_offline_the_same_bound_in_the_other_task_locations(tmp_path):
    root = _offline_with_long_paths(tmp_path)
    other = root / "Windows" / "SysWOW64" / "Tasks"
    other.joinpath(*FOLDERS).mkdir(parents=True)
    shutil.copy(TASK_XML, other.joinpath(*FOLDERS) / ("T" * 100))
    result = collect_offline_tasks(str(root))
    assert [t["path"] for t in result["tasks"]] == ["\\Ordinary"]
    assert {"path": clip_text(LONG_TASK), "source": "syswow64_tasks",
            "error": taskcache.TASK_PATH_TOO_LONG} in result["unparseable"]
    assert result["other_locations"]["syswow64_tasks"] == 1      # the file is counted all the same


def test_offline_a_long_path_is_a_finding_of_the_audit_and_no_task(tmp_path):
    root = _offline_with_long_paths(tmp_path)
    shutil.copy(SAMPLE / "TaskCache.reg", root / "TaskCache.reg")
    ctx = pipeline.prepare(inventory_dirs=[str(REPO / "task_inventory")], today="2026-12-03")
    result, message = pipeline.audit_offline(ctx, "long01", {"admin_surface": False}, root)
    assert message is None
    rows = [f for f in result["findings"] if f.get("code") == "TG-U001"]
    assert [r.get("task") for r in rows if r["evidence"].get("error") == taskcache.TASK_PATH_TOO_LONG] == [
        clip_text(LONG_TASK)]
    # never a task of its own: no finding names the long path as a task
    assert not [f for f in result["findings"] if f.get("task") == LONG_TASK]
    assert result["verdict"] != "clean"


def _reg_export(root, tree_path, tasks_path):
    key = "HKEY_LOCAL_MACHINE\\SOFTWARE\\" + TASKCACHE
    text = "\r\n".join([
        "Windows Registry Editor Version 5.00", "",
        "[%s]" % key, "",
        "[%s\\Tree%s]" % (key, tree_path),
        '"Id"="%s"' % GUID, '"Index"=dword:00000003', '"SD"=hex:01,00,04,80', "",
        "[%s\\Tasks\\%s]" % (key, GUID),
        '"Path"="%s"' % tasks_path.replace("\\", "\\\\"), "",
    ]) + "\r\n"
    (root / "TaskCache.reg").write_bytes(text.encode("utf-16"))


def test_offline_reg_export_entries_with_paths_longer_than_the_bound_are_said(tmp_path):
    root = tmp_path / "c"
    _tasks_folder(root)
    long_tree = LONG_FOLDER + "\\" + "R" * 100
    _reg_export(root, long_tree, long_tree)
    result = collect_offline_tasks(str(root))
    assert result["registry_source"]["kind"] == "reg_export"
    assert result["tasks"] == []
    registry = [e for e in result["errors"] if e["source"] == "registry"]
    assert {e["error"] for e in registry} == {
        "Tree key path longer than %d characters: not evaluated" % taskcache.MAX_TASK_PATH,
        "Path value longer than %d characters: entry not evaluated" % taskcache.MAX_TASK_PATH}
    assert clip_text("Tree" + long_tree) in [e["path"] for e in registry]
    _assert_bounded(result["errors"])


def test_offline_reg_export_entries_at_the_bound_are_taken(tmp_path):
    root = tmp_path / "c"
    _tasks_folder(root)
    at_bound = "\\" + "B" * (taskcache.MAX_TASK_PATH - 1)
    _reg_export(root, at_bound, at_bound)
    result = collect_offline_tasks(str(root))
    assert [t["path"] for t in result["tasks"]] == [at_bound]
    assert not [e for e in result["errors"] if e["source"] == "registry"]


def _software_hive(root, tree_paths, tasks_path):
    hive = Key("CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}")
    cache = hive.ensure(TASKCACHE)
    for tree_path in tree_paths:
        cache.ensure("Tree" + tree_path).values = [("Id", REG_SZ, GUID), ("Index", REG_DWORD, 3),
                                                   ("SD", REG_BINARY, b"\x01\x00\x04\x80")]
    cache.ensure("Tasks\\" + GUID).values = [("Path", REG_SZ, tasks_path)]
    config = root / "Windows" / "System32" / "config"
    config.mkdir(parents=True)
    (config / "SOFTWARE").write_bytes(build_hive(hive))


def test_offline_hive_entries_with_paths_longer_than_the_bound_are_said(tmp_path):
    root = tmp_path / "c"
    _tasks_folder(root)
    long_tree = LONG_FOLDER + "\\" + "H" * 100
    below = LONG_FOLDER + "\\" + "K" * 250 + "\\Below"      # its folder key is already too long
    _software_hive(root, [long_tree, below], long_tree)
    result = collect_offline_tasks(str(root))
    assert result["registry_source"]["kind"] == "hive"
    assert result["tasks"] == []
    registry = [e for e in result["errors"] if e["source"] == "registry"]
    assert sorted(e["error"] for e in registry) == sorted([
        "Path value longer than %d characters: entry not evaluated" % taskcache.MAX_TASK_PATH,
        "Tree key path longer than %d characters: not evaluated, nor the keys below it" % taskcache.MAX_TASK_PATH,
        "Tree key path longer than %d characters: not evaluated, nor the keys below it" % taskcache.MAX_TASK_PATH,
    ])
    assert clip_text("Tree" + long_tree) in [e["path"] for e in registry]
    _assert_bounded(result["errors"])


# ------------------------------------------------------------------------ events
OPERATIONAL = "Microsoft-Windows-TaskScheduler/Operational"
SECURITY_4698 = (
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/>"
    "<EventID>4698</EventID><Version>1</Version><Level>0</Level><Task>12804</Task><Opcode>0</Opcode>"
    "<Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='2026-03-02T09:15:04.1234567Z'/>"
    "<EventRecordID>9001</EventRecordID><Correlation/><Execution ProcessID='4' ThreadID='8'/>"
    "<Channel>Security</Channel><Computer>WS042.corp.example</Computer><Security/></System><EventData>"
    "<Data Name='SubjectUserSid'>S-1-5-18</Data><Data Name='SubjectUserName'>WS042$</Data>"
    "<Data Name='SubjectDomainName'>CORP</Data><Data Name='SubjectLogonId'>0x3e7</Data>"
    "<Data Name='TaskName'>%s</Data><Data Name='TaskContent'>&lt;Task</Data></EventData></Event>")


def _channel(module_result, name):
    return next(c for c in module_result["events"]["channels"] if c["name"] == name)


def _events(module_result):
    _tasks, events, problems = audit_support.normalize_live(module_result)
    assert not problems, problems             # normalized, never lost to an exception
    return events


def test_live_an_event_record_error_of_the_host_is_bounded_and_never_str():
    module_result = _module_result()
    _channel(module_result, OPERATIONAL)["record_errors"] = [
        {"record_id": 7, "error": {"type": {"nested": "E" * 100000}, "message": "M" * 100000}}]
    said = [u for u in _events(module_result)["unparseable"] if u.get("record_id") == 7]
    assert len(said) == 1 and len(said[0]["error"]) <= MAX_ERROR_TEXT
    assert said[0]["error"].startswith("malformed text from the collector (a dict): MMM")
    assert said[0]["error"].endswith("\u2026")          # cut, and the cut marked


def test_live_a_query_error_type_that_is_a_huge_number_is_no_crash():
    """str() of an int of 5,000 digits raises: the events were lost to an exception."""
    module_result = _module_result()
    channel = _channel(module_result, OPERATIONAL)
    channel["query_error"] = {"type": 10 ** 5000, "message": "Q" * 100000}
    channel["events"] = []
    events = _events(module_result)
    assert events is not None


def test_a_task_definition_error_of_an_event_is_cut_and_marked():
    module_result = _module_result()
    security = next(c for c in module_result["events"]["channels"] if c["name"] == "Security")
    security["events"] = [SECURITY_4698 % ("\\Vendor\\" + "N" * 3000)]
    events = _events(module_result)
    found = [e for e in events["events"] if e.get("record_id") == 9001]
    assert len(found) == 1 and found[0]["definition"] is None
    error = found[0]["definition_error"]
    assert len(error) <= MAX_ERROR_TEXT and error.endswith("\u2026")


# ----------------------------------------------------------------- admin surface
# Through admin_surface.normalize_live_admin_surface (pipeline.audit_live's call):
# every text of the host is bounded, and none is str() of a host object (an int of
# 5,000 digits made str() raise, losing the whole admin surface of the host).
HUGE_INT = 10 ** 5000


def _admin_raw():
    return json.loads((FIXTURES / "admin_surface" / "live_dc.json").read_text(encoding="utf-8"))


def _all_texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _all_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _all_texts(item)


def _assert_texts_bounded(material, limit=MAX_ERROR_TEXT + 100):
    longest = max(_all_texts(material), key=len)
    assert len(longest) <= limit, longest[:200]


def test_admin_surface_whole_error_that_is_a_huge_number():
    from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface
    raw = {"error": HUGE_INT, "administrators": None}
    material = admin_surface.normalize_live_admin_surface(raw)
    assert "malformed text from the collector (a int)" in material["administrators"]["errors"]


def test_admin_surface_administrators_texts_are_bounded():
    from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface
    raw = _admin_raw()
    raw["administrators"]["errors"] = ["E" * 100000, {"deep": "E" * 100000}, HUGE_INT]
    raw["administrators"]["members"].append({"sid": "X" * 100000, "name": None, "lookup_error": None})
    raw["administrators"]["domain_role"] = HUGE_INT
    material = admin_surface.normalize_live_admin_surface(raw)
    errors = material["administrators"]["errors"]
    assert errors[:3] == [clip_text("E" * 100000), "malformed text from the collector (a dict)",
                          "malformed text from the collector (a int)"]
    assert "member without a SID: %r" % clip_text("X" * 100000, 200) in errors
    assert any("DomainRole 'a int'" in e for e in errors)
    _assert_texts_bounded(material["administrators"])


@pytest.mark.parametrize("group_sid", [{"sid": "S" * 100000}, "S" * 100000, HUGE_INT],
                         ids=["dict", "huge-text", "huge-int"])
def test_admin_surface_a_wrong_group_is_said_bounded(group_sid):
    from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface
    raw = _admin_raw()
    raw["administrators"]["group_sid"] = group_sid
    material = admin_surface.normalize_live_admin_surface(raw)
    assert material["administrators"]["read"] is False
    assert [e for e in material["administrators"]["errors"] if e.startswith("material is not about S-1-5-32-544")]
    _assert_texts_bounded(material["administrators"])


def test_admin_surface_laps_texts_are_bounded():
    from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface
    raw = _admin_raw()
    raw["laps"]["errors"] = ["L" * 100000, ["a", "list"]]
    raw["laps"]["events_error"] = "Q" * 100000
    raw["laps"]["events_error_id"] = HUGE_INT
    material = admin_surface.normalize_live_admin_surface(raw)
    errors = material["laps"]["errors"]
    assert errors[:2] == [clip_text("L" * 100000), "malformed text from the collector (a list)"]
    said = [e for e in errors if e.startswith("Microsoft-Windows-LAPS/Operational not read: ")]
    assert len(said) == 1 and said[0].endswith("\u2026")
    _assert_texts_bounded(material["laps"])


def test_admin_surface_sysvol_texts_are_bounded_and_no_entry_skipped():
    from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface
    raw = _admin_raw()
    sysvol = raw["sysvol"]
    sysvol["root"] = "R" * 100000
    sysvol["errors"] = ["S" * 100000, HUGE_INT]
    gpo = sysvol["gpos"][0]
    gpo["errors"] = [{"x": "G" * 100000}]
    gpo["files"].append("not a file entry")
    gpo["files"].append({"scope": "user", "path": "P" * 100000, "error": {"x": 1}})
    sysvol["gpos"].append({"guid": HUGE_INT})
    sysvol["gpos"].append({"guid": "{" + "0" * 100000 + "}"})
    material = admin_surface.normalize_live_admin_surface(raw)
    gpo_tasks = material["gpo_tasks"]
    assert gpo_tasks["coverage"]["policy_roots"] == [clip_text("R" * 100000, 400)]
    errors = [e["error"] for e in gpo_tasks["errors"]]
    assert clip_text("S" * 100000) in errors and "malformed text from the collector (a int)" in errors
    assert "malformed file entry from the collector (a str): not read" in errors
    assert {"source": clip_text("P" * 100000, 400), "gpo_guid": gpo["guid"].upper(),
            "error": "malformed text from the collector (a dict)"} in gpo_tasks["errors"]
    unparseable = [u["error"] for u in gpo_tasks["unparseable"]]
    assert "GPO entry without a GUID: 'a int'" in unparseable
    assert "GPO entry without a GUID: %r" % clip_text("{" + "0" * 100000 + "}", 200) in unparseable
    _assert_texts_bounded(gpo_tasks)


def test_admin_surface_error_lists_that_are_no_list_are_said_not_raised():
    """``(errors or [])[:50]`` of a dict raised TypeError: the whole admin surface was lost."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface
    raw = _admin_raw()
    raw["administrators"]["errors"] = {"E": "x"}
    raw["laps"]["errors"] = {"L": "x"}
    material = admin_surface.normalize_live_admin_surface(raw)
    assert material["administrators"]["errors"][0] == "malformed text from the collector (a dict)"
    assert material["laps"]["errors"][0] == "malformed text from the collector (a dict)"


def test_live_a_host_error_list_is_bounded_in_length_and_the_rest_counted():
    from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import MAX_HOST_ERRORS
    module_result = _module_result()
    module_result["tasks"]["files"]["errors"] = [{"path": "\\F%d" % i, "error": "denied"}
                                                 for i in range(MAX_HOST_ERRORS + 250)]
    tasks, _events, problems = audit_support.normalize_live(module_result)
    assert not problems
    files = [e for e in tasks["errors"] if e["source"] == "files"]
    assert len(files) == MAX_HOST_ERRORS + 1
    assert files[-1] == {"source": "files", "path": None, "error": "250 more errors from the collector not listed"}
