"""sla_review.app.ui's warm-up after a page is drawn: every page's declared call for the same view, with the
terms' weights and the view's maturity setting; a newer view stops it; never inside AppTest."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from sla_review.app import ui
from sla_review.core.periods import Period
from sla_review.core.vocabulary import Filters
from sla_review.metrics import views

PERIOD = Period(dt.date(2026, 4, 1), dt.date(2026, 10, 1), dt.datetime(2026, 11, 20, tzinfo=dt.UTC), "Asia/Tokyo")
COMPARE = Period(dt.date(2025, 10, 1), dt.date(2026, 4, 1), dt.datetime(2026, 4, 20, tzinfo=dt.UTC), "Asia/Tokyo")
VIEW = ui.View("en", empty=False, period=PERIOD, compare=COMPARE, filters=Filters(source=("webinar",)),
               maturity_days=45)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    made: list[tuple] = []

    def fake(fn, period=None, filters=None, **extra):
        made.append((fn, period, filters, extra))
        if fn is views.TERMS.fn:
            return SimpleNamespace(version=SimpleNamespace(fit_weight=0.6, engagement_weight=0.4))
        return None

    monkeypatch.setattr(ui, "call", fake)
    return made


def test_every_declared_call_of_every_page_is_warmed(calls):
    ui._WARM_WANTED[0] = "k"
    ui._warm(VIEW, "k")
    for page, declared in views.VIEWS.items():
        for name, d in declared.items():
            period = COMPARE if d.period == views.COMPARE else PERIOD if d.period == views.PERIOD else None
            hits = [c for c in calls if c[0] is d.fn and c[1] == period]
            assert hits, (page, name)
            assert all(c[2] == (VIEW.filters if d.filters else None) for c in hits), (page, name)
    curve = [c for c in calls if c[0] is views.VIEWS["whatif"]["curve"].fn]
    assert curve and all(c[3]["fit_weight"] == 0.6 and c[3]["engagement_weight"] == 0.4 for c in curve)
    maturity = [c[3]["maturity_days"] for c in calls if "maturity_days" in c[3]]
    assert maturity and set(maturity) == {45}  # the view's setting, not the declared default


def test_a_newer_view_stops_the_warm_up(calls):
    ui._WARM_WANTED[0] = "newer"
    ui._warm(VIEW, "older")
    assert [c[0] for c in calls] == [views.TERMS.fn]  # only the terms, read before the first page's calls


def test_apptest_runs_start_no_warm_up(monkeypatch):
    started = []
    monkeypatch.setattr(ui.threading, "Thread", lambda *a, **k: started.append(k) or SimpleNamespace(start=lambda: 0))
    from unittest.mock import MagicMock

    from streamlit.runtime import Runtime

    monkeypatch.setattr(Runtime, "_instance", MagicMock(spec=Runtime))  # what AppTest installs while it runs
    ui.warm_later(VIEW)
    assert started == []
