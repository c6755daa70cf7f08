# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host of unknown Windows version is matched against the union of the built-in baselines.

Built-in baselines are the files whose ``owner.kind`` is ``baseline``; their
os_family (and domain_role) scopes are wildcards for a host whose version
(role) is unknown. User and vendor entries keep their strict scope.
"""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK

from .conftest import REPO_ROOT, TODAY

AUTHENTIC_TASKS = Path(__file__).resolve().parents[2] / "fixtures" / "authentic" / "tasks"


def baseline(family, command, *, role=None, required=False):
    scope = "{os_family: [%s]%s}" % (family, ", domain_role: [%s]" % role if role else "")
    return textwrap.dedent("""\
        inventory_version: 1
        owner: {name: Microsoft Windows (%(family)s baseline), kind: baseline, contact: maintainers}
        defaults:
          scope: %(scope)s
          approval: {ticket: base-%(family)s, approver: maintainers, date: "2026-01-10"}
        tasks:
          - path: '\\Microsoft\\Windows\\Shared\\Task'
            justification: built in
            required: %(required)s
            expected:
              principal: {user_id: S-1-5-18}
              actions: [{type: exec, command: '%(command)s'}]
          - path_pattern: '\\OneDrive Reporting Task-{sid}'
            justification: per user
            expected:
              principal: {user_id: '{sid}'}
              actions: [{type: exec, command: '%(command)s'}]
          - path: '\\Microsoft\\Windows\\Only %(family)s'
            justification: built in
            expected:
              principal: {user_id: S-1-5-18}
              actions: [{type: exec, command: '%(command)s'}]
        """) % {"family": family, "scope": scope, "command": command, "required": str(required).lower()}


VENDOR_WIN11 = textwrap.dedent("""\
    inventory_version: 1
    owner: {name: Contoso, kind: vendor, contact: ops@contoso.example}
    tasks:
      - path: '\\Contoso\\Win11 Agent'
        justification: windows 11 only
        scope: {os_family: [windows_11]}
        expected:
          principal: {user_id: CONTOSO\\svc}
          actions: [{type: exec, command: 'C:\\agent.exe'}]
""")


def task(path, command, user="S-1-5-18"):
    return {"path": path, "name": path.rsplit("\\", 1)[-1], "hidden": False, "enabled": True,
            "principal": {"id": "Author", "user_id": user, "group_id": None, "logon_type": "ServiceAccount",
                          "run_level": "LeastPrivilege"},
            "actions": [{"type": "exec", "command": command, "arguments": None, "working_directory": None,
                         "class_id": None, "data": None}],
            "triggers": [], "fingerprint": "ff"}


@pytest.fixture
def inventory(write):
    write("baselines/windows_10.yml", baseline("windows_10", "C:\\Windows\\System32\\ten.exe", required=True))
    write("baselines/windows_11.yml", baseline("windows_11", "C:\\Windows\\System32\\eleven.exe"))
    write("baselines/windows_server_2022_dc.yml",
          baseline("windows_server_2022", "C:\\Windows\\System32\\dc.exe", role="domain_controller"))
    write("vendors/contoso.yml", VENDOR_WIN11)
    inv = load_inventory([str(write.root)], today=TODAY)
    assert inv.errors == []
    return inv


HOST = {"name": "ws", "groups": [], "os_family": "unknown", "domain_role": "unknown"}


def test_unknown_version_matches_every_baseline_and_says_so(inventory):
    view = inventory.for_host(HOST)
    assert view.version_unknown is True
    assert view.union_os_families == ["windows_10", "windows_11", "windows_server_2022"]
    for family in ("windows_10", "windows_11", "windows_server_2022"):
        assert view.match("\\Microsoft\\Windows\\Only " + family) is not None


@pytest.mark.parametrize("value", [None, "", "Unknown"])
def test_missing_or_empty_version_is_unknown(inventory, value):
    view = inventory.for_host(dict(HOST, os_family=value))
    assert view.version_unknown is True
    assert view.match("\\Microsoft\\Windows\\Only windows_11") is not None


def test_known_version_keeps_strict_scopes(inventory):
    view = inventory.for_host(dict(HOST, os_family="windows_10", domain_role="member_workstation"))
    assert view.version_unknown is False and view.union_os_families == []
    assert view.match("\\Microsoft\\Windows\\Only windows_10") is not None
    assert view.match("\\Microsoft\\Windows\\Only windows_11") is None
    # the shared path is compared against the windows_10 description only
    entry = view.match("\\Microsoft\\Windows\\Shared\\Task")
    assert entry.compare(task("\\Microsoft\\Windows\\Shared\\Task", "C:\\Windows\\System32\\ten.exe")) == []
    assert entry.compare(task("\\Microsoft\\Windows\\Shared\\Task", "C:\\Windows\\System32\\eleven.exe")) != []


def test_vendor_entries_scoped_to_a_version_stay_strict(inventory):
    assert inventory.for_host(HOST).match("\\Contoso\\Win11 Agent") is None
    assert inventory.for_host(dict(HOST, os_family="windows_11")).match("\\Contoso\\Win11 Agent") is not None


@pytest.mark.parametrize("command", ["C:\\Windows\\System32\\ten.exe", "C:\\Windows\\System32\\eleven.exe",
                                     "C:\\Windows\\System32\\dc.exe"])
def test_a_path_of_several_baselines_fits_any_of_their_descriptions(inventory, command):
    view = inventory.for_host(HOST)
    entry = view.match("\\Microsoft\\Windows\\Shared\\Task")
    assert entry.compare(task("\\Microsoft\\Windows\\Shared\\Task", command)) == []
    sid = "S-1-5-21-1-2-3-1001"
    pattern_entry = view.match("\\OneDrive Reporting Task-" + sid)
    assert pattern_entry.compare(task("\\OneDrive Reporting Task-" + sid, command, user=sid)) == []


def test_a_definition_no_baseline_describes_is_still_a_difference(inventory):
    entry = inventory.for_host(HOST).match("\\Microsoft\\Windows\\Shared\\Task")
    diff = entry.compare(task("\\Microsoft\\Windows\\Shared\\Task", "C:\\Users\\Public\\evil.exe"))
    assert [d["field"] for d in diff] == ["actions[0].command"]
    assert entry.source["file"].endswith("windows_10.yml")   # the first description, in file order


def test_baseline_entries_applied_through_the_union_are_not_required(inventory):
    assert inventory.for_host(HOST).required_entries() == []
    known = inventory.for_host(dict(HOST, os_family="windows_10"))
    assert [e.path for e in known.required_entries()] == ["\\Microsoft\\Windows\\Shared\\Task"]


def test_unknown_role_matches_role_scoped_baseline_entries_of_the_known_version(inventory):
    view = inventory.for_host(dict(HOST, os_family="windows_server_2022"))
    assert view.version_unknown is False and view.role_unknown is True
    assert view.match("\\Microsoft\\Windows\\Only windows_server_2022") is not None
    assert view.match("\\Microsoft\\Windows\\Only windows_10") is None
    member = inventory.for_host(dict(HOST, os_family="windows_server_2022", domain_role="member_server"))
    assert member.match("\\Microsoft\\Windows\\Only windows_server_2022") is None


# ------------------------------------------------------------------ acceptance (issue 16)
def audit_offline(root, inventory, host):
    """Collect an evidence folder and audit it the way the audit action does."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
    from audit_call import audit_host
    tasks_result, events_result, problems = audit_support.collect_offline(root)
    assert problems == []
    if host.get("os_family") is None:   # no hint: what the evidence says
        facts = tasks_result["host"]
        host = dict(host, os_family=facts["os_family"], domain_role=facts["domain_role"])
    view = inventory.for_host(host)
    return view, audit_host("lab", tasks_result, events_result, view, audit_support.load_rules([]), host=host)


