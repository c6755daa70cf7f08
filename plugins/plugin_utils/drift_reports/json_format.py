# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift.json: the report document, ASCII-only JSON (every non-ASCII or control
character \\u-escaped, so no byte of host data is raw in the file)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import indented_json


def render(doc):
    # json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=True, default=str), faster (indented_json.py)
    return (indented_json.dumps(doc, indent=1) + "\n").encode("ascii")
