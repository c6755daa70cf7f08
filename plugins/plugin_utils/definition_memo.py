# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Task files parsed once for every offline host whose files hold the same bytes.

Most task files of a fleet are byte-for-byte the same on every host of a
Windows build (the ~200 built-in tasks). The batch audit of evidence folders
(plugins/action/audit_offline.py) parses the task files of its first host here
(``seed``) before it forks its processes, so each of them inherits the parses.
A process takes a definition from the memo only for a file whose SHA-256,
computed over the bytes being parsed, is the key (``parse``); anything else is
parsed as before. Measured: see docs/performance.md.

Why this is safe with hostile evidence: the key is the SHA-256 of the exact
bytes, so a seeding host can only add the parse of its own bytes under their own
hash; a host whose file differs in one byte parses it itself. Only definitions
that parsed are kept (an error is always raised by the worker's own parse, with
its own path). The fields a file's place decides (``task_model.PLACE_KEYS``) are
set again for the place of the file being read; every other field depends on
the bytes alone (the tests compare a memo hit with a fresh parse of every
authentic built-in task). Each hit is a fresh copy (``_fresh``: every dict and
list of it new), so a worker never changes another host's definition.

Why a copy and not JSON text: a hit used to be ``json.loads`` of the definition's
JSON text, ~10 us per task of every host; a parsed definition has one known
shape (text, bool or None values; ``principal`` a flat dict or None;
``actions``/``triggers`` lists of flat dicts), so copying those containers gives
the same fresh structure in ~2 us. Only definitions of exactly that shape are
kept (``_template``); any other is left to the workers' own parse.

Learning: once ``seed`` has turned the memo on in a process, every task file that
process parses (``parse`` on a miss) is kept as well, so a worker that audits many
hosts (the batch step of playbooks/drift.yml) parses each distinct file once: on
the benchmark fleet a host missed ~19 of its 250 files with the first host's parses
alone and ~1 with learning. The same rule keeps it safe: the key is the SHA-256
this process computed over the bytes that were parsed. Bounded by MAX_ENTRIES and
by MAX_KEPT_BYTES of source bytes (a hostile host's 2 MiB files must not fill the
memory of the worker); when either is reached nothing more is kept.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib

from ansible_collections.taskguard.windows.plugins.plugin_utils import offline_tasks, task_model
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError

MAX_ENTRIES = 4096   # definitions kept (one host has a few hundred)
MAX_KEPT_BYTES = 32 * 1024 * 1024   # of the kept definitions' source bytes (a real task file: 2-10 KB)

_MEMO = {}   # SHA-256 (hex) of the file's bytes -> its parsed definition (_template), never handed out
# Whether this process uses the memo (turned on by seed, off by clear), and the
# source bytes of what it keeps.
_STATE = {'on': False, 'bytes': 0}

# The values a kept definition may hold outside its containers: immutable, so a
# copy may share them (exact classes: a subclass of str could carry state).
_SCALARS = frozenset((str, bool, int, type(None)))
_LISTS = ('actions', 'triggers')


def parse(data, path, *, sha256=None):
    """The definition of a task file's bytes at ``path``: from the memo when the
    SHA-256 of ``data`` is in it, else ``task_model.parse_task_definition``.
    Raises what that raises.

    ``sha256``: the hex SHA-256 this process computed over exactly ``data``
    (offline_tasks' walk does), to save hashing the bytes again; never a hash a
    host sent (a live host reports hashes of its own: it would choose the
    definition). Computed here when None.

    On a miss the parse is also kept (learning, see the module docstring) as a
    copy: the definition returned is the caller's to change."""
    if _STATE['on'] and data.__class__ is bytes:
        key = sha256 or hashlib.sha256(data).hexdigest()
        template = _MEMO.get(key)
        if template is not None:
            return task_model.place_definition(_fresh(template), path)
        definition = task_model.parse_task_definition(data, path=path, sha256=key)
        if _room_for(data) and _template(definition) is not None:
            _keep(key, _fresh(definition), data)
        return definition
    return task_model.parse_task_definition(data, path=path, sha256=sha256)


def _room_for(data):
    return len(_MEMO) < MAX_ENTRIES and _STATE['bytes'] + len(data) <= MAX_KEPT_BYTES


def _keep(key, template, data):
    _MEMO[key] = template
    _STATE['bytes'] += len(data)


def _flat(value):
    """A dict of text keys and scalar values (a principal, an action, a trigger)."""
    return value.__class__ is dict and all(k.__class__ is str and v.__class__ in _SCALARS for k, v in value.items())


def _template(definition):
    """``definition`` when it has exactly the shape ``_fresh`` copies in full (see
    the module docstring), else None (not kept: the worker parses that file)."""
    if definition.__class__ is not dict or 'principal' not in definition or not all(
            key in definition for key in _LISTS):
        return None
    for key, value in definition.items():
        if key.__class__ is not str:
            return None
        if key == 'principal':
            if value is not None and not _flat(value):
                return None
        elif key in _LISTS:
            if value.__class__ is not list or not all(_flat(item) for item in value):
                return None
        elif value.__class__ not in _SCALARS:
            return None
    return definition


def _fresh(template):
    """A copy of a kept definition that shares no dict or list with it (its
    scalars are immutable): the caller owns it, a worker's change stays its own."""
    task = template.copy()
    principal = task['principal']
    if principal is not None:
        task['principal'] = principal.copy()
    task['actions'] = [item.copy() for item in task['actions']]
    task['triggers'] = [item.copy() for item in task['triggers']]
    return task


def seed(root):
    """Turn the memo on for this process and parse the task files of one evidence
    folder into it (bounded by MAX_ENTRIES and MAX_KEPT_BYTES); returns how many
    definitions were added. Unreadable or unparseable files, and definitions of
    another shape (_template), are left to the workers, which parse (and report) them."""
    _STATE['on'] = True
    _tasks_dir, records, _errors = offline_tasks.walk_task_files(root)
    added = 0
    for record in records:
        data = record.get('data')
        if not isinstance(data, bytes):
            continue
        if not _room_for(data):
            continue   # a smaller file may still fit
        sha = hashlib.sha256(data).hexdigest()
        if sha in _MEMO:
            continue
        try:
            definition = task_model.parse_task_definition(data, path=record['path'], sha256=sha)
        except TaskGuardInputError:
            continue
        template = _template(definition)
        if template is not None:
            _keep(sha, template, data)
            added += 1
    return added


def clear():
    """Empty the memo and turn it off (parse then parses every file, keeps nothing)."""
    _MEMO.clear()
    _STATE.update(on=False, bytes=0)


def size():
    return len(_MEMO)
