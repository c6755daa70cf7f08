# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collect module's compressed material (wire.py): the contract fixtures decode
to the plain result, the live audit gives the same answer either way, and every
hostile stream (bomb, truncated, corrupt, lying length, wrong encoding) is a clear
per-host error, never a crash, an out-of-memory or a clean report."""
from __future__ import annotations

import base64
import copy
import json
import os
import re
import tracemalloc
import zlib
from pathlib import Path
from unittest.mock import MagicMock

import pytest
import yaml

from bench import _action
from ansible_collections.taskguard.windows.plugins.action.audit import ActionModule
from ansible_collections.taskguard.windows.plugins.modules import collect as collect_doc
from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support, definition_cache, pipeline, wire
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import InputTooLargeError, TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import definition_sha256

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "collect"
MODULE_PS1 = Path(collect_doc.__file__).with_suffix(".ps1")


def _load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _raw_deflate(raw, level=9):
    deflater = zlib.compressobj(level, zlib.DEFLATED, -15)
    return deflater.compress(raw) + deflater.flush()


def _material(raw, declared=None, data=None):
    return {"encoding": "deflate", "raw_bytes": len(raw) if declared is None else declared,
            "data": base64.b64encode(_raw_deflate(raw)).decode("ascii") if data is None else data}


def _live_audit(module_result):
    ctx = pipeline.Context(audit_support.load_rules([]), None, [], None)
    result, _section = pipeline.audit_live(ctx, "ws042", {}, module_result)
    return result


def _coverage_text(result):
    return " ".join(json.dumps(f, ensure_ascii=False) for f in result["findings"] if f["kind"] == "coverage_gap")


# ------------------------------------------------------------------ the contract
def test_compressed_fixture_inflates_to_the_plain_fixture():
    plain, compressed = _load("live_plain.json"), _load("live_compressed.json")
    assert set(compressed) == {"changed", "errors", "material"}
    assert set(compressed["material"]) == {"encoding", "raw_bytes", "data"}
    decoded, problem = wire.decode_result(compressed)
    assert problem is None
    assert decoded == plain


def test_fixture_is_raw_deflate_as_dotnet_writes_it():
    """No zlib header (78 xx) and no gzip header (1f 8b): .NET DeflateStream = wbits -15."""
    data = base64.b64decode(_load("live_compressed.json")["material"]["data"])
    assert data[:2] != b"\x1f\x8b"
    with pytest.raises(zlib.error):
        zlib.decompress(data)                       # not a zlib stream
    assert len(zlib.decompress(data, -15)) == _load("live_compressed.json")["material"]["raw_bytes"]


def test_live_audit_is_the_same_compressed_or_plain():
    plain = _live_audit(_load("live_plain.json"))
    compressed = _live_audit(_load("live_compressed.json"))
    assert compressed == plain
    assert plain["counts"]["tasks"] > 0 and plain["counts"]["events"] > 0
    assert plain["administrators"] is not None


def test_encode_material_round_trips():
    doc = {"tasks": {"api": {"tasks": [{"path": "\\Ünïcode", "xml": "<Task/>"}]}}, "events": None}
    assert wire.decode_material(wire.encode_material(doc)) == doc


def test_a_result_without_material_passes_unchanged():
    plain = _load("live_plain.json")
    decoded, problem = wire.decode_result(plain)
    assert decoded is plain and problem is None


def test_plain_parts_beside_material_are_not_used():
    """A host does not get to send both: the decoded material is what is audited."""
    compressed = _load("live_compressed.json")
    compressed["tasks"] = {"api": {"read": True, "tasks": []}}
    compressed["admin_surface"] = {"forged": True}
    decoded, problem = wire.decode_result(compressed)
    assert problem is None
    assert decoded["tasks"] == _load("live_plain.json")["tasks"]
    assert decoded["admin_surface"] == _load("live_plain.json")["admin_surface"]


def test_module_documents_and_declares_the_option_and_the_shape():
    doc = yaml.safe_load(collect_doc.DOCUMENTATION)
    ret = yaml.safe_load(collect_doc.RETURN)
    assert doc["options"]["compress"]["default"] is True
    assert "material" in ret and "tests/unit/fixtures/collect/" in " ".join(ret["material"]["description"])
    ps1 = MODULE_PS1.read_text(encoding="utf-8")
    assert re.search(r"compress = @\{ type = 'bool'; default = \$true \}", ps1)
    assert "System.IO.Compression.DeflateStream" in ps1
    assert "[Ansible.Basic.AnsibleModule]::ToJson(" in ps1       # the serializer ExitJson uses
    # nothing but ExitJson may write to the module's output (Remove returns a bool)
    assert "[void]$module.Result.Remove($part)" in ps1


# ------------------------------------------------------------------ hostile streams
def test_a_decompression_bomb_is_refused_within_bounded_memory():
    """256 MiB of zeros deflate to about 256 KiB; inflating it must stop at the cap
    without ever holding the whole output."""
    bomb = _raw_deflate(b"\0" * (256 * 1024 * 1024), level=9)
    assert len(bomb) < 512 * 1024
    material = {"encoding": "deflate", "raw_bytes": 1000, "data": base64.b64encode(bomb).decode("ascii")}
    limit = 4 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(InputTooLargeError, match="decompression bomb"):
            wire.decode_material(dict(material, raw_bytes=limit), limit=limit)
        with pytest.raises(TaskGuardInputError, match="more than the 1000 bytes the host declared"):
            wire.decode_material(material, limit=limit)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit + 4 * wire.CHUNK + 2 * len(bomb)


def test_a_bomb_that_declares_its_true_size_is_refused_before_inflating():
    bomb = _raw_deflate(b"\0" * (80 * 1024 * 1024))
    material = {"encoding": "deflate", "raw_bytes": 80 * 1024 * 1024, "data": base64.b64encode(bomb).decode("ascii")}
    with pytest.raises(InputTooLargeError, match="exceeds the limit"):
        wire.decode_material(material)


def test_a_bomb_under_the_default_limit_lying_about_its_size_is_refused():
    bomb = _raw_deflate(b"\0" * (wire.MAX_MATERIAL_BYTES + 1))
    with pytest.raises(TaskGuardInputError, match="more than the 10 bytes the host declared"):
        wire.decode_material({"encoding": "deflate", "raw_bytes": 10,
                              "data": base64.b64encode(bomb).decode("ascii")})
    with pytest.raises(InputTooLargeError):
        wire.inflate(bomb)


RAW = json.dumps({"tasks": {"api": {"read": True, "tasks": []}}, "events": None}).encode("utf-8")


@pytest.mark.parametrize("material, message", [
    (None, "not an object"),
    ("7V3rcttGln4V", "not an object"),
    (dict(_material(RAW), encoding="gzip"), "encoding 'gzip' is not supported"),
    (dict(_material(RAW), encoding=None), "encoding 'None' is not supported"),
    (dict(_material(RAW), raw_bytes="12"), "raw_bytes is not a byte count"),
    (dict(_material(RAW), raw_bytes=True), "raw_bytes is not a byte count"),
    (dict(_material(RAW), raw_bytes=-1), "raw_bytes is not a byte count"),
    (dict(_material(RAW), data=None), "not a base64 string"),
    (dict(_material(RAW), data=["x"]), "not a base64 string"),
    (_material(RAW, data="!!!not base64!!!"), "not base64"),
    (_material(RAW, data="é" * 8), "not base64"),
    (_material(RAW, data=base64.b64encode(_raw_deflate(RAW)[:-5]).decode()), "truncated"),
    (_material(RAW, data=base64.b64encode(b"\xff" * 64).decode()), "not a valid deflate stream"),
    (_material(RAW, data=base64.b64encode(_raw_deflate(RAW) + b"tail").decode()), "4 bytes after the end"),
    (_material(RAW, data=base64.b64encode(zlib.compress(RAW)).decode()), "not a valid deflate stream"),
    (_material(RAW, data=""), "truncated"),
    (_material(RAW, declared=len(RAW) + 7), "inflates to %d bytes, the host declared %d" % (len(RAW), len(RAW) + 7)),
    (_material(RAW, declared=len(RAW) - 1), "more than the %d bytes the host declared" % (len(RAW) - 1)),
    (_material(b"\xff\xfe{}"), "not UTF-8"),
    (_material(b"{\"tasks\": "), "not JSON"),
    (_material(b"[1, 2]"), "JSON is a list"),
    (_material(b"[" * 100000 + b"]" * 100000), "nested too deeply|not JSON"),
])
def test_hostile_material_is_a_clear_error(material, message):
    with pytest.raises(TaskGuardInputError, match=message):
        wire.decode_material(material)


def test_an_oversized_base64_string_is_refused_before_decoding():
    with pytest.raises(InputTooLargeError, match="characters exceeds"):
        wire.decode_material({"encoding": "deflate", "raw_bytes": 10, "data": "A" * (wire.MAX_ENCODED_CHARS + 4)})


@pytest.mark.parametrize("material", [
    {"encoding": "deflate", "raw_bytes": 1000,
     "data": base64.b64encode(_raw_deflate(b"\0" * (8 * 1024 * 1024))).decode("ascii")},   # lies about its size
    {"encoding": "deflate", "raw_bytes": 100, "data": "####"},
    "not even a dict",
])
def test_undecodable_material_is_a_coverage_gap_never_a_clean_host(material):
    result = _live_audit({"changed": False, "errors": {}, "material": material})
    assert result["status"] == "partial"
    assert "the collected material could not be decoded" in _coverage_text(result)
    assert result["counts"] == {"tasks": 0, "events": 0}
    assert result["verdict"]["task_sources_read"] is False
    assert result["verdict"]["state"] == "not_audited"


# ------------------------------------------------------------------ with the steady state
def _packed(module_result):
    out = {k: v for k, v in module_result.items() if k not in wire.MATERIAL_KEYS}
    out["material"] = wire.encode_material({k: module_result[k] for k in wire.MATERIAL_KEYS if k in module_result})
    return out


def test_the_audit_action_keeps_and_restores_definitions_through_compressed_material(unit_fixtures, tmp_path):
    """Both runs of a live host with compressed material: the definition cache sees the
    decoded tasks (what to keep, what the host left out) and the findings are those of
    the plain material."""
    full = json.loads((unit_fixtures / "drift" / "collect_live.json").read_text(encoding="utf-8"))
    args = {"inventory_dir": [os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "task_inventory")],
            "state_dir": str(tmp_path / "state"), "today": "2026-11-25"}

    def run(module_result, state=True):
        action = _action(ActionModule, dict(args) if state else dict(args, state_dir=str(tmp_path / "plain")))
        action._execute_module = MagicMock(return_value=module_result)
        return action.run(task_vars={"inventory_hostname": "ws042", "group_names": ["windows"]})

    def findings(result):
        return sorted((f["id"], f["severity"]) for f in result["findings"])

    plain = run(copy.deepcopy(full), state=False)
    first = run(_packed(copy.deepcopy(full)))
    known = definition_cache.known_hashes(definition_cache.load(str(tmp_path / "state"), "ws042"))
    assert len(known) == len(full["tasks"]["api"]["tasks"]) > 0
    steady = copy.deepcopy(full)
    for item in steady["tasks"]["api"]["tasks"]:
        item["xml_sha256"] = definition_sha256(item["xml"])
        item["xml_omitted"] = known.get(item["path"].lower()) == item["xml_sha256"]
        item["xml"] = None if item["xml_omitted"] else item["xml"]
    steady["tasks"]["api"]["known_hashes"] = len(known)
    second = run(_packed(steady))
    assert second["definition_cache"]["omitted"] == len(known)
    assert findings(first) == findings(second) == findings(plain)
    assert first["status"] == second["status"] == plain["status"]
