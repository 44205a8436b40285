"""Export: the review meeting's slides (.pptx) and static chart images, built on the server.

Why it exists: the twice-yearly SLA review ends with slides, and the numbers on them must be the dashboard's
numbers. Every figure here comes from metrics.report (build_report and the sql/metrics/ queries), so the deck,
the dashboard and `python -m sla_review report` cannot disagree.

Why it is built this way:
- Charts are pictures rendered by kaleido with the system Chromium at 2x (sharp on a projector); titles,
  headlines and tables are real, editable PowerPoint text.
- Starting Chromium costs 3-7 s, so ONE renderer is started per process and kept; kaleido's sync server is not
  safe for concurrent callers (its request and reply queues are shared), so a lock serialises renders.
- Chromium is launched through a tiny wrapper that adds --disable-background-networking (kaleido does not),
  so a machine without internet does not stall on background requests.
- No streamlit import: the CLI, the tests and the Export page all call this module.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import io
import os
import shutil
import sys
import threading
import time
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import polars as pl
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from sla_review.core.periods import Period, comparison_as_of, months_elapsed, running_month
from sla_review.core.periods import previous_range as previous_period
from sla_review.core.terms import SlaConfig, SlaVersion, for_period
from sla_review.core.vocabulary import Filters
from sla_review.ingest.drafts import Draft
from sla_review.ingest.importer import stored_config
from sla_review.metrics import breakdowns as bd
from sla_review.metrics import intervals, mix_rate, proposals
from sla_review.metrics import scorecard as sc
from sla_review.metrics.report import build_report, make_period, query, tiers_apply
from sla_review.present import charts as builders
from sla_review.present import formats, i18n, proposal_text, safe
from sla_review.present.deck_text import DEFINITIONS, LANGS, text
from sla_review.present.theme import INK, MUTED, PRIMARY, SLIDE, TONES
from sla_review.store import scratch

ALL_SECTIONS: tuple[str, ...] = ("scorecard", "funnel", "mql_monthly", "conversion", "mix_rate", "response",
                                 "rejections", "what_if", "proposal", "versions", "appendix")
CHART_SECTIONS: tuple[str, ...] = ("funnel", "mql_monthly", "conversion", "mix_rate", "response", "rejections",
                                   "what_if")
SLIDES_PER_SECTION: dict[str, int] = {s: 1 for s in ALL_SECTIONS} | {"appendix": 2, "proposal": 4}
DRAFT_SECTIONS: tuple[str, ...] = ("proposal",)
"""Sections that exist only when a draft is given (build_deck's `draft`): without one they are left out."""

WHAT_IF_GRID = tuple(range(30, 95, 5))

ProgressFn = Callable[[float, str], None]

# --------------------------------------------------------------------------------------------------------------
# Static images: one kaleido renderer per process
# --------------------------------------------------------------------------------------------------------------

SLIDE_PX = (1280, 720)  # a whole 16:9 slide in logical pixels; scale=2 gives 2560x1440
_render_lock = threading.Lock()
_wrapper_dir: str | None = None


def _browser_path() -> str:
    """The Chromium to run: $SLA_CHROMIUM, else the first chromium on PATH (Debian: /usr/bin/chromium)."""
    for candidate in (os.environ.get("SLA_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      shutil.which("google-chrome"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    raise RuntimeError("No Chromium found for chart images: install Debian's `chromium` or set SLA_CHROMIUM.")


def _wrapper_script() -> str:
    """A shell script that execs Chromium with --disable-background-networking added (kaleido omits it)."""
    global _wrapper_dir
    if _wrapper_dir is None or not Path(_wrapper_dir, "chromium").exists():
        _wrapper_dir = str(scratch.make_dir(scratch.KALEIDO))  # pid-stamped: a later run sweeps it after a kill
        atexit.register(shutil.rmtree, _wrapper_dir, True)
    script = Path(_wrapper_dir, "chromium")
    browser = _browser_path().replace("'", "'\\''")
    script.write_text(f"#!/bin/sh\nexec '{browser}' --disable-background-networking \"$@\"\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def _ensure_renderer() -> None:
    """Start kaleido's sync server once (call with the lock held)."""
    import kaleido
    import plotly.io as pio

    if kaleido._global_server.is_running():  # started earlier, by us or by another module
        return
    pio.defaults.headers = None  # with a server running, plotly would otherwise pass kopts and warn
    kaleido.start_sync_server(path=_wrapper_script(), mathjax=False, silence_warnings=True)


def _render(fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
    """Render under the lock; if the browser died, restart it once and retry."""
    import kaleido
    import plotly.io as pio

    with _render_lock:
        _ensure_renderer()
        try:
            return pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)
        except (ValueError, TypeError):
            raise  # a bad figure, not a dead browser
        except Exception:
            kaleido.stop_sync_server(silence_warnings=True)
            _ensure_renderer()
            return pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)


def figure_png(fig: go.Figure, scale: float = 2, width: int = SLIDE_PX[0], height: int = SLIDE_PX[1]) -> bytes:
    """A PNG of the figure, slide-sized by default (1280x720 logical px; scale=2 is sharp on a projector)."""
    return _render(fig, "png", width, height, scale)


def figure_svg(fig: go.Figure, width: int = SLIDE_PX[0], height: int = SLIDE_PX[1]) -> bytes:
    """An SVG of the figure at slide size, for people who edit charts in a vector tool."""
    return _render(fig, "svg", width, height, 1)


def with_title(fig: go.Figure, title: str) -> go.Figure:
    """A copy with the headline as a figure title: for a chart image used outside the deck. The headline is
    plain text (it may name a rejection reason), so it is escaped for plotly's pseudo-HTML here."""
    out = go.Figure(fig)
    out.update_layout(title=dict(text=safe.plotly(title), x=0.01, xanchor="left", font=dict(size=SLIDE.title)),
                      margin=dict(t=(fig.layout.margin.t or SLIDE.margin[2]) + 64))
    return out


# --------------------------------------------------------------------------------------------------------------
# Numbers as people read them
# --------------------------------------------------------------------------------------------------------------


def _int(n: float | None) -> str:
    return formats.integer(n)


def _pct(x: float | None, digits: int = 1) -> str:
    return formats.percent(x, "en", digits)


def _num(x: float | None, digits: int = 1) -> str:
    return formats.number(x, "en", digits)


def _hours(x: float | None, lang: str) -> str:
    return formats.hours(x, lang)


def _plain(x: float) -> str:
    """3 not 3.0, 2.5 as 2.5: SLA terms as they were written."""
    return f"{x:g}"


def _move(lang: str, before: float | None, after: float | None, noise: str | None = None) -> str:
    """'rose from 18% to 24%': whole percents unless that would hide a real difference; with the change's
    verdict (intervals.BEYOND / WITHIN) 'rose from 18% to 24%, beyond noise' / 'moved within noise (18% → 24%)'."""
    if after is None:
        return text(lang, "held", b="—")
    if before is None:
        return text(lang, "no_previous", b=_pct(after, 0))
    digits = 0 if _pct(before, 0) != _pct(after, 0) else 1
    a, b = _pct(before, digits), _pct(after, digits)
    if a == b:
        return text(lang, "held", b=b)
    if noise == intervals.WITHIN:
        return text(lang, "moved_within", a=a, b=b)
    if noise == intervals.BEYOND:
        return text(lang, "rose_beyond" if after > before else "fell_beyond", a=a, b=b)
    if noise == TOO_FEW:
        return text(lang, "rose_too_few" if after > before else "fell_too_few", a=a, b=b)
    return text(lang, "rose" if after > before else "fell", a=a, b=b)


TOO_FEW = "too_few"
"""A change whose periods rest on fewer than MIN_CASES cases: worded "too few to judge", never a verdict."""


def _verdict(k1: int | None, n1: int | None, k2: int | None, n2: int | None) -> str | None:
    """intervals.change_verdict, and TOO_FEW where both periods have cases but one has fewer than MIN_CASES
    (no comparison, or no data on either side: no verdict at all)."""
    if not n1 or not n2:
        return None
    return intervals.change_verdict(k1, n1, k2, n2) or TOO_FEW


def _noise(now: dict, before: dict, hits: str, cases: str) -> str | None:
    """The verdict on a rate's change between two report sections (_verdict)."""
    return _verdict(now[hits], now[cases], before[hits], before[cases])


def _ci(value: float | None, ci: Sequence[float] | None, lang: str, unit: str = "percent") -> str:
    """A figure with its 95% interval as every surface writes it (formats.interval); the bare figure without one."""
    low, high = ci if ci else (None, None)
    return formats.interval(value, low, high, lang, unit=unit)


def _day(d: dt.date) -> str:
    return d.isoformat()


def _last_day(p: Period) -> dt.date:
    """Periods are [from, to): people read the last day included."""
    return p.to_day - dt.timedelta(days=1)


def _span(p: Period) -> tuple[str, str]:
    return _day(p.from_day), _day(_last_day(p))


def _stamp(ts: dt.datetime | None, tz: str) -> str:
    return "—" if ts is None else ts.astimezone(zoneinfo.ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


def comparison_for(con: duckdb.DuckDBPyConnection, period: Period) -> Period:
    """The previous period of the same length, judged at the same age as `period` (as the dashboard does:
    otherwise the older cohort has had more time to convert and every change looks like a decline)."""
    start, end = previous_period(period.from_day, period.to_day)
    return make_period(con, start, end, comparison_as_of(period.as_of, period.from_day, start))


def deck_filename(period: Period, lang: str) -> str:
    """sla-review_2026-04-01_2026-09-30_en.pptx: the period as people read it."""
    start, end = _span(period)
    return f"sla-review_{start}_{end}_{lang}.pptx"


def chart_filename(period: Period, key: str, lang: str, ext: str) -> str:
    start, end = _span(period)
    return f"sla-{key}_{start}_{end}_{lang}.{ext}"


# --------------------------------------------------------------------------------------------------------------
# The data behind the deck
# --------------------------------------------------------------------------------------------------------------


class NoData(ValueError):
    """The database holds no SLA (nothing was imported): there is no deck to make."""


@dataclass
class DeckData:
    """Everything the slides show, fetched once."""
    period: Period
    comparison: Period
    filters: Filters
    report: dict
    previous: dict
    config: SlaConfig
    in_force: SlaVersion
    applied: list[SlaVersion]
    applied_previous: list[SlaVersion]
    funnel: pl.DataFrame
    funnel_previous: pl.DataFrame
    cohorts: pl.DataFrame
    cohorts_previous: pl.DataFrame
    hist: pl.DataFrame
    closed_loop: pl.DataFrame
    closed_loop_previous: pl.DataFrame
    summary: dict
    score: sc.ScorecardData
    score_previous: sc.ScorecardData
    terms: dict | None
    whatif: pl.DataFrame
    whatif_today: int
    is_demo: bool = False
    segmented: bool = False
    maturity_days: int = sc.MATURITY_DAYS
    guides: sc.Guides = field(default_factory=sc.Guides)
    mix: mix_rate.MixRate | None = None  # MQL→SQL mix vs rate by DECK_MIX_DIM (the conversion page's section)
    proposal: ProposalData | None = None  # the draft the deck compares with the terms in force (None: no draft)


@dataclass
class ProposalData:
    """The draft on the deck: its replay and the current terms' on the same view (proposals.compare), and the
    what-if curve at the draft's weights (today's curve when the weights are today's)."""
    draft: Draft
    current: proposals.Replay
    proposed: proposals.Replay
    curve: pl.DataFrame


def as_draft(draft: Draft | SlaVersion | None) -> Draft | None:
    """A saved draft as it is, or a bare version as a draft named after it (no note, no author)."""
    if draft is None or isinstance(draft, Draft):
        return draft
    return Draft(draft.name, draft, "", None, None, None)  # type: ignore[arg-type]


def collect(con: duckdb.DuckDBPyConnection, period: Period, comparison: Period,
            filters: Filters | None = None, guides: sc.Guides | None = None,
            maturity_days: int = sc.MATURITY_DAYS, draft: Draft | SlaVersion | None = None) -> DeckData:
    """Run every query the deck needs: the report for both periods and, for each slide, the metric function
    its dashboard page calls for the same view (sc.scorecard_data, bd.funnel, bd.mql_cohorts,
    bd.response_hist, bd.closed_loop_by, bd.whatif_curve), so each slide shows the page's figure. With a
    draft, also the Proposal page's replay of it and of the terms in force (proposals.compare)."""
    filters = filters or Filters()
    draft = as_draft(draft)
    if not con.execute("SELECT count(*) FROM sla_versions").fetchall()[0][0]:
        raise NoData("The database has no data yet: import a CRM export or build the demo first.")
    config = stored_config(con)
    terms, terms_previous = for_period(config.versions, period), for_period(config.versions, comparison)
    in_force = terms.version
    report = build_report(con, period, (), filters)
    previous = build_report(con, comparison, (), filters)
    bin_hours, max_hours = builders.response_bins(_targets([a.version for a in terms.applied], report, "en"))
    terms_now = terms.as_dict()
    return DeckData(
        period=period, comparison=comparison, filters=filters, report=report, previous=previous,
        config=config, in_force=in_force, applied=[a.version for a in terms.applied],
        applied_previous=[a.version for a in terms_previous.applied],
        cohorts=bd.mql_cohorts(con, period, filters, days=maturity_days),
        cohorts_previous=bd.mql_cohorts(con, comparison, filters, days=maturity_days),
        funnel=bd.funnel(con, period, filters, view="cohort"),
        funnel_previous=bd.funnel(con, comparison, filters, view="cohort"),
        hist=bd.response_hist(con, period, filters, bin_hours=bin_hours, max_hours=max_hours),
        closed_loop=bd.closed_loop_by(con, period, filters, dim="reason"),
        closed_loop_previous=bd.closed_loop_by(con, comparison, filters, dim="reason"),
        summary=query(con, "data_summary", period, filters).row(0, named=True),
        score=sc.scorecard_data(con, period, filters, maturity_days),
        score_previous=sc.scorecard_data(con, comparison, filters, maturity_days, shown=False),
        terms=terms_now,
        whatif=bd.whatif_curve(con, period, filters, float(terms_now["fit_weight"]),
                               float(terms_now["engagement_weight"])),
        whatif_today=int(round(terms_now["mql_threshold"])),
        is_demo=bool(bd.status(con)["is_demo"]), segmented=sc.segmented(filters), maturity_days=maturity_days,
        guides=guides or sc.Guides(),
        mix=mix_rate.conversion_mix(con, period, filters, DECK_MIX_DIM, comparison),
        proposal=_proposal_data(con, period, filters, draft, guides or sc.Guides(), maturity_days),
    )


def _proposal_data(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, draft: Draft | None,
                   guides: sc.Guides, maturity_days: int) -> ProposalData | None:
    if draft is None:
        return None
    current, proposed = proposals.compare(con, period, filters, [draft.version], guides=guides,
                                          maturity_days=maturity_days)
    v = draft.version
    curve = bd.whatif_curve(con, period, filters, float(v.fit_weight), float(v.engagement_weight))
    return ProposalData(draft, current, proposed, curve)


# --------------------------------------------------------------------------------------------------------------
# Scorecard
# --------------------------------------------------------------------------------------------------------------




def _per_month(x: float | None) -> str:
    """MQLs per month as the scorecard tile writes them (1 decimal under 100)."""
    return i18n.fmt_num(x, "en", 1 if x is not None and abs(x) < 100 else 0)


def scorecard_tiles(data: DeckData) -> list[sc.Tile]:
    """The dashboard's tiles for this view: sc.tiles on the same facts, terms, guides and segment rule."""
    return sc.tiles(data.score, data.score_previous, data.terms, data.guides, data.segmented)


def scorecard(data: DeckData, lang: str = "en") -> list[sc.TileText]:
    """The scorecard slide's rows: each tile worded by sc.tile_text, exactly as the screen's cards."""
    return [sc.tile_text(t, lang) for t in scorecard_tiles(data)]


# --------------------------------------------------------------------------------------------------------------
# Charts: the pages' builders (present.charts, theme.SLIDE) + headline (the finding, in numbers) + speaker notes
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Chart:
    """One chart slide's content."""
    key: str
    section: str
    headline: str
    figure: go.Figure
    notes: list[str]
    footnote: str = ""
    table: list[list[str]] | None = None  # under the picture: the response slide's tiers (header row first)


def _stage_label(stage: str, lang: str) -> str:
    return text(lang, f"stage_{stage}")


def _labels(data: DeckData, lang: str) -> tuple[str, str]:
    """The two periods as the dashboard names them in its legends ("Apr – Sep 2026")."""
    return (formats.period(data.period.from_day, data.period.to_day, lang),
            formats.period(data.comparison.from_day, data.comparison.to_day, lang))


def _drawn(fig: go.Figure | None, lang: str) -> go.Figure:
    """A builder's figure, or the page's "nothing to draw" sentence as a slide-sized picture."""
    return fig if fig is not None else builders.nothing_to_draw(lang, variant=SLIDE)


def chart_funnel(data: DeckData, lang: str) -> Chart:
    """The funnel page's cohort waterfall (bd.funnel, builders.funnel), the previous period beside it."""
    cur_label, cmp_label = _labels(data, lang)
    fig = builders.funnel(data.funnel, data.funnel_previous, lang, cur_label, cmp_label,
                        text(lang, "sec_funnel"), variant=SLIDE)
    cur, prev = data.funnel.to_dicts(), data.funnel_previous.to_dicts()

    def sql_rate(rows: list[dict]) -> float | None:
        first = rows[0]["count"] if rows else 0
        return next(r["count"] for r in rows if r["stage"] == "sql") / first if first else None

    first = cur[0]["count"] if cur else 0
    sql = next((r["count"] for r in cur if r["stage"] == "sql"), 0)
    if first:  # the share of new leads reaching SQL, with its interval and its change's verdict
        row = next(r for r in cur if r["stage"] == "sql")
        first_prev = prev[0]["count"] if prev else 0
        sql_prev = next((r["count"] for r in prev if r["stage"] == "sql"), 0)
        headline = text(lang, "h_funnel_move", sql=_int(sql), leads=_int(first),
                        rate=_ci(row["pct_first"], (row["pct_first_low"], row["pct_first_high"]), lang),
                        move=_move(lang, sql_rate(prev), sql_rate(cur), _verdict(sql, first, sql_prev, first_prev)))
    else:
        headline = text(lang, "h_funnel", sql=_int(sql), leads=_int(first), rate=_pct(sql_rate(cur)),
                        prev=_pct(sql_rate(prev)))
    steps = builders.step_share_texts(data.funnel, lang)  # the page's hover: each step with its interval
    notes = [f"{_stage_label(c['stage'], lang)}: {_int(c['count'])} ({_pct(c['pct_first'])}) / {_int(q['count'])}"
             + (f"; {i18n.t(lang, 'col_pct_prev')} {step}" if c["pct_prev"] is not None else "")
             for c, q, step in zip(cur, prev, steps, strict=True)]
    return Chart("funnel", text(lang, "sec_funnel"), headline, _drawn(fig, lang), notes, text(lang, "fn_funnel"))


def chart_mql_monthly(data: DeckData, lang: str) -> Chart:
    """The scorecard page's monthly MQLs vs commitment (builders.monthly_mqls), the previous period's months
    before them in grey."""
    cur, prev = data.score.report["mql_monthly"], data.score_previous.report["mql_monthly"]
    fig = builders.monthly_mqls(cur, lang, running_month(data.period), previous=prev,
                              previous_label=_labels(data, lang)[1], variant=SLIDE)
    met_n = sum(m["met"] for m in cur)
    weight = months_elapsed(data.period)
    avg = data.report["mql_count"] / weight if weight else None
    headline = text(lang, "h_mql_monthly", met=met_n, months=len(cur), avg=_per_month(avg),
                    commit=_per_month(sc.monthly_commitment(data.report, data.period)))
    notes = [f"{m['month']}: {_int(m['count'])} / {_int(m['commitment'])} "
             f"({text(lang, 'met' if m['met'] else 'missed')})" for m in cur]
    return Chart("mql_monthly", text(lang, "sec_mql_monthly"), headline, _drawn(fig, lang), notes,
                 text(lang, "fn_mql_monthly"))


def chart_conversion(data: DeckData, lang: str) -> Chart:
    """The conversion page's monthly cohorts (bd.mql_cohorts, builders.cohorts): immature cohorts hatched and
    out of the trend, the previous period's cohorts before them in grey."""
    fig = builders.cohorts(data.cohorts, lang, data.maturity_days, previous=data.cohorts_previous,
                         previous_label=_labels(data, lang)[1], variant=SLIDE)
    conv, conv_prev = data.report["mql_to_sql"], data.previous["mql_to_sql"]
    headline = text(lang, "h_conversion", move=_move(lang, conv_prev["rate"], conv["rate"],
                                                     _noise(conv, conv_prev, "converted", "cohort")),
                    target=_pct(data.in_force.mql_to_sql_target, 0))
    notes = [f"{text(lang, 'this_period')}: {_int(conv['converted'])} / {_int(conv['cohort'])} = {_pct(conv['rate'])}",
             f"{text(lang, 'previous_period')}: {_int(conv_prev['converted'])} / {_int(conv_prev['cohort'])} = "
             f"{_pct(conv_prev['rate'])}"]
    notes += [f"{r['month']}: {_int(r['converted_within'])} / {_int(r['mqls'])} = {_pct(r['rate_within'])}"
              for r in data.cohorts.to_dicts()]
    return Chart("conversion", text(lang, "sec_conversion"), headline, _drawn(fig, lang), notes,
                 text(lang, "fn_conversion", days=data.maturity_days))


def response_targets(data: DeckData, lang: str = "en") -> list[tuple[str, float]]:
    """The response page's target lines: each tier's target when a version applied has tiers, else (version,
    target hours) of every version applied in the period."""
    return _targets(data.applied, data.report, lang)


def _targets(applied: Sequence[SlaVersion], report: dict, lang: str) -> list[tuple[str, float]]:
    versions = [(v.name, v.response_target_hours) for v in applied]
    if not tiers_apply(applied):
        return versions
    return builders.tier_targets(report["response_by_tier"], lang) or versions


def tier_rows(data: DeckData, lang: str) -> list[sc.TierText]:
    """The response page's "by tier" rows (sc.tier_texts of the report's response_by_tier), [] without tiers."""
    return sc.tier_texts(data.report["response_by_tier"], lang) if tiers_apply(data.applied) else []


def chart_response(data: DeckData, lang: str) -> Chart:
    """The response page's histogram (bd.response_hist, builders.response_hist): each handoff coloured by its
    own target, one line per distinct target; with tiers, the page's "by tier" table under it."""
    resp = data.report["response"]
    tiers = tier_rows(data, lang)
    own = "_tiers" if tiers else ""  # with tiers there is no one target to name: each handoff has its tier's
    targets = response_targets(data, lang)
    bin_hours, max_hours = builders.response_bins(targets)
    fig = builders.response_hist(data.hist, lang, targets, bin_hours, max_hours, variant=SLIDE)
    unanswered = resp["breached"] - (resp["responded"] - resp["within_target"])
    target = data.in_force.response_target_hours
    prev = data.previous["response"]
    median = _ci(resp["median_business_hours"], resp.get("median_business_hours_ci95"), lang, "hours")
    p90 = _ci(resp["p90_business_hours"], resp.get("p90_business_hours_ci95"), lang, "hours")
    if resp["attainment"] is None:  # nothing judged: no rate, no interval, no verdict
        headline = text(lang, "h_response" + own, att=_pct(resp["attainment"], 0), target=_plain(target),
                        median=_hours(resp["median_business_hours"], lang),
                        p90=_hours(resp["p90_business_hours"], lang))
        footnote = text(lang, "fn_response", n=_int(max(unanswered, 0)))
    else:
        judged = (resp["within_target"] + resp["breached"], prev["within_target"] + prev["breached"])
        noise = _verdict(resp["within_target"], judged[0], prev["within_target"], judged[1])
        headline = text(lang, "h_response_move" + own, target=_plain(target),
                        move=_move(lang, prev["attainment"], resp["attainment"], noise), median=median, p90=p90)
        footnote = text(lang, "fn_response_ci", att=_ci(resp["attainment"], resp["attainment_ci95"], lang),
                        n=_int(max(unanswered, 0)))
    fu, fu_prev = data.report["follow_up"], data.previous["follow_up"]
    notes = [f"{text(lang, 'handoffs')}: {_int(resp['handoffs'])}; "
             f"{text(lang, 'within')}: {_int(resp['within_target'])}; breached: {_int(resp['breached'])}; "
             f"pending: {_int(resp['pending'])}; "
             f"{text(lang, 'no_response')}: {_int(unanswered)}".replace("<br>", " "),
             f"{text(lang, 'previous_period')}: {_pct(prev['attainment'])}, median "
             f"{_hours(prev['median_business_hours'], lang)}, p90 {_hours(prev['p90_business_hours'], lang)}",
             f"median {median}, p90 {p90}",
             text(lang, "n_follow_up", rate=_ci(fu["rate"], fu["rate_ci95"], lang),
                  k=_int(fu["compliant"]), n=_int(fu["due"]),
                  move=_move(lang, fu_prev["rate"], fu["rate"], _noise(fu, fu_prev, "compliant", "due")))]
    table = sc.tier_table(tiers, lang) if tiers else None  # the response page's table, cell for cell
    notes += [i18n.t(lang, "tier_line", tier=x.tier, target=x.target, attainment=x.shown) for x in tiers]
    return Chart("response", text(lang, "sec_response"), headline, _drawn(fig, lang), notes, footnote, table)


def chart_rejections(data: DeckData, lang: str, top: int = 8) -> Chart:
    """The closed-loop page's reasons (bd.closed_loop_by reason, builders.closed_loop_bars), with the previous
    period's total per reason marked."""
    fig = builders.closed_loop_bars(data.closed_loop, lang, text(lang, "sec_rejections"), top,
                                  previous=data.closed_loop_previous, previous_label=_labels(data, lang)[1],
                                  variant=SLIDE)
    rejected = data.closed_loop.filter(pl.col("stage") == "rejected").sort(["count", "label"],
                                                                         descending=[True, False])
    before = dict(data.closed_loop_previous.filter(pl.col("stage") == "rejected").select("label", "count").rows())
    total, total_prev = int(rejected["count"].sum()), sum(before.values())
    rate, rate_prev = sc.rejection_rate(data.score), sc.rejection_rate(data.score_previous)
    k, n = data.score.rejected_leads, data.score.report["mql_count"]
    noise = _verdict(k, n, data.score_previous.rejected_leads, data.score_previous.report["mql_count"])
    if total:
        reason, count = rejected.row(0)[rejected.columns.index("label")], int(rejected["count"][0])
        headline = text(lang, "h_rejections", reason=i18n.value_label(reason, lang), count=_int(count),
                        total=_int(total), share=_pct(count / total, 0), move=_move(lang, rate_prev, rate, noise))
    elif not data.score.has_rejections:  # no data is not zero: the CRM export holds no rejections at all
        headline = text(lang, "h_rejections_no_data")
    elif n == 0:
        headline = text(lang, "h_rejections_no_mqls")
    else:
        headline = text(lang, "h_rejections_none")
    # the rejection rate with its interval, as the scorecard's tile (no rate without closed-loop data or MQLs)
    footnote = (text(lang, "fn_rejections", rate=_ci(rate, intervals.wilson(k, n), lang), k=_int(k), n=_int(n))
                if data.score.has_rejections and rate is not None else "")
    notes = [f"{text(lang, 'rejections')}: {_int(total)} ({_pct(rate)}) / {_int(total_prev)} ({_pct(rate_prev)})"]
    notes += [f"{i18n.value_label(r, lang)}: {_int(n)} / {_int(before.get(r, 0))}"
              for r, n in rejected.select("label", "count").head(top).rows()]
    return Chart("rejections", text(lang, "sec_rejections"), headline, _drawn(fig, lang), notes, footnote)


def whatif_rows(data: DeckData, curve: pl.DataFrame | None = None, marked: Sequence[int] = ()) -> list[dict]:
    """The what-if page's figures at the deck's thresholds: MQLs per month and the SQL yield, which is the
    page's model estimate wherever the page says "estimate" (is_estimate), never the biased-low observed rate.
    `curve`: another set of weights' curve (the draft's), `marked`: more thresholds to list (the draft's)."""
    grid = set(WHAT_IF_GRID) | {data.whatif_today} | set(marked)
    rows = (data.whatif if curve is None else curve).filter(pl.col("threshold").is_in(sorted(grid)))
    rows = rows.sort("threshold").to_dicts()
    return [{"threshold": r["threshold"], "per_month": r["mqls_per_month"], "is_estimate": r["is_estimate"],
             "rate": r["estimated_sql_rate"] if r["is_estimate"] else r["sql_rate"], "volume": r["volume"],
             "reached_sql": r["reached_sql"],
             # an estimate's own model interval; an observed yield's Wilson interval (reached_sql of volume)
             "ci": ((r["est_low"], r["est_high"]) if r["is_estimate"]
                    else intervals.wilson(r["reached_sql"], r["volume"]))} for r in rows]


def chart_what_if(data: DeckData, lang: str) -> Chart:
    """The what-if page's volume-vs-yield curve (bd.whatif_curve, builders.whatif_curve) at today's weights,
    today's threshold and the headline's alternative marked; observed and estimate drawn as on the page. With a
    draft on the deck, today's rule against the draft's instead (_what_if_draft)."""
    if data.proposal is not None:
        return _what_if_draft(data, lang)
    rows = whatif_rows(data)
    cur_t = data.whatif_today
    base = next((r for r in rows if r["threshold"] == cur_t), None)
    alt = next((r for r in rows if r["threshold"] >= cur_t + 5 and r["volume"]
                and (base is None or r["volume"] != base["volume"])), None)

    def pct(r: dict) -> str:
        shown = _ci(r["rate"], r["ci"], lang)  # the yield with its 95% interval, an estimate marked as one
        return text(lang, "estimate_mark", x=shown) if r["is_estimate"] and r["rate"] is not None else shown

    terms = data.terms or {}
    fig = builders.whatif_curve(data.whatif, lang, cur_t, alt["threshold"] if alt else None,
                              terms.get("monthly_mql_commitment"), terms.get("mql_to_sql_target"), variant=SLIDE)
    if base and alt and base["volume"]:
        headline = text(lang, "h_what_if", cur=_plain(cur_t), alt=_plain(alt["threshold"]),
                        cut=_pct(1 - alt["volume"] / base["volume"], 0),
                        v0=i18n.fmt_num(base["per_month"], lang, 0), v1=i18n.fmt_num(alt["per_month"], lang, 0),
                        r0=pct(base), r1=pct(alt))
    else:
        headline = text(lang, "h_what_if_flat", cur=_plain(cur_t),
                        v0=i18n.fmt_num(base["per_month"] if base else None, lang, 0),
                        r0=pct(base) if base else i18n.DASH)
    notes = [f"≥ {_plain(r['threshold'])}: {i18n.fmt_num(r['per_month'], lang, 0)}/month, {pct(r)}" for r in rows]
    return Chart("what_if", text(lang, "sec_what_if"), headline, _drawn(fig, lang), notes, text(lang, "fn_what_if"))


def _yield_text(volume: dict, lang: str) -> str:
    """A replay's SQL yield as the what-if slide writes it: with its interval, an estimate marked as one."""
    shown = _ci(volume["sql_rate"], volume["sql_rate_ci95"], lang)
    return text(lang, "estimate_mark", x=shown) if volume["is_estimate"] and volume["sql_rate"] is not None else shown


def _what_if_draft(data: DeckData, lang: str) -> Chart:
    """The what-if slide with a draft: the page's curve at the draft's weights (the page draws the weights the
    user set), today's threshold and the draft's marked, and the headline's figures from the two replays (the
    proposal table's volume: one truth). Commitment and SQL target lines are the draft's, the clauses on the table."""
    pd = data.proposal
    assert pd is not None
    cur, new = pd.current.version, pd.proposed.version
    cur_t, alt_t = data.whatif_today, int(round(new.mql_threshold))
    fig = builders.whatif_curve(pd.curve, lang, cur_t, alt_t, new.monthly_mql_commitment, new.mql_to_sql_target,
                                variant=SLIDE)
    v0, v1 = pd.current.volume, pd.proposed.volume
    name = _short(pd.draft.name)
    per_month = {k: formats.number(v["mqls_per_month"], lang, 1) for k, v in (("v0", v0), ("v1", v1))}
    weights = ""
    if (cur.fit_weight, cur.engagement_weight) != (new.fit_weight, new.engagement_weight):
        weights = text(lang, "wi_weights_change", a=f"{_plain(cur.fit_weight)} / {_plain(cur.engagement_weight)}",
                       b=f"{_plain(new.fit_weight)} / {_plain(new.engagement_weight)}")
    if v1["same_rule_as_today"]:
        headline = text(lang, "h_what_if_draft_same", draft=name, cur=_plain(cur.mql_threshold),
                        n0=i18n.fmt_int(v0["volume"], lang), v0=per_month["v0"], r0=_yield_text(v0, lang))
    else:
        headline = text(lang, "h_what_if_draft", draft=name, cur=_plain(cur.mql_threshold),
                        alt=_plain(new.mql_threshold), weights=weights, n0=i18n.fmt_int(v0["volume"], lang),
                        n1=i18n.fmt_int(v1["volume"], lang), r0=_yield_text(v0, lang), r1=_yield_text(v1, lang),
                        **per_month)
    rows = whatif_rows(data, pd.curve, (alt_t,))

    def pct(r: dict) -> str:
        shown = _ci(r["rate"], r["ci"], lang)
        return text(lang, "estimate_mark", x=shown) if r["is_estimate"] and r["rate"] is not None else shown

    notes = [f"{proposal_text.rule_text(v, lang)}: {i18n.fmt_int(vol['volume'], lang)} MQL "
             f"({formats.number(vol['mqls_per_month'], lang, 1)}/month), {_yield_text(vol, lang)}"
             for v, vol in ((cur, v0), (new, v1))]
    notes += [f"≥ {_plain(r['threshold'])} ({_plain(new.fit_weight)} / {_plain(new.engagement_weight)}): "
              f"{i18n.fmt_num(r['per_month'], lang, 0)}/month, {pct(r)}" for r in rows]
    return Chart("what_if", text(lang, "sec_what_if"), headline, _drawn(fig, lang), notes,
                 text(lang, "fn_what_if_draft"))


DRAFT_LABEL_CHARS = 28
"""A draft's (or version's) name on a slide is cut to this many characters (CJK: half as many) with "…": a column
header and a headline stay readable with a long name; the whole name is in the footnote and the speaker notes."""


def _short(name: str, most: int = DRAFT_LABEL_CHARS) -> str:
    """`name` cut to `most` characters with "…", a full-width (CJK) character counting as two."""
    widths = [2 if ord(c) >= 0x2E80 else 1 for c in name]
    if sum(widths) <= most:
        return name
    used = keep = 0
    while used + widths[keep] <= most - 1:
        used += widths[keep]
        keep += 1
    return name[:keep].rstrip() + "…"


def proposal_labels(data: DeckData, lang: str) -> list[str]:
    """The two columns' names: the version in force and the draft (both cut to DRAFT_LABEL_CHARS)."""
    pd = data.proposal
    assert pd is not None
    return [text(lang, "pr_current", name=_short(pd.current.version.name)),
            text(lang, "pr_draft", name=_short(pd.draft.name))]


def proposal_table(data: DeckData, lang: str, keys: tuple[str, ...] | None = None) -> list[list[str]]:
    """The Proposal page's side-by-side table, cell for cell (proposal_text.table on the same replays); `keys`:
    only those rows (the outcome slide and the clauses slide each take their group)."""
    pd = data.proposal
    assert pd is not None
    return proposal_text.table([pd.current, pd.proposed], proposal_labels(data, lang), lang, keys)


def _proposal_terms_headline(data: DeckData, lang: str) -> str:
    """Which clauses the draft changes, by name ("MQL rule and response target: 2 of 6 clauses"); the values are
    in the table below."""
    rows = proposal_table(data, lang, proposal_text.TERM_KEYS)[1:]
    changed = [r[0] for r in rows if r[1] != r[2]]
    if not changed:
        return text(lang, "h_proposal_terms_same", draft=_short(data.proposal.draft.name))
    return text(lang, "h_proposal_terms", draft=_short(data.proposal.draft.name),
                changes=text(lang, "h_proposal_terms_sep").join(changed), n=len(changed), of=len(rows))


def _proposal_headline(data: DeckData, lang: str) -> str:
    """The main consequence in plain words: expected SQLs per month and response attainment, current → draft;
    an estimate says so, too few handoffs say so, and a side without a figure gets no change."""
    pd = data.proposal
    assert pd is not None
    a, b = pd.current, pd.proposed
    s0, s1 = a.volume["expected_sqls_per_month"], b.volume["expected_sqls_per_month"]
    if s0 is None or s1 is None:
        sqls = text(lang, "pr_sqls_none") if s1 is None else text(
            lang, "pr_sqls", a=formats.DASH, b=formats.number(s1, lang, 1))
    else:
        shown = formats.number(s1, lang, 1)
        sqls = text(lang, "pr_sqls", a=formats.number(s0, lang, 1),
                    b=proposal_text.w(lang, "estimate", value=shown) if b.volume["is_estimate"] else shown)
    judged = [r.response["within_target"] + r.response["breached"] for r in (a, b)]
    if b.response.get("no_data") or b.response["attainment"] is None:
        att = text(lang, "pr_att_none")
    else:
        r0, r1 = a.response["attainment"], b.response["attainment"]
        shown0, shown1 = formats.percent(r0, lang), formats.percent(r1, lang)
        if min(judged) < sc.MIN_CASES or r0 is None:
            att = text(lang, "pr_att_too_few", a=shown0, b=shown1)
        else:
            att = text(lang, "pr_att", a=shown0, b=shown1, change=formats.points(r1 - r0, lang))
    return text(lang, "h_proposal", draft=_short(pd.draft.name), sqls=sqls, att=att)


def _proposal_footnote(data: DeckData, lang: str) -> str:
    pd = data.proposal
    assert pd is not None
    d = pd.draft
    saved = formats.datetime(d.saved_at, lang) if d.saved_at else formats.DASH
    note = " ".join(d.note.split()).rstrip("。.")

    def line(most: int) -> str:
        return text(lang, "fn_proposal", draft=_short(d.name, 60), based=d.based_on or text(lang, "pr_based_none"),
                    saved=saved + (f" · {d.author}" if d.author else ""),
                    note=text(lang, "fn_proposal_note", note=_short(note, most)) if note and most else "")

    # one line at the footnote's smallest size: the note is cut as far as it must be (it is whole in the notes)
    return next((line(most) for most in (120, 90, 60, 40, 20)
                 if _lines(line(most), CONTENT_W * 0.86 * 72 / 10, False) <= 1), line(0))


PROPOSAL_WIDTHS = (3.0, 3.95, 3.95, 1.433)  # = CONTENT_W: clause, in force, draft, change
PROPOSAL_SIZES = (14, 13, 12, 11, 10, 9)
MONTHLY_WIDTHS = (1.9, 2.6, 2.6, 2.6, 2.633)  # = CONTENT_W: month, then the four clauses
MONTHS_SHOWN = 6


ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
"""Invisible joiners (formats keeps "35.6–41.8%" and "5.0 ポイント" on one line with U+2060): no width."""


def _fit_rows(cells: list[list[str]], widths: Sequence[float], height: float,
              sizes: Sequence[int] = PROPOSAL_SIZES) -> tuple[int, list[float]]:
    """The largest font size at which every row, wrapped into its columns, fits `height` inches; and each row's
    height at it (the header bold). Lines per cell as the headline fitter counts them (_lines), at 93% of the
    cell's width (LibreOffice's substitute fonts; at 97% its 10-pt bold clauses wrapped where this said not)."""
    cjk = [any(ord(c) >= 0x2E80 for cell in row for c in cell) for row in cells]
    for size in sizes:
        # LibreOffice's line: 1.17 x the size in Latin text, about 1.45 x where Noto Sans CJK sets the line
        heights = [0.08 + size * (1.45 if wide else 1.2) / 72
                   * max(_lines(cell.translate(ZERO_WIDTH), (w - 0.2) * 72 / size * 0.93, i == 0 or j == 0)
                         for j, (cell, w) in enumerate(zip(row, widths, strict=True)))
                   for i, (row, wide) in enumerate(zip(cells, cjk, strict=True))]
        if sum(heights) <= height:
            return size, heights
    return sizes[-1], heights


def _fitted_table(deck: _Deck, slide, cells: list[list[str]], widths: Sequence[float], fills: dict,
                  bold: set) -> None:
    size, heights = _fit_rows(cells, widths, BODY_BOTTOM - BODY_TOP - 0.1)
    table = deck.table(slide, cells, widths, BODY_TOP + 0.02, heights[1], size, fills, None, bold)
    for row, h in zip(table.rows, heights, strict=True):
        row.height = Inches(h)
        for cell in row.cells:  # an empty cell's line at the text's size (LibreOffice draws it at 18 pt)
            for para in cell.text_frame.paragraphs:
                if not para.text:
                    for run in list(para.runs):
                        para._p.remove(run._r)
                    para._p.get_or_add_endParaRPr().set("sz", str(size * 100))


def _proposal_table_slide(deck: _Deck, data: DeckData, lang: str, keys: tuple[str, ...]) -> None:
    """One group of the side-by-side table: what the draft would have meant (with the headline of its
    consequences), or the clauses themselves (with what changes)."""
    pd = data.proposal
    assert pd is not None
    cells = proposal_table(data, lang, keys)
    d = pd.draft
    notes = [f"{text(lang, 'pr_draft', name=d.name)} ({d.based_on or text(lang, 'pr_based_none')}): "
             f"{' '.join(d.note.split())}", text(lang, "n_proposal"), proposal_text.w(lang, "replay_note")]
    notes += [f"{row[0]}: {row[1]} → {row[2]}" + (f" ({row[3]})" if row[3] else "") for row in cells[1:]]
    headline = _proposal_headline(data, lang) if keys == proposal_text.OUTCOME_KEYS \
        else _proposal_terms_headline(data, lang)
    slide = deck.content_slide(text(lang, "sec_proposal"), headline, notes, _proposal_footnote(data, lang))
    fills = {(i, 2): "DCE8F5" for i in range(1, len(cells))}
    _fitted_table(deck, slide, cells, PROPOSAL_WIDTHS, fills, {(i, 0) for i in range(1, len(cells))})


def chart_proposal_load(data: DeckData, lang: str) -> Chart:
    """The Proposal page's load view (builders.proposal_load on the draft's replay), where each set of terms puts
    a rep marked; the headline the draft's load sentence, the footnote the current terms'."""
    pd = data.proposal
    assert pd is not None
    cur_label, new_label = proposal_labels(data, lang)
    fig = builders.proposal_load(pd.proposed.load, lang, marks=[(cur_label, pd.current.per_rep_week),
                                                               (new_label, pd.proposed.per_rep_week)],
                                 guide=data.guides.attainment, variant=SLIDE)
    headline = text(lang, "h_proposal_load", draft=_short(pd.draft.name),
                    load=proposal_text.load_text(pd.proposed, lang))
    footnote = text(lang, "fn_proposal_load", current=cur_label, load=proposal_text.load_text(pd.current, lang),
                    n=sc.MIN_CASES)
    notes = [f"{proposal_text.load_span(b, lang)}: "
             f"{formats.percent(b['attainment'], lang)} ({i18n.fmt_int(b['judged'], lang)}), "
             f"median {_hours(b['median_business_hours'], lang)}" for b in pd.proposed.load]
    return Chart("proposal_load", text(lang, "sec_proposal"), headline, _drawn(fig, lang), notes, footnote)


def _proposal_months_slide(deck: _Deck, data: DeckData, lang: str) -> None:
    """The draft's month-by-month clause table (proposal_text.monthly_table), the last MONTHS_SHOWN months."""
    pd = data.proposal
    assert pd is not None
    full = proposal_text.monthly_table(pd.proposed, lang)
    body = full[1:]
    cells = [full[0], *body[-MONTHS_SHOWN:]]
    rows = {r.key: r for r in proposal_text.comparison([pd.current, pd.proposed], lang)}
    headline = text(lang, "h_proposal_months", draft=_short(pd.draft.name),
                    mqls=rows["months_commitment"].cells[1], sql=rows["months_sql"].cells[1])
    footnote = (text(lang, "fn_proposal_months_cut", n=MONTHS_SHOWN, of=len(body)) if len(body) > MONTHS_SHOWN
                else text(lang, "fn_proposal_months"))
    notes = [" · ".join(row) for row in body]
    slide = deck.content_slide(text(lang, "sec_proposal"), headline, notes, footnote)
    if not body:
        return
    _fitted_table(deck, slide, cells, MONTHLY_WIDTHS, {}, {(i, 0) for i in range(1, len(cells))})


DECK_MIX_DIM = "source"
"""The deck explains the MQL→SQL change by source: the mix the room argues about (docs/definitions.md)."""


def chart_mix_rate(data: DeckData, lang: str) -> Chart:
    """The conversion page's mix-vs-rate waterfall (mix_rate.conversion_mix, builders.mix_rate) by source: the
    headline names what moved the change most, the footnote gives the change and its two parts."""
    result = data.mix
    labels = {p.key: i18n.value_label(p.key, lang) for p in result.parts}
    head, tail = mix_rate.explain_parts(result, labels, lang)
    cur_label, cmp_label = _labels(data, lang)
    fig = builders.mix_rate(result, labels, lang, "", cur_label, cmp_label, variant=SLIDE)
    notes = [head, *([tail] if tail else [])]
    notes += [text(lang, "n_mix_part", name=labels[p.key], n0=_int(p.n0), k0=_int(p.k0), n1=_int(p.n1),
                   k1=_int(p.k1), mix=formats.points(float(p.mix), lang), rate=formats.points(float(p.rate), lang))
              for p in result.parts]
    if result.state == "no_comparison_data":  # the period's own rate still in the headline, in numbers
        head = text(lang, "h_mix_rate_alone", rate=_pct(float(result.r1)), k=_int(result.k1), n=_int(result.n1))
    return Chart("mix_rate", text(lang, "sec_mix_rate"), tail or head, _drawn(fig, lang), notes,
                 head if tail else text(lang, "fn_mix_rate"))


CHART_BUILDERS: dict[str, Callable[[DeckData, str], Chart]] = {
    "funnel": chart_funnel, "mql_monthly": chart_mql_monthly, "conversion": chart_conversion,
    "response": chart_response, "rejections": chart_rejections, "what_if": chart_what_if,
    "mix_rate": chart_mix_rate,
}


def charts(con: duckdb.DuckDBPyConnection, period: Period, comparison: Period, lang: str = "en",
           filters: Filters | None = None, keys: Sequence[str] = CHART_SECTIONS,
           maturity_days: int = sc.MATURITY_DAYS, draft: Draft | SlaVersion | None = None) -> list[Chart]:
    """The deck's charts without the deck: for per-chart PNG/SVG downloads on the Export page (with a draft, its
    what-if as on the deck)."""
    data = collect(con, period, comparison, filters, maturity_days=maturity_days, draft=draft)
    return [CHART_BUILDERS[k](data, lang) for k in keys]


# --------------------------------------------------------------------------------------------------------------
# The deck (python-pptx, 16:9, positions laid out here)
# --------------------------------------------------------------------------------------------------------------

LATIN_FONT = "Arial"
CJK_FONT = "Noto Sans CJK JP"
SLIDE_W, SLIDE_H = 13.333, 7.5  # inches: 16:9
MARGIN = 0.5
CONTENT_W = SLIDE_W - 2 * MARGIN
BODY_TOP, BODY_BOTTOM = 1.72, 6.78
CHART_PX = SLIDE.size  # the body box (CONTENT_W x BODY_BOTTOM - BODY_TOP) at 1280 px wide: theme.SLIDE


def _char_em(c: str) -> float:
    """Rough advance width in em, for fitting headlines (CJK is full width)."""
    if ord(c) >= 0x2E80 or c in "“”「」（）、。：":
        return 1.0
    if c.isdigit():
        return 0.56
    if c.isupper():
        return 0.68
    if c.islower():
        return 0.52
    if c == " ":
        return 0.28
    return 0.45 if c in ".,;:!'|()[]-/" else 0.8


def _lines(value: str, width_em: float, bold: bool) -> int:
    """Lines a greedy word wrap needs at this width (in em); CJK text may break between any two characters."""
    scale = 1.07 if bold else 1.0
    words = [w for w in value.replace("<br>", " ").split(" ") if w]
    lines, used = 1, 0.0
    for word in words:
        width = sum(_char_em(c) for c in word) * scale
        space = _char_em(" ") * scale if used else 0.0
        if used + space + width <= width_em:
            used += space + width
            continue
        if width <= width_em and not any(ord(c) >= 0x2E80 for c in word):
            lines, used = lines + 1, width
            continue
        for c in word:  # a CJK run (or an over-long word) breaks by character
            w = _char_em(c) * scale
            if used + w > width_em:
                lines, used = lines + 1, 0.0
            used += w
    return lines


def fit_size(value: str, width_in: float, max_lines: int = 2,
             sizes: Sequence[int] = (28, 26, 24, 22, 20, 18, 17, 16), bold: bool = True) -> int:
    """The largest font size (pt) at which the text wraps into max_lines in a box width_in wide. The usable
    width is taken as 86% of the box: renderers substitute wider fonts (LibreOffice draws Arial as a
    wider sans), and a headline that spills onto a third line hides behind the chart or table below it."""
    for size in sizes:
        if _lines(value, width_in * 0.86 * 72 / size, bold) <= max_lines:
            return size
    return sizes[-1]


def _rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _style_run(run, size: float, lang: str, bold: bool = False, color: str = INK) -> None:
    """Font for Latin and East Asian text (python-pptx only sets a:latin; CJK glyphs use a:ea)."""
    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = _rgb(color)
    font.name = LATIN_FONT
    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", "ja-JP" if lang == "ja" else "en-US")
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        rpr.find(qn("a:latin")).addnext(ea)
    ea.set("typeface", CJK_FONT)


def _write(tf, paragraphs: Sequence[tuple[str, float, bool, str]], lang: str, align=None,
           space_after: float = 0) -> None:
    """Fill a text frame: one (text, size, bold, color) per paragraph."""
    for i, (value, size, bold, color) in enumerate(paragraphs):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        for run in list(para.runs):
            run._r.getparent().remove(run._r)
        run = para.add_run()
        run.text = value
        _style_run(run, size, lang, bold, color)
        if align is not None:
            para.alignment = align
        if space_after:
            para.space_after = Pt(space_after)


def _textbox(slide, left: float, top: float, width: float, height: float,
             paragraphs: Sequence[tuple[str, float, bool, str]], lang: str, align=None, anchor=None,
             space_after: float = 0):
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    tf = box.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = anchor or MSO_ANCHOR.TOP
    tf.margin_left = tf.margin_right = Inches(0.04)
    tf.margin_top = tf.margin_bottom = Inches(0.02)
    _write(tf, paragraphs, lang, align, space_after)
    return box


class _Deck:
    """Slide-making helpers with the deck's geometry and language."""
    def __init__(self, lang: str, footer: str, period_note: str = "") -> None:
        self.lang = lang
        self.footer = footer
        self.period_note = period_note
        self.prs = Presentation()
        self.prs.slide_width = Inches(SLIDE_W)
        self.prs.slide_height = Inches(SLIDE_H)

    def _title(self, slide, value: str, left: float, top: float, width: float, height: float, size: int,
               color: str = INK, bold: bool = True) -> None:
        """The slide's title placeholder, moved and styled: real, editable title text (and outline view)."""
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = Inches(left), Inches(top), Inches(width), Inches(height)
        tf = shape.text_frame
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.NONE
        tf.vertical_anchor = MSO_ANCHOR.TOP
        tf.margin_left = tf.margin_right = Inches(0.04)
        tf.margin_top = tf.margin_bottom = Inches(0.02)
        _write(tf, [(value, size, bold, color)], self.lang, PP_ALIGN.LEFT)

    def content_slide(self, section: str, headline: str, notes: Sequence[str], footnote: str = ""):
        """A slide with the section kicker, the headline as its title, a footnote, the footer and notes."""
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])  # Title Only
        _textbox(slide, MARGIN, 0.28, CONTENT_W, 0.36, [(section, 14, True, PRIMARY)], self.lang)
        self._title(slide, headline, MARGIN, 0.62, CONTENT_W, 1.05, fit_size(headline, CONTENT_W))
        if footnote:
            size = fit_size(footnote, CONTENT_W, 1, sizes=(12, 11, 10), bold=False)
            _textbox(slide, MARGIN, BODY_BOTTOM + 0.02, CONTENT_W, 0.3, [(footnote, size, False, MUTED)],
                     self.lang)
        self._footer(slide)
        self.notes(slide, [headline, *notes, self.period_note])
        return slide

    def _footer(self, slide) -> None:
        number = len(self.prs.slides)
        _textbox(slide, MARGIN, 7.08, CONTENT_W - 1.0, 0.3, [(self.footer, 10, False, MUTED)], self.lang)
        _textbox(slide, SLIDE_W - MARGIN - 1.0, 7.08, 1.0, 0.3, [(str(number), 10, False, MUTED)], self.lang,
                 align=PP_ALIGN.RIGHT)

    @staticmethod
    def notes(slide, lines: Sequence[str]) -> None:
        slide.notes_slide.notes_text_frame.text = "\n".join(line.replace("<br>", " ") for line in lines)

    def picture(self, slide, png: bytes) -> None:
        slide.shapes.add_picture(io.BytesIO(png), Inches(MARGIN), Inches(BODY_TOP), Inches(CONTENT_W),
                                 Inches(BODY_BOTTOM - BODY_TOP))

    def table(self, slide, cells: list[list[str]], widths: Sequence[float], top: float, row_h: float,
              size: float, fills: dict[tuple[int, int], str] | None = None,
              inks: dict[tuple[int, int], str] | None = None, bold: set[tuple[int, int]] | None = None,
              align: dict[int, object] | None = None, col_size: dict[int, float] | None = None,
              header_h: float | None = None):
        """A native table: header row dark, body rows white with thin banding, optional per-cell fills and
        per-column font sizes (a long detail column in smaller type keeps every row on the slide)."""
        fills, inks, bold, align, col_size = fills or {}, inks or {}, bold or set(), align or {}, col_size or {}
        n_rows, n_cols = len(cells), len(cells[0])
        shape = slide.shapes.add_table(n_rows, n_cols, Inches(MARGIN), Inches(top), Inches(sum(widths)),
                                       Inches(row_h * n_rows))
        table = shape.table
        table.horz_banding = False
        for j, w in enumerate(widths):
            table.columns[j].width = Inches(w)
        for i in range(n_rows):
            table.rows[i].height = Inches(header_h if i == 0 and header_h else row_h)
            for j in range(n_cols):
                cell = table.cell(i, j)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE
                cell.margin_left = cell.margin_right = Inches(0.1)
                cell.margin_top = cell.margin_bottom = Inches(0.03)
                header = i == 0
                fill = fills.get((i, j), "1F2937" if header else ("F3F4F6" if i % 2 == 0 else "FFFFFF"))
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(fill)
                ink = inks.get((i, j), "FFFFFF" if header else INK)
                # one paragraph per line: a raw line feed inside a run is no line break in PowerPoint, and
                # LibreOffice centres such a run's first line off-centre
                _write(cell.text_frame, [(line, size if header else col_size.get(j, size), header or (i, j) in bold,
                                          ink) for line in cells[i][j].split("\n")], self.lang, align.get(j))
        return table


def _filters_text(filters: Filters, lang: str) -> str:
    parts = [f"{name}={', '.join(values)}" for name, values in filters.params().items() if values is not None]
    return "; ".join(parts) if parts else text(lang, "all_leads")


def _version_names(versions: Sequence[SlaVersion]) -> str:
    return ", ".join(v.name for v in versions) or "—"


def _title_slide(deck: _Deck, data: DeckData, lang: str) -> None:
    r = data.report
    slide = deck.prs.slides.add_slide(deck.prs.slide_layouts[0])  # Title Slide
    deck._title(slide, text(lang, "deck_title"), 0.9, 1.7, SLIDE_W - 1.8, 1.3,
                fit_size(text(lang, "deck_title"), SLIDE_W - 1.8, 1, sizes=(40, 36, 32, 28)))
    start, end = _span(data.period)
    pstart, pend = _span(data.comparison)
    v = data.in_force
    lines = [(text(lang, "period_line", start=start, end=end), 28, True, PRIMARY),
             (text(lang, "compared_line", start=pstart, end=pend), 18, False, INK),
             (text(lang, "as_of_line", ts=_stamp(data.period.as_of, data.period.tz)), 18, False, INK),
             (text(lang, "in_force_line", name=v.name, date=_day(v.effective_from)), 18, False, INK),
             (text(lang, "filters_line", text=_filters_text(data.filters, lang)), 18, False, INK)]
    sub = slide.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(0.9), Inches(3.15), Inches(SLIDE_W - 1.8), Inches(2.9)

    tf = sub.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = MSO_ANCHOR.TOP
    tf.margin_left = tf.margin_right = Inches(0.04)
    _write(tf, lines, lang, PP_ALIGN.LEFT, space_after=6)
    # an accent rule between title and subtitle
    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(0.92), Inches(3.02), Inches(1.6), Inches(0.07))
    bar.fill.solid()
    bar.fill.fore_color.rgb = _rgb(PRIMARY)
    bar.line.fill.background()
    if data.is_demo:  # nobody negotiates on generated numbers (the dashboard shows the same banner)
        warn = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(0.9), Inches(0.55), Inches(SLIDE_W - 1.8),
                                      Inches(0.62))
        warn.fill.solid()
        warn.fill.fore_color.rgb = _rgb(TONES["orange"])
        warn.line.fill.background()
        tf = warn.text_frame
        tf.word_wrap = True
        tf.vertical_anchor = MSO_ANCHOR.MIDDLE
        _write(tf, [(text(lang, "demo_warning"), 16, True, "#FFFFFF")], lang, PP_ALIGN.LEFT)
    generated = dt.datetime.now(zoneinfo.ZoneInfo(data.period.tz))
    _textbox(slide, 0.9, 6.7, SLIDE_W - 1.8, 0.35,
             [(text(lang, "generated_line", ts=_stamp(generated, data.period.tz)), 11, False, MUTED)], lang)
    conv, resp = r["mql_to_sql"], r["response"]
    deck.notes(slide, [line[0] for line in lines] + [
        f"MQL: {_int(r['mql_count'])}; MQL→SQL {_pct(conv['rate'])} ({_int(conv['converted'])}/"
        f"{_int(conv['cohort'])}); {text(lang, 'row_attainment')} {_pct(resp['attainment'])}; "
        f"median {_hours(resp['median_business_hours'], lang)}, p90 {_hours(resp['p90_business_hours'], lang)}"])


