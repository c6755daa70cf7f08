# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Judging of ``playbooks/selftest.yml``: the assumptions only a real host can settle.

Internal to this collection (used by ``plugins/filter/selftest.py``), not an
interface for other collections.

The playbook gathers with existing modules (``task_info``, ``task_events``,
``firewall_rule_state``, ``audit_subcategory``, ``hardening_facts``, and
``community.windows.win_scheduled_task`` for the canary) and hands every registered
result to :func:`collect_inputs`, which keeps only what the judging needs, in a
small JSON-safe shape (``inputs``). :func:`judge` turns ``inputs`` into one verdict
per assumption: ``pass``, ``fail`` or ``could_not_check`` - never ``pass`` for what
was not read. :func:`build_document` writes both into ``selftest-<host>.json``, so
a file an operator sends back can be committed as a contract fixture and judged
again by the unit tests (``tests/unit/fixtures/selftest/``).

Everything here comes from a host: every field is type-checked, lists are capped,
strings clipped.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError, clip_text

SCHEMA = "taskguard.selftest/1"
STATUSES = ("pass", "fail", "could_not_check")

# What each assumption is and what in taskguard rests on it. Ids are stable: an
# operator's returned JSON and the docs key on them.
ASSUMPTIONS = (
    ("ST1", "taskcache_hash_is_sha256_of_file_without_bom",
     "The TaskCache Tasks\\{GUID} Hash value is the SHA-256 of the task file without its byte-order mark",
     "task_info hidden reason hash_mismatch (plugins/plugin_utils/task_collection.py); if wrong, every task "
     "of the host looks tampered with"),
    ("ST2", "admin_sees_every_task_through_the_api",
     "An administrator over WinRM sees every task through the Task Scheduler API",
     "task_info hidden reason not_in_api (Tarrask detection); if wrong, not_in_api raises false alarms"),
    ("ST3", "taskcache_tree_and_sd_are_readable",
     "An administrator over WinRM can read the TaskCache Tree keys and their SD and Index values",
     "task_info hidden reasons sd_missing, index_zero, tree_without_tasks_entry, tasks_entry_without_tree"),
    ("ST4", "three_sources_agree_on_a_new_task",
     "A task registered through the API appears in the API, as a task file and in the TaskCache, unhidden",
     "the three-way comparison of task_info as a whole (no hidden reason for an ordinary task)"),
    ("ST5", "event_106_on_registration",
     "Registering a task logs event 106 in Microsoft-Windows-TaskScheduler/Operational",
     "task_events Operational 106 and the drift report's 'registered since the last audit'"),
    ("ST6", "event_4698_on_registration",
     "Registering a task logs event 4698 in the Security log (with Other Object Access Events audited)",
     "task_events Security 4698-4702: tasks created and deleted between two audits (atexec, smbexec)"),
    ("ST7", "security_log_save_changes_over_winrm",
     "EventLogConfiguration.SaveChanges() works for the Security log over WinRM",
     "hardening TG-H4 (taskguard.windows.event_channel on Security)"),
    ("ST8", "remote_task_firewall_rules_exist",
     "The firewall rules RemoteTask-In-TCP, RemoteTask-RPCSS-In-TCP (Private, Public) and "
     "RemoteTask-In-TCP-NoScope, RemoteTask-RPCSS-In-TCP-NoScope (Domain) exist in group @FirewallAPI.dll,-33252",
     "hardening TG-H5 (roles/hardening/defaults/main.yml names and group)"),
)

REMOTE_TASK_GROUP = "@FirewallAPI.dll,-33252"
REMOTE_TASK_RULES = {
    "RemoteTask-In-TCP": ("Private", "Public"),
    "RemoteTask-RPCSS-In-TCP": ("Private", "Public"),
    "RemoteTask-In-TCP-NoScope": ("Domain",),
    "RemoteTask-RPCSS-In-TCP-NoScope": ("Domain",),
}
OPERATIONAL = "Microsoft-Windows-TaskScheduler/Operational"
SECURITY = "Security"

