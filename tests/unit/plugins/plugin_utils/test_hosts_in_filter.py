# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""taskguard.windows.hosts_in: the names of the first list that are in the second, in the
first list's order (drift.yml takes the first audited host's variables from it)."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.taskguard.windows.plugins.filter.hosts import FilterModule, hosts_in


def test_keeps_the_order_of_the_first_list_and_only_names_of_the_second():
    assert hosts_in(["c", "a", "b", "d"], ["d", "b", "x", "c"]) == ["c", "b", "d"]
    assert hosts_in([], ["a"]) == [] and hosts_in(["a"], []) == []


def test_order_does_not_depend_on_hashing():
    names = ["ws%05d" % i for i in range(500)][::-1]
    assert hosts_in(names, sorted(names)) == names


@pytest.mark.parametrize("names,others", [("abc", ["a"]), (["a"], "a"), (["a"], b"a")])
def test_a_string_instead_of_a_list_is_a_clear_error(names, others):
    with pytest.raises(AnsibleFilterError, match="two lists of host names"):
        hosts_in(names, others)


def test_registered_under_its_name():
    assert FilterModule().filters()["hosts_in"] is hosts_in
