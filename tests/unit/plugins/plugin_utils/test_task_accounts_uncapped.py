# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit result's task_accounts list every task that runs as an ordinary account:
the audit's TG-A024 and the report step's TG-A020/A021/A022 see the last task of a
large host too (a cut at 500 tasks hid every task after it, and nothing said so)."""
from __future__ import annotations

from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report

COUNT = 1200


def _tasks():
    rows = [{"path": "\\Vendor\\Job %04d" % i,
             "principal": {"user_id": "CORP\\svc-%d" % (i % 3), "logon_type": "Password",
                           "run_level": "LeastPrivilege", "extra": "not copied"}} for i in range(COUNT)]
    rows.append({"path": "\\Late\\Runs as an attacker", "principal": {"user_id": "CORP\\mallory",
                                                                      "logon_type": "Password",
                                                                      "run_level": "HighestAvailable"}})
    rows.append({"path": "\\Sys", "principal": {"user_id": "S-1-5-18"}})
    return {"tasks": rows}


def test_every_ordinary_account_task_is_listed_with_path_and_principal_only():
    accounts = pipeline._task_accounts(_tasks())
    assert len(accounts) == COUNT + 1                      # SYSTEM is not an ordinary account
    assert accounts[-1] == {"path": "\\Late\\Runs as an attacker",
                            "principal": {"user_id": "CORP\\mallory", "logon_type": "Password",
                                          "run_level": "HighestAvailable"}}
    assert all(set(a["principal"]) == {"user_id", "logon_type", "run_level"} for a in accounts)


def test_the_last_task_of_a_large_host_is_judged():
    entry = {"status": "audited", "findings": [], "mode": "offline", "tier": "member_server",
             "os_family": "windows_server_2022", "domain_role": "member_server",
             "verdict": {"state": "clean", "reasons": [], "task_sources_read": True},
             "administrators": None, "task_accounts": pipeline._task_accounts(_tasks())}
    # TG-A024 as the audit adds it (no inventory: every ordinary account is undocumented)
    entry["findings"] = pipeline.judge_run_as({"name": "h1", "tier": "member_server"}, entry, None)
    doc = build_run_report({"h1": entry}, {"id": "r1", "slice": None})
    codes = {}
    for row in doc["hosts"]["h1"]["findings"]:
        for problem in row.get("problems") or [row]:
            codes.setdefault(problem.get("code"), set()).add(row.get("task"))
    # TG-A024: run as an account no inventory documents; TG-A022: HighestAvailable
    assert "\\Late\\Runs as an attacker" in codes["TG-A024"]
    assert "\\Late\\Runs as an attacker" in codes["TG-A022"]
    assert "\\Vendor\\Job %04d" % (COUNT - 1) in codes["TG-A024"]
    assert len(doc["hosts"]["h1"]["task_accounts"]) == COUNT + 1
