# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""normalize_live_tasks against fixtures in the exact shape the PowerShell collector returns."""
from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import (
    HIDDEN_REASONS,
    normalize_live_tasks,
)

UNICODE = '\\Ünïcödé タスク'


def _load(unit_fixtures, name):
    with open(unit_fixtures / 'task_info' / name, encoding='utf-8') as handle:
        return json.load(handle)['material']


@pytest.fixture
def admin(unit_fixtures):
    return _load(unit_fixtures, 'live_admin.json')


@pytest.fixture
def not_admin(unit_fixtures):
    return _load(unit_fixtures, 'live_not_admin.json')


def _by_path(result):
    return {t['path']: t for t in result['tasks']}


def test_admin_reasons(admin):
    result = normalize_live_tasks(admin)
    assert result['mode'] == 'live' and result['changed'] is False
    assert result['sources'] == {'api': True, 'files': True, 'registry': True, 'job_files': False}
    assert all(result['checks'][c] for c in HIDDEN_REASONS)
    assert result['unparseable'] == []
    reasons = {p: t['hidden_reasons'] for p, t in _by_path(result).items()}
    assert reasons == {
        '\\Microsoft\\Windows\\Defrag\\ScheduledDefrag': [],
        '\\HiddenFlag': [],   # the Hidden flag is not concealment from the API: it is listed
        '\\Vendor\\Nested\\Updater': [],
        UNICODE: [],
        '\\Tarrask': ['not_in_api', 'sd_missing'],
        '\\GhostTask': ['not_in_api', 'registry_without_file'],
        '\\IndexZero': ['index_zero', 'not_in_api'],
        '\\Locked\\Secret': [],  # its folder could not be enumerated: not_in_api not claimed
    }


def test_admin_fields(admin):
    tasks = _by_path(normalize_live_tasks(admin))
    defrag = tasks['\\Microsoft\\Windows\\Defrag\\ScheduledDefrag']
    assert defrag['seen_in'] == ['api', 'file', 'registry']
    assert defrag['state'] == 'ready'
    assert defrag['last_run_time'] == '2024-05-01T10:00:00.0000000Z'
    assert defrag['last_result'] == 0
    assert defrag['registry']['hash_matches_file'] is True
    assert defrag['file']['sha256'] and defrag['folder'] == '\\Microsoft\\Windows\\Defrag'
    assert defrag['actions'][0]['command'] == '%windir%\\system32\\defrag.exe'
    hidden = tasks['\\HiddenFlag']
    assert hidden['hidden'] is True
    assert hidden['last_run_time'] is None  # COM's 1899 "never"
    assert hidden['next_run_time'] is None
    assert hidden['last_result'] == 0x8004131F
    # parsed from the returned file content (not in the API)
    tarrask = tasks['\\Tarrask']
    assert tarrask['seen_in'] == ['file', 'registry']
    assert tarrask['actions'][0]['command'] == 'C:\\ProgramData\\x\\winupd.exe'
    assert tarrask['state'] is None and tarrask['registry']['sd_present'] is False
    assert tarrask['sha256'] == tarrask['file']['sha256']
    ghost = tasks['\\GhostTask']
    assert ghost['seen_in'] == ['registry'] and ghost['fingerprint'] is None
    assert tasks['\\IndexZero']['registry']['index'] == 0
    assert tasks[UNICODE]['name'] == 'Ünïcödé タスク'
    nested = tasks['\\Vendor\\Nested\\Updater']
    assert (nested['name'], nested['folder']) == ('Updater', '\\Vendor\\Nested')
    # the same definition from the API (str) and from a file (bytes) hashes the same
    assert nested['sha256'] == nested['file']['sha256']


def test_admin_host_and_errors(admin):
    result = normalize_live_tasks(admin)
    assert result['host'] == {
        'name': 'ws01.corp.example', 'os_caption': 'Microsoft Windows 10 Enterprise',
        'os_version': '10.0.19045', 'os_build': '19045', 'os_family': 'windows_10',
        'product_type': 'workstation', 'domain_role': 'member_workstation', 'os_edition': None,
        'os_source': 'live'}
    assert {'source': 'api', 'path': '\\Locked',
            'error': 'cannot list tasks: Access is denied. (0x80070005)'} in result['errors']
    assert result['registry_source'] == {'kind': 'live', 'path': None}


