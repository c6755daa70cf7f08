# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exception types for hostile input (host results, evidence folders, vendor files).

Every parser in the collection raises a subclass of :class:`TaskGuardInputError`
for bad input, so callers can turn any of them into an ``unparseable`` entry with
one ``except`` clause and never crash on data they do not control.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class TaskGuardInputError(ValueError):
    """Input from a host, an evidence folder or a vendor file is not acceptable."""


class InputTooLargeError(TaskGuardInputError):
    """Input exceeds the size cap for its kind (bounding memory and time)."""


class UnsafeXmlError(TaskGuardInputError):
    """XML uses a construct we refuse outright (DOCTYPE, entity declarations)."""


class XmlParseError(TaskGuardInputError):
    """XML cannot be decoded or is not well-formed."""


class TaskDefinitionError(TaskGuardInputError):
    """Well-formed XML that is not a usable task definition."""


class RegExportError(TaskGuardInputError):
    """A ``reg export`` text file cannot be read."""


class HiveError(TaskGuardInputError):
    """A registry hive file cannot be read."""


class EvidenceError(TaskGuardInputError):
    """An offline evidence root is unusable (missing, not a directory, ...)."""
