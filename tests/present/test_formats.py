"""Figures as people read them, in English and Japanese: one formatter for screen, charts, deck and CLI.

Expected strings are written by hand. CLDR puts thin spaces (U+2009) around the en dash of an interval and
uses the full-width wave dash (U+FF5E) in Japanese; units are glued with a no-break space (U+00A0) or, in
Japanese, with word joiners (U+2060) so 時間 never wraps as 時/間.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sla_review.present import formats, i18n

NB, WJ, THIN = "\u00a0", "\u2060", "\u2009"
JIKAN = f"{WJ}時{WJ}間"  # glued to its number and unbreakable inside


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_no_data_is_a_dash_never_zero(lang):
    for fn in (formats.number, formats.integer, formats.percent, formats.signed, formats.points, formats.hours,
               formats.days):
        assert fn(None, lang) == "—" and fn(float("nan"), lang) == "—" and fn(float("inf"), lang) == "—"
    assert formats.date(None, lang) == formats.datetime(None, lang) == "—"
    assert formats.integer(0, lang) == "0" and formats.percent(0.0, lang) == "0.0%"  # zero is a value


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_numbers_counts_and_percents(lang):
    # CLDR: English and Japanese group thousands with "," and use "." for decimals
    assert formats.integer(12_345_678, lang) == "12,345,678"
    assert formats.integer(2.5, lang) == "3" and formats.integer(-2.5, lang) == "-3"  # half up, as people round
    assert formats.number(-1234.56, lang) == "-1,234.6"
    assert formats.number(0.15, lang) == "0.2" and formats.number(0.25, lang, 1) == "0.3"
    assert formats.number(-0.04, lang) == "0.0"  # rounds to zero: no "-0.0"
    assert formats.number(1234.5, lang, 0) == "1,235"
    assert formats.percent(0.4, lang) == "40.0%" and formats.percent(0.32, lang, 0) == "32%"
    assert formats.percent(0.0015, lang) == "0.2%" and formats.percent(-0.0004, lang) == "0.0%"
    assert formats.percent(1.25, lang) == "125.0%"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_changes_carry_a_sign_and_zero_is_plus_minus(lang):
    assert formats.signed(3.25, lang) == "+3.3" and formats.signed(-1.25, lang) == "-1.3"
    assert formats.signed(0.04, lang) == "±0.0" and formats.signed(-0.04, lang) == "±0.0"
    assert formats.signed(-1500, lang, 0) == "-1,500" and formats.signed(0, lang, 0) == "±0"


def test_percentage_points():
    assert formats.points(0.005, "en") == f"+0.5{NB}pt"
    assert formats.points(-0.032, "en") == f"-3.2{NB}pt"
    assert formats.points(0.0, "en") == f"±0.0{NB}pt" and formats.points(-0.0004, "en") == f"±0.0{NB}pt"
    assert formats.points(0.005, "ja") == f"+0.5{WJ}ポ{WJ}イ{WJ}ン{WJ}ト"
    assert formats.points(-0.01, "ja") == f"-1.0{WJ}ポ{WJ}イ{WJ}ン{WJ}ト"


def test_hours_and_days():
    assert formats.hours(1.5, "en") == f"1.5{NB}h" and formats.hours(1.5, "ja") == f"1.5{JIKAN}"
    assert formats.hours(0, "ja", sign=True) == f"±0.0{JIKAN}"  # the deck's "±0.0 時/間" cannot wrap
    assert formats.hours(-0.04, "en", sign=True) == f"±0.0{NB}h"
    assert formats.hours(2.26, "en", sign=True) == f"+2.3{NB}h"
    assert formats.hours(1234.5, "en", 0) == f"1,235{NB}h"
    assert formats.days(2.5, "en") == f"2.5{NB}days" and formats.days(12, "ja", 0) == f"12{WJ}日"
    assert formats.plain(formats.hours(0, "ja", sign=True)) == "±0.0時間"  # a terminal gets plain text
    assert formats.plain(formats.hours(1.5, "en")) == "1.5 h"


def test_dates_and_months():
    day = dt.date(2026, 4, 1)
    assert formats.date(day, "en") == "Apr 1, 2026" and formats.date(day, "ja") == "2026年4月1日"
    moment = dt.datetime(2026, 4, 1, 9, 5)
    assert formats.datetime(moment, "en") == "Apr 1, 2026, 09:05"
    assert formats.datetime(moment, "ja") == "2026年4月1日 09:05"
    assert formats.month("2026-04", "en") == "Apr 2026" and formats.month(day, "ja") == "2026年4月"
    assert formats.month("2026-04", "en", stacked=True) == "Apr<br>2026"
    assert formats.month("2026-04", "ja", stacked=True) == "2026年<br>4月"
    assert formats.month_name(4, "en") == "April" and formats.month_name(4, "ja") == "4月"


def test_month_axis_labels_stay_short_and_unique():
    months = ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert formats.month_labels(months, "en") == ["Nov<br>2025", "Dec", "Jan<br>2026", "Feb"]
    assert formats.month_labels(months, "ja") == ["11月<br>2025年", "12月", "1月<br>2026年", "2月"]
    long = [f"{2025 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in range(1, 15)]  # 14 months: names repeat
    labels = formats.month_labels(long, "en")
    assert len(set(labels)) == 14 and all("<br>" in label for label in labels)


def test_periods_are_cldr_intervals():
    d = dt.date
    # whole months within one year, across years, a single month
    assert formats.period(d(2026, 4, 1), d(2026, 10, 1), "en") == f"Apr{THIN}–{THIN}Sep 2026"
    assert formats.period(d(2026, 4, 1), d(2026, 10, 1), "ja") == "2026年4月～9月"
    assert formats.period(d(2025, 10, 1), d(2026, 4, 1), "en") == f"Oct 2025{THIN}–{THIN}Mar 2026"
    assert formats.period(d(2025, 10, 1), d(2026, 4, 1), "ja") == "2025年10月～2026年3月"
    assert formats.period(d(2026, 4, 1), d(2026, 5, 1), "en") == "Apr 2026"
    assert formats.period(d(2026, 4, 1), d(2026, 5, 1), "ja") == "2026年4月"
    # days: within a month, across months, across years, one day
    assert formats.period(d(2026, 1, 5), d(2026, 1, 10), "en") == f"Jan 5{THIN}–{THIN}9, 2026"
    assert formats.period(d(2026, 1, 5), d(2026, 3, 1), "en") == f"Jan 5{THIN}–{THIN}Feb 28, 2026"
    assert formats.period(d(2026, 1, 5), d(2026, 3, 1), "ja") == "2026年1月5日～2月28日"
    assert formats.period(d(2025, 12, 5), d(2026, 3, 1), "en") == f"Dec 5, 2025{THIN}–{THIN}Feb 28, 2026"
    assert formats.period(d(2025, 12, 5), d(2026, 3, 1), "ja") == "2025年12月5日～2026年2月28日"
    assert formats.period(d(2026, 1, 5), d(2026, 1, 6), "ja") == "2026年1月5日"


def test_the_dashboard_names_give_the_same_text():
    """pages and charts still call i18n.fmt_*: they must print exactly what the deck prints."""
    assert i18n.fmt_pct(0.4, "ja") == formats.percent(0.4, "ja") == "40.0%"
    assert i18n.fmt_hours(1.5, "ja") == formats.hours(1.5, "ja")
    assert i18n.fmt_pp(0.032, "en") == formats.points(0.032, "en") == f"+3.2{NB}pt"
    assert i18n.fmt_period(dt.date(2026, 4, 1), dt.date(2026, 10, 1), "ja") == "2026年4月～9月"
    assert i18n.fmt_int(12345) == "12,345" and i18n.fmt_signed(-0.01, "en") == "±0.0"


def test_interval_is_the_figure_with_its_bounds_in_both_languages():
    """The one interval format: bounds rounded like the figure (half up), the high bound carries the unit."""
    assert formats.interval(0.322, 0.2805, 0.3651, "en") == f"32.2% (95%: 28.1{WJ}–{WJ}36.5%)"
    assert formats.plain(formats.interval(0.322, 0.2805, 0.3651, "en")) == "32.2% (95%: 28.1–36.5%)"
    assert formats.plain(formats.interval(0.322, 0.2805, 0.3651, "ja")) == "32.2%（95%信頼区間: 28.1～36.5%）"
    assert formats.plain(formats.interval(1.5, 1.2, 1.94, "en", unit="hours")) == "1.5 h (95%: 1.2–1.9 h)"
    assert formats.plain(formats.interval(1.5, 1.2, 1.94, "ja", unit="hours")) == "1.5時間（95%信頼区間: 1.2～1.9時間）"
    assert formats.plain(formats.interval(0.0, 0.0, 0.2775, "en")) == "0.0% (95%: 0.0–27.8%)"  # 0 of 10 (Wilson)
    # a narrow tile may break before the bracket and after "95%:", never inside the range or 信頼区間
    assert f"信{WJ}頼{WJ}区{WJ}間" in formats.interval(0.322, 0.2805, 0.3651, "ja")


def test_interval_without_bounds_or_figure_is_honest():
    assert formats.interval(0.4, None, None, "en") == "40.0%"  # too few values for an interval: the figure alone
    assert formats.interval(None, 0.1, 0.2, "en") == formats.DASH  # no data is not an interval


def test_bare_interval_is_the_range_alone_for_a_table_column():
    assert formats.plain(formats.interval(0.322, 0.2805, 0.3651, "en", bare=True)) == "28.1–36.5%"
    assert formats.plain(formats.interval(0.322, 0.2805, 0.3651, "ja", bare=True)) == "28.1～36.5%"
