# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the hardening role's per-host compliance files into the drift report.

The hardening role (``playbooks/compliance.yml``, or ``harden.yml``) writes
``compliance-<host>.json`` (schema ``taskguard.hardening.compliance/1``, see
docs/hardening.md). The drift report shows, per host, each control's status,
so a security analyst sees next to the findings whether the evidence those
findings rely on is switched on (Operational channel, audit policy) and whether
remote task registration is closed.

A file that is absent reads as ``not_audited``, a file that cannot be trusted as
written (too large, not JSON, another schema, wrong shapes) as ``invalid``:
neither is ever shown as compliant.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

from ansible_collections.taskguard.windows.plugins.plugin_utils.hardening import (
    REPORT_SCHEMA, STATUSES, HardeningInputError, safe_filename,
)

# A compliance file holds about ten controls: anything much larger is not ours.
MAX_BYTES = 1024 * 1024
_TEXT_LIMIT = 1000


def _text(value):
    if value is None:
        return None
    return str(value)[:_TEXT_LIMIT]


def _invalid(path, why):
    return {"status": "invalid", "file": path, "error": why, "controls": [], "summary": {}}


def _controls(raw):
    controls = []
    for item in raw:
        if not isinstance(item, dict) or item.get("status") not in STATUSES or not isinstance(item.get("id"), str):
            raise ValueError("a control is not {id, status in %s}" % ", ".join(STATUSES))
        controls.append({"id": _text(item["id"]), "name": _text(item.get("name")),
                         "status": item["status"], "detail": _text(item.get("detail"))})
    return controls


def read_compliance(directory, host):
    """Return the compliance section of one host for the drift report."""
    try:
        path = os.path.join(directory, "compliance-%s.json" % safe_filename(host))
    except HardeningInputError as exc:
        return _invalid(None, str(exc))
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return {"status": "not_audited", "file": path, "error": None, "controls": [], "summary": {}}
    except OSError as exc:
        return _invalid(path, "cannot read: %s" % exc.strerror)
    if len(data) > MAX_BYTES:
        return _invalid(path, "larger than %d bytes" % MAX_BYTES)
    try:
        doc = json.loads(data.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("schema") != REPORT_SCHEMA:
            raise ValueError("schema is not %s" % REPORT_SCHEMA)
        if doc.get("host") != host:
            raise ValueError("written for host %r" % _text(doc.get("host")))
        if not isinstance(doc.get("controls"), list):
            raise ValueError("controls is not a list")
        controls = _controls(doc["controls"])
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        return _invalid(path, "not a compliance report: %s" % _text(exc))
    summary = {status: 0 for status in STATUSES}
    for control in controls:
        summary[control["status"]] += 1
    return {"status": "included", "file": path, "error": None, "mode": _text(doc.get("mode")),
            "generated_at": _text(doc.get("generated_at")), "controls": controls, "summary": summary}


def compliance_summary(hosts):
    """Fleet counts: hosts per compliance status, and controls per status."""
    out = {"hosts_included": 0, "hosts_not_audited": 0, "hosts_invalid": 0,
           "controls": {status: 0 for status in STATUSES}}
    seen = False
    for entry in hosts.values():
        section = entry.get("compliance")
        if not isinstance(section, dict):
            continue
        seen = True
        key = {"included": "hosts_included", "not_audited": "hosts_not_audited"}.get(section.get("status"), "hosts_invalid")
        out[key] += 1
        for status, count in (section.get("summary") or {}).items():
            if status in out["controls"]:
                out["controls"][status] += count
    return out if seen else None
