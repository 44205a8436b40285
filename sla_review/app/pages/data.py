"""Data page: load CRM exports from the browser — upload, map, preview every problem, then import in one click.

Thin on purpose: reading, detection, the column-mapping editor's model, the dry-run checks and the import live in
sla_review.ingest.data_flow (no Streamlit, unit-tested with the real datasets). This file draws widgets around it.

Safety: user values (file names, column names, cell values, uploaded mapping names) appear only in tables,
select boxes and code blocks, never inside Markdown; unsafe_allow_html is never used.

State (st.session_state): ``dp_sig`` (ids of the uploaded files) and ``dp_batch`` (what they gave) are only
recomputed when the uploads change, so widget changes do not re-read files. Tests that cannot upload set both
(``dp_sig = ()`` and a Batch) before running the page. ``dp_preview`` caches the last preview by its inputs;
``dp_outcome`` keeps the last import's result across the rerun that refreshes every page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from typing import Any

import holidays
import polars as pl
import streamlit as st

from sla_review.app import auth, ui
from sla_review.core.problems import Problem
from sla_review.core.terms import DATE_RANGE, NAME_MAX, ConfigError, known_timezones
from sla_review.core.vocabulary import CANONICAL_COLUMNS, CHANNELS, LADDER, STAGES
from sla_review.ingest import audit, coverage
from sla_review.ingest import data_flow as flow
from sla_review.ingest.importer import ImportFailed
from sla_review.ingest.mapping import Mapping, MappingError
from sla_review.present import coverage_text, i18n, safe
from sla_review.present.data_page_text import TEXT, text

NONE = "\x00none"
CONST = "\x00const"
NO_STAGE = "—"  # the status table's "no event" choice (a data-editor cell cannot show a label for "")
TABLES = ("leads", "stage_events", "activities", "reps")
SCORES = ("fit_score", "engagement_score")

v = ui.view()
lang = v.lang
ss = st.session_state


def t(key: str, **values: Any) -> str:
    return text(lang, key, **values)


def fmt_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} B"


def local_date(value: dt.datetime | None, tz: str | None) -> str:
    if value is None:
        return i18n.DASH
    return i18n.fmt_date(value.astimezone(zoneinfo.ZoneInfo(tz or "UTC")).date(), lang)


def problem_frame(problems: list[Problem]) -> pl.DataFrame:
    """Problems as a table: file, row, column, value, message — plain cells, never Markdown."""
    return pl.DataFrame({
        "file": [p.file for p in problems],
        "row": [p.row for p in problems],
        "column": [p.column for p in problems],
        "value": [None if p.value is None else str(p.value) for p in problems],
        "message": [p.text(lang) for p in problems],
    }, schema={"file": pl.Utf8, "row": pl.Int64, "column": pl.Utf8, "value": pl.Utf8, "message": pl.Utf8})


def show_problems(problems: list[Problem], key: str) -> None:
    """A table to scan (by file, row, column, value) and the same list as full sentences to read."""
    frame = problem_frame(problems)
    labels = {"file": t("c_file"), "row": t("c_row"), "column": t("c_column"),
              "value": t("c_value"), "message": t("c_message")}
    # narrow cells so that "what is wrong" stays in view at 800 px (the sentences below say everything whole)
    widths = {"file": "small", "row": "small", "column": "small", "value": "small", "message": "large"}
    st.dataframe(frame, hide_index=True, key=key, column_config={
        c: st.column_config.TextColumn(labels[c], width=widths[c]) if c != "row"
        else st.column_config.NumberColumn(labels[c], format="%d", width="small") for c in frame.columns})
    with st.expander(t("full_messages"), icon=":material/notes:"):
        st.text(flow.all_problems_text(problems, lang), width="stretch")
    if not all(p.speaks(lang) for p in problems):  # e.g. a mapping file's own error: still English only
        st.caption(t("messages_note"))


def text_table(columns: dict[str, list], counts: tuple[str, ...] = ()) -> pl.DataFrame:
    """An editable table's data with typed columns even when empty: st.data_editor gives an untyped (empty)
    column no type, so the cells of a row added in the browser came back as None and never reached the mapping."""
    return pl.DataFrame(columns, schema={c: pl.Int64 if c in counts else pl.Utf8 for c in columns})


def first_drawn(key: str, data: pl.DataFrame) -> pl.DataFrame:
    """A fixed-rows editor's data as first drawn under ``key`` (same rows): the saved edits feed the guess, so the
    data would change under the user's edit, and the browser then drops its edit state and sends a rerun of its
    own a moment later, which stopped the next run wherever it was (an import's, losing its outcome or its
    click). While the widget lives its edits are in it and the data it starts from stays put; else (a new upload:
    keys start with dp_ed_, or the table was not drawn) it starts from the saved edits."""
    kept = ss.get(key + "_base") if key in ss else None  # the widget was not drawn last run: its edits are gone
    if isinstance(kept, pl.DataFrame) and kept.columns == data.columns and kept.height == data.height \
            and kept["value"].equals(data["value"]):
        return kept
    ss[key + "_base"] = data
    return data


def stage_label(stage: str) -> str:
    """A stage's name on screen; the page's own catalogue fills stages the shared one does not name yet."""
    if not stage or stage == NO_STAGE:
        return t("stage_none")
    label = i18n.stage(stage, lang)
    return t(f"stage_{stage}") if label == stage and f"stage_{stage}" in TEXT["en"] else label


# ---------------------------------------------------------------- 0. what is loaded


def loaded_section() -> flow.Loaded:
    loaded = flow.loaded_summary(ui.cursor())
    st.subheader(t("loaded_header"), divider="gray")
    if loaded.empty:
        st.info(t("nothing_loaded"), icon=":material/database:")
        if not loaded.sla_versions:
            st.caption(t("no_sla"))
        return loaded
    cols = st.columns(4)
    for col, table in zip(cols, TABLES, strict=True):
        col.metric(t(f"m_{table}"), i18n.fmt_int(loaded.counts[table], lang), border=True)
    if loaded.is_demo:
        st.badge(t("badge_demo"), color="orange", icon=":material/science:")
    else:
        st.badge(t("badge_own"), color="green", icon=":material/verified:")
    st.caption(t("span", first=local_date(loaded.first, loaded.timezone), last=local_date(loaded.last, loaded.timezone),
                 tz=safe.markdown(loaded.timezone or "UTC")))
    latest = loaded.latest
    if latest is not None:
        when = i18n.fmt_datetime(latest["imported_at"].astimezone(zoneinfo.ZoneInfo(loaded.timezone or "UTC")), lang)
        st.caption(t("last_import", when=when, mode=t(f"mode_word_{latest['mode']}")))
        if latest.get("left_out_rows"):  # asked for by name, recorded with the import (import_left_out)
            st.caption(t("last_left_out", n=i18n.fmt_int(latest["left_out_rows"], lang)))
        with st.expander(t("history"), icon=":material/history:"):
            history = loaded.imports.select(
                "import_id",
                pl.col("imported_at").map_elements(lambda x: i18n.fmt_datetime(x, lang), return_dtype=pl.Utf8),
                "source", pl.col("mode").map_elements(lambda m: t(f"mode_word_{m}"), return_dtype=pl.Utf8),
                "is_demo", "leads", "stage_events", "activities", "reps", "left_out_rows")
            st.dataframe(history, hide_index=True, key="dp_history", column_config={
                "import_id": st.column_config.NumberColumn(t("h_id"), format="%d"),
                "imported_at": t("h_when"), "source": st.column_config.TextColumn(t("h_source")),
                "mode": t("h_mode"), "is_demo": st.column_config.CheckboxColumn(t("h_demo")),
                "leads": t("m_leads"), "stage_events": t("m_stage_events"), "activities": t("m_activities"),
                "reps": t("m_reps"), "left_out_rows": st.column_config.NumberColumn(t("h_left_out"), format="%d")})
    st.page_link("sla_review/app/pages/terms.py", label=t("terms_link"), icon=":material/rule:")
    return loaded


# ---------------------------------------------------------------- 1. upload


def reset_for_new_batch() -> None:
    for key in [k for k in ss if isinstance(k, str) and k.startswith(("dp_ed_", "dp_mapping", "dp_sla"))]:
        del ss[key]
    ss.pop("dp_preview", None)
    ss.pop("dp_outcome", None)
    ss.pop("dp_replace_empty", None)  # asked for one set of files only
    ss.pop("dp_leave_out", None)  # likewise: a new file is all-or-nothing until asked again


def upload_section() -> flow.Batch | None:
    st.subheader(t("upload_header"), divider="gray")
    files = st.file_uploader(t("upload_label"), type=list(flow.UPLOAD_TYPES), accept_multiple_files=True,
                             key="dp_upload", help=t("upload_help")) or []
    sig = tuple(f.file_id for f in files)
    if ss.get("dp_sig") != sig:
        ss["dp_batch"] = flow.receive([(f.name, f.getbuffer()) for f in files],
                                      should_stop=ui.session_gone) if files else None
        ss["dp_sig"] = sig  # after the read: a read stopped half-way (the tab closed) is read again next time
        reset_for_new_batch()
    batch: flow.Batch | None = ss.get("dp_batch")
    if batch is None:
        return None
    kinds = {k: t(f"kind_{k}") for k in ("data", "mapping", "sla", "unreadable")}
    table = pl.DataFrame({
        "file": [f.name for f in batch.files],
        "kind": [kinds[f.kind] for f in batch.files],
        "rows": [f.rows for f in batch.files],
        "columns": [f.columns for f in batch.files],
        "size": [fmt_size(f.size) for f in batch.files],
        "note": [f.text(lang) for f in batch.files],
    }, schema={"file": pl.Utf8, "kind": pl.Utf8, "rows": pl.Int64, "columns": pl.Int64, "size": pl.Utf8,
               "note": pl.Utf8})
    st.caption(t("files_caption"))
    st.dataframe(table, hide_index=True, key="dp_files", column_config={
        "file": st.column_config.TextColumn(t("c_file")), "kind": t("c_kind"),
        "rows": st.column_config.NumberColumn(t("c_rows"), format="localized"),
        "columns": st.column_config.NumberColumn(t("c_columns"), format="%d"), "size": t("c_size"),
        "note": st.column_config.TextColumn(t("c_note"), width="large")})
    if batch.unreadable:
        st.error(t("unreadable", n=len(batch.unreadable)), icon=":material/block:")
        for info in batch.unreadable:  # the whole sentence, as plain text (a table cell would cut it off)
            st.text(f"• {info.text(lang)}", width="stretch")
        if not all(info.problem is not None and info.problem.speaks(lang) for info in batch.unreadable):
            st.caption(t("messages_en"))
    if not batch.frames:
        st.info(t("no_data_yet"), icon=":material/upload_file:")
        return None
    return batch


# ---------------------------------------------------------------- 2. mapping


def mapping_section(batch: flow.Batch) -> Mapping | None:
    st.subheader(t("mapping_header"), divider="gray")
    builtins = flow.builtin_mappings()
    detected = flow.builtin_key(batch.detected)
    if detected is not None:
        st.success(t("recognised", name=builtins[detected].name), icon=":material/check_circle:")
    else:
        st.info(t("not_recognised"), icon=":material/help:")
    options = ([f"builtin:{detected}"] if detected else []) + [f"uploaded:{n}" for n in batch.mappings]
    options += ["editor"] + [f"builtin:{k}" for k in builtins if k != detected]
    default = next((o for o in options if o.startswith("uploaded:")), options[0])
    layouts = tuple(flow.layout(f) for f in batch.frames.values())
    chosen: dict[tuple, str] = ss.setdefault("dp_choices", {})  # the files' layouts → the user's last choice
    if chosen.get(layouts) in options:
        default = chosen[layouts]

    def label(option: str) -> str:
        kind, _, name = option.partition(":")
        if kind == "builtin":
            return t("opt_recognised" if name == detected else "opt_preset", name=builtins[name].name)
        if kind == "uploaded":
            return t("opt_uploaded", name=f"{batch.mappings[name].name} ({name})")
        return t("opt_editor")

    choice = st.selectbox(t("mapping_choice"), options, index=options.index(default), format_func=label,
                          key="dp_mapping")
    chosen[layouts] = choice
    if not batch.mappings:
        st.caption(t("reuse_hint"))
    kind, _, name = choice.partition(":")
    if kind == "builtin":
        mapping = builtins[name]
        if mapping.description:
            st.caption(mapping.description)
    elif kind == "uploaded":
        mapping = batch.mappings[name]
    else:
        spec = editor(batch)
        try:
            mapping = flow.editor_mapping(spec, batch.frames)
        except MappingError as err:
            st.warning(t("mapping_invalid"), icon=":material/edit_note:")
            st.code(err.text(lang), language=None, wrap_lines=True)
            return None
    toml = flow.mapping_text(mapping)
    file_name = f"{flow.slug(mapping.name)}.toml"
    st.download_button(t("download_mapping"), toml, file_name=file_name, mime="application/toml",
                       icon=":material/download:", key="dp_dl_mapping")
    with st.expander(t("show_toml"), icon=":material/code:"):
        st.code(toml, language="toml")
        st.caption(t("cli_hint"))
        st.code(f"python -m sla_review import --db PATH --mapping {file_name} " + " ".join(
            f'"{n}"' if " " in n else n for n in batch.frames), language="bash", wrap_lines=True)
    return mapping


def channel_label(channel: str) -> str:
    """A response channel's name on screen."""
    return t(f"ch_{channel}") if channel in CHANNELS else t("stage_none")


