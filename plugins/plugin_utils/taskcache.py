# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Task Scheduler's registry cache (``...\\Schedule\\TaskCache``) from any source.

Three sources give the same shape (a plain dict, so it can be built from JSON):

* live: what ``TaskMaterial.psm1`` read from the registry (``from_live``);
* a ``reg export`` text file of the TaskCache key (``from_reg_export``);
* an offline ``SOFTWARE`` hive, read with regipy (``from_hive``).

Shape::

    {"tree": {"\\\\Path\\\\Task": {"path", "id", "index", "sd_present", "sd_length"}},
     "tasks": {"{guid}": {"guid", "path", "hash"}},   # keys lower-cased
     "errors": [{"source": "registry", "path", "error"}]}

Tree keys without an ``Id`` value are folders (public observation: folder keys
carry only ``SD``) and are left out of ``tree``. A ``SD`` value that is present
but empty counts as missing: an empty descriptor is as good as none for hiding.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import binascii
import os
import stat

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import (
    HiveError,
    InputTooLargeError,
    clip_text,
    host_error_list,
    host_text,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.reg_export import (
    REG_BINARY,
    REG_DWORD,
    REG_EXPAND_SZ,
    REG_SZ,
)

TASKCACHE_HIVE_PATH = '\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache'
TASKCACHE_KEY_SUFFIX = 'microsoft\\windows nt\\currentversion\\schedule\\taskcache'
# regipy loads the whole hive into memory; real SOFTWARE hives are up to a few
# hundred MB. Keys visited are capped so a crafted hive with cyclic subkey lists
# cannot make us loop forever.
MAX_HIVE_BYTES = 1024 * 1024 * 1024
MAX_KEYS = 500000
MAX_DEPTH = 64
# The longest task path taken from a host. [MS-TSCH] 2.3.11 sets no length for a
# task path, and the scheduler keeps a task both as a file under
# %WINDIR%\System32\Tasks (extended-length Windows paths reach 32,767 characters;
# only the legacy Win32 file APIs stop at MAX_PATH, 260) and as registry keys under
# TaskCache\Tree (Microsoft's "Registry element size limits": key names of 255
# characters, trees 512 levels deep). Real task paths are well under 260
# characters (the longest of the 562 built-in paths in
# task_inventory/baselines/os_signatures.json has 122). 2048 is eight times
# MAX_PATH, generous for any real vendor task, and keeps one host's path out of
# every report, key and message it would be repeated in.
# A longer path is no task we evaluate: it is reported where it was met.
MAX_TASK_PATH = 2048
# What a task (an API task, a task file) whose path is longer is, wherever it was met.
TASK_PATH_TOO_LONG = 'task path longer than %d characters: not evaluated' % MAX_TASK_PATH
# A TaskCache GUID is 38 characters ({8-4-4-4-12} in braces); longer text is no GUID.
MAX_GUID_CHARS = 64
# The longest Hash text taken from a host (a SHA-512 in hex; the Hash value is a
# SHA-256, or a CRC32 before KB2305420); task_collection bounds file hashes the same.
MAX_HASH_CHARS = 128


def new_cache():
    return {'tree': {}, 'tasks': {}, 'errors': []}


def _hex(data):
    if data is None:
        return None
    if isinstance(data, str):  # already hex (live collector)
        return data.lower()
    return binascii.hexlify(bytes(data)).decode('ascii')


def _guid_key(guid):
    return guid.strip().lower() if isinstance(guid, str) and guid.strip() else None


def _add_tree(cache, path, values):
    """One Tree key of a reg export or a hive; values: lower-cased name -> (type, data).
    A task key whose path is longer than MAX_TASK_PATH is an error of the cache and
    not evaluated (as from_live); the key path an error names is cut (clip_text)."""
    id_ = values.get('id')
    if id_ is None:
        return  # folder key
    where = clip_text('Tree' + path)
    if len(path) > MAX_TASK_PATH:
        cache['errors'].append({'source': 'registry', 'path': where,
                                'error': 'Tree key path longer than %d characters: not evaluated' % MAX_TASK_PATH})
        return
    id_type, id_data = id_
    index = values.get('index')
    sd = values.get('sd')
    entry = {
        'path': path,
        'id': id_data if isinstance(id_data, str) else None,
        'index': index[1] if index is not None and isinstance(index[1], int) else None,
        'sd_present': bool(sd is not None and sd[1]),
        'sd_length': len(sd[1]) if sd is not None and isinstance(sd[1], (bytes, bytearray, str)) else None,
    }
    if entry['id'] is None:
        cache['errors'].append({'source': 'registry', 'path': where, 'error': 'Id value is not a string'})
    if index is not None and entry['index'] is None:
        cache['errors'].append({'source': 'registry', 'path': where, 'error': 'Index value is not a DWORD'})
    cache['tree'][path.lower()] = entry


def _add_task(cache, guid, values):
    """One Tasks key of a reg export or a hive; one whose Path value is longer than
    MAX_TASK_PATH is an error of the cache and not evaluated (as from_live)."""
    path = values.get('path')
    hash_ = values.get('hash')
    key = _guid_key(guid)
    if key is None:
        return
    path = path[1] if path is not None and isinstance(path[1], str) else None
    if path is not None and len(path) > MAX_TASK_PATH:
        cache['errors'].append({'source': 'registry', 'path': clip_text('Tasks\\' + guid),
                                'error': 'Path value longer than %d characters: entry not evaluated' % MAX_TASK_PATH})
        return
    cache['tasks'][key] = {
        'guid': guid,
        'path': path,
        'hash': _hex(hash_[1]) if hash_ is not None and isinstance(hash_[1], (bytes, bytearray)) else None,
    }


def _tree_path(relative):
    # Fast path: already '\\A\\B' (what the live collector sends for every entry).
    if relative[:1] == '\\' and relative[-1:] != '\\' and '\\\\' not in relative:
        return relative
    parts = [p for p in relative.split('\\') if p]
    return '\\' + '\\'.join(parts)


def from_reg_export(export):
    """Build the cache from a parsed ``reg_export.RegExport``.

    The TaskCache key is found by its suffix, so exports of the key itself, of
    ``Schedule`` or of the whole ``SOFTWARE`` hive (any root spelling) all work.
    """
    cache = new_cache()
    base = None
    for low in export.order:
        if low.endswith(TASKCACHE_KEY_SUFFIX):
            base = export.keys[low].path
            break
    if base is None:
        cache['errors'].append({'source': 'registry', 'path': None,
                                'error': 'the export does not contain the TaskCache key'})
        return cache, False
    for number, message in export.errors:
        # the parser's message may quote the export's text: cut
        cache['errors'].append({'source': 'registry', 'path': 'line %d' % number, 'error': clip_text(message)})
    for rel, key in export.subkeys(base + '\\Tree'):
        values = {name: (v.type, v.data) for name, v in key.values.items()}
        # '\\' + rel: the same path from _tree_path (it drops empty parts either
        # way), on its fast path for every key written as regedit writes it
        _add_tree(cache, _tree_path('\\' + rel), values)
    for rel, key in export.subkeys(base + '\\Tasks'):
        if '\\' in rel:
            continue
        values = {name: (v.type, v.data) for name, v in key.values.items()}
        _add_task(cache, rel, values)
    return cache, True


def _hive_values(key):
    out = {}
    for value in key.iter_values(as_json=False, trim_values=False):
        out[value.name.lower()] = (value.value_type, value.value)
    return out


def _check_hive_head(path):
    """Refuse files whose first hive bin does not start with an allocated key cell.

    regipy's ``HBin.iter_cells`` (run when the hive is opened) never advances its
    loop offset past an unallocated (size >= 0) cell: on a crafted file it then
    walks the whole stream 4 bytes at a time through ``construct`` (a 50 MB file
    took minutes: issue 9). The first cell of a real hive is the root key
    (allocated ``nk``), so checking it here bounds that loop to one iteration.
    """
    try:
        with open(path, 'rb') as handle:
            head = handle.read(4096 + 32 + 6)
    except OSError as exc:
        raise HiveError('cannot read hive %s: %s' % (path, exc.strerror or exc))
    if len(head) < 4096 + 38 or head[:4] != b'regf':
        raise HiveError('%s is not a registry hive (no regf header)' % path)
    if head[4096:4100] != b'hbin':
        raise HiveError('%s: first hive bin has no hbin signature' % path)
    cell_size = int.from_bytes(head[4128:4132], 'little', signed=True)
    if cell_size >= 0 or head[4132:4134] != b'nk':
        raise HiveError('%s: first cell is not an allocated key cell (corrupt or crafted hive)' % path)


def open_hive(path):
    """Open an offline hive with regipy; ``HiveError``/``InputTooLargeError`` if unusable."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise HiveError('cannot read hive %s: %s' % (path, exc.strerror or exc))
    # regipy open()s the path: a FIFO planted as the SOFTWARE hive blocked the run
    # forever (issue 9). Only regular files are handed to it.
    if not stat.S_ISREG(info.st_mode):
        raise HiveError('hive %s is not a regular file' % path)
    size = info.st_size
    if size > MAX_HIVE_BYTES:
        raise InputTooLargeError('hive %s: %d bytes exceeds the limit of %d' % (path, size, MAX_HIVE_BYTES))
    _check_hive_head(path)
    try:
        from regipy.registry import RegistryHive
    except ImportError as exc:  # pragma: no cover - regipy is in requirements.txt
        raise HiveError('regipy is required to read hives: %s' % exc)
    try:
        return RegistryHive(path)
    except Exception as exc:  # regipy raises construct/struct errors of many kinds
        raise HiveError('cannot parse hive %s: %s' % (path, exc))


def from_hive(hive):
    """Build the cache from an offline SOFTWARE hive (a path or an ``open_hive`` result).

    Returns (cache, found): found is False when the hive has no TaskCache key.
    Raises ``HiveError``/``InputTooLargeError`` when the file cannot be read.
    """
    from regipy.exceptions import RegistryKeyNotFoundException
    if isinstance(hive, str):
        hive = open_hive(hive)
    path = getattr(hive, 'name', 'hive')
    cache = new_cache()
    try:
        base = hive.get_key(TASKCACHE_HIVE_PATH)
    except RegistryKeyNotFoundException:
        cache['errors'].append({'source': 'registry', 'path': TASKCACHE_HIVE_PATH,
                                'error': 'the hive has no TaskCache key (not a SOFTWARE hive?)'})
        return cache, False
    except Exception as exc:
        raise HiveError('cannot read TaskCache from hive %s: %s' % (path, exc))
    walk = _HiveWalk(cache)
    tops = walk.children(base, 'TaskCache')
    if tops is None:
        walk.unknown('')
    for top in tops or ():
        name = top.name.lower()
        if name == 'tasks':
            walk.tasks(top)
        elif name == 'tree':
            walk.tree(top)
    return cache, True


class _HiveWalk(object):
    """The TaskCache keys of a hive read into ``cache``: a key or value that
    cannot be read is an error of the cache, and the walk goes on; the number
    of keys and the depth are bounded (a crafted hive can loop)."""

    def __init__(self, cache):
        self.cache = cache
        self.seen = 0

    def _error(self, where, message):
        # key names and regipy's messages come from the hive: cut
        self.cache['errors'].append({'source': 'registry', 'path': clip_text(where), 'error': clip_text(message)})

    def unknown(self, rel):
        """Nothing at or below this Tree key is known (as from_live's tree_unreadable):
        a Tasks entry there is not claimed to have no Tree key."""
        self.cache.setdefault('tree_unreadable', []).append((rel or '\\').lower())

    def children(self, key, where):
        """The subkeys, or None when they cannot be listed (an error of the cache)."""
        try:
            return list(key.iter_subkeys() or ())
        except Exception as exc:
            self._error(where, 'cannot list subkeys: %s' % exc)
            return None

    def values(self, key, where):
        """The values, or None when they cannot be read (an error of the cache)."""
        try:
            return _convert(_hive_values(key))
        except Exception as exc:
            self._error(where, 'cannot read values: %s' % exc)
            return None

    def tasks(self, top):
        for task_key in self.children(top, 'Tasks') or ():
            self.seen += 1
            _add_task(self.cache, task_key.name, self.values(task_key, 'Tasks\\' + task_key.name) or {})

    def tree(self, top):
        """Iterative walk of ``Tree`` with a depth and key budget; what it could not
        read or did not walk is marked unknown."""
        stack = [(top, '', 0)]
        while stack:
            key, rel, depth = stack.pop()
            self.seen += 1
            if self.seen > MAX_KEYS:
                self._error('Tree', 'more than %d keys: walk stopped' % MAX_KEYS)
                self.unknown('')
                return
            if len(rel) > MAX_TASK_PATH:
                # every key below is as long: one error, not one per key
                self._error('Tree' + rel, 'Tree key path longer than %d characters: not evaluated, '
                            'nor the keys below it' % MAX_TASK_PATH)
                continue
            if rel:
                values = self.values(key, 'Tree' + rel)
                if values is None:
                    self.unknown(rel)   # walked on: its subkeys may still be listed
                _add_tree(self.cache, rel, values or {})
            if depth >= MAX_DEPTH:
                self._error('Tree' + rel, 'deeper than %d levels: not walked' % MAX_DEPTH)
                self.unknown(rel)
                continue
            subkeys = self.children(key, 'Tree' + rel)
            if subkeys is None:
                self.unknown(rel)
                continue
            for sub in reversed(subkeys):
                stack.append((sub, rel + '\\' + sub.name, depth + 1))


_HIVE_TYPES = {'REG_SZ': REG_SZ, 'REG_EXPAND_SZ': REG_EXPAND_SZ, 'REG_DWORD': REG_DWORD, 'REG_BINARY': REG_BINARY}


def _convert(values):
    """regipy value types (strings) to reg_export type numbers; data unchanged."""
    return {name: (_HIVE_TYPES.get(type_, type_), data) for name, (type_, data) in values.items()}


def from_live(raw):
    """Build the cache from the collector's ``taskcache`` section.

    Returns (cache, read): read is False when the collector could not open the key,
    or when what it sent cannot be the key's content (a Tree or Tasks list that is
    no list, or longer than MAX_KEYS): then nothing is claimed from it.

    Everything here comes from the host: each entry is type-checked and each text
    bounded. A malformed entry, or one whose path is longer than MAX_TASK_PATH, is
    an error of the cache and not evaluated (never skipped silently, never str()
    of a host object).
    """
    cache = new_cache()
    if not isinstance(raw, dict):
        cache['errors'].append({'source': 'registry', 'path': None, 'error': 'no TaskCache material returned'})
        return cache, False
    cache['errors'].extend(host_error_list('registry', raw.get('errors')))
    if not raw.get('read'):
        cache['errors'].append({'source': 'registry', 'path': TASKCACHE_HIVE_PATH,
                                'error': host_text(raw.get('error'), 'TaskCache not read')})
        return cache, False
    tree, tasks = _live_list(cache, raw, 'tree', 'Tree'), _live_list(cache, raw, 'tasks', 'Tasks')
    if tree is None or tasks is None:
        return cache, False
    # Tree keys the host could not read (TaskMaterial.psm1): nothing at or below them
    # is known, so a Tasks entry there is not one without its Tree key.
    _live_unreadable(cache, raw.get('tree_unreadable'))
    for item in tree:
        _add_live_tree(cache, item)
    for item in tasks:
        _add_live_task(cache, item)
    return cache, True


def _live_error(cache, path, message):
    cache['errors'].append({'source': 'registry', 'path': clip_text(path) if path else None,
                            'error': clip_text(message)})


def _live_list(cache, raw, key, name):
    """The ``tree``/``tasks`` list the host sent ([] when absent, as from an older
    collector), or None when it cannot be the key's content (said in the errors)."""
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        _live_error(cache, name, 'malformed %s list from the collector (of type %s): the TaskCache is not evaluated'
                    % (name, type(value).__name__))
        return None
    if len(value) > MAX_KEYS:
        _live_error(cache, name, 'more than %d %s entries from the collector: the TaskCache is not evaluated'
                    % (MAX_KEYS, name))
        return None
    return value


def _live_unreadable(cache, value):
    """``tree_unreadable`` of the host, checked. Only a Tree path below the root
    is honoured (a host cannot switch the check off for the whole Tree: see
    tests/unit/plugins/task_info/test_taskcache_partial_read.py); anything else is
    said in the errors and not honoured: a path that is not text, a list that is
    not one or is longer than MAX_KEYS (the first MAX_KEYS are kept), and a path
    longer than MAX_TASK_PATH (nothing below it is evaluated anyway)."""
    if value is None:
        return
    if not isinstance(value, list):
        _live_error(cache, 'Tree', 'malformed list of unreadable Tree keys from the collector (of type %s): '
                    'not taken' % type(value).__name__)
        return
    if len(value) > MAX_KEYS:
        _live_error(cache, 'Tree', 'more than %d unreadable Tree keys from the collector: the rest not taken'
                    % MAX_KEYS)
    unreadable = []
    for path in value[:MAX_KEYS]:
        if not isinstance(path, str):
            _live_error(cache, 'Tree', 'malformed unreadable Tree key from the collector (a %s): not taken'
                        % type(path).__name__)
        elif len(path) > MAX_TASK_PATH:
            _live_error(cache, 'Tree' + path, 'unreadable Tree key with a path longer than %d characters: not taken'
                        % MAX_TASK_PATH)
        elif path.strip('\\'):
            unreadable.append(_tree_path(path).lower())
    if unreadable:
        cache['tree_unreadable'] = unreadable


def _add_live_task(cache, item):
    """One Tasks entry of the live collector: its GUID, Path and Hash checked and
    bounded; an entry without a usable GUID, or whose Path is too long to keep, is
    an error of the cache and not evaluated."""
    if not isinstance(item, dict):
        _live_error(cache, 'Tasks', 'malformed Tasks entry from the collector (a %s)' % type(item).__name__)
        return
    guid = item.get('guid')
    if not isinstance(guid, str) or len(guid) > MAX_GUID_CHARS or _guid_key(guid) is None:
        _live_error(cache, 'Tasks', 'malformed Tasks entry from the collector (its key is %s): not evaluated'
                    % ('a %s' % type(guid).__name__ if not isinstance(guid, str) else
                       'longer than %d characters' % MAX_GUID_CHARS if len(guid) > MAX_GUID_CHARS else 'empty'))
        return
    where = 'Tasks\\' + guid
    path, hash_ = item.get('path'), item.get('hash')
    if isinstance(path, str) and len(path) > MAX_TASK_PATH:
        _live_error(cache, where, 'Path value longer than %d characters: entry not evaluated' % MAX_TASK_PATH)
        return
    if path is not None and not isinstance(path, str):
        _live_error(cache, where, 'Path value is not a string')
        path = None
    if isinstance(hash_, str) and len(hash_) > MAX_HASH_CHARS:
        _live_error(cache, where, 'Hash value longer than %d characters: not taken' % MAX_HASH_CHARS)
        hash_ = None
    elif hash_ is not None and not isinstance(hash_, str):
        _live_error(cache, where, 'Hash value is not text')
        hash_ = None
    cache['tasks'][_guid_key(guid)] = {'guid': guid, 'path': path, 'hash': hash_.lower() if hash_ else None}


def _add_live_tree(cache, item):
    """One Tree entry of the live collector. What _add_tree makes of the same
    values read from a hive, built directly (no registry-value tuples: this runs
    for every task of every host; tests/unit/plugins/task_info pins both paths to
    the same result). An entry that is no dict, or has no text path, is malformed;
    a task key whose path is longer than MAX_TASK_PATH is not evaluated. Both are
    errors of the cache; neither makes any part of the Tree unknown (a host cannot
    switch the Tree checks off with junk)."""
    if not isinstance(item, dict) or not isinstance(item.get('path'), str):
        _live_error(cache, 'Tree', 'malformed Tree entry from the collector (%s): not evaluated'
                    % ('a %s' % type(item).__name__ if not isinstance(item, dict)
                       else 'path of type %s' % type(item.get('path')).__name__))
        return
    id_ = item.get('id')
    if id_ is None:
        return   # a folder key (no Id)
    path = _tree_path(item['path'])
    if len(path) > MAX_TASK_PATH:
        _live_error(cache, 'Tree' + path, 'Tree key path longer than %d characters: not evaluated' % MAX_TASK_PATH)
        return
    index = item.get('index')
    index_ok = index if isinstance(index, int) else None
    if item.get('sd_present'):
        # The host's sd_length is hostile: int('x') raised and 10**9
        # allocated a GB (issue 9); only a plausible descriptor size (< 64 KiB)
        # is kept, anything else counts as one byte.
        length = item.get('sd_length')
        if isinstance(length, bool) or not isinstance(length, int) or not 0 < length <= 65536:
            length = 1
        sd_present, sd_length = True, length
    else:
        sd_present, sd_length = False, None
    id_ok = id_ if isinstance(id_, str) and len(id_) <= MAX_GUID_CHARS else None
    entry = {'path': path, 'id': id_ok, 'index': index_ok, 'sd_present': sd_present, 'sd_length': sd_length}
    if not isinstance(id_, str):
        _live_error(cache, 'Tree' + path, 'Id value is not a string')
    elif id_ok is None:
        _live_error(cache, 'Tree' + path, 'Id value is not a GUID (longer than %d characters)' % MAX_GUID_CHARS)
    if index is not None and index_ok is None:
        _live_error(cache, 'Tree' + path, 'Index value is not a DWORD')
    cache['tree'][path.lower()] = entry
