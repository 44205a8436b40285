"""A proposal against the terms in force, in words: the one side-by-side table the Proposal page shows, the deck
draws and the CLI prints, cell for cell (sla_review.metrics.proposals gives the numbers).

Honest cells: an estimate says so with its interval, a rate on fewer than MIN_CASES cases says "too few to judge",
no activities is "no data", and the change column is empty for the first (current) column and wherever either
side has no figure. Words: locales/*.toml [proposal]; statuses are the scorecard's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sla_review.core.terms import PeriodTerms, SlaVersion, spans_text
from sla_review.metrics.proposals import Replay
from sla_review.metrics.scorecard import MIN_CASES
from sla_review.present import catalogue, formats, i18n

SECTION = "proposal"


def w(lang: str, key: str, **values: object) -> str:
    """One of this module's words ([proposal] in locales/*.toml)."""
    return catalogue.t(f"{SECTION}.{key}", lang, **values)


def _hours(value: float | None, lang: str) -> str:
    if value is None:
        return formats.DASH
    digits = 0 if value == int(value) else 1 if round(value * 10) == value * 10 else 2
    return formats.hours(value, lang, digits)


def _num(value: float | None, lang: str) -> str:
    if value is None:
        return formats.DASH
    digits = 0 if value == int(value) else 1 if round(value * 10) == value * 10 else 2
    return formats.number(value, lang, digits)


def rule_text(v: SlaVersion, lang: str) -> str:
    """The MQL rule: "score ≥ 60 (fit × 0.5 + engagement × 0.5)"."""
    return w(lang, "rule", threshold=_num(v.mql_threshold, lang), fit=_num(v.fit_weight, lang),
             engagement=_num(v.engagement_weight, lang))


def target_text(v: SlaVersion, lang: str) -> str:
    """The response target, with each tier's own: "2 h · Tier A 1 h"."""
    parts = [_hours(v.response_target_hours, lang)]
    parts += [w(lang, "tier_target", tier=t.name, hours=_hours(t.response_target_hours, lang))
              for t in v.tiers if t.response_target_hours is not None]
    return w(lang, "sep").join(parts)


def follow_up_terms(v: SlaVersion, lang: str) -> str:
    return w(lang, "follow_up_terms", attempts=i18n.fmt_int(v.min_attempts, lang),
             days=_num(v.attempt_window_business_days, lang))


def _rate_cell(rate: float | None, ci: list[float] | None, cases: int, lang: str, no_data: bool = False) -> str:
    if no_data:
        return i18n.t(lang, "no_response_data")
    if rate is None or not cases:
        return i18n.t(lang, "status_no_data")
    text = formats.interval(rate, *(ci or (None, None)), lang)
    if cases < MIN_CASES:
        return w(lang, "with_state", value=text, state=i18n.t(lang, "status_too_few", n=i18n.fmt_int(cases, lang)))
    return text


def _volume_rate(r: Replay, lang: str) -> str:
    vol = r.volume
    if vol["sql_rate"] is None:
        return i18n.t(lang, "status_no_data")
    text = formats.interval(vol["sql_rate"], *(vol["sql_rate_ci95"] or (None, None)), lang)
    return w(lang, "estimate", value=text) if vol["is_estimate"] else text


def load_text(r: Replay, lang: str) -> str:
    """"6.2 handoffs per rep per week · history at 5–9 a week: 71.0% within target" (or why there is no history);
    a proposal that changes the MQL set says how the load was scaled ("today 6.2 × 2.43")."""
    if r.per_rep_week is None:
        return formats.DASH
    head = w(lang, "per_rep_week", n=formats.number(r.per_rep_week, lang, 1))
    if r.volume_ratio is not None and round(r.volume_ratio, 2) != 1 and r.observed_week is not None:
        head = w(lang, "per_rep_week_scaled", head=head, today=formats.number(r.observed_week, lang, 1),
                 ratio=formats.number(r.volume_ratio, lang, 2))
    b = r.at_load
    if b is None:
        return head
    span = w(lang, "load_span", low=b["low"], high=b["high"]) if b["high"] is not None else \
        w(lang, "load_open", low=b["low"])
    if b["status"] == "no_data":
        said = i18n.t(lang, "status_no_data")
    elif b["status"] == "too_few":
        said = i18n.t(lang, "status_too_few", n=i18n.fmt_int(b["judged"], lang))
    else:
        said = w(lang, "load_within", rate=formats.percent(b["attainment"], lang))
    return w(lang, "load_history", head=head, span=span, said=said)


