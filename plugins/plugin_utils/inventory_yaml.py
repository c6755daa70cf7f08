# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Safe YAML reading for inventory and risk rule files, keeping line/column of every node.

Why our own constructor on top of PyYAML's composer: we need (a) the position
of every key and value so that schema errors point at a line, (b) duplicate keys
as errors (PyYAML silently keeps the last one), (c) only the core tags (no
``!!python/*``, no ``!!binary``/``!!timestamp``/``!!set``; dates stay strings),
and (d) a budget on alias expansion, since the composer shares aliased nodes and a
"billion laughs" document only explodes when it is constructed.
"""
from __future__ import (absolute_import, division, print_function)

__metaclass__ = type

import os
import stat

import yaml

MAX_FILE_BYTES = 1024 * 1024          # an inventory file for one owner is a few KiB
MAX_NODES = 50000                     # constructed nodes per file, aliases included
MAX_DEPTH = 32
MAX_SCALAR_CHARS = 8192

CORE_TAGS = {
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float", "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


class _Resolver(yaml.resolver.Resolver):
    """SafeLoader's resolver without the implicit timestamp rule (dates stay strings)."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


class _ComposeOnly(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                   yaml.composer.Composer, yaml.constructor.SafeConstructor, _Resolver):
    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)


if getattr(yaml, "__with_libyaml__", False):
    class _CComposeOnly(yaml.cyaml.CParser, yaml.constructor.SafeConstructor, _Resolver):
        """The same composer in libyaml's C implementation (same nodes and marks).

        Parsing the inventory dominates the start of every Ansible worker (each
        host's audit runs in a fresh fork and loads it again), and the pure-Python
        scanner is ~10x slower (docs/performance.md). Construction stays ours.
        """

        def __init__(self, stream):
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)
else:  # pragma: no cover - PyYAML built without libyaml
    _CComposeOnly = _ComposeOnly


class YamlDocument:
    """Result of reading one file: ``data`` plus ``marks`` keyed by path tuples.

    ``marks[path]`` is (line, column) of the value at that path (1-based);
    ``key_marks[path]`` is the position of the mapping key that leads to it.
    """

    def __init__(self):
        self.data = None
        self.marks = {}
        self.key_marks = {}
        self.errors = []   # [(line, column, code, message)]

    def position(self, path, *, key=False):
        """Best position for *path*: itself, else its nearest ancestor."""
        path = tuple(path)
        table = self.key_marks if key else self.marks
        if path in table:
            return table[path]
        if key and path in self.marks:
            return self.marks[path]
        while path:
            path = path[:-1]
            if path in self.marks:
                return self.marks[path]
        return (1, 1)


class _Budget(Exception):
    pass


def _pos(node):
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, doc, scalar_constructor, aliases=True):
        self.doc = doc
        self.nodes = 0
        self.construct_scalar = scalar_constructor
        # Without aliases, a node met twice is an alias (the composer shares the
        # anchored node; every other event makes a new one).
        self.seen = None if aliases else set()

    def build(self, node, path, depth):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Budget("alias_limit", node,
                          "more than %d YAML nodes after alias expansion (alias bomb?)" % MAX_NODES)
        if self.seen is not None:
            if id(node) in self.seen:
                raise _Budget("alias_forbidden", node,
                              "YAML aliases are not allowed in this file (the anchor is here)")
            self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise _Budget("yaml_too_deep", node, "nesting deeper than %d levels" % MAX_DEPTH)
        self.doc.marks.setdefault(path, _pos(node))
        if node.tag not in CORE_TAGS:
            self.doc.errors.append(_pos(node) + ("forbidden_tag",
                                   "tag %r is not allowed; only plain YAML values are" % node.tag))
            return None
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.doc.errors.append(_pos(key_node) + ("forbidden_tag",
                                           "merge keys ('<<') are not supported; use 'defaults:'"))
                    continue
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in CORE_TAGS:
                    self.doc.errors.append(_pos(key_node) + ("wrong_type", "mapping keys must be plain strings"))
                    continue
                key = self.construct_scalar(key_node)
                if not isinstance(key, str):
                    key = str(key)
                child = path + (key,)
                if key in result:
                    first = self.doc.key_marks.get(child, (0, 0))
                    self.doc.errors.append(_pos(key_node) + ("duplicate_key",
                                           "duplicate key %r (first defined at line %d)" % (key, first[0])))
                    continue
                self.doc.key_marks[child] = _pos(key_node)
                result[key] = self.build(value_node, child, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        try:
            value = self.construct_scalar(node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            # e.g. an integer with more digits than Python converts
            self.doc.errors.append(_pos(node) + ("invalid_value", "cannot read value: %s" % str(exc)[:200]))
            return None
        if isinstance(value, str) and len(value) > MAX_SCALAR_CHARS:
            self.doc.errors.append(_pos(node) + ("value_too_long",
                                   "value longer than %d characters" % MAX_SCALAR_CHARS))
            return value[:64]
        return value


_OPENERS = {"quoted scalar": "quote", "flow sequence": "'['", "flow mapping": "'{'"}


def _char_at(text, mark):
    """The character of *text* at a parser mark ('' past the end)."""
    lines = text.split("\n")
    if mark is None or mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    return line[mark.column] if mark.column < len(line) else ""


def syntax_error(text, exc):
    """(line, column, "yaml_syntax", message) a vendor can act on.

    libyaml's wording ("found character that cannot start any token") does not
    say that the character is a tab, nor where an unclosed quote or bracket was
    opened: the parser stops lines later, where the damage shows. Both are
    added here from the marks the parser gives.
    """
    problem, context = exc.problem_mark, exc.context_mark
    mark = problem or context
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = " ".join(x for x in (exc.context, exc.problem) if x) or str(exc)
    if _char_at(text, problem) == "\t" or "tab character" in (exc.problem or ""):
        return (line, col, "yaml_syntax",
                "tab character at line %d, column %d: YAML indentation must use spaces, not tabs" % (line, col))
    opener = next((name for key, name in _OPENERS.items() if key in (exc.context or "")), None)
    if opener and context is not None and problem is not None and \
            (context.line, context.column) != (problem.line, problem.column):
        if opener == "quote":
            opener = "quote %s" % (_char_at(text, context) or "'")
        message = ("%s opened at line %d, column %d is not closed; the parser stopped at line %d, column %d (%s)"
                   % (opener, context.line + 1, context.column + 1, line, col, message))
    return (line, col, "yaml_syntax", message)


def load_yaml_text(text, *, aliases=True):
    """Parse *text* (already size-checked) into a YamlDocument; never raises for bad input.

    ``aliases=False``: an alias is an error (``alias_forbidden``; risk rule files)."""
    doc = YamlDocument()
    loader = _CComposeOnly(text)
    try:
        node = loader.get_single_node()
        if node is None:
            doc.data = None
            return doc

        def scalar(n):
            return loader.construct_object(n, deep=True)

        builder = _Builder(doc, scalar, aliases)
        doc.data = builder.build(node, (), 0)
    except _Budget as exc:
        code, node, message = exc.args
        doc.errors.append(_pos(node) + (code, message))
        doc.data = None
    except yaml.MarkedYAMLError as exc:
        doc.errors.append(syntax_error(text, exc))
        doc.data = None
    except yaml.YAMLError as exc:
        doc.errors.append((1, 1, "yaml_syntax", str(exc)))
        doc.data = None
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. int overflow in bizarre scalars
        doc.errors.append((1, 1, "yaml_syntax", "cannot read value: %s" % exc))
        doc.data = None
    finally:
        loader.dispose()
    return doc


def load_yaml_file(path, *, max_bytes=MAX_FILE_BYTES, aliases=True):
    """Read and parse one YAML file (inventory, risk rules). Returns a YamlDocument (errors inside)."""
    doc = YamlDocument()
    try:
        # O_NONBLOCK + S_ISREG: a FIFO named *.yml in an inventory folder blocked
        # open() forever (issue 9); it is now an unreadable file like any other.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                doc.errors.append((1, 1, "file_unreadable", "not a regular file"))
                return doc
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        doc.errors.append((1, 1, "file_unreadable", "cannot read file: %s" % exc.strerror))
        return doc
    if len(raw) > max_bytes:
        doc.errors.append((1, 1, "file_too_large", "file is larger than %d bytes" % max_bytes))
        return doc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        doc.errors.append((line, 1, "not_utf8", "file is not UTF-8 text"))
        return doc
    return load_yaml_text(text, aliases=aliases)
