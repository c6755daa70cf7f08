# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Risk rule files are read by the one hardened YAML loader (inventory_yaml) and
their errors say ``file:line:column: rule X: message``."""
from __future__ import annotations

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import risk, severity
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import RiskRuleError, load_rules

RULE = """\
version: 1
rules:
  - id: ACME-001
    title: ACME tool
    severity: high
    match:
      all:
        - field: action.command_basename
          op: equals
          values: [acme.exe]
escalations:
  - id: ACME-E1
    title: two kinds
    require:
      - categories: [persistence]
        min_severity: high
"""


def _error(tmp_path, text):
    path = tmp_path / "rules.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RiskRuleError) as exc:
        load_rules([str(path)])
    return str(exc.value).replace(str(path), "FILE")


def test_a_good_file_loads(tmp_path):
    (tmp_path / "rules.yml").write_text(RULE)
    rules = load_rules([str(tmp_path / "rules.yml")])
    assert [r.id for r in rules.rules] == ["ACME-001"] and [e.id for e in rules.escalations] == ["ACME-E1"]


@pytest.mark.parametrize("old,new,expected", [
    ("field: action.command_basename", "field: action.comand",
     "FILE:8:18: rule ACME-001: match.all[0]: unknown field 'action.comand'"),
    ("op: equals", "op: like", "FILE:9:15: rule ACME-001: match.all[0]: unknown op 'like'"),
    ("values: [acme.exe]", "values: []", "FILE:10:19: rule ACME-001: match.all[0]: values must be a non-empty list"),
    ("op: equals\n          values: [acme.exe]", "op: regex\n          values: ['(']",
     "FILE:10:19: rule ACME-001: match.all[0]: invalid regex"),
    ("severity: high\n    match", "severity: severe\n    match", "FILE:5:15: rule ACME-001: severity must be one of"),
    ("id: ACME-001", "id: '1 bad'", "FILE:3:9: rules[0]: id must be a short identifier"),
    ("    title: ACME tool\n", "    title: ACME tool\n    colour: red\n", "FILE:3:5: rule ACME-001: unknown key(s) ['colour']"),
    ("min_severity: high", "min_severity: severe",
     "FILE:16:23: escalation ACME-E1: require[0].min_severity 'severe' is not one of"),
    ("version: 1", "version: 2", "FILE:1:10: unsupported rule file version 2"),
    ("    title: ACME tool\n", "    title: ACME tool\n    i18n: {ja: {title: [x]}}\n",
     "FILE:5:11: rule ACME-001: i18n must map a language"),
    ("    title: two kinds\n", "    title: two kinds\n    i18n: [ja]\n", "FILE:14:11: escalation ACME-E1: i18n must map"),
    ("    title: ACME tool\n", "    title: ACME tool\n    title: again\n",
     "FILE:5:5: invalid YAML: duplicate key 'title' (first defined at line 4)"),
    ("values: [acme.exe]", "values: !!python/object/apply:os.system [id]", "FILE:10:19: invalid YAML: tag"),
    ("values: [acme.exe]", "values: [\"acme.exe]", "FILE:17:1: invalid YAML: quote \" opened at line 10, column 20 is not closed"),
])
def test_errors_name_file_line_and_column(tmp_path, old, new, expected):
    assert old in RULE
    assert _error(tmp_path, RULE.replace(old, new, 1)).startswith(expected)


def test_aliases_are_refused_in_rule_files(tmp_path):
    text = RULE.replace("values: [acme.exe]", "values: &v [acme.exe]") + "  - id: ACME-E2\n    title: x\n    require: *v\n"
    assert "YAML aliases are not allowed" in _error(tmp_path, text)


def test_rule_built_without_a_file_position_still_names_its_source():
    with pytest.raises(RiskRuleError, match=r"^mine\.yml: rule X-1: match: a condition must be a mapping"):
        risk.Rule({"id": "X-1", "title": "t", "severity": "low", "match": []}, "mine.yml")


def test_severity_names_are_one_scale():
    """risk re-exports severity.py's objects (older imports keep working)."""
    assert risk.SEVERITIES is severity.SEVERITIES and risk.SEVERITY_RANK is severity.SEVERITY_RANK
    assert risk.max_severity is severity.max_severity and risk.severity_at_least is severity.severity_at_least
    assert severity.max_severity("low", None, "bogus", "high") == "high" and severity.max_severity() is None
    assert severity.severity_at_least("high", "medium") and not severity.severity_at_least("low", "medium")
    assert not severity.severity_at_least(None, "info") and not severity.severity_at_least("critical", "bogus")


def test_reports_rank_severities_without_the_rule_engine():
    """Reports need the severity scale only: they import severity.py, not risk.py."""
    from pathlib import Path
    root = Path(__file__).resolve().parents[4] / "plugins"
    reports = sorted((root / "plugin_utils" / "drift_reports").glob("*.py")) + [
        root / "plugin_utils" / "report_runner.py", root / "plugin_utils" / "findings.py", root / "action" / "drift_report.py"]
    assert [p.name for p in reports if "plugin_utils.risk import" in p.read_text(encoding="utf-8")] == []
