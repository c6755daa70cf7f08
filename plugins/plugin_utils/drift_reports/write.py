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
from ansible_collections.taskguard.windows.plugins.plugin_utils.state import atomic_write, check_writable

FORMATS = {
    "json": ("drift.json", json_format.render),
    "md": ("drift.md", markdown.render),
    "html": ("drift.html", html_page.render),
    "junit": ("junit.xml", junit.render),
    "csv": ("drift.csv", csv_format.render),
}


def write_reports(doc, directory, formats=None):
    """Write the formats (default: all) into directory; returns {format: path}.

    Everything is rendered before anything is written, so a rendering error
    leaves the previous reports in place; drift.json is written last so its
    presence means the whole set is complete.
    """
    check_writable(directory)
    wanted = list(formats or FORMATS)
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError("unknown report format(s) %s (known: %s)" % (unknown, ", ".join(FORMATS)))
    rendered = {fmt: FORMATS[fmt][1](doc) for fmt in wanted}
    paths = {}
    for fmt in sorted(wanted, key=lambda f: f == "json"):
        path = os.path.join(directory, FORMATS[fmt][0])
        atomic_write(path, rendered[fmt])
        paths[fmt] = path
    return paths
