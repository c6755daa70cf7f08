# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Synthetic Windows fleet for ``make bench`` (tools/bench.py): our own data, no
authentic material is copied.

Shape (what the controller receives from the ``taskguard.windows.collect`` module,
see tests/unit/fixtures/task_info/README.md and tests/unit/fixtures/task_events/):

* every host runs the Windows 10 built-in tasks of ``task_inventory/baselines``
  (definitions rebuilt from the baseline's ``expected`` block, padded with the
  RegistrationInfo/Settings elements real definitions carry, so sizes are those
  of the authentic Tasks folder: ~1,100-2,900 characters, 2.2-5.8 KB as UTF-16
  files), OneDrive per-user tasks named with a user SID, and the tasks of ~8 of
  the synthetic vendors (exact paths and ``{guid}``/``{sid}``/``*`` patterns);
* the API returns the XML as text (``IRegisteredTask.Xml``: a string that
  still carries ``encoding="UTF-16"``, CRLF line ends); the Tasks folder is
  listed with size and SHA-256 of the UTF-16 LE file (BOM), the TaskCache with
  the SHA-256 of the file content without BOM, as the collector computes them;
* events: TaskScheduler/Operational 200/201/129/106/140/141 and Security
  4698/4699/4702 (TaskContent = escaped task XML) as ``EventRecord.ToXml()``
  writes them;
* a few percent of hosts carry drift: an undocumented SYSTEM task running
  encoded PowerShell from a user-writable folder, a vendor task whose command
  was swapped, a registry-concealed task (SD removed: on disk and in the
  TaskCache, not returned by the API) and an atexec-style create/delete pair.

