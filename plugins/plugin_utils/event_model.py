# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn one raw event (XML text from a host, an .evtx record or an export) into the
normalized event of the ``task_events`` contract.

The event XML and the task XML inside it (``TaskContent``/``TaskContentNew`` of
4698-4702, attacker-controlled text) are parsed only through ``safe_xml`` and
``task_model.parse_task_definition``; a definition that cannot be parsed sets
``definition: None`` and ``definition_error`` but the event itself is still
reported, because "someone registered a task we cannot read" is itself a finding.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError, clip_text
from ansible_collections.taskguard.windows.plugins.plugin_utils.safe_xml import local_name, parse_xml

OPERATIONAL = "Microsoft-Windows-TaskScheduler/Operational"
SECURITY = "Security"
CHANNELS = (OPERATIONAL, SECURITY)

# event id -> (channel, action). Security ids come from
# Microsoft-Windows-Security-Auditing ("Other Object Access Events" subcategory).
EVENTS = {
    106: (OPERATIONAL, "registered"),
    140: (OPERATIONAL, "updated"),
    141: (OPERATIONAL, "deleted"),
    142: (OPERATIONAL, "disabled"),
    129: (OPERATIONAL, "process_created"),
    200: (OPERATIONAL, "started"),
    201: (OPERATIONAL, "completed"),
    4698: (SECURITY, "registered"),
    4699: (SECURITY, "deleted"),
    4700: (SECURITY, "enabled"),
    4701: (SECURITY, "disabled"),
    4702: (SECURITY, "updated"),
    # Not a task event: "The audit log was cleared" (provider Microsoft-Windows-Eventlog,
    # UserData/LogFileCleared). Task events before it are gone, and clearing the
    # Security log is itself an attacker's step (T1070.001). event_collection takes
    # these records out of the task events and reports them as the channel's coverage.
    1102: (SECURITY, "log_cleared"),
}
DEFAULT_EVENT_IDS = tuple(sorted(EVENTS))

# A whole event as text: 4698 with a large definition is tens of KB.
MAX_EVENT_BYTES = 4 * 1024 * 1024
# TaskContent: Windows caps a task definition far below this; bigger is hostile.
MAX_TASK_CONTENT_CHARS = 1024 * 1024
# Other EventData values are short (paths, SIDs); keep reports bounded.
MAX_DATA_VALUE_CHARS = 4096
MAX_DATA_FIELDS = 64

_CLIENT_FIELDS = (
    ("ClientProcessStartKey", "process_start_key"),
    ("ClientProcessId", "process_id"),
    ("ParentProcessId", "parent_process_id"),
    ("RpcCallClientLocality", "rpc_call_client_locality"),
    ("FQDN", "fqdn"),
)
_CONTENT_FIELDS = ("TaskContent", "TaskContentNew")
_CLIENT_SOURCES = frozenset(src for src, _dst in _CLIENT_FIELDS)
_TIME_RE = re.compile(
    r"\A(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?\s*(Z|UTC|[+-]00:?00)?\Z"
)


class EventNormalizeError(TaskGuardInputError):
    """An event record that cannot be turned into a normalized event."""


class NotATaskEvent(EventNormalizeError):
    """A well-formed event that is not one of the task events (skipped, not an error)."""


def channel_for(event_id):
    entry = EVENTS.get(event_id)
    return entry[0] if entry else None


def normalize_time(value):
    """Return the time as ISO 8601 UTC ending in ``Z``, keeping the source precision.

    Windows writes ``SystemTime`` in UTC with 7 or 9 fractional digits (ToXml),
    the evtx renderer with 6. Anything that is not UTC is refused rather than
    guessed: a wrong time would misorder events and bookmarks.
    """
    if not isinstance(value, str):
        raise EventNormalizeError("TimeCreated/SystemTime missing")
    m = _TIME_RE.match(value.strip())
    if not m:
        raise EventNormalizeError("TimeCreated/SystemTime is not an ISO 8601 UTC time: %r" % value[:64])
    date, clock, frac, _zone = m.groups()
    return "%sT%s%sZ" % (date, clock, ("." + frac) if frac else "")


def time_sort_key(value):
    """Sortable form of a normalized time: fractions padded to 9 digits."""
    if not value:
        return ""
    m = _TIME_RE.match(value)
    if not m:
        return value
    date, clock, frac, _zone = m.groups()
    return "%sT%s.%s" % (date, clock, (frac or "").ljust(9, "0"))


def _text(el):
    if el is None:
        return None
    if not len(el):
        # A leaf (nearly every field): its text is all itertext would yield.
        return el.text or ""
    return "".join(el.itertext())


