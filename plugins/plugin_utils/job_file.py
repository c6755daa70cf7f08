# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Legacy task files ``Windows\\Tasks\\*.job`` (T1053.002, ``at.exe``, ``NetScheduleJobAdd``).

The layout is [MS-TSCH] section 2.4 ".JOB File Format" (also written up by libyal
and the ForensicsWiki "Windows Job File Format" page), little-endian:

* FIXDLEN_DATA, 68 bytes: product version (2), file version (2, 1), job UUID (16),
  offset of the application name's length (2), offset of the triggers (2), error
  retry count/interval, idle deadline/wait (2 each), priority, maximum run time
  (ms), exit code, status, flags (4 each), last run time (SYSTEMTIME, 16);
* the variable-length section: running instance count (2), then five Unicode
  strings (application name, parameters, working directory, author, comment: each
  a 2-byte character count that includes the terminating NUL, then UTF-16 LE),
  user data and reserved data (2-byte byte count, then bytes), the triggers (2-byte
  count, then 48 bytes each) and an optional job signature.

Every file is hostile: its size is bounded (MAX_JOB_BYTES), every count and offset
is checked against the bytes that are really there, and the trigger count is
bounded by what fits. A file that does not parse raises :class:`JobFileError` (the
caller reports it as ``unparseable``); nothing here raises anything else for bad
content.

The .job format holds no account: the credentials of a v1 task live in the LSA
secret store, and ``at`` jobs run as the AT service account (SYSTEM unless one was
configured). ``principal`` is therefore None: this module claims no user.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import struct
import uuid

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import fingerprint

# A real .job is a few hundred bytes (strings are capped by MAX_PATH-sized buffers).
MAX_JOB_BYTES = 64 * 1024
FIXED_LENGTH = 68
TRIGGER_SIZE = 48
MAX_TRIGGERS = 256
MAX_STRING_CHARS = 8192
SOURCE = 'job_file'

# [MS-TSCH] draws its bit fields most significant bit first; the values in the file
# are the Win32/mstask.h constants (the authentic sample of tests/unit/fixtures/
# authentic/jobs has priority 0x20, NORMAL_PRIORITY_CLASS, and internal flags in the
# high bits only). mstask.h TASK_FLAG_* (the Flags field of FIXDLEN_DATA):
TASK_FLAG_DISABLED = 0x4
TASK_FLAG_HIDDEN = 0x200
# TASK_TRIGGER_FLAG_* (the Flags field of a trigger)
TRIGGER_FLAG_HAS_END_DATE = 0x1
TRIGGER_FLAG_DISABLED = 0x4

# [MS-TSCH] 2.4.2.11.1 Trigger Type -> the trigger types task_model gives XML tasks
TRIGGER_TYPES = {
    0: ('time', 'ONCE'),
    1: ('daily', 'DAILY'),
    2: ('weekly', 'WEEKLY'),
    3: ('monthly', 'MONTHLYDATE'),
    4: ('monthly', 'MONTHLYDOW'),
    5: ('idle', 'EVENT_ON_IDLE'),
    6: ('boot', 'EVENT_AT_SYSTEMSTART'),
    7: ('logon', 'EVENT_AT_LOGON'),
}
# SCHED_S_* status codes a .job records ([MS-TSCH] 2.4.1 Status)
STATUS = {
    0x00041300: 'ready',
    0x00041301: 'running',
    0x00041302: 'disabled',
    0x00041303: 'has_not_run',
    0x00041304: 'no_more_runs',
    0x00041305: 'not_scheduled',
    0x00041306: 'terminated',
    0x00041307: 'no_valid_triggers',
}

_FIXED = struct.Struct('<HH16sHHHHHHIIIII8H')


class JobFileError(TaskGuardInputError):
    """A .job file that cannot be read as the MS-TSCH job format."""


