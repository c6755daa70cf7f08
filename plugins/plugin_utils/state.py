# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Atomic file writes and per-host bookmark files of the drift run.

Every file the drift run writes goes through ``atomic_write``: write to a temp
file in the same directory, fsync, ``os.replace``. A reader sees the old or the
new file, never half of one; a full disk or a read-only directory raises
``ReportWriteError`` with the path and the reason, and leaves the old file.

Event bookmarks use plugins/plugin_utils/bookmarks.py (issue 4); the drift
report step calls it only after every report is on disk.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import os
import stat
import tempfile

try:
    from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardError as _Base
except Exception:  # errors.py may not define TaskGuardError
    _Base = Exception


class ReportWriteError(_Base):
    """A report or state file could not be written (message says which and why)."""


def _explain(exc):
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "no space left on device"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "permission denied"
        if exc.errno == errno.EROFS:
            return "read-only file system"
        return exc.strerror or str(exc)
    return str(exc)


def read_at_most(path, limit):
    """``open(path, "rb").read(limit)`` of a regular file, without allocating
    ``limit`` bytes up front: a read capped at megabytes costs ~15 us of malloc
    per call even for a 1 KB file, which is most of the cost of the per-host
    state reads (bookmarks, caches, definition store entries). The caller
    compares the length with its cap as before. Raises OSError
    (FileNotFoundError when missing; EINVAL for a FIFO or device, never opened
    for reading so it cannot block)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        chunks, remaining = [], limit
        step = min(limit, info.st_size + 1) or 1
        while remaining > 0:
            data = os.read(fd, min(remaining, max(step, 65536) if chunks else step))
            if not data:
                break
            chunks.append(data)
            remaining -= len(data)
        return b"".join(chunks)
    finally:
        os.close(fd)


def atomic_write(path, data, *, durable=True, dir_mode=0o777):
    """Write bytes (or str as UTF-8) to ``path`` atomically.

    ``durable=False`` skips the fsync: for caches, whose loss in a crash only
    costs work, never correctness. ``dir_mode``: mode of a directory created
    for it (the state dir's caches use 0o700).
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, mode=dir_mode, exist_ok=True)
    except OSError as exc:
        raise ReportWriteError("cannot create directory %s: %s" % (directory, _explain(exc)))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise ReportWriteError("cannot write %s: %s" % (path, _explain(exc)))
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def check_writable(directory):
    """Fail early, with a clear message, when reports cannot be written there."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise ReportWriteError("report directory %s cannot be created: %s" % (directory, _explain(exc)))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ReportWriteError("report directory %s is not writable" % directory)
