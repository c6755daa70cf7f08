# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LAPS state of one host: is the local administrator password managed, and when did it last work.

Policy roots, after Microsoft's "Configure policy settings for Windows LAPS"
(learn.microsoft.com/windows-server/identity/laps/laps-management-policy-settings):
Windows LAPS reads the roots below from the top and uses the *first root that
holds at least one value*; settings are never merged across roots, and missing
ones take their defaults (BackupDirectory 0 = disabled, PasswordAgeDays 30)::

    csp     HKLM\\Software\\Microsoft\\Policies\\LAPS
    gpo     HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\LAPS
    local   HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\LAPS\\Config
    legacy  HKLM\\Software\\Policies\\Microsoft Services\\AdmPwd   (AdmPwdEnabled=1)

Legacy Microsoft LAPS manages the account when its policy is enabled and its
client-side extension is registered (``Winlogon\\GPExtensions\\{D76B9641-3288-
4f75-942D-087DE603E3EA}``); with the policy but without that CSE, Windows LAPS
handles it in "legacy emulation mode" (Windows builds with Windows LAPS only:
this module says ``windows_laps_legacy_emulation`` and the docs say to verify
the build). A Windows LAPS policy always wins over the legacy one.

Last processing: ``Microsoft-Windows-LAPS/Operational`` event 10004 (policy
processing succeeded) and 10005 (failed), per the issue; only System fields
(EventID, TimeCreated) and EventData are read, through ``safe_xml``.

