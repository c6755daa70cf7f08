# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Normalized scheduled-task definition (the collection's task contract).

``parse_task_definition`` turns one task XML (a file from ``System32\\Tasks``,
``IRegisteredTask.Xml`` from the COM API, or ``TaskContent`` of a 4698/4702
event) into the definition part of a normalized task. The collection fields
(``seen_in``, ``hidden_reasons``, ``registry``, ``file``, runtime state) are added
by ``task_collection``; see ``new_task_entry``.

Parsing is lenient (schema 1.0-1.6 or no ``version``, unknown elements ignored,
with or without the task namespace) but never silent about garbage: input that
is not a task raises ``TaskDefinitionError``; unsafe or malformed XML raises
the ``safe_xml`` errors. One pass over the children, no XPath: this runs on every
task of every host and on every 4698 event.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import codecs
import hashlib
import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskDefinitionError
from ansible_collections.taskguard.windows.plugins.plugin_utils.safe_xml import local_name, parse_xml

TASK_NAMESPACE = 'http://schemas.microsoft.com/windows/2004/02/mit/task'
# Real definitions are a few KB (the largest in a Windows 10 Tasks folder ~10 KB).
MAX_TASK_BYTES = 2 * 1024 * 1024
# Bumped when the fingerprint's input changes, so old and new never compare equal.
FINGERPRINT_VERSION = 1

DEFINITION_KEYS = (
    'path', 'name', 'folder', 'uri', 'enabled', 'hidden', 'author', 'description',
    'registration_date', 'schema_version', 'security_descriptor', 'source', 'principal',
    'actions', 'actions_context', 'triggers', 'sha256', 'fingerprint', 'is_at_job',
)
COLLECTION_KEYS = (
    'seen_in', 'hidden_reasons', 'registry', 'file', 'state', 'last_run_time',
    'next_run_time', 'last_result',
)

_ACTION_TYPES = {
    'Exec': 'exec',
    'ComHandler': 'com_handler',
    'SendEmail': 'send_email',
    'ShowMessage': 'show_message',
}
_TRIGGER_TYPES = {
    'BootTrigger': 'boot',
    'LogonTrigger': 'logon',
    'TimeTrigger': 'time',
    'CalendarTrigger': 'calendar',
    'IdleTrigger': 'idle',
    'RegistrationTrigger': 'registration',
    'EventTrigger': 'event',
    'SessionStateChangeTrigger': 'session_state_change',
    'WnfStateChangeTrigger': 'wnf',
}
_CALENDAR_SCHEDULES = {
    'ScheduleByDay': 'daily',
    'ScheduleByWeek': 'weekly',
    'ScheduleByMonth': 'monthly',
    'ScheduleByMonthDayOfWeek': 'monthly',
}
_AT_JOB = re.compile(r'\AAt[0-9]+\Z', re.IGNORECASE)
_TRUE = frozenset(('true', '1'))
_FALSE = frozenset(('false', '0'))


def normalize_path(path):
    """Scheduler-style path: backslashes, one leading backslash, no trailing one."""
    if path is None:
        return None
    path = str(path)
    # Fast path: already normalized (what the scheduler and the collector send),
    # returned as is; this runs several times per task of every host.
    if (path[:1] == '\\' and (len(path) == 1 or path[-1] != '\\') and '/' not in path
            and '\\\\' not in path):
        return path
    path = path.replace('/', '\\')
    parts = [p for p in path.split('\\') if p]
    return '\\' + '\\'.join(parts)


def split_path(path):
    """``\\A\\B\\C`` -> (``C``, ``\\A\\B``); root folder is ``\\``."""
    if not path or path == '\\':
        return None, '\\'
    folder, _sep, name = path.rpartition('\\')
    return name, (folder or '\\')


def _is_at_job(name, folder):
    return folder == '\\' and bool(name) and bool(_AT_JOB.match(name))


def _bool(text, default, what):
    if text is None:
        return default
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if value == '':
        return default
    raise TaskDefinitionError('%s: %r is not a boolean' % (what, text[:40]))


def empty_task(path):
    """Definition fields of a task whose definition we do not have (registry-only).

    Lists are empty and everything else ``None`` (``fingerprint`` None means "no
    definition"), so code iterating actions/triggers does not need a special case.
    """
    path = normalize_path(path)
    name, folder = split_path(path)
    return {
        'path': path, 'name': name, 'folder': folder, 'uri': None,
        'enabled': None, 'hidden': None, 'author': None, 'description': None,
        'registration_date': None, 'schema_version': None, 'security_descriptor': None,
        'source': None, 'principal': None, 'actions': [], 'actions_context': None,
        'triggers': [], 'sha256': None, 'fingerprint': None,
        'is_at_job': _is_at_job(name, folder),
    }


