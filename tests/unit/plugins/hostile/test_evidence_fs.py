# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile evidence folders (issue 9): symlinks out of the root, symlink loops,
FIFOs and directories where files are expected, unreadable files, 50 MB files.

Tests run as root here, so unreadability is simulated by making ``os.open`` /
``open`` raise PermissionError for chosen names. FIFOs inside the root would
block a reader forever: the hang guard (conftest) turns that into a failure.
Every case must end in a reported error/unparseable entry and, through the
drift path, in a report that says what could not be seen.
"""
from __future__ import annotations

import builtins
import errno
import json
import os
import subprocess
import sys
import textwrap

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import collect_offline_events
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import OPERATIONAL, SECURITY
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import collect_offline_tasks

from . import payloads as P
from .pipeline import audit_offline, check_all, write_all

LOGS = ("Windows", "System32", "winevt", "Logs")
SEC_EVTX = LOGS + ("Security.evtx",)
OP_EVTX = LOGS + ("Microsoft-Windows-TaskScheduler%4Operational.evtx",)
HIVE = ("Windows", "System32", "config", "SOFTWARE")


def _secret_task(canary):
    return P.task_xml(command="C:\\%s.exe" % canary.secret, description=canary.secret)


def _outside_dir(tmp_path, canary):
    """A directory outside the root full of secret-bearing material."""
    out = tmp_path / "outside"
    P.write(out / "Task", _secret_task(canary))
    P.write(out / "x.xml", P.security_event(7, 4698, "\\" + canary.secret, _secret_task(canary)).encode())
    return out


def _everything_text(*results):
    return "".join(P.all_text(r) for r in results)


def test_symlinks_pointing_outside_are_refused_and_reported(tmp_path, canary, file_reads):
    root = P.evidence_root(tmp_path / "evidence")
    outside = _outside_dir(tmp_path, canary)
    tasks = P.tasks_dir(root)
    P.write(tasks / "Legit", P.task_xml())
    os.symlink(canary.file, tasks / "LinkToSecretFile")
    os.symlink(canary.fifo, tasks / "LinkToSecretFifo")
    os.symlink(str(outside), tasks / "LinkedFolder")
    os.symlink(str(outside / "Task"), tasks / "LinkToOutsideTask")
    os.symlink("../../../../../../../../../../.." + canary.file, tasks / "RelativeEscape")
    os.symlink(canary.file, root / "TaskCache.reg")
    os.symlink(canary.fifo, root.joinpath(*SEC_EVTX))
    os.symlink(canary.file, root.joinpath(*OP_EVTX))
    os.symlink(str(outside / "x.xml"), root / "events" / "linked.xml")
    (root / "Windows" / "System32" / "config").mkdir()
    os.symlink(canary.file, root.joinpath(*HIVE))

    with file_reads:
        tasks_result = collect_offline_tasks(str(root))
        events_result = collect_offline_events(str(root))
    assert file_reads.paths                                             # the recorder works ...
    assert file_reads.outside(root) == []                               # ... and nothing outside was opened
    refused = {e["path"] for e in tasks_result["errors"] if "outside the evidence root" in e["error"]}
    assert {"\\LinkToSecretFile", "\\LinkToSecretFifo", "\\LinkedFolder", "\\LinkToOutsideTask",
            "\\RelativeEscape"} <= refused
    assert any("outside the evidence root" in e["error"] and "SOFTWARE" in str(e["path"]) for e in tasks_result["errors"])
    assert tasks_result["sources"]["registry"] is False
    assert events_result["coverage"][SECURITY]["events_may_be_lost"] is True
    assert "evtx_refused" in events_result["coverage"][SECURITY]["reasons"]
    assert "evtx_refused" in events_result["coverage"][OPERATIONAL]["reasons"]
    assert any("linked.xml" in e["path"] and "refused" in e["error"] for e in events_result["errors"])
    assert events_result["events"] == []
    canary.assert_not_in(_everything_text(tasks_result, events_result))

    offline = audit_offline(root)
    assert offline["status"] == "partial"
    _doc, files = write_all({"victim": offline}, tmp_path / "reports")
    check_all(files)
    canary.assert_not_in(*files.values())


def test_whole_tree_symlinked_outside_is_refused(tmp_path, canary):
    outside = tmp_path / "outside-windows"
    P.write(outside / "System32" / "Tasks" / "Secret", _secret_task(canary))
    root = tmp_path / "evidence"
    root.mkdir()
    os.symlink(str(outside), root / "Windows")
    tasks_result = collect_offline_tasks(str(root))
    assert tasks_result["tasks"] == [] and tasks_result["sources"]["files"] is False
    assert any("outside the evidence root" in e["error"] for e in tasks_result["errors"])
    canary.assert_not_in(P.all_text(tasks_result))


def test_symlink_loops_end_and_are_reported(tmp_path):
    root = P.evidence_root(tmp_path / "evidence")
    tasks = P.tasks_dir(root)
    os.symlink("..", tasks / "Up")                      # back to System32: inside the root, loops to Tasks
    os.symlink(".", tasks / "Self")
    os.symlink("B", tasks / "A")
    os.symlink("A", tasks / "B")
    os.symlink("Self", tasks / "Deeper")
    P.write(tasks / "Real", P.task_xml())
    os.symlink("loop.xml", root / "events" / "loop.xml")
    os.symlink("Logs", root.joinpath(*LOGS[:-1]) / "Logs2")
    os.symlink("Security.evtx", root.joinpath(*SEC_EVTX))
    tasks_result = collect_offline_tasks(str(root))
    events_result = collect_offline_events(str(root))
    assert "\\Real" in {t["path"] for t in tasks_result["tasks"]}
    problems = {e["path"]: e["error"] for e in tasks_result["errors"]}
    assert "\\A" in problems and "\\B" in problems
    assert any("loop" in e for e in problems.values())
    assert any("loop.xml" in e["path"] for e in events_result["errors"])
    assert events_result["coverage"][SECURITY]["events_may_be_lost"] is True


@pytest.mark.parametrize("where", ["task", "reg", "hive", "evtx", "export"])
@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_fifo_or_directory_where_a_file_is_expected(tmp_path, where, kind):
    root = P.evidence_root(tmp_path / "evidence")
    target = {"task": P.tasks_dir(root) / "NotAFile", "reg": root / "TaskCache.reg",
              "hive": root.joinpath(*HIVE), "evtx": root.joinpath(*SEC_EVTX),
              "export": root / "events" / "export.xml"}[where]
    if kind == "fifo":
        P.mkfifo(target)
    else:
        target.mkdir(parents=True)
    P.write(P.tasks_dir(root) / "Real", P.task_xml())
    offline = audit_offline(root)                      # the hang guard fails the test if anything blocks
    tasks_result, events_result = offline["tasks_result"], offline["events_result"]
    assert "\\Real" in {t["path"] for t in tasks_result["tasks"]}
    text = _everything_text(tasks_result["errors"], tasks_result["unparseable"], events_result["errors"],
                            events_result["coverage"])
    if where == "task" and kind == "directory":
        assert "\\NotAFile" not in {t["path"] for t in tasks_result["tasks"]}   # an (empty) folder, not a task
    elif where == "evtx":
        assert events_result["coverage"][SECURITY]["events_may_be_lost"] is True
        assert set(events_result["coverage"][SECURITY]["reasons"]) & {"evtx_unreadable", "evtx_refused"}
    else:
        assert ("not a regular file" in text or "Is a directory" in text), text[:2000]
    assert offline["status"] == "partial"


_DENIED = ("Denied", "TaskCache.reg", "SOFTWARE", "Security.evtx", "denied.xml")


@pytest.fixture
def permission_denied(monkeypatch):
    """os.open/open raise EACCES for the names in _DENIED (root ignores chmod 000)."""
    real_os_open, real_open = os.open, builtins.open

    def _denied(path):
        return isinstance(path, (str, bytes, os.PathLike)) and os.path.basename(os.fsdecode(path)) in _DENIED

    def fake_os_open(path, *args, **kwargs):
        if _denied(path):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return real_os_open(path, *args, **kwargs)

    def fake_open(file, *args, **kwargs):
        if _denied(file):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(file))
        return real_open(file, *args, **kwargs)

    def activate():
        monkeypatch.setattr(os, "open", fake_os_open)
        monkeypatch.setattr(builtins, "open", fake_open)
    return activate


def test_unreadable_files_are_reported_never_clean(tmp_path, permission_denied):
    root = P.evidence_root(tmp_path / "evidence")
    P.write(P.tasks_dir(root) / "Denied", P.task_xml())
    P.write(P.tasks_dir(root) / "Real", P.task_xml())
    P.write(root / "TaskCache.reg", P.reg_export([("\\Real", "{55555555-5555-5555-5555-555555555555}", 1, True)]))
    P.write_big(root.joinpath(*HIVE), 8192, head=b"regf")
    P.write_big(root.joinpath(*SEC_EVTX), 8192, head=b"ElfFile\x00")
    P.write(root / "events" / "denied.xml", P.operational_event(5, 106, "\\Real").encode())
    permission_denied()
    offline = audit_offline(root)
    tasks_result, events_result = offline["tasks_result"], offline["events_result"]
    assert {"path": "\\Denied", "source": "file", "error": "cannot read: Permission denied"} in tasks_result["unparseable"]
    registry_errors = [e for e in tasks_result["errors"] if e["source"] == "registry"]
    assert any("Permission denied" in e["error"] for e in registry_errors)
    assert tasks_result["sources"]["registry"] is False
    assert "evtx_unreadable" in events_result["coverage"][SECURITY]["reasons"]
    assert any("denied.xml" in e["path"] and "Permission denied" in e["error"] for e in events_result["errors"])
    kinds = {f["kind"] for f in offline["findings"]}
    assert {"unparseable", "coverage_gap"} <= kinds and offline["status"] == "partial"


_BIG_SCRIPT = textwrap.dedent("""
    import json, os, resource, sys, time
    sys.path[:0] = [sys.argv[2], sys.argv[3]]
    from hostile import pipeline
    started = time.monotonic()
    offline = pipeline.audit_offline(sys.argv[1])
    doc, files = pipeline.write_all({"victim": offline}, os.path.join(sys.argv[1], "..", "reports"))
    pipeline.check_all(files)
    print(json.dumps({"seconds": time.monotonic() - started,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                      "tasks": offline["tasks_result"], "events": offline["events_result"],
                      "kinds": sorted({f["kind"] for f in offline["findings"]}),
                      "report_bytes": {k: len(v) for k, v in files.items()}}, default=repr))
