"""Drafts of the next SLA version, and adopting one: the negotiation room's writes (issue 11).

A draft is one [[versions]] block stored as sla.toml text in `sla_drafts` (sql/schema/005_sla_drafts.sql) and
read back through the one validator, so it holds nothing an import would refuse. Adopting appends the draft as
a new version with its own effective date -- never an edit of a past version -- through importer.replace_terms
(one transaction: terms, business spans, every derived table, a "terms" import row), then records who adopted
which draft. Handoffs before the effective date keep their own versions' judgments: the in-force rule
(core.terms.in_force) only ever hands a day to the newest version on or before it. Refusals are ConfigError,
so the page and the CLI say them in the user's language with the value and a fix. No streamlit here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import duckdb

from sla_review.core.terms import ConfigError, SlaVersion, parse_sla, to_toml, version_from_toml, version_toml
from sla_review.ingest import audit
from sla_review.ingest.importer import ImportSummary, replace_terms, stored_config

NAME_MAX = 100


@dataclass(frozen=True)
class Draft:
    name: str
    version: SlaVersion
    note: str
    author: str | None
    based_on: str | None
    saved_at: dt.datetime


@dataclass(frozen=True)
class Adoption:
    adopted_at: dt.datetime
    author: str | None
    draft: str
    version: str
    effective_from: dt.date
    import_id: int


def _draft_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
        raise ConfigError("draft", "name", name, "draft_name", most=NAME_MAX)
    return name.strip()


def save_draft(con: duckdb.DuckDBPyConnection, name: str, version: SlaVersion, *, note: str = "",
               author: str | None = None, based_on: str | None = None, saved_at: dt.datetime | None = None) -> Draft:
    """Store (or replace) the draft `name`; the version is checked by the one validator first."""
    name = _draft_name(name)
    text = version_toml(version)
    checked = version_from_toml(text, f"draft {name}")
    moment = saved_at or dt.datetime.now(dt.UTC)
    con.execute("INSERT OR REPLACE INTO sla_drafts (name, terms, note, author, based_on, saved_at) "
                "VALUES ($name, $terms, $note, $author, $based_on, $at)",
                {"name": name, "terms": text, "note": note or "", "author": author, "based_on": based_on,
                 "at": moment})
    return Draft(name, checked, note or "", author, based_on, moment)


def _row(row: tuple) -> Draft:
    name, terms, note, author, based_on, saved_at = row
    return Draft(name, version_from_toml(terms, f"draft {name}"), note, author, based_on, saved_at)


def list_drafts(con: duckdb.DuckDBPyConnection) -> list[Draft]:
    """Every saved draft, newest first."""
    rows = con.execute("SELECT name, terms, note, author, based_on, saved_at FROM sla_drafts "
                       "ORDER BY saved_at DESC, name").fetchall()
    return [_row(r) for r in rows]


def get_draft(con: duckdb.DuckDBPyConnection, name: str) -> Draft:
    rows = con.execute("SELECT name, terms, note, author, based_on, saved_at FROM sla_drafts WHERE name = $n",
                       {"n": name}).fetchall()
    if not rows:
        known = [r[0] for r in con.execute("SELECT name FROM sla_drafts ORDER BY name").fetchall()]
        raise ConfigError("draft", "name", name, "draft_missing", names=", ".join(known) or "-")
    return _row(rows[0])


def delete_draft(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute("DELETE FROM sla_drafts WHERE name = $n", {"n": name})


def adoption_check(con: duckdb.DuckDBPyConnection, version: SlaVersion, effective_from: dt.date) -> None:
    """Refuse what adopting would make an edit of the past: a date on or before the newest version's, or a
    version name already used. (Raises ConfigError; returns None when the adoption may go ahead.)"""
    versions = stored_config(con).versions
    newest = max(v.effective_from for v in versions)
    if effective_from <= newest:
        raise ConfigError("draft", "effective_from", effective_from.isoformat(), "adopt_before",
                          newest=newest.isoformat(), name=max(versions, key=lambda v: v.effective_from).name)
    if version.name in {v.name for v in versions}:
        raise ConfigError("draft", "name", version.name, "adopt_name_taken",
                          names=", ".join(v.name for v in versions))


def handoffs_from(con: duckdb.DuckDBPyConnection, effective_from: dt.date) -> int:
    """Handoffs already in the data on or after a local date: what an adoption from that date re-judges."""
    tz = con.execute("SELECT timezone FROM calendar_settings").fetchall()[0][0]
    return int(con.execute("SELECT count(*) FROM lead_facts WHERE handoff_at >= timezone($tz, $day::TIMESTAMP)",
                           {"tz": tz, "day": effective_from}).fetchall()[0][0])


def adopt(con: duckdb.DuckDBPyConnection, name: str, effective_from: dt.date, *, version_name: str | None = None,
          author: str | None = None, adopted_at: dt.datetime | None = None) -> tuple[ImportSummary, Adoption]:
    """Put draft `name` in force from `effective_from` as a new version (named version_name, else the draft's
    version name), over the stored data, and record the adoption."""
    draft = get_draft(con, name)
    version = dataclasses.replace(draft.version, effective_from=effective_from,
                                  name=version_name.strip() if version_name else draft.version.name)
    adoption_check(con, version, effective_from)
    stored = stored_config(con)
    config = parse_sla(to_toml(dataclasses.replace(stored, versions=(*stored.versions, version))),
                       f"draft {name}")
    moment = adopted_at or dt.datetime.now(dt.UTC)

    def record(import_id: int) -> None:
        con.execute("INSERT INTO sla_adoptions VALUES ($at, $author, $draft, $version, $from, $import)",
                    {"at": moment, "author": author, "draft": name, "version": version.name, "from": effective_from,
                     "import": import_id})
        audit.write(con, import_id, audit.Record("adoption", author))

    summary = replace_terms(con, config, source=f"draft {name} adopted as {version.name}", changed_at=moment,
                            record=record)
    return summary, Adoption(moment, author, name, version.name, effective_from, summary.import_id)


def adoptions(con: duckdb.DuckDBPyConnection) -> list[Adoption]:
    """Every adoption, newest first."""
    rows = con.execute("SELECT adopted_at, author, draft, version, effective_from, import_id FROM sla_adoptions "
                       "ORDER BY adopted_at DESC").fetchall()
    return [Adoption(*r) for r in rows]
