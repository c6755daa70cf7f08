# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift report writers (json, md, html, junit, csv) in English or Japanese: see docs/reports.md."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type
