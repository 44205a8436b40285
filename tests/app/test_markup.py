"""No page renders user text as markup: every page of the dashboard on the markup corpus (tests/hostile.py),
through AppTest, checked in what Streamlit receives (Markdown bodies, captions, alerts, expander and metric
labels, st.table cells) and in every plotly spec the pages send (trace text, hover, tick labels, legends,
annotations, titles)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sla_review.core.vocabulary import SEGMENTS
from sla_review.ingest import data_flow as flow
from sla_review.metrics.breakdowns import RESPONSE_DIMS
from sla_review.present import safe
from tests.hostile import ANCHOR, IMG, LINK, PERIOD, RAW_MARKDOWN, RAW_PLOTLY, hostile_db, hostile_dir, strings

from .conftest import app, goto, no_exception

# each page with the settings that show every breakdown a user value can reach
VARIANTS: dict[str, list[dict[str, str]]] = {
    "scorecard": [{}],
    "funnel": [{"fseg": s} for s in SEGMENTS],
    "conversion": [{"cseg": s} for s in SEGMENTS if s != "owner"],
    "response": [{"rdim": d} for d in RESPONSE_DIMS],
    "whatif": [{}],
    "proposal": [{}],
    "closed_loop": [{"cldim": d} for d in ("source", "campaign", "band")],
    "export": [{}],
    "terms": [{}],
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_db(tmp_path_factory.mktemp("markup"))


def markdown_texts(at) -> list[str]:
    """Every string Streamlit renders as Markdown on the page."""
    out = [m.value for m in at.markdown] + [c.value for c in at.caption]
    out += [e.value for kind in (at.info, at.warning, at.error, at.success) for e in kind]
    out += [e.label for e in at.expander] + [m.label for m in at.metric]
    for table in at.table:  # st.table renders Markdown in its headers and cells
        frame = table.value
        out += [str(c) for c in frame.columns] + [str(x) for x in frame.to_numpy().ravel()]
    return out


def chart_strings(at) -> list[str]:
    return [s for chart in at.get("plotly_chart") for s in strings(json.loads(chart.proto.spec))]


def test_every_page_and_chart_shows_hostile_names_as_text(monkeypatch, db):
    at = app(monkeypatch, db, **PERIOD)
    no_exception(at)
    seen_md: list[str] = []
    seen_charts: list[str] = []
    for page, variants in VARIANTS.items():
        for extra in variants:
            at = goto(app(monkeypatch, db, **PERIOD, **extra), page)
            no_exception(at)
            texts, charts = markdown_texts(at), chart_strings(at)
            assert not [s for s in texts if RAW_MARKDOWN.search(s)], (page, extra)
            assert not [s for s in charts if RAW_PLOTLY.search(s)], (page, extra)
            seen_md += texts
            seen_charts += charts
    # the names are there, escaped once: as literal text, not dropped
    joined = "\n".join(seen_md)
    for name in (IMG, LINK):  # the two SLA version names, in the scorecard's and the what-if's sentences
        assert safe.markdown(name) in joined, name
    joined = "\n".join(seen_charts)
    for value in (ANCHOR, IMG, "Tier A & B", "営業部"):  # reasons and segment values, in labels and hover
        assert safe.plotly(value) in joined, value
    assert safe.plotly(IMG) == "&lt;img src=x onerror=alert(1)&gt;"
    assert "Tier A &amp; B" in joined and "Tier A &amp;amp; B" not in joined  # escaped once, never twice
    assert "営業部" in joined


def test_data_page_shows_hostile_names_as_text(monkeypatch, db, tmp_path):
    folder = hostile_dir(tmp_path)
    files = [(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.suffix in (".csv", ".toml")]
    files.append((f"{LINK}.csv", b"lead_id\n" + ANCHOR.encode() + b"\n"))
    at = app(monkeypatch, db, **PERIOD)
    at.session_state["dp_sig"] = ()
    at.session_state["dp_batch"] = flow.receive(files)
    at = goto(at, "data")
    no_exception(at)
    texts = markdown_texts(at)
    assert texts
    assert not [s for s in texts if RAW_MARKDOWN.search(s)]
    assert not [s for s in chart_strings(at) if RAW_PLOTLY.search(s)]
