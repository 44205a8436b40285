"""Closed loop: how sales reports back on MQLs. Acceptance (SAL / MQL), rejections and recycles by reason,
by source/campaign/score band and over time."""

import streamlit as st

from sla_review.app import ui
from sla_review.metrics import views
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

    mqls, accepted = int(acc["mqls"].sum()), int(acc["accepted"].sum())
    rate = accepted / mqls if mqls else None
    rate_cmp = (int(acc_cmp["accepted"].sum()) / int(acc_cmp["mqls"].sum())
                if acc_cmp is not None and int(acc_cmp["mqls"].sum()) else None)
    counts = {s: int(reasons.filter(reasons["stage"] == s)["count"].sum()) for s in ("rejected", "recycled")}
    counts_cmp = ({s: int(reasons_cmp.filter(reasons_cmp["stage"] == s)["count"].sum())
                   for s in ("rejected", "recycled")} if reasons_cmp is not None else None)

    cols = st.columns(3)
    d_rate = rate - rate_cmp if rate is not None and rate_cmp is not None else None
    with cols[0]:
        st.metric(v.t("cl_acceptance"), i18n.fmt_pct(rate, v.lang), i18n.fmt_pp(d_rate, v.lang) if d_rate is not None
                  else None, border=True, help=v.t("def_acceptance"), **ui.delta_style(d_rate, 0.0005))
    for column, stage in zip(cols[1:], ("rejected", "recycled"), strict=True):
        with column:
            delta = counts[stage] - counts_cmp[stage] if counts_cmp is not None else None
            st.metric(v.t(f"cl_{stage}"), i18n.fmt_int(counts[stage]),
                      i18n.fmt_signed(delta, v.lang, 0) if delta is not None else None,
                      border=True, help=v.t("def_closed_loop"), **ui.delta_style(delta, 0.5, higher_is_better=False))
            st.caption(v.t("cl_rej_per_mql", value=i18n.fmt_pct(counts[stage] / report["mql_count"], v.lang)
                           if report["mql_count"] else i18n.DASH))

    left, right = st.columns(2)
    with left:
        ui.show(v, charts.closed_loop_bars(reasons, v.lang, v.t("cl_reason_title")), "def_closed_loop")
    with right:
        dim = ui.param_select("u_cldim", v.t("cl_by"), ("source", "campaign", "band"),
                              views.VIEWS[PAGE]["by"].default("dim"),
                              lambda d: v.t(f"dim_{d}"), kind="segmented")
        by = ui.fetch(v, PAGE, "by", dim=dim)
        ui.show(v, charts.closed_loop_bars(by, v.lang, v.t("cl_by_title", dim=v.t(f"dim_{dim}"))))

    left, right = st.columns(2)
    with left:
        months = ui.fetch(v, PAGE, "months")
        ui.show(v, charts.closed_loop_months(months, v.lang), "def_closed_loop")
    with right:
        ui.show(v, charts.acceptance(acc, v.lang), "def_acceptance")
