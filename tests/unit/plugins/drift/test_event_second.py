# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift._second (the second of an event, for pairing an Operational event with its
Security twin) reads the collectors' plain ISO times by slicing: it must give what
strptime gives for every text, the refused ones (month 13, hour 24, second 60,
29 February of a common year) and the odd ones (other digits, unpadded fields,
no text at all) included."""
from __future__ import annotations

import datetime
import random

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import drift

EPOCH = datetime.datetime(1970, 1, 1)


def _strptime_second(value):
    try:
        return int((datetime.datetime.strptime(str(value)[:19], "%Y-%m-%dT%H:%M:%S") - EPOCH).total_seconds())
    except (TypeError, ValueError):
        return None


@pytest.mark.parametrize("value", [
    "2024-05-01T10:00:00.1234567Z", "2024-05-01T10:00:00", "1970-01-01T00:00:00", "0999-12-31T23:59:59",
    "2024-02-29T12:00:00", "2023-02-29T12:00:00", "2024-13-01T00:00:00", "2024-00-10T00:00:00",
    "2024-05-01T24:00:00", "2024-05-01T10:60:00", "2024-05-01T10:00:60", "2024-05-01T10:00:61",
    "0000-01-01T00:00:00", "2024-5-1T1:2:3", "\uff12\uff10\uff12\uff14-05-01T10:00:00", "2024-05-01 10:00:00",
    "2024-05-01T10:00:0", "", None, 20240501, "garbage",
])
def test_same_second_as_strptime(value):
    assert drift._second(value) == _strptime_second(value)


def test_same_second_as_strptime_for_random_times():
    rng = random.Random(21)
    parsed = 0
    for _i in range(20000):
        text = "%04d-%02d-%02dT%02d:%02d:%02d" % (
            rng.choice((0, 1, 999, 1970, 2024, 9999)), rng.randint(0, 13), rng.randint(0, 32),
            rng.randint(0, 25), rng.randint(0, 61), rng.randint(0, 62))
        text += rng.choice(("", ".123Z", "+09:00"))
        if rng.random() < 0.1:
            where = rng.randrange(len(text))
            text = text[:where] + rng.choice("1\uff10 x-T:\u0663") + text[where + 1:]
        assert drift._second(text) == _strptime_second(text), text
        parsed += drift._second(text) is not None
    assert 5000 < parsed < 15000   # both kinds, refused and read, are many
