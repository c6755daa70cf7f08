# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Task events from a live host (raw material of EventMaterial.psm1) or from offline
evidence (.evtx + XML exports), normalized into the ``task_events`` result.

Entry points used by the action plugins (``task_events``, and ``audit`` of the drift
playbook):

* ``normalize_live_events(raw, *, since=None)``
* ``collect_offline_events(root, *, since=None, event_ids=None, max_events=None)``

Both return the same shape (see ``plugins/modules/task_events.py`` RETURN). The
rules that keep a quiet host from hiding a blind spot live here: every channel gets
a ``coverage`` entry that says whether it was enabled and readable and why events
may have been lost; the bookmark never passes an event that was not returned.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.bookmarks import validate_bookmark
from ansible_collections.taskguard.windows.plugins.plugin_utils.definition_store import parse_with_store
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import (
    EvidenceError, TaskGuardInputError, clip_text, host_text,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_exports import iter_export_events
from ansible_collections.taskguard.windows.plugins.plugin_utils.event_model import (
    CHANNELS,
    DEFAULT_EVENT_IDS,
    EVENTS,
    OPERATIONAL,
    SECURITY,
    NotATaskEvent,
    normalize_event_xml,
    normalize_time,
    time_sort_key,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.evtx_reader import (
    OTHER_CHANNELS,
    EvtxScan,
    count_channel,
    iter_task_records,
    record_channel,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.offline_tasks import NotRegularFile, is_inside, open_regular_file

DEFAULT_MAX_EVENTS = 5000
MAX_UNPARSEABLE = 500
# Clearings of one channel described in its coverage (the rest only counted).
MAX_CLEARINGS = 16
MAX_EXPORT_FILES = 1000

EVTX_FILES = {
    OPERATIONAL: "Microsoft-Windows-TaskScheduler%4Operational.evtx",
    SECURITY: "Security.evtx",
}
LOGS_DIR = ("Windows", "System32", "winevt", "Logs")
EXPORTS_DIR = "events"

_RECORD_ID_RE = re.compile(r"<EventRecordID>\s*(\d{1,20})\s*</EventRecordID>")

# .NET exception type names (never localized, unlike messages) -> reason codes.
_ACCESS_DENIED_TYPES = ("System.UnauthorizedAccessException",)
_NOT_FOUND_TYPES = ("System.Diagnostics.Eventing.Reader.EventLogNotFoundException",)
_E_ACCESSDENIED = (-2147024891, 0x80070005)
_LOG_MODES = {"circular": "circular", "autobackup": "auto_backup", "retain": "retain"}


# --------------------------------------------------------------------------- helpers

def _wanted_ids(event_ids):
    if event_ids is None:
        return set(DEFAULT_EVENT_IDS)
    wanted = set()
    try:
        values = list(event_ids)
    except TypeError:  # e.g. a bool echoed back by a tampered host raised a bare TypeError (issue 9)
        raise TaskGuardInputError("event_ids must be a list of integers, got %s" % type(event_ids).__name__)
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise TaskGuardInputError("event_ids: %r is not an integer" % (value,))
        if number not in EVENTS:
            raise TaskGuardInputError("event_ids: %d is not a task event id (known: %s)"
                                      % (number, ", ".join(str(i) for i in DEFAULT_EVENT_IDS)))
        wanted.add(number)
    return wanted


def _channels_for(ids):
    return [ch for ch in CHANNELS if any(EVENTS[i][0] == ch for i in ids)]


def _max_events(value):
    if value is None:
        return DEFAULT_MAX_EVENTS
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TaskGuardInputError("max_events must be a positive integer")
    return value


def _empty_channel():
    return {
        "enabled": None, "readable": False, "log_mode": None, "max_size_bytes": None,
        "file_size_bytes": None, "record_count": None, "oldest_record_id": None,
        "oldest_time": None, "newest_record_id": None, "newest_time": None, "error": None,
    }


def _record_id_hint(text):
    m = _RECORD_ID_RE.search(text or "")
    return int(m.group(1)) if m else None


def _home_channel(named, file_channel):
    """The channel a record that fails to parse is booked on, from ``named``, the
    ``System/Channel`` it names (evtx_reader.record_channel): that task channel; the
    channel the file was read for when it names none; no channel when it names
    another log. A Security record in a copy named after the Operational log is a
    lost Security event, not an Operational one."""
    if named is None:
        return file_channel
    folded = named.casefold()
    for channel in CHANNELS:
        if channel.casefold() == folded:
            return channel
    return None


def _safe_time(value):
    try:
        return normalize_time(value) if value else None
    except TaskGuardInputError:
        return None


class _Collector:
    """Accumulates events of one run; dedups, filters by bookmark, caps, sorts."""

    def __init__(self, wanted, since, max_events, parse_definition=None):
        self.wanted = wanted
        self.parse_definition = parse_definition   # for TaskContent (event_model._definition)
        self.since = since
        self.max_events = max_events
        self.by_channel = {}   # channel -> {(channel, computer, record_id): event}
        # Memory bound: a channel never holds more than this many candidates (an
        # export with millions of task events must not exhaust the controller).
        self.prune_at = 4 * (max_events + 1)
        self.unparseable = []
        self.unparseable_total = 0
        self.unparseable_by_channel = {}

    def bad(self, source, record_id, error, channel=None):
        self.unparseable_total += 1
        if channel:
            self.unparseable_by_channel[channel] = self.unparseable_by_channel.get(channel, 0) + 1
        if len(self.unparseable) < MAX_UNPARSEABLE:
            # our own messages, which may quote the host's or the evidence's text: cut
            self.unparseable.append({"source": source, "record_id": record_id, "error": clip_text(str(error))})

    def add_xml(self, xml, source, channel_hint=None, record_hint=None):
        try:
            event = normalize_event_xml(xml, source=source, parse_definition=self.parse_definition)
        except NotATaskEvent:
            return
        except TaskGuardInputError as exc:
            self.bad(source, record_hint if record_hint is not None else _record_id_hint(xml), exc, channel_hint)
            return
        except Exception as exc:  # never let one record end the run
            self.bad(source, record_hint, "unexpected error: %s: %s" % (type(exc).__name__, exc), channel_hint)
            return
        if event["event_id"] not in self.wanted:
            return
        key = (event["channel"], (event["computer"] or "").casefold(), event["record_id"])
        # The first source wins (evtx before exports): same event, same content.
        bucket = self.by_channel.setdefault(event["channel"], {})
        bucket.setdefault(key, event)
        if len(bucket) > self.prune_at:
            self._prune(event["channel"], bucket)

    def events(self):
        for bucket in self.by_channel.values():
            yield from bucket.values()

    def _prune(self, channel, bucket):
        """Drop candidates that ``select`` can never return.

        ``select`` returns the ``max_events`` lowest record ids after the bookmark
        (or, after a log reset, after the bookmark's time). Keeping the
        ``max_events + 1`` lowest of both candidate sets gives the same selection
        and the same truncation flag as keeping everything.
        """
        keep = self.max_events + 1
        mark = self.since.get(channel)
        items = sorted(bucket.items(), key=lambda kv: kv[1]["record_id"])
        if mark is None:
            kept = dict(items[:keep])
        else:
            after_id = [kv for kv in items if kv[1]["record_id"] > mark["record_id"]][:keep]
            kept = dict(after_id)
            if mark.get("time"):
                limit = time_sort_key(mark["time"])
                kept.update([kv for kv in items if time_sort_key(kv[1]["time"]) > limit][:keep])
        bucket.clear()
        bucket.update(kept)

    def select(self, channel_state):
        """Apply bookmark filter and max_events per channel.

        ``channel_state[channel]`` holds ``newest_record_id`` and is updated with
        ``truncated``, ``reset`` flags. Returns the list of kept events.
        """
        kept = []
        per_channel = {}
        for event in self.events():
            per_channel.setdefault(event["channel"], []).append(event)
        for channel, events in per_channel.items():
            state = channel_state.setdefault(channel, {})
            mark = self.since.get(channel)
            if mark is not None:
                if state.get("reset"):
                    # Record numbers went backwards: the log was cleared or
                    # recreated. Fall back to time so new events are not skipped.
                    events = [e for e in events
                              if mark.get("time") is None
                              or time_sort_key(e["time"]) > time_sort_key(mark["time"])]
                else:
                    events = [e for e in events if e["record_id"] > mark["record_id"]]
            events.sort(key=lambda e: e["record_id"])
            if len(events) > self.max_events:
                events = events[:self.max_events]
                state["truncated"] = True
            kept.extend(events)
        kept.sort(key=lambda e: (time_sort_key(e["time"]), e["channel"], e["record_id"]))
        return kept


def _bookmark_for(channel, events, state, since):
    """The bookmark: how far this run looked, never past an unreturned event."""
    mark = since.get(channel)
    mine = [e for e in events if e["channel"] == channel]
    last = max(mine, key=lambda e: e["record_id"]) if mine else None
    if state.get("truncated"):
        # Oldest-first selection: everything up to the last returned one was seen.
        return {"record_id": last["record_id"], "time": last["time"]} if last else mark
    candidates = []
    if last is not None:
        candidates.append({"record_id": last["record_id"], "time": last["time"]})
    if state.get("scanned_through") and state.get("newest_record_id") is not None:
        # The whole log up to newest was filtered (no task event was skipped).
        candidates.append({"record_id": state["newest_record_id"], "time": state.get("newest_time")})
    if not candidates:
        return mark
    best = max(candidates, key=lambda c: c["record_id"])
    if mark is not None and best["record_id"] < mark["record_id"] and not state.get("reset"):
        return mark
    return best


def _coverage(channel, info, state, since, unparseable_count):
    reasons = []
    lost = False
    enabled = info.get("enabled")
    if enabled is False:
        reasons.append("channel_disabled")
        lost = True
    for reason in state.get("problems", []):
        if reason not in reasons:
            reasons.append(reason)
        if reason in ("access_denied", "channel_not_found", "query_failed", "evtx_missing",
                      "evtx_unreadable", "evtx_refused", "corrupt_chunks", "status_unavailable",
                      "evtx_wrong_channel"):
            lost = True
    mark = since.get(channel)
    oldest = info.get("oldest_record_id")
    if state.get("reset"):
        reasons.append("log_reset")
        lost = True
    elif mark is not None and oldest is not None and oldest > mark["record_id"] + 1:
        reasons.append("wrapped")
        lost = True
    if state.get("truncated"):
        reasons.append("truncated")
    if unparseable_count:
        reasons.append("unparseable_records")
    coverage = {
        "enabled": enabled,
        "readable": bool(info.get("readable")),
        "events_may_be_lost": lost,
        "reasons": reasons,
    }
    if state.get("foreign_records"):
        coverage["foreign_records"] = state["foreign_records"]
        coverage["foreign_channels"] = state.get("foreign_channels") or {}
        coverage["detail"] = "; ".join(t for t in (state.get("foreign_detail_evtx"), state.get("foreign_detail")) if t)
    return coverage


def _take_clearings(events, coverage):
    """Move the "log cleared" records (Security 1102) out of the task events into
    their channel's coverage, with who cleared the log and when: every event before
    that moment is gone, and the clearing is itself a finding (drift TG-C018)."""
    kept = []
    for event in events:
        cov = coverage.get(event["channel"])
        if event["action"] != "log_cleared":
            kept.append(event)
            continue
        if cov is None:
            continue
        cov["cleared_count"] = cov.get("cleared_count", 0) + 1
        cleared = cov.setdefault("cleared", [])
        if len(cleared) < MAX_CLEARINGS:
            cleared.append({key: event.get(key) for key in
                            ("time", "user", "subject_sid", "logon_id", "record_id", "computer", "source")})
        if "log_cleared" not in cov["reasons"]:
            cov["reasons"].append("log_cleared")
        cov["events_may_be_lost"] = True
    return kept


def _finish(collector, channels, states, since, mode, extra_errors):
    for channel, state in states.items():
        mark = since.get(channel)
        newest = state.get("newest_record_id")
        if mark is not None and newest is not None and newest < mark["record_id"]:
            state["reset"] = True
    events = collector.select(states)
    coverage = {}
    bookmark = {}
    for channel in channels:
        state = states.setdefault(channel, {})
        coverage[channel] = _coverage(channel, channels[channel], state, since,
                                      collector.unparseable_by_channel.get(channel, 0))
        mark = _bookmark_for(channel, events, state, since)
        if mark is not None:
            bookmark[channel] = mark
    # after the bookmarks: a clearing read once is not read (and reported) again
    events = _take_clearings(events, coverage)
    result = {
        "changed": False,
        "mode": mode,
        "events": events,
        "channels": channels,
        "coverage": coverage,
        "bookmark": bookmark,
        "truncated": any(s.get("truncated") for s in states.values()),
        "unparseable": collector.unparseable,
        "unparseable_count": collector.unparseable_total,
        "errors": extra_errors,
    }
    return result


# --------------------------------------------------------------------------- live

def _error_reason(err):
    if not err:
        return None
    if not isinstance(err, dict):
        return "query_failed"
    etype = err.get("type") if isinstance(err.get("type"), str) else ""   # never str() of a host object
    hresult = err.get("hresult")
    if etype in _ACCESS_DENIED_TYPES or hresult in _E_ACCESSDENIED:
        return "access_denied"
    if etype in _NOT_FOUND_TYPES:
        return "channel_not_found"
    return "query_failed"


def _error_text(err):
    """The text of an error the host sent (``{"type", "message"}`` or a text), bounded:
    each part through errors.host_text (no str() of a host object), the whole cut."""
    if not err:
        return None
    if isinstance(err, dict):
        return clip_text(("%s: %s" % (host_text(err.get("type"), "error"), host_text(err.get("message"), ""))).strip())
    return host_text(err)


def _opt_int(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def normalize_live_events(raw, *, since=None, store=None):
    """Normalize what ``EventMaterial.psm1``/``task_events.ps1`` returned.

    ``raw`` = ``{"event_ids": [...], "max_events": int, "channels": [<channel>]}``;
    see tests/unit/fixtures/task_events/*.json for the exact shape. ``store``: the
    shared definition store (definition_store.py) for the task XML in 4698/4702
    events (Windows Update rewrites built-in tasks with the bytes hosts share).
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("channels"), list):
        raise TaskGuardInputError("live event material must be a mapping with a 'channels' list")
    since = validate_bookmark(since)
    wanted = _wanted_ids(raw.get("event_ids"))
    parse_definition = None
    if store is not None:
        def parse_definition(content, task_path):
            return parse_with_store(content, task_path, store)
    collector = _Collector(wanted, since, _max_events(raw.get("max_events")), parse_definition)
    channels, states, errors = {}, {}, []
    for entry in raw["channels"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            errors.append({"source": "live", "path": None, "error": "channel entry without name"})
            continue
        name = entry["name"]
        channels[name], states[name] = _live_channel_info(entry)
        _live_channel_events(entry, name, collector, errors)
        if entry.get("bookmark_mode") == "time_after_reset":
            states[name]["reset"] = True
    for channel in _channels_for(wanted):
        if channel not in channels:
            channels[channel] = _empty_channel()
            channels[channel]["error"] = "channel not reported by the host"
            states[channel] = {"problems": ["query_failed"]}
    return _finish(collector, channels, states, since, "live", errors)


def _live_channel_info(entry):
    """(channel info, coverage state) of one channel the host reported."""
    info = _empty_channel()
    state = {"problems": []}
    # Sections of the wrong type (host output is hostile) count as missing:
    # ``.get`` on a str/list raised AttributeError and lost every channel (issue 9).
    config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
    log_info = entry.get("info") if isinstance(entry.get("info"), dict) else {}
    if isinstance(config.get("is_enabled"), bool):
        info["enabled"] = config["is_enabled"]
    mode = config.get("log_mode")
    info["log_mode"] = _LOG_MODES.get(str(mode).casefold(), str(mode).casefold()) if mode is not None else None
    info["max_size_bytes"] = _opt_int(config.get("max_size_bytes"))
    info["file_size_bytes"] = _opt_int(log_info.get("file_size_bytes"))
    info["record_count"] = _opt_int(log_info.get("record_count"))
    oldest = entry.get("oldest") if isinstance(entry.get("oldest"), dict) else {}
    newest = entry.get("newest") if isinstance(entry.get("newest"), dict) else {}
    info["oldest_record_id"] = _opt_int(oldest.get("record_id"))
    if info["oldest_record_id"] is None:
        info["oldest_record_id"] = _opt_int(log_info.get("oldest_record_number"))
    info["oldest_time"] = _safe_time(oldest.get("time"))
    info["newest_record_id"] = _opt_int(newest.get("record_id"))
    info["newest_time"] = _safe_time(newest.get("time"))
    texts = ["%s: %s" % (key.split("_", maxsplit=1)[0], _error_text(entry[key]))
             for key in ("config_error", "info_error", "edge_error", "query_error") if entry.get(key)]
    info["error"] = "; ".join(texts) or None
    info["readable"] = not entry.get("query_error")
    if entry.get("query_error"):
        # Why the events could not be read is the finding; status errors of the
        # same channel are then the same cause.
        state["problems"].append(_error_reason(entry["query_error"]))
    elif (entry.get("config_error") or entry.get("info_error") or entry.get("edge_error")
          or info["enabled"] is None):
        # Events were read, but without enabled/oldest record we cannot tell a
        # disabled or wrapped log from a quiet one.
        state["problems"].append("status_unavailable")
    state["newest_record_id"] = info["newest_record_id"]
    state["newest_time"] = info["newest_time"]
    # The PowerShell side reads the newest record before querying, so a
    # complete query has filtered every record up to it.
    state["scanned_through"] = info["readable"] and not entry.get("truncated")
    if entry.get("truncated"):
        state["truncated"] = True
    return info, state


def _live_channel_events(entry, name, collector, errors):
    """The channel's events and the records the host could not render."""
    events = entry.get("events") or []
    if not isinstance(events, list):
        errors.append({"source": "live:%s" % name, "path": None, "error": "events is not a list"})
        return
    for xml in events:
        if not isinstance(xml, str):
            collector.bad("live:%s" % name, None, "event is not a string", name)
            continue
        collector.add_xml(xml, "live:%s" % name, channel_hint=name)
    record_errors = entry.get("record_errors")
    for problem in record_errors if isinstance(record_errors, list) else []:  # hostile shape: not iterated
        # Records the host could not render (ToXml failed): reported, and the
        # bookmark still moves past them only as far as returned events go.
        if isinstance(problem, dict):
            collector.bad("live:%s" % name, _opt_int(problem.get("record_id")),
                          _error_text(problem.get("error")) or "record could not be rendered", name)


# --------------------------------------------------------------------------- offline

def find_ci(root_real, parts, errors):
    """Find ``root/parts...`` matching each name case-insensitively.

    Evidence copies differ in case (``winevt\\logs`` from a Linux mount, ``LOGS``
    from a collector). Returns the real path or None. A component that resolves
    outside the root is refused and reported in ``errors``.
    """
    current = root_real
    for index, part in enumerate(parts):
        try:
            with os.scandir(current) as it:
                names = sorted(entry.name for entry in it)
        except OSError:
            return None
        match = part if part in names else None
        if match is None:
            folded = part.casefold()
            candidates = [n for n in names if n.casefold() == folded]
            match = candidates[0] if candidates else None
        if match is None:
            return None
        candidate = os.path.join(current, match)
        real = os.path.realpath(candidate)
        if not is_inside(real, root_real):
            errors.append({"source": "offline", "path": os.path.relpath(candidate, root_real),
                           "error": "refused: symbolic link points outside the evidence root"})
            return None
        current = real
    return current


def _open_inside(real, errors, rel):
    """Open a regular file that was resolved inside the root, without following
    links (offline_tasks.open_regular_file: a planted FIFO is refused, not waited on)."""
    try:
        return open_regular_file(real)
    except NotRegularFile:
        errors.append({"source": "offline", "path": rel, "error": "not a regular file"})
    except OSError as exc:
        errors.append({"source": "offline", "path": rel, "error": "cannot open: %s" % exc.strerror})
    return None


def _scan_evtx(root_real, channel, collector, info, state, errors):
    rel = os.path.join(*(LOGS_DIR + (EVTX_FILES[channel],)))
    before = len(errors)
    real = find_ci(root_real, LOGS_DIR + (EVTX_FILES[channel],), errors)
    if real is None:
        if len(errors) > before:
            state["problems"].append("evtx_refused")
            info["error"] = errors[-1]["error"]
        else:
            state["problems"].append("evtx_missing")
            info["error"] = "%s not found in the evidence" % rel
        return
    handle = _open_inside(real, errors, rel)
    if handle is None:
        state["problems"].append("evtx_unreadable")
        info["error"] = errors[-1]["error"]
        return
    source = "evtx:%s" % os.path.relpath(real, root_real)
    state["source"] = source
    scan = EvtxScan(source)
    wanted_here = {i for i in collector.wanted if EVENTS[i][0] == channel}
    with handle:
        info["file_size_bytes"] = os.fstat(handle.fileno()).st_size
        # Records of another channel are task events of that channel (routed by
        # their own Channel in event_model), never of this one.
        for file_record, xml in iter_task_records(handle, wanted_here, scan, channel=channel,
                                                  foreign_event_ids=collector.wanted - wanted_here):
            collector.add_xml(xml, source, channel_hint=_home_channel(record_channel(xml), channel),
                              record_hint=_record_id_hint(xml) or file_record)
    info["record_count"] = scan.records_scanned
    info["oldest_record_id"] = scan.oldest_record_id
    info["oldest_time"] = _safe_time(scan.oldest_time)
    info["newest_record_id"] = scan.newest_record_id
    info["newest_time"] = _safe_time(scan.newest_time)
    for problem in scan.errors:
        collector.bad(problem["source"], problem["record_id"], problem["error"], channel)
    # Count also the errors beyond the kept ones.
    missing = scan.error_count - len(scan.errors)
    if missing > 0:
        collector.unparseable_total += missing
        collector.unparseable_by_channel[channel] = collector.unparseable_by_channel.get(channel, 0) + missing
    if scan.fatal:
        state["problems"].append("evtx_unreadable")
        info["error"] = scan.fatal
        return
    if scan.error_count:
        state["problems"].append("corrupt_chunks")
        info["error"] = "%d corrupt chunk(s)/record(s) in %s" % (scan.error_count, source)
    if scan.foreign_records:
        _foreign_records(channel, scan, info, state, rel)
        if not scan.records_scanned:
            # Not one record of the channel the file is named after: the channel's
            # log is not in the evidence, whatever the file name says.
            return
    info["readable"] = True
    state["newest_record_id"] = scan.newest_record_id
    state["newest_time"] = info["newest_time"]
    state["scanned_through"] = True


def _foreign_records(channel, scan, info, state, rel):
    """Records of other channels in the file read for ``channel``: a coverage problem
    (the file is not the log its name says, or not only that log)."""
    state["problems"].append("foreign_records" if scan.records_scanned else "evtx_wrong_channel")
    state["foreign_records"] = scan.foreign_records
    state["foreign_channels"] = dict(sorted(scan.foreign.items()))
    named = _counts_text(scan.foreign)
    text = "file named %s holds %d record(s) of channel %s" % (
        os.path.basename(rel), scan.foreign_records, named)
    if not scan.records_scanned:
        text += " and none of %s" % channel
    state["foreign_detail_evtx"] = clip_text(text, MAX_FOREIGN_DETAIL_CHARS)
    info["error"] = "; ".join(t for t in (info.get("error"), text) if t)


def _channel_named_by(file_name):
    """The channel an export's file name names (``Security.xml``,
    ``Microsoft-Windows-TaskScheduler%4Operational.xml`` or with ``-``/``_`` for the
    ``/``), or None: most exports have free names and are judged by their records only."""
    stem = os.path.splitext(file_name)[0].casefold()
    for channel in CHANNELS:
        folded = channel.casefold()
        if stem in (folded, folded.replace("/", "%4"), folded.replace("/", "-"), folded.replace("/", "_")):
            return channel
    return None


# Exports named after one channel whose foreign records are described one by one
# in the coverage detail (a hostile tree can hold hundreds of case spellings of
# Security.xml); further ones are counted.
MAX_FOREIGN_EXPORT_NOTES = 4
MAX_FOREIGN_DETAIL_CHARS = 2048


def _tally_foreign(tally, named, channel):
    """Count a record of the export named after ``named`` whose Channel is another
    (bounded like an .evtx file's foreign channels: evtx_reader.count_channel)."""
    if channel is not None and channel.casefold() != named.casefold():
        count_channel(tally, channel)


def _note_foreign_export(rel, named, tally, states):
    """An export named after a channel that holds records of others: the same
    coverage problem as a misnamed .evtx (its task events are still routed by their
    own Channel). Added to what earlier exports of the same channel noted."""
    state = states.get(named)
    if not tally or state is None:
        return
    total = sum(tally.values())
    state["problems"].append("foreign_records")
    state["foreign_records"] = state.get("foreign_records", 0) + total
    kept = state.setdefault("foreign_channels", {})
    for name, count in sorted(tally.items()):
        count_channel(kept, name, count)
    notes = state.setdefault("foreign_export_notes", [])
    state["foreign_exports"] = state.get("foreign_exports", 0) + 1
    if len(notes) < MAX_FOREIGN_EXPORT_NOTES:
        notes.append("export named %s holds %d record(s) of channel %s" % (
            os.path.basename(rel), total, _counts_text(tally)))
    more = state["foreign_exports"] - len(notes)
    text = "; ".join(notes) + ("; %d more export(s) named after %s hold records of other channels" % (more, named)
                               if more else "")
    state["foreign_detail"] = clip_text(text, MAX_FOREIGN_DETAIL_CHARS)


def _counts_text(counts):
    """``name (count), ...`` by name, the records of unnamed channels last."""
    return ", ".join("%s (%d)" % kv for kv in sorted(counts.items(), key=lambda kv: (kv[0] == OTHER_CHANNELS, kv[0])))


MAX_OTHER_EVTX_FILES = 64
# Bytes of other .evtx files read at most: a Logs folder whose Operational log was
# deleted still holds System/Application logs of gigabytes; samples are small.
MAX_OTHER_EVTX_BYTES = 256 * 1024 * 1024
_NO_CHANNEL = "\x00"   # matches no record's Channel: every record of the file is routed by its own


def _other_evtx_files(root_real, errors):
    """(rel, real) of the ``*.evtx`` files that are not a channel's own file, in the
    Logs folder, the exports folder and the evidence root, at most MAX_OTHER_EVTX_FILES."""
    known = {name.casefold() for name in EVTX_FILES.values()}
    found = []
    for parts in (LOGS_DIR, (EXPORTS_DIR,), ()):
        folder = find_ci(root_real, parts, errors) if parts else root_real
        if folder is None or not os.path.isdir(folder):
            continue
        try:
            with os.scandir(folder) as it:
                names = sorted(e.name for e in it if e.name.casefold().endswith(".evtx")
                               and not (parts == LOGS_DIR and e.name.casefold() in known))
        except OSError as exc:
            errors.append({"source": "offline", "path": os.path.join(*parts) if parts else ".",
                           "error": "cannot list: %s" % exc.strerror})
            continue
        found.extend((os.path.join(*(parts + (name,))), os.path.realpath(os.path.join(folder, name)))
                     for name in names)
    if len(found) > MAX_OTHER_EVTX_FILES:
        errors.append({"source": "offline", "path": ".", "error": "%d other .evtx files, only the first %d read"
                       % (len(found), MAX_OTHER_EVTX_FILES)})
    return found[:MAX_OTHER_EVTX_FILES]


def _scan_other_evtx(root_real, collector, errors):
    """Task events in other ``*.evtx`` files (the Logs folder, ``events/``, the
    evidence root), routed by each record's own Channel. Read only when a channel's
    own file is missing: attack samples and exported logs keep their own names
    (``atexec.evtx``), while a full copy of a Logs folder has both channel files and
    hundreds of unrelated logs."""
    budget = MAX_OTHER_EVTX_BYTES
    for rel, real in _other_evtx_files(root_real, errors):
        if not is_inside(real, root_real):
            errors.append({"source": "offline", "path": rel, "error": "refused: symbolic link points outside the evidence root"})
            continue
        handle = _open_inside(real, errors, rel)
        if handle is None:
            continue
        source = "evtx:%s" % os.path.relpath(real, root_real)
        scan = EvtxScan(source)
        with handle:
            size = os.fstat(handle.fileno()).st_size
            if size > budget:
                errors.append({"source": "offline", "path": rel, "error": "not read: more than %d bytes of other "
                               ".evtx files" % MAX_OTHER_EVTX_BYTES})
                continue
            budget -= size
            for file_record, xml in iter_task_records(handle, (), scan, channel=_NO_CHANNEL,
                                                      foreign_event_ids=collector.wanted):
                collector.add_xml(xml, source, channel_hint=_home_channel(record_channel(xml), None),
                                  record_hint=_record_id_hint(xml) or file_record)
        if scan.fatal or scan.error_count:
            errors.append({"source": "offline", "path": rel,
                           "error": scan.fatal or "%d corrupt chunk(s)/record(s)" % scan.error_count})


def _scan_exports(root_real, collector, errors, states):
    """Read ``<root>/events/*.xml``; returns the set of channels that got events."""
    folder = find_ci(root_real, (EXPORTS_DIR,), errors)
    if folder is None or not os.path.isdir(folder):
        return
    try:
        with os.scandir(folder) as it:
            names = sorted(e.name for e in it if e.name.casefold().endswith(".xml"))
    except OSError as exc:
        errors.append({"source": "offline", "path": EXPORTS_DIR, "error": "cannot list: %s" % exc.strerror})
        return
    if len(names) > MAX_EXPORT_FILES:
        errors.append({"source": "offline", "path": EXPORTS_DIR,
                       "error": "%d export files, only the first %d read" % (len(names), MAX_EXPORT_FILES)})
        names = names[:MAX_EXPORT_FILES]
    for name in names:
        rel = os.path.join(os.path.basename(folder), name)
        real = os.path.realpath(os.path.join(folder, name))
        if not is_inside(real, root_real):
            errors.append({"source": "offline", "path": rel,
                           "error": "refused: symbolic link points outside the evidence root"})
            continue
        handle = _open_inside(real, errors, rel)
        if handle is None:
            continue
        source = "export:%s" % rel
        problems = []
        named = _channel_named_by(name)
        tally = {}
        with handle:
            try:
                for _offset, xml in iter_export_events(handle, problems):
                    found = record_channel(xml)
                    if named is not None:
                        _tally_foreign(tally, named, found)
                    collector.add_xml(xml, source, channel_hint=_home_channel(found, None))
            except OSError as exc:
                problems.append({"offset": None, "error": "read error: %s" % exc})
        if named is not None:
            _note_foreign_export(rel, named, tally, states)
        for problem in problems:
            collector.bad(source, None, "offset %s: %s" % (problem["offset"], problem["error"]))


def collect_offline_events(root, *, since=None, event_ids=None, max_events=None):
    """Collect task events from an evidence folder; never reads outside ``root``."""
    if not isinstance(root, str) or not root:
        raise EvidenceError("offline_root must be a path")
    root_real = os.path.realpath(root)
    if not os.path.isdir(root_real):
        raise EvidenceError("offline_root %s is not a directory" % root)
    since = validate_bookmark(since)
    wanted = _wanted_ids(event_ids)
    collector = _Collector(wanted, since, _max_events(max_events))
    errors = []
    channels = {}
    states = {}
    for channel in _channels_for(wanted):
        info = _empty_channel()
        state = {"problems": []}
        channels[channel] = info
        states[channel] = state
        _scan_evtx(root_real, channel, collector, info, state, errors)
    if any("evtx_missing" in state["problems"] for state in states.values()):
        _scan_other_evtx(root_real, collector, errors)
    _scan_exports(root_real, collector, errors, states)
    # An export can make an otherwise missing channel partly readable; so can the
    # task events of a channel found in another channel's .evtx (routed there by
    # their own Channel).
    exported = {e["channel"] for e in collector.events() if e["source"].startswith("export:")}
    elsewhere = {e["channel"] for e in collector.events()
                 if e["source"].startswith("evtx:") and e["source"] != states.get(e["channel"], {}).get("source")}
    for found, reason in ((exported, "exports_only"), (elsewhere, "events_from_other_file")):
        for channel in sorted(found):
            if channel in channels and not channels[channel]["readable"]:
                channels[channel]["readable"] = True
                states[channel]["problems"].append(reason)
    return _finish(collector, channels, states, since, "offline", errors)
