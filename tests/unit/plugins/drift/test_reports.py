# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report writers: hostile strings stay inert and visible in every format; schema; atomic writes."""
from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import state
from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import unreachable_finding
from audit_call import audit_host
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import (
    csv_format, html_page, json_format, junit, markdown,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.document import build_report, host_entry
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.write import write_reports
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import validate_report
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import load_rules

from .helpers import StubHostView, events_result, make_task, tasks_result

JINJA = "{{ lookup('pipe','id') }}{% for x in y %}"
SCRIPT = "<script>alert(1)</script><img src=x onerror=alert(2)>"
MD = "a|b\n| --- |\n`code` [link](javascript:alert(1)) **b** @admin #1"
FORMULA = "=HYPERLINK(\"http://evil\",\"x\")"
RTL = "invoice\u202egpj.exe"
CONTROL = "ctl\x00\x01\x1b[31m\x7f\ud800end"
HOSTILE = [JINJA, SCRIPT, MD, FORMULA, RTL, CONTROL, "+cmd", "-2+3", "@SUM(1)", "\tTAB", "\rCR"]


def hostile_doc():
    # Half run from a temp folder (risky: no proposal is offered), half from Program
    # Files (proposals offered, so their hostile text reaches the reports too).
    tasks = [make_task("\\Evil\\" + s, command=("C:\\Windows\\Temp\\" if i % 2 else "C:\\Program Files\\V\\") + s,
                       arguments=s) for i, s in enumerate(HOSTILE)]
    audit = audit_host("h<1>", tasks_result(tasks), events_result(), StubHostView([]), load_rules(), host={"name": "h<1>"},
                       propose=lambda t, h: {"path": t["path"], "note": "```\n" + SCRIPT})
    hosts = {"h<1>": host_entry(audit["status"], audit["findings"]),
             "=cmd|' /C calc'!A0": host_entry("unreachable", [unreachable_finding("=x", "unreachable", SCRIPT + MD)],
                                              message=SCRIPT)}
    return build_report(hosts, {"id": JINJA, "slice": None})


@pytest.fixture(scope="module")
def doc():
    return hostile_doc()


def test_json_is_valid_against_schema_and_ascii(doc):
    data = json_format.render(doc)
    data.decode("ascii")
    loaded = json.loads(data)
    validate_report(loaded)
    assert loaded["hosts"]["h<1>"]["findings"][0]["evidence"]["task"]["path"].startswith("\\Evil\\")
    # content is preserved exactly (escaping is per format, JSON keeps the raw value)
    assert any(f["task"] == "\\Evil\\" + RTL for f in loaded["hosts"]["h<1>"]["findings"])


def test_html_escapes_everything_and_has_csp(doc):
    page = html_page.render(doc).decode("utf-8")
    assert page.count("<script>") == 1              # only our own inline script
    assert "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "javascript:" not in re.sub(r"&[a-z]+;", "", " ".join(re.findall(r'href="([^"]*)"', page)))
    assert re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; script-src &#x27;sha256-', page)
    assert "<U+202E>" not in page and "&lt;U+202E&gt;" in page     # RTL override made visible
    assert "\u202e" not in page and "\x00" not in page and "\x1b" not in page
    assert "{{ lookup(&#x27;pipe&#x27;,&#x27;id&#x27;) }}" in page     # Jinja shown literally, never rendered
    # no external resource
    known = r"github\.com|attack\.mitre\.org|learn\.microsoft\.com|www\.microsoft\.com|lolbas-project\.github\.io"
    assert not re.search(r'(src|href)="(?!https?://(%s))' % known, page)
    assert "<link" not in page


def test_html_csp_hashes_match_inline_code(doc):
    import base64
    import hashlib
    page = html_page.render(doc).decode("utf-8")
    script = page.split("<script>")[1].split("</script>")[0]
    style = page.split("<style>")[1].split("</style>")[0]
    for code in (script, style):
        digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode()
        assert "sha256-%s" % digest in page


def test_markdown_has_no_wide_table_and_escapes_host_strings(doc):
    text = markdown.render(doc).decode("utf-8")
    # the task cards are lists, not tables: no line of ours is a table row (compliance only when present)
    assert not [line for line in text.split("\n") if line.startswith("|")]
    for f in doc["hosts"]["h<1>"]["findings"]:
        assert "#### " in text and markdown.cell(f["task"]) in text     # every task has its card heading
    # outside code spans (whose content CommonMark shows literally) markup is entity-escaped
    prose = re.sub(r"(`+) .*? \1", "", text.split("```", maxsplit=1)[0])
    assert "<script>" not in prose and "<img" not in prose
    assert "&lt;script&gt;" in text
    assert "\\@admin" in text and "\\[link\\]" in text and "\\`code\\`" in text
    assert "\u202e" not in text and "<U+202E>" not in prose and "&lt;U+202E&gt;" in prose


def test_markdown_code_span_cannot_be_closed_by_content():
    span = markdown.code("a ``` b ` c")
    assert span.startswith("```` ") and span.endswith(" ````")


def test_markdown_fences_cannot_be_closed_by_content(doc):
    text = markdown.render(doc).decode("utf-8")
    block = text.split("## Proposed inventory entries", 1)[1]
    fence = re.search(r"^(`{3,})yaml$", block, re.M).group(1)
    assert len(fence) >= 4      # content holds ``` so the fence must be longer


def test_csv_bom_and_formula_neutralization(doc):
    data = csv_format.render(doc)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    assert rows[0][0] == "host"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert any(r[0] == "'=cmd|' /C calc'!A0" for r in rows)
    tasks = {r[4] for r in rows}
    assert "\\Evil\\" + "<U+202E>".join(RTL.split("\u202e")) in tasks


def test_csv_neutralizes_every_formula_prefix():
    for prefix in ("=", "+", "-", "@", "\t", "\r", " =", "\uff1d"):
        assert csv_format.safe_cell(prefix + "1+1").startswith("'")
    assert csv_format.safe_cell("plain") == "plain"


def test_junit_one_case_per_host_and_task_named_without_severity(doc):
    data = junit.render(doc)
    root = ET.fromstring(data)
    suites = root.findall("testsuite")
    assert len(suites) == 2
    tasks = sum(1 + len([f for f in e["findings"] if f["task"]]) for e in doc["hosts"].values())
    assert len(root.findall(".//testcase")) == tasks == int(root.get("tests"))
    for suite in suites:
        names = [c.get("name") for c in suite.findall("testcase")]
        assert len(names) == len(set(names))                       # no two cases of a host share a name
        assert not [n for n in names if re.search(r"\b(critical|high|medium|low|info)\b", n)]
    unreachable = next(s for s in suites if s.get("name").startswith("'=cmd") or s.get("name").startswith("=cmd"))
    assert unreachable.find("testcase/error") is not None              # a host that was not audited is an error
    assert unreachable.get("errors") == "1"
    task_case = next(c for c in root.iter("testcase") if c.find("failure") is not None)
    body = task_case.find("failure").text
    assert "Remediate" in body and "Why it matters" in body          # the message is the task card in text
    assert b"\x00" not in data and b"\x1b" not in data
    assert b"<script>" not in data


def test_junit_and_csv_in_japanese(doc):
    root = ET.fromstring(junit.render(doc, "ja"))
    task_case = next(c for c in root.iter("testcase") if c.find("failure") is not None)
    assert "対応" in task_case.find("failure").text
    rows = list(csv.reader(io.StringIO(csv_format.render(doc, "ja")[3:].decode("utf-8"))))
    assert rows[0][:3] == ["ホスト", "区分", "判定"]
    assert {r[2] for r in rows[1:]} <= {"compromised", "suspicious", "incomplete", "clean", "not_audited"}


def test_write_reports_all_formats_atomically(tmp_path, doc):
    out = tmp_path / "r"
    paths = write_reports(doc, str(out))
    assert sorted(os.path.basename(p) for p in paths.values()) == sorted(
        ["drift.json", "drift.md", "drift.html", "junit.xml", "drift.csv"])
    assert not [n for n in os.listdir(out) if n.endswith(".tmp")]


def test_unwritable_report_dir_is_a_clear_error(tmp_path, doc):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(state.ReportWriteError, match="cannot be created"):
        write_reports(doc, str(blocker / "reports"))


def test_disk_full_keeps_the_old_report(tmp_path, doc, monkeypatch):
    out = tmp_path / "r"
    write_reports(doc, str(out))
    before = (out / "drift.json").read_bytes()
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(state.os, "fsync", full)
    with pytest.raises(state.ReportWriteError, match="no space left on device"):
        write_reports(build_report({}, {"id": "new"}), str(out))
    monkeypatch.setattr(state.os, "fsync", real_fsync)
    assert (out / "drift.json").read_bytes() == before
    assert not [n for n in os.listdir(out) if n.endswith(".tmp")]


def test_empty_run_still_writes_a_report(tmp_path):
    paths = write_reports(build_report({}, {"id": "r"}), str(tmp_path))
    assert json.loads(open(paths["json"]).read())["summary"]["hosts"] == 0


def test_demo_summary_prints_hostile_strings_visibly(tmp_path, capsys):
    import importlib.util
    path = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "tools", "demo_summary.py")
    spec = importlib.util.spec_from_file_location("demo_summary", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    write_reports(hostile_doc(), str(tmp_path), ["json"])
    assert module.main(["demo_summary", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\x1b" not in out and "<U+202E>" in out
    assert module.main(["demo_summary", str(tmp_path / "missing")]) == 1


def test_console_summary_in_both_languages_prints_hostile_strings_visibly(tmp_path, capsys):
    from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import text
    write_reports(hostile_doc(), str(tmp_path), ["json"])
    assert text.main(["text", str(tmp_path), "ja"]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\x1b" not in out and "<U+202E>" in out
    assert "その他のホスト" in out and "未監査" in out          # tier and verdict in Japanese
    assert text.main(["text", str(tmp_path)]) == 0
    assert "not audited" in capsys.readouterr().out
    assert text.main(["text", str(tmp_path / "missing"), "ja"]) == 1
    assert "読み取れる監査レポートがありません" in capsys.readouterr().err
