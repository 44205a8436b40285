"""The demo generator: canonical format, determinism, referential integrity and the realism the dashboard
relies on (arrivals off hours, scores that predict conversion, a closed loop, two SLA versions)."""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from collections import defaultdict
from pathlib import Path

import holidays
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sla_review.core.terms import DEFAULT_TIER, parse_sla
from sla_review.ingest import demo

LEADS = 5_000
SMALL_CHUNK = 1_500  # several chunks and a partial last one, as at 10M scale
FILES = ("leads.parquet", "stage_events.parquet", "activities.parquet", "reps.parquet", "sla.toml")
JST = dt.timezone(dt.timedelta(hours=9))
# the demo's data ends with its last creation day (no events weeks after the last lead: no false partial month)
CUTOFF = dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=JST)
LADDER = ["inquiry", "mql", "sal", "sql", "opportunity", "won"]
ALLOWED = set(LADDER) | {"lost", "rejected", "recycled", "disqualified"}
UTC_TS = pa.timestamp("us", tz="UTC")


def _run(out: Path, seed: int) -> dict:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(demo, "CHUNK", SMALL_CHUNK)
        return demo.generate(out, leads=LEADS, seed=seed)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("demo")
    summary = _run(out, seed=7)
    tables = {name: pq.read_table(out / f"{name}.parquet") for name in ("leads", "stage_events", "activities",
                                                                         "reps")}
    rows = {name: t.to_pylist() for name, t in tables.items()}
    return {"dir": out, "summary": summary, "tables": tables, "rows": rows}


def _digest(folder: Path) -> dict[str, str]:
    return {f: hashlib.sha256((folder / f).read_bytes()).hexdigest() for f in FILES}


def _score(lead: dict) -> float:
    return 0.5 * lead["fit_score"] + 0.5 * lead["engagement_score"]


def _reached(rows: list[dict]) -> tuple[dict[str, dict[str, dt.datetime]], dict[str, dt.datetime]]:
    """Per lead: first entered_at per stage, and reached_at(mql) as DOMAIN.md defines it."""
    first: dict[str, dict[str, dt.datetime]] = defaultdict(dict)
    for e in rows:
        seen = first[e["lead_id"]]
        if e["stage"] not in seen or e["entered_at"] < seen[e["stage"]]:
            seen[e["stage"]] = e["entered_at"]
    mql_at = {}
    for lead, stages in first.items():
        times = [stages[s] for s in LADDER[1:] if s in stages]
        if times:
            mql_at[lead] = min(times)
    return first, mql_at


def test_same_seed_same_bytes_other_seed_differs(data: dict, tmp_path: Path) -> None:
    again = _run(tmp_path / "again", seed=7)
    assert again == data["summary"]
    assert _digest(tmp_path / "again") == _digest(data["dir"])
    _run(tmp_path / "other", seed=8)
    other = _digest(tmp_path / "other")
    assert other["leads.parquet"] != _digest(data["dir"])["leads.parquet"]
    assert other["stage_events.parquet"] != _digest(data["dir"])["stage_events.parquet"]


def test_canonical_columns_and_types(data: dict) -> None:
    t = data["tables"]
    assert t["leads"].column_names == ["lead_id", "created_at", "source", "campaign", "persona", "icp_tier",
                                       "region", "company", "fit_score", "engagement_score", "owner_id"]
    assert t["stage_events"].column_names == ["lead_id", "stage", "entered_at", "reason", "actor_id"]
    assert t["activities"].column_names == ["lead_id", "rep_id", "occurred_at", "channel", "outcome"]
    assert t["reps"].column_names == ["rep_id", "name", "team"]
    assert t["leads"].schema.field("created_at").type == UTC_TS
    assert t["stage_events"].schema.field("entered_at").type == UTC_TS
    assert t["activities"].schema.field("occurred_at").type == UTC_TS
    s = data["summary"]
    assert (s["leads"], s["stage_events"], s["activities"], s["reps"]) == (
        t["leads"].num_rows, t["stage_events"].num_rows, t["activities"].num_rows, t["reps"].num_rows)
    assert t["leads"].num_rows == LEADS
    assert t["reps"].num_rows == 12  # max(12, leads / 2500)
    ids = t["leads"].column("lead_id").to_pylist()
    assert len(set(ids)) == LEADS and ids[0] == "L00000001" and ids[-1] == f"L{LEADS:08d}"
    assert ids == sorted(ids)


