# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Steady-state collection: task definitions the controller already holds are not
sent over WinRM again.

A full live collection moves every task's XML (~800 KB of module result for a
250-task host, docs/performance.md). Between two audits almost nothing changes, so:

1. after a run, the audit action stores the API definitions it received in the
   state dir (``<state_dir>/<host>.definitions.json.gz``: path, SHA-256, XML);
2. the next run sends their hashes to the collector (module option
   ``known_task_hashes``: lower-cased scheduler path -> SHA-256);
3. on the host, ``Get-TgTaskApiMaterial`` hashes each definition it reads,
   exactly as ``task_model.definition_sha256`` does on the controller (SHA-256 of
   FF FE + the XML as UTF-16 LE), and returns ``xml: null, xml_omitted: true,
   xml_sha256`` when the hash equals the known one;
4. ``expand`` puts the cached XML back before normalization, after checking that
   the cached text hashes to the ``xml_sha256`` the host reported.

So a changed task is never served from the cache: the comparison is done on the
host over the bytes it has now, and the controller re-checks the hash of what it
restores (a corrupted or edited cache file cannot inject a definition). An
omitted definition the cache cannot restore becomes an ``error`` of that API
item, which normalization reports as ``unparseable``: never a silently empty task.
A lost or unreadable cache only means the next run sends every definition again.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import gzip
import io
import json
import os
import tempfile

from ansible_collections.taskguard.windows.plugins.plugin_utils.bookmarks import state_path
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import definition_sha256, normalize_path

CACHE_VERSION = 1
SUFFIX = ".definitions.json.gz"
# A host has a few hundred tasks of a few KB; these bound a hostile or broken file.
MAX_CACHE_BYTES = 16 * 1024 * 1024
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 50000
MAX_XML_CHARS = 1024 * 1024
SHA256_HEX = frozenset("0123456789abcdef")

OMITTED_NOT_CACHED = ("definition omitted by the collector (unchanged since the last audit) but the controller's "
                      "definition cache does not hold it; the next run sends it again")


class DefinitionCacheError(Exception):
    """The cache file exists but cannot be used (the run then falls back to full collection)."""


def cache_path(state_dir, host):
    """``<state_dir>/<host>.definitions.json.gz`` (host name made safe as for bookmarks)."""
    events = state_path(state_dir, host)
    return events[:-len(".events.json")] + SUFFIX


def _key(path):
    return (normalize_path(path) or "").lower()


def _is_sha256(value):
    return isinstance(value, str) and len(value) == 64 and not set(value) - SHA256_HEX


def load(state_dir, host):
    """Return ``{lower path: {"path", "sha256", "xml"}}`` ({} when there is no cache).

    Raises :class:`DefinitionCacheError` for an unusable file; callers report it
    and run a full collection.
    """
    path = cache_path(state_dir, host)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CACHE_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise DefinitionCacheError("%s: cannot read: %s" % (path, exc))
    if len(raw) > MAX_CACHE_BYTES:
        raise DefinitionCacheError("%s: larger than %d bytes" % (path, MAX_CACHE_BYTES))
    try:
        data = gzip.GzipFile(fileobj=io.BytesIO(raw)).read(MAX_JSON_BYTES + 1)
        if len(data) > MAX_JSON_BYTES:
            raise DefinitionCacheError("%s: expands beyond %d bytes" % (path, MAX_JSON_BYTES))
        doc = json.loads(data.decode("utf-8"))
    except DefinitionCacheError:
        raise
    except (OSError, EOFError, ValueError, UnicodeDecodeError) as exc:
        raise DefinitionCacheError("%s: not a definition cache: %s" % (path, exc))
    if not isinstance(doc, dict) or doc.get("version") != CACHE_VERSION or not isinstance(doc.get("tasks"), list):
        raise DefinitionCacheError("%s: unknown definition cache format" % path)
    entries = {}
    for item in doc["tasks"][:MAX_ENTRIES]:
        # Entries are re-checked against the host's hash before use (expand), so a
        # malformed one is simply not offered to the host.
        if not isinstance(item, dict):
            continue
        task_path, sha, xml = item.get("path"), item.get("sha256"), item.get("xml")
        if not isinstance(task_path, str) or not task_path or not _is_sha256(sha):
            continue
        if not isinstance(xml, str) or not xml or len(xml) > MAX_XML_CHARS:
            continue
        entries[_key(task_path)] = {"path": task_path, "sha256": sha, "xml": xml}
    return entries


def known_hashes(entries):
    """The module option ``known_task_hashes``: ``{lower path: sha256}``."""
    return {key: entry["sha256"] for key, entry in entries.items()}


def expand(material, entries):
    """Restore omitted API definitions in ``material`` (the collector's task
    material, changed in place); returns ``{"omitted", "restored", "missing"}``."""
    stats = {"omitted": 0, "restored": 0, "missing": 0}
    api = material.get("api") if isinstance(material, dict) else None
    tasks = api.get("tasks") if isinstance(api, dict) else None
    if not isinstance(tasks, list):
        return stats
    for index, item in enumerate(tasks):
        if not isinstance(item, dict) or not item.get("xml_omitted"):
            continue
        stats["omitted"] += 1
        item = dict(item)
        tasks[index] = item
        claimed = item.get("xml_sha256")
        cached = entries.get(_key(item.get("path"))) if isinstance(item.get("path"), str) else None
        if (cached is not None and _is_sha256(claimed) and claimed == cached["sha256"]
                and definition_sha256(cached["xml"]) == claimed):
            item["xml"] = cached["xml"]
            stats["restored"] += 1
        else:
            item["xml"] = None
            item["error"] = OMITTED_NOT_CACHED if item.get("error") is None else item["error"]
            stats["missing"] += 1
    return stats


def entries_from_material(material):
    """Cache entries for the API definitions in ``material`` (after ``expand``)."""
    entries = {}
    api = material.get("api") if isinstance(material, dict) else None
    for item in (api.get("tasks") if isinstance(api, dict) else None) or []:
        if not isinstance(item, dict):
            continue
        task_path, xml = item.get("path"), item.get("xml")
        if not isinstance(task_path, str) or not task_path or not isinstance(xml, str) or not xml:
            continue
        if len(xml) > MAX_XML_CHARS or len(entries) >= MAX_ENTRIES:
            continue
        entries[_key(task_path)] = {"path": task_path, "sha256": definition_sha256(xml), "xml": xml}
    return entries


def save(state_dir, host, material, previous=None):
    """Store the API definitions of this run; returns an error text or None.

    ``previous``: the entries loaded before the run; when this run's definitions
    are the same (the steady state), nothing is written. Not fsynced: a cache
    lost in a crash only costs one full collection.
    """
    entries = entries_from_material(material)
    if previous is not None and known_hashes(entries) == known_hashes(previous):
        return None
    payload = json.dumps({"version": CACHE_VERSION, "host": host, "tasks": list(entries.values())},
                         separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    path = cache_path(state_dir, host)
    tmp = None
    try:
        os.makedirs(state_dir, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=state_dir)
        with os.fdopen(fd, "wb") as handle:
            # Level 1: task XML is repetitive, so even the fastest level shrinks it ~8x.
            with gzip.GzipFile(fileobj=handle, mode="wb", compresslevel=1, mtime=0) as zipped:
                zipped.write(payload)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        return "definition cache %s not written (the next run sends every definition): %s" % (path, exc)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return None
