# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter plugin wires the role to plugin_utils/hardening.py and turns input errors into filter errors."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.taskguard.windows.plugins.filter.hardening import FilterModule

FILTERS = FilterModule().filters()


def test_all_role_filters_are_exported():
    assert set(FILTERS) == {
        "hardening_plan", "hardening_report", "hardening_at_least",
        "hardening_round_up_64k", "hardening_safe_filename",
    }


def test_input_error_becomes_filter_error():
    with pytest.raises(AnsibleFilterError, match="taskguard.windows hardening"):
        FILTERS["hardening_plan"]({}, {"TG-H1": "yes"})
    with pytest.raises(AnsibleFilterError):
        FILTERS["hardening_at_least"](5, 0)


def test_report_via_filter_keeps_host_strings_as_data():
    settings = {cid: False for cid in ("TG-H1", "TG-H2", "TG-H3", "TG-H4", "TG-H5", "TG-H5F", "TG-H6", "TG-H7", "TG-H8")}
    plan = FILTERS["hardening_plan"]({}, settings)
    report = FILTERS["hardening_report"]([], "{{ lookup('pipe', 'id') }}", plan, True, None)
    # The host name is returned verbatim, never rendered.
    assert report["host"] == "{{ lookup('pipe', 'id') }}"
    assert all(c["status"] == "not_applicable" for c in report["controls"])
