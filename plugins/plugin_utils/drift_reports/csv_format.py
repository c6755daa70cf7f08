# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift.csv: UTF-8 with BOM (Excel), one row per finding (and one per host
without findings). Cells that a spreadsheet would read as a formula (starting
with = + - @ tab CR LF, also after leading spaces) get a leading apostrophe
(OWASP CSV injection guidance)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import csv
import io

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.common import (
    rules_text, sorted_findings, visible,
)

COLUMNS = ("host", "status", "severity", "kind", "task", "title", "rules", "entry_file", "entry_line", "finding_id")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


# Excel cells hold at most 32,767 characters: a longer field is not shown whole,
# and a host-supplied 10 MB task path made a 10 MB cell (issue 9). Cut with a marker.
MAX_CELL_CHARS = 32000


def safe_cell(value):
    text = visible(value)
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS] + "...[%d characters cut]" % (len(text) - MAX_CELL_CHARS)
    if text.lstrip(" ").startswith(_FORMULA_START) or text.startswith(_FORMULA_START):
        return "'" + text
    return text


def render(doc):
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    seen = set()
    for host, entry, f in sorted_findings(doc):
        seen.add(host)
        src = f.get("entry") or {}
        writer.writerow([safe_cell(v) for v in (host, entry.get("status"), f.get("severity"), f.get("kind"),
                                                f.get("task") or "", f.get("title"), rules_text(f),
                                                src.get("file") or "", src.get("line") if src.get("line") is not None else "",
                                                f.get("id"))])
    for host, entry in (doc.get("hosts") or {}).items():
        if host not in seen:
            writer.writerow([safe_cell(v) for v in (host, entry.get("status"), "", "none", "", "no findings", "", "", "", "")])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8", "replace")
