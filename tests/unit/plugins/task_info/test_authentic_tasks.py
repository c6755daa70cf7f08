# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Facts from ../shared/fixtures/README.md, asserted on the real Windows 10 Tasks folder."""
from __future__ import annotations

import collections
import os

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import normalize_path, parse_task_definition

pytestmark = pytest.mark.authentic


def _files(base):
    out = []
    for dirpath, _dirs, names in os.walk(base):
        for name in names:
            full = os.path.join(dirpath, name)
            rel = '\\' + os.path.relpath(full, base).replace(os.sep, '\\')
            with open(full, 'rb') as handle:
                out.append((rel, handle.read()))
    return sorted(out)


@pytest.fixture
def win10(shared_fixtures):
    return _files(shared_fixtures / 'tasks' / 'win10-aptsim')


@pytest.fixture
def win10_tasks(win10):
    return [parse_task_definition(data, path=rel) for rel, data in win10]


def test_all_202_parse(win10, win10_tasks):
    assert len(win10) == 202
    assert len(win10_tasks) == 202
    assert all(t['fingerprint'] and len(t['sha256']) == 64 for t in win10_tasks)


def test_counts(win10_tasks):
    versions = collections.Counter(t['schema_version'] for t in win10_tasks)
    assert versions == {'1.2': 13, '1.3': 1, '1.4': 23, '1.6': 12, None: 153}
    assert sum(t['hidden'] for t in win10_tasks) == 54
    kinds = collections.Counter(a['type'] for t in win10_tasks for a in t['actions'])
    assert kinds['com_handler'] == 112 and kinds['exec'] == 90
    assert set(kinds) == {'com_handler', 'exec'}


def test_principals_mostly_system_or_interactive(win10_tasks):
    who = collections.Counter((t['principal'] or {}).get('user_id') or (t['principal'] or {}).get('group_id')
                              for t in win10_tasks)
    assert who['S-1-5-18'] + who['S-1-5-4'] > len(win10_tasks) / 2


def test_gameover(win10_tasks):
    (task,) = [t for t in win10_tasks if t['path'] == '\\GameOver']
    assert task['folder'] == '\\' and task['uri'] == '\\GameOver'
    assert task['actions'] == [{
        'type': 'exec', 'raw_type': 'Exec', 'command': 'C:\\TMP\\mim.exe',
        'arguments': 'sekurlsa::LogonPasswords > C:\\TMP\\o.txt', 'working_directory': None,
        'class_id': None, 'data': None}]
    assert task['principal']['user_id'] == 'DESKTOP-TMKU40H\\TestUser'
    assert task['principal']['logon_type'] == 'InteractiveToken'
    assert task['principal']['run_level'] == 'LeastPrivilege'
    (trigger,) = task['triggers']
    assert trigger['type'] == 'time' and trigger['repetition_interval'] == 'PT5M'
    assert task['hidden'] is False and task['enabled'] is True


def test_uri_matches_file_path_once_normalized(win10_tasks):
    # 48 real files declare the URI without the leading backslash
    # ("Microsoft\Windows\..."): compare after normalize_path, never raw.
    raw_mismatch = [t for t in win10_tasks if t['uri'] != t['path']]
    assert len(raw_mismatch) == 48
    assert all(normalize_path(t['uri']).lower() == t['path'].lower() for t in win10_tasks)


def test_server2022(shared_fixtures):
    tasks = {rel: parse_task_definition(data, path=rel)
             for rel, data in _files(shared_fixtures / 'tasks' / 'server2022-aptsim')}
    assert set(tasks) == {'\\GameOver', '\\falshupdate22'}
    flash = tasks['\\falshupdate22']
    assert flash['actions'][0]['command'].lower().endswith('powershell.exe')
    assert '-WindowStyle Hidden' in flash['actions'][0]['arguments']
    assert [t['type'] for t in flash['triggers']] == ['time']
