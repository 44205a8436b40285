"""business_hours(t1, t2) as DOMAIN.md defines it, checked by hand across weekends, holidays and DST."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import duckdb
import numpy as np
import pytest

from sla_review.core.terms import Calendar, SlaConfig
from sla_review.store.business_time import business_hours, load_business_spans
from sla_review.store.db import connect

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
JP = Calendar("Asia/Tokyo", (0, 1, 2, 3, 4), dt.time(9), dt.time(18), "JP", (dt.date(2026, 12, 29),))
US = Calendar("America/New_York", (0, 1, 2, 3, 4), dt.time(9), dt.time(17), "US", ())


def calendar_db(calendar: Calendar) -> duckdb.DuckDBPyConnection:
    con = connect(":memory:")
    load_business_spans(con, SlaConfig(calendar), dt.date(2025, 12, 1), dt.date(2026, 12, 31))
    return con


@pytest.fixture(scope="module")
def jp() -> duckdb.DuckDBPyConnection:
    return calendar_db(JP)


@pytest.fixture(scope="module")
def us() -> duckdb.DuckDBPyConnection:
    return calendar_db(US)


def tokyo(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TOKYO)


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK)


@pytest.mark.parametrize("t1, t2, hours", [
    (tokyo(2026, 4, 6, 10), tokyo(2026, 4, 6, 12, 30), 2.5),          # Monday, inside hours
    (tokyo(2026, 4, 6, 8), tokyo(2026, 4, 6, 19), 9.0),               # before open to after close
    (tokyo(2026, 4, 10, 17), tokyo(2026, 4, 13, 10), 2.0),            # Fri 17:00 -> Mon 10:00: weekend skipped
    (tokyo(2026, 5, 1, 17), tokyo(2026, 5, 7, 10, 30), 2.5),          # DOMAIN's L2: May 4-6 are holidays
    (tokyo(2026, 4, 20, 20, 5), tokyo(2026, 4, 21, 10), 1.0),         # DOMAIN's L4: handoff after hours
    (tokyo(2026, 4, 11, 10), tokyo(2026, 4, 12, 15), 0.0),            # all on a weekend
    (tokyo(2026, 1, 1, 10), tokyo(2026, 1, 1, 15), 0.0),              # New Year's Day
    (tokyo(2026, 12, 28, 17), tokyo(2026, 12, 30, 10), 2.0),          # extra closure Tue 12-29
    (tokyo(2026, 4, 6, 12), tokyo(2026, 4, 6, 11), 0.0),              # t2 before t1
    (tokyo(2026, 4, 6, 12), tokyo(2026, 4, 6, 12), 0.0),              # empty interval
    (dt.datetime(2026, 4, 6, 1, tzinfo=dt.UTC), dt.datetime(2026, 4, 6, 3, 30, tzinfo=dt.UTC), 2.5),  # UTC input
    (tokyo(2026, 4, 6, 9), tokyo(2026, 4, 13, 9), 45.0),              # one full working week
])
def test_japan_cases(jp, t1, t2, hours):
    assert business_hours(jp, t1, t2) == pytest.approx(hours, abs=1e-9)


@pytest.mark.parametrize("t1, t2, hours", [
    (ny(2026, 3, 6, 16), ny(2026, 3, 9, 10), 2.0),      # across the spring-forward weekend (Mar 8)
    (ny(2026, 10, 30, 16), ny(2026, 11, 2, 10), 2.0),   # across the fall-back weekend (Nov 1)
    (ny(2026, 3, 9, 9), ny(2026, 3, 9, 17), 8.0),       # first EDT Monday is still 8 h
    (ny(2026, 11, 25, 16), ny(2026, 11, 27, 10), 2.0),  # Thanksgiving Thu 11-26
    (ny(2026, 7, 2, 16), ny(2026, 7, 6, 10), 2.0),      # July 4 is a Saturday: observed Fri 07-03
    (ny(2026, 1, 19, 10), ny(2026, 1, 19, 12), 0.0),    # Martin Luther King Jr. Day
])
def test_us_cases(us, t1, t2, hours):
    assert business_hours(us, t1, t2) == pytest.approx(hours, abs=1e-9)


def test_dst_day_lengths_follow_the_clock():
    """On a 7-day calendar open 00:00-23:00, the spring-forward day is 22 real hours, fall-back 24."""
    cal = Calendar("America/New_York", tuple(range(7)), dt.time(0), dt.time(23), None, ())
    con = calendar_db(cal)
    assert business_hours(con, ny(2026, 3, 8, 0), ny(2026, 3, 8, 23)) == pytest.approx(22.0)
    assert business_hours(con, ny(2026, 11, 1, 0), ny(2026, 11, 1, 23)) == pytest.approx(24.0)
    assert business_hours(con, ny(2026, 3, 7, 0), ny(2026, 3, 7, 23)) == pytest.approx(23.0)


def _random_instants(n: int, seed: int) -> list[dt.datetime]:
    rng = np.random.default_rng(seed)
    start = tokyo(2026, 1, 1).timestamp()
    seconds = np.sort(rng.uniform(0, 300 * 86400, n))
    return [dt.datetime.fromtimestamp(start + s, TOKYO) for s in seconds]


def test_additive_and_never_more_than_wall_clock(jp):
    """h(a,b) + h(b,c) = h(a,c) and 0 <= h(a,b) <= wall-clock hours, over 60 random ordered triples."""
    points = _random_instants(180, seed=11)
    for a, b, c in zip(points[0::3], points[1::3], points[2::3], strict=True):
        ab, bc, ac = business_hours(jp, a, b), business_hours(jp, b, c), business_hours(jp, a, c)
        assert ab + bc == pytest.approx(ac, abs=1e-6)
        assert 0 <= ab <= (b - a).total_seconds() / 3600 + 1e-9
        assert ac <= (c - a).total_seconds() / 3600 + 1e-9


def test_week_count_matches_business_day_count(jp):
    """Over any span, whole days add up to 9 h per open day: Apr 2026 has 21 open days (Apr 29 is a holiday)."""
    assert business_hours(jp, tokyo(2026, 4, 1), tokyo(2026, 5, 1)) == pytest.approx(21 * 9.0)
