# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""write_reports builds the fleet view (host views and task cards, cards.fleet)
once and hands it to the md, html, junit and csv writers: each file must be
exactly what the format renders on its own, and no writer may change the
view the next one reads."""
from __future__ import annotations

import copy
import os

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import cards, write
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report

from .test_reports import hostile_doc

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DEMO = (("dc01", "windows_server_2022", "domain_controller", ["windows"]),
        ("srv01", "windows_server_2022", "member_server", ["windows"]),
        ("adminws01", "windows_11", "member_workstation", ["windows", "admin_workstations"]))
HUMAN = [f for f in write.FORMATS if f != "json"]


def _demo_doc(state_dir):
    """The demo fleet (samples/) as the report step sees it, plus hosts not audited."""
    ctx = pipeline.prepare(inventory_dirs=[os.path.join(REPO, "task_inventory", "vendors", "contoso-backup.yml"),
                                           os.path.join(REPO, "inventories", "demo", "task_inventory")],
                           rule_files=[])
    results = {}
    for name, family, role, groups in DEMO:
        hints = {"groups": groups, "os_family": family, "domain_role": role, "admin_surface": True,
                 "state_dir": state_dir}
        results[name], _err = pipeline.audit_offline(ctx, name, hints, os.path.join(REPO, "samples", name),
                                                     pipeline.Window(None, 5000, None))
    results.update({"gone<1>": {"unreachable": True, "msg": "<b>x</b> | =cmd"}, "none": None})
    return build_run_report(results, run={"id": "r", "slice": None, "generated_at": "2026-01-01T00:00:00Z"})


@pytest.fixture(scope="module", params=["demo", "hostile"])
def doc(request, tmp_path_factory):
    if request.param == "demo":
        return _demo_doc(str(tmp_path_factory.mktemp("state")))
    return hostile_doc()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_each_file_is_what_its_format_renders_alone(doc, language, tmp_path):
    paths = write.write_reports(doc, str(tmp_path), language=language)
    for fmt, path in paths.items():
        with open(path, "rb") as handle:
            assert handle.read() == write.render_report(fmt, doc, language), fmt


def test_the_fleet_is_built_once_per_write(doc, tmp_path, monkeypatch):
    calls = []

    def counting(*args, **kwargs):
        calls.append(args)
        return cards.fleet(*args, **kwargs)
    monkeypatch.setattr(write, "fleet", counting)
    write.write_reports(doc, str(tmp_path / "all"))
    assert len(calls) == 1
    write.write_reports(doc, str(tmp_path / "json"), formats=["json"])
    assert len(calls) == 1      # drift.json alone needs no fleet view


@pytest.mark.parametrize("language", ["en", "ja"])
def test_no_writer_changes_the_fleet_view(doc, language):
    view = cards.fleet(doc, language)
    before = copy.deepcopy(view[1])     # [(tier, [host view])]; view[0] is the message catalogue
    first = {fmt: write.render_report(fmt, doc, language, fleet_view=view) for fmt in HUMAN}
    assert view[1] == before
    assert {fmt: write.render_report(fmt, doc, language, fleet_view=view) for fmt in HUMAN} == first
