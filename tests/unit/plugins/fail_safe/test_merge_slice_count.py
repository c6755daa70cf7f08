# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""merge_reports.yml is never silent when the slice count is unknown (issue 19 review):
a merge job of an AWX workflow is not sliced itself (no awx_job_slice_count), so a
slice that never reported could not be noticed: the job fails, naming the variable,
unless told to accept it, and the merged report says the count was unknown."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.write import write_reports
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import merge_reports, slice_gaps
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report

REPO = Path(__file__).resolve().parents[4]
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


def slice_doc(number, host):
    result = {"status": "audited", "findings": [], "mode": "offline",
              "verdict": {"state": "clean", "reasons": [], "task_sources_read": True}}
    run = {"id": "700", "slice": str(700 + number)}
    if number is not None:
        run["slice_number"] = number
    return build_run_report({host: result}, run)


def test_without_a_count_the_merged_run_says_so_and_names_the_gaps_it_can_see():
    merged = merge_reports([("a", slice_doc(1, "h1")), ("c", slice_doc(3, "h3"))], run_id="700")
    assert merged["run"]["slice_count_known"] is False
    assert merged["run"]["slice_gaps"] == [2]
    assert "missing_slices" not in merged["run"]
    counted = merge_reports([("a", slice_doc(1, "h1")), ("c", slice_doc(3, "h3"))], run_id="700", expected_slices=3)
    assert counted["run"]["slice_count_known"] is True and "slice_gaps" not in counted["run"]


@pytest.mark.parametrize("numbers, gaps", [([1, 2], []), ([2], [1]), ([1, 4], [2, 3]), ([1, None], []), ([], [])])
def test_slice_gaps(numbers, gaps):
    assert slice_gaps([{"slice_number": n} for n in numbers]) == gaps


def _merge(tmp_path, *extra):
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(REPO / "collections"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    cmd = [ANSIBLE_PLAYBOOK, "-i", "localhost,", str(REPO / "playbooks" / "merge_reports.yml"),
           "-e", "taskguard_report_dir=%s" % (tmp_path / "reports"), "-e", "taskguard_run_id=700"] + list(extra)
    return subprocess.run(cmd, cwd=str(REPO), env=env, capture_output=True, text=True, timeout=300, check=False)


def test_merge_playbook_fails_when_the_slice_count_is_unknown_and_warns_when_allowed(tmp_path):
    for number, host in ((1, "h1"), (3, "h3")):
        folder = tmp_path / "reports" / "700" / ("slice-%d" % (700 + number))
        folder.mkdir(parents=True)
        write_reports(slice_doc(number, host), str(folder), ["json"])
    merged_json = tmp_path / "reports" / "700" / "merged" / "drift.json"

    proc = _merge(tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out[-3000:]
    assert "the slice count is unknown, so the merged report" in out and "slice(s) 2 are missing" in out
    assert "taskguard_expected_slices" in out and "taskguard_allow_missing_slices=true" in out
    written = json.loads(merged_json.read_text(encoding="utf-8"))      # written before failing
    assert written["run"]["slice_count_known"] is False and written["run"]["slice_gaps"] == [2]

    proc = _merge(tmp_path, "-e", "taskguard_allow_missing_slices=true")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "WARNING: the slice count of the sliced job is unknown" in out

    proc = _merge(tmp_path, "-e", "taskguard_expected_slices=3")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "only 2 of 3 slices were merged (1 missing: slice 2)" in out
    assert "WARNING: the slice count" not in out and "the slice count is unknown, so" not in out


def test_a_huge_recorded_slice_number_gives_no_gap_list():
    """A report is data: its slice number builds the gap list, so it is bounded."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import MAX_SLICE_NUMBER, slice_gaps
    assert slice_gaps([{"slice_number": 1}, {"slice_number": 3}]) == [2]
    assert slice_gaps([{"slice_number": 1}, {"slice_number": 10 ** 10}]) == []
    assert len(slice_gaps([{"slice_number": MAX_SLICE_NUMBER}])) == MAX_SLICE_NUMBER - 1
