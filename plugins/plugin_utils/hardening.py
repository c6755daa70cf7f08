# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decision logic of the ``taskguard.windows.hardening`` role.

The Windows side (``hardening_facts`` and the enforcing modules) only reads and
writes state. Everything that decides lives here, so it can be unit tested without
Windows:

* :func:`classify_host` turns the raw numeric codes, shares and feature state from
  ``hardening_facts`` into a role (domain controller, file server, workstation...).
* :func:`build_plan` says, per control, whether it applies to the host and why not.
  This is where closing File and Printer Sharing is refused on domain controllers and
  file servers.
* :func:`evaluate_control` / :func:`build_report` turn the registered results of the
  enforcing tasks into the compliance view (``compliant`` / ``not_compliant`` /
  ``not_applicable`` / ``unknown``).

Input from hosts is hostile: every field is type-checked, anything unexpected makes a
control ``unknown`` with a reason, never ``compliant``.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError, clip_text

REPORT_SCHEMA = "taskguard.hardening.compliance/1"

STATUSES = ("compliant", "not_compliant", "not_applicable", "unknown")

# Control ids are stable: the drift report and dashboards key on them.
CONTROLS = {
    "TG-H1": "Task Scheduler Operational channel enabled, sized and with a log mode",
    "TG-H2": "Audit Other Object Access Events (success and failure) by GUID",
    "TG-H3": "Force audit policy subcategory settings (SCENoApplyLegacyAuditPolicy=1)",
    "TG-H4": "Security log maximum size at least the configured minimum",
    "TG-H5": "Remote Scheduled Tasks Management inbound firewall rules disabled",
    "TG-H5F": "File and Printer Sharing inbound firewall rules disabled (workstations only)",
    "TG-H6": "Legacy at.exe disabled (EnableAt not 1)",
    "TG-H7": "Domain controllers: server operators may not schedule tasks (SubmitControl=0)",
    "TG-H8": "Task Scheduler restriction policies (standard-user workstations)",
}

# Toggle variable of each control, named in "disabled by configuration" reasons so an
# analyst knows what to change.
TOGGLES = {
    "TG-H1": "hardening_operational_channel",
    "TG-H2": "hardening_audit_other_object_access",
    "TG-H3": "hardening_force_subcategory_audit",
    "TG-H4": "hardening_security_log_size",
    "TG-H5": "hardening_firewall_remote_tasks",
    "TG-H5F": "hardening_firewall_file_printer_sharing",
    "TG-H6": "hardening_disable_at",
    "TG-H7": "hardening_dc_submit_control",
    "TG-H8": "hardening_task_scheduler_policies",
}

# Win32_ComputerSystem.DomainRole -> the role names of the collection contract.
_DOMAIN_ROLES = {
    0: "standalone_workstation",
    1: "member_workstation",
    2: "standalone_server",
    3: "member_server",
    4: "domain_controller",
    5: "domain_controller",
}
# Win32_OperatingSystem.ProductType
_PRODUCT_DC = 2
_PRODUCT_WORKSTATION = 1

# Win32_Share.Type: low bits 0 = disk drive; the high bit marks administrative shares
# (C$, ADMIN$, IPC$) that every host has and that say nothing about file serving.
_SHARE_ADMIN_BIT = 0x80000000
_SHARE_DISK = 0
# A disk share every print server creates for drivers; not a file server by itself.
_SHARES_NOT_FILE_SERVING = frozenset(["print$"])

_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_MAX_DETAIL = 2000


class HardeningInputError(TaskGuardInputError):
    """Raised for settings the role cannot act on (a configuration error)."""


def _int_or_none(value):
    # bool is an int subclass; a boolean role code is garbage, not 0/1.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,12}", value.strip()):
        return int(value.strip())
    return None


def _clip(text):
    """A detail (a host's message or value, or our own notes) as text, cut at this
    module's longer bound: a detail may join several notes."""
    return clip_text(str(text), _MAX_DETAIL)