def event_label(meaning: str) -> str:
    """What an event name means in the event table: a stage, a sales response on a channel, or nothing."""
    if meaning in CHANNELS:
        return t("ev_response", channel=channel_label(meaning))
    if meaning in STAGES:
        return t("ev_stage", stage=stage_label(meaning))
    return t("ev_nothing")


def pick_column(label: str, columns: list[str], default: str | None, key: str, *,
                help: str | None = None) -> str | None:
    """A select box of the file's columns, "not in the file" first (a required one left so is said below)."""
    options = [NONE, *columns]
    index = options.index(default) if default in options else 0
    pick = st.selectbox(label, options, index=index, key=key, help=help,
                        format_func=lambda o: t("opt_none") if o == NONE else o)
    return None if pick == NONE else pick


def event_log_part(frame: pl.DataFrame, columns: list[str], g: flow.EditorSpec, p: str,
                   joined: bool = False) -> dict[str, Any]:
    """The event log's own choices: record id, event name, time, actor; what each event name means; which row
    gives the lead's fields; where created_at comes from. ``joined``: the log is a second file whose events join
    the leads of the main file by the lead id (no lead fields come from it)."""
    if not joined:
        st.markdown(f"**{t('ed_log')}**")
        st.caption(t("ed_log_help"))
    top, bottom = st.columns(2), st.columns(2)  # two by two: four in a row are cramped on a narrow screen
    lead_default = g.log_lead_column if joined else g.fields.get("lead_id", flow.FieldChoice()).value
    with top[0]:
        lead = pick_column(t("f_log_lead" if joined else "f_record_id"), columns, lead_default, p + "log_lead")
    with top[1]:
        event = pick_column(t("f_event"), columns, g.event_column, p + "log_event")
    with bottom[0]:
        when = pick_column(t("f_time"), columns, g.time_column, p + "log_time")
    with bottom[1]:
        actor = pick_column(t("f_actor"), columns, g.actor_column, p + "log_actor", help=t("f_actor_help"))
    event_map: dict[str, str] = {}
    if event is not None:
        values = flow.distinct_values(frame, event, flow.MAX_STATUS_VALUES + 1)
        if len(values) > flow.MAX_STATUS_VALUES:
            st.warning(t("ed_too_many_events", n=flow.MAX_STATUS_VALUES), icon=":material/warning:")
            values = values[:flow.MAX_STATUS_VALUES]
        known = g.event_map if event == g.event_column else {}
        st.caption(t("ed_event_values"))
        events_key = p + "events_" + str(columns.index(event))
        edited = st.data_editor(
            first_drawn(events_key, text_table(
                {"value": [x for x, _ in values], "rows": [n for _, n in values],
                 "means": [known.get(x, flow.guess_event(x)) or NO_STAGE for x, _ in values]}, counts=("rows",))),
            hide_index=True, disabled=["value", "rows"], key=events_key,
            width="stretch",
            column_config={
                "value": st.column_config.TextColumn(t("c_event"), width="medium"),
                "rows": st.column_config.NumberColumn(t("c_count"), format="localized", width="small"),
                "means": st.column_config.SelectboxColumn(t("c_means"), options=[NO_STAGE, *STAGES, *CHANNELS],
                                                          format_func=event_label, required=True, width="medium"),
            })
        event_map = {r["value"]: "" if r.get("means") in (None, NO_STAGE) else r["means"]
                     for r in ui.editor_rows(edited)}
    if joined:
        return {"lead": lead, "event": event, "time": when, "actor": actor, "event_map": event_map}
    left, right = st.columns(2)
    per_lead = left.radio(t("ed_per_lead"), ("first", "last"), index=("first", "last").index(g.per_lead),
                          format_func=lambda o: t(f"per_lead_{o}"), key=p + "log_per_lead", horizontal=True,
                          help=t("ed_per_lead_help"))
    created = g.fields.get("created_at", flow.FieldChoice())
    created_options = [flow.FIRST_EVENT, *columns]
    created_default = created.value if created.kind == "column" and created.value in created_options \
        else flow.FIRST_EVENT
    created_at = right.selectbox(t("ed_log_created"), created_options, index=created_options.index(created_default),
                                 format_func=lambda o: t("opt_first_event") if o == flow.FIRST_EVENT else o,
                                 key=p + "log_created")
    return {"lead": lead, "event": event, "time": when, "actor": actor, "event_map": event_map,
            "per_lead": per_lead, "created_at": created_at}


