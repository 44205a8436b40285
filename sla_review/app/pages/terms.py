"""SLA terms page: every calendar, team → calendar and tier in force, an editor for them, and saving after a
before/after list the user confirms.

Thin on purpose: the rules (the values offered, the Japanese defaults, the one check, putting terms in force) live
in sla_review.ingest.terms_flow, the words in sla_review.present.terms_text. User values (calendar, team, tier
names and segment values) appear only in widgets, tables and code blocks, or escaped by present.safe.

State: ``te_seed`` is the draft every widget of generation ``te_gen`` starts from. The widgets drawn in a run are
the truth for what they show; the draft (``te_draft``) is the seed with them read back. An action that changes
the draft from outside the widgets (the lunch and year-end buttons, adding, removing or moving, switching the
calendar or version edited) stores the draft as the new seed and moves to a new generation, so every widget
starts again from it. ``te_outcome`` keeps the last save's result across the rerun that refreshes every page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import holidays
import polars as pl
import streamlit as st

from sla_review.app import auth, ui
from sla_review.core.terms import (
    TIER_MATCH_KEYS,
    Calendar,
    ConfigError,
    SlaConfig,
    Tier,
    known_timezones,
    to_toml,
)
from sla_review.ingest import terms_flow as flow
from sla_review.ingest.importer import ImportFailed, stored_config
from sla_review.present import i18n, safe
from sla_review.present import terms_text as tt

v = ui.view()
lang = v.lang
ss = st.session_state
NUMBERS = ("response_target_hours", "min_attempts", "attempt_window_business_days")


def w(key: str, **values: Any) -> str:
    return tt.w(lang, key, **values)


# ---------------------------------------------------------------- the draft and its generations


def reseed(draft: SlaConfig) -> None:
    ss["te_seed"] = draft
    ss["te_draft"] = draft
    ss["te_gen"] = ss.get("te_gen", 0) + 1


def start(stored: SlaConfig) -> None:
    """A fresh draft from the stored terms, when the page first opens or the stored terms changed."""
    if ss.get("te_base") != ui.version():
        ss["te_base"] = ui.version()
        ss["te_cal_pick"], ss["te_ver_pick"] = 0, len(stored.versions) - 1
        reseed(stored)


def draft() -> SlaConfig:
    return ss["te_draft"]


def replace_calendar(config: SlaConfig, index: int, cal: Calendar, name: str | None = None) -> SlaConfig:
    """Calendar `index` (0 = the default, i = the named calendar i - 1) replaced by `cal`."""
    if index == 0:
        return dataclasses.replace(config, calendar=cal)
    named = list(config.calendars)
    named[index - 1] = (name if name is not None else named[index - 1][0], cal)
    return dataclasses.replace(config, calendars=tuple(named))


def calendar_at(config: SlaConfig, index: int) -> Calendar:
    return config.calendar if index == 0 else config.calendars[index - 1][1]


# ---------------------------------------------------------------- actions (callbacks: they run before the page)


def on_pick() -> None:
    reseed(draft())


def add_calendar() -> None:
    config = draft()
    names = {n for n, _ in config.calendars}
    n = len(config.calendars) + 2
    while w("e_new_name", n=n) in names:
        n += 1
    # the contract's defaults for a named calendar (Mon-Fri, 09:00-18:00, no breaks, no holidays), in the
    # default calendar's zone until the user picks its own
    cal = Calendar(timezone=config.calendar.timezone, holiday_country=None)
    reseed(dataclasses.replace(config, calendars=(*config.calendars, (w("e_new_name", n=n), cal))))
    ss["te_cal_pick"] = len(config.calendars) + 1


def remove_calendar(index: int) -> None:
    config = draft()
    named = list(config.calendars)
    del named[index - 1]
    reseed(dataclasses.replace(config, calendars=tuple(named)))
    ss["te_cal_pick"] = 0


def rename_calendar(index: int, key: str) -> None:
    """A new name for a named calendar: the teams mapped to it follow; a blank or taken name is refused."""
    config, new = draft(), ss[key].strip()
    old = config.calendars[index - 1][0]
    if not new or new in {n for n, _ in config.calendars} - {old} or len(new) > 100:
        ss["te_rename_refused"] = new
        reseed(config)  # the widget starts again from the old name
        return
    config = replace_calendar(config, index, calendar_at(config, index), new)
    teams = tuple((team, new if cal == old else cal) for team, cal in config.teams)
    reseed(dataclasses.replace(config, teams=teams))


def set_calendar(index: int, cal: Calendar) -> None:
    reseed(replace_calendar(draft(), index, cal))


def move_tier(version: int, tier: int, step: int) -> None:
    config = draft()
    tiers = list(config.versions[version].tiers)
    j = tier + step
    if not 0 <= j < len(tiers):
        return
    tiers[tier], tiers[j] = tiers[j], tiers[tier]
    versions = list(config.versions)
    versions[version] = dataclasses.replace(versions[version], tiers=tuple(tiers))
    reseed(dataclasses.replace(config, versions=tuple(versions)))
    ss["te_move"] = j


def discard() -> None:
    reseed(stored_config(ui.cursor()))


def request_save() -> None:
    ss["te_save_requested"] = True


# ---------------------------------------------------------------- reading widgets back


def time_or(value: Any, fallback: dt.time) -> dt.time:
    return value if isinstance(value, dt.time) else fallback


rows_of = ui.editor_rows
blank = ui.blank_cell


def as_date(value: Any) -> dt.date:
    """A date cell as a date (the editor may hand back a datetime or a pandas Timestamp)."""
    return value.date() if isinstance(value, dt.datetime) or hasattr(value, "to_pydatetime") else value


def calendar_editor(config: SlaConfig, values: dict[str, list[str]], span: tuple[dt.date, dt.date] | None,
                    gen: int) -> SlaConfig:
    names = [tt.calendar_label(None, lang), *[n for n, _ in config.calendars]]
    pick = min(ss.get("te_cal_pick", 0), len(names) - 1)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    index = left.selectbox(w("e_calendar"), range(len(names)), index=pick, format_func=lambda i: names[i],
                           key="te_cal_pick", on_change=on_pick)
    right.button(w("e_new_calendar"), key="te_add_calendar", on_click=add_calendar, icon=":material/add:")
    seed = calendar_at(ss["te_seed"], index)
    p = f"te_{gen}_c{index}_"
    if index:
        st.text_input(w("e_name"), value=names[index], key=p + "name", help=w("e_name_help"), max_chars=100,
                      on_change=rename_calendar, args=(index, p + "name"))
        refused = ss.pop("te_rename_refused", None)
        if refused is not None:
            st.warning(w("e_name_refused", name=safe.markdown(refused)), icon=":material/edit_off:")
    zones = sorted(known_timezones())
    a, b, c = st.columns(3)
    tz = a.selectbox(w("e_timezone"), zones, index=zones.index(seed.timezone), key=p + "tz")
    day_start = b.time_input(w("e_start"), value=seed.day_start, key=p + "start", step=300)
    day_end = c.time_input(w("e_end"), value=seed.day_end, key=p + "end", step=300)
    days = st.pills(w("e_workdays"), list(range(7)), selection_mode="multi", default=list(seed.workdays),
                    format_func=lambda d: i18n.weekday(d + 1, lang), key=p + "days")
    countries = holidays.list_supported_countries()
    codes = [None, *sorted(countries)]
    a, b = st.columns(2)
    country = a.selectbox(w("e_country"), codes, index=codes.index(seed.holiday_country),
                          format_func=lambda c: w("e_country_none") if c is None else c, key=p + "country")
    subs = [None, *countries.get(country, [])] if country else [None]
    subdivision = b.selectbox(w("e_subdivision"), subs,
                              index=subs.index(seed.holiday_subdivision) if seed.holiday_subdivision in subs else 0,
                              format_func=lambda s: w("e_subdivision_none") if s is None else s,
                              key=p + f"sub_{country}", disabled=len(subs) == 1)
    a, b = st.columns([2, 3])
    with a:
        st.caption(w("e_breaks"))
        frame = pl.DataFrame({"from": [x for x, _ in seed.breaks], "to": [y for _, y in seed.breaks]},
                             schema={"from": pl.Time, "to": pl.Time})
        edited = st.data_editor(frame, num_rows="dynamic", hide_index=True,
                                key=p + "breaks", width="stretch", column_config={
                                    "from": st.column_config.TimeColumn(w("e_break_from"), format="HH:mm",
                                                                        step=300),
                                    "to": st.column_config.TimeColumn(w("e_break_to"), format="HH:mm", step=300)})
        breaks = tuple((r["from"], r["to"]) for r in rows_of(edited) if r.get("from") and r.get("to"))
    with b:
        st.caption(w("e_closures"))
        frame = pl.DataFrame({"day": list(seed.extra_holidays)}, schema={"day": pl.Date})
        edited = st.data_editor(frame, num_rows="dynamic", hide_index=True,
                                key=p + "closures", width="stretch", height=min(38 + 35 * 6, 38 + 35 *
                                                                                 (len(seed.extra_holidays) + 1)),
                                column_config={"day": st.column_config.DateColumn(w("e_closure"),
                                                                                  format="YYYY-MM-DD")})
        extra = tuple(sorted({as_date(r["day"]) for r in rows_of(edited) if not blank(r.get("day"))}))
    cal = Calendar(tz, tuple(sorted(days or ())), time_or(day_start, seed.day_start), time_or(day_end, seed.day_end),
                   country, extra, tuple(sorted(breaks)), subdivision if country else None)
    config = replace_calendar(config, index, cal)
    if flow.lunch_offered(cal):
        st.button(w("e_lunch"), key=p + "lunch", icon=":material/lunch_dining:", help=w("e_lunch_help"),
                  on_click=set_calendar, args=(index, flow.with_lunch(cal)))
    if span is not None:
        plan = flow.year_end(cal, *span)
        st.button(w("e_year_end"), key=p + "year_end", icon=":material/event_busy:", help=w("e_year_end_help"),
                  disabled=not plan.added, on_click=set_calendar, args=(index, flow.with_year_end(cal, plan)))
        st.caption(safe.markdown(tt.year_end_text(plan, lang)))
    if index:
        users = [team for team, name in config.teams if name == names[index]]
        st.button(w("e_remove_calendar"), key=p + "remove", icon=":material/delete:", disabled=bool(users),
                  on_click=remove_calendar, args=(index,))
        if users:
            st.caption(w("e_remove_blocked", teams=safe.markdown(w("list_sep").join(users))))
    return config


def teams_editor(config: SlaConfig, values: dict[str, list[str]], gen: int) -> SlaConfig:
    st.markdown(f"**{w('e_teams')}**")
    names = [n for n, _ in config.calendars]
    if not names:
        st.caption(w("e_teams_need"))
        return dataclasses.replace(config, teams=())
    seed = ss["te_seed"]
    options = list(dict.fromkeys([*values["team"], *(t for t, _ in seed.teams)]))
    frame = pl.DataFrame({"team": [t for t, _ in seed.teams], "calendar": [c for _, c in seed.teams]},
                         schema={"team": pl.Utf8, "calendar": pl.Utf8})
    edited = st.data_editor(frame, num_rows="dynamic",
                            hide_index=True, key=f"te_{gen}_teams", width="stretch", column_config={
                                "team": st.column_config.SelectboxColumn(w("c_team"), options=options, required=True),
                                "calendar": st.column_config.SelectboxColumn(w("c_calendar"), options=names,
                                                                             required=True)})
    st.caption(w("e_teams_help"))
    teams = dict.fromkeys((r["team"], r["calendar"]) for r in rows_of(edited)
                          if not blank(r.get("team")) and not blank(r.get("calendar")))
    return dataclasses.replace(config, teams=tuple(teams))


def tier_of(row: dict) -> Tier | None:
    """A row of the tier table as a Tier (None for a row left wholly blank); the validator judges the rest."""
    match = tuple((k, tuple(row[k])) for k in TIER_MATCH_KEYS if row.get(k) is not None and len(row[k]))
    numbers = {k: None if blank(row.get(k)) else float(row[k]) for k in NUMBERS}
    name = "" if blank(row.get("name")) else str(row["name"]).strip()
    if not name and not match and all(x is None for x in numbers.values()):
        return None
    if numbers["min_attempts"] is not None and numbers["min_attempts"] == int(numbers["min_attempts"]):
        numbers["min_attempts"] = int(numbers["min_attempts"])
    return Tier(name, match, **numbers)  # type: ignore[arg-type]


def tiers_editor(config: SlaConfig, values: dict[str, list[str]], gen: int) -> SlaConfig:
    versions = config.versions
    pick = min(ss.get("te_ver_pick", len(versions) - 1), len(versions) - 1)
    label = lambda i: f"{versions[i].name} ({i18n.fmt_date(versions[i].effective_from, lang)})"  # noqa: E731
    index = st.selectbox(w("e_version"), range(len(versions)), index=pick, key="te_ver_pick", on_change=on_pick,
                         format_func=label)
    version = versions[index]
    seed = ss["te_seed"].versions[index]
    defaults = tt.tier_fields(version, None, lang)
    st.caption(w("e_version_terms", target=defaults[w("c_target")], follow_up=defaults[w("c_follow_up")]))
    rows = pl.DataFrame([{"name": t.name, **{k: list(dict(t.match).get(k, ())) for k in TIER_MATCH_KEYS},
                          **{k: getattr(t, k) for k in NUMBERS}} for t in seed.tiers],
                        schema={"name": pl.Utf8, **{k: pl.List(pl.Utf8) for k in TIER_MATCH_KEYS},
                                **{k: pl.Float64 for k in NUMBERS}})
    config_cols: dict[str, Any] = {"name": st.column_config.TextColumn(w("e_tier_name"), required=True, max_chars=100)}
    for k in TIER_MATCH_KEYS:
        offered = list(dict.fromkeys([*values[k], *(x for t in seed.tiers for x in dict(t.match).get(k, ()))]))
        config_cols[k] = st.column_config.MultiselectColumn(i18n.t(lang, f"seg_{k}"), options=offered,
                                                            accept_new_options=True)
    config_cols["response_target_hours"] = st.column_config.NumberColumn(i18n.t(lang, "term_response"), min_value=0,
                                                                         max_value=8760, step=0.25)
    config_cols["min_attempts"] = st.column_config.NumberColumn(w("e_attempts"), min_value=0, max_value=1000, step=1)
    config_cols["attempt_window_business_days"] = st.column_config.NumberColumn(w("e_window"), min_value=0,
                                                                                max_value=366, step=0.5)
    st.caption(w("e_tiers"))
    edited = st.data_editor(rows, num_rows="dynamic", hide_index=True, key=f"te_{gen}_tiers_{index}", width="stretch",
                            column_config=config_cols, column_order=["name", *TIER_MATCH_KEYS, *NUMBERS])
    st.caption(w("e_tiers_help"))
    tiers = tuple(t for t in (tier_of(r) for r in rows_of(edited)) if t is not None)
    if len(seed.tiers) > 1:
        a, b, c = st.columns([3, 1, 1], vertical_alignment="bottom")
        move = a.selectbox(w("e_move"), range(len(seed.tiers)), index=min(ss.get("te_move", 0), len(seed.tiers) - 1),
                           format_func=lambda i: f"{i + 1}. {seed.tiers[i].name}", key=f"te_{gen}_move")
        b.button(w("e_up"), key=f"te_{gen}_up", icon=":material/arrow_upward:", disabled=move == 0,
                 on_click=move_tier, args=(index, move, -1))
        c.button(w("e_down"), key=f"te_{gen}_down", icon=":material/arrow_downward:",
                 disabled=move == len(seed.tiers) - 1, on_click=move_tier, args=(index, move, 1))
    changed = list(versions)
    changed[index] = dataclasses.replace(version, tiers=tiers)
    return dataclasses.replace(config, versions=tuple(changed))


# ---------------------------------------------------------------- review and save


def review(stored: SlaConfig, edited: SlaConfig, requested: bool) -> None:
    st.subheader(w("h_review"), divider="gray")
    outcome()
    if edited == stored:
        st.info(w("r_same"), icon=":material/check:")
        return
    if not auth.current().may("edit_terms"):  # a viewer may read the terms; changing them is hidden (and refused)
        st.caption(auth.w("view_only", lang))
        return
    try:
        valid = flow.checked(edited)
    except ConfigError as err:
        st.error(w("r_refused"), icon=":material/block:")
        st.code(err.text(lang), language=None, wrap_lines=True)
        st.button(w("r_discard"), key="te_discard", on_click=discard, icon=":material/undo:")
        return
    rows = tt.changes(stored, valid, lang)
    st.warning(w("r_changes", n=i18n.fmt_int(len(rows), lang)), icon=":material/difference:")
    # st.table wraps a long list of closures or a long name instead of cutting it; its Markdown is escaped
    st.table({safe.markdown(k): [safe.markdown(r[k]) for r in rows] for k in rows[0]}, hide_index=True)
    if valid.calendar.timezone != stored.calendar.timezone:
        st.warning(w("e_tz_changed", old=safe.markdown(stored.calendar.timezone),
                     new=safe.markdown(valid.calendar.timezone)), icon=":material/schedule:")
    text = to_toml(valid)
    with st.expander(w("r_toml"), icon=":material/code:"):
        st.code(text, language="toml")
    confirmed = st.checkbox(w("r_confirm"), key=f"te_confirm_{hash(text)}")
    a, b = st.columns([1, 1])
    a.button(w("r_save"), type="primary", disabled=not confirmed, key="te_save", icon=":material/save:",
             on_click=request_save)
    b.button(w("r_discard"), key="te_discard", on_click=discard, icon=":material/undo:")
    if requested and confirmed and auth.require("edit_terms", lang):
        with st.spinner(w("r_saving")):
            try:
                flow.put_in_force(ui.cursor(), valid, author=auth.current().author)
            except ImportFailed as err:
                ss["te_outcome"] = ("failed", [p.text(lang) for p in err.problems])
            else:
                ss["te_outcome"] = ("done", valid)
                st.cache_data.clear()  # caches are keyed on data_version already; this also frees the old results
                st.rerun()
        outcome()


def outcome() -> None:
    done = ss.get("te_outcome")
    if not done:
        return
    if done[0] == "done":
        st.success(safe.markdown(tt.saved_sentence(done[1], lang)), icon=":material/check_circle:")
        st.download_button(w("download"), to_toml(done[1]), file_name="sla.toml", mime="application/toml",
                           icon=":material/download:", key="te_dl_saved", help=w("download_help"))
    else:
        st.error(w("r_failed"), icon=":material/undo:")
        for message in done[1]:
            st.text(message)


def main() -> None:
    requested = bool(ss.pop("te_save_requested", False))  # read once: never replayed on a later run
    st.title(v.t("page_terms"))
    st.caption(w("intro"))
    cur = ui.cursor()
    if not cur.execute("SELECT count(*) FROM sla_versions").fetchall()[0][0]:
        st.info(w("nothing"), icon=":material/database:")
        return
    stored = stored_config(cur)
    start(stored)
    values = flow.imported_values(cur)
    st.subheader(w("h_view"), divider="gray")
    ui.terms_details(v, stored, values["team"])
    st.download_button(w("download"), to_toml(stored), file_name="sla.toml", mime="application/toml",
                       icon=":material/download:", key="te_dl", help=w("download_help"))
    st.subheader(w("h_edit"), divider="gray")
    gen = ss["te_gen"]
    config = ss["te_seed"]
    with st.container(border=True):
        st.markdown(f"**{w('h_calendars')}**")
        config = calendar_editor(config, values, flow.data_days(cur, stored), gen)
    with st.container(border=True):
        config = teams_editor(config, values, gen)
    with st.container(border=True):
        st.markdown(f"**{w('h_tiers')}**")
        config = tiers_editor(config, values, gen)
    ss["te_draft"] = config
    review(stored, config, requested)


main()
