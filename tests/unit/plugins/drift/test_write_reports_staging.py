# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""write_reports stages every format (rendered, written and flushed under a
hidden name) before it replaces any report: whatever fails while rendering or
staging leaves the previous set whole, no staged file stays behind, and
drift.json is replaced last."""
from __future__ import annotations

import copy
import errno
import os

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import state
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import write
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.document import build_report

from .test_reports import hostile_doc

NAMES = sorted(name for name, _render in write.FORMATS.values())


@pytest.fixture(scope="module")
def doc():
    return hostile_doc()


def _files(folder):
    return {n: (folder / n).read_bytes() for n in sorted(os.listdir(folder))}


@pytest.fixture
def previous(tmp_path):
    """A report folder holding a complete previous set."""
    out = tmp_path / "r"
    write.write_reports(build_report({}, {"id": "previous"}), str(out))
    assert sorted(os.listdir(out)) == NAMES
    return out, _files(out)


def test_a_format_that_fails_to_render_replaces_nothing(doc, previous, monkeypatch):
    out, before = previous

    def broken(_doc, _language=None, fleet_view=None):
        raise RuntimeError("renderer bug")
    monkeypatch.setitem(write.FORMATS, "csv", ("drift.csv", broken))
    with pytest.raises(RuntimeError):
        write.write_reports(doc, str(out))
    assert _files(out) == before      # the staged json, md, html, junit were removed


def test_a_full_disk_while_staging_a_later_format_replaces_nothing(doc, previous, monkeypatch):
    out, before = previous
    real = state.os.fsync
    calls = []

    def full_on_the_third(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)
    monkeypatch.setattr(state.os, "fsync", full_on_the_third)
    with pytest.raises(state.ReportWriteError, match="no space left on device"):
        write.write_reports(doc, str(out))
    assert _files(out) == before


def test_a_failed_rename_keeps_the_previous_drift_json_and_leaves_no_staged_file(doc, previous, monkeypatch):
    out, before = previous
    real = os.replace
    renamed = []

    def fail_the_second_report(src, dst):
        if os.path.basename(str(src)).startswith(".tmp-") and ".staged-" in os.path.basename(str(src)):
            renamed.append(dst)
            if len(renamed) == 2:
                raise OSError(errno.EIO, "I/O error")
        return real(src, dst)
    monkeypatch.setattr(write.os, "replace", fail_the_second_report)
    with pytest.raises(state.ReportWriteError, match="I/O error"):
        write.write_reports(doc, str(out))
    after = _files(out)
    assert sorted(after) == NAMES      # no staged file left
    assert after["drift.json"] == before["drift.json"]
    assert os.path.basename(renamed[0]) != "drift.json"


def test_success_writes_each_format_once_and_leaves_only_the_reports(doc, tmp_path):
    untouched = copy.deepcopy(doc)
    paths = write.write_reports(doc, str(tmp_path), ["md", "json", "md", "json"])
    assert sorted(paths) == ["json", "md"] and sorted(os.listdir(tmp_path)) == ["drift.json", "drift.md"]
    assert doc == untouched            # rendering json first or last reads the same document
    assert (tmp_path / "drift.md").read_bytes() == write.render_report("md", doc)
    assert (tmp_path / "drift.json").read_bytes() == write.render_report("json", doc)
    assert oct(os.stat(tmp_path / "drift.json").st_mode & 0o777) == oct(state.PUBLIC_FILE)
