# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: inventory_validate
short_description: Validate the documented task inventory (task_inventory/ YAML files)
version_added: 0.1.0
description:
  - Action plugin that runs on the controller only; it never connects to the target host.
  - Reads every C(*.yml)/C(*.yaml) file under O(paths) with a safe YAML reader (core tags only,
    duplicate keys refused, alias expansion and file size bounded, symlinks refused), checks each
    file against C(schemas/task_inventory.schema.json), then checks what a schema cannot - path and
    argument patterns, entries of different files that can match the same task on the same hosts,
    expired entries, privileged entries (SYSTEM, HighestAvailable, a group principal, or no principal
    constraint) without C(approval), and calendar dates.
  - "Every problem of the run is printed once, on standard output, as C(file:line:column: code: message); the task
    fails when there is at least one error, with a one-line summary as its message, and a valid inventory prints
    that summary (C(task inventory valid: N file(s), M entries, 0 error(s), W warning(s))). The error codes are
    listed in C(docs/task-inventory.md)."
  - A YAML syntax error says "tab character" for a tab, and for an unclosed quote or bracket names the line and
    column where it was opened as well as where the parser stopped.
  - Why our own code - no existing Ansible or YAML tool maps JSON Schema errors back to a line and
    column, checks glob overlaps between files, or knows which task principals are privileged.
options:
  paths:
    description: Inventory files or folders (walked recursively). Default - the collection's C(task_inventory/).
    type: list
    elements: path
  strict:
    description: Treat entries still to be reviewed (C(review.status=unconfirmed) or C(CONFIRM:) placeholders,
      as written by C(playbooks/baseline.yml)) as errors instead of warnings. Use it in merge-request pipelines.
    type: bool
    default: false
  today:
    description: Date (YYYY-MM-DD) against which C(expires) is checked; default today (UTC).
    type: str
  fail_on_error:
    description: Fail the task when there are errors. Set to false to only collect them.
    type: bool
    default: true
author:
  - taskguard contributors (!UNKNOWN)
notes:
  - Runs on the controller; use it in a play against C(localhost) with C(gather_facts=false).
seealso:
  - name: Vendor guide
    description: Format, examples and error codes (docs/task-inventory.md).
    link: https://example.invalid/taskguard/windows/docs/task-inventory.md
"""

EXAMPLES = r"""
- name: Validate the repository's task inventory
  taskguard.windows.inventory_validate:
    paths:
      - "{{ playbook_dir }}/../task_inventory"
    strict: true
"""

RETURN = r"""
valid:
  description: True when there is no error.
  returned: always
  type: bool
errors:
  description: Every error, sorted by file, line and column.
  returned: always
  type: list
  elements: dict
  contains:
    file: {description: File path as walked., type: str}
    line: {description: 1-based line., type: int}
    column: {description: 1-based column., type: int}
    code: {description: Error code (see the vendor guide)., type: str}
    message: {description: What is wrong and how to fix it., type: str}
warnings:
  description: Problems that do not fail validation (C(unconfirmed) unless strict, C(expires_soon)); same shape as RV(errors).
  returned: always
  type: list
  elements: dict
error_lines:
  description: "RV(errors) formatted as C(file:line:column: code: message)."
  returned: always
  type: list
  elements: str
warning_lines:
  description: RV(warnings) formatted like RV(error_lines).
  returned: always
  type: list
  elements: str
files:
  description: Files read.
  returned: always
  type: list
  elements: str
entry_count:
  description: Entries that passed validation.
  returned: always
  type: int
"""
