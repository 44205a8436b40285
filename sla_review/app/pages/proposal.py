"""Proposal page (提案): the negotiation room. Draft the next SLA version on every clause, replay it on the
period's own history beside the terms in force and up to two saved drafts, save drafts, and adopt one as a new
version from a future date.

Thin on purpose: the replay is sla_review.metrics.proposals, the cells of the side-by-side and monthly tables are
sla_review.present.proposal_text (the same text the deck and the CLI show), the draft is built and checked by
core.terms.with_clauses (the one validator, its en/ja messages), drafts and adoptions are sla_review.ingest.drafts.
User values (draft, version and tier names, notes) appear only in widgets and dataframes, or escaped by
present.safe.

State: ``pp_seed`` is what every editor widget of generation ``pp_gen`` starts from. Loading a saved draft or
starting again stores a new seed and moves to a new generation, so every widget starts again from it. A new
data version (an import or an adoption) starts again from the terms in force. ``pp_outcome`` keeps the last
adoption's result across the rerun that refreshes every cache.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo
from typing import Any

import polars as pl
import streamlit as st

from sla_review.app import auth, ui
from sla_review.core import toml_text
from sla_review.core.terms import TIER_TERMS, ConfigError, SlaVersion, period_terms, to_toml, with_clauses
from sla_review.core.vocabulary import LADDER
from sla_review.ingest import drafts
from sla_review.ingest.importer import ImportFailed, stored_config
from sla_review.metrics import proposals
from sla_review.present import catalogue, charts, formats, i18n, safe
from sla_review.present import proposal_text as pt

v = ui.view()
lang = v.lang
ss = st.session_state
SECTION = "proposal_page"
MAX_COMPARED = 2  # saved drafts beside the current terms and this draft (the issue: "up to two other drafts")


def w(key: str, **values: Any) -> str:
    """One of this page's words ([proposal_page] in locales/*.toml)."""
    return catalogue.t(f"{SECTION}.{key}", lang, **values)


# ---------------------------------------------------------------- the seed and its generations


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after `day`: the default effective date of a proposal."""
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def data_day() -> dt.date:
    """The data's as_of as a local date (the newest timestamp in the data, in the calendar's zone)."""
    latest = ui.meta()["latest"]
    return latest.astimezone(zoneinfo.ZoneInfo(v.tz)).date() if latest else v.period.as_of.date()


def next_name(names: list[str], current: SlaVersion) -> str:
    """A new version's default name: v3 after v1 and v2; otherwise the current name marked as a proposal."""
    numbers = [int(m.group(1)) for n in names if (m := re.fullmatch(r"v(\d+)", n))]
    if numbers and len(numbers) == len(names):
        return f"v{max(numbers) + 1}"
    return w("default_version", name=current.name)


def reseed(seed: dict) -> None:
    ss["pp_seed"] = seed
    ss["pp_gen"] = ss.get("pp_gen", 0) + 1


def fresh(current: SlaVersion, names: list[str]) -> dict:
    """A draft of the terms in force, from the first day of next month, under a new version name."""
    version = dataclasses.replace(current, name=next_name(names, current), effective_from=next_month(data_day()))
    return {"draft": w("default_draft", name=current.name), "note": "", "based_on": current.name,
            "version": version}


def start(current: SlaVersion, names: list[str]) -> None:
    """A fresh draft when the page first opens or the stored data or terms changed."""
    if ss.get("pp_base") != ui.version():
        ss["pp_base"] = ui.version()
        reseed(fresh(current, names))


def load_draft(name: str) -> None:
    saved = drafts.get_draft(ui.cursor(), name)
    reseed({"draft": saved.name, "note": saved.note, "based_on": saved.based_on, "version": saved.version})


def start_again() -> None:
    ss["pp_base"] = None  # the next run seeds from the terms in force


# ---------------------------------------------------------------- the editor