# Tag -> local name, for the few dozen distinct tags events have (bounded: a
# hostile document can invent tags). Saves a string split per element per event.
_LOCAL_NAMES = {}
_LOCAL_NAMES_MAX = 512


def _local(tag):
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = local_name(tag)
        if len(_LOCAL_NAMES) < _LOCAL_NAMES_MAX and isinstance(tag, str):
            _LOCAL_NAMES[tag] = name
    return name


def _child(parent, name):
    if parent is None:
        return None
    for el in parent:
        if _local(el.tag) == name:
            return el
    return None


def _children(parent):
    """First child element per local name, in one pass (same answers as _child).

    <System> has a dozen children and eight of them are read: one pass instead
    of a scan per field (performance: this runs for every event, docs/performance.md).
    """
    found = {}
    names = _LOCAL_NAMES
    for el in parent:
        tag = el.tag
        name = names.get(tag)   # _local, inlined: this runs for every child of every event
        if name is None:
            name = _local(tag)
        if name not in found:
            found[name] = el
    return found


def _int(value, what):
    try:
        if value.__class__ is str and value.isdecimal():
            return int(value)   # nearly every value; the same answer as below (huge ones raise here too)
        return int(str(value).strip(), 0) if str(value).strip().lower().startswith("0x") else int(str(value).strip())
    except (TypeError, ValueError):
        raise EventNormalizeError("%s is not an integer: %r" % (what, str(value)[:40]))


def _event_data(root):
    """EventData/Data Name=value (UserData variants fall back to child elements)."""
    data = {}
    event_data = _child(root, "EventData")
    if event_data is not None:
        names = _LOCAL_NAMES
        for el in event_data:
            tag = el.tag
            if (names.get(tag) or _local(tag)) != "Data":
                continue
            name = el.get("Name")
            if name is None or name in data:
                continue
            data[name] = _text(el) or ""
            if len(data) >= MAX_DATA_FIELDS:
                break
        return data
    user_data = _child(root, "UserData")
    if user_data is not None and len(user_data):
        for el in user_data[0]:
            name = _local(el.tag)
            if name and name not in data:
                data[name] = _text(el) or ""
            if len(data) >= MAX_DATA_FIELDS:
                break
    return data


def _none_if_blank(value):
    if value is None:
        return None
    value = value.strip()
    return value or None


# The events whose Subject* fields name the acting account: Security 4698-4702 (in
# EventData) and 1102 (the log cleared, in UserData/LogFileCleared). Their
# ``subject_sid`` is SubjectUserSid, the SID of whoever acted. In the
# TaskScheduler/Operational records (106, 140, 141, 142, 129, 200, 201) it is
# System/Security/@UserID instead: the Task Scheduler service that wrote the record
# (S-1-5-18 whoever acted), never the actor. The one rule behind the audit
# (drift.py) and the reports (drift_reports/cards.py).
ACTING_SID_EVENTS = frozenset((1102, 4698, 4699, 4700, 4701, 4702))


def acting_sid(event):
    """The acting account's SID of a normalized event, or None: SubjectUserSid of
    an event of ACTING_SID_EVENTS, stripped. Anything else in the fields (an id
    that is no integer, a SID that is no text) carries no actor: a hostile event
    must not choose who acted."""
    event_id = event.get("event_id")
    if event_id.__class__ is not int or event_id not in ACTING_SID_EVENTS:
        return None
    sid = event.get("subject_sid")
    return (sid.strip() or None) if isinstance(sid, str) else None


def acting_account(event):
    """The acting account as the event names it: the name the event gives, else
    its acting SID, else None (an Operational record without a user name: who
    acted is unknown, never the service that wrote it)."""
    return event.get("user") or acting_sid(event)


def _user(event_id, data):
    if event_id in ACTING_SID_EVENTS:
        name = _none_if_blank(data.get("SubjectUserName"))
        domain = _none_if_blank(data.get("SubjectDomainName"))
        if name and domain and domain != "-":
            return "%s\\%s" % (domain, name)
        return name
    return _none_if_blank(data.get("UserContext")) or _none_if_blank(data.get("UserName"))


def _client(data):
    if _CLIENT_SOURCES.isdisjoint(data):
        return None
    return {dst: _none_if_blank(data.get(src)) for src, dst in _CLIENT_FIELDS}


