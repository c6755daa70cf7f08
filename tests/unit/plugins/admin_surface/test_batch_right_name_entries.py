# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TG-A023 is lowered for an unresolved holder only when an entry written by name
could actually be that SID (brief H3 point 3): one name entry in scope no longer
lowers every SID holder of an offline SECURITY hive, and the title says the name
was not resolved. A name is one account's: an entry documents at most one holder,
so where more unresolved holders compete for the name entries than they can
document, none of them is lowered (brief H8 point 1)."""
from __future__ import annotations

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_findings, user_rights
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_admins import view
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory

DOM = "S-1-5-21-1004336348-1177238915-682003330"
MACH = "S-1-5-21-3623811015-3361044348-30300820"
ENTRA = "S-1-12-1-2233445566-1122334455-3344556677-1455667788"
SRV = {"name": "srv02", "domain_role": "member_server", "groups": []}
HEAD = """\
inventory_version: 1
owner: {name: Contoso IT, kind: internal, contact: it@contoso.example}
defaults:
  approval: {ticket: CHG-7, approver: CISO, date: '2026-01-10'}
tasks: []
task_accounts:
"""


def admin_view(tmp_path, *entries):
    folder = tmp_path / "inv"
    folder.mkdir(parents=True)
    body = "".join("- %s\n  justification: runs the nightly job\n" % e for e in entries) or "[]\n"
    (folder / "accounts.yml").write_text(HEAD + body if entries else HEAD.replace("task_accounts:\n", "task_accounts: []\n"))
    inventory = load_inventory([str(folder)], today="2026-12-03")
    assert [e["code"] for e in inventory.errors if e["code"] != "expired"] == []
    return view(inventory, SRV)


def offline(*sids):
    return user_rights.from_masks({sid: user_rights.MODE_BITS[user_rights.BATCH] for sid in sids}, machine_sid=MACH)


def batch(model, view_):
    out = admin_findings.Findings("srv02")
    user_rights.judge(out, model, SRV, view_, MACH)
    return {f["params"]["sid"]: f for f in out.sorted() if f["code"] == "TG-A023"}


def severities(found):
    return {sid: f["severity"] for sid, f in found.items()}


def test_without_name_entries_every_unresolved_holder_keeps_its_severity_and_says_why_it_has_no_name(tmp_path):
    found = batch(offline(DOM + "-3307", MACH + "-1001"), admin_view(tmp_path, "sid: %s-9999" % DOM))
    assert severities(found) == {DOM + "-3307": "medium", MACH + "-1001": "medium"}
    assert found[DOM + "-3307"]["title"].startswith(DOM + "-3307 (name not resolved offline) holds 'Log on as a batch")
    assert "note" not in found[DOM + "-3307"]["evidence"]


# Which unresolved holders a name could be, by its form (the SID's kind decides).
COULD_BE = [
    ("'CORP\\svc-x'", {DOM + "-3307", MACH + "-1001"}),   # CORP may be the host's own name: either could be it
    ("'.\\svc-x'", {MACH + "-1001"}),                      # a local account only
    ("svc-x@corp.example", {DOM + "-3307", ENTRA}),        # a UPN: a domain or Entra ID account
    ("'AzureAD\\svc-x'", {ENTRA}),                         # an Entra ID account only
    ("svc-x", {DOM + "-3307", MACH + "-1001", ENTRA}),     # a bare name may be any
    ("'BUILTIN\\Backup Operators'", set()),                # a group Windows defines is no account SID
    ("'NT AUTHORITY\\SYSTEM'", set()),                     # taken by is_built_in already
    ("'NT AUTHORITY\\NETWORK'", set()),                    # not, but NT AUTHORITY names no account
]
HOLDERS = (DOM + "-3307", MACH + "-1001", ENTRA, "S-1-5-94-0")


def written(name):
    return name.strip("'").replace("\\\\", "\\")


@pytest.mark.parametrize("name,could_be", COULD_BE)
def test_only_holders_the_name_could_be_are_lowered(tmp_path, name, could_be):
    """One name entry is one account: it lowers the one unresolved holder it could
    be; where two or more could be it, at least one of them is certainly not
    documented and which one cannot be told, so none is lowered (brief H8 point 1)."""
    found = batch(offline(*HOLDERS), admin_view(tmp_path, "name: %s" % name))
    lowered = could_be if len(could_be) == 1 else set()
    assert {sid for sid, sev in severities(found).items() if sev == "low"} == lowered
    for sid in could_be:
        evidence = found[sid]["evidence"]
        assert "could not be resolved" in evidence["note"]
        assert [e["name"] for e in evidence["name_entries"]] == [written(name)]
        if sid not in lowered:
            assert found[sid]["severity"] == "medium"
            assert ("at most 1 of the %d unresolved holders" % len(could_be)) in evidence["note"]
            assert ("at least %d of them are not documented" % (len(could_be) - 1)) in evidence["note"]
    # a virtual account Windows does not define (JEA) has no name an entry could give
    assert found["S-1-5-94-0"]["severity"] == "medium" and "note" not in found["S-1-5-94-0"]["evidence"]


@pytest.mark.parametrize("name,could_be", COULD_BE)
def test_alone_a_holder_is_lowered_by_any_name_it_could_be(tmp_path, name, could_be):
    """The form rule on its own: each holder alone, so nothing competes."""
    for index, sid in enumerate(HOLDERS):
        found = batch(offline(sid), admin_view(tmp_path / str(index), "name: %s" % name))
        assert found[sid]["severity"] == ("low" if sid in could_be else "medium"), sid


@pytest.mark.parametrize("entries,lowered", [
    (1, False), (2, False),     # N=3 holders a bare name could be, M<N entries: N-M certainly undocumented
    (3, True), (4, True),       # M>=N: each holder may be one of them, all at once
])
def test_more_unresolved_holders_than_name_entries_are_not_lowered(tmp_path, entries, lowered):
    holders = (DOM + "-3307", MACH + "-1001", ENTRA)
    found = batch(offline(*holders), admin_view(tmp_path, *("name: svc-%d" % i for i in range(entries))))
    assert severities(found) == {sid: "low" if lowered else "medium" for sid in holders}
    for sid in holders:
        note = found[sid]["evidence"]["note"]
        assert len(found[sid]["evidence"]["name_entries"]) == entries
        if not lowered:
            assert "at most %d of the 3 unresolved holders" % entries in note
            assert "at least %d of them are not documented" % (3 - entries) in note


def test_each_entry_is_matched_to_one_holder_not_only_counted(tmp_path):
    """Four unresolved holders, four name entries, but only two of the entries can
    be a local account ('.\\a' and 'CORP\\d'): three local holders compete for two
    names (one is certainly undocumented: all three stay medium), while the domain
    holder can take a UPN whoever takes the local names (low). Counting alone
    (4 <= 4) would have lowered all four."""
    local = ["%s-%d" % (MACH, rid) for rid in (1001, 1002, 1003)]
    found = batch(offline(DOM + "-3307", *local),
                  admin_view(tmp_path, "name: '.\\a'", "name: 'CORP\\d'", "name: x@corp.example",
                             "name: y@corp.example"))
    assert severities(found) == dict({sid: "medium" for sid in local}, **{DOM + "-3307": "low"})
    assert "at least 1 of them are not documented" in found[local[0]]["evidence"]["note"]


def test_a_holder_no_entry_can_be_does_not_compete(tmp_path):
    found = batch(offline(ENTRA, "S-1-5-94-0", MACH + "-1001"), admin_view(tmp_path, "name: 'AzureAD\\svc-x'"))
    assert severities(found) == {ENTRA: "low", "S-1-5-94-0": "medium", MACH + "-1001": "medium"}


def test_a_denied_holder_still_competes_for_the_name_entries(tmp_path):
    """The deny right lowers its own holder, but that holder may be the account the
    one name entry names: the other unresolved holder is then not documented."""
    bits = user_rights.MODE_BITS
    model = user_rights.from_masks({DOM + "-3301": bits[user_rights.BATCH] | bits[user_rights.DENY_BATCH],
                                    DOM + "-3302": bits[user_rights.BATCH]}, machine_sid=MACH)
    found = batch(model, admin_view(tmp_path, "name: 'CORP\\svc-x'"))
    assert severities(found) == {DOM + "-3301": "low", DOM + "-3302": "medium"}
    assert "wins" in found[DOM + "-3301"]["evidence"]["note"]


def test_only_authorities_that_can_reach_the_form_rule_are_listed():
    """Every name under an authority of well_known_sids.NOT_ACCOUNT_AUTHORITIES passes
    is_built_in for some principal (else listing it would be dead code: the open
    name entries drop whatever is_built_in takes), and is never taken for an account."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils import well_known_sids
    assert well_known_sids.NOT_ACCOUNT_AUTHORITIES == {"builtin", "nt authority"}
    for authority in well_known_sids.NOT_ACCOUNT_AUTHORITIES:
        assert not well_known_sids.is_built_in(authority + "\\backup operators")
        assert not any(user_rights._name_can_be(authority + "\\x", d) for d in user_rights.ACCOUNT_DOMAINS)
    for prefix in ("nt service", "iis apppool", "nt virtual machine", "window manager", "font driver host",
                   "restricted services"):
        assert well_known_sids.is_built_in(prefix + "\\anything")


