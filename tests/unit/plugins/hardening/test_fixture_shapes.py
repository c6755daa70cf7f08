# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hand-written module result fixtures and the modules' RETURN docs describe the same shape.

The controller logic is tested against the fixtures; if a module's documented return
changes, these tests make the fixtures (and with them the logic tests) follow.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml

MODULES = Path(__file__).resolve().parents[4] / "plugins" / "modules"

FIXTURES = {
    "facts_member_workstation.json": "hardening_facts",
    "facts_domain_controller_ja.json": "hardening_facts",
    "facts_member_server_fileserver.json": "hardening_facts",
    "facts_unreadable.json": "hardening_facts",
    "event_channel_check_disabled.json": "event_channel",
    "event_channel_missing.json": "event_channel",
    "audit_subcategory_unchanged.json": "audit_subcategory",
    "firewall_rule_state_gpo.json": "firewall_rule_state",
    "firewall_rule_state_lookup_error.json": "firewall_rule_state",
    "firewall_rule_state_domain_noscope.json": "firewall_rule_state",
    "facts_enableat_denied.json": "hardening_facts",
    "event_channel_security_3gib.json": "event_channel",
}
# Keys every Ansible result may carry that modules do not document.
COMMON = {"changed", "failed", "msg", "diff", "skipped", "invocation"}


def return_doc(module):
    tree = ast.parse((MODULES / (module + ".py")).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "RETURN" for t in node.targets):
            return yaml.safe_load(ast.literal_eval(node.value))
    raise AssertionError("no RETURN in %s" % module)


def check(value, doc, where):
    expected_type = doc.get("type")
    if value is None:
        return
    types = {"dict": dict, "list": list, "str": str, "bool": bool, "int": int}
    if expected_type in types:
        assert isinstance(value, types[expected_type]), "%s: %r is not %s" % (where, value, expected_type)
        if expected_type == "int":
            assert not isinstance(value, bool), where
    contains = doc.get("contains")
    if contains and isinstance(value, dict):
        unknown = set(value) - set(contains)
        assert not unknown, "%s: undocumented keys %s" % (where, sorted(unknown))
        for key, sub in contains.items():
            check(value.get(key), sub, "%s.%s" % (where, key))
    if contains and isinstance(value, list):
        for i, item in enumerate(value):
            assert isinstance(item, dict), "%s[%d]" % (where, i)
            check(item, {"type": "dict", "contains": contains}, "%s[%d]" % (where, i))


@pytest.mark.parametrize("fixture,module", sorted(FIXTURES.items()))
def test_fixture_matches_return_doc(unit_fixtures, fixture, module):
    data = json.loads((unit_fixtures / "hardening" / fixture).read_text(encoding="utf-8"))
    doc = return_doc(module)
    undocumented = set(data) - set(doc) - COMMON
    assert not undocumented, "%s has keys not in %s RETURN: %s" % (fixture, module, sorted(undocumented))
    for key, sub in doc.items():
        if "always" in str(sub.get("returned", "")):
            assert key in data, "%s lacks %s, which %s always returns" % (fixture, key, module)
        check(data.get(key), sub, key)