def setting(key: str, value: Any) -> str:
    """One KEY=VALUE for core.terms.with_clauses, the value written as TOML by the product's one TOML writer."""
    if isinstance(value, float) and value == int(value) and key.endswith("min_attempts"):
        value = int(value)
    return f"{key}={toml_text.value(value)}"


def editor(seed: dict, gen: int) -> tuple[dict, list[str]]:
    """Every clause of a version as a widget; returns the draft's name/note and the with_clauses settings."""
    base: SlaVersion = seed["version"]
    p = f"pp_{gen}_"
    a, b = st.columns(2)
    name = a.text_input(w("draft_name"), value=seed["draft"], key=p + "draft", max_chars=drafts.NAME_MAX,
                        help=w("draft_name_help"))
    version_name = b.text_input(w("version_name"), value=base.name, key=p + "version", max_chars=100,
                                help=w("version_name_help"))
    st.markdown(f"**{w('h_rule')}**")
    a, b, c, d = st.columns(4)
    threshold = a.number_input(w("threshold"), 0.0, 100.0, float(base.mql_threshold), 1.0, format="%g",
                               key=p + "thr", help=w("threshold_help"))
    fit = b.number_input(w("fit_weight"), 0.0, 1.0, float(base.fit_weight), 0.05, format="%.2f", key=p + "fw")
    eng = c.number_input(w("eng_weight"), 0.0, 1.0, float(base.engagement_weight), 0.05, format="%.2f",
                         key=p + "ew")
    commitment = d.number_input(w("commitment"), 0.0, 1e9, float(base.monthly_mql_commitment), 1.0, format="%g",
                                key=p + "commit")
    a, b, c, d = st.columns(4)
    sql_target = a.number_input(w("sql_target"), 0.0, 100.0, round(float(base.mql_to_sql_target) * 100, 4), 1.0,
                                format="%g", key=p + "sqlt", help=w("sql_target_help"))
    stages = list(LADDER)
    stage = b.selectbox(w("handoff_stage"), stages, index=stages.index(base.handoff_stage) if base.handoff_stage
                        in stages else 0, format_func=lambda s: i18n.stage(s, lang), key=p + "stage",
                        help=w("handoff_stage_help"))
    effective = c.date_input(w("effective_from"), value=base.effective_from, key=p + "from",
                             help=w("effective_from_help"), format="YYYY-MM-DD")
    st.markdown(f"**{w('h_response')}**")
    a, b, c = st.columns(3)
    target = a.number_input(w("target"), 0.0, 8760.0, float(base.response_target_hours), 0.25, format="%g",
                            key=p + "target", help=w("target_help"))
    attempts = b.number_input(w("attempts"), 0, 1000, int(base.min_attempts), 1, key=p + "attempts")
    window = c.number_input(w("window"), 0.0, 366.0, float(base.attempt_window_business_days), 0.5, format="%g",
                            key=p + "window")
    settings = [setting("name", version_name), setting("effective_from", effective),
                setting("mql_threshold", threshold), setting("fit_weight", fit), setting("engagement_weight", eng),
                setting("monthly_mql_commitment", commitment), setting("mql_to_sql_target", sql_target / 100),
                f"handoff_stage={toml_text.value(stage)}", setting("response_target_hours", target),
                setting("min_attempts", attempts), setting("attempt_window_business_days", window)]
    if base.tiers:
        st.caption(w("tiers_help"))
        frame = pl.DataFrame([{"tier": t.name, **{k: getattr(t, k) for k in TIER_TERMS}} for t in base.tiers],
                             schema={"tier": pl.Utf8, **{k: pl.Float64 for k in TIER_TERMS}})
        edited = st.data_editor(frame, hide_index=True, num_rows="fixed", key=p + "tiers", width="stretch",
                                disabled=["tier"], placeholder=w("tier_own"), column_config={
                                    "tier": st.column_config.TextColumn(w("tier")),
                                    "response_target_hours": st.column_config.NumberColumn(
                                        w("target"), min_value=0, max_value=8760, step=0.25),
                                    "min_attempts": st.column_config.NumberColumn(w("attempts"), min_value=0,
                                                                                  max_value=1000, step=1),
                                    "attempt_window_business_days": st.column_config.NumberColumn(
                                        w("window"), min_value=0, max_value=366, step=0.5)})
        for tier, row in zip(base.tiers, ui.editor_rows(edited), strict=True):
            for k in TIER_TERMS:
                value = row.get(k)
                settings.append(f"tiers.{tier.name}.{k}=none" if ui.blank_cell(value)
                                else setting(f"tiers.{tier.name}.{k}", float(value)))
    note = st.text_area(w("note"), value=seed["note"], key=p + "note", max_chars=2000, height=68,
                        help=w("note_help"))
    return {"draft": name.strip(), "note": note, "based_on": seed["based_on"]}, settings


