# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A drift run over an evidence folder full of hostile files: bounded, reported, inert, no leak."""
from __future__ import annotations

import codecs
import json
import os

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
from audit_call import audit_host
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.document import build_report, host_entry
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.write import write_reports
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import load_rules

SECRET = "TOP-SECRET-CONTROLLER-CONTENT-4711"
NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"


def task_xml(command, arguments=""):
    return ('<?xml version="1.0" encoding="UTF-16"?>\r\n<Task version="1.2" xmlns="%s"><Principals><Principal id="A">'
            "<UserId>S-1-5-18</UserId></Principal></Principals><Actions Context=\"A\"><Exec><Command>%s</Command>"
            "<Arguments>%s</Arguments></Exec></Actions></Task>" % (NS, command, arguments))


def utf16(text):
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def build(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text(SECRET)
    root = tmp_path / "evidence"
    tasks = root / "Windows" / "System32" / "Tasks"
    tasks.mkdir(parents=True)
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><Task xmlns="%s">&lol3;</Task>' % NS)
    xxe = ('<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file://%s">]><Task xmlns="%s"><Actions><Exec>'
           "<Command>&x;</Command></Exec></Actions></Task>" % (outside, NS))
    (tasks / "bomb").write_bytes(bomb.encode())
    (tasks / "xxe").write_bytes(xxe.encode())
    (tasks / "truncated").write_bytes(utf16(task_xml("a.exe"))[:60])
    (tasks / "nul").write_bytes(b"\x00" * 100)
    (tasks / "deep").write_bytes(("<a>" * 100000 + "</a>" * 100000).encode())
    (tasks / "{{ lookup('pipe','id') }}").write_bytes(utf16(task_xml("C:\\Users\\Public\\{{ 7*7 }}.exe")))
    (tasks / "inv\u202eexe.pdf").write_bytes(utf16(task_xml("cmd.exe", "/c =HYPERLINK(&quot;x&quot;)")))
    (tasks / "html").write_bytes(utf16(task_xml("&lt;script&gt;alert(1)&lt;/script&gt;.exe", "| a | b |\n`x`")))
    os.symlink(str(outside), str(tasks / "leak"))
    os.symlink(str(tmp_path), str(tasks / "loop"))
    return str(root)


@pytest.mark.hang_seconds(120)   # a safety net against a hang (tests/unit/conftest.py), not a speed bound
def test_hostile_evidence_is_reported_inert_and_bounded(tmp_path):
    root = build(tmp_path)
    tasks_result, events_result, problems = audit_support.collect_offline(root)
    audit = audit_host("evil", tasks_result, events_result, None, load_rules(), host={"name": "evil"},
                       propose=audit_support.proposer())
    doc = build_report({"evil": host_entry(audit["status"], audit["findings"])}, {"id": "hostile"})
    paths = write_reports(doc, str(tmp_path / "reports"))

    assert problems == []
    kinds = {(f["kind"], f["task"]) for f in audit["findings"]}
    unparseable = {t for k, t in kinds if k == "unparseable"}
    for name in ("bomb", "xxe", "truncated", "nul", "deep"):
        assert any(t and t.endswith("\\" + name) for t in unparseable), (name, unparseable)
    # the symlinks are refused and reported, never followed
    everything = "".join(open(p, encoding="utf-8", errors="replace").read() for p in paths.values())
    assert SECRET not in everything
    assert "leak" in everything and "loop" in everything
    # hostile names still become findings, shown inert
    assert ("undocumented", "\\{{ lookup('pipe','id') }}") in kinds
    html = open(paths["html"], encoding="utf-8").read()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "\u202e" not in html and "&lt;U+202E&gt;" in html
    data = json.load(open(paths["json"], encoding="utf-8"))
    assert data["hosts"]["evil"]["status"] == "partial"
