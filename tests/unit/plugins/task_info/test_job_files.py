# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Legacy job files (issue 15.5): the MS-TSCH .job parser on crafted files, hostile
bytes, offline Windows/Tasks, the live collector's job_files, and the task folders
the scheduler does not load (SysWOW64/Tasks, Tasks_Migrated)."""
from __future__ import annotations

import importlib.util
import json
import shutil
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.taskguard.windows.plugins.plugin_utils import job_file
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import (
    collect_offline_tasks,
    normalize_live_tasks,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import DEFINITION_KEYS, COLLECTION_KEYS


@pytest.fixture(scope='module')
def gen():
    """The fixture generator, imported from its file (it is not a package)."""
    path = Path(__file__).resolve().parents[2] / 'fixtures' / 'task_info' / 'jobs' / 'make_jobs.py'
    spec = importlib.util.spec_from_file_location('make_jobs', str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _job(unit_fixtures, name):
    return (unit_fixtures / 'task_info' / 'jobs' / name).read_bytes()


def test_fixtures_are_what_the_generator_writes(unit_fixtures, gen):
    for name, data in gen.FIXTURES.items():
        assert _job(unit_fixtures, name) == data, name
    with open(unit_fixtures / 'task_info' / 'live_job_files.json', encoding='utf-8') as handle:
        assert json.load(handle) == json.loads(json.dumps(gen.live_material()))


def test_at_job_as_a_task(unit_fixtures):
    task = job_file.job_task(_job(unit_fixtures, 'At1.job'), name='At1.job', location='Windows\\Tasks')
    assert set(DEFINITION_KEYS) | set(COLLECTION_KEYS) <= set(task)
    assert (task['path'], task['name'], task['folder']) == ('\\At1.job', 'At1.job', '\\')
    assert task['source'] == 'job_file' and task['seen_in'] == ['job_file'] and task['is_at_job'] is True
    assert task['actions'] == [{'type': 'exec', 'raw_type': 'JobApplication', 'command': 'cmd.exe',
                                'arguments': '/c powershell -nop -w hidden -enc SQBFAFgA',
                                'working_directory': 'C:\\Windows\\system32', 'class_id': None, 'data': None}]
    assert task['principal'] is None          # the format holds no account: nothing is claimed
    assert task['enabled'] is True and task['hidden'] is False
    assert task['description'] == 'Created by NetScheduleJobAdd.'
    [trigger] = task['triggers']
    assert (trigger['type'], trigger['raw_type'], trigger['start_boundary']) == (
        'weekly', 'JobTrigger:WEEKLY', '2026-03-01T09:30:00')
    assert task['job']['status'] == 'has_not_run' and task['job']['last_run_time'] is None
    assert task['job']['uuid'] == '6e1f3b0a-3c55-4a0e-9a4c-0d2b6f7f1a11'
    assert task['job']['anomalies'] == [] and task['job']['trailing_bytes'] == 68   # the job signature
    assert task['fingerprint'] and task['sha256'] == task['file']['sha256']


def test_disabled_hidden_and_trigger_details(unit_fixtures):
    backup = job_file.job_task(_job(unit_fixtures, 'Backup.job'), name='Backup.job', location='Windows\\Tasks')
    assert backup['enabled'] is False and backup['state'] == 'disabled' and backup['is_at_job'] is False
    assert backup['author'] == 'CONTOSO\\ops'
    assert [(t['type'], t['enabled']) for t in backup['triggers']] == [('daily', True), ('boot', False)]
    assert backup['last_run_time'] == '2026-02-17T22:05:00' and backup['job']['status'] == 'disabled'
    at2 = job_file.job_task(_job(unit_fixtures, 'At2.job'), name='At2.job', location='Windows\\Tasks')
    assert at2['hidden'] is True
    assert at2['triggers'][0]['repetition_interval'] == 'PT5M' and at2['triggers'][0]['type'] == 'time'


def test_every_truncation_is_an_error_never_a_crash(unit_fixtures):
    data = _job(unit_fixtures, 'At1.job')
    signature_start = len(data) - 68
    for cut in range(len(data)):
        if cut >= signature_start:
            # the signature is optional: without it (or part of it) the job still parses
            assert job_file.parse_job(data[:cut], name='x.job')[0]['application'] == 'cmd.exe'
            continue
        with pytest.raises(job_file.JobFileError):
            job_file.parse_job(data[:cut], name='x.job')


@pytest.mark.parametrize('patch,message', [
    ((2, struct.pack('<H', 2)), 'file version 2'),
    ((20, struct.pack('<H', 0xFFF0)), 'outside the file'),
    ((22, struct.pack('<H', 3)), 'outside the file'),
    ((70, struct.pack('<H', 0xFFFF)), 'characters declared'),
    ((70, struct.pack('<H', 4000)), 'needed at offset 72'),
])
def test_lying_lengths_are_refused(unit_fixtures, patch, message):
    data = bytearray(_job(unit_fixtures, 'At1.job'))
    offset, raw = patch
    data[offset:offset + len(raw)] = raw
    with pytest.raises(job_file.JobFileError, match=message):
        job_file.parse_job(bytes(data), name='x.job')


def test_trigger_count_beyond_the_file_is_refused(unit_fixtures):
    data = bytearray(_job(unit_fixtures, 'At1.job'))
    trigger_offset = struct.unpack('<H', data[22:24])[0]
    data[trigger_offset:trigger_offset + 2] = struct.pack('<H', 60000)
    with pytest.raises(job_file.JobFileError, match='trigger count 60000'):
        job_file.parse_job(bytes(data), name='x.job')


def test_oversized_file_is_refused_before_parsing():
    with pytest.raises(job_file.JobFileError, match='more than'):
        job_file.parse_job(b'\x00' * (job_file.MAX_JOB_BYTES + 1), name='x.job')


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_parse_or_raise_job_file_error(data):
    try:
        job_file.job_task(data, name='r.job', location='Windows\\Tasks')
    except job_file.JobFileError:
        pass


def _evidence(tmp_path):
    root = tmp_path / 'evidence'
    (root / 'Windows' / 'System32' / 'Tasks').mkdir(parents=True)
    return root


def test_offline_job_files_are_tasks_and_sources_say_so(unit_fixtures, tmp_path):
    root = _evidence(tmp_path)
    jobs = root / 'Windows' / 'Tasks'
    jobs.mkdir()
    shutil.copyfile(unit_fixtures / 'task_info' / 'jobs' / 'At1.job', jobs / 'At1.job')
    (jobs / 'Broken.JOB').write_bytes(b'\x01\x00\x01\x00garbage')
    (jobs / 'desktop.ini').write_bytes(b'[.ShellClassInfo]')
    (jobs / 'SA.DAT').write_bytes(b'\x00' * 8)
    result = collect_offline_tasks(str(root))
    assert result['sources']['job_files'] is True
    by_path = {t['path']: t for t in result['tasks']}
    assert set(by_path) == {'\\At1.job'}
    assert by_path['\\At1.job']['actions'][0]['command'] == 'cmd.exe'
    assert by_path['\\At1.job']['job']['location'] == 'Windows\\Tasks'
    assert by_path['\\At1.job']['hidden_reasons'] == []
    [broken] = [u for u in result['unparseable'] if u['source'] == 'job_file']
    assert broken['path'] == '\\Broken.JOB' and 'shorter than' in broken['error']


def test_offline_without_windows_tasks_says_not_looked_at(tmp_path):
    result = collect_offline_tasks(str(_evidence(tmp_path)))
    assert result['sources']['job_files'] is False
    assert not [t for t in result['tasks'] if 'job_file' in t['seen_in']]


def test_offline_oversized_job_is_unparseable(tmp_path):
    root = _evidence(tmp_path)
    (root / 'Windows' / 'Tasks').mkdir()
    (root / 'Windows' / 'Tasks' / 'Big.job').write_bytes(b'\x00' * (job_file.MAX_JOB_BYTES + 1))
    result = collect_offline_tasks(str(root))
    [item] = result['unparseable']
    assert item['source'] == 'job_file' and 'exceeds the limit' in item['error']


def test_live_job_files_contract(unit_fixtures):
    with open(unit_fixtures / 'task_info' / 'live_job_files.json', encoding='utf-8') as handle:
        raw = json.load(handle)['material']
    result = normalize_live_tasks(raw)
    assert result['sources']['job_files'] is True
    jobs = {t['path']: t for t in result['tasks'] if t['seen_in'] == ['job_file']}
    assert set(jobs) == {'\\At1.job', '\\At2.job', '\\Backup.job'}
    assert jobs['\\At2.job']['actions'][0]['arguments'] == 'sekurlsa::logonpasswords'
    bad = {u['path']: u['error'] for u in result['unparseable'] if u['source'] == 'job_file'}
    assert set(bad) == {'\\Broken.job', '\\Huge.job'}
    assert 'exceeds 65536' in bad['\\Huge.job']
    # The XML tasks of the same material are untouched by the job part.
    assert len(result['tasks']) == len(normalize_live_tasks(dict(raw, job_files=None))['tasks']) + 3


@pytest.mark.parametrize('job_files', [None, {'read': False, 'error': 'cannot list C:\\Windows\\Tasks'}, 'x', []])
def test_live_without_job_files_says_not_looked_at(unit_fixtures, job_files):
    with open(unit_fixtures / 'task_info' / 'live_job_files.json', encoding='utf-8') as handle:
        raw = json.load(handle)['material']
    raw['job_files'] = job_files
    result = normalize_live_tasks(raw)
    assert result['sources']['job_files'] is False
    assert not [t for t in result['tasks'] if t['seen_in'] == ['job_file']]


def test_live_job_names_must_be_plain_file_names(unit_fixtures):
    with open(unit_fixtures / 'task_info' / 'live_job_files.json', encoding='utf-8') as handle:
        raw = json.load(handle)['material']
    raw['job_files']['entries'][0]['name'] = '..\\..\\evil.job'
    result = normalize_live_tasks(raw)
    assert any(e['source'] == 'job_files' and 'valid name' in e['error'] for e in result['errors'])


def test_other_task_locations(shared_fixtures, tmp_path):
    root = _evidence(tmp_path)
    tasks = root / 'Windows' / 'System32' / 'Tasks'
    server = shared_fixtures / 'tasks' / 'server2022-aptsim'
    shutil.copyfile(server / 'GameOver', tasks / 'GameOver')
    migrated = root / 'Windows' / 'System32' / 'Tasks_Migrated'
    migrated.mkdir()
    shutil.copyfile(server / 'GameOver', migrated / 'GameOver')
    wow = root / 'Windows' / 'SysWOW64' / 'Tasks'
    wow.mkdir(parents=True)
    shutil.copyfile(server / 'falshupdate22', wow / 'falshupdate22')
    (wow / 'junk').write_bytes(b'not xml')
    result = collect_offline_tasks(str(root))
    by_path = {t['path']: t for t in result['tasks']}
    assert by_path['\\GameOver']['seen_in'] == ['file', 'tasks_migrated']
    only_wow = by_path['\\falshupdate22']
    assert only_wow['seen_in'] == ['syswow64_tasks'] and only_wow['state'] == 'not_registered'
    assert only_wow['hidden_reasons'] == []          # a leftover is not concealment by itself
    assert 'powershell.exe' in only_wow['actions'][0]['command'].lower()
    assert result['other_locations'] == {'syswow64_tasks': 2, 'tasks_migrated': 1}
    assert any(u['path'] == '\\junk' and u['source'] == 'syswow64_tasks' for u in result['unparseable'])


def test_other_locations_absent_are_null(tmp_path):
    result = collect_offline_tasks(str(_evidence(tmp_path)))
    assert result['other_locations'] == {'syswow64_tasks': None, 'tasks_migrated': None}


def test_authentic_job_file(shared_fixtures):
    """A real .job (plaso's test data, Apache-2.0; provenance in fixtures/authentic/jobs/README.md)."""
    path = shared_fixtures / 'jobs' / 'wintask.job'
    if not path.is_file():
        pytest.skip('authentic job file not present')
    task = job_file.job_task(path.read_bytes(), name='wintask.job', location='Windows\\Tasks')
    assert task['actions'][0]['command'] == 'C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe'
    assert task['actions'][0]['arguments'] == '/ua /installsource scheduler'
    assert task['author'] == 'Brian' and task['description'].startswith('Keeps your Google software up to date.')
    assert task['enabled'] is True and task['hidden'] is False and task['is_at_job'] is False
    [trigger] = task['triggers']
    assert (trigger['type'], trigger['start_boundary'], trigger['repetition_interval']) == (
        'daily', '2013-07-12T15:42:00', 'PT60M')
    job = task['job']
    assert (job['status'], job['last_run_time'], job['product_version']) == ('ready', '2013-08-24T12:42:00', 0x0601)
    assert job['anomalies'] == [] and job['trailing_bytes'] == 0