STATUS_FILL = {status: TONES[tone].lstrip("#").upper() for status, tone in sc.STATUS_TONE.items()}
STATUS_INK = {status: "FFFFFF" for status in sc.STATUS_TONE}


def _scorecard_slide(deck: _Deck, data: DeckData, lang: str) -> None:
    """The dashboard's five tiles as a table: the same words, figures, statuses and colours as the screen."""
    shown = scorecard_tiles(data)
    rows = [sc.tile_text(t, lang) for t in shown]
    on, judged = sc.headline_counts(shown)
    conv, conv_prev = data.report["mql_to_sql"]["rate"], data.previous["mql_to_sql"]["rate"]
    unjudged = len(shown) - judged
    noise = next(t.noise for t in shown if t.key == "mql_to_sql")  # the tile's verdict: the same as the screen's
    headline = text(lang, "h_scorecard_unjudged" if unjudged else "h_scorecard", on=on, n=judged, k=unjudged,
                    move=_move(lang, conv_prev, conv, noise))
    notes = [" · ".join(x for x in (r.label, r.value, r.interval, r.delta, r.noise, r.status_label, r.target,
                                    r.detail, r.reason) if x)
             for r in rows]
    slide = deck.content_slide(text(lang, "sec_scorecard"), headline, notes)
    header = [text(lang, k) for k in ("col_metric", "col_actual", "col_change", "col_status", "col_target",
                                      "col_detail")]
    cells = [header] + [[r.label, r.value, "\n".join(x for x in (r.delta or i18n.DASH, r.noise) if x), r.status_label,
                         r.target, "\n".join(x for x in (r.interval, r.detail, r.reason) if x)] for r in rows]
    fills = {(i + 1, 3): STATUS_FILL[r.status] for i, r in enumerate(rows)}
    inks = {(i + 1, 3): STATUS_INK[r.status] for i, r in enumerate(rows)}
    bold = {(i + 1, 1) for i in range(len(rows))} | {(i + 1, 3) for i in range(len(rows))}
    center = {j: PP_ALIGN.CENTER for j in (1, 2, 3)}
    deck.table(slide, cells, (2.0, 1.2, 1.75, 1.75, 1.85, 3.78), BODY_TOP + 0.05, 0.9, 14, fills, inks, bold,
               center, {1: 16, 5: 11}, 0.5)


