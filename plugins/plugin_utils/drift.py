# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-host drift: collected tasks + events + inventory view + risk rules -> findings.

``audit_host`` sees one host only (no fleet state) and reads like the data flow:

    task coverage -> each task judged (concealment, inventory, risk) -> required
    tasks missing -> event coverage -> events indexed by task -> registrants,
    absent tasks, state changes, authors -> one row per task -> verdict

Linear in tasks + events: every task and event is touched a constant number of
times, risk rules run only for tasks that produce a finding. The finding shape,
codes and the verdict live in findings.py.

What a finding says is limited by what was read: "absent" needs a task source
that would have shown the task (``sources``), a task seen only in events says
its current state was not collected.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import collections
import datetime
import re

from ansible_collections.taskguard.windows.plugins.plugin_utils import findings as fnd
from ansible_collections.taskguard.windows.plugins.plugin_utils import security_tasks, well_known_sids
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import (
    acting_account as _user, acting_sid as _actor_sid,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.findings import (
    CONCEALMENT, MAX_EVENTS_PER_FINDING, lower_path, reason, trim,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_compare import SERVICE_SIDS, normalize_account
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK, max_severity, windows_component
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import REASON_NEEDS

TASK_SOURCES = ("api", "files", "registry")
_NO_RISK = {"severity": None, "reasons": [], "escalations": []}
_MS_AUTHORS = ("microsoft", "$(@%systemroot%", "$(@%windir%", "@%systemroot%")
MAX_AUTHOR_CHARS = 512

_REF_T1053 = {"title": "MITRE ATT&CK T1053.005", "url": "https://attack.mitre.org/techniques/T1053/005/"}
_REF_ATEXEC = {"title": "Impacket atexec.py", "url": "https://github.com/fortra/impacket/blob/master/examples/atexec.py"}

# The material of one host, and what judges it.
Material = collections.namedtuple("Material", "name host tasks events")
Judges = collections.namedtuple("Judges", "host_view rules propose")


def audit_host(material, judges):
    """Return ``{"status", "verdict", "findings", "summary", "unconfirmed_entries"}``.

    ``material.tasks``/``.events``: the task_info / task_events results (None when
    that collection did not run); ``material.host``: ``{"name", "groups",
    "os_family", "domain_role", ...}``. ``judges.host_view``: the inventory
    HostView (None when no inventory could be loaded: every task is then
    undocumented and a coverage gap says so); ``judges.rules``: compiled risk
    rules or None; ``judges.propose(task, host) -> dict``: inventory proposal.
    """
    run = _Run(material, judges)
    sources, tasks = run.task_coverage()
    run.inventory_notes()
    present = run.judge_tasks(tasks, sources)
    run.missing_tasks(present, sources)
    by_task = run.event_findings(present, sources)
    rows = run.finish(by_task)
    partial = any(f["kind"] == "coverage_gap" for f in rows)
    status = "partial" if partial else "audited"
    return {"status": status, "findings": rows, "summary": fnd.summarize(rows),
            "verdict": fnd.verdict(status, rows, task_sources_read=run.task_sources_read(sources)),
            "unconfirmed_entries": sorted(run.unconfirmed.values(), key=lambda e: (str(e["file"]), e["line"] or 0))}


class _Run(object):
    """One host's audit: the stages share the findings accumulator and the judges."""

    def __init__(self, material, judges):
        self.name = material.name
        self.host = material.host or {"name": material.name}
        self.tasks_result = material.tasks
        self.events_result = material.events
        self.view = judges.host_view
        self.rules = judges.rules if hasattr(judges.rules, "evaluate") else None
        self.propose = judges.propose
        self.out = fnd.Findings(material.name)
        self.matcher_errors = []
        self.unconfirmed = {}
        self.entries = {}        # lower path -> entry (or None) as judged for the task

    # ---------------------------------------------------------------- helpers
    def match(self, path):
        """Inventory entry for a path. A matcher error is a coverage finding (the
        task is then judged undocumented), never silence."""
        if self.view is None:
            return None
        try:
            return self.view.match(path)
        except Exception as exc:
            self.matcher_errors.append({"task": path, "error": "%s: %s" % (type(exc).__name__, exc)})
            return None

    def allows(self, entry, user):
        try:
            return entry.allows_registrant(user) if user else None
        except Exception as exc:
            self.matcher_errors.append({"task": getattr(entry, "key", None),
                                        "error": "allowed_registrants: %s: %s" % (type(exc).__name__, exc)})
            return False   # fail closed: an entry that cannot say yes does not allow

    def lists_registrants(self, entry):
        """Whether the entry has an allow list: allows_registrant answers None
        without one and False for an empty account with one (inventory_loader.Entry)."""
        try:
            return entry.allows_registrant("") is not None
        except Exception as exc:
            self.matcher_errors.append({"task": getattr(entry, "key", None),
                                        "error": "allowed_registrants: %s: %s" % (type(exc).__name__, exc)})
            return True    # fail closed: an entry that cannot say has a list that was not checked

    def allows_event(self, entry, event, actor):
        """Whether the entry allows the account that acted in the event: True, False,
        None (the entry has no allow list) or UNCHECKED (it has one, but the event
        names no account and no Security twin gives its SID: nothing to check).

        Tried by the name the event gives, then by the acting SID its actor was
        decided by (``actor.sid``: a Security event's own, or an Operational event's
        Security twin's, see decide_actors), also when the event gives no name. The
        SID is what the name was looked up from: an entry allowing S-1-5-18 allows
        SYSTEM whatever the host's language calls it."""
        user = _user(event)
        sid = actor.sid if actor is not None else None
        if not user and not sid:
            return UNCHECKED if self.lists_registrants(entry) else None
        answer = self.allows(entry, user) if user else False
        if answer is False and sid and sid != user:
            answer = self.allows(entry, sid)
        return answer

    def risk(self, task, documented):
        if self.rules is None or not isinstance(task, dict):
            return _NO_RISK
        return self.rules.evaluate(task, {"documented": documented})

    def proposal(self, task):
        if self.propose is None:
            return None
        try:
            return trim(self.propose(task, self.host))
        except Exception as exc:  # a proposal must never hide the finding
            return {"error": "could not propose an entry: %s" % exc}

    @staticmethod
    def task_sources_read(sources):
        return any(sources.get(s) for s in TASK_SOURCES)

    # ------------------------------------------------------ stage: task coverage
    def task_coverage(self):
        """(sources read, tasks) and the coverage findings of the task collection."""
        result = self.tasks_result
        if not isinstance(result, dict):
            self.out.add("TG-C001", key="tasks-missing")
            return {}, []
        sources = result.get("sources") or {}
        mode = result.get("mode")
        expected = ("files", "registry") if mode == "offline" else TASK_SOURCES
        by_source = {}
        for err in result.get("errors") or []:
            if isinstance(err, dict):
                by_source.setdefault(str(err.get("source")), []).append(err)
        for source in expected:
            if not sources.get(source):
                self.out.add("TG-C002", params={"source": source}, key="source:" + source,
                             evidence={"source": source, "mode": mode})
        if sources.get("job_files") is False:
            self.out.add("TG-C017", evidence={"source": "job_files", "mode": mode}, key="source:job_files")
        for source, errs in sorted(by_source.items()):
            self.out.add("TG-C003", params={"count": len(errs), "source": source}, evidence={"errors": trim(errs)},
                         key="errors:" + source)
        for item in result.get("unparseable") or []:
            if isinstance(item, dict):
                self.out.add("TG-U001", item.get("path"), evidence=trim(item),
                             key="task:%s:%s" % (item.get("source"), item.get("path")))
        return sources, [t for t in (result.get("tasks") or []) if isinstance(t, dict)]

    def inventory_notes(self):
        if self.view is None:
            self.out.add("TG-C004", key="inventory")
        elif getattr(self.view, "version_unknown", False):
            self.out.add("TG-C015", evidence={"os_family": self.host.get("os_family")}, key="version-unknown")
        elif getattr(self.view, "baseline_missing", False):
            families = (", ".join(sorted(getattr(self.view, "union_os_families", None) or ()))
                        or "none: the inventory holds no built-in baseline")
            params = {"os_family": self.host.get("os_family"), "families": families}
            self.out.add("TG-C016", params=params, evidence=params, key="baseline-missing")

    # ------------------------------------------------------ stage: each task
    def judge_tasks(self, tasks, sources):
        """Judge every collected task; returns {lower path: task} of the present ones."""
        present = {}
        for index, task in enumerate(tasks):
            path = task.get("path")
            if not isinstance(path, str) or not path:
                self.out.add("TG-U004", evidence={"task": trim(task)}, key="nopath:%d" % index)
                continue
            key = lower_path(path)
            present[key] = task
            self.judge_task(path, task, sources, key)
        return present

    def judge_task(self, path, task, sources, key=None):
        """``key``: lower_path(path) when the caller has it."""
        entry = self.match(path)
        entry, documented = self.confirmed(entry, path, task)
        self.entries[lower_path(path) if key is None else key] = entry
        concealment = concealment_reasons(task, sources)
        risk = None
        if concealment:
            risk = self.risk(task, documented)
            severity = max_severity(risk["severity"], *[CONCEALMENT[r] for r in concealment])
            reasons = [reason(fnd.CONCEALMENT_CODES[r]) for r in concealment] + risk["reasons"]
            self.out.add(fnd.CONCEALMENT_CODES[concealment[0]], path, severity=severity,
                         params={"hidden_reasons": ", ".join(concealment)}, reasons=reasons,
                         evidence={"task": trim(task), "hidden_reasons": list(concealment),
                                   "escalations": risk["escalations"]},
                         entry=_entry_source(entry), key=",".join(sorted(concealment)))
        if not documented:
            risk = risk or self.risk(task, False)
            self.out.add("TG-D005", path, severity=risk["severity"], reasons=risk["reasons"],
                         evidence={"task": trim(task), "escalations": risk["escalations"]},
                         proposed_entry=self.proposal(task), entry=_entry_source(entry))
            return
        try:
            diff = entry.compare(task) or []
        except Exception as exc:
            diff = [{"field": "<compare error>", "expected": None, "actual": str(exc)}]
        if diff:
            risk = risk or self.risk(task, True)
            fields = ", ".join(sorted({str(d.get("field")) for d in diff}))
            code = "TG-D009" if _other_build(entry, task, diff) else "TG-D001"
            self.out.add(code, path, severity=risk["severity"], params={"fields": fields},
                         reasons=[reason(code, {"fields": fields})] + risk["reasons"],
                         evidence={"task": trim(task), "escalations": risk["escalations"]},
                         entry=_entry_source(entry), diff=trim(diff))
        if getattr(entry, "expired", False):
            self.out.add("TG-D002", path, reasons=[reason("TG-D002")], evidence={"task": trim(task)},
                         entry=_entry_source(entry))

    def confirmed(self, entry, path, task):
        """(entry, documented). An unconfirmed entry (review pending, CONFIRM:
        placeholders) documents nothing that scores high or above; below that the
        task is documented and 'pending review' is said (issue: a copied proposal
        must not silence an attack)."""
        if entry is None:
            return None, False
        if not getattr(entry, "unconfirmed", False):
            return entry, True
        source = _entry_source(entry) or {"file": None, "line": None}
        self.unconfirmed[(source["file"], source["line"])] = dict(source, key=getattr(entry, "key", None))
        # What the task itself scores (as if documented: the unconfirmed entry's own
        # existence is not the question, its content is).
        risk = self.risk(task, True)
        params = {"file": source["file"], "line": source["line"]}
        if risk["severity"] and SEVERITY_RANK[risk["severity"]] >= SEVERITY_RANK["high"]:
            self.out.add("TG-D007", path, params=params, reasons=[reason("TG-D007", params)],
                         evidence={"task": trim(task)}, entry=source)
            return entry, False
        self.out.add("TG-D006", path, params=params, reasons=[reason("TG-D006", params)],
                     evidence={"task": trim(task)}, entry=source)
        return entry, True

    # ------------------------------------------------------ stage: missing tasks
    def missing_tasks(self, present, sources):
        """Required entries with no task. Only said when a task source was read."""
        if self.view is None or not isinstance(self.tasks_result, dict) or not self.task_sources_read(sources):
            return
        try:
            required = list(self.view.required_entries())
        except Exception as exc:
            self.matcher_errors.append({"task": None, "error": "required entries: %s" % exc})
            return
        read = ", ".join(s for s in TASK_SOURCES if sources.get(s))
        matched = {id(e) for e in self.entries.values() if e is not None}
        for entry in required:
            path = getattr(entry, "path", None) or getattr(entry, "key", None) or "?"
            if lower_path(path) in present or id(entry) in matched:
                continue
            if getattr(entry, "is_pattern", False) and any(_safe_matches(entry, t.get("path")) for t in present.values()):
                continue
            self.out.add("TG-D003", path, params={"sources": read}, reasons=[reason("TG-D003", {"sources": read})],
                         entry=_entry_source(entry))

    # ------------------------------------------------------ stage: events
    def event_findings(self, present, sources):
        """Coverage of the event collection, then per task: registrants, absent
        tasks, state changes, authors. Returns {lower path: [events]}."""
        if not isinstance(self.events_result, dict):
            self.out.add("TG-C005", key="events-missing")
            return {}
        event_coverage(self.out, self.events_result)
        by_task = index_events(self.out, self.events_result)
        for key, events in by_task.items():
            path = events[0].get("task")
            if key in self.entries:
                entry = self.entries[key]
            else:
                entry = self.confirmed(self.match(path), path, _latest_definition(events))[0]
            actors = decide_actors(events)
            self.registrants(path, entry, events, actors)
            if key not in present:
                self.absent_task(path, entry, events, sources, actors)
            self.state_changes(path, entry, events, actors)
            self.authors(path, present.get(key) or _latest_definition(events), events, actors)
        return by_task

    def registrants(self, path, entry, events, actors):
        """An account the entry does not allow registered/updated the task (one
        finding per task and account). Windows' own account (verified: a service
        account SID or a computer account, see decide_actors) updating a documented
        Windows task is routine (SvcRestartTask on DCs): info."""
        if entry is None:
            return
        refused = {}
        unchecked = []
        for event in events:
            if event.get("action") not in ("registered", "updated"):
                continue
            answer = self.allows_event(entry, event, actors.get(id(event)))
            if answer is False:   # refused by its twin's SID when the event names no account
                refused.setdefault(str(_user(event) or fnd.UNKNOWN_ACCOUNT).lower(), []).append(event)
            elif answer is UNCHECKED:
                unchecked.append(event)
        if unchecked:
            self.unchecked_registrants(path, entry, unchecked)
        for _key, evs in sorted(refused.items()):
            user = str(_user(evs[0]) or fnd.UNKNOWN_ACCOUNT)
            actions = "/".join(sorted({str(e.get("action")) for e in evs}))
            code = "TG-D008" if _machine_update(path, evs, actors) else "TG-D004"
            params = {"actions": actions, "user": user}
            self.out.add(code, path, params=params, reasons=[reason(code, params)],
                         evidence={"events": [trim(e) for e in evs[:MAX_EVENTS_PER_FINDING]]},
                         entry=_entry_source(entry), key="user:" + user.lower())

    def unchecked_registrants(self, path, entry, events):
        """The entry has an allow list, but these registrations/updates name no account
        and have no Security twin to give the SID (an Operational 106/140 without a
        user name, on a host that does not audit "Other Object Access Events"): the
        list could not be enforced, and the report says so instead of passing them.
        Tasks without an allow list never get here."""
        events = sorted(events, key=_event_order)
        params = {"actions": "/".join(sorted({str(e.get("action")) for e in events})), "count": len(events)}
        self.out.add("TG-D010", path, params=params, reasons=[reason("TG-D010", params)],
                     evidence={"events": [trim(e) for e in events[:MAX_EVENTS_PER_FINDING]],
                               "event_count": len(events)},
                     entry=_entry_source(entry), key="registrant-unchecked")

    def absent_task(self, path, entry, events, sources, actors):
        """A task registered/updated since the last audit that the task sources read
        do not show now -- or, without a task source, that was seen in events only."""
        registrations = [e for e in events if e.get("action") in ("registered", "updated")]
        if not registrations:
            return
        # an unchecked registrant (UNCHECKED: TG-D010 says so) does not document the
        # registration of a task that is gone now: fail closed to TG-T001/T002/T003
        if entry is not None and all(self.allows_event(entry, e, actors.get(id(e))) in (True, None)
                                     for e in registrations):
            # documented (e.g. Ansible's own runner tasks): only what the events say it
            # was changed *to* can still differ from the entry
            self.event_definition_drift(path, entry, registrations)
            return
        deletions = [e for e in events if e.get("action") == "deleted"]
        definition = _latest_definition(registrations)
        risk = self.risk(definition, entry is not None) if definition else _NO_RISK
        last = sorted(registrations, key=_event_order)[-1]
        params = {"actions": "/".join(sorted({str(e.get("action")) for e in registrations})),
                  "time": last.get("time"), "user": _user(last) or fnd.UNKNOWN_ACCOUNT}
        # transient only when the task ended deleted: servicing deletes a Windows
        # task and registers its new definition (4699/141 then 4698/106)
        transient = sorted(registrations + deletions, key=_event_order)[-1].get("action") == "deleted"
        # a 106 carries no definition: judged by the 4698/4702 that does, when one does
        judged = [e for e in registrations if definition is None or isinstance(e.get("definition"), dict)
                  or e.get("action") != "registered"]
        routine = (not transient and _machine_update(path, judged, actors)
                   and SEVERITY_RANK.get(risk["severity"], 0) <= SEVERITY_RANK["low"])
        # 106/140 by SYSTEM in a Windows folder carry no definition: said, not alarmed on
        # (issue 16). Low, not info, and for a SYSTEM named only by its name as well: the
        # finding says that it could not be checked. A name no table knows (a person's, or
        # SYSTEM in another language) is not quieted: TG-T002/T003 name it.
        system_undefined = not (routine or transient or definition or self.task_sources_read(sources)
                                or any(e.get("definition_error") for e in registrations)) and _system_claimed(
            path, registrations, actors)
        if routine:
            code = "TG-T009"   # e.g. SvcRestartTask rescheduled by the DC's computer account
        elif transient:
            code = "TG-T001"
        elif system_undefined:
            code = "TG-T012"
            # the title says whether {user} (the last registration's) was verified or only named
            params["actor_check"] = fnd.T012_VERIFIED if _kind(actors, last) == WINDOWS else fnd.T012_NAME_ONLY
        elif self.task_sources_read(sources):
            code = "TG-T002"
            params["sources"] = ", ".join(s for s in TASK_SOURCES if sources.get(s))
        else:
            code = "TG-T003"
        chosen = sorted(registrations + deletions, key=_event_order)
        self.out.add(code, path, severity=None if routine else risk["severity"], params=params,
                     reasons=[reason(code, params, references=[_REF_T1053, _REF_ATEXEC])] + risk["reasons"],
                     evidence={"events": [trim(e) for e in chosen[:MAX_EVENTS_PER_FINDING]],
                               "event_count": len(events), "escalations": risk["escalations"],
                               "task": trim(definition) if definition else None},
                     entry=_entry_source(entry),
                     proposed_entry=self.proposal(definition) if (entry is None and definition) else None,
                     key="%s:%s" % (registrations[0].get("channel"), registrations[0].get("record_id")))

    def event_definition_drift(self, path, entry, registrations):
        """A documented task registered/updated (4698/4702 carry the definition) to
        something its entry does not describe, seen in events only: e.g. a built-in
        task pointed at another program by a remote update."""
        last = sorted(registrations, key=_event_order)[-1]
        definition = last.get("definition") if isinstance(last.get("definition"), dict) else None
        if definition is None:
            return
        try:
            diff = entry.compare(definition) or []
        except Exception as exc:
            diff = [{"field": "<compare error>", "expected": None, "actual": str(exc)}]
        if not diff or _other_build(entry, definition, diff):
            return
        risk = self.risk(definition, True)
        params = {"actions": str(last.get("action")), "time": last.get("time"),
                  "user": _user(last) or fnd.UNKNOWN_ACCOUNT,
                  "fields": ", ".join(sorted({str(d.get("field")) for d in diff}))}
        self.out.add("TG-T011", path, severity=risk["severity"], params=params,
                     reasons=[reason("TG-T011", params)] + risk["reasons"],
                     evidence={"events": [trim(last)], "task": trim(definition),
                               "escalations": risk["escalations"]},
                     entry=_entry_source(entry), diff=trim(diff),
                     key="%s:%s" % (last.get("channel"), last.get("record_id")))

    def state_changes(self, path, entry, events, actors):
        """Disables (4701, 142) and enables (4700) of a task."""
        for event in events:
            action = event.get("action")
            if action not in ("disabled", "enabled"):
                continue
            params = {"time": event.get("time"), "user": _user(event) or fnd.UNKNOWN_ACCOUNT}
            key = "%s:%s:%s" % (action, event.get("channel"), event.get("record_id"))
            evidence = {"events": [trim(event)]}
            if action == "enabled":
                if entry is None:
                    self.out.add("TG-T006", path, params=params, reasons=[reason("TG-T006", params)],
                                 evidence=evidence, key=key)
                continue
            item = security_tasks.load().match(path)
            if item is not None:
                refs = [{"title": "MITRE ATT&CK %s" % m, "url": "https://attack.mitre.org/techniques/%s/"
                         % m.replace(".", "/")} for m in item["mitre"]]
                params["why"] = item["why"]
                # A person's account disabling it is the attack; the system itself
                # disabling it is often Windows (Update Orchestrator toggles its tasks).
                # Lowered to medium only when verified (a SID, NAME$, or the Security twin
                # of a 142): an Operational name alone ("System", or SYSTEM in German)
                # cannot be told from a person's account in every language.
                code = "TG-T010" if _kind(actors, event) == WINDOWS else "TG-T005"
                self.out.add(code, path, params=params, evidence=evidence, key=key,
                             reasons=[dict(reason(code, params, references=refs), mitre=item["mitre"])],
                             entry=_entry_source(entry))
            else:
                self.out.add("TG-T004", path, params=params, reasons=[reason("TG-T004", params)],
                             evidence=evidence, entry=_entry_source(entry), key=key)

    def authors(self, path, task, events, actors):
        """RegistrationInfo/Author against who registered the task (106 UserContext,
        4698 SubjectUserName): a claimed author is data the registrant chose."""
        author = task.get("author") if isinstance(task, dict) else None
        if not isinstance(author, str) or not author.strip():
            return
        if len(author) > MAX_AUTHOR_CHARS:
            self.out.add("TG-T008", path, params={"length": len(author)}, reasons=[reason("TG-T008", {"length": len(author)})],
                         evidence={"author": trim(author)}, key="author-size")
            return
        for event in events:
            if event.get("action") != "registered":
                continue
            user = _user(event)
            if _author_mismatch(author, user, _kind(actors, event)):
                params = {"author": author[:200], "user": user}
                self.out.add("TG-T007", path, params=params, reasons=[reason("TG-T007", params)],
                             evidence={"author": author, "events": [trim(event)]}, key="author")
                return

    # ------------------------------------------------------ stage: finish
    def finish(self, by_task):
        """Matcher errors as coverage, events attached to task findings, one row per
        task, proposals withheld where the task must be investigated first."""
        if self.matcher_errors:
            self.out.add("TG-C014", params={"count": len(self.matcher_errors)},
                         evidence={"errors": trim(self.matcher_errors)}, key="matcher")
        for finding in self.out.items:
            if finding["kind"] in fnd.TASK_KINDS and finding["task"] and "events" not in finding["evidence"]:
                related = [e for e in by_task.get(lower_path(finding["task"]), ())
                           if e.get("action") in ("registered", "updated", "deleted", "disabled", "enabled")]
                if related:
                    finding["evidence"]["events"] = [trim(e) for e in related[:MAX_EVENTS_PER_FINDING]]
        rows = self.out.rows()
        for row in rows:
            if row.get("proposed_entry") is not None:
                withheld = fnd.withhold_proposal(row)
                if withheld:
                    row["proposed_entry"] = None
                    row["proposal_withheld"] = withheld
        return rows


# ---------------------------------------------------------------- stage helpers
def concealment_reasons(task, sources):
    """The task's hidden_reasons that mean concealment and whose sources were read
    (the one table of which source a reason needs is task_collection.REASON_NEEDS)."""
    out = []
    for code in task.get("hidden_reasons") or []:
        if code not in CONCEALMENT:
            continue
        needs = REASON_NEEDS.get(code, ("files",))
        needs = (needs,) if isinstance(needs, str) else needs
        if all(sources.get(s, True) for s in needs):
            out.append(code)
    return out


def _log_clearings(out, channel, cov):
    """TG-C018 for each clearing of the log read in this window (Security 1102);
    the evidence says how many there were when more than are described."""
    total = cov.get("cleared_count")
    for item in cov.get("cleared") or ():
        if not isinstance(item, dict):
            continue
        params = {"channel": channel, "time": item.get("time") or "?",
                  "user": item.get("user") or item.get("subject_sid") or "?"}
        out.add("TG-C018", params=params, reasons=[reason("TG-C018", params)],
                evidence=dict(trim(item), clearings_in_window=total),
                key="cleared:%s:%s" % (channel, item.get("record_id")))


def event_coverage(out, result):
    """Coverage findings of the event collection: channels, errors, truncation, unparseable."""
    for channel, cov in sorted((result.get("coverage") or {}).items()):
        if not isinstance(cov, dict):
            continue
        # (key, English) of each problem: the keys let a report say them in its language
        _log_clearings(out, channel, cov)
        # a loss explained only by clearings is said once, by TG-C018
        reasons = set(cov.get("reasons") or ())
        lost = bool(cov.get("events_may_be_lost")) and not (reasons and reasons <= {"log_cleared"})
        problems = [(key, text) for key, text, present in (
            ("channel_disabled", "channel disabled", cov.get("enabled") is False),
            ("not_readable", "channel not readable", cov.get("readable") is False),
            ("events_may_be_lost", "events may have been lost", lost),
            ("foreign_records", "the file read for this channel holds %s record(s) of another channel"
             % cov.get("foreign_records"), bool(cov.get("foreign_records")))) if present]
        if not problems:
            continue
        detail = ", ".join(str(r) for r in (cov.get("reasons") or [])[:6])
        params = {"channel": channel, "problems": "; ".join(t for _k, t in problems) + (" (%s)" % detail if detail else ""),
                  "problem_keys": [k for k, _t in problems], "detail": detail,
                  "foreign_records": cov.get("foreign_records")}
        out.add("TG-C006", params=params, reasons=[reason("TG-C006", params)],
                evidence={"channel": channel, "coverage": trim(cov),
                          "channel_info": trim((result.get("channels") or {}).get(channel))},
                key="channel:" + channel)
    errors = [e for e in (result.get("errors") or []) if isinstance(e, dict)]
    if errors:
        out.add("TG-C010", params={"count": len(errors)}, evidence={"errors": trim(errors)}, key="event-errors")
    if result.get("truncated"):
        out.add("TG-C007", key="events-truncated")
    for item in result.get("unparseable") or []:
        if isinstance(item, dict):
            out.add("TG-U002", evidence=trim(item), key="event:%s:%s" % (item.get("source"), item.get("record_id")))


def index_events(out, result):
    """{lower task path: [events]} in one pass; a broken definition inside an event is a finding."""
    by_task = {}
    for event in result.get("events") or []:
        if not isinstance(event, dict):
            continue
        if event.get("definition_error"):
            out.add("TG-U003", event.get("task"), evidence=trim(event),
                    key="event-def:%s:%s" % (event.get("channel"), event.get("record_id")))
        task = event.get("task")
        if task and isinstance(task, str):
            by_task.setdefault(lower_path(task), []).append(event)
    return by_task


def _entry_source(entry):
    """Where the matching inventory entry is and who owns it (the reader asks them)."""
    source = getattr(entry, "source", None) if entry is not None else None
    if isinstance(source, dict):
        out = {"file": source.get("file"), "line": source.get("line")}
        for field in ("owner", "contact"):
            value = getattr(entry, field, None)
            if isinstance(value, str):
                out[field] = value[:200]
        return out
    return None


def _safe_matches(entry, path):
    try:
        return bool(path) and bool(entry.matches_path(path))
    except Exception:
        return False


def _other_build(entry, task, diff):
    """True when a task differs from a *built-in* baseline entry only the way one
    Windows build differs from another: the task still runs only Windows programs
    inside C:\\Windows (or COM handlers), its COM classes are the baseline's, and it
    runs as a built-in account. A changed COM class, a program elsewhere or a
    person's account stay a modification (TG-D001).

    "Built-in account" is the one rule of well_known_sids (also behind TG-A023 and
    TG-A024): any SID Windows defines, or a name in a spelling that is not
    translated or that inventory_compare maps to a SID. A localized name missing
    from those lists is judged a person's (TG-D001 stays): said louder, never
    quieter."""
    if not getattr(entry, "builtin_baseline", False) or not windows_component(task):
        return False
    if any("class_id" in str(d.get("field")) or d.get("field") == "<compare error>" for d in diff):
        return False   # a changed COM class, or a comparison that did not run, is no build difference
    principal = task.get("principal") if isinstance(task.get("principal"), dict) else {}
    account = principal.get("user_id") or principal.get("group_id") or ""
    return well_known_sids.is_built_in(account)


def _event_order(event):
    record = event.get("record_id")
    return (str(event.get("time")), record if isinstance(record, int) else 0)


def _latest_definition(events):
    for event in sorted(events, key=_event_order, reverse=True):
        if isinstance(event.get("definition"), dict):
            return event["definition"]
    return None


def _account(value):
    text = str(value or "").strip().casefold()
    return text.rsplit("\\", 1)[-1].split("@", 1)[0]


# ---------------------------------------------------------------- who acted
# Windows translates account names (SYSTEM is "NT-AUTORITAET\SYSTEM" with an umlaut in
# German, "AUTORITE NT\Systeme" with an accent in French),
# never SIDs. Security 4698-4702 carry the acting SID (SubjectUserSid); the Operational
# 106/140/141/142 carry a name only (UserContext/UserName). Who acted in an event is:
WINDOWS = "windows"        # verified: SYSTEM, LOCAL SERVICE or NETWORK SERVICE by SID; in a
#                            name-only event without a Security twin (a twin decides, see
#                            decide_actors), a computer account NAME$ (the "$" is not
#                            translated; the Security log names SYSTEM and NETWORK SERVICE
#                            that way, with their SID). Where a SID is there it decides: a
#                            user account can be given a trailing "$" to hide it
PERSON = "person"          # verified: any other acting SID
NAMED = "named_windows"    # a name only, in a spelling inventory_compare maps to SYSTEM/LOCAL
#                            SERVICE/NETWORK SERVICE: a claim nothing in the event verifies
UNVERIFIED = "unverified"  # a name only, anything else: a person's, or a Windows account in a
#                            language no table knows
# What each use trusts (fail closed both ways):
# - lowering (TG-T009/TG-D008 info, TG-T010 instead of TG-T005) needs WINDOWS: a name
#   alone never lowers a severity;
# - TG-T012 (low, says it could not be checked) takes WINDOWS or NAMED; UNVERIFIED stays
#   TG-T002/T003 (medium), which name the account for the analyst;
# - TG-T007 (raises) is never caused by WINDOWS or NAMED, and its "claims Microsoft"
#   half needs a verified PERSON: SYSTEM in an unknown language registering Windows'
#   own task must not raise it on every servicing run.
# An event without its own acting SID (every Operational event) takes the actor of its
# Security twin when there is one (see decide_actors), so a host with both logs is judged
# by SID throughout. Which events carry the acting SID, and the name-else-SID fallback of
# finding texts and allow lists, are event_model's one rule (acting_sid, acting_account:
# imported here as _actor_sid and _user).
# allows_event's answer when an entry has an allow list but the event names no account
# and no Security twin gives its SID (TG-D010): neither allowed nor refused.
UNCHECKED = "unchecked"
_TWIN_SECONDS = 2
_EPOCH = datetime.datetime(1970, 1, 1)
# Who acted in one event: ``kind`` (WINDOWS, PERSON, NAMED or UNVERIFIED) and ``sid``, the
# acting SID the kind was decided by (the event's own, or its Security twin's), else None.
Actor = collections.namedtuple("Actor", "kind sid")


def _own_actor(event):
    """WINDOWS, PERSON, NAMED or UNVERIFIED from the event alone."""
    name = str(event.get("user") or "").strip()
    sid = _actor_sid(event)
    if sid is None and name.isascii() and name.upper().startswith("S-1-"):
        sid = name                      # the name field holds a SID as text (ASCII: upper()
        #                                 turns U+017F, a look-alike of "s", into "S")
    if sid is not None:                 # the SID decides, whatever the name (NAME$ included)
        return WINDOWS if well_known_sids.is_service_account_sid(sid) else PERSON
    if well_known_sids.is_machine_account(name):
        return WINDOWS
    if name and normalize_account(name) in SERVICE_SIDS:
        return NAMED
    return UNVERIFIED


# The time of an event as the collectors write it (ASCII digits, zero-padded): read
# by slicing, ~10x cheaper than strptime per event; anything else (other widths,
# other digits) still goes through strptime, which decides as before.
_PLAIN_SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\Z")


def _second(value):
    text = str(value)[:19]
    try:
        if _PLAIN_SECOND.match(text):
            # datetime() refuses what strptime refuses here (month 13, hour 24, second 60, Feb 30)
            moment = datetime.datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]),
                                       int(text[11:13]), int(text[14:16]), int(text[17:19]))
        else:
            moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")
        return int((moment - _EPOCH).total_seconds())
    except (TypeError, ValueError):
        return None


