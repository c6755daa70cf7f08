# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SOFTWARE-hive path (regipy) on hives written by tools/regf_writer.py (our minimal regf writer)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import taskcache
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import HiveError
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import collect_offline_tasks
from task_info_evidence import RegBuilder, registry_hash, task_file_bytes, task_xml, write_task
from regf_writer import REG_BINARY, REG_DWORD, REG_SZ, Key, build_hive

REPO_SAMPLES = Path(__file__).resolve().parents[4] / 'samples'
TASKCACHE = 'Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache'
UNICODE = '\\Vendör\\タスク'


def software(tasks, *, build='20348', installation='Server', with_taskcache=True):
    root = Key('CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}')
    cv = root.ensure('Microsoft\\Windows NT\\CurrentVersion')
    cv.values = [('ProductName', REG_SZ, 'Windows Server 2022 Standard'), ('CurrentBuildNumber', REG_SZ, build),
                 ('CurrentBuild', REG_SZ, build), ('InstallationType', REG_SZ, installation),
                 ('CurrentMajorVersionNumber', REG_DWORD, 10), ('CurrentMinorVersionNumber', REG_DWORD, 0)]
    if with_taskcache:
        cache = root.ensure(TASKCACHE)
        cache.ensure('Tasks')
        cache.ensure('Tree')
        for path, guid, opts in tasks:
            if opts.get('tree', True):
                parts = [p for p in path.split('\\') if p]
                for i in range(1, len(parts)):
                    folder = cache.ensure('Tree\\' + '\\'.join(parts[:i]))
                    folder.values = [('SD', REG_BINARY, b'\x01\x00\x04\x80')]
                key = cache.ensure('Tree' + path)
                key.values = [('Id', REG_SZ, guid)]
                if opts.get('index', 3) is not None:
                    key.values.append(('Index', REG_DWORD, opts.get('index', 3)))
                if opts.get('sd', True):
                    key.values.append(('SD', REG_BINARY, bytes(range(1, 100))))
            task = cache.ensure('Tasks\\' + guid)
            task.values = [('Path', REG_SZ, path)]
            if opts.get('hash') is not None:
                task.values.append(('Hash', REG_BINARY, opts['hash']))
            task.values.append(('DynamicInfo', REG_BINARY, b'\x03' + b'\x00' * 35))
    return build_hive(root)


@pytest.fixture
def evidence(tmp_path):
    root = tmp_path / 'c'
    root.mkdir()
    entries = []
    for n, (path, file, opts) in enumerate([
        ('\\Ordinary', True, {}),
        (UNICODE, True, {}),
        ('\\Tarrask', True, {'sd': False}),
        ('\\GhostTask', False, {}),
        ('\\IndexZero', True, {'index': 0}),
    ]):
        data = task_file_bytes(task_xml(path))
        if file:
            write_task(str(root), path, data)
        opts.setdefault('hash', registry_hash(data))
        entries.append((path, '{%08d-0000-0000-0000-000000000000}' % n, opts))
    config = root / 'Windows' / 'System32' / 'CONFIG'
    config.mkdir()
    (config / 'SOFTWARE').write_bytes(software(entries))
    return root, entries


def test_hive_is_used_and_reasons_match(evidence):
    root, _entries = evidence
    result = collect_offline_tasks(str(root))
    assert result['registry_source']['kind'] == 'hive'
    assert result['sources'] == {'api': False, 'files': True, 'registry': True, 'job_files': False}
    assert result['errors'] == []
    reasons = {t['path']: t['hidden_reasons'] for t in result['tasks']}
    assert reasons == {'\\Ordinary': [], UNICODE: [], '\\Tarrask': ['sd_missing'],
                       '\\GhostTask': ['registry_without_file'], '\\IndexZero': ['index_zero']}
    ordinary = [t for t in result['tasks'] if t['path'] == '\\Ordinary'][0]
    assert ordinary['registry']['hash_matches_file'] is True
    assert ordinary['registry']['sd_present'] is True and ordinary['registry']['index'] == 3


def test_host_facts_from_hive(evidence):
    root, _entries = evidence
    host = collect_offline_tasks(str(root))['host']
    assert host == {'name': None, 'os_caption': 'Windows Server 2022 Standard', 'os_version': '10.0.20348',
                    'os_build': '20348', 'os_family': 'windows_server_2022', 'product_type': 'server',
                    'domain_role': 'unknown', 'os_edition': None, 'os_source': 'hive'}


def test_explicit_reg_wins_over_hive(evidence):
    root, _entries = evidence
    (root / 'other.reg').write_bytes(RegBuilder().task('\\Ordinary', '{x}', sd=False).bytes())
    result = collect_offline_tasks(str(root), taskcache_reg='other.reg')
    assert result['registry_source']['kind'] == 'reg_export'
    tasks = {t['path']: t['hidden_reasons'] for t in result['tasks']}
    assert tasks['\\Ordinary'] == ['sd_missing']
    # the hive still gives the host facts
    assert result['host']['os_family'] == 'windows_server_2022'


