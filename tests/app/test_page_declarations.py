"""A page and its benchmark cannot drift apart: every metric call a page makes at its default view (recorded
by a spy on sla_review.app.ui.call under AppTest) is exactly the list the benchmark times
(sla_review.devtools.bench.page_calls, read from sla_review.metrics.views)."""

from __future__ import annotations

import pytest

from sla_review.app import ui
from sla_review.core import periods
from sla_review.core.vocabulary import Filters
from sla_review.devtools import bench
from sla_review.metrics import views
from sla_review.store.db import connect

from .conftest import PAGES, app, goto, no_exception


def _key(fn, period, filters, kwargs: dict, roles: dict) -> tuple:
    role = None if period is None else roles[(period.from_day, period.to_day, period.as_of)]
    return fn.__name__, role, filters is not None, tuple(sorted(kwargs.items()))


@pytest.fixture(scope="module")
def benchmarked(demo_db):
    """page -> the calls the benchmark makes for it, with the periods it believes the page opens on."""
    con = connect(demo_db)  # the configuration the dashboard opens it with (one DuckDB instance per file)
    try:
        p = bench.default_period(con)
        c = periods.comparison_period(p)
        roles = {(p.from_day, p.to_day, p.as_of): "period", (c.from_day, c.to_day, c.as_of): "compare"}
        calls = {}
        for page in views.VIEWS:
            calls[page] = []
            for fn, args, kwargs in bench.page_calls(page, con, p, c, Filters()):
                period = next((a for a in args if isinstance(a, periods.Period)), None)
                filters = next((a for a in args if isinstance(a, Filters)), None)
                calls[page].append(_key(fn, period, filters, kwargs, roles))
    finally:
        con.close()
    return calls, roles


def test_the_benchmark_times_exactly_what_each_page_calls(monkeypatch, demo_db, benchmarked):
    calls, roles = benchmarked
    assert set(views.VIEWS) == set(PAGES)  # every page has a declaration, and nothing else does
    seen: list[tuple] = []
    real = ui.call

    def spy(fn, period=None, filters=None, **extra):
        seen.append(_key(fn, period, filters, extra, roles))
        return real(fn, period, filters, **extra)

    monkeypatch.setattr(ui, "call", spy)
    at = app(monkeypatch, demo_db)
    for page in PAGES:
        seen.clear()
        goto(at, page)
        no_exception(at)
        # the page repeats a call only where ui.call's cache answers it (the what-if's base curve): the
        # benchmark times it once
        assert sorted(set(seen)) == sorted(calls[page]), page
        assert len(calls[page]) == len(set(calls[page])), page
        assert calls[page][0][0] == "activity"  # the guard first, as ui.guard runs it


def test_a_page_may_override_only_what_its_declaration_names():
    hist = views.VIEWS["response"]["hist"]
    assert hist.kwargs() == {"bin_hours": 0.5, "max_hours": 8.0}
    with pytest.raises(TypeError, match="limit"):
        hist.kwargs(limit=10)
    with pytest.raises(TypeError, match="fit_weight"):
        views.VIEWS["whatif"]["curve"].kwargs()  # the weights come from the page
