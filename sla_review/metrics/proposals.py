"""The negotiation room's replay: what a proposed SLA version would have meant on the period's own history.

One home for "replay these terms": the Proposal page, the deck's proposal slides and `proposal --json` all call
`replay`, and compare its result for the proposal with the same function on the terms in force.

Why a replay and not the report: the report judges every handoff by the version in force at it. A proposal is
one version applied to the whole period, so `current` is the version in force on the period's last judged day
(core.terms.for_period), replayed the same way: the two columns then differ only by the clauses that differ. Over
a period one version covers, `current` equals the report's response and follow-up exactly (tested).

- Response, follow-up, tiers, months and load: sql/metrics/replay.sql, one pass in business time over the
  stored stage events and activities (handoff stage, target, attempts, window and tiers all re-applied).
- Volume: the what-if's MQL set (leads created in the period scoring >= the threshold under the weights):
  per month from sql/metrics/replay_volume.sql, for the period from the what-if grid (sla_review.metrics.whatif),
  which marks it an estimate with its interval where the proposal reaches leads that were never worked.
- Load: a rep's handoffs in an ISO week, in buckets (LOAD_EDGES): attainment and median response at each
  load, as history shows it under these terms; the proposal's MQLs per rep per week point at its bucket.
No streamlit here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import duckdb
import numpy as np

from sla_review.core.periods import Period, months_elapsed
from sla_review.core.terms import DEFAULT_TIER, SlaVersion, for_period
from sla_review.core.vocabulary import Filters
from sla_review.ingest.importer import stored_config
from sla_review.metrics import whatif
from sla_review.metrics.report import (
    MATURITY_DAYS,
    NO_FOLLOW_UP_DATA,
    NO_RESPONSE_DATA,
    _number,
    _rate,
    ci95,
    data_presence,
    query,
)
from sla_review.metrics.scorecard import MIN_CASES, Guides, rag, verdict

LOAD_EDGES = (1, 3, 5, 10, 15, 20, 30, 50, 100)
"""Handoffs per rep per ISO week: a bucket runs from its edge up to the next edge (exclusive), the last is open."""
WEEKS_PER_MONTH = 365.2425 / 12 / 7
"""Weeks in an average month: "MQLs per rep per month" as the weekly load the load buckets are counted in."""
RESPONSE_KEYS = ("handoffs", "responded", "within_target", "breached", "pending")


@dataclass(frozen=True)
class Replay:
    """One set of terms replayed on one view. Dicts in the report's shapes (response, follow_up) and plain rows."""

    version: SlaVersion
    response: dict
    follow_up: dict
    by_tier: list[dict]
    monthly: list[dict]
    load: list[dict]
    volume: dict
    reps: int
    per_rep_month: float | None
    per_rep_week: float | None  # handoffs per rep per week these terms would bring: observed_week x volume_ratio
    at_load: dict | None  # the load bucket the per-rep weekly load falls in (None without reps or volume)
    segmented: bool
    observed_week: float | None  # the replayed handoffs each rep owned per week of the period (history)
    volume_ratio: float | None  # this set of MQLs / today's rule's: how the load scales


def current_version(con: duckdb.DuckDBPyConnection, period: Period) -> SlaVersion:
    """The version the room negotiates from: the one in force on the period's last judged day."""
    return for_period(stored_config(con).versions, period).version


def _tier_param(version: SlaVersion) -> list[dict]:
    rows = []
    for position, tier in enumerate(version.tiers):
        match = dict(tier.match)
        rows.append({"position": position, "name": tier.name,
                     **{k: list(match[k]) if k in match else None
                        for k in ("source", "campaign", "persona", "icp_tier", "region", "team")},
                     "response_target_hours": tier.response_target_hours, "min_attempts": tier.min_attempts,
                     "attempt_window_business_days": tier.attempt_window_business_days})
    return rows


def _counts(row: dict | None) -> dict:
    return {k: int(row[k]) if row else 0 for k in RESPONSE_KEYS}


def _response(row: dict | None, has_activities: bool) -> dict:
    counts = _counts(row)
    out = counts | {"attainment": _rate(row["attainment"]) if row else None,
                    "median_business_hours": _rate(row["median_business_hours"]) if row else None,
                    "p90_business_hours": _rate(row["p90_business_hours"]) if row else None,
                    "attainment_ci95": ci95(counts["within_target"], counts["within_target"] + counts["breached"])}
    return out if has_activities else out | {k: v for k, v in NO_RESPONSE_DATA.items() if k in out or k == "no_data"}


def _follow_up(row: dict | None, has_activities: bool) -> dict:
    due, compliant = (int(row["due"]), int(row["compliant"])) if row else (0, 0)
    out = {"due": due, "compliant": compliant, "rate": _rate(row["rate"]) if row else None,
           "rate_ci95": ci95(compliant, due)}
    return out if has_activities else out | NO_FOLLOW_UP_DATA


