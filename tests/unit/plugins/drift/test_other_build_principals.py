# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which run-as accounts let a modified built-in task count as "another Windows
build" (TG-D009, low) instead of a modification (TG-D001, medium): the one rule of
well_known_sids.is_built_in, not a second list in drift.py.

The rows marked CHANGED differ from the second list drift.py had before it was
unified (issue review, brief H3): they are built-in principals by SID or in a
spelling inventory_compare maps to a SID, which the old list did not know."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import drift

BASELINE = SimpleNamespace(builtin_baseline=True)
DIFF = [{"field": "arguments", "expected": "-c", "actual": "-c -h -o"}]

TABLE = [
    # (user_id, group_id, other build?, what)
    ("S-1-5-18", None, True, "SYSTEM by SID"),
    ("s-1-5-18", None, True, "SYSTEM by SID in lower case"),
    ("S-1-5-19", None, True, "LOCAL SERVICE by SID"),
    (None, "S-1-5-32-545", True, "the Users group by SID"),
    (None, "S-1-5-4", True, "INTERACTIVE by SID"),
    (None, "S-1-5-11", True, "Authenticated Users by SID"),
    (None, "S-1-1-0", True, "Everyone by SID"),
    ("NT AUTHORITY\\SYSTEM", None, True, "SYSTEM by its English name"),
    (None, "BUILTIN\\Users", True, "Users by its English name"),
    ("HOST\\alice", None, False, "a person's account by name"),
    ("S-1-5-21-1004336348-1177238915-682003330-1104", None, False, "a person's account by SID"),
    ("S-1-5-21-1004336348-1177238915-682003330-500", None, False, "the RID-500 Administrator"),
    ("AUTORITE NT\\Syst\u00e8me", None, False, "SYSTEM by a French name no table knows (fail closed)"),
    ("NT INSTANS\\SYSTEM", None, False, "SYSTEM by a Swedish-style name no table knows (fail closed)"),
    ("NT AUTHORITY\\evil", None, False, "an unknown name under NT AUTHORITY"),
    ("", None, False, "no principal written"),
    # CHANGED by the unification (D001 before, D009 now)
    ("NT-AUTORIT\u00c4T\\SYSTEM", None, True, "CHANGED: SYSTEM by the German name inventory_compare maps"),
    ("S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464", None, True,
     "CHANGED: NT SERVICE\\TrustedInstaller by SID"),
    ("NT SERVICE\\TrustedInstaller", None, True, "CHANGED: a per-service account by name"),
    (None, "Everyone", True, "CHANGED: Everyone by name"),
    (None, "S-1-5-32-544", True, "the Administrators group by SID"),
]


@pytest.mark.parametrize("user_id,group_id,other_build,_what", TABLE, ids=[r[3] for r in TABLE])
def test_which_principals_make_another_build(user_id, group_id, other_build, _what):
    task = {"path": "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag",
            "principal": {"user_id": user_id, "group_id": group_id},
            "actions": [{"type": "exec", "command": "%windir%\\system32\\defrag.exe", "arguments": "-c -h -o"}]}
    assert drift._other_build(BASELINE, task, DIFF) is other_build


def test_a_person_s_account_is_a_modification_even_for_a_windows_program():
    task = {"path": "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", "principal": {"user_id": "CORP\\eve"},
            "actions": [{"type": "exec", "command": "%windir%\\system32\\defrag.exe"}]}
    assert drift._other_build(BASELINE, task, DIFF) is False
    assert drift._other_build(SimpleNamespace(builtin_baseline=False),
                              dict(task, principal={"user_id": "S-1-5-18"}), DIFF) is False
