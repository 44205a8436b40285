"""sla_review.devtools.bench_browser's bookkeeping: the statistics, benchmarks.json's keys, and where its
BENCHMARKS.md sections go (beside their size's server-side section, also after `bench` rewrites the file)."""

from __future__ import annotations

import json

from sla_review.devtools import bench, bench_browser
from tests.devtools.test_bench import result


def sample(ms: float, **extra: float) -> dict:
    return {"ms": ms, "bytes": 2048, "server_ms": ms / 4, "render_ms": 10.0, **extra}


def samples() -> dict[str, list[dict]]:
    """Every measure once or more; the slider's five moves are 100..500 ms (median 300, p95 480 by linear
    interpolation: 400 + 0.8 * 100), the numbers 50..250 ms."""
    out = {f"{kind}:{page}": [sample(1000.0)] for kind in ("cold", "revisit") for page in bench_browser.PAGES}
    out["cold:scorecard"] = [sample(2000.0), sample(4000.0)]
    out["slider_threshold"] = [sample(100.0 * i, numbers_ms=50.0 * i) for i in range(1, 6)]
    out["filter_change"] = [sample(600.0), sample(800.0)]
    return out


def test_stat_is_median_and_linear_p95():
    assert bench_browser.stat([100, 200, 300, 400, 500]) == {"median": 300.0, "p95": 480.0, "n": 5}
    assert bench_browser.stat([7]) == {"median": 7.0, "p95": 7.0, "n": 1}


def test_summary_has_the_issue_keys_and_the_breakdown():
    s = bench_browser.summarise(samples())
    assert s["slider_all_charts_ms"]["median"] == 300.0 and s["slider_all_charts_ms"]["p95"] == 480.0
    assert s["slider_numbers_ms"]["median"] == 150.0
    assert s["slider_all_charts_ms"]["server_ms"] == 75.0  # median of ms / 4
    assert s["filter_change_ms"] == {"median": 700.0, "p95": 790.0, "n": 2, "server_ms": 175.0, "bytes": 2048.0,
                                     "render_ms": 10.0}
    assert s["cold_landing_ms"]["median"] == 3000.0
    # every page pooled: 7 pages at 1000 ms and the landing page's 2000 and 4000
    assert s["cold_page_ms"]["n"] == len(bench_browser.PAGES) + 1 and s["cold_page_ms"]["median"] == 1000.0
    assert s["revisit_ms"]["n"] == len(bench_browser.PAGES)
    assert s["pages"]["scorecard"]["cold"]["median"] == 3000.0
    assert "period_change_ms" not in s  # not measured: absent, never 0


def test_markdown_judges_the_targets_at_1m_only():
    s = bench_browser.summarise(samples())
    meta = {"when": "2026-01-01 00:00 UTC", "runs": 2, "load": [0.5, 0.7], "chromium": "Chromium 1"}
    at_1m = bench_browser.markdown(1_000_000, s, {"page_scorecard_ms": {"median": 123.0}}, meta)
    assert "| what-if threshold move → every chart redrawn | 300 ms | 480 ms | 5 | 75 ms | 2 KiB | 10 ms | " \
           "150 ms | **no** |" in at_1m
    assert "| scorecard | 3,000 ms | 3,900 ms | 750 ms | 2 KiB | 10 ms | 1,000 ms | 1,000 ms | 123 ms |" in at_1m
    at_100k = bench_browser.markdown(100_000, s, {}, meta)
    assert "**no**" not in at_100k and "| yes |" not in at_100k


def test_sections_sit_beside_their_size_and_survive_a_server_side_rewrite(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    bench.write_markdown(out, result(100_000, 0.05))
    bench.write_markdown(out, result(1_000_000, 0.2))
    s = bench_browser.summarise(samples())
    meta = {"when": "w", "runs": 1, "load": [0.0, 0.0], "chromium": "c"}
    for leads in (1_000_000, 100_000, 1_000_000):  # a second 1M run replaces the first
        bench_browser.write_markdown(out, leads, bench_browser.markdown(leads, s, {}, meta))
    bench.write_markdown(out, result(1_000_000, 0.1))  # the server-side bench rewrites its 1M section
    text = out.read_text()
    order = [text.index(m) for m in ("<!-- bench leads=100000 -->", "<!-- bench browser leads=100000 -->",
                                     "<!-- bench leads=1000000 -->", "<!-- bench browser leads=1000000 -->")]
    assert order == sorted(order)
    assert text.count("<!-- bench browser leads=1000000 -->") == 1
    assert text.count("<!-- bench browser leads=100000 -->") == 1


def test_json_merges_sizes(tmp_path):
    path = tmp_path / "benchmarks.json"
    s = bench_browser.summarise(samples())
    bench_browser.write_json(path, 100_000, s, {"slider_ms": {"median": 4.0}}, {"runs": 1})
    bench_browser.write_json(path, 1_000_000, s, {"slider_ms": {"median": 5.0}}, {"runs": 2})
    data = json.loads(path.read_text())
    assert set(data["browser"]) == {"100000", "1000000"}
    for key in ("slider_all_charts_ms", "filter_change_ms", "revisit_ms", "cold_page_ms"):
        assert set(data["browser"]["1000000"][key]) >= {"median", "p95"}
    assert data["server"]["100000"]["slider_ms"]["median"] == 4.0 and data["meta"]["1000000"]["runs"] == 2
