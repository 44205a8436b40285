"""A crafted link never breaks a viewer's session: the view falls back to the default period with a short
message (en and ja), the page draws, and the next clean navigation works."""

from __future__ import annotations

import pytest

from sla_review.present import i18n
from tests.app.conftest import app, goto

CRAFTED = [
    {"p": "custom", "from": "0001-01-01", "to": "0001-01-02"},
    {"p": "custom", "from": "9999-12-01", "to": "9999-12-31"},
    {"p": "custom", "from": "2026-05-01", "to": "2026-04-01"},  # to before from
    {"p": "custom", "from": "garbage", "to": "2026-04-01"},
    {"p": "custom", "from": "2026-04-01", "to": "2026-04-01"},  # empty: to is exclusive
    {"p": "custom", "from": "1900-01-01", "to": "2026-04-01"},
    {"p": "previous", "cmp": "custom", "cfrom": "0001-01-01", "cto": "0001-01-02"},
    {"p": "last_half", "cmp": "custom", "cfrom": "2026-01-01", "cto": "9999-12-31"},
    {"p": "no_such_preset", "fy": "13", "thr": "1e309", "lang": "xx"},
]


def _warnings(at) -> list[str]:
    return [w.value for w in at.main.warning]


@pytest.mark.parametrize("query", CRAFTED, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_crafted_link_falls_back_to_the_default_period_with_a_message(monkeypatch, demo_db, query, lang):
    query = {"lang": lang, **query} if "lang" not in query else query
    at = app(monkeypatch, demo_db, **query)
    assert not at.exception, [e.value for e in at.exception]
    shown_lang = lang if query.get("lang") in i18n.LANGS else "en"
    assert i18n.t(shown_lang, "url_refused") in _warnings(at), _warnings(at)
    assert at.main.get("plotly_chart"), "the scorecard drew its charts"
    # the period in force is a usable one: the URL no longer carries the crafted dates
    assert "0001" not in at.query_params.get("from", "") and "9999" not in at.query_params.get("to", "")
    # the next navigation (another page, then back) works and says nothing more
    for page in ("funnel", "scorecard"):
        goto(at, page)
        assert not at.exception, [e.value for e in at.exception]
        assert i18n.t(shown_lang, "url_refused") not in _warnings(at)


def test_a_clean_link_says_nothing(monkeypatch, demo_db):
    at = app(monkeypatch, demo_db, p="custom", **{"from": "2026-01-05", "to": "2026-03-01"})
    assert not at.exception
    assert i18n.t("en", "url_refused") not in _warnings(at)
    assert at.query_params["from"] == "2026-01-05" and at.query_params["to"] == "2026-03-01"
