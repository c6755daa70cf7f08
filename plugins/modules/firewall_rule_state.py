# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: firewall_rule_state
short_description: Enable or disable existing Windows Firewall rules by instance name or group resource string
version_added: 0.1.0
description:
  - Reads existing firewall rules selected by instance name (for example C(RemoteTask-In-TCP))
    or by group resource string (for example C(@FirewallAPI.dll,-28502)) and, when O(enabled)
    is given, sets only their Enabled flag. Ports, programs, profiles and scope are never touched,
    rules are never created or removed.
  - Why this module exists - M(community.windows.win_firewall_rule) works through the
    C(HNetCfg.FwPolicy2) COM API, in which a rule's C(Name) is its localized display name
    (C(Remote Scheduled Tasks Management (RPC)) on an English host, something else on a
    Japanese one), and a name it does not find is a rule to create. The NetSecurity cmdlets
    used here select by instance ID and group resource string, which are not localized.
  - Reads the active store (local rules and rules pushed by Group Policy); changes only the
    local persistent store. Rules that come from Group Policy and differ are listed in
    RV(not_changeable) and are not an error, so an audit can report them.
  - Instance names or groups that match nothing are returned in RV(missing_names) /
    RV(missing_groups) and are not an error either; the controller decides what that means.
  - A look-up that failed for another reason than "not found" (access denied, a CIM or WMI
    failure) is returned in RV(lookup_errors), never as missing; the controller then reports
    the control as unknown.
options:
  names:
    description:
      - Rule instance names (C(Get-NetFirewallRule -Name)), for example C(RemoteTask-In-TCP),
        C(RemoteTask-RPCSS-In-TCP), C(FPS-SMB-In-TCP).
    type: list
    elements: str
    default: []
  groups:
    description:
      - Rule group resource strings (C(Get-NetFirewallRule -Group)), for example
        C(@FirewallAPI.dll,-28502). Never the localized C(DisplayGroup).
    type: list
    elements: str
    default: []
  direction:
    description:
      - Only rules of this direction are read and changed.
    type: str
    choices: [inbound, outbound, any]
    default: inbound
  enabled:
    description:
      - Wanted state of the selected rules. Omit to only read.
    type: bool
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - taskguard.windows.attributes.setting_windows
notes:
  - Requires the NetSecurity PowerShell module (Windows 8 / Server 2012 and later).
  - One of O(names) or O(groups) must be given.
seealso:
  - module: community.windows.win_firewall_rule
author:
  - taskguard contributors (@taskguard)
"""

EXAMPLES = r"""
- name: Close remote task registration (Remote Scheduled Tasks Management inbound rules)
  taskguard.windows.firewall_rule_state:
    names:
      - RemoteTask-In-TCP
      - RemoteTask-RPCSS-In-TCP
    enabled: false

- name: Read the File and Printer Sharing inbound rules
  taskguard.windows.firewall_rule_state:
    groups:
      - '@FirewallAPI.dll,-28502'
  register: fps
"""

RETURN = r"""
before:
  description: Matching rules before the module ran.
  returned: always
  type: dict
  contains:
    rules:
      description: Matching rules of the wanted direction, sorted by source and instance name.
      type: list
      elements: dict
      contains:
        name:
          description: Rule instance name.
          type: str
        group:
          description: Group resource string (or literal group name for custom rules).
          type: str
        direction:
          description: C(inbound) or C(outbound).
          type: str
        enabled:
          description: Whether the rule is enabled.
          type: bool
        profile:
          description: Profile enum names, for example C(Any) or C(Domain, Private).
          type: str
        action:
          description: C(allow) or C(block).
          type: str
        source:
          description: Policy store source type, C(Local) or C(GroupPolicy) (enum names).
          type: str
    missing_names:
      description: Requested instance names that matched no rule.
      type: list
      elements: str
    missing_groups:
      description: Requested groups that matched no rule.
      type: list
      elements: str
    lookup_errors:
      description: Same as RV(lookup_errors).
      type: list
      elements: dict
  sample:
    rules:
      - name: RemoteTask-In-TCP
        group: '@FirewallAPI.dll,-12345'
        direction: inbound
        enabled: true
        profile: Any
        action: allow
        source: Local
    missing_names: []
    missing_groups: []
    lookup_errors: []
after:
  description: Matching rules after the module ran (read back); in check mode the prediction. Same shape as RV(before).
  returned: always
  type: dict
missing_names:
  description: Requested instance names that matched no rule.
  returned: always
  type: list
  elements: str
missing_groups:
  description: Requested groups that matched no rule.
  returned: always
  type: list
  elements: str
lookup_errors:
  description:
    - Selectors whose look-up failed for another reason than "not found" (access denied, CIM failure),
      each C({kind, selector, error}); C(kind) is C(name) or C(group). Such a selector is in neither
      RV(missing_names) nor RV(missing_groups).
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: C(name) or C(group).
      type: str
    selector:
      description: The instance name or group resource string as requested.
      type: str
    error:
      description: The error message (localized; for humans only).
      type: str
  sample: [{kind: group, selector: '@FirewallAPI.dll,-33252', error: Access is denied.}]
changed_rules:
  description: Instance names of local rules that were (or in check mode would be) changed.
  returned: always
  type: list
  elements: str
  sample: [RemoteTask-In-TCP]
not_changeable:
  description: Instance names of rules that differ from O(enabled) but come from Group Policy.
  returned: always
  type: list
  elements: str
  sample: []
"""