def decide_actors(events):
    """{id(event): Actor} for the events of one task.

    An event without its own acting SID (an Operational record, whatever its name
    field says: a NAME$, a SID written as text, a translated name or none) takes the
    actor of its Security twin (same action on the same task within _TWIN_SECONDS:
    Windows writes a 4698 beside each 106, a 4702 beside each 140, a 4701 beside each
    142), whose SID is language independent; ``sid`` is then the twin's, which allow
    lists are tried with. Twins of different kinds (a person and Windows at the same
    moment) leave the event as it is; twins of one kind but different SIDs give the
    kind and no SID (which account it was cannot be told)."""
    own = {}
    verified = {}
    for event in events:
        actor = own[id(event)] = Actor(_own_actor(event), _actor_sid(event))
        second = _second(event.get("time")) if actor.sid else None
        if second is not None:
            verified.setdefault((str(event.get("action")), second), set()).add(actor)
    out = {}
    for event in events:
        actor = own[id(event)]
        second = _second(event.get("time")) if actor.sid is None else None
        if second is not None:
            twins = set()
            for delta in range(-_TWIN_SECONDS, _TWIN_SECONDS + 1):
                twins |= verified.get((str(event.get("action")), second + delta), set())
            kinds = {twin.kind for twin in twins}
            if len(kinds) == 1:
                # lower(), not casefold()/upper(): those fold a look-alike letter into "s"
                sids = {twin.sid.lower() for twin in twins}
                actor = Actor(kinds.pop(), twins.pop().sid if len(sids) == 1 else None)
        out[id(event)] = actor
    return out


