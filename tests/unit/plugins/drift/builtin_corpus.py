# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render the task definitions of tests/unit/fixtures/builtin_tasks/*.yml as task
files (UTF-16 LE with BOM, as Windows writes them) in an offline evidence folder.

The YAML files hold facts (path, principal, actions) and the reconstructed parts
(triggers, flags); see tests/unit/fixtures/builtin_tasks/README.md."""
from __future__ import annotations

import os
from xml.sax.saxutils import escape

import yaml

FIXTURES = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "builtin_tasks"))

_TRIGGERS = {
    "boot": "<BootTrigger><Enabled>true</Enabled></BootTrigger>",
    "logon": "<LogonTrigger><Enabled>true</Enabled></LogonTrigger>",
    "daily": ("<CalendarTrigger><StartBoundary>2016-09-01T03:00:00</StartBoundary><ScheduleByDay>"
              "<DaysInterval>1</DaysInterval></ScheduleByDay></CalendarTrigger>"),
    "weekly": ("<CalendarTrigger><StartBoundary>2016-09-01T01:00:00</StartBoundary><ScheduleByWeek>"
               "<DaysOfWeek><Sunday /></DaysOfWeek><WeeksInterval>1</WeeksInterval></ScheduleByWeek></CalendarTrigger>"),
    "event": ("<EventTrigger><Subscription>&lt;QueryList&gt;&lt;Query Id=\"0\" Path=\"System\"&gt;&lt;Select "
              "Path=\"System\"&gt;*[System[EventID=1]]&lt;/Select&gt;&lt;/Query&gt;&lt;/QueryList&gt;"
              "</Subscription></EventTrigger>"),
}


def load(name):
    with open(os.path.join(FIXTURES, name), "r", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["tasks"]


def _principal(principal):
    parts = []
    for key, element in (("user_id", "UserId"), ("group_id", "GroupId"), ("logon_type", "LogonType"),
                         ("run_level", "RunLevel")):
        if principal.get(key):
            parts.append("<%s>%s</%s>" % (element, escape(str(principal[key])), element))
    return '<Principals><Principal id="Author">%s</Principal></Principals>' % "".join(parts)


def _action(action):
    if action.get("class_id"):
        return "<ComHandler><ClassId>%s</ClassId></ComHandler>" % escape(action["class_id"])
    text = "<Command>%s</Command>" % escape(action["command"])
    if action.get("arguments"):
        text += "<Arguments>%s</Arguments>" % escape(str(action["arguments"]))
    return "<Exec>%s</Exec>" % text


def render(task):
    """The task XML of one definition."""
    reconstructed = task.get("reconstructed") or {}
    triggers = task.get("triggers", reconstructed.get("triggers", []))
    hidden = bool(task.get("hidden", reconstructed.get("hidden", False)))
    return ('<?xml version="1.0" encoding="UTF-16"?>\r\n'
            '<Task version="1.4" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">'
            "<RegistrationInfo><URI>%s</URI></RegistrationInfo>"
            "<Triggers>%s</Triggers>%s"
            "<Settings><Hidden>%s</Hidden><Enabled>true</Enabled></Settings>"
            '<Actions Context="Author">%s</Actions></Task>\r\n'
            % (escape(task["path"]), "".join(_TRIGGERS[t] for t in triggers), _principal(task["principal"]),
               "true" if hidden else "false", "".join(_action(a) for a in task["actions"])))


def write_evidence(root, tasks):
    """An offline evidence folder (``<root>/Windows/System32/Tasks``) holding ``tasks``."""
    base = os.path.join(str(root), "Windows", "System32", "Tasks")
    for task in tasks:
        target = os.path.join(base, *task["path"].strip("\\").split("\\"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(b"\xff\xfe" + render(task).encode("utf-16-le"))
    return str(root)