def _definition(data, task_path, parse_definition=None):
    """Parse TaskContent(New); returns (definition, error).

    ``parse_definition(content, task_path)``: the parser to use (the audit passes
    one that takes definitions already parsed from the shared store,
    definition_store.py); the task model's parser when None."""
    content = None
    for field in _CONTENT_FIELDS:
        value = data.get(field)
        if value is not None and value.strip():
            content = value
            break
    if content is None:
        return None, None
    if len(content) > MAX_TASK_CONTENT_CHARS:
        return None, "TaskContent of %d characters exceeds the limit of %d" % (len(content), MAX_TASK_CONTENT_CHARS)
    # Imported here so the event reader works (and reports) even if the task model
    # module is broken in a partial checkout.
    if parse_definition is None:
        from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import parse_task_definition

        def parse_definition(text, path):
            return parse_task_definition(text, path=path)
    try:
        return parse_definition(content, task_path), None
    except TaskGuardInputError as exc:
        return None, clip_text(str(exc))   # may quote the event's TaskContent
    except Exception as exc:  # a bug in the model must not hide the event
        return None, "unexpected error parsing TaskContent: %s: %s" % (type(exc).__name__, clip_text(str(exc), 300))


def normalize_event_xml(xml, *, source, parse_definition=None):
    """Parse one event's XML (str or bytes) and return the normalized event.

    Raises :class:`TaskGuardInputError` (including ``EventNormalizeError``) when the
    record itself is unusable; the caller reports it in ``unparseable``.
    """
    root = parse_xml(xml, max_bytes=MAX_EVENT_BYTES, what="event XML from %s" % source)
    return normalize_event_element(root, source=source, parse_definition=parse_definition)


def _system(root):
    """The fields of ``<System>`` a normalized event keeps, as a dict."""
    system = _child(root, "System")
    if system is None:
        raise EventNormalizeError("event without <System>")
    fields = _children(system)
    # Checked in this order (the first bad field names the error).
    event_id = _int(_text(fields.get("EventID")), "EventID")
    record_id = _int(_text(fields.get("EventRecordID")), "EventRecordID")
    time_el = fields.get("TimeCreated")
    time = normalize_time(time_el.get("SystemTime") if time_el is not None else None)
    version_el = fields.get("Version")
    version = None
    if version_el is not None and _none_if_blank(_text(version_el)):
        version = _int(_text(version_el), "Version")
    provider_el = fields.get("Provider")
    security = fields.get("Security")
    return {
        "event_id": event_id, "record_id": record_id, "time": time, "version": version,
        "provider": provider_el.get("Name") if provider_el is not None else None,
        "channel": _none_if_blank(_text(fields.get("Channel"))),
        "computer": _none_if_blank(_text(fields.get("Computer"))),
        "system_sid": _none_if_blank(security.get("UserID")) if security is not None else None,
    }


def _task_channel(event_id, channel):
    """(channel, action) of a task event; NotATaskEvent for any other event."""
    entry = EVENTS.get(event_id)
    if entry is None:
        raise NotATaskEvent("event id %d is not a task event" % event_id)
    expected_channel, action = entry
    if channel is not None and channel.casefold() != expected_channel.casefold():
        # Same number, other log (e.g. 106 of another provider): not ours.
        raise NotATaskEvent("event id %d in channel %r is not a task event" % (event_id, channel[:80]))
    return expected_channel, action


def _extra_data(data):
    """EventData fields not reported under a name of their own, each bounded."""
    return {key: value[:MAX_DATA_VALUE_CHARS] for key, value in data.items()
            if key not in _CONTENT_FIELDS and not key.startswith("Subject") and key != "TaskName"
            and key not in _CLIENT_SOURCES}


def normalize_event_element(root, *, source, parse_definition=None):
    if local_name(root.tag) != "Event":
        raise EventNormalizeError("root element is <%s>, not <Event>" % local_name(root.tag)[:40])
    system = _system(root)
    event_id = system["event_id"]
    channel, action = _task_channel(event_id, system["channel"])
    data = _event_data(root)
    task = _none_if_blank(data.get("TaskName"))
    definition, definition_error = _definition(data, task, parse_definition)
    return {
        "record_id": system["record_id"],
        "time": system["time"],
        "event_id": event_id,
        "version": system["version"],
        "channel": channel,
        "provider": system["provider"],
        "computer": system["computer"],
        "action": action,
        "task": task,
        "user": _user(event_id, data),
        "subject_sid": (_none_if_blank(data.get("SubjectUserSid")) if event_id in ACTING_SID_EVENTS
                        else system["system_sid"]),
        "logon_id": _none_if_blank(data.get("SubjectLogonId")),
        "client": _client(data),
        "data": _extra_data(data),
        "definition": definition,
        "definition_error": definition_error,
        "source": source,
    }
