# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Task files parsed once before the workers fork (definition_memo.py): a memo hit
is exactly what a fresh parse of the same bytes at the same place gives, for every
authentic Windows 10 task; a file differing in one byte is parsed itself; a hit
is a copy; a whole offline collection is the same with and without the memo."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import definition_memo, task_collection, task_model
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError

HERE = os.path.dirname(__file__)
AUTHENTIC = os.path.join(HERE, "..", "..", "fixtures", "authentic", "tasks", "win10-aptsim")


@pytest.fixture(autouse=True)
def empty_memo():
    definition_memo.clear()
    yield
    definition_memo.clear()


def _evidence(tmp_path, name="host"):
    root = tmp_path / name
    shutil.copytree(AUTHENTIC, root / "Windows" / "System32" / "Tasks")
    return root


def _files(root):
    base = root / "Windows" / "System32" / "Tasks"
    for folder, _dirs, names in os.walk(base):
        for name in names:
            full = os.path.join(folder, name)
            yield "\\" + os.path.relpath(full, base).replace(os.sep, "\\"), full


def test_a_hit_equals_a_fresh_parse_for_every_authentic_task_at_another_place(tmp_path):
    root = _evidence(tmp_path)
    assert definition_memo.seed(str(root)) == definition_memo.size() > 150
    compared = 0
    for path, full in _files(root):
        data = open(full, "rb").read()
        try:
            fresh = task_model.parse_task_definition(data, path=path + "Moved")
        except TaskGuardInputError:
            continue
        assert definition_memo.parse(data, path + "Moved") == fresh, path
        compared += 1
    assert compared > 150


def test_a_hit_is_a_copy_and_one_changed_byte_is_parsed_itself(tmp_path):
    root = _evidence(tmp_path)
    definition_memo.seed(str(root))
    path, full = next((p, f) for p, f in _files(root) if p.endswith("GameOver"))
    data = open(full, "rb").read()
    first = definition_memo.parse(data, path)
    first["actions"][0]["command"] = "changed by one worker"
    assert definition_memo.parse(data, path)["actions"][0]["command"] != "changed by one worker"
    # the same file with another command: not the memo's (its hash differs)
    original = task_model.parse_task_definition(data, path=path)["actions"][0]["command"]
    evil = data.decode("utf-16").replace(original, original + "x").encode("utf-16")
    assert evil != data
    assert definition_memo.parse(evil, path)["actions"][0]["command"] == original + "x"


def test_unparseable_files_are_left_to_the_worker_which_reports_them(tmp_path):
    root = _evidence(tmp_path)
    bad = root / "Windows" / "System32" / "Tasks" / "Broken"
    bad.write_bytes(b"<Task><not closed")
    definition_memo.seed(str(root))
    with pytest.raises(TaskGuardInputError):
        definition_memo.parse(bad.read_bytes(), "\\Broken")


def test_the_memo_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(definition_memo, "MAX_ENTRIES", 5)
    assert definition_memo.seed(str(_evidence(tmp_path))) == 5 and definition_memo.size() == 5


def test_an_offline_collection_is_the_same_with_and_without_the_memo(tmp_path):
    seeded, audited = _evidence(tmp_path, "first"), _evidence(tmp_path, "second")
    (audited / "Windows" / "System32" / "Tasks" / "GameOver").write_bytes(
        (audited / "Windows" / "System32" / "Tasks" / "GameOver").read_bytes().replace(b"\x00<", b"\x00 <", 1))
    without = task_collection.collect_offline_tasks(str(audited))
    definition_memo.seed(str(seeded))
    with_memo = task_collection.collect_offline_tasks(str(audited))

    def plain(result):
        return json.dumps(result, sort_keys=True, default=repr)
    assert plain(with_memo) == plain(without)


def _gameover(root):
    path, full = next((p, f) for p, f in _files(root) if p.endswith("GameOver"))
    return path, open(full, "rb").read()


def test_a_hit_shares_no_dict_or_list_with_the_memo_or_another_hit(tmp_path):
    root = _evidence(tmp_path)
    definition_memo.seed(str(root))
    path, data = _gameover(root)
    first = definition_memo.parse(data, path)
    assert first["principal"] and first["actions"] and first["triggers"]
    first["principal"]["user_id"] = "changed"
    first["actions"].append({"type": "exec"})
    first["actions"][0]["command"] = "changed"
    first["triggers"][0]["type"] = "changed"
    first["triggers"].clear()
    first["author"] = "changed"
    second = definition_memo.parse(data, path)
    assert second == task_model.parse_task_definition(data, path=path)
    assert "changed" not in json.dumps(second)


def test_a_definition_of_another_shape_is_not_kept_but_parsed_by_the_worker(tmp_path, monkeypatch):
    # _fresh copies only the containers a parsed definition has: anything else
    # (a nested dict, a tuple, a str subclass) would be shared between hosts
    root = _evidence(tmp_path)
    path, data = _gameover(root)
    real = task_model.parse_task_definition

    class Text(str):
        pass

    def parser_adding(odd):
        def shaped(*args, **kwargs):
            return dict(real(*args, **kwargs), **odd)
        return shaped

    for odd in ({"nested": {"a": 1}}, {"principal": {"id": ["x"]}}, {"actions": ({"type": "exec"},)},
                {"triggers": [{"type": Text("boot")}]}, {"author": 1.5}):
        definition_memo.clear()
        shaped = parser_adding(odd)
        monkeypatch.setattr(task_model, "parse_task_definition", shaped)
        assert definition_memo.seed(str(root)) == 0 and definition_memo.size() == 0
        assert definition_memo.parse(data, path) == shaped(data, path=path)


