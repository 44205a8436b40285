"""The mix-vs-rate sections (ui.mix_rate_section) through AppTest: the conversion page's picker, sentence and
waterfall say what sla_review.metrics.mix_rate computes for the same view; the dimension is kept in the URL;
without a comparison the page says so instead of drawing zeros; the response page splits attainment."""

from __future__ import annotations

import json

import pytest

from sla_review.core import periods
from sla_review.core.vocabulary import Filters
from sla_review.metrics import mix_rate
from sla_review.metrics.report import make_period
from sla_review.present import charts, i18n, safe
from sla_review.store.db import connect

from .conftest import DEMO_HALF, app, goto, no_exception


def _expected(demo_db, fn, dim: str, lang: str = "en") -> tuple[mix_rate.MixRate, str]:
    con = connect(demo_db)
    try:
        p = make_period(con, *DEMO_HALF)
        r = fn(con, p, Filters(), dim, periods.comparison_period(p))
    finally:
        con.close()
    labels = {x.key: i18n.value_label(x.key, lang) if x.key is not None else i18n.t(lang, "no_response")
              for x in r.parts}
    return r, safe.markdown(mix_rate.explain(r, labels, lang))


def _waterfall(at) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    found = [s for s in specs if s["data"] and s["data"][0]["type"] == "waterfall"]
    assert len(found) == 1, [s["data"][0]["type"] for s in specs if s["data"]]
    return found[0]


def test_conversion_page_explains_the_change_as_mix_vs_rate(monkeypatch, demo_db):
    at = goto(app(monkeypatch, demo_db), "conversion")
    no_exception(at)
    assert i18n.t("en", "mx_title_mql_to_sql") in [h.value for h in at.subheader]
    picker = at.segmented_control(key="u_mxdim")
    assert picker.value == "source" and list(picker.options) == [i18n.t("en", f"seg_{d}")
                                                                 for d in mix_rate.CONVERSION_DIMS]
    r, sentence = _expected(demo_db, mix_rate.conversion_mix, "source")
    assert sentence in [m.value for m in at.markdown]
    spec = _waterfall(at)
    bars = spec["data"][0]
    assert bars["x"][0] == pytest.approx(float(r.r0)) and bars["x"][-1] == pytest.approx(float(r.r1))
    assert sum(bars["x"][1:-1]) == pytest.approx(float(r.total), abs=1e-12)

    picker.set_value("campaign").run()
    no_exception(at)
    _, by_campaign = _expected(demo_db, mix_rate.conversion_mix, "campaign")
    assert by_campaign in [m.value for m in at.markdown] and sentence not in [m.value for m in at.markdown]
    assert at.query_params.get("mxdim") in ("campaign", ["campaign"])  # a copied link reopens the same split


def test_without_a_comparison_the_section_says_so(monkeypatch, demo_db):
    at = goto(app(monkeypatch, demo_db, cmp="none"), "conversion")
    no_exception(at)
    expected = i18n.t("en", "mx_state_no_comparison", measure=i18n.t("en", "mx_measure_mql_to_sql"))
    assert safe.markdown(expected) in [i.value for i in at.info]
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert not [s for s in specs if s["data"] and s["data"][0]["type"] == "waterfall"]


def test_response_page_splits_attainment_by_team_or_channel_in_japanese(monkeypatch, demo_db):
    at = goto(app(monkeypatch, demo_db, lang="ja"), "response")
    no_exception(at)
    assert i18n.t("ja", "mx_title_attainment") in [h.value for h in at.subheader]
    _, sentence = _expected(demo_db, mix_rate.attainment_mix, "team", "ja")
    assert sentence in [m.value for m in at.markdown]
    at.segmented_control(key="u_rmxdim").set_value("channel").run()
    no_exception(at)
    r, by_channel = _expected(demo_db, mix_rate.attainment_mix, "channel", "ja")
    assert by_channel in [m.value for m in at.markdown]
    spec = _waterfall(at)
    shown = charts.mix_rate(r, {}, "ja", "", "", "")
    assert len(spec["data"][0]["x"]) == len(shown.data[0].x)