def responses_part(columns: list[str], g: flow.EditorSpec, p: str) -> dict[str, str]:
    """One row per lead: date columns that are a sales response (a call, an email) on a channel, by the owner."""
    st.caption(t("ed_responses") + t("sentence_gap") + t("ed_responses_help"))
    edited = st.data_editor(
        text_table({"column": list(g.response_columns), "channel": list(g.response_columns.values())}),
        num_rows="dynamic", hide_index=True, key=p + "responses", width="stretch",
        column_config={
            "column": st.column_config.SelectboxColumn(t("c_source_column"), options=columns, required=True),
            "channel": st.column_config.SelectboxColumn(t("c_channel"), options=list(CHANNELS), required=True,
                                                        format_func=channel_label),
        })
    return {r["column"]: r["channel"] for r in ui.editor_rows(edited) if r.get("column") and r.get("channel")}


def editor(batch: flow.Batch) -> flow.EditorSpec:
    """The column-mapping editor: canonical lead fields ← file columns or constants, stages, responses, dates,
    blanks; for one row per lead (wide dates, a status column) or an event log (one row per event)."""
    st.caption(t("ed_intro"))
    names = list(batch.frames)
    file = names[0]
    if len(names) > 1:
        first = flow.lead_file(batch.frames) or names[0]
        file = st.selectbox(t("ed_file"), names, index=names.index(first), key="dp_ed_file")
    frame = batch.frames[file]
    saved: dict[tuple[str, ...], flow.EditorSpec] = ss.setdefault("dp_edits", {})  # kept across uploads
    kept = saved.get(flow.layout(frame))
    guess = flow.guess_editor(batch.frames, file) if kept is None else dataclasses.replace(kept, file=file)
    if kept is not None:
        st.caption(t("ed_kept"))
    p = f"dp_ed_{names.index(file)}_"
    columns = [c for c in frame.columns if c not in ("__file", "__row")]
    name = st.text_input(t("ed_name"), value=guess.name, key=p + "name")
    layout = st.radio(t("ed_layout"), flow.LAYOUTS, index=flow.LAYOUTS.index(guess.layout),
                      format_func=lambda o: t(f"layout_{o}"), key=p + "layout", horizontal=True,
                      help=t("ed_layout_help"))
    # the other layout's draft when the user switches: its columns guessed afresh, the lead fields kept
    g = guess if layout == guess.layout else flow.guess_editor(batch.frames, file, layout=layout)
    log = layout == "event_log"
    chosen: dict[str, flow.FieldChoice] = {}
    log_choice: dict[str, Any] = {}
    if log:
        log_choice = event_log_part(frame, columns, g, p)
        chosen["lead_id"] = flow.FieldChoice("column", log_choice["lead"] or "")
        chosen["created_at"] = flow.FieldChoice("column", log_choice["created_at"])

    st.markdown(f"**{t('ed_fields')}**")
    if log:
        st.caption(t("ed_fields_log", row=t(f"per_lead_{log_choice['per_lead']}")))
    grid = st.columns(3)
    shown = [f for f in CANONICAL_COLUMNS["leads"] if not (log and f in ("lead_id", "created_at"))]
    for i, field in enumerate(shown):
        fg = g.fields.get(field, flow.FieldChoice())
        options = list(columns) if field == "lead_id" else [NONE, CONST, *columns]
        if field == "lead_id":
            default = fg.value if fg.kind == "column" and fg.value in columns else columns[0]
        else:
            default = fg.value if fg.kind == "column" and fg.value in columns else CONST if fg.kind == "const" \
                else NONE
        with grid[i % 3]:
            pick = st.selectbox(t(f"f_{field}"), options, index=options.index(default), key=p + "f_" + field,
                                format_func=lambda o: t("opt_none") if o == NONE else t("opt_const") if o == CONST
                                else o)
            if pick == CONST:
                value = st.text_input(t("const_value"), value=fg.value if fg.kind == "const" else "",
                                      key=p + "c_" + field,
                                      help=t("const_date_help") if field == "created_at" else None)
                chosen[field] = flow.FieldChoice("const", value)
            elif pick == NONE:
                chosen[field] = flow.FieldChoice()
            elif field in SCORES:
                lo_col, hi_col = st.columns(2)
                lo = lo_col.number_input(t("scale_min"), value=float(fg.min or 0.0), key=p + "lo_" + field,
                                         help=t("scale_help"))
                hi = hi_col.number_input(t("scale_max"), value=float(fg.max or 0.0), key=p + "hi_" + field)
                scaled = hi > lo and not (lo == 0 and hi in (0, 100))
                chosen[field] = flow.FieldChoice("column", pick, lo if scaled else None, hi if scaled else None)
            else:
                chosen[field] = flow.FieldChoice("column", pick)

    st.markdown(f"**{t('ed_stages')}**")
    start_options = ["", *LADDER]
    created_stage = st.selectbox(t("ed_created_stage"), start_options,
                                 index=start_options.index(g.created_stage), format_func=stage_label,
                                 key=p + "created_stage")
    stage_columns: dict[str, str] = {}
    status_map: dict[str, str] = {}
    status_date = flow.LEAD_CREATED
    status = NONE
    response_columns: dict[str, str] = {}
    if not log:
        st.caption(t("ed_stage_columns") + t("sentence_gap") + t("ed_stage_columns_help"))
        wide = st.data_editor(
            text_table({"column": list(g.stage_columns), "stage": list(g.stage_columns.values())}),
            num_rows="dynamic", hide_index=True, key=p + "wide", width="stretch",
            column_config={
                "column": st.column_config.SelectboxColumn(t("c_source_column"), options=columns, required=True),
                "stage": st.column_config.SelectboxColumn(t("c_stage"), options=list(STAGES), required=True,
                                                          format_func=stage_label),
            })
        stage_columns = {r["column"]: r["stage"] for r in ui.editor_rows(wide) if r.get("column") and r.get("stage")}

        status_options = [NONE, *columns]
        status_default = g.status_column if g.status_column in columns else NONE
        status = st.selectbox(t("ed_status"), status_options, index=status_options.index(status_default),
                              format_func=lambda o: t("opt_none") if o == NONE else o, key=p + "status",
                              help=t("ed_status_help"))
        if status != NONE:
            values = flow.distinct_values(frame, status, flow.MAX_STATUS_VALUES + 1)
            if len(values) > flow.MAX_STATUS_VALUES:
                st.warning(t("ed_too_many", n=flow.MAX_STATUS_VALUES), icon=":material/warning:")
                values = values[:flow.MAX_STATUS_VALUES]
            known = g.status_map if status == g.status_column else {}
            st.caption(t("ed_status_values"))
            status_key = p + "status_map_" + str(columns.index(status))
            edited = st.data_editor(
                first_drawn(status_key, text_table(
                    {"value": [x for x, _ in values], "rows": [n for _, n in values],
                     "stage": [known.get(x, flow.guess_stage(x)) or NO_STAGE for x, _ in values]},
                    counts=("rows",))),
                hide_index=True, disabled=["value", "rows"], key=status_key,
                width="stretch",
                column_config={
                    "value": st.column_config.TextColumn(t("c_value")),
                    "rows": st.column_config.NumberColumn(t("c_count"), format="localized"),
                    "stage": st.column_config.SelectboxColumn(t("c_stage"), options=[NO_STAGE, *STAGES],
                                                              format_func=stage_label, required=True),
                })
            status_map = {r["value"]: "" if r.get("stage") in (None, NO_STAGE) else r["stage"]
                          for r in ui.editor_rows(edited)}
            date_options = [flow.LEAD_CREATED, *[c for c in columns if c != status]]
            date_default = g.status_date if (status == g.status_column and g.status_date in date_options) \
                else flow.LEAD_CREATED
            status_date = st.selectbox(t("ed_status_date"), date_options, index=date_options.index(date_default),
                                       format_func=lambda o: t("opt_lead_created") if o == flow.LEAD_CREATED else o,
                                       key=p + "status_date_" + str(columns.index(status)))
        st.markdown(f"**{t('ed_responses_header')}**")
        response_columns = responses_part(columns, g, p)
        others = [n for n in names if n != file]
        if others:  # a second file: its events (a history or activities export) joined by the lead id
            st.markdown(f"**{t('ed_joined')}**")
            options = [NONE, *others]
            pick = st.selectbox(t("ed_joined_file"), options,
                                index=options.index(g.log_file) if g.log_file in options else 0,
                                format_func=lambda o: t("opt_no_file") if o == NONE else o, key=p + "joined",
                                help=t("ed_joined_help"))
            if pick != NONE:
                lg = g if g.log_file == pick else flow.guess_log_file(g, batch.frames, pick)
                log_frame = batch.frames[pick]
                log_columns = [c for c in log_frame.columns if c not in ("__file", "__row")]
                log_choice = event_log_part(log_frame, log_columns, lg, f"{p}j{names.index(pick)}_", joined=True)
                log_choice["file"] = pick

    st.markdown(f"**{t('ed_other')}**")
    ignored = st.multiselect(t("ed_ignored"), columns, default=[c for c in g.ignored_columns if c in columns],
                             key=p + "ignored", help=t("ed_ignored_help"), placeholder=t("ed_ignored_none"))
    left, right = st.columns([2, 3])
    nulls = left.text_input(t("ed_nulls"), value=", ".join(g.null_values), key=p + "nulls",
                            help=t("ed_nulls_help"))
    date_format = right.radio(t("ed_dates"), flow.DATE_FORMATS, format_func=lambda f: t(f"date_{f}"),
                              index=flow.DATE_FORMATS.index(g.date_format), key=p + "dates", horizontal=True,
                              help=t("date_help"))
    spec = flow.EditorSpec(
        name=name, file=file, fields=chosen, created_stage=created_stage, stage_columns=stage_columns,
        status_column=None if status == NONE else status, status_map=status_map, status_date=status_date,
        null_values=tuple(x.strip() for x in nulls.split(",") if x.strip()), date_format=date_format,
        layout=layout, event_column=log_choice.get("event"), time_column=log_choice.get("time"),
        actor_column=log_choice.get("actor"), event_map=log_choice.get("event_map", {}),
        per_lead=log_choice.get("per_lead", g.per_lead), response_columns=response_columns,
        ignored_columns=tuple(ignored), log_file=log_choice.get("file"),
        log_lead_column=log_choice.get("lead") if log_choice.get("file") else None)
    saved[flow.layout(frame)] = spec
    return spec


