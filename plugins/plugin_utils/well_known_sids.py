# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which principals Windows defines itself: the one rule behind "built-in" for
TG-A024 (a task's run-as account, task_run_as.py), TG-A023 (holders of
SeBatchLogonRight, user_rights.py), TG-D009 (a built-in task as another Windows
build has it, drift.py) and the batch-right rows of the reports; and which
acting accounts are Windows' own in task events (``is_service_account_sid``,
``is_machine_account``: drift.py decides who acted by them, never by a
translated name).

Internal to taskguard.windows. A built-in principal is never a subject of those
findings: only accounts someone created are judged against the inventory.

By SID (Microsoft's "Well-known SIDs" and "Security identifiers" lists):

* ``S-1-0-0`` .. ``S-1-3-*``: null, world (Everyone), local, console logon,
  creator owner/group, owner rights;
* NT AUTHORITY ``S-1-5-1`` .. ``S-1-5-20`` (DIALUP .. NETWORK SERVICE, SYSTEM
  S-1-5-18, LOCAL SERVICE S-1-5-19; Windows defines no S-1-5-16, and S-1-5-5
  is only the prefix of the logon sessions), logon sessions ``S-1-5-5-X-Y``,
  ``S-1-5-33`` (write restricted), ``S-1-5-64-10/14/21`` (NTLM, SChannel,
  Digest authentication), ``S-1-5-65-1`` (this organization certificate),
  ``S-1-5-113``/``S-1-5-114`` (local account, local account and administrator),
  ``S-1-5-1000`` (other organization);
* BUILTIN aliases ``S-1-5-32-*`` (Administrators, Users, Backup Operators...);
* virtual accounts: per-service ``S-1-5-80-*`` (NT SERVICE\\..., ``S-1-5-80-0``
  all services), IIS app pools ``S-1-5-82-*``, Hyper-V ``S-1-5-83-*``, user-mode
  drivers ``S-1-5-84-0-0-0-0-0``, window manager ``S-1-5-90-*`` (DWM-n), font
  driver host ``S-1-5-96-*`` (UMFD-n), restricted services ``S-1-5-99-*``;
* app container and capability SIDs ``S-1-15-2-*``, ``S-1-15-3-*``; integrity
  labels ``S-1-16-*``; asserted identities ``S-1-18-1`` .. ``S-1-18-6``.

Judged (never built-in), on purpose:

* ``S-1-5-21-*``: accounts and groups of a machine or a domain, also the
  RID-500 Administrator and Domain Admins (someone decides who they are);
* ``S-1-12-1-*`` (Entra ID) and every SID not listed above (fail closed);
* ``S-1-5-94-*`` (WinRM virtual accounts of a JEA endpoint: an administrator
  configured the endpoint, and its account runs with the rights given to it).

By name, only spellings that are not translated (or that the inventory
comparison already maps to a SID, ``inventory_compare.normalize_account``): the
virtual-account authorities ``NT SERVICE\\``, ``IIS APPPOOL\\``, ``NT VIRTUAL
MACHINE\\``, ``Window Manager\\``, ``Font Driver Host\\``, ``RESTRICTED
SERVICES\\``, and SYSTEM / LOCAL SERVICE / NETWORK SERVICE / INTERACTIVE /
Authenticated Users / Administrators / Users / Everyone in the spellings listed
there. A localized name missing from those lists is judged (fail closed): the
finding then names a built-in group, which an analyst sees at once, instead of
an attacker's account hiding behind a look-alike name.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_compare import SERVICE_SIDS, is_user_account

_SUB = r"(?:-\d+)"
_BUILT_IN_SID = re.compile(
    r"\AS-1-(?:"
    r"0-0|1-0|2-[01]|3-[0-4]"                        # null, world, local, console logon, creator/owner
    r"|5-(?:[1-46-9]|1[0-57-9]|20)"                  # NT AUTHORITY: DIALUP .. NETWORK SERVICE (16: none)
    r"|5-5-\d+-\d+"                                  # logon session
    r"|5-(?:33|113|114|1000)"                        # write restricted, local account (+admin), other org
    r"|5-64-(?:10|14|21)|5-65-1"                     # NTLM/SChannel/Digest authentication, org certificate
    r"|5-32-\d+"                                     # BUILTIN aliases
    r"|5-(?:80|82|83|90|96|99)" + _SUB + r"+"        # NT SERVICE, IIS APPPOOL, VMs, DWM, UMFD, restricted svcs
    r"|5-84-0-0-0-0-0"                               # user-mode drivers
    r"|15-[23]" + _SUB + r"+"                        # app containers, capabilities
    r"|16-\d+"                                       # integrity labels
    r"|18-[1-6]"                                     # asserted identities
    r")\Z", re.IGNORECASE)
# Authorities of virtual accounts as task XML and LSA write them (not translated).
_BUILT_IN_PREFIX = ("nt service\\", "iis apppool\\", "nt virtual machine\\", "window manager\\",
                    "font driver host\\", "restricted services\\")
# Authorities whose names are never an account someone created (never an
# S-1-5-21-* or S-1-12-1-* SID): BUILTIN\x is an alias S-1-5-32-*, NT AUTHORITY\x
# a well-known S-1-5-n. is_built_in already takes their names that
# inventory_compare spells (SYSTEM, BUILTIN\Users...) and every virtual-account
# authority (_BUILT_IN_PREFIX); these two also name principals it does not list
# (BUILTIN\Backup Operators, NT AUTHORITY\NETWORK). Case-folded, in English only:
# a translated authority is not known here (user_rights then takes the name as
# one that could be an account's). Used by user_rights (TG-A023).
NOT_ACCOUNT_AUTHORITIES = frozenset(("builtin", "nt authority"))


def is_service_account_sid(sid):
    """True for the SID of SYSTEM, LOCAL SERVICE or NETWORK SERVICE (any case;
    inventory_compare.SERVICE_SIDS, the accounts Windows' own services run as). An
    event whose acting SID is one of them is Windows (or someone running as it)
    acting, never a person's logon (drift.py, TG-T009/T010/D008). lower(), not
    upper()/casefold(): those turn a look-alike letter (U+017F) into "s"."""
    return str(sid or "").strip().lower() in SERVICE_SIDS


def is_machine_account(name):
    """True for a computer account name, ``NAME$`` or ``DOMAIN\\NAME$``.

    The trailing ``$`` is not translated: the Security log names SYSTEM acting on
    the network (and NETWORK SERVICE) by the computer account in every language.
    A user account can also be created with a trailing ``$`` (a known way to hide
    one from ``net user``): callers that lower a severity on this should prefer
    the SID of the event when it has one."""
    account = str(name or "").strip().rsplit("\\", 1)[-1]
    return account.endswith("$") and bool(account[:-1].strip())


def is_built_in_sid(sid):
    """True for a SID string Windows defines itself (the list in the module docstring)."""
    return bool(_BUILT_IN_SID.match(str(sid or "").strip()))


def is_built_in(account):
    """True for a principal (SID or name) Windows defines itself: never a subject of
    TG-A023/TG-A024. Empty or unknown text is not built-in (judged)."""
    text = str(account or "").strip()
    if not text:
        return False
    if is_built_in_sid(text):
        return True
    if text.casefold().startswith(_BUILT_IN_PREFIX):
        return True
    if text.upper().startswith("S-"):
        return False     # a SID not in the list: someone created it
    # SYSTEM, LOCAL SERVICE, Users, INTERACTIVE... in the spellings inventory_compare knows
    return not is_user_account(text)
