"""The deck's scorecard slide is the dashboard's scorecard: for the same view (period, comparison, segments,
guides, language) the tiles on screen (AppTest) and the rows on the slide (python-pptx) are equal figure for
figure, status for status and colour for colour."""

from __future__ import annotations

import io
import re
import tomllib
import zoneinfo

import pytest
from pptx import Presentation

from sla_review.core.periods import preset_range
from sla_review.core.vocabulary import Filters
from sla_review.export import deck as export
from sla_review.ingest.importer import default_as_of
from sla_review.metrics import scorecard as sc
from sla_review.metrics.report import make_period, timezone_of
from sla_review.present import charts, i18n
from sla_review.store.db import connect
from tests.app.conftest import app
from tests.conftest import ROOT

BADGE = re.compile(r"^:(\w+)-badge\[(?::material/\w+: )?(.*)\]$", re.S)


def _screen(at) -> list[dict]:
    """The five tiles as the page drew them: metric label/value/delta, badge text and colour, bold target."""
    badges = [m for m in (BADGE.match(md.value) for md in at.markdown) if m]
    targets = [md.value[2:-2] for md in at.markdown if md.value.startswith("**") and md.value.endswith("**")]
    assert len(at.metric) == len(badges) == len(targets) == 5
    return [{"label": m.label, "value": m.value, "delta": m.delta or "—", "status": b.group(2),
             "tone": b.group(1), "target": t} for m, b, t in zip(at.metric, badges, targets, strict=True)]


def _slide(db, lang: str, filters: Filters, guides: sc.Guides) -> tuple[list[dict], str]:
    """The scorecard slide of the deck for the dashboard's default view (last fiscal half vs the previous)."""
    con = connect(db)
    try:
        today = default_as_of(con).astimezone(zoneinfo.ZoneInfo(timezone_of(con))).date()  # as the sidebar
        start, end, _ = preset_range("last_half", today)
        period = make_period(con, start, end)
        deck = export.build_deck(con, period, export.comparison_for(con, period), lang, ["scorecard"], filters,
                                 guides=guides)
    finally:
        con.close()
    slide = Presentation(io.BytesIO(deck)).slides[1]
    table = next(s.table for s in slide.shapes if s.has_table)
    rows = []
    for row in list(table.rows)[1:]:
        cells = [c.text for c in row.cells]
        rows.append({"label": cells[0], "value": cells[1], "delta": cells[2], "status": cells[3],
                     "fill": str(row.cells[3].fill.fore_color.rgb), "target": cells[4], "detail": cells[5]})
    return rows, slide.shapes.title.text


@pytest.mark.parametrize(("lang", "query", "filters"), [
    ("en", {}, Filters()),
    ("ja", {}, Filters()),
    ("en", {"source": ["webinar"], "g_att": "40"}, Filters(source=("webinar",))),
    ("ja", {"source": ["webinar"], "g_att": "40"}, Filters(source=("webinar",))),
])
def test_deck_scorecard_equals_the_screen(monkeypatch, demo_db, lang, query, filters):
    at = app(monkeypatch, demo_db, lang=lang, **query)
    assert not at.exception
    guides = sc.Guides(attainment=int(query.get("g_att", 90)) / 100)
    screen = _screen(at)
    slide, headline = _slide(demo_db, lang, filters, guides)
    assert [{k: s[k] for k in ("label", "value", "delta", "status", "target")} for s in slide] == \
        [{k: s[k] for k in ("label", "value", "delta", "status", "target")} for s in screen]
    captions = {c.value for c in at.caption}
    for row, tile in zip(slide, screen, strict=True):
        assert all(part in captions for part in row["detail"].split("\n") if part), row["detail"]
        assert row["fill"] == charts.TONES[tile["tone"]].lstrip("#").upper()  # one colour per status
    on = sum(s["status"] == i18n.t(lang, "status_green") for s in screen)
    judged = sum(s["status"] in {i18n.t(lang, f"status_{k}") for k in sc.JUDGED} for s in screen)
    assert (f"{on} of {judged} judged" if lang == "en" else f"{judged}項目のうち{on}項目") in headline
    if filters.source:  # a segment has no commitment of its own: the volume is shown without a verdict
        volume = screen[0]
        assert volume["tone"] == "gray" and volume["status"] in ("Not judged", "判定対象外")
        assert volume["target"] in ("No segment commitment", "セグメント別のコミットメントなし")


def test_streamlit_badge_colours_are_the_status_tones():
    """The screen's badge colours (Streamlit theme) are the deck's status fills (sla_review.present.charts.TONES)."""
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    assert {tone: theme[f"{tone}Color"] for tone in set(sc.STATUS_TONE.values())} == \
        {tone: charts.TONES[tone] for tone in set(sc.STATUS_TONE.values())}
