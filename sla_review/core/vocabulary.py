"""The domain's vocabulary, defined once: stages, channels, segments and the canonical columns.

Why one module: the importer, the mapping engine, sla.toml's checks, the demo generator, the dashboard's
filters and the SQL identifier whitelists must agree on every name. Each of these names used to be typed in
two to four files; now they are read from here. Plain tuples and one dataclass (the segment
filter), no project imports, so any layer may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

LADDER: tuple[str, ...] = ("inquiry", "mql", "sal", "sql", "opportunity", "won")
"""The ordered demand waterfall (DOMAIN.md "Lifecycle stages")."""

SIDE_STAGES: tuple[str, ...] = ("lost", "rejected", "recycled", "disqualified")
"""Stages outside the ladder."""

STAGES: tuple[str, ...] = LADDER + SIDE_STAGES
"""Every stage a stage event may name, ladder first."""

CHANNELS: tuple[str, ...] = ("email", "phone", "meeting", "other")
"""Activity channels."""

SEGMENTS: tuple[str, ...] = ("source", "campaign", "persona", "icp_tier", "region", "team", "owner")
"""The segment filters of the dashboard and the report (team = the owner's team; owner = leads.owner_id)."""

CANONICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "leads": ("lead_id", "created_at", "source", "campaign", "persona", "icp_tier", "region", "company",
              "fit_score", "engagement_score", "owner_id"),
    "stage_events": ("lead_id", "stage", "entered_at", "reason", "actor_id"),
    "activities": ("lead_id", "rep_id", "occurred_at", "channel", "outcome"),
    "reps": ("rep_id", "name", "team"),
}
"""The canonical tables and their columns, in file order (DOMAIN.md "Canonical data")."""

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "leads": ("lead_id", "created_at"),
    "stage_events": ("lead_id", "stage", "entered_at"),
    "activities": ("lead_id", "rep_id", "occurred_at", "channel"),
    "reps": ("rep_id",),
}
"""The columns each canonical table must have; the rest of CANONICAL_COLUMNS are optional."""

TIMESTAMP_COLUMNS: dict[str, tuple[str, ...]] = {
    "leads": ("created_at",), "stage_events": ("entered_at",), "activities": ("occurred_at",), "reps": (),
}
"""The instant each canonical table's rows are dated by."""


@dataclass(frozen=True)
class Filters:
    """Segment filters; None means everything, a tuple lists the values kept."""

    source: tuple[str, ...] | None = None
    campaign: tuple[str, ...] | None = None
    persona: tuple[str, ...] | None = None
    icp_tier: tuple[str, ...] | None = None
    region: tuple[str, ...] | None = None
    team: tuple[str, ...] | None = None
    owner: tuple[str, ...] | None = None

    def params(self) -> dict[str, list[str] | None]:
        return {f.name: (list(v) if (v := getattr(self, f.name)) is not None else None) for f in fields(self)}