# ---------------------------------------------------------------- replays and tables


def replay(version: SlaVersion) -> proposals.Replay:
    """One set of terms on this view, through the cache (a version is hashable; the key holds the data version)."""
    return ui.call(proposals.replay, v.period, v.filters, version=version, guides=v.guides,
                   maturity_days=v.maturity_days)


def unique(labels: list[str]) -> list[str]:
    """Column headings must differ: a saved draft called like another column gets a number."""
    out: list[str] = []
    for label in labels:
        shown, n = label, 2
        while shown in out or shown == pt.w(lang, "col_clause") or any(shown == pt.w(lang, "col_change", name=x)
                                                                         for x in out):
            shown, n = f"{label} ({n})", n + 1
        out.append(shown)
    return out


def text_frame(rows: list[list[str]]) -> pl.DataFrame:
    """A header-first table of text (proposal_text) as a frame: the cells are shown exactly as written."""
    header, body = rows[0], rows[1:]
    return pl.DataFrame({h: [r[i] for r in body] for i, h in enumerate(header)}, schema={h: pl.Utf8 for h in header})


def text_table(rows: list[list[str]]) -> None:
    """A header-first table of text as st.table: it wraps long cells (tier lists, the load sentence, names)
    where a dataframe cuts them; st.table renders Markdown, so every heading and cell is escaped."""
    header, body = rows[0], rows[1:]
    st.table({safe.markdown(h): [safe.markdown(r[i]) for r in body] for i, h in enumerate(header)}, hide_index=True)


def side_by_side(replays: list[proposals.Replay], labels: list[str]) -> None:
    text_table(pt.table(replays, labels, lang))
    if any(r.volume["is_estimate"] for r in replays):
        st.caption(w("estimate_note", method=v.t("wi_method")))
    st.caption(w("volume_note") + " " + pt.w(lang, "replay_note"))
    note = pt.current_note(period_terms(ui.cursor(), v.period), lang)
    if note:  # several versions in the period: say what "current" replays
        st.caption(safe.markdown(note))


def monthly(replays: list[proposals.Replay], labels: list[str]) -> None:
    tabs = st.tabs([safe.markdown(label) for label in labels])  # tab labels render Markdown
    for tab, r in zip(tabs, replays, strict=True):
        with tab:
            frame = text_frame(pt.monthly_table(r, lang))
            if frame.height:
                st.dataframe(frame, hide_index=True, width="stretch")
            else:
                st.info(v.t("empty_chart"), icon=":material/calendar_month:")


def load_view(replays: list[proposals.Replay], labels: list[str]) -> None:
    draft = replays[1] if len(replays) > 1 else replays[0]
    for label, r in zip(labels, replays, strict=True):
        if r.per_rep_month is None:
            said = w("load_none", name=label)
        else:
            said = w("load_line", name=label, month=formats.number(r.per_rep_month, lang, 1),
                     reps=i18n.fmt_int(r.reps, lang), load=pt.load_text(r, lang))
        st.markdown(f"- {safe.markdown(said)}")
    fig = charts.proposal_load(draft.load, lang, marks=[(safe.plotly(lab), r.per_rep_week)
                                                        for lab, r in zip(labels, replays, strict=True)],
                               guide=v.guides.attainment)
    ui.show(v, fig)
    st.caption(w("load_method", low=proposals.LOAD_EDGES[0]))