def _volume(g: whatif.WhatIfGrid, version: SlaVersion, today: SlaVersion) -> dict:
    """The period's MQLs per month, SQL yield (estimate where the proposal reaches never-worked leads) and
    expected SQLs per month, from the cached what-if grid (exact scores); today_volume = the set under today's
    rule, the base of the load's scaling."""
    def point(v: SlaVersion) -> dict:
        return whatif.curve(g, v.fit_weight, v.engagement_weight, np.array([float(v.mql_threshold)])).row(0, named=True)

    now = point(version)
    estimate = bool(now["is_estimate"])
    rate = now["estimated_sql_rate"] if estimate else now["sql_rate"]
    ci = ([now["est_low"], now["est_high"]] if now["est_low"] is not None else None) if estimate \
        else ci95(now["reached_sql"], now["volume"])
    per_month = now["mqls_per_month"]
    return {"volume": int(now["volume"]), "reached_sql": int(now["reached_sql"]), "months": now["months"],
            "mqls_per_month": per_month, "sql_rate": rate, "sql_rate_ci95": ci,
            "expected_sqls_per_month": per_month * rate if per_month is not None and rate is not None else None,
            "is_estimate": estimate, "today_volume": int(point(today)["volume"]),
            "same_rule_as_today": (version.mql_threshold, version.fit_weight, version.engagement_weight)
            == (today.mql_threshold, today.fit_weight, today.engagement_weight)}


def _month_rate(v: dict, model: whatif.LogisticFit | None) -> tuple[float | None, list[float] | None, bool]:
    """A month's SQL yield as the what-if shows it: observed with its Wilson interval, or -- where the month's set
    holds never-worked leads today's rule leaves out -- the model's estimate with its 95% (delta-method) interval
    (None without a model)."""
    volume = int(v["volume"])
    if not volume:
        return None, None, False
    if not v["outside"]:
        return v["reached_sql"] / volume, ci95(int(v["reached_sql"]), volume), False
    if model is None or v["expected"] is None:
        return None, None, True
    grad = np.array([v["g0"], v["g1"], v["g2"]], dtype=np.float64)
    sd = float(np.sqrt(max(grad @ model.cov @ grad, 0.0)))
    expected = float(v["expected"])
    low = min(max((expected - whatif.Z95 * sd) / volume, 0.0), 1.0)
    high = min(max((expected + whatif.Z95 * sd) / volume, 0.0), 1.0)
    return expected / volume, [low, high], True


