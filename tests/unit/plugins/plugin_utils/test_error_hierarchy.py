# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One error base: every exception class the collection defines derives from
errors.TaskGuardError, and no import of our own parts hides behind a fallback."""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins import plugin_utils
from ansible_collections.taskguard.windows.plugins.plugin_utils import errors, state

PLUGIN_UTILS = Path(list(plugin_utils.__path__)[0]).resolve()
# Left to the pipeline work (issue 22): audit_support's four fallbacks go with it.
NOT_YET = set()   # every part imports the parts that exist without a fallback


def _modules():
    for path in sorted(PLUGIN_UTILS.rglob("*.py")):
        parts = path.relative_to(PLUGIN_UTILS).with_suffix("").parts
        yield importlib.import_module(".".join((plugin_utils.__name__,) + parts))


def _error_classes():
    for module in _modules():
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__
                    and not name.startswith("_")):
                yield value


def test_every_module_error_derives_from_the_one_base():
    found = list(_error_classes())
    names = {cls.__name__ for cls in found}
    # the ones the issue names are really there (the walk found the modules)
    assert {"ReportWriteError", "RiskRuleError", "DefinitionCacheError", "BookmarkError",
            "EventNormalizeError", "PatternError", "ReportInputError", "HardeningInputError"} <= names
    assert [cls for cls in found if not issubclass(cls, errors.TaskGuardError)] == []


def test_input_errors_stay_value_errors():
    """Callers that caught ValueError before still do."""
    assert issubclass(errors.TaskGuardInputError, ValueError)
    assert issubclass(errors.TaskGuardInputError, errors.TaskGuardError)


def test_report_write_error_has_the_real_base():
    assert state.ReportWriteError.__mro__[1] is errors.TaskGuardError


def _hidden_imports(path):
    """try-blocks that import our own modules and catch the failure."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        own = [n for n in node.body if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("ansible_collections.taskguard")]
        if own and len(own) == len(node.body):
            yield "%s:%d" % (path.name, node.lineno)


@pytest.mark.parametrize("path", sorted(p for p in PLUGIN_UTILS.rglob("*.py") if p.name not in NOT_YET),
                         ids=lambda p: p.name)
def test_no_fallback_for_a_part_that_exists(path):
    assert list(_hidden_imports(path)) == []
