# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Task files parsed once in the controller process, before Ansible forks its
workers, for every offline host whose files hold the same bytes.

Most task files of a fleet are byte-for-byte the same on every host of a
Windows build (the ~200 built-in tasks). Ansible forks one worker per host, and
each worker used to parse all of them again. The preload callback
(plugins/callback/preload.py) now also parses the task files of the play's first
offline host here (``seed``), in the controller process, so every worker it
forks inherits the parses. A worker takes a definition from the memo only for a
file whose SHA-256, computed over the bytes being parsed, is the key
(``parse``); anything else is parsed as before. Measured end to end: see
docs/performance.md.

Why this is safe with hostile evidence: the key is the SHA-256 of the exact
bytes, so a seeding host can only add the parse of its own bytes under their own
hash; a host whose file differs in one byte parses it itself. Only definitions
that parsed are kept (an error is always raised by the worker's own parse, with
its own path). The fields a file's place decides (``task_model.PLACE_KEYS``) are
set again for the place of the file being read; every other field depends on
the bytes alone (the tests compare a memo hit with a fresh parse of every
authentic built-in task). Each hit is a fresh copy (decoded from JSON), so a
worker never changes another host's definition.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import json

from ansible_collections.taskguard.windows.plugins.plugin_utils import offline_tasks, task_model
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError

MAX_ENTRIES = 4096   # definitions kept (one host has a few hundred)

_MEMO = {}   # SHA-256 (hex) of the file's bytes -> JSON text of its parsed definition


def parse(data, path):
    """The definition of a task file's bytes at ``path``: from the memo when the
    SHA-256 of ``data`` (computed here, never taken from the material: a live host
    reports hashes of its own) is in it, else ``task_model.parse_task_definition``.
    Raises what that raises."""
    if _MEMO and isinstance(data, bytes):
        text = _MEMO.get(hashlib.sha256(data).hexdigest())
        if text is not None:
            return task_model.place_definition(json.loads(text), path)
    return task_model.parse_task_definition(data, path=path)


def seed(root):
    """Parse the task files of one evidence folder into the memo (bounded by
    MAX_ENTRIES); returns how many definitions were added. Unreadable or
    unparseable files are left to the workers, which report them."""
    _tasks_dir, records, _errors = offline_tasks.walk_task_files(root)
    added = 0
    for record in records:
        if len(_MEMO) >= MAX_ENTRIES:
            break
        data = record.get('data')
        if not isinstance(data, bytes):
            continue
        sha = hashlib.sha256(data).hexdigest()
        if sha in _MEMO:
            continue
        try:
            definition = task_model.parse_task_definition(data, path=record['path'])
        except TaskGuardInputError:
            continue
        _MEMO[sha] = json.dumps(definition, ensure_ascii=False, separators=(',', ':'))
        added += 1
    return added


def clear():
    _MEMO.clear()


def size():
    return len(_MEMO)
