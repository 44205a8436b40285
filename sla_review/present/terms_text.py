"""SLA terms in plain words, en and ja: every calendar, the team → calendar map and each version's tiers as table
rows, the before/after list of a change, and the sentence said after saving.

Plain text only: the names in it (calendars, teams, tiers, segment values) are the user's, so the page shows these
rows in st.dataframe cells (never Markdown); a caller that puts one into Markdown escapes it with present.safe.
Words live in locales/*.toml [terms_editor]; the dashboard's segment and follow-up words are reused.
"""

from __future__ import annotations

import datetime as dt

from sla_review.core.terms import Calendar, SlaConfig, SlaVersion, Tier
from sla_review.present import catalogue, formats, i18n

SECTION = "terms_editor"


def w(lang: str, key: str, **values: object) -> str:
    """One of this module's words ([terms_editor] in locales/*.toml)."""
    return catalogue.t(f"{SECTION}.{key}", lang, **values)


def hm(t: dt.time) -> str:
    return t.strftime("%H:%M") if not t.second and not t.microsecond else t.isoformat()


def hours_text(value: float, lang: str) -> str:
    """8 h, 8.5 h, 7.75 h: as many digits as the value has (up to two)."""
    digits = 0 if value == int(value) else 1 if round(value * 10) == value * 10 else 2
    return formats.hours(value, lang, digits)


def workdays_text(days: tuple[int, ...], lang: str) -> str:
    """Mon–Fri, Mon–Wed, Fri: runs of three or more days joined by a dash."""
    ordered, runs = sorted(days), []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    name = lambda d: i18n.weekday(d + 1, lang)  # noqa: E731  (Monday = 0 here, ISO 1 in the catalogue)
    parts = [f"{name(r[0])}–{name(r[-1])}" if len(r) >= 3 else w(lang, "list_sep").join(name(d) for d in r)
             for r in runs]
    return w(lang, "list_sep").join(parts)


def calendar_label(name: str | None, lang: str) -> str:
    """The default calendar's name on screen, or a named calendar's own name."""
    return w(lang, "cal_default") if name is None else name


def _holidays(cal: Calendar, lang: str) -> str:
    if not cal.holiday_country:
        return w(lang, "none")
    if cal.holiday_subdivision:
        return w(lang, "holidays_sub", country=cal.holiday_country, sub=cal.holiday_subdivision)
    return w(lang, "holidays", country=cal.holiday_country)


def dates_text(days: tuple[dt.date, ...] | list[dt.date], lang: str) -> str:
    return w(lang, "date_sep").join(formats.date(d, lang) for d in days)


def calendar_fields(cal: Calendar, lang: str) -> dict[str, str]:
    """One calendar's settings, label → words."""
    breaks = w(lang, "list_sep").join(f"{hm(a)}–{hm(b)}" for a, b in cal.breaks) or w(lang, "none")
    closures = (w(lang, "closures", n=len(cal.extra_holidays), days=dates_text(cal.extra_holidays, lang))
                if cal.extra_holidays else w(lang, "none"))
    return {w(lang, "c_timezone"): cal.timezone, w(lang, "c_workdays"): workdays_text(cal.workdays, lang),
            w(lang, "c_hours"): f"{hm(cal.day_start)}–{hm(cal.day_end)}", w(lang, "c_breaks"): breaks,
            w(lang, "c_day"): hours_text(cal.day_hours, lang), w(lang, "c_holidays"): _holidays(cal, lang),
            w(lang, "c_closures"): closures}


def calendar_rows(config: SlaConfig, lang: str) -> list[dict[str, str]]:
    """Every calendar, the default first: its settings and the teams it counts hours for."""
    users: dict[str | None, list[str]] = {}
    for team, name in config.teams:
        users.setdefault(name, []).append(team)
    rows = []
    for name, cal in [(None, config.calendar), *config.calendars]:
        used = w(lang, "used_default") if name is None else (w(lang, "list_sep").join(users.get(name, []))
                                                              or w(lang, "used_nobody"))
        rows.append({w(lang, "c_calendar"): calendar_label(name, lang), **calendar_fields(cal, lang),
                     w(lang, "c_used_by"): used})
    return rows


def team_rows(config: SlaConfig, teams: list[str], lang: str) -> list[dict[str, str]]:
    """The team → calendar map: the teams listed in [teams], then the imported teams that are not (they use the
    default calendar)."""
    mapped = dict(config.teams)
    zones = dict(config.calendars)
    rows = [{w(lang, "c_team"): team, w(lang, "c_calendar"): name, w(lang, "c_timezone"): zones[name].timezone}
            for team, name in config.teams if name in zones]
    rows += [{w(lang, "c_team"): team, w(lang, "c_calendar"): calendar_label(None, lang),
              w(lang, "c_timezone"): config.calendar.timezone} for team in teams if team not in mapped]
    return rows