Model::

    {"read": bool, "source": "live"|"offline", "manager": "windows_laps"|"legacy_laps"|
     "windows_laps_legacy_emulation"|None, "policy_root": "csp"|"gpo"|"local"|"legacy"|None,
     "backup_directory": int|None, "password_age_days": int, "legacy": {"enabled", "cse_installed"},
     "events_read": bool, "last_success": iso|None, "last_failure": iso|None,
     "last_result": "success"|"failure"|None, "last_error": str|None, "errors": [str]}
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import (
    HiveError, TaskGuardInputError, clip_text, host_text,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.safe_xml import local_name, parse_xml

ROOTS = (
    ("csp", "SOFTWARE\\Microsoft\\Policies\\LAPS"),
    ("gpo", "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\LAPS"),
    ("local", "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\LAPS\\Config"),
)
LEGACY_KEY = "SOFTWARE\\Policies\\Microsoft Services\\AdmPwd"
LEGACY_CSE_KEY = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\GPExtensions\\" \
                 "{D76B9641-3288-4f75-942D-087DE603E3EA}"
CHANNEL = "Microsoft-Windows-LAPS/Operational"
EVTX_NAME = "Microsoft-Windows-LAPS%4Operational.evtx"
SUCCESS_ID, FAILURE_ID = 10004, 10005
DEFAULT_AGE_DAYS = 30
MAX_EVENT_BYTES = 64 * 1024
MAX_EVENTS = 200
# "No events were found" from Get-WinEvent is an answer (nothing processed yet), not a read failure.
# Told by the error record's FullyQualifiedErrorId (``NoMatchingEventsFound,<command>``), never by
# its localized message (AdminMaterial.psm1 returns it as ``events_error_id``).
_NO_EVENTS = "NoMatchingEventsFound"


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def empty_model(error, source):
    return {"read": False, "source": source, "manager": None, "policy_root": None, "backup_directory": None,
            "password_age_days": DEFAULT_AGE_DAYS, "legacy": {"enabled": False, "cse_installed": False},
            "events_read": False, "last_success": None, "last_failure": None, "last_result": None,
            "last_error": None, "errors": [error] if error else []}


def policy_from_keys(keys):
    """Decide the active policy from {subkey: {value: data}|None} (subkeys as in ROOTS, case-insensitive)."""
    folded = {str(k).casefold(): v for k, v in (keys or {}).items()}
    model = empty_model(None, None)
    model["read"] = True
    for name, subkey in ROOTS:
        values = folded.get(subkey.casefold())
        if isinstance(values, dict) and values:
            lowered = {str(k).casefold(): v for k, v in values.items()}
            model["policy_root"] = name
            model["backup_directory"] = _int(lowered.get("backupdirectory")) or 0
            model["password_age_days"] = _int(lowered.get("passwordagedays")) or DEFAULT_AGE_DAYS
            break
    legacy = folded.get(LEGACY_KEY.casefold())
    legacy = {str(k).casefold(): v for k, v in legacy.items()} if isinstance(legacy, dict) else {}
    cse = folded.get(LEGACY_CSE_KEY.casefold())
    model["legacy"] = {"enabled": _int(legacy.get("admpwdenabled")) == 1,
                       "cse_installed": isinstance(cse, dict) and bool(cse.get("DllName") or cse)}
    if model["policy_root"] is not None:
        model["manager"] = "windows_laps" if model["backup_directory"] in (1, 2) else None
    elif model["legacy"]["enabled"]:
        model["policy_root"] = "legacy"
        model["password_age_days"] = _int(legacy.get("passwordagedays")) or DEFAULT_AGE_DAYS
        model["manager"] = "legacy_laps" if model["legacy"]["cse_installed"] else "windows_laps_legacy_emulation"
    return model


def _event(xml):
    root = parse_xml(xml, max_bytes=MAX_EVENT_BYTES, what="LAPS event")
    event_id, time, data = None, None, {}
    for section in root:
        name = local_name(section.tag)
        if name == "System":
            for child in section:
                tag = local_name(child.tag)
                if tag == "EventID":
                    event_id = _int((child.text or "").strip())
                elif tag == "TimeCreated":
                    time = child.get("SystemTime")
        elif name == "EventData":
            for child in section:
                if local_name(child.tag) == "Data" and child.get("Name"):
                    data[child.get("Name")[:60]] = clip_text(child.text or "")
    if event_id is None or not time:
        raise TaskGuardInputError("LAPS event without EventID or TimeCreated")
    return event_id, time, data


def add_events(model, xml_events):
    """Fold raw event XML into the model: last success/failure and the latest result."""
    latest = None
    for xml in list(xml_events or [])[:MAX_EVENTS]:
        try:
            event_id, time, data = _event(xml)
        except TaskGuardInputError as exc:
            model["errors"].append("LAPS event not parsed: %s" % clip_text(str(exc), 300))
            continue
        if event_id == SUCCESS_ID:
            model["last_success"] = max(filter(None, (model["last_success"], time)))
        elif event_id == FAILURE_ID:
            model["last_failure"] = max(filter(None, (model["last_failure"], time)))
        else:
            continue
        if latest is None or time > latest[0]:
            latest = (time, event_id, data)
    if latest is not None:
        model["last_result"] = "success" if latest[1] == SUCCESS_ID else "failure"
        if latest[1] == FAILURE_ID:
            model["last_error"] = latest[2].get("ErrorMessage") or latest[2].get("ErrorCode")
    return model


def parse_live_material(material):
    """Model from the ``laps`` part of AdminMaterial.psm1 (contract: tests/unit/fixtures/admin_surface/)."""
    if not isinstance(material, dict) or not isinstance(material.get("keys"), dict):
        return empty_model("no LAPS material returned", "live")
    model = policy_from_keys(material["keys"])
    model["source"] = "live"
    # the host's texts: bounded, never str() of a host object (errors.host_text)
    listed = material.get("errors")
    model["errors"] = [host_text(e, "no reason given by the collector")
                       for e in (listed if isinstance(listed, list) else [listed] if listed else [])[:20]]
    error = material.get("events_error")
    if error and (host_text(material.get("events_error_id")) or "").split(",", 1)[0] != _NO_EVENTS:
        model["errors"].append("%s not read: %s" % (CHANNEL, clip_text(host_text(error), 300)))
    else:
        model["events_read"] = True
    return add_events(model, material.get("events") if isinstance(material.get("events"), list) else [])


def _hive_keys(hive):
    """{policy key: its values, or None when the key is absent}. Only an absent key
    means "no policy": a damaged hive is a HiveError (a coverage finding), never a
    host reported as not managed by LAPS."""
    from regipy.exceptions import RegistryKeyNotFoundException
    keys = {}
    for subkey in [s for _n, s in ROOTS] + [LEGACY_KEY, LEGACY_CSE_KEY]:
        # an offline SOFTWARE hive's root is HKLM\SOFTWARE itself
        try:
            key = hive.get_key("\\" + subkey.split("\\", 1)[1])
        except RegistryKeyNotFoundException:
            keys[subkey] = None
            continue
        except Exception as exc:
            raise HiveError("SOFTWARE hive: cannot read %s: %s: %s" % (subkey, type(exc).__name__, exc))
        try:
            keys[subkey] = {v.name: v.value for v in key.iter_values(as_json=False, trim_values=False)}
        except Exception as exc:
            raise HiveError("SOFTWARE hive: cannot read the values of %s: %s: %s" % (subkey, type(exc).__name__, exc))
    return keys


def collect_offline(root):
    """Model from ``Windows/System32/config/SOFTWARE`` and the LAPS ``.evtx`` under an evidence root."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.evidence_hives import open_config_hive
    from ansible_collections.taskguard.windows.plugins.plugin_utils.offline_tasks import find_case_insensitive
    try:
        model = policy_from_keys(_hive_keys(open_config_hive(root, "SOFTWARE")))
    except TaskGuardInputError as exc:
        return empty_model(clip_text(str(exc)), "offline")   # names the evidence's path
    model["source"] = "offline"
    refused = []
    evtx = find_case_insensitive(root, ("Windows", "System32", "winevt", "Logs", EVTX_NAME), refused)
    if evtx is None:
        reason = refused[-1]["error"] if refused else "not in the evidence"
        model["errors"].append("%s: %s (Windows/System32/winevt/Logs/%s)" % (CHANNEL, reason, EVTX_NAME))
        return model
    from ansible_collections.taskguard.windows.plugins.plugin_utils.evtx_reader import EvtxScan, iter_task_records
    from ansible_collections.taskguard.windows.plugins.plugin_utils.offline_tasks import open_regular_file
    scan = EvtxScan(EVTX_NAME)
    try:
        handle = open_regular_file(evtx)
    except (OSError, TaskGuardInputError) as exc:
        model["errors"].append("%s: cannot open %s: %s" % (CHANNEL, EVTX_NAME, exc))
        return model
    with handle:
        xml = [data for _rid, data in iter_task_records(handle, {SUCCESS_ID, FAILURE_ID}, scan, track_range=False)]
    model["events_read"] = scan.fatal is None
    model["errors"].extend(e["error"] for e in scan.errors[:20])
    return add_events(model, xml[-MAX_EVENTS:])


def age_days(model, now):
    """Days since the last successful processing; None when unknown."""
    last = model.get("last_success")
    if not last:
        return None
    try:
        # SystemTime is UTC ("...Z", 7 fraction digits): the seconds are enough here
        when = datetime.datetime.strptime(str(last)[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    return (now - when).total_seconds() / 86400.0
