# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin: live runs the module exactly once; offline never connects; results unsafe."""
from __future__ import annotations

import json
from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleActionFail
from ansible.template import Templar

from ansible_collections.taskguard.windows.plugins.action.task_info import ActionModule
import action_harness as harness
from task_info_evidence import RegBuilder, registry_hash, task_file_bytes, task_xml, write_task


def make_action(args):
    return harness.make_action(ActionModule, "taskguard.windows.task_info", args)


def test_live_runs_module_once_normalizes_and_marks_unsafe(unit_fixtures):
    module_result = json.loads((unit_fixtures / 'task_info' / 'live_admin.json').read_text(encoding='utf-8'))
    action = make_action({})
    action._execute_module = MagicMock(return_value=module_result)
    result = action.run(task_vars={})
    assert action._execute_module.call_count == 1
    assert action._execute_module.call_args.kwargs['module_args'] == {'max_content_bytes': 1048576}
    assert action._execute_module.call_args.kwargs['module_name'] == 'taskguard.windows.task_info'
    assert result['mode'] == 'live' and result['changed'] is False
    assert 'material' not in result
    tarrask = [t for t in result['tasks'] if t['path'] == '\\Tarrask'][0]
    assert tarrask['hidden_reasons'] == ['not_in_api', 'sd_missing']


def test_live_module_failure_is_passed_on():
    action = make_action({})
    action._execute_module = MagicMock(return_value={'failed': True, 'msg': 'winrm said no'})
    result = action.run(task_vars={})
    assert result['failed'] is True and result['msg'] == 'winrm said no'
    action = make_action({})
    action._execute_module = MagicMock(return_value={'changed': False})
    result = action.run(task_vars={})
    assert result['failed'] is True and 'no material' in result['msg']


def test_offline_never_runs_module_or_connects(tmp_path):
    data = task_file_bytes(task_xml('\\Evil', command='{{ lookup("pipe", "id") }}', hidden=True))
    write_task(str(tmp_path), '\\Evil', data)
    write_task(str(tmp_path), '\\Fine', task_file_bytes(task_xml('\\Fine')))
    reg = RegBuilder().task('\\Evil', '{1}', sd=False, hash_=registry_hash(data)).task('\\Ghost', '{2}')
    (tmp_path / 'export.reg').write_bytes(reg.bytes())
    action = make_action({'offline_root': str(tmp_path), 'taskcache_reg': 'export.reg'})
    result = action.run(task_vars={})
    action._execute_module.assert_not_called()
    action._connection.exec_command.assert_not_called()
    assert result['mode'] == 'offline'
    assert result['sources'] == {'api': False, 'files': True, 'registry': True, 'job_files': False}
    reasons = {t['path']: t['hidden_reasons'] for t in result['tasks']}
    assert reasons == {'\\Evil': ['sd_missing'], '\\Fine': ['file_without_registry'],
                       '\\Ghost': ['registry_without_file']}
    # A host-controlled string that looks like a template stays a literal string.
    evil = result['tasks'][0]['actions'][0]['command']
    assert evil == '{{ lookup("pipe", "id") }}'
    templar = Templar(loader=MagicMock())
    assert templar.template(evil) == evil
    assert templar.template(result['tasks']) == result['tasks']


@pytest.mark.parametrize('args,match', [
    ({'hive': '/x/SOFTWARE'}, 'need offline_root'),
    ({'taskcache_reg': '/x.reg'}, 'need offline_root'),
    ({'max_content_bytes': -1}, 'max_content_bytes'),
    ({'max_content_bytes': 10 ** 9}, 'max_content_bytes'),
])
def test_bad_arguments_fail_clearly(args, match):
    with pytest.raises(AnsibleActionFail, match=match):
        make_action(args).run(task_vars={})
