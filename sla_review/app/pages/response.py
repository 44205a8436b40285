"""Response times: business hours to first response (histogram, ECDF) against the target, attainment by
rep/team/channel/weekday/hour, the breaches (downloadable), and follow-up compliance."""

import functools

import polars as pl
import streamlit as st

from sla_review.app import ui
from sla_review.core.terms import DEFAULT_TIER
from sla_review.export import csv_export
from sla_review.metrics import breakdowns as bd
from sla_review.metrics import drill, mix_rate, views
from sla_review.metrics import scorecard as sc
from sla_review.present import charts, formats, i18n, safe

PAGE = "response"  # its calls: sla_review.metrics.views.VIEWS[PAGE]
DECLARED = views.VIEWS[PAGE]
MAX_ATTEMPTS, SHOWN = DECLARED["attempts"].default("max_attempts"), DECLARED["breaches"].default("limit")

v = ui.view()
ui.page_header(v, "response")
if ui.guard(v):
    terms = ui.fetch(v, PAGE, "terms")
    applied = [a.version for a in terms.applied] if terms else []
    targets = [(x.name, x.response_target_hours) for x in applied]  # one line per version's target
    minimums = charts.tier_minimums(applied, v.lang) or [(x.name, x.min_attempts) for x in applied]
    ui.terms_note(v, terms)
    report = ui.fetch(v, PAGE, "report")
    r, f = report["response"], report["follow_up"]
    estimates = {  # each estimate with its 95% interval (the report's *_ci95), as on the scorecard tile
        "rs_attainment": formats.interval(r["attainment"], *(r["attainment_ci95"] or (None, None)), v.lang),
        "rs_median": formats.interval(r["median_business_hours"], *(r["median_business_hours_ci95"] or (None, None)),
                                      v.lang, unit="hours"),
        "rs_p90": formats.interval(r["p90_business_hours"], *(r["p90_business_hours_ci95"] or (None, None)), v.lang,
                                   unit="hours"),
        "tile_follow_up": formats.interval(f["rate"], *(f["rate_ci95"] or (None, None)), v.lang)}

    for column, (label, value) in zip(st.columns(5), (
            ("rs_attainment", i18n.fmt_pct(r["attainment"], v.lang)),
            ("rs_median", i18n.fmt_hours(r["median_business_hours"], v.lang)),
            ("rs_p90", i18n.fmt_hours(r["p90_business_hours"], v.lang)),
            ("rs_handoffs", i18n.fmt_int(r["handoffs"])),
            ("tile_follow_up", i18n.fmt_pct(f["rate"], v.lang))), strict=True):
        with column:
            st.metric(v.t(label), value, border=True,
                      help=ui.definition_text(v, "def_follow_up" if label == "tile_follow_up" else "def_response"))
            if label in estimates:
                st.caption(estimates[label])
            opened = {"rs_attainment": "response", "rs_handoffs": "handoffs", "tile_follow_up": "follow_up"}
            if label in opened:
                ui.leads_button(v, drill.TILES[opened[label]], f"rs_leads_{label}", "rs_tiles")
    ui.leads_here(v, "rs_tiles")

    if r.get("no_data"):  # no activity in the whole import: nothing here can be measured, nothing is "0%"
        st.info(v.t("rs_no_data"), icon=":material/phone_disabled:")
    else:
        by_tier = ui.fetch(v, PAGE, "by_tier")  # [] unless a version of the period has tiers
        if by_tier:  # each tier's own target: its lines replace the versions' (the default's are among them)
            targets = charts.tier_targets(by_tier, v.lang) or targets
            st.subheader(v.t("rs_tiers"))
            st.caption(v.t("rs_tiers_caption", min=sc.MIN_CASES))
            header, *cells = sc.tier_table(sc.tier_texts(by_tier, v.lang), v.lang)  # the deck's slide draws it too
            # a static table wraps a long tier name instead of hiding the attainment off to the right (st.table
            # renders Markdown: every cell escaped)
            st.table({safe.markdown(h): [safe.markdown(row[j]) for row in cells] for j, h in enumerate(header)},
                     hide_index=True)
        bin_hours, max_hours = charts.response_bins(targets)  # the declared 0.5 h / 8 h for targets up to 4 h
        hist = ui.fetch(v, PAGE, "hist", bin_hours=bin_hours, max_hours=max_hours)
        left, right = st.columns(2)
        with left:
            ui.show(v, charts.response_hist(hist, v.lang, targets, bin_hours, max_hours), "def_response_hist",
                    key="rs_hist", opens=lambda point: drill.hist_point(point, hist, bin_hours, max_hours))
        with right:
            ui.show(v, charts.response_ecdf(hist, v.lang, targets, max_hours), "def_response_hist")

        dim = ui.param_select("u_rdim", v.t("rs_by"), bd.RESPONSE_DIMS, DECLARED["by"].default("dim"),
                              lambda d: v.t(f"dim_{d}"),
                              kind="segmented")
        by = ui.fetch(v, PAGE, "by", dim=dim)
        labels = [ui.dim_label(v, dim, k) for k in by["key"]]
        left, right = st.columns(2)
        with left:
            ui.show(v, charts.attainment_by(by, v.lang, v.t("rs_by_title", dim=v.t(f"dim_{dim}")), v.guides.attainment,
                                            labels), "def_response_by")
        with right:
            heat = ui.fetch(v, PAGE, "heat")
            ui.show(v, charts.attainment_heat(heat, v.lang))
        with st.expander(v.t("rs_table"), icon=":material/table:"):
            ui.table(v, by.with_columns(pl.Series("key", labels)),
                     {"key": ("dim_" + dim, "text"), "handoffs": ("col_handoffs", "int"),
                      "within_target": ("col_within_target", "int"), "breached": ("col_breached", "int"),
                      "pending": ("col_pending", "int"), "attainment": ("col_attainment", "pct"),
                      "attainment_interval": ("col_attainment_interval", "interval"),
                      "median_business_hours": ("col_median_hours", "num"),
                      "p90_business_hours": ("col_p90_hours", "num"),
                      "due": ("col_due", "int"), "compliant": ("col_compliant", "int"),
                      "follow_up_rate": ("col_follow_up_rate", "pct"),
                      "follow_up_rate_interval": ("col_follow_up_interval", "interval")}, key="rs_by_table",
                     opens=lambda i: drill.number(drill.Kind.RESPONSE_ROW, dim=dim, key=by["key"][i]))

        ui.mix_rate_section(v, PAGE, "u_rmxdim", mix_rate.ATTAINMENT_DIMS, "dim")

        attempts = ui.fetch(v, PAGE, "attempts")
        ui.show(v, charts.followup_attempts(attempts, v.lang, minimums, MAX_ATTEMPTS),
                "def_follow_up")

        st.subheader(v.t("rs_breaches"))
        no_tier = i18n.tier_label(DEFAULT_TIER, v.lang)
        breaches = ui.fetch(v, PAGE, "breaches").with_columns(
            pl.col("channel").fill_null(v.t("no_response")), pl.col("tier").fill_null(no_tier))
        st.caption(v.t("rs_breaches_caption", n=i18n.fmt_int(r["breached"]),
                       shown=i18n.fmt_int(breaches.height)))
        ui.leads_button(v, drill.TILES["breached"], "rs_leads_breached", "rs_breaches")
        ui.leads_here(v, "rs_breaches")
        columns = {"lead_id": ("col_lead", "text"), "company": ("col_company", "text"), "rep": ("col_rep", "text"),
                   "team": ("col_team", "text"),
                   "handoff_local": ("col_handoff_local", "text"), "target_hours": ("col_target_hours", "num"),
                   "business_hours": ("col_business_hours", "num"), "responded": ("col_responded", "bool"),
                   "channel": ("col_channel", "text")}
        if by_tier:  # whose target each row missed
            columns = {"tier": ("col_tier", "text"), **columns}
        ui.table(v, breaches.head(SHOWN), columns, height=360)
        export = columns | {"source": ("col_source", "text")}
        # the full list (every breach, not only the rows shown) is built when the button is clicked
        st.download_button(v.t("download_csv"),
                           functools.partial(csv_export.breaches_csv, ui.connection(), v.period, v.filters,
                                             {c: v.t(k) for c, (k, _) in export.items()}, v.t("no_response"),
                                             no_tier),
                           file_name=f"sla-breaches-{v.period.from_day}-{v.period.to_day}.csv", mime="text/csv",
                           icon=":material/download:", disabled=breaches.height == 0)
