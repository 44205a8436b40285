"""The scorecard, one model for the screen (app/pages/scorecard.py), the deck (export.deck) and the benchmark:
scorecard_data() fetches one period's facts, tiles() judges them, tile_text() words them. Nothing else decides a
status or formats a tile's figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import duckdb

from sla_review.core.periods import Period, add_months, months_elapsed
from sla_review.core.vocabulary import Filters
from sla_review.metrics import intervals
from sla_review.metrics.breakdowns import activity
from sla_review.metrics.report import MATURITY_DAYS, build_report, data_presence, mql_cohort

__all__ = ["MATURITY_DAYS"]  # the one maturity setting lives in sla_review.metrics.report; read here by the tiles

SCORECARD_SECTIONS = ("mql_count", "mql_monthly", "mql_to_sql", "response", "follow_up")
"""The parts of the report the scorecard reads (scorecard_data runs nothing else of it)."""

MIN_CASES = 20
"""Below this many cases in a tile's denominator (MQLs, judged handoffs, due handoffs) there is no verdict:
2 handoffs "100%, On target" says nothing about a team's SLA."""

STATUSES = ("green", "amber", "red", "no_data", "too_few", "maturing", "unjudged")
"""The status vocabulary: three verdicts and four honest non-verdicts (all grey)."""
JUDGED = ("green", "amber", "red")
STATUS_TONE = {"green": "green", "amber": "orange", "red": "red", "no_data": "gray", "too_few": "gray",
               "maturing": "gray", "unjudged": "gray"}
"""One colour per status, by name: Streamlit badges take these names, .streamlit/config.toml sets their hex to
sla_review.present.charts.TONES, and the deck fills its status cells from the same TONES."""


@dataclass(frozen=True)
class Guides:
    """Review guidelines that sla.toml does not define (it fixes the per-lead target, not the share that
    must meet it). Shown as such on the scorecard; amber = within `band` (relative) of the line."""

    attainment: float = 0.90
    follow_up: float = 0.90
    rejection: float = 0.20
    band: float = 0.10


@dataclass(frozen=True)
class ScorecardData:
    """One period's scorecard facts: the report's sections plus the cohort facts the report does not carry."""

    period: Period
    report: dict
    rejected_leads: int  # MQLs of the period rejected by as_of
    young_mqls: int  # MQLs of the period younger than maturity_days at as_of
    maturity_days: int
    has_rejections: bool  # any `rejected` event in the whole database
    has_activity: bool  # anything at all in the period (else a comparison shows no change)


def scorecard_data(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters,
                   maturity_days: int = MATURITY_DAYS, shown: bool = True) -> ScorecardData:
    """Everything tiles() reads for one period (the page caches it through sla_review.app.ui.call); shown=False
    for the comparison period, whose tiles give only the change (no median/p90 intervals are worked out)."""
    presence = data_presence(con)
    cohort = mql_cohort(con, period, filters, maturity_days)
    rep = build_report(con, period, (), filters, sections=SCORECARD_SECTIONS, cohort=cohort, presence=presence,
                       hours_intervals=shown)
    # any MQL or handoff in the period is activity (period_activity counts them alike): count the rest only
    # when both are zero, instead of a fourth scan on every visit
    active = bool(rep["mql_count"] or rep["response"]["handoffs"]) or any(activity(con, period, filters).values())
    return ScorecardData(period, rep, int(cohort["rejected"]), int(cohort["young"]), int(maturity_days),
                         presence["has_rejections"], active)


@dataclass(frozen=True)
class Tile:
    key: str
    actual: float | None
    target: float | None
    status: str  # one of STATUSES
    delta: float | None
    higher_is_better: bool
    kind: str  # rate | number
    extra: dict
    cases: int | None = None  # the denominator the verdict rests on
    reason: str | None = None  # why there is no verdict: an i18n key (why_*)
    hits: int | None = None  # a rate's numerator (hits of cases): its interval and the change's verdict rest on it
    ci: tuple[float, float] | None = None  # a rate's Wilson 95% interval (sla_review.metrics.intervals)
    noise: str | None = None  # the change's verdict: intervals.BEYOND / WITHIN, None without one


