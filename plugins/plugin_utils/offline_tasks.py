# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading task material out of an offline evidence root (a copy of ``C:``).

The evidence tree is hostile and irregular:

* path segments are matched case-insensitively (``Windows/system32/TASKS``
  happens in KAPE and tar copies made on case-sensitive file systems);
* a symlink whose target resolves outside the evidence root is refused and
  reported, never followed; symlinks inside the root are followed once (a
  directory already visited is reported as a loop);
* files that are not regular files, unreadable, or larger than the cap are
  reported as errors; the walk has a file-count budget.

Nothing here parses XML: it returns bytes and metadata for ``task_collection``.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import codecs
import hashlib
import os
import stat

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardError, clip_text
from ansible_collections.taskguard.windows.plugins.plugin_utils.state import read_fd_at_most
from ansible_collections.taskguard.windows.plugins.plugin_utils.taskcache import MAX_TASK_PATH, TASK_PATH_TOO_LONG

MAX_TASK_FILE_BYTES = 2 * 1024 * 1024   # same cap as task_model.MAX_TASK_BYTES
MAX_FILES = 50000                        # a real Tasks folder holds a few hundred
MAX_TOTAL_BYTES = 256 * 1024 * 1024      # a real one totals a few MB; bounds read time
MAX_DEPTH = 32

TASKS_SEGMENTS = ('Windows', 'System32', 'Tasks')
# Legacy job files (T1053.002): at.exe / NetScheduleJobAdd / v1 tasks write
# Windows\Tasks\<name>.job (MS-TSCH 2.4); the folder also holds desktop.ini and
# SA.DAT, which are not jobs.
JOBS_SEGMENTS = ('Windows', 'Tasks')
JOB_SUFFIX = '.job'
MAX_JOB_FILES = 1000
# Task folders the scheduler does not load, read because a task file there is
# evidence all the same (docs/task-collection.md, "Other task locations"):
# SysWOW64\Tasks receives what a 32-bit process writes to System32\Tasks (file
# system redirection); System32\Tasks_Migrated keeps the task files of the
# previous Windows after an in-place upgrade.
OTHER_TASK_LOCATIONS = (
    ('syswow64_tasks', ('Windows', 'SysWOW64', 'Tasks')),
    ('tasks_migrated', ('Windows', 'System32', 'Tasks_Migrated')),
)
HIVE_SEGMENTS = ('Windows', 'System32', 'config', 'SOFTWARE')
SYSTEM_HIVE_SEGMENTS = ('Windows', 'System32', 'config', 'SYSTEM')
REG_EXPORT_NAME = 'TaskCache.reg'


def _within(real_root, real_path):
    return real_path == real_root or real_path.startswith(real_root.rstrip(os.sep) + os.sep)


def find_case_insensitive(root, segments, errors=None):
    """Return the path under ``root`` matching ``segments`` case-insensitively, or None.

    An exact-case match wins; when several spellings exist (case-sensitive copy)
    the first in sorted order is used and the ambiguity reported in ``errors``.
    Symlinked segments pointing outside ``root`` are refused.
    """
    real_root = None   # resolved at the first symlinked segment (a plain copy has none)
    current = root
    for segment in segments:
        try:
            names = sorted(os.listdir(current))
        except OSError:
            return None
        if segment in names:
            match = segment
        else:
            matches = [n for n in names if n.lower() == segment.lower()]
            if not matches:
                return None
            match = matches[0]
            if len(matches) > 1 and errors is not None:
                errors.append({'source': 'files', 'path': os.path.join(current, match),
                               'error': 'several spellings of %r exist (%s): used %r'
                                        % (segment, ', '.join(matches), match)})
        candidate = os.path.join(current, match)
        # Only a symlink can lead out of the folder it is listed in (a listed name is
        # never '.' or '..'): a plain segment needs no realpath (~20 us, an lstat per
        # component of the whole path, several times for every host).
        if os.path.islink(candidate):
            real_root = real_root or os.path.realpath(root)
            if not _within(real_root, os.path.realpath(candidate)):
                if errors is not None:
                    errors.append({'source': 'files', 'path': candidate,
                                   'error': 'symlink points outside the evidence root: refused'})
                return None
        current = candidate
    return current


