# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""taskguard.windows.audit_offline audits many evidence folders in one task and
gives each host the result the per-host taskguard.windows.audit action gives it
(same variables, same code); hosts without an evidence folder are left to the
live play; a host that cannot be audited gets a failed result saying why, and
the others are still audited."""
from __future__ import annotations

import os

import pytest
from ansible.errors import AnsibleActionFail

import action_harness as harness
from ansible_collections.taskguard.windows.plugins.action import audit as audit_action
from ansible_collections.taskguard.windows.plugins.action import audit_offline as batch_action
from ansible_collections.taskguard.windows.plugins.plugin_utils import result_spool

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
INVENTORY = [os.path.join(REPO, "task_inventory", "vendors", "contoso-backup.yml"),
             os.path.join(REPO, "inventories", "demo", "task_inventory")]
DEMO = {
    "dc01": {"taskguard_offline_root": os.path.join(REPO, "samples", "dc01"),
             "taskguard_os_family": "windows_server_2022", "taskguard_domain_role": "domain_controller"},
    "srv01": {"taskguard_offline_root": os.path.join(REPO, "samples", "srv01"),
              "taskguard_os_family": "windows_server_2022", "taskguard_domain_role": "member_server"},
    "adminws01": {"taskguard_offline_root": os.path.join(REPO, "samples", "adminws01"),
                  "taskguard_os_family": "windows_11", "taskguard_domain_role": "member_workstation"},
}
GROUPS = {"dc01": ["windows"], "srv01": ["windows"], "adminws01": ["admin_workstations", "windows"]}


def _hostvars(extra=None):
    out = {}
    for name, variables in dict(DEMO, **(extra or {})).items():
        out[name] = dict(variables, taskguard_task_inventory_dir=INVENTORY,
                         group_names=GROUPS.get(name, ["windows"]))
    return out


def _batch(tmp_path, hosts, hostvars, **args):
    action = harness.make_action(batch_action.ActionModule, "taskguard.windows.audit_offline",
                                 dict({"hosts": hosts, "state_dir": str(tmp_path / "state"), "workers": 2}, **args))
    return action.run(task_vars={"hostvars": hostvars})


def _per_host(tmp_path, name, hostvars):
    action = harness.make_action(audit_action.ActionModule, "taskguard.windows.audit",
                                 {"state_dir": str(tmp_path / "state")})
    return action.run(task_vars=dict(hostvars[name], inventory_hostname=name))


def _comparable(result):
    out = {k: v for k, v in result.items() if k not in ("audited_at", "invocation", "_ansible_no_log")}
    return out


def test_each_host_gets_the_result_of_the_per_host_audit(tmp_path):
    hostvars = _hostvars()
    batch = _batch(tmp_path, list(DEMO), hostvars)
    assert batch["offline_hosts"] == list(DEMO) and batch["live_hosts"] == [] and batch["failed_hosts"] == []
    assert batch["workers"] == 2
    full, _spooled = result_spool.resolve(str(tmp_path / "state"), batch["hosts"])
    for name in DEMO:
        assert batch["hosts"][name]["spool"]["bytes"] > 0        # registered light, the rest spooled
        assert "findings" not in batch["hosts"][name]
        expected = _per_host(tmp_path, name, hostvars)
        assert expected["findings"], name                          # the demo hosts carry findings
        assert _comparable(full[name]) == _comparable(expected), name


def test_hosts_without_an_evidence_folder_are_left_to_the_live_play(tmp_path):
    hostvars = _hostvars({"live01": {"ansible_connection": "winrm"}, "live02": {"taskguard_offline_root": ""}})
    batch = _batch(tmp_path, ["live01", "dc01", "live02"], hostvars)
    assert batch["live_hosts"] == ["live01", "live02"]
    assert batch["offline_hosts"] == ["dc01"] and set(batch["hosts"]) == {"dc01"}


def test_a_missing_folder_fails_that_host_as_the_per_host_audit_does(tmp_path):
    hostvars = _hostvars({"gone": {"taskguard_offline_root": str(tmp_path / "nowhere")}})
    batch = _batch(tmp_path, ["gone", "srv01"], hostvars)
    expected = _per_host(tmp_path, "gone", hostvars)
    assert batch["failed_hosts"] == ["gone"]
    assert batch["hosts"]["gone"]["failed"] and batch["hosts"]["gone"]["msg"] == expected["msg"]
    assert "does not exist" in expected["msg"]
    assert not batch["hosts"]["srv01"].get("failed")


class _Broken(dict):
    """A host's variables whose evidence folder variable cannot be templated."""

    def __getitem__(self, key):
        if key == "taskguard_offline_root":
            raise RuntimeError("'site' is undefined")
        return dict.__getitem__(self, key)


