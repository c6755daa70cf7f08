# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: hardening_facts
short_description: Gather the raw host material the taskguard hardening role decides on
version_added: 0.1.0
description:
  - Read-only, one round trip. Returns numeric role codes (C(Win32_ComputerSystem.DomainRole),
    C(Win32_OperatingSystem.ProductType)), the list of shares (C(Win32_Share) name, numeric
    type, path), whether the C(FS-FileServer) feature is installed, whether C(at.exe) exists,
    and the registry values the hardening controls look at.
  - Nothing is interpreted on the host. The controller turns this into a plan
    (which controls apply, whether closing File and Printer Sharing is refused) in
    C(plugins/plugin_utils/hardening.py).
  - Language independent - numbers, feature names and registry value names are the same in
    every language. RV(os.caption) is localized and returned for humans only.
  - Why not the C(setup) module - its C(ansible_windows_domain_role) is already mapped to
    text and it gathers much more than needed; shares, the file server feature and the
    registry values would still need more round trips.
options: {}
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - taskguard.windows.attributes.read_only_windows
author:
  - taskguard contributors (@taskguard)
"""

EXAMPLES = r"""
- name: Gather hardening facts
  taskguard.windows.hardening_facts:
  register: tg_host
"""

RETURN = r"""
computer:
  description: From C(Win32_ComputerSystem); values null when it could not be read (see RV(errors)).
  returned: always
  type: dict
  contains:
    domain_role:
      description: 0 standalone workstation, 1 member workstation, 2 standalone server, 3 member server, 4 backup DC, 5 primary DC.
      type: int
    part_of_domain:
      description: Whether the host is joined to a domain.
      type: bool
  sample: {domain_role: 1, part_of_domain: true}
os:
  description: From C(Win32_OperatingSystem).
  returned: always
  type: dict
  contains:
    product_type:
      description: 1 workstation, 2 domain controller, 3 server.
      type: int
    version:
      description: For example C(10.0.20348).
      type: str
    build_number:
      description: For example C(20348).
      type: str
    caption:
      description: Localized product name, for humans only.
      type: str
  sample: {product_type: 1, version: "10.0.19045", build_number: "19045", caption: "Microsoft Windows 10 Enterprise"}
shares:
  description: Shares from C(Win32_Share); null when they could not be read.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Share name.
      type: str
    type:
      description: Numeric type (0 disk, 1 print queue, 3 IPC; 2147483648 added for administrative shares).
      type: int
    path:
      description: Local path.
      type: str
  sample: [{name: "ADMIN$", type: 2147483648, path: 'C:\Windows'}, {name: "IPC$", type: 2147483651, path: ""}]
features:
  description: Feature name to installed state; null when C(Get-WindowsFeature) is not available (client SKUs) or failed.
  returned: always
  type: dict
  sample: {"FS-FileServer": null}
at_exe_present:
  description: Whether C(%SystemRoot%\System32\at.exe) exists.
  returned: always
  type: bool
registry:
  description: The registry values the controls look at, in a fixed order.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: Key path, for example C(HKLM:\SYSTEM\CurrentControlSet\Control\Lsa).
      type: str
    name:
      description: Value name.
      type: str
    exists:
      description:
        - Whether the value exists. C(false) when the key or the value is absent.
        - Null when it could not be read (for example access denied); RV(registry[].error) then says why.
          Never read as absent - for C(EnableAt) absent means compliant.
      type: bool
    error:
      description: Why the value could not be read; null when it was read or is absent.
      type: str
    type:
      description: Registry value kind (C(DWord), C(String), ...) or null.
      type: str
    value:
      description: The data (binary as base64) or null.
      type: raw
  sample: [{path: 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa', name: SCENoApplyLegacyAuditPolicy, exists: true, type: DWord, value: 1}]
errors:
  description: Sources that could not be read, each C({source, error}). Never silently dropped.
  returned: always
  type: list
  elements: dict
  sample: []
"""
