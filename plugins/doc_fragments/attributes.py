# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module attributes shared by several taskguard.windows modules.

Use together with ``ansible.builtin.action_common_attributes``, which describes
the attributes; these fragments only say how a kind of module supports them.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options: {}
'''

    # Collectors and fact gatherers that only read the Windows host.
    READ_ONLY_WINDOWS = r'''
options: {}
attributes:
  check_mode:
    support: full
    details: The module never changes the host.
  diff_mode:
    support: none
  platform:
    platforms: windows
'''

    # Hardening modules that set one Windows setting, reporting before/after.
    SETTING_WINDOWS = r'''
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: windows
'''
