# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit result handed to the report step in a file (result_spool.py): the
audit action registers a reference, the report reads the file back only when its
SHA-256 is the registered one, and a host whose file is missing or changed is
reported as not audited, never clean."""
from __future__ import annotations

import json
import os

from ansible_collections.taskguard.windows.plugins.action.audit import ActionModule as AuditAction
from ansible_collections.taskguard.windows.plugins.action.drift_report import ActionModule as ReportAction
from ansible_collections.taskguard.windows.plugins.plugin_utils import result_spool
import action_harness as harness
import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
RESULT = {"host": "ws1", "status": "audited", "mode": "offline", "summary": {"findings": 1},
          "verdict": {"state": "suspicious", "reasons": [], "task_sources_read": True},
          "findings": [{"id": "f1", "kind": "undocumented", "task": "\\Evil", "severity": "high", "title": "t"}],
          "bookmark": {"Microsoft-Windows-TaskScheduler/Operational": 7}}


def test_round_trip_and_reference(tmp_path):
    ref = result_spool.write(str(tmp_path), "ws1", RESULT)
    assert set(ref) == {"sha256", "nonce", "bytes"} and ref["bytes"] > 0
    assert result_spool.read(str(tmp_path), "ws1", ref) == RESULT
    (name,) = os.listdir(tmp_path / "spool")
    assert name == "ws1.%s.%s.json" % (ref["sha256"], ref["nonce"])
    assert oct(os.stat(tmp_path / "spool" / name).st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("damage", ["changed", "truncated", "missing", "other_host"])
def test_a_file_that_is_not_the_registered_one_is_refused(tmp_path, damage):
    ref = result_spool.write(str(tmp_path), "ws1", RESULT)
    path = tmp_path / "spool" / ("ws1.%s.%s.json" % (ref["sha256"], ref["nonce"]))
    host = "ws1"
    if damage == "changed":
        path.write_text(path.read_text().replace('"high"', '"info"'))
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:20])
    elif damage == "missing":
        path.unlink()
    else:
        host = "ws2"   # the same digest under another host's name is never read
    with pytest.raises(result_spool.SpoolError):
        result_spool.read(str(tmp_path), host, ref)


@pytest.mark.parametrize("ref", [None, {}, {"sha256": "../../etc/passwd", "nonce": "0" * 16},
                                 {"sha256": "A" * 64, "nonce": "0" * 16}, {"sha256": "0" * 63, "nonce": "0" * 16},
                                 {"sha256": "0" * 64}, {"sha256": "0" * 64, "nonce": "../x"}, "spool",
                                 {"sha256": 5, "nonce": "0" * 16}])
def test_a_malformed_reference_is_an_error(tmp_path, ref):
    with pytest.raises(result_spool.SpoolError):
        result_spool.read(str(tmp_path), "ws1", ref)


def test_unusual_host_names_stay_inside_the_spool(tmp_path):
    for host in ("../../x", ".", "a/b", "dc01.example.org", "ホスト"):
        ref = result_spool.write(str(tmp_path), host, dict(RESULT, host=host))
        assert result_spool.read(str(tmp_path), host, ref)["host"] == host
    assert sorted(os.listdir(tmp_path)) == ["spool"]
    assert all(n.endswith(".json") and "/" not in n for n in os.listdir(tmp_path / "spool"))


def test_resolve_turns_an_unreadable_file_into_a_failed_host(tmp_path):
    ref = result_spool.write(str(tmp_path), "ws1", RESULT)
    registered = {"ws1": {"status": "audited", "spool": ref}, "ws2": {"status": "audited", "spool": dict(ref)},
                  "ws3": {"failed": True, "msg": "unreachable"}}
    results, spooled = result_spool.resolve(str(tmp_path), registered)
    assert results["ws1"] == RESULT and list(spooled) == ["ws1"]
    assert results["ws2"]["failed"] is True and "could not be read back" in results["ws2"]["msg"]
    assert results["ws3"] == registered["ws3"]
    results, spooled = result_spool.resolve(None, {"ws1": {"spool": ref}})
    assert results["ws1"]["failed"] is True and "no state_dir" in results["ws1"]["msg"] and not spooled


def test_discard_removes_what_was_read_and_stale_files_only(tmp_path):
    state = str(tmp_path)
    ref = result_spool.write(state, "ws1", RESULT)
    old = result_spool.write(state, "ws9", dict(RESULT, host="ws9"))
    fresh = result_spool.write(state, "ws8", dict(RESULT, host="ws8"))
    old_path = tmp_path / "spool" / ("ws9.%s.%s.json" % (old["sha256"], old["nonce"]))
    os.utime(old_path, (1, 1))
    (tmp_path / "spool" / "notes.txt").write_text("not ours")
    os.utime(tmp_path / "spool" / "notes.txt", (1, 1))
    assert result_spool.discard(state, {"ws1": ref}) == []
    assert sorted(os.listdir(tmp_path / "spool")) == sorted(["ws8.%s.%s.json" % (fresh["sha256"], fresh["nonce"]),
                                                             "notes.txt"])


def test_two_runs_with_the_same_result_keep_their_own_files(tmp_path):
    first = result_spool.write(str(tmp_path), "ws1", RESULT)
    second = result_spool.write(str(tmp_path), "ws1", RESULT)
    assert first["sha256"] == second["sha256"] and first["nonce"] != second["nonce"]
    assert result_spool.discard(str(tmp_path), {"ws1": first}) == []
    assert result_spool.read(str(tmp_path), "ws1", second) == RESULT


def _audit(args, tmp_path):
    action = harness.make_action(AuditAction, "taskguard.windows.audit", args)
    return action.run(task_vars={"inventory_hostname": "dc01",
                                 "taskguard_offline_root": os.path.join(REPO, "samples", "dc01")})


def test_audit_action_registers_the_reference_and_light_fields_only(tmp_path):
    state = tmp_path / "state"
    full = _audit({"state_dir": str(state)}, tmp_path)
    spooled = _audit({"state_dir": str(state), "spool": True}, tmp_path)
    assert "findings" not in spooled and "administrators" not in spooled and "bookmark" not in spooled
    assert spooled["verdict"] == full["verdict"] and spooled["summary"] == full["summary"]
    assert set(spooled) - {"spool", "changed"} <= set(result_spool.LIGHT_KEYS)
    back = result_spool.read(str(state), "dc01", spooled["spool"])
    assert [f["id"] for f in back["findings"]] == [f["id"] for f in full["findings"]]
    assert back["bookmark"] == json.loads(json.dumps(full["bookmark"]))


def test_audit_action_keeps_the_full_result_when_the_spool_cannot_be_written(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "spool").write_text("a file where the folder should be")
    result = _audit({"state_dir": str(state), "spool": True}, tmp_path)
    assert "spool" not in result and result["findings"]


def test_report_reads_spooled_results_and_fails_closed_on_a_missing_file(tmp_path):
    from bench import _action
    state = str(tmp_path / "s")
    ref1 = result_spool.write(state, "ws1", RESULT)
    ref2 = result_spool.write(state, "ws2", dict(RESULT, host="ws2"))
    os.unlink(os.path.join(state, "spool", "ws2.%s.%s.json" % (ref2["sha256"], ref2["nonce"])))
    registered = {"ws1": {"status": "audited", "mode": "offline", "spool": ref1},
                  "ws2": {"status": "audited", "mode": "offline", "spool": ref2}}
    action = _action(ReportAction, {"hosts": ["ws1", "ws2"], "results": registered, "formats": ["json"],
                                    "report_dir": str(tmp_path / "r"), "state_dir": state, "run_id": "t"})
    out = action.run(task_vars={})
    doc = json.loads((tmp_path / "r" / "drift.json").read_text())
    assert [f["id"] for f in doc["hosts"]["ws1"]["findings"]] == ["f1"]
    assert doc["hosts"]["ws2"]["status"] == "failed" and "could not be read back" in doc["hosts"]["ws2"]["message"]
    assert out["unaudited_hosts"] == ["ws2"]
    assert os.listdir(os.path.join(state, "spool")) == []   # the file read was removed after the reports


def test_a_lone_surrogate_from_a_host_is_spooled_not_refused(tmp_path):
    result = dict(RESULT, findings=[dict(RESULT["findings"][0], title="\udc80 bad text from a host")])
    ref = result_spool.write(str(tmp_path), "ws1", result)
    assert result_spool.read(str(tmp_path), "ws1", ref)["findings"][0]["title"] == "\udc80 bad text from a host"


def test_a_missing_file_names_the_state_dir_rule(tmp_path):
    ref = result_spool.write(str(tmp_path / "a"), "ws1", RESULT)
    with pytest.raises(result_spool.SpoolError) as err:
        result_spool.read(str(tmp_path / "b"), "ws1", ref)
    assert str(tmp_path / "b") in str(err.value) and "taskguard_state_dir" in str(err.value)


def test_spooled_results_are_marked_plain_and_reported_as_their_copies_would_be(tmp_path):
    """resolve marks what it read back from JSON (PlainResult) and the report takes it
    without copying it; the report is the one an ordinary dict of the same result gives."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.json_format import render
    from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report
    ref = result_spool.write(str(tmp_path), "ws1", RESULT)
    registered = {"ws1": {"status": "audited", "spool": ref}, "ws2": {"failed": True, "msg": "down"}}
    results, _spooled = result_spool.resolve(str(tmp_path), registered)
    assert isinstance(results["ws1"], result_spool.PlainResult)
    assert not isinstance(results["ws2"], result_spool.PlainResult)
    run = {"id": "r", "slice": None, "generated_at": "2026-01-01T00:00:00Z"}
    doc = build_run_report(results, run=run)
    assert doc["hosts"]["ws1"]["findings"] is not None and doc["hosts"]["ws1"]["verdict"]["state"] == "suspicious"
    copied = build_run_report({h: json.loads(json.dumps(r)) for h, r in results.items()}, run=run)
    assert render(doc) == render(copied)


def test_a_result_not_read_from_the_spool_is_still_made_plain():
    """Only resolve's mark skips the copy: a registered result in full (Ansible's
    wrapped strings, tuples, a dict subclass) is still turned into plain types."""
    from ansible.utils.unsafe_proxy import AnsibleUnsafeText
    from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import host_from_result

    class Other(dict):
        pass
    finding = {"id": AnsibleUnsafeText("f1"), "kind": "undocumented", "task": AnsibleUnsafeText("\\Evil"),
               "severity": "high", "title": "t", "kinds": ("undocumented",)}
    for res in (dict(RESULT, findings=[finding], os_source=AnsibleUnsafeText("hive")),
                Other(RESULT, findings=[finding], os_source=AnsibleUnsafeText("hive"))):
        entry = host_from_result("ws1", res)
        assert not isinstance(entry["os_source"], AnsibleUnsafeText) and entry["os_source"] == "hive"
        assert not isinstance(entry["findings"][0]["task"], AnsibleUnsafeText)
        assert entry["findings"][0]["kinds"] == ["undocumented"] and entry["findings"][0] is not finding
