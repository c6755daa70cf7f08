# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""propose_entry / learned files: valid as written, and fed back they match with no diffs."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import (
    format_problem, load_inventory,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import (
    build_document, dump_document, merge_proposals, propose_entry,
)

from .conftest import REPO_ROOT, TODAY

SID = "S-1-5-21-1-2-3-1001"
HOST = {"name": "ws-01", "os_family": "windows_10", "domain_role": "member_workstation", "groups": ["w"]}


def _roundtrip(tmp_path, host_tasks, name="learned.yml"):
    entries, problems = merge_proposals(host_tasks, today=TODAY)
    assert problems == []
    path = tmp_path / name
    path.write_text(dump_document(build_document(entries, owner_name="learned", contact="x")), encoding="utf-8")
    inventory = load_inventory([str(path)], today=TODAY)
    assert inventory.errors == [], [format_problem(p) for p in inventory.errors][:5]
    return inventory


def _assert_no_diffs(inventory, host, tasks):
    view = inventory.for_host(host)
    for task in tasks:
        entry = view.match(task["path"])
        assert entry is not None, task["path"]
        assert entry.compare(task) == [], (task["path"], entry.compare(task))


def simple_task(path="\\Vendor\\Job", **changes):
    task = {"path": path, "name": path.rsplit("\\", 1)[1], "hidden": False, "enabled": True,
            "principal": {"id": "Author", "user_id": "S-1-5-18", "group_id": None, "logon_type": None,
                          "run_level": "HighestAvailable"},
            "actions": [{"type": "exec", "command": "C:\\Vendor\\job.exe", "arguments": "/run",
                         "working_directory": None, "class_id": None, "data": None}],
            "triggers": [{"type": "boot", "enabled": True}], "fingerprint": "ab" * 32, "seen_in": ["api"]}
    task.update(changes)
    return task


def test_proposal_marks_human_fields_and_records_provenance():
    entry = propose_entry(simple_task(), HOST, today=TODAY)
    assert entry["owner"].startswith("CONFIRM")
    assert entry["justification"].startswith("CONFIRM")
    assert entry["approval"]["ticket"].startswith("CONFIRM")          # SYSTEM + highest: privileged
    assert {k: v for k, v in entry["review"].items() if k != "notes"} == {
        "status": "unconfirmed", "confirm": ["owner", "justification", "approval", "expires"]}
    assert entry["review"]["notes"].startswith("Allows the task \\Vendor\\Job to run C:\\Vendor\\job.exe /run as S-1-5-18")
    assert entry["provenance"] == {"learned_from": ["ws-01"], "learned_at": TODAY,
                                   "os_family": ["windows_10"], "source": "api"}


def test_proposal_roundtrip_and_strict_mode(tmp_path):
    inventory = _roundtrip(tmp_path, [(HOST, [simple_task()])])
    _assert_no_diffs(inventory, HOST, [simple_task()])
    assert {w["code"] for w in inventory.warnings} == {"unconfirmed"}
    strict = load_inventory([str(tmp_path / "learned.yml")], today=TODAY, strict=True)
    assert {p["code"] for p in strict.errors} == {"unconfirmed"}


def test_per_user_tasks_become_one_sid_pattern(tmp_path):
    tasks = []
    for rid in (1001, 1002):
        sid = "S-1-5-21-1-2-3-%d" % rid
        tasks.append(simple_task("\\OneDrive Reporting Task-" + sid,
                                 principal={"user_id": sid, "logon_type": "InteractiveToken",
                                            "run_level": "LeastPrivilege"}))
    inventory = _roundtrip(tmp_path, [(HOST, tasks)])
    assert [e.path_pattern for e in inventory.entries] == ["\\OneDrive Reporting Task-{sid}"]
    assert "S-1-5-21" not in (tmp_path / "learned.yml").read_text()
    _assert_no_diffs(inventory, HOST, tasks)


def test_hosts_that_disagree_get_host_scoped_variants(tmp_path):
    other = dict(HOST, name="ws-02")
    changed = simple_task(actions=[{"type": "exec", "command": "C:\\Vendor\\job.exe", "arguments": "/other"}])
    inventory = _roundtrip(tmp_path, [(HOST, [simple_task()]), (other, [changed])])
    assert len(inventory.entries) == 2
    _assert_no_diffs(inventory, HOST, [simple_task()])
    _assert_no_diffs(inventory, other, [changed])