def new_task_entry(definition, *, copy=True):
    """A full normalized task: definition fields plus empty collection fields.

    ``copy=False`` turns ``definition`` itself into the task (for a definition
    the caller has just built and owns: one dict less per task of every host).
    """
    task = dict(definition) if copy else definition
    task.update({
        'seen_in': [], 'hidden_reasons': [], 'registry': None, 'file': None,
        'state': None, 'last_run_time': None, 'next_run_time': None, 'last_result': None,
    })
    return task


def definition_sha256(data):
    """SHA-256 of the stored definition.

    bytes: of the bytes as read (a file's content). str (API XML, event
    TaskContent): of its UTF-16 LE encoding with BOM, which is how the scheduler
    stores task files, so an API definition identical to its file hashes the same.
    """
    if isinstance(data, str):
        data = codecs.BOM_UTF16_LE + data.encode('utf-16-le', 'surrogatepass')
    return hashlib.sha256(data).hexdigest()


# Element -> result key, per part of the definition. Turned into per-namespace
# tables of full tags (see _tables_for) so each child costs one dict lookup.
_REG_FIELDS = {'URI': 'uri', 'Author': 'author', 'Description': 'description', 'Date': 'registration_date',
               'SecurityDescriptor': 'security_descriptor', 'Source': 'source'}
_PRINCIPAL_FIELDS = {'UserId': 'user_id', 'GroupId': 'group_id', 'LogonType': 'logon_type', 'RunLevel': 'run_level'}
_ACTION_FIELDS = {
    'Exec': {'Command': 'command', 'Arguments': 'arguments', 'WorkingDirectory': 'working_directory'},
    'ComHandler': {'ClassId': 'class_id', 'Data': 'data'},
    # Deprecated since Windows 8 and refused by current schedulers; the body is
    # kept in data (and the To address in arguments) so nothing written is lost.
    'SendEmail': {'Body': 'data', 'To': 'arguments'},
    'ShowMessage': {'Body': 'data'},
}
_TRIGGER_FIELDS = {'StartBoundary': 'start_boundary', 'UserId': 'user_id', 'Delay': 'delay',
                   'Subscription': 'subscription'}
_TABLES = {}


class _Tables(object):
    """Full-tag lookup tables for one root namespace, as attributes (one
    attribute load each instead of a dict lookup per use)."""
    __slots__ = ('task', 'reg', 'settings', 'enabled', 'hidden', 'actions_tag', 'triggers_tag', 'principals_tag',
                 'reginfo_tag', 'settings_tag', 'principal', 'principal_fields', 'actions', 'action_fields',
                 'triggers', 'trigger_fields', 'repetition', 'interval', 'calendar', 'calendar_trigger', 'local')

    def __init__(self, ns):
        def full(mapping):
            return {ns + name: value for name, value in mapping.items()}
        self.task = ns + 'Task'
        self.reginfo_tag = ns + 'RegistrationInfo'
        self.settings_tag = ns + 'Settings'
        self.actions_tag = ns + 'Actions'
        self.triggers_tag = ns + 'Triggers'
        self.principals_tag = ns + 'Principals'
        self.reg = full(_REG_FIELDS)
        self.enabled = ns + 'Enabled'
        self.hidden = ns + 'Hidden'
        self.settings = (self.enabled, self.hidden)
        self.principal = ns + 'Principal'
        self.principal_fields = full(_PRINCIPAL_FIELDS)
        self.actions = full(_ACTION_TYPES)
        self.action_fields = {ns + kind: full(fields) for kind, fields in _ACTION_FIELDS.items()}
        self.triggers = full(_TRIGGER_TYPES)
        self.trigger_fields = full(_TRIGGER_FIELDS)
        self.repetition = ns + 'Repetition'
        self.interval = ns + 'Interval'
        self.calendar = full(_CALENDAR_SCHEDULES)
        self.calendar_trigger = ns + 'CalendarTrigger'
        self.local = full({n: n for n in tuple(_ACTION_TYPES) + tuple(_TRIGGER_TYPES)})


def _tables_for(root_tag):
    """Tables for a root tag that is ``Task`` in some namespace (cached per full
    root tag; bounded: hostile documents could invent namespaces forever)."""
    tables = _TABLES.get(root_tag)
    if tables is None:
        ns = root_tag[:root_tag.index('}') + 1] if root_tag[:1] == '{' else ''
        tables = _Tables(ns)
        if len(_TABLES) < 16:
            _TABLES[root_tag] = tables
    return tables