_MAX_LIST = 50
_MAX_TEXT = 500
_CANARY = re.compile(r"\\taskguard-selftest-[0-9a-f]{8,32}")
_HOST_PATTERN_CHARS = re.compile(r"[*?!&:,\[\]~\s]|^\^|^~")


class SelftestInputError(TaskGuardInputError):
    """Raised for arguments the self-test cannot act on (a refusal, not a host problem)."""


# ------------------------------------------------------------------ small helpers

def _text(value):
    """A value of the host's results as text for the document, cut (None stays None)."""
    return None if value is None else clip_text(str(value), _MAX_TEXT)


def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


def _int(value):
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _bool(value):
    return value if isinstance(value, bool) else None


def _capped(values):
    values = [_text(v) for v in values]
    return values[:_MAX_LIST]


def _failed(result):
    """(failed_or_missing, message) of a registered task result."""
    if not isinstance(result, dict) or not result:
        return True, "no result (the task did not run)"
    if result.get("skipped"):
        return True, "skipped" + (": %s" % _text(result.get("skip_reason")) if result.get("skip_reason") else "")
    if result.get("failed") or result.get("unreachable"):
        return True, _text(result.get("msg") or "failed")
    return False, None


# ------------------------------------------------------------------ target check

def selftest_hosts(value, inventory_hosts, group_names):
    """The host names the self-test may run on, or SelftestInputError.

    ``value`` must name hosts explicitly: a comma-separated list of inventory host
    names. Patterns (wildcards, ranges, negation, regular expressions) and group
    names are refused, so a typo or ``all`` can never put a canary task on a fleet.
    """
    if not isinstance(value, str) or not value.strip():
        raise SelftestInputError("set taskguard_selftest_hosts to the inventory name of the lab host "
                                 "(-e taskguard_selftest_hosts=<name>); it is not set")
    hosts = set(str(h) for h in (inventory_hosts or []))
    groups = set(str(g) for g in (group_names or []))
    names = []
    for raw in value.split(","):
        name = raw.strip()
        if not name:
            raise SelftestInputError("taskguard_selftest_hosts has an empty name: %r" % value)
        if name in groups:
            raise SelftestInputError("%r is a group: name the lab host itself" % name)
        if _HOST_PATTERN_CHARS.search(name):
            raise SelftestInputError("%r is a host pattern: name the lab host exactly" % name)
        if name not in hosts:
            raise SelftestInputError("%r is not a host of this inventory" % name)
        if name not in names:
            names.append(name)
    return names


# ------------------------------------------------------------------ inputs

def _task_record(task):
    task = _dict(task)
    file_ = _dict(task.get("file"))
    registry = _dict(task.get("registry"))
    return {
        "path": _text(task.get("path")),
        "seen_in": [s for s in _list(task.get("seen_in")) if s in ("api", "file", "registry")],
        "hidden_reasons": _capped(_list(task.get("hidden_reasons"))),
        "file_sha256": _text(file_.get("sha256")) if file_ else None,
        "file_content_sha256": _text(file_.get("content_sha256")) if file_ else None,
        "registry_hash": _text(registry.get("hash")) if registry else None,
        "registry_hash_algorithm": _text(registry.get("hash_algorithm")) if registry else None,
        "registry_sd_present": _bool(registry.get("sd_present")) if registry else None,
        "registry_index": _int(registry.get("index")) if registry else None,
    }


