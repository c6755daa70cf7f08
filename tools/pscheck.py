# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Syntax-check the collection's PowerShell with a real PowerShell grammar.

No PowerShell runs on the development and CI machines, and ansible-test's pslint
is skipped without it, so this is the only thing standing between a missing
brace and a module that fails on every Windows host. tree-sitter-powershell
reports ERROR / MISSING nodes for real syntax errors. It also rejects a few
valid constructs (generic type names such as ``List`1[String]``, numeric
suffixes such as ``1GB``, labelled ``break``): the project's PowerShell stays
within what it parses rather than allow-listing them.

Usage: pscheck.py [FILE|DIR ...]   (default: every .ps1/.psm1 under plugins/, roles/, tests/)
Exit status 1 when any file does not parse.
"""
from __future__ import annotations

import sys
from pathlib import Path

import tree_sitter
import tree_sitter_powershell

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIRS = ("plugins", "roles", "tests/integration")
SUFFIXES = {".ps1", ".psm1"}


def syntax_errors(parser: tree_sitter.Parser, source: bytes) -> list[int]:
    """Return the 1-based line numbers of ERROR or MISSING nodes."""
    lines = []
    stack = [parser.parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            lines.append(node.start_point[0] + 1)
        elif node.has_error:
            stack.extend(node.children)
    return sorted(set(lines))


def targets(args: list[str]) -> list[Path]:
    roots = [Path(a) for a in args] or [ROOT / d for d in DEFAULT_DIRS]
    found = []
    for root in roots:
        if root.is_file():
            found.append(root)
        elif root.is_dir():
            found.extend(p for p in sorted(root.rglob("*")) if p.suffix.lower() in SUFFIXES and "output" not in p.parts)
    return found


def main(argv: list[str]) -> int:
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    files = targets(argv)
    bad = 0
    for path in files:
        errors = syntax_errors(parser, path.read_bytes())
        if errors:
            bad += 1
            print(f"{path}: PowerShell syntax error near line(s) {', '.join(map(str, errors[:10]))}")
    print(f"pscheck: {len(files)} PowerShell file(s) checked, {bad} with syntax errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