def evidence(tmp_path, folder):
    root = tmp_path / "evidence"
    shutil.copytree(str(folder), str(root / "Windows" / "System32" / "Tasks"))
    return str(root)


def google_vendor(tmp_path):
    """The repository's inventory: it ships task_inventory/vendors/google-update.yml."""
    del tmp_path
    inventory = load_inventory([str(REPO_ROOT / "task_inventory")], today=TODAY)
    assert inventory.errors == []
    return inventory


def test_authentic_windows_10_folder_without_os_hint_only_gameover(tmp_path):
    # no hive, no reg export, no hint: whatever the task folder suggests, the
    # version is either inferred or unknown, and the audit must be clean either way
    root = evidence(tmp_path, AUTHENTIC_TASKS / "win10-aptsim")
    dummy, audit = audit_offline(root, google_vendor(tmp_path), {"name": "lab", "groups": [], "os_family": None})
    tasks = [f for f in audit["findings"] if f["task"] is not None]
    at_least_medium = {f["task"]: f["severity"] for f in tasks if SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK["medium"]}
    assert at_least_medium == {"\\GameOver": "critical"}
    assert {f["kind"] for f in audit["findings"] if f["task"] is None} <= {"coverage_gap", "note"}


def test_authentic_windows_10_folder_as_unknown_version(tmp_path):
    """The same audit with the version forced to unknown (the union of all baselines)."""
    root = evidence(tmp_path, AUTHENTIC_TASKS / "win10-aptsim")
    host = {"name": "lab", "groups": [], "os_family": "unknown", "domain_role": "unknown"}
    view, audit = audit_offline(root, google_vendor(tmp_path), host)
    assert view.version_unknown and "windows_10" in view.union_os_families
    tasks = {f["task"]: f["severity"] for f in audit["findings"] if f["task"] is not None}
    assert tasks == {"\\GameOver": "critical"}
    notes = [f["title"] for f in audit["findings"] if f["kind"] == "note"]
    assert any("matched against all built-in baselines" in n for n in notes)
    assert set(view.union_os_families) == {"windows_10", "windows_11", "windows_server_2019"}


def test_a_version_without_built_in_baseline_gets_the_union_too(inventory):
    """windows_server_2025 is supported but no baseline covers it: matching it against
    nothing would report every built-in task; it is matched like an unknown version."""
    view = inventory.for_host(dict(HOST, os_family="windows_server_2025", domain_role="member_server"))
    assert view.version_unknown is False and view.baseline_missing is True
    # the windows_server_2022 file is for domain controllers: the role is known and differs
    assert view.union_os_families == ["windows_10", "windows_11"]
    assert view.match("\\Microsoft\\Windows\\Only windows_11") is not None
    assert view.match("\\Microsoft\\Windows\\Only windows_server_2022") is None
    assert view.match("\\Contoso\\Win11 Agent") is None          # user entries stay strict
    assert view.required_entries() == []
    covered = inventory.for_host(dict(HOST, os_family="windows_11"))
    assert covered.baseline_missing is False and covered.union_os_families == []


def test_shipped_baselines_cover_what_they_say(tmp_path):
    inventory = load_inventory([str(REPO_ROOT / "task_inventory")], today=TODAY)
    for family, missing in (("windows_10", False), ("windows_11", False), ("windows_server_2019", False),
                            ("windows_server_2016", True), ("windows_server_2022", True),
                            ("windows_server_2025", True)):
        assert inventory.for_host({"name": "h", "os_family": family}).baseline_missing is missing, family
