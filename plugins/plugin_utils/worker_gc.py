# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep Python's cyclic garbage collector off the heap an Ansible worker inherits.

Ansible runs every action in a worker process forked from the controller, so
the worker starts with the controller's whole heap (every module it imported,
the inventory of the fleet, the variables of every host). A full collection
inside the worker walks all of those objects (and, by touching them, makes the
kernel copy their pages: the fork stops sharing memory with the controller).
The audit of one host allocates enough (its module output, ~250 parsed tasks)
to trigger collections; in the benchmark's long-lived workers a full
collection came every ~30 hosts and cost ~36 ms, 1.2 ms per host
(docs/performance.md).

``freeze_inherited_heap()`` moves every object alive at that moment into the
permanent generation (``gc.freeze``, made for forked workers): later collections
only walk what was allocated after it, and garbage created after it is
collected as before. It is done once per process, after the inventory and rules
are loaded (they live as long as the process anyway), never again: freezing
again in a long-lived process would also freeze the cyclic garbage of earlier
hosts.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import gc
import os

_STATE = {"frozen_in": None}


def freeze_inherited_heap(pid=None):
    """Freeze the heap once per process; True when this call froze it.

    ``pid`` is the current process id (``os.getpid()`` by default): a fork of a
    process that already froze its heap freezes its own once more, since the
    objects it allocated since are then the parent's, inherited.
    """
    pid = os.getpid() if pid is None else pid
    if _STATE["frozen_in"] == pid:
        return False
    gc.freeze()
    _STATE["frozen_in"] = pid
    return True