def _principal(elem, wanted_id, tables):
    chosen = None
    principal_tag = tables.principal
    for child in elem:
        if child.tag != principal_tag:
            continue
        if chosen is None:
            chosen = child
        if wanted_id is not None and child.get('id') == wanted_id:
            chosen = child
            break
    if chosen is None:
        return None
    result = {'id': chosen.get('id'), 'user_id': None, 'group_id': None,
              'logon_type': None, 'run_level': None}
    fields = tables.principal_fields
    for child in chosen:
        key = fields.get(child.tag)
        if key is not None:
            result[key] = child.text or None
    return result


def _actions(section, tables):
    out = []
    kinds, local, all_fields = tables.actions, tables.local, tables.action_fields
    for elem in section:
        tag = elem.tag
        if tag.__class__ is not str:
            # comments and PIs (the parser drops them already; never an action).
            # A plain loop: iterchildren(tag=...) builds a tag matcher per call,
            # which costs more than the whole loop here.
            continue
        action = {'type': kinds.get(tag, 'other'), 'raw_type': local.get(tag) or local_name(tag), 'command': None,
                  'arguments': None, 'working_directory': None, 'class_id': None, 'data': None}
        fields = all_fields.get(tag)
        if fields:
            for child in elem:
                key = fields.get(child.tag)
                if key is not None:
                    action[key] = child.text or None
        out.append(action)
    return out


def _triggers(section, tables):
    out = []
    kinds, local, fields = tables.triggers, tables.local, tables.trigger_fields
    enabled_tag, repetition_tag, calendar_tag = tables.enabled, tables.repetition, tables.calendar_trigger
    for elem in section:
        tag = elem.tag
        if tag.__class__ is not str:
            continue
        raw = local.get(tag) or local_name(tag)
        trigger = {'type': kinds.get(tag, 'other'), 'enabled': True, 'start_boundary': None,
                   'user_id': None, 'delay': None, 'repetition_interval': None,
                   'subscription': None, 'raw_type': raw}
        calendar = tag == calendar_tag
        for child in elem:
            ctag = child.tag
            key = fields.get(ctag)
            if key is not None:
                trigger[key] = child.text or None
            elif ctag == enabled_tag:
                trigger['enabled'] = _bool(child.text, True, '%s/Enabled' % raw)
            elif ctag == repetition_tag:
                for rep in child.iterchildren(tables.interval):
                    trigger['repetition_interval'] = rep.text or None
            elif calendar and ctag in tables.calendar:
                trigger['type'] = tables.calendar[ctag]
        out.append(trigger)
    return out


# What the place of a task decides, not its XML: a kept definition (the shared
# store of definition_store.py) is the same for every place it is found at.
PLACE_KEYS = ('path', 'name', 'folder', 'is_at_job')


def place_definition(task, path):
    """Set the place fields (PLACE_KEYS) of a definition in place and return it:
    ``path`` when given (where the task lives), else its declared URI."""
    task_path = normalize_path(path) if path else normalize_path(task['uri'])
    name, folder = split_path(task_path)
    task['path'], task['name'], task['folder'] = task_path, name, folder
    task['is_at_job'] = _is_at_job(name, folder)
    return task


def _root_tables(root, what):
    """The tag tables of the root's namespace; TaskDefinitionError when it is not <Task>."""
    root_tag = root.tag
    tables = _TABLES.get(root_tag)
    if tables is None:
        if local_name(root_tag) != 'Task':
            raise TaskDefinitionError('%s: root element is <%s>, not <Task>' % (what, local_name(root_tag)[:60]))
        tables = _tables_for(root_tag)
    return tables


