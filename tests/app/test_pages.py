"""Every page through Streamlit's AppTest: no exception on demo data, on an empty database, on a period or
filter with nothing in it; the scorecard says exactly what build_report says; the what-if slider behaves;
the query string reopens the same view."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sla_review.core import periods
from sla_review.core.vocabulary import Filters
from sla_review.metrics import breakdowns as bd
from sla_review.metrics.report import build_report, make_period
from sla_review.present import i18n
from sla_review.store.db import connect

from .conftest import DEMO_HALF, PAGES, WORKED_PERIOD, app, goto, metric, no_exception, number


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_page_renders_the_demo(monkeypatch, demo_db, lang):
    at = app(monkeypatch, demo_db, lang=lang)
    no_exception(at)
    for page in PAGES:
        goto(at, page)
        no_exception(at)
        assert at.title[0].value == i18n.t(lang, f"page_{page}")
        assert any(w.value == i18n.t(lang, "demo_banner") for w in at.warning), page  # the demo is labelled
        specs = charts(at)
        assert specs, f"{page} drew no chart"
        for spec in specs:
            assert "NaN" not in json.dumps(spec), page
            assert spec["layout"]["title"]["text"], page


def test_every_page_explains_an_empty_database(monkeypatch, empty_db):
    at = app(monkeypatch, empty_db)
    no_exception(at)
    for page in PAGES:
        goto(at, page)
        no_exception(at)
        assert [i.value for i in at.info] == [i18n.t("en", "empty_db")], page
        assert not at.get("plotly_chart")


def test_a_period_without_data_says_so(monkeypatch, demo_db):
    at = app(monkeypatch, demo_db, p="custom", **{"from": "2030-01-01", "to": "2030-04-01"})
    for page in PAGES:
        goto(at, page)
        no_exception(at)
        assert len(at.info) == 1 and "Nothing happened in Jan\u2009–\u2009Mar 2030" in at.info[0].value, page
        assert not at.get("plotly_chart")


def test_a_filter_that_leaves_nothing_says_so(monkeypatch, demo_db):
    con = connect(demo_db)
    owner, team = con.execute("SELECT owner_id, team FROM lead_facts WHERE owner_id IS NOT NULL LIMIT 1").fetchall()[0]
    other = con.execute("SELECT any_value(team) FROM reps WHERE team <> $t", {"t": team}).fetchall()[0][0]
    con.close()
    at = app(monkeypatch, demo_db, owner=owner, team=other)
    for page in PAGES:
        goto(at, page)
        no_exception(at)
        assert len(at.info) == 1 and "for the selected segments" in at.info[0].value, page


def _expected_tiles(db, start, end, filters: Filters, as_of=None) -> dict[str, str]:
    con = connect(db)
    try:
        period = make_period(con, start, end, as_of)
        rep = build_report(con, period, (), filters)
        rejected = int(bd.acceptance(con, period, filters)["rejected"].sum())  # MQLs rejected by as_of
    finally:
        con.close()
    months = periods.months_elapsed(period)
    per_month = rep["mql_count"] / months
    return {
        "MQLs per month": i18n.fmt_num(per_month, "en", 1 if per_month < 100 else 0),
        "MQL→SQL rate": i18n.fmt_pct(rep["mql_to_sql"]["rate"]),
        "Response attainment": i18n.fmt_pct(rep["response"]["attainment"]),
        "Follow-up rate": i18n.fmt_pct(rep["follow_up"]["rate"]),
        "Rejection rate": i18n.fmt_pct(rejected / rep["mql_count"]),  # a cohort rate of leads
        "_count": f"{rep['mql_count']:,} MQLs",
        "_median": i18n.fmt_hours(rep["response"]["median_business_hours"]),
    }


@pytest.mark.parametrize("filters", [Filters(), Filters(source=("webinar", "referral"), icp_tier=("A", "B"))])
def test_scorecard_numbers_are_the_reports(monkeypatch, demo_db, filters):
    query = {k: list(v) for k, v in filters.params().items() if v}
    at = app(monkeypatch, demo_db, **query)
    no_exception(at)
    expected = _expected_tiles(demo_db, *DEMO_HALF, filters)
    shown = {m.label: m.value for m in at.metric}
    for label in ("MQLs per month", "MQL→SQL rate", "Response attainment", "Follow-up rate", "Rejection rate"):
        assert shown[label] == expected[label], label
    captions = " ".join(c.value for c in at.caption)
    assert expected["_count"] in captions and expected["_median"] in captions


def test_worked_example_scorecard(monkeypatch, worked_db):
    """DOMAIN.md's hand-known numbers: 5 MQLs, MQL→SQL 40%, attainment 50% (as of the data's last event)."""
    at = app(monkeypatch, worked_db, **WORKED_PERIOD)
    no_exception(at)
    shown = {m.label: m.value for m in at.metric}
    assert shown["MQL→SQL rate"] == "40.0%"
    assert shown["Response attainment"] == "50.0%"
    assert shown["Follow-up rate"] == "25.0%"
    assert shown["Rejection rate"] == "20.0%"  # 1 of the 5 MQLs rejected
    badges = " ".join(m.value for m in at.markdown)
    assert badges.count("Too few to judge") == 4  # every rate rests on 4-5 cases (< 20): no verdict
    captions = " ".join(c.value for c in at.caption)
    assert "5 MQLs" in captions and "2 of 5 MQLs reached SQL" in captions
    assert "Median 1.5\u00a0h" in captions  # L4 1.0 h, L1 1.5 h, L2 2.5 h
    expected = _expected_tiles(worked_db, dt.date(2026, 4, 1), dt.date(2026, 7, 1), Filters())
    assert shown["MQLs per month"] == expected["MQLs per month"]
    for page in PAGES[1:]:
        goto(at, page)
        no_exception(at)


def test_whatif_raising_the_threshold_trades_volume_for_yield(monkeypatch, demo_db):
    at = goto(app(monkeypatch, demo_db), "whatif")
    no_exception(at)
    slider = at.slider(key="u_thr")
    assert slider.value == 65  # today's threshold (v2)
    before = []
    for threshold in (55, 65, 75):
        at.slider(key="u_thr").set_value(threshold).run()
        no_exception(at)
        volume = number(metric(at, "MQLs per month").value)
        rate = number(next(m for m in at.metric if m.label.startswith("SQL yield")).value)
        before.append((threshold, volume, rate))
    for (_, v1, r1), (_, v2, r2) in zip(before, before[1:], strict=False):
        assert v2 < v1 and r2 >= r1, before
    at.slider(key="u_thr").set_value(50).run()
    assert any("Estimate" in w.value for w in at.warning)  # below today's threshold: labelled as an estimate
    assert at.query_params["thr"] == "50"


def test_query_string_round_trips_the_view(monkeypatch, demo_db):
    at = app(monkeypatch, demo_db)
    at.segmented_control(key="u_lang").set_value("ja").run()
    at.selectbox(key="u_p").set_value("last_quarter").run()
    at.selectbox(key="u_cmp").set_value("year").run()
    at.multiselect(key="u_source").set_value(["webinar", "event"]).run()
    at.multiselect(key="u_region").set_value(["kanto"]).run()
    at.selectbox(key="u_fy").set_value(1).run()
    at.number_input(key="u_gatt").set_value(85).run()
    goto(at, "conversion")
    at.slider(key="u_cn").set_value(60).run()
    no_exception(at)
    params = dict(at.query_params)
    assert params == {"lang": "ja", "p": "last_quarter", "cmp": "year", "source": ["webinar", "event"],
                      "region": "kanto", "fy": "1", "g_att": "85", "n": "60"}
    caption = at.caption[0].value

    again = goto(app(monkeypatch, demo_db, **params), "conversion")
    no_exception(again)
    assert again.segmented_control(key="u_lang").value == "ja"
    assert again.selectbox(key="u_p").value == "last_quarter" and again.selectbox(key="u_cmp").value == "year"
    assert again.multiselect(key="u_source").value == ["webinar", "event"]
    assert again.multiselect(key="u_region").value == ["kanto"]
    assert again.selectbox(key="u_fy").value == 1 and again.number_input(key="u_gatt").value == 85
    assert again.slider(key="u_cn").value == 60
    assert again.caption[0].value == caption
    assert dict(again.query_params) == params


def test_custom_dates_round_trip_with_an_exclusive_end(monkeypatch, demo_db):
    at = app(monkeypatch, demo_db, p="custom", **{"from": "2026-01-05", "to": "2026-03-01"}, cmp="none")
    no_exception(at)
    assert at.date_input(key="u_range").value == (dt.date(2026, 1, 5), dt.date(2026, 2, 28))
    assert at.caption[0].value.startswith("**Jan 5\u2009–\u2009Feb 28, 2026**")
    assert at.query_params["from"] == "2026-01-05" and at.query_params["to"] == "2026-03-01"


def test_bad_values_in_the_url_fall_back_to_defaults(monkeypatch, demo_db):
    at = app(monkeypatch, demo_db, lang="xx", p="yesterday", fy="13", source="no-such-source", thr="500")
    no_exception(at)
    assert at.segmented_control(key="u_lang").value == "en" and at.selectbox(key="u_p").value == "last_half"
    assert at.selectbox(key="u_fy").value == 4 and at.multiselect(key="u_source").value == []
    no_exception(goto(at, "whatif"))
    assert at.slider(key="u_thr").value == 65


def test_the_view_survives_page_switches(monkeypatch, demo_db):
    at = app(monkeypatch, demo_db)
    at.multiselect(key="u_team").set_value(["enterprise"]).run()
    goto(at, "whatif")
    at.slider(key="u_thr").set_value(70).run()
    goto(at, "funnel")
    assert at.multiselect(key="u_team").value == ["enterprise"] and "thr" not in at.query_params
    goto(at, "whatif")
    assert at.slider(key="u_thr").value == 70 and at.query_params["thr"] == "70"


def test_without_activities_the_response_page_says_no_response_data(monkeypatch, worked_dir, tmp_path):
    """No data is not zero: an import without a single activity (an Olist or Salesforce lead report) must not
    draw 0% attainment per rep or a red heat map; the page says why there is nothing to measure."""
    from sla_review.ingest.importer import import_dir

    path = worked_dir / "activities.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    db = tmp_path / "no_activities.duckdb"
    con = connect(db)
    import_dir(con, worked_dir)
    con.close()
    at = goto(app(monkeypatch, db, **WORKED_PERIOD), "response")
    no_exception(at)
    assert any("No response data" in i.value for i in at.info)
    assert not at.get("plotly_chart")  # no histogram, no per-rep bars, no heat map
    assert {m.label: m.value for m in at.metric}["Handoffs"] == "5"  # the 5 handoffs still exist
    assert all(m.value in ("—", "5") for m in at.metric)