TIER_LINE_H, TIER_SIZE = 0.19, 10  # inches per line of 10-pt text in the response slide's tier table
TIER_WIDTHS = (3.6, 1.45, 1.05, 1.1, 1.05, 1.0, 3.08)  # = CONTENT_W


def _row_lines(row: list[str], bold: bool) -> int:
    """Lines the row's tallest cell wraps into (the cells' margins take 0.2 in of each column)."""
    return max(_lines(cell, (w - 0.2) * 72 / TIER_SIZE * 0.86, bold) for cell, w in zip(row, TIER_WIDTHS, strict=True))


def _row_heights(chart: Chart) -> list[float]:
    return [0.1 + TIER_LINE_H * _row_lines(row, i == 0) for i, row in enumerate(chart.table or [])]


def _table_h(chart: Chart) -> float:
    return sum(_row_heights(chart)) + 0.08 if chart.table else 0.0


def chart_px(chart: Chart) -> tuple[int, int]:
    """The picture's size in logical pixels: the whole body, or the part above the chart's table (same width,
    so the chart keeps its type sizes; a shorter picture, not a squashed one)."""
    body = BODY_BOTTOM - BODY_TOP
    return CHART_PX[0], round(CHART_PX[1] * (body - _table_h(chart)) / body)


def _chart_slide(deck: _Deck, chart: Chart, png: bytes) -> None:
    slide = deck.content_slide(chart.section, chart.headline, chart.notes, chart.footnote)
    if not chart.table:
        deck.picture(slide, png)
        return
    height = BODY_BOTTOM - BODY_TOP - _table_h(chart)
    slide.shapes.add_picture(io.BytesIO(png), Inches(MARGIN), Inches(BODY_TOP), Inches(CONTENT_W), Inches(height))
    right = {j: PP_ALIGN.RIGHT for j in range(2, 6)}
    heights = _row_heights(chart)
    table = deck.table(slide, chart.table, TIER_WIDTHS, BODY_TOP + height + 0.04, heights[1], TIER_SIZE, align=right)
    for row, h in zip(table.rows, heights, strict=True):
        row.height = Inches(h)


