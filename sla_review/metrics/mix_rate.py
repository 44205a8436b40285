"""Mix vs rate: the change of a rate between the comparison period and the period, split exactly into the part
from the mix across segments moving and the part from the rates within segments moving (shift-share).

Why: "MQL→SQL +4.5 pt" reads as "MQL quality rose" to marketing and as "more webinar MQLs" to sales; both can be
true at once. With w_i = a segment's share of the denominator (MQLs, judged handoffs) and r_i = its rate, the
overall rate is R = Σ w_i·r_i and, in the symmetric form,

    mix_i  = (w1_i − w0_i) · (r0_i + r1_i) / 2
    rate_i = (r1_i − r0_i) · (w0_i + w1_i) / 2

so mix_i + rate_i = w1_i·r1_i − w0_i·r0_i and the parts add up to R1 − R0 exactly (no residual term). Per
segment, the mix part is shown against the average overall rate R̄ = (R0 + R1)/2:
mix_i = (w1_i − w0_i)·((r0_i + r1_i)/2 − R̄). Since Σ(w1_i − w0_i) = 0 the mix total is the same, but a segment
whose share grows raises the rate only if it converts better than average (otherwise every growing segment would
"add" mix, and a new one its whole w1·r1). A segment present in only one period has no rate in the other; it is
taken equal to its rate where it exists, so its whole contribution is mix (docs/definitions.md). Everything is
computed from the integer counts with Fraction, so "parts add up" is an equality, not a rounding; the loop below
runs over segment groups (a few hundred at most, aggregated in SQL), never over leads.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import duckdb
import polars as pl

from sla_review.core.periods import Period
from sla_review.core.vocabulary import SEGMENTS, Filters
from sla_review.metrics.report import query
from sla_review.metrics.scorecard import MIN_CASES
from sla_review.present import i18n

CONVERSION_DIMS: tuple[str, ...] = tuple(s for s in SEGMENTS if s != "owner")
"""The segments MQL→SQL can be decomposed by (a rep is no segment of the MQL mix: marketing does not choose it)."""
ATTAINMENT_DIMS: tuple[str, ...] = ("team", "channel")
"""Response attainment by the owner's team or by the first response's channel."""
MEASURES = {"mql_to_sql": ("mql_to_sql_by_segment_two_periods", "segment", CONVERSION_DIMS),
            "attainment": ("attainment_by_segment_two_periods", "dim", ATTAINMENT_DIMS)}
"""measure -> (its query in sql/metrics, the query's dimension parameter, the dimensions allowed)."""
STATES = ("ok", "no_comparison", "no_comparison_data", "no_data", "too_few")
"""ok; no comparison chosen; a comparison with no cases in this view; no cases in the period; fewer than
MIN_CASES in either period overall (the numbers are exact but judge nothing)."""


class _Rates:
    """r0 and r1 from the counts (n0, k0, n1, k1): exact, None where a period has no cases."""

    n0: int
    k0: int
    n1: int
    k1: int

    @property
    def r0(self) -> Fraction | None:
        return Fraction(self.k0, self.n0) if self.n0 else None

    @property
    def r1(self) -> Fraction | None:
        return Fraction(self.k1, self.n1) if self.n1 else None


@dataclass(frozen=True)
class Part(_Rates):
    """One segment's counts in both periods and its exact contributions (rates are Fractions, None where the
    segment has no cases in that period)."""

    key: str | None
    n0: int
    k0: int
    n1: int
    k1: int
    mix: Fraction
    rate: Fraction

    @property
    def total(self) -> Fraction:
        return self.mix + self.rate

    @property
    def only(self) -> str | None:
        """"period" / "comparison" for a segment present in only one of them, else None."""
        return "comparison" if not self.n1 else "period" if not self.n0 else None

    @property
    def too_few(self) -> bool:
        """Fewer than MIN_CASES cases in a period it is present in: its rate is not named as a mover."""
        return min(n for n in (self.n0, self.n1) if n) < MIN_CASES


@dataclass(frozen=True)
class MixRate(_Rates):
    """The decomposition of one measure's change by one dimension; parts are () unless state is ok/too_few."""

    measure: str
    dim: str
    state: str
    n0: int = 0
    k0: int = 0
    n1: int = 0
    k1: int = 0
    parts: tuple[Part, ...] = ()

    @property
    def decomposed(self) -> bool:
        return self.state in ("ok", "too_few")

    @property
    def total(self) -> Fraction | None:
        return self.r1 - self.r0 if self.decomposed else None

    @property
    def mix(self) -> Fraction | None:
        return sum((p.mix for p in self.parts), Fraction(0)) if self.decomposed else None

    @property
    def rate(self) -> Fraction | None:
        return sum((p.rate for p in self.parts), Fraction(0)) if self.decomposed else None


def decompose(measure: str, dim: str, counts: pl.DataFrame | None) -> MixRate:
    """The shift-share of `counts` (key, n0, k0, n1, k1: integer counts per segment; None = no comparison
    chosen). Pure: the hand-worked tests call it directly."""
    if counts is None:
        return MixRate(measure, dim, "no_comparison")
    n0, k0, n1, k1 = (int(counts[c].sum()) if counts.height else 0 for c in ("n0", "k0", "n1", "k1"))
    if not n1:
        return MixRate(measure, dim, "no_data", n0, k0, n1, k1)
    if not n0:
        return MixRate(measure, dim, "no_comparison_data", n0, k0, n1, k1)
    rbar = (Fraction(k0, n0) + Fraction(k1, n1)) / 2
    parts = []
    for key, a0, b0, a1, b1 in counts.select("key", "n0", "k0", "n1", "k1").iter_rows():
        if not (a0 or a1):
            continue
        w0, w1 = Fraction(a0, n0), Fraction(a1, n1)
        r0 = Fraction(b0, a0) if a0 else Fraction(b1, a1)  # absent in a period: its rate where present
        r1 = Fraction(b1, a1) if a1 else r0
        parts.append(Part(key, a0, b0, a1, b1, (w1 - w0) * ((r0 + r1) / 2 - rbar),
                          (r1 - r0) * (w0 + w1) / 2))
    parts.sort(key=lambda p: (-abs(p.total), p.key is None, p.key or ""))
    state = "too_few" if min(n0, n1) < MIN_CASES else "ok"
    return MixRate(measure, dim, state, n0, k0, n1, k1, tuple(parts))


def _counts(con: duckdb.DuckDBPyConnection, measure: str, period: Period, filters: Filters, dim: str,
            compare: Period | None) -> MixRate:
    name, param, allowed = MEASURES[measure]
    if dim not in allowed:  # the dimension picks a column inside SQL: fixed list only
        raise ValueError(f"{dim!r} is not one of {allowed}")
    if compare is None:
        return decompose(measure, dim, None)
    cmp = compare.params()
    frame = query(con, name, period, filters, **{param: dim}, cmp_from_ts=cmp["from_ts"], cmp_to_ts=cmp["to_ts"],
                  cmp_as_of=cmp["as_of"])
    return decompose(measure, dim, frame)


def conversion_mix(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, segment: str = "source",
                   compare: Period | None = None) -> MixRate:
    """MQL→SQL (the report's rate: converted by each period's as_of) from `compare` to `period`, by `segment`."""
    return _counts(con, "mql_to_sql", period, filters, segment, compare)


def attainment_mix(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, dim: str = "team",
                   compare: Period | None = None) -> MixRate:
    """Response attainment (within target / judged handoffs) from `compare` to `period`, by team or channel."""
    return _counts(con, "attainment", period, filters, dim, compare)


MEASURES_OF = {conversion_mix.__name__: "mql_to_sql", attainment_mix.__name__: "attainment"}
"""Which measure each metric function decomposes (a page's section words itself by it)."""


def largest_move(result: MixRate, kind: str | None = None) -> tuple[str, Part] | None:
    """("rate" | "mix", segment) of the largest part among segments with enough cases, or None; with `kind`,
    the largest of that kind in the direction its total moved."""
    judged = [(k, p) for p in result.parts if not p.too_few for k in ("rate", "mix") if kind in (None, k)]
    if not judged:
        return None
    sign = 1 if kind is None or getattr(result, kind) >= 0 else -1
    size = (lambda kp: abs(getattr(kp[1], kp[0]))) if kind is None or not getattr(result, kind) else (
        lambda kp: sign * getattr(kp[1], kp[0]))
    return max(judged, key=lambda kp: (size(kp), kp[0] == "rate"))


def explain(result: MixRate, label: dict[str | None, str], lang: str) -> str:
    """The sentence under the waterfall, as plain text (escape it for Markdown): the change, its mix and rate
    parts and the segment that moved it most. `label` maps a segment key to its shown name."""
    head, tail = explain_parts(result, label, lang)
    return head if tail is None else i18n.t(lang, "mx_sentence", head=head, tail=tail)


def explain_parts(result: MixRate, label: dict[str | None, str], lang: str) -> tuple[str, str | None]:
    """(the change and its two parts, what moved it most) as plain text; the slide puts the second in its
    headline. Honest states say why there is nothing to split (and have no second part)."""
    t, pp = (lambda key, **v: i18n.t(lang, key, **v)), (lambda x: i18n.fmt_pp(float(x), lang))
    measure = t(f"mx_measure_{result.measure}")
    if not result.decomposed:
        return t(f"mx_state_{result.state}", measure=measure), None
    values = {"measure": measure, "total": pp(result.total), "mix": pp(result.mix), "rate": pp(result.rate),
              "r0": i18n.fmt_pct(float(result.r0), lang), "r1": i18n.fmt_pct(float(result.r1), lang)}
    head = t("mx_change", **values)
    if result.state == "too_few":
        return head, t("mx_state_too_few", min=MIN_CASES, **values)
    kind = "rate" if abs(result.rate) >= abs(result.mix) else "mix"
    total, part_of_kind = result.total, getattr(result, kind)
    move = largest_move(result, kind)

    def most(x: Fraction) -> bool:  # x is more than half of the change, in its direction
        return total != 0 and (x > 0) == (total > 0) and abs(x) * 2 > abs(total)

    if move is not None and most(getattr(move[1], kind)):
        key = f"mx_most_{kind}"
    elif move is not None and most(part_of_kind):
        key = f"mx_mostly_{kind}"
    else:
        move = largest_move(result)
        if move is None:
            return head, t("mx_no_mover", min=MIN_CASES, **values)
        kind, key = move[0], f"mx_largest_{move[0]}"
    part = move[1]
    where = {"segment": label.get(part.key, str(part.key)), "value": pp(getattr(part, kind))}
    return head, t(key, **values, **where)
