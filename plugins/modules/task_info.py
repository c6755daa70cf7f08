#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation sidecar: the module is task_info.ps1 (gathering) run by the
# action plugin plugins/action/task_info.py (parsing and comparison).

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: task_info
short_description: Every scheduled task of a Windows host, hidden ones included, normalized
version_added: 0.1.0
description:
- Returns every scheduled task of a host as a normalized record (definition, principal,
  actions, triggers, runtime state) and flags tasks concealed from the Task Scheduler
  (MITRE ATT&CK T1053.005, Tarrask-style SD removal, GhostTask registry-only tasks).
- B(Live) (default) - one module run per host gathers, in a single WinRM round trip, every task in
  every folder through the Task Scheduler COM API including tasks with the Hidden flag
  (C(GetFolders(0)), C(GetTasks(1))), the registry C(TaskCache) (C(Tree) C(Id)/C(Index)/C(SD),
  C(Tasks) C(Path)/C(Hash)), the task files under C(%WINDIR%\System32\Tasks) (size, SHA-256, and
  the content of files the API did not return), the legacy job files C(%WINDIR%\Tasks\*.job) (raw bytes,
  at most 64 KiB each), OS caption/version/build and domain role.
  The PowerShell only gathers; parsing and the comparison run on the controller.
- B(Offline) (O(offline_root)) - the same result computed on the controller from a copy of a
  Windows volume (for example a KAPE or forensic copy of C(C:)), without connecting to any host.
  Task files are read from C(<root>/Windows/System32/Tasks) (path segments matched
  case-insensitively); the TaskCache from O(taskcache_reg) or O(hive) when given, otherwise from
  C(<root>/Windows/System32/config/SOFTWARE) (read with regipy), falling back to
  C(<root>/TaskCache.reg) when that hive is missing, unreadable or has no TaskCache.
  Legacy job files from C(<root>/Windows/Tasks/*.job); task files the scheduler does not load from
  C(<root>/Windows/SysWOW64/Tasks) and C(<root>/Windows/System32/Tasks_Migrated) when present.
- Legacy C(.job) files (T1053.002, MS-TSCH 2.4 binary format, parsed on the controller with bounded sizes)
  are returned as tasks with C(source) and C(seen_in) C(job_file) and path C(\<file name>) (for example
  C(\At1.job)); RV(sources.job_files) says whether they were looked at.
- The hidden-task check is a three-way comparison of the API, the task files and the TaskCache.
  A reason code is only evaluated when every source it needs was read; RV(checks) says which
  were, RV(sources) which sources were read, RV(errors) why one was not. "Not checked" is never
  reported as "not hidden".
- Why not C(community.windows.win_scheduled_task_stat)? It inspects one folder without recursion,
  returns full detail for one named task only, drops the raw XML, cannot see tasks hidden by
  registry tampering (it asks the same API that the tampering hides them from) and has no
  offline mode. This module needs all tasks, all folders, the raw definitions and the registry
  and file views of the same host in one round trip.
- Everything returned comes from the host or the evidence and is attacker-controllable, so it is
  marked unsafe and never templated. XML is parsed with DTDs and entities refused and sizes
  capped; a definition that cannot be parsed is listed in RV(unparseable) and the task still
  appears in RV(tasks) with null definition fields.
- Required rights (live) - a member of the local B(Administrators) group (elevated token, as WinRM
  gives by default to administrators). Without it the API lists only tasks the account may read,
  C(System32\Tasks) and parts of the TaskCache are denied; the module then still returns what it
  could read, sets C(not_in_api) as not evaluated, and says so in RV(errors) and the
  C(sources) flags. It never needs or makes changes.
options:
  offline_root:
    description:
    - Path on the controller to a copy of a Windows volume. When set, no connection to the host is made.
    type: path
  taskcache_reg:
    description:
    - Offline only. A C(reg export) text file (UTF-16 as regedit writes it) of the
      C(HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache) key, or of a key above it.
    - A relative path is resolved inside O(offline_root) and may not leave it.
    type: path
  hive:
    description:
    - Offline only. An offline C(SOFTWARE) hive to read the TaskCache and OS facts from.
      Defaults to C(<offline_root>/Windows/System32/config/SOFTWARE) when that exists.
    - A relative path is resolved inside O(offline_root) and may not leave it.
    type: path
  max_content_bytes:
    description:
    - Live only. Largest task file whose content is returned for files the API did not return
      (task definitions are a few KB). Larger files are listed with size and hash and reported.
    type: int
    default: 1048576
attributes:
  check_mode:
    description: Can run in check mode; the module is read-only and behaves the same.
    support: full
  diff_mode:
    description: Would return details on what has changed.
    support: none
  platform:
    description: Target OS the module gathers from (offline mode runs on the controller only).
    support: full
    platforms: windows
notes:
- The TaskCache C(Hash) value is compared with the SHA-256 of the task file without its
  UTF-16 byte-order mark, as documented by libyal winreg-kb ("Task scheduler"); see
  C(docs/task-collection.md) for how this was verified and its limits. CRC32-era hashes (before
  KB2305420) are not compared. C(playbooks/selftest.yml) checks this on a real host
  (C(docs/verify-on-windows.md)).
- When the TaskCache C(Tree) or C(Tasks) key cannot be listed, the TaskCache counts as not read
  (an entry in RV(errors), no registry check runs), because one list without the other would make every
  task look tampered with.
- Connect over WinRM with HTTPS, certificate validation and Kerberos; keep credentials in AWX
  credentials or Ansible Vault.
seealso:
- module: community.windows.win_scheduled_task_stat
- module: taskguard.windows.task_events
author:
- taskguard contributors (@taskguard)
'''

EXAMPLES = r'''
# Inventory / group_vars for the Windows hosts: WinRM over HTTPS with certificate
# validation and Kerberos. Credentials come from an AWX machine credential or Vault.
#   ansible_connection: winrm
#   ansible_winrm_transport: kerberos
#   ansible_winrm_scheme: https
#   ansible_port: 5986
#   ansible_winrm_server_cert_validation: validate
#   ansible_winrm_ca_trust_path: /etc/pki/tls/certs/corp-ca.pem

- name: Collect every scheduled task
  taskguard.windows.task_info:
  register: tasks

- name: Show tasks concealed from the Task Scheduler
  ansible.builtin.debug:
    msg: "{{ item.path }}: {{ item.hidden_reasons | join(', ') }}"
  loop: "{{ tasks.tasks | selectattr('hidden_reasons') | list }}"
  loop_control:
    label: "{{ item.path }}"

- name: Fail when a source could not be read (never treat "not checked" as clean)
  ansible.builtin.assert:
    that:
      - tasks.sources.api
      - tasks.sources.files
      - tasks.sources.registry
    fail_msg: "{{ tasks.errors }}"

- name: Offline, from a KAPE copy of C:, TaskCache from the SOFTWARE hive in the copy
  taskguard.windows.task_info:
    offline_root: /cases/1234/C
  delegate_to: localhost
  register: offline_tasks

- name: Offline, TaskCache from a reg export taken on the host
  taskguard.windows.task_info:
    offline_root: /cases/1234/C
    taskcache_reg: /cases/1234/TaskCache.reg
  delegate_to: localhost
'''

RETURN = r'''
mode:
  description: C(live) or C(offline).
  returned: always
  type: str
tasks:
  description:
  - One normalized record per task, sorted by path (case-insensitively). A task known to only
    one source (for example the registry) is still an entry; its definition fields are null
    and its lists empty.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: Where the task lives (live - the scheduler path; offline - the file path under C(Tasks),
        or the registry C(Tree) path for registry-only tasks), for example C(\Microsoft\Windows\Defrag\ScheduledDefrag).
      type: str
    name:
      description: Last segment of RV(tasks[].path).
      type: str
    folder:
      description: Folder part of RV(tasks[].path); the root folder is C(\).
      type: str
    uri:
      description: C(RegistrationInfo/URI) as declared in the definition (attacker-controlled; many
        genuine tasks omit the leading backslash).
      type: str
    enabled:
      description: C(Settings/Enabled) (default true); null without a definition.
      type: bool
    hidden:
      description: C(Settings/Hidden) flag (default false); null without a definition.
      type: bool
    author:
      description: C(RegistrationInfo/Author); resource strings such as C($(@%SystemRoot%\system32\x.dll,-101)) kept as they are.
      type: str
    description:
      description: C(RegistrationInfo/Description).
      type: str
    registration_date:
      description: C(RegistrationInfo/Date) as written.
      type: str
    schema_version:
      description: The C(version) attribute of C(Task), null when absent (most built-in tasks).
      type: str
    security_descriptor:
      description: C(RegistrationInfo/SecurityDescriptor) (SDDL) when present.
      type: str
    source:
      description: C(RegistrationInfo/Source).
      type: str
    principal:
      description: The principal the actions run as (the one named by C(Actions/@Context), else the first);
        values as the schema spells them (C(S4U), C(InteractiveToken), C(HighestAvailable), ...).
      type: dict
      contains:
        id: {description: Principal id attribute., type: str}
        user_id: {description: UserId (account name or SID)., type: str}
        group_id: {description: GroupId., type: str}
        logon_type: {description: LogonType., type: str}
        run_level: {description: RunLevel., type: str}
    actions:
      description: Actions in definition order.
      type: list
      elements: dict
      contains:
        type: {description: "C(exec), C(com_handler), C(send_email), C(show_message) or C(other).", type: str}
        raw_type: {description: "Element name as written, for example C(Exec).", type: str}
        command: {description: Exec Command., type: str}
        arguments: {description: Exec Arguments (SendEmail - the To address)., type: str}
        working_directory: {description: Exec WorkingDirectory., type: str}
        class_id: {description: ComHandler ClassId., type: str}
        data: {description: ComHandler Data (SendEmail/ShowMessage - the Body)., type: str}
    actions_context:
      description: C(Actions/@Context).
      type: str
    triggers:
      description: Triggers in definition order.
      type: list
      elements: dict
      contains:
        type:
          description: "C(boot), C(logon), C(time), C(calendar), C(daily), C(weekly), C(monthly), C(idle),
            C(registration), C(event), C(session_state_change), C(wnf) or C(other)."
          type: str
        raw_type: {description: Element name as written., type: str}
        enabled: {description: Trigger Enabled (default true)., type: bool}
        start_boundary: {description: StartBoundary., type: str}
        user_id: {description: UserId (logon and session triggers)., type: str}
        delay: {description: Delay., type: str}
        repetition_interval: {description: Repetition/Interval., type: str}
        subscription: {description: Event trigger subscription query (XML text)., type: str}
    sha256:
      description: SHA-256 of the definition as read - the file bytes (offline, or live files the API did not
        return), or for API XML the UTF-16 LE encoding with BOM (the form task files are stored in).
      type: str
    fingerprint:
      description: Stable SHA-256 of the security-relevant fields (enabled, hidden, principal, actions in order,
        triggers as a set without start boundaries), independent of encoding, whitespace, element order,
        registration date, author and description. Null without a definition.
      type: str
    is_at_job:
      description: True for legacy C(at) jobs (C(At1), C(At2), ... in the root folder).
      type: bool
    seen_in:
      description:
        - Sorted subset of C(api), C(file), C(registry) - the sources that know this task - followed by
          C(syswow64_tasks) / C(tasks_migrated) when a file of the same path is also in that folder.
        - C([job_file]) for a legacy job file; C([syswow64_tasks]) or C([tasks_migrated]) for a task file
          found only in that folder (C(state) C(not_registered)) - the scheduler does not load either folder,
          so such a file is a leftover or a failed attempt, not a hidden task by itself.
      type: list
      elements: str
    hidden_reasons:
      description:
      - Sorted codes; empty unless the task is concealed or inconsistent. Only codes listed as evaluated
        in RV(checks) can appear.
      - C(sd_missing) - the TaskCache Tree entry has no (or an empty) C(SD) value (Tarrask).
      - C(index_zero) - the Tree entry's C(Index) is 0 or absent.
      - C(registry_without_file) - a TaskCache Tasks entry exists but no task file (GhostTask).
      - C(file_without_registry) - a task file exists with no TaskCache entry at all.
      - C(not_in_api) - live only, as administrator - on disk or in the registry but not returned by the API
        (not evaluated for folders the API could not enumerate).
      - C(tree_without_tasks_entry) - the Tree entry's Id has no Tasks entry (also what a deleted task's
        leftover Tree key looks like).
      - C(tasks_entry_without_tree) - a Tasks entry whose Path has no Tree entry.
      - C(path_mismatch) - the Tree entry's Id points to a Tasks entry with a different Path.
      - C(hash_mismatch) - the Tasks entry's SHA-256 C(Hash) differs from the task file without its BOM
        (the file was changed outside the Task Scheduler).
      type: list
      elements: str
    registry:
      description: TaskCache view of the task; null when the registry was not read or does not know the task.
      type: dict
      contains:
        id: {description: Tree Id (GUID) or the Tasks key name., type: str}
        index: {description: Tree Index., type: int}
        sd_present: {description: Whether the Tree entry has a non-empty SD value., type: bool}
        hash: {description: Tasks Hash value as hex., type: str}
        hash_algorithm: {description: "C(sha256), C(crc32) or C(unknown), from the hash length.", type: str}
        hash_matches_file: {description: Result of the hash comparison; null when not compared., type: bool}
        tasks_entry: {description: Whether a Tasks entry exists., type: bool}
        tree_entry: {description: Whether a Tree entry exists., type: bool}
    job:
      description:
        - Legacy job files only - the header and strings of the C(.job) (C(application), C(parameters),
          C(working_directory), C(author), C(comment), C(uuid), C(product_version), C(status) (C(ready),
          C(has_not_run), ...), C(flags), C(priority), C(max_run_time_ms), C(exit_code), C(last_run_time)
          (host local time, no zone), C(running_instances), C(user_data_bytes), C(reserved_data_bytes),
          C(trailing_bytes), C(anomalies) (offsets or sizes that differ from the format) and C(location)).
        - A job file holds no account; C(principal) is null.
      type: dict
      returned: for job files
    file:
      description: Task file under C(System32\Tasks); null when there is none or files were not read.
      type: dict
      contains:
        size: {description: Size in bytes., type: int}
        sha256: {description: SHA-256 of the whole file., type: str}
        content_sha256: {description: SHA-256 without the UTF-16 BOM (what TaskCache Hash holds)., type: str}
    state:
      description: Live only - C(unknown), C(disabled), C(queued), C(ready) or C(running); null offline.
      type: str
    last_run_time:
      description:
        - Live only - last run time (UTC, ISO 8601); null when never run. The scheduler reports a
          never-run task as 1999-11-30 00:00 local time (C(SCHED_S_TASK_HAS_NOT_RUN)) and 'never' as
          1899-12-30; both become null.
      type: str
    next_run_time:
      description: Live only - next run time (UTC, ISO 8601); null when none.
      type: str
    last_result:
      description: Live only - last result code as an unsigned 32-bit number (HRESULTs as Windows shows them).
      type: int
unparseable:
  description: Definitions that could not be parsed (the task itself stays in RV(tasks)).
  returned: always
  type: list
  elements: dict
  contains:
    path: {description: Task path., type: str}
    source: {description: "C(api) or C(file).", type: str}
    error: {description: Why., type: str}
host:
  description: Host scoping facts. Derived from build numbers and WMI numbers, never from localized names.
  returned: always
  type: dict
  contains:
    name: {description: Host name (live) or null., type: str}
    os_caption: {description: OS caption (live) or ProductName (offline)., type: str}
    os_version: {description: OS version., type: str}
    os_build: {description: Build number., type: str}
    os_family:
      description: "C(windows_10), C(windows_11), C(windows_server_2016), C(windows_server_2019),
        C(windows_server_2022), C(windows_server_2025), older families, or C(unknown)."
      type: str
    product_type: {description: "C(workstation), C(server), C(domain_controller) or null.", type: str}
    domain_role:
      description: "C(domain_controller), C(member_server), C(standalone_server), C(member_workstation),
        C(standalone_workstation) or C(unknown). Offline only C(domain_controller) (SYSTEM hive
        ProductType C(LanmanNT)) or C(unknown): domain membership is not reliably recorded in the hives."
      type: str
sources:
  description: Which sources were read.
  returned: always
  type: dict
  contains:
    api: {description: Task Scheduler API (live only)., type: bool}
    files: {description: Task files under System32\Tasks., type: bool}
    registry: {description: TaskCache., type: bool}
    job_files:
      description: Legacy job files C(Windows\Tasks\*.job) were looked at (false - not looked at, for example
        an evidence copy without C(Windows/Tasks) or a collector without job-file support).
      type: bool
other_locations:
  description: Offline only - number of task files read per other location (C(syswow64_tasks),
    C(tasks_migrated)); null when the folder is not in the evidence.
  returned: offline
  type: dict
checks:
  description: For each hidden-reason code, whether it was evaluated (all sources it needs were read).
  returned: always
  type: dict
registry_source:
  description: Where the TaskCache came from (C(kind) - C(live), C(reg_export) or C(hive); C(path)); null when none.
  returned: always
  type: dict
errors:
  description: Everything that could not be read (source, path, error) - denied folders, unreadable files,
    refused symlinks, missing sources, not running as administrator.
  returned: always
  type: list
  elements: dict
'''