def load_span(bucket: dict, lang: str) -> str:
    """A load bucket's span as the chart's axis names it: "5–9", "100 or more"."""
    return w(lang, "load_span", low=bucket["low"], high=bucket["high"]) if bucket["high"] is not None else \
        w(lang, "load_open", low=bucket["low"])


def months_met(r: Replay, key: str) -> tuple[int, int]:
    """Months of the view a clause met (green) of those judged (green, amber or red)."""
    judged = [m for m in r.monthly if m[key] in ("green", "amber", "red")]
    return sum(m[key] == "green" for m in judged), len(judged)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: list[str]  # one per replay, in the order given
    changes: list[str]  # "" for the first column and where there is nothing to compare


ROW_KEYS = ("rule", "mqls_per_month", "commitment", "sql_rate", "sql_target", "sqls_per_month", "handoff_stage",
            "target", "attainment", "median", "follow_up_terms", "follow_up", "mqls_per_rep", "per_rep",
            "months_commitment", "months_sql")


def _change(values: list[float | None], kind: str, lang: str) -> list[str]:
    base = values[0]
    out = [""]
    for v in values[1:]:
        if base is None or v is None:
            out.append("")
        elif kind == "pct":
            out.append(formats.points(v - base, lang))
        elif kind == "hours":
            out.append(formats.hours(v - base, lang, 1, sign=True))
        else:
            out.append(formats.signed(v - base, lang))
    return out


def comparison(replays: list[Replay], lang: str) -> list[Row]:
    """The side-by-side rows, current first: terms, then what each would have meant on this view's history."""
    def row(key: str, cells: list[str], values: list[float | None] | None = None, kind: str = "num") -> Row:
        changes = _change(values, kind, lang) if values is not None else [""] * len(cells)
        return Row(key, w(lang, f"row_{key}"), cells, changes)

    no_acts = [bool(r.response.get("no_data")) for r in replays]
    judged = [r.response["within_target"] + r.response["breached"] for r in replays]
    rows = [
        row("rule", [rule_text(r.version, lang) for r in replays]),
        row("mqls_per_month", [formats.number(r.volume["mqls_per_month"], lang, 1) for r in replays],
            [r.volume["mqls_per_month"] for r in replays]),
        row("commitment", [_num(r.version.monthly_mql_commitment, lang) for r in replays]),
        row("sql_rate", [_volume_rate(r, lang) for r in replays], [r.volume["sql_rate"] for r in replays], "pct"),
        row("sql_target", [formats.percent(r.version.mql_to_sql_target, lang) for r in replays]),
        row("sqls_per_month",
            [w(lang, "estimate", value=formats.number(r.volume["expected_sqls_per_month"], lang, 1))
             if r.volume["is_estimate"] and r.volume["expected_sqls_per_month"] is not None
             else formats.number(r.volume["expected_sqls_per_month"], lang, 1) for r in replays],
            [r.volume["expected_sqls_per_month"] for r in replays]),
        row("handoff_stage", [i18n.stage(r.version.handoff_stage, lang) for r in replays]),
        row("target", [target_text(r.version, lang) for r in replays]),
        row("attainment", [_rate_cell(r.response["attainment"], r.response["attainment_ci95"], n, lang, nd)
                           for r, n, nd in zip(replays, judged, no_acts, strict=True)],
            [None if nd or n < MIN_CASES else r.response["attainment"]
             for r, n, nd in zip(replays, judged, no_acts, strict=True)], "pct"),
        row("median", [formats.DASH if nd else formats.hours(r.response["median_business_hours"], lang)
                       for r, nd in zip(replays, no_acts, strict=True)],
            [None if nd else r.response["median_business_hours"] for r, nd in zip(replays, no_acts, strict=True)],
            "hours"),
        row("follow_up_terms", [follow_up_terms(r.version, lang) for r in replays]),
        row("follow_up", [_rate_cell(r.follow_up["rate"], r.follow_up["rate_ci95"], r.follow_up["due"], lang, nd)
                          for r, nd in zip(replays, no_acts, strict=True)],
            [None if nd or r.follow_up["due"] < MIN_CASES else r.follow_up["rate"]
             for r, nd in zip(replays, no_acts, strict=True)], "pct"),
        row("mqls_per_rep", [formats.number(r.per_rep_month, lang, 1) for r in replays],
            [r.per_rep_month for r in replays]),
        row("per_rep", [load_text(r, lang) for r in replays]),
    ]
    for key, status in (("months_commitment", "mqls_status"), ("months_sql", "sql_status")):
        cells = []
        for r in replays:
            met, of = months_met(r, status)
            text = (w(lang, "months_met", met=i18n.fmt_int(met, lang), of=i18n.fmt_int(of, lang)) if of
                    else i18n.t(lang, "status_unjudged") if status == "mqls_status" and r.segmented
                    else w(lang, "months_none"))
            if of and status == "sql_status" and any(m["sql_is_estimate"] for m in r.monthly):
                text = w(lang, "estimate", value=text)
            cells.append(text)
        rows.append(row(key, cells))
    return rows


