# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""junit.xml: one testsuite per host, one testcase for the host's audit status
and one per finding (a failure unless its severity is info). Strings are made
visible first (so characters XML 1.0 forbids never reach the file) and escaped
by ElementTree."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.common import (
    one_line, rules_text, to_json, visible,
)


def _t(value, limit=1000):
    return one_line(value, limit)


def render(doc):
    root = ET.Element("testsuites", name="taskguard drift")
    total = failures = 0
    for host, entry in (doc.get("hosts") or {}).items():
        findings = entry.get("findings") or []
        suite = ET.SubElement(root, "testsuite", name=_t(host))
        n_fail = 0
        case = ET.SubElement(suite, "testcase", classname="taskguard.drift." + _t(host), name="audit status: " + _t(entry.get("status")))
        if entry.get("status") in ("unreachable", "failed"):
            ET.SubElement(case, "failure", message=_t(entry.get("message") or entry.get("status")), type=_t(entry.get("status")))
            n_fail += 1
        for f in findings:
            case = ET.SubElement(suite, "testcase", classname="taskguard.drift." + _t(host),
                                 name="[%s] %s %s" % (_t(f.get("severity")), _t(f.get("kind")), _t(f.get("task") or "-")))
            if f.get("severity") == "info":
                out = ET.SubElement(case, "system-out")
                out.text = _t(f.get("title"))
                continue
            fail = ET.SubElement(case, "failure", message=_t(f.get("title")), type=_t(f.get("kind")))
            fail.text = visible("rules: %s\nid: %s\nevidence: %s" % (rules_text(f), f.get("id"), to_json(f.get("evidence"))[:20000]))
            n_fail += 1
        suite.set("tests", str(len(findings) + 1))
        suite.set("failures", str(n_fail))
        suite.set("errors", "0")
        total += len(findings) + 1
        failures += n_fail
    root.set("tests", str(total))
    root.set("failures", str(failures))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"
