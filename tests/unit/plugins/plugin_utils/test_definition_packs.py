# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packs of the shared definition store (plugins/plugin_utils/definition_store.py):
once a build's built-in definitions were seen on two hosts, a host of that
build reads them from one file instead of one file each, and gets exactly what
parsing gives. A pack is picked by host facts (hostile) but only ever looked up
by hashes the controller computed; a broken, planted, full or unwritable pack
costs reading single entries again, never a wrong or missing task."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support, definition_cache, state
from ansible_collections.taskguard.windows.plugins.plugin_utils import definition_store as ds
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import definition_sha256
import bench_fleet

UNIQUE = "\\Microsoft\\Windows\\Vendor Leftover\\Only On One Host"


@pytest.fixture(scope="module")
def hosts():
    """Four synthetic hosts of one build (module results as the collector prints them)."""
    fleet = bench_fleet.Fleet(4, events=40)
    return [json.loads(json.dumps(fleet.host(i)[1])) for i in range(4)]


def _audit(result, state_dir, host=None):
    """What the audit action does with one host's module result: (tasks, store)."""
    store = ds.DefinitionStore(str(state_dir), host=host or result["tasks"]["host"]["name"])
    tasks, _events, problems = audit_support.normalize_live(copy.deepcopy(result), store=store)
    assert not problems
    return tasks, store


def _shared_shas(result):
    return {definition_sha256(t["xml"]) for t in result["tasks"]["api"]["tasks"]
            if t.get("xml") and ds.shareable(t["path"])}


def _pack_files(state_dir):
    return sorted(Path(state_dir).rglob("%s/*.json" % ds.PACK_DIR))


def _entries(pack):
    """The entries of a pack file: {sha: values}."""
    lines = pack.read_bytes().split(b"\n")
    assert lines[0] == ds.PACK_HEADER and lines[-1] == b""
    entries = {}
    for line in lines[1:-1]:
        sha, _sep, body = line.partition(b" ")
        values = json.loads(body)
        assert values[ds.STORED_KEYS.index("sha256")] == sha.decode()
        entries[sha.decode()] = values
    return entries


def _reads(monkeypatch):
    """Record every store file read (single entries and packs)."""
    paths = []
    real = state.read_at_most

    def recording(path, limit):
        paths.append(path)
        return real(path, limit)
    monkeypatch.setattr(state, "read_at_most", recording)
    return paths


def _fresh(result):
    return audit_support.normalize_live(copy.deepcopy(result))[0]


def test_third_host_reads_its_builds_shared_definitions_from_one_file(hosts, tmp_path, monkeypatch):
    _audit(hosts[0], tmp_path)                     # first host: single entries written
    assert not _pack_files(tmp_path)               # nothing seen twice yet
    _tasks, second = _audit(hosts[1], tmp_path)    # seen before: gathered in the pack
    assert second.pack_hits == 0 and second.hits > 150
    packs = _pack_files(tmp_path)
    assert len(packs) == 1
    assert set(_entries(packs[0])) == _shared_shas(hosts[0]) & _shared_shas(hosts[1])

    reads = _reads(monkeypatch)
    tasks, third = _audit(hosts[2], tmp_path)
    both = _shared_shas(hosts[0]) & _shared_shas(hosts[1]) & _shared_shas(hosts[2])
    assert third.pack_hits == len(both) > 150
    single_reads = {Path(p).stem for p in reads if ds.PACK_DIR not in p}
    assert not single_reads & both                 # (single reads left: event TaskContent, this host's own)
    assert len(single_reads) < 10
    assert tasks == _fresh(hosts[2])               # exactly what parsing gives


def test_a_definition_seen_on_one_host_never_enters_a_pack(hosts, tmp_path):
    lonely = copy.deepcopy(hosts[0])
    template = lonely["tasks"]["api"]["tasks"][0]
    lonely["tasks"]["api"]["tasks"].append(dict(template, path=UNIQUE, xml=template["xml"].replace(
        "</Task>", "<!-- this host only --></Task>")))
    unique_sha = definition_sha256(lonely["tasks"]["api"]["tasks"][-1]["xml"])
    _audit(lonely, tmp_path)
    _audit(hosts[1], tmp_path)
    _audit(hosts[2], tmp_path)
    (pack,) = _pack_files(tmp_path)
    assert unique_sha not in pack.read_text()
    assert Path(ds.DefinitionStore(str(tmp_path))._path(unique_sha)).is_file()   # still kept singly