class _Reader:
    """Bounds-checked little-endian reads; every failure names the field."""

    def __init__(self, data, offset):
        self.data = data
        self.offset = offset

    def take(self, size, what):
        end = self.offset + size
        if size < 0 or end > len(self.data):
            raise JobFileError('%s: %d byte(s) needed at offset %d, the file has %d'
                               % (what, size, self.offset, len(self.data)))
        chunk = self.data[self.offset:end]
        self.offset = end
        return chunk

    def u16(self, what):
        return struct.unpack('<H', self.take(2, what))[0]

    def string(self, what):
        chars = self.u16(what + ' length')
        if chars == 0:
            return None
        if chars > MAX_STRING_CHARS:
            raise JobFileError('%s: %d characters declared (more than %d)' % (what, chars, MAX_STRING_CHARS))
        raw = self.take(chars * 2, what)
        text = raw.decode('utf-16-le', 'replace')
        # The count includes the terminating NUL; anything after a NUL is not shown
        # by the scheduler either.
        text = text.split('\x00', 1)[0]
        return text or None


def _systemtime(words):
    year, month, _weekday, day, hour, minute, second, _ms = words
    if year == 0 and month == 0 and day == 0:
        return None     # never ran
    if not (1601 <= year <= 30827 and 1 <= month <= 12 and 1 <= day <= 31
            and hour < 24 and minute < 60 and second < 60):
        return None
    # Local time of the host (the format has no zone): no 'Z'.
    return '%04d-%02d-%02dT%02d:%02d:%02d' % (year, month, day, hour, minute, second)


def _date(year, month, day, hour=0, minute=0):
    if not (1601 <= year <= 30827 and 1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60):
        return None
    return '%04d-%02d-%02dT%02d:%02d:00' % (year, month, day, hour, minute)


def _trigger(raw):
    (_size, _reserved1, b_year, b_month, b_day, e_year, e_month, e_day, hour, minute,
     duration, interval, flags, kind, spec0, spec1, spec2) = struct.unpack('<10HIIII3H', raw[:42])
    normalized, name = TRIGGER_TYPES.get(kind, ('other', 'UNKNOWN_%d' % kind))
    return {
        'type': normalized,
        'enabled': not flags & TRIGGER_FLAG_DISABLED,
        'start_boundary': _date(b_year, b_month, b_day, hour, minute),
        'user_id': None, 'delay': None,
        'repetition_interval': ('PT%dM' % interval) if interval else None,
        'subscription': None,
        'raw_type': 'JobTrigger:' + name,
        'end_boundary': _date(e_year, e_month, e_day) if flags & TRIGGER_FLAG_HAS_END_DATE else None,
        'minutes_duration': duration,
        'trigger_specific': [spec0, spec1, spec2],
    }


def _variable_section(data, app_offset, anomalies):
    """Strings, user/reserved data and where the strings ended."""
    running = None
    if app_offset >= FIXED_LENGTH + 2:
        running = struct.unpack('<H', data[FIXED_LENGTH:FIXED_LENGTH + 2])[0]
    if app_offset != FIXED_LENGTH + 2:
        anomalies.append('application name at offset %d (the format puts it at %d)' % (app_offset, FIXED_LENGTH + 2))
    reader = _Reader(data, app_offset)
    fields = {}
    for key, what in (('application', 'application name'), ('parameters', 'parameters'),
                      ('working_directory', 'working directory'), ('author', 'author'),
                      ('comment', 'comment')):
        fields[key] = reader.string(what)
    fields['user_data_bytes'] = len(reader.take(reader.u16('user data size'), 'user data'))
    fields['reserved_data_bytes'] = len(reader.take(reader.u16('reserved data size'), 'reserved data'))
    fields['running_instances'] = running
    return fields, reader.offset


def _triggers(data, trigger_offset, strings_end, anomalies):
    if trigger_offset != strings_end:
        anomalies.append('triggers at offset %d, the strings end at %d' % (trigger_offset, strings_end))
    reader = _Reader(data, trigger_offset)
    count = reader.u16('trigger count')
    fits = (len(data) - reader.offset) // TRIGGER_SIZE
    if count > min(fits, MAX_TRIGGERS):
        raise JobFileError('trigger count %d, but only %d trigger(s) fit in the file' % (count, fits))
    out = []
    for index in range(count):
        raw = reader.take(TRIGGER_SIZE, 'trigger %d' % index)
        size = struct.unpack('<H', raw[:2])[0]
        if size != TRIGGER_SIZE:
            anomalies.append('trigger %d declares %d bytes (the format has %d)' % (index, size, TRIGGER_SIZE))
        out.append(_trigger(raw))
    return out, reader.offset


