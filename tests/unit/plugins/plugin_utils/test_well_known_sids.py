# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One rule of which principals Windows defines itself (well_known_sids.py), one table of
SIDs and names, and the two judges that use it: TG-A024 (a task's run-as account) and
TG-A023 (holders of SeBatchLogonRight) agree on every row."""
from __future__ import annotations

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import (
    admin_findings, pipeline, task_run_as, user_rights, well_known_sids,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report

# (principal, built in?, what it is)
TABLE = [
    ("S-1-0-0", True, "NULL SID"),
    ("S-1-1-0", True, "Everyone"),
    ("S-1-2-0", True, "LOCAL"),
    ("S-1-2-1", True, "CONSOLE LOGON"),
    ("S-1-3-0", True, "CREATOR OWNER"),
    ("S-1-3-4", True, "OWNER RIGHTS"),
    ("S-1-5-1", True, "DIALUP"),
    ("S-1-5-3", True, "BATCH"),
    ("S-1-5-4", True, "INTERACTIVE"),
    ("S-1-5-5-0-123456", True, "a logon session"),
    ("S-1-5-6", True, "SERVICE"),
    ("S-1-5-7", True, "ANONYMOUS LOGON"),
    ("S-1-5-9", True, "ENTERPRISE DOMAIN CONTROLLERS"),
    ("S-1-5-11", True, "Authenticated Users"),
    ("S-1-5-17", True, "IUSR"),
    ("S-1-5-18", True, "SYSTEM"),
    ("S-1-5-19", True, "LOCAL SERVICE"),
    ("S-1-5-20", True, "NETWORK SERVICE"),
    ("s-1-5-18", True, "SYSTEM in lower case"),
    ("S-1-5-32-544", True, "BUILTIN\\Administrators"),
    ("S-1-5-32-545", True, "BUILTIN\\Users"),
    ("S-1-5-32-551", True, "BUILTIN\\Backup Operators"),
    ("S-1-5-32-559", True, "BUILTIN\\Performance Log Users"),
    ("S-1-5-32-568", True, "BUILTIN\\IIS_IUSRS"),
    ("S-1-5-33", True, "WRITE RESTRICTED"),
    ("S-1-5-64-10", True, "NTLM Authentication"),
    ("S-1-5-65-1", True, "This Organization Certificate"),
    ("S-1-5-80-0", True, "NT SERVICE\\ALL SERVICES"),
    ("S-1-5-80-3880718306-3832830129-1677859214-2598158968-1052248003", True, "NT SERVICE\\MSSQLSERVER"),
    ("S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415", True, "IIS APPPOOL\\DefaultAppPool"),
    ("S-1-5-83-0", True, "NT VIRTUAL MACHINE\\Virtual Machines"),
    ("S-1-5-84-0-0-0-0-0", True, "USER MODE DRIVERS"),
    ("S-1-5-90-0-1", True, "Window Manager\\DWM-1"),
    ("S-1-5-96-0-1", True, "Font Driver Host\\UMFD-1"),
    ("S-1-5-99-216390572-1995538116-3857911515-2404958512-2623887229", True, "RESTRICTED SERVICES\\PrintSpoolerService"),
    ("S-1-5-113", True, "Local account"),
    ("S-1-5-114", True, "Local account and member of Administrators group"),
    ("S-1-5-1000", True, "Other Organization"),
    ("S-1-15-2-1", True, "ALL APPLICATION PACKAGES"),
    ("S-1-15-3-1", True, "a capability SID"),
    ("S-1-16-12288", True, "High Mandatory Level"),
    ("S-1-18-1", True, "Authentication authority asserted identity"),
    ("SYSTEM", True, "SYSTEM by name"),
    ("NT AUTHORITY\\SYSTEM", True, "SYSTEM by its English name"),
    ("LocalService", True, "LOCAL SERVICE as task XML may write it"),
    ("NT AUTHORITY\\NETWORK SERVICE", True, "NETWORK SERVICE"),
    ("BUILTIN\\Users", True, "Users by name"),
    ("INTERACTIVE", True, "INTERACTIVE by name"),
    ("NT SERVICE\\MSSQLSERVER", True, "a per-service account by name"),
    ("IIS APPPOOL\\DefaultAppPool", True, "an app pool by name"),
    ("RESTRICTED SERVICES\\PrintSpoolerService", True, "a restricted service by name"),
    # accounts someone created, and everything unknown: judged
    ("S-1-5-21-1-2-3-1001", False, "a domain or local account"),
    ("S-1-5-21-1-2-3-500", False, "the RID-500 Administrator (the admin table judges it)"),
    ("S-1-5-21-1-2-3-512", False, "Domain Admins"),
    ("S-1-12-1-1111-2222-3333-4444", False, "an Entra ID account"),
    ("S-1-5-94-0", False, "WinRM virtual users (a JEA endpoint someone configured)"),
    ("S-1-5-5", False, "a logon-session SID without its numbers"),
    ("S-1-5-16", False, "no such NT AUTHORITY SID"),
    ("S-1-5-32", False, "the BUILTIN domain itself, no alias"),
    ("S-1-5-64-99", False, "no such authentication SID"),
    ("S-1-5-21", False, "no account"),
    ("S-1-99-1", False, "an unknown authority"),
    ("S-1-5-18-1", False, "SYSTEM with a sub-authority appended"),
    ("S-1-5-18 ", True, "trailing blank as task XML may carry it"),
    ("CORP\\svc-backup", False, "a domain account by name"),
    ("alice", False, "a local account by name"),
    ("NT AUTHORITY\\evil", False, "an unknown name under NT AUTHORITY (not resolvable, so judged)"),
    ("", False, "nothing written"),
]
IDS = ["%s (%s)" % (row[2], row[0]) for row in TABLE]


@pytest.mark.parametrize("principal,built_in,_what", TABLE, ids=IDS)
def test_the_table(principal, built_in, _what):
    assert well_known_sids.is_built_in(principal) is built_in
    # the name the TG-A024 module used is the same rule, not a copy
    assert task_run_as.is_built_in(principal) is built_in


def _run_as_rows(principal):
    entry = {"path": "\\T", "principal": {"user_id": principal, "logon_type": "Password", "run_level": "LeastPrivilege"}}
    result = {"findings": [], "tier": "member_server", "administrators": None, "task_accounts": [entry]}
    # as the audit judges it (pipeline.judge), with no inventory: nothing is documented
    rows = pipeline.judge_run_as({"name": "h1", "tier": "member_server"}, result, None)
    return [f for f in rows if f["code"] == "TG-A024"]


def _batch_rows(sid):
    out = admin_findings.Findings("h1")
    user_rights.judge(out, user_rights.from_masks({sid: user_rights.MODE_BITS[user_rights.BATCH]}),
                      {"name": "h1", "domain_role": "member_server", "groups": []}, None)
    return [f for f in out.sorted() if f["code"] == "TG-A023"]


SIDS = [row for row in TABLE if row[0].startswith("S-") and row[0] == row[0].strip()]


@pytest.mark.parametrize("sid,built_in,_what", SIDS, ids=["%s (%s)" % (r[2], r[0]) for r in SIDS])
def test_both_judges_apply_the_same_rule(sid, built_in, _what):
    # a task running as the SID (TG-A024) and a holder of the batch right (TG-A023):
    # both judged, or neither (no inventory documents anything here)
    assert (len(_run_as_rows(sid)) == 1) is (not built_in)
    assert (len(_batch_rows(sid)) == 1) is (not built_in)


@pytest.mark.parametrize("principal,built_in", [
    ("NT SERVICE\\MSSQLSERVER", True),
    ("S-1-5-80-3880718306-3832830129-1677859214-2598158968-1052248003", True),
    ("IIS APPPOOL\\DefaultAppPool", True),
    ("CORP\\svc-sql", False),
    ("S-1-5-21-1-2-3-1105", False),
])
def test_the_fleet_task_account_findings_use_the_same_rule(principal, built_in):
    # the same virtual account on three hosts with HighestAvailable: Windows' own account
    # (a per-service SID is the same on every host) is neither TG-A021 nor TG-A022
    who = {"user_id": principal, "logon_type": "Password", "run_level": "HighestAvailable"}
    tasks = {"tasks": [{"path": "\\T", "principal": who}]}
    results = {}
    for host in ("h1", "h2", "h3"):
        results[host] = {"status": "audited", "findings": [], "mode": "offline", "tier": "member_server",
                         "os_family": "windows_server_2022", "domain_role": "member_server",
                         "verdict": {"state": "clean", "reasons": [], "task_sources_read": True},
                         "administrators": None, "task_accounts": pipeline._task_accounts(tasks)}
        # TG-A024 from each host's audit, the fleet-joined codes from the report step
        results[host]["findings"] = pipeline.judge_run_as({"name": host, "tier": "member_server"},
                                                          results[host], None)
    doc = build_run_report(results, {"id": "r1", "slice": None})
    codes = {p.get("code") for f in doc["hosts"]["h1"]["findings"] for p in (f.get("problems") or [f])}
    expected = set() if built_in else {"TG-A021", "TG-A022", "TG-A024"}
    assert codes & {"TG-A020", "TG-A021", "TG-A022", "TG-A024"} == expected
