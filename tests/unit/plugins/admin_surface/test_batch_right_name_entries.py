# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TG-A023 is lowered for an unresolved holder only when an entry written by name
could actually be that SID (brief H3 point 3): one name entry in scope no longer
lowers every SID holder of an offline SECURITY hive, and the title says the name
was not resolved."""
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


@pytest.mark.parametrize("name,lowered", [
    ("'CORP\\svc-x'", {DOM + "-3307", MACH + "-1001"}),   # CORP may be the host's own name: either could be it
    ("'.\\svc-x'", {MACH + "-1001"}),                      # a local account only
    ("svc-x@corp.example", {DOM + "-3307", ENTRA}),        # a UPN: a domain or Entra ID account
    ("'AzureAD\\svc-x'", {ENTRA}),                         # an Entra ID account only
    ("svc-x", {DOM + "-3307", MACH + "-1001", ENTRA}),     # a bare name may be any
    ("'BUILTIN\\Backup Operators'", set()),                # a group Windows defines is no account SID
    ("'NT AUTHORITY\\SYSTEM'", set()),
])
def test_only_holders_the_name_could_be_are_lowered(tmp_path, name, lowered):
    holders = (DOM + "-3307", MACH + "-1001", ENTRA, "S-1-5-94-0")
    found = batch(offline(*holders), admin_view(tmp_path, "name: %s" % name))
    assert {sid for sid, sev in severities(found).items() if sev == "low"} == lowered
    for sid in lowered:
        evidence = found[sid]["evidence"]
        assert "could not be resolved" in evidence["note"]
        assert [e["name"] for e in evidence["name_entries"]] == [name.strip("'").replace("\\\\", "\\")]
    # a virtual account Windows does not define (JEA) has no name an entry could give
    assert found["S-1-5-94-0"]["severity"] == "medium"


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
