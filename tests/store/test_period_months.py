"""sql/derived/045_period_months.sql: the month axis every monthly metric shares."""

from __future__ import annotations

import datetime as dt

from sla_review.store.db import connect


def test_period_months_lists_every_month_the_period_touches(tmp_path):
    con = connect(tmp_path / "months.duckdb")
    try:
        def months(start: dt.date, end: dt.date) -> list[dt.date]:
            rows = con.execute("SELECT month FROM period_months($a, $b) ORDER BY month", {"a": start, "b": end})
            return [r[0] for r in rows.fetchall()]

        assert months(dt.date(2026, 4, 15), dt.date(2026, 7, 1)) == [dt.date(2026, 4, 1), dt.date(2026, 5, 1),
                                                                      dt.date(2026, 6, 1)]
        assert months(dt.date(2026, 1, 31), dt.date(2026, 2, 1)) == [dt.date(2026, 1, 1)]  # one day, one month
        assert months(dt.date(2025, 12, 1), dt.date(2026, 1, 2)) == [dt.date(2025, 12, 1), dt.date(2026, 1, 1)]
    finally:
        con.close()
