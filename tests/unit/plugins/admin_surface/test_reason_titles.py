# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An admin-surface finding's reasons read as sentences: the catalogue template is
filled with the finding's params in English and in Japanese (the demo's TG-A023
and TG-L001 cards showed "{account} holds..." and "({detail})"), and an account
finding gets no task-registration line."""
from __future__ import annotations

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_findings
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import cards
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.messages import Messages

CASES = [
    ("TG-A023", "SeBatchLogonRight/S-1-5-21-1-2-3-3307", {"account": "CONTOSO\\jdoe", "sid": "S-1-5-21-1-2-3-3307"}),
    ("TG-L001", None, {"detail": "no Windows LAPS or legacy LAPS policy"}),
]


@pytest.mark.parametrize("code,subject,params", CASES)
@pytest.mark.parametrize("language", ["en", "ja"])
def test_reason_titles_are_filled_in_both_languages(code, subject, params, language):
    out = admin_findings.Findings("h")
    finding = out.add(code, subject, params)
    assert "{" not in finding["reasons"][0]["title"]
    assert list(params.values())[0] in finding["reasons"][0]["title"]
    rules, dummy = cards._why(finding, Messages(language))
    assert "{" not in rules[0]["title"] and list(params.values())[0] in rules[0]["title"]


def test_an_account_finding_has_no_registration_line():
    out = admin_findings.Findings("h")
    finding = out.add(*CASES[0])
    msg = Messages("en")
    assert msg("field.no_registrant") not in repr(cards._who(finding, {}, msg))
    # a task finding without a registration event still says so
    task_finding = dict(finding, kind="undocumented", task="\\X")
    assert msg("field.no_registrant") in repr(cards._who(task_finding, {}, msg))
