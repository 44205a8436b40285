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
from sla_review.metrics.report import build_report, make_period, timezone_of
from sla_review.present import charts, formats, i18n
from sla_review.store.db import connect
from tests.app.conftest import app
from tests.conftest import ROOT

BADGE = re.compile(r"^:(\w+)-badge\[(?::material/(\w+): )?(.*)\]$", re.S)


def _screen(at) -> list[dict]:
    """The five tiles as the page drew them: metric label/value/delta, the change's noise badge (if any), the
    status badge text and colour, bold target, and the 95% interval caption under the badges."""
    tiles, tile = [], None
    metrics = iter(at.metric)
    for md in at.main.get("markdown"):  # in page order: each tile's metric is followed by its badges and lines
        badge = BADGE.match(md.value)
        if badge and badge.group(2) is None:  # the noise badge is the one without an icon (statuses have one)
            tile = {"noise": badge.group(3)}
        elif badge:
            m = next(metrics)
            tiles.append({"label": m.label, "value": m.value, "delta": m.delta or "—", "status": badge.group(3),
                          "tone": badge.group(1), "noise": (tile or {}).get("noise"), "interval": None})
            tile = None
        elif md.value.startswith("**") and md.value.endswith("**") and tiles and "target" not in tiles[-1]:
            tiles[-1]["target"] = md.value[2:-2]
    captions = [c.value for c in at.caption]
    for t in tiles:  # the interval caption reads "<value> (95%: …)": the first caption starting with the value
        t["interval"] = next((c for c in captions if c.startswith(t["value"] + " (95%") or
                              c.startswith(t["value"] + "（95%")), None)
    assert len(at.metric) == len(tiles) == 5 and all("target" in t for t in tiles)
    return tiles


def _slide(db, lang: str, filters: Filters, guides: sc.Guides) -> tuple[list[dict], str, dict]:
    """The scorecard slide of the deck for the dashboard's default view (last fiscal half vs the previous)."""
    con = connect(db)
    try:
        today = default_as_of(con).astimezone(zoneinfo.ZoneInfo(timezone_of(con))).date()  # as the sidebar
        start, end, _ = preset_range("last_half", today)
        period = make_period(con, start, end)
        deck = export.build_deck(con, period, export.comparison_for(con, period), lang, ["scorecard"], filters,
                                 guides=guides)
        report = build_report(con, period, (), filters)
    finally:
        con.close()
    slide = Presentation(io.BytesIO(deck)).slides[1]
    table = next(s.table for s in slide.shapes if s.has_table)
    rows = []
    for row in list(table.rows)[1:]:
        cells = [c.text for c in row.cells]
        delta, _, noise = cells[2].partition("\n")  # the change, and under it its verdict
        interval = cells[5].split("\n")[0] if "95%" in cells[5].split("\n")[0] else None
        rows.append({"label": cells[0], "value": cells[1], "delta": delta, "noise": noise or None,
                     "status": cells[3], "fill": str(row.cells[3].fill.fore_color.rgb), "target": cells[4],
                     "detail": cells[5], "interval": interval})
    return rows, slide.shapes.title.text, report


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
    slide, headline, report = _slide(demo_db, lang, filters, guides)
    keys = ("label", "value", "delta", "noise", "status", "target", "interval")
    assert [{k: s[k] for k in keys} for s in slide] == [{k: s[k] for k in keys} for s in screen]
    rates = [s for s in screen if s["interval"] is not None]
    assert len(rates) >= 3  # every measured rate tile shows its interval (the volume tile is a count)
    noise_words = {i18n.t(lang, "noise_beyond_noise"), i18n.t(lang, "noise_within_noise")}
    assert all(s["noise"] in noise_words for s in screen if s["noise"] is not None)
    # the report JSON's intervals, written by the one interval format, are the tiles' and the slide's text
    by_key = dict(zip(("mql_volume", "mql_to_sql", "response", "follow_up", "rejection"), screen, strict=True))
    for key, section, rate, ci in (("mql_to_sql", "mql_to_sql", "rate", "ci95"),
                                   ("response", "response", "attainment", "attainment_ci95"),
                                   ("follow_up", "follow_up", "rate", "rate_ci95")):
        part = report[section]
        assert by_key[key]["interval"] == formats.interval(part[rate], *part[ci], lang), key
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


def _slide_texts(db, lang: str, sections: list[str]) -> list[str]:
    """Every text of each chart slide (kicker, headline, footnote) for the dashboard's default view."""
    con = connect(db)
    try:
        today = default_as_of(con).astimezone(zoneinfo.ZoneInfo(timezone_of(con))).date()
        start, end, _ = preset_range("last_half", today)
        period = make_period(con, start, end)
        deck = export.build_deck(con, period, export.comparison_for(con, period), lang, sections)
    finally:
        con.close()
    slides = list(Presentation(io.BytesIO(deck)).slides)[1:]
    return ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_deck_chart_slides_say_what_the_pages_say(monkeypatch, demo_db, lang):
    """The response, rejection and what-if slides give the same intervals as the pages (the response page's
    captions, the scorecard's rejection tile, the what-if page's observed yield) and the rejection slide's verdict
    is the tile's badge."""
    from tests.app.conftest import goto

    at = app(monkeypatch, demo_db, lang=lang)
    assert not at.exception
    rejection = dict(zip(("mql_volume", "mql_to_sql", "response", "follow_up", "rejection"), _screen(at),
                         strict=True))["rejection"]
    response_page = goto(at, "response")
    assert not response_page.exception
    response_captions = [c.value for c in response_page.caption if "95%" in c.value][:3]  # attainment, median, p90
    whatif_page = goto(at, "whatif")
    assert not whatif_page.exception
    yield_caption = next(c.value for c in whatif_page.caption if "95%" in c.value)
    response, rejections, what_if = _slide_texts(demo_db, lang, ["response", "rejections", "what_if"])
    assert len(response_captions) == 3 and all(c in response for c in response_captions), (response_captions,
                                                                                            response)
    assert rejection["interval"] is not None and rejection["interval"] in rejections
    words = {None: None, i18n.t(lang, "noise_beyond_noise"): ("rose_beyond", "fell_beyond"),
             i18n.t(lang, "noise_within_noise"): ("moved_within",)}[rejection["noise"]]
    if words is not None:  # the headline's verdict is the tile's: its words' fixed part is in the headline
        from sla_review.present.deck_text import text
        fixed = [text(lang, k, a="\0", b="\0").split("\0") for k in words]
        assert any(all(part in rejections for part in parts) for parts in fixed), rejections
    assert yield_caption in what_if  # the observed yield at today's threshold, with its Wilson interval
