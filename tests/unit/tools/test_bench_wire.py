# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tools/bench_wire.py measures what it says: its stand-in collector leaves out
exactly the definitions collect.ps1 would (hash equality only) and compresses as
collect.ps1 does (the controller decodes it), and the layer-off playbook differs
from playbooks/drift.yml only by ``definition_cache: false`` on the audit task."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tools"))

import bench_fleet  # noqa: E402
import bench_wire  # noqa: E402

from ansible_collections.taskguard.windows.plugins.plugin_utils import wire  # noqa: E402


def _run_stand_in(tmp_path, result, params):
    material = tmp_path / "material.json"
    material.write_text(json.dumps(result), encoding="utf-8")
    module = tmp_path / "stand_in.py"
    module.write_text(bench_wire.STAND_IN, encoding="utf-8")
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": params}), encoding="utf-8")
    env = dict(os.environ, TASKGUARD_BENCH_MATERIAL=str(material))
    out = subprocess.run([sys.executable, str(module), str(args)], env=env, capture_output=True, check=True)
    return json.loads(out.stdout.decode("utf-8"))


def test_the_stand_in_omits_only_known_unchanged_definitions_and_compresses(tmp_path):
    _name, result = bench_fleet.Fleet(1, tasks_per_host=20, events=20, vendors=4).host(0)
    tasks = result["tasks"]["api"]["tasks"]
    steady = bench_fleet.steady_state_material(result["tasks"])["api"]["tasks"]
    known = {tasks[0]["path"].lower(): steady[0]["xml_sha256"],          # unchanged: left out
             tasks[1]["path"].lower(): "0" * 64}                         # changed: sent in full
    out = _run_stand_in(tmp_path, result, {"known_task_hashes": known})
    assert set(out) == {"changed", "errors", "material"}
    decoded, problem = wire.decode_result(out)
    assert problem is None
    sent = decoded["tasks"]["api"]["tasks"]
    assert sent[0]["xml_omitted"] is True and sent[0]["xml"] is None
    assert sent[1]["xml_omitted"] is False and sent[1]["xml"] == tasks[1]["xml"]
    assert [t["xml_omitted"] for t in sent[2:]] == [False] * (len(sent) - 2)
    assert decoded["tasks"]["api"]["known_hashes"] == 2
    assert decoded["events"] == result["events"]


def test_the_stand_in_without_hashes_or_compression_returns_the_recording(tmp_path):
    _name, result = bench_fleet.Fleet(1, tasks_per_host=5, events=5, vendors=2).host(0)
    assert _run_stand_in(tmp_path, result, {"compress": False}) == json.loads(json.dumps(result))


def test_compressed_helper_is_what_the_controller_decodes():
    _name, result = bench_fleet.Fleet(1, tasks_per_host=5, events=5, vendors=2).host(0)
    decoded, problem = wire.decode_result(json.loads(json.dumps(bench_wire.compressed(result))))
    assert problem is None and decoded == json.loads(json.dumps(result))


def test_the_layer_off_playbook_only_switches_the_definition_cache_off(tmp_path):
    path = bench_wire._playbook_without_cache(str(tmp_path))
    with open(path, encoding="utf-8") as handle:
        changed = yaml.safe_load(handle)
    with open(REPO / "playbooks" / "drift.yml", encoding="utf-8") as handle:
        original = yaml.safe_load(handle)

    def audit_tasks(play_list):
        return [task for play in play_list for block in ("tasks", "pre_tasks", "post_tasks")
                for task in play.get(block) or [] if "taskguard.windows.audit" in task]

    off = audit_tasks(changed)
    assert len(off) == 1 and off[0]["taskguard.windows.audit"]["definition_cache"] is False
    del off[0]["taskguard.windows.audit"]["definition_cache"]
    assert changed == original
