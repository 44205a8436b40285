"""The machine-readable report of DOMAIN.md, key for key, from the sql/metrics/ queries.

The dashboard's scorecard and the deck call the same functions, so the three can never disagree.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb

from sla_review.core.periods import Period
from sla_review.core.terms import DEFAULT_TIER, SlaConfig
from sla_review.core.vocabulary import Filters
from sla_review.ingest.importer import default_as_of, stored_config
from sla_review.metrics import intervals
from sla_review.present import catalogue, formats
from sla_review.store.sql import run_sql


def timezone_of(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("SELECT timezone FROM calendar_settings").fetchall()
    return rows[0][0] if rows else "UTC"


def parse_instant(text: str, tz: str) -> dt.datetime:
    """ISO 8601; without an offset it is local time in the calendar's zone, by the import's rule (fold=0)."""
    from sla_review.store.business_time import local_instant

    return local_instant(dt.datetime.fromisoformat(text), tz)


def make_period(con: duckdb.DuckDBPyConnection, from_day: dt.date, to_day: dt.date,
                as_of: dt.datetime | str | None = None) -> Period:
    tz = timezone_of(con)
    if isinstance(as_of, str):
        as_of = parse_instant(as_of, tz)
    if as_of is None:
        as_of = default_as_of(con) or dt.datetime.now(dt.UTC)
    import zoneinfo

    return Period(from_day, to_day, as_of.astimezone(zoneinfo.ZoneInfo(tz)), tz)


def _number(value: object) -> object:
    """JSON numbers as a person expects: 3 not 3.0, null not NaN."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def _rate(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def query(con: duckdb.DuckDBPyConnection, name: str, period: Period, filters: Filters | None = None,
          **extra: object):
    """Run one metric file with the period's and the filters' parameters."""
    return run_sql(con, name, **period.params(), **(filters or Filters()).params(), **extra)


# DOMAIN.md "No data is not zero": without a single activity in the data a 0% attainment would be a lie.
NO_RESPONSE_DATA = {"attainment": None, "median_business_hours": None, "p90_business_hours": None,
                    "attainment_ci95": None, "median_business_hours_ci95": None, "p90_business_hours_ci95": None,
                    "no_data": True}
NO_FOLLOW_UP_DATA = {"rate": None, "rate_ci95": None, "no_data": True}


def ci95(k: int | None, n: int | None) -> list[float] | None:
    """The report's [low, high] Wilson 95% interval of k of n (null when the rate is: no cases)."""
    bounds = intervals.wilson(k, n)
    return None if bounds is None else [bounds[0], bounds[1]]


def hours_ci95(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None,
               responded: int) -> dict[str, list[float] | None]:
    """Distribution-free 95% intervals of the median and p90 business hours (sla_review.metrics.intervals):
    one pass over the responded hours for all four order statistics, none when too few to bracket either."""
    ranks = {key: intervals.quantile_ranks(int(responded or 0), q)
             for key, q in (("median_business_hours_ci95", 0.5), ("p90_business_hours_ci95", 0.9))}
    wanted = [r for pair in ranks.values() if pair is not None for r in pair]
    if not wanted:
        return dict.fromkeys(ranks)
    values = iter(query(con, "response_hours_ci", period, filters,
                        fractions=intervals.rank_fractions(wanted, int(responded))).item(0, 0))
    return {key: None if pair is None else [float(next(values)), float(next(values))] for key, pair in ranks.items()}


def data_presence(con: duckdb.DuckDBPyConnection) -> dict[str, bool]:
    """has_activities / has_rejections over the whole database (not the period): what can be measured at all."""
    return {k: bool(v) for k, v in run_sql(con, "data_presence").row(0, named=True).items()}


MATURITY_DAYS = 90
"""The default of the one maturity setting (sidebar Settings, URL `n`): an MQL cohort is mature when its
newest MQL is at least this many 24-hour days old at as_of. The conversion page's "within N days", its
hatching, the scorecard's MQL→SQL verdict and the deck's hollow markers all use it."""


def mql_cohort(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None = None,
               maturity_days: int = MATURITY_DAYS) -> dict:
    """The period's MQL cohort in one scan: cohort, converted, rate (MQL→SQL), rejected, young (the scorecard's
    rejection rate and maturity): the report and the scorecard read the same row instead of scanning twice."""
    return query(con, "mql_to_sql", period, filters, days=int(maturity_days)).row(0, named=True)


ALL_SECTIONS = ("funnel_cohort", "mql_count", "mql_monthly", "mql_to_sql", "response", "response_by_tier",
                "follow_up", "rejections", "what_if")


