"""AppTest: a tile's "show leads" and a link's `?leads=` open the list with the figure's count in its heading;
a crafted link gets a message, not a traceback; closing the list drops it from the URL."""

from __future__ import annotations

import pytest

from tests.app.conftest import WORKED_PERIOD, app, goto, no_exception

pytestmark = pytest.mark.app


def headings(at) -> list[str]:
    return [h.value for h in at.subheader]


def test_a_tile_opens_its_leads(monkeypatch, worked_db):
    at = app(monkeypatch, worked_db, **WORKED_PERIOD)
    at.button(key="sc_leads_mql_volume").click().run()
    no_exception(at)
    assert "5 leads · MQLs of the period" in headings(at)  # 5 MQLs (DOMAIN.md's worked example)
    assert at.query_params["leads"] == "mql_cohort:part=all"
    at.button(key="sc_leads_response").click().run()
    assert any(h.startswith("4 handoffs · Handoffs") for h in headings(at))  # within 2 + breached 2
    close = [b for b in at.button if b.key and b.key.endswith("_leads_close")]
    close[0].click().run()
    no_exception(at)
    assert not any("handoffs ·" in h for h in headings(at)) and "leads" not in at.query_params


@pytest.mark.parametrize(("page", "link", "heading"), [
    ("scorecard", "funnel:view=cohort;stage=sal", "2 leads · Funnel bar · cohort · SAL"),
    ("response", "hist_bin:bin_hours=0.5;max_bin=17;bin=5;part=over", "1 handoffs · Response times"),
    ("closed_loop", "closed_loop:closed_stage=rejected;dim=reason;key=no%20budget", "1 events · Closed loop"),
    ("conversion", "cohort_month:month=2026-06", "2 leads · Monthly MQL cohort"),
])
def test_a_link_reopens_the_list(monkeypatch, worked_db, page, link, heading):
    at = app(monkeypatch, worked_db, **WORKED_PERIOD, leads=link)  # the scorecard first, as AppTest starts there
    at = goto(at, page) if page != "scorecard" else at
    no_exception(at)
    assert any(h.startswith(heading) for h in headings(at)), headings(at)


@pytest.mark.parametrize("link", ["funnel:view=cohort;stage=x%27%20OR%201%3D1", "nope:a=b", "funnel:view=cohort"])
def test_a_crafted_link_gets_a_message(monkeypatch, worked_db, link):
    at = app(monkeypatch, worked_db, **WORKED_PERIOD, leads=link)
    no_exception(at)
    assert any("does not exist" in w.value for w in at.warning)
    assert not any(" leads · " in h for h in headings(at))
