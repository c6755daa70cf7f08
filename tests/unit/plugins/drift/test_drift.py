# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-host drift classification: every finding kind, severity floors, stability, scale."""
from __future__ import annotations

from audit_call import audit_host
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK, load_rules

from .helpers import SYSTEM, StubEntry, StubHostView, event, events_result, make_task, tasks_result

RULES = load_rules()


def run(tasks=(), entries=(), events=None, **kw):
    tr = kw.pop("tr", None) or tasks_result(tasks)
    er = events if events is not None else events_result()
    return audit_host("h1", tr, er, StubHostView(entries), RULES, host={"name": "h1"},
                      propose=kw.pop("propose", lambda t, h: {"path": t["path"], "review": {"status": "unconfirmed"}}))


def kinds(audit):
    return sorted((f["kind"], f["task"]) for f in audit["findings"])


def test_documented_unchanged_task_gives_nothing():
    audit = run([make_task("\\Vendor\\A")], [StubEntry("\\Vendor\\A")])
    assert {k: audit[k] for k in ("status", "findings")} == {"status": "audited", "findings": []}
    assert audit["verdict"]["state"] == "clean"
    assert audit["summary"]["findings"] == 0 and audit["summary"]["highest_severity"] is None


def test_documented_privileged_task_is_not_scored():
    # SYSTEM + boot + ProgramData matches rules, but the inventory documents it as is
    task = make_task("\\Microsoft\\Windows\\Defender\\Scan", command="C:\\ProgramData\\Microsoft\\MpCmdRun.exe",
                     principal=SYSTEM, triggers=("boot",), hidden=True)
    assert run([task], [StubEntry(task["path"])])["findings"] == []


def test_undocumented_without_rule_hits_is_low_with_proposal():
    audit = run([make_task("\\Vendor\\New")])
    (f,) = audit["findings"]
    assert (f["kind"], f["severity"], f["reasons"]) == ("undocumented", "low", [])
    assert f["proposed_entry"] == {"path": "\\Vendor\\New", "review": {"status": "unconfirmed"}}
    assert f["evidence"]["task"]["path"] == "\\Vendor\\New"
    assert f["entry"] is None


def test_undocumented_suspicious_is_scored():
    audit = run([make_task("\\X", command="C:\\Windows\\Temp\\x.exe", principal=SYSTEM, triggers=("boot",))])
    assert audit["findings"][0]["severity"] == "critical"


def test_modified_has_field_diff_entry_and_risk():
    diff = [{"field": "actions[0].command", "expected": "C:\\Program Files\\V\\a.exe", "actual": "cmd.exe"}]
    task = make_task("\\V\\Job", command="cmd.exe", arguments="/c C:\\Users\\Public\\x.bat", principal=SYSTEM)
    (f,) = run([task], [StubEntry("\\V\\Job", diff=diff, line=7)])["findings"]
    assert f["kind"] == "modified" and f["diff"] == diff
    assert f["entry"] == {"file": "task_inventory/vendors/test.yml", "line": 7}
    assert SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK["high"]
    assert "TG-D001" in {r["rule"] for r in f["reasons"]}


def test_modified_benign_change_is_medium():
    (f,) = run([make_task("\\V\\Job")], [StubEntry("\\V\\Job", diff=[{"field": "triggers", "expected": 1, "actual": 2}])])["findings"]
    assert (f["kind"], f["severity"]) == ("modified", "medium")


def test_missing_required_entry():
    audit = run([], [StubEntry("\\Microsoft\\Windows\\Defender\\Scan", required=True), StubEntry("\\Opt", required=False)])
    assert kinds(audit) == [("missing", "\\Microsoft\\Windows\\Defender\\Scan")]
    assert audit["findings"][0]["severity"] == "medium"


def test_missing_not_reported_when_task_collection_failed():
    # no task result: we could not look, so nothing is "missing" -- a coverage gap says so instead
    audit = audit_host("h1", None, events_result(), StubHostView([StubEntry("\\A", required=True)]), RULES)
    assert [f["kind"] for f in audit["findings"]] == ["coverage_gap"]
    assert audit["status"] == "partial"


def test_hidden_registry_concealment_even_when_documented():
    task = make_task("\\V\\Job", hidden_reasons=["sd_missing"])
    audit = run([task], [StubEntry("\\V\\Job")])
    (f,) = audit["findings"]
    assert f["kind"] == "hidden" and f["severity"] in ("high", "critical")
    assert f["evidence"]["hidden_reasons"] == ["sd_missing"]
    assert f["entry"]["line"] == 1


