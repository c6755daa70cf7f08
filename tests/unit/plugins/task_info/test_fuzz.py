# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile input never crashes the parsers: it parses, or raises TaskGuardInputError."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.reg_export import parse_reg_export
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import normalize_live_tasks
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import DEFINITION_KEYS, parse_task_definition
from task_info_evidence import RegBuilder, task_file_bytes, task_xml

SEED_XML = task_xml('\\Fuzz', command='C:\\x.exe', arguments='-a "b"', hidden=True)
SEED_REG = RegBuilder().task('\\Fuzz', '{1}', hash_=b'\x01' * 32).text()
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _mutate(text, data):
    """Apply a few splice/delete/insert edits chosen by hypothesis."""
    for pos, cut, insert in data:
        pos = pos % (len(text) + 1)
        text = text[:pos] + insert + text[pos + cut:]
    return text


EDITS = st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 40),
                           st.text(alphabet=st.characters(blacklist_categories=('Cs',)), max_size=12)),
                 max_size=6)


@FAST
@given(EDITS, st.sampled_from(['str', 'utf16', 'utf8']))
def test_task_definition_mutations(edits, form):
    text = _mutate(SEED_XML, edits)
    data = {'str': text, 'utf16': task_file_bytes(text), 'utf8': text.encode('utf-8')}[form]
    try:
        task = parse_task_definition(data, path='\\Fuzz')
    except TaskGuardInputError:
        return
    assert set(task) == set(DEFINITION_KEYS)
    assert isinstance(task['actions'], list) and isinstance(task['triggers'], list)
    assert task['fingerprint'] is None or len(task['fingerprint']) == 64


@FAST
@given(st.binary(max_size=300))
def test_task_definition_random_bytes(data):
    try:
        parse_task_definition(data)
    except TaskGuardInputError:
        pass


@FAST
@given(EDITS)
def test_reg_export_mutations(edits):
    text = _mutate(SEED_REG, edits)
    try:
        export = parse_reg_export(text)
    except TaskGuardInputError:
        return
    for number, message in export.errors:
        assert isinstance(number, int) and isinstance(message, str)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 40, 2 ** 40) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(['path', 'xml', 'read', 'tasks', 'tree', 'entries', 'id', 'index', 'sd_present',
                         'sd_length', 'guid', 'hash', 'content', 'size', 'error', 'state', 'last_result',
                         'folder_errors', 'errors', 'api', 'files', 'taskcache', 'host', 'is_admin',
                         'job_files', 'name', 'truncated']),
        children, max_size=6),
    max_leaves=30)


@FAST
@given(JSONISH)
def test_live_material_of_any_shape(raw):
    result = normalize_live_tasks(raw)
    assert set(result['sources']) == {'api', 'files', 'registry', 'job_files'}
    assert isinstance(result['tasks'], list) and isinstance(result['errors'], list)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


def _replace(node, path, value):
    if not path:
        return value
    node[path[0]] = _replace(node[path[0]], path[1:], value)
    return node


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.data())
def test_live_fixture_with_values_replaced(unit_fixtures, data):  # the fixture is a read-only path
    import copy
    import json
    base = json.loads((unit_fixtures / 'task_info' / 'live_admin.json').read_text(encoding='utf-8'))['material']
    raw = copy.deepcopy(base)
    paths = list(_paths(raw))
    for _edit in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(paths))
        raw = _replace(raw, path, data.draw(JSONISH))
        paths = list(_paths(raw))
    result = normalize_live_tasks(raw)
    assert isinstance(result['tasks'], list)
    for task in result['tasks']:
        assert isinstance(task['hidden_reasons'], list) and isinstance(task['seen_in'], list)
