# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Members of the local Administrators group (``S-1-5-32-544``), one model live and offline.

Model::

    {"members": [{"sid", "name"|None, "kind": "user"|"group"|"unknown", "source",
                  "resolved": bool, "entra": bool, "orphaned": bool|None, "rid": int|None,
                  "domain": "local"|"domain"|"entra"|"builtin"|"well_known",
                  "lookup": "resolved"|"not_mapped"|"unresolved"|"not_looked_up"}],
     "method": "net_api"|"winnt_adsi"|"sam_hive"|None, "read": bool,
     "complete": bool,            # every member was read (a required member may be called missing)
     "is_domain_controller_builtin": bool, "machine_sid": str|None,
     "builtin_administrator": {"sid", "enabled": bool}|None, "errors": [...]}

The group is found by its SID, never by its localized name. Entra ID (Azure
AD) SIDs ``S-1-12-1-...`` and SIDs that no longer resolve are kept as raw SIDs
(``Get-LocalGroupMember`` throws on both, which is why the collector uses the
Net API / WinNT provider). ``orphaned`` is only claimed where the source can
tell: live, a local SID the host reports as not mapped, or a domain SID reported
as not mapped while no other lookup of the same read failed for another reason
(``lookup: "unresolved"``, e.g. the domain controller was unreachable: then no
domain SID is called orphaned, its name is merely unknown); offline
(SAM hive) names are not resolvable except for local accounts, so
``orphaned`` is None ("unknown") for domain SIDs and True only for a local
SID whose account is gone from the SAM.

On a domain controller the local SAM is not used: the group is the domain's
BUILTIN\\Administrators, shared by every DC (``is_domain_controller_builtin``).

