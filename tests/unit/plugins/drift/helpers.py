# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small builders shared by the drift tests (normalized tasks/events, stub inventory)."""
from __future__ import annotations

SYSTEM = {"id": "LocalSystem", "user_id": "S-1-5-18", "group_id": None, "logon_type": "ServiceAccount",
          "run_level": "HighestAvailable"}
USER = {"id": "Author", "user_id": "HOST\\alice", "group_id": None, "logon_type": "InteractiveToken",
        "run_level": "LeastPrivilege"}


def make_task(path, command="C:\\Program Files\\Vendor\\agent.exe", arguments=None, principal=None,
              triggers=("daily",), hidden=False, hidden_reasons=(), uri=None, working_directory=None):
    name = path.rsplit("\\", 1)[-1]
    folder = path.rsplit("\\", 1)[0] or "\\"
    return {
        "path": path, "name": name, "folder": folder, "uri": uri if uri is not None else path,
        "enabled": True, "hidden": hidden, "author": None, "description": None, "registration_date": None,
        "schema_version": "1.2", "security_descriptor": None, "source": None,
        "principal": dict(principal or USER),
        "actions": [{"type": "exec", "command": command, "arguments": arguments,
                     "working_directory": working_directory, "class_id": None, "data": None}],
        "actions_context": "Author",
        "triggers": [{"type": t, "enabled": True, "start_boundary": None, "user_id": None, "delay": None,
                      "repetition_interval": None, "subscription": None, "raw_type": t} for t in triggers],
        "sha256": None, "fingerprint": "fp-" + path, "is_at_job": False, "seen_in": ["file", "registry"],
        "hidden_reasons": list(hidden_reasons), "registry": None, "file": None, "state": None,
        "last_run_time": None, "next_run_time": None, "last_result": None,
    }


def tasks_result(tasks, *, mode="offline", sources=None, errors=(), unparseable=()):
    return {"changed": False, "mode": mode, "tasks": list(tasks), "unparseable": list(unparseable),
            "host": {"name": "h", "os_family": "windows_server_2022", "domain_role": "member_server"},
            "sources": sources or {"api": False, "files": True, "registry": True}, "errors": list(errors)}


def event(record_id, event_id, action, task, user="CONTOSO\\svc", definition=None, channel="Security",
          time="2025-11-24T13:04:41.0000000Z"):
    return {"record_id": record_id, "time": time, "event_id": event_id, "channel": channel,
            "provider": "Microsoft-Windows-Security-Auditing", "computer": "h", "action": action, "task": task,
            "user": user, "subject_sid": None, "logon_id": None, "client": None, "definition": definition,
            "definition_error": None, "source": "test"}


def events_result(events=(), coverage=None, truncated=False, unparseable=()):
    cov = coverage if coverage is not None else {
        "Security": {"enabled": True, "readable": True, "events_may_be_lost": False, "reasons": []},
        "Microsoft-Windows-TaskScheduler/Operational": {
            "enabled": True, "readable": True, "events_may_be_lost": False, "reasons": []}}
    return {"changed": False, "mode": "offline", "events": list(events), "channels": {}, "coverage": cov,
            "bookmark": {"Security": {"record_id": 10, "time": "2025-11-24T13:04:41Z"}},
            "truncated": truncated, "unparseable": list(unparseable), "errors": []}


class StubEntry:
    """Entry with the contract of inventory_loader.Entry (compare/source/expired/allows_registrant)."""

    def __init__(self, path, *, diff=None, expired=False, registrants=None, required=False, line=1):
        self.path = path
        self.key = path
        self.diff = diff or []
        self.expired = expired
        self.registrants = registrants
        self.required = required
        self.source = {"file": "task_inventory/vendors/test.yml", "line": line}

    def compare(self, task):
        return list(self.diff)

    def allows_registrant(self, user):
        if self.registrants is None:
            return None
        return str(user).lower() in {r.lower() for r in self.registrants}


class StubHostView:
    def __init__(self, entries):
        self.entries = list(entries)
        self._by_path = {e.path.casefold(): e for e in self.entries}

    def match(self, path):
        return self._by_path.get(str(path or "").casefold())

    def required_entries(self):
        return [e for e in self.entries if e.required]