def rag(actual: float | None, target: float | None, band: float, higher_is_better: bool = True) -> str:
    """Green when the target is met, amber when within `band` of it (relative), red beyond; no_data if unknown."""
    if actual is None or target is None:
        return "no_data"
    if higher_is_better:
        if actual >= target:
            return "green"
        return "amber" if actual >= target * (1 - band) else "red"
    if actual <= target:
        return "green"
    return "amber" if actual <= target * (1 + band) else "red"


def cohort_is_mature(young_mqls: int) -> bool:
    """The maturity rule (see MATURITY_DAYS): mature when no MQL of the cohort is younger than N days."""
    return young_mqls == 0


def verdict(actual: float | None, target: float | None, cases: int, band: float, higher_is_better: bool = True,
            absent: str | None = None, young: int = 0) -> tuple[str, str | None]:
    """(status, reason): no data (the data cannot hold it, or no cases), too few cases, still maturing, else RAG."""
    if absent is not None:
        return "no_data", absent
    if not cases or actual is None:
        return "no_data", "why_no_cases"
    if cases < MIN_CASES:
        return "too_few", "why_too_few"
    if not cohort_is_mature(young):
        return "maturing", "why_maturing"
    return rag(actual, target, band, higher_is_better), None


def _ratio(num: float | None, den: float | None) -> float | None:
    return num / den if num is not None and den else None


def monthly_commitment(rep: dict, period: Period) -> float | None:
    """The commitment for the period per month: each month's commitment weighted by its elapsed share."""
    import zoneinfo

    tz = zoneinfo.ZoneInfo(period.tz)
    end = min(dt.datetime.combine(period.to_day, dt.time(0), tzinfo=tz), period.as_of)
    start = dt.datetime.combine(period.from_day, dt.time(0), tzinfo=tz)
    total = weight = 0.0
    for month in rep["mql_monthly"]:
        first = dt.datetime.combine(dt.date.fromisoformat(month["month"] + "-01"), dt.time(0), tzinfo=tz)
        following = dt.datetime.combine(add_months(first.date(), 1), dt.time(0), tzinfo=tz)
        low, high = max(start, first), min(end, following)
        if high > low and month["commitment"] is not None:
            share = (high - low) / (following - first)
            total += share * float(month["commitment"])
            weight += share
    return total / weight if weight else None


def rejection_count(rep: dict) -> int:
    """Rejection events in the period (the closed-loop page's count by reason)."""
    return sum(int(r["count"]) for r in rep["rejections"])


def rejection_rate(data: ScorecardData) -> float | None:
    """MQLs of the period rejected by as_of / MQLs of the period: a cohort rate of leads, as acceptance."""
    return _ratio(data.rejected_leads, data.report["mql_count"])


def _rate_tile(key: str, actual: float | None, target: float | None, hits: int, cases: int, guides: Guides,
               extra: dict, higher_is_better: bool = True, absent: str | None = None, young: int = 0) -> Tile:
    status, reason = verdict(actual, target, cases, guides.band, higher_is_better, absent, young)
    ci = intervals.wilson(hits, cases) if actual is not None and absent is None else None
    return Tile(key, actual, target, status, None, higher_is_better, "rate", extra, cases, reason, hits, ci)