def response_by_tier(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None = None,
                     presence: dict[str, bool] | None = None, config: SlaConfig | None = None) -> list[dict]:
    """The report's response_by_tier: every tier of every version (merged by name, in order of first
    appearance), then the default; a tier without handoffs in the view has zero counts and a null attainment.
    target_hours: the distinct targets of the view's handoffs in the tier; for a tier without any, the targets
    the SLA gives it over its versions (the default: each version's own). A caller that holds the stored terms
    passes them as `config` (they are read otherwise)."""
    presence = presence if presence is not None else data_presence(con)
    if config is None and con.execute("SELECT count(*) FROM sla_versions").fetchall()[0][0]:
        config = stored_config(con)
    names = config.tier_names() if config else [DEFAULT_TIER]
    rows = {r["tier"]: r for r in query(con, "response_by_tier", period, filters,
                                        default_tier=DEFAULT_TIER).iter_rows(named=True)}
    targets = _tier_targets(config) if config else {}
    out = []
    for name in names:
        r = rows.get(name)
        counts = {k: int(r[k]) if r else 0 for k in ("handoffs", "within_target", "breached", "pending")}
        row = {"tier": name, **counts, "attainment": _rate(r["attainment"]) if r else None,
               "attainment_ci95": ci95(counts["within_target"], counts["within_target"] + counts["breached"]),
               "target_hours": [_number(t) for t in (r["target_hours"] if r else targets.get(name, []))]}
        if not presence["has_activities"]:
            row |= {"attainment": None, "attainment_ci95": None, "no_data": True}
        out.append(row)
    return out


def tiers_apply(versions) -> bool:
    """Does any SLA version applied in the period have tiers? Only then do the response page, the scorecard and
    the deck show response_by_tier: without tiers its one row (the default) would repeat the total."""
    return any(v.tiers for v in versions)


def _tier_targets(config) -> dict[str, list[float]]:
    """Each tier's response targets over the versions (a tier without its own target has its version's)."""
    targets: dict[str, set[float]] = {}
    for v in config.versions:
        for t in v.tiers:
            targets.setdefault(t.name, set()).add(t.response_target_hours if t.response_target_hours is not None
                                                  else v.response_target_hours)
        targets.setdefault(DEFAULT_TIER, set()).add(v.response_target_hours)
    return {k: sorted(v) for k, v in targets.items()}


def build_report(con: duckdb.DuckDBPyConnection, period: Period, thresholds: list[float] | tuple = (),
                 filters: Filters | None = None, sections: tuple[str, ...] = ALL_SECTIONS, *,
                 cohort: dict | None = None, presence: dict[str, bool] | None = None,
                 hours_intervals: bool = True) -> dict:
    """The report object of DOMAIN.md, in its key order. `sections` runs only the queries asked for (the
    scorecard needs five of them); each section is still defined once, here. A caller that already holds the
    period's mql_cohort() row or the data_presence() flags passes them in, so they are not fetched twice.
    hours_intervals=False skips the median/p90 intervals (null): for a comparison period whose tiles only
    give the change, so the scorecard does not pay one more scan for figures nobody sees."""
    out: dict = {"period": {"from": period.from_day.isoformat(), "to": period.to_day.isoformat(),
                            "as_of": period.as_of.isoformat()}}
    conv = cohort
    if presence is None and ("response" in sections or "follow_up" in sections or "response_by_tier" in sections):
        presence = data_presence(con)
    if conv is None and ("mql_count" in sections or "mql_to_sql" in sections):
        conv = mql_cohort(con, period, filters)
    for section in ALL_SECTIONS:
        if section not in sections:
            continue
        if section == "funnel_cohort":
            rows = query(con, "funnel_cohort", period, filters).iter_rows(named=True)
            out[section] = [{"stage": r["stage"], "count": r["count"]} for r in rows]
        elif section == "mql_count":
            out[section] = conv["cohort"]
        elif section == "mql_monthly":
            rows = query(con, "mql_monthly", period, filters).iter_rows(named=True)
            out[section] = [{"month": r["month"], "count": r["count"], "commitment": _number(r["commitment"]),
                             "met": bool(r["met"])} for r in rows]
        elif section == "mql_to_sql":
            out[section] = {"cohort": conv["cohort"], "converted": conv["converted"], "rate": _rate(conv["rate"]),
                            "ci95": ci95(conv["converted"], conv["cohort"])}
        elif section == "response":
            resp = query(con, "response", period, filters).row(0, named=True)
            out[section] = ({k: resp[k] for k in ("handoffs", "responded", "within_target", "breached", "pending")}
                            | {"attainment": _rate(resp["attainment"]),
                               "median_business_hours": _rate(resp["median_business_hours"]),
                               "p90_business_hours": _rate(resp["p90_business_hours"]),
                               "attainment_ci95": ci95(resp["within_target"], resp["within_target"] + resp["breached"])}
                            | (hours_ci95(con, period, filters, resp["responded"]) if hours_intervals
                               else {"median_business_hours_ci95": None, "p90_business_hours_ci95": None}))
            if not presence["has_activities"]:
                out[section] |= NO_RESPONSE_DATA
        elif section == "response_by_tier":
            out[section] = response_by_tier(con, period, filters, presence)
        elif section == "follow_up":
            follow = query(con, "follow_up", period, filters).row(0, named=True)
            out[section] = {"due": follow["due"], "compliant": follow["compliant"], "rate": _rate(follow["rate"]),
                            "rate_ci95": ci95(follow["compliant"], follow["due"])}
            if not presence["has_activities"]:
                out[section] |= NO_FOLLOW_UP_DATA
        elif section == "rejections":
            rows = query(con, "rejections", period, filters).iter_rows(named=True)
            out[section] = [{"reason": r["reason"], "count": r["count"]} for r in rows]
        elif section == "what_if":
            # the dashboard asks without thresholds: skip a scan of the cohort
            rows = (query(con, "what_if", period, filters, thresholds=[float(t) for t in thresholds])
                    .iter_rows(named=True) if thresholds else [])
            out[section] = [{"threshold": _number(r["threshold"]), "volume": r["volume"],
                             "reached_sql": r["reached_sql"], "sql_rate": _rate(r["sql_rate"]),
                             "sql_rate_ci95": ci95(r["reached_sql"], r["volume"])} for r in rows]
    return out