def test_a_hash_given_by_the_caller_is_the_key_and_a_miss_is_parsed(tmp_path):
    root = _evidence(tmp_path)
    definition_memo.seed(str(root))
    path, data = _gameover(root)
    _other_path, other = next((p, open(f, "rb").read()) for p, f in _files(root) if not p.endswith("GameOver"))
    sha_of_other = hashlib.sha256(other).hexdigest()
    # the key the caller says it computed over the bytes chooses the kept definition
    # (why only the offline walk's own hashes are ever given: next test)
    assert definition_memo.parse(data, path, sha256=sha_of_other)["sha256"] == sha_of_other
    changed = data.decode("utf-16").replace("mim.exe", "mimi.exe").encode("utf-16")
    sha = hashlib.sha256(changed).hexdigest()
    assert changed != data and sha not in definition_memo._MEMO
    assert definition_memo.parse(changed, path, sha256=sha) == task_model.parse_task_definition(changed, path=path)


def test_a_live_host_claiming_a_kept_hash_gets_its_own_bytes_parsed(tmp_path):
    # a live file record's sha256 is the host's claim: never the memo key
    root = _evidence(tmp_path)
    definition_memo.seed(str(root))
    path, data = _gameover(root)
    _other_path, other = next((p, open(f, "rb").read()) for p, f in _files(root) if not p.endswith("GameOver"))
    raw = {"is_admin": True, "api": {"read": False}, "taskcache": None,
           "files": {"read": True, "entries": [{"path": path, "size": len(data),
                                                "sha256": hashlib.sha256(other).hexdigest(),
                                                "content": base64.b64encode(data).decode("ascii")}]}}
    task = next(t for t in task_collection.normalize_live_tasks(raw)["tasks"] if t["path"] == path)
    fresh = task_model.parse_task_definition(data, path=path)
    assert task["actions"] == fresh["actions"] and task["sha256"] == fresh["sha256"] == hashlib.sha256(data).hexdigest()


def test_offline_records_carry_the_hash_of_their_own_bytes(tmp_path):
    # what collect_offline_tasks relies on when it gives the walk's hashes to the memo
    from ansible_collections.taskguard.windows.plugins.plugin_utils import offline_tasks
    _dir, records, _errors = offline_tasks.walk_task_files(str(_evidence(tmp_path)))
    assert len(records) > 150
    assert all(r["sha256"] == hashlib.sha256(r["data"]).hexdigest() for r in records)


def _one_file_evidence(tmp_path, name, data):
    folder = tmp_path / name / "Windows" / "System32" / "Tasks"
    folder.mkdir(parents=True)
    (folder / "Only").write_bytes(data)
    return tmp_path / name


def test_once_seeded_a_worker_keeps_what_it_parses_and_owns_what_it_gets(tmp_path):
    root = _evidence(tmp_path)
    path, data = _gameover(root)
    other = data.decode("utf-16").replace("mim.exe", "mimi.exe").encode("utf-16")   # on no seeded host
    definition_memo.parse(other, path)
    assert definition_memo.size() == 0          # not seeded: the memo is off, nothing kept
    definition_memo.seed(str(_one_file_evidence(tmp_path, "seeding", data)))
    assert definition_memo.size() == 1
    first = definition_memo.parse(other, path)  # a miss: parsed, and kept
    assert definition_memo.size() == 2
    first["actions"][0]["command"] = "changed by its host"
    first["principal"]["user_id"] = "changed by its host"
    second = definition_memo.parse(other, path + "Elsewhere")   # a hit now
    assert second == task_model.parse_task_definition(other, path=path + "Elsewhere")
    assert "changed by its host" not in json.dumps(second)
    definition_memo.clear()
    definition_memo.parse(other, path)
    assert definition_memo.size() == 0          # cleared: off again


def test_what_does_not_parse_is_never_kept(tmp_path):
    definition_memo.seed(str(_evidence(tmp_path)))
    before = definition_memo.size()
    for _i in range(2):
        with pytest.raises(TaskGuardInputError):
            definition_memo.parse(b"<Task><not closed", "\\Broken")
    assert definition_memo.size() == before


def test_the_kept_source_bytes_are_bounded(tmp_path, monkeypatch):
    # a hostile host's large files must not fill a worker's memory: past the budget
    # nothing more is kept (each file is still parsed, and the same)
    root = _evidence(tmp_path)
    sizes = sorted(os.path.getsize(full) for _path, full in _files(root))
    monkeypatch.setattr(definition_memo, "MAX_KEPT_BYTES", sum(sizes[:3]))
    kept = definition_memo.seed(str(root))
    assert 1 <= kept <= 3 and definition_memo._STATE["bytes"] <= sum(sizes[:3])
    path, data = _gameover(root)
    big = data.decode("utf-16").replace("mim.exe", "m" * 5000 + ".exe").encode("utf-16")
    assert definition_memo.parse(big, path) == task_model.parse_task_definition(big, path=path)
    assert definition_memo.size() == kept
