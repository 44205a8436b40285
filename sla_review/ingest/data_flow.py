"""The Data page's logic without Streamlit: received files → read → detect → map → dry-run check → import.

Why a module of its own: Streamlit's AppTest cannot upload files, so everything that happens after "the browser
sent these bytes" is plain Python here, driven by the unit tests with the real datasets and the bad fixtures.
sla_review/app/pages/data.py only draws widgets around these functions.

Nothing here writes the app's database except :func:`run_import`, which goes through sla_review.ingest.importer's
all-or-nothing importer on the connection it is given (the app's cached one: the DuckDB file is locked by the
app process). The preview's dry run imports into a throw-away in-memory database, so the page can show every
problem the real import would raise (duplicates, events of unknown leads, an unusable SLA) before anything
is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from sla_review.core.problems import Problem
from sla_review.core.terms import ConfigError, SlaConfig, parse_sla, to_toml
from sla_review.core.vocabulary import CANONICAL_COLUMNS, CHANNELS, STAGES
from sla_review.ingest import audit
from sla_review.ingest import problem_rows as prows
from sla_review.ingest.byod import SLA_TEMPLATE
from sla_review.ingest.importer import (
    ImportFailed,
    ImportSummary,
    import_sources,
    no_leads,
    stored_config,
)
from sla_review.ingest.mapping import (
    DEFAULT_NULLS,
    PRESETS_DIR,
    MappedData,
    Mapping,
    MappingError,
    apply,
    canonical_mapping,
    detect,
    presets,
)
from sla_review.ingest.readers import (
    DEFAULT_MAX_BYTES,
    FILE_COL,
    ROW_COL,
    ReadCancelled,
    SourceError,
    read_table,
)
from sla_review.present import catalogue
from sla_review.store import scratch
from sla_review.store.db import connect

__all__ = [
    "DATE_FORMATS",
    "FIRST_EVENT",
    "LAYOUTS",
    "LEAD_CREATED",
    "NO_REP",
    "UPLOAD_TYPES",
    "Batch",
    "EditorSpec",
    "FieldChoice",
    "FileInfo",
    "Loaded",
    "Preview",
    "TermsChoice",
    "all_problems_text",
    "builtin_mappings",
    "builtin_key",
    "check_and_import",
    "current_sla",
    "distinct_values",
    "dry_run_summary",
    "editor_dict",
    "editor_mapping",
    "guess_editor",
    "guess_event",
    "guess_log_file",
    "guess_stage",
    "lead_file",
    "loaded_summary",
    "mapping_text",
    "preview",
    "receive",
    "receive_paths",
    "run_import",
    "safe_name",
    "sla_config",
    "slug",
    "source_label",
    "template_choice",
    "template_text",
    "terms_text",
]

#: What the uploader accepts. .xls is accepted on purpose: read_table then explains how to re-save it.
UPLOAD_TYPES = ("csv", "tsv", "txt", "tab", "xlsx", "xlsm", "xls", "parquet", "pq", "toml")
DATE_FORMATS = ("auto", "day_first", "month_first", "iso")
#: Editor choice "date the status by the lead's own created_at" (not a column name: it has a NUL in it).
LEAD_CREATED = "\x00lead.created_at"
#: Editor choice "created_at is the lead's first event's timestamp" (an event log; a NUL: not a column name).
FIRST_EVENT = "\x00first_event"
#: The editor's layouts: one row per lead (wide dates, a status column) or an event log (one row per event).
LAYOUTS = ("per_lead", "event_log")
#: The rep of a response when the file names none (no actor, no owner column): activities need a rep_id.
NO_REP = "unassigned"
PREVIEW_ROWS = 20
MAX_STATUS_VALUES = 200


# --------------------------------------------------------------------------------------------------
# Receiving files


@dataclass(frozen=True)
class FileInfo:
    """One received file: what it turned out to be (data, mapping, sla or unreadable) and why."""

    name: str
    kind: str
    size: int
    rows: int | None = None
    columns: int | None = None
    message: str = ""
    #: an unreadable file's refusal as a Problem (its message in every language), when the reader gave one
    problem: Problem | None = None
    #: the file's SHA-256 (hex), for the audit trail: which exact file an import was made from
    sha256: str = ""

    def text(self, lang: str) -> str:
        """The note in ``lang``: the English message as the page always showed it, else the refusal's sentence in
        ``lang`` when it speaks it."""
        if lang == "en" or self.problem is None or not self.problem.speaks(lang):
            return self.message
        return self.problem.sentence(lang)


@dataclass
class Batch:
    """Everything one set of uploads gave: data frames, uploaded presets and SLAs, unreadable files."""

    id: str
    files: list[FileInfo] = field(default_factory=list)
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    mappings: dict[str, Mapping] = field(default_factory=dict)
    sla_texts: dict[str, str] = field(default_factory=dict)
    detected: Mapping | None = None

    @property
    def unreadable(self) -> list[FileInfo]:
        return [f for f in self.files if f.kind == "unreadable"]

    def digests(self) -> tuple[audit.FileDigest, ...]:
        """The files read (data, mappings, sla.toml), as the audit trail records them."""
        return tuple(audit.FileDigest(f.name, f.size, f.sha256) for f in self.files if f.kind != "unreadable")

    @property
    def problems(self) -> list[Problem]:
        """Unreadable files as problems (file, message), as sla_review.ingest.byod reports them."""
        return [f.problem or Problem(f.name, None, None, None, f.message.removeprefix(f.name).lstrip(": "))
                for f in self.unreadable]


def safe_name(name: str, taken: set[str] | None = None) -> str:
    """The file name a browser sent, reduced to a plain base name (no folders), unique within the batch."""
    base = Path(name.replace("\\", "/")).name.strip().replace("\x00", "")
    if base in ("", ".", ".."):
        base = "upload"
    if taken is None or base not in taken:
        return base
    stem, dot, suffix = base.rpartition(".")
    stem, suffix = (stem, dot + suffix) if dot and stem else (base, "")
    n = 2
    while f"{stem} ({n}){suffix}" in taken:
        n += 1
    return f"{stem} ({n}){suffix}"


def receive(uploads: Iterable[tuple[str, bytes | bytearray | memoryview]], *,
            max_bytes: int = DEFAULT_MAX_BYTES, should_stop: Callable[[], bool] | None = None) -> Batch:
    """Write uploads to a private temporary folder (keeping their names and sizes), read them, clean up.

    read_table works on files: it needs the real name (the extension picks the reader; messages name the file)
    and the size (files over ``max_bytes`` are refused with its plain-language message). The copies live only
    while they are read (the frames are in memory after that); the folder is pid-stamped so that, after a kill,
    the next upload sweeps it (sla_review.store.scratch). ``should_stop`` (is the
    browser tab gone?) is asked between chunks of every read: when it says yes the reading stops (ReadCancelled).
    """
    with scratch.scratch_dir(scratch.UPLOAD) as folder:
        paths: list[Path] = []
        taken: set[str] = set()
        for name, data in uploads:
            clean = safe_name(name, taken)
            taken.add(clean)
            path = folder / clean
            path.write_bytes(data)
            paths.append(path)
        return receive_paths(paths, max_bytes=max_bytes, should_stop=should_stop)


def receive_paths(paths: Iterable[Path | str], *, max_bytes: int = DEFAULT_MAX_BYTES,
                  should_stop: Callable[[], bool] | None = None) -> Batch:
    """Read files already on disk into a Batch (the page's uploads, and the tests' fixtures)."""
    batch = Batch(id=uuid.uuid4().hex)
    for raw in paths:
        path = Path(raw)
        size = path.stat().st_size if path.is_file() else 0
        sha = audit.digest(path).sha256 if path.is_file() and size <= max_bytes else ""
        if path.suffix.lower() == ".toml":
            batch.files.append(dataclasses.replace(_read_toml(path, size, batch, max_bytes), sha256=sha))
            continue
        try:
            frame = read_table(path, max_bytes=max_bytes, should_stop=should_stop)
        except ReadCancelled:
            raise  # nobody waits for this batch any more: read none of the rest
        except SourceError as err:
            batch.files.append(FileInfo(path.name, "unreadable", size, message=str(err),
                                        problem=err.as_problem(path.name)))
            continue
        except Exception as err:  # noqa: BLE001 - a reader bug must still end as a message, not a stack trace
            batch.files.append(_refused(Problem.worded("import.reader_failed", path.name,
                                                       detail=f"{type(err).__name__}: {err}"), size))
            continue
        batch.frames[path.name] = frame
        data_columns = [c for c in frame.columns if c not in (FILE_COL, ROW_COL)]
        batch.files.append(FileInfo(path.name, "data", size, frame.height, len(data_columns), sha256=sha))
    if batch.frames:
        try:
            batch.detected = detect(batch.frames)
        except MappingError:
            batch.detected = None
    return batch


def _read_toml(path: Path, size: int, batch: Batch, max_bytes: int) -> FileInfo:
    """A .toml upload is either a mapping preset (has [leads]) or an sla.toml (has [[versions]]/[calendar])."""
    name = path.name
    if size > max_bytes:
        return _refused(Problem.worded("import.settings_too_large", name), size)
    try:
        text = path.read_bytes().decode("utf-8-sig")
        raw = tomllib.loads(text)
    except UnicodeDecodeError:
        return _refused(Problem.worded("import.settings_not_utf8", name), size)
    except tomllib.TOMLDecodeError as err:
        return _refused(Problem.worded("import.settings_not_toml", name, detail=err), size)
    if "leads" in raw:
        try:
            mapping = Mapping.from_dict(raw, name)
        except MappingError as err:
            return _refused(Problem.worded("import.not_a_mapping", name, detail=err.text), size)
        batch.mappings[name] = mapping
        return FileInfo(name, "mapping", size, message=mapping.name)
    if "versions" in raw or "calendar" in raw:
        try:
            config = parse_sla(text, name)
        except ConfigError as err:
            problem = err.problem()
            return FileInfo(name, "unreadable", size, message=str(problem), problem=problem)
        batch.sla_texts[name] = text
        return FileInfo(name, "sla", size, message=config.calendar.timezone)
    return _refused(Problem.worded("import.settings_neither", name), size)


def _refused(problem: Problem, size: int) -> FileInfo:
    """An unreadable file: its note is the problem's English sentence as the page showed it ("x.toml is not
    valid TOML (…)."), and the problem carries every language."""
    return FileInfo(problem.file, "unreadable", size, message=f"{problem.file} {problem.message}", problem=problem)


