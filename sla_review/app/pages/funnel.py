"""Funnel waterfall: cohort view (leads created in the period) and flow view (stages reached in the period),
the comparison period beside it, a breakdown by segment and the days between stages."""

import polars as pl
import streamlit as st

from sla_review.app import ui
from sla_review.core.vocabulary import SEGMENTS
from sla_review.metrics import breakdowns as bd
from sla_review.metrics import drill, views
from sla_review.present import charts, i18n

PAGE = "funnel"  # its calls: sla_review.metrics.views.VIEWS[PAGE]
DECLARED = views.VIEWS[PAGE]
v = ui.view()
ui.page_header(v, "funnel")
if ui.guard(v):
    view = ui.param_select("u_fview", v.t("fn_view"), ("cohort", "flow"), DECLARED["cur"].default("view"),
                           lambda x: v.t(f"fn_{x}"),
                           help=v.t("fn_view_help"), kind="radio")
    cur = ui.fetch(v, PAGE, "cur", view=view)
    cmp = ui.fetch(v, PAGE, "cmp", view=view)
    title = v.t("fn_chart_title", view=v.t(f"fn_{view}"))
    ui.show(v, charts.funnel(cur, cmp, v.lang, v.period_label, v.compare_label, title), "def_funnel", key="fn_chart",
            opens=lambda point: drill.funnel_point(point, cur, view, cmp is not None))

    with st.expander(v.t("fn_table"), icon=":material/table:"):
        numbers = bd.with_comparison(cur, cmp).with_columns(
            pl.col("stage").map_elements(lambda s: i18n.stage(s, v.lang), return_dtype=pl.Utf8))
        ui.table(v, numbers, {"stage": ("col_stage", "text"), "count": ("col_count", "int"),
                              "pct_prev": ("col_pct_prev", "pct"), "pct_first": ("col_pct_first", "pct")})
        if cmp is not None:
            st.caption(f"{v.compare_label}: " + " · ".join(
                f"{i18n.stage(s, v.lang)} {i18n.fmt_int(c)}" for s, c in zip(cmp["stage"], cmp["count"], strict=True)))

    days = ui.fetch(v, PAGE, "days")
    cmp_days = ui.fetch(v, PAGE, "cmp_days")
    ui.show(v, charts.stage_days(days, cmp_days, v.lang, v.period_label, v.compare_label), "def_stage_days")

    segment = ui.param_select("u_fseg", v.t("fn_breakdown"), SEGMENTS, DECLARED["by"].default("segment"),
                              lambda s: v.t(f"seg_{s}"),
                              kind="segmented")
    by = ui.fetch(v, PAGE, "by", segment=segment)
    ui.show(v, charts.funnel_by_segment(by, v.lang, v.t(f"seg_{segment}")), "def_funnel")
