# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Events and an audit call for the tests of who acted in a task event
(test_event_actors_language.py, test_event_actor_twins.py)."""
from __future__ import annotations

from ansible_collections.taskguard.windows.plugins.plugin_utils import drift
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import load_rules
from audit_call import audit_host

from .helpers import StubHostView, event, events_result, tasks_result

RULES = load_rules()
OPERATIONAL = "Microsoft-Windows-TaskScheduler/Operational"
NO_SOURCES = {"api": False, "files": False, "registry": False}
PERSON_SID = "S-1-5-21-1004336348-1177238915-682003330-1104"
FRENCH = u"AUTORITE NT\\Syst\u00e8me"
SR = "\\Microsoft\\Windows\\SystemRestore\\SR"
T0 = "2026-03-10T02:00:00.1234567Z"
T1 = "2026-03-10T02:00:01.0000000Z"


def op(record, event_id, action, task, user, time=T0):
    """An Operational event as event_model normalizes it: subject_sid is the service's."""
    return dict(event(record, event_id, action, task, user=user, channel=OPERATIONAL, time=time),
                provider="Microsoft-Windows-TaskScheduler", subject_sid="S-1-5-18")


def sec(record, event_id, action, task, user, sid, time=T0, definition=None):
    """A Security 4698-4702 event: it carries the acting SID."""
    return dict(event(record, event_id, action, task, user=user, definition=definition, time=time), subject_sid=sid)


def run(tasks=(), entries=(), events=(), *, sources=None):
    return audit_host("h1", tasks_result(list(tasks), sources=sources), events_result(list(events)),
                      StubHostView(list(entries)), RULES, host={"name": "h1"},
                      propose=lambda t, h: {"path": t["path"]})


def codes(audit, task):
    """(code, severity) of every problem of the task's findings."""
    return sorted((f["code"], f["severity"]) for f in audit["findings"] if f["task"] == task
                  for f in [f] + [p for p in f.get("problems") or [] if p is not f])


def kinds(events):
    """{id(event): WINDOWS, PERSON, NAMED or UNVERIFIED}: the kinds drift.decide_actors decides."""
    return {key: actor.kind for key, actor in drift.decide_actors(events).items()}
