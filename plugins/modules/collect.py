# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: collect
short_description: Gather raw scheduled-task and task-event material of a Windows host in one round trip
version_added: 0.1.0
description:
  - Used by the M(taskguard.windows.audit) action (the drift playbook); returns raw material
    only - the task material of C(TaskMaterial.psm1) (the same as M(taskguard.windows.task_info)
    gathers) and the event material of C(EventMaterial.psm1) (the same as
    M(taskguard.windows.task_events) gathers) - so a drift audit costs one WinRM round trip per host.
  - Parsing, normalizing, comparing and scoring happen on the controller.
  - A failure of one half (for example the Security log is not readable) is returned in
    RV(errors) and the other half is still returned; the audit reports the gap.
  - Why our own module - no module of C(ansible.windows) or C(community.windows) returns
    task definitions of every folder, the TaskCache registry and task events together.
options:
  since:
    description: Event bookmark of the previous audit (channel name to C({record_id, time})).
    type: dict
    default: {}
  max_events:
    description: Upper bound of events returned per channel.
    type: int
    default: 5000
  max_content_bytes:
    description: Largest task definition returned in full (0 to 2097152); bigger ones are reported, not returned.
    type: int
    default: 1048576
  known_task_hashes:
    description:
      - Steady-state runs (set by M(taskguard.windows.audit) from its definition cache in the state dir).
        Lower-cased task path to the SHA-256 of its definition (C(FF FE) + the XML as UTF-16 LE).
      - A task whose definition, hashed on the host when it is read, has exactly that hash is returned
        without its XML (C(xml_omitted=true), C(xml_sha256)); every other task is returned in full.
        The controller then uses the definition it parsed for that hash in the previous audit.
      - Empty (the default) returns every definition, as M(taskguard.windows.task_info) does.
    type: dict
    default: {}
  admin_surface:
    description:
      - Also gather the admin-surface material (C(AdminMaterial.psm1)) in the same round trip - the SIDs in
        the local Administrators group (C(S-1-5-32-544), Net API, WinNT ADSI as fallback), the SIDs holding
        C(SeBatchLogonRight) and C(SeDenyBatchLogonRight) (C(LsaEnumerateAccountsWithUserRight), read access), the LAPS policy
        registry values and the last C(Microsoft-Windows-LAPS/Operational) 10004/10005 events, and on a domain
        controller the raw C(ScheduledTasks.xml) and C(GPT.INI) bytes of the local SYSVOL.
      - Judged on the controller by C(admin_surface.audit); see docs/least-privilege.md.
    type: bool
    default: false
  compress:
    description:
      - Return RV(tasks), RV(events) and RV(admin_surface) as one deflated, base64-encoded JSON value in
        RV(material) instead of plain (about 8x fewer bytes on the wire for a 250-task host, docs/performance.md).
      - The controller inflates it with bounds (C(plugins/plugin_utils/wire.py)) - a stream that is corrupt,
        truncated, or inflates to more than 64 MiB is reported as a coverage gap of that host, never decoded further.
      - Set to C(false) to read the material as plain JSON when debugging a host.
      - Uses C(System.IO.Compression.DeflateStream) with C(CompressionLevel), present in .NET Framework 4.5 and
        later (PowerShell 5.1, which Ansible requires on Windows, needs .NET Framework 4.5.2 or later).
    type: bool
    default: true
  event_ids:
    description: Task event ids to gather.
    type: list
    elements: int
    default: [106, 140, 141, 142, 129, 200, 201, 1102, 4698, 4699, 4700, 4701, 4702]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - taskguard.windows.attributes.read_only_windows
notes:
  - Not meant to be called directly; use M(taskguard.windows.audit).
  - Read-only, supports check mode.
seealso:
  - module: taskguard.windows.audit
  - module: taskguard.windows.task_info
  - module: taskguard.windows.task_events
author:
  - taskguard contributors (@taskguard)
"""

EXAMPLES = r"""
- name: Raw material of one host (normally done by taskguard.windows.audit)
  taskguard.windows.collect:
    max_events: 2000
  register: raw
"""

RETURN = r"""
material:
  description:
    - With O(compress=true) (the default) the material - C({"tasks", "events", "admin_surface"}), each as
      described below - as C({encoding, raw_bytes, data}) - C(encoding) is C(deflate), C(raw_bytes) the length
      of the UTF-8 JSON before compression, C(data) the raw deflate stream (RFC 1951, no zlib header) in base64.
    - RV(tasks), RV(events) and RV(admin_surface) are then not returned beside it.
    - Shape pinned by tests/unit/fixtures/collect/ (C(live_compressed.json) is C(live_plain.json) compressed).
  returned: when O(compress=true)
  type: dict
  sample: {"encoding": "deflate", "raw_bytes": 821204, "data": "7b0HYBxJliUmL23Ke39K9UrX4HS..."}
tasks:
  description: Raw task material as returned by C(TaskMaterial.psm1); normalized on the controller by
    C(task_collection.normalize_live_tasks). C(null) when gathering failed (see RV(errors)).
    Inside RV(material) unless O(compress=false).
    With O(known_task_hashes), C(api.known_hashes) is their count and every C(api.tasks) item carries
    C(xml_sha256) and C(xml_omitted) (shape pinned by tests/unit/fixtures/steady_state/).
    C(job_files) holds the raw bytes of C(%WINDIR%\Tasks\*.job) - C({read, error, root, max_content_bytes,
    entries [{name, size, content (base64), error}], errors, truncated}) (shape pinned by
    tests/unit/fixtures/task_info/live_job_files.json).
  returned: always (inside RV(material) unless O(compress=false))
  type: dict
events:
  description: Raw event material as returned by C(EventMaterial.psm1) C(Get-TgTaskEventMaterial); normalized
    by C(event_collection.normalize_live_events). C(null) when gathering failed.
  returned: always (inside RV(material) unless O(compress=false))
  type: dict
admin_surface:
  description:
    - Raw admin-surface material as returned by C(AdminMaterial.psm1) C(Get-TgAdminSurfaceMaterial)
      (C(administrators), C(user_rights), C(laps), C(sysvol)); normalized by C(admin_surface.normalize_live_admin_surface).
      Shape pinned by tests/unit/fixtures/admin_surface/live_*.json. C(null) when gathering failed.
  returned: when O(admin_surface=true) (inside RV(material) unless O(compress=false))
  type: dict
errors:
  description: Per half (C(tasks), C(events), C(admin_surface)) the exception type and message when gathering failed.
  returned: always
  type: dict
  sample: {"events": "System.UnauthorizedAccessException: Attempted to perform an unauthorized operation."}
"""
