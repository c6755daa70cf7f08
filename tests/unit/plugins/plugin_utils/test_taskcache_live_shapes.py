# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""taskcache.from_live builds Tree entries directly (performance); it must give
exactly what the hive path (_add_tree over registry-value tuples) gives for the
same values, for every shape a hostile host can send."""
from __future__ import annotations

import itertools
import random

from ansible_collections.taskguard.windows.plugins.plugin_utils import taskcache


def _reference(raw_tree):
    """The Tree part of from_live as it was: values as registry tuples, then _add_tree."""
    cache = taskcache.new_cache()
    for item in raw_tree:
        if not isinstance(item, dict) or not isinstance(item.get('path'), str):
            continue
        values = {}
        if item.get('id') is not None:
            values['id'] = (taskcache.REG_SZ, item['id'])
        if item.get('index') is not None:
            values['index'] = (taskcache.REG_DWORD, item['index'] if isinstance(item['index'], int) else None)
        if item.get('sd_present'):
            length = item.get('sd_length')
            if isinstance(length, bool) or not isinstance(length, int) or not 0 < length <= 65536:
                length = 1
            values['sd'] = (taskcache.REG_BINARY, b'\x01' * length)
        taskcache._add_tree(cache, taskcache._tree_path(item['path']), values)
    return cache


def _hive_like(errors):
    """The errors a hive can have too: a live entry that is no dict, or has no text
    path, is an error of its own (a hive key always has a path), counted apart."""
    return [e for e in errors if not e["error"].startswith("malformed Tree entry")]


def _malformed(items):
    return sum(1 for item in items if not isinstance(item, dict) or not isinstance(item.get("path"), str))


PATHS = ["\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", "\\Vendor", "Vendor\\Task\\", "\\\\a\\\\b", "", "\\",
         "\\MiXeD\\Case", 7, None]
IDS = ["{6E8E5B57-0F4C-4F7B-9D3F-2B3C0C1E5A11}", "", None, 12, ["x"]]
INDEXES = [3, 0, None, True, "3", 2 ** 40, -1]
SD_PRESENT = [True, False, None, 1, "yes", 0]
SD_LENGTHS = [148, 0, -5, 65536, 65537, 10 ** 9, True, "148", None, 1.5]


def test_every_combination_of_tree_values_gives_what_the_hive_path_gives():
    items = [{"path": p, "id": i, "index": x, "sd_present": s, "sd_length": n}
             for p, i, x, s, n in itertools.product(PATHS, IDS, INDEXES, SD_PRESENT, SD_LENGTHS)]
    items += [None, "x", 3, {}, {"id": "{X}"}]
    rng = random.Random(5)
    for _round in range(20):
        sample = rng.sample(items, 400)
        raw = {"read": True, "tree": sample, "tasks": []}
        cache, read = taskcache.from_live(raw)
        assert read is True
        expected = _reference(sample)
        assert cache["tree"] == expected["tree"]
        assert _hive_like(cache["errors"]) == expected["errors"]
        assert len(cache["errors"]) - len(expected["errors"]) == _malformed(sample)


def test_whole_product_at_once():
    items = [{"path": p, "id": i, "index": x, "sd_present": s, "sd_length": n}
             for p, i, x, s, n in itertools.product(PATHS, IDS, INDEXES, SD_PRESENT, SD_LENGTHS)]
    cache, _read = taskcache.from_live({"read": True, "tree": items})
    expected = _reference(items)
    assert cache["tree"] == expected["tree"] and _hive_like(cache["errors"]) == expected["errors"]
    assert len(cache["errors"]) - len(expected["errors"]) == _malformed(items) > 0
    assert len(cache["tree"]) > 5 and cache["errors"]