def _sections(root, tables):
    """The definition fields of the root's sections, as a dict of the task's keys.

    Fields stay locals until the end (cheaper than item assignment per field); the
    section order of the schema is not required, unknown sections are skipped.
    """
    enabled, hidden = True, False
    actions, triggers, actions_context = [], [], None
    principals_elem = None
    reg = None
    for section in root:
        stag = section.tag
        if stag == tables.reginfo_tag:
            fields = tables.reg
            reg = {}
            for child in section:
                key = fields.get(child.tag)
                if key is not None:
                    reg[key] = child.text or None
        elif stag == tables.settings_tag:
            # Settings has ~20 children and we need two: let lxml filter in C.
            enabled_tag = tables.enabled
            for child in section.iterchildren(*tables.settings):
                if child.tag == enabled_tag:
                    enabled = _bool(child.text, True, 'Settings/Enabled')
                else:
                    hidden = _bool(child.text, False, 'Settings/Hidden')
        elif stag == tables.actions_tag:
            actions_context = section.get('Context')
            # Unknown action/trigger kinds are kept as type "other", never dropped.
            actions = _actions(section, tables)
        elif stag == tables.triggers_tag:
            triggers = _triggers(section, tables)
        elif stag == tables.principals_tag:
            principals_elem = section
    return {
        'enabled': enabled, 'hidden': hidden, 'actions': actions, 'actions_context': actions_context,
        'triggers': triggers, 'reg': reg,
        'principal': _principal(principals_elem, actions_context, tables) if principals_elem is not None else None,
    }


def parse_task_definition(data, *, path=None, max_bytes=MAX_TASK_BYTES, sha256=None):
    """Parse one task definition (bytes or already-decoded str) into its fields.

    ``path`` is where the task lives (scheduler path, file path under ``Tasks``);
    when None (e.g. an event without TaskName) the declared URI is used.
    ``sha256``: ``definition_sha256(data)`` when the caller computed it already.
    Raises ``TaskGuardInputError`` subclasses for unsafe, malformed or non-task XML.
    """
    what = 'task definition %s' % path if path else 'task definition'
    root = parse_xml(data, max_bytes=max_bytes, what=what)
    found = _sections(root, _root_tables(root, what))
    task = {
        'path': None, 'name': None, 'folder': None, 'uri': None,
        'enabled': found['enabled'], 'hidden': found['hidden'], 'author': None, 'description': None,
        'registration_date': None, 'schema_version': root.get('version'),
        'security_descriptor': None, 'source': None,
        'principal': found['principal'],
        'actions': found['actions'], 'actions_context': found['actions_context'], 'triggers': found['triggers'],
        'sha256': None, 'fingerprint': None, 'is_at_job': False,
    }
    if found['reg']:
        task.update(found['reg'])
    place_definition(task, path)
    task['sha256'] = sha256 or definition_sha256(data)
    task['fingerprint'] = fingerprint(task)
    return task


def _n(value):
    return ' '.join(value.split()) if value else value


def _nl(value):
    return ' '.join(value.split()).lower() if value else value


# None/True/False as control characters XML 1.0 cannot carry; strings map to
# themselves (map(_MARKS.get, values, values) is _MARKS.get(v, v) in C).
_MARKS = {None: '\x00', True: '\x01', False: '\x02'}
_NO_PRINCIPAL = {}


def _join(values):
    # Separators are control characters too, so joined fields cannot be
    # confused with one another (much cheaper than json.dumps per task).
    return '\x1f'.join(map(_MARKS.get, values, values))


def fingerprint(task):
    """Stable hash of the security-relevant definition fields of a normalized task.

    In: enabled, hidden, principal (user/group/logon type/run level), actions in
    definition order (order is semantic: they run in sequence), triggers as a
    sorted multiset (their order is not). Out: path/uri (compared separately),
    registration date, author, description, SD, start boundaries (set to the
    install time on every host, so they would make identical vendor tasks differ).
    Whitespace runs are collapsed; Windows-case-insensitive values (paths,
    accounts, CLSIDs) are lower-cased. None for a task without a definition.
    """
    get = task.get
    if get('schema_version') is None and get('sha256') is None and not get('actions'):
        return None
    principal = get('principal') or _NO_PRINCIPAL
    triggers = sorted([
        _join((t.get('type'), t.get('enabled'), _nl(t.get('user_id')), _n(t.get('delay')),
               _n(t.get('repetition_interval')), _n(t.get('subscription'))))
        for t in get('triggers') or ()
    ])
    actions = [
        _join((a.get('type'), _nl(a.get('command')), _n(a.get('arguments')),
               _nl(a.get('working_directory')), _nl(a.get('class_id')), _n(a.get('data'))))
        for a in get('actions') or ()
    ]
    blob = _join((
        'v%d' % FINGERPRINT_VERSION, get('enabled'), get('hidden'),
        _nl(principal.get('user_id')), _nl(principal.get('group_id')),
        _n(principal.get('logon_type')), _n(principal.get('run_level')),
    )) + '\x1d' + '\x1e'.join(actions) + '\x1d' + '\x1e'.join(triggers)
    return hashlib.sha256(blob.encode('utf-8', 'surrogatepass')).hexdigest()