def _task_info_inputs(result, canary_path):
    failed, message = _failed(result)
    out = {"ok": not failed, "error": message, "sources": {}, "checks": {}, "errors": [],
           "task_count": 0, "canary": None, "hash_compared": 0, "hash_mismatches": [],
           "not_in_api": [], "sd_missing": [], "api_tasks_without_registry": []}
    if failed:
        return out
    out["sources"] = dict((k, _bool(v)) for k, v in _dict(result.get("sources")).items()
                          if k in ("api", "files", "registry"))
    out["checks"] = dict((k, _bool(v)) for k, v in _dict(result.get("checks")).items() if isinstance(k, str))
    out["errors"] = [{"source": _text(_dict(e).get("source")), "path": _text(_dict(e).get("path")),
                      "error": _text(_dict(e).get("error"))} for e in _list(result.get("errors"))[:_MAX_LIST]]
    tasks = _list(result.get("tasks"))
    out["task_count"] = len(tasks)
    wanted = canary_path.lower() if isinstance(canary_path, str) else None
    for task in tasks:
        if not isinstance(task, dict):
            continue
        path = task.get("path") if isinstance(task.get("path"), str) else "?"
        reasons = _list(task.get("hidden_reasons"))
        registry = _dict(task.get("registry"))
        seen = _list(task.get("seen_in"))
        if wanted is not None and path.lower() == wanted:
            out["canary"] = _task_record(task)
        if registry.get("hash_matches_file") in (True, False):
            out["hash_compared"] += 1
        if "hash_mismatch" in reasons or registry.get("hash_matches_file") is False:
            out["hash_mismatches"].append(path)
        if "not_in_api" in reasons:
            out["not_in_api"].append(path)
        if "sd_missing" in reasons:
            out["sd_missing"].append(path)
        if "api" in seen and "registry" not in seen:
            out["api_tasks_without_registry"].append(path)
    for key in ("hash_mismatches", "not_in_api", "sd_missing", "api_tasks_without_registry"):
        out[key] = _capped(sorted(out[key]))
    return out


def _events_inputs(result, canary_path):
    failed, message = _failed(result)
    out = {"ok": not failed, "error": message, "coverage": {}, "canary_events": []}
    if failed:
        return out
    for channel in (OPERATIONAL, SECURITY):
        cov = _dict(_dict(result.get("coverage")).get(channel))
        out["coverage"][channel] = {
            "enabled": _bool(cov.get("enabled")), "readable": _bool(cov.get("readable")),
            "reasons": _capped(_list(cov.get("reasons"))),
        } if cov else None
    wanted = canary_path.lower() if isinstance(canary_path, str) else None
    for event in _list(result.get("events")):
        event = _dict(event)
        task = event.get("task")
        if wanted is not None and isinstance(task, str) and task.lower() == wanted:
            out["canary_events"].append({"event_id": _int(event.get("event_id")), "channel": _text(event.get("channel")),
                                         "record_id": _int(event.get("record_id")), "time": _text(event.get("time"))})
    out["canary_events"] = out["canary_events"][:_MAX_LIST]
    return out


def _firewall_inputs(result):
    failed, message = _failed(result)
    out = {"ok": not failed, "error": message, "rules": [], "missing_names": [], "missing_groups": [],
           "lookup_errors": []}
    if failed:
        return out
    before = _dict(result.get("before"))
    for rule in _list(before.get("rules"))[:_MAX_LIST]:
        rule = _dict(rule)
        out["rules"].append({"name": _text(rule.get("name")), "group": _text(rule.get("group")),
                             "profile": _text(rule.get("profile")), "enabled": _bool(rule.get("enabled")),
                             "direction": _text(rule.get("direction")), "source": _text(rule.get("source"))})
    out["missing_names"] = _capped(_list(result.get("missing_names")))
    out["missing_groups"] = _capped(_list(result.get("missing_groups")))
    out["lookup_errors"] = [{"selector": _text(_dict(e).get("selector")), "error": _text(_dict(e).get("error"))}
                            for e in _list(result.get("lookup_errors"))[:_MAX_LIST]]
    return out


