"""Turn arbitrary CRM exports (already read by ``sla_review.ingest.readers``) into the canonical tables.

A :class:`Mapping` says, per canonical table, which source column (or constant) feeds each canonical
field; how *wide* exports (one date column per stage) and status columns become ``stage_events``; which
values mean "empty"; how dates are written; how scores are rescaled onto 0–100. Mappings are TOML presets
(``data/mappings/*.toml``) so that a RevOps analyst can read and adjust them without Python.

:func:`apply` only reshapes and normalises: it never writes a database. It reports what only the mapping
can see (a date that is impossible in the chosen format, mixed date formats in one column, a status the
mapping does not know, a score outside its declared scale) as :class:`Problem` rows naming file, row and
column. Checks that need the whole data set (duplicate ids, events for unknown leads) are the importer's.

Every output column is a string (``pl.Utf8``) with its canonical name, plus ``__file``/``__row`` pointing at
the source row. Timestamps are ISO 8601: with an offset when the source had one (``Z`` becomes
``+00:00``), otherwise local ``YYYY-MM-DDTHH:MM:SS`` or a bare ``YYYY-MM-DD``.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sla_review.core.problems import Problem
from sla_review.core.toml_text import key as _toml_key
from sla_review.core.toml_text import value as _toml_value
from sla_review.core.vocabulary import (
    CANONICAL_COLUMNS,
    CHANNELS,
    REQUIRED_COLUMNS,
    STAGES,
    TIMESTAMP_COLUMNS,
)
from sla_review.ingest import problem_rows as prows
from sla_review.ingest.readers import FILE_COL, ROW_COL
from sla_review.present import catalogue, formats

#: A message of the catalogue: its key and the values it names (a value may be a function of the language)
Words = tuple[str, dict[str, object]]

__all__ = [
    "PRESETS_DIR",
    "Condition",
    "DateSettings",
    "Field",
    "FileRole",
    "Join",
    "MappedData",
    "Mapping",
    "MappingError",
    "Rule",
    "apply",
    "canonical_mapping",
    "detect",
    "load_preset",
    "presets",
]

_REQUIRED = REQUIRED_COLUMNS
_DATE_FIELDS = {c for columns in TIMESTAMP_COLUMNS.values() for c in columns}
_SCORE_FIELDS = {"fit_score", "engagement_score"}
_KINDS = {
    "leads": ("rows",),
    "stage_events": ("rows", "wide", "status"),
    "activities": ("rows", "wide"),
    "reps": ("rows",),
}
PRESETS_DIR = Path(__file__).resolve().parents[2] / "data" / "mappings"
DEFAULT_NULLS = ("-", "N/A", "NA", "n/a", "null", "NULL", "None", "#N/A")
MAX_ROW_PROBLEMS = 20  # per file, column and kind of problem; the rest become one summary line
#: ``per_lead`` in ``[leads]``: which of a lead's rows (ordered by ``order_by``) gives its fields
PER_LEAD = ("first", "last")


class MappingError(ValueError):
    """A mapping (preset) is malformed. The message names the TOML key to fix; built by :meth:`said`, it speaks
    every language of the catalogue (``text(lang)``), ``str`` being the English."""

    def __init__(self, message: str, texts: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.texts = texts

    @classmethod
    def said(cls, where: str | None, message: str, /, **values: object) -> MappingError:
        """``where`` (the TOML key or file, None for none) then [import].<message>, in every language."""
        def text(lang: str) -> str:
            problem = catalogue.t(f"import.{message}", lang, **values)
            return problem if where is None else catalogue.t("import.m_where", lang, where=where, problem=problem)
        texts = tuple((lang, text(lang)) for lang in catalogue.LANGS)
        return cls(dict(texts)["en"], texts)

    def text(self, lang: str) -> str:
        """The message in ``lang`` (English when it has no other)."""
        return dict(self.texts).get(lang, str(self))


# --------------------------------------------------------------------------------------------------
# The mapping model


#: Spacing next to a Japanese (any non-ASCII) character is not part of a name: 「リード ID」 is 「リードID」,
#: 「対応済み - 取引開始なし」 is 「対応済み-取引開始なし」. Between ASCII words a space still separates them.
_SPACE_BY_WIDE = r"\s*([^\x00-\x7F])\s*"


def _norm(text: str) -> str:
    """Compare headers and values the way a person would: NFKC (full-width ASCII and spaces become plain),
    case, spacing (runs of spaces are one; none next to a Japanese character). :func:`_norm_expr` is the same
    rule on a column of values: both must agree, since one side of a comparison is often the file's column."""
    folded = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    return re.sub(_SPACE_BY_WIDE, r"\1", folded)


