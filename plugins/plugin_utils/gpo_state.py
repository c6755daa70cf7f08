# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What SYSVOL held at the previous audit of a domain controller: the GPO task state file.

Internal to taskguard.windows. "Added since the last audit" (TG-G005), "changed"
(TG-G006) and "removed" (TG-G009) compare this audit's GPO tasks with the ones
kept here. One JSON document per audited host (a domain controller: each DC of
a domain keeps its own, so AWX job slices never share a file), next to the event
bookmarks in the state dir::

    <state_dir>/<host>.gpo.json   (0600, folder 0700)
    {"version": 1, "host": str, "fully_read": bool, "unread_gpos": [GUID or "*"],
     "tasks": [{"gpo_guid", "scope", "item_type", "name", "fingerprint", "command", "run_as"}]}

Written by ``state.atomic_write`` after the reports (drift_report, like the
bookmarks): a run that crashes before its report leaves the old state, so the
next run still reports as new what this one never reported. The report step
writes every host's state with ``durable=False`` and syncs the state dir once
for the run, as it does the bookmarks (a failed sync is in its
``gpo_state_errors``); a crash between the write and that sync can leave an old
or unreadable file, and an unreadable one is TG-G014, never a silent start over. The file is
hostile like any input: too large, not JSON, another version, a wrong field
type all make ``load`` answer "unreadable" (a finding, and no previous state),
never a crash and never a partial state that would make old tasks look new.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import collections
import json
import os

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.state import PRIVATE_FILE, atomic_write, host_file_stem, read_at_most

STATE_VERSION = 1
MAX_STATE_TASKS = 20000
MAX_STATE_BYTES = 16 * 1024 * 1024
TASK_FIELDS = ("gpo_guid", "scope", "item_type", "name", "fingerprint", "command", "run_as")
_MAX_FIELD = 2048

# The previous state of one host as the judge sees it. ``status``: "found" (``state``
# holds it), "none" (no state yet: the first audit of this host with this state
# dir), "unreadable" (``error`` says why; treated as no previous state).
Previous = collections.namedtuple("Previous", "state status error")


class GpoStateError(TaskGuardInputError):
    """A GPO task state file that cannot be trusted."""


def state_path(state_dir, host):
    """``<state_dir>/<host>.gpo.json``; an unusual host name (slashes, unicode, leading
    dots) is hex-encoded so it can never leave ``state_dir`` nor collide with another host
    (the same rule as the event bookmark files)."""
    return os.path.join(state_dir, "%s.gpo.json" % host_file_stem(host or ""))


def _clean_task(task):
    if not isinstance(task, dict):
        raise GpoStateError("a task entry is not a mapping")
    out = {}
    for field in TASK_FIELDS:
        value = task.get(field)
        if value is not None and not isinstance(value, str):
            raise GpoStateError("task field %r is not a string" % field)
        out[field] = value[:_MAX_FIELD] if value else value
    if not out["gpo_guid"] or not out["name"]:
        raise GpoStateError("a task entry without gpo_guid or name")
    return out


def validate(doc):
    """A clean copy of a state document; raises GpoStateError."""
    if not isinstance(doc, dict) or doc.get("version") != STATE_VERSION:
        raise GpoStateError("unknown state file format (version %r)" % (doc.get("version") if isinstance(doc, dict)
                                                                        else None,))
    tasks = doc.get("tasks")
    if not isinstance(tasks, list) or len(tasks) > MAX_STATE_TASKS:
        raise GpoStateError("tasks is not a list of at most %d entries" % MAX_STATE_TASKS)
    if not isinstance(doc.get("fully_read"), bool):
        raise GpoStateError("fully_read is not true or false")
    unread = doc.get("unread_gpos", [])
    if not isinstance(unread, list) or len(unread) > MAX_STATE_TASKS or not all(isinstance(g, str) for g in unread):
        raise GpoStateError("unread_gpos is not a list of GUIDs")
    return {"version": STATE_VERSION, "host": str(doc.get("host") or "")[:256], "fully_read": doc["fully_read"],
            "unread_gpos": [g[:64] for g in unread], "tasks": [_clean_task(t) for t in tasks]}


def load(state_dir, host):
    """The previous state of ``host`` as a ``Previous``; never raises."""
    path = state_path(state_dir, host)
    try:
        data = read_at_most(path, MAX_STATE_BYTES + 1)
    except FileNotFoundError:
        return Previous(None, "none", None)
    except OSError as exc:
        return Previous(None, "unreadable", "%s: %s" % (path, exc.strerror or exc))
    try:
        if len(data) > MAX_STATE_BYTES:
            raise GpoStateError("larger than %d bytes" % MAX_STATE_BYTES)
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise GpoStateError("not valid JSON: %s" % str(exc)[:200])
        return Previous(validate(doc), "found", None)
    except GpoStateError as exc:
        return Previous(None, "unreadable", "%s: %s" % (path, exc))


def save(state_dir, host, doc, *, durable=True):
    """Write ``doc`` (``validate``d first) as the state of ``host``; raises ``state.ReportWriteError``
    (an OSError) when it cannot be written, leaving the old file, and ``GpoStateError`` when ``doc``
    is not a state document. ``durable=False`` skips the file's and the folder's fsync: for many
    hosts in a row, followed by one ``bookmarks.sync_state`` of the state dir."""
    doc = validate(dict(doc, host=str(host)))
    payload = json.dumps(doc, sort_keys=True, indent=1).encode("utf-8")
    atomic_write(state_path(state_dir, host), payload, durable=durable, sync_dir=durable,
                 file_mode=PRIVATE_FILE, dir_mode=0o700)