def test_references_and_vocabularies(data: dict) -> None:
    r = data["rows"]
    lead_ids = {x["lead_id"] for x in r["leads"]}
    rep_ids = {x["rep_id"] for x in r["reps"]}
    assert {e["lead_id"] for e in r["stage_events"]} <= lead_ids
    assert {a["lead_id"] for a in r["activities"]} <= lead_ids
    assert {a["rep_id"] for a in r["activities"]} <= rep_ids
    assert {x["owner_id"] for x in r["leads"]} - {None} <= rep_ids
    assert {e["stage"] for e in r["stage_events"]} == ALLOWED  # every stage occurs, no other
    assert {a["channel"] for a in r["activities"]} == {"email", "phone", "meeting", "other"}
    assert {a["outcome"] for a in r["activities"]} <= {"connected", "no answer", "voicemail", "replied",
                                                       "meeting booked", None}
    assert {x["team"] for x in r["reps"]} == {"inside-sales-east", "inside-sales-west", "enterprise"}
    assert {x["icp_tier"] for x in r["leads"]} == {"A", "B", "C", "D"}
    assert len({x["source"] for x in r["leads"]}) == 8
    assert len({x["region"] for x in r["leads"]}) == 8


def test_scores_in_range(data: dict) -> None:
    for lead in data["rows"]["leads"]:
        assert 0 <= lead["fit_score"] <= 100
        assert 0 <= lead["engagement_score"] <= 100


def test_calendar_window_and_cutoff(data: dict) -> None:
    r = data["rows"]
    created = [x["created_at"] for x in r["leads"]]
    assert min(created) >= dt.datetime(2024, 11, 1, tzinfo=JST)
    assert max(created) < dt.datetime(2026, 11, 1, tzinfo=JST)
    assert max(e["entered_at"] for e in r["stage_events"]) <= CUTOFF
    assert max(a["occurred_at"] for a in r["activities"]) <= CUTOFF


def test_arrivals_off_hours_weekends_and_holidays(data: dict) -> None:
    jp = holidays.country_holidays("JP", years=[2024, 2025, 2026])
    local = [x["created_at"].astimezone(JST) for x in data["rows"]["leads"]]
    weekend = sum(t.weekday() >= 5 for t in local)
    on_holiday = sum(t.date() in jp and t.weekday() < 5 for t in local)
    night = sum(t.hour < 8 or t.hour >= 20 for t in local)
    office = sum(t.weekday() < 5 and 9 <= t.hour < 18 and t.date() not in jp for t in local)
    assert weekend > 0.02 * LEADS and on_holiday > 0 and night > 0.05 * LEADS
    assert office > 0.6 * LEADS  # but mostly business hours


def test_every_lead_starts_at_creation_and_ladder_is_ordered(data: dict) -> None:
    r = data["rows"]
    first, _ = _reached(r["stage_events"])
    hand_raisers = 0
    for lead in r["leads"]:
        stages = first[lead["lead_id"]]
        start = stages.get("inquiry")
        if start is None:
            hand_raisers += 1
            start = stages.get("mql", stages.get("sal"))
        assert start == lead["created_at"], lead
        ladder = [stages[s] for s in LADDER if s in stages]
        assert ladder == sorted(ladder), lead
    assert 0 < hand_raisers < 0.1 * LEADS


def test_handoffs_owners_and_activities_before_handoff(data: dict) -> None:
    r = data["rows"]
    _, mql_at = _reached(r["stage_events"])
    leads = {x["lead_id"]: x for x in r["leads"]}
    # owner exactly on the handed-over leads
    assert {k for k, x in leads.items() if x["owner_id"] is not None} == set(mql_at)
    # some worked leads are below the threshold in force at creation
    v2 = dt.datetime(2026, 4, 1, tzinfo=JST)
    below = [k for k in mql_at if _score(leads[k]) < (65 if leads[k]["created_at"] >= v2 else 60)]
    assert 0.03 * len(mql_at) < len(below) < 0.35 * len(mql_at)
    # activities only for handed leads; a few before the handoff; ~5% of handoffs never answered
    acts = defaultdict(list)
    for a in r["activities"]:
        acts[a["lead_id"]].append(a["occurred_at"])
    assert set(acts) <= set(mql_at)
    early = sum(t < mql_at[k] for k, ts in acts.items() for t in ts)
    assert 0 < early < 0.05 * len(r["activities"])
    unanswered = sum(not any(t >= mql_at[k] for t in acts.get(k, [])) for k in mql_at)
    assert 0.01 * len(mql_at) < unanswered < 0.15 * len(mql_at)
    rejected = [e for e in r["stage_events"] if e["stage"] == "rejected"]
    assert None in {e["reason"] for e in rejected} and "no budget" in {e["reason"] for e in rejected}


