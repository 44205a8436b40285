"""The leads behind a number: every kind of figure the dashboard lets the room open, as a fixed enum with its
parameters, and the one query (sql/metrics/leads_behind.sql) that lists the rows the figure counted.

Why one home: "which ones?" must give exactly the leads the figure counted, for the same period, filters and
as_of. The list is picked in SQL by the same scope macros and conditions as the figure's own query, so its length
is the figure by construction (tests/metrics/test_drill.py checks every kind). A Number travels in the URL
(`?leads=funnel:stage=mql;view=cohort`); decode() accepts only the kinds and names listed here, checks every value
against its fixed list or type, and says what was wrong instead of raising anything else, so a crafted link gets a
message. Names that pick a column reach SQL only from the fixed lists; values only as bound $parameters.
"""

from __future__ import annotations

import enum
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from sla_review.core.periods import Period
from sla_review.core.vocabulary import LADDER, SEGMENTS, Filters
from sla_review.metrics.breakdowns import CLOSED_LOOP_DIMS, CLOSED_LOOP_STAGES, RESPONSE_DIMS
from sla_review.metrics.report import query

QUERY = "leads_behind"
SHOWN = 1000
"""Rows drawn on screen; the heading counts them all and the CSV holds them all."""


class Kind(enum.StrEnum):
    """Every kind of number that opens its leads (the value is the SQL's $kind)."""

    FUNNEL = "funnel"  # a funnel bar: stage, cohort or flow view (funnel and scorecard pages)
    FUNNEL_SEGMENT = "funnel_segment"  # a cell of the funnel breakdown by segment
    MQL_COHORT = "mql_cohort"  # the scorecard's MQL, MQL→SQL and rejection tiles: the period's MQLs (or a part)
    COHORT_MONTH = "cohort_month"  # a monthly MQL cohort bar (conversion page)
    CONVERSION_SEGMENT = "conversion_segment"  # a row of MQL→SQL by segment or by rep
    RESPONSE = "response"  # the response tiles: handoffs by verdict
    HIST_BIN = "hist_bin"  # a bar of the response histogram
    RESPONSE_ROW = "response_row"  # a row of response by rep / team / channel / ...
    FOLLOW_UP = "follow_up"  # the follow-up tile: due (or compliant) handoffs
    ATTEMPTS = "attempts"  # a bar of follow-up attempts
    CLOSED_LOOP = "closed_loop"  # a rejection / recycle bar by reason, source, campaign, score band or month


@dataclass(frozen=True)
class Arg:
    """One parameter of a kind: its fixed list (names that pick a column) or its type (bound values)."""

    name: str
    choices: tuple[str, ...] | None = None
    parse: Callable[[str], Any] = str
    nullable: bool = False  # a group key may be NULL (no channel, no team): absent from the URL means NULL

    def check(self, value: Any) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise DrillError("missing", self.name, "")
        if self.choices is not None and value not in self.choices:
            raise DrillError("value", self.name, str(value))
        try:
            parsed = self.parse(str(value)) if self.parse is not str else str(value)
        except (TypeError, ValueError) as err:
            raise DrillError("value", self.name, str(value)) from err
        if self.parse in (int, float) and not (0 <= parsed < 1e9):
            raise DrillError("value", self.name, str(value))
        if self.parse is float and parsed <= 0:
            raise DrillError("value", self.name, str(value))
        return parsed


def _month(text: str) -> str:
    """YYYY-MM, as the cohorts are keyed."""
    year, month = text.split("-")
    if len(year) != 4 or len(month) != 2 or not (1 <= int(month) <= 12):
        raise ValueError(text)
    return text


STAGE = Arg("stage", LADDER)
SEGMENT = Arg("segment", SEGMENTS)
VALUE = Arg("value")
ARGS: dict[Kind, tuple[Arg, ...]] = {
    Kind.FUNNEL: (Arg("view", ("cohort", "flow")), STAGE),
    Kind.FUNNEL_SEGMENT: (SEGMENT, VALUE, Arg("stage", ("leads", *LADDER))),
    Kind.MQL_COHORT: (Arg("part", ("all", "converted", "rejected")),),
    Kind.COHORT_MONTH: (Arg("month", parse=_month),),
    Kind.CONVERSION_SEGMENT: (SEGMENT, VALUE),
    Kind.RESPONSE: (Arg("status", ("all", "judged", "within_target", "breached", "pending")),),
    Kind.HIST_BIN: (Arg("bin_hours", parse=float), Arg("max_bin", parse=int), Arg("bin", parse=int),
                    Arg("part", ("all", "within", "over"))),
    Kind.RESPONSE_ROW: (Arg("dim", RESPONSE_DIMS), Arg("key", nullable=True)),
    Kind.FOLLOW_UP: (Arg("part", ("due", "compliant")),),
    Kind.ATTEMPTS: (Arg("max_attempts", parse=int), Arg("attempts", parse=int)),
    Kind.CLOSED_LOOP: (Arg("closed_stage", CLOSED_LOOP_STAGES), Arg("dim", ("all", *CLOSED_LOOP_DIMS)),
                       Arg("key", nullable=True)),
}
"""The parameters of every kind, in URL order."""

