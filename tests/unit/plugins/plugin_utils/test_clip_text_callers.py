# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One clip helper (errors.clip_text): the hardening report's details and the
self-test document cut a host's long text at their own bound, the bound included,
the cut marked with an ellipsis like every other bounded text of the collection.
(event_collection's foreign-record details use it too:
tests/unit/plugins/task_events/test_foreign_records.py pins their bound.)"""
from __future__ import annotations

import json
from pathlib import Path

from ansible_collections.taskguard.windows.plugins.plugin_utils import hardening, selftest
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import clip_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HUGE = "x" * 100000


def test_a_long_host_message_in_a_hardening_detail_is_cut_at_its_bound():
    facts = json.loads((FIXTURES / "hardening" / "facts_member_workstation.json").read_text(encoding="utf-8"))
    plan = hardening.build_plan(facts, dict({cid: True for cid in hardening.CONTROLS},
                                            **{"TG-H5F": False, "TG-H8": False, "fps_force": False}))["controls"]
    record = hardening.evaluate_control("TG-H2", plan["TG-H2"], [{"failed": True, "msg": HUGE}], True)
    assert len(record["detail"]) == hardening._MAX_DETAIL          # at most the bound, the bound used
    assert record["detail"].endswith("x\u2026")


def test_a_long_host_message_in_the_selftest_document_is_cut_at_its_bound():
    data = json.loads((FIXTURES / "selftest" / "raw_pass.json").read_text(encoding="utf-8"))
    data["register"] = {"failed": True, "msg": HUGE}
    doc = selftest.build_document("lab1", selftest.collect_inputs(data))
    texts = []

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and "xxxxxxxxxx" in value:
            texts.append(value)
    walk(doc)
    assert texts                                                    # the message is there, cut
    assert all(len(text) <= selftest._MAX_TEXT for text in texts)
    assert clip_text(HUGE, selftest._MAX_TEXT) in texts