def _version_terms(v: SlaVersion, lang: str) -> list[str]:
    return [_day(v.effective_from), _plain(v.mql_threshold),
            f"{_plain(v.fit_weight)} / {_plain(v.engagement_weight)}", _stage_label(v.handoff_stage, lang),
            _plain(v.response_target_hours), _int(v.monthly_mql_commitment),
            text(lang, "attempts_in_days", attempts=v.min_attempts, days=_plain(v.attempt_window_business_days)),
            _pct(v.mql_to_sql_target, 0)]


TERM_KEYS = ("t_effective_from", "t_mql_threshold", "t_weights", "t_handoff_stage", "t_response_target_hours",
             "t_monthly_mql_commitment", "t_follow_up", "t_mql_to_sql_target")


def _short_term(key: str, lang: str) -> str:
    return text(lang, key).split(" (")[0].split("（")[0]


def _versions_slide(deck: _Deck, data: DeckData, lang: str) -> None:
    versions = sorted(data.config.versions, key=lambda v: v.effective_from)
    idx = next(i for i, v in enumerate(versions) if v.name == data.in_force.name
               and v.effective_from == data.in_force.effective_from)
    shown = versions[max(0, min(idx - 3, len(versions) - 5)):][:5]  # at most 5, the one in force among them
    terms = {id(v): _version_terms(v, lang) for v in versions}
    v = data.in_force
    if len(versions) == 1:
        headline = text(lang, "h_versions_one", name=v.name, date=_day(v.effective_from))
    else:
        before = versions[idx - 1] if idx > 0 else versions[idx + 1]
        changes = [text(lang, "changed", term=_short_term(k, lang), a=a, b=b)
                   for k, a, b in zip(TERM_KEYS[1:], terms[id(before)][1:], terms[id(v)][1:], strict=True) if a != b]
        sep = "、" if lang == "ja" else ", "
        if changes:
            headline = text(lang, "h_versions", name=v.name, date=_day(v.effective_from), prev=before.name,
                            changes=sep.join(changes[:3]) + ("…" if len(changes) > 3 else ""))
        else:
            headline = text(lang, "h_versions_same", name=v.name, date=_day(v.effective_from), prev=before.name)
    notes = [f"{ver.name}: " + "; ".join(f"{_short_term(k, lang)} {t}" for k, t in zip(TERM_KEYS, terms[id(ver)],
                                                                                     strict=True))
             for ver in versions]
    slide = deck.content_slide(text(lang, "sec_versions"), headline, notes, text(lang, "fn_versions"))
    header = [text(lang, "term")] + [text(lang, "version_in_force", name=ver.name) if ver is v else ver.name
                                     for ver in shown]
    cells = [header] + [[text(lang, key)] + [terms[id(ver)][i] for ver in shown] for i, key in enumerate(TERM_KEYS)]
    first_col = 4.4
    widths = [first_col] + [(CONTENT_W - first_col) / len(shown)] * len(shown)
    col = shown.index(v) + 1 if v in shown else None
    fills, bold = {}, set()
    for i in range(len(TERM_KEYS)):
        for j, ver in enumerate(shown, start=1):
            k = versions.index(ver)
            if k > 0 and terms[id(versions[k - 1])][i] != terms[id(ver)][i] and i > 0:
                bold.add((i + 1, j))
            if j == col:
                fills[(i + 1, j)] = "DCE8F5"
    if col is not None:
        fills[(0, col)] = PRIMARY.lstrip("#")
    center = {j: PP_ALIGN.CENTER for j in range(1, len(shown) + 1)}
    deck.table(slide, cells, widths, BODY_TOP + 0.05, 0.52, 15, fills, None, bold, center)