def test_higher_scores_convert_more(data: dict) -> None:
    r = data["rows"]
    first, mql_at = _reached(r["stage_events"])
    leads = {x["lead_id"]: x for x in r["leads"]}

    def rate(keys: list[str]) -> float:
        hit = sum(any(s in first[k] for s in ("sql", "opportunity", "won")) for k in keys)
        return hit / len(keys)

    high = [k for k in mql_at if _score(leads[k]) >= 72]
    low = [k for k in mql_at if _score(leads[k]) < 64]
    assert len(high) > 100 and len(low) > 100
    assert rate(high) > rate(low) + 0.1
    assert 0.15 < rate(list(mql_at)) < 0.4


def test_sla_toml(data: dict) -> None:
    sla = tomllib.loads((data["dir"] / "sla.toml").read_text(encoding="utf-8"))
    cal = sla["calendar"]
    assert cal["timezone"] == "Asia/Tokyo" and cal["holiday_country"] == "JP"
    assert cal["workdays"] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    assert (cal["day_start"], cal["day_end"]) == ("09:00", "18:00")
    assert "2025-12-29" in cal["extra_holidays"] and "2026-01-02" in cal["extra_holidays"]
    versions = sla["versions"]
    assert [v["name"] for v in versions] == ["v1", "v2"]
    assert [v["mql_threshold"] for v in versions] == [60, 65]
    assert [v["effective_from"] for v in versions] == ["2024-11-01", "2026-04-01"]
    assert [v["mql_to_sql_target"] for v in versions] == [0.3, 0.35]
    assert [v["response_target_hours"] for v in versions] == [2, 4]  # v2 loosened the long tail's target
    for v in versions:
        assert v["fit_weight"] == v["engagement_weight"] == 0.5
        assert v["handoff_stage"] == "mql"
        assert (v["min_attempts"], v["attempt_window_business_days"]) == (3, 5)
        assert isinstance(v["monthly_mql_commitment"], int) and v["monthly_mql_commitment"] > 0
    assert data["summary"]["monthly_mql_commitment"] == {v["name"]: v["monthly_mql_commitment"]
                                                         for v in versions}


def test_commitment_is_sometimes_met_and_sometimes_missed(data: dict) -> None:
    _, mql_at = _reached(data["rows"]["stage_events"])
    monthly: dict[str, int] = defaultdict(int)
    for t in mql_at.values():
        monthly[t.astimezone(JST).strftime("%Y-%m")] += 1
    commit = data["summary"]["monthly_mql_commitment"]
    v1 = [monthly[m] >= commit["v1"] for m in monthly if "2024-11" <= m < "2026-04"]
    v2 = [monthly[m] >= commit["v2"] for m in monthly if "2026-04" <= m <= "2026-10"]
    assert any(v1) and not all(v1)
    assert any(v2) and not all(v2)


def test_sla_toml_tiers_lunch_and_a_second_calendar(data: dict) -> None:
    text = (data["dir"] / "sla.toml").read_text(encoding="utf-8")
    sla = tomllib.loads(text)
    assert sla["calendar"]["breaks"] == [["12:00", "13:00"]]  # the Tokyo office's lunch
    assert sla["calendars"] == {"singapore": {"timezone": "Asia/Singapore", "workdays": ["Mon", "Tue", "Wed", "Thu",
                                                                                        "Fri"],
                                              "day_start": "09:00", "day_end": "18:00", "holiday_country": "SG"}}
    assert sla["teams"] == {"enterprise": "singapore"}
    v1, v2 = sla["versions"]
    a_form = {"name": "Tier A contact requests", "match": {"source": ["contact-form"], "icp_tier": ["A"]},
              "response_target_hours": 1, "min_attempts": 4, "attempt_window_business_days": 3}
    a_rest = {"name": "Tier A accounts", "match": {"icp_tier": ["A"]}, "response_target_hours": 2, "min_attempts": 4}
    forms = {"name": "Contact requests", "match": {"source": ["contact-form"]}, "response_target_hours": 2}
    assert v1["tiers"] == [a_form, a_rest]
    assert v2["tiers"] == [a_form, a_rest, forms]
    config = parse_sla(text)  # the validator accepts it as written
    assert config.tier_names() == ["Tier A contact requests", "Tier A accounts", "Contact requests", DEFAULT_TIER]
    assert config.calendar_of_team("enterprise").timezone == "Asia/Singapore"
    assert config.calendar_of_team("inside-sales-east").timezone == "Asia/Tokyo"