def _norm_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`_norm` for every value of a column (vectorised)."""
    folded = expr.str.normalize("NFKC").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return folded.str.replace_all(_SPACE_BY_WIDE, "$1")


@dataclass(frozen=True)
class Field:
    """Where one canonical field comes from.

    ``columns``: source column names, the first one present in the file is used (header variants across
    CRM versions). ``const``: the same value for every row. ``lead``: a field of the mapped lead (only
    ``created_at``, for events that have no date of their own). ``min``/``max``: the source scale of a
    score, rescaled onto 0–100. ``values``: an ordinal (``01.High``) → score table. ``format``: the date
    format of this column. ``optional``: an absent column is silently left empty instead of a warning.
    """

    columns: tuple[str, ...] = ()
    const: str | None = None
    lead: str | None = None
    min: float | None = None
    max: float | None = None
    values: dict[str, float] | None = None
    format: str | None = None
    optional: bool = False
    #: in a ``[leads]`` rule with ``per_lead``: take this field from the lead's ``first`` or ``last`` row instead
    #: (``created_at = { column = "Timestamp", per_lead = "first" }`` is "the first event's timestamp")
    per_lead: str | None = None

    @classmethod
    def parse(cls, raw: object, where: str) -> Field:
        if isinstance(raw, str):
            return cls(columns=(raw,))
        if isinstance(raw, list) and raw and all(isinstance(x, str) for x in raw):
            return cls(columns=tuple(raw))
        if not isinstance(raw, dict):
            raise MappingError.said(where, "m_field_type", raw=repr(raw))
        unknown = set(raw) - {"column", "const", "lead", "min", "max", "values", "format", "optional", "per_lead"}
        if unknown:
            raise MappingError.said(where, "m_unknown_keys", keys=", ".join(sorted(unknown)))
        column = raw.get("column", ())
        columns = (column,) if isinstance(column, str) else tuple(column)
        const = raw.get("const")
        lead = raw.get("lead")
        if sum(bool(x) for x in (columns, const is not None, lead)) != 1:
            raise MappingError.said(where, "m_one_source")
        if lead is not None and lead != "created_at":
            raise MappingError.said(where, "m_lead", lead=lead)
        lo, hi = raw.get("min"), raw.get("max")
        if (lo is None) != (hi is None):
            raise MappingError.said(where, "m_scale_both")
        if lo is not None and not float(hi) > float(lo):
            raise MappingError.said(where, "m_scale_order")
        values = raw.get("values")
        if values is not None and not all(isinstance(v, int | float) for v in values.values()):
            raise MappingError.said(where, "m_values_numbers")
        per_lead = raw.get("per_lead")
        if per_lead is not None and per_lead not in PER_LEAD:
            raise MappingError.said(where, "m_per_lead", value=per_lead, names=", ".join(PER_LEAD))
        if per_lead is not None and not columns:
            raise MappingError.said(where, "m_per_lead_column")
        return cls(
            columns=columns,
            const=None if const is None else str(const),
            lead=lead,
            min=None if lo is None else float(lo),
            max=None if hi is None else float(hi),
            values=None if values is None else {str(k): float(v) for k, v in values.items()},
            format=raw.get("format"),
            optional=bool(raw.get("optional", False)),
            per_lead=per_lead,
        )

    def to_obj(self) -> object:
        if (len(self.columns) >= 1 and self.const is None and self.lead is None and self.min is None
                and self.values is None and self.format is None and not self.optional and self.per_lead is None):
            return self.columns[0] if len(self.columns) == 1 else list(self.columns)
        out: dict[str, object] = {}
        if self.columns:
            out["column"] = self.columns[0] if len(self.columns) == 1 else list(self.columns)
        if self.const is not None:
            out["const"] = self.const
        if self.lead is not None:
            out["lead"] = self.lead
        if self.min is not None:
            out["min"], out["max"] = self.min, self.max
        if self.values is not None:
            out["values"] = dict(self.values)
        if self.format is not None:
            out["format"] = self.format
        if self.optional:
            out["optional"] = True
        if self.per_lead is not None:
            out["per_lead"] = self.per_lead
        return out


@dataclass(frozen=True)
class FileRole:
    """Which uploaded file plays a role (e.g. Olist's "deals"): by file name glob and/or by headers."""

    names: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    optional: bool = False


@dataclass(frozen=True)
class Join:
    """Left-join another role's columns onto the leads (one row per key; later duplicates ignored)."""

    source: str
    on: str
    right_on: str | None = None


@dataclass(frozen=True)
class Condition:
    """Apply a rule only to rows whose ``column`` holds one of ``values``."""

    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """One way of producing rows of a canonical table.

    ``kind``: ``rows`` (one output row per source row, fields from ``fields``), ``wide`` (one row per
    non-empty date column in ``columns``: column → stage, or → channel for activities) or ``status``
    (``column`` holds a status, mapped to a stage through ``map`` or the mapping's ``stages``; the event is
    dated by ``dates[stage]`` if given, else by ``at``; a status with no date makes no event).
    """

    kind: str = "rows"
    source: str | None = None
    fields: dict[str, Field] = field(default_factory=dict)
    join: tuple[Join, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    column: str | None = None
    map: dict[str, str] | None = None
    at: Field | None = None
    dates: dict[str, str] = field(default_factory=dict)
    when: Condition | None = None
    created_stage: str | None = None
    #: ``[leads]`` from an event log: one lead per id, its fields from its ``first`` or ``last`` row by ``order_by``
    per_lead: str | None = None
    order_by: str | None = None


@dataclass(frozen=True)
class DateSettings:
    """``format``: ``auto``, ``ISO`` or a pattern like ``DD/MM/YYYY HH:mm`` (or ``%d/%m/%Y``).

    ``ambiguous``: how ``auto`` reads a column where every date could be day-first or month-first
    (``day_first`` or ``month_first``). ``columns``: a format per source column.
    """

    format: str = "auto"
    ambiguous: str = "day_first"
    columns: dict[str, str] = field(default_factory=dict)


_RULE_KEYS = {"kind", "from", "join", "columns", "column", "map", "at", "dates", "when", "created_stage", "per_lead",
                        "order_by"}
# A CRM report's footer lines (Salesforce prints them below a report's rows, in the user's language): dropped
# from the end of a file with a warning, never read as leads.
REPORT_TOTAL = r"(?i)^(grand\s+totals?|totals?|総計|合計)\s*[(（]\s*[\d,.\s]+(records?|レコード|件)\s*[)）]$"
REPORT_NOTICE = r"(?i)^(confidential information|機密情報|copyright|©|\(c\)|generated by|作成者)"
WHEN_TABLES = ("stage_events", "activities")  # the rules whose `when` the importer applies (a row filter)
_TOP_KEYS = {"name", "description", "null_values", "dates", "files", "leads", "stage_events", "activities",
             "reps", "stages", "channels", "ignored_columns"}
# A header that looks like the date a lead reached a stage ("Became a Lead Date", "MQL Date", 「商談になった日付」,
# 「取引開始日」) or like a stage/status: left unused by the mapping, it is a warning, never a silent "no problems".
# Matched against _norm(header). A date column must also name a stage, so "Last Activity Date" and 「作成日」
# (a creation date, not a stage) stay quiet.
_STAGE_WORDS = (r"(became|lead|mql|sql|(?<![a-z])sal(?![a-z])|qualified|accepted|opportunit|customer|convert|"
                r"(?<![a-z])(won|lost)(?![a-z])|"
                r"disqualif|recycl|nurtur|stage|inquiry|subscriber|evangelist|entered|closed|"
                r"リード|商談|顧客|取引開始|受注|失注|成約|クオリファイ|見込|ステージ|ナーチャ|サブスクライバー|"
                r"エバンジェリスト|不適格)")
_DATE_END = r"(date|dates|date/time|timestamp|日|日付|日時)$"
_BECAME = r"(^became\b.*\bdate$|になった日(付|時)?$|に転換した日(付|時)?$)"
_STAGE_HEADER = r"(^|[\s_])(lifecycle ?stage|stage|status|lead ?status)$|(ステージ|ステータス|状況|段階)$"


def _check_stage(value: str, where: str, allow_empty: bool = True) -> str:
    if value == "" and allow_empty:
        return value
    if value not in STAGES:
        raise MappingError.said(where, "m_not_a_stage", value=value, names=", ".join(STAGES))
    return value


def _parse_rule(table: str, raw: object, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise MappingError.said(where, "m_expected_table")
    kind = raw.get("kind", "rows")
    if kind not in _KINDS[table]:
        raise MappingError.said(where, "m_kind", kind=kind, names=", ".join(_KINDS[table]))
    allowed = set(CANONICAL_COLUMNS[table])
    fields: dict[str, Field] = {}
    for key, value in raw.items():
        if key in _RULE_KEYS:
            continue
        if key not in allowed:
            raise MappingError.said(where, "m_not_a_field", entry=key, table=table,
                                    names=", ".join(CANONICAL_COLUMNS[table]))
        fields[key] = Field.parse(value, f"{where}.{key}")
        if fields[key].lead is not None:
            raise MappingError.said(f"{where}.{key}", "m_lead_only_at")
        if fields[key].per_lead is not None and raw.get("per_lead") is None:
            raise MappingError.said(f"{where}.{key}", "m_per_lead_field")
    joins = []
    for i, j in enumerate(raw.get("join", [])):
        if not isinstance(j, dict) or "from" not in j or "on" not in j:
            raise MappingError.said(f"{where}.join[{i}]", "m_join_needs")
        joins.append(Join(j["from"], j["on"], j.get("right_on")))
    columns = {str(k): str(v) for k, v in raw.get("columns", {}).items()}
    if kind == "wide" and not columns:
        raise MappingError.said(where, "m_wide_needs", example='{ "source column" = "..." }')
    if table == "stage_events":
        for k, v in columns.items():
            _check_stage(v, f"{where}.columns.{k}", allow_empty=False)
    elif table == "activities":
        for k, v in columns.items():
            if v not in CHANNELS:
                raise MappingError.said(f"{where}.columns.{k}", "m_not_a_channel", value=v, names=", ".join(CHANNELS))
    stage_map = raw.get("map")
    if stage_map is not None:
        stage_map = {str(k): _check_stage(str(v), f"{where}.map") for k, v in stage_map.items()}
    if kind == "status" and not raw.get("column"):
        raise MappingError.said(where, "m_status_needs")
    dates = {str(k): str(v) for k, v in raw.get("dates", {}).items()}
    for k in dates:
        _check_stage(k, f"{where}.dates", allow_empty=False)
    when = raw.get("when")
    if when is not None:
        if table not in WHEN_TABLES:  # applied nowhere else: refused, never silently dropped
            raise MappingError.said(f"{where}.when", "m_when_table", table=table, names=", ".join(WHEN_TABLES))
        if not isinstance(when, dict) or "column" not in when or "values" not in when:
            raise MappingError.said(f"{where}.when", "m_when_needs")
        when = Condition(str(when["column"]), tuple(str(v) for v in when["values"]))
    created_stage = raw.get("created_stage")
    if created_stage is not None:
        if table != "leads":
            raise MappingError.said(where, "m_created_stage")
        _check_stage(created_stage, f"{where}.created_stage", allow_empty=False)
    per_lead, order_by = raw.get("per_lead"), raw.get("order_by")
    if per_lead is not None or order_by is not None:
        if table != "leads":
            raise MappingError.said(where, "m_per_lead_table")
        if per_lead not in PER_LEAD:
            raise MappingError.said(f"{where}.per_lead", "m_per_lead", value=per_lead, names=", ".join(PER_LEAD))
        if not isinstance(order_by, str) or not order_by.strip():
            raise MappingError.said(where, "m_order_by")
    at = raw.get("at")
    return Rule(
        kind=kind,
        source=raw.get("from"),
        fields=fields,
        join=tuple(joins),
        columns=columns,
        column=raw.get("column"),
        map=stage_map,
        at=None if at is None else Field.parse(at, f"{where}.at"),
        dates=dates,
        when=when,
        created_stage=created_stage,
        per_lead=per_lead,
        order_by=order_by,
    )


def _rule_obj(rule: Rule) -> dict[str, object]:
    out: dict[str, object] = {}
    if rule.kind != "rows":
        out["kind"] = rule.kind
    if rule.source is not None:
        out["from"] = rule.source
    if rule.join:
        out["join"] = [
            {"from": j.source, "on": j.on, **({"right_on": j.right_on} if j.right_on else {})} for j in rule.join
        ]
    if rule.column is not None:
        out["column"] = rule.column
    if rule.created_stage is not None:
        out["created_stage"] = rule.created_stage
    if rule.per_lead is not None:
        out["per_lead"] = rule.per_lead
        out["order_by"] = rule.order_by
    if rule.when is not None:
        out["when"] = {"column": rule.when.column, "values": list(rule.when.values)}
    if rule.at is not None:
        out["at"] = rule.at.to_obj()
    for name, spec in rule.fields.items():
        out[name] = spec.to_obj()
    if rule.columns:
        out["columns"] = dict(rule.columns)
    if rule.map is not None:
        out["map"] = dict(rule.map)
    if rule.dates:
        out["dates"] = dict(rule.dates)
    return out


@dataclass(frozen=True)
class Mapping:
    """How a family of source files becomes the canonical tables (see module docstring and presets)."""

    name: str
    leads: Rule
    description: str = ""
    null_values: tuple[str, ...] = DEFAULT_NULLS
    dates: DateSettings = DateSettings()
    files: dict[str, FileRole] = field(default_factory=dict)
    stage_events: tuple[Rule, ...] = ()
    activities: tuple[Rule, ...] = ()
    reps: tuple[Rule, ...] = ()
    stages: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    #: columns the mapping leaves out on purpose (HubSpot's "Became a Subscriber Date"): no "looks like a stage
    #: date and is not used" warning for them
    ignored_columns: tuple[str, ...] = ()

    # -- loading ----------------------------------------------------------------------------------
    @classmethod
    def from_toml(cls, source: str | Path) -> Mapping:
        """Load from a TOML file path or TOML text. Raises :class:`MappingError` naming the bad key."""
        label = "mapping"
        if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                         and source.endswith(".toml")):
            path = Path(source)
            label = path.name
            try:
                text = path.read_text(encoding="utf-8-sig")
            except OSError as exc:
                raise MappingError.said(label, "m_cannot_read", detail=exc) from None
        else:
            text = str(source)
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise MappingError.said(label, "m_not_toml", detail=exc) from None
        return cls.from_dict(raw, label)

    @classmethod
    def from_dict(cls, raw: dict, label: str = "mapping") -> Mapping:
        unknown = set(raw) - _TOP_KEYS
        if unknown:
            raise MappingError.said(label, "m_unknown_top", keys=", ".join(sorted(unknown)))
        if "name" not in raw:
            raise MappingError.said(label, "m_needs_name")
        if "leads" not in raw:
            raise MappingError.said(label, "m_needs_leads")
        dates_raw = raw.get("dates", {})
        ambiguous = dates_raw.get("ambiguous", "day_first")
        if ambiguous not in ("day_first", "month_first"):
            raise MappingError.said(label, "m_ambiguous")
        dates = DateSettings(
            format=str(dates_raw.get("format", "auto")),
            ambiguous=ambiguous,
            columns={str(k): str(v) for k, v in dates_raw.get("columns", {}).items()},
        )
        for fmt in [dates.format, *dates.columns.values()]:
            _date_spec(fmt)  # raises MappingError for an unusable pattern
        files = {
            str(role): FileRole(
                names=tuple(spec.get("names", ())),
                columns=tuple(spec.get("columns", ())),
                patterns=tuple(spec.get("patterns", ())),
                optional=bool(spec.get("optional", False)),
            )
            for role, spec in raw.get("files", {}).items()
        }
        leads = _parse_rule("leads", raw["leads"], f"{label}: [leads]")
        for req in ("lead_id", "created_at"):
            if req not in leads.fields:
                raise MappingError.said(label, "m_leads_needs", field=req)

        def rules(table: str) -> tuple[Rule, ...]:
            items = raw.get(table, [])
            if isinstance(items, dict):
                items = [items]
            return tuple(_parse_rule(table, r, f"{label}: [[{table}]] #{i + 1}") for i, r in enumerate(items))

        stages = {str(k): _check_stage(str(v), f"{label}: [stages]") for k, v in raw.get("stages", {}).items()}
        channels = {}
        for k, v in raw.get("channels", {}).items():
            if v not in CHANNELS and v != "":
                raise MappingError.said(label, "m_channels", entry=k, value=v, names=", ".join(CHANNELS))
            channels[str(k)] = str(v)
        mapping = cls(
            name=str(raw["name"]),
            description=str(raw.get("description", "")),
            null_values=tuple(str(v) for v in raw.get("null_values", DEFAULT_NULLS)),
            dates=dates,
            files=files,
            leads=leads,
            stage_events=rules("stage_events"),
            activities=rules("activities"),
            reps=rules("reps"),
            stages=stages,
            channels=channels,
            ignored_columns=tuple(str(c) for c in raw.get("ignored_columns", ())),
        )
        mapping._check_sources(label)
        return mapping

    def _check_sources(self, label: str) -> None:
        roles = set(self.files) or {"main"}
        for table, rule in self.all_rules():
            src = rule.source
            if src is None and len(roles) > 1 and table not in roles:
                raise MappingError.said(label, "m_rule_needs_from", table=table, names=", ".join(sorted(roles)))
            if src is not None and src not in roles:
                raise MappingError.said(label, "m_from_not_role", table=table, role=src)
            for j in rule.join:
                if j.source not in roles:
                    raise MappingError.said(label, "m_join_not_role", table=table, role=j.source)

    def all_rules(self) -> Iterable[tuple[str, Rule]]:
        yield "leads", self.leads
        for table in ("stage_events", "activities", "reps"):
            for rule in getattr(self, table):
                yield table, rule

    def mentioned(self) -> set[str]:
        """Every source header the mapping names anywhere (fields, wide and status columns, dates, conditions,
        joins, file roles, ignored columns), as :func:`_norm` compares them."""
        names: list[str] = [*self.ignored_columns, *self.dates.columns]
        for role in self.files.values():
            names += role.columns
        for _table, rule in self.all_rules():
            for spec in [*rule.fields.values(), *([rule.at] if rule.at else [])]:
                names += spec.columns
            names += [*rule.columns, *rule.dates.values(), *([rule.column] if rule.column else [])]
            names += [rule.when.column] if rule.when else []
            names += [rule.order_by] if rule.order_by else []
            names += [n for j in rule.join for n in (j.on, j.right_on) if n]
        return {_norm(n) for n in names}

    def role_of(self, table: str, rule: Rule) -> str:
        """The file role a rule reads (explicit ``from``, the only role, or the role named like the table)."""
        if rule.source:
            return rule.source
        if not self.files:
            return "main"
        if len(self.files) == 1:
            return next(iter(self.files))
        return table

    # -- saving -----------------------------------------------------------------------------------
    def to_toml(self) -> str:
        """Serialise to TOML that :meth:`from_toml` reads back to an equal mapping (comments are not kept)."""
        lines = [f"name = {_toml_value(self.name)}"]
        if self.description:
            lines.append(f"description = {_toml_value(self.description)}")
        lines.append(f"null_values = {_toml_value(list(self.null_values))}")
        lines += ["", "[dates]", f"format = {_toml_value(self.dates.format)}",
                  f"ambiguous = {_toml_value(self.dates.ambiguous)}"]
        if self.dates.columns:
            lines.append(f"columns = {_toml_value(self.dates.columns)}")
        for role, spec in self.files.items():
            lines += ["", f"[files.{_toml_key(role)}]"]
            if spec.names:
                lines.append(f"names = {_toml_value(list(spec.names))}")
            if spec.columns:
                lines.append(f"columns = {_toml_value(list(spec.columns))}")
            if spec.patterns:
                lines.append(f"patterns = {_toml_value(list(spec.patterns))}")
            if spec.optional:
                lines.append("optional = true")
        lines += ["", "[leads]", *_toml_table_body(_rule_obj(self.leads), "leads")]
        for table in ("stage_events", "activities", "reps"):
            for rule in getattr(self, table):
                lines += ["", f"[[{table}]]", *_toml_table_body(_rule_obj(rule), table)]
        for table in ("stages", "channels"):
            values = getattr(self, table)
            if values:
                lines += ["", f"[{table}]", *(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in values.items())]
        if self.ignored_columns:  # a top-level key: it must come before the first table
            lines.insert(lines.index(""), f"ignored_columns = {_toml_value(list(self.ignored_columns))}")
        return "\n".join(lines) + "\n"


def _toml_table_body(obj: dict[str, object], table: str) -> list[str]:
    """Scalar and inline keys first; big maps (columns, map, dates) as sub-tables for readability."""
    lines, subs = [], []
    for key, value in obj.items():
        if key in ("columns", "map", "dates") and isinstance(value, dict):
            subs += ["", f"[{table}.{key}]", *(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())]
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    return lines + subs


# --------------------------------------------------------------------------------------------------
# Presets and detection

_CANONICAL_TOML = """
name = "Canonical format"
description = "Files already in the dashboard's own layout: leads, stage events, activities and (optional) reps."
null_values = []

[dates]
format = "ISO"

[files.leads]
names = ["leads"]
columns = ["lead_id", "created_at"]

[files.stage_events]
names = ["stage_events"]
columns = ["lead_id", "stage", "entered_at"]
optional = true

[files.activities]
names = ["activities"]
columns = ["lead_id", "rep_id", "occurred_at"]
optional = true

[files.reps]
names = ["reps"]
columns = ["rep_id", "name"]
optional = true

[leads]
from = "leads"
lead_id = "lead_id"
created_at = "created_at"
source = { column = "source", optional = true }
campaign = { column = "campaign", optional = true }
persona = { column = "persona", optional = true }
icp_tier = { column = "icp_tier", optional = true }
region = { column = "region", optional = true }
company = { column = "company", optional = true }
fit_score = { column = "fit_score", optional = true }
engagement_score = { column = "engagement_score", optional = true }
owner_id = { column = "owner_id", optional = true }

[[stage_events]]
from = "stage_events"
lead_id = "lead_id"
stage = "stage"
entered_at = "entered_at"
reason = { column = "reason", optional = true }
actor_id = { column = "actor_id", optional = true }

[[activities]]
from = "activities"
lead_id = "lead_id"
rep_id = "rep_id"
occurred_at = "occurred_at"
channel = "channel"
outcome = { column = "outcome", optional = true }

[[reps]]
from = "reps"
rep_id = "rep_id"
name = { column = "name", optional = true }
team = { column = "team", optional = true }
"""


def canonical_mapping() -> Mapping:
    """The identity mapping for files already in the canonical format (strict ISO 8601 timestamps)."""
    return Mapping.from_toml(_CANONICAL_TOML)


def presets(directory: Path = PRESETS_DIR) -> dict[str, Mapping]:
    """All presets in ``data/mappings`` by file stem (``hubspot``, ``salesforce``, ...)."""
    return {p.stem: Mapping.from_toml(p) for p in sorted(directory.glob("*.toml"))}


def load_preset(stem: str, directory: Path = PRESETS_DIR) -> Mapping:
    """One preset by file stem, e.g. ``load_preset("hubspot")``."""
    path = directory / f"{stem}.toml"
    if not path.is_file():
        raise MappingError.said(None, "m_no_preset", name=stem, folder=directory)
    return Mapping.from_toml(path)


def stage_like(header: str) -> str | None:
    """``"date"`` when a header looks like the date a lead reached a stage, ``"stage"`` when it looks like a stage
    or status column, else None (see _STAGE_WORDS)."""
    key = _norm(header)
    named = re.search(_DATE_END, key) and re.search(_STAGE_WORDS, key) and not re.search(r"creat|作成", key)
    if re.search(_BECAME, key) or named:
        return "date"
    if re.search(_STAGE_HEADER, key):
        return "stage"
    return None


def _frame_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in (FILE_COL, ROW_COL)]


def _role_score(role: FileRole, name: str, columns: list[str]) -> float:
    """How well a file fits a role: all headers present (+ patterns) beats a name match alone."""
    have = {_norm(c) for c in columns}
    wanted = [_norm(c) for c in role.columns]
    present = sum(1 for c in wanted if c in have)
    patterns_ok = all(any(fnmatch.fnmatchcase(h, _norm(p)) for h in have) for p in role.patterns)
    lowered = name.lower()
    stem = lowered.split(".")[0]
    name_ok = any(fnmatch.fnmatchcase(lowered, n.lower()) or fnmatch.fnmatchcase(stem, n.lower())
                  for n in role.names)
    if wanted and present == len(wanted) and patterns_ok:
        return len(wanted) + len(role.patterns) + (0.5 if name_ok else 0.0)
    if name_ok and present > 0:
        return present / 100  # weak: right name, partly the wrong headers (reported as missing columns)
    return 0.0


def _assign_roles(mapping: Mapping, frames: dict[str, pl.DataFrame]) -> tuple[dict[str, list[str]], float]:
    """Give each frame to its best-fitting role; returns role → frame keys and the total fit score."""
    if not mapping.files:
        return {"main": list(frames)}, 0.0
    assigned: dict[str, list[str]] = {role: [] for role in mapping.files}
    total = 0.0
    for key, frame in frames.items():
        cols = _frame_columns(frame)
        scored = [(_role_score(spec, key, cols), -i, role) for i, (role, spec) in enumerate(mapping.files.items())]
        best = max(scored)
        if best[0] > 0:
            assigned[best[2]].append(key)
            total += best[0]
    return assigned, total


def detect(frames: dict[str, pl.DataFrame], directory: Path = PRESETS_DIR) -> Mapping | None:
    """Recognise a known layout by file names and headers; ``None`` when nothing fits.

    Candidates: the canonical format, then every preset in ``data/mappings``. A candidate fits when each of
    its non-optional file roles is filled; the one whose roles match the most headers wins.
    """
    if not frames:
        return None
    candidates = [canonical_mapping(), *presets(directory).values()]
    best: tuple[float, int, Mapping] | None = None
    for order, mapping in enumerate(candidates):
        assigned, score = _assign_roles(mapping, frames)
        if not mapping.files or score <= 0:
            continue
        if any(not assigned[role] for role, spec in mapping.files.items() if not spec.optional):
            continue
        key = (score, -order, mapping)
        if best is None or key[:2] > best[:2]:
            best = key
    return None if best is None else best[2]


# --------------------------------------------------------------------------------------------------
# Dates

_TIME = (
    r"(?:\s*,?\s*(?:T|\s)\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<ap>[AaPp]\.?[Mm]\.?)?\s*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)
_YMD = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME + r"$"
_XY = r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})" + _TIME + r"$"
#: The canonical format's timestamps (DOMAIN.md: ISO 8601, an optional offset or Z): the ONE grammar, used by
#: this module's "ISO" format (the Data page's canonical files) and by the importer's SQL (the CLI), so both
#: accept and refuse the same text. RE2 (DuckDB) reads it as Python does.
ISO_TIMESTAMP = (
    r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,9}))?)?"
    r"\s*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_ISO = ISO_TIMESTAMP
