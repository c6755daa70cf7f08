# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: audit_subcategory
short_description: Read or set one advanced audit policy subcategory by its GUID
version_added: 0.1.0
description:
  - Reads the system audit policy of one advanced audit subcategory and, when O(success)
    or O(failure) are given, sets them, through the Win32 API C(AuditQuerySystemPolicy) and
    C(AuditSetSystemPolicy).
  - Why this module exists - M(ansible.windows.win_audit_policy_system) takes the
    subcategory display name and parses C(auditpol /r) output by its English CSV header and
    English inclusion text (C(Success and Failure)); on a Japanese or German host those are
    localized and the module cannot match. C(auditpol /subcategory:{GUID}) accepts a GUID
    but its output is localized too. The API takes a GUID and returns a bit mask, which are
    the same in every language.
  - The module only reads and writes state; deciding the wanted state is done by the
    C(taskguard.windows.hardening) role on the controller.
options:
  subcategory_guid:
    description:
      - GUID of the audit subcategory, with or without braces, for example
        C({0CCE9227-69AE-11D9-BED3-505054503030}) (Other Object Access Events, which
        produces Security events 4698-4702 for scheduled tasks).
    type: str
    required: true
  success:
    description:
      - Whether successful events are audited. Omit to leave unchanged.
    type: bool
  failure:
    description:
      - Whether failed events are audited. Omit to leave unchanged.
    type: bool
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - taskguard.windows.attributes.setting_windows
notes:
  - Sets the local system audit policy. A Group Policy with advanced audit settings
    (C(audit.csv)) overwrites it at the next refresh; set the same value there.
  - Advanced (subcategory) audit policy only takes effect over the legacy category policy
    when C(SCENoApplyLegacyAuditPolicy) is 1 ("Audit - Force audit policy subcategory settings").
  - Enables C(SeSecurityPrivilege) for the duration of the call; the connecting account
    must hold it (Administrators do).
seealso:
  - module: ansible.windows.win_audit_policy_system
  - module: taskguard.windows.event_channel
author:
  - taskguard contributors (@taskguard)
"""

EXAMPLES = r"""
- name: Audit Other Object Access Events (scheduled task 4698-4702) on success and failure
  taskguard.windows.audit_subcategory:
    subcategory_guid: '{0CCE9227-69AE-11D9-BED3-505054503030}'
    success: true
    failure: true

- name: Read only
  taskguard.windows.audit_subcategory:
    subcategory_guid: 0CCE9227-69AE-11D9-BED3-505054503030
  register: other_object_access
"""

RETURN = r"""
subcategory_guid:
  description: The subcategory GUID, upper case with braces.
  returned: always
  type: str
  sample: '{0CCE9227-69AE-11D9-BED3-505054503030}'
category_guid:
  description: GUID of the category the subcategory belongs to, as returned by the API.
  returned: success
  type: str
  sample: '{6997984A-797A-11D9-BED3-505054503030}'
before:
  description: Policy before the module ran.
  returned: success
  type: dict
  contains:
    success:
      description: Successful events are audited.
      type: bool
    failure:
      description: Failed events are audited.
      type: bool
    value:
      description: Raw bit mask (1 success, 2 failure, 0 no auditing).
      type: int
  sample: {success: false, failure: false, value: 0}
after:
  description: Policy after the module ran, read back from the API; in check mode the prediction. Same keys as RV(before).
  returned: success
  type: dict
  sample: {success: true, failure: true, value: 3}
"""