def test_hidden_reason_needing_an_unread_source_is_ignored():
    tr = tasks_result([make_task("\\V\\Job", hidden_reasons=["not_in_api"])],
                      sources={"api": False, "files": True, "registry": True})
    audit = run(entries=[StubEntry("\\V\\Job")], tr=tr)
    assert [f["kind"] for f in audit["findings"]] == []


def test_hidden_flag_alone_is_not_concealment():
    assert run([make_task("\\V\\Job", hidden=True)], [StubEntry("\\V\\Job")])["findings"] == []


def test_transient_create_delete_seen_only_in_events():
    definition = make_task("\\bouWFQYO", command="cmd.exe", arguments="/C whoami > %windir%\\Temp\\b.tmp 2>&1",
                           principal=SYSTEM)
    evs = [event(1, 4698, "registered", "\\bouWFQYO", definition=definition),
           event(2, 4699, "deleted", "\\bouWFQYO", time="2025-11-24T13:04:41.0220000Z")]
    audit = run([], [], events=events_result(evs))
    (f,) = audit["findings"]
    assert (f["kind"], f["task"]) == ("transient", "\\bouWFQYO")
    assert f["severity"] in ("high", "critical")
    assert [e["record_id"] for e in f["evidence"]["events"]] == [1, 2]
    # no allowlist proposal for what must be investigated first (a copied proposal must not silence it)
    assert f["proposed_entry"] is None and f["proposal_withheld"].startswith("investigate before documenting")


def test_transient_without_definition_is_still_medium():
    evs = [event(1, 106, "registered", "\\tmp1", channel="Microsoft-Windows-TaskScheduler/Operational"),
           event(2, 141, "deleted", "\\tmp1", channel="Microsoft-Windows-TaskScheduler/Operational")]
    (f,) = run([], [], events=events_result(evs))["findings"]
    assert (f["kind"], f["severity"]) == ("transient", "medium")


def test_documented_short_lived_task_with_allowed_registrant_is_not_transient():
    evs = [event(1, 4698, "registered", "\\Ansible\\runner-1", user="CONTOSO\\ansible"),
           event(2, 4699, "deleted", "\\Ansible\\runner-1", user="CONTOSO\\ansible")]
    entry = StubEntry("\\Ansible\\runner-1", registrants=["CONTOSO\\ansible"])
    assert run([], [entry], events=events_result(evs))["findings"] == []


def test_registered_by_not_allowed_account_one_finding_per_account():
    task = make_task("\\V\\Job")
    evs = [event(1, 4702, "updated", "\\V\\Job", user="CONTOSO\\jdoe"),
           event(2, 140, "updated", "\\V\\Job", user="contoso\\JDOE", channel="Microsoft-Windows-TaskScheduler/Operational"),
           event(3, 4698, "registered", "\\V\\Job", user="CONTOSO\\svc")]
    audit = run([task], [StubEntry("\\V\\Job", registrants=["CONTOSO\\svc"])], events=events_result(evs))
    assert [f["kind"] for f in audit["findings"]] == ["registered_by"]
    assert len(audit["findings"][0]["evidence"]["events"]) == 2


def test_expired_entry():
    (f,) = run([make_task("\\V\\Job")], [StubEntry("\\V\\Job", expired=True)])["findings"]
    assert (f["kind"], f["severity"]) == ("expired", "low")


def test_coverage_gaps_make_the_host_partial():
    cov = {"Security": {"enabled": True, "readable": False, "events_may_be_lost": True, "reasons": ["access_denied"]},
           "Microsoft-Windows-TaskScheduler/Operational": {
               "enabled": False, "readable": True, "events_may_be_lost": True, "reasons": ["channel_disabled"]}}
    tr = tasks_result([], mode="live", sources={"api": True, "files": False, "registry": True},
                      errors=[{"source": "files", "path": "C:\\Windows\\System32\\Tasks\\X", "error": "access denied"}])
    audit = run(tr=tr, events=events_result(coverage=cov, truncated=True))
    titles = " | ".join(f["title"] for f in audit["findings"])
    assert audit["status"] == "partial"
    assert all(f["kind"] == "coverage_gap" for f in audit["findings"])
    for needle in ("Security: channel not readable", "channel disabled", "truncated", "'files' could not be read",
                   "error(s) while reading task source files", "access_denied"):
        assert needle in titles


def test_offline_mode_does_not_expect_the_api():
    audit = run([], tr=tasks_result([], mode="offline", sources={"api": False, "files": True, "registry": True}))
    assert audit["status"] == "audited"


