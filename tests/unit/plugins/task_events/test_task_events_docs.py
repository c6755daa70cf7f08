# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The three argument specs (PowerShell module, action plugin, DOCUMENTATION) agree.

validate-modules cannot read a PowerShell argspec without pwsh, so this is the
check that keeps them from drifting apart.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from ansible_collections.taskguard.windows.plugins.action.task_events import _ARGS as ARGUMENT_SPEC
from ansible_collections.taskguard.windows.plugins.modules import task_events as doc_module
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import DEFAULT_MAX_EVENTS
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import DEFAULT_EVENT_IDS

ROOT = Path(__file__).resolve().parents[4]


def _ps_options():
    text = (ROOT / "plugins" / "modules" / "task_events.ps1").read_text()
    block = text[text.index("options = @{"):text.index("supports_check_mode")]
    return dict(re.findall(r"^ {8}(\w+) = @\{\s*(?:type = '(\w+)')?", block, re.M))


def test_specs_agree():
    doc = yaml.safe_load(doc_module.DOCUMENTATION)["options"]
    ps = _ps_options()
    assert set(doc) == set(ARGUMENT_SPEC) == set(ps)
    for name, spec in doc.items():
        assert ARGUMENT_SPEC[name]["type"] == spec["type"] == ps[name], name
    assert doc["event_ids"]["default"] == list(DEFAULT_EVENT_IDS) == ARGUMENT_SPEC["event_ids"]["default"]
    assert doc["max_events"]["default"] == DEFAULT_MAX_EVENTS == ARGUMENT_SPEC["max_events"]["default"]


def test_powershell_defaults_and_channel_table_match_python():
    module = (ROOT / "plugins" / "modules" / "task_events.ps1").read_text()
    ids = re.search(r"default = @\(([\d, ]+)\)", module).group(1)
    assert sorted(int(i) for i in ids.split(",")) == list(DEFAULT_EVENT_IDS)
    assert "max_events = @{ type = 'int'; default = %d }" % DEFAULT_MAX_EVENTS in module
    psm1 = (ROOT / "plugins" / "module_utils" / "EventMaterial.psm1").read_text()
    from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import EVENTS
    for channel in ("Microsoft-Windows-TaskScheduler/Operational", "Security"):
        listed = re.search(r"'%s' = @\(([\d, ]+)\)" % re.escape(channel), psm1).group(1)
        assert sorted(int(i) for i in listed.split(",")) == sorted(i for i, (c, _a) in EVENTS.items() if c == channel)


def test_return_docs_cover_result_keys(unit_fixtures):
    import json

    from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import normalize_live_events

    documented = set(yaml.safe_load(doc_module.RETURN))
    result = normalize_live_events(json.loads((unit_fixtures / "task_events" / "live_full.json").read_text()))
    assert set(result) - {"changed"} == documented
    event_doc = set(yaml.safe_load(doc_module.RETURN)["events"]["contains"])
    assert set(result["events"][0]) == event_doc
