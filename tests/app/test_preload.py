"""sla_review.app.preload: what server.py imports before any session thread exists."""

from __future__ import annotations

import sys

from sla_review.app import preload


def test_preload_imports_the_libraries_the_sessions_raced_on_and_every_app_module():
    names = preload.preload()
    for lib in ("pandas", "pyarrow", "polars", "plotly.graph_objects", "duckdb", "babel.numbers"):
        assert lib in names and lib in sys.modules, lib
    for module in ("sla_review.app.ui", "sla_review.present.charts", "sla_review.export.deck",
                   "sla_review.ingest.data_flow", "sla_review.metrics.report"):
        assert module in names and module in sys.modules, module
    assert not [n for n in names if n.startswith(("sla_review.devtools", "sla_review.app.pages"))]