def test_not_admin_reports_instead_of_claiming_clean(not_admin):
    result = normalize_live_tasks(not_admin)
    assert result['sources'] == {'api': True, 'files': False, 'registry': False, 'job_files': False}
    assert not any(result['checks'].values())
    assert [t['path'] for t in result['tasks']] == ['\\Vendor\\Nested\\Updater']
    assert result['tasks'][0]['hidden_reasons'] == []
    messages = ' | '.join(e['error'] for e in result['errors'])
    assert 'not running as a local administrator' in messages
    assert 'Requested registry access is not allowed' in messages
    assert "Access to the path" in messages
    assert any(e['path'] == '\\Microsoft\\Windows\\Defrag' for e in result['errors'])


def test_api_unreadable_everything_else_still_reported(admin):
    raw = copy.deepcopy(admin)
    raw['api'] = {'read': False, 'error': 'cannot connect to the Task Scheduler service: x', 'tasks': [],
                  'folder_errors': []}
    result = normalize_live_tasks(raw)
    assert result['sources']['api'] is False and result['checks']['not_in_api'] is False
    tasks = _by_path(result)
    # files without returned content (the API had them) cannot be parsed: listed, definition null
    assert tasks['\\HiddenFlag']['seen_in'] == ['file', 'registry']
    assert tasks['\\Tarrask']['hidden_reasons'] == ['sd_missing']


def test_hostile_material(admin):
    raw = copy.deepcopy(admin)
    raw['api']['tasks'][0]['xml'] = '<!DOCTYPE x [<!ENTITY a "b">]><Task/>'
    raw['api']['tasks'].append({'path': '\\Broken', 'xml': None, 'state': None, 'enabled': None,
                                'last_run_time': None, 'next_run_time': None, 'last_result': None,
                                'error': 'cannot read task: Access is denied. (0x80070005)'})
    raw['api']['tasks'].append('not a dict')
    raw['files']['entries'][4]['content'] = '***not base64***'
    raw['taskcache']['tree'].append({'path': 42})
    result = normalize_live_tasks(raw)
    bad = {(u['path'], u['source']): u['error'] for u in result['unparseable']}
    assert 'DOCTYPE' in bad[('\\Microsoft\\Windows\\Defrag\\ScheduledDefrag', 'api')]
    assert 'Access is denied' in bad[('\\Broken', 'api')]
    assert 'base64' in bad[('\\Tarrask', 'file')]
    tasks = _by_path(result)
    assert tasks['\\Microsoft\\Windows\\Defrag\\ScheduledDefrag']['fingerprint'] is None


@pytest.mark.parametrize('raw', [None, {}, [], 'x', {'api': 'x', 'files': 1, 'taskcache': []}])
def test_garbage_material_never_crashes_or_claims_clean(raw):
    result = normalize_live_tasks(raw)
    assert result['tasks'] == []
    assert result['sources'] == {'api': False, 'files': False, 'registry': False, 'job_files': False}
    assert result['errors']
    assert result['host']['os_family'] == 'unknown'


def test_partial_api_item_errors_are_reported(admin):
    raw = copy.deepcopy(admin)
    raw['api']['tasks'][1]['error'] = 'cannot read run state: RPC server unavailable'
    raw['api']['tasks'][2]['xml'] = None
    raw['api']['tasks'][2]['error'] = None
    result = normalize_live_tasks(raw)
    assert {'source': 'api', 'path': '\\HiddenFlag',
            'error': 'cannot read run state: RPC server unavailable'} in result['errors']
    assert _by_path(result)['\\HiddenFlag']['fingerprint']  # the definition itself was fine
    bad = {u['path']: u['error'] for u in result['unparseable']}
    assert bad == {'\\Vendor\\Nested\\Updater': 'the API returned no definition'}


def test_file_errors_reported_even_when_the_api_had_the_task(admin):
    raw = copy.deepcopy(admin)
    raw['files']['entries'][0]['error'] = 'cannot read: The process cannot access the file (0x80070020)'
    result = normalize_live_tasks(raw)
    assert any(e['source'] == 'files' and e['path'] == '\\Microsoft\\Windows\\Defrag\\ScheduledDefrag'
               and '0x80070020' in e['error'] for e in result['errors'])
    assert result['unparseable'] == []