# --------------------------------------------------------------------------------------------------
# Built-in mappings


@lru_cache(maxsize=1)
def builtin_mappings() -> dict[str, Mapping]:
    """The canonical format and every preset in data/mappings, by key (``canonical``, ``hubspot``, ...).

    Cached: the presets ship with the code. Treat the result as read-only."""
    return {"canonical": canonical_mapping(), **presets()}


def builtin_key(mapping: Mapping | None) -> str | None:
    """Which built-in mapping this is (detect() returns one of them), or None."""
    if mapping is None:
        return None
    return next((k for k, m in builtin_mappings().items() if m == mapping), None)


def mapping_text(mapping: Mapping) -> str:
    """The TOML to download: a built-in preset's own file (with the comments that explain its decisions),
    else the mapping serialised (the editor's, an uploaded one, the canonical format)."""
    key = builtin_key(mapping)
    path = PRESETS_DIR / f"{key}.toml"
    if key not in (None, "canonical") and path.is_file():
        return path.read_text(encoding="utf-8")
    return mapping.to_toml()


# --------------------------------------------------------------------------------------------------
# The column-mapping editor's model: a few choices that become a Mapping (the same TOML format as the presets)


@dataclass(frozen=True)
class FieldChoice:
    """Where one canonical leads field comes from: ``none``, a ``column`` or a ``const`` value."""

    kind: str = "none"
    value: str = ""
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class EditorSpec:
    """The editor's state. ``status_date`` is a column name or :data:`LEAD_CREATED`."""

    name: str = "My CRM export"
    file: str | None = None
    fields: dict[str, FieldChoice] = field(default_factory=dict)
    created_stage: str = "inquiry"
    stage_columns: dict[str, str] = field(default_factory=dict)
    status_column: str | None = None
    status_map: dict[str, str] = field(default_factory=dict)
    status_date: str = LEAD_CREATED
    null_values: tuple[str, ...] = DEFAULT_NULLS
    date_format: str = "auto"
    #: ``per_lead`` (one row per lead) or ``event_log`` (one row per event; the lead id is ``fields["lead_id"]``)
    layout: str = "per_lead"
    event_column: str | None = None
    time_column: str | None = None
    actor_column: str | None = None
    #: event name → a stage, a channel (a sales response) or "" (neither)
    event_map: dict[str, str] = field(default_factory=dict)
    #: which of a lead's events gives its fields (``first``/``last`` by the time column)
    per_lead: str = "first"
    #: one row per lead: date column → channel (a response on that date, by the owner)
    response_columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: tuple[str, ...] = ()
    #: one row per lead, with another uploaded file as its event log (or activities export) joined by the lead id
    #: (``log_lead_column`` there); the event, time and actor columns and the event map are then that file's
    log_file: str | None = None
    log_lead_column: str | None = None