SAM alias ``C`` value (``SAM\\Domains\\Builtin\\Aliases\\00000220``), after
chntpw's ``sam.h`` (struct group_C) and RegRipper ``samparse``; integers are
little-endian, offsets into the data area are relative to 0x34::

    0x00 u32 RID of the alias (0x220)       0x10 u32 name offset   0x14 u32 name length (UTF-16)
    0x1C u32 comment offset 0x20 u32 comment length
    0x28 u32 members offset 0x2C u32 members size (bytes, not relied on)   0x30 u32 member count
    0x34 data area; the members are consecutive binary SIDs
         (revision 1, sub-authority count n, 6-byte big-endian authority, n u32 sub-authorities)
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re
import struct
from collections import namedtuple

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import (
    HiveError, TaskGuardInputError, clip_text, host_text,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.evidence_hives import open_config_hive

ADMINISTRATORS_SID = "S-1-5-32-544"
ALIAS_KEY = "\\SAM\\Domains\\Builtin\\Aliases\\00000220"
ACCOUNT_KEY = "\\SAM\\Domains\\Account"
USERS_KEY = "\\SAM\\Domains\\Account\\Users"
MAX_MEMBERS = 5000
MAX_VALUE_BYTES = 1024 * 1024
_HEADER = 0x34
METHODS = ("net_api", "winnt_adsi", "sam_hive")
# Well-known SIDs that are groups (an Administrators member that is a group is expanded elsewhere, not here).
_WELL_KNOWN_GROUPS = {"S-1-5-11", "S-1-5-4", "S-1-1-0", "S-1-5-32-545", "S-1-5-32-544"}
_DOMAIN_GROUP_RIDS = {512: "Domain Admins", 519: "Enterprise Admins", 518: "Schema Admins", 513: "Domain Users"}


class SamError(TaskGuardInputError):
    """A SAM value that does not have the documented layout."""


# ------------------------------------------------------------------ SIDs
def sid_from_bytes(data, offset=0):
    """(SID string, length) of a binary SID at ``offset``; raises SamError when it does not fit."""
    if offset < 0 or offset + 8 > len(data):
        raise SamError("SID at offset %d runs past the end (%d bytes)" % (offset, len(data)))
    revision, count = data[offset], data[offset + 1]
    if revision != 1 or count > 15:
        raise SamError("no SID at offset %d (revision %d, %d sub-authorities)" % (offset, revision, count))
    end = offset + 8 + 4 * count
    if end > len(data):
        raise SamError("SID at offset %d has %d sub-authorities but only %d bytes remain"
                       % (offset, count, len(data) - offset))
    authority = int.from_bytes(data[offset + 2:offset + 8], "big")
    subs = struct.unpack_from("<%dI" % count, data, offset + 8)
    return "S-1-%d%s" % (authority, "".join("-%d" % s for s in subs)), end - offset


def sid_to_bytes(sid):
    """Binary form of a SID string (for fixtures and tests)."""
    parts = sid.split("-")
    if len(parts) < 3 or parts[0].upper() != "S":
        raise ValueError("not a SID: %r" % sid)
    subs = [int(p) for p in parts[3:]]
    return bytes([int(parts[1]), len(subs)]) + int(parts[2]).to_bytes(6, "big") + struct.pack("<%dI" % len(subs), *subs)


def rid_of(sid):
    try:
        return int(str(sid).rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return None


def is_entra(sid):
    return str(sid or "").upper().startswith("S-1-12-1-")


def classify_sid(sid, machine_sid=None):
    """'local' (this machine's account domain), 'domain', 'entra', 'well_known' or 'builtin'."""
    sid = str(sid or "").upper()
    if is_entra(sid):
        return "entra"
    if machine_sid and sid.startswith(machine_sid.upper() + "-"):
        return "local"
    if sid.startswith("S-1-5-21-"):
        return "domain"
    if sid.startswith("S-1-5-32-"):
        return "builtin"
    return "well_known"


# ------------------------------------------------------------ SAM C value
def parse_alias_members(data):
    """Member SIDs of a SAM alias ``C`` value (layout in the module docstring)."""
    data = bytes(data or b"")
    if len(data) > MAX_VALUE_BYTES:
        raise SamError("alias C value of %d bytes exceeds the limit of %d" % (len(data), MAX_VALUE_BYTES))
    if len(data) < _HEADER:
        raise SamError("alias C value of %d bytes is shorter than its 0x34-byte header" % len(data))
    members_ofs, count = struct.unpack_from("<I", data, 0x28)[0], struct.unpack_from("<I", data, 0x30)[0]
    if count > MAX_MEMBERS:
        raise SamError("alias C value claims %d members (limit %d)" % (count, MAX_MEMBERS))
    offset = _HEADER + members_ofs
    sids = []
    for _index in range(count):
        sid, length = sid_from_bytes(data, offset)
        sids.append(sid)
        offset += length
    return sids


def build_alias_c_value(member_sids, name="Administrators", comment=""):
    """A C value with the documented layout (fixtures and tests; never written to a host)."""
    name_b, comment_b = name.encode("utf-16-le"), comment.encode("utf-16-le")
    members = b"".join(sid_to_bytes(s) for s in member_sids)
    header = struct.pack("<IIII II I II I II I", 0x220, 0, 0, 0x00010002,
                         0, len(name_b), 0, len(name_b), len(comment_b), 0,
                         len(name_b) + len(comment_b), len(members), len(member_sids))
    return header + name_b + comment_b + members


# ------------------------------------------------------------- SAM hive
def _account_domain_sid(v_value):
    """Machine SID from ``SAM\\Domains\\Account`` value ``V``: its last 24 bytes are the binary SID S-1-5-21-a-b-c."""
    data = bytes(v_value or b"")
    if len(data) < 24:
        return None
    try:
        sid, _length = sid_from_bytes(data, len(data) - 24)
    except SamError:
        return None
    return sid if sid.startswith("S-1-5-21-") else None


def _values(key):
    return {v.name: v for v in key.iter_values(as_json=False, trim_values=False)}


def _builtin_admin_enabled(hive):
    """Whether local RID 500 is enabled: ``Users\\000001F4`` value ``F``, u16 flags at 0x38 (0x0001 = disabled)."""
    try:
        f_value = _values(hive.get_key(USERS_KEY + "\\000001F4")).get("F")
    except Exception:
        return None
    data = getattr(f_value, "value", None)
    if not isinstance(data, (bytes, bytearray)) or len(data) < 0x3A:
        return None
    return not (struct.unpack_from("<H", data, 0x38)[0] & 0x0001)


def read_sam_hive(hive):
    """Administrators membership from an offline SAM hive (a regipy hive:
    ``evidence_hives.open_config_hive``). Raises HiveError when unreadable."""
    try:
        c_value = getattr(_values(hive.get_key(ALIAS_KEY)).get("C"), "value", None)
    except Exception as exc:  # regipy raises many types on damaged hives
        raise HiveError("SAM hive: cannot read %s: %s" % (ALIAS_KEY, exc))
    if not isinstance(c_value, (bytes, bytearray)):
        raise HiveError("SAM hive: %s has no binary C value" % ALIAS_KEY)
    machine_sid, local_rids, names = None, set(), {}
    try:
        machine_sid = _account_domain_sid(getattr(_values(hive.get_key(ACCOUNT_KEY)).get("V"), "value", None))
        for sub in hive.get_key(USERS_KEY + "\\Names").iter_subkeys():
            # The default value's *type* is the RID (a SAM convention).
            for value in sub.iter_values(as_json=False, trim_values=False):
                if value.name in ("(default)", "(Default)", "", None):
                    # regipy reports a type it has no name for as the number (an int or its digits)
                    rid = getattr(value, "value_type_raw", None)
                    if rid is None and str(getattr(value, "value_type", "")).isdigit():
                        rid = int(value.value_type)
                    if isinstance(rid, int):
                        local_rids.add(rid)
                        names[rid] = sub.name
    except Exception:
        # Names are a bonus: the member SIDs above are what the model needs. A list
        # read part-way must not make the accounts not reached look deleted.
        local_rids, names = set(), {}
    return {"sids": parse_alias_members(c_value), "machine_sid": machine_sid, "local_rids": local_rids,
            "local_names": names, "builtin_admin_enabled": _builtin_admin_enabled(hive)}


# ---------------------------------------------------------------- models
class MemberFacts(namedtuple("MemberFacts", "name kind lookup orphaned")):
    """What a source tells about one member besides its SID (``lookup``: see the model)."""

    __slots__ = ()

    def __new__(cls, name=None, kind=None, lookup="not_looked_up", orphaned=None):
        return super(MemberFacts, cls).__new__(cls, name, kind, lookup, orphaned)


def _member(sid, facts, source, machine_sid=None):
    sid = str(sid).upper()
    return {"sid": sid, "name": facts.name,
            "kind": facts.kind or ("group" if sid in _WELL_KNOWN_GROUPS else "unknown"),
            "source": source, "resolved": facts.name is not None, "entra": is_entra(sid),
            "orphaned": facts.orphaned, "rid": rid_of(sid), "domain": classify_sid(sid, machine_sid),
            "lookup": facts.lookup}


def _shown(value, limit):
    """A value the host sent, for a message: a text cut to ``limit`` (clip_text), a
    small number or None as it is, anything else only its type (str() of a host's
    object is as long as the host likes, and of an int of 5,000 digits raises)."""
    if isinstance(value, str):
        return clip_text(value, limit)
    if value is None or isinstance(value, bool) or (isinstance(value, int) and abs(value) < 10 ** 18):
        return str(value)
    return "a %s" % type(value).__name__


def empty_model(error=None, method=None):
    return {"members": [], "method": method, "read": False, "complete": False, "is_domain_controller_builtin": False,
            "machine_sid": None, "builtin_administrator": None, "errors": [error] if error else []}


def _builtin(machine_sid, enabled):
    if machine_sid is None or enabled is None:
        return None
    return {"sid": "%s-500" % machine_sid, "enabled": bool(enabled)}


def from_sam(sam, *, source="sam_hive"):
    """Model from ``read_sam_hive`` output."""
    machine_sid = sam.get("machine_sid")
    members = []
    for sid in sam.get("sids") or []:
        domain = classify_sid(sid, machine_sid)
        rid = rid_of(sid)
        name = (sam.get("local_names") or {}).get(rid) if domain == "local" else None
        orphaned = None
        if domain == "local" and sam.get("local_rids"):
            # only when the account list was read: an unreadable list proves nothing
            orphaned = rid not in sam["local_rids"]
        facts = MemberFacts(name=name, kind="user" if name else None,
                            lookup="resolved" if name else "not_looked_up", orphaned=orphaned)
        members.append(_member(sid, facts, source, machine_sid))
    return {"members": members, "method": "sam_hive", "read": True, "complete": True,
            "is_domain_controller_builtin": False,
            "machine_sid": machine_sid, "builtin_administrator": _builtin(machine_sid, sam.get("builtin_admin_enabled")),
            "errors": []}


def collect_offline(root):
    """Model from ``Windows/System32/config/SAM`` under an evidence root (coverage error when absent)."""
    try:
        return from_sam(read_sam_hive(open_config_hive(root, "SAM")))
    except TaskGuardInputError as exc:
        return empty_model(clip_text(str(exc)), "sam_hive")   # names the evidence's path


# ------------------------------------------------------------------ live
# .NET's IdentityReference.Translate throws this type when LSA answers "not mapped";
# any other failure (no logon servers, RPC unavailable, broken trust) says nothing
# about whether the account still exists. The type name is not localized.
NOT_MAPPED_TYPE = "System.Security.Principal.IdentityNotMappedException"
DC_ROLES = (4, 5)   # Win32_ComputerSystem.DomainRole: 4 backup, 5 primary domain controller
DOMAIN_MEMBER_ROLES = (1, 3)   # member workstation, member server: the only ones that ask a DC
_BUILTIN_ADMIN = re.compile(r"\A(S-1-5-21-\d+-\d+-\d+)-500\Z", re.IGNORECASE)


def lookup_outcome(item):
    """(name or None, lookup) of one live SID as AdminMaterial.psm1 returns it:
    ``{"sid", "name"|null, "lookup_error": {"type", "hresult", "message"}|null}``."""
    name = item.get("name")
    if isinstance(name, str) and name:
        return name[:256], "resolved"
    error = item.get("lookup_error")
    if isinstance(error, dict) and str(error.get("type") or "") == NOT_MAPPED_TYPE:
        return None, "not_mapped"
    return None, "unresolved"


def domain_role_facts(domain_role):
    """(is a domain controller, error or None) from the raw Win32_ComputerSystem.DomainRole (0..5)."""
    if domain_role is None:
        return False, None   # not read: the collector's own error says why
    if isinstance(domain_role, bool) or not isinstance(domain_role, int) or not 0 <= domain_role <= 5:
        return False, "DomainRole %r is not a Win32_ComputerSystem role (0-5): not taken as a domain controller" % (
            _shown(domain_role, 40),)
    return domain_role in DC_ROLES, None


def builtin_from_account(account):
    """(machine SID, {"sid", "enabled"}) from the raw local RID-500 account
    ``{"sid", "disabled": bool}``; (None, None) when it is not one."""
    if not isinstance(account, dict):
        return None, None
    match = _BUILTIN_ADMIN.match(str(account.get("sid") or ""))
    if match is None:
        return None, None
    disabled = account.get("disabled")
    enabled = None if not isinstance(disabled, bool) else not disabled
    return match.group(1).upper(), _builtin(match.group(1).upper(), enabled)


def _orphaned(sid, lookup, machine_sid, domain_lookups_failed):
    if is_entra(sid):
        return False   # Entra ID SIDs never resolve through LSA on the host: that says nothing
    domain = classify_sid(sid, machine_sid)
    if lookup != "not_mapped" or domain not in ("local", "domain"):
        return None if lookup == "unresolved" and domain in ("local", "domain") else False
    if domain == "domain" and domain_lookups_failed:
        return None    # the domain could not be asked about some SIDs: "not mapped" is not proof
    return True


def _live_members(raw, machine_sid, method, dc_answered=True):
    members, errors, looked = [], [], []
    for item in raw[:MAX_MEMBERS]:
        sid = item.get("sid") if isinstance(item, dict) else None
        if not isinstance(sid, str) or not sid.upper().startswith("S-1-"):
            errors.append("member without a SID: %r" % (_shown(sid if isinstance(item, dict) else item, 200),))
            continue
        looked.append((sid, lookup_outcome(item)))
    # domain lookups are trusted only when none failed for another reason and, where the
    # collector says, a domain controller of the machine's domain answered (a DC that cannot be
    # reached may also make LSA answer "not mapped")
    failed = any(lookup == "unresolved" for _sid, (_name, lookup) in looked) or not dc_answered
    for sid, (name, lookup) in looked:
        facts = MemberFacts(name=name, lookup=lookup, orphaned=_orphaned(sid, lookup, machine_sid, failed))
        members.append(_member(sid, facts, method, machine_sid))
    return members, errors


def parse_live_material(material):
    """Model from the ``administrators`` part of AdminMaterial.psm1 (contract: tests/unit/fixtures/admin_surface/).

    ``{"method": "net_api"|"winnt_adsi", "group_sid": "S-1-5-32-544", "domain_role": int|null,
    "builtin_administrator": {"sid", "disabled": bool}|null,
    "members": [{"sid", "name"|null, "lookup_error": {"type", "hresult", "message"}|null}],
    "truncated": bool, "dc_locator": {"ok": bool, "domain", "dc", "error"}|null (only when a
    lookup failed), "error": str|null, "errors": [str]}``: raw facts only; the domain role,
    the machine SID and orphaned/unresolved are decided here.
    """
    if not isinstance(material, dict):
        return empty_model("no Administrators material returned")
    method = material.get("method") if material.get("method") in METHODS else None
    if material.get("error"):
        return empty_model(host_text(material["error"]), method)
    group_sid = material.get("group_sid")
    if not isinstance(group_sid, str) or group_sid.upper() != ADMINISTRATORS_SID:
        return empty_model("material is not about %s (got %r)" % (ADMINISTRATORS_SID, _shown(group_sid, 200)),
                           method)
    listed = material.get("errors")
    errors = [host_text(e, "no reason given by the collector") for e in (listed if isinstance(listed, list)
                                                                         else [listed] if listed else [])[:50]]
    is_dc, role_error = domain_role_facts(material.get("domain_role"))
    if role_error:
        errors.append(role_error)
    machine_sid, builtin = builtin_from_account(material.get("builtin_administrator"))
    raw = material.get("members")
    listed = isinstance(raw, list)
    if not listed:
        # no list is not an empty group: the model is not complete (TG-A017, never TG-A002)
        errors.append("no member list returned (got %s)" % type(raw).__name__)
        raw = []
    locator = material.get("dc_locator")
    # Only a domain member asks a domain controller: on a workgroup host the locator
    # always fails, and a DC resolves its own domain's SIDs.
    if material.get("domain_role") not in DOMAIN_MEMBER_ROLES:
        locator = None
    dc_answered = not isinstance(locator, dict) or locator.get("ok") is True
    if isinstance(locator, dict) and locator.get("ok") is not True:
        errors.append("no domain controller answered (%s): domain SIDs that did not resolve are not called orphaned"
                      % clip_text(host_text(locator.get("error"), "unknown"), 300))
    members, member_errors = _live_members(raw, machine_sid, method, dc_answered)
    errors.extend(member_errors)
    if len(raw) > MAX_MEMBERS or material.get("truncated"):
        errors.append("more than %d members: the rest was not read" % MAX_MEMBERS)
    complete = listed and not member_errors and len(raw) <= MAX_MEMBERS and not material.get("truncated")
    return {"members": members, "method": method, "read": True, "complete": complete,
            "is_domain_controller_builtin": is_dc,
            "machine_sid": None if is_dc else machine_sid, "builtin_administrator": None if is_dc else builtin,
            "errors": errors}
