# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cyclic garbage collector paused while the report step builds and writes
the reports.

Internal to taskguard.windows. Why: the report step holds every host's result
(hundreds of thousands of dicts and lists at 2,000 hosts) and allocates as many
again for the task cards and the five formats; each allocation burst starts a
collection, and every full collection walks the whole heap again. Measured on
2,009 bench hosts in one process: 8 full collections, ~1.4 s of the step's
~5.8 s of CPU. What the step builds holds no reference cycle (JSON-shaped data,
strings, ElementTree elements without parent links), so reference counting
frees it all the same: a full collection after the whole step over those 2,009
hosts in both languages found 0 unreachable objects, and the peak RSS did not
move (tests/unit/plugins/drift/test_gc_pause.py keeps the step cycle-free).

Nested pauses are fine: only the outermost one turns the collector back on, and
only when it was on before (another part of the process may have turned it off).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import contextlib
import gc


@contextlib.contextmanager
def paused():
    """The collector off inside the block, back to its former state after it, also on an exception."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
