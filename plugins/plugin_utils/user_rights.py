# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Holders of "Log on as a batch job" (``SeBatchLogonRight``) on one host, by SID (issue 19 point 4).

A scheduled task that runs whether the user is logged on or not logs its
account on as a batch job: holding this right is what lets an account run
tasks unattended, so an ordinary account that holds it and is documented
nowhere is a least-privilege finding (TG-A023). ``SeDenyBatchLogonRight``
is read too: a deny right wins over the allow right it meets.

Model (live and offline alike)::

    {"read": bool,                       # the allow right was read
     "method": "lsa_api"|"security_hive"|None,
     "rights": {"SeBatchLogonRight"|"SeDenyBatchLogonRight":
                {"read": bool, "error": str|None,
                 "holders": [{"sid", "name"|None, "domain", "lookup": "resolved"|"not_mapped"|
                              "unresolved"|"not_looked_up"}]}},
     "errors": [str]}

A right that could not be read has ``read: False`` and its error; it is never
an empty holder list (which would read as "nobody holds it").

Offline: the LSA policy database in the SECURITY hive
(``Windows/System32/config/SECURITY``). Each account that holds a right or a
privilege has a key ``Policy\\Accounts\\<SID>``; its logon rights are a 4-byte
little-endian mask in the default value of the *subkey* ``ActSysAc`` (the LSA
attribute written by ``LsarSetSystemAccessAccount``: ReactOS
``dll/win32/lsasrv/lsarpc.c``), the account's binary SID in the default value
of the subkey ``Sid``. The mask bits are the ``POLICY_MODE_*`` /
``SECURITY_ACCESS_*`` constants of ``ntsecapi.h``/``winnt.h`` (Samba
``librpc/idl/lsa.idl`` ``lsa_AccountAccessMask`` gives the same values):
``POLICY_MODE_BATCH`` = 0x4 and ``POLICY_MODE_DENY_BATCH`` = 0x100 (not 0x40,
which is ``POLICY_MODE_DENY_INTERACTIVE``). No names are in that database:
offline holders are SIDs only.

Live: ``AdminMaterial.psm1`` calls ``LsaEnumerateAccountsWithUserRight``
(the same LSA database, through the API; contract in
tests/unit/fixtures/admin_surface/live_*.json).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import collections
import struct

from ansible_collections.taskguard.windows.plugins.plugin_utils import local_admins
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_admins import SID_TEXT
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import HiveError, TaskGuardInputError

BATCH = "SeBatchLogonRight"
DENY_BATCH = "SeDenyBatchLogonRight"
RIGHTS = (BATCH, DENY_BATCH)
# ntsecapi.h POLICY_MODE_BATCH / POLICY_MODE_DENY_BATCH (see the module docstring for the sources)
MODE_BITS = {BATCH: 0x00000004, DENY_BATCH: 0x00000100}
ACCOUNTS_KEY = "\\Policy\\Accounts"
MAX_ACCOUNTS = 5000
METHODS = ("lsa_api", "security_hive")


def empty_model(error=None, method=None):
    rights = {right: {"read": False, "error": error, "holders": []} for right in RIGHTS}
    return {"read": False, "method": method, "rights": rights, "errors": [error] if error else []}


def _holder(sid, name=None, lookup="not_looked_up", machine_sid=None):
    sid = str(sid).upper()
    return {"sid": sid, "name": name, "domain": local_admins.classify_sid(sid, machine_sid), "lookup": lookup}


# ------------------------------------------------------------ offline: SECURITY hive
def _default_value(key):
    """Bytes of a key's default value, or None when it has none."""
    for value in key.iter_values(as_json=False, trim_values=False):
        if value.name in ("(default)", "(Default)", "", None):
            data = value.value
            return bytes(data) if isinstance(data, (bytes, bytearray)) else None
    return None


