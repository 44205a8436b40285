"""Each dashboard page's default view as data: the metric calls it makes, declared once.

Why: a page (sla_review/app/pages/*.py) fetches its data only through these declarations
(sla_review.app.ui.fetch), and the benchmark (sla_review.devtools.bench.page_views) times exactly the same
list, so a page and its benchmark cannot drift apart. Each call names the function, which period it reads
(the view's or the comparison's), whether the segment filters apply, and its keyword arguments at the page's
default widgets; a page may override only the arguments declared here (its widgets' values), and `runtime`
names arguments only the page can know (the what-if weights, read from the terms in force).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sla_review.core.terms import period_terms
from sla_review.metrics import breakdowns as bd
from sla_review.metrics import mix_rate
from sla_review.metrics import scorecard as sc
from sla_review.metrics.report import MATURITY_DAYS

PERIOD, COMPARE = "period", "compare"


@dataclass(frozen=True)
class Call:
    """One metric call of a page: fn(con, [period], [filters], **args)."""

    fn: Callable[..., Any]
    period: str | None = PERIOD  # PERIOD, COMPARE or None (the function takes no period)
    filters: bool = True  # does the function take the segment filters?
    args: tuple[tuple[str, Any], ...] = ()  # keyword arguments at the page's default widgets
    runtime: tuple[str, ...] = ()  # keyword arguments the page supplies from what it has read

    def kwargs(self, **override: Any) -> dict[str, Any]:
        """The declared arguments with the page's widget values in; anything undeclared is refused."""
        unknown = override.keys() - dict(self.args).keys() - set(self.runtime)
        if unknown:
            raise TypeError(f"{self.fn.__name__}: {sorted(unknown)} are not declared in sla_review.metrics.views")
        missing = set(self.runtime) - override.keys()
        if missing:
            raise TypeError(f"{self.fn.__name__}: the page must supply {sorted(missing)}")
        return dict(self.args) | override

    def default(self, name: str) -> Any:
        """A declared argument's default: the page's widget starts at it."""
        return dict(self.args)[name]


def call(fn: Callable[..., Any], period: str | None = PERIOD, filters: bool = True, runtime: tuple[str, ...] = (),
         **args: Any) -> Call:
    return Call(fn, period, filters, tuple(args.items()), runtime)


GUARD = call(bd.activity)
"""sla_review.app.ui.guard: is there anything in this view? (every page runs it before its own calls)"""

TERMS = call(period_terms, filters=False)
WEIGHTS = ("fit_weight", "engagement_weight")
COMPARED = ("compare",)
"""The comparison Period itself, for calls that read both periods at once (the page passes its view's, or None)."""

VIEWS: dict[str, dict[str, Call]] = {
    "scorecard": {
        "terms": TERMS,
        "data": call(sc.scorecard_data, maturity_days=MATURITY_DAYS),
        "data_cmp": call(sc.scorecard_data, COMPARE, maturity_days=MATURITY_DAYS, shown=False),
        "funnel": call(bd.funnel, view="cohort"),
        "by_tier": call(bd.response_tiers),  # [] unless a version of the period has tiers
    },
    "funnel": {
        "cur": call(bd.funnel, view="cohort"),
        "cmp": call(bd.funnel, COMPARE, view="cohort"),
        "days": call(bd.stage_days),
        "cmp_days": call(bd.stage_days, COMPARE),
        "by": call(bd.funnel_by, segment="source"),
    },
    "conversion": {
        "terms": TERMS,
        "cohorts": call(bd.mql_cohorts, days=MATURITY_DAYS),
        "curve": call(bd.mql_curve, max_days=180),
        "cmp_curve": call(bd.mql_curve, COMPARE, max_days=180),
        "by": call(bd.conversion_by, segment="source", days=MATURITY_DAYS),
        "reps": call(bd.conversion_by, segment="owner", days=MATURITY_DAYS),
        "mix": call(mix_rate.conversion_mix, runtime=COMPARED, segment="source"),
    },
    "response": {
        "terms": TERMS,
        "report": call(bd.report, sections=("response", "follow_up")),
        "hist": call(bd.response_hist, bin_hours=0.5, max_hours=8.0),
        "by": call(bd.response_by, dim="owner"),
        "heat": call(bd.response_by, dim="weekday", dim2="hour"),
        "attempts": call(bd.followup_attempts, max_attempts=6),
        "breaches": call(bd.breaches, limit=500),
        "mix": call(mix_rate.attainment_mix, runtime=COMPARED, dim="team"),
        "by_tier": call(bd.response_tiers),  # [] unless a version of the period has tiers
    },
    "closed_loop": {
        "acc": call(bd.acceptance),
        "acc_cmp": call(bd.acceptance, COMPARE),
        "reasons": call(bd.closed_loop_by, dim="reason"),
        "reasons_cmp": call(bd.closed_loop_by, COMPARE, dim="reason"),
        "report": call(bd.report, sections=("mql_count",)),
        "by": call(bd.closed_loop_by, dim="source"),
        "months": call(bd.closed_loop_by, dim="month"),
    },
    "whatif": {
        "terms": TERMS,
        "curve": call(bd.whatif_curve, runtime=WEIGHTS),
        "base": call(bd.whatif_curve, runtime=WEIGHTS),
        "reps": call(bd.reps_handling),
        "heat": call(bd.whatif_heatmap, bins=10),
    },
}
"""page (its file name in sla_review/app/pages/) -> name -> the call its default view makes."""
