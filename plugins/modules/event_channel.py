# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: event_channel
short_description: Read or set whether an event log channel is enabled, its maximum size and its log mode
version_added: 0.1.0
description:
  - Reads the configuration of one Windows event log channel and, when O(enabled),
    O(maximum_size_bytes) or O(log_mode) are given, sets them.
  - Works on modern channels such as C(Microsoft-Windows-TaskScheduler/Operational)
    and on classic logs such as C(Security), through
    C(System.Diagnostics.Eventing.Reader.EventLogConfiguration) (the API behind C(wevtutil sl)).
  - Why this module exists - M(ansible.windows.win_eventlog) manages classic logs only
    (it uses C(Limit-EventLog)) and cannot enable or size C(Microsoft-Windows-TaskScheduler/Operational),
    which is disabled by default on many Windows versions. Without it there are no
    106/140/141/142/129/200/201 task events to collect.
  - The module only reads and writes state. Deciding the wanted values (for example
    "at least N bytes") is done on the controller by the C(taskguard.windows.hardening) role.
  - Channel names are not localized, so the module is language independent.
  - With only O(name) the module is read-only and returns RV(exists) false for a missing
    channel instead of failing, so an audit can report it.
options:
  name:
    description:
      - Channel name, for example C(Microsoft-Windows-TaskScheduler/Operational) or C(Security).
    type: str
    required: true
  enabled:
    description:
      - Whether the channel is enabled. Omit to leave unchanged.
    type: bool
  maximum_size_bytes:
    description:
      - Maximum size of the log file in bytes. Omit to leave unchanged.
      - Must be at least 1048576. Use a multiple of 65536 - the event log service keeps
        sizes in 64 KiB units and may round other values, which would then be reported
        as a change on every run. The C(taskguard.windows.hardening) role rounds up for you.
      - A whole number up to the Int64 range, given as a number or a string of digits.
        Declared C(raw) because the C(int) type of C(Ansible.Basic) is Int32 and would
        refuse a log of 2 GiB or more (common for C(Security) on domain controllers).
    type: raw
  log_mode:
    description:
      - What happens when the log is full. Omit to leave unchanged.
      - C(circular) overwrites the oldest events, C(auto_backup) archives the full log and
        starts a new one (archives are not removed, watch disk space), C(retain) stops logging.
    type: str
    choices: [circular, auto_backup, retain]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - taskguard.windows.attributes.setting_windows
notes:
  - Changing the C(Security) log requires administrative rights.
  - A Group Policy that configures the channel (C(HKLM\SOFTWARE\Policies\Microsoft\Windows\EventLog\<log>))
    wins over a local setting at the next policy refresh.
seealso:
  - module: ansible.windows.win_eventlog
  - module: taskguard.windows.audit_subcategory
author:
  - taskguard contributors (@taskguard)
"""

EXAMPLES = r"""
- name: Enable the Task Scheduler Operational channel with 128 MiB, overwrite when full
  taskguard.windows.event_channel:
    name: Microsoft-Windows-TaskScheduler/Operational
    enabled: true
    maximum_size_bytes: 134217728
    log_mode: circular

- name: Read the Security log configuration only
  taskguard.windows.event_channel:
    name: Security
  register: security_log
"""

RETURN = r"""
name:
  description: The channel name as requested.
  returned: always
  type: str
  sample: Microsoft-Windows-TaskScheduler/Operational
exists:
  description: Whether the channel exists on the host.
  returned: always
  type: bool
  sample: true
changes:
  description: Which settings differed and were (or in check mode would be) changed.
  returned: always
  type: list
  elements: str
  sample: [enabled, maximum_size_bytes]
before:
  description: Channel configuration before the module ran; null when the channel does not exist.
  returned: always
  type: dict
  contains:
    enabled:
      description: Whether the channel is enabled.
      type: bool
    maximum_size_bytes:
      description: Maximum log size in bytes.
      type: int
    log_mode:
      description: One of C(circular), C(auto_backup), C(retain).
      type: str
    log_type:
      description: C(Administrative), C(Operational), C(Analytical) or C(Debug) (enum names, not localized).
      type: str
    is_classic_log:
      description: Whether this is a classic (pre-Vista style) log.
      type: bool
    log_file_path:
      description: Path of the .evtx file, usually with unexpanded environment variables.
      type: str
  sample:
    enabled: false
    maximum_size_bytes: 1052672
    log_mode: circular
    log_type: Operational
    is_classic_log: false
    log_file_path: '%SystemRoot%\System32\Winevt\Logs\Microsoft-Windows-TaskScheduler%4Operational.evtx'
after:
  description:
    - Channel configuration after the module ran, read back from the host.
    - In check mode the predicted configuration. Same keys as RV(before).
  returned: always
  type: dict
  sample:
    enabled: true
    maximum_size_bytes: 134217728
    log_mode: circular
    log_type: Operational
    is_classic_log: false
    log_file_path: '%SystemRoot%\System32\Winevt\Logs\Microsoft-Windows-TaskScheduler%4Operational.evtx'
"""