def registry_value(facts, name, path=None):
    """Return ``(exists, value)`` of a registry value gathered by hardening_facts.

    ``(None, None)`` when the value was not gathered at all (could not look).
    """
    entries = facts.get("registry") if isinstance(facts, dict) else None
    if not isinstance(entries, list):
        return None, None
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("name") != name:
            continue
        if path is not None and str(entry.get("path", "")).lower() != path.lower():
            continue
        if entry.get("exists") is True:
            return True, entry.get("value")
        if entry.get("exists") is False:
            return False, None
        return None, None
    return None, None


def registry_read_error(facts, name, path=None):
    """Why a registry value gathered by hardening_facts could not be read, or None.

    ``exists`` null (access denied and the like, the collector then sets ``error``), a
    value that was not gathered at all, or an unreadable entry all count: the caller
    must not take any of them for "absent".
    """
    entries = facts.get("registry") if isinstance(facts, dict) else None
    if not isinstance(entries, list):
        return "registry values were not gathered"
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("name") != name:
            continue
        if path is not None and str(entry.get("path", "")).lower() != path.lower():
            continue
        if entry.get("exists") in (True, False) and entry.get("error") in (None, ""):
            return None
        return _clip(entry.get("error") or "the collector could not say whether it exists")
    return "%s was not gathered" % name


def _role_from_codes(domain_role_code, product_type):
    """(role, is_domain_controller, is_workstation) from DomainRole and ProductType."""
    role = _DOMAIN_ROLES.get(domain_role_code, "unknown")

    # Two independent sources; either saying "domain controller" is enough, because the
    # cost of mistaking a DC for a workstation (closing SMB, breaking SYSVOL) is high.
    if role == "domain_controller" or product_type == _PRODUCT_DC:
        is_dc = True
        role = "domain_controller"
    elif role == "unknown" and product_type is None:
        is_dc = None
    else:
        is_dc = False

    if role in ("standalone_workstation", "member_workstation"):
        is_workstation = product_type in (None, _PRODUCT_WORKSTATION)
        if product_type not in (None, _PRODUCT_WORKSTATION):
            # DomainRole and ProductType disagree: trust neither.
            is_workstation = None
    elif role == "unknown":
        is_workstation = None if product_type is None else product_type == _PRODUCT_WORKSTATION
    else:
        is_workstation = False
    return role, is_dc, is_workstation


def _file_server(facts):
    """(file_server, reasons): True/False, or None when the shares could not all be read
    and nothing else already showed a file server."""
    reasons = []
    file_server = False
    features = facts.get("features") if isinstance(facts.get("features"), dict) else {}
    if features.get("FS-FileServer") is True:
        file_server = True
        reasons.append("feature FS-FileServer is installed")
    shares = facts.get("shares")
    if not isinstance(shares, list):
        reasons.append("shares could not be read")
        return (file_server or None), reasons
    for share in shares:
        if not isinstance(share, dict):
            file_server = True if file_server else None
            reasons.append("unreadable share entry")
            continue
        share_type = _int_or_none(share.get("type"))
        name = str(share.get("name", ""))
        if share_type is None:
            file_server = True if file_server else None
            reasons.append("share %r has no readable type" % name)
            continue
        if share_type & _SHARE_ADMIN_BIT:
            continue
        if share_type == _SHARE_DISK and name.lower() not in _SHARES_NOT_FILE_SERVING:
            file_server = True
            reasons.append("disk share %r" % name)
    return file_server, reasons