# ---------------------------------------------------------------- 3. SLA and mode


def sla_section(batch: flow.Batch, loaded: flow.Loaded, mapping: Mapping) -> tuple[str | None, str, str | None, str]:
    """Returns (the SLA argument for import_sources, a cache key for it, the timezone in force, the mode)."""
    st.subheader(t("sla_header"), divider="gray")
    current = flow.current_sla(ui.cursor())
    options = (["keep"] if current else []) + [f"file:{n}" for n in batch.sla_texts]
    if not current:
        options.append("template")
    default = next((o for o in options if o.startswith("file:")), options[0])

    def label(option: str) -> str:
        if option.startswith("file:"):
            return t("sla_uploaded", name=option.removeprefix("file:"))
        return t(f"sla_{option}")

    choice = st.selectbox(t("sla_choice"), options, index=options.index(default), format_func=label, key="dp_sla")
    sla: str | None
    if choice == "keep":
        sla, config = None, current
    elif choice == "template":  # no sla.toml anywhere: the user confirms or edits the terms (issue 10)
        sla = terms_form(batch, mapping)
        config = flow.sla_config(sla)
    else:
        sla = batch.sla_texts[choice.removeprefix("file:")]
        config = flow.sla_config(sla, choice.removeprefix("file:"))
    tz = config.calendar.timezone if config else None
    if config is not None:
        st.markdown(t("tz_in_force", tz=safe.markdown(config.calendar.timezone)))
        if choice != "template":  # the form above shows the template's terms as edited
            versions = pl.DataFrame({
                t("s_name"): [x.name for x in config.versions],
                t("s_from"): [i18n.fmt_date(x.effective_from, lang) for x in config.versions],
                t("s_threshold"): [x.mql_threshold for x in config.versions],
                t("s_response"): [x.response_target_hours for x in config.versions],
                t("s_commitment"): [x.monthly_mql_commitment for x in config.versions],
                t("s_conversion"): [i18n.fmt_pct(x.mql_to_sql_target, lang, 0) for x in config.versions],
            })
            st.dataframe(versions, hide_index=True, key="dp_sla_versions")
        with st.expander(t("terms_details"), icon=":material/rule:"):  # calendars, teams, tiers (issue 13)
            ui.terms_details(v, config)
    mode = st.radio(t("mode_label"), ("replace", "append"), format_func=lambda m: t(f"mode_{m}"), key="dp_mode",
                    horizontal=True)
    if mode == "replace" and not loaded.empty:
        c = loaded.counts
        st.warning(t("replace_warning", leads=i18n.fmt_int(c["leads"], lang),
                     events=i18n.fmt_int(c["stage_events"], lang), activities=i18n.fmt_int(c["activities"], lang),
                     reps=i18n.fmt_int(c["reps"], lang)), icon=":material/warning:")
    elif mode == "append":
        st.info(t("append_note"), icon=":material/add:")
    return sla, choice + (str(hash(sla)) if sla else ""), tz, mode


