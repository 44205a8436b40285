"""The deck's mix-vs-rate slide (export.deck.chart_mix_rate): present in both languages, its headline the page's
sentence naming what moved MQL→SQL most, its footnote the change and both parts, one note per source with the
counts behind it, and its picture the page's waterfall."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from sla_review.core.vocabulary import Filters
from sla_review.export import deck as export
from sla_review.metrics import mix_rate
from sla_review.metrics.report import make_period
from sla_review.present import deck_text, formats, i18n
from sla_review.store.db import connect
from tests.export import test_export

demo_db = test_export.demo_db  # the deck tests' demo database (4,000 leads, seed 7)


def _texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_deck_explains_the_mql_to_sql_change_as_mix_vs_rate(demo_db: Path, lang: str) -> None:
    con = connect(demo_db, read_only=True)
    try:
        period = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 10, 1))
        comparison = export.comparison_for(con, period)
        result = mix_rate.conversion_mix(con, period, Filters(), export.DECK_MIX_DIM, comparison)
        data = export.build_deck(con, period, comparison, lang, ["mix_rate"])
    finally:
        con.close()
    assert result.state == "ok" and result.mix + result.rate == result.total
    labels = {p.key: i18n.value_label(p.key, lang) for p in result.parts}
    head, tail = mix_rate.explain_parts(result, labels, lang)
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == export.slide_count(["mix_rate"]) == 2  # the title slide and this one
    slide = prs.slides[1]
    assert slide.shapes.title.text == tail  # the finding is the headline
    texts = _texts(slide)
    assert deck_text.text(lang, "sec_mix_rate") in texts and head in texts  # kicker, and the change in the footnote
    pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 1 and pictures[0].image.size[0] == 2 * export.CHART_PX[0]
    notes = slide.notes_slide.notes_text_frame.text.splitlines()
    for p in result.parts:  # every source, with the counts a reader can check by hand
        line = deck_text.text(lang, "n_mix_part", name=labels[p.key], n0=formats.integer(p.n0),
                              k0=formats.integer(p.k0), n1=formats.integer(p.n1), k1=formats.integer(p.k1),
                              mix=formats.points(float(p.mix), lang), rate=formats.points(float(p.rate), lang))
        assert line in notes
    assert sum(p.n1 for p in result.parts) == result.n1 and sum(p.k0 for p in result.parts) == result.k0


def test_without_comparison_data_the_slide_says_so_and_draws_no_waterfall(demo_db: Path) -> None:
    con = connect(demo_db, read_only=True)
    try:
        period = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 10, 1))
        empty = make_period(con, dt.date(2001, 4, 1), dt.date(2001, 10, 1))
        data = export.collect(con, period, empty)
    finally:
        con.close()
    chart = export.chart_mix_rate(data, "en")
    assert data.mix.state == "no_comparison_data"
    mix = data.mix
    rate, k, n = formats.percent(mix.k1 / mix.n1), formats.integer(mix.k1), formats.integer(mix.n1)
    assert mix.n1 > 0 and chart.headline == (f"MQL→SQL is {rate} ({k} of {n} MQLs); the comparison period has no "
                                             "MQLs in this view, so there is no change to split into mix and rate")
    assert i18n.t("en", "mx_state_no_comparison_data", measure="MQL→SQL") in chart.notes
    assert chart.footnote == deck_text.text("en", "fn_mix_rate")
    assert not [t for t in chart.figure.data if t.type == "waterfall"]  # the "nothing to draw" picture