def _definitions_slide(deck: _Deck, lang: str) -> None:
    items = DEFINITIONS[lang]
    slide = deck.content_slide(text(lang, "sec_definitions"), text(lang, "h_definitions"),
                               [f"{term}: {body}" for term, body in items])
    sizes = [len(term) + len(body) for term, body in items]
    half = min(range(1, len(items)), key=lambda k: abs(sum(sizes[:k]) - sum(sizes[k:])))  # balanced columns
    col_w = (CONTENT_W - 0.4) / 2
    size = 13
    for c, chunk in enumerate((items[:half], items[half:])):
        box = _textbox(slide, MARGIN + c * (col_w + 0.4), BODY_TOP - 0.1, col_w, BODY_BOTTOM - BODY_TOP + 0.3, [],
                       lang)
        tf = box.text_frame
        first = True
        for term, body in chunk:
            para = tf.paragraphs[0] if first else tf.add_paragraph()
            first = False
            head = para.add_run()
            head.text = term + ("　" if lang == "ja" else "  ")
            _style_run(head, size, lang, True, PRIMARY)
            run = para.add_run()
            run.text = body
            _style_run(run, size, lang, False, INK)
            para.space_after = Inches(0.09)


def _data_slide(deck: _Deck, data: DeckData, lang: str) -> None:
    s, r, p = data.summary, data.report, data.previous
    tz = data.period.tz

    def local_day(ts: dt.datetime | None) -> str:
        return "—" if ts is None else ts.astimezone(zoneinfo.ZoneInfo(tz)).date().isoformat()

    def rejections(rep: dict) -> int:
        return sum(x["count"] for x in rep["rejections"])

    start, end = _span(data.period)
    pstart, pend = _span(data.comparison)
    headline = text(lang, "h_data", leads=_int(s["leads"]), events=_int(s["stage_events"]),
                    acts=_int(s["activities"]), first=local_day(s["first_created"]), last=local_day(s["last_event"]))
    applied = "; ".join(f"{v.name} ({_day(v.effective_from)})" for v in data.applied)
    applied_prev = "; ".join(f"{v.name} ({_day(v.effective_from)})" for v in data.applied_previous)
    rows = [
        ("d_period", f"{start} – {end} ({_stamp(data.period.as_of, tz)})"),
        ("d_comparison", f"{pstart} – {pend}"),
        ("d_versions", text(lang, "d_versions_value", cur=applied or "—", prev=applied_prev or "—")),
        ("d_filters", f"{_filters_text(data.filters, lang)} ({_int(s['leads_in_scope'])})"),
        ("d_source", text(lang, "d_source_value", source=s["import_source"] or "—",
                          ts=_stamp(s["imported_at"], tz))),
        ("d_rows", text(lang, "d_rows_value", leads=_int(s["leads"]), events=_int(s["stage_events"]),
                        acts=_int(s["activities"]), reps=_int(s["reps"]))),
        ("d_range", text(lang, "d_range_value", first=local_day(s["first_created"]),
                         last=local_day(s["last_created"]), event=local_day(s["last_event"]))),
        ("d_scope", text(lang, "d_scope_value", leads=_int(r["funnel_cohort"][0]["count"]),
                         pleads=_int(p["funnel_cohort"][0]["count"]), mqls=_int(r["mql_count"]),
                         pmqls=_int(p["mql_count"]), handoffs=_int(r["response"]["handoffs"]),
                         phandoffs=_int(p["response"]["handoffs"]), rej=_int(rejections(r)),
                         prej=_int(rejections(p)))),
        ("d_status", text(lang, "d_status_value", band=_pct(data.guides.band, 0), att=_pct(data.guides.attainment, 0),
                          fu=_pct(data.guides.follow_up, 0), rej=_pct(data.guides.rejection, 0), min=sc.MIN_CASES,
                          days=data.maturity_days,
                          **{s: i18n.t(lang, f"status_{s}", n=f"n < {sc.MIN_CASES}") for s in sc.STATUSES})),
    ]
    notes = [f"{text(lang, k)}: {value}" for k, value in rows]
    slide = deck.content_slide(text(lang, "sec_data"), headline, notes)
    cells = [[text(lang, "d_item"), text(lang, "d_value")]] + [[text(lang, k), value] for k, value in rows]
    table = deck.table(slide, cells, (3.1, CONTENT_W - 3.1), BODY_TOP - 0.05, 0.42, 12.5)

    table.rows[len(rows)].height = Inches(0.85)  # the status rule is two or three lines


