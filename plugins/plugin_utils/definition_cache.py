# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Steady-state collection: task definitions the controller already holds are
neither sent over WinRM nor parsed again.

A full live collection moves every task's XML (~730 KB of task material for a
250-task host, docs/performance.md) and the controller parses all of it. Between
two audits almost nothing changes, so:

1. after a run, the audit action keeps, for the tasks the API returned, their
   path, the SHA-256 of their definition and the normalized definition in the
   state dir (``<state_dir>/<host>.definitions.json.gz``); definitions of tasks
   under ``\\Microsoft\\`` are not repeated there but kept once for all hosts
   in the shared definition store (``definition_store.py``, by that SHA-256);
2. the next run sends their hashes to the collector (module option
   ``known_task_hashes``: lower-cased scheduler path -> SHA-256);
3. on the host, ``Get-TgTaskApiMaterial`` hashes each definition it reads,
   exactly as ``task_model.definition_sha256`` does on the controller (SHA-256 of
   FF FE + the XML as UTF-16 LE), and returns ``xml: null, xml_omitted: true,
   xml_sha256`` when the hash equals the known one;
4. ``task_collection.normalize_live_tasks(raw, parsed=parsed_definitions(...))``
   takes the kept definition for an omitted task only when the hash the host
   reported is the kept definition's; an omitted task without one is reported
   ``unparseable`` (never a silently empty task).