# ---------------------------------------------------------------- drafts


def request_save() -> None:
    ss["pp_save_requested"] = True  # saved by the run that reads the editor: a callback's args would be a run old


def save(meta: dict, version: SlaVersion | None) -> None:
    if version is None or not auth.require("draft", lang):
        return
    try:
        drafts.save_draft(ui.cursor(), meta["draft"], version, note=meta["note"], author=auth.current().author,
                          based_on=meta["based_on"])
    except ConfigError as err:
        ss["pp_saved"] = ("refused", err.text(lang))
    else:
        ss["pp_saved"] = ("done", meta["draft"])


def delete() -> None:
    name = ss.get("pp_pick")  # read when clicked (the pick may have moved in the same interaction)
    if name is not None and auth.current().may("draft"):
        drafts.delete_draft(ui.cursor(), name)
        ss["pp_saved"] = ("deleted", name)


def load_picked() -> None:
    if ss.get("pp_pick") is not None:
        load_draft(ss["pp_pick"])


def saved_local(moment: dt.datetime) -> str:
    return i18n.fmt_datetime(moment.astimezone(zoneinfo.ZoneInfo(v.tz)), lang)


def drafts_section(saved: list[drafts.Draft], meta: dict, version: SlaVersion | None) -> None:
    st.subheader(w("h_drafts"), divider="gray")
    said = ss.pop("pp_saved", None)
    if said and said[0] == "done":
        st.success(w("saved", name=safe.markdown(said[1])), icon=":material/check_circle:")
    elif said and said[0] == "deleted":
        st.info(w("deleted", name=safe.markdown(said[1])), icon=":material/delete:")
    elif said:
        st.error(safe.markdown(said[1]), icon=":material/block:")
    taken = meta["draft"] in {d.name for d in saved}
    st.button(w("replace" if taken else "save", name=safe.markdown(meta["draft"] or "-")), type="primary",
              icon=":material/save:", key="pp_save", disabled=version is None or not meta["draft"],
              on_click=request_save)
    if not saved:
        st.caption(w("no_drafts"))
        return
    text_table([[w("c_name"), w("c_saved"), w("c_based_on"), w("c_terms"), w("c_note"), w("c_author")],
                *([d.name, saved_local(d.saved_at), d.based_on or formats.DASH, summary(d.version),
                   d.note or formats.DASH, d.author or w("no_sign_in")] for d in saved)])
    a, b, c = st.columns([2, 1, 1], vertical_alignment="bottom")
    pick = a.selectbox(w("pick_draft"), [d.name for d in saved], key="pp_pick")
    b.button(w("load"), key="pp_load", icon=":material/edit:", on_click=load_picked, help=w("load_help"),
             disabled=pick is None)
    c.button(w("delete"), key="pp_delete", icon=":material/delete:", on_click=delete, disabled=pick is None)


def summary(x: SlaVersion) -> str:
    """A version's clauses on one line (proposal_text's words), for the drafts and versions lists."""
    return pt.w(lang, "sep").join([pt.rule_text(x, lang), i18n.stage(x.handoff_stage, lang),
                                   pt.target_text(x, lang), pt.follow_up_terms(x, lang),
                                   w("commit_short", n=formats.number(x.monthly_mql_commitment, lang, 0)),
                                   w("sql_short", rate=formats.percent(x.mql_to_sql_target, lang))])


# ---------------------------------------------------------------- adopting


def request_adopt() -> None:
    ss["pp_adopt_requested"] = True


