# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The validated task inventory, shared between Ansible's worker processes.

``ansible-playbook`` forks a fresh worker process for every host of every task,
so the audit action loads the task inventory once per host: YAML with positions,
JSON Schema, patterns, overlap checks - ~0.35 s of CPU for 560 entries, ten times
the audit of the host itself (docs/performance.md). This module keeps the result
of one load in the state dir and lets the next processes rebuild it from JSON:

* the key is a SHA-256 over the *content* of every inventory file, the date used
  for expiry, and the source of the loader code and schema, so an edited file, a
  new day or an upgraded collection never reuses an old result;
* entries are rebuilt with the loader's own ``Entry`` class from the merged entry
  data the loader produced (patterns are compiled again); errors and warnings are
  the loader's, as they were;
* nothing is unpickled or evaluated: the cache is JSON data. Its trust is the
  state dir's, which already holds the event bookmarks: keep it writable by the
  controller account only (it is created 0700).

Any problem with the cache (unreadable, wrong format, write failure) falls back
to a normal load.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import json
import os

from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_loader, state

CACHE_VERSION = 1
SUBDIR = "inventory-cache"
KEEP = 8
MAX_CACHE_BYTES = 64 * 1024 * 1024
_CODE = ("inventory_loader.py", "inventory_compare.py", "inventory_patterns.py", "inventory_yaml.py",
         "inventory_cache.py", "inventory_admins.py")
_code_digest = None


def _code_hash():
    global _code_digest
    if _code_digest is None:
        digest = hashlib.sha256()
        here = os.path.dirname(os.path.abspath(__file__))
        for name in _CODE + (inventory_loader.SCHEMA_PATH,):
            path = name if os.path.isabs(name) else os.path.join(here, name)
            digest.update(name.encode("utf-8") + b"\0")
            with open(path, "rb") as handle:
                digest.update(handle.read())
        _code_digest = digest.hexdigest()
    return _code_digest


def cache_key(paths, today, strict=False):
    """Key of the inventory at ``paths`` as it is now; None when a file cannot be read."""
    files, problems = inventory_loader.find_inventory_files(list(paths))
    digest = hashlib.sha256()
    digest.update(json.dumps([CACHE_VERSION, _code_hash(), str(inventory_loader._today(today)), bool(strict),
                              [os.path.abspath(p) for p in paths], problems], sort_keys=True).encode("utf-8"))
    for path in files:
        try:
            with open(path, "rb") as handle:
                content = handle.read(MAX_CACHE_BYTES)
        except OSError:
            return None   # the loader reports it; nothing to cache
        digest.update(os.path.abspath(path).encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def _to_json(inventory):
    return {
        "version": CACHE_VERSION,
        "errors": inventory.errors, "warnings": inventory.warnings, "files": inventory.files,
        "entries": [{"raw": e.raw, "file": e.file, "line": e.line, "index": e.index,
                     "owner": {"name": e.owner, "contact": e.contact}} for e in inventory.entries],
    }


def _from_json(doc, today):
    if not isinstance(doc, dict) or doc.get("version") != CACHE_VERSION:
        raise ValueError("unknown inventory cache format")
    day = inventory_loader._today(today)
    inventory = inventory_loader.Inventory()
    inventory.errors = list(doc["errors"])
    inventory.warnings = list(doc["warnings"])
    inventory.files = list(doc["files"])
    inventory.entries = [inventory_loader.Entry(e["raw"], file=e["file"], line=e["line"], index=e["index"],
                                                owner=e["owner"], today=day) for e in doc["entries"]]
    return inventory


def load_inventory(paths, *, today=None, cache_dir=None):
    """``inventory_loader.load_inventory(paths, today=today)``, through the cache when
    ``cache_dir`` is given. Returns ``(inventory, cache_note)``; the note says why
    the cache was not used or not written (None when all went well)."""
    paths = list(paths)
    if not cache_dir:
        return inventory_loader.load_inventory(paths, today=today), None
    key = cache_key(paths, today)
    if key is None:
        return inventory_loader.load_inventory(paths, today=today), "inventory cache not used: a file is unreadable"
    folder = os.path.join(cache_dir, SUBDIR)
    path = os.path.join(folder, key + ".json")
    try:
        data = state.read_at_most(path, MAX_CACHE_BYTES + 1)
        if len(data) <= MAX_CACHE_BYTES:
            return _from_json(json.loads(data.decode("utf-8")), today), None
        note = "inventory cache %s too large: ignored" % path
    except FileNotFoundError:
        note = None
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError,
            inventory_loader.PatternError) as exc:
        note = "inventory cache %s not used: %s" % (path, exc)
    inventory = inventory_loader.load_inventory(paths, today=today)
    return inventory, _store(folder, path, inventory) or note


def _store(folder, path, inventory):
    """Not fsynced: a cache lost in a crash only costs one normal load."""
    if getattr(inventory, "administrators", None) or getattr(inventory, "administrator_policies", None):
        # The cache format holds task entries only: an inventory with an
        # administrators table is loaded normally, never served without its table.
        return "inventory cache not used: it does not hold the administrators table"
    try:
        payload = json.dumps(_to_json(inventory), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        state.atomic_write(path, payload, durable=False, dir_mode=0o700)
        _prune(folder)
    except (state.ReportWriteError, OSError, TypeError, ValueError) as exc:
        return "inventory cache not written: %s" % exc
    return None


def _prune(folder):
    """Keep the KEEP newest results (one per inventory version seen)."""
    names = [n for n in os.listdir(folder) if n.endswith(".json") and not n.startswith(".")]
    if len(names) <= KEEP:
        return
    names.sort(key=lambda n: os.stat(os.path.join(folder, n)).st_mtime, reverse=True)
    for name in names[KEEP:]:
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass
