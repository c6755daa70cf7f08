"""Shared pytest setup for taskguard.windows unit tests.

Makes ``ansible_collections.taskguard.windows`` importable from a plain checkout
(through the ``collections/ansible_collections/taskguard/windows`` symlink) so the
suite runs with plain pytest as well as under ``ansible-test units``.
"""
from __future__ import annotations

import os
import signal
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


class HangDetected(BaseException):
    """Raised by the per-test alarm: the code under test did not return in time."""


@pytest.fixture
def hang_seconds_default():
    """The hang guard of a test not marked ``hang_seconds(n)``: none here; a folder's
    conftest overrides this fixture to guard every test of it (the hostile suite does)."""
    return None


@pytest.fixture(autouse=True)
def hang_guard(request, hang_seconds_default):
    """A per-test SIGALRM that raises :class:`HangDetected` (a BaseException, so
    ``except OSError``/``except Exception`` in the code under test cannot swallow it).
    It detects hangs; it is a safety net, never a speed assertion: a test asserts
    behaviour (or counts work), and its bound is far above any loaded machine's time."""
    marker = request.node.get_closest_marker("hang_seconds")
    seconds = marker.args[0] if marker else hang_seconds_default
    if not seconds:
        yield
        return

    def _alarm(_signum, _frame):
        raise HangDetected("no answer within %d s: hang" % seconds)

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def pytest_configure(config):
    config.addinivalue_line("markers", "hang_seconds(n): per-test hang detector in seconds (a safety net)")
