# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An admin-surface part that was not collected is a coverage finding, never a table that looks clean
(issue 19: TG-L010 when LAPS is required and its state is missing; TG-A010 for the Administrators group)."""
from __future__ import annotations

import datetime

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface

WS = {"name": "ws01", "domain_role": "member_workstation", "groups": []}
DC = {"name": "dc01", "domain_role": "domain_controller", "groups": []}
NOW = datetime.datetime(2026, 12, 3, tzinfo=datetime.timezone.utc)


class _Policy(object):
    def __init__(self, laps):
        self.raw = {"laps": laps}
        self.source = {"file": "admins.yml", "line": 7}


class _View(object):
    """The part of inventory_admins.AdminView the LAPS and Administrators judges use."""

    def __init__(self, laps=None):
        self.entries = []
        self._policy = _Policy(laps) if laps else None

    def policy(self, key):
        return (self._policy.raw[key], self._policy) if self._policy is not None else (None, None)

    def match(self, member, machine_sid=None):
        return None

    def required_entries(self):
        return []


def _codes(host, material, view):
    return {f["code"]: f for f in admin_surface.audit(host, material, None, admin_view=view, now=NOW)}


@pytest.mark.parametrize("host, laps, severity", [
    (WS, "required", "high"),
    (DC, "required", "high"),          # the table asks for LAPS on this DC: not knowing is a gap
    (WS, None, "medium"),              # no policy: "not managed" would be a finding, so is not knowing
])
def test_laps_not_collected_is_tg_l010(host, laps, severity):
    found = _codes(host, {"laps": None}, _View(laps))
    assert found["TG-L010"]["severity"] == severity
    assert found["TG-L010"]["kind"] == "coverage_gap"
    assert "not collected" in found["TG-L010"]["title"]
    if laps:
        assert found["TG-L010"]["entry"] == {"file": "admins.yml", "line": 7}


@pytest.mark.parametrize("host, laps", [(WS, "not_required"), (DC, None)])
def test_laps_not_collected_where_it_is_not_asked_for_says_nothing(host, laps):
    assert "TG-L010" not in _codes(host, {"laps": None}, _View(laps))


def test_live_result_without_laps_part_is_not_clean():
    material = admin_surface.normalize_live_admin_surface({"administrators": None})   # an old collector
    assert material["laps"] is None
    assert "TG-L010" in _codes(WS, material, _View("required"))


@pytest.mark.parametrize("view", [None, _View()])
def test_administrators_not_collected_is_tg_a010_with_or_without_a_table(view):
    found = _codes(WS, {"administrators": None}, view)
    assert found["TG-A010"]["kind"] == "coverage_gap"
    assert "not collected" in found["TG-A010"]["title"]


def test_a_part_left_out_of_the_material_is_not_judged():
    assert _codes(WS, {}, _View("required")) == {}