def classify_host(facts):
    """Classify a host from the raw ``hardening_facts`` result.

    Returns a dict with ``domain_role`` (contract names, ``unknown`` when it could not
    be determined), ``is_domain_controller``/``is_workstation`` (bool or None),
    ``file_server`` (bool or None = could not tell) with ``file_server_reasons``,
    ``at_exe_present`` (bool or None) and ``os_build`` (int or None).
    """
    if not isinstance(facts, dict):
        facts = {}
    computer = facts.get("computer") if isinstance(facts.get("computer"), dict) else {}
    os_info = facts.get("os") if isinstance(facts.get("os"), dict) else {}

    domain_role_code = _int_or_none(computer.get("domain_role"))
    product_type = _int_or_none(os_info.get("product_type"))
    role, is_dc, is_workstation = _role_from_codes(domain_role_code, product_type)
    file_server, reasons = _file_server(facts)
    at_present = facts.get("at_exe_present")
    return {
        "domain_role": role,
        "domain_role_code": domain_role_code,
        "product_type": product_type,
        "is_domain_controller": is_dc,
        "is_workstation": is_workstation,
        "file_server": file_server,
        "file_server_reasons": reasons,
        "at_exe_present": at_present if isinstance(at_present, bool) else None,
        "os_build": _int_or_none(os_info.get("build_number")),
    }


def _entry(applicable, reason=None, **extra):
    entry = {"applicable": applicable, "reason": reason}
    entry.update(extra)
    return entry


def _fps_decision(host, force):
    """Whether closing File and Printer Sharing may be applied to this host."""
    if host["is_domain_controller"] is True:
        blocker = "domain controller: closing File and Printer Sharing breaks SYSVOL/NETLOGON and Group Policy"
    elif host["is_domain_controller"] is None:
        blocker = "domain role could not be determined"
    elif host["file_server"] is True:
        blocker = "file server (%s): closing File and Printer Sharing breaks its shares" % (
            "; ".join(host["file_server_reasons"]) or "detected")
    elif host["file_server"] is None:
        blocker = "could not tell whether this is a file server (%s)" % "; ".join(host["file_server_reasons"])
    elif host["is_workstation"] is not True:
        blocker = "not a workstation (%s): the control is meant for workstations only" % host["domain_role"]
    else:
        blocker = None
    if blocker is None:
        return _entry(True, None, refused=False, forced=False)
    if force:
        return _entry(True, "forced despite: " + blocker, refused=False, forced=True)
    return _entry(False, "refused: " + blocker + " (set hardening_fps_force to override)",
                  refused=True, forced=False)


def _at_entry(facts):
    """EnableAt absent or 0 keeps at.exe disabled; only 1 (or garbage) needs a change.

    Writing 0 where the value is absent would report a change on a compliant host, so
    the role only writes when ``needs_change`` is not False.
    """
    read_error = registry_read_error(facts, "EnableAt")
    if read_error is not None:
        # Fail closed: the role still writes 0 in enforce mode, but without having read
        # the value the control stays unknown (evaluate_control), never compliant.
        return _entry(True, None, needs_change=True, compliant_when_skipped=False,
                      read_error="EnableAt could not be read: %s" % read_error,
                      current="EnableAt could not be read")
    exists, value = registry_value(facts, "EnableAt")
    if exists is False:
        return _entry(True, None, needs_change=False, compliant_when_skipped=True,
                      current="EnableAt absent (at.exe disabled by default)")
    number = _int_or_none(value)
    if number == 0:
        return _entry(True, None, needs_change=False, compliant_when_skipped=True, current="EnableAt=0")
    return _entry(True, None, needs_change=True, compliant_when_skipped=False,
                  current="EnableAt=%s" % _clip(value))


