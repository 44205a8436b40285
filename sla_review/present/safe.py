"""Escapers for user-supplied text at the place it is inserted: Streamlit Markdown and plotly's pseudo-HTML.

Why: SLA version names, segment values (source, campaign, persona, team, ...), rep names, rejection reasons,
companies and file names come from the user's files. Streamlit renders Markdown in st.markdown, st.caption,
alerts, expander labels and st.table cells, so `[x](http://…)` became a live link and `![i](http://…)` fetched
a remote image; plotly renders a subset of HTML (`<a href>`, `<b>`, `<br>`, `<span style>`) in tick labels,
legends, hover, annotations and titles, also in SVG exports. Each escaper is applied exactly once, where a
user value meets a template or a figure, so nothing is escaped twice and "Tier A & B" or "営業部" shows as
imported. PowerPoint runs are plain text (python-pptx escapes XML itself): nothing to do there.
"""

from __future__ import annotations

import html
import re

_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character: CommonMark's escapable set
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_JOIN = "\u2060"  # WORD JOINER: invisible and unbreakable, but not a letter, so no pattern below can match across it
_WWW = re.compile(r"(www)(?=\\\.)", re.IGNORECASE)


def markdown(value: object) -> str:
    """`value` as Markdown that Streamlit shows literally: every ASCII punctuation character backslash-escaped
    (links, images, HTML tags, emphasis, code, tables, math `$`, Streamlit's `:color[...]` directives), line
    breaks folded to spaces (a new line could start a heading or a list).

    Backslashes are not enough for what Streamlit finds in the parsed text itself: GFM's bare-URL and e-mail
    autolinks (`http://…`, `www.…`, `a@b.c`) and emoji/icon shortcodes (`:smile:`, `:material/x:`). A word joiner
    after every `:`, before every `@` and after `www` breaks those patterns and shows nothing."""
    escaped = _MD_PUNCT.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(value)))
    escaped = escaped.replace("\\:", "\\:" + _JOIN).replace("\\@", _JOIN + "\\@")
    return _WWW.sub(r"\1" + _JOIN, escaped)


def plotly(value: object) -> str:
    """`value` as plotly text that shows literally: `&`, `<` and `>` as entities (plotly decodes them back for
    display; tags such as `<a href>`, `<b>` or `<br>` are never formed)."""
    return html.escape(str(value), quote=False)
