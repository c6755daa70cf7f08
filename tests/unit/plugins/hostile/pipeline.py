# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller path of one drift run, in process (what the audit and
drift_report actions do, without Ansible), and inertness checks of every report
format. Used by the hostile suite to push evidence through to the reports."""
from __future__ import annotations

import csv
import html.parser
import io
import json
import unicodedata
import xml.etree.ElementTree as ET

from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support, pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.write import FORMATS, write_reports
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report

FILES = {fmt: name for fmt, (name, _render) in FORMATS.items()}
# characters that must never reach md/html/csv/junit raw (shown as <U+XXXX> instead):
# every control/format/surrogate character (Unicode categories Cc, Cf, Cs; tab and
# line ends aside) and the blank fillers that render as nothing
_FILLERS = "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u3164\uffa0" + "".join(
    chr(c) for c in list(range(0xFE00, 0xFE10)) + list(range(0xE0100, 0xE01F0)))


class _Invisible:
    """A tiny stand-in for a compiled regex: ``search(text)`` -> the first offending character or None."""

    @staticmethod
    def search(text):
        for char in text:
            if char in "\t\n\r":
                continue
            if unicodedata.category(char) in ("Cc", "Cf", "Cs") or char in _FILLERS:
                return char
        return None


INVISIBLE = _Invisible()


def audit_offline(root, host_name="victim", *, inventory_dirs=None, since=None, today="2026-11-25"):
    """The audit action's offline branch (plugin_utils/pipeline.py): a registered-result-like dict."""
    ctx = pipeline.prepare(inventory_dirs=inventory_dirs, today=today)
    hints = {"groups": ["windows"], "os_family": "windows_10", "domain_role": "member_workstation"}
    tasks, events, problems = audit_support.collect_offline(str(root), since=since, max_events=5000)
    if any(p.get("fatal") for p in problems):
        return {"failed": True, "msg": "; ".join(p["error"] for p in problems)}
    result = pipeline.judge(ctx, host_name, hints, pipeline.Collected(tasks, events, problems, "offline"))
    result.update({"tasks_result": tasks, "events_result": events})   # for the suite's own checks
    return result


def write_all(results, report_dir, run_id="hostile-run"):
    doc = build_run_report(results, {"id": run_id, "slice": None})
    paths = write_reports(doc, str(report_dir))
    return doc, {fmt: open(path, "rb").read() for fmt, path in paths.items()}


# ------------------------------------------------------------------ checks

def md_row_cells(line):
    """Cells of a GFM table row: split on pipes not escaped by a backslash."""
    cells, current, i = [], [], 0
    while i < len(line):
        char = line[i]
        if char == "\\" and i + 1 < len(line):
            current.append(line[i:i + 2])
            i += 2
            continue
        if char == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    cells.append("".join(current))
    return cells[1:-1] if line.startswith("|") and line.endswith("|") else cells


def check_markdown(data):
    text = data.decode("utf-8")
    assert not INVISIBLE.search(text), "raw control/bidi character in drift.md"
    in_fence = False
    table = None
    for line in text.split("\n"):
        if line.startswith("```"):
            in_fence = not in_fence
        if in_fence:
            continue
        if line.startswith("|"):
            width = len(md_row_cells(line))
            if table is None:
                table = width
            assert width == table, "markdown table row with %d cells instead of %d: %r" % (width, table, line[:200])
            assert "<" not in line and ">" not in line.replace("&gt;", ""), line[:200]
        else:
            table = None
    assert not in_fence, "unclosed code fence"


def check_csv(data):
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    width = len(rows[0])
    for row in rows:
        assert len(row) == width
        for cell in row:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "\n")), cell[:80]
            assert not INVISIBLE.search(cell), cell[:80]
    return rows


class _Html(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts = 0
        self.tags = []
        self.text = []
        self.bad_attrs = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            if name.startswith("on") or (name in ("href", "src") and not str(value).startswith(("https://", "http://"))):
                self.bad_attrs.append((tag, name, value))

    def handle_data(self, data):
        self.text.append(data)


def check_html(data):
    text = data.decode("utf-8")
    assert not INVISIBLE.search(text), "raw control/bidi character in drift.html"
    parser = _Html()
    parser.feed(text)
    assert parser.scripts == 1, "only the page's own script"
    assert parser.bad_attrs == []
    assert "img" not in parser.tags and "iframe" not in parser.tags
    assert "link" not in parser.tags                           # self-contained, nothing fetched
    return "".join(parser.text)


def check_junit(data):
    root = ET.fromstring(data)
    assert root.tag == "testsuites"
    assert not INVISIBLE.search(data.decode("utf-8").replace("\t", ""))
    return root


def check_json(data):
    data.decode("ascii")
    return json.loads(data)


def check_all(files):
    """Run every format's inertness check; returns the parsed/visible forms."""
    return {"json": check_json(files["json"]), "md": check_markdown(files["md"]),
            "html": check_html(files["html"]), "csv": check_csv(files["csv"]),
            "junit": check_junit(files["junit"])}