def test_unproposable_task_is_reported_not_dropped():
    entries, problems = merge_proposals([(HOST, [{"path": None}])], today=TODAY)
    assert entries == [] and problems and problems[0]["host"] == "ws-01"


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
_name = st.text(alphabet="abcXYZ019 _-.{}()", min_size=1, max_size=30)
_action = st.one_of(
    st.fixed_dictionaries({"type": st.just("exec"), "command": _text,
                           "arguments": st.one_of(st.none(), _text), "working_directory": st.one_of(st.none(), _text)}),
    st.fixed_dictionaries({"type": st.just("com_handler"), "class_id": st.uuids().map(lambda u: "{%s}" % u),
                           "data": st.one_of(st.none(), _text)}),
)
_task = st.fixed_dictionaries({
    "folder": st.lists(_name, max_size=3),
    "name": _name,
    "sid_suffix": st.booleans(),
    "principal": st.fixed_dictionaries({
        "user_id": st.one_of(st.none(), st.sampled_from(["S-1-5-18", "SYSTEM", "CONTOSO\\bob", "S-1-5-19"])),
        "group_id": st.one_of(st.none(), st.just("S-1-5-4")),
        "logon_type": st.one_of(st.none(), st.sampled_from(["S4U", "InteractiveToken", "Password"])),
        "run_level": st.one_of(st.none(), st.sampled_from(["LeastPrivilege", "HighestAvailable"])),
    }),
    "actions": st.lists(_action, min_size=1, max_size=3),
    "triggers": st.lists(st.sampled_from(["boot", "logon", "time", "daily", "idle"]), max_size=3),
    "hidden": st.booleans(),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=_task)
def test_property_proposal_validates_and_matches(tmp_path, spec):
    name = spec["name"] + ("-" + SID if spec["sid_suffix"] else "")
    path = "\\" + "\\".join(spec["folder"] + [name])
    principal = dict(spec["principal"])
    if spec["sid_suffix"]:
        principal["user_id"] = SID
    task = {"path": path, "name": name, "principal": principal, "actions": spec["actions"],
            "triggers": [{"type": t, "enabled": True} for t in spec["triggers"]], "hidden": spec["hidden"],
            "fingerprint": "cd" * 32, "enabled": True}
    inventory = _roundtrip(tmp_path, [(HOST, [task])], name="p.yml")
    _assert_no_diffs(inventory, HOST, [task])


@pytest.mark.authentic
def test_authentic_win10_folder_learned_and_fed_back_has_no_findings(tmp_path, shared_fixtures):
    from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import parse_task_definition
    root = shared_fixtures / "tasks" / "win10-aptsim"
    tasks = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            full = os.path.join(dirpath, name)
            rel = "\\" + os.path.relpath(full, root).replace(os.sep, "\\")
            tasks.append(parse_task_definition(open(full, "rb").read(), path=rel))
    assert len(tasks) == 202
    inventory = _roundtrip(tmp_path, [(HOST, tasks)])
    _assert_no_diffs(inventory, HOST, tasks)


@pytest.mark.authentic
def test_shipped_windows_10_baseline_is_current_and_matches_the_folder(tmp_path, shared_fixtures):
    """The baseline in the repo is what the generator writes, and it documents every kept task."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("build_baseline", REPO_ROOT / "tools" / "build_inventory_baseline.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    shipped = (REPO_ROOT / "task_inventory" / "baselines" / "windows_10.yml").read_text(encoding="utf-8")
    source_line = [l for l in shipped.splitlines() if l.startswith("# Source: ")][0][len("# Source: "):]
    date = [l for l in shipped.splitlines() if l.strip().startswith("learned_at:")][0].split("'")[1]
    text, skipped, dummy_bad = tool.build(str(shared_fixtures / "tasks" / "win10-aptsim"), "windows_10", source_line, date)
    assert text == shipped, "run tools/build_inventory_baseline.py (see its docstring) and commit the result"
    assert "\\GameOver" in [p for p, dummy in skipped]

    tasks, dummy = tool._collect(str(shared_fixtures / "tasks" / "win10-aptsim"))
    kept, dummy = tool.select(tasks)
    inventory = load_inventory([str(REPO_ROOT / "task_inventory" / "baselines")], today=TODAY)
    win10 = dict(HOST, os_family="windows_10")
    _assert_no_diffs(inventory, win10, kept)
    view = inventory.for_host(win10)
    assert view.match("\\GameOver") is None
    # scoped by version: a Windows 10 task the Windows 11 source does not show
    # (a version without any built-in baseline gets the union: test_baseline_union.py)
    assert inventory.for_host(dict(HOST, os_family="windows_11")).match(
        "\\Microsoft\\Windows\\HelloFace\\FODCleanupTask") is None
    assert view.match("\\Microsoft\\Windows\\HelloFace\\FODCleanupTask") is not None


def test_per_user_tasks_that_differ_on_one_host_keep_exact_paths(tmp_path):
    tasks = []
    for rid, args in ((1001, "/a"), (1002, "/b")):
        sid = "S-1-5-21-1-2-3-%d" % rid
        tasks.append(simple_task("\\Sync-" + sid, principal={"user_id": sid, "logon_type": "InteractiveToken"},
                                 actions=[{"type": "exec", "command": "C:\\s.exe", "arguments": args}]))
    inventory = _roundtrip(tmp_path, [(HOST, tasks)])
    assert sorted(e.path for e in inventory.entries) == sorted(t["path"] for t in tasks)
    _assert_no_diffs(inventory, HOST, tasks)