SQL_DEFAULTS: dict[str, Any] = {"stage": None, "view": None, "segment": None, "value": None, "part": None,
                                "month": None, "status": None, "bin_hours": None, "max_bin": None, "bin": None,
                                "dim": None, "key": None, "max_attempts": None, "attempts": None,
                                "closed_stage": None}
"""Every parameter the SQL names besides the period and the filters: a kind binds its own, the rest are NULL."""

PERIODS = ("period", "compare")

UNIT = {k: "handoffs" if k in (Kind.RESPONSE, Kind.HIST_BIN, Kind.RESPONSE_ROW, Kind.FOLLOW_UP, Kind.ATTEMPTS)
        else "events" if k is Kind.CLOSED_LOOP else "leads" for k in Kind}
"""What one row of a kind's list is: a lead, a handoff (one per lead at most) or a closed-loop event."""


class DrillError(ValueError):
    """A number that cannot be opened: which part of it was wrong (an i18n key's fields: what, name, value)."""

    def __init__(self, what: str, name: str, value: str) -> None:
        super().__init__(f"{what}: {name}={value!r}")
        self.what, self.name, self.value = what, name, value


@dataclass(frozen=True)
class Number:
    """One number that can be opened: its kind, its parameters (checked) and which period of the view."""

    kind: Kind
    args: tuple[tuple[str, Any], ...]
    period: str = "period"

    def arg(self, name: str) -> Any:
        return dict(self.args)[name]

    def encode(self) -> str:
        """`kind:name=value;...` for the URL (values percent-encoded; a NULL key is left out)."""
        parts = [f"{k}={urllib.parse.quote(str(v), safe='')}" for k, v in self.args if v is not None]
        if self.period != "period":
            parts.append(f"period={self.period}")
        return f"{self.kind.value}:{';'.join(parts)}"


def number(kind: Kind | str, period: str = "period", **args: Any) -> Number:
    """A checked Number: the kind from the enum, every argument from its fixed list or of its type."""
    try:
        kind = Kind(kind)
    except ValueError as err:
        raise DrillError("kind", "kind", str(kind)) from err
    if period not in PERIODS:
        raise DrillError("value", "period", str(period))
    spec = ARGS[kind]
    unknown = args.keys() - {a.name for a in spec}
    if unknown:
        name = sorted(unknown)[0]
        raise DrillError("name", name, str(args[name]))
    return Number(kind, tuple((a.name, a.check(args.get(a.name))) for a in spec), period)


def decode(text: str) -> Number:
    """The Number a URL names; DrillError (never anything else) when it is not one of ours."""
    if not isinstance(text, str) or len(text) > 2000:
        raise DrillError("kind", "kind", str(text)[:40])
    kind, _, rest = text.partition(":")
    args: dict[str, str] = {}
    for part in filter(None, rest.split(";")):
        name, sep, value = part.partition("=")
        if not sep or name in args:
            raise DrillError("name", name, value)
        args[name] = urllib.parse.unquote(value)
    period = args.pop("period", "period")
    return number(kind, period, **args)


def _params(num: Number, period: Period, filters: Filters) -> dict[str, Any]:
    return {"kind": num.kind.value, "tz": period.tz, **SQL_DEFAULTS, **dict(num.args)}


def _run(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, number: str,
         shown: int | None) -> pl.DataFrame:
    """One run of the query: the first `shown` rows (None: all), each carrying the list's full length (`total`),
    so the heading's count and the table come from the same pass (the ids are counted before the cut)."""
    return query(con, QUERY, period, filters, **_params(decode(number), period, filters), shown=shown)


def leads(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, number: str) -> pl.DataFrame:
    """Every lead (handoff, event) behind the number, ordered by lead id: what the CSV holds."""
    return _run(con, period, filters, number, None).drop("total")