def adopt_section(saved: list[drafts.Draft], requested: bool) -> None:
    st.subheader(w("h_adopt"), divider="gray")
    outcome()
    if not saved:
        st.caption(w("adopt_needs_draft"))
        return
    cur = ui.cursor()
    names = [d.name for d in saved]
    a, b, c = st.columns(3)
    name = a.selectbox(w("adopt_draft"), names, key="pp_adopt_pick")
    chosen = saved[names.index(name)]
    versions = stored_config(cur).versions
    newest = max(versions, key=lambda x: x.effective_from)
    # the draft's own date, unless a version already starts then or later, or the data has reached it
    default_day = max(chosen.version.effective_from, next_month(data_day()), next_month(newest.effective_from))
    day = b.date_input(w("effective_from"), value=default_day, key=f"pp_adopt_from_{name}", format="YYYY-MM-DD",
                       help=w("adopt_from_help"))
    taken = [x.name for x in versions]
    # the draft's own version name, unless a version already has it (e.g. this draft was adopted once): the next
    suggested = chosen.version.name if chosen.version.name not in taken else next_name(taken, chosen.version)
    version_name = c.text_input(w("version_name"), value=suggested, key=f"pp_adopt_name_{name}",
                                max_chars=100).strip()
    version = dataclasses.replace(chosen.version, name=version_name or chosen.version.name, effective_from=day)
    try:
        drafts.adoption_check(cur, version, day)
    except ConfigError as err:
        st.error(safe.markdown(err.text(lang)), icon=":material/block:")
        return
    count = drafts.handoffs_from(cur, day)
    st.warning(w("adopt_confirm_text", draft=safe.markdown(name), version=safe.markdown(version.name),
                 day=i18n.fmt_date(day, lang), newest=safe.markdown(newest.name),
                 newest_from=i18n.fmt_date(newest.effective_from, lang),
                 until=i18n.fmt_date(day - dt.timedelta(days=1), lang),
                 handoffs=i18n.fmt_int(count, lang)), icon=":material/gavel:")
    confirmed = st.checkbox(w("adopt_confirm"), key=f"pp_adopt_ok_{name}_{day}_{version.name}")
    st.button(w("adopt", version=safe.markdown(version.name)), type="primary", disabled=not confirmed, key="pp_adopt",
              icon=":material/verified:", on_click=request_adopt)
    if requested and confirmed and auth.require("adopt", lang):
        with st.spinner(w("adopting")):
            try:
                _, adoption = drafts.adopt(cur, name, day, version_name=version.name,
                                           author=auth.current().author)
            except ConfigError as err:
                ss["pp_outcome"] = ("failed", [err.text(lang)])
            except ImportFailed as err:
                ss["pp_outcome"] = ("failed", [p.text(lang) for p in err.problems])
            else:
                ss["pp_outcome"] = ("done", adoption)
                st.cache_data.clear()  # caches are keyed on data_version already; this also frees the old results
                st.rerun()
        outcome()


def outcome() -> None:
    done = ss.get("pp_outcome")
    if not done:
        return
    if done[0] == "done":
        a: drafts.Adoption = done[1]
        st.success(w("adopted", draft=safe.markdown(a.draft), version=safe.markdown(a.version),
                     day=i18n.fmt_date(a.effective_from, lang)), icon=":material/check_circle:")
    else:
        st.error(w("adopt_failed"), icon=":material/undo:")
        for message in done[1]:
            st.text(message)


