# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every task of a host, normalized, with the three-way hidden-task comparison.

Entry points (the contract other parts of the collection call):

* ``normalize_live_tasks(raw)``: ``raw`` is what ``task_info.ps1`` /
  ``TaskMaterial.psm1`` returned (see tests/unit/fixtures/task_info/README.md);
* ``collect_offline_tasks(root, taskcache_reg=None, hive=None)``: an evidence
  copy of a Windows volume, read on the controller.

Both return ``{"changed", "mode", "tasks", "unparseable", "host", "sources",
"errors", "checks", "registry_source"}``. Sources: the Task Scheduler API (live
only), the task files under ``System32\\Tasks``, and the registry TaskCache.
A hidden-reason code is only evaluated when every source it needs was read;
``checks`` says which codes were evaluated, so "not checked" never reads as
"not hidden". The codes are documented in docs/task-collection.md.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import binascii
import collections
import os

from ansible_collections.taskguard.windows.plugins.plugin_utils import (
    definition_memo, definition_store, host_context, job_file, offline_tasks, taskcache,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import (
    TaskGuardInputError, clip_text, host_error_entry, host_error_list, host_text,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.reg_export import read_reg_export
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import (
    MAX_TASK_BYTES,
    empty_task,
    new_task_entry,
    normalize_path,
    parse_task_definition,
)

HIDDEN_REASONS = (
    'sd_missing', 'index_zero', 'registry_without_file', 'file_without_registry', 'not_in_api',
    'tree_without_tasks_entry', 'tasks_entry_without_tree', 'path_mismatch', 'hash_mismatch',
)
# Which sources each code needs: the one table (drift.py imports it to gate
# concealment reasons; _checks derives ``checks`` from it, and _hidden_reasons
# keeps only the codes ``checks`` says were evaluated).
REASON_NEEDS = {
    'sd_missing': ('registry',),
    'index_zero': ('registry',),
    'tree_without_tasks_entry': ('registry',),
    'tasks_entry_without_tree': ('registry',),
    'path_mismatch': ('registry',),
    'registry_without_file': ('registry', 'files'),
    'file_without_registry': ('registry', 'files'),
    'hash_mismatch': ('registry', 'files'),
    'not_in_api': ('api', 'files', 'registry'),
}
OMITTED_NOT_KEPT = ('definition left out by the collector as unchanged, but the controller does not keep it '
                    '(definition cache lost or from another version); the next run collects it in full')
STATES = {0: 'unknown', 1: 'disabled', 2: 'queued', 3: 'ready', 4: 'running'}
SHA256_HEX_LEN = 64
CRC32_HEX_LEN = 8


def _lower(path):
    return path.lower() if path else ''


def _as_list(value):
    """A list from the collector, or [] for anything else (hostile or broken material)."""
    return value if isinstance(value, list) else []


def _add_once(mapping, path, item, errors, source):
    """Index ``item`` by lower-cased path; a second path differing only in case is
    reported, not silently dropped (issue 9: a case-sensitive Tasks folder or a
    tampered copy could hide a task behind a benign one of the same name)."""
    key = _lower(path)
    first = mapping.get(key)
    if first is None:
        mapping[key] = item
    else:
        # both paths come from the host: bounded in the entry
        errors.append({'source': source, 'path': clip_text(path),
                       'error': clip_text('differs only in case from %s, which was used: this one was not evaluated'
                                          % first['path'])})


# The longest time text taken from a host: an ISO 8601 time with 7 fraction digits
# and an offset is 33 characters ("2024-05-01T10:00:00.0000000+09:00").
MAX_TIME_CHARS = 40


def _lower_str(value, name, where, errors):
    """A hash the host sent (its value ``name`` of the file ``where``), lower-cased;
    None when absent or empty. One that cannot be a hash (no text, or longer than
    taskcache.MAX_HASH_CHARS) is None and said in ``errors``, as taskcache.from_live
    says it of a TaskCache Hash."""
    if value is None or value == '':
        return None
    if not isinstance(value, str):
        errors.append({'source': 'files', 'path': clip_text(where),
                       'error': '%s value is not text: not taken' % name})
        return None
    if len(value) > taskcache.MAX_HASH_CHARS:
        errors.append({'source': 'files', 'path': clip_text(where),
                       'error': '%s value longer than %d characters: not taken' % (name, taskcache.MAX_HASH_CHARS)})
        return None
    return value.lower()


# A task that never ran reports LastRunTime 1999-11-30 00:00 local time (the
# scheduler's SCHED_S_TASK_HAS_NOT_RUN, 0x41303, in LastTaskResult); the collector
# turns local time into UTC, so it arrives as that midnight in any zone, UTC+14 to UTC-12.
_NEVER_RUN_UTC = ('1999-11-29T10:00:00', '1999-11-30T12:00:00')


def _time(value):
    """ISO time from the collector, or None for the values that mean "never".

    COM reports 'never' as 1899-12-30 (OLE zero), .NET/FILETIME zero as 0001/1601,
    and a never-run task's last run as 1999-11-30 (see _NEVER_RUN_UTC).
    """
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TIME_CHARS:
        return None
    if value.startswith(('1899-', '0001-', '1601-')):
        return None
    if _NEVER_RUN_UTC[0] <= value[:19] <= _NEVER_RUN_UTC[1]:
        return None
    return value


def _result_code(value):
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    # COM hands HRESULTs back as signed Int32; report them as Windows shows them.
    return value + 2 ** 32 if value < 0 else value


def _hash_algorithm(hex_hash):
    if hex_hash is None:
        return None
    if len(hex_hash) == SHA256_HEX_LEN:
        return 'sha256'
    if len(hex_hash) == CRC32_HEX_LEN:
        return 'crc32'  # before KB2305420: not compared
    return 'unknown'


def _checks(sources, live, is_admin):
    checks = {}
    for code in HIDDEN_REASONS:
        ok = all(sources.get(n) for n in REASON_NEEDS[code])
        if code == 'not_in_api':
            # Without admin rights the API lists only what the account may read,
            # so absence from it proves nothing.
            ok = ok and live and is_admin is True
        checks[code] = bool(ok)
    return checks


def _under_denied(path_low, denied):
    for folder in denied:
        if folder == '\\' or path_low == folder or path_low.startswith(folder + '\\'):
            return True
    return False


class Material(collections.namedtuple('Material', 'api api_denied files cache')):
    """What each task source gave, indexed by lower-cased path.

    api: {lower path: API item} or None (not read); api_denied: lower folder paths
    the API could not enumerate; files: {lower path: file record} or None;
    cache: the taskcache dict (``tree``, ``tasks``) or None.
    """
    __slots__ = ()


class Collected(collections.namedtuple('Collected', 'mode host sources errors is_admin registry_source')):
    """Facts of the collection run that the result reports as they are.

    sources: {'api', 'files', 'registry': bool}; errors: the list every stage
    appends to; is_admin: True/False/None; registry_source: where the TaskCache came from.
    """
    __slots__ = ()


class _TaskCacheIndex:
    """The TaskCache indexed for the join: Tree by lower path, Tasks by GUID and by path."""

    def __init__(self, cache):
        self.read = cache is not None
        self.tree = cache['tree'] if cache else {}
        self.by_guid = cache['tasks'] if cache else {}
        self.by_path = {}
        self.key_of_entry = {}   # id(Tasks entry) -> its lower-cased normalized path (computed once)
        # Tree paths the host could not read (taskcache.from_live): their subtree is unknown
        # a set: each lookup walks the key's own parents, never the whole list (both
        # lists come from the host and may be long)
        self.tree_unreadable = frozenset(cache.get('tree_unreadable') or ()) if cache else frozenset()
        for guid_low, entry in self.by_guid.items():
            key = _lower(normalize_path(entry['path'])) if entry['path'] else '\\' + guid_low
            self.key_of_entry[id(entry)] = key
            self.by_path.setdefault(key, []).append(entry)

    def entries(self, key):
        """(Tree entry, Tasks entry) of a path: the Tree Id's Tasks entry, else one by Path."""
        tree_entry = self.tree.get(key)
        tasks_entry = None
        if tree_entry is not None and tree_entry.get('id'):
            tasks_entry = self.by_guid.get(tree_entry['id'].strip().lower())
        if tasks_entry is None:
            path_entries = self.by_path.get(key)
            if path_entries:
                tasks_entry = path_entries[0]
        return tree_entry, tasks_entry

    def tree_unknown(self, key):
        """True when ``key`` lies at or below a Tree key the host could not read."""
        if not self.tree_unreadable:
            return False
        while True:
            if key in self.tree_unreadable:
                return True
            if key in ('', '\\'):
                return False
            key = key.rpartition('\\')[0] or '\\'   # the parent; '\\' is the Tree root


def _display_paths(material, index):
    """Every task path any source knows ({lower path: path as first seen}), API first."""
    display = {}
    for source in (material.api or {}, material.files or {}):
        for key, item in source.items():
            display.setdefault(key, item['path'])
    for key, entry in index.tree.items():
        display.setdefault(key, entry['path'])
    for key, entries in index.by_path.items():
        display.setdefault(key, normalize_path(entries[0]['path']) if entries[0]['path'] else '\\' + entries[0]['guid'])
    return display


class _Definitions:
    """Chooses each task's definition: API XML (through the shared store), a
    definition kept from an earlier run for an omitted XML, else the task file."""

    def __init__(self, material, display, parsed, store, own_file_hashes=False):
        self.parsed = parsed
        self.store = store
        # True when each file record's sha256 was computed by this process over its
        # data (offline_tasks' walk): the memo lookup then needs no hashing of its own.
        # Never for live records: their sha256 is the host's claim.
        self.own_file_hashes = own_file_hashes
        # The hashes of the definitions the store may hold, first: their pack
        # entries are then decoded in one call (definition_store.prefetch).
        self.stored_shas = {}
        if store is not None and material.api:
            for key, item in material.api.items():
                xml = item.get('xml')
                if xml.__class__ is str and xml:
                    sha = definition_store.stored_sha(xml, display[key])
                    if sha is not None:
                        self.stored_shas[key] = sha
            store.prefetch(self.stored_shas.values())

    def from_api(self, key, path, api_item, unparseable, errors):
        xml = api_item.get('xml')
        definition = None
        if isinstance(xml, str) and xml:
            try:
                definition = definition_store.parse_with_store(xml, path, self.store, sha=self.stored_shas.get(key))
            except TaskGuardInputError as exc:
                unparseable.append({'path': path, 'source': 'api', 'error': str(exc)})
            if api_item.get('error'):
                # e.g. the run state could not be read although the XML could
                errors.append({'source': 'api', 'path': clip_text(path), 'error': host_text(api_item['error'])})
        elif api_item.get('xml_omitted') is True and not api_item.get('error'):
            kept = self.parsed.get(path) if self.parsed else None
            if kept is not None and kept.get('sha256') == api_item.get('xml_sha256'):
                definition = dict(kept)
            else:
                unparseable.append({'path': path, 'source': 'api', 'error': OMITTED_NOT_KEPT})
        else:
            unparseable.append({'path': path, 'source': 'api',
                                'error': host_text(api_item.get('error'), 'the API returned no definition')})
        return definition

    def choose(self, key, path, items, unparseable, errors):
        """The definition of one task (a fresh dict it may own), or empty_task."""
        api_item, file_item = items
        definition = self.from_api(key, path, api_item, unparseable, errors) if api_item is not None else None
        if definition is None and file_item is not None:
            if file_item.get('data') is not None:
                try:
                    # the preload's parses of identical bytes (definition_memo.py)
                    definition = definition_memo.parse(
                        file_item['data'], path, sha256=file_item.get('sha256') if self.own_file_hashes else None)
                except TaskGuardInputError as exc:
                    unparseable.append({'path': path, 'source': 'file', 'error': str(exc)})
            elif file_item.get('error'):
                unparseable.append({'path': path, 'source': 'file', 'error': str(file_item['error'])})
        elif file_item is not None and file_item.get('error'):
            # the definition came from the API; the file problem is still reported
            errors.append({'source': 'files', 'path': path, 'error': str(file_item['error'])})
        return definition if definition is not None else empty_task(path)


def _runtime(task, api_item, file_item):
    """Run state from the API and the file's hashes; returns seen_in so far."""
    seen = []
    if api_item is not None:
        seen.append('api')
        state = api_item.get('state')
        task['state'] = STATES.get(state, 'unknown') if isinstance(state, int) and not isinstance(state, bool) else None
        task['last_run_time'] = _time(api_item.get('last_run_time'))
        task['next_run_time'] = _time(api_item.get('next_run_time'))
        task['last_result'] = _result_code(api_item.get('last_result'))
    if file_item is not None:
        seen.append('file')
        task['file'] = {'size': file_item.get('size'), 'sha256': file_item.get('sha256'),
                        'content_sha256': file_item.get('content_sha256')}
    return seen


def _registry_reasons(task, key, index, file_item):
    """The TaskCache view of a task (``task['registry']``) and the reason codes it
    shows, before gating: a code whose sources were not read is dropped by the caller."""
    tree_entry, tasks_entry = index.entries(key)
    if not (index.read and (tree_entry is not None or tasks_entry is not None)):
        return None, ['file_without_registry'] if file_item is not None else []
    hash_hex = tasks_entry['hash'] if tasks_entry else None
    registry = {
        'id': tree_entry['id'] if tree_entry else tasks_entry['guid'],
        'index': tree_entry['index'] if tree_entry else None,
        'sd_present': bool(tree_entry and tree_entry['sd_present']),
        'hash': hash_hex,
        'hash_algorithm': _hash_algorithm(hash_hex),
        'hash_matches_file': None,
        'tasks_entry': tasks_entry is not None,
        'tree_entry': tree_entry is not None,
    }
    task['registry'] = registry
    reasons = []
    if tree_entry is not None:
        if not tree_entry['sd_present']:
            reasons.append('sd_missing')
        if not tree_entry['index']:
            reasons.append('index_zero')
        if tasks_entry is None:
            reasons.append('tree_without_tasks_entry')
        elif tasks_entry['path'] and index.key_of_entry[id(tasks_entry)] != key:
            reasons.append('path_mismatch')
    elif tasks_entry is not None and not index.tree_unknown(key):
        reasons.append('tasks_entry_without_tree')
    if tasks_entry is not None and file_item is None:
        reasons.append('registry_without_file')
    if registry['hash_algorithm'] == 'sha256' and file_item is not None and file_item.get('content_sha256'):
        registry['hash_matches_file'] = file_item['content_sha256'] == hash_hex
        if not registry['hash_matches_file']:
            reasons.append('hash_mismatch')
    return tasks_entry, reasons


def _hidden_reasons(raw, checks):
    """The one gate: only codes whose sources were read (``checks``) are kept."""
    reasons = [code for code in raw if checks[code]]
    if len(reasons) > 1:
        reasons.sort()
    return reasons


def _join_task(key, path, material, index, definitions, out):
    """One normalized task from every source that knows ``path``."""
    unparseable, errors, checks = out['unparseable'], out['errors'], out['checks']
    api_item = material.api.get(key) if material.api else None
    file_item = material.files.get(key) if material.files else None
    # every definition here is a fresh dict (parsed, from a store or cache copy,
    # or empty_task): it becomes the task itself
    task = new_task_entry(definitions.choose(key, path, (api_item, file_item), unparseable, errors), copy=False)
    task['path'] = path  # the place it lives, not what the URI claims
    seen = _runtime(task, api_item, file_item)
    tasks_entry, raw = _registry_reasons(task, key, index, file_item)
    if task['registry'] is not None:
        seen.append('registry')
    if (api_item is None and (file_item is not None or tasks_entry is not None)
            and not _under_denied(_lower(task['folder'] or '\\'), material.api_denied)):
        raw.append('not_in_api')
    task['seen_in'] = seen   # appended in sorted order: api, file, registry
    task['hidden_reasons'] = _hidden_reasons(raw, checks) if raw else raw
    return task


def build_result(material, collected, *, parsed=None, store=None, own_file_hashes=False):
    """Join the sources (``Material``) into normalized tasks.

    Stages: index the TaskCache, list every path any source knows, choose each
    task's definition (``_Definitions``), fill its run state and file
    (``_runtime``), read its TaskCache view and the reasons it shows
    (``_registry_reasons``), and keep only the reasons whose sources were read
    (``_hidden_reasons``, gated on ``checks``).

    parsed: steady-state runs (definition_cache.py): {path: definition} this code
    parsed in an earlier run. An API item the collector sent without its XML
    (``xml_omitted``: the hash the host computed over its definition equals the
    one the controller sent) takes the definition whose sha256 is that hash;
    without one it is unparseable, never an empty task.
    store: a ``definition_store.DefinitionStore``: API definitions whose bytes
    were parsed before (on any host) are taken from it, new ones are added.
    own_file_hashes: True only when every file record's ``sha256`` was computed by
    this process over its ``data`` (offline_tasks.walk_task_files), never a host's.
    """
    index = _TaskCacheIndex(material.cache)
    display = _display_paths(material, index)
    definitions = _Definitions(material, display, parsed, store, own_file_hashes)
    out = {
        'changed': False,
        'mode': collected.mode,
        'tasks': [],
        'unparseable': [],
        'host': collected.host,
        'sources': collected.sources,
        'errors': collected.errors,
        'checks': _checks(collected.sources, collected.mode == 'live', collected.is_admin),
        'registry_source': collected.registry_source,
    }
    out['tasks'] = [_join_task(key, path, material, index, definitions, out) for key, path in display.items()]
    return out


# --------------------------------------------------------------------------- live

def _decode_content(value, max_bytes):
    # "" is the content of an empty file (ToBase64String of no bytes): decoded to
    # b"" so it is parsed and reported unparseable, not silently left without a
    # definition (issue 9). None means the collector did not send content.
    if not isinstance(value, str):
        return None, None
    if len(value) > (max_bytes * 4) // 3 + 8:
        return None, 'returned content exceeds %d bytes' % max_bytes
    try:
        return base64.b64decode(value, validate=True), None
    except (binascii.Error, ValueError) as exc:
        return None, 'returned content is not valid base64: %s' % exc


def _live_host(raw, errors):
    """(is_admin, host) of the live material; not being an administrator is said."""
    is_admin = raw.get('is_admin') if isinstance(raw.get('is_admin'), bool) else None
    if is_admin is False:
        errors.append({'source': 'collector', 'path': None,
                       'error': 'not running as a local administrator: tasks, folders, files and registry '
                                'values the account cannot read are missing; not_in_api is not evaluated'})
    host_raw = raw.get('host')
    if isinstance(host_raw, dict) and host_raw.get('error'):
        errors.append({'source': 'host', 'path': None, 'error': host_text(host_raw['error'])})
    # each fact checked and bounded there; a malformed one, or a section that is no dict, is said in errors
    return is_admin, host_context.host_from_live(host_raw, errors)


def _live_task_path(item, source, errors, unparseable):
    """The normalized path of a task entry the host listed (an API task or a task
    file), or None when it is not evaluated: an entry that is no dict or has no
    text path is a malformed error entry; a path longer than taskcache.MAX_TASK_PATH
    is an unparseable task (its path cut), never joined with the other sources."""
    path = item.get('path') if isinstance(item, dict) else None
    if not isinstance(path, str) or not path:
        errors.append({'source': source, 'path': None,
                       'error': 'malformed task entry from the collector (%s): not evaluated'
                                % ('a %s' % type(item).__name__ if not isinstance(item, dict) else
                                   'an empty path' if path == '' else 'path of type %s' % type(path).__name__)})
        return None
    path = normalize_path(path)
    if len(path) > taskcache.MAX_TASK_PATH:
        unparseable.append({'path': clip_text(path), 'source': 'api' if source == 'api' else 'file',
                            'error': taskcache.TASK_PATH_TOO_LONG})
        return None
    return path


def _live_api(raw, errors, unparseable):
    """(api {lower path: item} or None, lower folder paths the API could not enumerate);
    tasks whose path is too long are added to ``unparseable`` (_live_task_path)."""
    api_raw = raw.get('api') if isinstance(raw.get('api'), dict) else {}
    if not api_raw.get('read'):
        errors.append({'source': 'api', 'path': None,
                       'error': host_text(api_raw.get('error'), 'Task Scheduler API not read')})
        return None, []
    api = {}
    api_denied = []
    for item in _as_list(api_raw.get('tasks')):
        path = _live_task_path(item, 'api', errors, unparseable)
        if path is not None:
            # copied only when the path changed (normalize_path returns a normalized path as is)
            _add_once(api, path, item if path is item['path'] else dict(item, path=path), errors, 'api')
    folder_errors = api_raw.get('folder_errors')
    if folder_errors is not None and not isinstance(folder_errors, list):
        # which folders the API could not enumerate is unknown: the whole tree
        api_denied.append('\\')
        errors.extend(host_error_list('api', folder_errors))
        folder_errors = None
    for err in folder_errors or ():
        named = err.get('path') if isinstance(err, dict) else None
        # A folder the API could not enumerate, unnamed or named by a malformed entry,
        # is the whole tree: absence from the API then proves nothing anywhere.
        folder = normalize_path(named) if isinstance(named, str) and named else '\\'
        api_denied.append(_lower(folder))   # in full: a clipped name would not match its tasks
        entry = host_error_entry('api', err)
        if isinstance(err, dict) and (named is None or isinstance(named, str)):
            entry['path'] = clip_text(folder)
        errors.append(entry)
    return api, api_denied


def _live_file_record(item, path, max_bytes, errors):
    data, problem = _decode_content(item.get('content'), max_bytes)
    # Non-str hashes from a hostile host raised AttributeError on .lower()
    # and lost the whole task result (issue 9): not taken, and said.
    record = {'path': path, 'size': item.get('size') if isinstance(item.get('size'), int) else None,
              'sha256': _lower_str(item.get('sha256'), 'sha256', path, errors),
              'content_sha256': _lower_str(item.get('content_sha256'), 'content_sha256', path, errors),
              'data': data, 'error': problem or host_text(item.get('error'))}
    if data is not None:
        record['content_sha256'] = offline_tasks.content_sha256(data)
    return record


def _live_files(raw, errors, unparseable):
    """Task files {lower path: record} or None when the collector could not read them;
    files whose path is too long are added to ``unparseable`` (_live_task_path)."""
    files_raw = raw.get('files') if isinstance(raw.get('files'), dict) else {}
    if not files_raw.get('read'):
        errors.append({'source': 'files', 'path': None,
                       'error': host_text(files_raw.get('error'), 'task files not read')})
        return None
    files = {}
    max_bytes = files_raw.get('max_content_bytes')
    max_bytes = max_bytes if isinstance(max_bytes, int) and 0 < max_bytes <= MAX_TASK_BYTES else MAX_TASK_BYTES
    for item in _as_list(files_raw.get('entries')):
        path = _live_task_path(item, 'files', errors, unparseable)
        if path is not None:
            record = _live_file_record(item, path, max_bytes, errors)
            _add_once(files, record['path'], record, errors, 'files')
    errors.extend(host_error_list('files', files_raw.get('errors')))
    if files_raw.get('truncated'):
        errors.append({'source': 'files', 'path': None, 'error': 'file listing truncated by the collector'})
    return files


def normalize_live_tasks(raw, *, parsed=None, store=None):
    """Normalize what the PowerShell collector returned (one host, one round trip).

    ``parsed``: definitions kept from an earlier run, for the steady state;
    ``store``: the shared definition store (see build_result).
    """
    errors = []
    if not isinstance(raw, dict):
        raw = {}
        errors.append({'source': 'collector', 'path': None, 'error': 'the collector returned no material'})
    is_admin, host = _live_host(raw, errors)
    too_long = []   # tasks whose path is longer than taskcache.MAX_TASK_PATH: unparseable
    api, api_denied = _live_api(raw, errors, too_long)
    files = _live_files(raw, errors, too_long)
    # from_live checks and bounds every text of the host's section itself
    cache, read = taskcache.from_live(raw.get('taskcache'))
    errors.extend(cache['errors'])
    if not read:
        cache = None

    sources = {'api': api is not None, 'files': files is not None, 'registry': cache is not None}
    if store is not None:
        store.use_pack(definition_store.pack_key(host))   # one read for the built-in definitions of its build
    result = build_result(Material(api, api_denied, files, cache),
                          Collected('live', host, sources, errors, is_admin,
                                    {'kind': 'live', 'path': None} if cache is not None else None),
                          parsed=parsed, store=store)
    result['unparseable'].extend(too_long)
    looked, job_records, job_errors = _live_job_records(raw.get('job_files'))
    add_job_tasks(result, job_records, looked=looked, errors=job_errors)
    _sort_tasks(result)
    return result


def _live_job_records(raw):
    """``job_files`` of the collector (TaskMaterial.psm1 Get-TgJobFileMaterial):
    ``{read, error, entries: [{name, size, content (base64), error}], truncated}``.
    Absent (an older collector) or not read: job files were not looked at."""
    if not isinstance(raw, dict) or raw.get('read') is not True:
        # sources['job_files'] False says "not looked at"; an error only when the
        # collector gave one (an older collector sends no job_files at all).
        error = host_text(raw.get('error')) if isinstance(raw, dict) else None
        return False, [], ([{'source': 'job_files', 'path': None, 'error': error}] if error else [])
    records, errors, seen = [], [], set()
    for item in _as_list(raw.get('entries')):
        name = item.get('name') if isinstance(item, dict) else None
        # A plain file name: the collector lists one folder, never a path.
        if not isinstance(name, str) or not name or '\\' in name or '/' in name or len(name) > 260:
            errors.append({'source': 'job_files', 'path': None, 'error': 'job entry without a valid name'})
            continue
        # The same bounds and names as offline (hostile host output): *.job only, each once.
        if not name.casefold().endswith('.job') or name.casefold() in seen:
            errors.append({'source': 'job_files', 'path': name, 'error': 'not a .job file, or listed twice: skipped'})
            continue
        if len(records) >= offline_tasks.MAX_JOB_FILES:
            errors.append({'source': 'job_files', 'path': name,
                           'error': 'more than %d job files: the rest not read' % offline_tasks.MAX_JOB_FILES})
            break
        seen.add(name.casefold())
        data, problem = _decode_content(item.get('content'), job_file.MAX_JOB_BYTES)
        records.append({'name': name, 'data': data, 'error': problem or host_text(item.get('error'))})
    errors.extend(host_error_list('job_files', raw.get('errors')))
    if raw.get('truncated'):
        errors.append({'source': 'job_files', 'path': None, 'error': 'job file listing truncated by the collector'})
    return True, records, errors


# ------------------------------------------------------------------------ offline

def _resolve_in_root(root, given):
    """Operator-given paths: absolute as given; relative ones must stay in the root."""
    if os.path.isabs(given):
        return given, None
    candidate = os.path.join(root, given)
    real_root = os.path.realpath(root)
    real = os.path.realpath(candidate)
    if not (real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)):
        return None, 'path %s resolves outside the evidence root: refused' % given
    return candidate, None


class _OfflineRead(object):
    """What the stages of an offline collection share: the evidence root, the
    errors, the opened SOFTWARE hive and the CurrentVersion values of a reg export."""

    def __init__(self, root):
        self.root = root
        self.errors = []
        self.hive_obj = None
        self.hive_path = None
        self.reg_versions = []
        self.hive_without_taskcache = []   # errors kept back while another TaskCache source may follow


def collect_offline_tasks(root, *, taskcache_reg=None, hive=None):
    """Normalize tasks from an evidence copy of a Windows volume (no connection).

    TaskCache source: ``taskcache_reg`` or ``hive`` when given (a failure is
    reported, not replaced by another source); otherwise the SOFTWARE hive at
    ``<root>/Windows/System32/config/SOFTWARE``, falling back to
    ``<root>/TaskCache.reg`` when the hive is missing, unreadable or has no
    TaskCache key. The SOFTWARE hive also gives the host facts.
    """
    read = _OfflineRead(root)
    if not isinstance(root, str) or not os.path.isdir(root):
        read.errors.append({'source': 'files', 'path': root, 'error': 'evidence root is not a directory'})
        sources = {'api': False, 'files': False, 'registry': False, 'job_files': False}
        return build_result(Material(None, [], None, None),
                            Collected('offline', host_context.empty_host(), sources, read.errors, None, None))
    files, records, too_long = _offline_files(read)
    host = _offline_host_from_hives(read, hive)
    cache, registry_source = _offline_taskcache(read, taskcache_reg, hive)
    # The version when the hive gave none: a reg export, then the task folder (host_context.py)
    host, host_errors = host_context.complete_offline_host(
        host, root, reg_values=read.reg_versions[0] if read.reg_versions else None,
        task_paths=[record['path'] for record in records],
        find=lambda where, names: offline_tasks.find_case_insensitive(where, names, read.errors),
        read_reg=read_reg_export)
    read.errors.extend(host_errors)
    sources = {'api': False, 'files': files is not None, 'registry': cache is not None}
    # the walk hashed each file's bytes itself (offline_tasks._task_file_record)
    result = build_result(Material(None, [], files, cache),
                          Collected('offline', host, sources, read.errors, None, registry_source),
                          own_file_hashes=True)
    result['unparseable'].extend(too_long)
    jobs_dir, job_records, job_errors = offline_tasks.walk_job_files(root, max_file_bytes=job_file.MAX_JOB_BYTES)
    add_job_tasks(result, job_records, looked=jobs_dir is not None, errors=job_errors)
    add_other_locations(result, root)
    _sort_tasks(result)
    return result


def _offline_files(read):
    """({path: file record} or None when there is no Tasks folder, the records, the
    unparseable entries of files whose path is too long: never joined, as live)."""
    tasks_dir, records, file_errors = offline_tasks.walk_task_files(read.root)
    read.errors.extend(file_errors)
    records, too_long = _split_too_long(records, 'file')
    if tasks_dir is None:
        return None, records, too_long
    files = {}
    for record in records:
        _add_once(files, record['path'], record, read.errors, 'files')
    return files, records, too_long


def _split_too_long(records, source):
    """(records, unparseable entries) of a walk: a record whose task path is longer
    than taskcache.MAX_TASK_PATH (offline_tasks.walk_task_files) is no task."""
    if not any(record.get('path_too_long') for record in records):
        return records, []
    return ([record for record in records if not record.get('path_too_long')],
            [{'path': record['path'], 'source': source, 'error': record['error']}
             for record in records if record.get('path_too_long')])


def _offline_host_from_hives(read, hive):
    """Host facts from the SOFTWARE hive (opened here, kept for the TaskCache) and
    the SYSTEM hive, which tells domain controllers apart."""
    host = host_context.empty_host()
    if hive:
        read.hive_path, problem = _resolve_in_root(read.root, hive)
        if problem:
            read.errors.append({'source': 'registry', 'path': hive, 'error': problem})
    else:
        read.hive_path = offline_tasks.find_case_insensitive(read.root, offline_tasks.HIVE_SEGMENTS, read.errors)
    if read.hive_path:
        try:
            read.hive_obj = taskcache.open_hive(read.hive_path)
        except TaskGuardInputError as exc:
            read.errors.append({'source': 'registry', 'path': read.hive_path, 'error': str(exc)})
    if read.hive_obj is not None:
        host = host_context.host_from_current_version(host_context.current_version_from_hive(read.hive_obj))
    system_path = offline_tasks.find_case_insensitive(read.root, offline_tasks.SYSTEM_HIVE_SEGMENTS)
    if system_path:
        try:
            product_type = host_context.product_type_from_system_hive(taskcache.open_hive(system_path))
            host = host_context.apply_system_product_type(host, product_type)
        except TaskGuardInputError as exc:
            read.errors.append({'source': 'host', 'path': system_path, 'error': str(exc)})
    return host


def _offline_taskcache(read, taskcache_reg, hive):
    """(TaskCache or None, {"kind", "path"} of where it came from). Explicit choices
    are honoured: if they fail, that is reported, not replaced by another source."""
    cache, registry_source = None, None
    if taskcache_reg:
        reg_path, problem = _resolve_in_root(read.root, taskcache_reg)
        if problem:
            read.errors.append({'source': 'registry', 'path': taskcache_reg, 'error': problem})
        else:
            cache, registry_source = _taskcache_from_reg(read, reg_path)
    elif hive:
        if read.hive_obj is not None:
            cache, registry_source = _taskcache_from_hive(read)
    else:
        if read.hive_obj is not None:
            cache, registry_source = _taskcache_from_hive(read)
        if cache is None:
            reg_path = offline_tasks.find_case_insensitive(read.root, (offline_tasks.REG_EXPORT_NAME,), read.errors)
            if reg_path:
                cache, registry_source = _taskcache_from_reg(read, reg_path)
    if cache is None:
        read.errors.extend(read.hive_without_taskcache)
    if cache is None and not any(e['source'] == 'registry' for e in read.errors):
        read.errors.append({'source': 'registry', 'path': None,
                            'error': 'no TaskCache source (no SOFTWARE hive, no TaskCache.reg): '
                                     'registry-based hidden-task checks not evaluated'})
    return cache, registry_source


def _taskcache_from_reg(read, path):
    try:
        export = read_reg_export(path)
        read.reg_versions.append(host_context.current_version_from_reg_export(export))
        found_cache, found = taskcache.from_reg_export(export)
    except TaskGuardInputError as exc:
        read.errors.append({'source': 'registry', 'path': path, 'error': str(exc)})
        return None, None
    read.errors.extend(found_cache['errors'])
    return (found_cache, {'kind': 'reg_export', 'path': path}) if found else (None, None)


def _taskcache_from_hive(read):
    try:
        found_cache, found = taskcache.from_hive(read.hive_obj)
    except TaskGuardInputError as exc:
        read.errors.append({'source': 'registry', 'path': read.hive_path, 'error': str(exc)})
        return None, None
    if not found:
        # A SOFTWARE hive without a TaskCache key (an export of some keys only):
        # said only when no other TaskCache source is found (_offline_taskcache).
        read.hive_without_taskcache = found_cache['errors'] or [
            {'source': 'registry', 'path': read.hive_path, 'error': 'the SOFTWARE hive holds no TaskCache key'}]
        return None, None
    read.errors.extend(found_cache['errors'])
    return found_cache, {'kind': 'hive', 'path': read.hive_path}


# ------------------------------------------------------------ legacy and other places

def _task_order(task):
    return _lower(task['path']), task['path'] or ''


def _sort_tasks(result):
    """The one ordering of a result's tasks and unparseable entries, applied once
    by each entry point after every source was added (stable: ties keep the order
    the sources were added in)."""
    result['tasks'].sort(key=_task_order)
    result['unparseable'].sort(key=lambda u: (_lower(u['path']), u['source']))


def add_job_tasks(result, records, *, looked, errors=(), location='Windows\\Tasks'):
    """Legacy ``.job`` files as tasks (job_file.job_task: ``source``/``seen_in``
    ``job_file``, path ``\\<name>.job``); ``sources['job_files']`` says whether the
    folder was looked at, so a report can say "not looked at" instead of "none".
    ``records``: ``{"name", "data", "error"}`` (offline walk or the live collector)."""
    result['sources']['job_files'] = bool(looked)
    result['errors'].extend(errors)
    for record in records:
        path = job_file.job_path(record['name'])
        if record.get('data') is None:
            result['unparseable'].append({'path': path, 'source': job_file.SOURCE,
                                          'error': str(record.get('error') or 'no content')})
            continue
        try:
            result['tasks'].append(job_file.job_task(record['data'], name=record['name'], location=location))
        except TaskGuardInputError as exc:
            result['unparseable'].append({'path': path, 'source': job_file.SOURCE, 'error': str(exc)})


def add_other_locations(result, root):
    """Task files of folders the scheduler does not load (offline_tasks.OTHER_TASK_LOCATIONS).

    A file whose path is also a task of System32\\Tasks adds the location to that
    task's ``seen_in``; one found only there becomes a task with ``seen_in`` =
    [location] and ``state: not_registered``. Neither is a hidden-task reason: a
    leftover of an upgrade (Tasks_Migrated) or of a 32-bit installer (SysWOW64)
    is not concealment by itself; what it runs is judged like any task.
    ``result['other_locations']`` = {location: number of files, or None when the
    folder is not in the evidence}.
    """
    found = {}
    by_path = _last_in_order(result['tasks'])
    for label, segments in offline_tasks.OTHER_TASK_LOCATIONS:
        # one lookup (the walk's): its problems (a refused link, two spellings) are said once
        folder, records, errors = offline_tasks.walk_task_files(root, segments=segments, optional=True)
        result['errors'].extend(dict(e, source=label) for e in errors)
        if folder is None:
            found[label] = None
            continue
        found[label] = len(records)
        records, too_long = _split_too_long(records, label)
        result['unparseable'].extend(too_long)
        for record in records:
            _add_located(result, by_path, record, label)
    result['other_locations'] = found


def _last_in_order(tasks):
    """{lower-case path: task}; of tasks whose paths differ in case only, the one
    last in _task_order (what indexing the sorted list gave), without sorting."""
    by_path = {}
    for task in tasks:
        key = _lower(task['path'])
        known = by_path.get(key)
        if known is None or _task_order(task) >= _task_order(known):
            by_path[key] = task
    return by_path


def _add_located(result, by_path, record, label):
    path = normalize_path(record['path'])
    known = by_path.get(_lower(path))
    if known is not None:
        if label not in known['seen_in']:
            known['seen_in'].append(label)
        return
    definition = None
    if record.get('data') is not None:
        try:
            definition = parse_task_definition(record['data'], path=path)
        except TaskGuardInputError as exc:
            result['unparseable'].append({'path': path, 'source': label, 'error': str(exc)})
    elif record.get('error'):
        result['unparseable'].append({'path': path, 'source': label, 'error': str(record['error'])})
    task = new_task_entry(definition if definition is not None else empty_task(path), copy=False)
    task['path'] = path
    task['seen_in'] = [label]
    task['state'] = 'not_registered'
    task['file'] = {'size': record.get('size'), 'sha256': record.get('sha256'),
                    'content_sha256': record.get('content_sha256')}
    by_path[_lower(path)] = task
    result['tasks'].append(task)