def test_hive_without_taskcache_falls_back_to_automatic_reg(evidence):
    root, entries = evidence
    (root / 'Windows' / 'System32' / 'CONFIG' / 'SOFTWARE').write_bytes(
        software(entries, build='19045', installation='Client', with_taskcache=False))
    result = collect_offline_tasks(str(root))
    assert result['sources']['registry'] is False
    assert any('no TaskCache key' in e['error'] for e in result['errors'])
    assert result['host']['os_family'] == 'windows_10'
    (root / 'TASKCACHE.REG').write_bytes(RegBuilder().task('\\Ordinary', '{x}').bytes())
    result = collect_offline_tasks(str(root))
    assert result['registry_source']['kind'] == 'reg_export'


def test_explicit_hive_outside_root_and_garbage(evidence, tmp_path):
    root, entries = evidence
    outside = tmp_path / 'SOFTWARE.copy'
    outside.write_bytes(software(entries))
    result = collect_offline_tasks(str(root), hive=str(outside))
    assert result['registry_source'] == {'kind': 'hive', 'path': str(outside)}
    garbage = tmp_path / 'garbage'
    garbage.write_bytes(b'regf' + b'\xff' * 5000)
    with pytest.raises(HiveError):
        taskcache.open_hive(str(garbage))
    result = collect_offline_tasks(str(root), hive=str(garbage))
    assert result['sources']['registry'] is False
    assert any(e['path'] == str(garbage) for e in result['errors'])


def test_cyclic_hive_is_bounded(tmp_path):
    root = Key('ROOT')
    cache = root.ensure(TASKCACHE)
    cache.ensure('Tasks')
    inner = cache.ensure('Tree\\A\\B')
    inner.values = [('Id', REG_SZ, '{1}'), ('Index', REG_DWORD, 3), ('SD', REG_BINARY, b'\x01')]
    inner.loop_to_parent = True  # B lists A as its subkey: A -> B -> A -> ...
    path = tmp_path / 'SOFTWARE'
    path.write_bytes(build_hive(root))
    cache, found = taskcache.from_hive(str(path))
    assert found
    assert any('deeper than' in e['error'] for e in cache['errors'])
    assert '\\a\\b' in cache['tree']


def _system_hive(product_type, current=2):
    root = Key('ROOT')
    root.ensure('Select').values = [('Current', REG_DWORD, current)]
    root.ensure('ControlSet001\\Control\\ProductOptions').values = [('ProductType', REG_SZ, 'WinNT')]
    root.ensure('ControlSet%03d\\Control\\ProductOptions' % current).values = [('ProductType', REG_SZ, product_type)]
    return build_hive(root, file_name='\\SystemRoot\\System32\\Config\\SYSTEM')


@pytest.mark.parametrize('product_type,expected_type,expected_role', [
    ('LanmanNT', 'domain_controller', 'domain_controller'),
    ('ServerNT', 'server', 'unknown'),
])
def test_system_hive_tells_domain_controllers_apart(evidence, product_type, expected_type, expected_role):
    root, _entries = evidence
    (root / 'Windows' / 'System32' / 'CONFIG' / 'system').write_bytes(_system_hive(product_type))
    host = collect_offline_tasks(str(root))['host']
    assert (host['product_type'], host['domain_role']) == (expected_type, expected_role)
    assert host['os_family'] == 'windows_server_2022'


def test_garbage_system_hive_is_reported(evidence):
    root, _entries = evidence
    (root / 'Windows' / 'System32' / 'CONFIG' / 'SYSTEM').write_bytes(b'regf' + b'\xff' * 100)
    result = collect_offline_tasks(str(root))
    assert any(e['source'] == 'host' for e in result['errors'])
    assert result['host']['product_type'] == 'server'  # from the SOFTWARE hive still


def _software_without_taskcache(root):
    key = Key('ROOT')
    key.ensure('Microsoft\\Windows\\CurrentVersion\\Policies\\LAPS').values.append(('BackupDirectory', REG_DWORD, 2))
    config = root / 'Windows' / 'System32' / 'config'
    config.mkdir(parents=True)
    (config / 'SOFTWARE').write_bytes(build_hive(key))


def test_a_hive_without_taskcache_falls_back_to_the_reg_export_without_an_error(tmp_path):
    _software_without_taskcache(tmp_path)
    shutil.copytree(REPO_SAMPLES / 'srv01' / 'Windows' / 'System32' / 'Tasks', tmp_path / 'Windows' / 'System32' / 'Tasks')
    shutil.copy(REPO_SAMPLES / 'srv01' / 'TaskCache.reg', tmp_path / 'TaskCache.reg')
    result = collect_offline_tasks(str(tmp_path))
    assert result['sources']['registry'] is True
    assert [e for e in result['errors'] if e['source'] == 'registry'] == []


def test_a_hive_without_taskcache_and_nothing_else_says_so(tmp_path):
    _software_without_taskcache(tmp_path)
    result = collect_offline_tasks(str(tmp_path))
    assert result['sources']['registry'] is False
    assert any('TaskCache' in e['error'] for e in result['errors'] if e['source'] == 'registry')
