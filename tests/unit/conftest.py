"""Shared pytest setup for taskguard.windows unit tests.

Makes ``ansible_collections.taskguard.windows`` importable from a plain checkout
(through the ``collections/ansible_collections/taskguard/windows`` symlink) so the
suite runs with plain pytest as well as under ``ansible-test units``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
_COLLECTIONS = REPO_ROOT / "collections"
if (_COLLECTIONS / "ansible_collections" / "taskguard" / "windows").exists():
    sys.path.insert(0, str(_COLLECTIONS))
# tools/regf_writer.py (the minimal registry hive writer) is shared by the hive
# tests and tools/make_demo_samples.py.
sys.path.insert(0, str(REPO_ROOT / "tools"))

# Hand-written data of our own (safe to ship) lives here.
UNIT_FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Authentic Windows data (third-party, with its licence and provenance beside it:
# fixtures/authentic/*/README.md) travels with the project, so a fresh clone runs
# the authentic tests. TASKGUARD_SHARED_FIXTURES points them at another copy with
# the same layout (tasks/<folder>/, evtx/<file>).
SHARED_FIXTURES = Path(
    os.environ.get("TASKGUARD_SHARED_FIXTURES", str(UNIT_FIXTURES / "authentic"))
)


@pytest.fixture
def shared_fixtures() -> Path:
    """Path to the authentic fixtures; skips the test when they are absent (a guard
    for a stripped copy of the tests: the repository ships them)."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"authentic Windows fixtures not found at {SHARED_FIXTURES}")
    return SHARED_FIXTURES


@pytest.fixture
def unit_fixtures() -> Path:
    return UNIT_FIXTURES
