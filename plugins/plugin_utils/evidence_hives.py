# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to taskguard.windows: the one way the admin-surface collectors find and
open a registry hive of an evidence folder (``Windows/System32/config/<NAME>``).

SAM (local_admins), SOFTWARE (laps) and SECURITY (user_rights) were each located
and opened by a near-copy of the same lines; they share this now, so every one
of them refuses the same things (a symlink out of the evidence root, a FIFO, an
oversized or foreign file: ``find_case_insensitive`` and ``taskcache.open_hive``)
and says the same thing when the hive is not there.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import HiveError
from ansible_collections.taskguard.windows.plugins.plugin_utils.offline_tasks import find_case_insensitive
from ansible_collections.taskguard.windows.plugins.plugin_utils.taskcache import open_hive


def config_hive_path(name):
    """The path of a hive inside an evidence folder, as the error messages name it."""
    return "Windows/System32/config/%s" % name


def open_config_hive(root, name):
    """The regipy hive ``Windows/System32/config/<name>`` under ``root``.

    Raises ``HiveError`` (a ``TaskGuardInputError``) naming the expected path
    when the hive is absent or refused, and whatever ``taskcache.open_hive``
    raises (``HiveError``/``InputTooLargeError``) when it cannot be opened: the
    caller turns either into a "not read" model, never into an empty one.
    """
    refused = []
    path = find_case_insensitive(root, ("Windows", "System32", "config", name), refused)
    if path is None:
        reason = refused[-1]["error"] if refused else "no %s hive in the evidence" % name
        raise HiveError("%s (%s)" % (reason, config_hive_path(name)))
    return open_hive(path)
