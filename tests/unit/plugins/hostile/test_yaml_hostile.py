# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile YAML (issue 9): vendor inventory files and user risk-rule files.

The inventory engineer's tests pin each error code; here every attack goes
through the same entry points the drift run uses (audit_support.load_inventory,
audit_support.load_rules) and on to a report: bounded time, nothing constructed
or executed, the problem reported with file and line, the audit still runs.
"""
from __future__ import annotations

import codecs
import os
import uuid

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import RiskRuleError

from . import payloads as P
from .pipeline import audit_offline, check_all, write_all

PWNED = "/tmp/taskguard-pwned-%s" % uuid.uuid4().hex

ALIAS_BOMB = "".join(
    ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n']
    + ['a%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d]\n' % ((i, i) + (i - 1,) * 9) for i in range(1, 10)]
    + ["tasks:\n  - path: '\\\\X'\n    owner: *a9\n"])
ATTACKS = {
    "alias_bomb": ALIAS_BOMB,
    "python_apply": "tasks:\n  - path: !!python/object/apply:os.system ['touch %s']\n" % PWNED,
    "python_new": "tasks: !!python/object/new:subprocess.Popen [['touch', '%s']]\n" % PWNED,
    "python_name": "owner: !!python/name:os.system\n",
    "python_module": "owner: !!python/module:os\n",
    "duplicate_keys": "owner:\n  name: a\nowner:\n  name: b\ntasks: []\ntasks: []\n",
    "deep_nesting": "tasks: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep_mapping": "tasks:\n" + "".join("%s- k:\n" % ("  " * i) for i in range(200)),
    "ten_megabyte_string": "owner: {name: '" + "x" * (10 * P.MB) + "'}\n",
    "merge_key": "base: &b {name: x}\nowner:\n  <<: *b\n",
    "not_utf8": "owner: {name: '\xff\xfe'}\n",
    "tabs_and_garbage": "\t- : : :\n{{{[[[\n",
    "truncated": "owner:\n  name: \"unterminated\ntasks:\n  - path: '\\\\X\n    actions: [{command: ",
    "nul_and_controls": "owner: {name: 'a\x00b\x1b[31m'}\n",
    "utf16_bom": codecs.BOM_UTF16_LE + "owner: {name: x}\ntasks: []\n".encode("utf-16-le"),
    "jinja_values": "owner: {name: \"{{ lookup('pipe','touch %s') }}\"}\ntasks:\n  - path: \"\\\\{{ lookup('pipe','id') }}\"\n" % PWNED,
}


def _write(path, text):
    if isinstance(text, bytes):
        path.write_bytes(text)
        return path
    data = text.encode("latin-1") if "\xff" in text else text.encode("utf-8")
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_hostile_inventory_file_is_reported_and_audit_still_runs(tmp_path, name):
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    _write(inventory / ("%s.yml" % name), ATTACKS[name])
    # a loader that hangs (alias bomb, deep nesting) is caught by the suite's hang guard (conftest)
    loaded, errors = audit_support.load_inventory([str(inventory)], "2026-11-25")
    assert errors, name                                   # every attack is a validation error
    assert all(e["file"] and e["line"] for e in errors if e.get("code") != "inventory_error"), errors[:3]
    assert not os.path.exists(PWNED)
    # the drift run goes on: everything undocumented plus a gap saying the inventory was broken
    root = P.evidence_root(tmp_path / "evidence")
    P.write(P.tasks_dir(root) / "Job", P.task_xml())
    offline = audit_offline(root, inventory_dirs=[str(inventory)])
    kinds = {f["kind"] for f in offline["findings"]}
    assert "coverage_gap" in kinds and "undocumented" in kinds
    _doc, files = write_all({"victim": offline}, tmp_path / "reports")
    check_all(files)
    assert not os.path.exists(PWNED)
    for data in files.values():
        assert b"uid=" not in data


@pytest.mark.parametrize("name", sorted(name for name in set(ATTACKS) - {"jinja_values"} if isinstance(ATTACKS[name], str)))
def test_hostile_risk_rule_file_is_a_clear_error(tmp_path, name):
    path = _write(tmp_path / "rules.yml", ATTACKS[name].replace("owner:", "version:").replace("tasks:", "rules:"))
    with pytest.raises(RiskRuleError):                    # a hang: the suite's hang guard (conftest)
        audit_support.load_rules([str(path)])
    assert not os.path.exists(PWNED)


def test_fifo_in_the_inventory_folder_is_reported_not_waited_on(tmp_path):
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    os.mkfifo(inventory / "vendor.yml")                  # open() used to block here forever
    loaded, errors = audit_support.load_inventory([str(inventory)], "2026-11-25")
    assert [(e["code"], e["message"]) for e in errors] == [("file_unreadable", "not a regular file")]
