"""The names sla_review.export.deck reads as `dq.*`, for that module alone while its chart rework is in flight
on another branch (its body is not ours to edit): nothing is defined here, each name has its one home in
sla_review.metrics.breakdowns or sla_review.metrics.scorecard. New code imports those; delete this file when
the deck does too.
"""

from sla_review.metrics.breakdowns import mql_cohorts, status, whatif_curve
from sla_review.metrics.scorecard import (
    MATURITY_DAYS,
    MIN_CASES,
    STATUS_TONE,
    STATUSES,
    Guides,
    ScorecardData,
    Tile,
    TileText,
    headline_counts,
    monthly_commitment,
    rejection_rate,
    scorecard_data,
    segmented,
    tile_text,
    tiles,
)

__all__ = ["MATURITY_DAYS", "MIN_CASES", "STATUSES", "STATUS_TONE", "Guides", "ScorecardData", "Tile", "TileText",
           "headline_counts", "monthly_commitment", "mql_cohorts", "rejection_rate", "scorecard_data", "segmented",
           "status", "tile_text", "tiles", "whatif_curve"]
