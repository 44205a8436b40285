"""Issue 10, "say what the data can and cannot answer": the statement the Data page shows before the import
(ingest.coverage, worded by present.coverage_text) on small hand-made tables, and the terms an import without an
sla.toml is judged by (data_flow.template_choice / terms_text, through core.terms' one validator)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from sla_review.core.terms import ConfigError, parse_sla
from sla_review.ingest import coverage as cv
from sla_review.ingest import data_flow as flow
from sla_review.ingest.mapping import canonical_mapping
from sla_review.present import coverage_text
from tests.conftest import WORKED


def frames(leads: dict, events: dict | None = None, activities: dict | None = None,
           reps: dict | None = None) -> dict[str, pl.DataFrame]:
    """Canonical tables as the mapping gives them: every field a string."""
    def frame(columns: dict | None, names: tuple[str, ...]) -> pl.DataFrame:
        columns = columns or {}
        height = len(next(iter(columns.values()))) if columns else 0
        return pl.DataFrame({n: columns.get(n, [None] * height) for n in names},
                            schema=dict.fromkeys(names, pl.Utf8))

    return {"leads": frame(leads, ("lead_id", "created_at", "fit_score", "engagement_score", "owner_id")),
            "stage_events": frame(events, ("lead_id", "stage", "entered_at", "reason")),
            "activities": frame(activities, ("lead_id", "rep_id", "occurred_at", "channel")),
            "reps": frame(reps, ("rep_id", "name", "team"))}


# Three leads; every lead an inquiry at creation, one converted (sql); no activities, no rejection; scores on
# two of the three (C has none), owners on two.
SMALL = frames(
    {"lead_id": ["A", "B", "C"], "created_at": ["2017-06-14", "2017-07-01T10:00:00", "2018-03-03T23:30:00-03:00"],
     "fit_score": ["80", "40", None], "engagement_score": ["60", "50", None], "owner_id": ["r1", "r2", None]},
    {"lead_id": ["A", "B", "C", "B"], "stage": ["inquiry", "inquiry", "inquiry", "sql"],
     "entered_at": ["2017-06-14", "2017-07-01T10:00:00", "2018-03-03T23:30:00-03:00", "2018-02-02"]},
    reps={"rep_id": ["r1", "r2"], "name": ["Ana", "Bruno"], "team": ["sdr", "sdr, sales"]},
)


def test_files_without_activities_or_rejections_say_so_and_name_the_stage_dates_they_have():
    terms = parse_sla(flow.template_text().replace('"Asia/Tokyo"', '"America/Sao_Paulo"'))
    cov = cv.coverage(SMALL, terms=terms, future_rows=0)
    # local dates in São Paulo: 2017-06-14 (A, a bare date) … C's 2018-03-03 23:30 at -03:00 (São Paulo's own offset
    # then: its summer time ended on 2018-02-18) is still the 3rd there
    assert cov.get("span").values == {"leads": 3, "first": dt.date(2017, 6, 14), "last": dt.date(2018, 3, 3),
                                      "tz": "America/Sao_Paulo"}
    stages = cov.get("stages")
    # inquiry: A, B, C = 3; sql: B = 1; nothing for mql, sal, opportunity, won
    assert stages.state == "partial"
    assert stages.values == {"present": (("inquiry", 3), ("sql", 1)), "missing": ("mql", "sal", "opportunity", "won")}
    assert cov.get("responses").state == "none" and cov.get("responses").values["activities"] == 0
    assert cov.get("rejections").state == "none" and cov.get("rejections").values["rejections"] == 0
    # A and B have both scores, C neither: 2 of 3
    assert cov.get("scores").state == "partial"
    assert cov.get("scores").values == {"scored": 2, "leads": 3, "fit": 2, "engagement": 2, "absent": ()}
    assert cov.get("owners").state == "partial" and cov.get("owners").values["owned"] == 2
    assert cov.get("owners").values["teams"] == ("sdr", "sdr, sales")
    assert cov.get("future").state == "ok"
    assert cov.get("terms").state == "info"

    said = {s.topic: coverage_text.line(s, "en") for s in cov.statements}
    assert said["responses"] == ("none in these files: response time and follow-up will show “No response data”.")
    assert said["rejections"] == ("none: the rejection rate and the closed loop will show “No closed-loop data”.")
    assert said["stages"].startswith("only Inquiry (3), SQL (1). None for MQL, SAL, Opportunity, Won:")
    assert said["span"] == "3 leads; local dates in America/Sao_Paulo from Jun 14, 2017 to Mar 3, 2018."
    assert said["owners"].startswith("2 of 3 leads have an owner; 2 reps (teams: “sdr”, “sdr, sales”).")
    ja = {s.topic: coverage_text.line(s, "ja") for s in cov.statements}
    assert ja["responses"] == ("これらのファイルにはありません。"
                               "初動対応時間とフォローは「対応データなし」と表示されます。")
    assert ja["stages"].startswith("問い合わせ（3）、SQL（1） のみ。MQL、SAL、商談、受注 には日付がありません。")


def test_the_span_is_in_the_calendars_zone_as_the_import_reads_it():
    """A value with an offset is an instant: C's 2018-03-03 23:30 at -03:00 is 02:30 on the 4th in UTC and
    11:30 on the 4th in Tokyo; naive values and bare dates are local wherever they are read."""
    assert cv.local_span(SMALL, "America/Sao_Paulo") == (dt.date(2017, 6, 14), dt.date(2018, 3, 3))
    assert cv.local_span(SMALL, "UTC") == (dt.date(2017, 6, 14), dt.date(2018, 3, 4))
    assert cv.local_span(SMALL, "Asia/Tokyo") == (dt.date(2017, 6, 14), dt.date(2018, 3, 4))
    # a demo-like export written in UTC: 2024-10-31T23:29:03+00:00 is already 2024-11-01 in Tokyo
    utc = frames({"lead_id": ["L1"], "created_at": ["2024-10-31T23:29:03+00:00"]})
    assert cv.local_span(utc, "Asia/Tokyo") == (dt.date(2024, 11, 1), dt.date(2024, 11, 1))
    assert cv.local_span(frames({"lead_id": ["A"], "created_at": ["not a date"]}), "UTC") is None


def test_no_scores_at_all_says_the_threshold_cannot_be_judged():
    cov = cv.coverage(frames({"lead_id": ["A"], "created_at": ["2026-04-01"]}), terms=None)
    assert cov.get("scores").values["absent"] == ("fit", "engagement") and cov.get("scores").state == "none"
    assert coverage_text.line(cov.get("scores"), "en") == (
        "fit and engagement scores missing: the MQL threshold and the what-if cannot be judged.")
    assert cov.get("owners").state == "none"
    assert cov.get("stages").state == "none"
    # the future rows were not counted (the dry run did not get through): said, not shown as zero
    assert cov.get("future").state == "info"
    assert coverage_text.line(cov.get("future"), "en") == "counted once the problems above are fixed."


def test_activities_and_rejections_are_counted_with_reps_and_channels():
    tables = frames({"lead_id": ["A", "B"], "created_at": ["2026-04-01", "2026-04-02"]},
                    {"lead_id": ["A", "B", "B"], "stage": ["mql", "mql", "rejected"],
                     "entered_at": ["2026-04-01", "2026-04-02", "2026-04-03"], "reason": [None, None, "no budget"]},
                    {"lead_id": ["A", "A", "B"], "rep_id": ["r1", "r1", "r2"],
                     "occurred_at": ["2026-04-01T10:00", "2026-04-02T10:00", "2026-04-02T11:00"],
                     "channel": ["phone", "email", "phone"]})
    cov = cv.coverage(tables, terms=None)
    # 3 activities on 2 leads (A, B) by 2 reps (r1, r2), channels email and phone
    assert cov.get("responses").values == {"activities": 3, "leads": 2, "reps": 2, "channels": ("email", "phone"),
                                           "existing": 0}
    assert coverage_text.line(cov.get("responses"), "en") == "3 sales activities on 2 leads by 2 reps (email, phone)."
    assert cov.get("rejections").values == {"rejections": 1, "with_reason": 1, "existing": 0}
    # an append import into a database that has activities: not "no response data"
    appended = cv.coverage(SMALL, terms=None, existing={"activities": 40, "rejections": 0})
    assert coverage_text.line(appended.get("responses"), "en") == (
        "none in these files; the database already holds 40 (append keeps them).")


def test_a_row_dated_after_the_import_moment_is_counted_before_the_import():
    """The count comes from the preview's dry run, the importer itself (ImportSummary.future_rows): one rule.
    Two years ahead of the real clock (the preview checks "now"), inside the plausible span (5 years)."""
    year = dt.date.today().year + 2
    tables = {t: pl.read_csv(WORKED / f"{t}.csv", infer_schema=False) for t in
              ("leads", "stage_events", "activities", "reps")}
    tables["activities"] = pl.concat([tables["activities"], pl.DataFrame(
        {"lead_id": ["L6"], "rep_id": ["r1"], "occurred_at": [f"{year}-01-15T10:00:00+09:00"],
         "channel": ["meeting"], "outcome": [None]}, schema=dict.fromkeys(tables["activities"].columns, pl.Utf8))])
    result = flow.preview(tables, canonical_mapping(), sla=(WORKED / "sla.toml").read_text(encoding="utf-8"))
    assert result.ok, [str(p) for p in result.problems]
    assert result.checked is not None and result.checked.future_rows == 1  # the one meeting
    cov = cv.coverage(result.tables, terms=None, future_rows=result.checked.future_rows)
    assert cov.get("future").state == "partial" and cov.get("future").values == {"rows": 1}
    assert coverage_text.line(cov.get("future"), "en").startswith(
        "1 row(s) dated after now: imported, but never counted")
    # the worked example's dates: L1 created 2026-04-06 … the meeting
    assert cov.get("span").values["first"] == dt.date(2026, 4, 6)
    assert cov.get("span").values["last"] == dt.date(year, 1, 15)  # in UTC (terms=None): 01:00 on the 15th
    # the worked example's 6 activities and the meeting, its 1 rejection ("no budget"), scores on every lead
    assert cov.get("responses").values["activities"] == 7
    assert cov.get("rejections").values == {"rejections": 1, "with_reason": 1, "existing": 0}
    assert cov.get("scores").state == "ok"


def test_the_template_starts_at_the_datas_first_day_and_edits_go_through_the_one_validator():
    base = flow.template_choice(dt.date(2017, 6, 14))
    assert base.effective_from == dt.date(2017, 6, 14)  # not the template's 2026-01-01
    assert flow.template_choice().effective_from == dt.date(2026, 1, 1)  # no data dates: the template's own
    assert (base.timezone, base.holiday_country, base.mql_threshold, base.response_target_hours) == (
        "Asia/Tokyo", "JP", 60, 2)
    edited = dataclasses.replace(base, name="Brasil 2017", timezone="America/Sao_Paulo", holiday_country="BR",
                                 workdays=(0, 1, 2, 3, 4, 5), day_start=dt.time(8, 30), mql_to_sql_target=0.25)
    config = parse_sla(flow.terms_text(edited))
    cal, version = config.calendar, config.versions[0]
    assert (cal.timezone, cal.holiday_country, cal.workdays, cal.day_start, cal.day_end) == (
        "America/Sao_Paulo", "BR", (0, 1, 2, 3, 4, 5), dt.time(8, 30), dt.time(18, 0))
    assert (version.name, version.effective_from, version.mql_to_sql_target) == (
        "Brasil 2017", dt.date(2017, 6, 14), 0.25)
    assert version.min_attempts == 3 and version.handoff_stage == "mql"  # the rest stays the template's
    words = coverage_text.terms_sentence(config, "en")
    assert words == ("version “Brasil 2017” from Jun 14, 2017: MQL at a score of 60 or more, first response within "
                     "2\u00a0h of business time, 3 MQLs a month, MQL→SQL target 25%; calendar America/Sao_Paulo, "
                     "Mon–Sat 08:30–18:00, BR public holidays")


@pytest.mark.parametrize(("change", "said"), [
    ({"day_end": dt.time(8, 0)}, 'sla.toml [calendar] day_end: "08:00" must be later than day_start (09:00).'),
    ({"timezone": "Mars/Olympus"}, "is not a known time zone"),
    ({"holiday_country": "XX"}, '"XX" is not a supported country code for public holidays'),
    ({"workdays": ()}, "is not a list of working days"),
    ({"name": " "}, "is not a usable version name"),
])
def test_unusable_terms_are_refused_with_the_sla_files_own_words(change, said):
    with pytest.raises(ConfigError) as err:
        flow.terms_text(dataclasses.replace(flow.template_choice(), **change))
    assert said in err.value.text("en")
    assert err.value.text("ja") != err.value.text("en")  # said in Japanese on the Japanese page