def test_a_host_whose_variables_cannot_be_read_fails_alone(tmp_path):
    hostvars = _hostvars()
    hostvars["broken"] = _Broken(taskguard_offline_root="{{ site }}/x")
    hostvars["bad_events"] = dict(hostvars["dc01"], taskguard_max_events="lots")
    batch = _batch(tmp_path, ["broken", "bad_events", "dc01"], hostvars)
    assert sorted(batch["failed_hosts"]) == ["bad_events", "broken"]
    assert "variables of this host cannot be read" in batch["hosts"]["broken"]["msg"]
    assert "'site' is undefined" in batch["hosts"]["broken"]["msg"]
    assert "not valid" in batch["hosts"]["bad_events"]["msg"] and "max_events" in batch["hosts"]["bad_events"]["msg"]
    assert batch["hosts"]["dc01"]["verdict"]["state"] in ("compromised", "suspicious", "incomplete", "clean")
    assert not batch["hosts"]["dc01"].get("failed")


def test_a_host_not_in_the_inventory_fails_alone(tmp_path):
    batch = _batch(tmp_path, ["ghost", "dc01"], _hostvars())
    assert batch["failed_hosts"] == ["ghost"] and "not a host of the inventory" in batch["hosts"]["ghost"]["msg"]


def test_one_worker_gives_the_same_results(tmp_path):
    hostvars = _hostvars()
    one = _batch(tmp_path / "one", list(DEMO), hostvars, workers=1)
    two = _batch(tmp_path / "two", list(DEMO), hostvars, workers=2)
    assert one["workers"] == 1
    a = result_spool.resolve(str(tmp_path / "one" / "state"), one["hosts"])[0]
    b = result_spool.resolve(str(tmp_path / "two" / "state"), two["hosts"])[0]
    assert {h: _comparable(r) for h, r in a.items()} == {h: _comparable(r) for h, r in b.items()}


@pytest.mark.parametrize("args,message", [
    ({"hosts": ["dc01", "dc01"]}, "more than once"),
    ({"workers": -1}, "workers must be 0"),
])
def test_unusable_arguments_fail_the_task(tmp_path, args, message):
    with pytest.raises(AnsibleActionFail, match=message):
        _batch(tmp_path, args.pop("hosts", ["dc01"]), _hostvars(), **args)


def test_the_report_takes_the_batch_results_and_reads_the_others_from_hostvars(tmp_path):
    """drift.yml's report: evidence folders from audit_offline's ``hosts``, live hosts
    from their registered taskguard_audit; a host in neither is not audited."""
    import json
    from ansible_collections.taskguard.windows.plugins.action.drift_report import ActionModule as ReportAction
    hostvars = _hostvars()
    batch = _batch(tmp_path, ["dc01", "srv01"], hostvars)
    live = _per_host(tmp_path, "adminws01", hostvars)               # stands for a live host's registered result
    report = harness.make_action(ReportAction, "taskguard.windows.drift_report", {
        "hosts": ["dc01", "srv01", "adminws01", "lost"], "offline_result_var": "taskguard_offline_audit",
        "formats": ["json"], "report_dir": str(tmp_path / "r"), "state_dir": str(tmp_path / "state"), "run_id": "t"})
    out = report.run(task_vars={"taskguard_offline_audit": batch,
                                "hostvars": {"adminws01": {"taskguard_audit": live}, "lost": {},
                                             "dc01": {"taskguard_audit": {"failed": True, "msg": "ignored"}}}})
    doc = json.loads((tmp_path / "r" / "drift.json").read_text())
    assert doc["hosts"]["dc01"]["findings"] and doc["hosts"]["srv01"]["findings"]      # from the batch
    assert doc["hosts"]["adminws01"]["findings"]                                        # from hostvars
    assert out["unaudited_hosts"] == ["lost"]
    assert not os.listdir(tmp_path / "state" / "spool")          # the batch's files were read, then removed


