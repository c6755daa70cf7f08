# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Learning a built-in baseline (``taskguard_baseline_kind=baseline``) from the
hostile evidence folder of the acceptance test: a valid file where the
templating bait stays literal data (never run), every hostile file is left out
with its reason on one comment line, and nothing from outside the evidence
root leaks."""
from __future__ import annotations

import os
import subprocess
import uuid

import pytest
import yaml

from . import payloads as P
from .test_acceptance_playbook import ANSIBLE_PLAYBOOK, REPO, _build
from .test_baseline_playbook import _env


def _learn(tmp_path, hosts, *extra):
    return subprocess.run([ANSIBLE_PLAYBOOK, "-i", str(hosts), os.path.join(REPO, "playbooks", "baseline.yml"),
                           "-e", "taskguard_baseline_kind=baseline", "-e", "taskguard_baseline_dir=%s" % (tmp_path / "out"),
                           *extra], cwd=str(tmp_path), env=_env(tmp_path), capture_output=True, text=True, timeout=140,
                          check=False)


@pytest.mark.hang_seconds(300)
def test_baseline_kind_on_hostile_evidence(tmp_path, canary, net_canary):
    token = uuid.uuid4().hex
    root, dummy, name_bait = _build(tmp_path, canary, net_canary, token)
    # one harmless Windows task, so that there is something to learn; its folder name is bait too
    folder_bait = "{{ lookup('pipe','touch pwned-folder-%s') }}" % token
    P.write(P.tasks_dir(root) / "Microsoft" / "Windows" / folder_bait / "Ok", P.task_xml(
        command="C:\\Windows\\System32\\defrag.exe", arguments="-c", user_id="S-1-5-18", run_level="LeastPrivilege",
        triggers=("CalendarTrigger",)))
    hosts = tmp_path / "hosts.yml"
    hosts.write_text("windows:\n  hosts:\n    hostile01:\n      ansible_connection: local\n"
                     "      taskguard_os_family: windows_11\n      taskguard_offline_root: \"%s\"\n" % root,
                     encoding="utf-8")
    # nothing in it scores high (unparseable files are medium findings, the bait task medium): no override
    learned = _learn(tmp_path, hosts)
    assert learned.returncode == 0, learned.stdout[-3000:] + learned.stderr[-2000:]
    text = (tmp_path / "out" / "windows_11.yml").read_text(encoding="utf-8")
    header, body = text.split("\n---\n", 1)
    assert all(line.startswith("#") for line in header.splitlines())
    assert "#   \\%s: " % name_bait in header                    # left out (not Windows), said literally
    doc = yaml.safe_load(body)
    assert [e["path"] for e in doc["tasks"]] == ["\\Microsoft\\Windows\\%s\\Ok" % folder_bait]
    leftovers = [p for p in os.listdir("/tmp") if token in p] + [p for p in os.listdir(tmp_path) if token in p]
    assert leftovers == []
    assert "#   \\Bad\\xxe_file: definition could not be parsed" in header
    for out in (text, learned.stdout, learned.stderr):
        canary.assert_not_in(out)