def _judge(data: ScorecardData, terms: dict | None, guides: Guides, segmented: bool) -> list[Tile]:
    """One period's five tiles without a comparison."""
    rep = data.report
    months = months_elapsed(data.period)
    mpm = rep["mql_count"] / months if months > 0 else None
    mqls = rep["mql_count"]
    met = [m for m in rep["mql_monthly"] if m["met"]]
    if segmented:  # the commitment is company-wide: a segment has none to be judged against
        commitment, vol_status, vol_reason = None, "unjudged", "why_segment"
    else:
        commitment = monthly_commitment(rep, data.period)
        vol_status, vol_reason = rag(mpm, commitment, guides.band), None
    conv_target = terms["mql_to_sql_target"] if terms else None
    conv, r, f = rep["mql_to_sql"], rep["response"], rep["follow_up"]
    no_activities = "why_no_activities" if r.get("no_data") else None
    return [
        Tile("mql_volume", mpm, commitment, vol_status, None, True, "number",
             {"count": mqls, "months": months, "met": len(met), "n_months": len(rep["mql_monthly"])},
             mqls, vol_reason),
        _rate_tile("mql_to_sql", conv["rate"], conv_target, conv["converted"], conv["cohort"], guides,
                   {"cohort": conv["cohort"], "converted": conv["converted"], "young": data.young_mqls,
                    "days": data.maturity_days}, young=data.young_mqls),
        _rate_tile("response", r["attainment"], guides.attainment, r["within_target"],
                   r["within_target"] + r["breached"], guides,
                   {"median": r["median_business_hours"], "p90": r["p90_business_hours"],
                    "median_ci": r.get("median_business_hours_ci95"), "p90_ci": r.get("p90_business_hours_ci95"),
                    "target_hours": terms["response_target_hours"] if terms else None, "handoffs": r["handoffs"],
                    "within": r["within_target"], "breached": r["breached"], "pending": r["pending"],
                    "tiered": bool(terms.get("tiers")) if terms else False},
                   absent=no_activities),
        _rate_tile("follow_up", f["rate"], guides.follow_up, f["compliant"], f["due"], guides,
                   {"due": f["due"], "compliant": f["compliant"],
                    "attempts": terms["min_attempts"] if terms else None,
                    # a tier that sets its own minimum: "≥ 3 attempts" would be wrong for its handoffs
                    "tiered": any(t["min_attempts"] is not None for t in terms.get("tiers", ())) if terms else False},
                   absent=no_activities),
        _rate_tile("rejection", rejection_rate(data), guides.rejection, data.rejected_leads, mqls, guides,
                   {"rejected": data.rejected_leads, "mqls": mqls}, False,
                   absent=None if data.has_rejections else "why_no_rejections"),
    ]


def tiles(cur: ScorecardData, cmp: ScorecardData | None, terms: dict | None, guides: Guides,
          segmented: bool = False) -> list[Tile]:
    """The five scorecard clauses with target, actual, status (STATUSES) and change vs the comparison period.

    A change is shown only where the comparison period has data and its own figure rests on at least
    MIN_CASES cases (a change from nothing is no change: no "+667" against an empty period). A rate's change
    carries its verdict, beyond or within noise (intervals.change_verdict: Newcombe's interval on the difference),
    when both periods rest on at least MIN_CASES cases."""
    before = ({t.key: t for t in _judge(cmp, terms, guides, segmented)}
              if cmp is not None and cmp.has_activity else {})
    out = []
    for tile in _judge(cur, terms, guides, segmented):
        old = before.get(tile.key)
        comparable = (old is not None and old.actual is not None and tile.actual is not None
                      and old.status not in ("no_data", "too_few"))
        noise = (intervals.change_verdict(tile.hits, tile.cases, old.hits, old.cases)
                 if comparable and tile.kind == "rate" and tile.ci is not None else None)
        out.append(replace(tile, delta=tile.actual - old.actual if comparable else None, noise=noise))
    return out


def headline_counts(shown: list[Tile]) -> tuple[int, int]:
    """(on target, judged): the deck's "1 of 3 judged measures on target", from the same tiles as the screen."""
    return sum(t.status == "green" for t in shown), sum(t.status in JUDGED for t in shown)


