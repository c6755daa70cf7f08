# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's exception types: one base, and the input-error hierarchy.

Every error the collection raises on purpose derives from :class:`TaskGuardError`
(the module errors too: ``state.ReportWriteError``, ``risk.RiskRuleError``,
``definition_cache.DefinitionCacheError``, ``bookmarks.BookmarkError``, ...), so
an entry point can tell "we refused this, with a message" from a bug.

Every parser in the collection raises a subclass of :class:`TaskGuardInputError`
for bad input, so callers can turn any of them into an ``unparseable`` entry with
one ``except`` clause and never crash on data they do not control. It is also a
``ValueError``, as it always was, so older ``except ValueError`` clauses still hold.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class TaskGuardError(Exception):
    """Base of every error this collection raises on purpose (the message says what and where)."""


class TaskGuardInputError(TaskGuardError, ValueError):
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


# The bound of one text a host or an evidence file puts in an error entry (its
# message, the path it names): what the parsers already cut an error's text to
# (gpo_tasks, laps, local_admins, event_collection).
MAX_ERROR_TEXT = 500
# Error entries kept of one list a host returned (more are counted, not listed): a
# host that sends millions must not grow every report by as many lines.
MAX_HOST_ERRORS = 1000


def clip_text(text, limit=MAX_ERROR_TEXT):
    """``text`` (a str) cut to at most ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def host_text(value, default=None):
    """A text a host sent where a message is expected, bounded (clip_text).

    Anything but a string is said to be malformed and never turned into text: str()
    of a host's dict or list is as long as the host likes, and of a huge int raises.
    ``default`` stands for an absent or empty text."""
    if isinstance(value, str) and value:
        return clip_text(value)
    if value is None or value == '':
        return default
    return 'malformed text from the collector (a %s)' % type(value).__name__


def host_error_entry(source, entry):
    """``{"source", "path", "error"}`` of one error entry a host returned
    (``{"path": str|None, "error": str}``), its texts bounded. An entry that is not
    a dict, or whose path or error is not text, is said to be malformed (with the
    text it did carry; a path that is not text is None): never skipped, never a crash.
    Used for every error list of the live material (task_collection, taskcache)."""
    if not isinstance(entry, dict):
        return {'source': source, 'path': None,
                'error': 'malformed error entry from the collector (a %s)' % type(entry).__name__}
    path, error = entry.get('path'), entry.get('error')
    wrong = ['%s of type %s' % (name, type(value).__name__) for name, value in (('path', path), ('error', error))
             if value is not None and not isinstance(value, str)]
    text = error if isinstance(error, str) and error else None
    if wrong:
        text = 'malformed error entry from the collector (%s)%s' % (', '.join(wrong), ': ' + text if text else '')
    return {'source': source, 'path': clip_text(path) if isinstance(path, str) and path else None,
            'error': clip_text(text or 'no reason given by the collector')}


def host_error_list(source, value):
    """The checked entries (host_error_entry) of a host's error list, at most
    MAX_HOST_ERRORS and one more that counts the rest; a list that is not one is
    itself a malformed entry (an absent one is no error)."""
    if value is None:
        return []
    if not isinstance(value, list):
        return [{'source': source, 'path': None,
                 'error': 'malformed error list from the collector (of type %s)' % type(value).__name__}]
    out = [host_error_entry(source, entry) for entry in value[:MAX_HOST_ERRORS]]
    if len(value) > MAX_HOST_ERRORS:
        out.append({'source': source, 'path': None,
                    'error': '%d more errors from the collector not listed' % (len(value) - MAX_HOST_ERRORS)})
    return out
