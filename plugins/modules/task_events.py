# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: task_events
short_description: Collect scheduled-task events (Task Scheduler Operational and Security 4698-4702), live or offline, incrementally
version_added: 0.1.0
description:
  - Returns the scheduled-task events of a Windows host in one normalized shape,
    together with per-channel status, coverage (was the channel enabled, readable,
    may events have been lost) and a bookmark for the next, incremental run.
  - C(Microsoft-Windows-TaskScheduler/Operational) events 106 (registered), 140 (updated),
    141 (deleted), 142 (disabled), 129 (process created), 200 (action started),
    201 (action completed); C(Security) events 4698 (created), 4699 (deleted),
    4700 (enabled), 4701 (disabled), 4702 (updated), which carry the whole task XML.
  - Live mode (default) runs one PowerShell module per host (one WinRM round trip). The
    host filters with an XPath query on EventID and EventRecordID (never reads whole
    logs), reads oldest first, returns at most O(max_events) events per channel and
    the raw event XML; all parsing happens on the controller.
  - Offline mode (O(offline_root)) reads an evidence folder on the controller and never
    connects to the host - C(<root>/Windows/System32/winevt/Logs/Security.evtx),
    C(<root>/Windows/System32/winevt/Logs/Microsoft-Windows-TaskScheduler%4Operational.evtx)
    and event XML exports C(<root>/events/*.xml) (as written by C(wevtutil qe <log> /f:xml)
    or C(Get-WinEvent | ForEach-Object ToXml), UTF-8 or UTF-16). Path components are
    matched case-insensitively; symbolic links that leave the root are refused and
    reported; nothing outside the root is read.
  - Event XML and the task XML inside C(TaskContent) are attacker-controlled. They are
    parsed with DTDs and entities refused and size caps; a record that cannot be parsed
    is listed in RV(unparseable) and the rest is processed. A C(TaskContent) that cannot
    be parsed gives RV(events[].definition=null) with RV(events[].definition_error) and
    the event is still reported.
  - Why our own code - M(community.windows.win_eventlog_entry) writes events and
    C(ansible.windows) has no event reader; C(Get-WinEvent) output alone gives neither
    bookmarks nor coverage. EVTX files are read with the C(evtx) Python package (Rust),
    which streams a 1 GB Security.evtx with bounded memory at well over 100,000
    records/s; non-task records are skipped with a cheap EventID text check before
    any XML parsing.
options:
  event_ids:
    description:
      - Task event ids to collect. Channels without a requested id are not queried and
        get no coverage entry.
      - Ids other than 106, 140, 141, 142, 129, 200, 201, 1102, 4698, 4699, 4700, 4701, 4702 are refused.
      - 1102 (Security, the log was cleared) is not a task event - it is reported in the channel's coverage
        (C(cleared)), with who cleared the log and when, because the task events before it are gone.
    type: list
    elements: int
    default: [106, 129, 140, 141, 142, 200, 201, 1102, 4698, 4699, 4700, 4701, 4702]
  since:
    description:
      - Bookmark returned as RV(bookmark) by a previous run - a mapping of channel name to
        C({record_id, time}). Only events with a greater record id are returned.
      - If the channel's newest record id is lower than the bookmark (log cleared or
        recreated), events newer than the bookmark's time are returned instead and
        coverage reports C(log_reset).
      - A bookmark only applies to the same O(event_ids); events of ids that were not
        requested are passed over by it.
    type: dict
  max_events:
    description:
      - Upper bound of events returned per channel. The oldest events after the bookmark
        are returned first; when more exist RV(truncated) is true, coverage says
        C(truncated) and RV(bookmark) stops at the last returned event, so the next run
        continues there.
    type: int
    default: 5000
  offline_root:
    description:
      - Read this evidence folder on the controller instead of the live host. No
        connection is made.
      - A relative path is resolved like other playbook-relative files.
    type: path
  state_dir:
    description:
      - Directory of per-host bookmark files (see C(plugins/plugin_utils/bookmarks.py)).
        When set and O(since) is not, the stored bookmark of C(inventory_hostname) is used.
      - The module only reads it. The drift playbook writes the new bookmark after the
        report has been written.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - taskguard.windows.attributes.read_only_windows
notes:
  - Least privilege (live). The account must be able to connect over WinRM (member of
    C(Remote Management Users) or C(Administrators)). C(Microsoft-Windows-TaskScheduler/Operational)
    can be read by members of C(Event Log Readers) (S-1-5-32-573), which the default
    channel access grants read permission. C(Security) can always be read by
    C(Administrators); a non-administrator needs the channel access of the Security log
    to grant it read (the default access of current Windows versions includes
    C(Event Log Readers), but the policy I(Configure log access) can remove it) or
    the C(Manage auditing and security log) right (SeSecurityPrivilege). These rights
    are documented by Microsoft and were not verified on a host by this project; the
    module never fails on missing rights - it reports C(access_denied) in RV(coverage).
  - C(Microsoft-Windows-TaskScheduler/Operational) is disabled by default on many Windows
    versions, and 4698-4702 are only written when the advanced audit subcategory
    I(Other Object Access Events) is enabled; the C(taskguard.windows.hardening) role
    enables both. A disabled channel is reported as such (RV(coverage)), never as a
    quiet host. Whether auditing is enabled is not visible in the Security log itself;
    check it with the hardening role's compliance playbook.
  - Event times are those of C(System/TimeCreated/@SystemTime) with the source's precision
    (7 fractional digits live, 6 from EVTX files because of the EVTX renderer).
  - The record id is C(System/EventRecordID). Extracts saved with "Save filtered log file"
    renumber their record headers but keep this id, so events found in an export and in
    an EVTX file are reported once (same channel, computer and record id).
seealso:
  - module: taskguard.windows.task_info
  - module: taskguard.windows.event_channel
  - module: ansible.windows.win_eventlog
author:
  - taskguard contributors (@taskguard)
"""

EXAMPLES = r"""
# Inventory / group_vars for the examples (credentials come from AWX or vault):
#   ansible_connection: winrm
#   ansible_port: 5986
#   ansible_winrm_transport: kerberos
#   ansible_winrm_server_cert_validation: validate
#   ansible_winrm_ca_trust_path: /etc/pki/tls/certs/corp-ca.pem

- name: Collect all task events of the last run's bookmark onwards
  taskguard.windows.task_events:
    state_dir: "{{ playbook_dir }}/../state"
  register: task_events

- name: Fail loudly when a channel could not be looked at
  ansible.builtin.assert:
    that:
      - task_events.coverage | dict2items | selectattr('value.events_may_be_lost') | list | length == 0
    fail_msg: "Task events may have been lost: {{ task_events.coverage }}"

- name: Only Security 4698 and 4699, incremental from an explicit bookmark
  taskguard.windows.task_events:
    event_ids: [4698, 4699]
    since: "{{ previous_bookmark }}"
    max_events: 1000
  register: created_deleted

- name: Offline - evidence copied from a host (no connection to it)
  taskguard.windows.task_events:
    offline_root: /srv/evidence/ws042
  delegate_to: localhost
  register: offline_events
"""

RETURN = r"""
mode:
  description: C(live) or C(offline).
  returned: always
  type: str
  sample: live
events:
  description:
    - Task events, sorted by (time, channel, record_id). Strings are host data - never template them.
  returned: always
  type: list
  elements: dict
  contains:
    record_id:
      description: C(System/EventRecordID).
      type: int
      sample: 2004852
    time:
      description: C(System/TimeCreated/@SystemTime), ISO 8601 UTC ending in C(Z), source precision.
      type: str
      sample: "2021-06-10T21:21:26.383726Z"
    event_id:
      description: Event id.
      type: int
      sample: 4698
    version:
      description: C(System/Version) (4698 version 1 adds the client fields).
      type: int
      sample: 0
    channel:
      description: C(Microsoft-Windows-TaskScheduler/Operational) or C(Security).
      type: str
    provider:
      description: C(System/Provider/@Name).
      type: str
      sample: Microsoft-Windows-Security-Auditing
    computer:
      description: C(System/Computer).
      type: str
    action:
      description: What happened to the task.
      type: str
      choices: [registered, updated, deleted, disabled, enabled, started, completed, process_created]
    task:
      description: Task path from C(TaskName), for example C(\Microsoft\Windows\Defrag\ScheduledDefrag).
      type: str
    user:
      description:
        - The account that acted - C(UserContext) (106), C(UserName) (140/141/142),
          C(SubjectDomainName\SubjectUserName) (4698-4702); null for 129/200/201.
      type: str
      sample: OFFSEC\admmig
    subject_sid:
      description: C(SubjectUserSid) (Security) or C(System/Security/@UserID) (Operational).
      type: str
    logon_id:
      description: C(SubjectLogonId) (Security only).
      type: str
    client:
      description:
        - Client fields of 4698-4702 version 1 (null when absent) - C(process_start_key),
          C(process_id), C(parent_process_id), C(rpc_call_client_locality), C(fqdn).
      type: dict
    data:
      description:
        - Other C(EventData) values as strings (for example C(Path) and C(ProcessID) of 129,
          C(ActionName), C(TaskInstanceId), C(ResultCode) of 200/201), each capped at 4096 characters.
      type: dict
    definition:
      description:
        - The task definition parsed from C(TaskContent)/C(TaskContentNew) with the same code
          and model as M(taskguard.windows.task_info) (path, name, folder, uri, enabled,
          hidden, principal, actions, triggers, sha256, fingerprint, ...); null when the
          event carries none or it cannot be parsed.
      type: dict
    definition_error:
      description: Why C(TaskContent) could not be parsed (DTD/entities refused, too large, not well-formed); null otherwise.
      type: str
    source:
      description: Where the event was read - C(live:<channel>), C(evtx:<relative path>) or C(export:<relative path>).
      type: str
channels:
  description:
    - Per channel status - C(enabled), C(readable), C(log_mode) (C(circular), C(auto_backup),
      C(retain)), C(max_size_bytes), C(file_size_bytes), C(record_count), C(oldest_record_id),
      C(oldest_time), C(newest_record_id), C(newest_time), C(error). Values that could
      not be read (or do not exist offline, such as C(enabled)) are null.
  returned: always
  type: dict
coverage:
  description:
    - Per channel C({enabled, readable, events_may_be_lost, reasons}). C(reasons) codes -
      C(channel_disabled), C(access_denied), C(channel_not_found), C(query_failed),
      C(status_unavailable), C(wrapped) (oldest retained record id > bookmark + 1),
      C(log_reset) (record ids went backwards), C(truncated) (more than O(max_events)),
      C(evtx_missing), C(evtx_unreadable), C(evtx_refused) (symlink out of the root),
      C(corrupt_chunks), C(exports_only), C(unparseable_records), C(evtx_wrong_channel) (the
      file named after the channel holds only records of other channels - not readable, no
      record range), C(foreign_records) (it, or an export named after the channel, also holds
      records of other channels), C(events_from_other_file) (the channel's task events were
      found in another channel's file and routed here).
    - C(events_may_be_lost) is true for all of them except C(truncated), C(exports_only)
      alone, C(events_from_other_file) alone, C(foreign_records) and C(unparseable_records).
    - With records of other channels, also C(foreign_records) (count), C(foreign_channels)
      (count per channel name, at most 16 names and C((other channels))) and C(detail) (for
      example C(file named Security.evtx holds 12 record(s) of channel ...)).
  returned: always
  type: dict
  sample:
    Security: {enabled: true, readable: false, events_may_be_lost: true, reasons: [access_denied]}
bookmark:
  description:
    - Per channel C({record_id, time}) of the last record this run looked at. It never
      passes an event that was not returned (on truncation it is the last returned
      event). Give it back as O(since).
  returned: always
  type: dict
truncated:
  description: True when any channel had more than O(max_events) matching events.
  returned: always
  type: bool
unparseable:
  description:
    - Records that could not be used, C({source, record_id, error}) - corrupt EVTX chunks,
      truncated exports, event XML with a DTD, records the host could not render. At most 500 are listed.
  returned: always
  type: list
  elements: dict
unparseable_count:
  description: Number of unusable records, including those beyond the listed 500.
  returned: always
  type: int
errors:
  description: Source-level problems C({source, path, error}) such as refused symbolic links or unreadable files.
  returned: always
  type: list
  elements: dict
"""