def _first_responses(data: dict) -> pl.DataFrame:
    """Per handed-over lead: its owner's team and the first activity at or after reached_at(mql) (DOMAIN.md),
    counted from the raw tables in polars (not through the importer)."""
    t = data["tables"]
    events, acts = pl.from_arrow(t["stage_events"]), pl.from_arrow(t["activities"])
    handoff = (events.filter(pl.col("stage").is_in(LADDER[1:])).group_by("lead_id")
               .agg(pl.col("entered_at").min().alias("handoff_at")))
    first = (acts.join(handoff, on="lead_id").filter(pl.col("occurred_at") >= pl.col("handoff_at"))
             .group_by("lead_id").agg(pl.col("occurred_at").min().alias("first_at")))
    owners = pl.from_arrow(t["leads"]).select("lead_id", "owner_id", "icp_tier", "source")
    reps = pl.from_arrow(t["reps"]).select(pl.col("rep_id").alias("owner_id"), "team")
    return handoff.join(owners, on="lead_id").join(reps, on="owner_id").join(first, on="lead_id", how="left")


def _local(frame: pl.DataFrame, tz: str) -> pl.DataFrame:
    local = pl.col("first_at").dt.convert_time_zone(tz)
    return frame.with_columns(local.dt.date().alias("day"), local.dt.weekday().alias("weekday"),
                              (local.dt.hour().cast(pl.Int32) * 60 + local.dt.minute()).alias("minute"))


def test_first_responses_fall_in_the_owner_calendar_business_hours(data: dict) -> None:
    """Tokyo teams answer 09:00-18:00 Tokyo time outside lunch and Japanese holidays/closures; the enterprise
    team answers 09:00-18:00 Singapore time (10:00-19:00 Tokyo) outside Singapore's holidays."""
    firsts = _first_responses(data).filter(pl.col("first_at").is_not_null())
    years = [2024, 2025, 2026]
    closures = tomllib.loads((data["dir"] / "sla.toml").read_text(encoding="utf-8"))["calendar"]["extra_holidays"]
    jp = set(holidays.country_holidays("JP", years=years)) | {dt.date.fromisoformat(d) for d in closures}
    sg = set(holidays.country_holidays("SG", years=years))
    tokyo = _local(firsts.filter(pl.col("team") != "enterprise"), "Asia/Tokyo")
    singapore = _local(firsts.filter(pl.col("team") == "enterprise"), "Asia/Singapore")
    assert tokyo.height > 500 and singapore.height > 300
    for frame, days_off in ((tokyo, jp), (singapore, sg)):
        assert frame["weekday"].max() <= 5  # polars: Monday = 1
        assert frame["minute"].min() >= 9 * 60 and frame["minute"].max() < 18 * 60
        assert not frame["day"].is_in(sorted(days_off)).any()
    assert tokyo.filter(pl.col("minute").is_between(12 * 60, 13 * 60, closed="left")).height == 0  # lunch
    # ... and Singapore's hours are really its own: answers Tokyo's calendar would not count as open
    in_tokyo = _local(firsts.filter(pl.col("team") == "enterprise"), "Asia/Tokyo")
    after_tokyo_close = in_tokyo.filter(pl.col("minute") >= 18 * 60).height
    on_japanese_days_off = in_tokyo.filter(pl.col("day").is_in(sorted(jp)) & (pl.col("weekday") <= 5)).height
    assert after_tokyo_close > 0.05 * in_tokyo.height and on_japanese_days_off > 0
    lunch_sg = singapore.filter(pl.col("minute").is_between(11 * 60, 12 * 60, closed="left")).height  # 12-13 JST
    assert lunch_sg > 0.05 * singapore.height  # Singapore has no break in its calendar


def test_every_demo_tier_is_populated_in_the_newest_half(data: dict) -> None:
    """Each tier of v2 (tier A = enterprise by routing) holds leads handed over in April-September 2026."""
    start, end = dt.datetime(2026, 4, 1, tzinfo=JST), dt.datetime(2026, 10, 1, tzinfo=JST)
    firsts = _first_responses(data).filter(pl.col("handoff_at").is_between(start, end, closed="left"))
    a = pl.col("icp_tier") == "A"
    form = pl.col("source") == "contact-form"
    counts = {"Tier A contact requests": firsts.filter(a & form).height,
              "Tier A accounts": firsts.filter(a & ~form).height,
              "Contact requests": firsts.filter(~a & form).height, "rest": firsts.filter(~a & ~form).height}
    assert min(counts.values()) > 0, counts
    assert set(firsts.filter(a)["team"]) == {"enterprise"}  # tier A is routed to the Singapore desk