def _account(key):
    """(SID, logon-rights mask or None) of one ``Policy\\Accounts\\<SID>`` key; raises TaskGuardInputError."""
    subkeys = {sub.name.casefold(): sub for sub in key.iter_subkeys()}
    sid = None
    if "sid" in subkeys:
        data = _default_value(subkeys["sid"])
        if data:
            sid = local_admins.sid_from_bytes(data)[0]
    if sid is None:
        # the key name is the SID as text; only a well-formed one is trusted
        if not SID_TEXT.match(key.name or ""):
            raise TaskGuardInputError("account key %r holds no SID" % str(key.name)[:80])
        sid = key.name
    if "actsysac" not in subkeys:
        return sid.upper(), None          # privileges only, no logon right: a normal shape
    data = _default_value(subkeys["actsysac"])
    if data is None or len(data) < 4:
        raise TaskGuardInputError("account %s: ActSysAc is not a 4-byte mask" % sid)
    return sid.upper(), struct.unpack_from("<I", data, 0)[0]


def read_security_hive(hive):
    """({SID: logon-rights mask}, [error]) of the accounts of an offline SECURITY hive (a regipy hive).

    Raises HiveError when the accounts cannot be listed; an account that cannot
    be read is an error text in the second item, never dropped silently.
    """
    from regipy.exceptions import RegistryKeyNotFoundException
    try:
        accounts = hive.get_key(ACCOUNTS_KEY)
        subkeys = []
        for sub in accounts.iter_subkeys():
            subkeys.append(sub)
            if len(subkeys) > MAX_ACCOUNTS:
                raise HiveError("SECURITY hive: more than %d accounts under %s" % (MAX_ACCOUNTS, ACCOUNTS_KEY))
    except RegistryKeyNotFoundException:
        raise HiveError("SECURITY hive: no %s key (not an LSA policy database?)" % ACCOUNTS_KEY)
    except HiveError:
        raise
    except Exception as exc:   # regipy raises many types on damaged hives
        raise HiveError("SECURITY hive: cannot list %s: %s: %s" % (ACCOUNTS_KEY, type(exc).__name__, exc))
    masks, errors = {}, []
    for sub in subkeys:
        try:
            sid, mask = _account(sub)
        except Exception as exc:
            errors.append("SECURITY hive: %s\\%s not read: %s" % (ACCOUNTS_KEY, str(sub.name)[:80], str(exc)[:200]))
            continue
        if mask is not None:
            # two keys naming one SID (a damaged or crafted hive): it holds what either grants
            masks[sid] = masks.get(sid, 0) | mask
    return masks, errors


def from_masks(masks, errors=(), machine_sid=None):
    """Model from ``read_security_hive`` output. An account not read is an error of every right
    (it may hold them): the rights stay read, the errors say what is missing."""
    model = empty_model(None, "security_hive")
    for right in RIGHTS:
        holders = [_holder(sid, machine_sid=machine_sid) for sid, mask in sorted(masks.items())
                   if mask & MODE_BITS[right]]
        model["rights"][right] = {"read": True, "error": None, "holders": holders}
    model["read"] = True
    errors = [str(e)[:500] for e in errors]
    model["errors"] = errors[:50] + (["%d more account(s) not read" % (len(errors) - 50)] if len(errors) > 50 else [])
    return model