def _key(text: str) -> str:
    """Compare header names loosely: NFKC, case, spaces/underscores/hyphens."""
    return re.sub(r"[\s_\-]+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


# Header names seen in real exports (the presets add theirs): English, then Japanese.
_FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "lead_id": ("lead id", "id", "record id", "contact id", "prospect id", "lead number", "case id", "ticket id",
                "case", "record", "リードID", "顧客ID", "見込み客ID", "ケースID", "チケットID", "案件ID",
                "問い合わせID"),
    "created_at": ("created at", "created", "create date", "created date", "creation date", "date created",
                   "作成日", "作成日時", "登録日", "登録日時", "獲得日"),
    "source": ("source", "lead source", "original source", "origin", "流入元", "リードソース", "流入経路", "獲得経路"),
    "campaign": ("campaign", "campaign name", "キャンペーン", "キャンペーン名", "施策"),
    "persona": ("persona", "job title", "title", "occupation", "役職", "職種", "ペルソナ"),
    "icp_tier": ("icp tier", "tier", "rating", "ランク", "ティア"),
    "region": ("region", "country", "country/region", "state", "city", "地域", "都道府県", "国"),
    "company": ("company", "company name", "account", "account name", "会社名", "企業名", "会社"),
    "fit_score": ("fit score", "profile score", "属性スコア", "フィットスコア"),
    "engagement_score": ("engagement score", "activity score", "行動スコア", "エンゲージメントスコア"),
    "owner_id": ("owner", "owner id", "lead owner", "contact owner", "hubspot owner", "担当者", "担当", "所有者",
                 "営業担当"),
}
_STATUS_NAMES = ("lead status", "lifecycle stage", "status", "stage", "ステータス", "状態", "ステージ", "フェーズ")
_STAGE_WORDS: dict[str, str] = {
    **{s: s for s in STAGES},
    "lead": "inquiry", "new": "", "open": "", "inquiry": "inquiry", "marketing qualified lead": "mql",
    "sales accepted lead": "sal", "accepted": "sal", "working": "sal", "contacted": "sal",
    "sales qualified lead": "sql", "qualified": "sql", "converted": "sql", "opportunity": "opportunity",
    "customer": "won", "closed won": "won", "won": "won", "closed lost": "lost", "lost": "lost",
    "unqualified": "disqualified", "disqualified": "disqualified", "nurturing": "recycled", "recycled": "recycled",
    "rejected": "rejected",
    "新規": "", "未対応": "", "リード": "inquiry", "問い合わせ": "inquiry", "対応中": "sal", "アプローチ中": "sal",
    "商談化": "sql", "商談": "opportunity", "提案中": "opportunity", "受注": "won", "成約": "won", "失注": "lost",
    "不適格": "disqualified", "対象外": "disqualified", "ナーチャリング": "recycled", "保留": "recycled",
}
_STAGE_DATE_WORDS: dict[str, str] = {
    "mql日": "mql", "mql date": "mql", "sql日": "sql", "sql date": "sql", "商談化日": "sql", "受注日": "won",
    "成約日": "won", "失注日": "lost", "won date": "won", "closed won date": "won", "converted date": "sql",
}


# An event log's headers (process-mining and helpdesk logs, CRM history exports), English then Japanese.
_EVENT_NAMES = ("event", "event name", "event type", "activity", "activity name", "activity type", "action",
                "event action", "イベント", "イベント名", "アクティビティ", "活動", "活動内容", "活動種別", "種別",
                "対応内容", "履歴")
_TIME_NAMES = ("timestamp", "time", "event time", "event timestamp", "event date", "occurred at", "date",
               "date/time", "datetime", "complete timestamp", "start timestamp", "activity date", "日時", "発生日時",
               "実施日時", "対応日時", "タイムスタンプ", "日付", "時刻")
_ACTOR_NAMES = ("actor", "agent", "resource", "user", "performed by", "rep", "assignee", "owner", "assigned to",
                "担当者", "担当", "対応者", "実施者", "ユーザー", "営業担当")
# Event names that are a sales response, by the channel they name (substring of the name as _key folds it); a
# name that says the lead did it (opened, clicked, received) is not a response.
_CHANNEL_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("phone", ("call", "phone", "電話", "架電", "コール")),
    ("email", ("email", "e mail", "mail", "メール")),
    ("meeting", ("meeting", "demo", "visit", "商談", "打ち合わせ", "打合せ", "面談", "訪問", "ミーティング")),
    ("other", ("take in charge", "taken in charge", "assigned to sales", "follow up", "chat reply", "対応開始",
               "フォロー")),
)
_NOT_RESPONSE = ("open", "click", "bounce", "receiv", "inbound", "unsubscrib", "開封", "クリック", "受信", "配信停止")
# Event names that mean a stage (substring; after the exact words of _STAGE_WORDS and the presets).
_EVENT_STAGE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("mql", ("mql", "marketing qualified")), ("sql", ("sql", "sales qualified")),
    ("sal", ("sal ", "accepted", "handed to sales", "handoff", "hand off", "引き渡し", "トスアップ")),
    ("won", ("won", "受注", "成約")), ("lost", ("lost", "失注")), ("disqualified", ("disqualif", "不適格")),
    ("mql", ("qualified", "クオリファイ")), ("opportunity", ("opportunit", "商談化")),
)


@lru_cache(maxsize=1)
def _known_names() -> tuple[dict[str, dict[str, str]], dict[str, str], dict[str, str]]:
    """Header → field, value → stage and header → stage-date tables: built-in words plus every preset's own."""
    fields: dict[str, dict[str, str]] = {f: {} for f in _FIELD_NAMES}
    for f, names in _FIELD_NAMES.items():
        for n in (f, *names):
            fields[f][_key(n)] = f
    stages = {_key(k): v for k, v in _STAGE_WORDS.items()}
    dates = {_key(k): v for k, v in _STAGE_DATE_WORDS.items()}
    for mapping in builtin_mappings().values():
        for name, spec in mapping.leads.fields.items():
            if name in fields:
                for col in spec.columns:
                    fields[name].setdefault(_key(col), name)
        stages.update({_key(k): v for k, v in mapping.stages.items() if not k.isdigit()})
        for rule in mapping.stage_events:
            if rule.kind == "wide":
                dates.update({_key(k): v for k, v in rule.columns.items()})
    return fields, stages, dates


def _data_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in (FILE_COL, ROW_COL)]


def layout(frame: pl.DataFrame) -> tuple[str, ...]:
    """A file's layout: its headers in order. The editor keeps a user's edits per layout, so a corrected file with
    the same headers (fixed rows, more rows, another name) keeps them and a different export starts afresh."""
    return tuple(_data_columns(frame))


def distinct_values(frame: pl.DataFrame, column: str, limit: int = MAX_STATUS_VALUES) -> list[tuple[str, int]]:
    """The values of a status column with their row counts, most frequent first (blanks left out)."""
    if column not in frame.columns:
        return []
    counts = (frame.select(pl.col(column).str.strip_chars().alias("v"))
              .filter(pl.col("v").is_not_null() & (pl.col("v") != ""))
              .group_by("v").len().sort(["len", "v"], descending=[True, False]).head(limit))
    return [(str(v), int(n)) for v, n in counts.iter_rows()]


