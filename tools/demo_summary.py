# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print a one-screen summary of a drift report directory (used by `make demo`).

Usage: python tools/demo_summary.py [REPORT_DIR]   (default: reports)
Exit code 1 when drift.json is missing or unreadable. Strings from the report are
printed with control and bidi characters made visible, so a hostile task name
cannot rewrite the terminal.
"""
from __future__ import annotations

import json
import os
import re
import sys

_INVISIBLE = re.compile("[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")
ORDER = ("critical", "high", "medium", "low", "info")
MAX_LINES = 14


def visible(value, limit=70):
    text = _INVISIBLE.sub(lambda m: "<U+%04X>" % ord(m.group(0)), str(value if value is not None else "-"))
    return text if len(text) <= limit else text[:limit - 3] + "..."


def main(argv):
    report_dir = os.path.abspath(argv[1] if len(argv) > 1 else "reports")
    path = os.path.join(report_dir, "drift.json")
    try:
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
    except (OSError, ValueError) as exc:
        print("no readable drift report at %s: %s" % (path, exc), file=sys.stderr)
        return 1
    summary = doc.get("summary") or {}
    print("")
    print("taskguard drift report: %s" % report_dir)
    for name in ("drift.html", "drift.md", "drift.json", "drift.csv", "junit.xml"):
        if os.path.exists(os.path.join(report_dir, name)):
            print("  %s" % os.path.join(report_dir, name))
    by_sev = summary.get("by_severity") or {}
    print("")
    print("hosts %d %s | findings %d (%s)" % (
        summary.get("hosts", 0),
        " ".join("%s=%d" % (k, v) for k, v in (summary.get("hosts_by_status") or {}).items() if v),
        summary.get("findings", 0), " ".join("%s=%d" % (s, by_sev.get(s, 0)) for s in ORDER)))
    print("")
    print("%-10s %-9s %-14s %s" % ("host", "severity", "kind", "task / title"))
    rows = []
    gaps = {}
    for host, entry in (doc.get("hosts") or {}).items():
        for f in entry.get("findings") or []:
            if f.get("kind") == "coverage_gap":  # summarised below: they crowd out the attacks
                gaps[host] = gaps.get(host, 0) + 1
                continue
            rows.append((ORDER.index(f.get("severity", "info")) if f.get("severity") in ORDER else 9, host, f))
    rows.sort(key=lambda r: (r[0], r[1], str(r[2].get("kind")), str(r[2].get("task"))))
    for _rank, host, f in rows[:MAX_LINES]:
        what = f.get("task") if f.get("task") else f.get("title")
        print("%-10s %-9s %-14s %s" % (visible(host, 10), visible(f.get("severity"), 9), visible(f.get("kind"), 14),
                                       visible(what)))
    if len(rows) > MAX_LINES:
        print("... %d more in drift.html" % (len(rows) - MAX_LINES))
    if gaps:
        print("")
        print("coverage gaps (what the audit could not see; details in drift.html): %s"
              % ", ".join("%s %d" % (visible(h, 30), n) for h, n in sorted(gaps.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