def collect_offline(root, machine_sid=None):
    """Model from ``Windows/System32/config/SECURITY`` under an evidence root (unread, with the reason, when absent)."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.evidence_hives import open_config_hive
    try:
        masks, errors = read_security_hive(open_config_hive(root, "SECURITY"))
    except TaskGuardInputError as exc:
        return empty_model(str(exc)[:500], "security_hive")
    return from_masks(masks, errors, machine_sid)


# ------------------------------------------------------------------- live
def _live_right(raw, machine_sid):
    """(model of one right, [error]) from ``{"holders": [{"sid", "name", "lookup_error"}]|null,
    "truncated": bool, "error": str|null}``."""
    if not isinstance(raw, dict):
        return {"read": False, "error": "not returned by the collector", "holders": []}, []
    if raw.get("error"):
        return {"read": False, "error": str(raw["error"])[:500], "holders": []}, []
    items = raw.get("holders")
    if not isinstance(items, list):
        return {"read": False, "error": "no holder list returned", "holders": []}, []
    holders, errors = [], []
    for item in items[:MAX_ACCOUNTS]:
        sid = item.get("sid") if isinstance(item, dict) else None
        if not isinstance(sid, str) or not SID_TEXT.match(sid):
            errors.append("holder without a SID: %r" % (str(item)[:200],))
            continue
        name, lookup = local_admins.lookup_outcome(item)
        holders.append(_holder(sid, name=name, lookup=lookup, machine_sid=machine_sid))
    if len(items) > MAX_ACCOUNTS or raw.get("truncated"):
        errors.append("more than %d holders: the rest was not read" % MAX_ACCOUNTS)
    return {"read": True, "error": None, "holders": holders}, errors


def parse_live_material(material, machine_sid=None):
    """Model from the ``user_rights`` part of AdminMaterial.psm1 (contract: tests/unit/fixtures/admin_surface/).

    ``{"method": "lsa_api", "rights": {"SeBatchLogonRight": {"error": str|null,
    "holders": [{"sid", "name"|null, "lookup_error": {"type", "hresult", "message"}|null}]}, ...},
    "error": str|null}``
    """
    if not isinstance(material, dict):
        return empty_model("no user-rights material returned")
    method = material.get("method") if material.get("method") in METHODS else None
    if material.get("error"):
        return empty_model(str(material["error"])[:500], method)
    rights = material.get("rights") if isinstance(material.get("rights"), dict) else {}
    model = empty_model(None, method)
    for right in RIGHTS:
        model["rights"][right], errors = _live_right(rights.get(right), machine_sid)
        model["errors"].extend(errors)
        if model["rights"][right]["error"]:
            model["errors"].append("%s: %s" % (right, model["rights"][right]["error"]))
    model["read"] = model["rights"][BATCH]["read"]
    return model


# ------------------------------------------------------------------ judging


def _documenting_entry(admin_view, holder, machine_sid):
    """The administrators / task_accounts entry in scope naming the holder (by SID, or by its name when resolved)."""
    if admin_view is None:
        return None
    found = [admin_view.run_as_entry(account, machine_sid) for account in (holder["sid"], holder.get("name"))
             if account]
    found = [entry for entry in found if entry is not None]
    return next((e for e in found if not e.expired), found[0] if found else None)


# What the title says of a holder whose name is unknown, by how the lookup ended
# (params.name_lookup; the reports show it in their language: cards.localized_params).
_UNNAMED = {"not_looked_up": "name not resolved offline", "unresolved": "name not resolved",
            "not_mapped": "no account has this SID"}
MAX_LISTED_ENTRIES = 10
# The kinds of account SID (local_admins.classify_sid) a name written in the inventory can be.
ACCOUNT_DOMAINS = ("local", "domain", "entra")


def _open_name_entries(admin_view, holders):
    """Current entries written by name only that no resolved holder of the right
    takes: the names an unresolved SID could carry. A name belongs to one account,
    so an entry naming a resolved holder is that holder's; an expired entry would
    not document the holder anyway; an entry naming an account Windows defines
    cannot be an account SID."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils import well_known_sids
    if admin_view is None:
        return []
    taken = {str(h["name"]).casefold() for h in holders if h.get("name")}
    entries = list(getattr(admin_view, "task_accounts", None) or []) + list(getattr(admin_view, "entries", None) or [])
    return [e for e in entries if e.sid is None and e.machine_suffix is None and e.name and not e.expired
            and e.name not in taken and not well_known_sids.is_built_in(e.name)]