def match_text(tier: Tier, lang: str) -> str:
    """icp_tier is "A" and source is "demo request" or "webinar"."""
    parts = []
    for key, values in tier.match:
        shown = w(lang, "match_or").join(f"“{v}”" for v in values)
        parts.append(w(lang, "match_part", segment=i18n.t(lang, f"seg_{key}"), values=shown))
    return w(lang, "match_and").join(parts)


def _own(value: object, text: str, lang: str) -> str:
    return text if value is not None else w(lang, "inherited", value=text)


def tier_fields(version: SlaVersion, tier: Tier | None, lang: str) -> dict[str, str]:
    """A tier's match and terms (None: the version's own terms, for leads no tier matched); a term the tier leaves
    unset reads "as the version" with the value it takes."""
    target = tier.response_target_hours if tier else None
    attempts = tier.min_attempts if tier else None
    window = tier.attempt_window_business_days if tier else None
    hours = hours_text(target if target is not None else version.response_target_hours, lang)
    follow = i18n.t(lang, "term_follow_up_value", attempts=attempts if attempts is not None else version.min_attempts,
                    days=f"{window if window is not None else version.attempt_window_business_days:g}")
    own = tier is None or (attempts is not None or window is not None)
    return {w(lang, "c_applies"): match_text(tier, lang) if tier else w(lang, "applies_rest"),
            w(lang, "c_target"): hours if tier is None else _own(target, hours, lang),
            w(lang, "c_follow_up"): follow if own else w(lang, "inherited", value=follow)}


def tier_rows(config: SlaConfig, lang: str) -> list[dict[str, str]]:
    """Each version's tiers in match order, then its default row ("every other lead")."""
    rows = []
    for v in config.versions:
        for i, tier in enumerate([*v.tiers, None]):
            rows.append({w(lang, "c_version"): v.name, w(lang, "c_order"): str(i + 1) if tier else "",
                         w(lang, "c_tier"): tier.name if tier else w(lang, "tier_default"),
                         **tier_fields(v, tier, lang)})
    return rows


def facts(config: SlaConfig, lang: str) -> dict[tuple[str, str], str]:
    """Everything the terms page edits, flattened to (what, setting) → words: what a before/after list compares."""
    out: dict[tuple[str, str], str] = {}
    for name, cal in [(None, config.calendar), *config.calendars]:
        what = w(lang, "what_calendar", name=calendar_label(name, lang))
        out |= {(what, k): val for k, val in calendar_fields(cal, lang).items()}
    for team, name in config.teams:
        out[(w(lang, "what_team", name=team), w(lang, "c_calendar"))] = name
    for v in config.versions:
        for i, tier in enumerate(v.tiers):
            what = w(lang, "what_tier", version=v.name, name=tier.name)
            out[(what, w(lang, "c_order"))] = str(i + 1)
            out |= {(what, k): val for k, val in tier_fields(v, tier, lang).items()}
    return out


def changes(before: SlaConfig, after: SlaConfig, lang: str) -> list[dict[str, str]]:
    """The before/after list of a change (what, setting, before, after; "—" where a side has none), in the order
    of the new terms, then what was removed."""
    old, new = facts(before, lang), facts(after, lang)
    keys = [k for k in new if old.get(k) != new[k]] + [k for k in old if k not in new]
    return [{w(lang, "c_what"): what, w(lang, "c_setting"): setting, w(lang, "c_before"): old.get((what, setting),
             formats.DASH), w(lang, "c_after"): new.get((what, setting), formats.DASH)} for what, setting in keys]


def saved_sentence(config: SlaConfig, lang: str) -> str:
    """"Response attainment is now judged on 2 calendars and 3 tiers (and the default terms)." """
    calendars = 1 + len(config.calendars)
    tiers = len(config.tier_names()) - 1
    cal = w(lang, "n_calendars_one" if calendars == 1 else "n_calendars", n=calendars)
    tier = w(lang, "n_tiers_none") if not tiers else w(lang, "n_tiers_one" if tiers == 1 else "n_tiers", n=tiers)
    return w(lang, "saved", calendars=cal, tiers=tier)


def year_end_text(plan, lang: str) -> str:
    """What the year-end button does, before it is pressed: the days it adds and those it leaves out (a public
    holiday, not a workday, already closed)."""
    if not plan.years:
        return w(lang, "ye_none")
    parts = [w(lang, "ye_adds", n=len(plan.added), days=dates_text(plan.added, lang)) if plan.added
             else w(lang, "ye_adds_nothing")]
    if plan.holidays:
        parts.append(w(lang, "ye_holidays", days=w(lang, "list_sep").join(
            f"{formats.date(d, lang)} ({name})" for d, name in plan.holidays)))
    if plan.not_workdays:
        parts.append(w(lang, "ye_off", days=dates_text(plan.not_workdays, lang)))
    if plan.already:
        parts.append(w(lang, "ye_already", days=dates_text(plan.already, lang)))
    return " ".join(parts)

