# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security-relevant built-in tasks (risk_rules/security_tasks.yml): disabling one
is a defence-impairment step (T1562.001) or inhibits recovery (T1490).

Loaded once per process with the collection's hardened YAML loader; a broken
file is an error at load time (a run must not silently lose the list).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_yaml import load_yaml_file

DEFAULT_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                            "risk_rules", "security_tasks.yml")
_CACHE = {}


class SecurityTaskListError(TaskGuardInputError):
    pass


class SecurityTasks(object):
    """``match(path)`` -> the list item ({"why", "mitre"}) or None."""

    def __init__(self, items):
        self.exact = {}
        self.prefixes = []
        for item in items:
            if item.get("path"):
                self.exact[item["path"].casefold()] = item
            else:
                self.prefixes.append((item["prefix"].casefold(), item))

    def match(self, path):
        if not isinstance(path, str) or not path:
            return None
        folded = path.replace("/", "\\").casefold()
        item = self.exact.get(folded)
        if item is not None:
            return item
        for prefix, candidate in self.prefixes:
            if folded.startswith(prefix):
                return candidate
        return None


def _validate(data, path):
    items = (data or {}).get("security_tasks") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise SecurityTaskListError("%s: security_tasks must be a non-empty list" % path)
    out = []
    for index, item in enumerate(items):
        where = "%s: security_tasks[%d]" % (path, index)
        if not isinstance(item, dict) or len([k for k in ("path", "prefix") if item.get(k)]) != 1:
            raise SecurityTaskListError("%s: give exactly one of path or prefix" % where)
        value = item.get("path") or item.get("prefix")
        if not isinstance(value, str) or not value.startswith("\\") or len(value) > 512:
            raise SecurityTaskListError("%s: a task path starts with a backslash (max 512 characters)" % where)
        mitre = item.get("mitre") or []
        if not isinstance(mitre, list) or not all(isinstance(m, str) for m in mitre):
            raise SecurityTaskListError("%s: mitre must be a list of technique ids" % where)
        out.append({"path": item.get("path"), "prefix": item.get("prefix"), "why": str(item.get("why") or ""),
                    "mitre": list(mitre)})
    return out


def load(path=DEFAULT_FILE):
    """SecurityTasks from one file (cached per process by path, mtime, size)."""
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise SecurityTaskListError("%s: cannot read the security task list: %s" % (path, exc))
    key = (path, stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(key)
    if cached is None:
        doc = load_yaml_file(path)
        if doc.errors:
            line, col, _code, message = doc.errors[0]
            raise SecurityTaskListError("%s:%s:%s: %s" % (path, line, col, message))
        cached = SecurityTasks(_validate(doc.data, path))
        _CACHE.clear()
        _CACHE[key] = cached
    return cached
