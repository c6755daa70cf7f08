# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: hardening_check_mode
short_description: Report whether the current task runs in check mode
version_added: 0.1.0
description:
  - Returns the effective check mode of the task, whether it comes from C(--check) or from a
    C(check_mode) keyword on the play, block, role or task.
  - >-
    Why - the C(ansible_check_mode) variable only reflects C(--check); a play with
    C(check_mode: true) runs modules in check mode but leaves the variable false. The
    C(taskguard.windows.hardening) role uses this to know it is auditing (a change then
    means "not compliant", not "remediated").
  - Runs on the controller only (action plugin); it never connects to the host.
options: {}
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: all
author:
  - taskguard contributors (@taskguard)
"""

EXAMPLES = r"""
- name: Find out whether this is an audit
  taskguard.windows.hardening_check_mode:
  register: mode
"""

RETURN = r"""
check_mode:
  description: Whether the task runs in check mode.
  returned: always
  type: bool
  sample: true
"""
