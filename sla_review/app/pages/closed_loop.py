"""Closed loop: how sales reports back on MQLs. Acceptance (SAL / MQL), rejections and recycles by reason,
by source/campaign/score band and over time."""

import streamlit as st

from sla_review.app import ui
from sla_review.metrics import breakdowns as bd
from sla_review.metrics import drill, views
from sla_review.present import charts, i18n

PAGE = "closed_loop"  # its calls: sla_review.metrics.views.VIEWS[PAGE]
v = ui.view()
ui.page_header(v, "closed_loop")
if ui.guard(v):
    acc = ui.fetch(v, PAGE, "acc")
    acc_cmp = ui.fetch(v, PAGE, "acc_cmp")
    reasons = ui.fetch(v, PAGE, "reasons")
    reasons_cmp = ui.fetch(v, PAGE, "reasons_cmp")
    report = ui.fetch(v, PAGE, "report")

    figures = bd.closed_loop_summary(acc, acc_cmp, reasons, reasons_cmp, report["mql_count"])
    cols = st.columns(3)
    d_rate = figures["d_acceptance"]
    with cols[0]:
        st.metric(v.t("cl_acceptance"), i18n.fmt_pct(figures["acceptance"], v.lang),
                  i18n.fmt_pp(d_rate, v.lang) if d_rate is not None else None, border=True,
                  help=v.t("def_acceptance"), **ui.delta_style(d_rate, 0.0005))
    for column, stage in zip(cols[1:], bd.CLOSED_LOOP_STAGES, strict=True):
        with column:
            delta = figures["deltas"][stage]
            st.metric(v.t(f"cl_{stage}"), i18n.fmt_int(figures["counts"][stage]),
                      i18n.fmt_signed(delta, v.lang, 0) if delta is not None else None,
                      border=True, help=v.t("def_closed_loop"), **ui.delta_style(delta, 0.5, higher_is_better=False))
            per_mql = figures["per_mql"][stage]
            st.caption(v.t("cl_rej_per_mql", value=i18n.fmt_pct(per_mql, v.lang) if per_mql is not None
                           else i18n.DASH))
            ui.leads_button(v, drill.TILES[stage], f"cl_leads_{stage}", "cl_tiles")
    ui.leads_here(v, "cl_tiles")

    left, right = st.columns(2)
    with left:
        ui.show(v, charts.closed_loop_bars(reasons, v.lang, v.t("cl_reason_title")), "def_closed_loop",
                key="cl_reasons", opens=lambda point: drill.closed_loop_point(point, reasons, v.lang, "reason"))
    with right:
        dim = ui.param_select("u_cldim", v.t("cl_by"), ("source", "campaign", "band"),
                              views.VIEWS[PAGE]["by"].default("dim"),
                              lambda d: v.t(f"dim_{d}"), kind="segmented")
        by = ui.fetch(v, PAGE, "by", dim=dim)
        ui.show(v, charts.closed_loop_bars(by, v.lang, v.t("cl_by_title", dim=v.t(f"dim_{dim}"))), key="cl_by",
                opens=lambda point: drill.closed_loop_point(point, by, v.lang, dim))

    left, right = st.columns(2)
    with left:
        months = ui.fetch(v, PAGE, "months")
        ui.show(v, charts.closed_loop_months(months, v.lang), "def_closed_loop")
    with right:
        ui.show(v, charts.acceptance(acc, v.lang), "def_acceptance")
