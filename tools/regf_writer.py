# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A tiny writer of registry hive files (regf): the regipy code path is tested on
hives it writes, and tools/make_demo_samples.py writes the demo hosts' SAM hives with it.

No hive writer is available here (regipy only reads; hivex is not packaged for
this machine), so this writes the minimum of the format as libyal's REGF
documentation describes it: a base block, one hive bin, nk key cells with
compressed (ASCII) or UTF-16 names, li subkey lists, value lists and vk value
cells (REG_DWORD inline, other data in its own cell). It writes what our tests
need and nothing more; it is not a general-purpose tool.
"""
from __future__ import annotations

import struct

REG_SZ, REG_BINARY, REG_DWORD = 1, 3, 4
BASE = 4096
HBIN_HEADER = 32


class Key:
    def __init__(self, name, values=None, subkeys=None):
        self.name = name
        self.values = values or []        # list of (name, type, data)
        self.subkeys = subkeys or []
        # Test hook for hostile hives: also list the parent key as a subkey (a cycle).
        self.loop_to_parent = False

    def child(self, name):
        for sub in self.subkeys:
            if sub.name.lower() == name.lower():
                return sub
        sub = Key(name)
        self.subkeys.append(sub)
        return sub

    def ensure(self, path):
        key = self
        for part in [p for p in path.split('\\') if p]:
            key = key.child(part)
        return key


def _name_bytes(name):
    try:
        return name.encode('ascii'), True
    except UnicodeEncodeError:
        return name.encode('utf-16-le'), False


class _Writer:
    def __init__(self):
        self.data = bytearray()

    def alloc(self, payload):
        size = 4 + len(payload)
        size += (-size) % 8
        offset = HBIN_HEADER + len(self.data)
        self.data += struct.pack('<i', -size) + payload + b'\x00' * (size - 4 - len(payload))
        return offset

    def patch(self, offset, payload):
        start = offset - HBIN_HEADER + 4
        self.data[start:start + len(payload)] = payload

    def value(self, name, type_, data):
        raw_name, ascii_name = _name_bytes(name)
        if type_ == REG_DWORD:
            data_size, data_offset = 0x80000004, data & 0xFFFFFFFF
        else:
            if type_ == REG_SZ:
                data = data.encode('utf-16-le') + b'\x00\x00'
            data_size = len(data)
            data_offset = self.alloc(data) if data else 0xFFFFFFFF
        return self.alloc(b'vk' + struct.pack('<HIIIHH', len(raw_name), data_size, data_offset, type_,
                                              1 if ascii_name else 0, 0) + raw_name)

    def key(self, key, parent, root=False):
        raw_name, ascii_name = _name_bytes(key.name)
        fixed = 76 + len(raw_name)  # "nk" + 74 bytes of fields + name
        offset = self.alloc(b'\x00' * fixed)
        children = [self.key(sub, offset) for sub in sorted(key.subkeys, key=lambda k: k.name.upper())]
        if key.loop_to_parent:
            children.append(parent)
        subkey_list = 0xFFFFFFFF
        if children:
            subkey_list = self.alloc(b'li' + struct.pack('<H', len(children)) +
                                     b''.join(struct.pack('<I', c) for c in children))
        values_list = 0xFFFFFFFF
        if key.values:
            vks = [self.value(*v) for v in key.values]
            values_list = self.alloc(b''.join(struct.pack('<I', v) for v in vks))
        flags = (0x20 if ascii_name else 0) | (0x0C if root else 0)
        node = b'nk' + struct.pack('<HQ4sIIIIIIIIIIIII4sHH', flags, 0, b'\x00' * 4, parent,
                                   len(children), 0, subkey_list, 0xFFFFFFFF, len(key.values), values_list,
                                   0xFFFFFFFF, 0xFFFFFFFF, 0, 0, 0, 0, b'\x00' * 4, len(raw_name), 0) + raw_name
        assert len(node) == fixed
        self.patch(offset, node)
        return offset


def build_hive(root, file_name='\\SystemRoot\\System32\\Config\\SOFTWARE'):
    writer = _Writer()
    root_offset = writer.key(root, 0xFFFFFFFF, root=True)
    assert root_offset == HBIN_HEADER  # regipy takes the first cell as the root key
    used = HBIN_HEADER + len(writer.data)
    size = used + (-used) % 4096
    if size - used < 8:
        size += 4096
    free = size - used
    body = bytes(writer.data) + struct.pack('<i', free) + b'\x00' * (free - 4)
    hbin = b'hbin' + struct.pack('<III', 0, size, 0) + struct.pack('<IQI', 0, 0, 0) + body
    name = file_name.encode('utf-16-le')[:64].ljust(64, b'\x00')
    header = b'regf' + struct.pack('<IIQIIIIIII', 1, 1, 0, 1, 5, 0, 1, HBIN_HEADER, size, 1) + name
    header = header.ljust(508, b'\x00')
    checksum = 0
    for (word,) in struct.iter_unpack('<I', header):
        checksum ^= word
    header += struct.pack('<I', checksum)
    return header.ljust(BASE, b'\x00') + hbin
