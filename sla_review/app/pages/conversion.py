"""MQL→SQL conversion: monthly MQL cohorts converted within N days (young cohorts flagged), the cumulative
curve by days since MQL, and the breakdown by segment and by rep."""

import streamlit as st

from sla_review.app import ui
from sla_review.core.vocabulary import SEGMENTS
from sla_review.metrics import breakdowns as bd
from sla_review.metrics import drill, mix_rate, views
from sla_review.present import charts

PAGE = "conversion"  # its calls: sla_review.metrics.views.VIEWS[PAGE]
DECLARED = views.VIEWS[PAGE]
v = ui.view()
ui.page_header(v, "conversion")
if ui.guard(v):
    days = v.maturity_days  # the one maturity setting (sidebar): the window N and the hatching
    terms = ui.fetch(v, PAGE, "terms")
    target = terms.version.mql_to_sql_target if terms else None
    ui.terms_note(v, terms)

    cohorts = ui.fetch(v, PAGE, "cohorts", days=days)
    ui.show(v, charts.cohorts(cohorts, v.lang, days), "def_cohorts", key="cv_cohorts",
            opens=lambda point: drill.cohort_point(point, cohorts, v.lang))

    horizon = max(DECLARED["curve"].default("max_days"), days + 30)
    curve = ui.fetch(v, PAGE, "curve", max_days=horizon)
    cmp_curve = ui.fetch(v, PAGE, "cmp_curve", max_days=horizon)
    ui.show(v, charts.conversion_curve(curve, cmp_curve, v.lang, days, v.period_label, v.compare_label, target),
            "def_curve")

    segment = ui.param_select("u_cseg", v.t("cv_by"), [s for s in SEGMENTS if s != "owner"],
                              DECLARED["by"].default("segment"),
                              lambda s: v.t(f"seg_{s}"), kind="segmented")
    by = ui.fetch(v, PAGE, "by", segment=segment, days=days)
    reps = ui.fetch(v, PAGE, "reps", days=days)
    measure = bd.conversion_measure(by)
    left, right = st.columns(2)
    with left:
        title = v.t("cv_by_title" if measure == "rate_within" else "cv_by_title_to_date",
                    n=days, segment=v.t(f"seg_{segment}"))
        ui.show(v, charts.conversion_by(by, v.lang, title, measure), "def_conversion_by")
    with right:
        rep_title = v.t("cv_rep_title", n=days) if measure == "rate_within" else v.t(
            "cv_by_title_to_date", n=days, segment=v.t("seg_owner"))
        ui.show(v, charts.conversion_by(reps, v.lang, rep_title, measure, top=25), "def_conversion_by")

    with st.expander(v.t("fn_table"), icon=":material/table:"):
        ui.table(v, by, {"segment": ("col_segment", "text"), "mqls": ("col_mqls", "int"),
                         "converted": ("col_converted", "int"), "rate": ("col_rate", "pct"),
                         "mature": ("col_mature", "int"), "converted_within": ("col_within", "int"),
                         "rate_within": ("col_rate_within", "pct")}, key="cv_by_table",
                 opens=lambda i: drill.number(drill.Kind.CONVERSION_SEGMENT, segment=segment, value=by["segment"][i]))
        ui.table(v, reps, {"segment": ("col_rep", "text"), "mqls": ("col_mqls", "int"),
                           "converted": ("col_converted", "int"), "rate": ("col_rate", "pct"),
                           "mature": ("col_mature", "int"), "converted_within": ("col_within", "int"),
                           "rate_within": ("col_rate_within", "pct")}, key="cv_reps_table",
                 opens=lambda i: drill.number(drill.Kind.CONVERSION_SEGMENT, segment="owner", value=reps["segment"][i]))

    ui.mix_rate_section(v, PAGE, "u_mxdim", mix_rate.CONVERSION_DIMS, "segment")
