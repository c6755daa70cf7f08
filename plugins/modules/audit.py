# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: audit
short_description: Audit the scheduled tasks of one Windows host against the task inventory and risk rules
version_added: 0.1.0
description:
  - Action plugin. Per host, with no state shared between hosts, collects task definitions
    and task events, compares them with the task inventory and scores them with the risk
    rules, and returns the host's drift findings.
  - Offline when the host variable C(taskguard_offline_root) (or O(offline_root)) is set - the
    evidence folder is read on the controller and the host is never contacted
    (C(<root>/Windows/System32/Tasks), C(<root>/TaskCache.reg) or
    C(<root>/Windows/System32/config/SOFTWARE), C(<root>/Windows/System32/winevt/Logs/*.evtx),
    C(<root>/events/*.xml)). Live otherwise - runs M(taskguard.windows.collect) once (one WinRM round trip).
  - One finding per task (its C(kinds) and C(problems) list every problem found for it) and a host
    verdict (C(compromised), C(suspicious), C(not_audited), C(incomplete), C(clean)). Finding codes,
    kinds and the verdict are documented in C(docs/drift.md); the admin surface (GPO-delivered tasks,
    local Administrators, LAPS) in C(docs/least-privilege.md).
  - The event bookmark read from O(state_dir) is used, never written; the new one is returned
    in RV(bookmark) and written by M(taskguard.windows.drift_report) after the reports.
  - Everything returned is marked unsafe - strings from hosts are never templated.
  - Why our own code - nothing in the Ansible ecosystem compares scheduled tasks with a
    documented inventory or knows the Tarrask/GhostTask concealment and task event signals.
options:
  inventory_dir:
    description: Task inventory files or folders. Default - the host variable C(taskguard_task_inventory_dir),
      else the collection's C(task_inventory/).
    type: list
    elements: path
  rule_files:
    description: Risk rule files. The collection's C(risk_rules/default.yml) is always loaded first.
    type: list
    elements: path
  extra_rule_files:
    description: More risk rule files (default - the host variable C(taskguard_risk_rule_files)); a rule with an
      existing id replaces it, C(enabled=false) removes it.
    type: list
    elements: path
    default: []
  state_dir:
    description:
      - Folder of the event bookmarks between runs (read only here; M(taskguard.windows.drift_report)
        advances them after the reports are written).
      - Also holds the definition cache of each live host (C(<host>.definitions.json.gz), see
        O(definition_cache)) and the definition store shared by all hosts (C(definitions/)), both
        written here. Keep the folder on a local disk, writable by the controller account only.
    type: path
  definition_cache:
    description:
      - Live hosts with O(state_dir) - keep the normalized task definitions of this audit in O(state_dir)
        and send their hashes with the next collection, so the host returns only definitions that changed
        and the controller parses only those (a steady-state run moves about a third of the task bytes;
        docs/performance.md).
      - The host compares the hashes over the definitions it reads at that moment, and the controller uses
        a kept definition only for the hash the host reported, so a changed task is never taken from the
        cache. A missing, unreadable or older-version cache only means a full collection.
      - Also uses the definition store shared by every host audited with this O(state_dir)
        (C(<state_dir>/definitions/)) - definitions of tasks under C(\Microsoft\), the same bytes on every
        host of a Windows build, are kept once under the SHA-256 the controller computes over the bytes
        the host sent, and taken from there instead of parsing them again, on a first audit too. A host
        cannot change what another host's bytes map to. The folder can be deleted at any time (it only
        costs parsing again).
    type: bool
    default: true
  spool:
    description:
      - Write the full result (findings and their evidence, the administrators model, the bookmark) to
        C(<state_dir>/spool/<host>.<sha256>.<nonce>.json) and register only its reference (RV(spool)) and the light
        fields (RV(host), RV(mode), RV(status), RV(verdict), RV(tier), RV(summary), RV(counts), the OS facts).
        M(taskguard.windows.drift_report) reads the file back, checks its SHA-256 against the registered one,
        and deletes it after the reports are written; a missing or changed file makes the host not audited.
      - Why - a registered result is templated again when the report step reads it through C(hostvars)
        and stays in the controller's memory for the rest of the run; that was the largest single cost of
        the report step (docs/performance.md). C(playbooks/drift.yml) turns it on.
      - Needs O(state_dir); without it, or when the file cannot be written (a warning says why), the full
        result is registered as before.
    type: bool
    default: false
  offline_root:
    description: Evidence folder; default - the host variable C(taskguard_offline_root).
    type: path
  since:
    description: Event bookmark to use instead of the one in O(state_dir).
    type: dict
  max_events:
    description: Events per channel at most (default - the host variable C(taskguard_max_events), else 5000).
    type: int
    default: 5000
  today:
    description: Date (YYYY-MM-DD) used for inventory expiry; default today.
    type: str
  os_family:
    description: Overrides the OS family used to scope inventory entries (also host var C(taskguard_os_family)).
    type: str
  domain_role:
    description: Overrides the domain role used to scope inventory entries (also host var C(taskguard_domain_role)).
    type: str
  admin_surface:
    description:
      - Also audit the admin surface in the same round trip - local Administrators members (by SID), LAPS
        state, and on domain controllers the Group Policy Preferences scheduled tasks in SYSVOL
        (docs/least-privilege.md). Offline, read from the evidence folder (C(Windows/System32/config/SAM),
        C(SOFTWARE), C(Windows/SYSVOL/...)).
    type: bool
    default: true
  sysvol_root:
    description:
      - A copied SYSVOL folder to read GPO-delivered tasks from (offline); default - the host variable
        C(taskguard_sysvol_root), else the SYSVOL folder inside the evidence folder.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Read-only; the bookmark is returned, not written.
  diff_mode:
    support: none
  platform:
    platforms: windows
notes:
  - Read-only on the host. Run it with C(ignore_unreachable=true) and C(ignore_errors=true) and let
    M(taskguard.windows.drift_report) turn unreachable/failed hosts into findings (see C(playbooks/drift.yml)).
seealso:
  - module: taskguard.windows.drift_report
  - module: taskguard.windows.collect
author:
  - taskguard contributors (@taskguard)
"""

EXAMPLES = r"""
- name: Audit (live over WinRM, or offline when taskguard_offline_root is set)
  taskguard.windows.audit:
    inventory_dir: "{{ playbook_dir }}/../task_inventory"
    state_dir: /var/lib/taskguard/state
  register: taskguard_audit
  ignore_unreachable: true
  ignore_errors: true
"""

RETURN = r"""
host:
  description: inventory_hostname.
  returned: always
  type: str
mode:
  description: C(live) or C(offline).
  returned: always
  type: str
status:
  description: C(audited) (everything was seen) or C(partial) (some source missing - see the C(coverage_gap) findings).
  returned: always
  type: str
verdict:
  description: C(state) (compromised, suspicious, not_audited, incomplete, clean), C(reasons) (code, text, params)
    and C(task_sources_read) (false when no task source could be read; events alone may still make a host
    compromised or suspicious).
  returned: always
  type: dict
tier:
  description: C(domain_controller), C(member_server), C(admin_workstation) or C(other) (host var C(taskguard_tier) wins).
  returned: always
  type: str
unconfirmed_entries:
  description: Unconfirmed inventory entries (file, line, key) that matched a task of this host.
  returned: always, except with O(spool) (then in the spooled file)
  type: list
  elements: dict
administrators:
  description: The local Administrators model of the host (members by SID, how it was read), for the fleet
    table of the reports; C(null) when not collected.
  returned: always, except with O(spool) (then in the spooled file)
  type: dict
os_source:
  description: Where the Windows version came from (C(hint), C(hive), C(reg_export), C(task_folder_inference), C(live)...).
  returned: always
  type: str
findings:
  description: Findings, most severe first, one per task. Each has C(id) (stable), C(code) and C(params)
    (catalogue code of its worst problem), C(kind) and C(kinds), C(task), C(severity)
    (critical|high|medium|low|info), C(title), C(problems), C(reasons) (rule id, title, severity, MITRE ids,
    references), C(evidence) (normalized task and/or events, trimmed), C(entry) (file, line of the inventory
    entry), C(proposed_entry) or C(proposal_withheld), C(diff) (for modified tasks).
  returned: always, except with O(spool) (then in the spooled file)
  type: list
  elements: dict
summary:
  description: Counts by severity and kind, highest severity.
  returned: always
  type: dict
bookmark:
  description: New event bookmark (not yet written).
  returned: always, except with O(spool) (then in the spooled file)
  type: dict
os_family:
  description: OS family used for inventory scoping.
  returned: always
  type: str
domain_role:
  description: Domain role used for inventory scoping.
  returned: always
  type: str
counts:
  description: Number of tasks and events looked at.
  returned: always
  type: dict
spool:
  description: With O(spool) - the reference of the file holding the full result (C(sha256), C(nonce), C(bytes)); the
    findings, administrators, user rights, task accounts and bookmark are then in that file only.
  returned: when O(spool) is true and the file was written
  type: dict
  sample: {"sha256": "9f2c...e1", "nonce": "5be0c1d2e3f40718", "bytes": 14231}
definition_cache:
  description:
    - Live hosts with O(state_dir) and O(definition_cache) - C(known) definitions kept from the previous
      audit (their hashes were sent), C(omitted) definitions the host left out as unchanged,
      C(store_hits) definitions taken from the shared definition store instead of being parsed
      (C(store_pack_hits) of them from the pack of the host's Windows build, one file read),
      C(store_written) definitions added to it, C(note) why the cache or the store was not used or not
      written (C(null) when all went well).
  returned: when the definition cache was used
  type: dict
  sample: {"known": 248, "omitted": 247, "store_hits": 195, "store_pack_hits": 195, "store_written": 0, "note": null}
"""
