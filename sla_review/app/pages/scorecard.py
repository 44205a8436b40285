"""SLA scorecard (home): one tile per clause of the SLA in force, from sc.scorecard_data -> sc.tiles ->
sc.tile_text, the very functions the deck's scorecard slide calls, so both show the same tiles."""

import streamlit as st

from sla_review.app import ui
from sla_review.core.periods import running_month
from sla_review.metrics import drill
from sla_review.metrics import scorecard as sc
from sla_review.present import charts, i18n, safe

PAGE = "scorecard"  # its calls: sla_review.metrics.views.VIEWS[PAGE]
v = ui.view()
ui.page_header(v, "scorecard")
if ui.guard(v):
    shown = ui.fetch(v, PAGE, "terms")
    terms = shown.as_dict() if shown else None
    if shown is not None and shown.several:
        st.markdown(v.t("sc_versions", spans=safe.markdown(ui.terms_spans(v, shown)),
                        name=safe.markdown(terms["name"])))
    elif terms is not None:
        st.markdown(v.t("sc_version", name=safe.markdown(terms["name"]),
                        date=i18n.fmt_date(terms["effective_from"], v.lang)))

    data = ui.fetch(v, PAGE, "data", maturity_days=v.maturity_days)
    report = data.report
    tiles = sc.tiles(data, ui.fetch(v, PAGE, "data_cmp", maturity_days=v.maturity_days), terms, v.guides,
                     sc.segmented(v.filters))
    by_tier = sc.tier_texts(ui.fetch(v, PAGE, "by_tier"), v.lang)  # [] unless a version of the period has tiers
    for column, tile in zip(st.columns(len(tiles)), tiles, strict=True):
        with column:
            ui.scorecard_tile(v, tile, by_tier if tile.key == "response" else None)
            ui.leads_button(v, drill.TILES[tile.key], f"sc_leads_{tile.key}", "sc_tiles")
    ui.leads_here(v, "sc_tiles")

    left, right = st.columns(2)
    with left:
        ui.show(v, charts.monthly_mqls(report["mql_monthly"], v.lang, running_month(v.period)),
                "def_mql_volume")
    with right:
        funnel = ui.fetch(v, PAGE, "funnel")
        ui.show(v, charts.funnel(funnel, None, v.lang, v.period_label, None, v.t("sc_funnel_title")), "def_funnel",
                key="sc_funnel", opens=lambda point: drill.funnel_point(point, funnel, "cohort", False))

    with st.expander(v.t("sc_terms"), icon=":material/description:"):
        ui.terms_table(v, shown)
