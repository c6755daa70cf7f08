# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-host event bookmarks on the controller: validate, merge, read and write atomically.

A bookmark is ``{"<channel>": {"record_id": int, "time": str}}``: the last event
record of that channel the previous audit *looked at*. ``task_events`` computes the
new bookmark so that it never passes an event that was not returned (on
truncation it is the last returned record). The drift playbook writes it only
after the report is on disk, so a crash between collection and report re-reads
the same events next time instead of losing them.

The state file is one JSON document per host, written by ``state.atomic_write``
(a temporary file in the same directory, fsynced, ``os.replace``d over the old
file, the directory fsynced: readers see the old or the new version, never half
of one; mode 0600 in a 0700 folder); an ``fcntl`` lock on a
sidecar ``.lock`` file serialises two runs for the same host (AWX job slices never
share a host, but an operator may start a second run by hand).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import contextlib
import json
import os
import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.state import (
    PRIVATE_FILE, atomic_write, fsync_dir, host_file_stem, read_at_most,
)

try:
    import fcntl
except ImportError:  # pragma: no cover - the controller is POSIX; keep import safe
    fcntl = None

STATE_VERSION = 1
MAX_STATE_BYTES = 1024 * 1024
_TIME = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z\Z")


class BookmarkError(TaskGuardInputError):
    """A bookmark or state file is malformed."""


def validate_bookmark(value):
    """Return a clean copy of a bookmark dict or raise :class:`BookmarkError`.

    ``None``/``{}`` mean "no bookmark". Channel names are kept as given (they come
    from our own results); only the shape and types are checked because the
    value may have travelled through a user's extra vars.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BookmarkError("bookmark must be a mapping of channel name to {record_id, time}")
    clean = {}
    for channel, mark in value.items():
        if not isinstance(channel, str) or not channel or len(channel) > 256:
            raise BookmarkError("bookmark channel names must be non-empty strings")
        if not isinstance(mark, dict):
            raise BookmarkError("bookmark for %r must be a mapping" % channel)
        record_id = mark.get("record_id")
        if isinstance(record_id, bool) or not isinstance(record_id, int) or record_id < 0:
            if isinstance(record_id, str) and record_id.isdigit():
                record_id = int(record_id)
            else:
                raise BookmarkError("bookmark for %r: record_id must be a non-negative integer" % channel)
        time = mark.get("time")
        if time is not None and (not isinstance(time, str) or not _TIME.match(time)):
            raise BookmarkError("bookmark for %r: time must be ISO 8601 UTC ending in Z" % channel)
        clean[str(channel)] = {"record_id": record_id, "time": time}
    return clean


def merge_bookmarks(old, new):
    """Channels in ``new`` replace those in ``old``; channels only in ``old`` stay."""
    merged = dict(validate_bookmark(old))
    merged.update(validate_bookmark(new))
    return merged


def state_path(state_dir, host):
    """Path of the host's bookmark file; the host name is made filesystem safe."""
    if not isinstance(host, str) or not host:
        raise BookmarkError("host name must be a non-empty string")
    return os.path.join(state_dir, "%s.events.json" % host_file_stem(host))


@contextlib.contextmanager
def _locked(path):
    lock_path = path + ".lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read_unlocked(path):
    try:
        data = read_at_most(path, MAX_STATE_BYTES + 1)
    except FileNotFoundError:
        return {}
    if len(data) > MAX_STATE_BYTES:
        raise BookmarkError("%s: state file larger than %d bytes" % (path, MAX_STATE_BYTES))
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BookmarkError("%s: not valid JSON: %s" % (path, exc))
    if not isinstance(doc, dict) or doc.get("version") != STATE_VERSION:
        raise BookmarkError("%s: unknown state file format" % path)
    return validate_bookmark(doc.get("bookmark"))


def read_bookmark(state_dir, host):
    """Return the stored bookmark for ``host`` ({} when there is none yet)."""
    path = state_path(state_dir, host)
    if not os.path.isdir(state_dir):
        return {}
    # No lock: writers replace the file atomically, so a reader sees the old or
    # the new bookmark, never half of one. (Taking the lock created a .lock file
    # per host on the first audit: the costliest step of reading no bookmark.)
    return _read_unlocked(path)


def write_bookmark(state_dir, host, bookmark, *, merge=True, durable=True):
    """Atomically store ``bookmark`` for ``host``; returns what was written.

    With ``merge`` (default) channels missing from ``bookmark`` keep their stored
    value, so a run that could not read a channel does not forget where it was.
    ``durable=False`` skips the two fsyncs: for writing many hosts' bookmarks in
    a row, followed by one :func:`sync_state` (one fsync costs 2-5 ms here, two
    per host were most of the report step of a 2,000-host run). A crash before
    that sync can only leave an old or unreadable bookmark, and both make the
    next run read the events again (reported), never skip any. A write that
    fails raises ``state.ReportWriteError`` (an ``OSError``) and leaves the old file.
    """
    bookmark = validate_bookmark(bookmark)
    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    path = state_path(state_dir, host)
    with _locked(path):
        if merge:
            bookmark = merge_bookmarks(_read_unlocked(path), bookmark)
        payload = json.dumps({"version": STATE_VERSION, "host": host, "bookmark": bookmark},
                             sort_keys=True, indent=1).encode("utf-8")
        atomic_write(path, payload, durable=durable, sync_dir=durable, file_mode=PRIVATE_FILE, dir_mode=0o700)
    return bookmark


def sync_state(state_dir):
    """Flush bookmarks written with ``durable=False`` (one sync for all of them)."""
    if hasattr(os, "sync"):
        os.sync()
    fsync_dir(state_dir)
