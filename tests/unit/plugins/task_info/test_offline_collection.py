# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""collect_offline_tasks on evidence trees built from our own small task files and .reg."""
from __future__ import annotations

import os

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import offline_tasks
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import (
    HIDDEN_REASONS,
    collect_offline_tasks,
)
from task_info_evidence import RegBuilder, registry_hash, task_file_bytes, task_xml, write_task

TASKS_DIR = ('windows', 'SYSTEM32', 'tasks')  # evidence copies vary in case
UNICODE = '\\Ünïcödé タスク'


def _guid(n):
    return '{%08d-0000-0000-0000-000000000000}' % n


@pytest.fixture
def evidence(tmp_path):
    root = tmp_path / 'evidence'
    root.mkdir()
    reg = RegBuilder()
    files = {}

    def add(path, n, *, file=True, **reg_kwargs):
        data = task_file_bytes(task_xml(path))
        if file:
            write_task(str(root), path, data, TASKS_DIR)
            files[path] = data
        reg_kwargs.setdefault('hash_', registry_hash(data))
        if reg_kwargs.pop('registry', True):
            reg.task(path, _guid(n), **reg_kwargs)

    add('\\Ordinary', 1)
    add('\\Vendor\\Deep\\Nested', 2)
    add('\\Tarrask', 3, sd=False)
    add('\\GhostTask', 4, file=False)
    add('\\IndexZero', 5, index=0)
    add('\\NoIndex', 6, index=None)
    add('\\OrphanFile', 7, registry=False)
    add('\\StaleTree', 8, file=False, tasks_entry=False, index=0)
    add('\\TasksOnly', 9, tree=False)
    add('\\Tampered', 10, hash_=b'\x00' * 32)
    add('\\OldHash', 11, hash_=b'\x12\x34\x56\x78')  # CRC32-era: not compared
    add('\\At1', 12)
    add(UNICODE, 13)
    add('\\Moved', 14, tasks_path='\\ElseWhere')
    (root / 'TaskCache.reg').write_bytes(reg.bytes())
    return root, files


def _by_path(result):
    return {t['path']: t for t in result['tasks']}


def test_three_way_reasons(evidence):
    root, _files = evidence
    result = collect_offline_tasks(str(root))
    assert result['mode'] == 'offline'
    assert result['sources'] == {'api': False, 'files': True, 'registry': True, 'job_files': False}
    assert result['registry_source']['kind'] == 'reg_export'
    assert result['unparseable'] == []
    assert result['checks']['not_in_api'] is False  # no API offline: never claimed
    assert all(result['checks'][c] for c in HIDDEN_REASONS if c != 'not_in_api')
    tasks = _by_path(result)
    expected = {
        '\\Ordinary': [],
        '\\Vendor\\Deep\\Nested': [],
        '\\At1': [],
        UNICODE: [],
        '\\OldHash': [],
        '\\Tarrask': ['sd_missing'],
        '\\GhostTask': ['registry_without_file'],
        '\\IndexZero': ['index_zero'],
        '\\NoIndex': ['index_zero'],
        '\\OrphanFile': ['file_without_registry'],
        '\\StaleTree': ['index_zero', 'tree_without_tasks_entry'],
        '\\TasksOnly': ['tasks_entry_without_tree'],
        '\\Tampered': ['hash_mismatch'],
        '\\Moved': ['path_mismatch'],
        # the Tasks entry of \Moved points elsewhere and has no Tree key or file of its own
        '\\ElseWhere': ['registry_without_file', 'tasks_entry_without_tree'],
    }
    assert {p: t['hidden_reasons'] for p, t in tasks.items()} == expected
    assert [t['path'] for t in result['tasks']] == sorted(tasks, key=str.lower)


