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
    real_root = os.path.realpath(root)
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


def _read_regular(path, max_bytes):
    """Read a regular file without following a final symlink, bounded in size."""
    flags = os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError('not a regular file')
        if info.st_size > max_bytes:
            return info.st_size, None
        chunks = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b''.join(chunks)
        if len(data) > max_bytes:
            return len(data), None
        return len(data), data
    finally:
        os.close(fd)


class _Walk(object):
    """State of one walk of a task folder: what was read, what went wrong, the budgets."""

    def __init__(self, root, max_file_bytes, max_files, max_total_bytes):
        self.real_root = os.path.realpath(root)
        self.max_file_bytes, self.max_files, self.max_total_bytes = max_file_bytes, max_files, max_total_bytes
        self.errors, self.files, self.visited, self.total = [], [], set(), 0

    def error(self, path, text):
        self.errors.append({'source': 'files', 'path': path, 'error': text})


def walk_task_files(root, *, max_file_bytes=MAX_TASK_FILE_BYTES, max_files=MAX_FILES,
                    max_total_bytes=MAX_TOTAL_BYTES, segments=TASKS_SEGMENTS):
    """Find and read the task files of an evidence root (``segments``: the task
    folder, ``Windows/System32/Tasks`` unless another location is read).

    Returns (tasks_dir or None, files, errors). Each file is
    ``{"path": "\\\\Folder\\\\Name", "size", "sha256", "content_sha256", "data": bytes|None, "error"}``;
    ``data`` is None (and ``error`` set) when the file was too large or unreadable.
    """
    walk = _Walk(root, max_file_bytes, max_files, max_total_bytes)
    tasks_dir = find_case_insensitive(root, segments, walk.errors)
    if tasks_dir is None:
        walk.error(os.path.join(root, *segments), 'no %s folder in the evidence root' % '/'.join(segments))
        return None, walk.files, walk.errors
    stack = [(tasks_dir, '', 0)]
    while stack:
        directory, rel, depth = stack.pop()
        for entry in _list_folder(walk, directory, rel):
            task_path = rel + '\\' + entry.name
            kind = _entry_kind(walk, entry, task_path)
            if kind is None:
                continue
            full, is_dir, is_file = kind
            if is_dir:
                if depth + 1 > MAX_DEPTH:
                    walk.error(task_path, 'deeper than %d folders: not walked' % MAX_DEPTH)
                else:
                    stack.append((full, task_path, depth + 1))
                continue
            if not is_file:
                walk.error(task_path, 'not a regular file: skipped')
                continue
            if len(walk.files) >= max_files:
                walk.error(task_path, 'more than %d files: walk stopped' % max_files)
                return tasks_dir, walk.files, walk.errors
            walk.files.append(_read_task_file(walk, full, task_path))
    return tasks_dir, walk.files, walk.errors


def _list_folder(walk, directory, rel):
    """The entries of one folder, sorted; [] when it cannot be read or was seen (a link loop)."""
    try:
        info = os.stat(directory)
    except OSError as exc:
        walk.error(rel or '\\', 'cannot stat folder: %s' % exc.strerror)
        return []
    ident = (info.st_dev, info.st_ino)
    if ident in walk.visited:
        walk.error(rel or '\\', 'folder already visited (symlink loop): skipped')
        return []
    walk.visited.add(ident)
    try:
        with os.scandir(directory) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError as exc:
        walk.error(rel or '\\', 'cannot list folder: %s' % (exc.strerror or exc))
        return []


def _entry_kind(walk, entry, task_path):
    """(path to read, is_dir, is_file), or None when refused (a link out of the root) or unreadable."""
    full = entry.path
    try:
        if entry.is_symlink():
            target = os.path.realpath(full)
            if not _within(walk.real_root, target):
                walk.error(task_path, 'symlink points outside the evidence root: refused')
                return None
            return target, os.path.isdir(target), os.path.isfile(target)
        return full, entry.is_dir(follow_symlinks=False), entry.is_file(follow_symlinks=False)
    except OSError as exc:
        walk.error(task_path, 'cannot stat: %s' % (exc.strerror or exc))
        return None


def _read_task_file(walk, full, task_path):
    """The record of one task file, read within the per-file and total budgets."""
    record = {'path': task_path, 'size': None, 'sha256': None, 'content_sha256': None, 'data': None, 'error': None}
    if walk.total >= walk.max_total_bytes:
        # Still listed (the task exists), but no longer read.
        record['error'] = 'more than %d bytes of task files read: content not read' % walk.max_total_bytes
        return record
    try:
        size, data = _read_regular(full, walk.max_file_bytes)
    except OSError as exc:
        record['error'] = 'cannot read: %s' % (exc.strerror or exc)
        return record
    record['size'] = size
    walk.total += len(data) if data is not None else 0
    if data is None:
        record['error'] = 'file of %d bytes exceeds the limit of %d: not parsed' % (size, walk.max_file_bytes)
    else:
        record['sha256'] = hashlib.sha256(data).hexdigest()
        record['content_sha256'] = content_sha256(data)
        record['data'] = data
    return record


def walk_job_files(root, *, max_file_bytes, max_files=MAX_JOB_FILES):
    """Read ``Windows/Tasks/*.job`` (not recursive: the scheduler keeps jobs in that
    folder only). Returns (jobs_dir or None, records, errors); a record is
    ``{"name", "size", "data": bytes|None, "error"}``. ``jobs_dir`` None means the
    folder is not in the evidence: job files were not looked at."""
    errors = []
    records = []
    jobs_dir = find_case_insensitive(root, JOBS_SEGMENTS, errors)
    if jobs_dir is None or not os.path.isdir(jobs_dir):
        return None, records, errors
    real_root = os.path.realpath(root)
    try:
        with os.scandir(jobs_dir) as it:
            names = sorted(e.name for e in it if e.name.lower().endswith(JOB_SUFFIX))
    except OSError as exc:
        errors.append({'source': 'job_files', 'path': 'Windows\\Tasks',
                       'error': 'cannot list folder: %s' % (exc.strerror or exc)})
        return None, records, errors
    if len(names) > max_files:
        errors.append({'source': 'job_files', 'path': 'Windows\\Tasks',
                       'error': '%d job files, only the first %d read' % (len(names), max_files)})
        names = names[:max_files]
    for name in names:
        full = os.path.join(jobs_dir, name)
        record = {'name': name, 'size': None, 'data': None, 'error': None}
        if not _within(real_root, os.path.realpath(full)):
            record['error'] = 'symlink points outside the evidence root: refused'
        else:
            try:
                size, data = _read_regular(full, max_file_bytes)
                record['size'], record['data'] = size, data
                if data is None:
                    record['error'] = 'file of %d bytes exceeds the limit of %d: not parsed' % (size, max_file_bytes)
            except OSError as exc:
                record['error'] = 'cannot read: %s' % (exc.strerror or exc)
        records.append(record)
    return jobs_dir, records, errors