def content_sha256(data):
    """SHA-256 of a task file without its UTF-16 LE BOM.

    This is what the TaskCache ``Hash`` value holds on current Windows versions
    (libyal winreg-kb, "Task scheduler"; see docs/task-collection.md).
    """
    if data.startswith(codecs.BOM_UTF16_LE):
        data = data[2:]
    return hashlib.sha256(data).hexdigest()


class NotRegularFile(OSError, TaskGuardError):
    """A FIFO, device, socket or folder where a file was expected (an OSError, as
    any other reason a file of the evidence cannot be read)."""


def _open_regular_fd(path):
    """(fd, stat) of a regular file opened for reading without following a final
    symlink. O_NONBLOCK: opening a FIFO planted in the evidence blocked the run
    forever (issue 9); with it the open returns at once and the S_ISREG check
    refuses the FIFO. Raises OSError (NotRegularFile for anything but a regular file)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0)
                 | getattr(os, 'O_CLOEXEC', 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile('not a regular file')
        return fd, info
    except BaseException:
        os.close(fd)
        raise


def open_regular_file(path):
    """A binary file object of a regular file (``_open_regular_fd``), for streamed reads."""
    fd, _info = _open_regular_fd(path)
    try:
        return os.fdopen(fd, 'rb')
    except BaseException:
        os.close(fd)
        raise


def read_regular_file(path, max_bytes):
    """(size, bytes) of a regular file (``_open_regular_fd``); bytes is None when the
    file holds more than ``max_bytes`` (never more than ``max_bytes + 1`` bytes are
    read, whatever the size the file system claims). Raises OSError."""
    fd, info = _open_regular_fd(path)
    try:
        if info.st_size > max_bytes:
            return info.st_size, None
        # Unbuffered: a buffered read(max_bytes + 1) allocated the whole cap (2 MiB
        # for a task file) for every file, ~24 us and several page faults per 5 KB file.
        data = read_fd_at_most(fd, max_bytes + 1, info.st_size)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        return len(data), None
    return len(data), data


def is_inside(path, root):
    """Whether ``path`` resolves (links followed) to ``root`` or below it."""
    return _within(os.path.realpath(root), os.path.realpath(path))


class BoundedWalk(object):
    """One bounded read of folders under an evidence root: the budgets, what was
    read, what went wrong. Shared by the task files, the job files and any other
    offline collector that reads folders of hostile evidence.

    ``errors`` gets ``{"source", "path", "error"}`` entries (``source`` as given);
    ``files`` is for the caller's records, at most ``max_files`` of them (the walk
    enforces it: ``room_for_file``, ``first_files``); ``total`` counts the bytes read.
    """

    def __init__(self, root, *, max_file_bytes, max_files, max_total_bytes=MAX_TOTAL_BYTES,
                 source='files', what='task files'):
        self.root, self._real_root = root, None
        self.max_file_bytes, self.max_files, self.max_total_bytes = max_file_bytes, max_files, max_total_bytes
        self.source, self.what = source, what
        self.errors, self.files, self.visited, self.total = [], [], set(), 0

    @property
    def real_root(self):
        """The root with its links resolved, for checking where a symlink leads
        (resolved at the first one: a plain copy of a volume has none)."""
        if self._real_root is None:
            self._real_root = os.path.realpath(self.root)
        return self._real_root

    def error(self, path, text):
        # a path of the evidence can be thousands of characters long: cut
        self.errors.append({'source': self.source, 'path': clip_text(path) if path else path, 'error': text})

    def room_for_file(self, rel):
        """True while fewer than ``max_files`` records are kept; else the stop is
        reported under ``rel`` (the first file not read) and False."""
        if len(self.files) < self.max_files:
            return True
        self.error(rel, 'more than %d %s: walk stopped' % (self.max_files, self.what))
        return False

    def first_files(self, names, rel):
        """The first of ``names`` (one listing) that fit the file budget; the cut is
        reported under ``rel`` (the folder) with how many there were."""
        room = max(self.max_files - len(self.files), 0)
        if len(names) > room:
            self.error(rel, '%d %s, only the first %d read' % (len(names), self.what, room))
            return names[:room]
        return names

    def list_folder(self, directory, rel):
        """The entries of one folder sorted by name, or None (reported under ``rel``)
        when it cannot be read or was seen before (a link loop)."""
        try:
            info = os.stat(directory)
        except OSError as exc:
            self.error(rel, 'cannot stat folder: %s' % exc.strerror)
            return None
        ident = (info.st_dev, info.st_ino)
        if ident in self.visited:
            self.error(rel, 'folder already visited (symlink loop): skipped')
            return None
        self.visited.add(ident)
        try:
            with os.scandir(directory) as it:
                return sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.error(rel, 'cannot list folder: %s' % (exc.strerror or exc))
            return None

    def entry_kind(self, entry, rel):
        """(path to read, is_dir, is_file), or None when refused (a link out of the
        root) or unreadable (reported under ``rel``)."""
        full = entry.path
        try:
            if entry.is_symlink():
                target = os.path.realpath(full)
                if not _within(self.real_root, target):
                    self.error(rel, 'symlink points outside the evidence root: refused')
                    return None
                return target, os.path.isdir(target), os.path.isfile(target)
            return full, entry.is_dir(follow_symlinks=False), entry.is_file(follow_symlinks=False)
        except OSError as exc:
            self.error(rel, 'cannot stat: %s' % (exc.strerror or exc))
            return None

    def read(self, full):
        """(size, bytes, error) of one file within the per-file and total budgets:
        bytes is None, and error says why, when it was not read."""
        if self.total >= self.max_total_bytes:
            # Still listed (the file exists), but no longer read.
            return None, None, 'more than %d bytes of %s read: content not read' % (self.max_total_bytes, self.what)
        try:
            size, data = read_regular_file(full, self.max_file_bytes)
        except OSError as exc:
            return None, None, 'cannot read: %s' % (exc.strerror or exc)
        if data is None:
            return size, None, 'file of %d bytes exceeds the limit of %d: not parsed' % (size, self.max_file_bytes)
        self.total += len(data)
        return size, data, None


def walk_task_files(root, *, max_file_bytes=MAX_TASK_FILE_BYTES, max_files=MAX_FILES,
                    max_total_bytes=MAX_TOTAL_BYTES, segments=TASKS_SEGMENTS, optional=False):
    """Find and read the task files of an evidence root (``segments``: the task
    folder, ``Windows/System32/Tasks`` unless another location is read).

    Returns (tasks_dir or None, files, errors). Each file is
    ``{"path": "\\\\Folder\\\\Name", "size", "sha256", "content_sha256", "data": bytes|None, "error"}``;
    ``data`` is None (and ``error`` set) when the file was too large or unreadable;
    ``sha256`` is computed here over ``data`` (task_collection gives it to
    definition_memo as its key: it must never come from anywhere else).
    A file whose task path is longer than taskcache.MAX_TASK_PATH is not read: its
    record has the path cut (clip_text), ``data`` None, ``error`` TASK_PATH_TOO_LONG
    and ``path_too_long`` True (no task of the host: task_collection makes it an
    unparseable entry, as for a live host); a folder whose path is that long is
    not walked (an error, as one too deep).
    ``optional``: a folder Windows may not have (OTHER_TASK_LOCATIONS): its absence,
    or a file in its place, is tasks_dir None without an error (a refused link or an
    ambiguous spelling on the way is still an error, reported once, here).
    """
    walk = BoundedWalk(root, max_file_bytes=max_file_bytes, max_files=max_files, max_total_bytes=max_total_bytes)
    tasks_dir = find_case_insensitive(root, segments, walk.errors)
    if optional and tasks_dir is not None and not os.path.isdir(tasks_dir):
        tasks_dir = None
    if tasks_dir is None:
        if not optional:
            walk.error(os.path.join(root, *segments), 'no %s folder in the evidence root' % '/'.join(segments))
        return None, walk.files, walk.errors
    stack = [(tasks_dir, '', 0)]
    while stack:
        directory, rel, depth = stack.pop()
        for entry in walk.list_folder(directory, rel or '\\') or ():
            task_path = rel + '\\' + entry.name
            kind = walk.entry_kind(entry, task_path)
            if kind is None:
                continue
            full, is_dir, is_file = kind
            if is_dir:
                if len(task_path) > MAX_TASK_PATH:
                    walk.error(task_path, 'folder path longer than %d characters: not walked' % MAX_TASK_PATH)
                elif depth + 1 > MAX_DEPTH:
                    walk.error(task_path, 'deeper than %d folders: not walked' % MAX_DEPTH)
                else:
                    stack.append((full, task_path, depth + 1))
                continue
            if not is_file:
                walk.error(task_path, 'not a regular file: skipped')
                continue
            if not walk.room_for_file(task_path):
                return tasks_dir, walk.files, walk.errors
            if len(task_path) > MAX_TASK_PATH:
                walk.files.append({'path': clip_text(task_path), 'size': None, 'sha256': None, 'content_sha256': None,
                                   'data': None, 'error': TASK_PATH_TOO_LONG, 'path_too_long': True})
                continue
            walk.files.append(_task_file_record(walk, full, task_path))
    return tasks_dir, walk.files, walk.errors


def _task_file_record(walk, full, task_path):
    """The record of one task file, read within the walk's budgets."""
    size, data, error = walk.read(full)
    record = {'path': task_path, 'size': size, 'sha256': None, 'content_sha256': None, 'data': data, 'error': error}
    if data is not None:
        record['sha256'] = hashlib.sha256(data).hexdigest()
        record['content_sha256'] = content_sha256(data)
    return record