def test_an_expired_name_entry_lowers_nothing(tmp_path):
    found = batch(offline(DOM + "-3307"), admin_view(tmp_path, "name: 'CORP\\svc-x'\n  expires: '2026-06-01'"))
    assert severities(found) == {DOM + "-3307": "medium"}


def _live(holders):
    material = {"method": "lsa_api", "error": None, "rights": {
        "SeBatchLogonRight": {"holders": holders, "truncated": False, "error": None},
        "SeDenyBatchLogonRight": {"holders": [], "truncated": False, "error": None}}}
    return user_rights.parse_live_material(material, MACH)


def test_a_name_entry_that_names_a_resolved_holder_is_that_holder_s(tmp_path):
    failed = {"type": "System.SystemException", "hresult": -2146233087, "message": "trust failed"}
    model = _live([{"sid": DOM + "-2201", "name": "CORP\\svc-x", "lookup_error": None},
                   {"sid": DOM + "-3302", "name": None, "lookup_error": failed}])
    found = batch(model, admin_view(tmp_path, "name: 'CORP\\svc-x'"))
    # svc-x is DOM-2201 (documented by its name); the unresolved DOM-3302 cannot be svc-x too
    assert severities(found) == {DOM + "-3302": "medium"}
    assert found[DOM + "-3302"]["title"].startswith(DOM + "-3302 (name not resolved) holds")
    # with a second name entry nobody takes, DOM-3302 could be that one
    found = batch(model, admin_view(tmp_path / "b", "name: 'CORP\\svc-x'", "name: 'CORP\\svc-y'"))
    assert severities(found) == {DOM + "-3302": "low"}
    assert [e["name"] for e in found[DOM + "-3302"]["evidence"]["name_entries"]] == ["CORP\\svc-y"]


def test_a_sid_no_account_has_is_never_taken_for_a_name(tmp_path):
    gone = {"type": "System.Security.Principal.IdentityNotMappedException", "hresult": -2146233087,
            "message": "Some or all identity references could not be translated."}
    model = _live([{"sid": DOM + "-3302", "name": None, "lookup_error": gone}])
    assert model["rights"]["SeBatchLogonRight"]["holders"][0]["lookup"] == "not_mapped"
    found = batch(model, admin_view(tmp_path, "name: 'CORP\\svc-y'"))
    assert severities(found) == {DOM + "-3302": "medium"}
    assert "(no account has this SID)" in found[DOM + "-3302"]["title"]


def test_the_deny_right_still_lowers_whatever_the_names(tmp_path):
    model = user_rights.from_masks({DOM + "-3307": user_rights.MODE_BITS[user_rights.BATCH]
                                    | user_rights.MODE_BITS[user_rights.DENY_BATCH]}, machine_sid=MACH)
    found = batch(model, admin_view(tmp_path, "sid: %s-9999" % DOM))
    assert severities(found) == {DOM + "-3307": "low"} and "wins" in found[DOM + "-3307"]["evidence"]["note"]
