"""Import everything the app needs once, in the main thread, before any session thread runs.

Why: Streamlit runs each browser session's script in its own thread. When the room's tabs reconnect after a
restart, 20 first runs start together and each imports pandas (through plotly's optional import), polars,
pyarrow, Babel's locale data... at the same moment; a thread that finds a module half-initialised by another
fails with `AttributeError: partially initialized module 'pandas'` (3 of 20 first views, measured). After
preload() every later import is a finished entry in sys.modules. No streamlit import here (ui.py is the only one).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil

# heavy libraries first (the ones imported lazily by plotly, Streamlit's dataframe code and our own modules)
LIBRARIES = ("numpy", "pandas", "pyarrow", "pyarrow.compute", "polars", "duckdb", "plotly", "plotly.graph_objects",
             "plotly.io", "babel", "babel.dates", "babel.numbers", "holidays", "pptx", "tomllib", "zoneinfo")
SKIP = ("sla_review.devtools", "sla_review.app.pages", "sla_review.__main__")


def modules() -> list[str]:
    """Every sla_review module the dashboard can reach (dev tools and the page scripts excepted)."""
    import sla_review

    found = [m.name for m in pkgutil.walk_packages(sla_review.__path__, "sla_review.")]
    return [m for m in found if not m.startswith(SKIP)]


def preload() -> list[str]:
    """Import the libraries and our modules, then touch the lazily built parts (plotly validators, Babel locale
    data, the holiday tables) once. Returns the module names imported, for the test."""
    names = [*LIBRARIES, *modules()]
    # ui.py declares its st.cache_data functions at import; before the runtime exists Streamlit warns "No runtime
    # found" while only checking their parameters (the caches themselves are made at first call, in the runtime)
    quiet = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        for name in names:
            importlib.import_module(name)
    finally:
        quiet.setLevel(level)
    import plotly.graph_objects as go
    from babel import Locale

    # plotly builds validators and checks array types (pandas, numpy) on first use of each trace type
    fig = go.Figure([go.Bar(x=[1], y=[1], text=["1"]), go.Scatter(x=[1], y=[1]), go.Heatmap(z=[[1]])])
    fig.add_hline(y=1)
    fig.add_vline(x=1)
    fig.add_annotation(text="x")
    fig.to_json()
    for lang in ("en", "ja"):
        Locale.parse(lang).number_symbols  # noqa: B018 - loads the locale data file
    from sla_review.core.terms import known_timezones

    known_timezones()  # the zone list the sla.toml check reads (asks DuckDB once)
    return names