def guess_stage(value: str) -> str:
    """The stage a status value most likely means ("" = no event), from the presets' and built-in words."""
    return _known_names()[1].get(_key(value), "")


def guess_event(value: str) -> str:
    """What an event name most likely means: a channel (a sales response: call → phone, メール → email, 商談 →
    meeting), else a stage (qualified → mql), else "" (neither). The user corrects it in the editor's table."""
    key = _key(value)
    if not any(w in key for w in _NOT_RESPONSE):
        for channel, words in _CHANNEL_WORDS:
            if any(w in key for w in words):
                return channel
    exact = guess_stage(value)
    if exact:
        return exact
    padded = key + " "
    return next((stage for stage, words in _EVENT_STAGE_WORDS if any(w in padded for w in words)), "")


def _score_scale(frame: pl.DataFrame, column: str) -> tuple[float | None, float | None]:
    """A guess at the source scale: the observed min–max when the numbers are not plainly 0–100 (X Education's
    11–20, a 1–5 rating), else (None, None) meaning "already 0–100". The editor shows it for the user to fix."""
    numbers = frame.select(pl.col(column).str.strip_chars().cast(pl.Float64, strict=False).alias("x"))["x"]
    lo, hi = numbers.min(), numbers.max()
    if lo is None or hi is None or (lo >= 0 and 20 < hi <= 100) or not hi > lo:
        return None, None
    return float(lo), float(hi)


def guess_editor(frames: dict[str, pl.DataFrame], file: str | None = None, layout: str | None = None) -> EditorSpec:
    """A first draft of the editor for an unrecognised file: columns picked by their header names. ``layout``:
    None to recognise it (an event log when its headers and repeated ids say so), else the layout the user chose."""
    if not frames:
        return EditorSpec()
    file = file if file in frames else next(iter(frames))
    frame = frames[file]
    columns = _data_columns(frame)
    by_key = {_key(c): c for c in reversed(columns)}  # the first column wins on equal keys
    field_names, _stages, date_names = _known_names()
    chosen: dict[str, FieldChoice] = {}
    used: set[str] = set()
    for name in CANONICAL_COLUMNS["leads"]:
        match = next((by_key[k] for k in field_names[name] if k in by_key and by_key[k] not in used), None)
        if match is None:
            chosen[name] = FieldChoice()
            continue
        used.add(match)
        lo, hi = _score_scale(frame, match) if name in ("fit_score", "engagement_score") else (None, None)
        chosen[name] = FieldChoice("column", match, lo, hi)
    stage_columns = {c: date_names[_key(c)] for c in columns if _key(c) in date_names and c not in used}
    status = next((by_key[_key(n)] for n in _STATUS_NAMES if _key(n) in by_key), None)
    status_map: dict[str, str] = {}
    status_date = LEAD_CREATED
    if status is not None:
        status_map = {v: guess_stage(v) for v, _n in distinct_values(frame, status)}
        dated = [c for c in columns if c != status and any(w in _key(c) for w in ("status", "ステータス", "状態"))
                 and any(w in _key(c) for w in ("date", "日", "time"))]
        if dated:
            status_date = dated[0]
    stem = Path(file).stem
    spec = EditorSpec(name=f"{stem} mapping", file=file, fields=chosen, stage_columns=stage_columns,
                      status_column=status, status_map=status_map, status_date=status_date)
    if layout != "per_lead":
        found = _guess_event_log(spec, frame, columns, forced=layout == "event_log")
        if found is not None:
            return found
    return _with_log_file(spec, frames)


def _with_log_file(spec: EditorSpec, frames: dict[str, pl.DataFrame]) -> EditorSpec:
    """A one-row-per-lead draft with another uploaded file that looks like an event log (or an activities export)
    joined to it by the lead id; the draft unchanged when there is none."""
    for name, frame in frames.items():
        if name != spec.file and guess_editor({name: frame}, name).layout == "event_log":
            return guess_log_file(spec, frames, name)
    return spec


def guess_log_file(spec: EditorSpec, frames: dict[str, pl.DataFrame], log_file: str | None) -> EditorSpec:
    """``spec`` with ``log_file`` as its event log joined by the lead id (None: without one): the log's columns
    guessed from its headers, its lead id the lead file's own id header when the log has it."""
    if log_file is None or log_file not in frames or log_file == spec.file:
        return dataclasses.replace(spec, log_file=None, log_lead_column=None)
    log = guess_editor({log_file: frames[log_file]}, log_file, layout="event_log")
    main_id = spec.fields.get("lead_id", FieldChoice()).value
    own_id = log.fields.get("lead_id", FieldChoice())
    lead = main_id if main_id in frames[log_file].columns else (own_id.value if own_id.kind == "column" else None)
    return dataclasses.replace(spec, log_file=log_file, log_lead_column=lead, event_column=log.event_column,
                               time_column=log.time_column, actor_column=log.actor_column,
                               event_map=log.event_map)


def lead_file(frames: dict[str, pl.DataFrame]) -> str | None:
    """The uploaded file most likely to hold one row per lead (the editor's first choice of its main file): the
    first that does not look like an event log, else the first."""
    per_lead = (n for n, f in frames.items() if guess_editor({n: f}, n).layout == "per_lead")
    return next(per_lead, next(iter(frames), None))


def _pick(columns: list[str], names: Iterable[str], taken: Iterable[str] = ()) -> str | None:
    """The first column whose header (as _key folds it) is one of ``names``, in the names' order."""
    by_key = {_key(c): c for c in reversed(columns) if c not in set(taken)}
    return next((by_key[_key(n)] for n in names if _key(n) in by_key), None)


def _guess_event_log(spec: EditorSpec, frame: pl.DataFrame, columns: list[str],
                     forced: bool = False) -> EditorSpec | None:
    """The event-log draft when the file looks like one: an event-name column, a timestamp column, and a lead id
    that repeats (several rows per lead). None otherwise (the one-row-per-lead draft stands); ``forced`` (the user
    chose the layout): the draft with what it found, columns it did not find left unchosen."""
    lead = spec.fields.get("lead_id", FieldChoice())
    if lead.kind != "column" and not forced:
        return None
    event = _pick(columns, _EVENT_NAMES, (lead.value,))
    time = _pick(columns, _TIME_NAMES, (lead.value, event or ""))
    if (event is None or time is None) and not forced:
        return None
    ids = frame[lead.value].drop_nulls() if lead.value in frame.columns else pl.Series([], dtype=pl.Utf8)
    if ids.n_unique() == ids.len() and not forced:  # one row per id: a per-lead file with a date column
        return None
    actor = _pick(columns, _ACTOR_NAMES, (lead.value, event or "", time or ""))
    fields = dict(spec.fields)
    for name, choice in spec.fields.items():  # the log's own columns are not lead attributes
        if choice.kind == "column" and choice.value in (event, time, actor) and name != "lead_id":
            fields[name] = FieldChoice()
    if fields.get("created_at", FieldChoice()).kind != "column":
        fields["created_at"] = FieldChoice("column", FIRST_EVENT)
    event_map = {v: guess_event(v) for v, _n in distinct_values(frame, event)} if event else {}
    return dataclasses.replace(spec, layout="event_log", fields=fields, event_column=event, time_column=time,
                               actor_column=actor, event_map=event_map, stage_columns={}, status_column=None,
                               status_map={})


