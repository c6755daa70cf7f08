# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render and write every report format atomically (see state.atomic_write)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import contextlib
import os

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import (
    csv_format, html_page, json_format, junit, markdown,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.cards import fleet
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.gc_pause import paused as gc_paused
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.messages import LANGUAGES
from ansible_collections.taskguard.windows.plugins.plugin_utils.state import ReportWriteError, atomic_write, check_writable

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

    Every format is rendered and staged (written and flushed under a hidden
    name, ``.tmp-<file>.staged-<random>.tmp``) before any report is replaced, so
    a rendering error or a full disk leaves the previous reports in place (the
    staged files are removed); then each is renamed over its report, drift.json
    last, so its presence means the whole set is complete. Staging instead of
    keeping every rendered file in memory until the end: 218 MB less at the
    peak of a 4,000-host report.
    """
    check_writable(directory)
    wanted = list(dict.fromkeys(formats or FORMATS))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError("unknown report format(s) %s (known: %s)" % (unknown, ", ".join(FORMATS)))
    if language is not None and language not in LANGUAGES:
        raise ValueError("unknown report language %r (known: %s)" % (language, ", ".join(LANGUAGES)))
    staged = {}
    try:
        with gc_paused():   # gc_pause.py: no cycles here, and full collections walked the whole report
            _render_and_stage(doc, directory, wanted, language, staged)
        paths = {}
        for fmt in sorted(wanted, key=lambda f: f == "json"):
            path = os.path.join(directory, FORMATS[fmt][0])
            try:
                os.replace(staged[fmt], path)
            except OSError as exc:
                raise ReportWriteError("cannot write %s: %s" % (path, exc.strerror or exc))
            del staged[fmt]
            paths[fmt] = path
        return paths
    finally:
        for leftover in staged.values():
            with contextlib.suppress(OSError):
                os.unlink(leftover)


def _render_and_stage(doc, directory, wanted, language, staged):
    """Render each format and stage it into ``staged`` ({format: staged path}); the
    bytes of one format are dropped before the next is rendered. drift.json first:
    it needs no fleet view, so the two are never in memory together."""
    view = None
    for fmt in sorted(wanted, key=lambda f: f != "json"):
        if fmt != "json" and view is None:
            # The fleet (host views and one card per finding) is the same for md, html,
            # junit and csv: built once, not once per format (it was ~40 % of the report
            # step; the writers only read it).
            view = fleet(doc, language)
        data = render_report(fmt, doc, language, fleet_view=view)
        path = os.path.join(directory, ".tmp-%s.staged-%s.tmp" % (FORMATS[fmt][0], os.urandom(6).hex()))
        staged[fmt] = path      # before the write: a failed write's leftover is removed as well
        atomic_write(path, data)
        del data
