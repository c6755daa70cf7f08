# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: inventory_learn
short_description: Learn task inventory entries from the tasks hosts run (used by playbooks/baseline.yml)
version_added: 0.1.0
description:
  - Action plugin, two steps.
  - Per host (O(output) not set) - collects the host's scheduled tasks, offline from the evidence folder
    in the host variable C(taskguard_offline_root) (read on the controller, the host is never contacted)
    or live with one run of M(taskguard.windows.task_info), and returns one proposed inventory entry per
    task in RV(learned). Per-user tasks whose name ends with a user SID become one C({sid}) pattern.
  - Once, on localhost (O(output) set) - merges the proposals registered by the hosts in O(hosts), writes
    one inventory file atomically and validates it before it replaces O(output). When hosts disagree
    about a task, each variant is limited to its hosts with C(scope.hosts).
  - Every entry records its provenance (hosts, date) and marks what a human must confirm (C(CONFIRM:)
    placeholders and C(review.status=unconfirmed)); the file is valid as written, and
    M(taskguard.windows.inventory_validate) with C(strict=true) refuses it until it is reviewed.
  - Hosts that could not be collected, definitions that could not be parsed and collection errors are
    listed in the file's header and in the result; nothing is silently left out. A task concealed from the
    scheduler (Tarrask, GhostTask) is not proposed but listed for investigation.
  - When no host in O(hosts) could be learned, the task fails and writes nothing (an empty learned file would
    read as "these hosts run no task").
  - With O(kind=baseline) the file is a built-in Windows baseline (C(owner.kind=baseline)) learned from one
    golden host per Windows version, in the layout of C(task_inventory/baselines/*.yml) - C(defaults.scope.os_family)
    set to the version, one entry per Windows task with C(provenance) (golden host, build, date, method learned).
    The version must come from the host itself (live, SOFTWARE hive, reg export) or from the operator
    (C(taskguard_os_family)). A host with a concealed task or a task scoring high or above is refused unless
    O(allow_findings) is set; a task matching a risk rule at medium or above and third-party tasks are never
    learned (listed in the file header with the reason). Any host that could not be learned fails the write
    step and nothing is written.
  - Why our own code - nothing in the Ansible ecosystem writes a reviewed allow list of scheduled tasks.
options:
  kind:
    description:
      - C(learned) - one inventory file for the targeted hosts, every task proposed, to be reviewed (C(owner.kind=learned)).
      - C(baseline) - a built-in Windows baseline per version from golden hosts (see the description).
      - Give the same value to both steps.
    type: str
    choices: [learned, baseline]
    default: learned
  allow_findings:
    description:
      - O(kind=baseline), per-host step - learn from a host that has a concealed task or a task scoring high or
        above (those tasks are still left out). The playbook passes C(taskguard_baseline_allow_findings).
    type: bool
    default: false
  extra_rule_files:
    description: O(kind=baseline), per-host step - risk rule files used besides the built-in ones.
    type: list
    elements: path
    default: []
  output_dir:
    description:
      - O(kind=baseline), write step, when O(output) is not set - folder in which each version's baseline is
        written as C(<os_family>.yml) (C(windows_server_2025.yml), ...).
    type: path
  approver:
    description:
      - O(kind=baseline) - C(defaults.approval.approver) of the baseline; default a C(CONFIRM) placeholder, which
        leaves every entry unconfirmed until a human approves the file.
    type: str
  offline_root:
    description: Evidence folder of this host; default - the host variable C(taskguard_offline_root).
    type: path
  inventory_dir:
    description: Existing inventory used by O(only_undocumented).
    type: list
    elements: path
  only_undocumented:
    description: Leave out tasks that an entry of O(inventory_dir) already matches for this host.
    type: bool
    default: false
  today:
    description: Learning date (YYYY-MM-DD); default today (UTC).
    type: str
  os_family:
    description: Override of the host's OS family (default - host variable C(taskguard_os_family), then what was collected).
    type: str
  domain_role:
    description: Override of the host's domain role (default - host variable C(taskguard_domain_role), then what was collected).
    type: str
  output:
    description:
      - File to write. Set it (or O(output_dir) with O(kind=baseline)) only in the single controller-side step.
    type: path
  hosts:
    description: Hosts whose registered results are merged (write step).
    type: list
    elements: str
    default: []
  results_var:
    description: Name of the variable each host registered the per-host step in.
    type: str
    default: taskguard_learned
  owner_name:
    description:
      - "C(owner.name) of the written file; default C(CONFIRM: owner of the learned tasks), with O(kind=baseline)
        C(Microsoft Windows (<os_family> baseline))."
    type: str
  contact:
    description: "C(owner.contact) of the written file; default C(CONFIRM: contact)."
    type: str
author:
  - taskguard contributors (!UNKNOWN)
seealso:
  - module: taskguard.windows.inventory_validate
"""

EXAMPLES = r"""
- name: Propose entries for this host's tasks
  taskguard.windows.inventory_learn:
  register: taskguard_learned

- name: Write one file for all hosts
  taskguard.windows.inventory_learn:
    output: learned/windows_11.yml
    hosts: "{{ ansible_play_hosts_all }}"
  delegate_to: localhost
  run_once: true

- name: Learn a built-in baseline from a golden host
  taskguard.windows.inventory_learn:
    kind: baseline
  register: taskguard_learned

- name: Write task_inventory/baselines-style files, one per version (windows_server_2025.yml, ...)
  taskguard.windows.inventory_learn:
    kind: baseline
    output_dir: learned
    hosts: "{{ ansible_play_hosts_all }}"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
learned:
  description: Per-host step - the host, the proposed entries and what could not be learned.
  returned: per-host step
  type: dict
  contains:
    host: {description: "name, groups, os_family, domain_role.", type: dict}
    ok: {description: False when the tasks could not be collected., type: bool}
    mode: {description: live or offline., type: str}
    entries: {description: Proposed inventory entries (see docs/task-inventory.md)., type: list, elements: dict}
    task_count: {description: Tasks collected., type: int}
    unparseable: {description: Definitions that could not be parsed (not documented)., type: list, elements: dict}
    problems: {description: Tasks for which no entry could be proposed., type: list, elements: dict}
    errors: {description: Collection errors reported by the task collector., type: list, elements: dict}
    kind: {description: learned or baseline., type: str}
    os_family: {description: "O(kind=baseline) - the version the baseline is for.", type: str}
    build: {description: "O(kind=baseline) - the build and where the version came from, as the provenance says.", type: str}
    left_out: {description: "O(kind=baseline) - [path, reason] of each task not learned.", type: list, elements: list}
path:
  description: File written (with O(kind=baseline) and several versions, the first; see RV(paths)).
  returned: write step
  type: str
paths:
  description: Every file written.
  returned: write step
  type: list
  elements: str
entry_count:
  description: Entries written.
  returned: write step
  type: int
hosts_failed:
  description: Hosts listed in O(hosts) without a usable result (unreachable, collection failed).
  returned: write step
  type: list
  elements: str
incomplete:
  description: True when RV(hosts_failed) is not empty.
  returned: write step
  type: bool
"""