def _separator(frame: pl.DataFrame, column: str) -> str:
    """The separator a day/month-first column uses (``/``, ``-`` or ``.``), from its first values."""
    if column not in frame.columns:
        return "/"
    sample = frame[column].drop_nulls().head(200).to_list()
    seps = [m.group(1) for v in sample if (m := re.match(r"^\s*\d{1,2}([-/.])\d{1,2}[-/.]\d{4}",
                                                        unicodedata.normalize("NFKC", v)))]
    return max(set(seps), key=seps.count) if seps else "/"


def editor_dict(spec: EditorSpec, frames: dict[str, pl.DataFrame]) -> dict:
    """The editor's choices as the dict Mapping.from_dict takes (the presets' TOML structure)."""
    frame = frames.get(spec.file or "", pl.DataFrame())
    log = spec.layout == "event_log"
    leads: dict[str, object] = {}
    for name in CANONICAL_COLUMNS["leads"]:
        choice = spec.fields.get(name, FieldChoice())
        if log and name == "created_at" and choice.kind == "column" and choice.value == FIRST_EVENT:
            if spec.time_column:  # the first event's timestamp, whichever row gives the other fields
                leads[name] = (spec.time_column if spec.per_lead == "first"
                               else {"column": spec.time_column, "per_lead": "first"})
        elif choice.kind == "column" and choice.value:
            if choice.min is not None and choice.max is not None:
                leads[name] = {"column": choice.value, "min": choice.min, "max": choice.max}
            else:
                leads[name] = choice.value
        elif choice.kind == "const" and choice.value.strip():
            leads[name] = {"const": choice.value.strip()}
            if name == "created_at":
                leads[name] = {"const": choice.value.strip(), "format": "auto"}
    if log and spec.time_column:
        leads["per_lead"] = spec.per_lead
        leads["order_by"] = spec.time_column
    if spec.created_stage:
        leads["created_stage"] = spec.created_stage
    owner = spec.fields.get("owner_id", FieldChoice())
    owner_column = owner.value if owner.kind == "column" and owner.value else None
    lead_column = leads.get("lead_id")
    rep: object = (spec.actor_column if log and spec.actor_column else owner_column) or {"const": NO_REP}
    joined = not log and bool(spec.log_file)  # a second file, the event log, joined by the lead id
    main = {"from": "main"} if joined else {}
    if joined:
        leads = {"from": "main", **leads}
        lead_column = spec.log_lead_column
        rep = spec.actor_column or {"const": NO_REP}
    events: list[dict[str, object]] = []
    activities: list[dict[str, object]] = []
    out_extra: dict[str, object] = {}
    if log or joined:
        stages = {k: v for k, v in spec.event_map.items() if v in STAGES}
        channels = {k: v for k, v in spec.event_map.items() if v in CHANNELS}
        source = {"from": "log"} if joined else {}
        if spec.event_column and spec.time_column and lead_column:
            if stages:
                rule: dict[str, object] = {**source, "lead_id": lead_column, "stage": spec.event_column,
                                           "entered_at": spec.time_column,
                                           "when": {"column": spec.event_column, "values": list(stages)}}
                if spec.actor_column:
                    rule["actor_id"] = {"column": spec.actor_column, "optional": True}
                events.append(rule)
            if channels:
                activities.append({**source, "lead_id": lead_column, "rep_id": rep, "occurred_at": spec.time_column,
                                   "channel": spec.event_column,
                                   "when": {"column": spec.event_column, "values": list(channels)}})
        if stages:
            out_extra["stages"] = stages
        if channels:
            out_extra["channels"] = channels
    if not log:
        if spec.stage_columns:
            wide: dict[str, object] = {**main, "kind": "wide", "columns": dict(spec.stage_columns)}
            if owner_column:
                wide["actor_id"] = owner_column
            events.append(wide)
        if spec.status_column:
            status: dict[str, object] = {**main, "kind": "status", "column": spec.status_column,
                                         "map": {k: v for k, v in spec.status_map.items()}}
            status["at"] = {"lead": "created_at"} if spec.status_date == LEAD_CREATED else spec.status_date
            if owner_column:
                status["actor_id"] = owner_column
            events.append(status)
        if spec.response_columns:
            owner_rep = owner_column or {"const": NO_REP}
            activities.append({**main, "kind": "wide", "columns": dict(spec.response_columns), "rep_id": owner_rep})
    required = [c.value for n in ("lead_id", "created_at")
                if (c := spec.fields.get(n, FieldChoice())).kind == "column" and c.value and c.value != FIRST_EVENT]
    if log:
        required += [c for c in (spec.event_column, spec.time_column) if c and c not in required]
    files: dict[str, object] = {"main": {"columns": required}}
    if joined:
        files["log"] = {"columns": [c for c in (spec.log_lead_column, spec.event_column, spec.time_column) if c]}
    log_frame = frames.get(spec.log_file or "", pl.DataFrame()) if joined else None
    out: dict[str, object] = {
        "name": spec.name.strip() or "My CRM export",
        "description": "Built with the Data page's column-mapping editor.",
        "null_values": [v for v in spec.null_values if v.strip()],
        "dates": _dates(spec, frame, log_frame),
        "files": files,
        "leads": leads,
    }
    if spec.ignored_columns:
        out["ignored_columns"] = list(spec.ignored_columns)
    if events:
        out["stage_events"] = events
    if activities:
        out["activities"] = activities
    reps = [({"from": "log"} if joined else {}, spec.actor_column)] if (log or joined) and spec.actor_column else []
    reps += [(main, owner_column)] if owner_column and (joined or owner_column != spec.actor_column or not log) else []
    if reps:
        out["reps"] = [{**where, "rep_id": c, "name": c} for where, c in reps]
    out.update(out_extra)
    return out