def build_plan(facts, settings):
    """Decide per control whether it applies to the host.

    ``settings`` holds the role toggles by control id (``{"TG-H1": True, ...}``) and
    ``fps_force`` (bool). Returns ``{"host": classify_host(...), "controls": {id: entry}}``
    with entry ``{"applicable": bool|None, "reason": str|None, ...}``; ``applicable``
    None means the facts were insufficient to decide (reported as ``unknown``).
    """
    if not isinstance(settings, dict):
        raise HardeningInputError("settings must be a dict of control toggles")
    host = classify_host(facts)
    fact_errors = facts.get("errors") if isinstance(facts, dict) else None
    controls = {}
    for control_id in CONTROLS:
        toggle = settings.get(control_id)
        if not isinstance(toggle, bool):
            raise HardeningInputError("toggle for %s (%s) must be a boolean, got %r"
                                      % (control_id, TOGGLES[control_id], toggle))
        if not toggle:
            controls[control_id] = _entry(False, "disabled by configuration (%s: false)" % TOGGLES[control_id])
            continue
        if control_id == "TG-H5F":
            controls[control_id] = _fps_decision(host, bool(settings.get("fps_force", False)))
        elif control_id == "TG-H6":
            if host["at_exe_present"] is False:
                controls[control_id] = _entry(False, "at.exe is not present on this OS")
            elif host["at_exe_present"] is None:
                controls[control_id] = _entry(None, "could not tell whether at.exe exists")
            else:
                controls[control_id] = _at_entry(facts)
        elif control_id == "TG-H7":
            if host["is_domain_controller"] is True:
                controls[control_id] = _entry(True)
            elif host["is_domain_controller"] is None:
                controls[control_id] = _entry(None, "domain role could not be determined")
            else:
                controls[control_id] = _entry(False, "not a domain controller (%s)" % host["domain_role"])
        elif control_id == "TG-H8":
            if host["is_workstation"] is True:
                controls[control_id] = _entry(True)
            elif host["is_workstation"] is None:
                controls[control_id] = _entry(None, "could not tell whether this is a workstation")
            else:
                controls[control_id] = _entry(False, "workstations only (%s)" % host["domain_role"])
        elif control_id == "TG-H4":
            # Current CIS policy value (KB) so the role never lowers a larger one.
            exists, value = registry_value(facts, "MaxSize")
            controls[control_id] = _entry(True, None, policy_current_kb=_int_or_none(value) if exists else None)
        else:
            controls[control_id] = _entry(True)
    return {"host": host, "controls": controls,
            "fact_errors": fact_errors if isinstance(fact_errors, list) else []}


def at_least(current, minimum):
    """The size to set: never shrink a log that is already larger than the minimum."""
    minimum = _int_or_none(minimum)
    if minimum is None or minimum <= 0:
        raise HardeningInputError("minimum size must be a positive integer")
    current = _int_or_none(current)
    if current is None or current < minimum:
        return minimum
    return current


