# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""common.visible skips its regex pass for ASCII printable text (most report
strings): the result must be the pattern's marking for every text."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import common


class Text(str):
    pass


def marked(text):
    return common._INVISIBLE.sub(lambda m: "<U+%04X>" % ord(m.group(0)), text)


def test_examples():
    for text in ("plain ASCII, with spaces \\ and / and <>&\"'", "", "tab\tnl\nCR\r", "nul\x00 del\x7f",
                 "c1\x85", "rtl\u202e", "soft\u00adhyphen", "\ud800", "\U000e0041tag", "\u65e5\u672c"):
        assert common.visible(text) == marked(text)
    assert common.visible(Text("x\x00")) == "x<U+0000>" and common.visible(None) == ""
    assert common.visible(12) == "12"


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=0x2100), max_size=30) | st.text(max_size=30))
def test_visible_marks_what_the_pattern_marks(text):
    """common.visible returns ASCII printable text unchanged without the regex pass: the same
    result as marking every character of the pattern."""
    assert common.visible(text) == marked(text)


def test_short_texts_escaped_once_give_the_same_text_for_every_limit_and_type():
    """html_page.esc, common.one_line and csv_format.safe_cell keep the result of short
    texts (labels, enumerations) in a small cache: the limit is part of the key, and a
    value that is not a str (True, 1) never takes the place of the text "True" or "1"."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import csv_format, html_page
    for _round in range(2):
        assert html_page.esc("abc<def>", 4) == "abc&lt;..." and html_page.esc("abc<def>") == "abc&lt;def&gt;"
        assert html_page.esc("x\u202e") == "x&lt;U+202E&gt;" and html_page.esc(None) == ""
        assert common.one_line("a\tb\r\nc", 3) == "a b..." and common.one_line("a\tb\r\nc") == "a b c"
        assert csv_format.safe_cell("=1+1") == "'=1+1" and csv_format.safe_cell("  -x") == "'  -x"
        assert csv_format.safe_cell(True) == "True" and csv_format.safe_cell("True") == "True"
        assert html_page.esc(1) == "1" and html_page.esc(1.0) == "1.0"
    long = "<" * 300 + "\x00"
    assert html_page.esc(long) == "&lt;" * 300 + "&lt;U+0000&gt;"
    assert html_page.esc(long, 10) == "&lt;" * 10 + "..."
    assert common.one_line("\t" * 300, 5) == "     ..."


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), limit=st.sampled_from([None, 1, 5, 300, 600]))
def test_cached_escapes_are_the_plain_escapes(text, limit):
    from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import csv_format, html_page
    assert html_page.esc(text, limit) == html_page._escape(text, limit)
    assert csv_format.safe_cell(text) == csv_format._safe_cell(text)
    assert common.one_line(text, limit or 300) == common._one_line(text, limit or 300)
