# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TG-A023's title in the report's language when the holder's name is unknown
(brief H8 point 3): "(name not resolved offline)", "(name not resolved)" and "(no
account has this SID)" are shown in Japanese in a Japanese report (params.name_lookup,
cards.localized_params), asserted through the Markdown, HTML and CSV renderers;
drift.json keeps the English title."""
from __future__ import annotations

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_findings, findings, user_rights
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import csv_format, html_page, markdown
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.document import build_report, host_entry
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.messages import MESSAGES

DOM = "S-1-5-21-1004336348-1177238915-682003330"
FAILED = {"type": "System.SystemException", "hresult": -2146233087, "message": "trust failed"}
GONE = {"type": "System.Security.Principal.IdentityNotMappedException", "hresult": -2146233087,
        "message": "Some or all identity references could not be translated."}


def offline_model():
    return user_rights.from_masks({DOM + "-3307": user_rights.MODE_BITS[user_rights.BATCH]})


def live_model(lookup_error):
    material = {"method": "lsa_api", "error": None, "rights": {
        "SeBatchLogonRight": {"holders": [{"sid": DOM + "-3307", "name": None, "lookup_error": lookup_error}],
                              "truncated": False, "error": None},
        "SeDenyBatchLogonRight": {"holders": [], "truncated": False, "error": None}}}
    return user_rights.parse_live_material(material)


CASES = {"not_looked_up": offline_model, "unresolved": lambda: live_model(FAILED),
         "not_mapped": lambda: live_model(GONE)}


def report(model):
    out = admin_findings.Findings("srv02")
    user_rights.judge(out, model, {"name": "srv02"}, None)
    rows = [findings.with_problems(f) for f in out.sorted()]
    (row,) = [r for r in rows if r["code"] == "TG-A023"]
    return row, build_report({"srv02": host_entry("audited", rows)}, {"id": "r"})


@pytest.mark.parametrize("lookup", sorted(CASES))
def test_the_japanese_title_says_why_the_name_is_unknown_in_japanese(lookup):
    row, doc = report(CASES[lookup]())
    english, japanese = MESSAGES["name_lookup." + lookup]["en"], MESSAGES["name_lookup." + lookup]["ja"]
    assert row["params"]["name_lookup"] == lookup
    assert "%s (%s)" % (DOM + "-3307", english) in row["title"]          # drift.json: English
    shown = "%s（%s）" % (DOM + "-3307", japanese)
    for render in (markdown.render, html_page.render, csv_format.render):
        text = render(doc, "ja").decode("utf-8")
        assert shown in text, render.__module__
        # the English words are gone from the Japanese report (the evidence JSON has none)
        assert english not in text, render.__module__
        assert english in render(doc, "en").decode("utf-8")


def test_the_english_words_are_the_ones_user_rights_writes():
    """One wording in both places: the English title of drift.json and the English
    message of the reports."""
    assert {key: MESSAGES["name_lookup." + key]["en"] for key in user_rights._UNNAMED} == user_rights._UNNAMED


def test_a_holder_with_a_name_has_no_name_lookup():
    model = user_rights.parse_live_material({"method": "lsa_api", "error": None, "rights": {
        "SeBatchLogonRight": {"holders": [{"sid": DOM + "-3307", "name": "CORP\\svc-x", "lookup_error": None}],
                              "truncated": False, "error": None},
        "SeDenyBatchLogonRight": {"holders": [], "truncated": False, "error": None}}})
    row, doc = report(model)
    assert "name_lookup" not in row["params"]
    assert "CORP\\\\svc-x (%s)" % (DOM + "-3307") in markdown.render(doc, "ja").decode("utf-8")