_PARTS = ("y", "m", "d", "H", "M", "S", "f", "ap", "tz")
_ISO_HINT = "a date like 2026-04-06 or a date and time like 2026-04-06T10:00:00+09:00"
#: The importer's words for a value that is not an ISO timestamp (the same as this module's "ISO" format).
NOT_ISO_KEY = "import.not_iso"
#: A time of day followed by a zone name or abbreviation (America/New_York, EST, UTC): refused everywhere,
#: because the canonical format has offsets only and an abbreviation (CST, IST) names several zones.
ZONE_NAME_SUFFIX = (r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}[T ,]+\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?"
                    r"\s*[A-Za-z]{3,}[A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")
ZONE_NAME_KEY = "import.zone_name"


@dataclass(frozen=True)
class _DateSpec:
    kind: str  # auto | iso | explicit
    regex: str = ""
    label: str = ""
    #: the label's words: a catalogue key of [import] (iso_hint, year_first, ...) and the pattern it names
    words: tuple[str, str] = ("iso_hint", "")

    def expected(self, lang: str) -> str:
        return _word(self.words[0], self.words[1])(lang)


def _word(key: str, pattern: str = "") -> Callable[[str], str]:
    """A date format's description (``day-first DD/MM/YYYY``) in a language: a value of a worded Problem."""
    return lambda lang: catalogue.t(f"import.{key}", lang, pattern=pattern)


