# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The README and the docs link to documents and sections that exist, and name no path of
one machine (issue 17.6)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
DOCS = [REPO / "README.md"] + sorted((REPO / "docs").glob("*.md"))
# the documents a reader is sent to for connection, rights, preflight and exit codes
LINKED = [REPO / "README.md"] + [REPO / "docs" / n for n in ("awx.md", "security.md", "drift.md")]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(path):
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return out


@pytest.mark.parametrize("doc", LINKED, ids=lambda p: p.name)
def test_relative_links_resolve(doc):
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        file_part, _sep, anchor = target.partition("#")
        path = (doc.parent / file_part).resolve()
        assert path.exists(), "%s links to missing %s" % (doc.name, target)
        if anchor and path.suffix == ".md":
            assert anchor in _anchors(path), "%s links to missing section %s" % (doc.name, target)


def test_readme_sends_connection_and_rights_readers_to_the_right_documents():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    production = text[text.index("Production use"):]
    assert "docs/awx.md#credentials-and-transport" in production
    assert "docs/security.md#connection-and-least-rights" in production
    assert "inventories/example/" in production


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_machine_specific_paths(doc):
    text = doc.read_text(encoding="utf-8")
    assert not re.search(r"(?<![\w.])/(work|root|home|Users|mnt)/|`/tmp/|/work\b", text), doc.name
