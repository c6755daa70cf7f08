# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 16's acceptance line, as a user gets it: the authentic Windows 10 task
folder audited offline with the repository's own task inventory, no OS hint,
through the production pipeline: \\GameOver critical, nothing else at medium or
above. The Server 2022 lab folder: both planted tasks at high or above."""
from __future__ import annotations

import os
import shutil

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.risk import SEVERITY_RANK

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
TASKS = os.path.join(REPO, "tests", "unit", "fixtures", "authentic", "tasks")
pytestmark = pytest.mark.skipif(not os.path.isdir(TASKS), reason="authentic task folders absent")


def audit(tmp_path, folder, hints=None):
    root = tmp_path / "evidence"
    shutil.copytree(os.path.join(TASKS, folder), root / "Windows" / "System32" / "Tasks")
    ctx = pipeline.prepare(inventory_dirs=[os.path.join(REPO, "task_inventory")])
    result, error = pipeline.audit_offline(ctx, "lab", hints or {}, str(root))
    assert error is None
    return result


def loud(result):
    """The worst severity of each task at medium or above (a task has its own row and, when
    it runs as an ordinary account no entry documents, a TG-A024 row of its own)."""
    out = {}
    for f in result["findings"]:
        if f["task"] and SEVERITY_RANK[f["severity"]] >= SEVERITY_RANK["medium"]:
            out[f["task"]] = max(out.get(f["task"], f["severity"]), f["severity"], key=SEVERITY_RANK.get)
    return out


def test_windows_10_folder_without_os_hint_only_gameover(tmp_path):
    result = audit(tmp_path, "win10-aptsim")
    assert loud(result) == {"\\GameOver": "critical"}
    assert result["verdict"]["state"] == "compromised"
    assert result["verdict"]["reasons"][0]["text"].startswith("\\GameOver: ")


@pytest.mark.parametrize("hint", ["windows_11", "windows_server_2022", "unknown"])
def test_windows_10_folder_with_other_version_hints_stays_quiet_but_for_gameover(tmp_path, hint):
    result = audit(tmp_path, "win10-aptsim", {"os_family": hint})
    assert loud(result) == {"\\GameOver": "critical"}


def test_server_2022_lab_folder_both_planted_tasks(tmp_path):
    found = loud(audit(tmp_path, "server2022-aptsim"))
    assert set(found) == {"\\GameOver", "\\falshupdate22"}
    assert all(SEVERITY_RANK[s] >= SEVERITY_RANK["high"] for s in found.values())