Everything is deterministic (seeded per host), so two runs measure the same fleet.
"""
from __future__ import (absolute_import, division, print_function)

import base64
import codecs
import hashlib
import json
import os
import random
import re
import uuid

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINE = os.path.join(REPO, "task_inventory", "baselines", "windows_10.yml")
INTERNAL = os.path.join(REPO, "task_inventory", "internal")

OPERATIONAL = "Microsoft-Windows-TaskScheduler/Operational"
SECURITY = "Security"
EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"

VENDOR_WORDS = (
    "Acme", "Contoso", "Fabrikam", "Northwind", "Tailspin", "Wingtip", "Litware", "Adatum", "Proseware",
    "Lucerne", "Woodgrove", "Trey", "Alpine", "Coho", "Humongous", "Margie", "Relecloud", "VanArsdel",
    "Blue Yonder", "Graphic Design", "Southridge", "Fourth Coffee", "Wide World", "City Power",
)
PRODUCT_WORDS = ("Backup", "Agent", "Update", "Sync", "Monitor", "Endpoint", "Print", "VPN", "Inventory", "Render")

SETTINGS_PAD = (
    "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\r\n"
    "    <DisallowStartIfOnBatteries>true</DisallowStartIfOnBatteries>\r\n"
    "    <StopIfGoingOnBatteries>true</StopIfGoingOnBatteries>\r\n"
    "    <AllowHardTerminate>true</AllowHardTerminate>\r\n"
    "    <StartWhenAvailable>true</StartWhenAvailable>\r\n"
    "    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>\r\n"
    "    <IdleSettings>\r\n"
    "      <Duration>PT10M</Duration>\r\n"
    "      <WaitTimeout>PT1H</WaitTimeout>\r\n"
    "      <StopOnIdleEnd>true</StopOnIdleEnd>\r\n"
    "      <RestartOnIdle>false</RestartOnIdle>\r\n"
    "    </IdleSettings>\r\n"
    "    <AllowStartOnDemand>true</AllowStartOnDemand>\r\n"
    "    <RunOnlyIfIdle>false</RunOnlyIfIdle>\r\n"
    "    <WakeToRun>false</WakeToRun>\r\n"
    "    <ExecutionTimeLimit>PT72H</ExecutionTimeLimit>\r\n"
    "    <Priority>7</Priority>\r\n"
)
MAINTENANCE_PAD = (
    "    <UseUnifiedSchedulingEngine>true</UseUnifiedSchedulingEngine>\r\n"
    "    <MaintenanceSettings>\r\n"
    "      <Period>P7D</Period>\r\n"
    "      <Deadline>P1M</Deadline>\r\n"
    "      <Exclusive>false</Exclusive>\r\n"
    "    </MaintenanceSettings>\r\n"
)


def _esc(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


# ----------------------------------------------------------------- task XML
def _trigger_xml(trigger, rnd):
    kind = trigger.get("type")
    enabled = "" if trigger.get("enabled", True) else "      <Enabled>false</Enabled>\r\n"
    start = "      <StartBoundary>2019-12-07T%02d:%02d:00</StartBoundary>\r\n" % (rnd.randrange(24), rnd.randrange(60))
    extra = ""
    if trigger.get("user_id"):
        extra += "      <UserId>%s</UserId>\r\n" % _esc(trigger["user_id"])
    if trigger.get("delay"):
        extra += "      <Delay>%s</Delay>\r\n" % _esc(trigger["delay"])
    if kind in ("daily", "weekly", "monthly"):
        schedule = {
            "daily": "      <ScheduleByDay>\r\n        <DaysInterval>1</DaysInterval>\r\n      </ScheduleByDay>\r\n",
            "weekly": "      <ScheduleByWeek>\r\n        <WeeksInterval>1</WeeksInterval>\r\n        <DaysOfWeek>\r\n"
                      "          <Sunday />\r\n        </DaysOfWeek>\r\n      </ScheduleByWeek>\r\n",
            "monthly": "      <ScheduleByMonth>\r\n        <DaysOfMonth>\r\n          <Day>1</Day>\r\n        </DaysOfMonth>\r\n"
                       "        <Months>\r\n          <January />\r\n          <July />\r\n        </Months>\r\n"
                       "      </ScheduleByMonth>\r\n",
        }[kind]
        return "    <CalendarTrigger>\r\n%s%s%s%s    </CalendarTrigger>\r\n" % (start, enabled, extra, schedule)
    if kind == "time":
        rep = ("      <Repetition>\r\n        <Interval>PT%dH</Interval>\r\n        <StopAtDurationEnd>false</StopAtDurationEnd>\r\n"
               "      </Repetition>\r\n" % rnd.choice((1, 4, 6, 12)))
        return "    <TimeTrigger>\r\n%s%s%s%s    </TimeTrigger>\r\n" % (rep, start, enabled, extra)
    if kind == "event":
        sub = ("&lt;QueryList&gt;&lt;Query Id=\"0\" Path=\"System\"&gt;&lt;Select Path=\"System\"&gt;"
               "*[System[Provider[@Name='Microsoft-Windows-Kernel-General'] and EventID=%d]]"
               "&lt;/Select&gt;&lt;/Query&gt;&lt;/QueryList&gt;" % rnd.choice((1, 12, 16)))
        return "    <EventTrigger>\r\n%s%s      <Subscription>%s</Subscription>\r\n    </EventTrigger>\r\n" % (enabled, extra, sub)
    if kind == "wnf":
        return ("    <WnfStateChangeTrigger>\r\n%s      <StateName>%s</StateName>\r\n      <Data>01</Data>\r\n"
                "      <DataOffset>0</DataOffset>\r\n    </WnfStateChangeTrigger>\r\n"
                % (enabled, "%016X" % rnd.getrandbits(64)))
    if kind == "session_state_change":
        return ("    <SessionStateChangeTrigger>\r\n%s%s      <StateChange>RemoteConnect</StateChange>\r\n"
                "    </SessionStateChangeTrigger>\r\n" % (enabled, extra))
    element = {"boot": "BootTrigger", "logon": "LogonTrigger", "idle": "IdleTrigger",
               "registration": "RegistrationTrigger"}.get(kind, "BootTrigger")
    return "    <%s>\r\n%s%s    </%s>\r\n" % (element, enabled, extra, element)


def _action_xml(action):
    if action.get("type") == "com_handler":
        data = "      <Data>%s</Data>\r\n" % _esc(action["data"]) if action.get("data") else ""
        return "    <ComHandler>\r\n      <ClassId>%s</ClassId>\r\n%s    </ComHandler>\r\n" % (_esc(action["class_id"]), data)
    out = "    <Exec>\r\n      <Command>%s</Command>\r\n" % _esc(action["command"])
    if action.get("arguments"):
        out += "      <Arguments>%s</Arguments>\r\n" % _esc(action["arguments"])
    if action.get("working_directory"):
        out += "      <WorkingDirectory>%s</WorkingDirectory>\r\n" % _esc(action["working_directory"])
    return out + "    </Exec>\r\n"


def task_xml(path, expected, rnd, *, builtin=True, author=None, date=None):
    """One definition as IRegisteredTask.Xml returns it (text, CRLF, UTF-16 declaration)."""
    principal = expected.get("principal") or {}
    pid = "LocalSystem" if principal.get("user_id") == "S-1-5-18" else ("Users" if principal.get("group_id") else "Author")
    lines = ['<?xml version="1.0" encoding="UTF-16"?>\r\n',
             '<Task version="%s" xmlns="%s">\r\n' % (rnd.choice(("1.2", "1.4", "1.6")), TASK_NS),
             "  <RegistrationInfo>\r\n"]
    if builtin:
        dll = "%%SystemRoot%%\\system32\\%s.dll" % path.rsplit("\\", 2)[-2].replace(" ", "").lower()[:12]
        lines.append("    <Source>$(@%s,-%d)</Source>\r\n" % (dll, 100 + rnd.randrange(900)))
        lines.append("    <Author>$(@%s,-%d)</Author>\r\n" % (dll, 100 + rnd.randrange(900)))
        lines.append("    <Description>$(@%s,-%d)</Description>\r\n" % (dll, 100 + rnd.randrange(900)))
        lines.append("    <SecurityDescriptor>D:(A;;FA;;;BA)(A;;FA;;;SY)(A;;FRFX;;;LS)(A;;FR;;;AU)</SecurityDescriptor>\r\n")
    else:
        lines.append("    <Date>%s</Date>\r\n" % (date or "2025-03-14T09:26:53.5897932"))
        lines.append("    <Author>%s</Author>\r\n" % _esc(author or "Vendor"))
        lines.append("    <Description>%s keeps its components current and reports their health to the "
                     "management console. Do not disable.</Description>\r\n" % _esc(path.rsplit("\\", 1)[-1]))
    lines.append("    <URI>%s</URI>\r\n  </RegistrationInfo>\r\n" % _esc(path))
    triggers = expected.get("triggers") or []
    if triggers:
        lines.append("  <Triggers>\r\n")
        lines.extend(_trigger_xml(t, rnd) for t in triggers)
        lines.append("  </Triggers>\r\n")
    else:
        lines.append("  <Triggers />\r\n")
    lines.append("  <Settings>\r\n")
    if rnd.random() < 0.5:
        lines.append(MAINTENANCE_PAD)
    lines.append(SETTINGS_PAD)
    if expected.get("enabled") is False:
        lines.append("    <Enabled>false</Enabled>\r\n")
    lines.append("    <Hidden>%s</Hidden>\r\n  </Settings>\r\n" % ("true" if expected.get("hidden") else "false"))
    lines.append('  <Principals>\r\n    <Principal id="%s">\r\n' % pid)
    if principal.get("user_id"):
        lines.append("      <UserId>%s</UserId>\r\n" % _esc(principal["user_id"]))
    if principal.get("group_id"):
        lines.append("      <GroupId>%s</GroupId>\r\n" % _esc(principal["group_id"]))
    if principal.get("logon_type"):
        lines.append("      <LogonType>%s</LogonType>\r\n" % _esc(principal["logon_type"]))
    if principal.get("run_level"):
        lines.append("      <RunLevel>%s</RunLevel>\r\n" % _esc(principal["run_level"]))
    lines.append('    </Principal>\r\n  </Principals>\r\n  <Actions Context="%s">\r\n' % pid)
    lines.extend(_action_xml(a) for a in expected.get("actions") or [])
    lines.append("  </Actions>\r\n</Task>")
    return "".join(lines)


# --------------------------------------------------------------- inventory
def load_baseline():
    with open(BASELINE, "r", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def vendor_name(index):
    return "%s %s" % (VENDOR_WORDS[index % len(VENDOR_WORDS)], PRODUCT_WORDS[(index // len(VENDOR_WORDS)) % len(PRODUCT_WORDS)])


def vendor_entries(index):
    """Inventory entries of one synthetic vendor (exact paths and patterns).

    Returned as (entry, instance) where instance(rnd, sids) yields the concrete
    (path, expected) tasks a host with this vendor installed carries.
    """
    name = vendor_name(index)
    folder = "\\" + name.replace(" ", "")
    program = "C:\\Program Files\\%s" % name
    approval = {"ticket": "CHG-%05d" % (1000 + index), "approver": "%s CAB" % name, "date": "2025-01-15"}
    svc = "CORP\\svc-%s" % name.replace(" ", "").lower()[:14]
    out = []

    def add(entry, instances):
        out.append((entry, instances))

    health = {"principal": {"user_id": "S-1-5-20", "run_level": "LeastPrivilege"},
              "actions": [{"type": "exec", "command": program + "\\health.exe", "arguments": "--report --quiet"}],
              "triggers": [{"type": "time"}], "hidden": False}
    add({"path": folder + "\\Agent Health", "justification": "Hourly health report", "expected": health,
         "allowed_registrants": [svc, "S-1-5-18"]},
        lambda rnd, sids: [(folder + "\\Agent Health", health)])
    nightly = {"principal": {"user_id": "S-1-5-18", "run_level": "HighestAvailable"},
               "actions": [{"type": "exec", "command": program + "\\agent.exe", "arguments": "--job nightly",
                            "working_directory": program}],
               "triggers": [{"type": "daily"}], "hidden": False}
    add({"path": folder + "\\Nightly Maintenance", "justification": "Nightly maintenance job", "expected": nightly,
         "approval": approval, "allowed_registrants": [svc, "S-1-5-18"]},
        lambda rnd, sids: [(folder + "\\Nightly Maintenance", nightly)])
    updater = {"principal": {"user_id": "S-1-5-18"},
               "actions": [{"type": "exec", "command_pattern": "C:\\Program Files (x86)\\%s\\Update\\*.exe" % name,
                            "arguments_pattern": "/ua /installsource *"}],
               "triggers": [{"type": "logon"}, {"type": "daily"}], "hidden": False}

    def updater_tasks(rnd, sids):
        guid = "{%s}" % str(uuid.UUID(int=rnd.getrandbits(128))).upper()
        exp = dict(updater, actions=[{"type": "exec", "command": "C:\\Program Files (x86)\\%s\\Update\\%sUpdate.exe"
                                      % (name, name.split()[0]), "arguments": "/ua /installsource scheduler"}])
        return [("%s\\Updater%s" % (folder, guid), exp)]
    add({"path_pattern": folder + "\\Updater{guid}", "justification": "Updater, one per installation",
         "expected": updater, "approval": approval}, updater_tasks)
    sync = {"principal": {"user_id": "{sid}", "logon_type": "InteractiveToken", "run_level": "LeastPrivilege"},
            "actions": [{"type": "exec", "command_pattern": "C:\\Users\\*\\AppData\\Local\\%s\\sync.exe" % name,
                         "arguments": "/background"}],
            "triggers": [{"type": "logon"}], "hidden": False}

    def sync_tasks(rnd, sids):
        return [("%s Sync-%s" % (folder, sid),
                 dict(sync, principal=dict(sync["principal"], user_id=sid),
                      actions=[{"type": "exec", "command": "C:\\Users\\user%s\\AppData\\Local\\%s\\sync.exe"
                                % (sid[-4:], name), "arguments": "/background"}])) for sid in sids]
    add({"path_pattern": folder + " Sync-{sid}", "justification": "Per-user settings sync",
         "expected": sync}, sync_tasks)
    plugin_class = "{%s}" % str(uuid.UUID(int=random.Random(index).getrandbits(128))).upper()
    plugin = {"principal": {"group_id": "S-1-5-32-545"},
              "actions": [{"type": "com_handler", "class_id": plugin_class, "data_pattern": "plugin=*"}],
              "triggers": [{"type": "idle"}], "hidden": True}

    def plugin_tasks(rnd, sids):
        return [("%s\\Plugins\\%s" % (folder, word),
                 dict(plugin, actions=[{"type": "com_handler", "class_id": plugin_class, "data": "plugin=" + word.lower()}]))
                for word in rnd.sample(("Indexer", "Scanner", "Cleanup", "Reporter", "Cache"), 2)]
    add({"path_pattern": folder + "\\Plugins\\*", "justification": "Plugin host tasks", "expected": plugin,
         "approval": approval}, plugin_tasks)
    telemetry = {"principal": {"user_id": "S-1-5-19"},
                 "actions": [{"type": "com_handler", "class_id": plugin_class, "data": "telemetry"}],
                 "triggers": [{"type": "boot"}], "hidden": False}
    add({"path": folder + "\\Telemetry", "justification": "Usage telemetry upload", "expected": telemetry},
        lambda rnd, sids: [(folder + "\\Telemetry", telemetry)])
    return name, svc, out


def write_inventory(directory, vendors):
    """Baseline + internal (repo files) + one YAML file per synthetic vendor; returns the paths."""
    os.makedirs(directory, exist_ok=True)
    paths = [BASELINE, INTERNAL]
    for index in range(vendors):
        name, _svc, entries = vendor_entries(index)
        doc = {"inventory_version": 1,
               "owner": {"name": name, "kind": "vendor", "contact": "support@%s.example" % name.replace(" ", "").lower()},
               "tasks": [dict(entry) for entry, _inst in entries]}
        path = os.path.join(directory, "vendor-%03d.yml" % index)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("---\n")
            yaml.safe_dump(doc, handle, sort_keys=False, allow_unicode=True)
        paths.append(path)
    return paths


# -------------------------------------------------------------------- events
def _system(event_id, record_id, time, channel, computer, provider, version=0, user_sid=None):
    sec = "<Security UserID='%s'/>" % user_sid if user_sid else "<Security/>"
    if provider == "sched":
        prov = "<Provider Name='Microsoft-Windows-TaskScheduler' Guid='{de7b24ea-73c8-4a09-985d-5bdadcfa9017}'/>"
        kw = "0x8000000000000000"
    else:
        prov = "<Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/>"
        kw = "0x8020000000000000"
    return ("<System>%s<EventID>%d</EventID><Version>%d</Version><Level>4</Level><Task>%d</Task><Opcode>0</Opcode>"
            "<Keywords>%s</Keywords><TimeCreated SystemTime='%s'/><EventRecordID>%d</EventRecordID><Correlation/>"
            "<Execution ProcessID='1412' ThreadID='6020'/><Channel>%s</Channel><Computer>%s</Computer>%s</System>"
            % (prov, event_id, version, event_id if event_id < 1000 else 12804, kw, time, record_id, channel, computer, sec))


def operational_event(event_id, record_id, time, computer, task, extra):
    data = "<Data Name='TaskName'>%s</Data>%s" % (_esc(task), "".join(
        "<Data Name='%s'>%s</Data>" % (k, _esc(v)) for k, v in extra))
    return "<Event xmlns='%s'>%s<EventData Name='E%d'>%s</EventData></Event>" % (
        EVENT_NS, _system(event_id, record_id, time, OPERATIONAL, computer, "sched", user_sid="S-1-5-18"), event_id, data)


def security_event(event_id, record_id, time, computer, task, user, domain, content=None):
    fields = [("SubjectUserSid", "S-1-5-18" if user.endswith("$") else "S-1-5-21-1004336348-1177238915-682003330-1104"),
              ("SubjectUserName", user), ("SubjectDomainName", domain), ("SubjectLogonId", "0x3e7"),
              ("TaskName", task)]
    if content is not None:
        fields.append(("TaskContentNew" if event_id == 4702 else "TaskContent", content))
    fields += [("ClientProcessStartKey", "4503599627370617"), ("ClientProcessId", "6244"),
               ("ParentProcessId", "5892"), ("RpcCallClientLocality", "0"), ("FQDN", computer)]
    data = "".join("<Data Name='%s'>%s</Data>" % (k, _esc(v)) for k, v in fields)
    return "<Event xmlns='%s'>%s<EventData>%s</EventData></Event>" % (
        EVENT_NS, _system(event_id, record_id, time, SECURITY, computer, "sec", version=1), data)


def _channel(name, ids, events, first, last, size, max_size, times):
    return {
        "name": name, "event_ids": ids,
        "config": {"is_enabled": True, "log_mode": "Circular", "max_size_bytes": max_size,
                   "log_file_path": "%%SystemRoot%%\\System32\\Winevt\\Logs\\%s.evtx" % name.replace("/", "%4")},
        "config_error": None,
        "info": {"file_size_bytes": size, "record_count": last - first + 1, "oldest_record_number": first,
                 "is_log_full": False, "last_write_time": times[1]},
        "info_error": None,
        "oldest": {"record_id": first, "time": times[0]}, "newest": {"record_id": last, "time": times[1]},
        "edge_error": None,
        "xpath": "*[System[(%s)]]" % " or ".join("EventID=%d" % i for i in ids),
        "bookmark_mode": "none", "events": events, "record_errors": [], "truncated": False, "query_error": None,
    }


# ---------------------------------------------------------------------- fleet
class Fleet:
    """Deterministic synthetic fleet; ``host(i)`` builds host i's collect module result."""

    def __init__(self, hosts, tasks_per_host=250, events=100000, vendors=60, drift_percent=3.0, seed=8):
        self.hosts = hosts
        self.tasks_per_host = tasks_per_host
        self.events_per_host = max(1, -(-events // hosts)) if hosts else 0
        self.drift_every = max(1, int(round(100.0 / drift_percent))) if drift_percent > 0 else 0
        self.seed = seed
        baseline = load_baseline()
        self.builtin = [(e["path"], e["expected"]) for e in baseline["tasks"] if "path" in e]
        self.onedrive = [e for e in baseline["tasks"] if "path_pattern" in e]
        self.vendors = [vendor_entries(i) for i in range(vendors)]
        self._hashes = {}

    def names(self):
        return ["ws%05d.corp.example" % i for i in range(self.hosts)]

    def is_drift_host(self, index):
        return bool(self.drift_every) and index % self.drift_every == self.drift_every // 2

    def _hash_pair(self, xml):
        # The same built-in definition is on every host: hash its UTF-16 bytes once.
        cached = self._hashes.get(xml)
        if cached is None:
            body = xml.encode("utf-16-le")
            data = codecs.BOM_UTF16_LE + body
            cached = (len(data), hashlib.sha256(data).hexdigest(), hashlib.sha256(body).hexdigest())
            if len(self._hashes) < 20000:
                self._hashes[xml] = cached
        return cached

    def host_tasks(self, index, rnd):
        """[(path, xml, kind)] where kind is api|concealed."""
        sids = ["S-1-5-21-2212929841-2730996645-%d-%d" % (1000000 + index, 1000 + u) for u in range(rnd.choice((1, 1, 2, 3)))]
        out = []
        brnd = random.Random(self.seed)  # built-in definitions are identical on every host
        for path, expected in self.builtin:
            out.append((path, task_xml(path, expected, brnd), "api"))
        for entry in self.onedrive:
            base = entry["path_pattern"].replace("{sid}", "")
            for sid in sids:
                exp = dict(entry["expected"])
                exp["principal"] = dict(exp.get("principal") or {}, user_id=sid)
                exp["actions"] = [{"type": "exec", "command": "%%localappdata%%\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe",
                                   "arguments": "/reporting"} if a.get("command_pattern") or a.get("arguments_pattern") else a
                                  for a in exp.get("actions") or []]
                out.append((base + sid, task_xml(base + sid, exp, rnd, builtin=False, author="Microsoft Corporation"), "api"))
        picked = rnd.sample(range(len(self.vendors)), len(self.vendors))
        for v in picked:
            if len(out) >= self.tasks_per_host:
                break
            name, _svc, entries = self.vendors[v]
            for _entry, instances in entries:
                for path, exp in instances(rnd, sids):
                    if len(out) < self.tasks_per_host:
                        out.append((path, task_xml(path, exp, rnd, builtin=False, author=name,
                                                   date="2025-%02d-%02dT10:00:00" % (rnd.randrange(1, 13), rnd.randrange(1, 28))), "api"))
        if self.is_drift_host(index):
            evil = {"principal": {"user_id": "S-1-5-18", "run_level": "HighestAvailable"},
                    "actions": [{"type": "exec", "command": "C:\\Users\\Public\\Libraries\\svc.exe",
                                 "arguments": "-w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA="}],
                    "triggers": [{"type": "boot"}], "hidden": True}
            out.append(("\\Microsoft\\Windows\\UpdateOrchestrator\\Refresh Settings",
                        task_xml("\\Microsoft\\Windows\\UpdateOrchestrator\\Refresh Settings", evil, rnd, builtin=False), "api"))
            # swap the command of the first vendor task (keeps its path: "modified")
            for i, (path, xml, kind) in enumerate(out):
                if "\\Agent Health" in path:
                    out[i] = (path, re.sub(r"<Command>[^<]*</Command>", lambda m: "<Command>C:\\Users\\Public\\health.exe</Command>",
                                           xml, count=1), kind)
                    break
            tarrask = {"principal": {"user_id": "S-1-5-18"},
                       "actions": [{"type": "exec", "command": "C:\\ProgramData\\Tarrask\\winupd.exe"}],
                       "triggers": [{"type": "logon"}], "hidden": False}
            out.append(("\\WinUpdateCheck", task_xml("\\WinUpdateCheck", tarrask, rnd, builtin=False), "concealed"))
        return out, sids

    def host(self, index):
        """(inventory_hostname, module result of taskguard.windows.collect)."""
        rnd = random.Random(self.seed * 1000003 + index)
        name = "ws%05d.corp.example" % index
        tasks, _sids = self.host_tasks(index, rnd)
        api, tree, cache_tasks, entries = [], [], [], []
        folders = set()
        for n, (path, xml, kind) in enumerate(tasks):
            size, sha, content_sha = self._hash_pair(xml)
            guid = "{%s}" % str(uuid.UUID(int=rnd.getrandbits(128))).upper()
            if kind == "api":
                api.append({"path": path, "xml": xml, "state": 3 if n % 7 else 1, "enabled": n % 7 != 0,
                            "last_run_time": "2026-03-0%dT0%d:00:00.0000000Z" % (1 + n % 2, n % 10) if n % 3 else
                            "1899-12-30T00:00:00.0000000Z",
                            "next_run_time": "2026-03-03T0%d:00:00.0000000Z" % (n % 10) if n % 4 else None,
                            "last_result": (0, 267011, -2147216609)[n % 3], "error": None})
            entries.append({"path": path, "size": size, "sha256": sha, "content_sha256": content_sha,
                            "content": None if kind == "api" else base64.b64encode(
                                codecs.BOM_UTF16_LE + xml.encode("utf-16-le")).decode("ascii"),
                            "error": None})
            parts = path.split("\\")[1:-1]
            for i in range(1, len(parts) + 1):
                folder = "\\" + "\\".join(parts[:i])
                if folder not in folders:
                    folders.add(folder)
                    tree.append({"path": folder, "id": None, "index": None, "sd_present": True, "sd_length": 120})
            tree.append({"path": path, "id": guid, "index": 3, "sd_present": kind == "api",
                         "sd_length": 148 if kind == "api" else None})
            cache_tasks.append({"guid": guid, "path": path, "hash": content_sha})
        material = {
            "collector_version": 1, "is_admin": True,
            "host": {"name": name.upper().split(".")[0], "os_caption": "Microsoft Windows 10 Enterprise",
                     "os_version": "10.0.19045", "os_build": "19045", "product_type": 1, "domain_role": 1, "error": None},
            "api": {"read": True, "error": None, "tasks": api, "folder_errors": []},
            "taskcache": {"read": True, "error": None, "tree": tree, "tasks": cache_tasks, "errors": []},
            "files": {"read": True, "error": None, "root": "C:\\Windows\\System32\\Tasks", "max_content_bytes": 1048576,
                      "entries": entries, "errors": [], "truncated": False},
            # Get-TgJobFileMaterial: the %WINDIR%/Tasks folder was read and holds no .job
            "job_files": {"read": True, "error": None, "root": "C:\\Windows\\Tasks", "max_content_bytes": 65536,
                          "entries": [], "errors": [], "truncated": False},
        }
        return name, {"changed": False, "tasks": material, "events": self.host_events(index, rnd, name, tasks),
                      "errors": {}}

    def host_events(self, index, rnd, name, tasks):
        computer = name.upper()
        present = [(p, x) for p, x, k in tasks if k == "api"]
        vendor = [(p, x) for p, x in present if not p.startswith("\\Microsoft\\") and " Sync-" not in p
                  and "OneDrive" not in p]
        builtin = [(p, x) for p, x in present if p.startswith("\\Microsoft\\")]
        op, sec = [], []
        op_id, sec_id = 48000 + index, 880000 + index * 7
        n = self.events_per_host
        # Share of a real host's task events: mostly runs (200/201/129), some
        # registrations/updates (Windows Update rewrites built-in tasks: 4702).
        n_sec = max(1, n // 5)
        minute = 0

        def stamp():
            nonlocal minute
            minute += 1
            return "2026-03-02T%02d:%02d:%02d.%07dZ" % (minute // 3600 % 24, minute // 60 % 60, minute % 60, rnd.randrange(10 ** 7))
        for i in range(n - n_sec):
            op_id += 1
            path, _xml = present[rnd.randrange(len(present))]
            roll = i % 10
            if roll < 4:
                op.append(operational_event(200, op_id, stamp(), computer, path,
                                            [("ActionName", "C:\\Windows\\system32\\svchost.exe"),
                                             ("TaskInstanceId", "{%s}" % uuid.UUID(int=rnd.getrandbits(128)))]))
            elif roll < 8:
                op.append(operational_event(201, op_id, stamp(), computer, path,
                                            [("TaskInstanceId", "{%s}" % uuid.UUID(int=rnd.getrandbits(128))),
                                             ("ActionName", "C:\\Windows\\system32\\svchost.exe"), ("ResultCode", "0")]))
            elif roll == 8:
                op.append(operational_event(129, op_id, stamp(), computer, path,
                                            [("Path", "C:\\Windows\\system32\\svchost.exe"), ("ProcessID", str(4000 + i)),
                                             ("Priority", "16384")]))
            else:
                op.append(operational_event(140, op_id, stamp(), computer, path, [("UserName", "NT AUTHORITY\\System")]))
        for i in range(n_sec):
            sec_id += 1
            if vendor and i % 4 == 0:
                path, xml = vendor[rnd.randrange(len(vendor))]
                sec.append(security_event(4698, sec_id, stamp(), computer, path, "SYSTEM", "NT AUTHORITY", xml))
            else:
                path, xml = builtin[rnd.randrange(len(builtin))]
                sec.append(security_event(4702, sec_id, stamp(), computer, path, computer.split(".")[0] + "$", "CORP", xml))
        if self.is_drift_host(index):
            evil = task_xml("\\bouWFQYO", {"principal": {"user_id": "S-1-5-18", "run_level": "HighestAvailable"},
                                           "actions": [{"type": "exec", "command": "cmd.exe",
                                                        "arguments": "/C whoami > %windir%\\Temp\\bouWFQYO.tmp 2>&1"}],
                                           "triggers": [{"type": "time"}]}, rnd, builtin=False)
            sec_id += 1
            sec.append(security_event(4698, sec_id, stamp(), computer, "\\bouWFQYO", "admmig", "OFFSEC", evil))
            sec_id += 1
            sec.append(security_event(4699, sec_id, stamp(), computer, "\\bouWFQYO", "admmig", "OFFSEC", None))
        times = ("2026-02-20T08:00:01.0000000Z", "2026-03-02T23:59:59.0000000Z")
        return {
            "event_ids": [106, 140, 141, 142, 129, 200, 201, 4698, 4699, 4700, 4701, 4702],
            "max_events": 5000, "computer_name": computer.split(".")[0],
            "channels": [
                _channel(OPERATIONAL, [106, 140, 141, 142, 129, 200, 201], op, 47000, op_id + 3, 10485760, 10485760, times),
                _channel(SECURITY, [4698, 4699, 4700, 4701, 4702], sec, 800000, sec_id + 50, 20975616, 201326592, times),
            ],
        }


def module_json(result):
    """The module result as it crosses WinRM (Ansible.Basic writes compact JSON)."""
    return json.dumps(result, separators=(",", ":"), ensure_ascii=False)


def steady_state_material(material):
    """The task material as the collector returns it when the controller knew
    every definition's hash (known_task_hashes): XML omitted, hash kept."""
    steady = dict(material)
    api = dict(material["api"])
    tasks = []
    for item in api["tasks"]:
        item = dict(item)
        if isinstance(item.get("xml"), str):
            item["xml_sha256"] = hashlib.sha256(codecs.BOM_UTF16_LE + item["xml"].encode("utf-16-le")).hexdigest()
            item["xml_omitted"] = True
            item["xml"] = None
        tasks.append(item)
    api["tasks"] = tasks
    api["known_hashes"] = len(tasks)
    steady["api"] = api
    return steady


def xml_documents(result):
    """Every XML document of one host's material, as the controller receives it
    (task XML text from the API, task file bytes for files the API did not
    return, event XML text, the task XML inside 4698/4702 events). Used for the
    floor measurement."""
    material = result["tasks"]
    docs = [t["xml"] for t in material["api"]["tasks"] if t.get("xml")]
    docs += [base64.b64decode(e["content"]) for e in material["files"]["entries"] if e.get("content")]
    for channel in result["events"]["channels"]:
        for event in channel["events"]:
            docs.append(event)
            # TaskContent(New) of 4698/4702 is a task document of its own (escaped
            # text inside the event); any reader has to parse it as well.
            match = _TASK_CONTENT.search(event)
            if match:
                docs.append(_unescape(match.group(1)))
    return docs


_TASK_CONTENT = re.compile(r"<Data Name='TaskContent(?:New)?'>([^<]+)</Data>")


def _unescape(text):
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