def data_first_day(batch: flow.Batch, mapping: Mapping, tz: str) -> dt.date | None:
    """The first local date (in ``tz``) the mapped files hold: what a new SLA's effective date defaults to. Read
    once per files, mapping and zone."""
    key = (batch.id, mapping.to_toml(), tz)
    cached = ss.get("dp_sla_span")
    if cached is None or cached[0] != key:
        cached = (key, coverage.mapped_span(batch.frames, mapping, tz))
        ss["dp_sla_span"] = cached
    return cached[1][0] if cached[1] else None


def terms_form(batch: flow.Batch, mapping: Mapping) -> str:
    """The template's main terms and calendar, to confirm or edit before an import without an sla.toml: the
    values become an sla.toml (data_flow.terms_text: to_toml, checked by parse_sla) that the import takes and the
    page offers for download. ``dp_sla_confirmed`` holds the text last confirmed ("Use these terms"); the import
    waits until it equals what the form shows (import_gate)."""
    template = flow.template_choice()
    base = flow.template_choice(data_first_day(batch, mapping, ss.get("dp_sla_t_tz", template.timezone)))
    st.warning(t("tf_ask"), icon=":material/rule:")
    zones = sorted(known_timezones())
    codes = [None, *sorted(holidays.list_supported_countries())]
    # the date follows the data's first local day (it moves with the zone) until the user sets one of their own
    if ss.get("dp_sla_t_from") in (None, ss.get("dp_sla_t_from_default")):
        ss["dp_sla_t_from"] = base.effective_from
    ss["dp_sla_t_from_default"] = base.effective_from
    with st.form("dp_sla_form"):
        st.markdown(f"**{t('tf_terms')}**")
        a, b, c = st.columns(3)
        name = a.text_input(t("tf_name"), value=base.name, max_chars=NAME_MAX, key="dp_sla_t_name")
        start = b.date_input(t("tf_from"), min_value=DATE_RANGE[0], max_value=DATE_RANGE[1], format="YYYY-MM-DD",
                             help=t("tf_from_help"), key="dp_sla_t_from")
        threshold = c.number_input(t("tf_threshold"), min_value=0.0, max_value=100.0,
                                   value=float(base.mql_threshold), step=1.0, format="%g", key="dp_sla_t_threshold")
        a, b, c = st.columns(3)
        target = a.number_input(t("tf_target"), min_value=0.0, max_value=8760.0,
                                value=float(base.response_target_hours), step=0.5, format="%g", key="dp_sla_t_target")
        commitment = b.number_input(t("tf_commitment"), min_value=0.0, max_value=1e9,
                                    value=float(base.monthly_mql_commitment), step=1.0, format="%g",
                                    key="dp_sla_t_commitment")
        conversion = c.number_input(t("tf_conversion"), min_value=0.0, max_value=100.0,
                                    value=float(round(base.mql_to_sql_target * 100, 6)), step=1.0,
                                    format="%g", key="dp_sla_t_conversion")
        st.markdown(f"**{t('tf_calendar')}**")
        a, b = st.columns(2)
        tz = a.selectbox(t("tf_timezone"), zones, index=zones.index(base.timezone), key="dp_sla_t_tz")
        country = b.selectbox(t("tf_country"), codes, index=codes.index(base.holiday_country),
                              format_func=lambda x: t("tf_country_none") if x is None else x, key="dp_sla_t_country")
        a, b = st.columns(2)
        day_start = a.time_input(t("tf_start"), value=base.day_start, step=300, key="dp_sla_t_start")
        day_end = b.time_input(t("tf_end"), value=base.day_end, step=300, key="dp_sla_t_end")
        days = st.pills(t("tf_workdays"), list(range(7)), selection_mode="multi", default=list(base.workdays),
                        format_func=lambda x: i18n.weekday(x + 1, lang), key="dp_sla_t_days")
        used = st.form_submit_button(t("tf_use"), type="primary", icon=":material/check:", key="dp_sla_t_use")
    choice = flow.TermsChoice(name, start, threshold, target, commitment, round(conversion / 100, 6), tz,
                              tuple(days or ()), day_start, day_end, country)
    try:
        text = flow.terms_text(choice, "sla.toml")
    except ConfigError as err:
        ss.pop("dp_sla_confirmed", None)
        st.error(t("tf_refused"), icon=":material/block:")
        st.code(err.text(lang), language=None, wrap_lines=True)
        return flow.terms_text(base)
    if used:
        ss["dp_sla_confirmed"] = text
    if ss.get("dp_sla_confirmed") == text:
        st.success(t("tf_confirmed"), icon=":material/check_circle:")
    else:
        st.caption(t("tf_wait"))
    st.download_button(t("tf_download"), text, file_name="sla.toml", mime="application/toml",
                       icon=":material/download:", key="dp_dl_sla", help=t("tf_download_help"))
    return text


