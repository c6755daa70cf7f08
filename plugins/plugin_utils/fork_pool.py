# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one function over many items in a few forked processes. Internal to taskguard.windows.

Why not multiprocessing or concurrent.futures: the caller is an Ansible action,
which runs in an Ansible worker process, and multiprocessing refuses to start
children from a daemonic process and pickles every item and result through a
manager. Here the items are inherited by ``os.fork`` (nothing is pickled on the
way in, and what the parent loaded before forking, rules, inventory, parsed
definitions, is shared copy-on-write), and each child sends back one JSON line
per item through its own pipe. The parent reads every pipe as data arrives
(``selectors``), so a child never blocks on a full pipe.

Fail closed: an item whose function raised, or whose child died (killed, out of
memory, a crash in C code) while working on it, comes back as an error saying
so, never as a missing or empty result; the items that child had not started
yet are run again in new children. Children leave with ``os._exit``:
they never run the parent's cleanup (Ansible's worker exit, atexit handlers,
buffered output inherited from the parent).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import gc
import json
import os
import selectors
import signal

CHILD_FAILED = 70   # exit code of a child that could not send all its lines


def usable_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def map_items(fn, items, workers):
    """[(result, error)] in the order of ``items``: ``fn(item)`` (JSON-serializable)
    and None, or None and the text of what went wrong. ``workers`` processes at
    most (1: in this process, no fork)."""
    items = list(items)
    workers = max(1, min(int(workers or 1), len(items)))
    if workers == 1:
        return [_call(fn, item) for item in items]
    out = [None] * len(items)
    pending = list(range(len(items)))
    while pending:
        # A child that dies loses the item it was working on (that item's error) and the
        # items of its share it had not started: those go to a new round, so one hostile
        # item cannot take the results of the others with it.
        pending = _round(fn, items, pending, min(workers, len(pending)), out)
    return out


def _round(fn, items, indexes, workers, out):
    """Runs ``indexes`` in ``workers`` children, fills ``out``; returns the indexes not started."""
    # The children inherit the parent's heap (an Ansible worker's: the inventory, the play,
    # every host's variables). Frozen, it is outside their garbage collector's generations, so
    # a child's full collections do not walk it again and again; they walked it once per few
    # hosts, a cost that grew with the fleet (drift.yml at 4,000 hosts: wall -5.5 %, CPU -7 %,
    # 2 rounds; at 2,000: -3 % and -4 %; docs/performance.md).
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    try:
        children = _start(fn, items, indexes, workers)
    finally:
        if not frozen_before:   # what another part of the process froze stays frozen
            gc.unfreeze()
    lines = _read_all({read_fd: share for _pid, read_fd, share in children})
    not_started = []
    for pid, read_fd, share in children:
        _pid, status = os.waitpid(pid, 0)
        sent = lines[read_fd]
        for index, line in zip(share, sent):
            out[index] = _decode(line)
        if len(sent) < len(share):
            out[share[len(sent)]] = (None, "the process auditing it ended without a result (%s)" % _status_text(status))
            not_started.extend(share[len(sent) + 1:])
    return sorted(not_started)


def _start(fn, items, indexes, workers):
    """[(pid, read end, share)] of the children started. When a pipe or a fork fails part
    way, the children already started are killed and waited for before the error is raised:
    none is left writing results for a batch that failed."""
    children = []
    try:
        for number in range(workers):
            share = indexes[number::workers]   # interleaved: hosts of one kind spread out
            read_fd, write_fd = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(read_fd)
                os.close(write_fd)
                raise
            if pid == 0:   # pragma: no cover - the child's coverage is not collected; its output is tested
                os.close(read_fd)
                _child(fn, items, share, write_fd)
            os.close(write_fd)
            children.append((pid, read_fd, share))
    except OSError:
        for pid, read_fd, _share in children:
            os.close(read_fd)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        raise
    return children


def _call(fn, item):
    try:
        return fn(item), None
    except Exception as exc:  # noqa: BLE001 - one item's failure is that item's error, never the batch's
        return None, "%s: %s" % (type(exc).__name__, exc)


def _child(fn, items, share, write_fd):
    code = 0
    try:
        with os.fdopen(write_fd, "wb") as out:
            for index in share:
                result, error = _call(fn, items[index])
                try:
                    line = json.dumps([result, error], ensure_ascii=True, separators=(",", ":"))
                except (TypeError, ValueError) as exc:
                    line = json.dumps([None, "the result is not JSON: %s" % exc])
                out.write(line.encode("ascii") + b"\n")
                out.flush()
    except BaseException:  # noqa: BLE001 - the parent reports the items without a line
        code = CHILD_FAILED
    finally:
        os._exit(code)


def _read_all(shares):
    """{read_fd: [line bytes, ...]} once every child closed its pipe."""
    selector = selectors.DefaultSelector()
    buffers, lines = {}, {}
    for read_fd in shares:
        buffers[read_fd], lines[read_fd] = bytearray(), []
        selector.register(read_fd, selectors.EVENT_READ)
    open_fds = set(shares)
    while open_fds:
        for key, _events in selector.select():
            chunk = os.read(key.fd, 1 << 16)
            if not chunk:
                selector.unregister(key.fd)
                os.close(key.fd)
                open_fds.discard(key.fd)
                continue
            buf = buffers[key.fd]
            if b"\n" not in chunk:   # only the new bytes are searched: a long line is not split again per chunk
                buf += chunk
                continue
            head, _sep, tail = chunk.rpartition(b"\n")
            buf += head
            lines[key.fd].extend(bytes(line) for line in buf.split(b"\n"))
            buffers[key.fd] = bytearray(tail)
    selector.close()
    return lines


def _decode(line):
    try:
        result, error = json.loads(line.decode("ascii"))
        return result, error
    except (ValueError, TypeError) as exc:
        return None, "the result sent by the auditing process could not be read: %s" % exc


def _status_text(status):
    if os.WIFSIGNALED(status):
        return "killed by signal %d" % os.WTERMSIG(status)
    return "exit code %d" % os.waitstatus_to_exitcode(status)
