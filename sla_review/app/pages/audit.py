"""Audit trail page: every import, terms change and adoption — when, who, through which door, from which files
(name, size, SHA-256), rows loaded and the notes accepted (sla_review.ingest.audit). Read-only, for every role:
the room can see which import the numbers are built on and who made it."""

from __future__ import annotations

import zoneinfo
from typing import Any

import polars as pl
import streamlit as st

from sla_review.app import ui
from sla_review.export.csv_export import csv_bytes
from sla_review.ingest import audit
from sla_review.present import catalogue, i18n

v = ui.view()
lang = v.lang
LIMIT = 200


def w(key: str, **values: Any) -> str:
    return catalogue.t(f"audit.{key}", lang, **values)


def files_text(raw: str | None) -> str:
    files = audit.files_of({"files": raw})
    return "; ".join(f"{f.name} ({i18n.fmt_int(f.bytes, lang)} B, SHA-256 {f.sha256[:12]}…)" for f in files)


def table(history: pl.DataFrame, tz: str) -> pl.DataFrame:
    """One row per import, in the reader's words (the full SHA-256 is in the CSV)."""
    zone = zoneinfo.ZoneInfo(tz)
    return history.select(
        pl.col("import_id").alias(w("c_id")),
        pl.col("imported_at").map_elements(lambda x: i18n.fmt_datetime(x.astimezone(zone), lang),
                                           return_dtype=pl.Utf8).alias(w("c_when")),
        pl.col("mode").map_elements(lambda m: w(f"mode_{m}"), return_dtype=pl.Utf8).alias(w("c_what")),
        pl.when(pl.col("via").is_null()).then(pl.lit(w("not_recorded")))
          .otherwise(pl.col("author").fill_null(w("single_user"))).alias(w("c_who")),
        pl.col("via").map_elements(lambda x: w(f"via_{x}"), return_dtype=pl.Utf8).fill_null("—").alias(w("c_via")),
        pl.col("source").alias(w("c_source")),
        pl.col("files").map_elements(files_text, return_dtype=pl.Utf8).fill_null("—").alias(w("c_files")),
        pl.col("leads").alias(w("c_leads")),
        pl.col("warnings").alias(w("c_notes")),
    )


def main() -> None:
    st.title(v.t("page_audit"))
    st.caption(w("intro"))
    history = audit.history(ui.cursor(), LIMIT)
    if not history.height:
        st.info(w("nothing"), icon=":material/history:")
        return
    st.dataframe(table(history, v.tz), hide_index=True, key="au_table", width="stretch", column_config={
        w("c_id"): st.column_config.NumberColumn(format="%d"),
        w("c_leads"): st.column_config.NumberColumn(format="localized"),
        w("c_notes"): st.column_config.NumberColumn(format="localized", help=w("c_notes_help")),
    })
    st.caption(w("older"))
    if history.height == LIMIT:
        st.caption(w("capped", n=i18n.fmt_int(LIMIT, lang)))
    st.download_button(w("download"), csv_bytes(history.with_columns(pl.col("imported_at").cast(pl.Utf8))),
                       file_name="audit_trail.csv", mime="text/csv", icon=":material/download:", key="au_csv")


main()
