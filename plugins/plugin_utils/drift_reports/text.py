# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain-text forms of the report: a task card as text (the JUnit failure body)
and the console summary printed by ``make demo``.

Host strings are made visible (``common.visible``) so a hostile task name cannot
rewrite a terminal; the caller escapes for its own format (JUnit: ElementTree).

Run as a script: ``python -m ...drift_reports.text REPORT_DIR [en|ja]`` prints the
console summary of REPORT_DIR/drift.json (exit 1 when it is missing or unreadable).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import sys
import unicodedata

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.cards import (
    all_views, count_verdicts, fleet,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.common import one_line, visible
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.messages import Messages

MAX_CONSOLE_LINES = 14


def pad(text, width):
    """Left-aligned in ``width`` terminal columns (Japanese characters take two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)
    return text + " " * max(width - used, 0)


def card_text(card, msg, limit=20000):
    """The card as indented text: sections, rows, rules, steps."""
    lines = ["[%s] %s" % (msg.label("severity", card["severity"]), one_line(card["title"], 1000))]
    for key in ("what", "who", "how", "where"):
        if card[key]:
            lines.append(msg("card." + key))
            lines.extend("  %s: %s" % (one_line(label, 200), one_line(value, 2000)) for label, value, _code in card[key])
    if card["rules"]:
        lines.append(msg("card.why"))
        for rule in card["rules"]:
            mitre = (" (%s)" % ", ".join(rule["mitre"])) if rule["mitre"] else ""
            lines.append("  %s [%s] %s%s" % (one_line(rule["rule"], 100), msg.label("severity", rule["severity"]),
                                             one_line(rule["title"], 500), one_line(mitre, 300)))
        for title in card["escalations"]:
            lines.append("  %s: %s" % (msg("field.escalation"), one_line(title, 300)))
    for key, steps in (("card.investigate", card["investigate"]), ("card.remediate", card["remediate"])):
        if steps:
            lines.append(msg(key))
            lines.extend("  %d. %s" % (i, one_line(step, 2000)) for i, step in enumerate(steps, 1))
    text = "\n".join(lines)
    return text if len(text) <= limit else text[:limit] + "..."


def console_summary(doc, report_dir, language=None):
    msg, groups = fleet(doc, language)
    views = all_views(groups)
    counts = count_verdicts(views)
    out = ["", msg("console.header", dir=report_dir)]
    for name in ("drift.html", "drift.md", "drift.json", "drift.csv", "junit.xml"):
        if os.path.exists(os.path.join(report_dir, name)):
            out.append("  %s" % os.path.join(report_dir, name))
    out += ["", msg("console.hosts", hosts=len(views), tasks=sum(v["tasks"] for v in views),
                    gaps=sum(v["gaps"] for v in views),
                    verdicts=msg("misc.list_sep").join("%s %d" % (msg.label("verdict", k), n)
                                                       for k, n in counts.items())), ""]
    lines = []
    for tier, tier_views in groups:
        out.append(msg("tier." + tier))
        for v in tier_views:
            out.append("  %s %s %s" % (pad(visible(v["host"])[:30], 12),
                                       pad(msg.label("verdict", v["verdict"]), 14), one_line(v["reason"], 110)))
            lines.extend(v["cards"])
    out.append("")
    for card in lines[:MAX_CONSOLE_LINES]:
        out.append("%s %s %s  %s" % (pad(one_line(card["host"], 10), 10), pad(msg.label("severity", card["severity"]), 8),
                                     one_line(card["task"] or card.get("title"), 70), one_line(card["command"], 60)))
    if len(lines) > MAX_CONSOLE_LINES:
        out.append(msg("console.more", count=len(lines) - MAX_CONSOLE_LINES))
    return "\n".join(out) + "\n"


def main(argv):
    report_dir = os.path.abspath(argv[1] if len(argv) > 1 else "reports")
    language = argv[2] if len(argv) > 2 else None
    msg = Messages(language)
    path = os.path.join(report_dir, "drift.json")
    try:
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
    except (OSError, ValueError) as exc:
        sys.stderr.write(msg("console.no_report", path=path, error=exc) + "\n")
        return 1
    sys.stdout.write(console_summary(doc, report_dir, language))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