def _dates(spec: EditorSpec, frame: pl.DataFrame, log_frame: pl.DataFrame | None = None) -> dict[str, object]:
    """auto: each column recognised on its own (a column that reads both ways is read day-first, with a warning);
    day/month-first: every date is read that way (with each column's own separator); iso: ISO 8601 only."""
    if spec.date_format == "iso":
        return {"format": "ISO"}
    if spec.date_format not in ("day_first", "month_first"):
        return {"format": "auto", "ambiguous": "day_first"}
    day = spec.date_format == "day_first"

    def pattern(sep: str) -> str:
        return f"DD{sep}MM{sep}YYYY" if day else f"MM{sep}DD{sep}YYYY"

    columns = [c.value for n in ("created_at",) if (c := spec.fields.get(n, FieldChoice())).kind == "column"]
    if spec.layout == "event_log":
        columns.append(spec.time_column or "")
    else:
        columns += list(spec.stage_columns) + list(spec.response_columns)
        if spec.status_column and spec.status_date != LEAD_CREATED:
            columns.append(spec.status_date)
    per_column = {c: pattern(_separator(frame, c)) for c in dict.fromkeys(columns) if c and c != FIRST_EVENT}
    if log_frame is not None and spec.time_column:
        per_column.setdefault(spec.time_column, pattern(_separator(log_frame, spec.time_column)))
    out: dict[str, object] = {"format": pattern("/"), "ambiguous": "day_first" if day else "month_first"}
    special = {c: p for c, p in per_column.items() if p != pattern("/")}
    if special:
        out["columns"] = special
    return out


def editor_mapping(spec: EditorSpec, frames: dict[str, pl.DataFrame]) -> Mapping:
    """The editor's Mapping (raises MappingError naming what is missing, e.g. a lead_id column)."""
    lead = spec.fields.get("lead_id", FieldChoice())
    if lead.kind != "column" or not lead.value:
        raise MappingError.said(None, "editor_lead_id")
    if spec.layout == "event_log" or spec.log_file:
        if spec.log_file and not spec.log_lead_column:
            raise MappingError.said(None, "editor_log_lead")
        if not spec.event_column:
            raise MappingError.said(None, "editor_event_column")
        if not spec.time_column:
            raise MappingError.said(None, "editor_time_column")
    created = spec.fields.get("created_at", FieldChoice())
    if created.kind == "none" or not created.value.strip() or (
            created.value == FIRST_EVENT and spec.layout != "event_log"):
        raise MappingError.said(None, "editor_created_at")
    return Mapping.from_dict(editor_dict(spec, frames), "editor")


# --------------------------------------------------------------------------------------------------
# SLA


def template_text() -> str:
    """data/sla_template.toml: the SLA used when the database has none and the user uploads none."""
    return SLA_TEMPLATE.read_text(encoding="utf-8")


def sla_config(text: str, name: str = "sla.toml") -> SlaConfig:
    """Parse an SLA (raises ConfigError with a message for a person)."""
    return parse_sla(text, name)


def current_sla(con: duckdb.DuckDBPyConnection) -> SlaConfig | None:
    """The database's SLA as last imported, or None when it has none yet."""
    if not con.execute("SELECT count(*) FROM sla_versions").fetchall()[0][0]:
        return None
    return stored_config(con)


@dataclass(frozen=True)
class TermsChoice:
    """The terms an import without an sla.toml is judged by, as the Data page asks for them (issue 10): the main
    terms of the one version and the calendar. Everything else (weights, handoff stage, attempts, window, breaks,
    closures) is the template's, shown beside them."""

    name: str
    effective_from: dt.date
    mql_threshold: float
    response_target_hours: float
    monthly_mql_commitment: float
    mql_to_sql_target: float  # a fraction, 0.3 = 30%
    timezone: str
    workdays: tuple[int, ...]  # Monday = 0
    day_start: dt.time
    day_end: dt.time
    holiday_country: str | None


def template_choice(first_day: dt.date | None = None) -> TermsChoice:
    """The template's terms, effective from the data's first day when it is known (2017 data is not judged "before
    the SLA" by a template dated 2026-01-01); the template's own date otherwise."""
    config = parse_sla(template_text(), "sla_template.toml")
    version, cal = config.versions[0], config.calendar
    return TermsChoice(version.name, first_day or version.effective_from, version.mql_threshold,
                       version.response_target_hours, version.monthly_mql_commitment, version.mql_to_sql_target,
                       cal.timezone, cal.workdays, cal.day_start, cal.day_end, cal.holiday_country)


def terms_text(choice: TermsChoice, source: str = "sla.toml") -> str:
    """The choice as sla.toml text (core.terms.to_toml over the template with these values), checked by the one
    validator: raises ConfigError with its words (an unknown zone, day_end not after day_start, no workday, an
    unknown holiday country, a number out of range). The text is what the import takes and the page offers."""
    base = parse_sla(template_text(), "sla_template.toml")
    calendar = replace(base.calendar, timezone=choice.timezone, workdays=tuple(sorted(choice.workdays)),
                       day_start=choice.day_start, day_end=choice.day_end,
                       holiday_country=choice.holiday_country or None,
                       holiday_subdivision=base.calendar.holiday_subdivision
                       if choice.holiday_country == base.calendar.holiday_country else None)
    version = replace(base.versions[0], name=choice.name.strip(), effective_from=choice.effective_from,
                      mql_threshold=choice.mql_threshold, response_target_hours=choice.response_target_hours,
                      monthly_mql_commitment=choice.monthly_mql_commitment,
                      mql_to_sql_target=choice.mql_to_sql_target)
    text = to_toml(replace(base, calendar=calendar, versions=(version,)))
    parse_sla(text, source)
    return text


# --------------------------------------------------------------------------------------------------
# Preview: map, then the importer's own checks on a throw-away database


@dataclass
class Preview:
    """What an import would do: rows per canonical table, blocking problems and informational warnings."""

    mapping_name: str
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    more: int = 0           # problems the importer found beyond those listed
    follow_on: int = 0      # importer problems left out because the mapping already reported that row
    replace_with_empty: bool = False  # the user asked by name for a replace import with no leads
    #: every row of every row-level problem, listed or not (problem_rows.SCHEMA): what leaving rows out drops
    problem_rows: pl.DataFrame = field(default_factory=prows.empty)
    #: the rows this preview was made without, because the user asked by name (empty otherwise)
    left_out: pl.DataFrame = field(default_factory=prows.empty)
    #: the problems of the files as they are, when rows were left out (what the user chose to leave out)
    before: list[Problem] = field(default_factory=list)
    #: when rows were left out: how many the first pass offered to leave out (the control's label keeps it)
    asked: int = 0
    #: the dry run's own summary when it got through (rows dated after its moment, ImportSummary.future_rows,
    #: counted by the importer's one rule); None when the files have problems
    checked: ImportSummary | None = None

    @property
    def ok(self) -> bool:
        has_leads = bool(self.tables.get("leads") is not None and self.tables["leads"].height)
        return not self.problems and bool(self.tables) and (has_leads or self.replace_with_empty)

    @property
    def empty(self) -> bool:
        """The mapped files hold no leads (a replace import would then empty the database)."""
        return bool(self.tables) and not self.counts["leads"]

    @property
    def counts(self) -> dict[str, int]:
        return {t: (self.tables[t].height if t in self.tables else 0) for t in CANONICAL_COLUMNS}

    @property
    def problem_count(self) -> int:
        """How many problems (rows) there are, the listed ones, the ones counted on an "… and n more rows" line and
        the ones beyond those."""
        return sum(p.count for p in self.problems) + self.more

    @property
    def leavable(self) -> int:
        """How many rows of the user's files the import could go on without: every blocking problem is about
        rows (a bad date, a duplicate id...), none about the files as a whole (a missing column, an unusable
        sla.toml, an unreadable file). 0 when that is not so, or nothing blocks."""
        return prows.leavable(self.problems, self.problem_rows) if self.tables else 0

    @property
    def left_out_rows(self) -> int:
        """How many rows of the user's files were left out (each counted once, whatever its reasons)."""
        return prows.source_rows(self.left_out)

    def import_tables(self) -> dict[str, pl.DataFrame]:
        """The frames import_sources takes (reps only when there are any, as MappedData.tables())."""
        return {t: f for t, f in self.tables.items() if t != "reps" or f.height}

    def head(self, table: str, n: int = PREVIEW_ROWS) -> pl.DataFrame:
        """The first rows of a table as they will be stored (canonical columns), with their source row."""
        frame = self.tables.get(table)
        if frame is None:
            return pl.DataFrame({c: [] for c in CANONICAL_COLUMNS[table]}, schema=dict.fromkeys(
                CANONICAL_COLUMNS[table], pl.Utf8))
        return frame.head(n)


