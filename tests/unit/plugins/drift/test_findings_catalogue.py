# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The findings catalogue is the one list of built-in codes, and docs/drift.md documents each."""
from __future__ import annotations

import ast
import os
import re

from ansible_collections.taskguard.windows.plugins.plugin_utils import findings as fnd

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DOCS = open(os.path.join(REPO, "docs", "drift.md"), encoding="utf-8").read()
DRIFT_CODES = {code for code in fnd.CATALOGUE if fnd.CATALOGUE[code]["anchor"].startswith("docs/drift.md#")}


def test_every_code_names_a_document_of_the_repository():
    for code, entry in fnd.CATALOGUE.items():
        path = entry["anchor"].partition("#")[0]
        assert os.path.isfile(os.path.join(REPO, path)), (code, path)
        assert code in open(os.path.join(REPO, path), encoding="utf-8").read(), (code, path)


def test_every_code_is_documented_with_its_kind_and_severity():
    for code, entry in fnd.CATALOGUE.items():
        if code not in DRIFT_CODES:
            continue   # the admin surface's codes: tests/unit/plugins/admin_surface/test_docs.py
        row = re.search(r"^\| `%s` \|([^\n]*)$" % re.escape(code), DOCS, re.M)
        assert row, "%s is not documented in docs/drift.md" % code
        cells = [c.strip() for c in row.group(1).split("|")]
        if code.startswith("TG-S"):
            assert cells[1].startswith(entry["severity"]), (code, cells)
        else:
            assert cells[0] == entry["kind"] and cells[1].startswith(entry["severity"]), (code, cells)


def test_every_documented_code_exists_and_anchors_resolve():
    documented = set(re.findall(r"^\| `(TG-[CUDTS]\d{3})` \|", DOCS, re.M))
    assert documented == DRIFT_CODES
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', DOCS))
    for code in DRIFT_CODES:
        entry = fnd.CATALOGUE[code]
        path, _sep, anchor = entry["anchor"].partition("#")
        assert path == "docs/drift.md" and anchor in anchors, (code, entry["anchor"])


def test_codes_never_collide_with_hardening_or_rule_ids():
    assert not any(re.match(r"TG-(H|R|E)", code) for code in fnd.CATALOGUE)
    assert set(fnd.CONCEALMENT_CODES.values()) <= set(fnd.CATALOGUE)


def test_no_built_in_code_is_written_as_a_literal_outside_the_catalogue():
    """Codes are used by name from the catalogue: a literal that is not in it is a typo."""
    plugin_utils = os.path.join(REPO, "plugins", "plugin_utils")
    for name in ("drift.py", "pipeline.py", "findings.py"):
        tree = ast.parse(open(os.path.join(plugin_utils, name), encoding="utf-8").read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"TG-[CUDTS]\d{3}", node.value):
                assert node.value in fnd.CATALOGUE, (name, node.value)


def test_titles_format_with_their_params_and_survive_missing_ones():
    assert fnd.title_of("TG-C002", {"source": "files"}) == "Task source 'files' could not be read"
    assert fnd.title_of("TG-C002", {}) == fnd.CATALOGUE["TG-C002"]["title"]
    assert fnd.title_of("TG-T007", {"author": "{0}", "user": "x"}).startswith("Task author '{0}'")


def test_report_schema_knows_every_kind_verdict_and_tier():
    import json
    schema = json.load(open(os.path.join(REPO, "schemas", "drift_report.schema.json"), encoding="utf-8"))
    finding, host = schema["$defs"]["finding"]["properties"], schema["$defs"]["host"]["properties"]
    assert finding["kind"]["enum"] == list(fnd.KINDS)
    assert host["verdict"]["properties"]["state"]["enum"] == list(fnd.VERDICTS)
    assert host["tier"]["enum"] == list(fnd.TIERS)
