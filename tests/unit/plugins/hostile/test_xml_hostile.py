# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile XML through every parser entry point (issue 9).

Each payload goes through the task parser (bytes in every encoding, str), the
event parser (as the event itself and inside a 4698 TaskContent), the live task
and event normalizers, and the offline collectors. Each case: no exception
escapes the public entry point, the input is reported, nothing expands, the
canary file/FIFO outside the root is never read, nothing touches the network.
"""
from __future__ import annotations

import codecs
import json

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import (
    collect_offline_events, normalize_live_events,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import normalize_event_xml
from ansible_collections.taskguard.windows.plugins.plugin_utils import safe_xml
from ansible_collections.taskguard.windows.plugins.plugin_utils.safe_xml import parse_xml
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import (
    collect_offline_tasks, normalize_live_tasks,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import parse_task_definition

from . import payloads as P


def _text_payloads(canary, net):
    """(label, text) for every XML attack that is text (goes into TaskContent too)."""
    out = []
    for name in P.TEMPLATES:
        text = P.template(name, canary, net)
        out.append((name, text))
        out.append((name + "-late", P.late_doctype(text)))
    out.append(("quadratic", P.quadratic_blowup()))
    out.append(("deep-100000", "<Task>" + "<a>" * 100000 + "</a>" * 100000 + "</Task>"))
    full = P.task_xml()
    out.append(("truncated", full[: len(full) // 2]))
    out.append(("truncated-in-tag", full[: full.index("<Command>") + 5]))
    out.append(("cdata-doctype", '<Task><RegistrationInfo><Description><![CDATA[<!DOCTYPE x [<!ENTITY a SYSTEM "file://%s">]>]]>'
                                 '</Description></RegistrationInfo></Task>' % canary.file))
    return out


def _byte_payloads(canary, net):
    """(label, bytes): the text attacks in every encoding plus broken encodings."""
    out = []
    for label, text in _text_payloads(canary, net):
        if label.startswith("deep") or label == "quadratic":
            out.append((label, text.encode("utf-8")))
            out.append((label + "-utf16", codecs.BOM_UTF16_LE + text.encode("utf-16-le")))
            continue
        out += [("%s-%s" % (label, enc), data) for enc, data in P.encodings(text)]
    task = P.task_xml()
    out += [
        ("nul-byte-utf8", task.replace("<Command>", "<Command>\x00").encode("utf-8")),
        ("nul-bytes-utf16", codecs.BOM_UTF16_LE + task.replace("cmd.exe", "cmd\x00.exe").encode("utf-16-le")),
        ("invalid-utf8", task.encode("utf-8").replace(b"cmd.exe", b"cmd\xff\xfe\xc3.exe")),
        ("odd-length-utf16", codecs.BOM_UTF16_LE + task.encode("utf-16-le") + b"\x00"),
        ("lone-surrogate-utf16", codecs.BOM_UTF16_LE + task.encode("utf-16-le").replace(
            "cmd".encode("utf-16-le"), b"\x00\xd8md")),
        ("mixed-utf16-then-utf8", codecs.BOM_UTF16_LE + task[:200].encode("utf-16-le") + task[200:].encode("utf-8")),
        ("utf8-bom-then-utf16", codecs.BOM_UTF8 + task.encode("utf-16-le")),
        ("utf32", task.encode("utf-32")),
        ("empty", b""),
        ("only-bom", codecs.BOM_UTF16_LE),
        ("binary-garbage", bytes(range(256)) * 8),
    ]
    return out


def _check_inert(result_or_text, canary):
    text = P.all_text(result_or_text)
    canary.assert_not_in(text)
    # no entity was expanded anywhere
    assert "lollollol" not in text
    assert "A" * 1000 not in text


# ---------------------------------------------------------------- task parser

def test_task_parser_refuses_every_hostile_byte_payload(canary, net_canary):
    # ~150 payloads; a parser that hangs on one is caught by the suite's hang guard (conftest)
    for label, data in _byte_payloads(canary, net_canary):
        with pytest.raises(TaskGuardInputError) as info:
            parse_task_definition(data, path="\\Hostile\\" + label)
        canary.assert_not_in(str(info.value))


def test_task_parser_refuses_every_hostile_text_payload(canary, net_canary):
    for label, text in _text_payloads(canary, net_canary):
        with pytest.raises(TaskGuardInputError) as info:
            parse_task_definition(text, path="\\Hostile\\" + label)
        canary.assert_not_in(str(info.value))


def test_xinclude_is_never_processed(canary, net_canary):
    text = (P.FIXTURES / "xinclude.xml").read_text(encoding="utf-8")
    text = text.replace("@FILE@", canary.file).replace("@FIFO@", canary.fifo)
    for enc, data in P.encodings(text):
        if enc.startswith("utf-32"):
            with pytest.raises(TaskGuardInputError):
                parse_task_definition(data, path="\\XInclude")
            continue
        task = parse_task_definition(data, path="\\XInclude")
        _check_inert(task, canary)
        assert task["description"] is None and task["actions"][0]["command"] is None


def test_fifty_megabytes_refused_before_parsing(canary, monkeypatch):
    # "before parsing" asserted as behaviour, not as a duration: the size check answers
    # before the document is decoded or reaches libxml2
    def never(*_args, **_kwargs):
        raise AssertionError("an over-limit document was decoded or parsed")
    monkeypatch.setattr(safe_xml, "decode_xml_bytes", never)
    monkeypatch.setattr(safe_xml.etree, "fromstring", never)
    big = b"<Task>" + b"<!-- " + b"A" * (50 * P.MB) + b" --></Task>"
    for data in (big, codecs.BOM_UTF16_LE + big, big.decode("ascii")):
        with pytest.raises(TaskGuardInputError, match="exceeds the limit"):
            parse_task_definition(data)
        with pytest.raises(TaskGuardInputError, match="exceeds the limit"):
            normalize_event_xml(data, source="test")


def test_safe_xml_never_returns_a_doctype(canary, net_canary):
    # The shared parser itself, for callers other than the task model.
    for label, data in _byte_payloads(canary, net_canary):
        try:
            root = parse_xml(data, what=label)
        except TaskGuardInputError:
            continue
        assert root.getroottree().docinfo.doctype == "", label


# --------------------------------------------------------------- event parser

def test_hostile_task_content_in_4698_is_reported_not_expanded(canary, net_canary):
    for index, (label, text) in enumerate(_text_payloads(canary, net_canary), 1):
        xml = P.security_event(index, 4698, "\\Hostile\\" + label, text)
        event = normalize_event_xml(xml, source="test")
        assert event["event_id"] == 4698 and event["task"] == "\\Hostile\\" + label
        assert event["definition"] is None, label
        assert event["definition_error"], label
        _check_inert(event, canary)


def test_hostile_content_smuggled_unescaped_into_the_event_is_refused(canary, net_canary):
    # An attacker who controls the rendering (evtx templates, a tampered export)
    # puts the DOCTYPE in the event document itself.
    for label, text in _text_payloads(canary, net_canary):
        if "!DOCTYPE" not in text or label.startswith("cdata"):
            continue
        doctype = text[text.index("<!DOCTYPE"):text.index("<Task")]
        xml = doctype + P.security_event(1, 4698, "\\x", P.task_xml())
        for data in (xml, xml.encode("utf-8"), codecs.BOM_UTF16_LE + xml.encode("utf-16-le")):
            with pytest.raises(TaskGuardInputError):
                normalize_event_xml(data, source="test")


# ------------------------------------------------------------- live material

def test_live_task_material_with_hostile_xml(canary, net_canary):
    items = [{"path": "\\Hostile\\%d" % i, "xml": text, "state": 3}
             for i, (_label, text) in enumerate(_text_payloads(canary, net_canary))]
    raw = {"is_admin": True, "api": {"read": True, "tasks": items}}
    result = normalize_live_tasks(raw)
    assert {u["path"] for u in result["unparseable"]} == {i["path"] for i in items}
    assert all(t["fingerprint"] is None for t in result["tasks"])
    _check_inert(result, canary)


def test_live_task_material_with_hostile_file_content(canary, net_canary):
    import base64
    entries = [{"path": "\\Hostile\\%d" % i, "size": len(data), "content": base64.b64encode(data).decode()}
               for i, (_label, data) in enumerate(_byte_payloads(canary, net_canary)) if len(data) < 1_000_000]
    result = normalize_live_tasks({"files": {"read": True, "entries": entries}})
    assert {u["path"] for u in result["unparseable"]} == {e["path"] for e in entries}
    _check_inert(result, canary)


def test_live_event_material_with_hostile_events(canary, net_canary):
    texts = _text_payloads(canary, net_canary)
    events = [P.security_event(i, 4698, "\\Hostile\\%d" % i, text) for i, (_l, text) in enumerate(texts, 1)]
    events += [text for _l, text in texts]                              # not even an event
    raw = {"event_ids": [4698], "max_events": 1000, "channels": [{
        "name": "Security", "config": {"is_enabled": True, "log_mode": "Circular"},
        "oldest": {"record_id": 1, "time": "2026-11-24T10:00:00.0000000Z"},
        "newest": {"record_id": 10 ** 6, "time": "2026-11-24T11:00:00.0000000Z"},
        "events": events}]}
    result = normalize_live_events(raw)
    assert len(result["events"]) == len(texts)
    assert all(e["definition"] is None and e["definition_error"] for e in result["events"])
    assert result["unparseable_count"] == len(texts)
    assert "unparseable_records" in result["coverage"]["Security"]["reasons"]
    _check_inert(result, canary)


# ---------------------------------------------------------- offline evidence

def test_offline_evidence_full_of_hostile_xml(tmp_path, canary, net_canary, file_reads):
    root = P.evidence_root(tmp_path / "evidence")
    byte_payloads = _byte_payloads(canary, net_canary)
    for i, (label, data) in enumerate(byte_payloads):
        P.write(P.tasks_dir(root) / "Hostile" / ("%03d-%s" % (i, label)), data)
    texts = _text_payloads(canary, net_canary)
    export = "".join(P.security_event(i, 4698, "\\Hostile\\%d" % i, text) for i, (_l, text) in enumerate(texts, 1))
    P.write(root / "events" / "security.xml", export.encode("utf-8"))
    # a whole export that is an attack: DOCTYPE before the first event, entity used inside it
    # (the splitter cuts events out, so the entity is undeclared there: refused, reported)
    doctype = P.template("xxe_file", canary, net_canary).split("<Task")[0]
    attack = (doctype + P.security_event(900, 4698, "\\x", "")).replace(
        '<Data Name="TaskName">\\x', '<Data Name="TaskName">&leak;')
    P.write(root / "events" / "doctype.xml", attack.encode("utf-8"))
    with file_reads:
        tasks = collect_offline_tasks(str(root))
        events = collect_offline_events(str(root), event_ids=[4698])
    assert file_reads.paths and file_reads.outside(root) == []
    bad = {u["path"] for u in tasks["unparseable"]}
    assert len(bad) == len(byte_payloads)
    assert all(p.startswith("\\Hostile\\") for p in bad)
    assert len(events["events"]) == len(texts)
    assert all(e["definition"] is None and e["definition_error"] for e in events["events"])
    assert events["unparseable_count"] >= 1                               # the doctype export
    _check_inert(tasks, canary)
    _check_inert(events, canary)
    json.dumps(tasks, default=repr)


@pytest.mark.parametrize("unit", ["<Event ", "<Event>", "<Event></Even", "<Event>" + " " * 20])
def test_export_of_unterminated_events_is_linear(tmp_path, unit):
    """A 12 MB export of event starts that never end: the splitter used to rescan
    the 4 MB window for every start (quadratic: a 5 MB file never finished)."""
    root = P.evidence_root(tmp_path / "evidence")
    P.write_big(root / "events" / "starts.xml", 12 * P.MB, filler=unit.encode())
    P.write(root / "events" / "z-good.xml", P.operational_event(3, 106, "\\AfterGarbage").encode())
    # quadratic never finished on 5 MB: the suite's hang guard (a safety net) catches that
    result = collect_offline_events(str(root))
    assert [e["task"] for e in result["events"]] == ["\\AfterGarbage"]     # the good export is still read
    assert any("larger than" in u["error"] for u in result["unparseable"])