# ---------------------------------------------------------------- 4. preview and 5. import


def preview_section(batch: flow.Batch, mapping: Mapping, sla: str | None, sla_key: str, mode: str,
                    tz: str | None) -> flow.Preview:
    st.subheader(t("preview_header"), divider="gray")
    empty_ok = bool(ss.get("dp_replace_empty", False))  # the import section's named checkbox (last run's value)
    leave_out = bool(ss.get("dp_leave_out", False))  # "Import without these N rows", below (last run's value)
    key = (batch.id, mapping.to_toml(), sla_key, mode, ui.version(), empty_ok, leave_out)
    cached = ss.get("dp_preview")
    if cached is not None and cached[0] == key:
        result: flow.Preview = cached[1]
    else:
        with st.spinner(t("checking")):
            # a file that could not be read (e.g. a rejected sla.toml) blocks the import: it is in the problems
            result = flow.preview(batch.frames, mapping, sla=sla, mode=mode, con=ui.cursor(),
                                  rejected=batch.problems, replace_with_empty=empty_ok, leave_out=leave_out)
        ss["dp_preview"] = (key, result)
    st.caption(t("rows_mapped"))
    cols = st.columns(4)
    for col, table in zip(cols, TABLES, strict=True):
        col.metric(t(f"m_{table}"), i18n.fmt_int(result.counts[table], lang), border=True)
    if result.problems:
        st.error(t("problems", n=i18n.fmt_int(result.problem_count, lang)), icon=":material/error:")
        show_problems(result.problems, "dp_problems")
        if result.more:
            st.caption(t("problems_more", n=i18n.fmt_int(result.more, lang)))
        if result.follow_on:
            st.caption(t("follow_on", n=i18n.fmt_int(result.follow_on, lang)))
        st.download_button(t("download_problems"), flow.all_problems_text(result.problems + result.warnings, lang),
                           file_name="problems.txt", mime="text/plain", icon=":material/download:",
                           key="dp_dl_problems")
    elif result.ok and not result.left_out.height:
        st.success(t("clean"), icon=":material/task_alt:")
    leave_out_control(result)
    if result.warnings:
        with st.expander(t("warnings", n=i18n.fmt_int(len(result.warnings), lang)), icon=":material/warning:",
                         expanded=not result.problems):
            show_problems(result.warnings, "dp_warnings")
    if result.tables:
        st.caption(t("first_rows", n=flow.PREVIEW_ROWS, tz=safe.markdown(tz or "UTC")))
        tabs = st.tabs([t(f"m_{table}") for table in TABLES])
        for tab, table in zip(tabs, TABLES, strict=True):
            with tab:
                st.dataframe(result.head(table), hide_index=True, key=f"dp_head_{table}")
    return result