def _sla_for_check(con: duckdb.DuckDBPyConnection | None, sla: str | SlaConfig | None) -> str | SlaConfig | None:
    """None means "keep the database's": the throw-away database needs that SLA spelled out."""
    if sla is None and con is not None:
        return current_sla(con)
    return sla


def dry_run_summary(tables: dict[str, pl.DataFrame], sla: str | SlaConfig | None, *, mode: str = "replace",
                    con: duckdb.DuckDBPyConnection | None = None, replace_with_empty: bool = False
                    ) -> tuple[list[Problem], int, pl.DataFrame, ImportSummary | None]:
    """Run import_sources on an in-memory database, nothing written: the importer's problems, their total, every
    row they are about, and the throw-away import's summary when it went through (its future_rows are the rows
    dated after now, by the importer's own rule: the Data page says so before the real import). In append mode
    the app database's lead ids are copied in first, so duplicates across the two are judged as the real import
    will judge them."""
    summary = None
    mem = connect(":memory:")
    try:
        if mode == "append" and con is not None:
            existing = con.sql("SELECT lead_id, created_at FROM leads").to_arrow_table()
            mem.register("_existing_leads", existing)
            mem.execute("INSERT INTO leads (lead_id, created_at) SELECT lead_id, created_at FROM _existing_leads")
            mem.unregister("_existing_leads")
        summary = import_sources(mem, tables, _sla_for_check(con, sla), mode=mode, source="preview",
                                 replace_with_empty=replace_with_empty)
    except ImportFailed as err:
        return list(err.problems), err.total, err.rows, None
    finally:
        mem.close()
    return [], 0, prows.empty(), summary


def preview(frames: dict[str, pl.DataFrame], mapping: Mapping, *, sla: str | SlaConfig | None,
            mode: str = "replace", con: duckdb.DuckDBPyConnection | None = None,
            rejected: Iterable[Problem] = (), replace_with_empty: bool = False, leave_out: bool = False) -> Preview:
    """Map the files and run every check the import would run, the mapping's and the importer's in one pass;
    write nothing to ``con``. The Data page and the CLI both decide an import with this.

    ``rejected``: the batch's unreadable files (Batch.problems). Any of them blocks the import: an sla.toml that
    could not be read must not let the import go on with the old SLA, nor a refused CSV with the other files.

    ``leave_out`` (the user asked by name: the page's checkbox, the CLI's --leave-out-problem-rows): when every
    blocking problem is about rows (Preview.leavable), the preview is made again without those rows of the
    user's files, and without the events and activities of the leads so left out (docs/definitions.md, "What the
    import leaves out, and only when asked"); ``left_out`` then lists them all with their reasons. Problems that
    remain, or that are not about rows, still block."""
    first = _preview_once(frames, mapping, sla=sla, mode=mode, con=con, rejected=rejected,
                          replace_with_empty=replace_with_empty)
    if not leave_out or not first.leavable:
        return first
    left = first.problem_rows
    out = prows.without(frames, left)
    second = _preview_once(out, mapping, sla=sla, mode=mode, con=con, rejected=rejected,
                           replace_with_empty=replace_with_empty)
    # the events and activities of a lead left out refer to a lead that is no longer there: they go with it
    ids = (first.tables["leads"].join(left.select(pl.col("file").alias(FILE_COL), pl.col("row").alias(ROW_COL))
                                      .unique(), on=[FILE_COL, ROW_COL], how="semi")["lead_id"].drop_nulls())
    follow = second.problem_rows.filter((pl.col("key") == "import.unknown_lead") & pl.col("value").is_in(ids.implode()))
    rest = second.problem_rows.join(follow.select("file", "row"), on=["file", "row"], how="anti")
    if follow.height and not rest.height and all(
            p.key in ("import.unknown_lead", "import.more_rows") for p in second.problems):
        follow = follow.with_columns(pl.lit("import.left_out_with_lead").alias("key"), *[
            pl.lit(catalogue.t("import.left_out_with_lead", lang)).alias(f"reason_{lang}")
            for lang in catalogue.LANGS])
        left = prows.combine([left, follow])
        second = _preview_once(prows.without(frames, left), mapping, sla=sla, mode=mode, con=con,
                               rejected=rejected, replace_with_empty=replace_with_empty)
    second.left_out = left
    second.before = first.problems
    second.asked = first.leavable
    return second


def _preview_once(frames: dict[str, pl.DataFrame], mapping: Mapping, *, sla: str | SlaConfig | None,
                  mode: str, con: duckdb.DuckDBPyConnection | None, rejected: Iterable[Problem],
                  replace_with_empty: bool) -> Preview:
    """One pass of :func:`preview`: the files as given."""
    result = Preview(mapping.name, replace_with_empty=replace_with_empty and mode == "replace")
    rejected = list(rejected)
    try:
        mapped: MappedData = apply(mapping, frames)
    except MappingError as err:
        result.problems.append(Problem(mapping.name, None, None, None, str(err), err.texts))
        return result
    except Exception as err:  # noqa: BLE001 - an odd file must end as a message, not a stack trace
        result.problems.append(Problem.worded("import.mapping_failed", mapping.name,
                                              detail=f"{type(err).__name__}: {err}"))
        return result
    result.tables = {"leads": mapped.leads, "stage_events": mapped.stage_events,
                     "activities": mapped.activities, "reps": mapped.reps}
    result.problems = rejected + list(mapped.problems)
    result.problem_rows = mapped.problem_rows
    result.warnings = list(mapped.warnings)
    used = set()
    for frame in result.tables.values():
        if frame.height:
            used |= set(frame[FILE_COL].drop_nulls().unique().to_list())
    for name in frames:
        if name not in used:
            result.warnings.append(Problem.worded("import.file_not_used", name, mapping=mapping.name))
    if not mapped.leads.height and not result.replace_with_empty:
        # the importer's own refusal (same words as the CLI's), naming the files the leads came from
        result.problems.append(no_leads(", ".join(frames)) if mode == "replace"
                               else Problem.worded("import.no_leads_to_append", mapping.name))
        return result
    found, total, rows, result.checked = dry_run_summary(result.import_tables(), sla, mode=mode, con=con,
                                                         replace_with_empty=result.replace_with_empty)
    # the importer names the canonical columns of the mapped tables: say them as the user's file does
    found = [dataclasses.replace(p, column=mapped.headers.get((p.file, p.column), p.column)) if p.column else p
             for p in found]
    flagged = {(p.file, p.row) for p in result.problems if p.row is not None}
    kept = [p for p in found if p.row is None or (p.file, p.row) not in flagged]
    result.follow_on = len(found) - len(kept)
    result.more = max(total - sum(p.count for p in found), 0)
    result.problems += kept
    result.problem_rows = prows.combine([mapped.problem_rows, prows.relabel(rows, mapped.headers)])
    return result


