# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import codecs
import hashlib

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import (
    TaskDefinitionError,
    TaskGuardInputError,
    UnsafeXmlError,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import (
    DEFINITION_KEYS,
    empty_task,
    fingerprint,
    new_task_entry,
    parse_task_definition,
)

FULL = '''<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.4" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Date>2024-01-02T03:04:05</Date>
    <Author>$(@%SystemRoot%\\system32\\x.dll,-101)</Author>
    <Description>Does things</Description>
    <URI>\\Vendor\\Updater</URI>
    <SecurityDescriptor>D:(A;;FA;;;BA)</SecurityDescriptor>
    <Source>Vendor Inc</Source>
  </RegistrationInfo>
  <Triggers>
    <BootTrigger><Delay>PT1M</Delay></BootTrigger>
    <LogonTrigger><Enabled>false</Enabled><UserId>S-1-5-21-1-2-3-1001</UserId></LogonTrigger>
    <CalendarTrigger><StartBoundary>2024-01-01T00:00:00</StartBoundary><ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay></CalendarTrigger>
    <CalendarTrigger><ScheduleByWeek><WeeksInterval>1</WeeksInterval></ScheduleByWeek></CalendarTrigger>
    <CalendarTrigger><ScheduleByMonthDayOfWeek/></CalendarTrigger>
    <TimeTrigger><Repetition><Interval>PT5M</Interval></Repetition><StartBoundary>2024-01-01T00:00:00</StartBoundary></TimeTrigger>
    <EventTrigger><Subscription>&lt;QueryList&gt;&lt;/QueryList&gt;</Subscription></EventTrigger>
    <WnfStateChangeTrigger><StateName>7508BCA3</StateName></WnfStateChangeTrigger>
    <FutureTrigger/>
  </Triggers>
  <Principals>
    <Principal id="Other"><UserId>S-1-5-19</UserId></Principal>
    <Principal id="Author">
      <GroupId>S-1-5-32-545</GroupId>
      <LogonType>S4U</LogonType>
      <RunLevel>HighestAvailable</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <UseUnifiedSchedulingEngine>true</UseUnifiedSchedulingEngine>
    <MaintenanceSettings><Period>P1D</Period></MaintenanceSettings>
    <Enabled>false</Enabled>
    <Hidden>true</Hidden>
  </Settings>
  <Actions Context="Author">
    <Exec><Command>C:\\Vendor\\up.exe</Command><Arguments>/silent</Arguments><WorkingDirectory>C:\\Vendor</WorkingDirectory></Exec>
    <ComHandler><ClassId>{ABCDEF01-2345-6789-ABCD-EF0123456789}</ClassId><Data><![CDATA[<x>y</x>]]></Data></ComHandler>
    <ShowMessage><Title>t</Title><Body>hello</Body></ShowMessage>
    <SendEmail><To>a@b</To><Body>mail</Body></SendEmail>
  </Actions>
</Task>
'''

MINIMAL = '''<Task xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
<Actions><Exec><Command>cmd.exe</Command></Exec></Actions></Task>'''


def utf16(text):
    return codecs.BOM_UTF16_LE + text.replace('\n', '\r\n').encode('utf-16-le')


def test_full_definition_fields():
    task = parse_task_definition(utf16(FULL), path='\\Vendor\\Updater')
    assert set(task) == set(DEFINITION_KEYS)
    assert task['path'] == '\\Vendor\\Updater'
    assert (task['name'], task['folder']) == ('Updater', '\\Vendor')
    assert task['uri'] == '\\Vendor\\Updater'
    assert task['enabled'] is False and task['hidden'] is True
    assert task['author'] == '$(@%SystemRoot%\\system32\\x.dll,-101)'  # resource string kept
    assert task['description'] == 'Does things'
    assert task['registration_date'] == '2024-01-02T03:04:05'
    assert task['schema_version'] == '1.4'
    assert task['security_descriptor'] == 'D:(A;;FA;;;BA)'
    assert task['source'] == 'Vendor Inc'
    # the principal the actions run as (Context), not simply the first one
    assert task['principal'] == {'id': 'Author', 'user_id': None, 'group_id': 'S-1-5-32-545',
                                 'logon_type': 'S4U', 'run_level': 'HighestAvailable'}
    assert task['actions_context'] == 'Author'
    assert [a['type'] for a in task['actions']] == ['exec', 'com_handler', 'show_message', 'send_email']
    exec_, com, msg, mail = task['actions']
    assert (exec_['command'], exec_['arguments'], exec_['working_directory']) == (
        'C:\\Vendor\\up.exe', '/silent', 'C:\\Vendor')
    assert exec_['class_id'] is None and exec_['data'] is None
    assert com['class_id'] == '{ABCDEF01-2345-6789-ABCD-EF0123456789}' and com['data'] == '<x>y</x>'
    assert com['command'] is None
    assert msg['data'] == 'hello' and mail['data'] == 'mail' and mail['arguments'] == 'a@b'
    types = [t['type'] for t in task['triggers']]
    assert types == ['boot', 'logon', 'daily', 'weekly', 'monthly', 'time', 'event', 'wnf', 'other']
    boot, logon = task['triggers'][:2]
    assert boot['delay'] == 'PT1M' and boot['enabled'] is True
    assert logon['enabled'] is False and logon['user_id'] == 'S-1-5-21-1-2-3-1001'
    assert task['triggers'][2]['start_boundary'] == '2024-01-01T00:00:00'
    assert task['triggers'][2]['raw_type'] == 'CalendarTrigger'
    assert task['triggers'][5]['repetition_interval'] == 'PT5M'
    assert task['triggers'][6]['subscription'] == '<QueryList></QueryList>'
    assert task['triggers'][8]['raw_type'] == 'FutureTrigger'
    assert task['is_at_job'] is False
    assert task['sha256'] == hashlib.sha256(utf16(FULL)).hexdigest()
    assert len(task['fingerprint']) == 64


def test_defaults_and_no_version():
    task = parse_task_definition(MINIMAL.encode('utf-8'), path='\\x')
    assert task['enabled'] is True and task['hidden'] is False
    assert task['schema_version'] is None
    assert task['principal'] is None and task['triggers'] == []
    assert task['uri'] is None and task['author'] is None


def test_no_namespace_and_unknown_elements():
    doc = '<Task version="1.0"><Bogus><Deep/></Bogus><Settings><Hidden> TRUE </Hidden></Settings>' \
          '<Actions><Exec><Command>a.exe</Command></Exec><Teleport/></Actions></Task>'
    task = parse_task_definition(doc, path='\\x')
    assert task['hidden'] is True
    assert [a['type'] for a in task['actions']] == ['exec', 'other']
    assert task['actions'][1]['raw_type'] == 'Teleport'


def test_path_from_uri_when_not_given_and_folder_root():
    task = parse_task_definition(FULL)
    assert task['path'] == '\\Vendor\\Updater'
    task = parse_task_definition(MINIMAL)
    assert task['path'] is None and task['name'] is None
    task = parse_task_definition(MINIMAL, path='Top')
    assert (task['path'], task['name'], task['folder']) == ('\\Top', 'Top', '\\')
    task = parse_task_definition(MINIMAL, path='A/B/C')
    assert (task['path'], task['name'], task['folder']) == ('\\A\\B\\C', 'C', '\\A\\B')


AT_CASES = [('\\At1', True), ('\\AT12', True), ('\\At', False), ('\\Sub\\At1', False), ('\\At1x', False)]


@pytest.mark.parametrize('path,expected', AT_CASES)
def test_at_jobs(path, expected):
    assert parse_task_definition(MINIMAL, path=path)['is_at_job'] is expected
    assert empty_task(path)['is_at_job'] is expected


@pytest.mark.parametrize('doc', [
    '<NotATask/>',
    '<Task><Settings><Hidden>maybe</Hidden></Settings></Task>',
    '<Task><Triggers><BootTrigger><Enabled>yes</Enabled></BootTrigger></Triggers></Task>',
])
def test_not_a_task_raises(doc):
    with pytest.raises(TaskDefinitionError):
        parse_task_definition(doc, path='\\bad')


def test_unsafe_raises():
    with pytest.raises(UnsafeXmlError):
        parse_task_definition('<!DOCTYPE Task [<!ENTITY a "b">]><Task>&a;</Task>')
    with pytest.raises(TaskGuardInputError):
        parse_task_definition(b'\x00\x01garbage')
    with pytest.raises(TaskGuardInputError):
        parse_task_definition('<Task>' + ' ' * 100 + '</Task>', max_bytes=50)


def test_str_and_bytes_agree_and_sha_of_str_is_utf16le_bom():
    as_bytes = parse_task_definition(utf16(FULL), path='\\p')
    as_str = parse_task_definition(FULL.replace('\n', '\r\n'), path='\\p')
    assert as_bytes == as_str  # including sha256: str is hashed as the file form


def test_fingerprint_stable_across_encoding_whitespace_order_and_date():
    base = parse_task_definition(utf16(FULL))['fingerprint']
    compact = '\n'.join(line.strip() for line in FULL.splitlines())
    reordered = FULL.replace('<Settings>', '<!--x--><Settings>')
    settings = FULL[FULL.index('  <Settings>'):FULL.index('  <Actions')]
    moved = FULL.replace(settings, '').replace('  <RegistrationInfo>', settings + '  <RegistrationInfo>')
    redated = FULL.replace('2024-01-02T03:04:05', '2025-06-07T08:09:10').replace(
        'Does things', 'Other text').replace('$(@%SystemRoot%\\system32\\x.dll,-101)', 'someone')
    block = FULL[FULL.index('<Triggers>') + 10:FULL.index('</Triggers>')]
    triggers = [line.strip() for line in block.splitlines() if line.strip()]
    shuffled = FULL.replace(block, ''.join(reversed(triggers)))
    assert shuffled != FULL
    for doc in (FULL.encode('utf-8'), compact, reordered, moved, redated, shuffled,
                FULL.encode('utf-16-be'), FULL.replace('C:\\Vendor\\up.exe', 'c:\\VENDOR\\UP.EXE')):
        assert parse_task_definition(doc)['fingerprint'] == base


@pytest.mark.parametrize('old,new', [
    ('/silent', '/evil'),
    ('C:\\Vendor\\up.exe', 'C:\\Temp\\up.exe'),
    ('<Hidden>true</Hidden>', '<Hidden>false</Hidden>'),
    ('<Enabled>false</Enabled>\n    <Hidden>', '<Enabled>true</Enabled>\n    <Hidden>'),
    ('HighestAvailable', 'LeastPrivilege'),
    ('S-1-5-32-545', 'S-1-5-18'),
    ('<Delay>PT1M</Delay>', '<Delay>PT2M</Delay>'),
    ('{ABCDEF01-2345-6789-ABCD-EF0123456789}', '{00000000-2345-6789-ABCD-EF0123456789}'),
])
def test_fingerprint_changes_on_security_relevant_change(old, new):
    assert old in FULL
    assert parse_task_definition(FULL.replace(old, new))['fingerprint'] != parse_task_definition(FULL)['fingerprint']


def test_fingerprint_action_order_matters():
    exec_ = '<Exec><Command>C:\\Vendor\\up.exe</Command><Arguments>/silent</Arguments><WorkingDirectory>C:\\Vendor</WorkingDirectory></Exec>'
    swapped = FULL.replace(exec_, '').replace('</ShowMessage>', '</ShowMessage>' + exec_)
    assert parse_task_definition(swapped)['fingerprint'] != parse_task_definition(FULL)['fingerprint']


def test_empty_task_and_entry():
    task = empty_task('\\Hidden\\Ghost')
    assert set(task) == set(DEFINITION_KEYS)
    assert (task['name'], task['folder']) == ('Ghost', '\\Hidden')
    assert task['actions'] == [] and task['triggers'] == []
    assert task['fingerprint'] is None and task['sha256'] is None and task['enabled'] is None
    assert fingerprint(task) is None
    entry = new_task_entry(task)
    assert entry['seen_in'] == [] and entry['hidden_reasons'] == [] and entry['registry'] is None
    assert entry['state'] is None and entry['last_result'] is None
