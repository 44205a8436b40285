"""Quality vs volume: what the MQL threshold and score weights would do to volume and SQL yield. The curve
is computed once per (period, filters, weights) and cached, so moving the threshold is a lookup; the sliders and
what they drive are one fragment, so a move reruns only them (not the sidebar, the header, the terms)."""

import streamlit as st

from sla_review.app import ui
from sla_review.metrics import intervals, whatif
from sla_review.present import charts, i18n, safe

PAGE = "whatif"  # its calls: sla_review.metrics.views.VIEWS[PAGE]
v = ui.view()
ui.page_header(v, "whatif")
if ui.guard(v):
    shown = ui.fetch(v, PAGE, "terms")
    terms = shown.as_dict()
    ui.terms_note(v, shown)
    today = int(round(terms["mql_threshold"]))
    st.markdown(v.t("wi_terms", name=safe.markdown(terms["name"]),
                    threshold=i18n.fmt_num(terms["mql_threshold"], v.lang, 0),
                    fw=f"{terms['fit_weight']:g}", ew=f"{terms['engagement_weight']:g}",
                    commitment=i18n.fmt_int(terms["monthly_mql_commitment"]),
                    target=i18n.fmt_pct(terms["mql_to_sql_target"], v.lang, 0)))
    st.caption(v.t("wi_population"))

    def sliders_and_figures() -> None:
        """Everything the three sliders drive, as one fragment (ui.fragment): a move reruns this, not the page."""
        left, middle, right = st.columns([2, 1, 1])
        with left:
            threshold = ui.param_slider("u_thr", v.t("wi_threshold"), 0, 100, today, 1,
                                        help=v.t("wi_threshold_help"))
        with middle:
            fit_weight = ui.param_slider("u_fw", v.t("wi_fit_weight"), 0.0, 1.0, float(terms["fit_weight"]), 0.05,
                                         help=v.t("wi_weights_help"), fmt="%.2f")
        with right:
            eng_weight = ui.param_slider("u_ew", v.t("wi_eng_weight"), 0.0, 1.0, float(terms["engagement_weight"]),
                                         0.05, help=v.t("wi_weights_help"), fmt="%.2f")

        curve = ui.fetch(v, PAGE, "curve", fit_weight=fit_weight, engagement_weight=eng_weight)
        base = ui.fetch(v, PAGE, "base", fit_weight=float(terms["fit_weight"]),
                        engagement_weight=float(terms["engagement_weight"]))
        reps = ui.fetch(v, PAGE, "reps")
        figures = whatif.proposal(curve, base, threshold, today)
        now, per_month, rate, sqls = figures["point"], figures["per_month"], figures["rate"], figures["sqls"]
        d_volume, d_rate, d_sqls = figures["d_volume"], figures["d_rate"], figures["d_sqls"]
        cols = st.columns(4)
        with cols[0]:
            st.metric(v.t("wi_mqls"), i18n.fmt_num(per_month, v.lang, 0),
                      i18n.fmt_signed(d_volume, v.lang, 0) if d_volume is not None else None, border=True,
                      help=v.t("def_whatif"), delta_description=v.t("wi_vs_today"), **ui.delta_style(d_volume, 0.5))
            st.caption(v.t("wi_commitment_cap", value=i18n.fmt_int(terms["monthly_mql_commitment"])))
        with cols[1]:
            st.metric(v.t("wi_yield_estimate" if now["is_estimate"] else "wi_yield"), i18n.fmt_pct(rate, v.lang),
                      i18n.fmt_pp(d_rate, v.lang) if d_rate is not None else None, border=True, help=v.t("def_whatif"),
                      delta_description=v.t("wi_vs_today"), **ui.delta_style(d_rate, 0.0005))
            st.caption(v.t("wi_target_cap", value=i18n.fmt_pct(terms["mql_to_sql_target"], v.lang, 0)))
            if not now["is_estimate"]:  # an observed yield: k of n handed-over leads, with its Wilson interval
                ui.interval_line(v, rate, intervals.wilson(now["reached_sql"], now["volume"]))
        with cols[2]:
            st.metric(v.t("wi_sqls"), i18n.fmt_num(sqls, v.lang, 0),
                      i18n.fmt_signed(d_sqls, v.lang, 0) if d_sqls is not None else None, border=True,
                      help=v.t("wi_sqls_cap"), delta_description=v.t("wi_vs_today"), **ui.delta_style(d_sqls, 0.5))
            st.caption(v.t("wi_sqls_cap"))
        with cols[3]:
            st.metric(v.t("wi_per_rep"), i18n.fmt_num(whatif.per_rep(per_month, reps), v.lang, 1), border=True,
                      help=v.t("wi_reps_cap", reps=reps))
            st.caption(v.t("wi_reps_cap", reps=reps))

        if now["is_estimate"]:
            observed = i18n.fmt_pct(now["sql_rate"], v.lang)
            if now["estimated_sql_rate"] is None:
                st.warning(v.t("wi_no_estimate", observed=observed), icon=":material/warning:")
            else:
                st.warning(v.t("wi_estimate_note", today=today, observed=observed, rate=i18n.fmt_pct(rate, v.lang),
                               low=i18n.fmt_pct(now["est_low"], v.lang), high=i18n.fmt_pct(now["est_high"], v.lang),
                               method=v.t("wi_method")), icon=":material/warning:")

        left, right = st.columns(2)
        with left:
            ui.show(v, charts.whatif_curve(curve, v.lang, today, threshold, terms["monthly_mql_commitment"],
                                           terms["mql_to_sql_target"]), "def_whatif")
        with right:
            heat = ui.fetch(v, PAGE, "heat")
            ui.show(v, charts.whatif_heatmap(heat, v.lang, fit_weight, eng_weight, threshold), "def_heatmap")

    ui.fragment(sliders_and_figures)