def leave_out_control(result: flow.Preview) -> None:
    """All-or-nothing unless asked by name: when every blocking problem is about single rows, a checkbox imports
    every other row; ticked, the rows left out (file, row as Excel shows it, column, value, why) are listed and
    can be downloaded, and the import records them."""
    offered = result.asked or result.leavable
    if offered:
        st.checkbox(t("leave_out", n=i18n.fmt_int(offered, lang)), key="dp_leave_out", help=t("leave_out_help"))
    elif result.problems and result.problem_rows.height:  # rows are at fault, but so is something else
        st.caption(t("leave_out_none"))
    left = result.left_out
    if not left.height:
        return
    st.warning(t("left_out_note", n=i18n.fmt_int(result.left_out_rows, lang)), icon=":material/playlist_remove:")
    # why before the value, so a narrow window still shows it; the sentences below say it whole
    shown = left.select("file", "row", "column", pl.col(f"reason_{lang}").alias("reason"), "value")
    st.dataframe(shown, hide_index=True, key="dp_left_out", column_config={
        "file": st.column_config.TextColumn(t("c_file"), width="small"),
        "row": st.column_config.NumberColumn(t("c_row"), format="%d", width="small"),
        "column": st.column_config.TextColumn(t("c_column"), width="small"),
        "reason": st.column_config.TextColumn(t("left_out_reason"), width="large"),
        "value": st.column_config.TextColumn(t("c_value"), width="small")})
    with st.expander(t("full_messages"), icon=":material/notes:"):
        st.text(flow.left_out_text(left, lang), width="stretch")
    st.download_button(t("download_left_out"), flow.left_out_csv(left, lang, {
        "file": t("c_file"), "row": t("c_row"), "column": t("c_column"), "value": t("c_value"),
        "reason": t("left_out_reason")}), file_name="rows_left_out.csv", mime="text/csv",
        icon=":material/download:", key="dp_dl_left_out")


def request_import() -> None:
    """The button's callback: a request flag, not the click itself, so a rerun before the page body (the
    entry script re-routing a page started directly) cannot swallow the click."""
    ss["dp_import_requested"] = True


