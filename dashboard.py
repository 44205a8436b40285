"""The SLA review dashboard: `streamlit run dashboard.py` (the database is $SLA_DB or data/sla.duckdb).

This file is the frame every page shares: page config, navigation (the Data and deck pages join when their
files exist), the sidebar filters, the demo banner, and writing the view back to the URL after the page ran.
Everything else lives in sla_review/app/ui.py and the thin files in pages/.
"""

from __future__ import annotations

import streamlit as st

from sla_review.app import auth, ui
from sla_review.present import i18n

st.set_page_config(page_title="SLA review", page_icon=":material/handshake:", layout="wide")
ui.begin_run()
lang = ui.language()
person = auth.gate(lang)  # signed out: the sign-in page only, nothing else is drawn (issue 15)

try:
    ui.connection()
except Exception as err:  # a locked or broken file: say so instead of a stack trace
    st.error(i18n.t(lang, "db_error", error=err), icon=":material/error:")
    st.stop()

page = st.navigation(ui.navigation_pages(lang, person))
current = ui.sidebar()
auth.account(lang)
ui.banner(current)
try:
    page.run()
finally:
    ui.end_run()
