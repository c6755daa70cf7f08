# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Builders for small, hand-written evidence: task XML files and ``reg export`` text."""
from __future__ import annotations

import codecs
import hashlib
import os

TASK_TEMPLATE = '''<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Date>2024-02-03T04:05:06</Date>
    <Author>Contoso\\admin</Author>
    <URI>{uri}</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger><Enabled>true</Enabled></LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author"><UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel></Principal>
  </Principals>
  <Settings>
    <Enabled>true</Enabled>
    <Hidden>{hidden}</Hidden>
  </Settings>
  <Actions Context="Author">
    <Exec><Command>{command}</Command><Arguments>{arguments}</Arguments></Exec>
  </Actions>
</Task>
'''


def task_xml(uri, command='C:\\Windows\\System32\\cmd.exe', arguments='/c echo hi', hidden=False):
    return TASK_TEMPLATE.format(uri=uri, command=command, arguments=arguments,
                                hidden='true' if hidden else 'false')


def task_file_bytes(xml):
    """As the Task Scheduler writes files: UTF-16 LE, BOM, CRLF."""
    return codecs.BOM_UTF16_LE + xml.replace('\r\n', '\n').replace('\n', '\r\n').encode('utf-16-le')


def registry_hash(file_bytes):
    """TaskCache Hash as documented: SHA-256 of the file without its BOM."""
    if file_bytes.startswith(codecs.BOM_UTF16_LE):
        file_bytes = file_bytes[2:]
    return hashlib.sha256(file_bytes).digest()


def write_task(root, task_path, data, tasks_dir=('Windows', 'System32', 'Tasks')):
    parts = [p for p in task_path.split('\\') if p]
    full = os.path.join(root, *tasks_dir, *parts)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, 'wb') as handle:
        handle.write(data)
    return full


def _hex_lines(prefix, data, width=80):
    """regedit's layout: comma-separated bytes, wrapped with '\\' at ~80 columns."""
    items = ['%02x' % b for b in data]
    lines = []
    line = prefix
    for i, item in enumerate(items):
        piece = item + (',' if i < len(items) - 1 else '')
        if len(line) + len(piece) > width - 1:
            lines.append(line + '\\')
            line = '  '
        line += piece
    lines.append(line)
    return '\r\n'.join(lines)


BASE = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache'


class RegBuilder:
    """Writes a TaskCache export the way ``reg export`` does (UTF-16 LE, BOM, CRLF)."""

    def __init__(self):
        self.keys = [(BASE, []), (BASE + '\\Tasks', []), (BASE + '\\Tree', [])]
        self.folders = set()

    def _folder_keys(self, task_path):
        parts = [p for p in task_path.split('\\') if p][:-1]
        for i in range(1, len(parts) + 1):
            folder = '\\'.join(parts[:i])
            if folder not in self.folders:
                self.folders.add(folder)
                self.keys.append((BASE + '\\Tree\\' + folder, [_hex_lines('"SD"=hex:', b'\x01\x00\x04\x80' * 3)]))

    def task(self, task_path, guid, *, index=3, sd=True, tree=True, tasks_entry=True, hash_=None,
             tasks_path=None):
        if tree:
            self._folder_keys(task_path)
            values = ['"Id"="%s"' % guid]
            if index is not None:
                values.append('"Index"=dword:%08x' % index)
            if sd:
                values.append(_hex_lines('"SD"=hex:', bytes(range(1, 120))))
            self.keys.append((BASE + '\\Tree' + task_path, values))
        if tasks_entry:
            values = ['"Path"="%s"' % (tasks_path or task_path).replace('\\', '\\\\')]
            if hash_ is not None:
                values.append(_hex_lines('"Hash"=hex:', hash_))
            values.append(_hex_lines('"Triggers"=hex:', bytes(range(200))))
            values.append(_hex_lines('"DynamicInfo"=hex:', b'\x03' + b'\x00' * 35))
            self.keys.append((BASE + '\\Tasks\\' + guid, values))
        return self

    def text(self):
        out = ['Windows Registry Editor Version 5.00', '']
        for path, values in self.keys:
            out.append('[%s]' % path)
            out.extend(values)
            out.append('')
        return '\r\n'.join(out) + '\r\n'

    def bytes(self):
        return codecs.BOM_UTF16_LE + self.text().encode('utf-16-le')