def _save_changes_inputs(result, facts):
    failed, message = _failed(result)
    out = {"ok": not failed, "error": message, "skipped": bool(_dict(result).get("skipped")),
           "size_before": None, "size_after": None, "policy_max_size_kb": None, "policy_read": False}
    if not failed:
        output = _list(_dict(result).get("output"))
        values = _dict(output[0]) if output else {}
        out["size_before"] = _int(values.get("size_before"))
        out["size_after"] = _int(values.get("size_after"))
        if _text(values.get("error")):
            out["ok"], out["error"] = False, _text(values.get("error"))
    if not _failed(facts)[0]:
        for entry in _list(_dict(facts).get("registry")):
            entry = _dict(entry)
            if entry.get("name") == "MaxSize" and "EventLog\\Security" in str(entry.get("path", "")):
                if entry.get("exists") is True:
                    out["policy_read"], out["policy_max_size_kb"] = True, _int(entry.get("value"))
                elif entry.get("exists") is False and not entry.get("error"):
                    out["policy_read"] = True
    return out


def collect_inputs(raw):
    """The judging inputs from the playbook's registered results (see module docstring).

    ``raw``: ``{check_mode, canary_path, register, remove, remove_verify, task_info,
    events, audit, facts, save_changes, firewall}``; each value a registered result
    (or missing).
    """
    raw = _dict(raw)
    canary_path = raw.get("canary_path")
    if not isinstance(canary_path, str) or not _CANARY.fullmatch(canary_path):
        raise SelftestInputError("canary_path %r is not a self-test canary path" % (canary_path,))
    check_mode = raw.get("check_mode") is True
    register_failed, register_error = _failed(raw.get("register"))
    remove_failed, remove_error = _failed(raw.get("remove"))
    if not remove_failed:
        # The removal said ok: believe it only when a read afterwards no longer finds the task.
        verify_failed, verify_error = _failed(raw.get("remove_verify"))
        still_there = _dict(raw.get("remove_verify")).get("task_exists")
        if verify_failed or still_there is not False:
            remove_failed = True
            remove_error = ("still present after the removal" if still_there is True
                            else "removal not confirmed: %s" % (verify_error or "task_exists not reported"))
    registered = not check_mode and not register_failed and bool(_dict(raw.get("register")).get("changed"))
    audit_failed, audit_error = _failed(raw.get("audit"))
    audit_before = _dict(_dict(raw.get("audit")).get("before"))
    return {
        "check_mode": check_mode,
        "canary": {
            "path": canary_path,
            "registered": registered,
            "register_error": None if check_mode else register_error,
            # removed: True / False (the removal failed: remove it by hand) / None (nothing to remove)
            "removed": (not remove_failed) if registered else None,
            "remove_error": remove_error if registered and remove_failed else None,
        },
        "task_info": _task_info_inputs(raw.get("task_info"), canary_path if registered else None),
        "events": _events_inputs(raw.get("events"), canary_path if registered else None),
        "audit_other_object_access": {
            "ok": not audit_failed, "error": audit_error,
            "success": _bool(audit_before.get("success")) if not audit_failed else None,
        },
        "security_log": _save_changes_inputs(raw.get("save_changes"), raw.get("facts")),
        "firewall": _firewall_inputs(raw.get("firewall")),
    }


# ------------------------------------------------------------------ judging

def _verdict(status, detail):
    return status, _text(detail)