def listing(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, number: str,
            shown: int = SHOWN) -> dict[str, Any]:
    """How many rows are behind the number (the heading) and the first `shown` of them (the table)."""
    frame = _run(con, period, filters, number, max(shown, 1))  # at least one row, to carry the count
    total = int(frame["total"][0]) if frame.height else 0
    return {"total": total, "rows": frame.drop("total").head(max(shown, 0))}


# ---------------------------------------------------------------- from a clicked point to its Number
# The pages' charts come from sla_review.present.charts; a click gives plotly's point (curve_number, point_index,
# x, y). These map it back to the row of the frame the chart was drawn from (never to its label's text alone),
# and return None for points that are not a count (a trend line, a target line, a comparison marker).


def _pos(point: dict) -> tuple[int, int] | None:
    curve, index = point.get("curve_number"), point.get("point_index", point.get("point_number"))
    return (int(curve), int(index)) if isinstance(curve, int) and isinstance(index, int) else None


def funnel_point(point: dict, cur: pl.DataFrame, view: str, has_compare: bool) -> Number | None:
    """charts.funnel: the comparison's bars (trace 0 when there is one), then this period's, one per stage."""
    pos = _pos(point)
    if pos is None or not 0 <= pos[1] < cur.height:
        return None
    period = "compare" if has_compare and pos[0] == 0 else "period"
    return number(Kind.FUNNEL, period, view=view, stage=cur["stage"][pos[1]])


def max_bin(bin_hours: float, max_hours: float) -> int:
    """The histogram's overflow bin, as breakdowns.response_hist cuts it."""
    return int(round(max_hours / bin_hours)) + 1


def hist_point(point: dict, hist: pl.DataFrame, bin_hours: float, max_hours: float) -> Number | None:
    """charts.response_hist: trace 0 = within its own target, trace 1 = over it; one bar per row of hist."""
    pos = _pos(point)
    if pos is None or pos[0] not in (0, 1) or not 0 <= pos[1] < hist.height:
        return None
    return number(Kind.HIST_BIN, bin_hours=bin_hours, max_bin=max_bin(bin_hours, max_hours),
                  bin=int(hist["bin"][pos[1]]), part=("within", "over")[pos[0]])


def cohort_point(point: dict, cohorts: pl.DataFrame, lang: str) -> Number | None:
    """charts.cohorts: bars labelled by month (mature and young cohorts in two traces); the rest are lines."""
    from sla_review.present import i18n

    shown = cohorts.filter(pl.col("mqls") > 0)["month"].to_list()
    month = dict(zip(i18n.month_labels(shown, lang), shown, strict=True)).get(point.get("x"))
    if month is None or point.get("y") is None or _pos(point) is None:
        return None
    return number(Kind.COHORT_MONTH, month=month)


def closed_loop_point(point: dict, frame: pl.DataFrame, lang: str, dim: str) -> Number | None:
    """charts.closed_loop_bars: a stacked bar per stage present (rejected, then recycled), groups on the y axis
    labelled as the chart labels them; the comparison's markers come after the bars and open nothing."""
    from sla_review.present import i18n, safe

    pos = _pos(point)
    stages = [s for s in CLOSED_LOOP_STAGES if frame.filter(pl.col("stage") == s).height]
    if pos is None or pos[0] >= len(stages):
        return None
    keys = frame.select("label", "key").unique()
    by_label = {safe.plotly(i18n.value_label(lab, lang)): key for lab, key in keys.iter_rows()}
    key = by_label.get(point.get("y"))
    if key is None:
        return None
    return number(Kind.CLOSED_LOOP, closed_stage=stages[pos[0]], dim=dim, key=key)


TILES: dict[str, Number] = {
    "mql_volume": number(Kind.MQL_COHORT, part="all"),  # the MQL count behind MQLs per month
    "mql_to_sql": number(Kind.MQL_COHORT, part="all"),  # the cohort the rate is of (its converted are marked)
    "response": number(Kind.RESPONSE, status="judged"),  # attainment's denominator: within target + breached
    "follow_up": number(Kind.FOLLOW_UP, part="due"),
    "rejection": number(Kind.MQL_COHORT, part="rejected"),  # the rejected MQLs the rate counts
    "handoffs": number(Kind.RESPONSE, status="all"),
    "breached": number(Kind.RESPONSE, status="breached"),
    "rejected": number(Kind.CLOSED_LOOP, closed_stage="rejected", dim="all"),
    "recycled": number(Kind.CLOSED_LOOP, closed_stage="recycled", dim="all"),
}
"""The number each tile's "show leads" opens: for a rate, the cases it rests on (the count the tile names)."""
