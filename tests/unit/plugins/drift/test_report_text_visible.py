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