@dataclass(frozen=True)
class TileText:
    """A tile as people read it, in one language: the screen's metric card and the deck's table row."""

    key: str
    label: str
    value: str
    delta: str | None
    status: str
    status_label: str
    target: str
    detail: str
    reason: str | None
    interval: str | None = None  # the rate with its 95% interval, "32.2% (95%: 28.1–36.5%)" (formats.interval)
    noise: str | None = None  # the change's verdict in words: "beyond noise" / "within noise"


TARGET_KEYS = {"mql_volume": "target_commitment", "mql_to_sql": "target_rate", "response": "target_guide",
               "follow_up": "target_guide", "rejection": "target_ceiling"}
NO_DATA_VALUES = {"why_no_activities": "no_response_data", "why_no_rejections": "no_closed_loop_data"}


def _digits(tile: Tile) -> int:
    return 1 if tile.actual is not None and abs(tile.actual) < 100 else 0


def tile_text(tile: Tile, lang: str) -> TileText:
    """Word one tile: the only place a tile's figures are formatted (screen and deck call it alike)."""
    from sla_review.present import formats, i18n

    def t(key: str, **values: object) -> str:
        return i18n.t(lang, key, **values)

    x = tile.extra
    if tile.kind == "rate":
        value = i18n.fmt_pct(tile.actual, lang)
        delta = i18n.fmt_pp(tile.delta, lang) if tile.delta is not None else None
        target = i18n.fmt_pct(tile.target, lang, 0)
    else:
        value = i18n.fmt_num(tile.actual, lang, _digits(tile))
        delta = i18n.fmt_signed(tile.delta, lang, _digits(tile)) if tile.delta is not None else None
        target = i18n.fmt_num(tile.target, lang, _digits(tile))
    if tile.reason in NO_DATA_VALUES:  # the data cannot hold this measure: no figure, the badge says why
        value = i18n.DASH
    if tile.target is not None:
        target_text = t(TARGET_KEYS[tile.key], value=target)
    else:
        target_text = t("target_no_segment" if tile.reason == "why_segment" else "target_none")
    fmt_int = i18n.fmt_int
    detail = {
        "mql_volume": lambda: t("extra_mql_volume_segment" if tile.reason == "why_segment" else "extra_mql_volume",
                                count=fmt_int(x["count"]), months=i18n.fmt_num(x["months"], lang, 1),
                                met=x["met"], n=x["n_months"]),
        "mql_to_sql": lambda: t("extra_mql_to_sql", converted=fmt_int(x["converted"]), cohort=fmt_int(x["cohort"])),
        "response": lambda: t("extra_response_tiers" if x.get("tiered") else "extra_response",
                              median=_hours_interval(x["median"], x["median_ci"], lang),
                              p90=_hours_interval(x["p90"], x["p90_ci"], lang),
                              target=i18n.fmt_num(x["target_hours"], lang),
                              breached=fmt_int(x["breached"]), pending=fmt_int(x["pending"])),
        "follow_up": lambda: t("extra_follow_up_tiers" if x.get("tiered") else "extra_follow_up",
                               compliant=fmt_int(x["compliant"]), due=fmt_int(x["due"]),
                               attempts=fmt_int(x["attempts"])),
        "rejection": lambda: t("extra_rejection", rejected=fmt_int(x["rejected"]), mqls=fmt_int(x["mqls"])),
    }[tile.key]()
    if tile.reason in NO_DATA_VALUES:
        detail = ""  # counts of an unmeasurable quantity (every handoff "breached") would mislead
    reason = None
    if tile.reason is not None:
        unit = t(f"unit_{tile.key}")
        reason = t(tile.reason, n=fmt_int(tile.cases), min=MIN_CASES, unit=unit, young=fmt_int(x.get("young")),
                   cohort=fmt_int(x.get("cohort")), days=x.get("days"))
    status_label = (t(NO_DATA_VALUES[tile.reason]) if tile.reason in NO_DATA_VALUES
                    else t(f"status_{tile.status}", n=fmt_int(tile.cases)))
    interval = (formats.interval(tile.actual, *tile.ci, lang)
                if tile.ci is not None and tile.reason not in NO_DATA_VALUES else None)
    noise = t(f"noise_{tile.noise}") if tile.noise is not None and delta is not None else None
    return TileText(tile.key, t(f"tile_{tile.key}"), value, delta, tile.status, status_label, target_text, detail,
                    reason, interval, noise)


