# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render and write every report format atomically (see state.atomic_write)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import (
    csv_format, html_page, json_format, junit, markdown,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.cards import fleet
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.gc_pause import paused as gc_paused
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.messages import LANGUAGES
from ansible_collections.taskguard.windows.plugins.plugin_utils.state import atomic_write, check_writable

FORMATS = {
    "json": ("drift.json", json_format.render),
    "md": ("drift.md", markdown.render),
    "html": ("drift.html", html_page.render),
    "junit": ("junit.xml", junit.render),
    "csv": ("drift.csv", csv_format.render),
}


def render_report(fmt, doc, language=None, fleet_view=None):
    """One format's bytes; the human-readable formats in ``language`` (en|ja), drift.json always the same.
    ``fleet_view``: ``cards.fleet(doc, language)`` when the caller already has it (read only)."""
    render = FORMATS[fmt][1]
    return render(doc) if fmt == "json" else render(doc, language, fleet_view=fleet_view)


def write_reports(doc, directory, formats=None, language=None):
    """Write the formats (default: all) into directory; returns {format: path}.

    ``language``: en (default) or ja for drift.html, drift.md, drift.csv headers
    and junit.xml messages (docs/reports.md).

    Everything is rendered before anything is written, so a rendering error
    leaves the previous reports in place; drift.json is written last so its
    presence means the whole set is complete.
    """
    check_writable(directory)
    wanted = list(formats or FORMATS)
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError("unknown report format(s) %s (known: %s)" % (unknown, ", ".join(FORMATS)))
    if language is not None and language not in LANGUAGES:
        raise ValueError("unknown report language %r (known: %s)" % (language, ", ".join(LANGUAGES)))
    with gc_paused():   # gc_pause.py: no cycles here, and full collections walked the whole report
        # The fleet (host views and one card per finding) is the same for md, html, junit
        # and csv: built once, not once per format (it was ~40 % of the report step; the
        # writers only read it).
        view = fleet(doc, language) if any(fmt != "json" for fmt in wanted) else None
        rendered = {fmt: render_report(fmt, doc, language, fleet_view=view) for fmt in wanted}
        del view
    paths = {}
    for fmt in sorted(wanted, key=lambda f: f == "json"):
        path = os.path.join(directory, FORMATS[fmt][0])
        atomic_write(path, rendered[fmt])
        paths[fmt] = path
    return paths
