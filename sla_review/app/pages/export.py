"""Review deck page: the .pptx for the review meeting and each chart as PNG/SVG.

Thin on purpose: the period, comparison, segments and review guides come from the shared sidebar
(app.ui), and every number, chart and slide from export.deck (which the CLI and the tests use too).
The page adds the deck's language and sections, shows progress while the deck builds (charts are rendered
server-side by one shared Chromium) and offers the downloads.
"""

import datetime as dt
import time

import duckdb
import streamlit as st

from sla_review.app import ui
from sla_review.core.periods import Period
from sla_review.core.vocabulary import Filters
from sla_review.export import deck as export
from sla_review.ingest import drafts
from sla_review.present import safe
from sla_review.present.deck_text import LANGS, text

LANG_NAMES = {"en": "English", "ja": "日本語"}
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@st.cache_data(show_spinner=False, max_entries=32)
def _charts(key: tuple, _con: duckdb.DuckDBPyConnection, _period: Period, _compare: Period,
            _filters: Filters, lang: str, maturity_days: int, _draft: drafts.Draft | None = None) -> list[export.Chart]:
    """The deck's charts for previews and downloads; `key` = (db, data version, periods, filters, draft)."""
    return export.charts(_con, _period, _compare, lang, _filters, maturity_days=maturity_days, draft=_draft)


v = ui.view()
ui.page_header(v, "export")
if ui.guard(v):
    con = ui.cursor()
    st.caption(text(v.lang, "ui_intro"))
    compare = v.compare
    if compare is None:
        compare = export.comparison_for(con, v.period)
        st.caption(text(v.lang, "ui_cmp_fallback", start=compare.from_day.isoformat(),
                        end=(compare.to_day - dt.timedelta(days=1)).isoformat()))
    saved = {d.name: d for d in drafts.list_drafts(con)}
    picked = st.selectbox(text(v.lang, "ui_draft"), [None, *saved], key="export_draft",
                          format_func=lambda name: text(v.lang, "ui_draft_none") if name is None else name,
                          help=text(v.lang, "ui_draft_help"))
    draft = saved.get(picked) if picked is not None else None
    offered = [s for s in export.ALL_SECTIONS if draft is not None or s not in export.DRAFT_SECTIONS]
    left, right = st.columns([1, 3])
    lang = left.radio(text(v.lang, "ui_lang"), LANGS, index=LANGS.index(v.lang), format_func=LANG_NAMES.get,
                      key="export_lang")
    sections = right.multiselect(text(v.lang, "ui_sections"), offered, default=offered,
                                 key=f"export_sections_{draft is not None}",
                                 format_func=lambda s: export.section_label(s, v.lang))
    drafted = (draft.name, draft.saved_at) if draft is not None else None
    settings = (ui.db_path(), ui.version(), v.period, compare, v.filters, v.guides, v.maturity_days, drafted)

    if st.button(text(v.lang, "ui_build"), type="primary", icon=":material/slideshow:", key="export_build"):
        bar = st.progress(0.0, text=text(lang, "p_queries"))
        started = time.perf_counter()
        deck = export.build_deck(con, v.period, compare, lang, sections, v.filters,
                                 progress=lambda fraction, message: bar.progress(fraction, text=message),
                                 guides=v.guides, maturity_days=v.maturity_days, draft=draft)
        st.session_state["export_deck"] = {"settings": settings, "lang": lang, "sections": tuple(sections),
                                           "bytes": deck, "seconds": time.perf_counter() - started,
                                           "name": export.deck_filename(v.period, lang)}

    built = st.session_state.get("export_deck")
    if built and (built["settings"], built["lang"], built["sections"]) == (settings, lang, tuple(sections)):
        st.success(text(v.lang, "ui_built", slides=export.slide_count(sections, draft is not None),
                        seconds=f"{built['seconds']:.1f}"))
        st.download_button(text(v.lang, "ui_download"), built["bytes"], file_name=built["name"], mime=PPTX_MIME,
                           icon=":material/download:", key="export_download", on_click="ignore")

    st.subheader(text(v.lang, "ui_charts"))
    st.caption(text(v.lang, "ui_charts_intro"))
    key = (ui.db_path(), ui.version(), repr(v.period), repr(compare), repr(v.filters), repr(drafted))
    for chart in _charts(key, con, v.period, compare, v.filters, lang, v.maturity_days, draft):
        with st.expander(f"{chart.section}: {safe.markdown(chart.headline)}"):  # the headline may name a reason
            st.plotly_chart(chart.figure, theme=None, width="stretch", key=f"export_chart_{chart.key}")
            titled = export.with_title(chart.figure, chart.headline)
            left, right = st.columns(2)
            # deferred: rendered (under the renderer's lock, on another thread) only when clicked
            left.download_button(text(v.lang, "ui_png"), data=lambda f=titled: export.figure_png(f),
                                 file_name=export.chart_filename(v.period, chart.key, lang, "png"),
                                 mime="image/png", key=f"export_png_{chart.key}", on_click="ignore")
            right.download_button(text(v.lang, "ui_svg"), data=lambda f=titled: export.figure_svg(f),
                                  file_name=export.chart_filename(v.period, chart.key, lang, "svg"),
                                  mime="image/svg+xml", key=f"export_svg_{chart.key}", on_click="ignore")