def _name_can_be(name, domain):
    """Whether an account written as ``name`` can have a SID of ``domain`` (local_admins.classify_sid).

    Without the host's computer name, ``HOST\\x`` cannot be told from ``CORP\\x``:
    both may be a local or a domain account. ``.\\x`` is a local account, a UPN
    (``x@corp.example``) a domain or Entra ID one, ``AzureAD\\x`` an Entra ID one; a
    bare name may be any; ``BUILTIN\\x``/``NT AUTHORITY\\x`` none
    (well_known_sids.NOT_ACCOUNT_AUTHORITIES). Other SIDs (virtual accounts Windows
    does not define, unknown authorities) are never taken for a name: the finding
    keeps its severity."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils import well_known_sids
    authority, sep, _account = name.rpartition("\\")
    upn = not sep and "@" in name
    if authority in well_known_sids.NOT_ACCOUNT_AUTHORITIES:
        return False
    if domain == "local":
        return not upn and authority != "azuread"
    if domain == "domain":
        return authority not in (".", "azuread")
    if domain == "entra":
        return upn or not sep or authority == "azuread"
    return False


def _unresolved_account(holder):
    """An account holder whose name is unknown, so an entry written by name could be it
    (a holder with a name is compared by it already; a SID no account has has no name)."""
    return (not holder.get("name") and holder.get("lookup") != "not_mapped"
            and holder.get("domain") in ACCOUNT_DOMAINS)


def _documentable(counts, entry_kinds):
    """How many of the holders (``counts``: {domain: number}) the name entries can
    document at once, each entry at most one holder (``entry_kinds``: for each entry
    the set of domains its name can be). Hall's theorem: the largest assignment
    leaves ``max(|X| - |entries X can be|)`` holders without an entry, over the sets X
    of holders; holders of one domain can be the same entries, so the sets that
    matter are unions of whole domains (at most 2**3 of them)."""
    domains = [d for d in ACCOUNT_DOMAINS if counts.get(d)]
    shortfall = 0
    for mask in range(1, 2 ** len(domains)):
        chosen = {d for i, d in enumerate(domains) if mask >> i & 1}
        demand = sum(counts[d] for d in chosen)
        supply = sum(1 for kinds in entry_kinds if kinds & chosen)
        shortfall = max(shortfall, demand - supply)
    return sum(counts.get(d, 0) for d in domains) - shortfall


class _NameEntryMatch(object):
    """Which unresolved holders an entry written by name may be lowered for.

    A name is one account's, so each entry documents at most one holder. A holder
    is lowered only when every largest assignment of entries to the unresolved
    holders (one entry each) gives an entry to every holder of its domain: then all
    the lowered holders can be documented at the same time. Where some assignment
    leaves a holder of a domain without an entry, more holders compete for those
    entries than they can document: at least one of them is certainly undocumented
    and which one cannot be told, so none of them is lowered (lowering them all
    would report a certainly undocumented holder low)."""

    def __init__(self, open_entries, unresolved):
        self.entries = [(e, frozenset(d for d in ACCOUNT_DOMAINS if _name_can_be(e.name, d)))
                        for e in open_entries]
        kinds = [k for _e, k in self.entries]
        # holders no entry can be take no part: they neither compete nor are lowered
        self.counts = collections.Counter(h["domain"] for h in unresolved
                                          if any(h["domain"] in k for k in kinds))
        self.competing = sum(self.counts.values())
        self.documentable = _documentable(self.counts, kinds)
        self.lowered = set()
        for domain in self.counts:
            fewer = dict(self.counts)
            fewer[domain] -= 1
            # one holder of the domain less leaves one holder less documented: every
            # largest assignment documents every holder of the domain
            if _documentable(fewer, kinds) == self.documentable - 1:
                self.lowered.add(domain)

    def candidates(self, holder):
        """The open name entries the holder could be (empty: none can)."""
        if not _unresolved_account(holder):
            return []
        return [e for e, kinds in self.entries if holder["domain"] in kinds]

    def note(self, holder, candidates):
        """(lowered, evidence note) for a holder with candidate entries."""
        could = "%d entr%s written by name only could be this account" % (
            len(candidates), "y" if len(candidates) == 1 else "ies")
        if holder["domain"] in self.lowered:
            return True, "the SID could not be resolved to a name, and %s (not compared)" % could
        return False, ("the SID could not be resolved to a name; %s, but a name is one account's and those "
                       "entries can document at most %d of the %d unresolved holders they could be: at least "
                       "%d of them are not documented and which cannot be told, so none is lowered"
                       % (could, self.documentable, self.competing, self.competing - self.documentable))


def _judge_coverage(out, model):
    for right in RIGHTS:
        state = model["rights"].get(right) or {}
        if not state.get("read"):
            # the allow right unread: who may run tasks unattended is unknown (medium);
            # the deny right unread: only the "deny wins" note is lost (low)
            out.add("TG-A015", None, {"right": right, "error": state.get("error") or "unknown error"},
                    evidence={"method": model.get("method"), "errors": model.get("errors")},
                    severity="medium" if right == BATCH else "low", key="unreadable:%s" % right)
    read_errors = [e for e in model.get("errors") or [] if not any(e.startswith(r + ":") for r in RIGHTS)]
    if read_errors and any((model["rights"].get(r) or {}).get("read") for r in RIGHTS):
        # part of a right that was read is missing (an account key not read, a list cut short)
        out.add("TG-A016", None, {"count": len(read_errors)}, evidence={"errors": read_errors}, key="errors")


def judge(out, model, host, admin_view, machine_sid=None):
    """TG-A015/A016/A023 of one host's user-rights model into ``out`` (an ``admin_findings.Findings``);
    ``model`` None (not collected) gives TG-A015 for both rights.

    A holder of SeBatchLogonRight that Windows does not define itself and that no
    ``administrators`` or ``task_accounts`` entry in the host's scope names is a
    TG-A023 (medium; high on domain controllers and admin workstations; low when
    the same SID also holds SeDenyBatchLogonRight, since the deny right wins, or
    when its name is unknown and an entry written by name only could be it, as
    long as no more such holders compete for those entries than they can
    document: ``_NameEntryMatch``). The title says when the name could not be
    resolved (``params.name_lookup``: not_looked_up, unresolved, not_mapped).
    """
    from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_findings, well_known_sids
    if not isinstance(model, dict):
        # not collected (an old collector, offline without an evidence root): who may run
        # tasks unattended is unknown, never "nobody"
        model = empty_model("holders not collected")
    _judge_coverage(out, model)
    batch = model["rights"].get(BATCH) or {}
    if not batch.get("read"):
        return
    deny = model["rights"].get(DENY_BATCH) or {}
    denied = {h["sid"] for h in deny.get("holders") or []} if deny.get("read") else set()
    tier = admin_findings.host_tier(host or {})
    holders = batch.get("holders") or []
    subjects = []     # (holder, its expired entry or None): the holders TG-A023 is about
    for holder in holders:
        if well_known_sids.is_built_in(holder["sid"]):
            continue
        entry = _documenting_entry(admin_view, holder, machine_sid)
        if entry is None or entry.expired:
            subjects.append((holder, entry))
    # A holder that also holds the deny right still competes for the name entries:
    # it could be the account one of them names.
    names = _NameEntryMatch(_open_name_entries(admin_view, holders),
                            [h for h, _e in subjects if _unresolved_account(h)])
    for holder, entry in subjects:
        severity = "high" if tier in admin_findings.HIGH_TIERS else "medium"
        evidence = {"holder": holder, "method": model.get("method"), "tier": tier,
                    "expired_entry": entry.source if entry is not None else None}
        if holder["sid"] in denied:
            severity = "low"
            evidence["note"] = "the account also holds SeDenyBatchLogonRight, which wins over the allow right"
        else:
            # Lowered only when an entry written by name could be this very account (its
            # SID was not resolved to a name: offline, the SECURITY hive holds SIDs only)
            # and no more such holders compete for those entries than they can document.
            candidates = names.candidates(holder)
            if candidates:
                lowered, evidence["note"] = names.note(holder, candidates)
                if lowered:
                    severity = "low"
                evidence["name_entries"] = [dict(e.source, name=e.raw.get("name"))
                                            for e in candidates[:MAX_LISTED_ENTRIES]]
        out.add("TG-A023", "%s/%s" % (BATCH, holder["sid"]), _holder_params(holder),
                evidence=evidence, severity=severity, key="batch",
                entry=entry.source if entry is not None else None)


def _holder_params(holder):
    """TG-A023's params: the account as named, else its SID and why the name is
    unknown (``name_lookup``, for the reports' own language)."""
    if holder.get("name"):
        return {"account": "%s (%s)" % (holder["name"], holder["sid"]), "sid": holder["sid"]}
    lookup = holder.get("lookup") if holder.get("lookup") in _UNNAMED else "unresolved"
    return {"account": "%s (%s)" % (holder["sid"], _UNNAMED[lookup]), "sid": holder["sid"], "name_lookup": lookup}


# ------------------------------------------------------------------ report
def for_report(model):
    """The holders as drift.json lists them per host (None when not collected)."""
    if not isinstance(model, dict):
        return None
    return {"method": model.get("method"), "errors": list(model.get("errors") or [])[:50],
            "rights": {right: dict(model["rights"][right]) for right in RIGHTS if right in (model.get("rights") or {})}}