def round_up_64k(size_bytes):
    """Event log sizes are kept in 64 KiB units; round up so a set is idempotent."""
    size = _int_or_none(size_bytes)
    if size is None or size <= 0:
        raise HardeningInputError("size must be a positive integer")
    step = 65536
    return ((size + step - 1) // step) * step


def _result_failed(result):
    return isinstance(result, dict) and bool(result.get("failed"))


def _result_skipped(result):
    return isinstance(result, dict) and bool(result.get("skipped"))


def _residual_problems(result):
    """Problems a module reported that remain after it ran (or would run)."""
    problems = []
    if not isinstance(result, dict):
        return problems
    if result.get("exists") is False:
        problems.append("channel %s does not exist" % result.get("name", "?"))
    not_changeable = result.get("not_changeable")
    if isinstance(not_changeable, list) and not_changeable:
        problems.append("enabled by Group Policy, cannot be changed locally: %s"
                        % ", ".join(sorted(str(n) for n in not_changeable)))
    return problems


def _selector_notes(result):
    """(could_not_look, notes) for firewall_rule_state results.

    A look-up that failed (``lookup_errors``) is "could not look", whatever the other
    selectors found.

    A selector that matched no rule at all means we did not see the rules the control is
    about (wrong group string, rules removed, another product owns the firewall): that is
    not evidence of compliance. Some names missing next to found ones is only a note.
    """
    if not isinstance(result, dict) or not isinstance(result.get("before"), dict):
        return False, []
    # A selector whose look-up failed (access denied, CIM failure) was not looked at:
    # another selector matching must not make the control compliant.
    lookup_errors = result.get("lookup_errors")
    if lookup_errors is None:
        lookup_errors = result["before"].get("lookup_errors")
    if lookup_errors is not None and not isinstance(lookup_errors, list):
        return True, ["unreadable lookup_errors from firewall_rule_state"]
    if lookup_errors:
        failed = []
        for item in lookup_errors:
            if isinstance(item, dict):
                failed.append("%s %s: %s" % (item.get("kind", "?"), item.get("selector", "?"), item.get("error", "?")))
            else:
                failed.append("unreadable look-up error")
        return True, ["firewall rule look-up failed for " + "; ".join(failed)]
    missing = []
    for key in ("missing_names", "missing_groups"):
        value = result.get(key)
        if isinstance(value, list):
            missing.extend(str(v) for v in value)
    rules = result["before"].get("rules")
    if missing and isinstance(rules, list) and not rules:
        return True, ["no firewall rule matched the configured names/groups (%s)" % ", ".join(missing)]
    if missing:
        return False, ["not found on this host: %s" % ", ".join(missing)]
    return False, []


def _describe_change(result):
    if not isinstance(result, dict):
        return "changed"
    for key in ("changes", "changed_rules"):
        value = result.get(key)
        if isinstance(value, list) and value:
            return "%s: %s" % (key.replace("_", " "), ", ".join(str(v) for v in value))
    diff = result.get("diff")
    if isinstance(diff, dict) and ("before" in diff or "after" in diff):
        return "before %s, after %s" % (diff.get("before"), diff.get("after"))
    if isinstance(diff, list) and diff and isinstance(diff[0], dict):
        return "before %s, after %s" % (diff[0].get("before"), diff[0].get("after"))
    return "changed"


def _not_evaluable(plan_entry, results):
    """(status, detail) when the plan or the results leave nothing to evaluate, else None."""
    if not isinstance(plan_entry, dict):
        return "unknown", "no plan for this control"
    applicable = plan_entry.get("applicable")
    if applicable is False:
        return "not_applicable", _clip(plan_entry.get("reason") or "not applicable")
    if applicable is not True:
        return "unknown", _clip(plan_entry.get("reason") or "applicability could not be decided")
    if not isinstance(results, list) or not results:
        return "unknown", "no result recorded for this control (was it run?)"
    return None


def _tally(results):
    """What the enforcing tasks reported: errors (could not look), residual problems,
    changes, extra notes and how many tasks ran (not skipped, not failed)."""
    tally = {"errors": [], "problems": [], "changes": [], "notes": [], "ran": 0}
    for result in results:
        if not isinstance(result, dict):
            tally["errors"].append("unreadable result")
            continue
        if _result_failed(result):
            tally["errors"].append(str(result.get("msg") or "task failed"))
            continue
        if _result_skipped(result):
            continue
        tally["ran"] += 1
        could_not_look, selector_notes = _selector_notes(result)
        tally["errors" if could_not_look else "notes"].extend(selector_notes)
        tally["problems"].extend(_residual_problems(result))
        if result.get("changed"):
            tally["changes"].append(_describe_change(result))
    return tally


def _judge(record, plan_entry, tally, check_mode):
    """Fill status, remediated and detail of a control whose tasks all ran cleanly."""
    changes, problems = tally["changes"], tally["problems"]
    notes = []
    if plan_entry.get("reason"):
        notes.append(str(plan_entry["reason"]))
    if plan_entry.get("current"):
        notes.append("before: %s" % plan_entry["current"])
    if problems:
        record["status"] = "not_compliant"
        notes = problems + (["would change: " + "; ".join(changes)] if check_mode and changes else []) + notes
    elif changes and check_mode:
        record["status"] = "not_compliant"
        notes = ["would change: " + "; ".join(changes)] + notes
    elif changes:
        record["status"] = "compliant"
        record["remediated"] = True
        notes = ["remediated in this run: " + "; ".join(changes)] + notes
    else:
        record["status"] = "compliant"
    notes.extend(tally["notes"])
    record["detail"] = _clip("; ".join(notes)) if notes else None
    return record


def evaluate_control(control_id, plan_entry, results, check_mode):
    """Compliance of one control from its plan entry and registered task results.

    ``results``: list of registered results of the tasks that enforce the control (a
    task that was skipped because the facts showed it compliant counts as "no change").
    In check mode a change means ``not_compliant``; after an enforcing run a change means
    remediated (``compliant``, ``remediated: true``). A failed task or an undecidable plan
    gives ``unknown``, never ``compliant``.
    """
    if control_id not in CONTROLS:
        raise HardeningInputError("unknown control id %r" % control_id)
    record = {"id": control_id, "name": CONTROLS[control_id], "status": "unknown",
              "detail": None, "changed": False, "remediated": False}
    early = _not_evaluable(plan_entry, results)
    if early:
        record["status"], record["detail"] = early
        return record

    tally = _tally(results)
    errors, changes = tally["errors"], tally["changes"]
    if plan_entry.get("read_error"):
        # The state the control is about was never read: whatever the task did (or
        # would do), the control cannot be called compliant.
        errors.insert(0, str(plan_entry["read_error"]))
        if changes:
            errors.append(("would change: " if check_mode else "written in this run: ") + "; ".join(changes))
    if errors:
        record["detail"] = _clip("could not check: " + "; ".join(errors))
        return record
    if tally["ran"] == 0 and not plan_entry.get("compliant_when_skipped", False):
        # Every task skipped and nothing said that means compliant: we did not look.
        record["detail"] = "no enforcing task ran"
        return record
    record["changed"] = bool(changes)
    return _judge(record, plan_entry, tally, check_mode)


def build_report(host, records, plan, check_mode, generated_at=None):
    """Assemble the per-host compliance document (see docs/hardening.md).

    ``records``: list of ``{"id": control_id, "results": [registered results]}``.
    Every known control appears exactly once, in id order; a control with no record is
    ``unknown`` (we did not look), never left out.
    """
    if not isinstance(host, str) or not host:
        raise HardeningInputError("host must be a non-empty string")
    if not isinstance(plan, dict) or not isinstance(plan.get("controls"), dict):
        raise HardeningInputError("plan must be the output of build_plan")
    by_id = {}
    for record in records or []:
        if not isinstance(record, dict) or record.get("id") not in CONTROLS:
            raise HardeningInputError("bad control record %r" % (record,))
        by_id.setdefault(record["id"], []).extend(record.get("results") or [])
    controls = []
    for control_id in sorted(CONTROLS, key=_control_sort_key):
        plan_entry = plan["controls"].get(control_id)
        if control_id not in by_id and isinstance(plan_entry, dict) and plan_entry.get("applicable") is False:
            results = []
        else:
            results = by_id.get(control_id, [])
        controls.append(evaluate_control(control_id, plan_entry, results, check_mode))
    summary = dict((status, 0) for status in STATUSES)
    for control in controls:
        summary[control["status"]] += 1
    host_info = plan.get("host") if isinstance(plan.get("host"), dict) else {}
    report = {
        "schema": REPORT_SCHEMA,
        "host": host,
        "mode": "audit" if check_mode else "enforce",
        "generated_at": generated_at,
        "domain_role": host_info.get("domain_role", "unknown"),
        "file_server": host_info.get("file_server"),
        "controls": controls,
        "summary": summary,
        "fact_errors": list(plan.get("fact_errors") or []),
    }
    return report


def _control_sort_key(control_id):
    match = re.fullmatch(r"TG-H(\d+)([A-Z]?)", control_id)
    return (int(match.group(1)), match.group(2)) if match else (999, control_id)


def safe_filename(host):
    """File-system safe name for a per-host report (inventory names are not trusted)."""
    if not isinstance(host, str) or not host:
        raise HardeningInputError("host name must be a non-empty string")
    name = _FILENAME_UNSAFE.sub("_", host)[:200].lstrip(".")
    if not name:
        raise HardeningInputError("host name %r gives an empty file name" % host)
    return name