def import_section(batch: flow.Batch, mapping: Mapping, result: flow.Preview, sla: str | None, mode: str,
                   requested: bool) -> None:
    st.subheader(t("import_header"), divider="gray")
    if result.empty and mode == "replace":  # asked by name, never by default: it empties the database
        st.checkbox(t("replace_empty"), key="dp_replace_empty", help=t("replace_empty_help"))
    st.button(t("import_button", n=i18n.fmt_int(result.counts["leads"], lang)), type="primary",
              disabled=not result.ok, key="dp_import", icon=":material/database_upload:", on_click=request_import)
    if not result.ok:
        st.caption(t("import_blocked"))
    if requested and result.ok and auth.require("import", lang):
        with st.status(t("importing"), expanded=True) as status:
            st.write(t("step_check"))
            st.write(t("step_rebuild"))
            try:
                summary = flow.run_import(ui.cursor(), result, sla, mode=mode,
                                          source=flow.source_label(mapping.name, batch.frames),
                                          record=audit.Record("data_page", auth.current().author, batch.digests()))
            # the outcome is handed over outside session state first: every st call and every session-state
            # access is a point where a rerun (another click) may stop this run, and an import that committed
            # must still be reported, once, on the next run (main takes it over)
            except ImportFailed as err:
                ui.hand_over("dp_outcome", ("failed", list(err.problems), err.total))
                status.update(label=t("import_failed"), state="error")
            else:
                ui.hand_over("dp_outcome", ("done", summary.rows, summary.import_id, summary.future_rows,
                                            summary.future_examples, summary.left_out_rows))
                ss.pop("dp_preview", None)
                status.update(label=t("import_done"), state="complete")
                st.cache_data.clear()  # caches are keyed on data_version already; this also frees the old results
                st.rerun()
    outcome()


def outcome() -> None:
    """The last import's result: counts and links on success; on refusal the problems and "nothing changed"."""
    done = ss.get("dp_outcome")
    if not done:
        return
    if done[0] == "done":
        rows, import_id = done[1], done[2]
        st.success(t("imported", leads=i18n.fmt_int(rows.get("leads"), lang),
                     events=i18n.fmt_int(rows.get("stage_events"), lang),
                     activities=i18n.fmt_int(rows.get("activities"), lang),
                     reps=i18n.fmt_int(rows.get("reps"), lang), id=import_id), icon=":material/check_circle:")
        if len(done) > 5 and done[5]:  # rows left out because the user asked: said with the outcome
            st.info(t("imported_left_out", n=i18n.fmt_int(done[5], lang)), icon=":material/playlist_remove:")
        if len(done) > 3 and done[3]:  # rows dated after the import: reported, never in the default view
            st.warning(t("future_rows", n=i18n.fmt_int(done[3], lang)), icon=":material/event_upcoming:")
            show_problems(done[4], "dp_future")
        links = st.columns(3)
        for col, page in zip(links, ("scorecard", "funnel", "conversion"), strict=True):
            with col:
                st.page_link(f"sla_review/app/pages/{page}.py", label=t("open_page", page=v.t(f"page_{page}")),
                             icon=":material/arrow_forward:")
    else:
        st.error(t("nothing_changed"), icon=":material/undo:")
        show_problems(done[1], "dp_failed")


# ---------------------------------------------------------------- what the data can answer, and the terms gate


COVERAGE_ICONS = {"ok": ":green[:material/check_circle:]", "partial": ":orange[:material/error:]",
                  "none": ":orange[:material/block:]", "info": ":blue[:material/info:]"}


def coverage_section(result: flow.Preview, sla: str | None, loaded: flow.Loaded, mode: str) -> None:
    """What each metric will be computed from, and the terms that will judge it (ingest.coverage words it;
    here it is only drawn). Every line is plain text escaped for Markdown: version names are the user's."""
    if not result.tables:
        return
    choice = str(ss.get("dp_sla", ""))
    source = ("kept" if sla is None else "file" if choice.startswith("file:")
              else "template" if ss.get("dp_sla_confirmed") == sla else "template_draft")
    try:
        config = flow.current_sla(ui.cursor()) if sla is None else flow.sla_config(sla)
    except ConfigError:
        config = None
    existing = None
    if mode == "append" and not loaded.empty:
        rejected = ui.cursor().execute("SELECT count(*) FROM stage_events WHERE stage = 'rejected'").fetchall()
        existing = {"activities": loaded.counts["activities"], "rejections": rejected[0][0]}
    cov = coverage.coverage(result.tables, terms=config, terms_source=source, existing=existing,
                            future_rows=result.checked.future_rows if result.checked is not None else None)
    with st.container(border=True, key="dp_coverage"):
        st.markdown(f"**{t('cov_header')}**")
        for state, label, sentence in coverage_text.lines(cov, lang):
            st.markdown(f"{COVERAGE_ICONS[state]} **{safe.markdown(label)}:** {safe.markdown(sentence)}"
                        if lang == "en" else
                        f"{COVERAGE_ICONS[state]} **{safe.markdown(label)}**：{safe.markdown(sentence)}")


def import_gate(result: flow.Preview, sla: str | None) -> bool:
    """An import with the template's terms waits until they are confirmed ("Use these terms" in section 3): until
    then the import section shows its button disabled and says why."""
    if ss.get("dp_sla") != "template" or (sla is not None and ss.get("dp_sla_confirmed") == sla):
        return True
    st.subheader(t("import_header"), divider="gray")
    st.button(t("import_button", n=i18n.fmt_int(result.counts["leads"], lang)), type="primary", disabled=True,
              key="dp_import", icon=":material/database_upload:")
    st.caption(t("tf_gate"))
    return False


def main() -> None:
    requested = bool(ss.pop("dp_import_requested", False))  # read once: never replayed on a later run
    ui.take_over("dp_outcome")  # an import's outcome whose run was stopped before it reached session state
    st.title(v.t("page_data"))
    if not auth.page_allowed("data", lang):  # a viewer reaching the file by any route: refused, nothing drawn
        return
    st.caption(t("intro"))
    loaded = loaded_section()
    batch = upload_section()
    if batch is None:
        return
    mapping = mapping_section(batch)
    if mapping is None:
        return
    sla, sla_key, tz, mode = sla_section(batch, loaded, mapping)
    result = preview_section(batch, mapping, sla, sla_key, mode, tz)
    coverage_section(result, sla, loaded, mode)
    if not import_gate(result, sla):
        return
    import_section(batch, mapping, result, sla, mode, requested)


main()