def parse_job(data, *, name):
    """Parse the bytes of one ``.job`` file; ``name`` is its file name (``At1.job``).

    Returns ``(fields, triggers)``: the header and strings as a dict, and the
    triggers normalized like task_model's. Raises JobFileError for anything that
    is not a well-formed job file.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise JobFileError('%s: no content' % name)
    if len(data) > MAX_JOB_BYTES:
        raise JobFileError('%s: %d bytes, more than the %d a job file can hold' % (name, len(data), MAX_JOB_BYTES))
    if len(data) < FIXED_LENGTH + 2:
        raise JobFileError('%s: %d bytes, shorter than the fixed-length section' % (name, len(data)))
    data = bytes(data)
    fixed = _FIXED.unpack(data[:FIXED_LENGTH])
    (product, version, job_uuid, app_offset, trigger_offset, retry_count, retry_interval, idle_deadline,
     idle_wait, priority, max_run_ms, exit_code, status, flags) = fixed[:14]
    last_run = _systemtime(fixed[14:])
    if version != 1:
        raise JobFileError('%s: file version %d (a job file has 1)' % (name, version))
    if not FIXED_LENGTH <= app_offset < len(data) or not FIXED_LENGTH <= trigger_offset < len(data):
        raise JobFileError('%s: offsets %d/%d outside the file of %d bytes' % (name, app_offset, trigger_offset, len(data)))
    anomalies = []
    try:
        fields, strings_end = _variable_section(data, app_offset, anomalies)
        triggers, end = _triggers(data, trigger_offset, strings_end, anomalies)
    except JobFileError as exc:
        raise JobFileError('%s: %s' % (name, exc))
    fields.update({
        'product_version': product, 'uuid': str(uuid.UUID(bytes_le=job_uuid)),
        'error_retry_count': retry_count, 'error_retry_interval': retry_interval,
        'idle_deadline': idle_deadline, 'idle_wait': idle_wait, 'priority': priority,
        'max_run_time_ms': max_run_ms, 'exit_code': exit_code,
        'status': STATUS.get(status, '0x%08x' % status), 'flags': flags, 'last_run_time': last_run,
        # What follows the triggers: a job signature (2 + 2 + 64 bytes) or nothing.
        'trailing_bytes': len(data) - end, 'anomalies': anomalies,
    })
    return fields, triggers


def job_path(name):
    """The scheduler-style path a job gets in the result: ``\\`` + its file name,
    extension kept (``\\At1.job``), so it never merges with an XML task of the same
    stem (Windows registers ``at`` jobs as ``\\At1`` too: both are reported)."""
    return '\\' + name


def job_task(data, *, name, location):
    """A task in the normalized shape of task_model (DEFINITION_KEYS) plus the
    collection keys, from one job file. ``location`` says where it was seen
    (``Windows\\Tasks``). Raises JobFileError."""
    fields, triggers = parse_job(data, name=name)
    stem = name[:-4] if name.lower().endswith('.job') else name
    sha256 = hashlib.sha256(data).hexdigest()
    task = {
        'path': job_path(name), 'name': name, 'folder': '\\', 'uri': None,
        'enabled': not fields['flags'] & TASK_FLAG_DISABLED,
        'hidden': bool(fields['flags'] & TASK_FLAG_HIDDEN),
        'author': fields['author'], 'description': fields['comment'],
        'registration_date': None, 'schema_version': None, 'security_descriptor': None,
        # Set by the collector, never read from the file (an XML task's
        # RegistrationInfo/Source is attacker text: key on seen_in/job instead).
        'source': SOURCE,
        'principal': None,
        'actions': [{'type': 'exec', 'raw_type': 'JobApplication', 'command': fields['application'],
                     'arguments': fields['parameters'], 'working_directory': fields['working_directory'],
                     'class_id': None, 'data': None}],
        'actions_context': None, 'triggers': triggers,
        'sha256': sha256, 'fingerprint': None,
        'is_at_job': stem.lower().startswith('at') and stem[2:].isdigit(),
        'seen_in': [SOURCE], 'hidden_reasons': [], 'registry': None,
        'file': {'size': len(data), 'sha256': sha256, 'content_sha256': None},
        'state': 'disabled' if fields['flags'] & TASK_FLAG_DISABLED else None,
        'last_run_time': fields['last_run_time'], 'next_run_time': None,
        'last_result': fields['exit_code'] if fields['last_run_time'] else None,
        'job': dict(fields, location=location),
    }
    task['fingerprint'] = fingerprint(task)
    return task
