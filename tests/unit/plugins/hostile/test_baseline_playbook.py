# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The learning path on hostile evidence (issue 9): ``playbooks/baseline.yml`` on
the hostile evidence folder of the acceptance test writes an inventory file, and
``playbooks/validate.yml`` reads it back: both finish, nothing is templated (the
``touch`` bait never runs), nothing outside the root leaks into the file, and the
bait names are in the file as literal, quoted data."""
from __future__ import annotations

import os
import subprocess
import uuid

import pytest
import yaml

from .test_acceptance_playbook import ANSIBLE_PLAYBOOK, REPO, _build


def _env(tmp_path):
    return dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
                ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "collections"),
                ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
                ANSIBLE_NOCOLOR="1")


@pytest.mark.hang_seconds(150)
def test_baseline_and_validate_on_hostile_evidence(tmp_path, canary, net_canary):
    token = uuid.uuid4().hex
    root, _bad, name_bait = _build(tmp_path, canary, net_canary, token)
    empty = tmp_path / "empty-inventory"
    empty.mkdir()
    hosts = tmp_path / "hosts.yml"
    hosts.write_text("windows:\n  hosts:\n    hostile01:\n      ansible_connection: local\n"
                     "      taskguard_offline_root: \"%s\"\n" % root, encoding="utf-8")
    learned = tmp_path / "learned" / "hostile01.yml"
    learn = subprocess.run([ANSIBLE_PLAYBOOK, "-i", str(hosts), os.path.join(REPO, "playbooks", "baseline.yml"),
                            "-e", "taskguard_baseline_output=%s" % learned, "-e", "taskguard_task_inventory_dir=%s" % empty],
                           cwd=str(tmp_path), env=_env(tmp_path), capture_output=True, text=True, timeout=140, check=False)
    assert learn.returncode == 0, learn.stdout[-3000:] + learn.stderr[-2000:]
    text = learned.read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    paths = {e.get("path") for e in doc["tasks"]}
    assert "\\" + name_bait in paths                                   # literal, not templated
    validate = subprocess.run([ANSIBLE_PLAYBOOK, os.path.join(REPO, "playbooks", "validate.yml"),
                               "-e", "taskguard_task_inventory_dir=%s" % learned.parent],
                              cwd=str(tmp_path), env=_env(tmp_path), capture_output=True, text=True, timeout=140,
                              check=False)
    assert validate.returncode == 0, validate.stdout[-3000:]
    leftovers = [p for p in os.listdir("/tmp") if token in p] + [p for p in os.listdir(tmp_path) if token in p]
    assert leftovers == []
    for out in (text, learn.stdout, learn.stderr, validate.stdout, validate.stderr):
        canary.assert_not_in(out)
        assert "uid=" not in out


@pytest.mark.hang_seconds(120)
def test_validate_prints_hostile_inventory_errors_without_templating(tmp_path):
    token = uuid.uuid4().hex
    bait = "{{ lookup('pipe','touch /tmp/pwned-validate-%s') }}" % token
    inventory = tmp_path / "task_inventory"
    inventory.mkdir()
    (inventory / "vendor.yml").write_text(
        'inventory_version: 1\nowner: {name: "%s", kind: vendor, contact: x}\n"%s": 1\ntasks:\n'
        '  - path: "\\\\%s"\n    "%s": yes\n' % (bait, bait, bait, bait), encoding="utf-8")
    proc = subprocess.run([ANSIBLE_PLAYBOOK, os.path.join(REPO, "playbooks", "validate.yml"),
                           "-e", "taskguard_task_inventory_dir=%s" % inventory],
                          cwd=str(tmp_path), env=_env(tmp_path), capture_output=True, text=True, timeout=110,
                          check=False)
    assert proc.returncode != 0
    assert "unknown_field" in proc.stdout and "lookup(" in proc.stdout         # shown literally ...
    assert not os.path.exists("/tmp/pwned-validate-%s" % token)               # ... never run