def history_section() -> None:
    """Every version with the span it governs, every adoption, and the sla.toml that holds them."""
    st.subheader(w("h_history"), divider="gray")
    cur = ui.cursor()
    stored = stored_config(cur)
    ordered = sorted(stored.versions, key=lambda x: x.effective_from)
    until = [formats.DASH if i + 1 == len(ordered) else
             i18n.fmt_date(ordered[i + 1].effective_from - dt.timedelta(days=1), lang) for i in range(len(ordered))]
    in_force = proposals.current_version(cur, v.period).name
    state = [w("state_view") if x.name == in_force else w("state_future") if x.effective_from > data_day()
             else formats.DASH for x in ordered]
    clauses = [(w("c_from"), [i18n.fmt_date(x.effective_from, lang) for x in ordered]), (w("c_until"), until),
               (w("c_state"), state)]
    clauses += [(pt.w(lang, f"row_{key}"), [fn(x) for x in ordered]) for key, fn in (
        ("rule", lambda x: pt.rule_text(x, lang)),
        ("commitment", lambda x: formats.number(x.monthly_mql_commitment, lang, 0)),
        ("sql_target", lambda x: formats.percent(x.mql_to_sql_target, lang)),
        ("handoff_stage", lambda x: i18n.stage(x.handoff_stage, lang)),
        ("target", lambda x: pt.target_text(x, lang)),
        ("follow_up_terms", lambda x: pt.follow_up_terms(x, lang)))]
    heads = unique([x.name for x in ordered])  # version names are unique; a name may still read like a heading
    text_table([[pt.w(lang, "col_clause"), *heads], *([label, *cells] for label, cells in clauses)])
    made = drafts.adoptions(cur)
    if made:
        st.markdown(f"**{w('h_adoptions')}**")
        text_table([[w("c_adopted_at"), w("c_author"), w("c_draft"), w("c_version"), w("c_from")],
                    *([saved_local(a.adopted_at), a.author or w("no_sign_in"), a.draft, a.version,
                       i18n.fmt_date(a.effective_from, lang)] for a in made)])
    else:
        st.caption(w("no_adoptions"))
    st.download_button(w("download"), to_toml(stored), file_name="sla.toml", mime="application/toml",
                       icon=":material/download:", key="pp_dl", help=w("download_help"))


# ---------------------------------------------------------------- the page


def main() -> None:
    requested = bool(ss.pop("pp_adopt_requested", False))  # read once: never replayed on a later run
    save_requested = bool(ss.pop("pp_save_requested", False))
    cur = ui.cursor()
    if not cur.execute("SELECT count(*) FROM sla_versions").fetchall()[0][0]:
        st.info(w("no_terms"), icon=":material/rule:")
        return
    stored = stored_config(cur)
    current = proposals.current_version(cur, v.period)
    start(current, [x.name for x in stored.versions])
    st.caption(w("intro", name=safe.markdown(current.name)))

    st.subheader(w("h_edit"), divider="gray")
    with st.container(border=True):
        meta, settings = editor(ss["pp_seed"], ss["pp_gen"])
        st.button(w("start_again"), key="pp_again", icon=":material/restart_alt:", on_click=start_again)
    try:
        draft = with_clauses(ss["pp_seed"]["version"], settings, source=w("source"))
    except ConfigError as err:
        draft = None
        st.error(safe.markdown(err.text(lang)), icon=":material/block:")

    if save_requested:
        save(meta, draft)
    saved = drafts.list_drafts(cur)
    st.subheader(w("h_compare"), divider="gray")
    others = [d.name for d in saved]
    if any(name not in others for name in ss.get("pp_compare", [])):  # a picked draft was deleted
        ss["pp_compare"] = [name for name in ss["pp_compare"] if name in others]
    picked = st.multiselect(w("compare_with"), others, max_selections=MAX_COMPARED, key="pp_compare",
                            placeholder=w("compare_none") if others else w("no_drafts"), disabled=not others)
    chosen = [d for d in saved if d.name in picked]
    versions = [current, *([draft] if draft is not None else []), *(d.version for d in chosen)]
    labels = unique([w("col_current", name=current.name), *([w("col_draft")] if draft is not None else []),
                     *(d.name for d in chosen)])
    with st.spinner(w("replaying")):
        replays = [replay(x) for x in versions]
    side_by_side(replays, labels)
    st.markdown(f"**{w('h_monthly')}**")
    st.caption(w("monthly_help"))
    monthly(replays, labels)
    st.markdown(f"**{w('h_load')}**")
    load_view(replays, labels)

    if auth.current().may("draft"):  # a viewer explores the replay; saving and adopting are hidden (and refused)
        drafts_section(saved, meta, draft)
        adopt_section(saved, requested)
    else:
        st.caption(auth.w("view_only", lang))
    history_section()


ui.page_header(v, "proposal")
if ui.guard(v):
    main()