def test_ordinary_task_fields(evidence):
    root, files = evidence
    tasks = _by_path(collect_offline_tasks(str(root)))
    ordinary = tasks['\\Ordinary']
    assert ordinary['seen_in'] == ['file', 'registry']
    assert ordinary['registry'] == {
        'id': _guid(1), 'index': 3, 'sd_present': True, 'hash': registry_hash(files['\\Ordinary']).hex(),
        'hash_algorithm': 'sha256', 'hash_matches_file': True, 'tasks_entry': True, 'tree_entry': True}
    assert ordinary['file']['size'] == len(files['\\Ordinary'])
    assert ordinary['actions'][0]['command'] == 'C:\\Windows\\System32\\cmd.exe'
    assert ordinary['principal']['user_id'] == 'S-1-5-18'
    assert ordinary['state'] is None and ordinary['last_run_time'] is None  # no API offline
    nested = tasks['\\Vendor\\Deep\\Nested']
    assert (nested['name'], nested['folder']) == ('Nested', '\\Vendor\\Deep')
    assert tasks['\\At1']['is_at_job'] is True
    assert tasks[UNICODE]['name'] == 'Ünïcödé タスク'
    assert tasks['\\OldHash']['registry']['hash_algorithm'] == 'crc32'
    assert tasks['\\OldHash']['registry']['hash_matches_file'] is None


def test_registry_only_task_is_an_entry_with_null_definition(evidence):
    root, _files = evidence
    ghost = _by_path(collect_offline_tasks(str(root)))['\\GhostTask']
    assert ghost['seen_in'] == ['registry']
    assert ghost['fingerprint'] is None and ghost['actions'] == [] and ghost['enabled'] is None
    assert ghost['file'] is None and ghost['registry']['tasks_entry'] is True


def test_without_registry_source_nothing_registry_based_is_claimed(evidence):
    root, _files = evidence
    os.remove(root / 'TaskCache.reg')
    result = collect_offline_tasks(str(root))
    assert result['sources'] == {'api': False, 'files': True, 'registry': False, 'job_files': False}
    assert not any(result['checks'].values())
    assert all(t['hidden_reasons'] == [] for t in result['tasks'])
    assert all(t['registry'] is None for t in result['tasks'])
    assert '\\GhostTask' not in _by_path(result)  # only the registry knew it
    assert any(e['source'] == 'registry' and 'not evaluated' in e['error'] for e in result['errors'])


def test_explicit_reg_path_and_refusal_outside_root(evidence, tmp_path):
    root, _files = evidence
    outside = tmp_path / 'elsewhere.reg'
    os.rename(root / 'TaskCache.reg', outside)
    result = collect_offline_tasks(str(root), taskcache_reg=str(outside))
    assert result['sources']['registry'] is True
    assert result['registry_source'] == {'kind': 'reg_export', 'path': str(outside)}
    result = collect_offline_tasks(str(root), taskcache_reg='../elsewhere.reg')
    assert result['sources']['registry'] is False
    assert any('outside the evidence root' in e['error'] for e in result['errors'])


def test_garbage_hive_reported_and_reg_export_used(evidence):
    root, _files = evidence
    config = root / 'windows' / 'SYSTEM32' / 'Config'
    config.mkdir()
    (config / 'software').write_bytes(b'regf' + b'\x00' * 100)
    result = collect_offline_tasks(str(root))
    assert any(e['source'] == 'registry' and 'hive' in e['error'] for e in result['errors'])
    assert result['sources']['registry'] is True
    assert result['registry_source']['kind'] == 'reg_export'
    assert result['host']['os_family'] == 'unknown' and result['host']['domain_role'] == 'unknown'
    # an explicitly requested hive that fails is not silently replaced
    result = collect_offline_tasks(str(root), hive=str(config / 'software'))
    assert result['sources']['registry'] is False