def _judge_hash(inputs):
    info, canary = inputs["task_info"], inputs["task_info"].get("canary")
    if not info["ok"]:
        return _verdict("could_not_check", "task_info failed: %s" % info["error"])
    if not info["sources"].get("files") or not info["sources"].get("registry"):
        return _verdict("could_not_check", "task files or TaskCache not read (%s)" % _errors_text(info))
    if canary is not None:
        # The canary first: its file was just written by the API, so a difference is
        # the assumption, not tampering; and it says which bytes the Hash covers.
        if canary["registry_hash"] is None or canary["file_content_sha256"] is None:
            return _verdict("could_not_check", "the canary has no TaskCache Hash or no file hash")
        if canary["registry_hash"] == canary["file_sha256"] != canary["file_content_sha256"]:
            return _verdict("fail", "the canary's Hash is the SHA-256 of the file WITH its byte-order mark")
        if canary["registry_hash"] != canary["file_content_sha256"]:
            return _verdict("fail", "the canary's Hash (%s, %s) matches neither the file with nor without its BOM"
                            % (canary["registry_hash"], canary["registry_hash_algorithm"]))
    if info["hash_mismatches"]:
        return _verdict("fail", "TaskCache Hash differs from the SHA-256 of the file without BOM for %d of %d "
                        "compared tasks: %s" % (len(info["hash_mismatches"]), info["hash_compared"],
                                                ", ".join(info["hash_mismatches"][:10])))
    if canary is not None:
        return _verdict("pass", "the canary and all %d compared tasks match" % info["hash_compared"])
    if info["hash_compared"] > 0:
        return _verdict("pass", "%d existing tasks compared, all match (no canary%s)"
                        % (info["hash_compared"], " in check mode" if inputs["check_mode"] else ""))
    return _verdict("could_not_check", "no task had both a SHA-256 TaskCache Hash and a file hash")


def _errors_text(info):
    errors = ["%s %s: %s" % (e["source"], e["path"] or "", e["error"]) for e in info["errors"][:5]]
    return "; ".join(errors) or "no reason given"


def _judge_api_sees_all(inputs):
    info, canary = inputs["task_info"], inputs["task_info"].get("canary")
    if not info["ok"]:
        return _verdict("could_not_check", "task_info failed: %s" % info["error"])
    if info["checks"].get("not_in_api") is not True:
        return _verdict("could_not_check", "not_in_api was not evaluated (not an administrator, or a source "
                        "was not read: %s)" % _errors_text(info))
    if inputs["canary"]["registered"] and (canary is None or "api" not in canary["seen_in"]):
        return _verdict("fail", "the canary registered through the API is not listed by the API")
    if info["not_in_api"]:
        return _verdict("fail", "%d task(s) in files or TaskCache but not in the API (a hidden task or a false "
                        "alarm; look at each): %s" % (len(info["not_in_api"]), ", ".join(info["not_in_api"][:10])))
    return _verdict("pass", "every one of %d tasks in files or TaskCache is listed by the API" % info["task_count"])


def _judge_tree_readable(inputs):
    info, canary = inputs["task_info"], inputs["task_info"].get("canary")
    if not info["ok"]:
        return _verdict("could_not_check", "task_info failed: %s" % info["error"])
    registry_errors = [e for e in info["errors"] if e["source"] == "registry"]
    if not info["sources"].get("registry"):
        return _verdict("fail", "the TaskCache was not read: %s" % _errors_text(info))
    if registry_errors:
        return _verdict("fail", "TaskCache values not readable: %s"
                        % "; ".join("%s: %s" % (e["path"], e["error"]) for e in registry_errors[:5]))
    if canary is not None and canary["registry_sd_present"] is not True:
        return _verdict("fail", "the canary's Tree key has no readable SD value")
    if info["sd_missing"]:
        return _verdict("fail", "%d task(s) without a readable SD value (Tarrask, or SD not readable): %s"
                        % (len(info["sd_missing"]), ", ".join(info["sd_missing"][:10])))
    return _verdict("pass", "Tree, Index and SD read for every task without error")


def _judge_sources_agree(inputs):
    info, canary = inputs["task_info"], inputs["task_info"].get("canary")
    reason = _canary_missing(inputs)
    if reason:
        return _verdict("could_not_check", reason)
    if not info["ok"]:
        return _verdict("could_not_check", "task_info failed: %s" % info["error"])
    if canary is None:
        return _verdict("fail", "the registered canary is in none of the sources")
    missing = [s for s in ("api", "file", "registry") if s not in canary["seen_in"]]
    if missing or canary["hidden_reasons"]:
        return _verdict("fail", "canary not in %s; hidden reasons %s"
                        % (", ".join(missing) or "-", ", ".join(canary["hidden_reasons"]) or "-"))
    return _verdict("pass", "canary seen in api, file and registry, no hidden reason")


