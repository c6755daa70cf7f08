# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift_reports/gc_pause.py: the report step runs with the cyclic garbage
collector paused and gives the collector back as it found it, also on an error."""
from __future__ import annotations

import gc

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import result_spool
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import gc_pause, write
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_inside_restored_after_also_on_an_error(collector_on):
    with gc_pause.paused():
        assert not gc.isenabled()
        with gc_pause.paused():       # nested: the inner block does not turn it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        with gc_pause.paused():
            raise ZeroDivisionError()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(collector_on):
    gc.disable()
    with gc_pause.paused():
        pass
    assert not gc.isenabled()


def test_the_report_step_pauses_it_and_gives_it_back(collector_on, tmp_path, monkeypatch):
    seen = []
    real = write.fleet

    def watching(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)
    monkeypatch.setattr(write, "fleet", watching)
    ref = result_spool.write(str(tmp_path), "ws1", {"status": "audited", "findings": [], "mode": "offline"})
    results, _spooled = result_spool.resolve(str(tmp_path), {"ws1": {"spool": ref}})
    assert gc.isenabled()
    doc = build_run_report(results, run={"id": "r", "slice": None})
    assert gc.isenabled()
    write.write_reports(doc, str(tmp_path / "reports"))
    assert seen == [False] and gc.isenabled()
    with pytest.raises(ValueError):
        write.write_reports(doc, str(tmp_path / "reports"), formats=["pdf"])
    assert gc.isenabled()


def test_the_report_step_leaves_no_cyclic_garbage(collector_on, tmp_path):
    """Pausing is safe only because what the step builds holds no reference cycle
    (reference counting frees all of it): a full collection after resolve, build and
    every format in both languages finds nothing."""
    from .test_reports import hostile_doc
    hostile = hostile_doc()     # made by the audit (not the report step) before the count starts
    ref = result_spool.write(str(tmp_path), "ws1", {"status": "audited", "findings": [], "mode": "offline"})
    gc.collect()
    gc.disable()
    results, _spooled = result_spool.resolve(str(tmp_path), {"ws1": {"spool": ref}, "gone": None})
    doc = build_run_report(results, run={"id": "r", "slice": None})
    for language in ("en", "ja"):
        write.write_reports(doc, str(tmp_path / language), language=language)
        write.write_reports(hostile, str(tmp_path / ("hostile-" + language)), language=language)
    assert gc.collect() == 0
