# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: preflight
short_description: Check a taskguard playbook's inputs on the controller before any host is contacted
version_added: 0.1.0
description:
  - "Action plugin, runs on the controller (use C(run_once) and C(delegate_to: localhost)); it never opens a
    connection to a host."
  - Checks enumerations, booleans and numbers, that the host pattern leaves at least one host, that task
    inventory folders exist and load without errors (C(expired) entries excepted, they are drift findings),
    that report and state folders can be created and written (a probe file is created and removed), that
    given files exist, and that every host's C(taskguard_offline_root) is a folder, not a file.
  - Fails with one line per problem naming the variable to fix; see C(docs/drift.md) "Preflight".
options:
  hosts:
    description: The hosts the playbook will work on (after C(--limit)). When given, an empty list is a problem,
      and per-host variables (O(inventory_var), C(taskguard_offline_root)) are read from these hosts' hostvars.
    type: list
    elements: str
  host_pattern:
    description: The host pattern, for the message.
    type: str
    default: ""
  host_pattern_var:
    description: Name of the variable holding the host pattern, for the message.
    type: str
    default: taskguard_hosts
  choices:
    description: "C({name: {value: ..., choices: [...], list: false}}); a list value must have every item in the choices;
      with C(list: true) a text value is split on commas first, as Ansible does for a list option."
    type: dict
    default: {}
  bools:
    description: "C({name: value}) that must be booleans."
    type: dict
    default: {}
  positive_ints:
    description: "C({name: value}) that must be whole numbers above 0."
    type: dict
    default: {}
  dates:
    description: "C({name: value}) that must be calendar dates written YYYY-MM-DD."
    type: dict
    default: {}
  inventory_dirs:
    description: Default task inventory folder(s) or file(s); each host's O(inventory_var), when set, is checked too.
    type: list
    elements: str
  inventory_var:
    description: Name of the per-host variable naming the task inventory.
    type: str
    default: taskguard_task_inventory_dir
  writable_dirs:
    description: "C({name: folder}) that must be writable (created when missing)."
    type: dict
    default: {}
  files:
    description: "C({name: path or list of paths}) that must be readable files."
    type: dict
    default: {}
  risk_rule_files:
    description: "C({name: path or list of paths}) of extra risk rule files: each must exist and compile with the
      built-in rules."
    type: dict
    default: {}
  output_files:
    description: "C({name: file}) to be written: not a folder, its folder writable (created when missing)."
    type: dict
    default: {}
  existing_paths:
    description: "C({name: path or list of paths}) that must exist (file or folder)."
    type: dict
    default: {}
  offline_roots:
    description: Check each host's C(taskguard_offline_root) is a folder. A path that does not exist is left to the
      audit (the host is reported not audited and the run fails after the reports are written).
    type: bool
    default: false
  connections:
    description:
      - Check that the controller can start each live host's connection - C(ansible_connection=winrm) needs pywinrm,
        C(ansible_winrm_transport=kerberos) the kerberos library, C(credssp) requests-credssp (see
        C(requirements-winrm.txt)), C(psrp) pypsrp. Hosts with C(taskguard_offline_root) are skipped.
      - One line per missing library, not per host.
    type: bool
    default: false
  renamed_vars:
    description: "C({old name: new name}); a deprecation warning is shown when the old variable is set."
    type: dict
    default: {}
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Runs in check mode too (a probe file is created and removed in writable folders).
  diff_mode:
    support: none
  platform:
    platforms: posix
author:
  - taskguard contributors (@taskguard)
"""

EXAMPLES = r"""
- name: Preflight (once, on the controller)
  taskguard.windows.preflight:
    hosts: "{{ query('inventory_hostnames', taskguard_hosts | default('windows')) | intersect(ansible_play_hosts_all) }}"
    host_pattern: "{{ taskguard_hosts | default('windows') }}"
    choices:
      taskguard_fail_on:
        value: "{{ taskguard_fail_on | default('never') }}"
        choices: [never, info, low, medium, high, critical]
    inventory_dirs: ["{{ playbook_dir }}/../task_inventory"]
    writable_dirs:
      taskguard_report_dir: "{{ playbook_dir }}/../reports"
    offline_roots: true
    connections: true
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
problems:
  description: One message per problem, each naming the variable to fix. Empty when the preflight passed.
  returned: always
  type: list
  elements: str
hosts:
  description: The hosts checked.
  returned: always
  type: list
  elements: str
"""
