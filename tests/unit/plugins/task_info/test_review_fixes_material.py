# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 20, defects 5 and 6: task material from a host.

5. One registry exception must not lose the task material: the PowerShell reads are
   each guarded (pinned here on the source, no PowerShell runs here), and a TaskCache
   whose Tree or Tasks list could not be read comes back as ``read: false`` with the
   Tree entries still in it; the controller then reports the gap, keeps the API and
   file halves and raises no Tree-versus-Tasks alarm.
6. A task that never ran reports LastRunTime 1999-11-30 (SCHED_S_TASK_HAS_NOT_RUN):
   it is "never", not a date.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell

from ansible_collections.taskguard.windows.plugins.plugin_utils import task_collection

ROOT = Path(__file__).resolve().parents[4]
TASK_MATERIAL = ROOT / "plugins" / "module_utils" / "TaskMaterial.psm1"
REGISTRY_CHECKS = ('sd_missing', 'index_zero', 'tree_without_tasks_entry', 'tasks_entry_without_tree',
                   'path_mismatch', 'registry_without_file', 'file_without_registry', 'hash_mismatch',
                   'not_in_api')


def _material(unit_fixtures):
    raw = json.loads((unit_fixtures / 'task_info' / 'live_admin.json').read_text(encoding='utf-8'))
    return copy.deepcopy(raw['material'])


def _calls_outside_try(source, member):
    """Line numbers of ``.member(...)`` calls not inside the body of a ``try``."""
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    tree = parser.parse(source)
    outside = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type != 'invokation_expression':
            continue
        names = [c for c in node.children if c.type == 'member_name']
        if not names or source[names[0].start_byte:names[0].end_byte].decode() != member:
            continue
        parent, guarded = node.parent, False
        while parent is not None:
            if parent.type == 'statement_block' and parent.parent is not None and parent.parent.type == 'try_statement':
                guarded = True
                break
            parent = parent.parent
        if not guarded:
            outside.append(node.start_point[0] + 1)
    return sorted(outside)


# --- 5 -----------------------------------------------------------------------------------

@pytest.mark.parametrize('member', ['GetSubKeyNames', 'OpenSubKey', 'GetValue'])
def test_every_registry_read_of_the_task_material_is_guarded(member):
    source = TASK_MATERIAL.read_bytes()
    assert _calls_outside_try(source, member) == []


def test_the_guard_check_sees_an_unguarded_call():
    # The check above must be able to fail.
    source = b"$k.GetSubKeyNames()\ntry { $k.GetSubKeyNames() } catch { $k.GetSubKeyNames() }\n"
    assert _calls_outside_try(source, 'GetSubKeyNames') == [1, 2]


def test_unlisted_tasks_key_keeps_api_and_files_and_raises_no_alarm(unit_fixtures):
    material = _material(unit_fixtures)
    cache = material['taskcache']
    # What Get-TgTaskCacheMaterial returns when Tasks cannot be listed: the Tree
    # entries read so far, no Tasks entries, read false and the errors.
    cache['read'] = False
    cache['error'] = 'TaskCache Tree or Tasks could not be listed (see errors)'
    cache['tasks'] = []
    cache['errors'].append({'path': 'Tasks', 'error': 'cannot list subkeys: Access is denied. (0x80070005)'})
    result = task_collection.normalize_live_tasks(material)
    assert result['sources'] == {'api': True, 'files': True, 'registry': False, 'job_files': False}
    assert not any(result['checks'][code] for code in REGISTRY_CHECKS)
    reasons = [r for task in result['tasks'] for r in task.get('hidden_reasons') or []]
    assert 'tree_without_tasks_entry' not in reasons
    errors = [e['error'] for e in result['errors']]
    assert any('cannot list subkeys' in e for e in errors)
    assert any('could not be listed' in e for e in errors)
    paths = {task['path'] for task in result['tasks']}
    assert '\\Microsoft\\Windows\\Defrag\\ScheduledDefrag' in paths and '\\Vendor\\Nested\\Updater' in paths


def test_the_psm1_marks_the_taskcache_unread_when_a_list_failed():
    source = TASK_MATERIAL.read_text(encoding='utf-8')
    body = source[source.index('Function Get-TgTaskCacheMaterial'):source.index('Function Get-TgTaskFileMaterial')]
    assert '$tasksListed = $true' in body and '$treeListed = $true' in body
    assert 'if (-not ($treeListed -and $tasksListed))' in body


# --- 6 -----------------------------------------------------------------------------------

@pytest.mark.parametrize('value', [
    '1999-11-30T00:00:00.0000000Z',      # host in UTC
    '1999-11-29T15:00:00.0000000Z',      # Tokyo (UTC+9)
    '1999-11-30T05:00:00.0000000Z',      # New York (UTC-5)
    '1999-11-29T10:00:00.0000000Z',      # UTC+14
    '1999-11-30T12:00:00.0000000Z',      # UTC-12
])
def test_never_run_marker_is_no_time(value):
    assert task_collection._time(value) is None


@pytest.mark.parametrize('value', [
    '1999-11-29T09:59:59.0000000Z', '1999-11-30T12:00:01.0000000Z', '1999-12-01T00:00:00.0000000Z',
    '2024-05-01T10:00:00.0000000Z',
])
def test_real_times_are_kept(value):
    assert task_collection._time(value) == value


def test_never_run_task_has_no_last_run_time(unit_fixtures):
    material = _material(unit_fixtures)
    for task in material['api']['tasks']:
        if task['path'] == '\\Microsoft\\Windows\\Defrag\\ScheduledDefrag':
            task['last_run_time'] = '1999-11-29T15:00:00.0000000Z'
            task['last_result'] = 0x41303
    result = task_collection.normalize_live_tasks(material)
    task = next(t for t in result['tasks'] if t['path'] == '\\Microsoft\\Windows\\Defrag\\ScheduledDefrag')
    assert task['last_run_time'] is None