def format_summary(report: dict, version_names: list[str] | None = None, lang: str = "en") -> str:
    """The human-readable form of the report for a terminal (words: locales/<lang>.toml [cli])."""
    p, r = report["period"], report["response"]

    def m(key: str, **values: object) -> str:
        return catalogue.t(f"cli.{key}", lang, **values)

    def n(x: float | None) -> str:
        return formats.integer(x, lang)

    def pct(x: float | None) -> str:
        return formats.percent(x, lang)

    lines = [m("summary_title", start=p["from"], end=p["to"], as_of=p["as_of"])]
    if version_names:
        lines.append(m("summary_versions", names=", ".join(version_names)))
    lines.append("")
    lines.append(m("summary_funnel"))
    first = report["funnel_cohort"][0]["count"] or 0
    for step in report["funnel_cohort"]:
        share = pct(step["count"] / first) if first else formats.DASH
        lines.append(f"  {step['stage']:<12}{n(step['count']):>10}  {share:>7}")
    lines.append("\n" + m("summary_mqls", count=n(report["mql_count"])))
    for mo in report["mql_monthly"]:
        verdict = m("summary_met") if mo["met"] else m("summary_missed")
        lines.append(f"  {mo['month']}  {n(mo['count']):>8} / {n(mo['commitment'])}  {verdict}")
    c = report["mql_to_sql"]
    lines.append("\n" + m("summary_mql_to_sql", converted=n(c["converted"]), cohort=n(c["cohort"]),
                          rate=pct(c["rate"])))
    f = report["follow_up"]
    if r.get("no_data"):  # no activities at all: no verdicts, not "every handoff breached"
        lines.append("\n" + m("summary_response_no_data", handoffs=n(r["handoffs"])))
    else:
        lines.append("\n" + m("summary_response", handoffs=n(r["handoffs"]), responded=n(r["responded"]),
                              within=n(r["within_target"]), breached=n(r["breached"]), pending=n(r["pending"])))
        lines.append(m("summary_attainment", attainment=pct(r["attainment"]),
                       median=formats.hours(r["median_business_hours"], lang),
                       p90=formats.hours(r["p90_business_hours"], lang)))
    tiers = report.get("response_by_tier") or []
    if len(tiers) > 1 and not r.get("no_data"):  # a tiered SLA: each tier against its own target (one row = total)
        from sla_review.metrics.scorecard import tier_texts  # it imports this module

        lines.append("\n" + m("summary_tiers"))
        lines += [m("summary_tier_row", tier=x.tier, target=x.target, handoffs=n(x.handoffs), within=n(x.within),
                    breached=n(x.breached), pending=n(x.pending), attainment=x.shown) for x in tier_texts(tiers, lang)]
    if f.get("no_data"):
        lines.append("\n" + m("summary_follow_up_no_data"))
    else:
        lines.append("\n" + m("summary_follow_up", compliant=n(f["compliant"]), due=n(f["due"]),
                              rate=pct(f["rate"])))
    lines.append("\n" + m("summary_rejections"))
    for rej in report["rejections"] or [{"reason": m("summary_no_rejections"), "count": 0}]:
        lines.append(f"  {n(rej['count']):>8}  {rej['reason']}")
    if report["what_if"]:
        lines.append("\n" + m("summary_what_if"))
        for w in report["what_if"]:
            lines.append("  " + m("summary_what_if_row", threshold=f"{w['threshold']:<6}",
                                  volume=f"{n(w['volume']):>9}", reached=f"{n(w['reached_sql']):>8}",
                                  rate=pct(w["sql_rate"])))
    return formats.plain("\n".join(lines))


def version_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [catalogue.t("cli.version_name", "en", name=v.name, start=v.effective_from)
            for v in stored_config(con).versions]