def walk_job_files(root, *, max_file_bytes, max_files=MAX_JOB_FILES):
    """Read ``Windows/Tasks/*.job`` (not recursive: the scheduler keeps jobs in that
    folder only). Returns (jobs_dir or None, records, errors); a record is
    ``{"name", "size", "data": bytes|None, "error"}``. ``jobs_dir`` None means the
    folder is not in the evidence (or could not be listed): job files were not looked at."""
    walk = BoundedWalk(root, max_file_bytes=max_file_bytes, max_files=max_files, source='job_files', what='job files')
    jobs_dir = find_case_insensitive(root, JOBS_SEGMENTS, walk.errors)
    if jobs_dir is None or not os.path.isdir(jobs_dir):
        return None, walk.files, walk.errors
    entries = walk.list_folder(jobs_dir, 'Windows\\Tasks')
    if entries is None:
        return None, walk.files, walk.errors
    names = [e.name for e in entries if e.name.lower().endswith(JOB_SUFFIX)]
    for name in walk.first_files(names, 'Windows\\Tasks'):
        full = os.path.join(jobs_dir, name)
        record = {'name': name, 'size': None, 'data': None, 'error': None}
        # a plain file of the (checked) jobs folder stays in the root; a link is resolved
        if os.path.islink(full) and not _within(walk.real_root, os.path.realpath(full)):
            record['error'] = 'symlink points outside the evidence root: refused'
        else:
            record['size'], record['data'], record['error'] = walk.read(full)
        walk.files.append(record)
    return jobs_dir, walk.files, walk.errors