def test_no_events_result_is_a_gap():
    audit = audit_host("h1", tasks_result([]), None, StubHostView([]), RULES)
    assert [(f["kind"], f["severity"]) for f in audit["findings"]] == [("coverage_gap", "high")]


def test_unparseable_task_and_event():
    tr = tasks_result([], unparseable=[{"path": "\\Bad", "source": "file", "error": "DOCTYPE refused"}])
    bad_event = event(9, 4698, "registered", "\\Evil")
    bad_event["definition_error"] = "entity refused"
    er = events_result([bad_event], unparseable=[{"source": "export:x.xml", "record_id": 5, "error": "truncated"}])
    audit = run(tr=tr, events=er)
    got = [(f["kind"], f["task"]) for f in audit["findings"] if f["kind"] == "unparseable"]
    assert sorted(got, key=str) == sorted([("unparseable", "\\Bad"), ("unparseable", None), ("unparseable", "\\Evil")], key=str)


def test_no_inventory_is_a_gap_and_everything_undocumented():
    audit = audit_host("h1", tasks_result([make_task("\\A")]), events_result(), None, RULES)
    assert sorted(f["kind"] for f in audit["findings"]) == ["coverage_gap", "undocumented"]


def test_proposal_failure_does_not_hide_the_finding():
    def boom(task, host):
        raise ValueError("no path")
    audit = run([make_task("\\A")], propose=boom)
    assert audit["findings"][0]["proposed_entry"] == {"error": "could not propose an entry: no path"}


def test_finding_ids_are_stable_and_distinct():
    a = run([make_task("\\A"), make_task("\\B")])
    b = run([make_task("\\B"), make_task("\\A")])
    assert sorted(f["id"] for f in a["findings"]) == sorted(f["id"] for f in b["findings"])
    assert len({f["id"] for f in a["findings"]}) == 2


def test_evidence_is_trimmed():
    (f,) = run([make_task("\\A", arguments="x" * 100_000)])["findings"]
    assert len(f["evidence"]["task"]["actions"][0]["arguments"]) < 3000


def test_hostile_shapes_do_not_crash():
    tr = tasks_result([])
    tr["tasks"] = [None, "x", {"path": None}, {"path": "\\p", "actions": "notalist", "principal": "x",
                                               "triggers": [None], "hidden_reasons": None}]
    er = events_result([None, {"task": None}, {"task": "\\p", "action": "registered", "user": None}])
    audit = audit_host("h1", tr, er, StubHostView([]), RULES)
    assert sorted((f["kind"], f["task"] or "") for f in audit["findings"]) == [
        ("undocumented", "\\p"), ("unparseable", "")]


def test_work_per_task_is_constant():
    """Linear by construction: one inventory lookup and at most one rule evaluation
    per task, whatever the number of tasks (counted, not timed: timing belongs to
    `make bench`, and a timed assertion flakes on a loaded CI machine)."""
    class CountingView(StubHostView):
        calls = 0

        def match(self, path):
            CountingView.calls += 1
            return super().match(path)

    class CountingRules:
        calls = 0

        def evaluate(self, task, *args, **kwargs):
            CountingRules.calls += 1
            return RULES.evaluate(task, *args, **kwargs)

    for n in (200, 2000):
        CountingView.calls = CountingRules.calls = 0
        tasks = [make_task("\\Vendor\\T%d" % i) for i in range(n)]
        extra = [make_task("\\Rogue\\R%d" % i, command="C:\\Windows\\Temp\\r.exe") for i in range(n // 20)]
        view = CountingView([StubEntry("\\Vendor\\T%d" % i) for i in range(n)])
        audit = audit_host("h", tasks_result(tasks + extra), events_result(), view, CountingRules())
        assert len(audit["findings"]) == n // 20
        assert CountingView.calls == n + n // 20
        assert CountingRules.calls <= n + n // 20


def test_registration_events_are_attached_to_task_findings():
    evs = [event(5, 4698, "registered", "\\Rogue", user="CONTOSO\\mallory"),
           event(6, 200, "started", "\\Rogue", channel="Microsoft-Windows-TaskScheduler/Operational")]
    (f,) = run([make_task("\\Rogue")], [], events=events_result(evs))["findings"]
    assert f["kind"] == "undocumented"
    assert [e["record_id"] for e in f["evidence"]["events"]] == [5]
    assert f["evidence"]["events"][0]["user"] == "CONTOSO\\mallory"