@pytest.mark.parametrize("os_build", ["../../../../tmp/evil", "19045\x00", "\ud800", "x" * 5000, None])
def test_the_pack_is_picked_by_host_facts_and_cannot_be_escaped_or_mixed(hosts, tmp_path, os_build):
    _audit(hosts[0], tmp_path)
    _audit(hosts[1], tmp_path)
    other = copy.deepcopy(hosts[2])
    other["tasks"]["host"]["os_build"] = os_build
    tasks, store = _audit(other, tmp_path)
    assert store.pack_hits == 0                    # another build: not this pack
    assert tasks == _fresh(other)
    packs = _pack_files(tmp_path)
    assert len(packs) == 2                         # the other build got its own
    root = Path(store.root) / ds.PACK_DIR
    assert all(p.parent == root and len(p.stem) == 32 and int(p.stem, 16) >= 0 for p in packs)


@pytest.mark.parametrize("planted", ["not a pack", "json", "no header", "cut short", "short entries",
                                     "no fingerprint", "another sha", "bad sha", "two values", "too big", "utf-16"])
def test_broken_or_planted_pack_costs_single_reads_and_is_repaired(hosts, tmp_path, planted):
    _audit(hosts[0], tmp_path)
    _audit(hosts[1], tmp_path)
    (pack,) = _pack_files(tmp_path)
    good = pack.read_bytes()
    entries = _entries(pack)
    lines = [b"%s %s" % (sha.encode(), json.dumps(values).encode()) for sha, values in entries.items()]
    header = ds.PACK_HEADER + b"\n"
    if planted == "not a pack":
        content = b"{{{"
    elif planted == "json":
        content = json.dumps(list(entries.values())).encode()
    elif planted == "no header":
        content = b"\n".join(lines) + b"\n"
    elif planted == "cut short":
        content = good[:len(good) // 2]
    elif planted == "short entries":
        content = header + b"".join(b"%s [1,2]\n" % sha.encode() for sha in entries)
    elif planted == "no fingerprint":
        at = ds.STORED_KEYS.index("fingerprint")
        content = header + b"".join(b"%s %s\n" % (sha.encode(), json.dumps(v[:at] + [None] + v[at + 1:]).encode())
                                    for sha, v in entries.items())
    elif planted == "another sha":
        # every line names another definition than its own (a planted swap)
        shas = list(entries)
        content = header + b"".join(b"%s %s\n" % (shas[i - 1].encode(), json.dumps(entries[shas[i]]).encode())
                                    for i in range(len(shas)))
    elif planted == "bad sha":
        content = header + b"".join(b"../../%s %s\n" % (sha[:58].encode(), json.dumps(v).encode())
                                    for sha, v in entries.items())
    elif planted == "two values":
        # one line holding two entries: decoded together they would shift every later entry
        shas = list(entries)
        pairs = [(sha, json.dumps(entries[shas[i - 1]]), json.dumps(entries[sha])) for i, sha in enumerate(shas)]
        content = header + b"".join(b"%s %s,%s\n" % (sha.encode(), one.encode(), two.encode())
                                    for sha, one, two in pairs)
    elif planted == "too big":
        content = header + b" " * ds.MAX_PACK_BYTES + b"\n"
    else:
        content = good.decode("ascii").encode("utf-16")
    pack.write_bytes(content)
    tasks, store = _audit(hosts[2], tmp_path)
    assert tasks == _fresh(hosts[2])
    assert store.pack_hits == 0
    assert len(_entries(pack)) > 150 or planted in ("cut short",)   # rewritten by the host that read singly
    _tasks, fourth = _audit(hosts[3], tmp_path)
    assert fourth.pack_hits > 150


def test_the_same_bytes_at_two_paths_are_two_separate_definitions(hosts, tmp_path):
    twice = copy.deepcopy(hosts[2])
    api = twice["tasks"]["api"]["tasks"]
    first = next(t for t in api if t.get("xml") and ds.shareable(t["path"]))
    api.append(dict(first, path=first["path"] + " Copy"))
    _audit(hosts[0], tmp_path)
    _audit(hosts[1], tmp_path)
    tasks, store = _audit(twice, tmp_path)
    assert store.pack_hits > 150
    one, other = (next(t for t in tasks["tasks"] if t["path"] == p) for p in (first["path"], first["path"] + " Copy"))
    assert one["actions"] == other["actions"] and one["actions"] is not other["actions"]
    assert one["principal"] is not other["principal"] or one["principal"] is None
    assert store.pack_hits == len(_shared_shas(twice)) + 1 - len(_shared_shas(twice) - set(_entries(_pack_files(tmp_path)[0])))
    assert tasks == _fresh(twice)


def test_what_callers_do_with_a_definition_never_reaches_the_pack(hosts, tmp_path):
    _audit(hosts[0], tmp_path)
    _audit(hosts[1], tmp_path)
    store = ds.DefinitionStore(str(tmp_path), host="three")
    store.use_pack(ds.pack_key(_fresh(hosts[2])["host"]))
    for sha in _shared_shas(hosts[2]):
        values = store.kept_values(sha)
        if values is not None:
            values[ds.STORED_KEYS.index("actions")].append({"type": "exec", "command": "C:\\evil.exe"})
            assert "evil.exe" not in json.dumps(store.kept_values(sha))   # a second ask decodes anew
    sha = sorted(_shared_shas(hosts[0]))[0]
    store._for_pack[sha] = json.dumps(ds.DefinitionStore(str(tmp_path)).kept_values(sha)).encode()
    assert store.save_pack()   # forced rewrite
    tasks, fourth = _audit(hosts[3], tmp_path)
    assert fourth.pack_hits > 150
    assert "evil.exe" not in json.dumps(tasks) and tasks == _fresh(hosts[3])


def test_a_full_pack_starts_again_with_what_the_writing_host_added(hosts, tmp_path, monkeypatch):
    _audit(hosts[0], tmp_path)
    _audit(hosts[1], tmp_path)
    (pack,) = _pack_files(tmp_path)
    before = len(_entries(pack))
    extra = copy.deepcopy(hosts[2])
    template = next(t for t in extra["tasks"]["api"]["tasks"] if t.get("xml") and ds.shareable(t["path"]))
    extra["tasks"]["api"]["tasks"].append(dict(template, path=UNIQUE, xml=template["xml"].replace(
        "</Task>", "<!-- on two hosts --></Task>")))
    new_sha = definition_sha256(extra["tasks"]["api"]["tasks"][-1]["xml"])
    monkeypatch.setattr(ds, "MAX_PACK_ENTRIES", before)   # full now
    _audit(extra, tmp_path, host="one")           # new: a single entry
    assert len(_entries(pack)) == before
    _tasks, same = _audit(extra, tmp_path, host="one")   # its own again: not for the pack
    assert len(_entries(pack)) == before and same.pack_hits == before
    _tasks, store = _audit(extra, tmp_path, host="two")  # on another host: wants into the full pack
    assert store.pack_hits == before
    restarted = _entries(pack)
    assert new_sha in restarted
    assert len(restarted) < 5                     # stale entries went
    tasks, fifth = _audit(hosts[3], tmp_path)      # singles again, gathered again
    assert tasks == _fresh(hosts[3]) and fifth.pack_hits == 0
    assert len(_entries(pack)) >= before - 5


def test_unwritable_pack_is_reported_and_the_run_goes_on(hosts, tmp_path):
    _audit(hosts[0], tmp_path)
    store = ds.DefinitionStore(str(tmp_path))
    Path(store.root, ds.PACK_DIR).write_text("a file where the pack folder should be")
    tasks, second = _audit(hosts[1], tmp_path)
    assert second.error and "not written" in second.error
    assert tasks == _fresh(hosts[1])


def test_steady_state_reads_the_hosts_pack_too(hosts, tmp_path, monkeypatch):
    _audit(hosts[0], tmp_path)
    _audit(hosts[1], tmp_path)
    tasks, store = _audit(hosts[2], tmp_path)
    assert definition_cache.save(str(tmp_path), "ws2", tasks, store=store) is None
    reads = _reads(monkeypatch)
    loader = ds.DefinitionStore(str(tmp_path))
    entries = definition_cache.load(str(tmp_path), "ws2", store=loader)
    assert loader.pack_key == ds.pack_key(tasks["host"]) and loader.pack_hits > 150
    assert len([p for p in reads if ds.PACK_DIR not in p and p.endswith(".json")]) <= 5
    assert {e["path"]: e["definition"] for e in entries.values()} == {
        t["path"]: {k: t[k] for k in e["definition"]} for t in tasks["tasks"]
        for e in [entries.get(t["path"].lower())] if e}
