"""What the data can and cannot answer, in words (en, ja): the Data page's statement before the import and the
terms sentence the CLI prints when it imports without --sla.

Plain text only: version names are the user's, so a caller that puts a line into Markdown escapes it with
present.safe. Words live in locales/*.toml [coverage]; the calendar's words are the SLA terms page's
(present.terms_text), so a calendar reads the same on both pages.
"""

from __future__ import annotations

from sla_review.core.terms import SlaConfig, SlaVersion
from sla_review.core.vocabulary import CHANNELS
from sla_review.ingest.coverage import Coverage, Statement
from sla_review.present import catalogue, formats, i18n
from sla_review.present import terms_text as tt

__all__ = ["calendar_sentence", "line", "lines", "terms_sentence", "version_sentence"]


def w(lang: str, key: str, **values: object) -> str:
    return catalogue.t(f"coverage.{key}", lang, **values)


def _sep(lang: str) -> str:
    return tt.w(lang, "list_sep")


def version_sentence(version: SlaVersion, lang: str) -> str:
    """One version's main terms, every value named."""
    return w(lang, "version", name=version.name, start=formats.date(version.effective_from, lang),
             threshold=formats.number(version.mql_threshold, lang, 0 if version.mql_threshold == int(
                 version.mql_threshold) else 1),
             target=tt.hours_text(version.response_target_hours, lang),
             commitment=formats.number(version.monthly_mql_commitment, lang, 0 if version.monthly_mql_commitment
                                       == int(version.monthly_mql_commitment) else 1),
             conversion=formats.percent(version.mql_to_sql_target, lang, 0))


def calendar_sentence(config: SlaConfig, lang: str) -> str:
    """The main calendar: zone, workdays, hours, holidays (and how many other calendars teams use)."""
    cal = config.calendar
    holidays = (tt.w(lang, "holidays_sub", country=cal.holiday_country, sub=cal.holiday_subdivision)
                if cal.holiday_country and cal.holiday_subdivision
                else tt.w(lang, "holidays", country=cal.holiday_country) if cal.holiday_country
                else w(lang, "no_holidays"))
    text = w(lang, "calendar", tz=cal.timezone, days=tt.workdays_text(cal.workdays, lang),
             start=tt.hm(cal.day_start), end=tt.hm(cal.day_end), holidays=holidays)
    if config.calendars:
        text += w(lang, "more_calendars", n=len(config.calendars))
    return text


def terms_sentence(config: SlaConfig, lang: str) -> str:
    """Every version's main terms, then the calendar: what the CLI prints and the page's "judged by" line."""
    versions = w(lang, "versions_sep").join(version_sentence(v, lang) for v in config.versions)
    return w(lang, "terms", versions=versions, calendar=calendar_sentence(config, lang))


def _stages(pairs: tuple[tuple[str, int], ...], lang: str) -> str:
    return _sep(lang).join(w(lang, "stage_count", stage=i18n.stage(s, lang), n=formats.integer(n, lang))
                           for s, n in pairs)


def line(s: Statement, lang: str, config: SlaConfig | None = None) -> str:
    """One statement as a sentence (without its topic label)."""
    v, n = s.values, lambda x: formats.integer(x, lang)  # noqa: E731
    if s.topic == "span":
        if s.state == "none":
            return w(lang, "span_none", leads=n(v["leads"]))
        return w(lang, "span", leads=n(v["leads"]), first=formats.date(v["first"], lang),
                 last=formats.date(v["last"], lang), tz=v["tz"])
    if s.topic == "stages":
        missing = _sep(lang).join(i18n.stage(x, lang) for x in v["missing"])
        if s.state == "none":
            return w(lang, "stages_none")
        if s.state == "ok":
            return w(lang, "stages_all", present=_stages(v["present"], lang))
        return w(lang, "stages_partial", present=_stages(v["present"], lang), missing=missing)
    if s.topic == "responses":
        if s.state == "ok":
            channels = _sep(lang).join(w(lang, f"ch_{c}") if c in CHANNELS else c for c in v["channels"]) \
                or w(lang, "no_channel")
            return w(lang, "responses", n=n(v["activities"]), leads=n(v["leads"]), reps=n(v["reps"]),
                     channels=channels)
        if v["existing"]:
            return w(lang, "responses_existing", existing=n(v["existing"]))
        return w(lang, "responses_none")
    if s.topic == "rejections":
        if s.state == "ok":
            return w(lang, "rejections", n=n(v["rejections"]), reasons=n(v["with_reason"]))
        if v["existing"]:
            return w(lang, "rejections_existing", existing=n(v["existing"]))
        return w(lang, "rejections_none")
    if s.topic == "scores":
        if s.state == "ok":
            return w(lang, "scores_all")
        if s.state == "partial":
            return w(lang, "scores_partial", scored=n(v["scored"]), leads=n(v["leads"]))
        if v["absent"]:
            return w(lang, "scores_none", absent=w(lang, "absent_" + "_".join(v["absent"])))
        return w(lang, "scores_no_pair")
    if s.topic == "owners":
        teams = _sep(lang).join(w(lang, "team", team=x) for x in v["teams"]) if v["teams"] else w(lang, "no_teams")
        if s.state == "ok":
            return w(lang, "owners_all", reps=n(v["reps"]), teams=teams)
        if s.state == "partial":
            return w(lang, "owners_partial", owned=n(v["owned"]), leads=n(v["leads"]), reps=n(v["reps"]),
                     teams=teams)
        return w(lang, "owners_none")
    if s.topic == "future":
        if v["rows"] is None:
            return w(lang, "future_unknown")
        return w(lang, "future", n=n(v["rows"])) if v["rows"] else w(lang, "future_none")
    if s.topic == "terms":
        if config is None:
            return w(lang, "terms_none")
        return w(lang, f"source_{v['source']}") + terms_sentence(config, lang)
    raise ValueError(f"unknown topic {s.topic!r}")


def lines(cov: Coverage, lang: str) -> list[tuple[str, str, str]]:
    """(state, topic label, sentence) for every statement, in order."""
    return [(s.state, w(lang, f"topic_{s.topic}"), line(s, lang, cov.terms)) for s in cov.statements]