""")


@pytest.mark.hang_seconds(60)
def test_fifty_megabyte_files_everywhere_bounded_and_reported(tmp_path):
    """50 MB in every place a file is read, in a child process (its peak memory is measured)."""
    root = P.evidence_root(tmp_path / "evidence")
    size = 50 * P.MB
    header = bytearray(4096)
    header[:8] = b"ElfFile\x00"
    header[38:40] = (3).to_bytes(2, "little")
    header[40:42] = (4096).to_bytes(2, "little")
    # a task file, a Security.evtx of corrupt chunks, an Operational.evtx of zeros after a valid header,
    # an export with one never-ending <Event>, a crafted hive, and a TaskCache.reg of garbage lines
    P.write_big(P.tasks_dir(root) / "Big", size, head=b"\xff\xfe", filler="<Task>".encode("utf-16-le"))
    P.write_big(root.joinpath(*SEC_EVTX), size, head=bytes(header), filler=b"ElfChnk\x00" + b"\xab" * (65536 - 8))
    P.write_big(root / "events" / "big.xml", size, head=b"<Event>", filler=b"<Data>x</Data>")
    P.write_big(root.joinpath(*HIVE), size, head=b"regf" + b"\x00" * 4092, filler=b"hbin")
    P.write_big(root / "TaskCache.reg", size, head=(P.REG_HEADER + "[%s]\r\n" % P.TASKCACHE_KEY).encode(),
                filler=b"garbage line\r\n")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    collections = os.path.join(os.path.dirname(here), "..", "..", "collections")
    proc = subprocess.run([sys.executable, "-c", _BIG_SCRIPT, str(root), here, os.path.abspath(collections)],
                          capture_output=True, text=True, timeout=55, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["seconds"] < 40                                  # hang detector (about 5 s here)
    assert out["rss_mb"] < 1200                                 # bounded: nothing held per 50 MB twice over
    tasks, events = out["tasks"], out["events"]
    assert tasks["unparseable"] == [{"path": "\\Big", "source": "file",
                                     "error": "file of 52428800 bytes exceeds the limit of 2097152: not parsed"}]
    errors = " ".join(e["error"] for e in tasks["errors"])
    assert "not an allocated key cell" in errors                 # crafted hive refused before regipy loops
    assert "more malformed lines not listed" in errors           # 3.7 M bad lines: counted, not listed
    assert len(tasks["errors"]) < 1100
    assert "corrupt_chunks" in events["coverage"][SECURITY]["reasons"]
    assert any("larger than" in u["error"] for u in events["unparseable"])
    assert {"unparseable", "coverage_gap"} <= set(out["kinds"])
    assert max(out["report_bytes"].values()) < 5 * P.MB


def test_task_files_differing_only_in_case_are_all_reported(tmp_path):
    # A case-sensitive Tasks folder (NTFS per-directory case sensitivity, or a tampered
    # copy) used to let one of the two files vanish without a word.
    root = P.evidence_root(tmp_path / "evidence")
    P.write(P.tasks_dir(root) / "Job", P.task_xml(command="C:\\Program Files\\Vendor\\benign.exe"))
    P.write(P.tasks_dir(root) / "JOB", P.task_xml(command="C:\\Users\\Public\\evil.exe"))
    result = collect_offline_tasks(str(root))
    assert len(result["tasks"]) == 1
    used = result["tasks"][0]["path"]
    other = ({"\\Job", "\\JOB"} - {used}).pop()
    assert any(e["path"] == other and "differs only in case" in e["error"] for e in result["errors"])
    offline = audit_offline(root)
    assert offline["status"] == "partial"
    assert other in P.all_text([f["evidence"] for f in offline["findings"] if f["kind"] == "coverage_gap"])


def test_live_api_items_differing_only_in_case_are_reported():
    from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import normalize_live_tasks
    raw = {"is_admin": True, "api": {"read": True, "tasks": [
        {"path": "\\Job", "xml": P.task_xml(command="C:\\benign.exe"), "state": 3},
        {"path": "\\JOB", "xml": P.task_xml(command="C:\\evil.exe"), "state": 3}]}}
    result = normalize_live_tasks(raw)
    assert any(e["source"] == "api" and e["path"] == "\\JOB" and "differs only in case" in e["error"]
               for e in result["errors"])


def _evtx_header(chunks):
    header = bytearray(4096)
    header[:8] = b"ElfFile\x00"
    header[32:36] = (128).to_bytes(4, "little")
    header[38:40] = (3).to_bytes(2, "little")
    header[40:42] = (4096).to_bytes(2, "little")
    header[42:44] = chunks.to_bytes(2, "little")
    return bytes(header)


def test_evtx_cut_short_is_not_a_clean_log(tmp_path):
    """A copy that stopped after the header used to read as an empty, complete log."""
    root = P.evidence_root(tmp_path / "evidence")
    P.write(root.joinpath(*SEC_EVTX), _evtx_header(7))
    P.write(root.joinpath(*OP_EVTX), _evtx_header(0))          # a genuinely empty log stays clean
    result = collect_offline_events(str(root))
    assert result["coverage"][SECURITY]["events_may_be_lost"] is True
    assert any("truncated file" in u["error"] for u in result["unparseable"])
    assert result["coverage"][OPERATIONAL]["events_may_be_lost"] is False


def test_authentic_evtx_cut_on_a_chunk_boundary_is_reported(tmp_path, shared_fixtures):
    data = (shared_fixtures / "evtx" / "donpapi-benign-4702.evtx").read_bytes()   # header: 7 chunks
    for cut in (4096, 4096 + 3 * 65536):
        root = P.evidence_root(tmp_path / ("cut-%d" % cut))
        P.write(root.joinpath(*SEC_EVTX), data[:cut])
        result = collect_offline_events(str(root))
        assert result["coverage"][SECURITY]["events_may_be_lost"] is True, cut
        assert set(result["coverage"][SECURITY]["reasons"]) - {"log_cleared"}, cut
    root = P.evidence_root(tmp_path / "whole")
    P.write(root.joinpath(*SEC_EVTX), data)
    # whole, the only loss is the clearing the capture starts with (1102)
    assert collect_offline_events(str(root))["coverage"][SECURITY]["reasons"] == ["log_cleared"]


def test_authentic_evtx_with_a_chunk_zeroed_in_the_middle_is_reported(tmp_path, shared_fixtures):
    """Zeroing a chunk (records 1/7 of the log) was skipped silently: a 'clean' log with holes."""
    data = bytearray((shared_fixtures / "evtx" / "donpapi-benign-4702.evtx").read_bytes())
    start = 4096 + 2 * 65536
    data[start:start + 65536] = bytes(65536)
    root = P.evidence_root(tmp_path / "evidence")
    P.write(root.joinpath(*SEC_EVTX), bytes(data))
    result = collect_offline_events(str(root))
    assert result["channels"][SECURITY]["record_count"] < 750
    assert result["coverage"][SECURITY]["events_may_be_lost"] is True
    assert any("no chunk signature" in u["error"] for u in result["unparseable"])
