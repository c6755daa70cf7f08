# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters used by the taskguard.windows.hardening role (logic in plugin_utils/hardening.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.taskguard.windows.plugins.plugin_utils import hardening


def _plain(value, depth=0):
    """Deep copy into plain dict/list: ansible-core 2.19 passes lazy template containers,
    which wrap_var cannot rebuild. Depth-capped because registered results are host data."""
    if depth > 64:
        raise hardening.HardeningInputError("input nested too deeply")
    if isinstance(value, Mapping):
        return dict((k, _plain(v, depth + 1)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    return value


def _call(func, *args, **kwargs):
    try:
        args = [_plain(a) for a in args]
        kwargs = dict((k, _plain(v)) for k, v in kwargs.items())
        # Host-derived strings end up in the result: never let them be templated.
        return wrap_var(func(*args, **kwargs))
    except hardening.HardeningInputError as exc:
        raise AnsibleFilterError("taskguard.windows hardening: %s" % exc)


def hardening_plan(facts, settings):
    """Per-control applicability from the hardening_facts result and the role toggles."""
    return _call(hardening.build_plan, facts, settings)


def hardening_report(records, host, plan, check_mode, generated_at=None):
    """Per-host compliance document from the recorded control results."""
    return _call(hardening.build_report, host, records, plan, bool(check_mode), generated_at)


def hardening_at_least(current, minimum):
    """Size to set so that a larger existing size is never shrunk."""
    return _call(hardening.at_least, current, minimum)


def hardening_round_up_64k(size_bytes):
    """Round a size in bytes up to the 64 KiB unit the event log service uses."""
    return _call(hardening.round_up_64k, size_bytes)


def hardening_safe_filename(host):
    """File-system safe form of an inventory host name."""
    return _call(hardening.safe_filename, host)


class FilterModule(object):
    def filters(self):
        return {
            "hardening_plan": hardening_plan,
            "hardening_report": hardening_report,
            "hardening_at_least": hardening_at_least,
            "hardening_round_up_64k": hardening_round_up_64k,
            "hardening_safe_filename": hardening_safe_filename,
        }
