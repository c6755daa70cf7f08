# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Severity names and their order: the one scale of rules, findings and reports.

Its own module so that reports and findings can rank severities without
importing the rule engine (risk.py re-exports these names for older imports).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

SEVERITIES = ("info", "low", "medium", "high", "critical")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


def max_severity(*severities):
    """The highest of the known severities given (unknown names and None are ignored); None if none."""
    ranked = [SEVERITY_RANK[s] for s in severities if s in SEVERITY_RANK]
    return SEVERITIES[max(ranked)] if ranked else None


def severity_at_least(severity, threshold):
    """Is ``severity`` at or above ``threshold``? An unknown severity never is;
    an unknown threshold is never reached."""
    return SEVERITY_RANK.get(severity, -1) >= SEVERITY_RANK.get(threshold, 99)