# --------------------------------------------------------------------------------------------------
# Import and what is loaded


def source_label(mapping_name: str, files: Iterable[str]) -> str:
    """What the imports table records as the source (the same shape as the CLI's mapped imports)."""
    return f"{mapping_name}: " + ", ".join(files)


def run_import(con: duckdb.DuckDBPyConnection, result: Preview, sla: str | SlaConfig | None, *,
               mode: str = "replace", source: str, record: audit.Record | None = None) -> ImportSummary:
    """The real, all-or-nothing import through ingest.importer (raises ImportFailed; nothing is then changed).
    `record`: its audit row, written in the import's own transaction with the preview's notes it was made with."""
    if not result.ok:
        raise ImportFailed(result.problems or [Problem.worded("import.nothing_to_import", result.mapping_name)],
                           result.problem_count or None, result.problem_rows,
                           result.leavable)
    try:
        trail = audit.with_notes(record, result.warnings) if record is not None else None
        return import_sources(con, result.import_tables(), sla, mode=mode, source=source,
                              replace_with_empty=result.replace_with_empty, left_out=result.left_out,
                              record=(lambda import_id: audit.write(con, import_id, trail)) if trail else None)
    except duckdb.Error as err:  # e.g. another session importing at the same moment: the transaction rolled back
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ImportFailed([Problem.worded("import.write_failed", "database", detail=first)]) from None


def check_and_import(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame], mapping: Mapping,
                     sla: str | SlaConfig | None, *, mode: str = "replace", source: str,
                     replace_with_empty: bool = False, leave_out: bool = False) -> tuple[ImportSummary, Preview]:
    """The command line's import of CRM exports: this page's :func:`preview` (the same checks in one pass, the same
    problems, the same rows left out when asked), then :func:`run_import`, so the two cannot disagree. Raises
    ImportFailed (every problem, and ``leavable``: how many rows could be left out); nothing is then changed."""
    result = preview(frames, mapping, sla=sla, mode=mode, con=con, replace_with_empty=replace_with_empty,
                     leave_out=leave_out)
    return run_import(con, result, sla, mode=mode, source=source), result


@dataclass
class Loaded:
    """What the database holds now: row counts, the data's span, its timezone and the import history."""

    counts: dict[str, int]
    first: dt.datetime | None
    last: dt.datetime | None
    timezone: str | None
    sla_versions: int
    imports: pl.DataFrame

    @property
    def empty(self) -> bool:
        return not self.counts.get("leads")

    @property
    def latest(self) -> dict | None:
        return self.imports.row(0, named=True) if self.imports.height else None

    @property
    def is_demo(self) -> bool:
        return bool(self.latest and self.latest["is_demo"])


_COUNTS_SQL = ("SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM stage_events), "
               "(SELECT count(*) FROM activities), (SELECT count(*) FROM reps), (SELECT count(*) FROM sla_versions)")
_SPAN_SQL = ("SELECT min(t), max(t) FROM (SELECT min(created_at) t FROM leads UNION ALL SELECT max(created_at) "
             "FROM leads UNION ALL SELECT min(entered_at) FROM stage_events UNION ALL SELECT max(entered_at) "
             "FROM stage_events UNION ALL SELECT min(occurred_at) FROM activities UNION ALL "
             "SELECT max(occurred_at) FROM activities)")
_IMPORTS_SQL = ("SELECT import_id, imported_at, source, mode, is_demo, leads, stage_events, activities, reps, "
                "left_out_rows FROM imports ORDER BY import_id DESC LIMIT $n")


def loaded_summary(con: duckdb.DuckDBPyConnection, history: int = 10) -> Loaded:
    """Read what is loaded (cheap: counts and min/max only)."""
    leads, events, activities, reps, versions = con.execute(_COUNTS_SQL).fetchall()[0]
    first, last = con.execute(_SPAN_SQL).fetchall()[0]
    tz_row = con.execute("SELECT timezone FROM calendar_settings LIMIT 1").fetchall()
    imports = con.sql(_IMPORTS_SQL, params={"n": history}).pl()
    return Loaded({"leads": leads, "stage_events": events, "activities": activities, "reps": reps},
                  first, last, tz_row[0][0] if tz_row else None, versions, imports)


def slug(name: str) -> str:
    """A file name for a downloaded preset: ASCII letters, digits, - and _ only."""
    text = re.sub(r"[^A-Za-z0-9_-]+", "_", unicodedata.normalize("NFKD", name)).strip("_").lower()
    return text[:60] or "mapping"


def left_out_csv(rows: pl.DataFrame, lang: str, labels: dict[str, str]) -> bytes:
    """The rows left out as a CSV to keep next to the file (file, row, column, value, reason in ``lang``; the
    headers in ``labels``), formula-like cells escaped."""
    from sla_review.export.csv_export import csv_bytes

    frame = rows.select("file", "row", "column", "value", pl.col(f"reason_{lang}").alias("reason"))
    return csv_bytes(frame.rename(labels))


def left_out_text(rows: pl.DataFrame, lang: str) -> str:
    """The rows left out one a line, as the problems are said (file, row, column, value: why), in ``lang``."""
    lines = [Problem(file, row, column, value, texts[0], tuple(zip(catalogue.LANGS, texts, strict=True))).said(lang)
             for file, row, column, value, *texts in rows.select(
                 "file", "row", "column", "value", *[f"reason_{x}" for x in catalogue.LANGS]).iter_rows()]
    return "\n".join(lines) + "\n"


def all_problems_text(problems: Iterable[Problem], lang: str = "en") -> str:
    """Problems one a line, in ``lang`` (for a download the user can keep next to the file they fix)."""
    return "\n".join(p.said(lang) for p in problems) + "\n"

