# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A TaskCache read part-way (issue 21 review): Tree keys the host could not read
are sent as ``taskcache.tree_unreadable``; a Tasks entry at or below one of them is
not reported as ``tasks_entry_without_tree`` (its Tree key may well exist), while
everywhere else the check still runs. And the PowerShell sends them."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import task_collection

FIXTURE = Path(__file__).resolve().parents[2] / 'fixtures' / 'task_info' / 'live_admin.json'
TASK_MATERIAL = Path(task_collection.__file__).resolve().parents[1] / 'module_utils' / 'TaskMaterial.psm1'


def _material(drop_tree=(), unreadable=None, error_paths=()):
    material = copy.deepcopy(json.loads(FIXTURE.read_text(encoding='utf-8'))['material'])
    cache = material['taskcache']
    cache['tree'] = [t for t in cache['tree'] if not any(t['path'] == p or t['path'].startswith(p + '\\')
                                                         for p in drop_tree)]
    for path in error_paths:
        cache['errors'].append({'path': 'Tree' + path, 'error': 'Access is denied. (0x80070005)'})
    if unreadable is not None:
        cache['tree_unreadable'] = unreadable
    return material


def _reasons(result):
    return {t['path']: t.get('hidden_reasons') or [] for t in result['tasks']}


def test_without_the_list_a_missing_tree_key_is_reported():
    """The check itself: a Tasks entry whose Tree key is gone (the test can fail)."""
    result = task_collection.normalize_live_tasks(_material(drop_tree=['\\Vendor']))
    assert 'tasks_entry_without_tree' in _reasons(result)['\\Vendor\\Nested\\Updater']


def test_tasks_entries_below_an_unreadable_tree_key_are_not_called_tree_less():
    material = _material(drop_tree=['\\Vendor', '\\Locked'], unreadable=['\\Vendor'], error_paths=['\\Vendor'])
    result = task_collection.normalize_live_tasks(material)
    reasons = _reasons(result)
    assert 'tasks_entry_without_tree' not in reasons['\\Vendor\\Nested\\Updater']
    # outside the unreadable key the check still runs
    assert 'tasks_entry_without_tree' in reasons['\\Locked\\Secret']
    assert result['checks']['tasks_entry_without_tree'] is True
    # what could not be read is still said
    assert any(e.get('path') == 'Tree\\Vendor' and 'denied' in e['error'] for e in result['errors'])


@pytest.mark.parametrize('unreadable', [['\\Vendor\\Nest'], ['\\Vendor\\Nested\\Updater2'], ['\\'], [''],
                                        [None, 5, {'x': 1}], 'not a list'])
def test_only_a_real_ancestor_or_the_key_itself_counts(unreadable):
    """A sibling prefix, the root, or junk from a hostile host do not switch the check off."""
    result = task_collection.normalize_live_tasks(_material(drop_tree=['\\Vendor'], unreadable=unreadable))
    assert 'tasks_entry_without_tree' in _reasons(result)['\\Vendor\\Nested\\Updater']


def test_the_key_itself_and_case_and_slashes_are_normalized():
    for unreadable in (['\\Vendor\\Nested\\Updater'], ['\\VENDOR\\nested'], ['Vendor\\Nested\\']):
        result = task_collection.normalize_live_tasks(_material(drop_tree=['\\Vendor'], unreadable=unreadable))
        assert 'tasks_entry_without_tree' not in _reasons(result)['\\Vendor\\Nested\\Updater'], unreadable


def _function(source, name):
    start = source.index('Function %s ' % name)
    end = source.find('\nFunction ', start + 1)
    return source[start:end if end != -1 else len(source)]


def test_the_psm1_sends_every_unreadable_tree_path():
    body = _function(TASK_MATERIAL.read_text(encoding='utf-8'), 'Get-TgTaskCacheMaterial')
    assert 'tree_unreadable = New-Object -TypeName System.Collections.ArrayList' in body
    adds = re.findall(r'\$result\.tree_unreadable\.Add\(([^)]*\))', body)
    # values not read, subkey not openable (exception and null), subkeys not listed
    assert len(adds) == 4
    assert "'listed but could not be opened'" in body


def test_the_psm1_builds_the_file_list_shape_in_one_place():
    source = TASK_MATERIAL.read_text(encoding='utf-8')
    assert source.count('max_content_bytes =') == 1          # only in New-TgFileListResult
    for name in ('Get-TgTaskFileMaterial', 'Get-TgJobFileMaterial'):
        assert '$result = New-TgFileListResult -Root $root' in _function(source, name)
    material = _function(source, 'Get-TgTaskMaterial')
    assert material.count('New-TgFileListResult -MaxContentBytes') == 2
    assert 'tree_unreadable = @()' in material


def test_tree_unknown_is_a_lookup_of_the_keys_parents_not_a_scan():
    """Both lists come from the host: the check walks the key's parents in a set
    (a scan of every unreadable path per Tasks entry was quadratic)."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import _TaskCacheIndex
    unreadable = ["\\f%d" % i for i in range(20000)] + ["\\a\\b"]
    index = _TaskCacheIndex({"tree": {}, "tasks": {}, "tree_unreadable": unreadable})
    assert index.tree_unknown("\\a\\b") and index.tree_unknown("\\a\\b\\c\\d")
    assert not index.tree_unknown("\\a\\bc") and not index.tree_unknown("\\a") and not index.tree_unknown("\\x\\y")
    assert all(index.tree_unknown("\\f%d\\t" % i) for i in range(0, 20000, 7))
    assert _TaskCacheIndex({"tree": {}, "tasks": {}, "tree_unreadable": ["\\"]}).tree_unknown("\\any\\task")


def test_offline_hive_tree_keys_not_read_are_unknown_not_missing():
    """Offline too: a Tree key whose subkeys cannot be listed is unknown, so a Tasks
    entry under it is not claimed to have no Tree key."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils import taskcache
    from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import _TaskCacheIndex

    class Key(object):
        def __init__(self, name, subkeys=(), broken=False):
            self.name, self._subkeys, self._broken = name, list(subkeys), broken

        def iter_subkeys(self):
            if self._broken:
                raise OSError("access denied")
            return iter(self._subkeys)

        def iter_values(self, **kwargs):
            return iter(())

    cache = taskcache.new_cache()
    taskcache._HiveWalk(cache).tree(Key("Tree", [Key("Ok"), Key("Locked", broken=True)]))
    index = _TaskCacheIndex(cache)
    assert index.tree_unknown("\\locked\\hidden task")
    assert not index.tree_unknown("\\ok\\task") and not index.tree_unknown("\\other")
    assert any("cannot list subkeys" in e["error"] for e in cache["errors"])
