"""No slide or chart image renders user text as markup: the deck and an SVG export built from the markup corpus
(tests/hostile.py). PowerPoint runs are plain text (python-pptx escapes XML), so the slides show the strings
exactly as imported and hold no hyperlink; the SVG holds them as text, never as <a> or <img> elements."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
from pptx import Presentation

from sla_review.export import deck as export
from sla_review.metrics.report import make_period
from sla_review.store.db import connect
from tests.hostile import ANCHOR, IMG, LINK, hostile_db

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    con = connect(hostile_db(tmp_path_factory.mktemp("markup-deck")), read_only=True)
    period = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1), "2026-06-30T10:00:00+09:00")
    yield con, period, export.comparison_for(con, period)
    con.close()


def _slide_text(deck: bytes) -> str:
    out = []
    for slide in Presentation(io.BytesIO(deck)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if shape.has_table:
                out += [cell.text for row in shape.table.rows for cell in row.cells]
        out.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(out)


def test_slides_show_hostile_names_literally_and_hold_no_link(hostile):
    con, period, comparison = hostile
    deck = export.build_deck(con, period, comparison, "en")
    shown = _slide_text(deck)
    assert IMG in shown and LINK in shown  # the SLA version names: title slide, versions table, appendix
    assert ANCHOR in shown  # the rejection reason, in the headline and the notes
    assert "&lt;" not in shown and "\\[" not in shown  # plain text: neither HTML- nor Markdown-escaped
    with zipfile.ZipFile(io.BytesIO(deck)) as package:
        xml = "".join(package.read(n).decode("utf-8") for n in package.namelist() if n.endswith(".xml"))
        rels = "".join(package.read(n).decode("utf-8") for n in package.namelist() if n.endswith(".rels"))
    assert "hlinkClick" not in xml and "hlinkHover" not in xml
    assert "127.0.0.1:9" not in rels  # no external relationship (link or linked image) to the beacon
    assert "<img" not in xml and "&lt;img src=x onerror=alert(1)&gt;" in xml  # XML-escaped text, not an element


def test_svg_export_holds_the_names_as_text(hostile):
    con, period, comparison = hostile
    chart = next(c for c in export.charts(con, period, comparison, "en") if c.key == "rejections")
    assert ANCHOR in chart.headline  # the headline names the reason: plain text for the slide
    svg = export.figure_svg(export.with_title(chart.figure, chart.headline)).decode("utf-8")
    root = ET.fromstring(svg)
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert not tags & {"a", "img", "image", "foreignObject"}, tags  # no link, no picture, no HTML island
    assert not re.search(r"<(?:a|img)[\s>]", svg)
    shown = ["".join(element.itertext()) for element in root.iter() if element.tag.endswith("}text")]
    assert ANCHOR in shown  # the reason's tick label, as the literal string
    assert any(ANCHOR in line and line.startswith("Top rejection reason") for line in shown)  # the title