def _date_spec(fmt: str) -> _DateSpec:
    """Compile a user-facing format (``DD/MM/YYYY HH:mm`` or ``%d/%m/%Y``) into a regex with named parts."""
    if fmt.lower() == "auto":
        return _DateSpec("auto")
    if fmt.upper() in ("ISO", "ISO8601", "ISO 8601"):
        return _DateSpec("iso", _ISO, _ISO_HINT)
    pattern = fmt
    for py, token in (("%Y", "YYYY"), ("%m", "MM"), ("%d", "DD"), ("%H", "HH"), ("%I", "hh"), ("%M", "mm"),
                      ("%S", "ss"), ("%p", "A"), ("%z", "Z")):
        pattern = pattern.replace(py, token)
    if "%" in pattern:
        raise MappingError.said(f'date format "{fmt}"', "m_format_percent")
    groups = {"YYYY": r"(?P<y>\d{4})", "MM": r"(?P<m>\d{1,2})", "M": r"(?P<m>\d{1,2})",
              "DD": r"(?P<d>\d{1,2})", "D": r"(?P<d>\d{1,2})", "HH": r"(?P<H>\d{1,2})", "H": r"(?P<H>\d{1,2})",
              "hh": r"(?P<H>\d{1,2})", "h": r"(?P<H>\d{1,2})", "mm": r"(?P<M>\d{2})", "ss": r"(?P<S>\d{2})",
              "A": r"(?P<ap>[AaPp]\.?[Mm]\.?)", "Z": r"(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)"}
    out, seen = [], []
    for token in re.findall(r"YYYY|MM|M|DD|D|HH|H|hh|h|mm|ss|A|Z|\s+|.", pattern):
        if token in groups:
            if token[0] in "".join(seen) and token not in ("M", "D", "H", "h"):
                raise MappingError.said(f'date format "{fmt}"', "m_format_twice", token=token)
            seen.append(token)
            out.append(groups[token])
        elif token.isspace():
            out.append(r"\s+")
        else:
            out.append(re.escape(token))
    letters = [t[0] for t in seen]
    if not {"Y", "M", "D"} <= set(letters):
        raise MappingError.said(None, "m_format_needs", format=fmt)
    regex = "".join(out)
    if not ({"H", "h"} & set(letters)):
        regex += _TIME
    elif "Z" not in letters:
        regex += r"(?:\s*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?))?"
    order = [c for c in letters if c in "YMD"]
    if order[0] == "Y":
        key = "year_first"
    elif order.index("D") < order.index("M"):
        key = "day_first"
    else:
        key = "month_first"
    return _DateSpec("explicit", "^" + regex + "$", _word(key, pattern)("en"), (key, pattern))


def _normalised_text(expr: pl.Expr) -> pl.Expr:
    """Full-width digits to ASCII; Japanese 2023年4月1日 10時30分 to 2023/4/1 10:30."""
    return (
        expr.str.normalize("NFKC").str.strip_chars()
        .str.replace_all("年", "/").str.replace_all("月", "/").str.replace_all("日", "")
        .str.replace_all("時", ":").str.replace_all("分", ":").str.replace_all("秒", "")
        .str.replace(r":$", "")
    )


def _extract(frame: pl.DataFrame, regex: str, prefix: str) -> pl.DataFrame:
    """Named groups of ``regex`` applied to column ``n`` as columns ``{prefix}{group}`` (missing → null)."""
    struct = frame.select(pl.col("n").str.extract_groups(regex).alias("s"))["s"]
    names = {f.name for f in struct.dtype.fields}
    return pl.DataFrame({
        f"{prefix}{part}": struct.struct.field(part) if part in names else pl.Series([None] * len(struct),
                                                                                     dtype=pl.Utf8)
        for part in (*_PARTS, "a", "b")
    })


def _assemble(parts: pl.DataFrame) -> pl.Series:
    """Validated ISO text from y/m/d/H/M/S/f/ap/tz parts; null where the parts do not form a real instant."""
    c = pl.col
    hour = c("H").cast(pl.Int32, strict=False)
    ap = c("ap").str.to_lowercase().str.replace_all(".", "", literal=True)
    hour = (
        pl.when(ap.is_null()).then(hour)
        .when(hour > 12).then(None)
        .when(hour == 0).then(None)
        .when((ap == "pm") & (hour < 12)).then(hour + 12)
        .when((ap == "am") & (hour == 12)).then(0)
        .otherwise(hour)
    )
    tz_raw = c("tz").str.replace(":", "", literal=True)
    tz = (
        pl.when(c("tz").is_null()).then(pl.lit(""))
        .when(c("tz").str.to_uppercase() == "Z").then(pl.lit("+00:00"))
        .when(tz_raw.str.len_chars() == 3).then(tz_raw + ":00")
        .otherwise(tz_raw.str.slice(0, 3) + ":" + tz_raw.str.slice(3, 2))
    )
    tz_ok = (
        c("tz").is_null() | (c("tz").str.to_uppercase() == "Z")
        | ((tz_raw.str.slice(1, 2).cast(pl.Int32, strict=False) <= 14)
           & (tz_raw.str.slice(3, 2).fill_null("00").cast(pl.Int32, strict=False).fill_null(0) < 60))
    )
    date = c("y") + "-" + c("m").str.zfill(2) + "-" + c("d").str.zfill(2)
    time = hour.cast(pl.Utf8).str.zfill(2) + ":" + c("M") + ":" + c("S").fill_null("00")
    frac = pl.when(c("f").is_null()).then(pl.lit("")).otherwise("." + c("f"))
    checked = pl.when(c("H").is_null()).then(date + " 00:00:00").otherwise(date + " " + time)
    valid = checked.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False).is_not_null() & tz_ok
    text = (
        pl.when(~valid).then(None)
        .when(c("H").is_null()).then(date)
        .otherwise(date + "T" + time + frac + tz)
    )
    return parts.select(text.alias("out"))["out"]


# --------------------------------------------------------------------------------------------------
# Applying a mapping


@dataclass
class MappedData:
    """The canonical tables a mapping produced, with what it found wrong (problems) or doubtful (warnings)."""

    leads: pl.DataFrame
    stage_events: pl.DataFrame
    activities: pl.DataFrame
    reps: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    mapping_name: str = ""
    #: every row of every row-level problem (sla_review.ingest.problem_rows.SCHEMA), listed or not
    problem_rows: pl.DataFrame = field(default_factory=prows.empty)
    #: (file, canonical column) → the user's header it was read from, where that is one header: the importer's
    #: findings on the mapped tables are said with the user's column names
    headers: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def tables(self) -> dict[str, pl.DataFrame]:
        """``{table: frame}`` as ``sla_review.ingest.importer.import_sources`` takes them (reps only when non-empty)."""
        out = {"leads": self.leads, "stage_events": self.stage_events, "activities": self.activities}
        if self.reps.height:
            out["reps"] = self.reps
        return out


def _empty(table: str) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {c: pl.Utf8 for c in CANONICAL_COLUMNS[table]}
    schema[FILE_COL] = pl.Utf8
    schema[ROW_COL] = pl.Int64
    return pl.DataFrame(schema=schema)


