# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host's full audit result handed from the audit step to the report step in
a file, not through Ansible's variables.

Why: a registered result is templated again when the report step reads it
through ``hostvars`` (ansible-core 2.19 finalizes every nested value of it),
and it is kept in the controller process for the rest of the run. Measured
with ``ansible-playbook playbooks/drift.yml`` over 300 offline hosts
(docs/performance.md): reading the registered results cost the report step
~18 ms of CPU per host under the profiler, in one process after every host was
audited, so it added straight to the run's wall time. A JSON file per host is
read back in well under a millisecond.

The contract (the audit action writes, the report action reads):

* ``write(state_dir, host, result)`` stores the result as JSON under
  ``<state_dir>/spool/<host>.<sha256>.<nonce>.json`` and returns the reference
  ``{"sha256": ..., "nonce": ..., "bytes": ...}`` the audit action registers
  (with the light fields of the result: ``LIGHT_KEYS``);
* ``read(state_dir, host, ref)`` recomputes the file name from the host, the
  digest and the nonce (a path is never taken from a variable), reads at most
  ``MAX_SPOOL_BYTES`` and returns the result only when its SHA-256 is the
  registered one: a file left by another run, changed, truncated or missing is
  an error, and the report marks the host as not audited (fail closed);
* ``remove`` deletes a file once the reports are written; ``sweep`` removes
  files older than ``STALE_SECONDS`` that a run which died left behind.

The name carries a random nonce: two runs sharing a state dir that audit the
same host with the same result (an evidence folder audited twice in the same
second) write two files, and one run's report never deletes the other's. The files are as trustworthy as the state dir
(which also holds the event bookmarks): keep it writable by the controller
account only.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import contextlib
import hashlib
import json
import os
import re
import time

from ansible_collections.taskguard.windows.plugins.plugin_utils import state
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.gc_pause import paused as gc_paused
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardError

SPOOL_DIR = "spool"
MAX_SPOOL_BYTES = 64 * 1024 * 1024
STALE_SECONDS = 2 * 24 * 3600
# What the audit action still registers beside the reference: small fields a
# playbook may test (verdict, summary), never the findings and their evidence.
LIGHT_KEYS = ("host", "mode", "status", "verdict", "tier", "summary", "counts", "os_family", "os_source",
              "domain_role", "os_build", "audited_at", "offline_root", "definition_cache", "taskguard_status")

_SHA256 = re.compile(r"\A[0-9a-f]{64}\Z")
_NONCE = re.compile(r"\A[0-9a-f]{16}\Z")
_SPOOL_NAME = re.compile(r"\A(?:[A-Za-z0-9][A-Za-z0-9._-]{0,200}|x-[0-9a-f]{1,400})\.[0-9a-f]{64}\.[0-9a-f]{16}\.json\Z")


class SpoolError(TaskGuardError):
    """A spooled result could not be written or read back (the message says why)."""


class PlainResult(dict):
    """A result ``resolve`` read back from its spool file: ``json.loads`` output,
    so plain JSON types only (no Ansible wrapper, no tuple). The report step takes
    it as it is instead of copying it into plain types (report_runner._plain: ~0.7 s
    of CPU and a second copy of every result at 2,000 hosts)."""


def spool_dir(state_dir):
    return os.path.join(state_dir, SPOOL_DIR)


def _file_name(host, ref):
    if not isinstance(host, str) or not host:
        raise SpoolError("host name must be a non-empty string")
    return "%s.%s.%s.json" % (state.host_file_stem(host), ref["sha256"], ref["nonce"])