def _canary_missing(inputs):
    canary = inputs["canary"]
    if inputs["check_mode"]:
        return "check mode: no canary task was registered"
    if not canary["registered"]:
        return "the canary could not be registered: %s" % (canary["register_error"] or "unknown reason")
    return None


def _judge_event(inputs, event_id, channel, hint):
    reason = _canary_missing(inputs)
    if reason:
        return _verdict("could_not_check", reason)
    events = inputs["events"]
    if not events["ok"]:
        return _verdict("could_not_check", "task_events failed: %s" % events["error"])
    if any(e["event_id"] == event_id for e in events["canary_events"]):
        return _verdict("pass", "event %d for the canary found" % event_id)
    cov = events["coverage"].get(channel)
    if cov is None:
        return _verdict("could_not_check", "%s not reported by task_events" % channel)
    if cov["enabled"] is False:
        return _verdict("could_not_check", "%s is disabled (%s)" % (channel, hint))
    if cov["readable"] is not True:
        return _verdict("could_not_check", "%s not readable (%s)" % (channel, ", ".join(cov["reasons"]) or "?"))
    if event_id == 4698 and inputs["audit_other_object_access"]["success"] is not True:
        return _verdict("could_not_check", "Other Object Access Events success auditing is %s (%s)"
                        % ("off" if inputs["audit_other_object_access"]["success"] is False else "unknown", hint))
    return _verdict("fail", "no event %d for the canary in %s although the channel is enabled and readable"
                    % (event_id, channel))


def _judge_save_changes(inputs):
    log = inputs["security_log"]
    policy = ("no Group Policy size" if log["policy_read"] and log["policy_max_size_kb"] is None
              else "Group Policy size %s KB" % log["policy_max_size_kb"] if log["policy_read"]
              else "Group Policy size not read")
    if inputs["check_mode"] or log["skipped"]:
        return _verdict("could_not_check", "check mode: SaveChanges() was not called (%s)" % policy)
    if not log["ok"]:
        return _verdict("fail", "SaveChanges() on Security failed: %s (%s)" % (log["error"], policy))
    if log["size_before"] is None or log["size_after"] != log["size_before"]:
        return _verdict("fail", "SaveChanges() returned, but the size read back (%s) is not the one saved (%s); %s"
                        % (log["size_after"], log["size_before"], policy))
    return _verdict("pass", "SaveChanges() of the unchanged configuration succeeded (%s); "
                    "the other case needs a host with the other Group Policy state" % policy)


def _judge_firewall(inputs):
    fw = inputs["firewall"]
    if not fw["ok"]:
        return _verdict("could_not_check", "firewall_rule_state failed: %s" % fw["error"])
    if fw["lookup_errors"]:
        return _verdict("could_not_check", "look-up failed: %s" % "; ".join(
            "%s: %s" % (e["selector"], e["error"]) for e in fw["lookup_errors"][:5]))
    problems = []
    by_name = dict((r["name"], r) for r in fw["rules"])
    for name, profiles in sorted(REMOTE_TASK_RULES.items()):
        rule = by_name.get(name)
        if rule is None:
            problems.append("%s missing" % name)
            continue
        if rule["group"] != REMOTE_TASK_GROUP:
            problems.append("%s in group %s" % (name, rule["group"]))
        if not all(p in (rule["profile"] or "") for p in profiles):
            problems.append("%s has profile %s, expected %s" % (name, rule["profile"], "+".join(profiles)))
    if REMOTE_TASK_GROUP in fw["missing_groups"]:
        problems.append("group %s matched no rule" % REMOTE_TASK_GROUP)
    others = sorted(n for n, r in by_name.items() if n not in REMOTE_TASK_RULES and r["group"] == REMOTE_TASK_GROUP)
    if problems:
        return _verdict("fail", "; ".join(problems))
    return _verdict("pass", "all four rules in %s with the expected profiles%s"
                    % (REMOTE_TASK_GROUP, "; also in the group: " + ", ".join(others) if others else ""))