So a changed task is never served from the cache: the comparison is done on the
host over the definition it has now. Definitions are kept only for the code that
produced them (``model_stamp``: an upgraded parser parses again). The cache is
data (gzip'd JSON, nothing evaluated) and as trustworthy as the state dir, which
also holds the event bookmarks: keep it writable by the controller account only.
A lost or unreadable cache means one full collection.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import gzip
import json
import operator
import zlib

from ansible_collections.taskguard.windows.plugins.plugin_utils import state
from ansible_collections.taskguard.windows.plugins.plugin_utils.bookmarks import state_path
from ansible_collections.taskguard.windows.plugins.plugin_utils.definition_store import (
    STORED_KEYS,
    DefinitionStore,
    at_place_values,
    is_sha256,
    model_stamp,
    shareable,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardError
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import normalize_path

__all__ = ["DefinitionCacheError", "cache_path", "known_hashes", "load", "model_stamp", "omitted",
           "parsed_definitions", "save"]

CACHE_VERSION = 3
SUFFIX = ".definitions.json.gz"
# A host has a few hundred tasks; these bound a broken file.
MAX_CACHE_BYTES = 16 * 1024 * 1024
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 50000
_SHA_AT = STORED_KEYS.index("sha256")
_VALUES = operator.itemgetter(*STORED_KEYS)


class DefinitionCacheError(TaskGuardError):
    """The cache file exists but cannot be used (the run then falls back to full collection)."""


def cache_path(state_dir, host):
    """``<state_dir>/<host>.definitions.json.gz`` (host name made safe as for bookmarks)."""
    events = state_path(state_dir, host)
    return events[:-len(".events.json")] + SUFFIX


def _key(path):
    return (normalize_path(path) or "").lower()


def load(state_dir, host, store=None):
    """Return ``{lower path: {"path", "sha256", "definition"}}`` ({} when there is
    no cache, or it was written by another version of the parser).

    Definitions the host's file does not hold itself come from the shared store;
    one the store lost is not returned (so it is not offered to the host as
    known, and the host sends it). Raises :class:`DefinitionCacheError` for an
    unusable file; callers report it and run a full collection.
    """
    path = cache_path(state_dir, host)
    try:
        raw = state.read_at_most(path, MAX_CACHE_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise DefinitionCacheError("%s: cannot read: %s" % (path, exc))
    if len(raw) > MAX_CACHE_BYTES:
        raise DefinitionCacheError("%s: larger than %d bytes" % (path, MAX_CACHE_BYTES))
    try:
        # zlib grows its output as needed (GzipFile.read(n) allocated n first)
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = inflater.decompress(raw, MAX_JSON_BYTES + 1)
        if not inflater.eof and len(data) <= MAX_JSON_BYTES:
            raise ValueError("truncated gzip data")
        if len(data) > MAX_JSON_BYTES:
            raise DefinitionCacheError("%s: expands beyond %d bytes" % (path, MAX_JSON_BYTES))
        doc = json.loads(data.decode("utf-8"))
    except DefinitionCacheError:
        raise
    except (OSError, EOFError, ValueError, UnicodeDecodeError, zlib.error) as exc:
        raise DefinitionCacheError("%s: not a definition cache: %s" % (path, exc))
    if not isinstance(doc, dict) or doc.get("version") != CACHE_VERSION or not isinstance(doc.get("tasks"), list):
        raise DefinitionCacheError("%s: unknown definition cache format" % path)
    if doc.get("model") != model_stamp() or doc.get("keys") != list(STORED_KEYS):
        return {}
    store = store if store is not None else DefinitionStore(state_dir)
    store.use_pack(doc.get("pack"))   # the pack the host's shared definitions were in last time
    # their pack entries decoded in one call (definition_store.prefetch)
    store.prefetch([item[1] for item in doc["tasks"][:MAX_ENTRIES]
                    if isinstance(item, list) and len(item) == 3 and item[2] is None and is_sha256(item[1])])
    entries = {}
    for item in doc["tasks"][:MAX_ENTRIES]:
        # A malformed entry, or one the store lost, is simply not offered to the
        # host (it then sends the XML).
        if not isinstance(item, list) or len(item) != 3:
            continue
        task_path, sha, values = item
        if not isinstance(task_path, str) or not task_path or not is_sha256(sha):
            continue
        kept = store.kept_values(sha) if values is None else _own(values, sha)
        if kept is not None:
            entries[_key(task_path)] = {"path": task_path, "sha256": sha,
                                        "definition": at_place_values(kept, task_path)}
    return entries


def _own(values, sha):
    """Values of a definition kept in the host's file (STORED_KEYS order), or None."""
    if not isinstance(values, list) or len(values) != len(STORED_KEYS) or values[_SHA_AT] != sha:
        return None
    return values


def known_hashes(entries):
    """The module option ``known_task_hashes``: ``{lower path: sha256}``."""
    return {key: entry["sha256"] for key, entry in entries.items()}


def parsed_definitions(entries):
    """``{path: definition}`` for ``normalize_live_tasks(raw, parsed=...)``."""
    return {entry["path"]: entry["definition"] for entry in entries.values()}


def omitted(material):
    """How many API definitions the collector left out (for the run's summary)."""
    api = material.get("api") if isinstance(material, dict) else None
    tasks = api.get("tasks") if isinstance(api, dict) else None
    return sum(1 for item in tasks or () if isinstance(item, dict) and item.get("xml_omitted") is True)


def _kept(tasks_result):
    """``{lower path: (path, sha256, task)}`` for every task the API returned that
    has a definition (parsed now or kept from before)."""
    kept = {}
    for task in (tasks_result or {}).get("tasks") or []:
        if not isinstance(task, dict) or "api" not in (task.get("seen_in") or ()):
            continue
        path, sha = task.get("path"), task.get("sha256")
        if not isinstance(path, str) or not is_sha256(sha) or task.get("fingerprint") is None:
            continue
        if len(kept) >= MAX_ENTRIES:
            break
        kept[_key(path)] = (path, sha, task)
    return kept


def save(state_dir, host, tasks_result, previous=None, store=None):
    """Keep this run's definitions; returns an error text or None.

    Per task the API returned: path, sha256 and the definition, or ``null``
    for a definition the shared store holds (definition_store.py: tasks under
    ``\\Microsoft\\``; those the run parsed were put there already when
    ``store`` is the one the run normalized with). ``previous``: the entries
    loaded before the run; when this run's hashes are the same (the steady
    state), nothing is written. Not fsynced: a cache lost in a crash only costs
    one full collection.
    """
    kept = _kept(tasks_result)
    if previous is not None and {k: v[1] for k, v in kept.items()} == known_hashes(previous):
        return None
    store = store if store is not None else DefinitionStore(state_dir)
    stored = []
    for task_path, sha, task in kept.values():
        in_store = shareable(task_path) and store.ensure(task)
        stored.append([task_path, sha, None if in_store else _VALUES(task)])
    payload = json.dumps({"version": CACHE_VERSION, "model": model_stamp(), "host": host, "keys": list(STORED_KEYS),
                          "pack": store.pack_key, "tasks": stored},
                         separators=(",", ":"), ensure_ascii=False, check_circular=False).encode("utf-8")
    path = cache_path(state_dir, host)
    try:
        # Level 1: definitions are repetitive, even the fastest level shrinks them ~8x.
        state.atomic_write(path, gzip.compress(payload, compresslevel=1, mtime=0), durable=False, dir_mode=0o700)
    except state.ReportWriteError as exc:
        return "definition cache %s not written (the next run sends every definition): %s" % (path, exc)
    return store.error
