# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Judging the admin surface of one host: GPO-delivered tasks, local Administrators, LAPS.

Internal to taskguard.windows. Findings have the drift shape
(``{"id", "code", "params", "kind", "task", "severity", "title", "reasons",
"evidence", "entry", "proposed_entry", "diff"}``); every code is in ``CODES``
(kind, floor severity, English title template over ``params``, docs anchor)
so the findings catalogue can take them over unchanged. Families: ``TG-G``
GPO tasks, ``TG-A`` local Administrators, ``TG-L`` LAPS.

Like drift, one host at a time and no fleet state (safe under job slicing).
What could not be read is a ``coverage_gap`` finding, never an empty list.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import CATALOGUE, finding_id, tier, trim
from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import reason as findings_reason
from ansible_collections.taskguard.windows.plugins.plugin_utils.gpo_state import Previous
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_compare import (
    is_system, is_user_account, normalize_account,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK, max_severity

KINDS = ("gpo_task", "local_admin", "laps", "task_account")
MAX_SAME_KEY = 64   # preference items sharing type, file and uid (hostile GPO): each still reported


# The codes of this family live in the one findings catalogue (findings.py).
CODES = {code: entry for code, entry in CATALOGUE.items() if code[:4] in ("TG-G", "TG-A", "TG-L")}


# Paths a standard user can write to (SigmaHQ's list, docs/least-privilege.md): a
# SYSTEM task running from there runs whatever that user put there.
_USER_WRITABLE = re.compile(
    r"(?:\\appdata\\|\\users\\public\\|\\windows\\temp\\|\\windows\\tasks\\|\\programdata\\|\\perflogs\\"
    r"|\\desktop\\|\\downloads\\|\A\s*\"?[a-z]:\\temp\\|\A\s*\"?[a-z]:\\tmp\\"
    r"|%(?:temp|tmp|appdata|localappdata|public|userprofile|programdata)%)",
    re.IGNORECASE)
_UNC = re.compile(r"(?:\A|[\s\"'=,;])(?:\\\\|//)[^\\/\s\"']+[\\/]")
_DC_ROLES = ("domain_controller", "primary_domain_controller", "backup_domain_controller")


class Findings(object):
    """Accumulates findings of one host in the drift shape, one per (code family, subject)."""

    def __init__(self, host_name):
        self.host = host_name
        self.items = []
        self._ids = set()

    _FIELDS = frozenset(("reasons", "evidence", "entry", "diff", "severity", "key"))

    def add(self, code, subject, params, **fields):
        """One finding of ``code`` about ``subject``; ``fields``: reasons, evidence,
        entry, diff, severity, key (discriminator of the id)."""
        unknown = set(fields) - self._FIELDS
        if unknown:
            raise TypeError("unknown finding field(s): %s" % ", ".join(sorted(unknown)))
        meta = CODES[code]
        # the id follows the subject, not the code: a task that was "new" last run
        # and is only "undocumented" now keeps its id
        # (the family prefix keeps TG-A/TG-L/TG-G coverage gaps of one host apart)
        fid = finding_id(self.host, meta["kind"], subject, "%s:%s" % (code[:4], fields.get("key") or code))
        if fid in self._ids:
            return None
        self._ids.add(fid)
        params = {k: _param(v) for k, v in (params or {}).items()}
        diff = fields.get("diff")
        finding = {
            "id": fid, "code": code, "params": params, "kind": meta["kind"], "task": subject,
            "severity": fields.get("severity") or meta["severity"],
            "title": _title(meta["title"], params),
            "reasons": fields.get("reasons") or [reason(code, params)], "evidence": trim(fields.get("evidence") or {}),
            "entry": fields.get("entry"), "proposed_entry": None, "diff": trim(diff) if diff else None,
        }
        self.items.append(finding)
        return finding

    def sorted(self):
        return sorted(self.items, key=lambda f: (-SEVERITY_RANK[f["severity"]], f["code"], f["task"] or "", f["id"]))


def _param(value):
    if isinstance(value, str):
        return value[:300]
    return value


def _title(template, params):
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def reason(code, params=None, severity=None):
    """The reason item of an admin-surface code, its title filled from ``params``
    (findings.reason; a template left unfilled would show "{account}" to a reader)."""
    item = findings_reason(code, params, severity)
    item["category"] = "admin_surface"
    return item


def _entry_source(entry):
    source = getattr(entry, "source", None)
    return {"file": source.get("file"), "line": source.get("line")} if isinstance(source, dict) else None


def is_domain_controller(host):
    return str((host or {}).get("domain_role") or "") in _DC_ROLES


# -------------------------------------------------------------------- GPO tasks
def where_it_runs_from(action):
    """'UNC' / 'user-writable' / None for one normalized action (command and arguments)."""
    text = " ".join(str(action.get(k) or "") for k in ("command", "arguments", "working_directory"))
    if _UNC.search(" " + text):
        return "UNC"
    if _USER_WRITABLE.search(text):
        return "user-writable"
    return None


def command_text(task):
    parts = []
    for action in task.get("actions") or []:
        parts.append(" ".join(p for p in (action.get("command"), action.get("arguments")) if p))
    return "; ".join(parts) or "(no command)"


def _runs_as_system(task):
    if task.get("run_as_default"):
        # [MS-GPPREF] 2.2.1.18: a Computer Configuration task without runAs runs as
        # the Task Scheduler service's account, typically SYSTEM.
        return task.get("scope") == "machine"
    return is_system(task.get("run_as"))


def _previous_index(previous):
    """{(guid, scope, item_type, name): task entry} of the previous audit, with the GUIDs of the
    GPOs that audit could not read whole (``"*"``: any); None when there is nothing to compare with.

    ``previous``: a ``gpo_state.Previous``, a state document (``{"tasks": [...]}``), or
    the previous audit's material (``{"gpo_tasks": result}``)."""
    if previous is None or isinstance(previous, Previous):
        previous = previous.state if previous is not None and previous.status == "found" else None
        if previous is None:
            return None, None
    if not isinstance(previous, dict):
        return None, None
    gpo = previous.get("gpo_tasks")
    if isinstance(gpo, dict):
        if (gpo.get("coverage") or {}).get("sysvol_found") is False:
            return None, None   # the last audit did not see SYSVOL: "new since then" cannot be told
        tasks, unread = gpo.get("tasks"), unread_gpos(gpo)
    else:
        tasks, unread = previous.get("tasks"), set(previous.get("unread_gpos") or ())
    index = {}
    for task in tasks or []:
        if isinstance(task, dict):
            index[task_key(task)] = task
    return index, unread


def unread_gpos(gpo):
    """GUIDs of the GPOs of a gpo_tasks result not read whole; ``"*"`` when a problem
    concerns no single GPO (a Policies folder not listed, a budget spent)."""
    unread = set()
    for problem in list(gpo.get("errors") or []) + list(gpo.get("unparseable") or []):
        if isinstance(problem, dict):
            unread.add(str(problem.get("gpo_guid") or "*").upper())
    return unread


def task_key(task):
    return (str(task.get("gpo_guid") or "").upper(), task.get("scope"), task.get("item_type"),
            str(task.get("name") or "").casefold())


def _match(host_view, path):
    if host_view is None:
        return None
    try:
        return host_view.match(path)
    except Exception:  # a matcher error on a hostile name means "no entry"
        return None


def judge_gpo_tasks(out, gpo, host, host_view, previous=None, rules=None):
    """Add the TG-G findings of one host's GPO task collection (``gpo_tasks`` result) to ``out``.

    ``previous``: see ``_previous_index``; a ``gpo_state.Previous`` without a state says
    so (TG-G013 first audit, TG-G014 unreadable) and nothing is claimed new or removed."""
    if gpo is None:
        if is_domain_controller(host):
            out.add("TG-G010", None, {}, evidence={"reason": "SYSVOL was not collected"}, key="not-collected")
        return
    coverage = gpo.get("coverage") or {}
    if not coverage.get("sysvol_found") and is_domain_controller(host):
        out.add("TG-G010", None, {}, evidence={"coverage": coverage, "errors": gpo.get("errors") or []},
                key="sysvol")
    errors = [e for e in gpo.get("errors") or [] if isinstance(e, dict)]
    if errors:
        out.add("TG-G011", None, {"count": len(errors)}, evidence={"errors": errors}, key="errors")
    for item in gpo.get("unparseable") or []:
        if isinstance(item, dict):
            out.add("TG-G012", item.get("source"), {"source": item.get("source"), "error": item.get("error")},
                    evidence=item, key="%s:%s" % (item.get("source"), item.get("index")))
    if coverage.get("sysvol_found"):
        _previous_state_notes(out, previous)
    before, unread_before = _previous_index(previous)
    seen = set()
    for task in gpo.get("tasks") or []:
        if isinstance(task, dict):
            seen.add(task_key(task))
            _judge_one(out, task, host, host_view, _since_last_audit(task, before, unread_before), rules)
    if before:
        _judge_removed(out, gpo, before, seen)


def _previous_state_notes(out, previous):
    if not isinstance(previous, Previous) or previous.status == "found":
        return
    if previous.status == "unreadable":
        out.add("TG-G014", None, {"error": previous.error or "unknown error"},
                evidence={"error": previous.error}, key="previous-state")
    else:
        out.add("TG-G013", None, {}, evidence={"note": "no previous GPO task state: first audit of this host "
                                                       "with this state dir; nothing is claimed new"},
                key="previous-state")


def _since_last_audit(task, before, unread_before):
    """(code, previous entry) for a task: TG-G005 not seen at the last audit (which read its GPO
    whole), TG-G006 seen with another definition; (None, None) when nothing can be told."""
    if before is None:
        return None, None
    key = task_key(task)
    if key not in before:
        if "*" in unread_before or key[0] in unread_before:
            return None, None   # it may have been there, in what the last audit could not read
        return "TG-G005", None
    if before[key].get("fingerprint") != task.get("fingerprint"):
        return "TG-G006", before[key]
    return None, before[key]


MAX_REMOVED = 200


def _judge_removed(out, gpo, before, seen):
    """TG-G009 for each task of the previous audit that is gone, only when SYSVOL was read whole now."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.gpo_tasks import fully_read, gpo_task_path
    gone = [before[k] for k in sorted(before, key=lambda k: tuple(str(p) for p in k)) if k not in seen]
    if not gone or not fully_read(gpo):
        return
    for task in gone[:MAX_REMOVED]:
        path = gpo_task_path(task.get("gpo_guid"), task.get("scope"), task.get("name"))
        params = {"gpo_guid": task.get("gpo_guid"), "name": task.get("name"), "scope": task.get("scope"),
                  "item_type": task.get("item_type"), "command": task.get("command") or "(not recorded)",
                  "run_as": task.get("run_as") or "(default account)"}
        out.add("TG-G009", path, params, evidence={"previous": task}, key="removed:%s" % task.get("item_type"))
    if len(gone) > MAX_REMOVED:
        out.add("TG-G009", None, {"gpo_guid": "*", "name": "%d more" % (len(gone) - MAX_REMOVED), "command": "?",
                                  "run_as": "?"}, evidence={"count": len(gone) - MAX_REMOVED}, key="removed-more")


def _problems(task, host_view, since):
    """The (code, extra params) problems of one GPO task, the inventory entry and its diff."""
    runs = task.get("action") != "D"   # a Delete item removes a task; it runs nothing
    problems = []
    if runs and task.get("immediate"):
        problems.append(("TG-G003", {}))
    if runs and _runs_as_system(task):
        where = next((w for w in map(where_it_runs_from, task.get("actions") or []) if w), None)
        if where:
            problems.append(("TG-G004", {"where": where}))
    if task.get("stored_password"):
        problems.append(("TG-G007", {}))
    if since[0]:
        problems.append((since[0], {}))
    entry = _match(host_view, task.get("path"))
    diff = None
    if entry is None:
        problems.append(("TG-G001", {}))
    else:
        try:
            diff = entry.compare(task.get("definition") or {}) or []
        except Exception as exc:
            diff = [{"field": "<compare error>", "expected": None, "actual": str(exc)}]
        if diff:
            problems.append(("TG-G002", {"fields": ", ".join(sorted({str(d.get("field")) for d in diff}))}))
        if getattr(entry, "expired", False):
            problems.append(("TG-G008", {}))
    return problems, entry, diff


def _score(task, definition, entry, diff, rules):
    if rules is None or not hasattr(rules, "evaluate") or task.get("action") == "D":
        return {"severity": None, "reasons": [], "escalations": []}
    try:
        return rules.evaluate(definition, {"documented": entry is not None and not diff})
    except Exception as exc:  # scoring must never hide the finding
        return {"severity": None, "reasons": [], "escalations": ["risk rules failed: %s" % exc]}


def _judge_one(out, task, host, host_view, since, rules):
    definition = task.get("definition") or {}
    path = task.get("path")
    params = {"gpo_guid": task.get("gpo_guid"), "gpo_name": task.get("gpo_name"), "name": task.get("name"),
              "command": command_text(task), "run_as": task.get("run_as") or "(default account)",
              "scope": task.get("scope"), "item_type": task.get("item_type"), "action": task.get("action")}
    evidence = {"gpo_task": {k: v for k, v in task.items() if k != "definition"}}
    problems, entry, diff = _problems(task, host_view, since)
    if not problems:
        return
    risk = _score(task, definition, entry, diff, rules)
    if rules is not None and hasattr(rules, "evaluate") and task.get("action") != "D":
        evidence["escalations"] = risk.get("escalations") or []
    if since[0] == "TG-G006":
        evidence["previous"] = since[1]
    problems.sort(key=lambda p: -SEVERITY_RANK[CODES[p[0]]["severity"]])
    codes = [c for c, _e in problems]
    for _code, extra in problems:
        params.update(extra)
    severity = max_severity(risk.get("severity"), *[CODES[c]["severity"] for c in codes])
    if task.get("immediate") and "TG-G004" in codes:
        severity = "critical"   # domain-wide SYSTEM code execution from a path others control
    if task.get("disabled"):
        # GPP does not apply a disabled item; it stays visible (it can be re-enabled in one click)
        severity = "low"
        evidence["note"] = "the preference item is disabled in the GPO (disabled=1): not applied while so"
    if "TG-G005" in codes:
        # written to SYSVOL since the last audit: whoever did it holds GPO rights (disabled or not)
        severity = max_severity(severity, "high")
    reasons = [reason(c, params) for c in codes] + list(risk.get("reasons") or [])
    # One finding per preference item: two items of the same name (a disabled Task
    # and an ImmediateTask, say) must not share an id, or the second would be dropped.
    key = "gpo-task:%s:%s:%s" % (task.get("item_type"), task.get("source_path"), task.get("uid"))
    for attempt in range(MAX_SAME_KEY):
        if out.add(codes[0], path, params, reasons=reasons, evidence=evidence, diff=diff or None, severity=severity,
                   entry=_entry_source(entry) if entry else None,
                   key=key if attempt == 0 else "%s:%d" % (key, attempt)) is not None:
            break
    else:
        # never dropped silently: the item is said not to have been judged
        out.add("TG-G012", path, {"source": str(task.get("source_path"))[:300],
                                  "error": "more than %d preference items share its type, file and uid: not judged"
                                           % MAX_SAME_KEY},
                severity=severity, key="%s:overflow" % key)


# ------------------------------------------------------------ local Administrators
# Tiers where an undocumented admin-surface subject is high (the guideline's first priorities).
HIGH_TIERS = ("domain_controller", "admin_workstation")


def host_tier(host):
    """domain_controller / admin_workstation / member_server / other: findings.tier."""
    return tier(host)


def _member_label(member):
    name = member.get("name")
    return "%s (%s)" % (name, member.get("sid")) if name else str(member.get("sid"))


def judge_administrators(out, model, host, admin_view):
    """Add the TG-A findings of one host's Administrators model to ``out``."""
    if model is None:
        # not collected: never an empty group that looks clean (with or without a table)
        out.add("TG-A010", None, {"error": "membership was not collected"}, key="not-collected")
        return
    if model.get("method") == "sam_hive" and is_domain_controller(host):
        # A DC's SAM only holds the DSRM account database: judging it as the
        # Administrators group would report the wrong members as the DC's admins.
        out.add("TG-A014", None, {}, evidence={"method": "sam_hive"}, key="dc-sam")
        return
    if not model.get("read"):
        error = "; ".join(str(e) for e in model.get("errors") or []) or "unknown error"
        # Live, a group that cannot be read (access denied) is itself a signal: high.
        # Offline, an evidence folder without a SAM hive is a gap of the evidence: medium.
        offline = model.get("method") == "sam_hive"
        out.add("TG-A010", None, {"error": error}, evidence={"method": model.get("method"),
                                                             "errors": model.get("errors")}, key="unreadable",
                severity="medium" if offline else "high")
        return
    if model.get("errors"):
        out.add("TG-A011", None, {"count": len(model["errors"])},
                evidence={"method": model.get("method"), "errors": model["errors"]}, key="errors")
    if admin_view is None:
        out.add("TG-A012", None, {}, key="no-table")
    context = {"method": model.get("method"), "is_domain_controller_builtin": model.get("is_domain_controller_builtin")}
    if model.get("is_domain_controller_builtin"):
        context["note"] = ("on a domain controller this is the domain's BUILTIN\\Administrators group, "
                           "shared by every domain controller of the domain")
    required = admin_view.required_entries() if admin_view is not None else []
    matched = _judge_members(out, model, host, admin_view, context, required)
    if admin_view is not None:
        _judge_required(out, model, context, required, matched)
        _judge_builtin(out, model, admin_view)


def _judge_members(out, model, host, admin_view, context, required):
    """TG-A003/A001/A005 for each member; returns the ids of the required entries the members satisfy."""
    machine_sid = model.get("machine_sid")
    undocumented_severity = "high" if host_tier(host) in HIGH_TIERS else "medium"
    matched = set()
    for member in model.get("members") or []:
        sid = member.get("sid")
        subject = "Administrators/%s" % sid
        params = {"member": _member_label(member), "sid": sid, "name": member.get("name")}
        evidence = dict(context, member=member)
        entry = admin_view.match(member, machine_sid) if admin_view is not None else None
        # every required entry naming this member is satisfied, not only the first match
        # (one group written once by name and once by SID is one member)
        matched.update(id(e) for e in required if e.matches(member, machine_sid))
        if member.get("orphaned"):
            out.add("TG-A003", subject, params, evidence=evidence,
                    entry=entry.source if entry is not None else None, key="orphaned")
        if entry is None:
            out.add("TG-A001", subject, params, evidence=evidence, severity=undocumented_severity, key="member")
        elif entry.expired:
            params.update(entry.source)
            out.add("TG-A005", subject, params, evidence=evidence, entry=entry.source, key="member")
    return matched


def _judge_required(out, model, context, required, matched):
    """TG-A002 (missing) or TG-A017 (cannot be told) for each required entry no member satisfies."""
    machine_sid = model.get("machine_sid")
    unresolved = [m.get("sid") for m in model.get("members") or [] if not m.get("resolved")]
    for entry in required:
        if id(entry) in matched:
            continue
        sid = entry.sid_for(machine_sid)
        label = entry.key if sid is None or sid == entry.key else "%s (%s)" % (entry.key, sid)
        # "missing" only when the whole group was read and the entry could be compared
        # with every member: an entry by name cannot be, while a member's name is unknown
        why = _required_unverifiable(model, sid, unresolved)
        if why:
            out.add("TG-A017", "Administrators/%s" % (sid or entry.key), {"member": label, "reason": why},
                    evidence=dict(context, unresolved=unresolved[:50]), entry=entry.source, key="required")
            continue
        out.add("TG-A002", "Administrators/%s" % (sid or entry.key), {"member": label},
                evidence=context, entry=entry.source, key="required")


def _required_unverifiable(model, entry_sid, unresolved):
    """Why a required entry not matched may still be present (None: it is missing)."""
    if model.get("complete") is False:
        return "the group was read only in part (%s)" % ("; ".join(model.get("errors") or []) or "incomplete")[:300]
    if entry_sid is None and unresolved:
        return "the entry is written by name and %d member(s) could not be resolved to a name" % len(unresolved)
    return None


def _judge_builtin(out, model, admin_view):
    policy_value, policy = admin_view.policy("builtin_administrator")
    if policy_value != "disabled" or model.get("is_domain_controller_builtin"):
        return
    builtin = model.get("builtin_administrator")
    if not isinstance(builtin, dict) or builtin.get("enabled") is None:
        out.add("TG-A013", None, {}, evidence={"method": model.get("method")}, entry=policy.source, key="builtin")
        return
    if builtin.get("enabled"):
        out.add("TG-A004", "Administrators/%s" % builtin.get("sid"), {"sid": builtin.get("sid")},
                evidence={"builtin_administrator": builtin}, entry=policy.source, key="builtin")


# ----------------------------------------------------------------------- LAPS
def judge_laps(out, model, host, admin_view, now):
    """Add the TG-L findings of one host's LAPS model to ``out`` (``now``: aware UTC datetime)."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.laps import age_days
    required, policy = admin_view.policy("laps") if admin_view is not None else (None, None)
    if required == "not_required":
        return
    entry = policy.source if policy is not None else None
    if model is None:
        # not collected (an old collector, the option off): fail closed where it matters, i.e.
        # where "not managed" would be a finding (a DC only when the table requires LAPS)
        if required == "required" or not is_domain_controller(host):
            out.add("TG-L010", None, {"error": "LAPS state was not collected"}, evidence={"laps": None},
                    entry=entry, severity="high" if required == "required" else None, key="not-collected")
        return
    if not model.get("read"):
        out.add("TG-L010", None, {"error": "; ".join(model.get("errors") or []) or "unknown error"},
                evidence={"laps": model}, entry=entry, key="unreadable")
        return
    if not model.get("manager") and not is_domain_controller(host):
        # a DC has no local accounts (its DSRM account is another matter): "not managed" does not apply
        if model.get("policy_root") in ("csp", "gpo", "local"):
            detail = "Windows LAPS policy (%s) with BackupDirectory=%s (disabled)" % (
                model["policy_root"], model.get("backup_directory"))
        else:
            detail = "no Windows LAPS policy, legacy LAPS %s" % ("enabled" if model["legacy"]["enabled"] else "not enabled")
        out.add("TG-L001", None, {"detail": detail}, evidence={"laps": model}, entry=entry,
                severity="high" if required == "required" else None, key="managed")
        return
    if not model.get("manager"):
        return
    if not model.get("events_read"):
        out.add("TG-L011", None, {"error": "; ".join(model.get("errors") or []) or "channel not read"},
                evidence={"laps": model}, key="events")
    if model.get("last_result") == "failure":
        out.add("TG-L002", None, {"time": model.get("last_failure"), "error": model.get("last_error") or "?"},
                evidence={"laps": model}, entry=entry, key="failed")
    days = age_days(model, now)
    age = model.get("password_age_days") or 30
    if days is not None and days > age:
        out.add("TG-L003", None, {"days": int(days), "age": age}, evidence={"laps": model}, entry=entry, key="age")
    elif days is None and model.get("events_read") and model.get("last_result") is None:
        out.add("TG-L004", None, {"channel": "Microsoft-Windows-LAPS/Operational"},
                evidence={"laps": model}, entry=entry, key="age")


# --------------------------------------------------------------- task accounts
def task_account(task):
    """(normalized account, as written) of an ordinary user account a task runs as; (None, None) otherwise."""
    principal = (task or {}).get("principal") or {}
    written = principal.get("user_id")
    if not written or not is_user_account(written):
        return None, None
    return normalize_account(written), written


def admin_index(models):
    """{normalized SID or resolved name: sorted host names} over {host: Administrators model}."""
    index = {}
    for host, model in sorted((models or {}).items()):
        if not isinstance(model, dict) or not model.get("read"):
            continue
        for member in model.get("members") or []:
            keys = {normalize_account(member.get("sid"))}
            if member.get("resolved") and member.get("name"):
                keys.add(normalize_account(member["name"]))
            for key in keys - {None}:
                index.setdefault(key, set()).add(host)
    return {key: sorted(hosts) for key, hosts in index.items()}


def judge_task_accounts(out, host_name, tasks, admins_anywhere, runs_on, *, min_hosts=3):
    """TG-A020/A021/A022 for one host's normalized tasks.

    ``admins_anywhere``: ``admin_index`` of the fleet; ``runs_on``: {account: sorted host names
    running a task as it}. Both are fleet state: call from the report step, after every host.
    """
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        account, written = task_account(task)
        if account is None:
            continue
        principal = task.get("principal") or {}
        path = task.get("path")
        params = {"task": path, "account": written}
        if str(principal.get("logon_type") or "").casefold() == "password" and account in admins_anywhere:
            hosts = admins_anywhere[account]
            out.add("TG-A020", path, dict(params, hosts=", ".join(hosts[:10]) + (" ..." if len(hosts) > 10 else "")),
                    evidence={"principal": principal, "admin_on": hosts}, key="password")
        if str(principal.get("run_level") or "").casefold() == "highestavailable":
            out.add("TG-A022", path, params, evidence={"principal": principal}, key="highest")
        hosts = runs_on.get(account) or []
        if len(hosts) >= min_hosts:
            out.add("TG-A021", "account/%s" % account, {"account": written, "count": len(hosts),
                                                        "hosts": ", ".join(hosts[:10]) + (" ..." if len(hosts) > 10 else "")},
                    evidence={"hosts": hosts}, key="many-hosts")
