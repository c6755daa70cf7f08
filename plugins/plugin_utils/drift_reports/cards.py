# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every human-readable report shows, computed once per report: the fleet
(hosts grouped by tier, verdict, one-line reason, counts by task), one task card
per finding (what / who / how it starts / where seen / why it matters / what to
do) and a per-host timeline of task events.

Internal to taskguard.windows. Values are plain text (host strings are NOT
escaped here); each writer makes them visible and escapes them for its format.
Linear in findings and events: each finding and event is visited a bounded
number of times.

Reads the finding shape of ``findings.py`` (one finding per task with ``kinds``,
``code``/``params``, host ``verdict``/``tier``) and falls back for reports
written before it (one finding per problem, no verdict): rows are merged per
task and the verdict derived here with the same rules.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.messages import (
    CODE_GUIDANCE, CODE_TITLES_JA, GUIDANCE, Messages, SEVERE_SEVERITIES,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import acting_account
from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import (
    AUDIT_KINDS, CATALOGUE, KINDS as KIND_ORDER, T012_NAME_ONLY, T012_VERIFIED, TASK_KINDS, TIERS, UNKNOWN_ACCOUNT,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.severity import SEVERITY_RANK, max_severity

# What the audit could not see (and notes about it): listed per host, not as cards about a task
# or an account (the admin-surface kinds gpo_task, local_admin, laps, task_account are cards).
GAP_KINDS = AUDIT_KINDS | frozenset(("note",))
# Worst first: what an analyst opens first within a tier.
VERDICT_ORDER = ("compromised", "not_audited", "suspicious", "incomplete", "clean")
_KIND_RANK = {k: i for i, k in enumerate(KIND_ORDER)}
MAX_TIMELINE = 200
MAX_REFS = 6
_WRITES = ("registered", "updated")


# ------------------------------------------------------------------ small helpers
def _d(value):
    return value if isinstance(value, dict) else {}


def _l(value):
    return value if isinstance(value, list) else []


def _s(value):
    return "" if value is None else (value if isinstance(value, str) else str(value))


def _rank(finding):
    return SEVERITY_RANK.get(finding.get("severity"), 0)


def command_line(action):
    """A readable command line: the program (quoted when it holds a space) and its arguments."""
    action = _d(action)
    command = _s(action.get("command"))
    if command and " " in command and not command.startswith('"'):
        command = '"%s"' % command
    return " ".join(p for p in (command, _s(action.get("arguments"))) if p)


# ------------------------------------------------------------------ fallbacks for the older shape
def _merge_rows(findings):
    """One row per task (older reports had one finding per problem)."""
    if all("kinds" in f for f in findings):
        return list(findings)
    by_task, out = {}, []
    for f in findings:
        if f.get("task") and f.get("kind") in TASK_KINDS:
            by_task.setdefault(_s(f.get("task")).lower(), []).append(f)
        else:
            out.append(dict(f, kinds=[f.get("kind")]))
    for group in by_task.values():
        group.sort(key=lambda f: (-_rank(f), _KIND_RANK.get(f.get("kind"), 99)))
        row = dict(group[0])
        row["kinds"] = sorted({f.get("kind") for f in group}, key=lambda k: _KIND_RANK.get(k, 99))
        row["problems"] = [{"code": f.get("code"), "kind": f.get("kind"), "severity": f.get("severity"),
                            "title": f.get("title"), "params": f.get("params")} for f in group]
        reasons, seen = [], set()
        evidence, events, event_keys = {}, [], set()
        for f in group:
            for r in _l(f.get("reasons")):
                if isinstance(r, dict) and r.get("rule") not in seen:
                    seen.add(r.get("rule"))
                    reasons.append(r)
            for key, value in _d(f.get("evidence")).items():
                evidence.setdefault(key, value)
            for e in _l(_d(f.get("evidence")).get("events")):
                key = (_d(e).get("channel"), _d(e).get("record_id"), _d(e).get("event_id"))
                if key not in event_keys:
                    event_keys.add(key)
                    events.append(e)
        if events:
            evidence["events"] = events
        row["reasons"], row["evidence"] = reasons, evidence
        for field in ("entry", "diff", "proposed_entry"):
            row[field] = next((f.get(field) for f in group if f.get(field)), None)
        out.append(row)
    out.sort(key=lambda f: (-_rank(f), _KIND_RANK.get(f.get("kind"), 99), _s(f.get("task"))))
    return out


def host_tier(entry):
    tier = entry.get("tier")
    if tier in TIERS:
        return tier
    role = _s(entry.get("domain_role"))
    if role == "domain_controller":
        return "domain_controller"
    if role in ("member_server", "standalone_server"):
        return "member_server"
    return "other"


def host_verdict(entry, rows):
    """The lead's ``verdict`` when present; otherwise derived with the same rules."""
    verdict = entry.get("verdict")
    if isinstance(verdict, dict) and verdict.get("state") in VERDICT_ORDER:
        return verdict
    if entry.get("status") in ("unreachable", "failed"):
        return {"state": "not_audited", "reasons": [{"code": "not_audited", "text": _s(entry.get("message") or
                                                                                       entry.get("status"))}]}
    tasks = [f for f in rows if f.get("kind") in TASK_KINDS]
    critical = [f for f in tasks if f.get("severity") == "critical"]
    serious = [f for f in tasks if _rank(f) >= SEVERITY_RANK["medium"]]
    gaps = [f for f in rows if f.get("kind") in AUDIT_KINDS]
    reasons = [{"code": f.get("code"), "text": "%s: %s" % (f.get("task"), f.get("title")), "params": f.get("params"),
                "task": f.get("task")} for f in (critical or serious)[:3]]
    reasons += [{"code": f.get("code"), "text": _s(f.get("title")), "params": f.get("params")} for f in gaps[:3]]
    state = "compromised" if critical else "suspicious" if serious else "incomplete" if gaps else "clean"
    if state == "clean":
        reasons.append({"code": "clean", "text": ""})
    return {"state": state, "reasons": reasons}


# ------------------------------------------------------------------ localized titles
# drift.py names an event without an acting account findings.UNKNOWN_ACCOUNT in the
# English params (TG-T002/T003/T004/T005/T006/T011): a fixed phrase, shown in the language.
_ACTOR_CHECKS = {T012_VERIFIED: "actor_check.verified", T012_NAME_ONLY: "actor_check.name_only"}


def localized_params(params, msg):
    """The finding's params with the English words drift.py puts in them (event
    actions, channel problems, "an unknown account", TG-T012's actor check) and
    TG-A023's unnamed holder (user_rights) in the report's language."""
    params = dict(_d(params))
    if isinstance(params.get("problem_keys"), list):   # TG-C006: each channel problem in the language
        words = [msg("channel_problem.%s" % k, count=params.get("foreign_records"))
                 if k == "foreign_records" else msg.label("channel_problem", k) for k in params["problem_keys"]]
        params["problems"] = "、".join(str(w) for w in words) + (" (%s)" % params["detail"] if params.get("detail") else "")
    if isinstance(params.get("actions"), str):    # "registered and updated" -> the event words of the language
        words = [w for w in re.split(r",\s*|\s+and\s+|/", params["actions"]) if w]
        params["actions"] = "・".join(msg.label("event", w.strip()) for w in words)
    if params.get("user") == UNKNOWN_ACCOUNT:
        params["user"] = msg("field.unknown_account")
    if params.get("actor_check") in _ACTOR_CHECKS:
        params["actor_check"] = msg(_ACTOR_CHECKS[params["actor_check"]])
    lookup = params.get("name_lookup")    # TG-A023: "SID (why its name is unknown)"
    if isinstance(lookup, str) and msg.has("name_lookup.%s" % lookup) and isinstance(params.get("sid"), str):
        params["account"] = msg("batch_holder.unnamed", sid=params["sid"], why=msg("name_lookup.%s" % lookup))
    return params


def code_title(code, params, english, msg):
    if msg.language == "en" or code not in CODE_TITLES_JA:
        return _s(english)
    try:
        return CODE_TITLES_JA[code].format(**localized_params(params, msg))
    except (KeyError, IndexError, ValueError, AttributeError):
        return _s(english)


def finding_title(finding, msg):
    problems = [p for p in _l(finding.get("problems")) if isinstance(p, dict)]
    if len(problems) > 1:
        titles = []
        for p in problems:
            title = code_title(p.get("code"), p.get("params"), p.get("title"), msg)
            if title not in titles:
                titles.append(title)
        return " / ".join(titles)
    return code_title(finding.get("code"), finding.get("params"), finding.get("title"), msg)


def reason_title(reason, msg, params=None):
    """The reason's title in the report's language. ``params``: the finding's
    params, which fill a built-in code's Japanese template (its English title
    was filled when the finding was made)."""
    localized = _d(_d(reason.get("i18n")).get(msg.language))
    if localized.get("title"):
        return _s(localized["title"])
    rule = reason.get("rule")
    if msg.language != "en" and rule in CODE_TITLES_JA:
        template = CODE_TITLES_JA[rule]
        if "{" not in template:
            return template
        try:
            return template.format(**localized_params(params, msg))
        except (KeyError, IndexError, ValueError, AttributeError):
            pass
    return _s(reason.get("title"))


def reason_description(reason, msg):
    localized = _d(_d(reason.get("i18n")).get(msg.language))
    return _s(localized.get("description") or reason.get("description"))


def verdict_reason_text(reason, rows, msg):
    code = reason.get("code")
    if code in ("clean", "no_task_source"):
        return msg("verdict.reason." + code)
    if code == "more":
        return msg("verdict.reason.more", count=_d(reason.get("params")).get("count", "?"))
    if code == "not_audited":
        return _s(reason.get("text"))
    text = _s(reason.get("text"))
    task = reason.get("task") or _d(reason.get("params")).get("task")
    if task is None:
        task = next((f.get("task") for f in rows if f.get("code") == code and f.get("task")
                     and text.startswith(_s(f.get("task")) + ": ")), None)
    if code in CATALOGUE or code in CODE_TITLES_JA:
        english = text[len(task) + 2:] if task and text.startswith(_s(task) + ": ") else text
        title = code_title(code, reason.get("params"), english, msg)
        return "%s: %s" % (task, title) if task else title
    return text


# ------------------------------------------------------------------ the card
def _events(finding):
    return [e for e in _l(_d(finding.get("evidence")).get("events")) if isinstance(e, dict)]


def _writes(events):
    return [e for e in events if e.get("action") in _WRITES]


def event_actor(event, msg):
    """Who acted in an event, as the reports show it: the name the event gives,
    else the acting SID of a Security event (event_model.acting_account, the rule
    drift.py judges by), else "unknown" in the report's language: never the SID of
    the service that wrote an Operational record."""
    return _s(acting_account(_d(event))) or msg("field.unknown")


def _event_line(event, msg):
    return msg("field.registered_value", action=msg.label("event", event.get("action")),
               user=event_actor(event, msg),
               time=_s(event.get("time")), channel=_s(event.get("channel")), event_id=_s(event.get("event_id")))


def _trigger_text(trigger, msg):
    kind = _s(trigger.get("type"))
    start = _s(trigger.get("start_boundary")) or msg("field.unknown")
    if kind == "logon" and trigger.get("user_id"):
        text = msg("trigger.logon_user", user=_s(trigger.get("user_id")))
    elif msg.has("trigger." + kind):
        text = msg("trigger." + kind, start=start)
    else:
        text = msg("trigger.other", type=kind or _s(trigger.get("raw_type")))
    extra = []
    if trigger.get("repetition_interval"):
        extra.append(msg("trigger.repeat", interval=_s(trigger["repetition_interval"])))
    if trigger.get("delay"):
        extra.append(msg("trigger.delay", delay=_s(trigger["delay"])))
    if trigger.get("subscription"):
        extra.append(msg("trigger.subscription", query=_s(trigger["subscription"])[:300]))
    if trigger.get("enabled") is False:
        extra.append(msg("trigger.off"))
    return msg("misc.list_sep").join([text] + extra)


def _task_definition(finding):
    """The task as collected, else the newest definition carried by an event."""
    evidence = _d(finding.get("evidence"))
    task = _d(evidence.get("task"))
    if task:
        return task
    gpo = _d(evidence.get("gpo_task"))
    if gpo:   # a Group Policy Preferences task (docs/least-privilege.md): the same questions, other field names
        return {"path": gpo.get("path"), "actions": _l(gpo.get("actions")), "enabled": not gpo.get("disabled"),
                "principal": {"user_id": gpo.get("run_as"), "logon_type": gpo.get("logon_type"),
                              "run_level": gpo.get("run_level")},
                "triggers": _l(gpo.get("triggers")), "seen_in": ["gpo"],
                "description": "%s %s (%s)" % (_s(gpo.get("gpo_name")), _s(gpo.get("gpo_guid")),
                                               _s(gpo.get("source_path")))}
    for event in reversed(_events(finding)):
        if isinstance(event.get("definition"), dict):
            return event["definition"]
    return {}


def _what(finding, task, msg):
    rows = [(msg("field.task"), _s(finding.get("task")) or msg("misc.host_level"), True)]
    for action in _l(task.get("actions")):
        action = _d(action)
        if action.get("type") == "com_handler" or action.get("class_id"):
            handler = action.get("handler") or msg("field.handler_unknown", class_id=_s(action.get("class_id")))
            rows.append((msg("field.com"), msg("field.com_value", class_id=_s(action.get("class_id")),
                                               data=_s(action.get("data")) or "-", handler=_s(handler)), True))
        elif action.get("command") or action.get("arguments"):
            rows.append((msg("field.action"), command_line(action), True))
            if action.get("working_directory"):
                rows.append((msg("field.working_directory"), _s(action["working_directory"]), True))
        else:
            rows.append((msg("field.action"), _s(action.get("raw_type") or action.get("type")), False))
    if task.get("description"):
        rows.append((msg("field.description"), _s(task["description"])[:500], False))
    if "enabled" in task:
        rows.append((msg("field.state"), msg("field.enabled") if task.get("enabled") else msg("field.disabled"), False))
    if task.get("hidden"):
        rows.append((msg("field.state"), msg("field.hidden_flag"), False))
    return rows


def _who(finding, task, msg):
    principal = _d(task.get("principal"))
    rows = []
    if principal:
        account = principal.get("user_id") or principal.get("group_id") or principal.get("id")
        shown = _s(account)
        if principal.get("id") and principal.get("id") != account:
            shown = "%s (%s)" % (shown, _s(principal.get("id")))
        rows.append((msg("field.principal"), shown or msg("field.unknown"), True))
        logon = principal.get("logon_type")
        rows.append((msg("field.logon_type"), msg.label("logon", logon) if logon else msg("logon.none"), False))
        if principal.get("run_level"):
            rows.append((msg("field.run_level"), msg.label("runlevel", principal["run_level"]), False))
    writes = _writes(_events(finding))
    for event in writes[-3:]:
        rows.append((msg("field.history"), _event_line(event, msg), False))
        client = _d(event.get("client"))
        if client.get("fqdn"):
            rows.append((msg("field.registered_from"), _s(client["fqdn"]), True))
    if not writes and finding.get("task") and finding.get("kind") in TASK_KINDS:
        rows.append((msg("field.registered"), msg("field.no_registrant"), False))
    if task.get("author"):
        rows.append((msg("field.author"), _s(task["author"]), True))
    if task.get("registration_date"):
        rows.append((msg("field.registration_date"), _s(task["registration_date"]), False))
    return rows


def _how(task, msg):
    triggers = [t for t in _l(task.get("triggers")) if isinstance(t, dict)]
    if not task:
        return []
    if not triggers:
        return [(msg("field.triggers"), msg("field.no_trigger"), False)]
    return [(msg("field.triggers"), _trigger_text(t, msg), False) for t in triggers[:10]]


def _where(finding, task, msg):
    rows = []
    seen = [_s(s) for s in _l(task.get("seen_in"))]
    if _events(finding):
        seen.append("event_logs" if seen else "events")
    sources = [msg.label("seen", s) for s in seen if s]
    if sources:
        rows.append((msg("field.seen_in"), msg("misc.list_sep").join(sources), False))
    hidden = _l(task.get("hidden_reasons")) or _l(_d(finding.get("evidence")).get("hidden_reasons"))
    for reason in hidden:
        key = "hidden." + _s(reason)
        rows.append((msg("field.hidden"), msg(key) if msg.has(key) else _s(reason), False))
    entry = _d(finding.get("entry"))
    if entry:
        where = "%s:%s" % (_s(entry.get("file")), _s(entry.get("line")))
        rows.append((msg("field.inventory"), where, True))
        if entry.get("owner"):
            rows.append((msg("field.owner"), _s(entry["owner"]), False))
    elif finding.get("task") and finding.get("kind") in TASK_KINDS:
        rows.append((msg("field.inventory"), msg("field.no_entry"), False))
    for item in _l(finding.get("diff"))[:10]:
        item = _d(item)
        rows.append((msg("card.diff"), msg("card.diff_row", field=_s(item.get("field")),
                                           expected=_s(item.get("expected")) or "-",
                                           actual=_s(item.get("actual")) or "-"), True))
    return rows


def _why(finding, msg):
    rules = []
    for r in _l(finding.get("reasons")):
        if not isinstance(r, dict):
            continue
        refs = [ref for ref in _l(r.get("references")) if isinstance(ref, dict)][:MAX_REFS]
        rules.append({"rule": _s(r.get("rule")), "title": reason_title(r, msg, finding.get("params")),
                      "severity": _s(r.get("severity")),
                      "mitre": [_s(m) for m in _l(r.get("mitre"))], "references": refs,
                      "description": reason_description(r, msg)})
    escalations = [reason_title(_d(e), msg) for e in _l(_d(finding.get("evidence")).get("escalations"))]
    return rules, escalations


def _todo(finding, task, msg):
    kinds = list(_l(finding.get("kinds")) or [finding.get("kind")])
    path = _s(finding.get("task"))
    actions = [a for a in _l(task.get("actions")) if isinstance(a, dict)]
    writes = _writes(_events(finding))
    entry = _d(finding.get("entry"))
    program = next((_s(a.get("command") or a.get("class_id")) for a in actions if a.get("command") or a.get("class_id")), "")
    values = {"task": path, "command": program or msg("field.unknown"),
              "time": _s(writes[-1].get("time")) if writes else "",
              "owner": _s(entry.get("owner")), "entry": "%s:%s" % (_s(entry.get("file")), _s(entry.get("line"))),
              "hint": msg("todo.gap_hint"), "why": _s(finding.get("proposal_withheld"))}
    investigate, remediate = [], []
    severe = finding.get("severity") in SEVERE_SEVERITIES
    for kind in kinds:
        inv, rem = CODE_GUIDANCE.get((kind, finding.get("code"))) or GUIDANCE.get(kind, ((), ()))
        for key in inv:
            if key == "todo.who_registered" and not writes:
                key = "todo.who_registered_unknown"
            if key == "todo.owner" and not entry.get("owner"):
                key = "todo.owner_unknown"
            if key == "todo.hash_binary" and not program:
                continue
            if key not in investigate:
                investigate.append(key)
        for key in rem:
            if key == "todo.document" and severe:
                key = "todo.escalate"
            if key not in remediate:
                remediate.append(key)
    if severe and finding.get("kind") in TASK_KINDS and "todo.escalate" not in remediate:
        remediate.insert(0, "todo.escalate")
    if severe and "todo.disable" in remediate and "todo.delete_after" not in remediate:
        remediate.append("todo.delete_after")
    if finding.get("proposal_withheld"):
        remediate.append("todo.proposal_withheld")
    return [msg(k, **values) for k in investigate], [msg(k, **values) for k in remediate]


def card(host, finding, msg):
    task = _task_definition(finding)
    rules, escalations = _why(finding, msg)
    investigate, remediate = _todo(finding, task, msg)
    writes = _writes(_events(finding))
    last = writes[-1] if writes else {}
    actions = [a for a in _l(task.get("actions")) if isinstance(a, dict)]
    principal = _d(task.get("principal"))
    entry = _d(finding.get("entry"))
    mitre = []
    for r in rules:
        for m in r["mitre"]:
            if m not in mitre:
                mitre.append(m)
    kinds = [k for k in _l(finding.get("kinds")) if k] or [finding.get("kind")]
    return {
        "id": _s(finding.get("id")), "host": host, "task": _s(finding.get("task")),
        "severity": _s(finding.get("severity")), "kind": _s(finding.get("kind")), "kinds": kinds,
        "title": finding_title(finding, msg),
        "what": _what(finding, task, msg), "who": _who(finding, task, msg), "how": _how(task, msg),
        "where": _where(finding, task, msg), "rules": rules, "escalations": escalations,
        "investigate": investigate, "remediate": remediate,
        # one-line values for the table formats (CSV, JUnit names)
        "command": " | ".join(command_line(a) or _s(a.get("class_id")) for a in actions),
        "principal": _s(principal.get("user_id") or principal.get("group_id") or principal.get("id")),
        "registered_by": event_actor(last, msg) if last else "",
        "registered_at": _s(last.get("time")),
        "entry": "%s:%s" % (_s(entry.get("file")), _s(entry.get("line"))) if entry else "",
        "mitre": mitre, "rule_ids": [r["rule"] for r in rules],
        "finding": finding,
    }


# ------------------------------------------------------------------ host and fleet
def timeline(rows):
    seen, events = set(), []
    for f in rows:
        for e in _events(f):
            key = (e.get("channel"), e.get("record_id"), e.get("event_id"), e.get("time"))
            if key not in seen:
                seen.add(key)
                events.append(e)
    events.sort(key=lambda e: (_s(e.get("time")), e.get("record_id") if isinstance(e.get("record_id"), int) else 0))
    return events[:MAX_TIMELINE], max(len(events) - MAX_TIMELINE, 0)


def _one_reason(reasons, msg):
    """The fleet's one-line reason: the first (worst) reason, and how many more there are."""
    if not reasons:
        return "-"
    first = reasons[0]
    return first if len(reasons) == 1 else "%s %s" % (first, msg("report.more_reasons", count=len(reasons) - 1))


def host_view(host, entry, msg):
    entry = _d(entry)
    rows = _merge_rows([f for f in _l(entry.get("findings")) if isinstance(f, dict)])
    verdict = host_verdict(entry, rows)
    task_rows = [f for f in rows if f.get("kind") in TASK_KINDS]
    audit_rows = [f for f in rows if f.get("kind") in GAP_KINDS]
    card_rows = [f for f in rows if f.get("kind") not in GAP_KINDS]
    reasons = [verdict_reason_text(_d(r), rows, msg) for r in _l(verdict.get("reasons"))]
    events, more = timeline(rows)
    return {
        "host": host, "entry": entry, "tier": host_tier(entry), "verdict": verdict.get("state"),
        "reason": _one_reason([r for r in reasons if r], msg), "reasons": [r for r in reasons if r],
        "tasks": len(task_rows), "gaps": len(audit_rows),
        "highest": max_severity(*[f.get("severity") for f in task_rows if f.get("severity") in SEVERITY_RANK]),
        "cards": [card(host, f, msg) for f in card_rows],
        "audit": [card(host, f, msg) for f in audit_rows],
        "timeline": events, "timeline_more": more,
    }


def fleet(doc, language=None):
    """[(tier, [host_view...])] in the guideline's priority order, worst verdict first within a tier."""
    msg = Messages(language)
    views = [host_view(h, e, msg) for h, e in _d(doc.get("hosts")).items()]
    order = {v: i for i, v in enumerate(VERDICT_ORDER)}
    views.sort(key=lambda v: (TIERS.index(v["tier"]), order.get(v["verdict"], 9), v["host"]))
    return msg, [(tier, [v for v in views if v["tier"] == tier]) for tier in TIERS
                 if any(v["tier"] == tier for v in views)]


def all_views(groups):
    return [v for _tier, views in groups for v in views]


def count_verdicts(views):
    counts = {}
    for v in views:
        counts[v["verdict"]] = counts.get(v["verdict"], 0) + 1
    return counts
