# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one atomic file writer of the collection, and capped reads of state files.

Every file the collection writes goes through ``atomic_write``: reports
(drift_reports/write.py), event bookmarks (bookmarks.py), the per-host caches
(definition_cache.py) and the shared definition store
(definition_store.py). It writes a temporary file in the same directory under a
random name created exclusively (``O_EXCL``: forks, AWX slices in other
containers with the same pid, two runs by hand never share one), optionally
fsyncs it, and ``os.replace``s it over the old file: a reader sees the old or
the new file, never half of one. A full disk or a read-only directory raises
``ReportWriteError`` with the path and the reason, and leaves the old file and
no temporary one.

What differs between callers is an option, never a second implementation:
``durable`` (fsync the file; caches and the store skip it, since a loss in a
crash only costs work), ``sync_dir`` (also fsync the directory, making the
rename durable: bookmarks), ``file_mode`` (reports 0644, state 0600) and
``dir_mode`` (0700 for the state dir). Missing folders are created only when
the temporary file cannot be created, each with ``dir_mode``: the definition
store writes hundreds of small files and a ``makedirs`` per file would cost a
syscall each for nothing.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import contextlib
import errno
import os
import re
import stat

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardError

PRIVATE_FILE = 0o600
PUBLIC_FILE = 0o644
_SAFE_HOST = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,200}\Z")


def host_file_stem(host):
    """The part of a per-host state file's name that names the host (bookmarks,
    GPO task state, definition cache, spooled audit results): the name itself
    when it is plain, else ``x-`` and its UTF-8 in hex, so that an unusual name
    (slashes, unicode, leading dots) can never leave the state dir nor collide
    with another host's file."""
    host = str(host)
    if _SAFE_HOST.match(host) and host not in (".", ".."):
        return host
    return "x-" + host.encode("utf-8").hex()[:400]


class ReportWriteError(TaskGuardError, OSError):
    """A report or state file could not be written (message says which and why).

    Also an ``OSError``: that is what a failed write is, and what callers of
    the bookmark writer caught before it used this writer."""


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
        return read_fd_at_most(fd, limit, info.st_size)
    finally:
        os.close(fd)


def read_fd_at_most(fd, limit, size):
    """At most ``limit`` bytes of an open file whose size the file system claims
    is ``size``: the first read asks for ``size + 1`` bytes (one more, so that a
    file that grew, or a lying size, is noticed), never for ``limit`` up front.
    Also the offline evidence reader's (offline_tasks.read_regular_file): a
    buffered ``read(limit)`` allocated its 2 MiB cap for every 5 KB task file."""
    chunks, remaining = [], limit
    step = min(limit, size + 1) or 1
    while remaining > 0:
        data = os.read(fd, min(remaining, max(step, 65536) if chunks else step))
        if not data:
            break
        chunks.append(data)
        remaining -= len(data)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def atomic_write(path, data, *, durable=True, sync_dir=False, file_mode=PUBLIC_FILE, dir_mode=0o777):
    """Write bytes (or str as UTF-8) to ``path`` atomically; raises ``ReportWriteError``.

    ``durable=False`` skips the fsync: for caches, whose loss in a crash only
    costs work, never correctness. ``sync_dir`` also fsyncs the directory after
    the rename. ``file_mode``: the file's mode (``PRIVATE_FILE`` costs no chmod:
    the temporary file is created 0600). ``dir_mode``: mode of every folder
    created for it (the state dir's use 0o700).
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    directory = os.path.dirname(os.path.abspath(path))
    # Random and exclusive (see the module docstring); starts with ".tmp-" and
    # ends with ".tmp" so that a leftover is both hidden and recognisable, and
    # keeps (part of) the name so that a fault report or an strace names the file.
    tmp = os.path.join(directory, ".tmp-%s.%s.tmp" % (os.path.basename(path)[:64], os.urandom(6).hex()))
    try:
        fd = _create(tmp, directory, dir_mode)
    except ReportWriteError:
        raise
    except OSError as exc:
        raise ReportWriteError("cannot write %s: %s" % (path, _explain(exc)))
    try:
        if file_mode != PRIVATE_FILE:
            os.fchmod(fd, file_mode)
        with os.fdopen(fd, "wb") as handle:
            fd = None
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise ReportWriteError("cannot write %s: %s" % (path, _explain(exc)))
    finally:
        if fd is not None:
            os.close(fd)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    if sync_dir:
        fsync_dir(directory)


def _create(tmp, directory, dir_mode):
    """Create ``tmp`` exclusively (0600); its folders only when they are missing."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(tmp, flags, PRIVATE_FILE)
    except FileNotFoundError:
        pass
    try:
        make_dirs(directory, dir_mode)
    except OSError as exc:
        raise ReportWriteError("cannot create directory %s: %s" % (directory, _explain(exc)))
    return os.open(tmp, flags, PRIVATE_FILE)


def make_dirs(directory, mode):
    """Create ``directory`` and its missing parents, each with ``mode``
    (``os.makedirs`` gives the mode to the last folder only)."""
    missing = []
    while not os.path.isdir(directory):
        missing.append(directory)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, mode)
        except FileExistsError:
            if not os.path.isdir(folder):
                raise


def fsync_dir(directory):
    """Make the renames in ``directory`` durable; best effort (not every file
    system can fsync a directory)."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def check_writable(directory):
    """Fail early, with a clear message, when reports cannot be written there."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise ReportWriteError("report directory %s cannot be created: %s" % (directory, _explain(exc)))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ReportWriteError("report directory %s is not writable" % directory)
