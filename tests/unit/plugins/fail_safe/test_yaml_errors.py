# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""YAML syntax errors a vendor can act on (issue 17.7)."""
from __future__ import annotations

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_yaml


@pytest.fixture(params=["c", "python"])
def loader(request, monkeypatch):
    # libyaml and the pure-Python parser word and place their errors differently
    if request.param == "python":
        monkeypatch.setattr(inventory_yaml, "_CComposeOnly", inventory_yaml._ComposeOnly)
    return inventory_yaml.load_yaml_text


@pytest.mark.parametrize("text,line", [
    ("a: 1\nb:\n\tc: 2\n", 3),
    ("tasks:\n  - path: x\n\t  owner: y\n", 3),
])
def test_a_tab_is_called_a_tab(loader, text, line):
    errors = loader(text).errors
    assert len(errors) == 1
    assert errors[0][0] == line and errors[0][2] == "yaml_syntax"
    assert "tab character" in errors[0][3]


@pytest.mark.parametrize("text,opener,opened", [
    ("a: 1\nb: \"abc\nc: 2\nd: 3\n", 'quote "', "line 2, column 4"),
    ("a: 1\nb: 'abc\nc: 2\nd: 3\n", "quote '", "line 2, column 4"),
    ("a: [1, 2\nb: 3\nc: 4\n", "'['", "line 1, column 4"),
    ("a: {x: 1\nb: 3\n", "'{'", "line 1, column 4"),
    ("a: 1\nb: [1, 2,\n  3\n", "'['", "line 2, column 4"),
])
def test_an_unclosed_quote_or_bracket_names_where_it_was_opened(loader, text, opener, opened):
    errors = loader(text).errors
    assert len(errors) == 1
    line, column, code, message = errors[0]
    assert code == "yaml_syntax"
    assert message.startswith("%s opened at %s is not closed" % (opener, opened))
    assert "the parser stopped at line %d, column %d" % (line, column) in message
    assert line > int(opened.split()[1].rstrip(","))      # stopped later than it was opened


def test_other_syntax_errors_keep_the_parser_wording(loader):
    errors = loader("a: b: c\n").errors
    assert len(errors) == 1 and "opened at" not in errors[0][3] and "tab" not in errors[0][3]
