# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile names and strings from real evidence shapes (task file names, task XML,
event fields, registry keys, live collector output) through the whole controller
path into every report format (issue 9).

The writers' own unit tests feed them synthetic documents; here the strings come
through the parsers, risk rules, proposals and evidence trimming first, so what
is checked is what an analyst would actually open.
"""
from __future__ import annotations

import sys

import pytest

from audit_call import audit_host
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.common import visible
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.csv_format import safe_cell
from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import normalize_live_tasks

from . import payloads as P
from .pipeline import audit_offline, check_all, write_all

S = P.hostile_strings()
# File names cannot hold '/' or NUL; everything else an attacker can name a file.
FILE_NAMES = {
    "traversal": S["path_traversal_backslash"],
    "control": S["control_chars"],
    "rtl": S["rtl_override"],
    "jinja": S["jinja_expression"],
    "jinja_stmt": S["jinja_statement"],
    "html": "<b onmouseover=alert(1)>bold<img src=x onerror=alert(2)>",
    "md": "a | b | c `x` *y* [z](http:x)",
    "csv_eq": "=HYPERLINK(\"http:x\",\"click\")",
    "csv_plus": S["csv_formula_plus"],
    "csv_minus": S["csv_formula_minus"],
    "csv_at": S["csv_formula_at"],
    "long": "L" * 240,
    "invisible": S["invisible_format"],
}
FILE_NAMES = {key: value.replace("/", "_") for key, value in FILE_NAMES.items()}


def _evidence(tmp_path):
    root = P.evidence_root(tmp_path / "evidence")
    # XML 1.0 cannot carry C0 controls: those come through file names and live paths
    xml_safe = {k: str(v) for k, v in S.items() if k != "control_chars"}
    everything = " ".join(xml_safe.values())
    for key, name in FILE_NAMES.items():
        P.write(P.tasks_dir(root) / name, P.task_xml(
            command="C:\\Users\\Public\\%s.exe" % key, arguments=everything, uri=S["path_traversal_slash"],
            description=S["markdown_table_breaker"] + S["html_script"], author=S["jinja_statement"]))
    events = []
    for index, value in enumerate(xml_safe.values(), 1):
        name = "\\" + str(value)
        events.append(P.security_event(2 * index, 4698, name, P.task_xml(command=str(value)), user=str(value)))
        events.append(P.security_event(2 * index + 1, 4699, name, None, user=str(value)))
    P.write(root / "events" / "security.xml", "".join(events).encode("utf-8"))
    reg = P.reg_export([("\\" + S["html_script"].replace("\\", ""), "{11111111-1111-1111-1111-111111111111}", 1, False),
                        ("\\" + S["csv_formula_equals"], "{22222222-2222-2222-2222-222222222222}", 0, True)],
                       [("{11111111-1111-1111-1111-111111111111}", S["path_traversal_backslash"])])
    P.write(root / "TaskCache.reg", reg)
    return root


def _live_result():
    raw = {"is_admin": True, "api": {"read": True, "tasks": [
        {"path": "\\..\\..\\" + S["path_traversal_slash"], "xml": P.task_xml(command=S["csv_formula_at"]), "state": 3},
        {"path": "\\" + S["control_chars"] + "\x00nul", "xml": P.task_xml(), "state": 3},
        {"path": "\\" + "V" * 100000, "xml": P.task_xml(command="W" * 100000), "state": 3},
    ]}, "files": {"read": False, "error": S["html_script"]},
        "taskcache": {"read": False, "error": S["jinja_expression"]},
        "host": {"os_caption": S["rtl_override"], "error": S["markdown_table_breaker"]}}
    tasks = normalize_live_tasks(raw)
    host = {"name": "live<host>", "groups": [], "os_family": "unknown", "domain_role": "unknown"}
    audit = audit_host("live<host>", tasks, None, None, audit_support.load_rules([]), host=host,
                       propose=audit_support.proposer("2026-11-25"))
    return {"status": audit["status"], "findings": audit["findings"], "mode": "live"}


def test_hostile_names_reach_every_report_inert_and_visible(tmp_path):
    root = _evidence(tmp_path)
    offline = audit_offline(root, "victim")
    tasks = offline["tasks_result"]
    # every file was read and parsed (hostile names are data, not errors)
    paths = {t["path"] for t in tasks["tasks"]}
    for name in FILE_NAMES.values():
        assert "\\" + "\\".join(p for p in name.split("\\") if p) in paths
    assert tasks["unparseable"] == []
    results = {"victim": offline, "live<host>": _live_result(),
               S["csv_formula_equals"]: {"unreachable": True, "msg": S["html_script"] + S["rtl_override"]}}
    doc, files = write_all(results, tmp_path / "reports", run_id=S["jinja_expression"])
    checked = check_all(files)

    # JSON keeps the raw value (a data format); nothing was evaluated
    loaded = checked["json"]
    finding_tasks = {f["task"] for f in loaded["hosts"]["victim"]["findings"]}
    assert "\\" + S["jinja_expression"] in finding_tasks                  # transient, from the events
    assert loaded["run"]["id"] == S["jinja_expression"]
    for data in files.values():
        assert b"uid=" not in data                                        # lookup('pipe','id') never ran

    # HTML: the visible form of every name is in the page text (escaped markup, <U+XXXX> for bidi/controls)
    html_text = checked["html"]
    csv_cells = {cell for row in checked["csv"] for cell in row}
    for key, name in FILE_NAMES.items():
        shown = visible("\\" + "\\".join(p for p in name.split("\\") if p))
        assert shown in html_text, key
        assert safe_cell(shown) in csv_cells, key
    assert "invoice<U+202E>exe.pdf" in html_text
    md = files["md"].decode("utf-8")
    assert "invoice&lt;U+202E&gt;exe.pdf" in md and "\u202e" not in md   # visible marker, entity-escaped
    assert "&lt;script&gt;" in files["html"].decode("utf-8")
    # long names and strings stay bounded in the human formats
    assert len(files["md"]) < 2_000_000 and len(files["html"]) < 5_000_000


def test_hostile_registry_only_paths_are_tasks_not_file_reads(tmp_path, canary):
    # Registry Tree keys and Tasks\{GUID}\Path values name files that do not exist;
    # a path like ..\..\<canary> must never make the collector read it.
    root = P.evidence_root(tmp_path / "evidence")
    outside = "\\".join([".."] * 12) + canary.file.replace("/", "\\")
    reg = P.reg_export([(outside, "{33333333-3333-3333-3333-333333333333}", 1, True)],
                       [("{33333333-3333-3333-3333-333333333333}", outside),
                        ("{44444444-4444-4444-4444-444444444444}", canary.fifo.replace("/", "\\"))])
    P.write(root / "TaskCache.reg", reg)
    offline = audit_offline(root, "victim")
    tasks = offline["tasks_result"]["tasks"]
    assert tasks and all(t["fingerprint"] is None for t in tasks)             # registry-only: no definition read
    assert any("registry_without_file" in t["hidden_reasons"] for t in tasks)
    _doc, files = write_all({"victim": offline}, tmp_path / "reports")
    check_all(files)
    canary.assert_not_in(*files.values())


def _huge_report(size):
    """A report whose task name, message and run id are ``size`` characters of hostile text
    (template syntax, markup, table and formula characters, RTL override) and whose evidence
    holds twice that."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import unreachable_finding
    from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.document import build_report, host_entry

    huge = ("{{ x }}<script>|=\u202e" * (size // 20 + 1))[:size]
    finding = unreachable_finding("h", "failed", huge)
    finding["task"] = "\\" + huge
    finding["evidence"] = {"blob": huge * 2}
    return build_report({"h" * 5000: host_entry("failed", [finding], message=huge)}, {"id": huge[:1000], "slice": None})


def _python_steps(render, doc):
    """How many Python bytecode instructions ``render(doc)`` executes: a count of the
    writer's work that is the same on a fast and on a loaded machine (a clock is not).
    Work done inside C (one regex scan, one str.join) counts as the call that started it."""
    steps = [0]

    def opcode(_frame, event, _arg):
        if event == "opcode":
            steps[0] += 1
        return opcode

    def call(frame, _event, _arg):
        frame.f_trace_opcodes = True
        return opcode

    previous = sys.gettrace()
    sys.settrace(call)
    try:
        render(doc)
    finally:
        sys.settrace(previous)
    return steps[0]


def test_every_writer_does_work_linear_in_huge_strings():
    """Four times the hostile text costs every writer at most about four times the Python
    work (5x allows for fixed costs; a writer that rescans what it has written grows 16x):
    counted, not timed. Superlinear work inside C (a backtracking regex) is not counted;
    at 10 MB it never returns, and the hang guard of the test below catches that."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.write import FORMATS

    small, large = _huge_report(20000), _huge_report(80000)
    for fmt, (_name, render) in FORMATS.items():
        base, grown = _python_steps(render, small), _python_steps(render, large)
        assert base > 0, fmt                                          # the counter saw the writer run
        assert grown <= 5 * base, (fmt, base, grown)


# A safety net, not a speed bound: rendering 10 MB strings takes seconds on an idle
# machine; only a real hang (a writer that never returns) should reach this.
@pytest.mark.hang_seconds(300)
def test_every_writer_is_bounded_on_huge_strings(tmp_path):
    """10 MB names/titles and 20 MB evidence strings: every format renders, the human
    formats stay small (cells and titles are cut), nothing breaks. That the work grows
    only linearly is counted in test_every_writer_does_work_linear_in_huge_strings."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.write import FORMATS

    doc = _huge_report(10 * P.MB)
    files = {fmt: render(doc) for fmt, (_name, render) in FORMATS.items()}
    # human formats cut long values (Markdown cells, CSV cells at Excel's limit)
    assert len(files["md"]) < P.MB and len(files["csv"]) < P.MB
    check_all(files)


def test_invisible_format_characters_are_shown_and_flagged(tmp_path):
    """Soft hyphen, tag characters, fillers: they render as nothing, so a name using
    them reads like a legitimate one. The reports must show them and the risk rules
    must flag them (TG-R020) and not be split by them."""
    root = P.evidence_root(tmp_path / "evidence")
    name = "Windows Up\u00addate"
    P.write(P.tasks_dir(root) / name, P.task_xml(command="C:\\Users\\Public\\power\u00adshell.exe",
                                                 arguments="-w hidden -enc SQBFAFgA", user_id="S-1-5-21-1-2-3-1001",
                                                 run_level="LeastPrivilege"))
    P.write(P.tasks_dir(root) / "Tagged", P.task_xml(command=S["invisible_format"]))
    offline = audit_offline(root)
    by_task = {f["task"]: f for f in offline["findings"] if f["kind"] == "undocumented"}
    rules = {r["rule"] for r in by_task["\\" + name]["reasons"]}
    assert "TG-R020" in rules and "TG-R006" in rules          # flagged, and "powershell" still recognised
    assert "TG-R020" in {r["rule"] for r in by_task["\\Tagged"]["reasons"]}
    _doc, files = write_all({"victim": offline}, tmp_path / "reports")
    checked = check_all(files)                                 # no raw Cf/Cc/filler anywhere
    assert "Windows Up<U+00AD>date" in checked["html"]
    assert "\\udb40\\udc41" in checked["html"]                # evidence JSON escapes tag characters
