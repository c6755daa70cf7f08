# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generate the demo fleet's offline evidence (samples/<host>/...) and its inventory.

Reproducible: everything is derived from the specs below (fixed dates, fixed GUIDs),
so re-running rewrites byte-identical files. Written by hand for this project (no
authentic data copied). Per host:

* ``Windows/System32/Tasks/<path>``: task definitions, UTF-16 LE with BOM, CRLF,
  as the Task Scheduler stores them;
* ``TaskCache.reg``: ``reg export`` of the TaskCache key (UTF-16 LE with BOM);
* ``events/*.xml``: ``wevtutil qe ... /f:xml /e:Events`` style exports, UTF-8 (Security 4698-4702,
  TaskScheduler/Operational 106/140/141/200/201).

Planted attacks (each must be flagged by ``playbooks/drift.yml``):

* dc01: ``\\Microsoft\\Windows\\WindowsUpdate\\UpdateHealthCheck`` masquerades under
  \\Microsoft\\Windows\\ (not shipped by Windows), SYSTEM, logon trigger, hidden
  encoded PowerShell;
* dc01: ``\\WinUpdate``, Tarrask-style: task file present, registry Tree entry
  without its SD value (hidden from the API and schtasks), SYSTEM from C:\\Windows\\Temp;
* srv01: ``\\SystemHealthMonitor``: SYSTEM task at boot from C:\\Windows\\Temp;
* srv01: the Contoso backup vendor task whose command was swapped for a batch file
  in C:\\Users\\Public, updated (4702) by an account the vendor entry does not allow;
* adminws01: atexec-style ``\\XbKqTnPo``: created and deleted 30 ms later, only in
  the 4698/4699 and 106/141 exports;
* dc01: a Group Policy Preferences immediate task (``ImmediateTaskV2``) in the SYSVOL of
  GPO ``{5C2B7A1E-9D43-4F6B-8E21-3A7D0C9B6E54}`` ("Server Maintenance") that runs
  ``cmd.exe /c \\\\fs02\\software$\\pivot.exe`` as SYSTEM on every computer the GPO applies to
  (SharpGPOAbuse style; judged by ``admin_surface``, codes TG-G003/TG-G004);
* adminws01: ``CONTOSO\\jdoe`` holds "Log on as a batch job" in the SECURITY hive and no
  inventory entry documents it (TG-A023; srv01's holder ``CONTOSO\\svc-backup`` is documented
  as a task account and runs the documented ``\\Contoso\\Backup\\Catalog Export``);
* adminws01: GhostTask-style ``\\Microsoft\\Windows\\Diagnosis\\RecommendedTroubleshootingCheck``:
  TaskCache Tree and Tasks entries only (no task file, no event).

Documented tasks (built-in demo baseline + Contoso vendor file) must not be flagged.

Usage: ``python tools/make_demo_samples.py [--check]`` from the repository root.
``--check`` exits 1 when the committed files differ from what would be generated.
"""
from __future__ import annotations

import argparse
import codecs
import hashlib
import os
import sys
from xml.sax.saxutils import escape

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(REPO, "samples")
NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"
EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"

SYSTEM = {"user_id": "S-1-5-18", "run_level": "HighestAvailable"}
SYSTEM_LP = {"user_id": "S-1-5-18", "run_level": "LeastPrivilege"}
LOCAL_SERVICE = {"user_id": "S-1-5-19", "run_level": "LeastPrivilege"}
USERS = {"group_id": "S-1-5-32-545", "run_level": "LeastPrivilege"}


def exec_(command, arguments=None, working_directory=None):
    return {"type": "exec", "command": command, "arguments": arguments, "working_directory": working_directory}


def com(class_id, data=None):
    return {"type": "com_handler", "class_id": class_id, "data": data}


def task(path, actions, principal, triggers, *, author="$(@%SystemRoot%\\system32\\TaskSchedulerUI.dll,-100)",
         description=None, hidden=False, enabled=True, date="2021-05-08T09:15:00", version="1.2", uri=None):
    return {"path": path, "actions": actions, "principal": principal, "triggers": triggers, "author": author,
            "description": description, "hidden": hidden, "enabled": enabled, "date": date, "version": version,
            "uri": uri if uri is not None else path}


# ----------------------------------------------------------------- built-in tasks
BUILTIN = [
    task("\\Microsoft\\Windows\\Defrag\\ScheduledDefrag",
         [exec_("%windir%\\system32\\defrag.exe", "-c -h -o -$")], SYSTEM, [("calendar", "2021-01-01T01:00:00")],
         author="Microsoft Corporation", description="$(@%systemroot%\\system32\\dfrgui.exe,-103)", version="1.6"),
    task("\\Microsoft\\Windows\\Windows Defender\\Windows Defender Scheduled Scan",
         [exec_("C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.23110.3-0\\MpCmdRun.exe",
                "Scan -ScheduleJob -ScanTrigger 55 -IdleScheduledJob")],
         SYSTEM, [], description="Periodic scan task."),
    task("\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan",
         [exec_("%systemroot%\\system32\\usoclient.exe", "StartScan")], SYSTEM_LP,
         [("time", "2021-01-01T06:32:00", "PT22H")], version="1.3"),
    task("\\Microsoft\\Windows\\Time Synchronization\\SynchronizeTime",
         [exec_("%windir%\\system32\\sc.exe", "start w32time task_started")], LOCAL_SERVICE,
         [("calendar", "2021-01-01T01:00:00")], hidden=True,
         description="$(@%SystemRoot%\\system32\\w32time.dll,-200)"),
    task("\\Microsoft\\Windows\\Servicing\\StartComponentCleanup",
         [com("{752073A1-23F2-4396-85F0-8FDB879ED0ED}")], SYSTEM_LP, [], hidden=True),
    task("\\Microsoft\\Windows\\Registry\\RegIdleBackup",
         [com("{CA767AA8-9157-4604-B64B-40747123D5F2}")], SYSTEM_LP, [("calendar", "2021-01-01T00:00:00")],
         hidden=True),
    task("\\Microsoft\\Windows\\Chkdsk\\ProactiveScan",
         [com("{CF4270F5-2E43-4468-83B3-A8C45BB33EA1}")], SYSTEM_LP, [], hidden=True),
    task("\\Microsoft\\Windows\\WindowsUpdate\\Scheduled Start",
         [exec_("C:\\Windows\\system32\\sc.exe", "start wuauserv")], SYSTEM_LP,
         [("time", "2021-01-01T08:00:00", None), ("boot", None)], hidden=True),
]
WORKSTATION_ONLY = [
    task("\\Microsoft\\Windows\\Application Experience\\Microsoft Compatibility Appraiser",
         [exec_("%windir%\\system32\\compattelrunner.exe")], SYSTEM, [("calendar", "2021-01-01T03:00:00")]),
    task("\\MicrosoftEdgeUpdateTaskMachineCore",
         [exec_("C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe", "/c")], SYSTEM,
         [("logon", None), ("daily", "2021-01-01T10:05:00")], author="Microsoft Corporation",
         description="Keeps your Microsoft software up to date."),
]
DC_ONLY = [
    task("\\Microsoft\\Windows\\CertificateServicesClient\\SystemTask",
         [com("{58fb76b9-ac85-4e55-ac04-427593b1d060}", "SYSTEM")], SYSTEM_LP, [("boot", None)], hidden=True),
]

# Contoso Backup (the example vendor of task_inventory/vendors/contoso-backup.yml)
CONTOSO_NIGHTLY = task(
    "\\Contoso\\Backup\\Nightly Backup",
    [exec_("C:\\Program Files\\Contoso\\Backup\\cbagent.exe", "--job nightly --quiet",
           "C:\\Program Files\\Contoso\\Backup")],
    SYSTEM_LP, [("daily", "2024-01-01T23:30:00")], author="CONTOSO\\svc-backup",
    description="Contoso Backup nightly job", date="2024-03-01T12:00:00")
CONTOSO_HEALTH = task(
    "\\Contoso\\Backup\\Agent Health",
    [exec_("C:\\Program Files\\Contoso\\Backup\\cbhealth.exe", "--report")],
    {"user_id": "S-1-5-20", "run_level": "LeastPrivilege"}, [("time", "2024-01-01T00:00:00", "PT1H")],
    author="CONTOSO\\svc-backup", description="Contoso Backup agent health report", date="2024-03-01T12:00:00")
# srv01 only: the agent's catalog export runs as the documented service account
# CONTOSO\\svc-backup (stored password, so "run whether the user is logged on or
# not": the account holds "Log on as a batch job" in srv01's SECURITY hive)
SVC_BACKUP = "S-1-5-21-1004336348-1177238915-682003330-2201"
CONTOSO_CATALOG = task(
    "\\Contoso\\Backup\\Catalog Export",
    [exec_("C:\\Program Files\\Contoso\\Backup\\cbcatalog.exe", "--export D:\\Backup\\Catalog",
           "C:\\Program Files\\Contoso\\Backup")],
    {"id": "Author", "user_id": SVC_BACKUP, "logon_type": "Password", "run_level": "LeastPrivilege"},
    [("daily", "2024-01-01T05:00:00")], author="CONTOSO\\svc-backup",
    description="Contoso Backup catalog export", date="2024-03-01T12:00:00")
CONTOSO_SWAPPED = dict(CONTOSO_NIGHTLY, actions=[exec_("cmd.exe", "/c C:\\Users\\Public\\cbupdate.bat", None)],
                       date="2024-03-01T12:00:00")

# ------------------------------------------------------------------------ attacks
MASQUERADE = task(
    "\\Microsoft\\Windows\\WindowsUpdate\\UpdateHealthCheck",
    [exec_("powershell.exe", "-nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA")],
    SYSTEM, [("logon", None)], author="Microsoft Corporation", description="Keeps Windows Update healthy.",
    date="2025-11-20T02:14:00")
TARRASK = task(
    "\\WinUpdate", [exec_("C:\\Windows\\Temp\\winupd.exe", "-k netsvcs")], SYSTEM_LP,
    [("time", "2025-11-19T22:00:00", "PT1H")], author="", date="2025-11-19T21:58:00")
TEMP_SYSTEM = task(
    "\\SystemHealthMonitor", [exec_("C:\\Windows\\Temp\\svchost.exe")], SYSTEM, [("boot", None)],
    author="", date="2025-11-21T04:40:00")
# GhostTask: written straight into the TaskCache registry, no task file, no event.
GHOST = task(
    "\\Microsoft\\Windows\\Diagnosis\\RecommendedTroubleshootingCheck",
    [exec_("C:\\Users\\Public\\Libraries\\diag.exe")], SYSTEM_LP, [("logon", None)], author="", date="2025-11-23T08:00:00")
ATEXEC = task(
    "\\XbKqTnPo", [exec_("cmd.exe", "/C whoami /all > %windir%\\Temp\\XbKqTnPo.tmp 2>&1")], SYSTEM,
    [("time", "2025-11-24T13:05:00", None)], author="", date="2025-11-24T13:04:41", version="1.2")

HOSTS = {
    "dc01": {"tasks": BUILTIN + DC_ONLY + [CONTOSO_NIGHTLY, CONTOSO_HEALTH, MASQUERADE, TARRASK],
             "concealed": {"\\WinUpdate"}, "computer": "dc01.corp.contoso.example"},
    # srv01 also lacks the (required) Defender scheduled scan: a "missing" finding.
    "srv01": {"tasks": [t for t in BUILTIN if "Windows Defender" not in t["path"]]
              + [CONTOSO_SWAPPED, CONTOSO_HEALTH, CONTOSO_CATALOG, TEMP_SYSTEM],
              "concealed": set(), "computer": "srv01.corp.contoso.example"},
    "adminws01": {"tasks": BUILTIN + WORKSTATION_ONLY, "concealed": set(), "registry_only": [GHOST],
                  "computer": "adminws01.corp.contoso.example"},
}

TRIGGER_TAGS = {"boot": "BootTrigger", "logon": "LogonTrigger", "time": "TimeTrigger", "calendar": "CalendarTrigger",
                "daily": "CalendarTrigger"}


# -------------------------------------------------------------------- rendering
def task_xml(spec):
    e = escape
    lines = ['<?xml version="1.0" encoding="UTF-16"?>',
             '<Task version="%s" xmlns="%s">' % (spec["version"], NS), "  <RegistrationInfo>",
             "    <Date>%s</Date>" % spec["date"]]
    if spec["author"]:
        lines.append("    <Author>%s</Author>" % e(spec["author"]))
    if spec["description"]:
        lines.append("    <Description>%s</Description>" % e(spec["description"]))
    lines += ["    <URI>%s</URI>" % e(spec["uri"]), "  </RegistrationInfo>"]
    if spec["triggers"]:
        lines.append("  <Triggers>")
        for trig in spec["triggers"]:
            kind = trig[0]
            tag = TRIGGER_TAGS[kind]
            lines.append("    <%s>" % tag)
            if kind == "time" and trig[2]:
                lines += ["      <Repetition>", "        <Interval>%s</Interval>" % trig[2],
                          "        <StopAtDurationEnd>false</StopAtDurationEnd>", "      </Repetition>"]
            if len(trig) > 1 and trig[1]:
                lines.append("      <StartBoundary>%s</StartBoundary>" % trig[1])
            lines.append("      <Enabled>true</Enabled>")
            if kind == "calendar":
                lines += ["      <ScheduleByWeek>", "        <DaysOfWeek>", "          <Wednesday />",
                          "        </DaysOfWeek>", "        <WeeksInterval>1</WeeksInterval>", "      </ScheduleByWeek>"]
            if kind == "daily":
                lines += ["      <ScheduleByDay>", "        <DaysInterval>1</DaysInterval>", "      </ScheduleByDay>"]
            lines.append("    </%s>" % tag)
        lines.append("  </Triggers>")
    else:
        lines.append("  <Triggers />")
    p = spec["principal"]
    principal_id = p.get("id") or ("LocalSystem" if "user_id" in p else "Users")
    lines += ["  <Principals>", '    <Principal id="%s">' % principal_id]
    if "user_id" in p:
        lines.append("      <UserId>%s</UserId>" % e(p["user_id"]))
    if "group_id" in p:
        lines.append("      <GroupId>%s</GroupId>" % e(p["group_id"]))
    if p.get("logon_type"):
        lines.append("      <LogonType>%s</LogonType>" % p["logon_type"])
    if p.get("run_level"):
        lines.append("      <RunLevel>%s</RunLevel>" % p["run_level"])
    lines += ["    </Principal>", "  </Principals>", "  <Settings>",
              "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>",
              "    <DisallowStartIfOnBatteries>true</DisallowStartIfOnBatteries>",
              "    <StopIfGoingOnBatteries>true</StopIfGoingOnBatteries>",
              "    <AllowHardTerminate>true</AllowHardTerminate>",
              "    <StartWhenAvailable>true</StartWhenAvailable>",
              "    <IdleSettings>", "      <StopOnIdleEnd>true</StopOnIdleEnd>",
              "      <RestartOnIdle>false</RestartOnIdle>", "    </IdleSettings>",
              "    <AllowStartOnDemand>true</AllowStartOnDemand>",
              "    <Enabled>%s</Enabled>" % ("true" if spec["enabled"] else "false"),
              "    <Hidden>%s</Hidden>" % ("true" if spec["hidden"] else "false"),
              "    <ExecutionTimeLimit>PT72H</ExecutionTimeLimit>", "    <Priority>7</Priority>",
              "  </Settings>",
              '  <Actions Context="%s">' % ("LocalSystem" if "user_id" in p else "Users")]
    for action in spec["actions"]:
        if action["type"] == "exec":
            lines.append("    <Exec>")
            lines.append("      <Command>%s</Command>" % e(action["command"]))
            if action.get("arguments"):
                lines.append("      <Arguments>%s</Arguments>" % e(action["arguments"]))
            if action.get("working_directory"):
                lines.append("      <WorkingDirectory>%s</WorkingDirectory>" % e(action["working_directory"]))
            lines.append("    </Exec>")
        else:
            lines.append("    <ComHandler>")
            lines.append("      <ClassId>%s</ClassId>" % action["class_id"])
            if action.get("data"):
                lines.append("      <Data>%s</Data>" % e(action["data"]))
            lines.append("    </ComHandler>")
    lines += ["  </Actions>", "</Task>"]
    return "\r\n".join(lines)


def utf16(text):
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def guid_for(host, path):
    h = hashlib.sha256(("%s|%s" % (host, path)).encode("utf-8")).hexdigest().upper()
    return "{%s-%s-%s-%s-%s}" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])


def reg_hex(data):
    """``hex:`` value wrapped like regedit (80 columns, trailing backslash)."""
    items = ["%02x" % b for b in data]
    out, line = [], "hex:"
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if len(line) + len(piece) > 76:
            out.append(line + "\\")
            line = "  "
        line += piece
    out.append(line)
    return "\r\n".join(out)


# A self-relative security descriptor (O:BAG:SYD:(A;;FA;;;BA)(A;;FA;;;SY)), as the
# scheduler writes one for each task (content is not interpreted by taskguard).
SD_BYTES = bytes.fromhex("01000480140000002400000000000000300000000102000000000005200000002002000001010000"
                         "0000000512000000020030000200000000001400ff011f0001010000000000051200000000001800"
                         "ff011f000102000000000005200000002002000000")

TASKCACHE = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache"


def taskcache_reg(host, specs, file_bytes, concealed):
    lines = ["Windows Registry Editor Version 5.00", "", "[%s]" % TASKCACHE, "", "[%s\\Tasks]" % TASKCACHE, ""]
    for spec in specs:
        guid = guid_for(host, spec["path"])
        lines += ["[%s\\Tasks\\%s]" % (TASKCACHE, guid),
                  '"Path"="%s"' % spec["path"].replace("\\", "\\\\"),
                  # SHA-256 of the file without its BOM (what current Windows stores).
                  '"Hash"=%s' % reg_hex(hashlib.sha256(file_bytes[spec["path"]][2:]).digest()),
                  '"Schema"=dword:00010002', ""]
    lines += ["[%s\\Tree]" % TASKCACHE, '"SD"=%s' % reg_hex(SD_BYTES), ""]
    folders = set()
    for spec in specs:
        parts = spec["path"].strip("\\").split("\\")
        for i in range(1, len(parts)):
            folders.add("\\".join(parts[:i]))
    for folder in sorted(folders):
        lines += ["[%s\\Tree\\%s]" % (TASKCACHE, folder), '"SD"=%s' % reg_hex(SD_BYTES), ""]
    for spec in specs:
        rel = spec["path"].strip("\\")
        lines += ["[%s\\Tree\\%s]" % (TASKCACHE, rel), '"Id"="%s"' % guid_for(host, spec["path"]),
                  '"Index"=dword:00000003']
        if spec["path"] not in concealed:  # Tarrask deletes exactly this value
            lines.append('"SD"=%s' % reg_hex(SD_BYTES))
        lines.append("")
    return utf16("\r\n".join(lines) + "\r\n")


# ------------------------------------------------------------------------ events
def event_xml(record_id, event_id, channel, time, computer, data, *, provider=None, version=1, task_cat=None):
    if channel == "Security":
        provider = provider or '<Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}" />'
        ed_open = "<EventData>"
    else:
        provider = provider or '<Provider Name="Microsoft-Windows-TaskScheduler" Guid="{DE7B24EA-73C8-4A09-985D-5BDADCFA9017}" />'
        ed_open = '<EventData Name="%s">' % task_cat
    body = "".join('<Data Name="%s">%s</Data>' % (k, escape(v)) for k, v in data)
    return ('<Event xmlns="%s"><System>%s<EventID>%d</EventID><Version>%d</Version><Level>0</Level>'
            '<Task>12804</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords>'
            '<TimeCreated SystemTime="%s" /><EventRecordID>%d</EventRecordID><Correlation />'
            '<Execution ProcessID="1196" ThreadID="6420" /><Channel>%s</Channel><Computer>%s</Computer>'
            '<Security /></System>%s%s</EventData></Event>') % (
        EVENT_NS, provider, event_id, version, time, record_id, channel, computer, ed_open, body)


def security_event(record_id, event_id, time, computer, user, domain, sid, spec, *, content=True):
    # TaskContent as an XML parser sees it (line ends normalised to LF).
    body = task_xml(spec).split("\r\n", 1)[1].replace("\r\n", "\n") if content else ""
    data = [("SubjectUserSid", sid), ("SubjectUserName", user), ("SubjectDomainName", domain),
            ("SubjectLogonId", "0x3e7" if sid == "S-1-5-18" else "0x1f4a2b"), ("TaskName", spec["path"])]
    if event_id == 4702:
        data.append(("TaskContentNew", body))
    else:
        data.append(("TaskContent", body))
    data += [("ClientProcessStartKey", "26740122787219113"), ("ClientProcessId", "3412"),
             ("ParentProcessId", "712"), ("RpcCallClientLocality", "0"), ("FQDN", computer)]
    return event_xml(record_id, event_id, "Security", time, computer, data)


def operational_event(record_id, event_id, time, computer, task_path, user):
    names = {106: ("TaskRegisteredEvent", [("TaskName", task_path), ("UserContext", user)]),
             140: ("TaskUpdated", [("TaskName", task_path), ("UserName", user)]),
             141: ("TaskDeleted", [("TaskName", task_path), ("UserName", user)]),
             200: ("ActionStart", [("TaskName", task_path), ("ActionName", "C:\\Windows\\System32\\cmd.exe"),
                                   ("TaskInstanceId", "{7E1D8C33-31F5-4C2C-9A0F-8F3F1E3A2B11}"), ("EnginePID", "4312")])}
    cat, data = names[event_id]
    return event_xml(record_id, event_id, "Microsoft-Windows-TaskScheduler/Operational", time, computer, data,
                     task_cat=cat, version=0)


def export(events):
    # As `wevtutil qe <log> /f:xml /e:Events > x.xml` leaves it after a copy to the
    # controller: UTF-8, LF (the UTF-16 case is covered by the task files and .reg).
    return ("<Events>\n" + "\n".join(events) + "\n</Events>\n").encode("utf-8")


def host_events(host, computer):
    """{file name: bytes} of the host's event exports."""
    sec, ops = [], []
    if host == "dc01":
        sec.append(security_event(88121, 4698, "2025-11-20T02:14:07.5512345Z", computer, "adm-jsmith", "CONTOSO",
                                  "S-1-5-21-1004336348-1177238915-682003330-1125", MASQUERADE))
        ops.append(operational_event(5120, 106, "2025-11-20T02:14:07.5530000Z", computer, MASQUERADE["path"],
                                     "CONTOSO\\adm-jsmith"))
    elif host == "srv01":
        sec.append(security_event(401877, 4698, "2025-11-18T09:00:02.1000000Z", computer, "svc-backup", "CONTOSO",
                                  "S-1-5-21-1004336348-1177238915-682003330-2201", CONTOSO_NIGHTLY))
        sec.append(security_event(402311, 4702, "2025-11-22T23:02:55.0000000Z", computer, "jdoe", "CONTOSO",
                                  "S-1-5-21-1004336348-1177238915-682003330-3307", CONTOSO_SWAPPED))
        sec.append(security_event(402390, 4698, "2025-11-21T04:40:13.0000000Z", computer, "SRV01$", "CONTOSO",
                                  "S-1-5-18", TEMP_SYSTEM))
        ops.append(operational_event(7781, 140, "2025-11-22T23:02:55.0100000Z", computer, CONTOSO_NIGHTLY["path"],
                                     "CONTOSO\\jdoe"))
    elif host == "adminws01":
        sec.append(security_event(190233, 4698, "2025-11-24T13:04:41.0230000Z", computer, "ADMINWS01$", "CONTOSO",
                                  "S-1-5-18", ATEXEC))
        sec.append(security_event(190234, 4699, "2025-11-24T13:04:41.0530000Z", computer, "ADMINWS01$", "CONTOSO",
                                  "S-1-5-18", ATEXEC, content=False))
        ops.append(operational_event(3301, 106, "2025-11-24T13:04:41.0250000Z", computer, ATEXEC["path"], "NT AUTHORITY\\SYSTEM"))
        ops.append(operational_event(3302, 200, "2025-11-24T13:04:41.0300000Z", computer, ATEXEC["path"], "NT AUTHORITY\\SYSTEM"))
        ops.append(operational_event(3303, 141, "2025-11-24T13:04:41.0540000Z", computer, ATEXEC["path"], "NT AUTHORITY\\SYSTEM"))
    files = {}
    if sec:
        files["Security.xml"] = export(sec)
    if ops:
        files["Microsoft-Windows-TaskScheduler-Operational.xml"] = export(ops)
    return files


# -------------------------------------------------------------------- inventory
DEMO_TODAY = "2025-11-25"
APPROVAL = {"ticket": "CHG-2025-0142", "approver": "Contoso CAB", "date": "2025-01-15"}


def _entries(specs, scope=None, required=()):
    sys.path.insert(0, os.path.join(REPO, "collections"))
    from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import parse_task_definition
    from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import propose_entry
    entries = []
    for spec in specs:
        definition = parse_task_definition(utf16(task_xml(spec)), path=spec["path"])
        entry = propose_entry(definition, {"name": "demo"}, today=DEMO_TODAY)
        for key in ("review", "provenance", "expires", "scope"):
            entry.pop(key, None)
        entry["owner"] = "Windows"
        entry["justification"] = "Built-in Windows task (demo baseline)"
        if "approval" in entry:
            entry["approval"] = dict(APPROVAL)
        if scope:
            entry["scope"] = dict(scope)
        if spec["path"] in required:
            entry["required"] = True
        entries.append(entry)
    return entries


def inventories():
    sys.path.insert(0, os.path.join(REPO, "collections"))
    from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import build_document, dump_document
    baseline = (_entries(BUILTIN, required=("\\Microsoft\\Windows\\Windows Defender\\Windows Defender Scheduled Scan",))
                + _entries(WORKSTATION_ONLY, scope={"domain_role": ["workstation"]})
                + _entries(DC_ONLY, scope={"domain_role": ["domain_controller"]}))
    doc = build_document(baseline, owner_name="Demo Windows baseline", contact="windows-platform@contoso.example",
                         kind="baseline")
    files = {os.path.join("inventories", "demo", "task_inventory", "baseline-demo.yml"): dump_document(
        doc, header="Demo baseline: the built-in tasks of the demo sample hosts (samples/).\n"
                    "Generated by tools/make_demo_samples.py; do not edit by hand.").encode("utf-8")}
    vendor = _entries([CONTOSO_NIGHTLY, CONTOSO_HEALTH, CONTOSO_CATALOG])
    justifications = {CONTOSO_NIGHTLY["path"]: "Nightly backup job of the Contoso Backup agent",
                      CONTOSO_HEALTH["path"]: "Hourly health report of the Contoso Backup agent",
                      CONTOSO_CATALOG["path"]: "Daily catalog export of the Contoso Backup agent, as its service account"}
    for entry in vendor:
        entry["owner"] = "Contoso Backup"
        entry["contact"] = "support@contoso-backup.example"
        entry["justification"] = justifications[entry["path"]]
        entry["allowed_registrants"] = ["CONTOSO\\svc-backup", "S-1-5-18"]
        entry["approval"] = dict(APPROVAL)
    doc = build_document(vendor, owner_name="Contoso Backup", contact="support@contoso-backup.example", kind="vendor")
    files[os.path.join("task_inventory", "vendors", "contoso-backup.yml")] = dump_document(
        doc, header="Example vendor file: the scheduled tasks of the Contoso Backup agent.\n"
                    "Used by the demo (make demo) and as a template for vendors (docs/task-inventory.md).\n"
                    "Generated by tools/make_demo_samples.py from the demo task definitions.").encode("utf-8")
    return files


# ------------------------------------------------------------- SYSVOL (GPO tasks)
DEMO_GPO = "{5C2B7A1E-9D43-4F6B-8E21-3A7D0C9B6E54}"


def sysvol_files():
    """dc01's SYSVOL: one GPO whose preferences push an immediate SYSTEM task (docs/least-privilege.md)."""
    base = os.path.join("samples", "dc01", "Windows", "SYSVOL", "domain", "Policies", DEMO_GPO)
    # LF line ends: ansible-test's line-endings check refuses CRLF text in the
    # repository. Real SYSVOL files use CRLF; the GPO parser reads both.
    gpt = "[General]\nVersion=65537\ndisplayName=Server Maintenance\n".encode("ascii")
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<ScheduledTasks clsid="{CC63F200-7309-4ba0-B154-A71CD118DBCC}">'
        '<ImmediateTaskV2 clsid="{9756B581-76EC-4169-9AFC-0CA8D43ADB5F}" name="Install Updates" image="0" '
        'changed="2026-11-30 02:14:09" uid="{6F2C5A10-3B7D-4E8A-9C41-0D5E7B2A9F13}" userContext="0" removePolicy="0">'
        '<Properties action="C" name="Install Updates" runAs="NT AUTHORITY\\System" logonType="S4U">'
        '<Task version="1.3"><RegistrationInfo><Author>NT AUTHORITY\\System</Author><Description></Description>'
        '</RegistrationInfo><Principals><Principal id="Author"><UserId>NT AUTHORITY\\System</UserId>'
        '<RunLevel>HighestAvailable</RunLevel><LogonType>S4U</LogonType></Principal></Principals>'
        '<Settings><MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy><Enabled>true</Enabled>'
        '<Hidden>false</Hidden><DeleteExpiredTaskAfter>PT0S</DeleteExpiredTaskAfter></Settings>'
        '<Triggers><TimeTrigger><StartBoundary>%LocalTimeXmlEx%</StartBoundary>'
        '<EndBoundary>%LocalTimeXmlEx%</EndBoundary><Enabled>true</Enabled></TimeTrigger></Triggers>'
        '<Actions Context="Author"><Exec><Command>cmd.exe</Command>'
        '<Arguments>/c \\\\fs02.corp.contoso.example\\software$\\pivot.exe</Arguments></Exec></Actions>'
        '</Task></Properties></ImmediateTaskV2></ScheduledTasks>\n').encode("utf-8")
    return {os.path.join(base, "GPT.INI"): gpt,
            os.path.join(base, "Machine", "Preferences", "ScheduledTasks", "ScheduledTasks.xml"): xml}


# ---------------------------------------------------------------- local admins
DEMO_DOMAIN = "S-1-5-21-1004336348-1177238915-682003330"
# Each demo host's machine SID and the members of its Administrators group (SAM
# alias 0x220): the built-in Administrator, Domain Admins, and on adminws01 an
# Entra ID account nobody documented plus a deleted local account (orphaned SID).
DEMO_ADMINS = {
    "srv01": ("S-1-5-21-3623811015-3361044348-30300820", ["-500", DEMO_DOMAIN + "-512"]),
    "adminws01": ("S-1-5-21-2211445566-1188223344-3455667788",
                  ["-500", DEMO_DOMAIN + "-512", "S-1-12-1-2233445566-1122334455-3344556677-1455667788", "-1009"]),
}


def sam_files():
    """The SAM hives of the member server and the admin workstation (tools/regf_writer.py);
    a domain controller's administrators are the domain's, not in its SAM."""
    import struct
    sys.path.insert(0, os.path.join(REPO, "collections"))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from regf_writer import REG_BINARY, Key, build_hive
    from ansible_collections.taskguard.windows.plugins.plugin_utils.local_admins import build_alias_c_value, sid_to_bytes
    out = {}
    for host, (machine, members) in sorted(DEMO_ADMINS.items()):
        sids = [machine + m if m.startswith("-") else m for m in members]
        root = Key("ROOT")
        root.ensure("SAM\\Domains\\Builtin\\Aliases\\00000220").values.append(
            ("C", REG_BINARY, build_alias_c_value(sids)))
        root.ensure("SAM\\Domains\\Account").values.append(("V", REG_BINARY, b"\x00" * 0x40 + sid_to_bytes(machine)))
        for name, rid in (("Administrator", 500), ("Guest", 501), ("svc-backup", 1004)):
            # SAM convention: the type of a Names subkey's default value is the account's RID
            root.ensure("SAM\\Domains\\Account\\Users\\Names\\" + name).values.append(("", rid, b""))
        flags = bytearray(0x50)
        struct.pack_into("<H", flags, 0x38, 0x0210)    # built-in Administrator enabled (0x0001 would be disabled)
        root.ensure("SAM\\Domains\\Account\\Users\\000001F4").values.append(("F", REG_BINARY, bytes(flags)))
        out[os.path.join("samples", host, "Windows", "System32", "config", "SAM")] = build_hive(
            root, "\\SystemRoot\\System32\\Config\\SAM")
    return out


# "Log on as a batch job" (docs/least-privilege.md): the LSA policy database of each
# host's SECURITY hive, Policy\\Accounts\\<SID> with the account's logon rights as a
# 4-byte mask in the default value of its ActSysAc subkey and its binary SID in
# that of its Sid subkey (REG_NONE, as LSA stores its attributes). Bits of
# ntsecapi.h: interactive 0x1, network 0x2, batch 0x4, service 0x10, remote
# interactive 0x400, deny interactive 0x40, deny network 0x80. Only these two
# attributes are written (no Privilgs, SecDesc or Policy\\Pol* keys).
_LOGON = {"interactive": 0x1, "network": 0x2, "batch": 0x4, "service": 0x10, "remote_interactive": 0x400,
          "deny_interactive": 0x40, "deny_network": 0x80}
# Windows' defaults: Administrators, Backup Operators and Performance Log Users hold
# the batch right on servers, domain controllers (Default Domain Controllers
# Policy) and workstations alike.
_DEFAULT_RIGHTS = [
    ("S-1-1-0", ("network",)),                                       # Everyone
    ("S-1-5-19", ("service",)),                                      # LOCAL SERVICE
    ("S-1-5-20", ("service",)),                                      # NETWORK SERVICE
    ("S-1-5-32-544", ("interactive", "network", "batch", "remote_interactive")),   # Administrators
    ("S-1-5-32-545", ("interactive", "network")),                    # Users
    ("S-1-5-32-551", ("interactive", "network", "batch")),           # Backup Operators
    ("S-1-5-32-555", ("remote_interactive",)),                       # Remote Desktop Users
    ("S-1-5-32-559", ("batch",)),                                    # Performance Log Users
    ("S-1-5-80-0", ("service",)),                                    # NT SERVICE\\ALL SERVICES
]
DEMO_BATCH_EXTRA = {
    "dc01": [],
    # the documented service account of \\Contoso\\Backup\\Catalog Export
    "srv01": [(SVC_BACKUP, ("batch",))],
    # CONTOSO\\jdoe (who also rewrote srv01's backup task): documented nowhere (TG-A023,
    # high on an admin workstation); the local Guest is denied network and local logon
    "adminws01": [(DEMO_DOMAIN + "-3307", ("batch",)),
                  (DEMO_ADMINS["adminws01"][0] + "-501", ("deny_interactive", "deny_network"))],
}


def security_files():
    """The SECURITY hives of the demo hosts (tools/regf_writer.py): the LSA accounts above."""
    import struct
    sys.path.insert(0, os.path.join(REPO, "collections"))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from regf_writer import Key, build_hive
    from ansible_collections.taskguard.windows.plugins.plugin_utils.local_admins import sid_to_bytes
    reg_none = 0
    out = {}
    for host, extra in sorted(DEMO_BATCH_EXTRA.items()):
        root = Key("ROOT")
        for sid, rights in _DEFAULT_RIGHTS + extra:
            mask = 0
            for right in rights:
                mask |= _LOGON[right]
            account = root.ensure("Policy\\Accounts\\" + sid)
            account.ensure("Sid").values.append(("", reg_none, sid_to_bytes(sid)))
            account.ensure("ActSysAc").values.append(("", reg_none, struct.pack("<I", mask)))
        out[os.path.join("samples", host, "Windows", "System32", "config", "SECURITY")] = build_hive(
            root, "\\SystemRoot\\System32\\Config\\SECURITY")
    return out


def software_files():
    """LAPS state (docs/least-privilege.md): srv01's and dc01's SOFTWARE hives hold a
    Windows LAPS policy (back up to Active Directory, 30 days; dc01 its DSRM
    password), adminws01's none, so its local
    Administrator password is not managed. Only the LAPS keys: the TaskCache of these
    hosts stays in their TaskCache.reg (the collector falls back to it)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from regf_writer import REG_DWORD, Key, build_hive
    out = {}
    for host, values in (("srv01", [("BackupDirectory", REG_DWORD, 2), ("PasswordAgeDays", REG_DWORD, 30)]),
                         # a domain controller: Windows LAPS backs up its DSRM password to AD
                         ("dc01", [("BackupDirectory", REG_DWORD, 2), ("PasswordAgeDays", REG_DWORD, 30),
                                   ("ADBackupDSRMPassword", REG_DWORD, 1)]),
                         ("adminws01", None)):
        root = Key("ROOT")
        if values:
            root.ensure("Microsoft\\Windows\\CurrentVersion\\Policies\\LAPS").values.extend(values)
        else:
            root.ensure("Contoso\\Workstation").values.append(("Managed", REG_DWORD, 1))
        out[os.path.join("samples", host, "Windows", "System32", "config", "SOFTWARE")] = build_hive(root)
    return out


def job_files():
    """adminws01's legacy at job (T1053.002): the crafted At1.job of the parser's
    fixtures (tests/unit/fixtures/task_info/jobs/make_jobs.py writes it to
    [MS-TSCH] 2.4): cmd.exe starting hidden, encoded PowerShell every week."""
    with open(os.path.join(REPO, "tests", "unit", "fixtures", "task_info", "jobs", "At1.job"), "rb") as handle:
        data = handle.read()
    return {os.path.join("samples", "adminws01", "Windows", "Tasks", "At1.job"): data}


# --------------------------------------------------------------------- driving
def generate():
    """{relative path: bytes} of every sample file."""
    out = {}
    for host, conf in HOSTS.items():
        file_bytes = {}
        for spec in conf["tasks"]:
            data = utf16(task_xml(spec) + "\r\n")
            file_bytes[spec["path"]] = data
            rel = os.path.join("samples", host, "Windows", "System32", "Tasks", *spec["path"].strip("\\").split("\\"))
            out[rel] = data
        ghosts = conf.get("registry_only", [])
        for spec in ghosts:  # only its hash is known to the registry, there is no file
            file_bytes[spec["path"]] = utf16(task_xml(spec) + "\r\n")
        reg = taskcache_reg(host, conf["tasks"] + ghosts, file_bytes, conf["concealed"])
        out[os.path.join("samples", host, "TaskCache.reg")] = reg
        for name, data in host_events(host, conf["computer"]).items():
            out[os.path.join("samples", host, "events", name)] = data
    out.update(sysvol_files())
    out.update(sam_files())
    out.update(job_files())
    out.update(software_files())
    out.update(security_files())
    out.update(inventories())
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed files")
    args = parser.parse_args(argv)
    files = generate()
    differ = []
    for rel, data in sorted(files.items()):
        path = os.path.join(REPO, rel)
        try:
            with open(path, "rb") as handle:
                same = handle.read() == data
        except OSError:
            same = False
        if same:
            continue
        differ.append(rel)
        if not args.check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
    if args.check:
        for rel in differ:
            print("differs: %s" % rel)
        return 1 if differ else 0
    print("%d sample files (%d written)" % (len(files), len(differ)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
