# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounded-time glob patterns for task paths, host names and action fields.

Patterns come from vendor files, so they are hostile input. We do not hand them
to ``re`` (a vendor regex such as ``(a+)+$`` would hang the controller) and we do
not use ``fnmatch`` either (its translation still backtracks on many ``*``).
Instead a pattern is compiled once into a short list of character-class tokens
and matched by simulating the automaton over the subject: time is
O(len(subject) x len(tokens)) whatever the pattern, and both lengths are capped.

Syntax (documented in docs/task-inventory.md):
  ``*``       any run of characters except ``\\`` (stays in one folder level)
              - in ``any_separator`` mode (arguments, commands) it also crosses ``\\``
  ``**``      any run of characters including ``\\``
  ``?``       exactly one character except ``\\``
  ``{sid}``   a user account SID: ``S-1-5-21-<n>-<n>-<n>-<n>`` or ``S-1-12-1-<n>-<n>-<n>-<n>``
  ``{guid}``  a braced GUID ``{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`` (hex, any case)
  anything else is literal. Matching is case-insensitive (Windows semantics).
A ``{`` followed by lower-case letters and ``}`` is a placeholder and must be one
of the known names; other braces (``{CF8953F0-...}``) are literal.
"""
from __future__ import (absolute_import, division, print_function)

__metaclass__ = type

import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError

MAX_PATTERN_LENGTH = 512
MAX_WILDCARDS = 16
MAX_SUBJECT_LENGTH = 4096

# Token kinds: (kind, char, repeat)
#   kind: "lit" (one case-folded char), "nobs" (any char but backslash), "any",
#         "digit", "hex"
#   repeat: False = exactly one, True = zero or more
_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
_SID_RE = re.compile(r"S-1-(?:5-21|12-1)(?:-\d{1,10}){4}", re.IGNORECASE)
_SID_ANYWHERE_END_RE = re.compile(r"(S-1-(?:5-21|12-1)(?:-\d{1,10}){4})$", re.IGNORECASE)


class PatternError(TaskGuardInputError):
    """A pattern that cannot be compiled; the message is shown to the vendor."""


def _digits_plus():
    # one or more digits: a digit followed by zero or more digits
    return [("digit", None, False), ("digit", None, True)]


def _placeholder_tokens(name):
    if name == "sid":
        # S-1-5-21-a-b-c-d | S-1-12-1-a-b-c-d; expressed with alternation-free tokens
        # is impossible, so {sid} is a small alternation handled by _Alt below.
        return [("alt", (
            _lit_tokens("s-1-5-21") + _sid_tail(),
            _lit_tokens("s-1-12-1") + _sid_tail(),
        ), False)]
    if name == "guid":
        toks = [("lit", "{", False)]
        for i, n in enumerate((8, 4, 4, 4, 12)):
            if i:
                toks.append(("lit", "-", False))
            toks.extend([("hex", None, False)] * n)
        toks.append(("lit", "}", False))
        return toks
    raise PatternError("unknown placeholder {%s}; known placeholders: {sid}, {guid}" % name)


def _sid_tail():
    toks = []
    for dummy in range(4):
        toks.append(("lit", "-", False))
        toks.extend(_digits_plus())
    return toks


def _lit_tokens(text):
    return [("lit", c, False) for c in text.casefold()]


def _flatten(tokens):
    """Turn the {sid} alternation into an NFA-friendly structure.

    The NFA works on a list of nodes; an "alt" node holds two sub-lists. To keep
    the simulator simple we expand alternatives into separate whole-pattern
    branches (there are at most a few {sid} per pattern, capped below).
    """
    branches = [[]]
    for tok in tokens:
        if tok[0] == "alt":
            new = []
            for branch in branches:
                for alt in tok[1]:
                    new.append(branch + list(alt))
            branches = new
        else:
            for branch in branches:
                branch.append(tok)
    return branches


def _char_ok(kind, char, c, any_separator):
    if kind == "lit":
        return c == char
    if kind == "any":
        return True
    if kind == "nobs":
        return c != "\\"
    if kind == "digit":
        return "0" <= c <= "9"
    if kind == "hex":
        return c in "0123456789abcdef"
    return False


class GlobPattern:
    """A compiled pattern. ``match`` runs in bounded time."""

    __slots__ = ("text", "branches", "literal", "any_separator", "prefix", "suffix", "_cores")

    def __init__(self, text, branches, literal, any_separator, prefix="", suffix=""):
        self.text = text
        self.branches = branches
        self.literal = literal   # case-folded text when the pattern has no wildcard
        self.any_separator = any_separator
        # Case-folded literal runs every match starts/ends with (every branch
        # shares them): a C-level startswith/endswith rejects most subjects
        # before the simulation runs; the simulation still decides every
        # subject that passes.
        self.prefix = prefix
        self.suffix = suffix
        # What is still to check once the literal ends matched: the tokens
        # between them, and whether any of them repeats (without a repeating
        # token the match is a fixed-length, char-by-char comparison).
        cut = len(suffix)
        self._cores = []
        for core in (b[len(prefix):len(b) - cut] for b in branches):
            self._cores.append((core, any(tok[2] for tok in core)))

    def __repr__(self):
        return "GlobPattern(%r)" % (self.text,)

    @property
    def is_literal(self):
        return self.literal is not None

    def match(self, subject):
        if subject is None:
            return False
        subject = str(subject)
        if len(subject) > MAX_SUBJECT_LENGTH:
            # Longer than anything Windows produces: never allow-list it.
            return False
        s = subject.casefold()
        if self.literal is not None:
            return s == self.literal
        if not s.startswith(self.prefix) or not s.endswith(self.suffix):
            return False
        end = len(s) - len(self.suffix)
        if end < len(self.prefix):
            return False
        middle = s[len(self.prefix):end]
        for core, repeats in self._cores:
            if _simulate(core, middle) if repeats else _fixed(core, middle):
                return True
        return False


def _closure(tokens, states):
    """Add states reachable by skipping zero-or-more tokens."""
    out = set()
    stack = list(states)
    while stack:
        i = stack.pop()
        if i in out:
            continue
        out.add(i)
        if i < len(tokens) and tokens[i][2]:
            stack.append(i + 1)
    return out


def _fixed(tokens, s):
    """Match without repeating tokens: one token per character."""
    if len(tokens) != len(s):
        return False
    for (kind, char, _rep), c in zip(tokens, s):
        if not _char_ok(kind, char, c, None):
            return False
    return True


def _simulate(tokens, s):
    """Set-based simulation of the token automaton: O(len(s) x len(tokens))."""
    n = len(tokens)
    states = _closure(tokens, {0})
    for c in s:
        nxt = set()
        for i in states:
            if i >= n:
                continue
            kind, char, rep = tokens[i]
            if _char_ok(kind, char, c, None):
                nxt.add(i if rep else i + 1)
        if not nxt:
            return False
        states = _closure(tokens, nxt)
    return n in states


def compile_pattern(text, *, any_separator=False, what="pattern"):
    """Compile *text*; raise PatternError with a vendor-readable message."""
    _check_text(text, what)
    tokens, has_wild = _tokenize(text, any_separator, what)
    # casefold may expand a char into several (e.g. German sharp s): split them
    flat = []
    for kind, char, rep in tokens:
        if kind == "lit" and len(char) > 1:
            flat.extend(("lit", ch, False) for ch in char)
        else:
            flat.append((kind, char, rep))
    branches = _flatten(flat)
    literal = None if has_wild else text.casefold()
    return GlobPattern(text, [tuple(b) for b in branches], literal, any_separator,
                       prefix=_literal_run(flat), suffix=_literal_run(flat[::-1])[::-1])


def _check_text(text, what):
    if not isinstance(text, str):
        raise PatternError("%s must be a string" % what)
    if not text:
        raise PatternError("%s is empty" % what)
    if len(text) > MAX_PATTERN_LENGTH:
        raise PatternError("%s is longer than %d characters" % (what, MAX_PATTERN_LENGTH))
    if any(ord(c) < 32 for c in text):
        raise PatternError("%s contains control characters" % what)


def _star(text, i, star, tokens, what):
    """The token of the ``*``/``**`` at text[i] and where the pattern goes on;
    None as token when it merges into the star before it."""
    if text.startswith("**", i):
        tok = ("any", None, True)
        i += 2
        if i < len(text) and text[i] == "*":
            raise PatternError("%s: '***' is ambiguous; use '*' or '**'" % what)
    else:
        tok = star
        i += 1
    # two stars in a row are one star: keeps the automaton small
    if tokens and tokens[-1][2] and tokens[-1][0] in ("any", "nobs"):
        if tok[0] == "any":
            tokens[-1] = tok
        return None, i
    return tok, i


def _tokenize(text, any_separator, what):
    """(tokens, has a wildcard or placeholder); the wildcard budget enforced."""
    star = ("any", None, True) if any_separator else ("nobs", None, True)
    tokens = []
    wildcards = sids = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c == "*":
            tok, i = _star(text, i, star, tokens, what)
            if tok is not None:
                tokens.append(tok)
                wildcards += 1
            continue
        if c == "?":
            tokens.append(("nobs", None, False) if not any_separator else ("any", None, False))
            wildcards += 1
            i += 1
            continue
        m = _PLACEHOLDER_RE.match(text, i) if c == "{" else None
        if m:
            sids += m.group(1) == "sid"
            tokens.extend(_placeholder_tokens(m.group(1)))
            wildcards += 1
            i = m.end()
            continue
        tokens.append(("lit", c.casefold(), False))
        i += 1
    if wildcards > MAX_WILDCARDS:
        raise PatternError("%s has %d wildcards/placeholders; at most %d are allowed"
                           % (what, wildcards, MAX_WILDCARDS))
    if sids > 2:
        raise PatternError("%s has more than two {sid} placeholders" % what)
    return tokens, wildcards > 0


def _literal_run(tokens):
    """The literal characters the token list starts with (before any wildcard/placeholder)."""
    run = []
    for kind, char, rep in tokens:
        if kind != "lit" or rep:
            break
        run.append(char)
    return "".join(run)


def _classes_intersect(a, b):
    ka, ca = a[0], a[1]
    kb, cb = b[0], b[1]
    if ka == "lit":
        return _char_ok(kb, cb, ca, None)
    if kb == "lit":
        return _char_ok(ka, ca, cb, None)
    # every non-literal class contains "0"
    return True


def _branches_intersect(t1, t2):
    n1, n2 = len(t1), len(t2)
    start = {(i, j) for i in _closure(t1, {0}) for j in _closure(t2, {0})}
    seen = set()
    stack = list(start)
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == n1 and j == n2:
            return True
        if i >= n1 or j >= n2:
            continue
        if _classes_intersect(t1[i], t2[j]):
            ni = i if t1[i][2] else i + 1
            nj = j if t2[j][2] else j + 1
            for a in _closure(t1, {ni}):
                for b in _closure(t2, {nj}):
                    if (a, b) not in seen:
                        stack.append((a, b))
    return False


def patterns_intersect(p1, p2):
    """True when some string matches both compiled patterns (product automaton)."""
    if p1.literal is not None:
        return p2.match(p1.text)
    if p2.literal is not None:
        return p1.match(p2.text)
    return any(_branches_intersect(a, b) for a in p1.branches for b in p2.branches)


def trailing_sid(name):
    """Return the user SID a task name ends with (per-user tasks), or None."""
    if not name:
        return None
    m = _SID_ANYWHERE_END_RE.search(name)
    return m.group(1) if m else None


def is_user_sid(value):
    return bool(value) and bool(_SID_RE.fullmatch(value))


def escape_literal(text):
    """Return a pattern matching *text* literally where that is possible.

    Task names cannot contain ``*`` or ``?``; only a lower-case ``{word}`` could be
    read as a placeholder, which no real task name contains. Returns None when the
    text cannot be expressed as a pattern (callers then use an exact ``path``).
    """
    if "*" in text or "?" in text or _PLACEHOLDER_RE.search(text):
        return None
    return text