def section_label(section: str, lang: str) -> str:
    """A section's name for pickers (the appendix is two slides)."""
    return text(lang, f"sec_{section}")


def slide_count(sections: Sequence[str], draft: bool = False) -> int:
    """Slides in a deck with these sections: the title slide plus each section's slides (the proposal's only
    with a draft)."""
    return 1 + sum(SLIDES_PER_SECTION[s] for s in sections if draft or s not in DRAFT_SECTIONS)


def _check_sections(sections: Sequence[str]) -> list[str]:
    unknown = [s for s in sections if s not in ALL_SECTIONS]
    if unknown:
        raise ValueError(f"unknown deck section(s) {unknown}; choose from {list(ALL_SECTIONS)}")
    return [s for s in ALL_SECTIONS if s in sections]  # the deck's own order


def build_deck(con: duckdb.DuckDBPyConnection, period: Period, comparison: Period, lang: str = "en",
               sections: Sequence[str] = ALL_SECTIONS, filters: Filters | None = None,
               progress: ProgressFn | None = None, guides: sc.Guides | None = None,
               maturity_days: int = sc.MATURITY_DAYS, draft: Draft | SlaVersion | None = None) -> bytes:
    """The review deck (.pptx bytes): title, scorecard, one slide per chart, SLA versions, appendix.

    `guides` are the review guidelines the SLA does not set and `maturity_days` the cohort maturity setting (the
    dashboard's Settings); defaults as there. `draft` (a saved drafts.Draft, or a version): the "Proposal vs
    current" slides, and the what-if compares today's MQL rule with the draft's; without it neither."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    chosen = _check_sections(sections)

    def step(fraction: float, key: str, **values: object) -> None:
        if progress is not None:
            progress(min(max(fraction, 0.0), 1.0), text(lang, key, **values))

    step(0.02, "p_queries")
    data = collect(con, period, comparison, filters, guides, maturity_days, draft)
    start, end = _span(period)
    pstart, pend = _span(comparison)
    deck = _Deck(lang, f"{text(lang, 'deck_title')} · {start} – {end}",
                 text(lang, "n_period", start=start, end=end, pstart=pstart, pend=pend,
                      ts=_stamp(period.as_of, period.tz)))
    step(0.2, "p_slides")
    _title_slide(deck, data, lang)
    chart_keys = [s for s in chosen if s in CHART_BUILDERS]
    done = 0
    for section in chosen:
        if section == "scorecard":
            _scorecard_slide(deck, data, lang)
        elif section in CHART_BUILDERS:
            chart = CHART_BUILDERS[section](data, lang)
            step(0.2 + 0.7 * done / max(len(chart_keys), 1), "p_chart", name=chart.section)
            _chart_slide(deck, chart, figure_png(chart.figure, 2, *chart_px(chart)))
            done += 1
        elif section == "proposal" and data.proposal is not None:
            _proposal_table_slide(deck, data, lang, proposal_text.OUTCOME_KEYS)
            _proposal_table_slide(deck, data, lang, proposal_text.TERM_KEYS)
            chart = chart_proposal_load(data, lang)
            _chart_slide(deck, chart, figure_png(chart.figure, 2, *chart_px(chart)))
            _proposal_months_slide(deck, data, lang)
        elif section == "versions":
            _versions_slide(deck, data, lang)
        elif section == "appendix":
            _definitions_slide(deck, lang)
            _data_slide(deck, data, lang)
    step(0.95, "p_saving")
    out = io.BytesIO()
    deck.prs.save(out)
    step(1.0, "p_done")
    return out.getvalue()


# --------------------------------------------------------------------------------------------------------------
# CLI: python -m sla_review deck ...
# --------------------------------------------------------------------------------------------------------------


def parse_sections(values: Sequence[str] | None) -> list[str]:
    """--sections a b,c: space- or comma-separated section names."""
    if not values:
        return list(ALL_SECTIONS)
    return _check_sections([s.strip() for v in values for s in v.split(",") if s.strip()])


def cli_deck(args: argparse.Namespace) -> int:
    """Write the deck for --from/--to against the previous period of the same length."""
    from sla_review.store.db import connect, resolve_db_path

    try:
        sections = parse_sections(args.sections)
    except ValueError as err:
        print(f"--sections: {err}", file=sys.stderr)
        return 2
    if args.date_to <= args.date_from:
        print("--to must be after --from (the period is [from, to)).", file=sys.stderr)
        return 2
    started = time.perf_counter()
    con = connect(resolve_db_path(args.db), create=False)
    try:
        try:
            period = make_period(con, args.date_from, args.date_to, args.as_of)
        except ValueError as err:
            print(f"--as-of: {err}", file=sys.stderr)
            return 2
        comparison = comparison_for(con, period)
        prev_from, prev_to = comparison.from_day, comparison.to_day
        draft = None
        if getattr(args, "draft", None) is not None:
            from sla_review.core.terms import ConfigError
            from sla_review.ingest.drafts import get_draft

            try:
                draft = get_draft(con, args.draft)
            except ConfigError as err:  # the refusal in the deck's language, naming the saved drafts
                print(err.text(args.lang), file=sys.stderr)
                return 2
        try:
            deck = build_deck(con, period, comparison, args.lang, sections, draft=draft)
        except NoData as err:
            print(err, file=sys.stderr)
            return 2
    finally:
        con.close()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(deck)
    print(f"Wrote {out} ({slide_count(sections, draft is not None)} slides, {len(deck) / 1e6:.1f} MB) in "
          f"{time.perf_counter() - started:.1f} s: {args.date_from} – {args.date_to} (exclusive) vs "
          f"{prev_from} – {prev_to}, as of {period.as_of.isoformat()}.")
    return 0