def _report(tmp_path, task_vars):
    from ansible_collections.taskguard.windows.plugins.action.drift_report import ActionModule as ReportAction
    report = harness.make_action(ReportAction, "taskguard.windows.drift_report", {
        "hosts": ["dc01"], "offline_result_var": "taskguard_offline_audit", "formats": ["json"],
        "report_dir": str(tmp_path / "r"), "state_dir": str(tmp_path / "state"), "run_id": "t"})
    return report.run(task_vars=task_vars)


def test_when_the_batch_failed_as_a_whole_the_per_host_results_are_read(tmp_path):
    per_host = _per_host(tmp_path, "dc01", _hostvars())
    out = _report(tmp_path, {"taskguard_offline_audit": {"failed": True, "msg": "boom"},
                             "hostvars": {"dc01": {"taskguard_audit": per_host}}})
    assert out["unaudited_hosts"] == [] and out["summary"]["findings"] > 0


def test_a_variable_that_is_not_the_batch_result_stops_the_report(tmp_path):
    with pytest.raises(AnsibleActionFail, match="not the registered result of taskguard.windows.audit_offline"):
        _report(tmp_path, {"taskguard_offline_audit": {"hosts": ["dc01"]}, "hostvars": {}})


class _BrokenTier(dict):
    def __getitem__(self, key):
        if key == "taskguard_tier":
            raise RuntimeError("'tiers' is undefined")
        return dict.__getitem__(self, key)


def test_a_live_host_is_not_looked_at_beyond_its_evidence_folder_variable(tmp_path):
    hostvars = _hostvars()
    hostvars["live01"] = _BrokenTier(taskguard_tier="{{ tiers }}", group_names=["windows"])
    hostvars["nofolder"] = {"taskguard_offline_root": False}          # false means live, as in the per-host audit
    batch = _batch(tmp_path, ["live01", "nofolder", "dc01"], hostvars)
    assert batch["live_hosts"] == ["live01", "nofolder"] and batch["failed_hosts"] == []
    assert batch["offline_hosts"] == ["dc01"]


def test_a_folder_variable_that_cannot_be_read_fails_the_host_without_a_mode(tmp_path):
    hostvars = _hostvars()
    hostvars["broken"] = _Broken(taskguard_offline_root="{{ site }}/x")
    batch = _batch(tmp_path, ["broken"], hostvars)
    assert batch["failed_hosts"] == ["broken"] and batch["hosts"]["broken"]["mode"] is None
    assert batch["offline_hosts"] == [] and batch["live_hosts"] == []


def test_workers_never_exceed_the_evidence_folders(tmp_path):
    batch = _batch(tmp_path, ["dc01", "srv01"], _hostvars(), workers=8)
    assert batch["workers"] == 2


def test_broken_risk_rules_fail_every_evidence_host_with_its_mode(tmp_path):
    rules = tmp_path / "rules.yml"
    rules.write_text("rules: [\n", encoding="utf-8")
    hostvars = _hostvars()
    batch = _batch(tmp_path, ["dc01", "srv01"], hostvars, extra_rule_files=[str(rules)])
    assert batch["failed_hosts"] == ["dc01", "srv01"]
    for name in ("dc01", "srv01"):
        assert batch["hosts"][name]["mode"] == "offline" and batch["hosts"][name]["msg"].startswith("risk rules: ")
    per_host = harness.make_action(audit_action.ActionModule, "taskguard.windows.audit",
                                   {"state_dir": str(tmp_path / "state"), "extra_rule_files": [str(rules)]})
    expected = per_host.run(task_vars=dict(hostvars["dc01"], inventory_hostname="dc01"))
    assert expected["msg"] == batch["hosts"]["dc01"]["msg"] and expected["mode"] == "offline"