def write(state_dir, host, result):
    """Store ``result`` (JSON-serializable); returns its reference. Raises SpoolError."""
    try:
        # ASCII: a lone surrogate in a host's text (valid in JSON escapes) cannot be UTF-8 encoded
        data = json.dumps(result, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    except (TypeError, ValueError) as exc:
        raise SpoolError("the audit result is not JSON: %s" % exc)
    if len(data) > MAX_SPOOL_BYTES:
        raise SpoolError("the audit result is %d bytes, over the %d-byte bound" % (len(data), MAX_SPOOL_BYTES))
    ref = {"sha256": hashlib.sha256(data).hexdigest(), "nonce": os.urandom(8).hex(), "bytes": len(data)}
    path = os.path.join(spool_dir(state_dir), _file_name(host, ref))
    try:
        # not fsynced: the file lives for one run; a crash loses the run anyway
        state.atomic_write(path, data, durable=False, file_mode=state.PRIVATE_FILE, dir_mode=0o700)
    except state.ReportWriteError as exc:
        raise SpoolError(str(exc))
    return ref


def is_ref(value):
    return (isinstance(value, dict) and isinstance(value.get("sha256"), str) and bool(_SHA256.match(value["sha256"]))
            and isinstance(value.get("nonce"), str) and bool(_NONCE.match(value["nonce"])))


def read(state_dir, host, ref):
    """The result ``write`` stored for ``host`` under ``ref``. Raises SpoolError."""
    if not is_ref(ref):
        raise SpoolError("the registered result names no valid spool file")
    path = os.path.join(spool_dir(state_dir), _file_name(host, ref))
    try:
        data = state.read_at_most(path, MAX_SPOOL_BYTES + 1)
    except OSError as exc:
        raise SpoolError("the audit result file %s could not be read: %s (the report step reads the state dir of the "
                         "host that runs it: taskguard_state_dir must be the same for every host of the play)"
                         % (path, exc.strerror or exc))
    if len(data) > MAX_SPOOL_BYTES:
        raise SpoolError("the audit result file %s is over %d bytes" % (path, MAX_SPOOL_BYTES))
    if hashlib.sha256(data).hexdigest() != ref["sha256"]:
        raise SpoolError("the audit result file %s is not the one this run wrote (its SHA-256 differs)" % path)
    try:
        result = json.loads(data.decode("ascii"))
    except ValueError as exc:   # UnicodeDecodeError too
        raise SpoolError("the audit result file %s is not JSON: %s" % (path, exc))
    if not isinstance(result, dict):
        raise SpoolError("the audit result file %s holds no result" % path)
    return result


def remove(state_dir, host, ref):
    """Delete a consumed file; a file already gone is fine, other errors are returned."""
    if not is_ref(ref):
        return None
    try:
        os.unlink(os.path.join(spool_dir(state_dir), _file_name(host, ref)))
    except FileNotFoundError:
        return None
    except OSError as exc:
        return str(exc)
    return None


def sweep(state_dir, now=None, max_age=STALE_SECONDS):
    """Remove spool files older than ``max_age`` (left by a run that died before
    its report step); only names of the spool's own pattern, only regular files.
    Returns how many were removed."""
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(spool_dir(state_dir)))
    except OSError:
        return 0
    for entry in entries:
        if not _SPOOL_NAME.match(entry.name):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if entry.is_file(follow_symlinks=False) and now - info.st_mtime > max_age:
                os.unlink(entry.path)
                removed += 1
    return removed


def resolve(state_dir, results):
    """(results, spooled): each registered result that names a spool file replaced
    by the full result read back from it; one that cannot be read becomes a failed
    result saying why (the host is reported as not audited). ``spooled``:
    {host: reference} of the files read, for ``discard`` once the reports exist."""
    out, spooled = {}, {}
    with gc_paused():   # each result read adds thousands of objects that full collections walked again
        for host, res in (results or {}).items():
            ref = res.get("spool") if isinstance(res, dict) else None
            if ref is None:
                out[host] = res
                continue
            try:
                if not state_dir:
                    raise SpoolError("the report step was given no state_dir to read it from")
                out[host] = PlainResult(read(state_dir, str(host), _plain(ref)))
                spooled[host] = _plain(ref)
            except SpoolError as exc:
                out[host] = {"failed": True, "taskguard_status": "failed", "mode": res.get("mode"),
                             "msg": "the audit result of this host could not be read back: %s" % exc}
    return out, spooled


def discard(state_dir, spooled):
    """Delete the files ``resolve`` read, then the stale ones; returns the errors."""
    if not state_dir:
        return []
    errors = [e for e in (remove(state_dir, str(host), ref) for host, ref in sorted(spooled.items())) if e]
    sweep(state_dir)
    return errors


def _plain(ref):
    # the registered reference comes back through Ansible's variables (tagged strings)
    if not isinstance(ref, dict):
        return ref
    return {"sha256": str(ref.get("sha256")), "nonce": str(ref.get("nonce")), "bytes": ref.get("bytes")}