def replay(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None, version: SlaVersion, *,
           maturity_days: int = MATURITY_DAYS, guides: Guides | None = None,
           today: SlaVersion | None = None) -> Replay:
    """`version`'s clauses applied to every handoff and lead of the view (see the module docstring). `today`: the
    version in force (current_version), when the caller already read it (compare replays several at once)."""
    filters = filters or Filters()
    guides = guides or Guides()
    has_acts = data_presence(con)["has_activities"]
    today = today or current_version(con, period)
    rows = query(con, "replay", period, filters, tz=period.tz, handoff_stage=version.handoff_stage,
                 response_target_hours=float(version.response_target_hours), min_attempts=int(version.min_attempts),
                 window_days=float(version.attempt_window_business_days), tiers=_tier_param(version),
                 load_edges=list(LOAD_EDGES)).to_dicts()
    by = {grain: [r for r in rows if r["grain"] == grain] for grain in ("all", "month", "tier", "load")}
    total = by["all"][0] if by["all"] else None
    months = {r["month"]: r for r in by["month"]}
    g = whatif.grid(con, period, filters)
    beta = [float(b) for b in g.model.beta] if g.model is not None else [None, None, None]
    volume_rows = query(con, "replay_volume", period, filters, fit_weight=float(version.fit_weight),
                        engagement_weight=float(version.engagement_weight),
                        threshold=float(version.mql_threshold), days=int(maturity_days),
                        today_fit_weight=float(today.fit_weight),
                        today_engagement_weight=float(today.engagement_weight),
                        today_threshold=float(today.mql_threshold), b0=beta[0], b1=beta[1], b2=beta[2]).to_dicts()
    segmented = any(getattr(filters, f) is not None for f in Filters.__dataclass_fields__)
    monthly = []
    for v in volume_rows:
        if v["month"] is None:
            continue
        r = months.get(v["month"])
        resp, follow = _response(r, has_acts), _follow_up(r, has_acts)
        judged = resp["within_target"] + resp["breached"]
        sql_rate, sql_ci, sql_estimate = _month_rate(v, g.model)
        monthly.append({
            "month": v["month"], "mqls": int(v["volume"]),
            "commitment": _number(version.monthly_mql_commitment),
            "mqls_status": "unjudged" if segmented else rag(v["volume"], version.monthly_mql_commitment, guides.band),
            "reached_sql": int(v["reached_sql"]), "sql_rate": sql_rate, "sql_rate_ci95": sql_ci,
            "sql_is_estimate": sql_estimate, "sql_target": version.mql_to_sql_target,
            "sql_status": verdict(sql_rate, version.mql_to_sql_target, int(v["volume"]), guides.band,
                                  young=int(v["young"]))[0],
            "handoffs": resp["handoffs"], "attainment": resp["attainment"], "judged": judged,
            "attainment_status": verdict(resp["attainment"], guides.attainment, judged, guides.band,
                                         absent=None if has_acts else "why_no_activities")[0],
            "due": follow["due"], "compliant": follow["compliant"], "follow_up_rate": follow["rate"],
            "follow_up_status": verdict(follow["rate"], guides.follow_up, follow["due"], guides.band,
                                        absent=None if has_acts else "why_no_activities")[0]})
    tiers = {r["tier"]: r for r in by["tier"]}
    names = [t.name for t in version.tiers] + [DEFAULT_TIER]
    by_tier = []
    for name in names:
        r = tiers.get(None if name == DEFAULT_TIER else name)
        resp = _response(r, has_acts)
        target = next((t.response_target_hours for t in version.tiers if t.name == name), None)
        by_tier.append({"tier": name, **{k: resp[k] for k in ("handoffs", "within_target", "breached", "pending")},
                        "attainment": resp["attainment"], "attainment_ci95": resp["attainment_ci95"],
                        "target_hours": _number(target if target is not None else version.response_target_hours)}
                       | ({"no_data": True} if not has_acts else {}))
    load = []
    for i, low in enumerate(LOAD_EDGES):
        r = next((x for x in by["load"] if x["load_low"] == low), None)
        if r is None:
            continue
        resp = _response(r, has_acts)
        judged = resp["within_target"] + resp["breached"]
        load.append({"low": low, "high": LOAD_EDGES[i + 1] - 1 if i + 1 < len(LOAD_EDGES) else None,
                     "rep_weeks": int(r["rep_weeks"]), "handoffs": resp["handoffs"], "judged": judged,
                     "attainment": resp["attainment"], "attainment_ci95": resp["attainment_ci95"],
                     "median_business_hours": resp["median_business_hours"],
                     "status": "no_data" if not has_acts or not judged else
                     "too_few" if judged < MIN_CASES else "judged"})
    vol = _volume(g, version, today)
    reps = int(total["reps"]) if total else 0
    per_rep_month = vol["mqls_per_month"] / reps if reps and vol["mqls_per_month"] is not None else None
    # the load a rep would carry: the replayed handoffs each rep owned per week of the period, scaled by how
    # much the MQL set grows or shrinks against today's rule (handoffs follow MQLs; the volume ratio says how much)
    weeks = months_elapsed(period) * WEEKS_PER_MONTH
    owned = sum(b["handoffs"] for b in load)
    observed_week = owned / reps / weeks if reps and weeks > 0 else None
    ratio = vol["volume"] / vol["today_volume"] if vol["today_volume"] else None
    per_rep_week = observed_week * ratio if observed_week is not None and ratio is not None else None
    at_load = None
    if per_rep_week is not None:
        at_load = next((b for b in reversed(load) if b["low"] <= max(per_rep_week, LOAD_EDGES[0])), None)
    return Replay(version, _response(total, has_acts), _follow_up(total, has_acts), by_tier, monthly, load, vol,
                  reps, per_rep_month, per_rep_week, at_load, segmented, observed_week, ratio)


def compare(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None,
            versions: list[SlaVersion], **kwargs: object) -> list[Replay]:
    """The terms in force first, then each given version, replayed on the same view."""
    current = current_version(con, period)  # read once: each replay compares its MQL set with today's rule
    return [replay(con, period, filters, v, today=current, **kwargs)  # type: ignore[arg-type]
            for v in (current, *versions)]


def as_json(r: Replay) -> dict:
    """One replay as `proposal --json` prints it: the version's clauses, then the report-shaped objects."""
    terms = dataclasses.asdict(r.version)
    terms["effective_from"] = r.version.effective_from.isoformat()
    return {"terms": terms, "response": r.response, "follow_up": r.follow_up, "response_by_tier": r.by_tier,
            "volume": {k: r.volume[k] for k in ("volume", "reached_sql", "months", "mqls_per_month", "sql_rate",
                                                "sql_rate_ci95", "expected_sqls_per_month", "is_estimate")},
            "monthly": r.monthly,
            "load": {"reps": r.reps, "mqls_per_rep_month": r.per_rep_month,
                     "handoffs_per_rep_week": r.per_rep_week, "observed_handoffs_per_rep_week": r.observed_week,
                     "volume_ratio": r.volume_ratio, "buckets": r.load, "at_load": r.at_load}}
