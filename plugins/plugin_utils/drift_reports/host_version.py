# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One sentence per audited host: its Windows version and where it came from.

Internal to taskguard.windows. drift.json carries ``os_family``, ``os_source``,
``os_build`` and, for a version inferred from the task folder, ``os_inference``
(``confidence``, ``reason``); drift.md and drift.html say it in the report's
language (messages.py: ``host.os*``, ``os_source.*``), because which baseline a
host was compared with depends on it (docs/task-inventory.md, "Where the
version comes from").
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

_AUDITED = ("audited", "partial")


def os_version_text(entry, msg):
    """The sentence for a host entry of drift.json, or None for a host not audited."""
    if not isinstance(entry, dict) or entry.get("status") not in _AUDITED:
        return None
    family, source = entry.get("os_family"), entry.get("os_source")
    if not family or family == "unknown" or not source:
        return msg("host.os_unknown")
    inference = entry.get("os_inference") if isinstance(entry.get("os_inference"), dict) else {}
    key = "os_source.%s" % source
    said = msg(key, confidence=msg.label("confidence", inference.get("confidence") or "unknown")) \
        if msg.has(key) else str(source)
    if entry.get("os_build"):
        return msg("host.os_build", os_family=family, build=entry["os_build"], source=said)
    return msg("host.os", os_family=family, source=said)