def test_hostile_files(evidence, tmp_path):
    root, _files = evidence
    tasks_dir = offline_tasks.find_case_insensitive(str(root), offline_tasks.TASKS_SEGMENTS)
    secret = tmp_path / 'secret.xml'
    secret.write_bytes(task_file_bytes(task_xml('\\Secret')))
    os.symlink(str(secret), os.path.join(tasks_dir, 'LinkOut'))
    os.symlink(str(tmp_path), os.path.join(tasks_dir, 'DirOut'))
    os.symlink(tasks_dir, os.path.join(tasks_dir, 'Vendor', 'Loop'))
    write_task(str(root), '\\Broken', b'\xff\xfe' + '<Task><Actions>'.encode('utf-16-le'), TASKS_DIR)
    write_task(str(root), '\\Bomb', '<!DOCTYPE x [<!ENTITY a "b">]><Task/>'.encode('utf-8'), TASKS_DIR)
    write_task(str(root), '\\Huge', b'<Task>' + b' ' * (offline_tasks.MAX_TASK_FILE_BYTES + 1) + b'</Task>', TASKS_DIR)
    os.mkfifo(os.path.join(tasks_dir, 'Fifo'))

    result = collect_offline_tasks(str(root))
    tasks = _by_path(result)
    errors = {e['path']: e['error'] for e in result['errors'] if e['source'] == 'files'}
    assert 'outside the evidence root' in errors['\\LinkOut']
    assert 'outside the evidence root' in errors['\\DirOut']
    assert '\\LinkOut' not in tasks and '\\Secret' not in tasks
    assert 'loop' in errors['\\Vendor\\Loop']
    assert 'not a regular file' in errors['\\Fifo']
    bad = {u['path']: u for u in result['unparseable']}
    assert set(bad) == {'\\Broken', '\\Bomb', '\\Huge'}
    assert 'DOCTYPE' in bad['\\Bomb']['error'] and 'exceeds' in bad['\\Huge']['error']
    # a file we cannot parse is still a task that exists on disk
    assert tasks['\\Broken']['seen_in'] == ['file'] and tasks['\\Broken']['fingerprint'] is None
    assert tasks['\\Broken']['hidden_reasons'] == ['file_without_registry']
    assert tasks['\\Ordinary']['hidden_reasons'] == []


def test_missing_root_and_missing_tasks_folder(tmp_path):
    result = collect_offline_tasks(str(tmp_path / 'nope'))
    assert result['sources'] == {'api': False, 'files': False, 'registry': False, 'job_files': False}
    assert result['tasks'] == [] and result['errors']
    result = collect_offline_tasks(str(tmp_path))
    assert result['sources']['files'] is False
    assert any('Tasks folder' in e['error'] for e in result['errors'])


def test_authentic_folder_as_evidence(shared_fixtures, tmp_path):
    root = tmp_path / 'c'
    (root / 'Windows' / 'System32').mkdir(parents=True)
    os.symlink(str(shared_fixtures / 'tasks' / 'win10-aptsim'), str(root / 'Windows' / 'System32' / 'Tasks'))
    # The symlinked Tasks folder points outside the root: refused, as it must be.
    result = collect_offline_tasks(str(root))
    assert result['sources']['files'] is False
    import shutil
    os.remove(root / 'Windows' / 'System32' / 'Tasks')
    shutil.copytree(str(shared_fixtures / 'tasks' / 'win10-aptsim'), str(root / 'Windows' / 'System32' / 'Tasks'))
    result = collect_offline_tasks(str(root))
    assert len(result['tasks']) == 202 and result['unparseable'] == []
    assert sum(t['hidden'] for t in result['tasks']) == 54
    assert all(t['hidden_reasons'] == [] for t in result['tasks'])  # registry not available
    assert result['sources'] == {'api': False, 'files': True, 'registry': False, 'job_files': False}


def test_total_read_budget(tmp_path):
    for n in range(5):
        write_task(str(tmp_path), '\\T%d' % n, task_file_bytes(task_xml('\\T%d' % n)))
    size = len(task_file_bytes(task_xml('\\T0')))
    _dir, files, _errors = offline_tasks.walk_task_files(str(tmp_path), max_total_bytes=size * 2)
    assert len(files) == 5  # every file is still listed
    read = [f for f in files if f['data'] is not None]
    unread = [f for f in files if f['data'] is None]
    assert len(read) == 2 and len(unread) == 3
    assert all('content not read' in f['error'] for f in unread)
