"""sla_review.devtools.bench's bookkeeping: which target applies, and rewriting one size's section of BENCHMARKS.md."""

from __future__ import annotations

from sla_review.devtools import bench


def result(leads: int, median: float) -> bench.Result:
    r = bench.Result(leads, 3, {"nproc": "2", "cpu": "test CPU", "memory": "1.0 GiB", "software": "x"},
                     "2026-01-01 00:00 UTC", period="p", rows={"leads": leads}, load=[0.1, 0.2])
    r.timings.append(bench.Timing("page 'x'", "page", median, [median] * 3, "page", cpu=[median] * 3))
    r.timings.append(bench.Timing("q.sql", "query", 0.01, [0.01]))
    r.memory["import (subprocess peak RSS)"] = 3 * bench.GIB
    return r


def test_limits_follow_size():
    assert bench.limit_for("page", 100_000) == 0.150
    assert bench.limit_for("page", 1_000_000) == 0.150
    assert bench.limit_for("page", 5_000_000) == 0.600
    assert bench.limit_for("import", 10_000_000) == 120.0
    assert bench.limit_for("slider", 20_000_000) is None


def test_markdown_judges_targets():
    text = bench.markdown(result(1_000_000, 0.2))
    assert "| page 'x' | 200.0 ms | 200.0 ms | 200.0 ms | 200.0 ms | ≤ 150.0 ms | **no** |" in text
    assert "| import (subprocess peak RSS) | 3.00 GiB | ≤ 2.00 GiB | **no** |" in text
    assert "q.sql" in text and "test CPU, 2 CPUs" in text


def test_write_rewrites_only_its_own_section(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    bench.write_markdown(out, result(1_000_000, 0.2))
    bench.write_markdown(out, result(100_000, 0.05))
    text = out.read_text()
    out.write_text(text.replace("# Benchmarks\n", "# Benchmarks\n\nA hand-written note that must survive.\n"))
    bench.write_markdown(out, result(1_000_000, 0.1))
    text = out.read_text()
    assert text.count("<!-- bench leads=1000000 -->") == 1 and text.count("<!-- bench leads=100000 -->") == 1
    assert "100.0 ms" in text and "| page 'x' | 200.0 ms" not in text
    assert "A hand-written note that must survive." in text
    assert text.index("leads=100000 -->") < text.index("leads=1000000 -->")  # ordered by size


def test_previous_period_is_the_same_length_before():
    import datetime as dt

    from sla_review.core import periods
    from sla_review.core.periods import Period

    tz = dt.timezone(dt.timedelta(hours=9))
    p = Period(dt.date(2026, 4, 1), dt.date(2026, 10, 1), dt.datetime(2026, 11, 20, 12, tzinfo=tz), "Asia/Tokyo")
    c = periods.comparison_period(p)
    assert (c.from_day, c.to_day) == (dt.date(2025, 10, 1), dt.date(2026, 4, 1))
    assert c.as_of == p.as_of - (p.from_day - c.from_day)


def test_lists_get_their_own_table_beside_their_csv():
    r = result(1_000_000, 0.1)
    r.timings.append(bench.Timing("funnel bar", "drill", 0.5, [0.4] * 3, "list", note="64,323 rows", cpu=[0.1] * 3))
    r.timings.append(bench.Timing("funnel bar", "drill csv", 1.0, [0.9] * 3))
    text = bench.markdown(r)
    row = "| funnel bar | 64,323 | 500.0 ms | 400.0 ms | 400.0 ms | 100.0 ms | ≤ 300.0 ms | **no** | 900.0 ms |"
    assert row in text
    assert text.count("funnel bar") == 1  # not also a row of the main table (a page's own cost)
