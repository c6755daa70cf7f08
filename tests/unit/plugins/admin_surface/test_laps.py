# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LAPS state: policy roots, legacy LAPS, last processing events, findings (issue 19)."""
from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface, laps

REPO_ROOT = Path(__file__).resolve().parents[4]
UNIT_FIXTURES = REPO_ROOT / "tests" / "unit" / "fixtures"
FIX = UNIT_FIXTURES / "admin_surface"
WS = {"name": "adminws01", "domain_role": "member_workstation", "groups": []}
DC = {"name": "dc01", "domain_role": "domain_controller", "groups": []}
NOW = datetime.datetime(2026, 12, 3, tzinfo=datetime.timezone.utc)
CSP, GPO, LOCAL = (s for _n, s in laps.ROOTS)


def keys(**given):
    base = {CSP: None, GPO: None, LOCAL: None, laps.LEGACY_KEY: None, laps.LEGACY_CSE_KEY: None}
    base.update({{"csp": CSP, "gpo": GPO, "local": LOCAL, "legacy": laps.LEGACY_KEY,
                  "cse": laps.LEGACY_CSE_KEY}[k]: v for k, v in given.items()})
    return base


@pytest.mark.parametrize("given, manager, root", [
    ({}, None, None),
    ({"gpo": {"BackupDirectory": 2}}, "windows_laps", "gpo"),
    ({"gpo": {"PasswordAgeDays": 10}}, None, "gpo"),                       # BackupDirectory defaults to 0
    # the first root with a value wins; roots are not merged
    ({"csp": {"PasswordComplexity": 4}, "gpo": {"BackupDirectory": 2}}, None, "csp"),
    ({"csp": {}, "gpo": {"BackupDirectory": 1}}, "windows_laps", "gpo"),  # empty root skipped
    ({"legacy": {"AdmPwdEnabled": 1}, "cse": {"DllName": "C:\\Program Files\\LAPS\\CSE\\AdmPwd.dll"}},
     "legacy_laps", "legacy"),
    ({"legacy": {"AdmPwdEnabled": 1}}, "windows_laps_legacy_emulation", "legacy"),
    ({"legacy": {"AdmPwdEnabled": 0}}, None, None),
    ({"gpo": {"BackupDirectory": 2}, "legacy": {"AdmPwdEnabled": 1}}, "windows_laps", "gpo"),
])
def test_policy_roots(given, manager, root):
    model = laps.policy_from_keys(keys(**given))
    assert (model["manager"], model["policy_root"]) == (manager, root)


def _live():
    return json.loads((FIX / "live_workstation.json").read_text())["laps"]


def test_live_events_give_the_last_result():
    model = laps.parse_live_material(_live())
    assert model["manager"] == "windows_laps" and model["password_age_days"] == 30
    assert model["last_result"] == "failure" and model["last_error"] == "Access is denied."
    assert model["last_success"].startswith("2026-10-01T03:00:09")


def test_live_failure_and_age_findings():
    material = admin_surface.normalize_live_admin_surface({"laps": _live()})
    codes = {f["code"]: f for f in admin_surface.audit(WS, material, None, now=NOW)}
    assert codes["TG-L002"]["severity"] == "high" and "Access is denied." in codes["TG-L002"]["title"]
    assert codes["TG-L003"]["params"] == {"days": 62, "age": 30}


def test_not_managed_is_a_finding_but_not_on_a_dc():
    material = {"laps": laps.parse_live_material({"keys": keys(), "events": [], "events_error": None})}
    assert "TG-L001" in {f["code"] for f in admin_surface.audit(WS, material, None, now=NOW)}
    assert "TG-L001" not in {f["code"] for f in admin_surface.audit(DC, material, None, now=NOW)}


def test_channel_absent_is_coverage_not_silence():
    raw = {"keys": keys(gpo={"BackupDirectory": 2}), "events": [],
           "events_error": "System.Diagnostics.Eventing.Reader.EventLogNotFoundException: The specified channel "
                           "could not be found."}
    material = {"laps": laps.parse_live_material(raw)}
    codes = {f["code"] for f in admin_surface.audit(WS, material, None, now=NOW)}
    assert "TG-L011" in codes and "TG-L004" not in codes


def test_no_events_is_an_answer():
    raw = {"keys": keys(gpo={"BackupDirectory": 2}), "events": [],
           "events_error": "System.Exception: No events were found that match the specified selection criteria.",
           "events_error_id": "NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand"}
    codes = {f["code"] for f in admin_surface.audit(WS, {"laps": laps.parse_live_material(raw)}, None, now=NOW)}
    assert codes == {"TG-L004"}


def test_no_events_is_told_by_the_error_id_not_by_the_localized_message():
    # a German host: the message is localized, the FullyQualifiedErrorId is not
    german = {"keys": keys(gpo={"BackupDirectory": 2}), "events": [],
              "events_error": "System.Exception: Es wurden keine Ereignisse gefunden.",
              "events_error_id": "NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand"}
    assert laps.parse_live_material(german)["events_read"] is True
    # the English message without the id (an old collector, or another error) is not an answer
    english = dict(german, events_error="System.Exception: No events were found that match the specified "
                                        "selection criteria.", events_error_id=None)
    model = laps.parse_live_material(english)
    assert model["events_read"] is False and "not read" in model["errors"][0]


def test_hostile_event_xml_is_an_error_not_a_crash():
    raw = {"keys": keys(gpo={"BackupDirectory": 2}), "events_error": None,
           "events": ['<!DOCTYPE x [<!ENTITY a "b">]><Event/>', "<Event><System></System></Event>"]}
    model = laps.parse_live_material(raw)
    assert len(model["errors"]) == 2 and model["last_result"] is None


def test_offline_without_software_hive_is_unread(tmp_path):
    model = laps.collect_offline(str(tmp_path))
    assert model["read"] is False
    [gap] = [f for f in admin_surface.audit(WS, {"laps": model}, None, now=NOW) if f["code"] == "TG-L010"]
    assert "no SOFTWARE hive" in gap["title"]
