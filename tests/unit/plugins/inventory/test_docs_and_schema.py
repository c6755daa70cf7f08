# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vendor guide's example is valid, and the shipped files pass the bare JSON Schema (as editors see it)."""
from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import (
    format_problem, load_inventory,
)

from .conftest import REPO_ROOT, TODAY

GUIDE = REPO_ROOT / "docs" / "task-inventory.md"


def _yaml_blocks():
    return re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def test_complete_example_in_the_guide_is_valid(tmp_path):
    example = [b for b in _yaml_blocks() if "inventory_version: 1" in b]
    assert example, "the guide lost its complete example"
    for i, block in enumerate(example):
        (tmp_path / ("example%d.yml" % i)).write_text(block, encoding="utf-8")
    inventory = load_inventory([str(tmp_path)], today=TODAY)
    assert inventory.errors == [], [format_problem(p) for p in inventory.errors]
    view = inventory.for_host({"name": "bk01", "groups": ["contoso_backup_servers"], "os_family": "windows_server_2022",
                               "domain_role": "member_server"})
    assert view.match("\\Contoso\\Agent Watchdog") is not None
    assert [e.path for e in view.required_entries()] == ["\\Contoso\\Backup Nightly"]


@pytest.mark.parametrize("name", sorted(str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "task_inventory").rglob("*.yml")))
def test_shipped_files_pass_the_bare_schema(name):
    schema = json.loads((REPO_ROOT / "schemas" / "task_inventory.schema.json").read_text(encoding="utf-8"))
    data = yaml.safe_load((REPO_ROOT / name).read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert errors == []


def test_schema_rejects_what_the_guide_says_it_rejects():
    schema = json.loads((REPO_ROOT / "schemas" / "task_inventory.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    base = {"inventory_version": 1, "owner": {"name": "a", "kind": "vendor", "contact": "b"},
            "tasks": [{"path": "\\a", "justification": "j", "expected": {"actions": [{"type": "exec", "command": "x"}]}}]}
    assert not list(validator.iter_errors(base))
    for mutate in (
        lambda d: d["tasks"][0].update(path_pattern="\\a*"),            # both path kinds
        lambda d: d["tasks"][0].pop("path"),                            # neither
        lambda d: d["tasks"][0]["expected"].pop("actions"),             # pins nothing
        lambda d: d["tasks"][0]["expected"]["actions"][0].pop("command"),
        lambda d: d["tasks"][0].update(colour="red"),
        lambda d: d["tasks"][0].update(expires="30.06.2027"),
        lambda d: d["tasks"][0].update(approval={"ticket": "T"}),
    ):
        data = json.loads(json.dumps(base))
        mutate(data)
        assert list(validator.iter_errors(data)), mutate
