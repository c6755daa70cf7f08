# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Glue between the audit action and the collection/inventory code of the other parts.

Kept apart from the action plugin so the whole controller path (offline
collection -> drift -> reports) can be driven from Python (tests, benchmark)
without Ansible. Every call into another part is guarded: a failure becomes a
``coverage_gap``/``unparseable`` finding for that host, never a crash of the run
and never a clean result.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import os

from ansible_collections.taskguard.windows.plugins.plugin_utils import bookmarks, risk
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import host_text
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import (
    collect_offline_events, normalize_live_events,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import (
    collect_offline_tasks, normalize_live_tasks,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory as _load
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import propose_entry

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_INVENTORY_DIR = os.path.join(COLLECTION_ROOT, "task_inventory")

_INVENTORY_CACHE = {}


# ----------------------------------------------------------------- rules
def load_rules(paths):
    """Compiled RuleSet (cached per process); the default file is always first
    unless the caller lists files explicitly including it."""
    default = os.path.join(risk.DEFAULT_RULES_DIR, "default.yml")
    files = list(paths or [])
    if not any(os.path.abspath(p) == os.path.abspath(default) for p in files):
        files.insert(0, default)
    return risk.load_rules_cached(files)


# -------------------------------------------------------------- inventory
def _inventory_key(paths, today):
    key = [str(today)]
    for root in paths:
        if os.path.isfile(root):
            st = os.stat(root)
            key.append((root, st.st_mtime_ns, st.st_size))
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith((".yml", ".yaml")):
                    full = os.path.join(dirpath, name)
                    try:
                        st = os.lstat(full)
                    except OSError:
                        continue
                    key.append((full, st.st_mtime_ns, st.st_size))
    return tuple(key)


def load_inventory(paths, today=None):
    """(Inventory or None, [problems]). Cached per process by paths + mtimes: the
    preload callback loads it in the controller before Ansible forks a worker per
    host, and every worker inherits it (plugins/callback/preload.py)."""
    paths = [os.path.normpath(str(p)) for p in (paths or [DEFAULT_INVENTORY_DIR])]
    # The date is part of the cache key: a worker of a run that crosses midnight
    # judges expiry by the day it audits, not by the day the inventory was loaded.
    today = today or datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        return None, [{"file": p, "line": None, "column": None, "code": "file_unreadable",
                       "message": "task inventory path does not exist"} for p in missing]
    key = _inventory_key(paths, today)
    cached = _INVENTORY_CACHE.get(key)
    if cached is None:
        try:
            inventory = _load(paths, today=today)
            cached = (inventory, list(inventory.errors))
        except Exception as exc:
            cached = (None, [{"file": None, "line": None, "column": None, "code": "inventory_error",
                              "message": "task inventory could not be loaded: %s" % exc}])
        _INVENTORY_CACHE.clear()
        _INVENTORY_CACHE[key] = cached
    return cached


def proposer(today=None):
    def _propose(task, host):
        return propose_entry(task, host, today=today)
    return _propose


# -------------------------------------------------------------- bookmarks
def read_bookmark(state_dir, host):
    """(bookmark or None, error text or None): a broken state file is reported,
    and the run then reads every event still in the logs (never skips)."""
    try:
        return bookmarks.read_bookmark(state_dir, host) or None, None
    except Exception as exc:
        return None, "event bookmark for %s unreadable (all events still in the logs are read): %s" % (host, exc)


def write_bookmark(state_dir, host, bookmark, durable=True):
    return bookmarks.write_bookmark(state_dir, host, bookmark, durable=durable)


def sync_bookmarks(state_dir):
    return bookmarks.sync_state(state_dir)


# -------------------------------------------------------------- collection
def collect_offline(root, since=None, max_events=None):
    """(tasks_result|None, events_result|None, problems) from an evidence folder."""
    problems = []
    tasks_result = events_result = None
    if not os.path.isdir(root):
        what = "is not a folder (a file?)" if os.path.exists(root) else "does not exist"
        problems.append({"source": "offline", "error": "evidence folder %s %s" % (root, what), "fatal": True})
        return None, None, problems
    try:
        # It finds <root>/Windows/System32/config/SOFTWARE or <root>/TaskCache.reg itself.
        tasks_result = collect_offline_tasks(root)
    except Exception as exc:
        problems.append({"source": "tasks", "error": "offline task collection failed: %s: %s" % (type(exc).__name__, exc)})
    try:
        events_result = collect_offline_events(root, since=since, max_events=max_events)
    except Exception as exc:
        problems.append({"source": "events", "error": "offline event collection failed: %s: %s" % (type(exc).__name__, exc)})
    return tasks_result, events_result, problems


def normalize_live(module_result, since=None, parsed=None, store=None):
    """(tasks_result|None, events_result|None, problems) from the collect module.

    ``parsed``/``store``: kept definitions and the shared definition store
    (definition_cache.py, definition_store.py), both optional."""
    problems = []
    tasks_result = events_result = None
    raw_tasks = module_result.get("tasks")
    raw_events = module_result.get("events")
    for source, err in (module_result.get("errors") or {}).items() if isinstance(module_result.get("errors"), dict) else []:
        # both from the host: bounded, never str() of a host object (errors.host_text)
        problems.append({"source": host_text(source, "unknown"),
                         "error": "collection on the host failed: %s" % host_text(err, "no reason given")})
    if raw_tasks is not None:
        try:
            tasks_result = normalize_live_tasks(raw_tasks, parsed=parsed, store=store)
        except Exception as exc:
            problems.append({"source": "tasks", "error": "task material could not be normalized: %s: %s" % (type(exc).__name__, exc)})
    if raw_events is not None:
        try:
            events_result = normalize_live_events(raw_events, since=since, store=store)
        except Exception as exc:
            problems.append({"source": "events", "error": "event material could not be normalized: %s: %s" % (type(exc).__name__, exc)})
    if store is not None:
        store.save_pack()   # a failure is in store.error (reported with the definition cache)
    return tasks_result, events_result, problems