def _finish(table: str, frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Concatenate pieces into the fixed canonical schema (every field a string, in canonical order)."""
    columns = [*CANONICAL_COLUMNS[table], FILE_COL, ROW_COL]
    pieces = [
        f.select([
            (pl.col(c) if c in f.columns else pl.lit(None)).cast(pl.Int64 if c == ROW_COL else pl.Utf8).alias(c)
            for c in columns
        ])
        for f in frames
    ]
    return pl.concat(pieces, how="vertical") if pieces else _empty(table)


class _Collector:
    """Problems and warnings, with at most MAX_ROW_PROBLEMS row-level entries per (file, column, kind)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self._counts: dict[tuple[bool, str, str | None, str], int] = {}
        self._hidden: dict[tuple[bool, str, str | None, str], int] = {}
        self._seen: set[tuple[object, ...]] = set()
        #: every row of every row-level problem (not only the listed ones): what "leave these rows out" drops
        self.bad_rows: list[pl.DataFrame] = []

    def add(self, problem: Problem, *, kind: str = "", warning: bool = False) -> None:
        target = self.warnings if warning else self.problems
        seen = (warning, problem.file, problem.row, problem.column, str(problem.value), problem.message)
        if seen in self._seen:  # the same cell read by two rules (a wide column and a status date)
            return
        self._seen.add(seen)
        if kind:
            key = (warning, problem.file, problem.column, kind)
            self._counts[key] = self._counts.get(key, 0) + 1
            if self._counts[key] > MAX_ROW_PROBLEMS:
                self._hidden[key] = self._hidden.get(key, 0) + 1
                return
        target.append(problem)

    def rows(self, frame: pl.DataFrame, column: str, message: Words | Callable[[dict], Words], *, kind: str,
             warning: bool = False) -> None:
        """One entry per bad row (``frame`` holds only those, with ``v`` = the raw value); capped per file.
        ``message``: the catalogue key and its values (or a function of the row giving them)."""
        for (file,), group in frame.group_by(FILE_COL, maintain_order=True):
            key = (warning, file, column, kind)
            room = max(MAX_ROW_PROBLEMS - self._counts.get(key, 0), 0)
            if not warning and group.height:
                words, values = message(group.row(0, named=True)) if callable(message) else message
                self.record(group, Problem.worded(words, file, None, column, None, **values))
            for row in group.head(room).iter_rows(named=True):
                words, values = message(row) if callable(message) else message
                self.add(Problem.worded(words, file, row[ROW_COL], column, row["v"], **values), kind=kind,
                         warning=warning)
            hidden = group.height - min(room, group.height)
            if hidden:
                self._counts[key] = self._counts.get(key, 0) + hidden
                self._hidden[key] = self._hidden.get(key, 0) + hidden

    def record(self, bad: pl.DataFrame, problem: Problem) -> None:
        """Every row of ``bad`` (__file, __row, v) as a row with ``problem`` (worded without row or value)."""
        found = bad.select(pl.col(FILE_COL).alias("file"), pl.col(ROW_COL).alias("row"), pl.col("v").alias("value"))
        self.bad_rows.append(prows.rows_of(found, problem))

    def finish(self) -> None:
        """One summary line per capped (file, column, kind): counted, not listed."""
        for (warning, file, column, _kind), n in self._hidden.items():
            (self.warnings if warning else self.problems).append(dataclasses.replace(
                Problem.worded("import.more_rows", file, None, column, None, n=formats.integer(n)), count=n))
        self._hidden.clear()


@dataclass
class _Source:
    """One role's rows (several files concatenated), cleaned, with resolvable column names."""

    role: str
    frame: pl.DataFrame
    names: dict[str, str]  # display name → column in frame (joined roles add theirs after the base)
    files: tuple[str, ...]

    def resolve(self, wanted: Iterable[str]) -> str | None:
        """The frame column for the first wanted header present (exact, then NFKC/case/space-insensitive)."""
        wanted = list(wanted)
        for w in wanted:
            if w in self.names:
                return self.names[w]
        normalised = {}
        for display, col in self.names.items():
            normalised.setdefault(_norm(display), col)
        for w in wanted:
            if _norm(w) in normalised:
                return normalised[_norm(w)]
        return None

    def headers(self) -> str:
        shown = [n for n in self.names if "::" not in n][:25]
        more = len(self.names) - len(shown)
        return ", ".join(shown) + (f" (and {more} more)" if more > 0 else "")

    @property
    def label(self) -> str:
        return ", ".join(self.files) if self.files else self.role


class _Applier:
    def __init__(self, mapping: Mapping, frames: dict[str, pl.DataFrame]) -> None:
        self.m = mapping
        self.frames = {k: self._prepare(k, f) for k, f in frames.items()}
        self.out = _Collector()
        self.sources: dict[str, _Source | None] = {}
        self._nulls = sorted(_placeholder_variants(mapping.null_values))
        self._stage_lookup = self._lookup(mapping.stages, STAGES)
        self._channel_lookup = self._lookup(mapping.channels, CHANNELS)
        self._date_cache: dict[tuple[int, str, str], tuple[pl.DataFrame, pl.Series]] = {}
        self._headers: dict[tuple[str, str], set[str]] = {}

    # -- preparation ------------------------------------------------------------------------------
    @staticmethod
    def _prepare(key: str, frame: pl.DataFrame) -> pl.DataFrame:
        """Frames not from read_table get __file/__row; every data column becomes a string."""
        if FILE_COL not in frame.columns:
            frame = frame.with_columns(pl.lit(key).alias(FILE_COL))
        if ROW_COL not in frame.columns:
            frame = frame.with_row_index(ROW_COL, offset=2)
        return frame.with_columns(
            *[pl.col(c).cast(pl.Utf8) for c in frame.columns if c != ROW_COL],
            pl.col(ROW_COL).cast(pl.Int64),
        )

    def _clean(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Trim every value and turn placeholders (``Select``, ``-``, ``N/A``, blanks) into nulls."""
        exprs = []
        for c in _frame_columns(frame):
            trimmed = pl.col(c).str.strip_chars()
            is_null = trimmed.str.to_lowercase().is_in(self._nulls)
            exprs.append(pl.when(is_null).then(None).otherwise(trimmed).alias(c))
        return frame.with_columns(exprs)

    @staticmethod
    def _lookup(extra: dict[str, str], canonical: tuple[str, ...]) -> dict[str, str]:
        table = {c: c for c in canonical}
        table.update({_norm(k): v for k, v in extra.items()})
        return table

    def source(self, role: str, table: str, needed: bool = True) -> _Source | None:
        """The cleaned rows of a role, or None (with a problem/warning saying which file is missing)."""
        if role in self.sources:
            return self.sources[role]
        keys = self.assigned.get(role, [])
        src = None
        if keys:
            frames = [self._clean(self.frames[k]) for k in keys]
            frame = pl.concat(frames, how="diagonal")
            names = {c: c for c in _frame_columns(frame)}
            src = _Source(role, frame, names, tuple(frame[FILE_COL].unique(maintain_order=True).drop_nulls()))
        elif needed:
            spec = self.m.files.get(role)
            names = " or ".join(f'"{n}"' for n in spec.names) if spec is not None else ""
            columns = ", ".join(f'"{c}"' for c in spec.columns) if spec is not None else ""

            def how(lang: str) -> str:
                clues = ([catalogue.t("import.role_named", lang, names=names)] if names else []) + (
                    [catalogue.t("import.role_columns", lang, columns=columns)] if columns else [])
                joined = catalogue.t("import.role_clue_sep", lang).join(clues)
                return catalogue.t("import.role_clues", lang, clues=joined) if clues else ""
            optional = spec is not None and spec.optional
            self.out.add(Problem.worded("import.no_role_file_optional" if optional else "import.no_role_file",
                                        self.m.name, role=role, how=how, table=table), warning=optional)
        self.sources[role] = src
        return src

    # -- field evaluation -------------------------------------------------------------------------
    def _column(self, src: _Source, spec: Field, table: str, name: str, required: bool) -> str | None:
        col = src.resolve(spec.columns)
        if col is None and not spec.optional:
            wanted = " or ".join(f'"{c}"' for c in spec.columns)
            self.out.add(Problem.worded("import.no_field_column", src.label, 1, spec.columns[0], wanted=wanted,
                                        mapping=self.m.name, field=f"{table}.{name}", found=src.headers()),
                         warning=not required)
        if col is not None:
            display = next((d for d, c in src.names.items() if c == col), col)
            for file in src.files:
                self._headers.setdefault((file, name), set()).add(display)
        return col

    def text(self, src: _Source, spec: Field | None, table: str, name: str) -> pl.Series | None:
        if spec is None:
            return None
        if spec.const is not None:
            return pl.Series(name, [spec.const] * src.frame.height, dtype=pl.Utf8)
        col = self._column(src, spec, table, name, name in _REQUIRED[table])
        return None if col is None else src.frame[col].alias(name)

    def date(self, src: _Source, spec: Field | None, table: str, name: str) -> pl.Series | None:
        if spec is None:
            return None
        if spec.const is not None:
            one = pl.DataFrame({"v": [spec.const], FILE_COL: [self.m.name], ROW_COL: [None]},
                               schema={"v": pl.Utf8, FILE_COL: pl.Utf8, ROW_COL: pl.Int64})
            parsed = self.parse_dates(one, "v", spec.format or self.m.dates.format, f"{table}.{name} (constant)")
            return pl.Series(name, [parsed[0]] * src.frame.height, dtype=pl.Utf8)
        col = self._column(src, spec, table, name, name in _REQUIRED[table])
        if col is None:
            return None
        display = next(d for d, c in src.names.items() if c == col)
        fmt = spec.format or self.m.dates.columns.get(display) or self.m.dates.format
        return self.parse_dates(src.frame, col, fmt, display).alias(name)

    def score(self, src: _Source, spec: Field | None, table: str, name: str) -> pl.Series | None:
        """A 0–100 score: rescaled from min/max, looked up from an ordinal, or checked as already 0–100."""
        if spec is None:
            return None
        if spec.const is not None:
            return pl.Series(name, [spec.const] * src.frame.height, dtype=pl.Utf8)
        col = self._column(src, spec, table, name, False)
        if col is None:
            return None
        display = next(d for d, c in src.names.items() if c == col)
        work = src.frame.select(pl.col(col).alias("v"), FILE_COL, ROW_COL)
        if spec.values is not None:
            lookup = {_norm(k): v for k, v in spec.values.items()}
            key = _norm_expr(pl.col("v"))
            work = work.with_columns(key.replace_strict(lookup, default=None, return_dtype=pl.Float64).alias("x"))
            bad = work.filter(pl.col("v").is_not_null() & pl.col("x").is_null())
            self._distinct_values(bad, display, ("import.not_an_ordinal", {"name": name,
                                  "names": ", ".join(spec.values)}), kind="ordinal")
            value = pl.col("x")
        else:
            text = pl.col("v").str.normalize("NFKC").str.strip_chars()
            text = pl.when(text.str.contains(r"^[+-]?\d+,\d+$")).then(text.str.replace(",", ".")).otherwise(text)
            work = work.with_columns(text.cast(pl.Float64, strict=False).alias("x"))
            bad = work.filter(pl.col("v").is_not_null() & pl.col("x").is_null())
            self.out.rows(bad, display, ("import.score_not_a_number", {}), kind="score-nan")
            lo, hi = (spec.min, spec.max) if spec.min is not None else (0.0, 100.0)
            outside = work.filter((pl.col("x") < lo) | (pl.col("x") > hi))
            scale: Words = (("import.outside_scale", {"low": _num(lo), "high": _num(hi), "name": name})
                            if spec.min is not None else ("import.outside_score_range", {}))
            self.out.rows(outside, display, scale, kind="score-range")
            work = work.with_columns(pl.when((pl.col("x") >= lo) & (pl.col("x") <= hi)).then(pl.col("x")).alias("x"))
            if spec.min is None:
                return work.select(pl.when(pl.col("x").is_not_null()).then(text).alias(name))[name]
            value = (pl.col("x") - lo) / (hi - lo) * 100
        return work.select(
            value.round(2).cast(pl.Utf8).str.replace(r"\.0$", "").alias(name)
        )[name]

    def _distinct_values(self, bad: pl.DataFrame, column: str, message: Words, *, kind: str,
                         warning: bool = False) -> None:
        """One entry per distinct unknown value (first row, count): a status typo is one fix, not 500."""
        if bad.height == 0:
            return
        grouped = (bad.group_by(FILE_COL, "v", maintain_order=True)
                   .agg(pl.col(ROW_COL).min().alias("first"), pl.len().alias("n")))
        for file, value, first, n in grouped.iter_rows():
            times = _times(n)
            words, values = message
            problem = Problem.worded(words, file, first, column, value, times=times, **values)
            self.out.add(problem, kind=kind, warning=warning)
            if not warning:
                rows = bad.filter((pl.col(FILE_COL) == file) & (pl.col("v") == value))
                self.out.record(rows, Problem.worded(words, file, None, column, None, times=_times(1), **values))

    # -- dates ------------------------------------------------------------------------------------
    def parse_dates(self, frame: pl.DataFrame, col: str, fmt: str, display: str) -> pl.Series:
        """Parse one column to ISO text, per file (each file may have its own date habits).

        Cached per frame and column: a wide column and a status rule often read the same dates.
        """
        key = (id(frame), col, fmt)
        if key in self._date_cache:
            return self._date_cache[key][1]
        spec = _date_spec(fmt)
        work = frame.select(pl.col(col).alias("v"), FILE_COL, ROW_COL).with_row_index("__i")
        pieces = []
        for file in work[FILE_COL].unique(maintain_order=True).to_list():
            sub = work.filter(pl.col(FILE_COL) == file) if file is not None else work.filter(
                pl.col(FILE_COL).is_null())
            pieces.append(self._parse_one(sub, spec, display))
        out = pl.concat(pieces).sort("__i")["out"] if pieces else pl.Series(col, [], dtype=pl.Utf8)
        self._date_cache[key] = (frame, out)  # holding the frame keeps its id from being reused
        return out

    def _parse_one(self, sub: pl.DataFrame, spec: _DateSpec, display: str) -> pl.DataFrame:
        """Detect and parse one file's column; the work is done once per distinct value, not per row."""
        file = sub[FILE_COL][0] if sub.height else ""
        distinct = (
            sub.filter(pl.col("v").is_not_null())
            .group_by("v").agg(pl.col(ROW_COL).min(), pl.len().alias("count"))
            .sort(ROW_COL, nulls_last=True)
            .with_columns(pl.lit(file, dtype=pl.Utf8).alias(FILE_COL), _normalised_text(pl.col("v")).alias("n"))
        )
        order_label = None
        stats = {"xy": 0}
        if spec.kind == "auto":
            ymd = _extract(distinct, _YMD, "p_")
            xy = _extract(distinct, _XY, "q_")
            distinct = pl.concat([distinct, ymd, xy], how="horizontal")
            is_ymd, is_xy = pl.col("p_y").is_not_null(), pl.col("q_y").is_not_null()
            a, b = pl.col("q_a").cast(pl.Int32), pl.col("q_b").cast(pl.Int32)
            count = pl.col("count")
            stats = distinct.select(
                count.filter(is_ymd).sum().alias("ymd"), count.filter(is_xy).sum().alias("xy"),
                count.filter(is_xy & (a > 12) & (b <= 12)).sum().alias("dmy"),
                count.filter(is_xy & (b > 12) & (a <= 12)).sum().alias("mdy"),
            ).row(0, named=True)
            if stats["dmy"] and stats["mdy"]:
                day_first = stats["dmy"] > stats["mdy"] or (
                    stats["dmy"] == stats["mdy"] and self.m.dates.ambiguous == "day_first")
                self._mixed_order(distinct, display, day_first)
            elif stats["dmy"] or stats["mdy"]:
                day_first = bool(stats["dmy"])
            else:
                day_first = self.m.dates.ambiguous == "day_first"
                if stats["xy"]:
                    sample = distinct.filter(is_xy).row(0, named=True)
                    first = _word("day_first", "DD/MM/YYYY") if day_first else _word("month_first", "MM/DD/YYYY")
                    self.out.add(Problem.worded("import.ambiguous_dates", file, None, display, sample["v"],
                                                order=first), warning=True)
            if stats["ymd"] and stats["xy"]:
                self._mixed_families(distinct, display, is_ymd, is_xy, day_first, stats)
            sep = "/"
            if stats["xy"]:
                sep = distinct.filter(is_xy).select(
                    pl.col("n").str.extract(r"^\d{1,2}([-/.])", 1).mode().first()).item() or "/"
            order_label = (_word("day_first", f"DD{sep}MM{sep}YYYY") if day_first
                           else _word("month_first", f"MM{sep}DD{sep}YYYY"))
            pick = {}
            for part in _PARTS:
                if part in ("m", "d"):
                    xy_part = ("q_b" if day_first else "q_a") if part == "m" else ("q_a" if day_first else "q_b")
                else:
                    xy_part = f"q_{part}"
                pick[part] = pl.when(is_ymd).then(pl.col(f"p_{part}")).otherwise(pl.col(xy_part))
            parts = distinct.select(**pick)
            family = distinct.select(pl.when(is_ymd).then(pl.lit("ymd")).when(is_xy).then(pl.lit("xy"))
                                     .alias("fam"))["fam"]
        else:
            parts = _extract(distinct, spec.regex, "").select(_PARTS)
            family = pl.Series("fam", [None] * distinct.height, dtype=pl.Utf8)
        distinct = distinct.with_columns(_assemble(parts).alias("out"), family.alias("fam"))
        rows = sub.join(distinct.select("v", "out", "fam"), on="v", how="left", maintain_order="left")
        bad = rows.filter(pl.col("v").is_not_null() & pl.col("out").is_null())
        if bad.height:
            if spec.kind == "auto":
                label = order_label
                generic = ((lambda lang: catalogue.t("import.date_such_as_or", lang, order=label(lang)))
                           if stats["xy"] else _word("date_such_as"))

                def message(row: dict) -> Words:
                    fam = row["fam"]
                    expected = label if fam == "xy" else (_word("ymd") if fam == "ymd" else generic)
                    return _not_a_date(row["v"], expected)
            else:
                def message(row: dict) -> Words:
                    return _not_a_date(row["v"], spec.expected)
            self.out.rows(bad, display, message, kind="date")
        return rows.select("__i", "out")

    def _mixed_order(self, distinct: pl.DataFrame, display: str, day_first: bool) -> None:
        a, b = pl.col("q_a").cast(pl.Int32), pl.col("q_b").cast(pl.Int32)
        only_dmy, only_mdy = (a > 12) & (b <= 12), (b > 12) & (a <= 12)
        minority = distinct.filter(only_mdy) if day_first else distinct.filter(only_dmy)
        majority = distinct.filter(only_dmy) if day_first else distinct.filter(only_mdy)
        row = minority.row(0, named=True)
        major = majority.row(0, named=True)
        kinds = (_word("month"), _word("day")) if day_first else (_word("day"), _word("month"))
        self.out.add(Problem.worded(
            "import.mixed_order", row[FILE_COL], row[ROW_COL], display, row["v"], kind=kinds[0], other=kinds[1],
            example=major["v"], example_row=major[ROW_COL], n=formats.integer(minority["count"].sum())))

    def _mixed_families(self, distinct: pl.DataFrame, display: str, is_ymd: pl.Expr, is_xy: pl.Expr,
                        day_first: bool, stats: dict[str, int]) -> None:
        ymd_first = distinct.filter(is_ymd).row(0, named=True)
        xy_first = distinct.filter(is_xy).row(0, named=True)
        xy_name = _word("day") if day_first else _word("month")
        if stats["ymd"] >= stats["xy"]:
            minority, n_min, kind_min = xy_first, stats["xy"], xy_name
            majority, n_maj, kind_maj = ymd_first, stats["ymd"], _word("year")
        else:
            minority, n_min, kind_min = ymd_first, stats["ymd"], _word("year")
            majority, n_maj, kind_maj = xy_first, stats["xy"], xy_name
        self.out.add(Problem.worded(
            "import.mixed_families", minority[FILE_COL], minority[ROW_COL], display, minority["v"], kind=kind_min,
            other=kind_maj, n_other=formats.integer(n_maj), example=majority["v"], example_row=majority[ROW_COL],
            n=formats.integer(n_min)))

    # -- tables -----------------------------------------------------------------------------------
    def _without_furniture(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame without the report's footer: the trailing rows a CRM report prints below the data
        ("Grand Totals (123 records)", "Confidential Information - Do Not Distribute", "Copyright (c) ...",
        and Salesforce's Japanese 「総計 (123 レコード)」「機密情報 - 配布禁止」), dropped with one warning
        that quotes the first of them. Only a run at the very end: the same words inside the data stay data."""
        cols = _frame_columns(frame)
        if frame.height == 0 or not cols:
            return frame
        cells = [pl.col(c).str.strip_chars() for c in cols]
        first = pl.coalesce([pl.when(c.str.len_chars() > 0).then(c) for c in cells])
        filled = pl.sum_horizontal([(c.str.len_chars() > 0).fill_null(False).cast(pl.Int32) for c in cells])
        footer = first.str.contains(REPORT_TOTAL) | (first.str.contains(REPORT_NOTICE) & (filled == 1))
        flags = frame.select(footer.fill_null(False).alias("f"), first.alias("first"))
        tail = flags["f"].reverse().cum_min().reverse()  # true from the last non-footer row's successor down
        n = int(tail.sum())
        if n == 0:
            return frame
        kept = frame.head(frame.height - n)
        dropped = frame.tail(n)
        text = flags["first"][frame.height - n]
        self.out.add(Problem.worded("import.report_footer", dropped[FILE_COL][0], int(dropped[ROW_COL][0]), None,
                                    text, n=formats.integer(n), text=text,
                                    rows=f"{int(dropped[ROW_COL][0])}–{int(dropped[ROW_COL][-1])}"),
                     warning=True)
        return kept

    def run(self) -> MappedData:
        self.frames = {k: self._without_furniture(f) for k, f in self.frames.items()}
        self.assigned, _ = _assign_roles(self.m, self.frames)
        used = {k for keys in self.assigned.values() for k in keys}
        for key, frame in self.frames.items():
            if key not in used:
                label = frame[FILE_COL][0] if frame.height else key
                self.out.add(Problem.worded("import.file_not_expected", label, mapping=self.m.name), warning=True)
        leads = self.leads()
        events = [self.created_events(leads)]
        for rule in self.m.stage_events:
            events.append(self.events(rule, leads))
        stage_events = _finish("stage_events", [e for e in events if e is not None])
        stage_events = stage_events.unique(subset=["lead_id", "stage", "entered_at"], keep="first",
                                           maintain_order=True)
        made = [self.activities(rule) for rule in self.m.activities]
        activities = _finish("activities", [a for a in made if a is not None])
        reps = self.reps()
        self._unused_stage_columns(used)
        self.out.finish()
        headers = {k: next(iter(v)) for k, v in self._headers.items() if len(v) == 1}
        return MappedData(leads, stage_events, activities, reps, self.out.problems, self.out.warnings,
                          self.m.name, prows.combine(self.out.bad_rows), headers)

    def _unused_stage_columns(self, used: set[str]) -> None:
        """A warning per column of a used file that looks like stage dates or a stage but that the mapping never
        names: its information would be left out without a word (issue 10)."""
        mentioned = self.m.mentioned()
        for key in sorted(used):
            frame = self.frames[key]
            label = frame[FILE_COL][0] if frame.height else key
            for column in _frame_columns(frame):
                kind = stage_like(column)
                if kind is None or _norm(column) in mentioned:
                    continue
                if not frame.select(pl.col(column).str.strip_chars().str.len_chars().fill_null(0).max()).item():
                    continue  # an empty column leaves nothing out
                words = "import.unused_stage_date" if kind == "date" else "import.unused_stage_stage"
                self.out.add(Problem.worded(words, label, 1, column, None,  # row 1: the header cell
                                            mapping=self.m.name), warning=True)

    def _joined(self, rule: Rule, table: str) -> _Source | None:
        src = self.source(self.m.role_of(table, rule), table)
        if src is None or not rule.join:
            return src
        frame, names = src.frame, dict(src.names)
        for j in rule.join:
            other = self.source(j.source, table, needed=True)
            if other is None:
                continue
            left = src.resolve([j.on])
            right = other.resolve([j.right_on or j.on])
            if left is None or right is None:
                where, missing = (src, j.on) if left is None else (other, j.right_on or j.on)
                self.out.add(Problem.worded("import.no_join_column", where.label, 1, missing, name=missing))
                continue
            dupes = other.frame.filter(pl.col(right).is_not_null() & pl.col(right).is_duplicated())
            if dupes.height:
                row = dupes.row(0, named=True)
                self.out.add(Problem.worded("import.join_duplicate", row[FILE_COL], row[ROW_COL], j.right_on or j.on,
                                            row[right], n=formats.integer(dupes.height)), warning=True)
            prefix = f"{j.source}::"
            right_cols = [c for c in _frame_columns(other.frame) if c != right]
            add = other.frame.filter(pl.col(right).is_not_null()).unique(subset=[right], keep="first",
                                                                         maintain_order=True)
            add = add.select(pl.col(right).alias("__key"), *[pl.col(c).alias(prefix + c) for c in right_cols])
            frame = frame.join(add, left_on=left, right_on="__key", how="left", maintain_order="left")
            for c in right_cols:
                names.setdefault(c, prefix + c)
                names[prefix + c] = prefix + c
        return _Source(src.role, frame, names, src.files)

    def _fields(self, src: _Source, rule: Rule, table: str, skip: Iterable[str] = ()) -> dict[str, pl.Series]:
        out: dict[str, pl.Series] = {}
        for name in CANONICAL_COLUMNS[table]:
            if name in skip:
                continue
            spec = rule.fields.get(name)
            if spec is None:
                continue
            if spec.lead is not None:
                continue  # filled from the lead afterwards
            if name in _DATE_FIELDS:
                series = self.date(src, spec, table, name)
            elif name in _SCORE_FIELDS:
                series = self.score(src, spec, table, name)
            else:
                series = self.text(src, spec, table, name)
            if series is not None:
                out[name] = series.alias(name)
        return out

    def leads(self) -> pl.DataFrame:
        src = self._joined(self.m.leads, "leads")
        if src is None:
            return _empty("leads")
        cols = self._fields(src, self.m.leads, "leads")
        frame = pl.DataFrame(cols) if cols else pl.DataFrame()
        frame = frame.with_columns(src.frame[FILE_COL], src.frame[ROW_COL]) if cols else src.frame.select(
            FILE_COL, ROW_COL)
        if self.m.leads.per_lead is not None and "lead_id" in frame.columns:
            frame = self._one_row_per_lead(src, frame)
        return _finish("leads", [frame])

    def _one_row_per_lead(self, src: _Source, frame: pl.DataFrame) -> pl.DataFrame:
        """An event log's leads: one row per lead id, its fields from its first or last row by ``order_by``.

        Rows are ordered by the ``order_by`` instant (an offset counts: 10:00+09:00 is before 09:00+00:00), equal
        instants by file row order (the files in upload order, then the row), rows without a usable time after
        every dated row (so they give a lead its fields only when it has no dated row). ``last`` is the last row
        of that order among the dated rows. A field with its own ``per_lead`` is taken from that row instead.
        Rows with no lead id stay, each, for the importer to report."""
        rule = self.m.leads
        assert rule.per_lead is not None and rule.order_by is not None
        spec = Field(columns=(rule.order_by,))
        order = None if self._column(src, spec, "leads", "order_by", True) is None else self.date(
            src, spec, "leads", "order_by")
        if order is None:
            return frame
        work = frame.with_columns(_instant(order).alias("__t"), pl.int_range(pl.len()).alias("__seq"))
        named, unnamed = work.filter(pl.col("lead_id").is_not_null()), work.filter(pl.col("lead_id").is_null())

        def pick(which: str) -> pl.DataFrame:
            if which == "first":
                ordered = named.sort("__t", "__seq", nulls_last=True)
                return ordered.unique(subset=["lead_id"], keep="first", maintain_order=True)
            ordered = named.sort(pl.col("__t").is_not_null(), "__t", "__seq", nulls_last=False)
            return ordered.unique(subset=["lead_id"], keep="last", maintain_order=True)

        chosen = pick(rule.per_lead)
        overrides = {name for name, spec in rule.fields.items()
                     if spec.per_lead not in (None, rule.per_lead) and name in chosen.columns and name != "lead_id"}
        if overrides:
            other = pick("last" if rule.per_lead == "first" else "first").select("lead_id", *sorted(overrides))
            chosen = chosen.drop(*overrides).join(other, on="lead_id", how="left", maintain_order="left")
        # the leads in the order their chosen row has in the files; unnamed rows where they were
        return pl.concat([chosen, unnamed.select(chosen.columns)], how="vertical").sort("__seq").drop("__t", "__seq")

    def created_events(self, leads: pl.DataFrame) -> pl.DataFrame | None:
        stage = self.m.leads.created_stage
        if not stage:
            return None
        return leads.filter(pl.col("lead_id").is_not_null() & pl.col("created_at").is_not_null()).select(
            "lead_id", pl.lit(stage).alias("stage"), pl.col("created_at").alias("entered_at"), FILE_COL, ROW_COL)

    def _lead_id_field(self, rule: Rule, table: str) -> Field | None:
        spec = rule.fields.get("lead_id")
        if spec is None and self.m.role_of(table, rule) == self.m.role_of("leads", self.m.leads):
            spec = self.m.leads.fields.get("lead_id")
        return spec

    def _with_lead_created(self, frame: pl.DataFrame, leads: pl.DataFrame, target: str) -> pl.DataFrame:
        created = leads.filter(pl.col("lead_id").is_not_null()).unique(subset=["lead_id"], keep="first").select(
            "lead_id", pl.col("created_at").alias(target))
        return frame.join(created, on="lead_id", how="left", maintain_order="left")

    def _when(self, src: _Source, rule: Rule) -> _Source | None:
        """The rows of `src` the rule's `when` keeps (its column's value, NFKC and case folded, among the values);
        None, with a warning naming the column, when the file has no such column."""
        if rule.when is None:
            return src
        col = src.resolve([rule.when.column])
        if col is None:
            self.out.add(Problem.worded("import.no_when_column", src.label, 1, rule.when.column,
                                        name=rule.when.column), warning=True)
            return None
        allowed = sorted({_norm(v) for v in rule.when.values})
        frame = src.frame.filter(_norm_expr(pl.col(col)).is_in(allowed))
        return _Source(src.role, frame, src.names, src.files)

    def events(self, rule: Rule, leads: pl.DataFrame) -> pl.DataFrame | None:
        table = "stage_events"
        src = self.source(self.m.role_of(table, rule), table)
        if src is None:
            return None
        src = self._when(src, rule)
        if src is None:
            return None
        frame = src.frame
        if rule.kind == "rows":
            cols = self._fields(src, rule, table)
            if "lead_id" not in cols or "stage" not in cols:
                return None
            base = pl.DataFrame(cols).with_columns(frame[FILE_COL], frame[ROW_COL])
            return self._map_stages(base, "stage", keep_unknown=True)
        lead_spec = self._lead_id_field(rule, table)
        if lead_spec is None:
            raise MappingError.said(None, "m_events_need_lead", role=rule.source)
        lead_ids = self.text(src, lead_spec, table, "lead_id")
        if lead_ids is None:
            return None
        extra = self._fields(src, rule, table, skip=("lead_id", "stage", "entered_at"))
        base = pl.DataFrame({"lead_id": lead_ids, **extra}).with_columns(frame[FILE_COL], frame[ROW_COL])
        if rule.kind == "wide":
            pieces = []
            for column, stage in rule.columns.items():
                col = src.resolve([column])
                if col is None:
                    self.out.add(Problem.worded("import.no_stage_column", src.label, 1, column, stage=stage),
                                 warning=True)
                    continue
                fmt = self.m.dates.columns.get(column) or self.m.dates.format
                dates = self.parse_dates(frame, col, fmt, column)
                pieces.append(base.with_columns(pl.lit(stage).alias("stage"), dates.alias("entered_at")))
            if not pieces:
                return None
            out = pl.concat(pieces, how="vertical")
            return out.filter(pl.col("lead_id").is_not_null() & pl.col("entered_at").is_not_null())
        return self._status_events(rule, src, base, leads)

    def _status_events(self, rule: Rule, src: _Source, base: pl.DataFrame,
                       leads: pl.DataFrame) -> pl.DataFrame | None:
        table = "stage_events"
        assert rule.column is not None
        col = src.resolve([rule.column])
        if col is None:
            self.out.add(Problem.worded("import.no_status_column", src.label, 1, rule.column, found=src.headers()),
                         warning=True)
            return None
        frame = src.frame
        base = base.with_columns(frame[col].alias("status"))
        base = self._map_stages(base, "status", keep_unknown=False, source_map=rule.map, display=rule.column)
        # The date of each row: the stage's own column if given, else `at`.
        date = pl.Series("entered_at", [None] * frame.height, dtype=pl.Utf8)
        if rule.at is not None and rule.at.lead is None:
            at = self.date(src, rule.at, table, "entered_at")
            if at is not None:
                date = at
        base = base.with_columns(date.alias("entered_at"))
        if rule.at is not None and rule.at.lead is not None:
            base = self._with_lead_created(base, leads, "__lead_created").with_columns(
                pl.coalesce("entered_at", "__lead_created").alias("entered_at")).drop("__lead_created")
        for stage, column in rule.dates.items():
            dcol = src.resolve([column])
            if dcol is None:
                self.out.add(Problem.worded("import.no_stage_column", src.label, 1, column, stage=stage),
                             warning=True)
                continue
            fmt = self.m.dates.columns.get(column) or self.m.dates.format
            parsed = self.parse_dates(frame, dcol, fmt, column)
            base = base.with_columns(
                pl.when(pl.col("stage") == stage).then(parsed).otherwise(pl.col("entered_at")).alias("entered_at"))
        wanted = base.filter(pl.col("stage").is_not_null() & (pl.col("stage") != "") & pl.col("lead_id").is_not_null())
        undated = wanted.filter(pl.col("entered_at").is_null())
        if undated.height:
            grouped = (undated.group_by(FILE_COL, "status", "stage", maintain_order=True)
                       .agg(pl.col(ROW_COL).min().alias("first"), pl.len().alias("n")))
            for file, status, stage, first, n in grouped.iter_rows():
                self.out.add(Problem.worded("import.undated_status", file, first, rule.column, status, stage=stage,
                                            n=formats.integer(n)), warning=True)
        return wanted.filter(pl.col("entered_at").is_not_null()).drop("status")

    def _map_stages(self, frame: pl.DataFrame, column: str, *, keep_unknown: bool,
                    source_map: dict[str, str] | None = None, display: str | None = None) -> pl.DataFrame:
        """Stage names through the mapping (case/width-insensitive); unknown values reported once each."""
        source_map = self.m.stages if source_map is None else source_map
        lookup = self._stage_lookup if source_map is self.m.stages else self._lookup(source_map, ())
        key = _norm_expr(pl.col(column))
        frame = frame.with_columns(key.replace_strict(lookup, default=None, return_dtype=pl.Utf8).alias("__stage"))
        bad = frame.filter(pl.col(column).is_not_null() & pl.col("__stage").is_null())
        if bad.height:
            if source_map:
                names = list(source_map)
                shown = ", ".join(names[:8]) + (f", … ({len(names)} in all)" if len(names) > 8 else "")
                message: Words = ("import.unknown_status", {"names": shown})
            else:
                message = ("import.unknown_stage_in_file", {"names": ", ".join(STAGES)})
            self._distinct_values(bad.rename({column: "v"}) if column != "v" else bad, display or column, message,
                                  kind="stage")
        stage = pl.coalesce("__stage", pl.col(column)) if keep_unknown else pl.col("__stage")
        return frame.with_columns(stage.alias("stage")).drop("__stage")

    def activities(self, rule: Rule) -> pl.DataFrame | None:
        table = "activities"
        src = self.source(self.m.role_of(table, rule), table)
        if src is None:
            return None
        src = self._when(src, rule)
        if src is None:
            return None
        frame = src.frame
        if rule.kind == "rows":
            cols = self._fields(src, rule, table)
            if "lead_id" not in cols:
                return None
            base = pl.DataFrame(cols).with_columns(frame[FILE_COL], frame[ROW_COL])
        else:
            lead_spec = self._lead_id_field(rule, table)
            lead_ids = None if lead_spec is None else self.text(src, lead_spec, table, "lead_id")
            if lead_ids is None:
                return None
            extra = self._fields(src, rule, table, skip=("lead_id", "occurred_at", "channel"))
            base = pl.DataFrame({"lead_id": lead_ids, **extra}).with_columns(frame[FILE_COL], frame[ROW_COL])
            pieces = []
            for column, channel in rule.columns.items():
                col = src.resolve([column])
                if col is None:
                    self.out.add(Problem.worded("import.no_activity_column", src.label, 1, column), warning=True)
                    continue
                fmt = self.m.dates.columns.get(column) or self.m.dates.format
                dates = self.parse_dates(frame, col, fmt, column)
                pieces.append(base.with_columns(pl.lit(channel).alias("channel"), dates.alias("occurred_at")))
            if not pieces:
                return None
            base = pl.concat(pieces).filter(pl.col("occurred_at").is_not_null() & pl.col("lead_id").is_not_null())
        if "channel" in base.columns:
            key = _norm_expr(pl.col("channel"))
            base = base.with_columns(key.replace_strict(self._channel_lookup, default=None,
                                                        return_dtype=pl.Utf8).alias("__ch"))
            bad = base.filter(pl.col("channel").is_not_null() & pl.col("__ch").is_null())
            self._distinct_values(bad.rename({"channel": "v"}), "channel",
                                  ("import.unknown_channel_in_file", {"names": ", ".join(CHANNELS)}), kind="channel")
            base = base.with_columns(pl.coalesce("__ch", "channel").alias("channel")).drop("__ch")
        return base

    def reps(self) -> pl.DataFrame:
        pieces = []
        for rule in self.m.reps:
            src = self.source(self.m.role_of("reps", rule), "reps")
            if src is None:
                continue
            cols = self._fields(src, rule, "reps")
            if "rep_id" not in cols:
                continue
            pieces.append(pl.DataFrame(cols).with_columns(src.frame[FILE_COL], src.frame[ROW_COL]))
        reps = _finish("reps", pieces).filter(pl.col("rep_id").is_not_null())
        # One row per rep; a person in two roles (Olist's SDR who also closes) keeps both team names.
        return reps.group_by("rep_id", maintain_order=True).agg(
            pl.col("name").drop_nulls().first(),
            pl.col("team").drop_nulls().unique(maintain_order=True).str.join(", "),
            pl.col(FILE_COL).first(),
            pl.col(ROW_COL).first(),
        ).with_columns(pl.when(pl.col("team") == "").then(None).otherwise(pl.col("team")).alias("team")).select(
            _finish("reps", []).columns)


def _instant(iso: pl.Series) -> pl.Series:
    """The mapped ISO text as a sortable instant: local times as written, a time with an offset as UTC."""
    text = pl.col("t")
    local = (pl.when(text.str.len_chars() == 10).then(text + "T00:00:00").otherwise(text.str.slice(0, 19))
             .str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="ns"))
    frac = text.str.extract(r"T[\d:]{8}\.(\d{1,9})", 1).str.pad_end(9, "0").cast(pl.Int64, strict=False).fill_null(0)
    zone = text.str.extract_groups(r"([+-])(\d{2}):(\d{2})$")
    sign = pl.when(zone.struct.field("1") == "-").then(-1).otherwise(1)
    minutes = sign * (zone.struct.field("2").cast(pl.Int64) * 60 + zone.struct.field("3").cast(pl.Int64))
    at = local + pl.duration(nanoseconds=frac) - pl.duration(minutes=minutes.fill_null(0))
    return pl.DataFrame({"t": iso}).select(at.alias("i"))["i"]


def _placeholder_variants(values: Iterable[str]) -> set[str]:
    """Lower-cased placeholders plus their full-width forms ("－", "Ｎ／Ａ"), so cells need no NFKC pass."""
    out = {""}
    for value in values:
        base = unicodedata.normalize("NFKC", value).strip().lower()
        wide = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ("\u3000" if ch == " " else ch)
                       for ch in base)
        out |= {base, wide, value.strip().lower()}
    return out


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _times(n: int) -> Callable[[str], str]:
    """" (3 rows, the first shown)" after a message about one distinct value seen on several rows."""
    return lambda lang: catalogue.t("import.times", lang, n=formats.integer(n)) if n > 1 else ""


def _not_a_date(value: str, expected: Callable[[str], str]) -> Words:
    """The words for a value that is not a date in the expected format (with a hint when the value looks like
    an Excel day number or a two-digit year)."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if re.fullmatch(ZONE_NAME_SUFFIX, text):
        return ZONE_NAME_KEY, {}
    hint = ""
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        hint = "hint_excel"
    elif re.fullmatch(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2}", text):
        hint = "hint_two_digit_year"
    return "import.not_a_date", {"expected": expected, "hint": _word(hint) if hint else ""}


def apply(mapping: Mapping, frames: dict[str, pl.DataFrame]) -> MappedData:
    """Map source frames (``{file name: frame}`` from ``sources.read_table``) onto the canonical tables."""
    return _Applier(mapping, frames).run()
