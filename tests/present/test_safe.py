"""present.safe: user text shows literally in Markdown and in plotly, escaped once."""

from __future__ import annotations

import re

from sla_review.present import safe
from tests.hostile import HOSTILE, NORMAL


def _commonmark_unescape(text: str) -> str:
    """What CommonMark shows for backslash escapes (a backslash before ASCII punctuation is dropped)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def _shown(text: str) -> str:
    """What a reader sees: the escapes resolved, the invisible word joiners gone."""
    return _commonmark_unescape(text).replace("\u2060", "")


def test_markdown_escapes_every_punctuation_character_and_reads_back_as_typed():
    for value in (*HOSTILE, *NORMAL, "50% off | $5 ~ `x` :red[y] #1 a_b www.example.com a@b.co :smile:"):
        escaped = safe.markdown(value)
        assert _shown(escaped) == value
        # what Streamlit scans the parsed text for (GFM bare-URL/e-mail autolinks, emoji and icon shortcodes)
        assert not re.search(r"https?://|www\.|\w@\w|:[\w/+-]+:", _commonmark_unescape(escaped)), escaped
        bare = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)  # what is left once every escape pair is removed
        assert not re.search(r"[!-/:-@\[-`{-~]", bare), escaped
    assert safe.markdown("Tier A & B") == "Tier A \\& B"
    assert safe.markdown("営業部") == "営業部"  # nothing to escape
    assert safe.markdown("a\n# b\r\n- c") == "a \\# b \\- c"  # a line break could start a heading or a list


def test_plotly_escapes_tags_and_ampersands_once():
    assert safe.plotly('<a href="http://127.0.0.1:9">x</a>') == '&lt;a href="http://127.0.0.1:9"&gt;x&lt;/a&gt;'
    assert safe.plotly("<b>b</b><br>") == "&lt;b&gt;b&lt;/b&gt;&lt;br&gt;"
    assert safe.plotly("Tier A & B") == "Tier A &amp; B"
    assert safe.plotly("&lt;") == "&amp;lt;"  # an entity typed by the user shows as typed
    assert safe.plotly("営業部") == "営業部"
