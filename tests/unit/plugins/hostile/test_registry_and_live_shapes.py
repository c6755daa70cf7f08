# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry readers and live collector output under attack (issue 9).

* ``TaskCache.reg`` exports and ``SOFTWARE`` hives that are garbage, truncated,
  mis-encoded, NUL-filled or crafted: reported as registry errors (the hidden-task
  checks that need the registry are then not claimed), never a crash or a hang.
* The live material of task_info/task_events/collect comes from a host that may be
  compromised: any JSON shape in any field must give a result (with errors) or a
  ``TaskGuardInputError``, never another exception (regressions: a string
  ``sd_length``, a huge ``sd_length``, a numeric ``sha256``, a string ``config``).
"""
from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import normalize_live_events
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import (
    collect_offline_tasks, normalize_live_tasks,
)

from . import payloads as P

GOOD_REG = P.reg_export([("\\Job", "{66666666-6666-6666-6666-666666666666}", 1, True)],
                        [("{66666666-6666-6666-6666-666666666666}", "\\Job")])
REG_CASES = {
    "garbage": bytes(range(256)) * 64,
    "empty": b"",
    "only-bom": codecs.BOM_UTF16_LE,
    "odd-utf16": codecs.BOM_UTF16_LE + GOOD_REG.encode("utf-16-le") + b"\x00",
    "lone-surrogate": codecs.BOM_UTF16_LE + GOOD_REG.encode("utf-16-le").replace(
        "Job".encode("utf-16-le"), b"\x00\xd8ob", 1),
    "nul-bytes": GOOD_REG.replace("Job", "J\x00ob").encode("utf-16-le"),
    "truncated-continuation": P.REG_HEADER + "[%s\\Tree\\Job]\r\n\"SD\"=hex:01,02,\\\r\n" % P.TASKCACHE_KEY,
    "truncated-mid-key": GOOD_REG[: len(GOOD_REG) // 2],
    "bad-hex": GOOD_REG.replace("hex:01,00,04,80", "hex:zz,{{ lookup('pipe','id') }},<script>"),
    "bad-dword": GOOD_REG.replace("dword:00000001", "dword:1234567890abcdef"),
    "huge-line": P.REG_HEADER + "[%s]\r\n\"x\"=\"%s\"\r\n" % (P.TASKCACHE_KEY, "A" * (17 * P.MB)),
    "unterminated-string": GOOD_REG.replace('"Path"="\\\\Job"', '"Path"="\\\\Job'),
    "deleted-keys": GOOD_REG + "[-%s\\Tree\\Job]\r\n" % P.TASKCACHE_KEY,
    "no-taskcache": P.REG_HEADER + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Other]\r\n\"a\"=\"b\"\r\n",
    "hostile-names": P.reg_export([("\\..\\..\\{{ lookup('pipe','id') }}\u202e<script>", "not-a-guid", 0, False)],
                                  [("{{{{", "..\\..\\..\\etc\\passwd")]),
}
HIVE_CASES = {
    "garbage": bytes(range(256)) * 64,
    "empty": b"",
    "regf-only": b"regf",
    "regf-header-zero": b"regf" + b"\x00" * 8000,
    "crafted-first-cell": b"regf" + b"\x00" * 4092 + b"hbin" + b"\x00" * 28 + (1000).to_bytes(4, "little") + b"nk"
                          + b"\x00" * 9000,
    "allocated-nk-then-garbage": b"regf" + b"\x00" * 4092 + b"hbin" + b"\x00" * 28 + (-200).to_bytes(4, "little",
                                                                                                     signed=True)
                                 + b"nk" + bytes(range(256)) * 40,
}


@pytest.mark.parametrize("name", sorted(REG_CASES))
def test_hostile_taskcache_reg_is_reported(tmp_path, name):
    root = P.evidence_root(tmp_path / "evidence")
    data = REG_CASES[name]
    P.write(root / "TaskCache.reg", data if isinstance(data, bytes) else codecs.BOM_UTF16_LE + data.encode("utf-16-le"))
    P.write(P.tasks_dir(root) / "Job", P.task_xml())
    result = collect_offline_tasks(str(root))
    registry_errors = [e for e in result["errors"] if e["source"] == "registry"]
    if result["sources"]["registry"]:
        # read what it could: every malformed line is listed, hidden-task checks ran on the rest.
        # Hostile names (NUL included: the native registry API allows it) are data, not errors;
        # they surface as registry-only tasks and reasons.
        assert registry_errors or name in ("deleted-keys", "hostile-names", "nul-bytes"), name
    else:
        assert registry_errors, name
        assert all(not t["hidden_reasons"] for t in result["tasks"])      # not checked != not hidden
        assert result["checks"]["sd_missing"] is False
    assert "\\Job" in {t["path"] for t in result["tasks"]}
    assert len(P.all_text(result)) < 2 * P.MB


@pytest.mark.parametrize("name", sorted(HIVE_CASES))
def test_hostile_software_hive_is_reported(tmp_path, name):
    root = P.evidence_root(tmp_path / "evidence")
    P.write(root / "Windows" / "System32" / "config" / "SOFTWARE", HIVE_CASES[name])
    result = collect_offline_tasks(str(root))
    assert result["sources"]["registry"] is False
    assert any(e["source"] == "registry" and "SOFTWARE" in str(e["path"]) for e in result["errors"]), result["errors"]


# ------------------------------------------------------------- live shapes

_JSON = st.recursive(st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | st.floats(allow_nan=True)
                     | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=12)


def _task_material(v):
    return {"is_admin": v[0], "host": v[1],
            "api": {"read": True, "tasks": [v[2], {"path": v[3], "xml": v[4], "state": v[5], "last_result": v[6]}],
                    "folder_errors": v[7]},
            "files": {"read": True, "entries": [{"path": "\\x", "size": v[8], "sha256": v[9], "content_sha256": v[10],
                                                 "content": v[11], "error": v[12]}], "errors": v[13],
                      "max_content_bytes": v[14], "truncated": v[15]},
            "taskcache": {"read": True, "tree": [{"path": "\\x", "id": v[16], "index": v[17], "sd_present": True,
                                                  "sd_length": v[18]}, v[19]],
                          "tasks": [{"guid": "{a}", "path": v[20], "hash": v[21]}, v[22]], "errors": v[23]}}


def _event_material(v):
    return {"event_ids": [4698], "max_events": 10, "channels": [
        {"name": "Security", "config": v[0], "info": v[1], "oldest": v[2], "newest": v[3], "events": v[4],
         "record_errors": v[5], "query_error": v[6], "truncated": v[7], "bookmark_mode": v[8],
         "config_error": v[9]}, v[10]]}


@settings(max_examples=80, deadline=None)
@given(values=st.lists(_JSON, min_size=24, max_size=24))
def test_any_live_task_material_gives_a_result_or_an_input_error(values):
    try:
        result = normalize_live_tasks(_task_material(values))
    except TaskGuardInputError:
        return
    assert isinstance(result["tasks"], list) and isinstance(result["errors"], list)


@settings(max_examples=80, deadline=None)
@given(values=st.lists(_JSON, min_size=11, max_size=11))
def test_any_live_event_material_gives_a_result_or_an_input_error(values):
    try:
        result = normalize_live_events(_event_material(values))
    except TaskGuardInputError:
        return
    assert set(result["coverage"]) >= {"Security"}


@pytest.mark.parametrize("event_ids", [False, 7, None.__class__, object()])
def test_event_ids_that_are_not_a_list_are_an_input_error(event_ids):
    with pytest.raises(TaskGuardInputError):
        normalize_live_events({"channels": [], "event_ids": event_ids})


@pytest.mark.parametrize("sd_length", ["abc", 10 ** 12, -1, [1], 1.5, True])
def test_hostile_sd_length_regression(sd_length):
    raw = {"taskcache": {"read": True, "tree": [{"path": "\\x", "id": "{a}", "index": 1, "sd_present": True,
                                                 "sd_length": sd_length}], "tasks": []}}
    result = normalize_live_tasks(raw)
    assert result["sources"]["registry"] is True
    assert "sd_missing" not in result["tasks"][0]["hidden_reasons"]    # SD present: its size is not trusted


def test_half_broken_collect_result_never_crashes_the_audit():
    module_result = {"tasks": {"api": "not a dict", "files": [1, 2]}, "events": {"channels": [{"name": "Security",
                     "config": "x", "info": [1], "oldest": 5, "events": ["<Event/>", 7]}]}, "errors": {"events": "half"}}
    tasks, events, problems = audit_support.normalize_live(module_result)
    assert tasks is not None and events is not None                    # both normalized despite the junk
    assert any("half" in p["error"] for p in problems)
    assert events["coverage"]["Security"]["events_may_be_lost"] is True


@pytest.mark.parametrize("xml", [
    '<Task xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task"><Actions><Exec><Command>a\ud800</Command>'
    '</Exec></Actions></Task>',
    '<?xml version="1.0" encoding="UTF-16"?>\n<Task>\udfff</Task>',
])
@pytest.mark.parametrize("with_store", [False, True])
def test_lone_surrogate_in_api_xml_is_unparseable_not_a_crash(tmp_path, xml, with_store):
    """JSON can carry a lone surrogate ("\\ud800"); encoding the text for lxml raised
    UnicodeEncodeError, which lost the host's whole task result (found in issue 8)."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.definition_store import DefinitionStore
    raw = {"api": {"read": True, "tasks": [{"path": "\\Evil", "xml": xml}]}}
    result = normalize_live_tasks(raw, store=DefinitionStore(str(tmp_path)) if with_store else None)
    assert [u["path"] for u in result["unparseable"]] == ["\\Evil"]
    assert [t["path"] for t in result["tasks"]] == ["\\Evil"]
