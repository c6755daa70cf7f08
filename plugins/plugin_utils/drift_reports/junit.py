# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""junit.xml for CI: one testsuite per host; one testcase for the host's audit
named by the host (an error when the verdict is incomplete or not_audited: nothing may pass that
could not be looked at) and one per task finding, named by the task path only
(the host is the classname; the severity is never in a name, so CI history
survives a severity change). A task finding is a failure unless its severity
is info; its message is the finding's title and its body the task card as text.
One more testcase per host, ``local Administrators (S-1-5-32-544)``, carries
the guideline's table of who is admin there (drift.json ``administrators``): a
failure listing the members not documented for the host or orphaned, skipped
with the reason when the group was not read (never a pass for what was not
looked at). Strings are made visible first (so characters XML 1.0 forbids never reach the
file) and escaped by ElementTree."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import admin_table
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.cards import all_views, fleet
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.common import one_line, visible
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.text import card_text
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import unaudited_hosts

_ERROR_VERDICTS = ("incomplete", "not_audited")
# Language independent, like every testcase name (CI history follows names).
ADMIN_CASE = "local Administrators (S-1-5-32-544)"


def _t(value, limit=1000):
    return one_line(value, limit)


def _host_case(suite, view, msg, unaudited):
    classname = "taskguard.drift." + _t(view["host"])
    # Named by the host only: the same name in every language and every run.
    case = ET.SubElement(suite, "testcase", classname=classname, name=_t(view["host"]))
    message = msg("junit.host_status", verdict=msg.label("verdict", view["verdict"]), reason=view["reason"])
    # not audited: by its verdict, or no task source read although events made it
    # compromised or suspicious (report_merge.unaudited_hosts, the job's exit rule)
    if view["verdict"] in _ERROR_VERDICTS or view["host"] in unaudited:
        error = ET.SubElement(case, "error", message=_t(message), type=_t(view["verdict"]))
        error.text = visible("\n\n".join(card_text(c, msg, 4000) for c in view["audit"][:50]) or message)
        return 1
    out = ET.SubElement(case, "system-out")
    out.text = visible(message)
    return 0


def _admin_case(suite, view, msg, table):
    """(failures, skipped) of the host's Administrators testcase; (0, 0) when the
    report has no administrators table (a report written before it existed)."""
    members, unread, read = table
    host = view["host"]
    mine = members.get(host, [])
    case = ET.SubElement(suite, "testcase", classname="taskguard.drift." + _t(host), name=ADMIN_CASE)
    if host in unread or host not in read:
        reason = unread.get(host) or msg("misc.not_collected")
        ET.SubElement(case, "skipped", message=_t(msg("admin.not_read", reason=reason)))
        return 0, 1
    bad = [(row, cell) for row, cell in mine if admin_table.failing(row, cell)]
    lines = ["%s: %s" % (admin_table.label(row), admin_table.state(row, cell, msg)) for row, cell in mine]
    if bad:
        names = msg("misc.list_sep").join(admin_table.label(row) for row, _cell in bad[:20])
        fail = ET.SubElement(case, "failure", message=_t(msg("junit.admins_fail", count=len(bad), total=len(mine),
                                                             members=names)), type="local_admin")
        fail.text = visible("\n".join(lines))
        return 1, 0
    out = ET.SubElement(case, "system-out")
    out.text = visible("\n".join([msg("junit.admins_pass", count=len(mine))] + lines))
    return 0, 0


def render(doc, language=None, fleet_view=None):
    msg, groups = fleet_view or fleet(doc, language)
    root = ET.Element("testsuites", name="taskguard drift")
    total = failures = errors = 0
    unaudited = set(unaudited_hosts(doc.get("hosts")))
    table = admin_table.by_host(doc) if admin_table.has_table(doc) else None
    skipped = 0
    for view in all_views(groups):
        suite = ET.SubElement(root, "testsuite", name=_t(view["host"]))
        n_err = _host_case(suite, view, msg, unaudited)
        n_fail = 0
        names = set()
        for card in view["cards"]:
            name = _t(card["task"] or card["title"])
            if name in names:      # two rows for one path (should not happen): keep names unique
                name = "%s #%s" % (name, card["id"])
            names.add(name)
            case = ET.SubElement(suite, "testcase", classname="taskguard.drift." + _t(view["host"]), name=name)
            if card["severity"] == "info":
                out = ET.SubElement(case, "system-out")
                out.text = visible(card_text(card, msg))
                continue
            fail = ET.SubElement(case, "failure", message=_t(card["title"]), type=_t(card["kind"]))
            fail.text = visible(card_text(card, msg))
            n_fail += 1
        tests = len(view["cards"]) + 1
        n_skip = 0
        if table is not None:
            admin_fail, n_skip = _admin_case(suite, view, msg, table)
            n_fail += admin_fail
            tests += 1
        suite.set("tests", str(tests))
        suite.set("failures", str(n_fail))
        suite.set("errors", str(n_err))
        suite.set("skipped", str(n_skip))
        skipped += n_skip
        total += tests
        failures += n_fail
        errors += n_err
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    root.set("skipped", str(skipped))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"
