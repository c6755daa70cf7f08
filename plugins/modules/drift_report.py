# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: drift_report
short_description: Write the drift reports of one run (or slice) and then advance event bookmarks
version_added: 0.1.0
description:
  - Action plugin, runs on the controller (C(localhost)).
  - Reads the registered M(taskguard.windows.audit) results of O(hosts) (host variable O(result_var)) and writes
    C(drift.json) (schema C(schemas/drift_report.schema.json)), C(drift.md), C(drift.html), C(junit.xml) and
    C(drift.csv) to O(report_dir), each atomically (temporary file and rename).
  - A host without a usable result is in the report with status C(unreachable) or C(failed) and a finding of that kind.
  - A result the audit spooled (its option C(spool)) is read back from C(<state_dir>/spool/) only when the file's
    SHA-256 is the registered one; a missing or changed file makes the host C(failed) (not audited). The files read
    are deleted after the reports are written, and files older than two days left by runs that died are removed.
  - Event bookmarks and the GPO task state of each domain controller in O(state_dir) are kept only after every
    report was written, without an fsync per file and with one sync of O(state_dir) for the whole run.
  - Every finding comes from the audit of its host (M(taskguard.windows.audit)), except the task-account findings
    joined over the hosts of the run (C(TG-A020), C(TG-A021), C(TG-A022)).
  - Returns RV(stats) under a key unique per slice (C(taskguard_drift_<slice or run id>)) for M(ansible.builtin.set_stats),
    and RV(fail_on_reached) for O(fail_on).
  - Returns RV(unaudited_hosts), the hosts this run could not audit, so that the playbook can fail the job
    after the reports are written (C(docs/drift.md) "Exit codes").
options:
  hosts:
    description: inventory_hostnames of this run (the drift playbook records C(ansible_play_hosts_all)).
    type: list
    elements: str
    required: true
  results:
    description: Audit results of some hosts by inventory_hostname (for example RV(taskguard.windows.audit_offline#module:hosts));
      the hosts not in it are read from C(hostvars[host][result_var]).
    type: dict
  offline_result_var:
    description:
      - Name of the registered result of M(taskguard.windows.audit_offline) in this run; the results of the hosts in its
        RV(taskguard.windows.audit_offline#module:hosts) are taken from there (O(results) wins for a host in both).
      - Why a name and not the value - a value given in O(results) is templated again by Ansible, host by host, before
        this step starts; the registered variable is read as it was registered.
      - When that task failed as a whole, its hosts are read from O(result_var) (the per-host audit's).
    type: str
  result_var:
    description: Name of the registered audit result.
    type: str
    default: taskguard_audit
  report_dir:
    description: Output folder (created).
    type: path
    required: true
  state_dir:
    description: Folder of the event bookmarks and GPO task states (C(<host>.gpo.json)), and of the spooled audit
      results (C(spool/)); nothing is written when unset.
    type: path
  formats:
    description: Report formats.
    type: list
    elements: str
    default: [json, md, html, junit, csv]
  language:
    description:
      - Language of the human-readable reports (C(drift.html), C(drift.md), the C(drift.csv) headers and the
        C(junit.xml) messages); C(drift.json) keys and enumeration values stay English (C(docs/reports.md)).
      - The drift playbook sets it from C(taskguard_report_language).
    type: str
    default: en
    choices: [en, ja]
  fail_on:
    description: Severity from which RV(fail_on_reached) is true.
    type: str
    default: never
    choices: [never, info, low, medium, high, critical]
  run_id:
    description: Run id; default AWX C(awx_workflow_job_id), C(awx_job_id) or a timestamp.
    type: str
  slice:
    description: Slice id (AWX job id of the slice).
    type: str
  slice_number:
    description: Number of this slice (1..slice count) when known; recorded as C(run.slice_number) so that
      M(taskguard.windows.drift_merge) can name a missing slice.
    type: int
  inventory_dir:
    description:
      - Recorded in the report only (C(run.inventory_dir)). Each host is judged by its audit, with the task
        inventory of that host (C(taskguard_task_inventory_dir)); this step loads no inventory.
    type: list
    elements: str
  rule_files:
    description: Recorded in the report only.
    type: list
    elements: str
  advance_bookmarks:
    description: Write the new event bookmarks and GPO task states after the reports.
    type: bool
    default: true
  compliance_dir:
    description:
      - Folder where the hardening role wrote its per-host C(compliance-<host>.json) files
        (C(playbooks/compliance.yml)). When set, every host of the report carries a C(compliance)
        section with each control's status, and the fleet summary counts them.
      - A host without a file is shown as C(not_audited), a file that is not a valid compliance
        report as C(invalid); neither is ever shown as compliant.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: partial
    details: In check mode the reports are written but event bookmarks and GPO task states are not kept.
  diff_mode:
    support: none
  platform:
    platforms: posix
author:
  - taskguard contributors (@taskguard)
"""

EXAMPLES = r"""
- name: Write reports for the hosts of this run
  taskguard.windows.drift_report:
    hosts: "{{ hostvars['localhost']['taskguard_run_hosts'] }}"
    report_dir: "{{ playbook_dir }}/../reports"
    state_dir: "{{ playbook_dir }}/../state"
    fail_on: high
  register: taskguard_report
"""

RETURN = r"""
paths:
  description: Written file per format.
  returned: always
  type: dict
summary:
  description: Fleet summary (hosts, hosts_by_status, findings, by_severity, by_kind, highest_severity).
  returned: always
  type: dict
stats:
  description: Small summary keyed by RV(stats_key), for M(ansible.builtin.set_stats).
  returned: always
  type: dict
stats_key:
  description: C(taskguard_drift_<slice or run id>).
  returned: always
  type: str
fail_on_reached:
  description: True when the highest severity is at least O(fail_on).
  returned: always
  type: bool
unaudited_hosts:
  description:
    - Sorted names of the hosts that could not be audited - status C(unreachable) or C(failed), or a
      host verdict C(not_audited) or saying no task source could be read.
  returned: always
  type: list
  elements: str
bookmarks_advanced:
  description: Hosts whose bookmark was written.
  returned: always
  type: list
bookmark_errors:
  description:
    - Hosts whose bookmark could not be written (their events are read again next run), as C({host, error});
      C(host) is null for the one sync of O(state_dir) that failed.
  returned: always
  type: list
gpo_state_errors:
  description:
    - Hosts whose GPO task state could not be written (the next run compares with the older state), as
      C({host, error}); C(host) is null for the one sync of O(state_dir) that failed.
  returned: always
  type: list
"""
