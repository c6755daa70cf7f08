# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of playbooks/selftest.yml (logic in plugin_utils/selftest.py)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.taskguard.windows.plugins.filter.hardening import _plain
from ansible_collections.taskguard.windows.plugins.plugin_utils import hardening, selftest


def _call(func, *args):
    try:
        # Host-derived strings end up in the result: never let them be templated.
        return wrap_var(func(*[_plain(a) for a in args]))
    except (selftest.SelftestInputError, hardening.HardeningInputError) as exc:
        raise AnsibleFilterError("taskguard.windows selftest: %s" % exc)


def selftest_hosts(value, inventory_hosts, group_names):
    """The explicitly named lab hosts, or an error for patterns, groups and unknown names."""
    return _call(selftest.selftest_hosts, value, inventory_hosts, group_names)


def selftest_report(raw, host, generated_at=None):
    """The selftest-<host>.json document from the playbook's registered results."""
    def build(raw_, host_, generated_at_):
        return selftest.build_document(host_, selftest.collect_inputs(raw_), generated_at_)
    return _call(build, raw, host, generated_at)


def selftest_summary(document):
    """Readable summary (Markdown) of a selftest document."""
    return _call(selftest.render_summary, document)


class FilterModule(object):
    def filters(self):
        return {
            "selftest_hosts": selftest_hosts,
            "selftest_report": selftest_report,
            "selftest_summary": selftest_summary,
        }
