# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Matching (exact, glob, {sid}, case, scopes) and comparison of definitions."""
from __future__ import annotations

import textwrap

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_compare import (
    normalize_arguments, normalize_command,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import load_inventory

from .conftest import TODAY

SID = "S-1-5-21-2212929841-2730996645-2649195864-1000"

INVENTORY = textwrap.dedent("""\
    inventory_version: 1
    owner: {name: Contoso, kind: vendor, contact: ops@contoso.example}
    defaults:
      approval: {ticket: CHG-7, approver: alice, date: "2026-01-10"}
    tasks:
      - path: '\\Contoso\\Agent'
        justification: agent
        required: true
        scope: {groups: [contoso_agents]}
        expected:
          principal: {user_id: SYSTEM, run_level: HighestAvailable}
          actions:
            - {type: exec, command: '%ProgramFiles%\\Contoso\\agent.exe', arguments_pattern: '--job *'}
          triggers: [{type: boot}, {type: daily}]
          hidden: false
        allowed_registrants: ['CONTOSO\\svc-deploy', 'S-1-5-18']
      - path: '\\Contoso\\DC Sync'
        justification: dc only
        scope: {domain_role: [domain_controller]}
        expected:
          principal: {user_id: S-1-5-18}
          actions: [{type: com_handler, class_id: '{11111111-2222-3333-4444-555555555555}'}]
      - path: '\\Contoso\\Win11 Only'
        justification: w11
        scope: {os_family: [windows_11], hosts: ['ws-*']}
        expected:
          actions: [{type: exec, command: 'C:\\Windows\\System32\\cmd.exe'}]
      - path_pattern: '\\Contoso\\User Sync-{sid}'
        justification: per user
        expected:
          principal: {user_id: '{sid}', logon_type: InteractiveToken}
          actions: [{type: exec, command: '%LocalAppData%\\Contoso\\sync.exe'}]
      - path_pattern: '\\Contoso\\Jobs\\**'
        justification: any job
        expected:
          fingerprint: 0123456789abcdef
""")

HOST = {"name": "ws-01", "groups": ["contoso_agents"], "os_family": "windows_11",
        "domain_role": "member_workstation"}


@pytest.fixture
def inventory(write):
    write("contoso.yml", INVENTORY)
    inv = load_inventory([str(write.root)], today=TODAY)
    assert inv.errors == []
    return inv


def agent_task(**changes):
    task = {
        "path": "\\Contoso\\Agent", "name": "Agent", "hidden": False, "enabled": True,
        "principal": {"id": "Author", "user_id": "NT AUTHORITY\\SYSTEM", "group_id": None,
                      "logon_type": "ServiceAccount", "run_level": "HighestAvailable"},
        "actions": [{"type": "exec", "command": '"C:\\Program Files\\Contoso\\agent.exe"',
                     "arguments": "--job nightly", "working_directory": None, "class_id": None, "data": None}],
        "triggers": [{"type": "daily", "enabled": True}, {"type": "boot", "enabled": True}],
        "fingerprint": "ff",
    }
    task.update(changes)
    return task


def test_exact_match_is_case_insensitive(inventory):
    view = inventory.for_host(HOST)
    assert view.match("\\contoso\\AGENT").path == "\\Contoso\\Agent"
    assert view.match("\\Contoso\\Agent2") is None
    assert view.match("") is None


def test_scope_by_group(inventory):
    assert inventory.for_host(dict(HOST, groups=[])).match("\\Contoso\\Agent") is None


def test_scope_by_domain_role(inventory):
    assert inventory.for_host(HOST).match("\\Contoso\\DC Sync") is None
    assert inventory.for_host(dict(HOST, domain_role="domain_controller")).match("\\Contoso\\DC Sync") is not None


def test_scope_by_os_family_and_host_pattern(inventory):
    assert inventory.for_host(HOST).match("\\Contoso\\Win11 Only") is not None
    assert inventory.for_host(dict(HOST, os_family="windows_10")).match("\\Contoso\\Win11 Only") is None
    assert inventory.for_host(dict(HOST, name="db-01")).match("\\Contoso\\Win11 Only") is None
    assert inventory.for_host(dict(HOST, name="WS-02")).match("\\Contoso\\Win11 Only") is not None


def test_glob_and_sid_patterns(inventory):
    view = inventory.for_host(HOST)
    assert view.match("\\Contoso\\Jobs\\a\\b").path_pattern == "\\Contoso\\Jobs\\**"
    assert view.match("\\Contoso\\User Sync-" + SID).path_pattern == "\\Contoso\\User Sync-{sid}"
    assert view.match("\\Contoso\\User Sync-Bob") is None


def test_required_entries(inventory):
    assert [e.path for e in inventory.for_host(HOST).required_entries()] == ["\\Contoso\\Agent"]
    assert inventory.for_host(dict(HOST, groups=[])).required_entries() == []


def test_compare_equal_despite_spelling(inventory):
    entry = inventory.for_host(HOST).match("\\Contoso\\Agent")
    assert entry.compare(agent_task()) == []


@pytest.mark.parametrize("changes,field", [
    ({"principal": {"user_id": "CONTOSO\\bob", "logon_type": "Password", "run_level": "HighestAvailable"}},
     "principal.user_id"),
    ({"principal": {"user_id": "S-1-5-18", "run_level": "LeastPrivilege"}}, "principal.run_level"),
    ({"actions": [{"type": "exec", "command": "C:\\Users\\Public\\agent.exe", "arguments": "--job x"}]},
     "actions[0].command"),
    ({"actions": [{"type": "exec", "command": "C:\\Program Files\\Contoso\\agent.exe", "arguments": "-enc AAAA"}]},
     "actions[0].arguments"),
    ({"actions": []}, "actions"),
    ({"actions": [{"type": "com_handler", "class_id": "{11111111-2222-3333-4444-555555555555}"}]}, "actions[0].type"),
    ({"triggers": [{"type": "logon", "enabled": True}, {"type": "boot", "enabled": True}]}, "triggers"),
    ({"hidden": True}, "hidden"),
])
def test_compare_reports_each_difference(inventory, changes, field):
    entry = inventory.for_host(HOST).match("\\Contoso\\Agent")
    diffs = entry.compare(agent_task(**changes))
    assert [d["field"] for d in diffs] == [field]
    assert set(diffs[0]) == {"field", "expected", "actual"}


def test_sid_principal_must_equal_the_sid_in_the_path(inventory):
    entry = inventory.for_host(HOST).match("\\Contoso\\User Sync-" + SID)
    task = {"path": "\\Contoso\\User Sync-" + SID, "name": "User Sync-" + SID,
            "principal": {"user_id": SID, "logon_type": "InteractiveToken"},
            "actions": [{"type": "exec", "command": "%localappdata%\\Contoso\\sync.exe"}]}
    assert entry.compare(task) == []
    task["principal"] = {"user_id": "S-1-5-18", "logon_type": "InteractiveToken"}
    assert [d["field"] for d in entry.compare(task)] == ["principal.user_id"]


def test_fingerprint_entry(inventory):
    entry = inventory.for_host(HOST).match("\\Contoso\\Jobs\\x")
    assert entry.compare({"fingerprint": "0123456789ABCDEF"}) == []
    assert [d["field"] for d in entry.compare({"fingerprint": "00"})] == ["fingerprint"]
    assert [d["field"] for d in entry.compare({"fingerprint": None})] == ["fingerprint"]


def test_missing_arguments_in_entry_means_none_allowed(inventory):
    entry = inventory.for_host(HOST).match("\\Contoso\\Win11 Only")
    ok = {"actions": [{"type": "exec", "command": "%windir%\\system32\\CMD.EXE", "arguments": "  "}]}
    assert entry.compare(ok) == []
    bad = {"actions": [{"type": "exec", "command": "%windir%\\system32\\cmd.exe", "arguments": "/c calc"}]}
    assert [d["field"] for d in entry.compare(bad)] == ["actions[0].arguments"]


def test_allowed_registrants(inventory):
    entry = inventory.for_host(HOST).match("\\Contoso\\Agent")
    assert entry.allows_registrant("contoso\\SVC-DEPLOY") is True
    assert entry.allows_registrant("NT AUTHORITY\\SYSTEM") is True     # alias of S-1-5-18
    assert entry.allows_registrant("CONTOSO\\mallory") is False
    assert entry.allows_registrant(None) is False
    other = inventory.for_host(dict(HOST, domain_role="domain_controller")).match("\\Contoso\\DC Sync")
    assert other.allows_registrant("anyone") is None


def test_expired_and_source(inventory, write):
    entry = inventory.for_host(HOST).match("\\Contoso\\Agent")
    assert entry.expired is False
    assert entry.source["line"] == 6 and entry.source["file"].endswith("contoso.yml")


@pytest.mark.parametrize("a,b", [
    ('"C:\\Windows\\System32\\cmd.exe"', "%SystemRoot%\\system32\\cmd.exe"),
    ("%windir%\\System32\\cmd.exe", "c:/windows/system32/CMD.exe"),
    ("C:\\Program Files (x86)\\X\\y.exe", "%ProgramFiles(x86)%\\x\\Y.EXE"),
    ("%SystemDrive%\\Tools\\a.exe", "C:\\tools\\a.exe"),
])
def test_command_normalization(a, b):
    assert normalize_command(a) == normalize_command(b)


def test_program_files_x86_is_not_program_files():
    assert normalize_command("C:\\Program Files (x86)\\a.exe") != normalize_command("C:\\Program Files\\a.exe")


def test_arguments_normalization():
    assert normalize_arguments("  /a   /B  ") == normalize_arguments("/A /b")
    assert normalize_arguments("") is None and normalize_arguments(None) is None


def test_command_and_argument_patterns_use_the_canonical_form(write):
    write("p.yml", textwrap.dedent("""\
        inventory_version: 1
        owner: {name: p, kind: internal, contact: x}
        tasks:
          - path: '\\P\\Job'
            justification: j
            expected:
              principal: {user_id: 'CONTOSO\\svc'}
              actions:
                - {type: exec, command_pattern: 'C:\\Windows\\System32\\*.exe', arguments_pattern: '/run  *'}
        """))
    inventory = load_inventory([str(write.root)], today=TODAY)
    assert inventory.errors == []
    entry = inventory.for_host({}).match("\\P\\Job")
    ok = {"principal": {"user_id": "contoso\\SVC"},
          "actions": [{"type": "exec", "command": '"%windir%\\system32\\cmd.exe"', "arguments": "/RUN   x"}]}
    assert entry.compare(ok) == []
    bad = {"principal": {"user_id": "contoso\\svc"},
           "actions": [{"type": "exec", "command": "C:\\Users\\Public\\cmd.exe", "arguments": "/stop"}]}
    assert [d["field"] for d in entry.compare(bad)] == ["actions[0].command", "actions[0].arguments"]


def test_shipped_ansible_entries_allow_win_updates_ephemeral_task():
    from .conftest import REPO_ROOT
    inventory = load_inventory([str(REPO_ROOT / "task_inventory" / "internal")], today=TODAY)
    assert inventory.errors == []
    view = inventory.for_host({"name": "any", "os_family": "windows_server_2022"})
    # the shape win_updates.ps1 (ansible.windows 3.3.0) registers
    task = {"path": "\\ansible-win_updates", "name": "ansible-win_updates",
            "principal": {"user_id": "S-1-5-21-1-2-3-500", "logon_type": "S4U", "run_level": "HighestAvailable"},
            "actions": [{"type": "exec", "command": "C:\\Windows\\System32\\cmd.exe", "arguments": None}],
            "triggers": []}
    entry = view.match(task["path"])
    assert entry is not None and entry.compare(task) == []
    task["actions"][0]["arguments"] = "/c powershell -enc AAAA"
    assert [d["field"] for d in entry.compare(task)] == ["actions[0].arguments"]
    assert view.match("\\Microsoft\\ansible-x") is None
    runner = view.match("\\Ansible.Windows._TaskSchedulerRunner-1234")
    assert runner is not None
    assert runner.compare({"actions": [{"type": "exec", "command": "C:\\Users\\Public\\x.exe"}]})
