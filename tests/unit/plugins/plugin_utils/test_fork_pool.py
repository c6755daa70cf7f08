# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fork_pool.map_items: results in the order of the items, one item's failure is
that item's error, and a child that dies leaves an error for every item it did
not send, never a missing or empty result."""
from __future__ import annotations

import os
import signal

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import fork_pool


def _square(item):
    return {"item": item, "square": item * item, "pid": os.getpid()}


@pytest.mark.parametrize("workers", [1, 2, 3, 50])
def test_results_come_back_in_the_order_of_the_items(workers):
    out = fork_pool.map_items(_square, list(range(11)), workers)
    assert [result["square"] for result, _error in out] == [i * i for i in range(11)]
    assert all(error is None for _result, error in out)
    pids = {result["pid"] for result, _error in out}
    if workers == 1:
        assert pids == {os.getpid()}                     # no fork for one worker
    else:
        assert os.getpid() not in pids and len(pids) == min(workers, 11)


def test_an_item_that_raises_is_an_error_of_that_item_only():
    def fn(item):
        if item == 3:
            raise ValueError("bad evidence")
        return item
    out = fork_pool.map_items(fn, range(6), 2)
    assert out[3] == (None, "ValueError: bad evidence")
    assert [r for r, e in out if e is None] == [0, 1, 2, 4, 5]


def test_a_child_killed_midway_costs_only_the_item_it_was_working_on():
    def fn(item):
        if item in (4, 10):                              # child 0 has items 0, 2, 4, 6, 8, 10, 12
            os.kill(os.getpid(), signal.SIGKILL)
        return item
    out = fork_pool.map_items(fn, range(14), 2)
    for i in (4, 10):
        assert out[i][0] is None and "ended without a result (killed by signal 9)" in out[i][1]
    assert [r for r, e in out if e is None] == [i for i in range(14) if i not in (4, 10)]


def test_a_child_that_exits_is_reported_with_its_exit_code():
    def fn(item):
        if item == 1:
            os._exit(3)
        return item
    out = fork_pool.map_items(fn, range(4), 2)
    assert out[1][0] is None and "exit code 3" in out[1][1]
    assert out[0] == (0, None) and out[2] == (2, None) and out[3] == (3, None)


def test_every_item_killing_its_child_still_ends_with_an_error_each():
    out = fork_pool.map_items(lambda item: os.kill(os.getpid(), signal.SIGKILL), range(5), 2)
    assert all(r is None and "killed by signal 9" in e for r, e in out)


def test_results_larger_than_a_pipe_buffer_do_not_block():
    big = "x" * (300 * 1024)
    out = fork_pool.map_items(lambda item: {"item": item, "text": big}, range(6), 3)
    assert [r["item"] for r, _e in out] == list(range(6))
    assert all(len(r["text"]) == len(big) for r, _e in out)


def test_a_result_that_is_not_json_is_an_error_not_a_crash():
    out = fork_pool.map_items(lambda item: {"set": {item}} if item == 1 else item, range(3), 2)
    assert out[1][0] is None and "not JSON" in out[1][1]
    assert out[0] == (0, None) and out[2] == (2, None)


def test_no_items_no_fork():
    assert not fork_pool.map_items(_square, [], 4)


def test_a_fork_that_fails_part_way_leaves_no_child_behind(monkeypatch):
    real_fork, started = os.fork, []

    def fork():
        if started:
            raise OSError(11, "Resource temporarily unavailable")
        pid = real_fork()
        if pid:
            started.append(pid)
        return pid
    monkeypatch.setattr(os, "fork", fork)
    with pytest.raises(OSError, match="Resource temporarily unavailable"):
        fork_pool.map_items(lambda item: __import__("time").sleep(30), range(4), 2)
    with pytest.raises(ChildProcessError):          # the started child was killed and reaped
        os.waitpid(started[0], os.WNOHANG)


def test_many_lines_and_long_lines_arrive_whole():
    out = fork_pool.map_items(lambda item: "y" * (item * 70001), range(12), 3)
    assert [len(r) for r, _e in out] == [i * 70001 for i in range(12)]


def test_children_see_the_parent_heap_frozen_and_the_parent_gets_it_back():
    import gc
    out = fork_pool.map_items(lambda item: gc.get_freeze_count(), range(2), 2)
    assert all(count > 0 for count, _e in out)          # inherited objects are outside the children's GC
    assert gc.get_freeze_count() == 0                    # and back in the parent's generations