def _kind(actors, event):
    actor = actors.get(id(event))
    return actor.kind if actor is not None else None


def _in_windows_folder(path):
    return lower_path(path).startswith("\\microsoft\\windows\\")


def _machine_update(path, events, actors):
    """Windows itself (verified: see WINDOWS) updating a Windows task in place, or
    registering one whose definition is a Windows component (Windows Update installs
    its new tasks that way). Lowers a finding to info, so a name alone never does."""
    if not events or not _in_windows_folder(path):
        return False
    return all(_kind(actors, e) == WINDOWS and (
        e.get("action") == "updated" or (e.get("action") == "registered" and isinstance(e.get("definition"), dict)
                                         and windows_component(e["definition"]))) for e in events)


def _system_claimed(path, events, actors):
    """Every registration of a Windows-folder task by Windows, verified or by a name
    inventory_compare maps to a service account (TG-T012 says it was not checked)."""
    return bool(events) and _in_windows_folder(path) and all(_kind(actors, e) in (WINDOWS, NAMED) for e in events)


def _author_mismatch(author, user, actor):
    """True when the Author names an account other than the registrant, or claims
    Microsoft while a person's account (verified by SID) registered the task."""
    if not user or actor in (WINDOWS, NAMED):
        return False
    folded = author.strip().casefold()
    if folded.startswith(_MS_AUTHORS):
        return actor == PERSON
    if "\\" in folded or "@" in folded:
        return _account(folded) != _account(user)
    return False
