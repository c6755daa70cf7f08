# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: audit_offline
short_description: Audit the offline evidence folders of many hosts at once, on the controller
version_added: 0.1.0
description:
  - Action plugin. Run it once (C(run_once), C(delegate_to) C(localhost)) with the hosts of the run in O(hosts).
    Every host with the variable C(taskguard_offline_root) is audited from its evidence folder exactly as
    M(taskguard.windows.audit) audits it (the same code, the same variables of the host, the same result
    apart from C(audited_at)); the others are returned in RV(live_hosts) for a play that contacts them.
  - Why - Ansible forks a worker process for every host of every task. An evidence folder needs no
    connection, so one task auditing them all in a few processes (O(workers)) saves that per-host cost, and
    the rules, the task inventory and the parses of the built-in task files shared by the hosts of a
    Windows build are loaded once for all of them (docs/performance.md).
  - Each result is written to O(state_dir) as with the O(taskguard.windows.audit#module:spool) option of
    M(taskguard.windows.audit); RV(hosts) holds the registered form (the reference and the light fields).
    M(taskguard.windows.drift_report) reads it through its O(taskguard.windows.drift_report#module:offline_result_var)
    (the name of the registered variable, so that Ansible does not template every host's result again).
  - A host that cannot be audited (folder missing, a variable that cannot be templated, a broken rule file,
    the auditing process killed) gets a failed result saying why, and the report makes it a not-audited host.
    A process that dies costs only the host it was auditing; the hosts it had not started are audited by new
    processes. The task itself fails only when its own arguments cannot be used.
options:
  hosts:
    description: inventory_hostnames of this run (C(playbooks/drift.yml) passes the hosts its host pattern matched).
    type: list
    elements: str
    required: true
  state_dir:
    description: Folder of the event bookmarks (read), the GPO task state (read) and the spooled results
      (written), the same as the report step's.
    type: path
    required: true
  workers:
    description:
      - Processes auditing at the same time. C(0) - as many as the controller's usable CPUs, at most
        Ansible's C(forks).
      - Each one holds one host's material at a time; the parent holds only the light results.
    type: int
    default: 0
  inventory_dir:
    description: Task inventory files or folders for every host; default - each host's variable
      C(taskguard_task_inventory_dir), else the collection's C(task_inventory/).
    type: list
    elements: path
  rule_files:
    description: Risk rule files. The collection's C(risk_rules/default.yml) is always loaded first.
    type: list
    elements: path
  extra_rule_files:
    description: More risk rule files; default - each host's variable C(taskguard_risk_rule_files).
    type: list
    elements: path
  max_events:
    description: Events per channel at most; default - each host's variable C(taskguard_max_events), else 5000.
    type: int
  today:
    description: Date (YYYY-MM-DD) used for inventory expiry; default today.
    type: str
  admin_surface:
    description: Also audit the admin surface from the evidence folder (see M(taskguard.windows.audit)).
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Read-only on the evidence; the spooled results are written in check mode too (the report needs them).
  diff_mode:
    support: none
  platform:
    platforms: posix
    details: Runs on the controller; the evidence folders are read there.
notes:
  - The hosts audited here run no task of their own, so the play recap does not list them; the reports and
    the job's exit status (C(taskguard_fail_on_unaudited)) say what happened to each.
  - Reads each host's variables through C(hostvars), each only when needed and as M(taskguard.windows.audit)
    reads them (C(taskguard_offline_root) first; a host without it is not looked at further).
seealso:
  - module: taskguard.windows.audit
  - module: taskguard.windows.drift_report
author:
  - taskguard contributors (@taskguard)
"""

EXAMPLES = r"""
- name: Audit every evidence folder of this run on the controller
  taskguard.windows.audit_offline:
    hosts: "{{ query('inventory_hostnames', 'windows') | taskguard.windows.hosts_in(ansible_play_hosts_all) }}"
    state_dir: /var/lib/taskguard/state
  register: taskguard_offline_audit
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
hosts:
  description: The registered form of each audited host's result, by inventory_hostname (as
    M(taskguard.windows.audit) registers it with O(taskguard.windows.audit#module:spool)), or its failed
    result (C(failed), C(msg)).
  returned: always
  type: dict
offline_hosts:
  description: The hosts of O(hosts) with an evidence folder (audited here, or failed before their folder was read),
    in the order given. A host whose C(taskguard_offline_root) itself cannot be templated is in neither list, only
    in RV(failed_hosts).
  returned: always
  type: list
  elements: str
live_hosts:
  description: The hosts of O(hosts) without C(taskguard_offline_root) (not audited here), in the order given.
  returned: always
  type: list
  elements: str
failed_hosts:
  description: The offline hosts whose audit failed (their result in RV(hosts) says why).
  returned: always
  type: list
  elements: str
workers:
  description: Processes used.
  returned: always
  type: int
"""