def judge(inputs):
    """One verdict per assumption, in id order: ``[{id, name, title, status, detail, depends}]``."""
    if not isinstance(inputs, dict) or not isinstance(inputs.get("canary"), dict):
        raise SelftestInputError("inputs must be the output of collect_inputs")
    results = {
        "ST1": _judge_hash(inputs),
        "ST2": _judge_api_sees_all(inputs),
        "ST3": _judge_tree_readable(inputs),
        "ST4": _judge_sources_agree(inputs),
        "ST5": _judge_event(inputs, 106, OPERATIONAL, "hardening TG-H1 enables it"),
        "ST6": _judge_event(inputs, 4698, SECURITY, "hardening TG-H2 enables it"),
        "ST7": _judge_save_changes(inputs),
        "ST8": _judge_firewall(inputs),
    }
    verdicts = []
    for ident, name, title, depends in ASSUMPTIONS:
        status, detail = results[ident]
        verdicts.append({"id": ident, "name": name, "title": title, "status": status,
                         "detail": detail, "depends": depends})
    return verdicts


def build_document(host, inputs, generated_at=None, collection_version=None):
    """The ``selftest-<host>.json`` document: inputs (re-judgeable), verdicts, summary."""
    if not isinstance(host, str) or not host:
        raise SelftestInputError("host must be a non-empty string")
    assumptions = judge(inputs)
    summary = dict((status, 0) for status in STATUSES)
    for item in assumptions:
        summary[item["status"]] += 1
    canary = inputs["canary"]
    return {
        "schema": SCHEMA,
        "host": host,
        "generated_at": generated_at,
        "collection_version": collection_version,
        "check_mode": inputs["check_mode"],
        "canary": canary,
        # Left behind only when it was registered and the removal failed.
        "canary_left_on_host": canary["registered"] and canary["removed"] is not True,
        "summary": summary,
        "assumptions": assumptions,
        "inputs": inputs,
    }


def render_summary(document):
    """Readable plain-text summary (Markdown) of a self-test document."""
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise SelftestInputError("not a %s document" % SCHEMA)
    lines = ["# taskguard self-test: %s" % _md(document.get("host")), ""]
    mode = ("check mode (nothing registered)" if document.get("check_mode")
            else "canary %s" % _md(document["canary"].get("path")))
    lines.append("generated %s, %s" % (_md(document.get("generated_at") or "?"), mode))
    summary = document.get("summary") or {}
    lines.append("pass %s, fail %s, could not check %s"
                 % (summary.get("pass", 0), summary.get("fail", 0), summary.get("could_not_check", 0)))
    if document.get("canary_left_on_host"):
        lines += ["", "**WARNING: the canary task %s could not be removed (%s). Remove it by hand.**"
                  % (_md(document["canary"].get("path")), _md(document["canary"].get("remove_error")))]
    lines += ["", "| id | assumption | result | detail | what in taskguard depends on it |", "|---|---|---|---|---|"]
    columns = ("id", "title", "status", "detail", "depends")
    for item in document.get("assumptions") or []:
        lines.append("| %s |" % " | ".join(_md(item.get(k)) for k in columns))
    return "\n".join(lines) + "\n"


def _md(value):
    """Host text in a Markdown table cell: no markup, no line breaks, no pipes."""
    text = "" if value is None else str(value)
    text = re.sub(r"[\r\n\t]+", " ", text)
    return re.sub(r"([\\`*_{}\[\]()#+!|<>])", r"\\\1", text)