def _hours_interval(value: float | None, ci: list[float] | None, lang: str) -> str:
    """Business hours with their distribution-free 95% interval when there is one (formats.interval)."""
    from sla_review.present import formats

    low, high = ci if ci else (None, None)
    return formats.interval(value, low, high, lang, unit="hours")


def segmented(filters: Filters | None) -> bool:
    """Is any segment filter set (then the company-wide MQL commitment judges nothing)?"""
    return filters is not None and any(v is not None for v in filters.params().values())


# ---------------------------------------------------------------- response by tier (issue 13)


@dataclass(frozen=True)
class TierText:
    """One row of the report's response_by_tier as people read it, in one language: the response page's table,
    the lines under the scorecard's attainment tile, the deck's response slide and the CLI summary all show
    these strings, so they cannot say different things."""

    tier: str  # the tier's name; "no tier" in words (i18n.tier_label)
    target: str  # "1 h", or "3 h / 4 h" when the versions applied give the tier different targets
    handoffs: int
    within: int
    breached: int
    pending: int
    attainment: str  # "74.2% (95%: 70.1–77.9%)", DASH when nothing is judged
    state: str | None  # why there is no verdict: no data / too few to judge (n); None when judged
    status: str  # "judged", "too_few" or "no_data"
    shown: str  # the attainment with its honest state beside it: "60.0% (95%: …) · Too few to judge (12)"


def tier_texts(rows: list[dict], lang: str) -> list[TierText]:
    """Word the report's response_by_tier (its rows, in its order): the only place a tier's figures are
    formatted. A tier with no judged handoff has no rate ("No data"), one with fewer than MIN_CASES has its
    rate and interval marked too few to judge, as the scorecard's tiles; no activities at all: no response data."""
    from sla_review.present import formats, i18n

    out = []
    for r in rows:
        judged = r["within_target"] + r["breached"]
        ci = r["attainment_ci95"] or (None, None)
        if r.get("no_data"):
            status, state = "no_data", i18n.t(lang, "no_response_data")
        elif not judged or r["attainment"] is None:
            status, state = "no_data", i18n.t(lang, "status_no_data")
        elif judged < MIN_CASES:
            status, state = "too_few", i18n.t(lang, "status_too_few", n=i18n.fmt_int(judged))
        else:
            status, state = "judged", None
        target = i18n.t(lang, "tier_target_sep").join(formats.hours(h, lang) for h in r["target_hours"])
        attainment = i18n.DASH if status == "no_data" else formats.interval(r["attainment"], *ci, lang)
        shown = attainment if state is None else i18n.t(lang, "tier_state", attainment=attainment, state=state)
        out.append(TierText(i18n.tier_label(r["tier"], lang), target or i18n.DASH, r["handoffs"], r["within_target"],
                            r["breached"], r["pending"], attainment, state, status, shown))
    return out


TIER_COLUMNS = ("col_tier", "col_tier_target", "col_handoffs", "col_within_target", "col_breached", "col_pending",
                "col_tier_attainment")
"""The "by tier" table's columns (the dashboard's words), in order: the response page and the deck's slide."""


def tier_table(rows: list[TierText], lang: str) -> list[list[str]]:
    """The "by tier" table as text, header row first: the response page shows it, the deck's response slide
    draws it, cell for cell."""
    from sla_review.present import i18n

    return [[i18n.t(lang, k) for k in TIER_COLUMNS]] + [
        [x.tier, x.target, *(i18n.fmt_int(n, lang) for n in (x.handoffs, x.within, x.breached, x.pending)), x.shown]
        for x in rows]
