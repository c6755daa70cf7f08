# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One host's audit inputs and its result as Ansible registers it. Internal to taskguard.windows.

The per-host action (``taskguard.windows.audit``) and the batch action for
evidence folders (``taskguard.windows.audit_offline``) both build an offline
host's inputs and result through here, so a host audited by either gives the
same result (apart from ``audited_at``):

    hints(args, hostvar, groups)        -> the scoping hints of host_facts
    window(args, name)                  -> the event window (bookmark from state_dir)
    offline_result(ctx, name, ...)      -> the registered result before spooling
    registered(state_dir, name, result) -> the spooled form (reference + light fields)

``hostvar(name)`` is the host's templated variable or None.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import os

from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support, pipeline, result_spool


def evidence_root(value):
    """The evidence folder a host is audited from (``offline_root`` or ``taskguard_offline_root``),
    or None for a host contacted live: any false value (unset, empty, false) means live.
    The per-host audit, the batch and the preflight decide through here alike."""
    return value if value else None


def now_text():
    """The audit's start time as recorded in ``audited_at`` (UTC, seconds)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def hints(args, hostvar, groups):
    """Operator hints of a host (its inventory groups and taskguard_* variables; an
    option of the task wins over the variable)."""
    return {"groups": list(groups or []),
            "os_family": args.get("os_family") or hostvar("taskguard_os_family"),
            "domain_role": args.get("domain_role") or hostvar("taskguard_domain_role"),
            "tier": hostvar("taskguard_tier"),
            "admin_surface": args["admin_surface"],
            "sysvol_root": args.get("sysvol_root") or hostvar("taskguard_sysvol_root"),
            "state_dir": args.get("state_dir")}   # the GPO task state of the last audit is read there


def window(args, name):
    """The event window: after the given ``since``, else after the bookmark kept in state_dir."""
    since, bookmark_error = args.get("since"), None
    if since is None and args.get("state_dir"):
        since, bookmark_error = audit_support.read_bookmark(args["state_dir"], name)
    return pipeline.Window(since, args["max_events"], bookmark_error)


def failed(msg, mode):
    return {"failed": True, "taskguard_status": "failed", "mode": mode, "msg": msg}


def offline_result(ctx, name, args, host_hints, offline_root, started):
    """The result of an evidence folder's audit (a failed result when the folder
    cannot be audited at all)."""
    audit, error = pipeline.audit_offline(ctx, name, host_hints, offline_root, window(args, name))
    if audit is None:
        return failed(error, "offline")
    out = dict(audit)
    out.update({"audited_at": started, "offline_root": os.path.abspath(str(offline_root))})
    return out


def registered(state_dir, name, result):
    """(what Ansible registers, warning or None): the spooled form of a result, its
    file reference and the light fields (result_spool.py). A failed result is
    registered whole (it is small); one whose file cannot be written too, with a
    warning saying why."""
    if result.get("failed"):
        return result, None
    try:
        ref = result_spool.write(state_dir, name, result)
    except result_spool.SpoolError as exc:
        return result, "%s: the audit result is registered in full (not spooled): %s" % (name, exc)
    light = {key: result[key] for key in result_spool.LIGHT_KEYS if key in result}
    for key in ("changed", "failed", "msg"):
        if key in result:
            light[key] = result[key]
    light["spool"] = ref
    return light, None
