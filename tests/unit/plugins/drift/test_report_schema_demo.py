# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""schemas/drift_report.schema.json describes what the demo job really writes: the
demo drift.json (and a merge of it) validates, and every field of the run and of a
host entry is described (the host schema allows more fields, so a field written
without a description would otherwise go unnoticed)."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import jsonschema
import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import merge_reports

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
SCHEMA = os.path.join(REPO, "schemas", "drift_report.schema.json")
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


@pytest.fixture(scope="module")
def schema():
    with open(SCHEMA, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def demo_doc(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("schema-demo")
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "collections"),
               ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-tmp"), ANSIBLE_HOME=str(tmp / "ansible-home"),
               ANSIBLE_NOCOLOR="1")
    cmd = [ANSIBLE_PLAYBOOK, "-i", os.path.join(REPO, "inventories", "demo", "hosts.yml"),
           os.path.join(REPO, "playbooks", "drift.yml"),
           "-e", "taskguard_report_dir=%s" % (tmp / "reports"), "-e", "taskguard_state_dir=%s" % (tmp / "state")]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    with open(tmp / "reports" / "drift.json", encoding="utf-8") as handle:
        return json.load(handle)


def _errors(schema, doc):
    return ["%s at /%s" % (e.message[:200], "/".join(map(str, e.absolute_path)))
            for e in jsonschema.Draft202012Validator(schema).iter_errors(doc)]


def test_demo_report_validates(schema, demo_doc):
    assert _errors(schema, demo_doc) == []


def test_every_run_and_host_field_of_the_demo_is_described(schema, demo_doc):
    host_fields = set(schema["$defs"]["host"]["properties"])
    run_fields = set(schema["properties"]["run"]["properties"])
    assert set(demo_doc["run"]) - run_fields == set()
    for name, entry in demo_doc["hosts"].items():
        assert set(entry) - host_fields == set(), name
    # the issue-19 fields are there to be checked, not skipped
    assert any(entry.get("task_accounts") for entry in demo_doc["hosts"].values())
    assert any(isinstance(entry.get("user_rights"), dict) for entry in demo_doc["hosts"].values())


@pytest.mark.parametrize("expected_slices", [None, 2])
def test_a_merge_of_the_demo_validates_and_its_run_fields_are_described(schema, demo_doc, expected_slices):
    first = copy.deepcopy(demo_doc)
    first["run"]["slice_number"] = 1
    merged = merge_reports([("slice-1", first)], run_id="m1", expected_slices=expected_slices)
    assert _errors(schema, merged) == []
    assert set(merged["run"]) - set(schema["properties"]["run"]["properties"]) == set()
    if expected_slices:
        assert merged["run"]["slice_count_known"] is True
        assert merged["run"]["missing_slices"]["numbers"] == [2]
    else:
        assert merged["run"]["slice_count_known"] is False and merged["run"]["slice_gaps"] == []


@pytest.mark.parametrize("path,bad", [
    (("task_accounts",), [{"path": "\\T", "principal": "CORP\\a"}]),          # principal is an object
    (("task_accounts",), [{"principal": {"user_id": "CORP\\a"}}]),             # path is required
    (("user_rights", "rights", "SeBatchLogonRight", "holders"), [{"name": "x"}]),   # a holder has its SID
    (("user_rights", "rights", "SeBatchLogonRight", "read"), "yes"),
    (("os_inference", "confidence"), "certain"),
])
def test_the_new_host_fields_are_checked(schema, demo_doc, path, bad):
    doc = copy.deepcopy(demo_doc)
    host = next(name for name, entry in doc["hosts"].items() if isinstance(entry.get("user_rights"), dict))
    target = doc["hosts"][host]
    if path[0] == "os_inference" and not isinstance(target.get("os_inference"), dict):
        target["os_inference"] = {"os_family": "unknown", "confidence": None, "reason": "x"}
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad
    assert _errors(schema, doc) != []


def test_a_merged_run_with_a_wrong_slice_field_is_refused(schema, demo_doc):
    merged = merge_reports([("slice-1", copy.deepcopy(demo_doc))], run_id="m1")
    merged["run"]["slice_gaps"] = ["two"]
    assert _errors(schema, merged) != []
    merged["run"]["slice_gaps"] = []
    merged["run"]["slice_count_known"] = "no"
    assert _errors(schema, merged) != []
