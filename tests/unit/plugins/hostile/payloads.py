# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile inputs of the issue 9 suite: templates from tests/unit/fixtures/hostile,
generators for big/bomb inputs (written to tmp at test time) and builders for
task XML, events, registry exports and evidence folders."""
from __future__ import annotations

import codecs
import os
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hostile"
TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"
EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
TEMPLATES = ("billion_laughs", "xxe_file", "xxe_network", "external_dtd_file", "external_dtd_network",
             "parameter_entity", "parameter_entity_oob")
MB = 1024 * 1024


def hostile_strings():
    with open(FIXTURES / "hostile_strings.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def template(name, canary, net):
    text = (FIXTURES / ("%s.xml" % name)).read_text(encoding="utf-8")
    return text.replace("@FILE@", canary.file).replace("@FIFO@", canary.fifo).replace("@URL@", net.url)


def quadratic_blowup(size=100_000, refs=10_000):
    """One big internal entity referenced many times (no nesting: passes naive depth limits)."""
    return ('<?xml version="1.0"?><!DOCTYPE Task [<!ENTITY a "%s">]><Task xmlns="%s"><RegistrationInfo>'
            '<Description>%s</Description></RegistrationInfo></Task>' % ("A" * size, TASK_NS, "&a;" * refs))


def late_doctype(text, pad=6000):
    """Push the DOCTYPE beyond the first KBs with a comment (defeats head-only scans)."""
    if text.startswith("<?xml"):
        decl, _sep, rest = text.partition("?>")
        return decl + "?><!--" + "x" * pad + "-->" + rest
    return "<!--" + "x" * pad + "-->" + text


def encodings(text):
    """The ways a hostile file can encode the same text: (label, bytes)."""
    return [
        ("utf-8", text.encode("utf-8")),
        ("utf-8-bom", codecs.BOM_UTF8 + text.encode("utf-8")),
        ("utf-16-le-bom", codecs.BOM_UTF16_LE + text.encode("utf-16-le")),
        ("utf-16-be", text.encode("utf-16-be")),
        # UTF-32 hid a DOCTYPE from safe_xml's byte scan while libxml2 read it (fixed)
        ("utf-32-le-bom", text.encode("utf-32")),
        ("utf-32-be", text.encode("utf-32-be")),
        ("utf-32-le", text.encode("utf-32-le")),
    ]


def task_xml(command="C:\\Windows\\System32\\cmd.exe", arguments=None, *, uri=None, description=None,
             author=None, user_id="S-1-5-18", run_level="HighestAvailable", hidden=False,
             triggers=("BootTrigger",), extra_actions=()):
    e = escape
    parts = ['<?xml version="1.0" encoding="UTF-16"?>',
             '<Task version="1.2" xmlns="%s">' % TASK_NS, "<RegistrationInfo>"]
    if uri is not None:
        parts.append("<URI>%s</URI>" % e(uri))
    if author is not None:
        parts.append("<Author>%s</Author>" % e(author))
    if description is not None:
        parts.append("<Description>%s</Description>" % e(description))
    parts.append("</RegistrationInfo><Triggers>")
    parts += ["<%s><Enabled>true</Enabled></%s>" % (t, t) for t in triggers]
    parts.append('</Triggers><Principals><Principal id="Author"><UserId>%s</UserId><RunLevel>%s</RunLevel>'
                 "</Principal></Principals>" % (e(user_id), e(run_level)))
    parts.append("<Settings><Enabled>true</Enabled><Hidden>%s</Hidden></Settings>" % ("true" if hidden else "false"))
    parts.append('<Actions Context="Author"><Exec><Command>%s</Command>' % e(command))
    if arguments is not None:
        parts.append("<Arguments>%s</Arguments>" % e(arguments))
    parts.append("</Exec>")
    for cmd in extra_actions:
        parts.append("<Exec><Command>%s</Command></Exec>" % e(cmd))
    parts.append("</Actions></Task>")
    return "\r\n".join(parts)


def security_event(record_id, event_id, task_name, task_content=None, *, user="attacker",
                   domain="CONTOSO", time="2026-11-24T10:00:%02d.1234567Z", computer="victim.contoso.test",
                   raw_content=None):
    """A Security 4698-4702 event as Get-WinEvent ToXml writes it. ``task_content``
    is escaped like Windows does; ``raw_content`` goes in verbatim (CDATA tricks)."""
    field = "TaskContentNew" if event_id == 4702 else "TaskContent"
    content = raw_content if raw_content is not None else escape(task_content or "")
    return (
        '<Event xmlns="%s"><System><Provider Name="Microsoft-Windows-Security-Auditing" '
        'Guid="{54849625-5478-4994-a5ba-3e3b0328c30d}"/><EventID>%d</EventID><Version>1</Version>'
        '<Level>0</Level><Task>12804</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords>'
        '<TimeCreated SystemTime="%s"/><EventRecordID>%d</EventRecordID><Correlation/>'
        '<Execution ProcessID="4" ThreadID="8"/><Channel>Security</Channel><Computer>%s</Computer>'
        '<Security/></System><EventData><Data Name="SubjectUserSid">S-1-5-21-1-2-3-1104</Data>'
        '<Data Name="SubjectUserName">%s</Data><Data Name="SubjectDomainName">%s</Data>'
        '<Data Name="SubjectLogonId">0x3e7</Data><Data Name="TaskName">%s</Data>'
        '<Data Name="%s">%s</Data></EventData></Event>'
        % (EVENT_NS, event_id, time % (record_id % 60) if "%" in time else time, record_id, escape(computer),
           escape(user), escape(domain), escape(task_name), field, content))


def operational_event(record_id, event_id, task_name, *, user="CONTOSO\\attacker",
                      time="2026-11-24T10:01:%02d.1234567Z"):
    names = {106: ("TaskRegisteredEvent", "UserContext"), 140: ("TaskUpdated", "UserName"),
             141: ("TaskDeleted", "UserName"), 142: ("TaskDisabled", "UserName")}
    data_name, user_field = names[event_id]
    return (
        '<Event xmlns="%s"><System><Provider Name="Microsoft-Windows-TaskScheduler" '
        'Guid="{de7b24ea-73c8-4a09-985d-5bdadcfa9017}"/><EventID>%d</EventID><Version>0</Version>'
        '<Level>4</Level><Task>%d</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>'
        '<TimeCreated SystemTime="%s"/><EventRecordID>%d</EventRecordID><Correlation/>'
        '<Execution ProcessID="1" ThreadID="2"/><Channel>Microsoft-Windows-TaskScheduler/Operational</Channel>'
        '<Computer>victim.contoso.test</Computer><Security UserID="S-1-5-18"/></System>'
        '<EventData Name="%s"><Data Name="TaskName">%s</Data><Data Name="%s">%s</Data></EventData></Event>'
        % (EVENT_NS, event_id, event_id, time % (record_id % 60), record_id, data_name, escape(task_name),
           user_field, escape(user)))


def write(path, data):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = codecs.BOM_UTF16_LE + data.encode("utf-16-le")
    path.write_bytes(data)
    return path


def write_big(path, size, *, head=b"", filler=b"A", tail=b""):
    """Write a file of ``size`` bytes in 1 MB blocks (never held in memory whole)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    block = (filler * (MB // len(filler) + 1))[:MB]
    with open(path, "wb") as handle:
        handle.write(head)
        remaining = size - len(head) - len(tail)
        while remaining > 0:
            chunk = block[:remaining]
            handle.write(chunk)
            remaining -= len(chunk)
        handle.write(tail)
    return path


def evidence_root(base):
    """An empty evidence copy of C: with the folders the collectors look for."""
    root = Path(base)
    for parts in (("Windows", "System32", "Tasks"), ("Windows", "System32", "winevt", "Logs"), ("events",)):
        (root.joinpath(*parts)).mkdir(parents=True, exist_ok=True)
    return root


def tasks_dir(root):
    return Path(root) / "Windows" / "System32" / "Tasks"


REG_HEADER = "Windows Registry Editor Version 5.00\r\n\r\n"
TASKCACHE_KEY = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache"


def reg_string(value):
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def reg_export(tree_entries, tasks_entries=()):
    """A TaskCache ``reg export`` text: tree_entries [(path, guid, index, sd: bool)],
    tasks_entries [(guid, path)]."""
    lines = [REG_HEADER, "[%s]\r\n" % TASKCACHE_KEY, "\r\n[%s\\Tree]\r\n" % TASKCACHE_KEY]
    for path, guid, index, sd in tree_entries:
        lines.append("\r\n[%s\\Tree%s]\r\n" % (TASKCACHE_KEY, path))
        lines.append('"Id"=%s\r\n' % reg_string(guid))
        lines.append('"Index"=dword:%08x\r\n' % index)
        if sd:
            lines.append('"SD"=hex:01,00,04,80\r\n')
    lines.append("\r\n[%s\\Tasks]\r\n" % TASKCACHE_KEY)
    for guid, path in tasks_entries:
        lines.append("\r\n[%s\\Tasks\\%s]\r\n" % (TASKCACHE_KEY, guid))
        lines.append('"Path"=%s\r\n' % reg_string(path))
    return "".join(lines)


def all_text(value):
    """Everything in a result as one string (for 'secret never appears' checks)."""
    import json
    return json.dumps(value, default=repr, ensure_ascii=False)


def mkfifo(path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path