TERM_KEYS = ("rule", "commitment", "sql_target", "handoff_stage", "target", "follow_up_terms")
"""The rows that state the clauses themselves; the others say what the clauses would have meant (OUTCOME_KEYS).
The deck puts each group on a slide of its own (one table of 16 rows is unreadable on a projector)."""
OUTCOME_KEYS = tuple(k for k in ROW_KEYS if k not in TERM_KEYS)


def table(replays: list[Replay], labels: list[str], lang: str,
          keys: tuple[str, ...] | None = None) -> list[list[str]]:
    """The comparison as text, header row first: clause, then per column its figure, then (after the first) its
    change against the first column. The page's dataframe, the deck's table and the CLI's lines; `keys` keeps
    only those rows (in the table's order)."""
    rows = [r for r in comparison(replays, lang) if keys is None or r.key in keys]
    header = [w(lang, "col_clause"), labels[0]]
    for label in labels[1:]:
        header += [label, w(lang, "col_change", name=label)]
    body = []
    for r in rows:
        line = [r.label, r.cells[0]]
        for cell, change in zip(r.cells[1:], r.changes[1:], strict=True):
            line += [cell, change]
        body.append(line)
    return [header, *body]


MONTH_STATUS_KEYS = ("mqls_status", "sql_status", "attainment_status", "follow_up_status")


def monthly_table(r: Replay, lang: str) -> list[list[str]]:
    """Month by month, which clauses the terms met: MQLs vs commitment, SQL yield vs target, attainment and
    follow-up vs the review guidelines, each with its figure and status word."""
    header = [w(lang, "col_month"), w(lang, "col_mqls"), w(lang, "col_sql_rate"), w(lang, "col_attainment"),
              w(lang, "col_follow_up")]
    body = []
    for m in r.monthly:
        def cell(value: str, status: str, cases: int) -> str:
            return w(lang, "with_state", value=value, state=status_word(status, cases, lang))

        body.append([
            i18n.fmt_month(m["month"], lang),
            cell(w(lang, "of_commitment", n=i18n.fmt_int(m["mqls"], lang), c=_num(m["commitment"], lang)),
                 m["mqls_status"], m["mqls"]),
            cell(w(lang, "estimate", value=formats.interval(m["sql_rate"], *(m["sql_rate_ci95"] or (None, None)),
                                                             lang))
                 if m["sql_is_estimate"] else formats.percent(m["sql_rate"], lang), m["sql_status"], m["mqls"]),
            cell(formats.percent(m["attainment"], lang), m["attainment_status"], m["judged"]),
            cell(formats.percent(m["follow_up_rate"], lang), m["follow_up_status"], m["due"]),
        ])
    return [header, *body]


def status_word(status: str, cases: int, lang: str) -> str:
    """"Met"/"Missed" for a clause's verdict in a month; otherwise the scorecard's honest non-verdicts."""
    if status == "green":
        return w(lang, "met")
    if status in ("amber", "red"):
        return w(lang, "missed")
    return i18n.t(lang, f"status_{status}", n=i18n.fmt_int(cases, lang))


def current_note(terms: PeriodTerms | None, lang: str) -> str | None:
    """When several versions applied in the period: what "current" means here (the newest one's terms over the
    whole period, while the other pages judge each handoff by its own version). None when one version applies."""
    if terms is None or not terms.several:
        return None
    spans = spans_text(terms, lambda d: i18n.fmt_date(d, lang), i18n.t(lang, "terms_until"),
                       i18n.t(lang, "terms_from"), i18n.t(lang, "terms_between"), i18n.t(lang, "terms_sep"))
    return w(lang, "current_note", name=terms.version.name, spans=spans)
