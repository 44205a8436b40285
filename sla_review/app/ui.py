"""Streamlit glue, the only metrics module that imports streamlit: connection, caching, URL state, sidebar.

Why it is built this way:
- One DuckDB connection per process (st.cache_resource), read-write because imports run in-process; each
  script run takes its own `.cursor()` (DuckDB refuses concurrent calls on one connection, and Streamlit runs
  every browser session in its own thread).
- Every query result is cached with st.cache_data on (database path, data_version, function, period, filters,
  arguments): an import bumps data_version and so invalidates everything, and nothing else ever needs to.
- The whole view (period, comparison, segments, language, page settings) lives in the URL query string, so a
  copied link reopens the same view. The URL is read once when a session starts; after that the widgets are
  the truth and the URL is rewritten at the end of every run (Streamlit clears it on page switches).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import threading
import time
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from sla_review.app import auth
from sla_review.core import access, periods
from sla_review.core import terms as sla_terms
from sla_review.core.periods import Period
from sla_review.core.terms import PeriodTerms, spans_text
from sla_review.core.vocabulary import LADDER, SEGMENTS, Filters
from sla_review.ingest import audit
from sla_review.ingest.importer import default_as_of
from sla_review.metrics import breakdowns as bd
from sla_review.metrics import drill, mix_rate, proposals, views
from sla_review.metrics import scorecard as sc
from sla_review.metrics.report import timezone_of
from sla_review.present import catalogue, charts, i18n, safe
from sla_review.present import formats as present_formats
from sla_review.store.db import connect, data_version, resolve_db_path

_local = threading.local()
_KEEP = "_keep_"  # shadow copy of a widget's value: survives page switches that drop the widget's own state
_URL0 = "_url_at_start"
SEGMENT_KEYS = SEGMENTS


# ---------------------------------------------------------------- connection and cache


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    return connect(path)


def db_path() -> str:
    return str(resolve_db_path())


def connection() -> duckdb.DuckDBPyConnection:
    """The process-wide read-write connection (for in-process imports: write through this, then rerun)."""
    return _connection(db_path())


def session_gone() -> bool:
    """True once the browser session of this script run has gone (tab closed, connection lost): long work
    (reading an upload) asks this between chunks and stops. Streamlit removes a disconnected session from its
    runtime's active sessions at once (WebsocketSessionManager.disconnect_session) and asks its script to stop."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not Runtime.exists():
        return False  # not inside a served session (AppTest, a plain call): nobody to lose
    return not Runtime.instance().is_active_session(ctx.session_id)


_HANDED: dict[tuple[str, str], Any] = {}
_HANDED_LOCK = threading.Lock()


def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else ctx.session_id


def hand_over(name: str, value: Any) -> None:
    """Keep ``value`` for st.session_state[name] outside session state first, then move it there (take_over).
    Why: every session-state read or write is a point where a pending rerun stops the run (Streamlit's
    SafeSessionState calls the script runner's yield check before it touches the state), so a result written
    there after something irreversible (an import that committed) could be lost. Held per session until moved."""
    sid = _session_id()
    if sid is not None:
        from streamlit.runtime import Runtime

        with _HANDED_LOCK:
            if Runtime.exists():  # a closed tab never takes its value: dropped here, not kept for ever
                for key in [k for k in _HANDED if not Runtime.instance().is_active_session(k[0])]:
                    del _HANDED[key]
            _HANDED[(sid, name)] = value
    take_over(name) if sid is not None else st.session_state.__setitem__(name, value)


def take_over(name: str) -> None:
    """Move a value handed over (hand_over) into st.session_state[name]; it stays held until the write is done,
    so a run stopped at the write moves it on its next run."""
    key = (_session_id() or "", name)
    with _HANDED_LOCK:
        value = _HANDED.get(key, _HANDED)
    if value is _HANDED:
        return
    st.session_state[name] = value  # a rerun may stop the run here: the value is still held
    with _HANDED_LOCK:
        if _HANDED.get(key) is value:
            del _HANDED[key]


def begin_run() -> None:
    """Start a script run: a fresh cursor, data version and URL registry for this thread."""
    old = getattr(_local, "cursor", None)
    if old is not None:
        with contextlib.suppress(Exception):
            old.close()
    _local.cursor = None
    _local.version = None
    _local.url = {}
    _local.view = None
    _local.refused = []
    _local.notice = None
    _local.drill_done = False
    _local.started = time.perf_counter()


RUN_LOG = "SLA_RUN_LOG"
"""Environment variable: a file to which every script run (and fragment run) appends one JSON line with its
duration; set by the browser benchmark (sla_review.devtools.bench_browser) to split a wait into server script
time and the rest. Unset (always, outside the benchmark) nothing is written."""


def _log_run(kind: str) -> None:
    path = os.environ.get(RUN_LOG)
    started = getattr(_local, "started", None)
    if not path or started is None:
        return
    line = {"end": time.time(), "ms": (time.perf_counter() - started) * 1000, "kind": kind}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")


def cursor() -> duckdb.DuckDBPyConnection:
    """This run's cursor on the shared connection."""
    cur = getattr(_local, "cursor", None)
    if cur is None:
        cur = connection().cursor()
        _local.cursor = cur
    return cur


def version() -> int:
    """The latest import id, read once per run: the key that invalidates every cached result."""
    value = getattr(_local, "version", None)
    if value is None:
        value = data_version(cursor())
        _local.version = value
    return value


def _period_key(period: Period | None) -> tuple | None:
    if period is None:
        return None
    return period.from_day.isoformat(), period.to_day.isoformat(), period.as_of.isoformat(), period.tz


def _filters_key(filters: Filters | None) -> tuple | None:
    return None if filters is None else tuple(getattr(filters, k) for k in SEGMENT_KEYS)


METRIC_MODULES = {m.__name__: m for m in (bd, sc, sla_terms, drill, mix_rate, proposals)}
"""The modules ui.call runs functions of (the cache stores a function by its module and name)."""


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached(db: str, data_version_: int, name: str, period: tuple | None, filters: tuple | None,
            extra: tuple) -> Any:
    args: list[Any] = [cursor()]
    if period is not None:
        args.append(Period(dt.date.fromisoformat(period[0]), dt.date.fromisoformat(period[1]),
                           dt.datetime.fromisoformat(period[2]), period[3]))
    if filters is not None:
        args.append(Filters(*filters))
    module, _, function = name.rpartition(".")
    return getattr(METRIC_MODULES[module], function)(*args, **dict(extra))


def call(fn: Callable[..., Any], period: Period | None = None, filters: Filters | None = None, **extra: Any) -> Any:
    """Run a metric function (metrics.breakdowns, metrics.scorecard, core.terms) through the cache (db, data version,
    function, period, filters, args)."""
    return _cached(db_path(), version(), f"{fn.__module__}.{fn.__name__}", _period_key(period),
                   _filters_key(filters), tuple(sorted(extra.items())))


def fetch(v: View, page: str, name: str, **widgets: Any) -> Any:
    """A page's declared call (sla_review.metrics.views.VIEWS[page][name]) for this view, through the cache:
    the page's widget values override the declared defaults; a comparison call is None without a comparison."""
    declared = views.VIEWS[page][name]
    if declared.period == views.COMPARE and v.compare is None:
        return None
    period = {views.PERIOD: v.period, views.COMPARE: v.compare}.get(declared.period)
    return call(declared.fn, period, v.filters if declared.filters else None, **declared.kwargs(**widgets))


@st.cache_data(show_spinner=False, max_entries=64)
def _meta(db: str, data_version_: int) -> dict:
    cur = cursor()
    status = bd.status(cur)
    tz = timezone_of(cur)
    latest = default_as_of(cur)
    return {"status": status, "tz": tz, "latest": latest, "first": status["first_created"],
            "last": status["last_created"],
            "segments": bd.segment_values(cur), "import": audit.latest_data_import(cur)}


def meta() -> dict:
    return _meta(db_path(), version())


# ---------------------------------------------------------------- URL state


@dataclass(frozen=True)
class Param:
    """One piece of view state: its widget key and how it reads from / writes to the query string."""

    key: str
    names: tuple[str, ...]
    encode: Callable[[Any], dict[str, list[str]]]
    decode: Callable[[dict[str, list[str]]], Any]


def _scalar(key: str, name: str, parse: Callable[[str], Any], show: Callable[[Any], str] = str) -> Param:
    def decode(raw: dict[str, list[str]]) -> Any:
        try:
            return parse(raw[name][-1]) if raw.get(name) else None
        except (ValueError, TypeError):
            return None

    return Param(key, (name,), lambda v: {name: [show(v)]}, decode)


def _listing(key: str, name: str) -> Param:
    return Param(key, (name,), lambda v: {name: [str(x) for x in v]},
                 lambda raw: list(dict.fromkeys(raw[name])) if raw.get(name) else None)


def _date_range(key: str, first: str, last: str) -> Param:
    """(first day, last day) in the widget; [from, to) with `to` exclusive in the URL, as in the CLI."""
    def encode(value: Any) -> dict[str, list[str]]:
        start, end = value
        return {first: [start.isoformat()], last: [(end + dt.timedelta(days=1)).isoformat()]}

    def decode(raw: dict[str, list[str]]) -> Any:
        try:
            start, stop = dt.date.fromisoformat(raw[first][-1]), dt.date.fromisoformat(raw[last][-1])
        except (KeyError, IndexError, ValueError):
            return None
        return (start, stop - dt.timedelta(days=1)) if periods.usable_range(start, stop) else None

    return Param(key, (first, last), encode, decode)


def _fmt_float(value: float) -> str:
    return f"{value:g}"


PARAMS: dict[str, Param] = {p.key: p for p in (
    _scalar("u_lang", "lang", str),
    _scalar("u_fy", "fy", int),
    _scalar("u_p", "p", str),
    _date_range("u_range", "from", "to"),
    _scalar("u_cmp", "cmp", str),
    _date_range("u_crange", "cfrom", "cto"),
    *(_listing(f"u_{k}", k) for k in SEGMENT_KEYS),
    _scalar("u_gatt", "g_att", int),
    _scalar("u_gfu", "g_fu", int),
    _scalar("u_grej", "g_rej", int),
    _scalar("u_gband", "g_band", int),
    # page settings
    _scalar("u_fview", "fview", str),
    _scalar("u_fseg", "fseg", str),
    _scalar("u_cn", "n", int),
    _scalar("u_cseg", "cseg", str),
    _scalar("u_rdim", "rdim", str),
    _scalar("u_thr", "thr", int),
    _scalar("u_fw", "fw", float, _fmt_float),
    _scalar("u_ew", "ew", float, _fmt_float),
    _scalar("u_cldim", "cldim", str),
    _scalar("u_leads", "leads", str),  # the open list of leads (sla_review.metrics.drill.Number.encode)
    _scalar("u_mxdim", "mxdim", str),
    _scalar("u_rmxdim", "rmxdim", str),
)}


def _url_at_start() -> dict[str, list[str]]:
    """The query string as the session opened it (read once; later runs follow the widgets)."""
    ss = st.session_state
    if _URL0 not in ss:
        ss[_URL0] = {k: st.query_params.get_all(k) for k in st.query_params.keys()}  # noqa: SIM118
    return ss[_URL0]


def initial(key: str, fallback: Any, valid: Callable[[Any], bool] | None = None) -> Any:
    """The value a widget should start from in this run: its live state, else its shadow copy, else the URL
    the session opened with, else `fallback`. Passed as the widget's default (never through the Session
    State API), so the widget is right even when Streamlit gives it a new identity (e.g. on a page switch,
    which changes the ids of widgets drawn in the entry script)."""
    ss = st.session_state
    raw = _url_at_start()
    param = PARAMS[key]
    candidates = [ss.get(key), ss.get(_KEEP + key)]
    if any(n in raw for n in param.names):
        from_url = param.decode(raw)
        usable = from_url is not None and (valid is None or valid(from_url))
        if not usable and all(c is None for c in candidates):  # the link's value is the one that would be used
            refused = getattr(_local, "refused", None)
            if refused is None:
                refused = _local.refused = []
            refused.append(key)
        candidates.append(from_url if usable else None)
    for value in candidates:
        if value is not None and (valid is None or valid(value)):
            return value
    return fallback


def record(key: str, value: Any, url_default: Any) -> Any:
    """Remember a drawn widget's value (shadow copy + this run's URL); the URL omits default values."""
    st.session_state[_KEEP + key] = value
    registry = getattr(_local, "url", None)
    if registry is None:
        registry = _local.url = {}
    registry[key] = (value, url_default)
    return value


def sync_url(only: set[str] | None = None) -> None:
    """Write this run's view state to the query string; drop managed keys no longer in use. With `only` (a
    fragment's rerun: widget keys), touch those keys' names alone."""
    desired: dict[str, list[str]] = {}
    for key, (value, default) in getattr(_local, "url", {}).items():
        if value is not None and value != default:
            desired.update(PARAMS[key].encode(value))
    managed = {n for p in PARAMS.values() for n in p.names} if only is None else {
        n for k in only for n in PARAMS[k].names}
    qp = st.query_params
    for name in sorted(managed):
        if name in desired:
            if qp.get_all(name) != desired[name]:
                qp[name] = desired[name] if len(desired[name]) != 1 else desired[name][0]
        elif name in qp:
            del qp[name]


def language() -> str:
    """The UI language (URL `lang`), known before navigation so page titles can be translated."""
    return initial("u_lang", "en", lambda v: v in i18n.LANGS)


# ---------------------------------------------------------------- page widgets bound to the URL


def param_select(key: str, label: str, options: Sequence[Any], default: Any, format_func: Callable[[Any], str],
                 help: str | None = None, kind: str = "selectbox") -> Any:
    """A single choice kept in the URL; kind is selectbox, radio or segmented."""
    options = list(options)
    start = initial(key, default, lambda v: v in options)
    if kind == "radio":
        value = st.radio(label, options, index=options.index(start), key=key, format_func=format_func, help=help,
                         horizontal=True)
    elif kind == "segmented":
        value = st.segmented_control(label, options, default=start, key=key, format_func=format_func, help=help,
                                     required=True)
    else:
        value = st.selectbox(label, options, index=options.index(start), key=key, format_func=format_func,
                             help=help)
    return record(key, value, default)


def param_slider(key: str, label: str, low: float, high: float, default: float, step: float,
                 help: str | None = None, fmt: str | None = None) -> Any:
    """A slider kept in the URL (ints stay ints, floats stay floats)."""
    kind = type(default)
    start = kind(initial(key, default, lambda v: isinstance(v, int | float) and low <= v <= high))
    value = st.slider(label, kind(low), kind(high), start, step=kind(step), key=key, help=help, format=fmt)
    return record(key, value, default)


# ---------------------------------------------------------------- the shared view


@dataclass(frozen=True)
class View:
    """What every page needs: language, the periods, the segment filters and the review guidelines."""

    lang: str
    empty: bool
    is_demo: bool = False
    tz: str = "UTC"
    period: Period | None = None
    compare: Period | None = None
    filters: Filters = field(default_factory=Filters)
    guides: sc.Guides = field(default_factory=sc.Guides)
    maturity_days: int = sc.MATURITY_DAYS
    first: dt.datetime | None = None
    last: dt.datetime | None = None

    def t(self, key: str, **values: Any) -> str:
        return i18n.t(self.lang, key, **values)

    @property
    def period_label(self) -> str:
        return i18n.fmt_period(self.period.from_day, self.period.to_day, self.lang) if self.period else ""

    @property
    def compare_label(self) -> str | None:
        return i18n.fmt_period(self.compare.from_day, self.compare.to_day, self.lang) if self.compare else None


REVIEW_PAGES = (
    ("scorecard", ":material/speed:"),
    ("funnel", ":material/filter_alt:"),
    ("conversion", ":material/trending_up:"),
    ("response", ":material/timer:"),
    ("whatif", ":material/tune:"),
    ("proposal", ":material/handshake:"),
    ("closed_loop", ":material/sync_alt:"),
)
DATA_PAGES = (("data", ":material/upload_file:"), ("terms", ":material/rule:"), ("export", ":material/slideshow:"),
              ("audit", ":material/history:"))
DEFAULT_PAGE = "scorecard"  # at "/" and, through a hidden twin, at "/scorecard"
HOME_PATH = "home"  # the default page's internal id (never shown: Streamlit serves it at "/")
PAGES = "sla_review/app/pages"  # relative to dashboard.py, the entry file


def navigation_pages(lang: str, person: access.Person | None = None) -> dict[str, list[st.Page]]:
    """The review pages, then the Data and deck pages, for st.navigation (the pages this person's role sees: a
    viewer has no Data page, and its URL then opens the default page)."""
    person = person or auth.current()
    # Streamlit serves the default page at "/" only (its url_path is ignored), so "/scorecard" needs a page
    # of its own: the same file again, hidden from the menu. Every other page is at /<name>.
    review = [st.Page(f"{PAGES}/{name}.py", title=i18n.t(lang, f"page_{name}"), icon=icon,
                      url_path=HOME_PATH if name == DEFAULT_PAGE else name, default=name == DEFAULT_PAGE)
              for name, icon in REVIEW_PAGES]
    review.append(st.Page(f"{PAGES}/{DEFAULT_PAGE}.py", title=i18n.t(lang, f"page_{DEFAULT_PAGE}"),
                          url_path=DEFAULT_PAGE, visibility="hidden"))
    data = [st.Page(f"{PAGES}/{name}.py", title=i18n.t(lang, f"page_{name}"), icon=icon, url_path=name)
            for name, icon in DATA_PAGES if person.sees(name)]
    return {i18n.t(lang, "nav_review"): review, i18n.t(lang, "nav_data"): data}


def view() -> View:
    """The view the entry script built in this run.

    If there is none, Streamlit started the page file directly: with a pages/ folder it routes the first
    request of a process by file until some run calls st.navigation. Calling it here turns that routing off
    for the process, and the rerun goes through dashboard.py (same page: page ids are their url paths).
    """
    current = getattr(_local, "view", None)
    if current is None:
        if not st.session_state.get("_frame_rerun"):
            st.session_state["_frame_rerun"] = True  # once: never loop if the rerun cannot reach the frame
            st.navigation(navigation_pages(language()))
            st.rerun()
        current = sidebar()  # no frame after all: the same filters, drawn by the page itself
    return current


def end_run() -> None:
    """After the page ran: say once if the link held values that could not be used (they were replaced by the
    defaults), write the URL, forget this run's view (so a later direct page run is noticed)."""
    try:
        if getattr(_local, "refused", None):
            where = getattr(_local, "notice", None) or st.sidebar
            where.warning(i18n.t(language(), "url_refused"), icon=":material/link_off:")
            _local.refused = []
        sync_url()
        st.session_state["_frame_rerun"] = False
        current = getattr(_local, "view", None)
        if current is not None:
            warm_later(current)
    finally:
        _local.view = None
        _log_run("script")


_WARM_LOCK = threading.Lock()
_WARMED: set[tuple] = set()
_WARM_WANTED: list[tuple | None] = [None]


def warm_later(v: View) -> None:
    """After a page drew this view: fill the cache with every other page's declared calls for the same view
    (sla_review.metrics.views) on a background thread, so the next page opened finds its numbers ready (the
    browser benchmark's cold opens after the landing page). Once per (database, data version, view) and process;
    a newer view stops an unfinished warm-up of an older one. Only in a served app (not AppTest, not the CLI)."""
    from streamlit.runtime import Runtime

    # AppTest puts a MagicMock(spec=Runtime) in place while it runs: only the real runtime serves tabs
    if v.empty or v.period is None or not Runtime.exists() or type(Runtime.instance()) is not Runtime:
        return
    key = (db_path(), version(), _period_key(v.period), _period_key(v.compare), _filters_key(v.filters),
           v.maturity_days)
    with _WARM_LOCK:
        if key in _WARMED:
            return
        if len(_WARMED) > 256:
            _WARMED.clear()
        _WARMED.add(key)
        _WARM_WANTED[0] = key
    threading.Thread(target=_warm, args=(v, key), name="sla-warm", daemon=True).start()


def _warm(v: View, key: tuple) -> None:
    """The warm-up itself: each page's declared calls at their defaults (the view's maturity setting in),
    through ui.call's cache, on this thread's own cursor."""
    from streamlit.logger import get_logger

    try:
        runtime: dict[str, Any] = {"compare": v.compare}
        terms = call(views.TERMS.fn, v.period)
        if terms is not None:
            runtime |= {"fit_weight": float(terms.version.fit_weight),
                        "engagement_weight": float(terms.version.engagement_weight)}
        for declared in (d for page in views.VIEWS.values() for d in page.values()):
            if _WARM_WANTED[0] != key:
                return  # a newer view is being warmed
            period = {views.PERIOD: v.period, views.COMPARE: v.compare}.get(declared.period)
            if (declared.period == views.COMPARE and v.compare is None) or declared.period not in (
                    None, views.PERIOD, views.COMPARE):
                continue
            widgets = {k: v.maturity_days for k in ("maturity_days", "days") if k in dict(declared.args)}
            call(declared.fn, period, v.filters if declared.filters else None,
                 **declared.kwargs(**widgets, **{k: runtime[k] for k in declared.runtime}))
    except Exception as err:  # never visible to anyone: the page computes what it needs itself
        get_logger("sla_review.warm").warning("warming the other pages stopped: %s", err)
    finally:
        cur = getattr(_local, "cursor", None)
        if cur is not None:
            with contextlib.suppress(Exception):
                cur.close()


def fragment(body: Callable[[], None]) -> None:
    """Run `body` now as an st.fragment: a widget drawn inside it reruns only `body`, not the sidebar and the rest
    of the page (the what-if sliders: the page's other parts do not change with them). In such a rerun nothing of
    dashboard.py runs, so the fragment writes its own widgets' values to the URL (and leaves every other key of
    the query string as the last full run wrote it)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    @st.fragment
    def _part() -> None:
        ctx = get_script_run_ctx()
        if not (ctx and ctx.fragment_ids_this_run):  # part of a full run: end_run writes the URL
            body()
            return
        _local.started, _local.url, _local.refused = time.perf_counter(), {}, []
        try:
            body()
            sync_url(only=set(_local.url))
        finally:
            _log_run("fragment")

    _part()


def sidebar() -> View:
    """Draw the shared filters and resolve them into a View (period presets judged on the data's own today)."""
    lang = language()
    t = lambda key, **kw: i18n.t(lang, key, **kw)  # noqa: E731
    info = meta()
    status = info["status"]
    tz = info["tz"]
    with st.sidebar:
        chosen_lang = st.segmented_control(t("language"), list(i18n.LANGS), default=lang, key="u_lang",
                                           format_func=i18n.LANG_NAMES.get, required=True)
        record("u_lang", chosen_lang, "en")
        if not status["leads"] or info["latest"] is None:
            current = View(lang, empty=True, tz=tz)
            _local.view = current
            return current
        latest = info["latest"].astimezone(zoneinfo.ZoneInfo(tz))
        today = latest.date()
        fy = initial("u_fy", 4, lambda v: isinstance(v, int) and 1 <= v <= 12)

        preset = param_select("u_p", t("period"), periods.PRESETS, "last_half", lambda p: t(f"preset_{p}"),
                              help=t("period_help"))
        if preset == "custom":
            fallback = st.session_state.get("_last_range") or _inclusive(periods.preset_range("last_half", today, fy))
            picked = st.date_input(t("custom_range"), initial("u_range", fallback, _valid_range), key="u_range",
                                   format="YYYY-MM-DD")
            chosen = picked if _valid_range(picked) else st.session_state.get(_KEEP + "u_range") or fallback
            record("u_range", tuple(chosen), None)
            start, end, months = chosen[0], chosen[1] + dt.timedelta(days=1), None
        else:
            start, end, months = periods.preset_range(preset, today, fy)
        st.session_state["_last_range"] = (start, end - dt.timedelta(days=1))
        st.caption(f"{i18n.fmt_period(start, end, lang)}")

        kind = param_select("u_cmp", t("compare"), periods.COMPARISONS, "previous", lambda c: t(f"cmp_{c}"),
                            help=t("compare_help"))
        custom_cmp = None
        if kind == "custom":
            fallback = _inclusive(periods.comparison_range("previous", start, end, months))
            picked = st.date_input(t("cmp_range"), initial("u_crange", fallback, _valid_range), key="u_crange",
                                   format="YYYY-MM-DD")
            chosen = picked if _valid_range(picked) else st.session_state.get(_KEEP + "u_crange") or fallback
            record("u_crange", tuple(chosen), None)
            custom_cmp = (chosen[0], chosen[1] + dt.timedelta(days=1))
        cmp_range = periods.comparison_range(kind, start, end, months, custom_cmp)
        if cmp_range:
            st.caption(i18n.fmt_period(cmp_range[0], cmp_range[1], lang))

        filters = _segment_filters(lang, info["segments"])

        with st.expander(t("settings"), icon=":material/tune:"):
            record("u_fy", st.selectbox(t("fy_start"), list(range(1, 13)), index=fy - 1, key="u_fy",
                                        format_func=lambda m: i18n.month_name(m, lang)), 4)
            guides = []
            for key, label, default in (("u_gatt", "guide_attainment", 90), ("u_gfu", "guide_follow_up", 90),
                                        ("u_grej", "guide_rejection", 20), ("u_gband", "guide_band", 10)):
                first = initial(key, default, lambda v: isinstance(v, int) and 0 <= v <= 100)
                guides.append(record(key, st.number_input(t(label), 0, 100, first, step=1, key=key), default))
            st.caption(t("guides_note"))
            maturity = param_slider("u_cn", t("maturity_days"), 7, 365, sc.MATURITY_DAYS, 1,
                                    help=t("maturity_days_help"))
        st.caption(t("as_of_caption", as_of=i18n.fmt_datetime(latest, lang), tz=tz))
        st.caption(t("link_caption"))

    period = periods.view_period(start, end, latest, tz)
    compare = None
    if cmp_range and cmp_range[1] > cmp_range[0]:
        compare = periods.view_period(cmp_range[0], cmp_range[1],
                                      periods.comparison_as_of(latest, start, cmp_range[0]), tz)
    current = View(lang, empty=False, is_demo=bool(status["is_demo"]), tz=tz, period=period, compare=compare,
                   filters=filters,
                   guides=sc.Guides(guides[0] / 100, guides[1] / 100, guides[2] / 100, guides[3] / 100),
                   maturity_days=int(maturity),
                   first=info["first"], last=info["last"])
    _local.view = current
    return current


def _inclusive(bounds: tuple) -> tuple[dt.date, dt.date]:
    return bounds[0], bounds[1] - dt.timedelta(days=1)


def _valid_range(value: Any) -> bool:
    """An inclusive (first, last) pair from a date picker or the URL, inside periods.VIEW_BOUNDS."""
    return (isinstance(value, tuple | list) and len(value) == 2 and all(isinstance(v, dt.date) for v in value)
            and value[1] < periods.VIEW_BOUNDS[1] and periods.usable_range(value[0], value[1] + dt.timedelta(days=1)))


def _segment_filters(lang: str, values: Any) -> Filters:
    """The seven segment multiselects (empty = everything), in the URL as repeated parameters."""
    options = {k: [] for k in SEGMENT_KEYS}
    labels: dict[str, str] = {}
    for row in values.iter_rows(named=True):
        options[row["segment"]].append(row["value"])
        if row["segment"] == "owner":
            labels[row["value"]] = row["label"]
    starts = {}
    for key in SEGMENT_KEYS:
        allowed = set(options[key])
        starts[key] = initial(f"u_{key}", [], lambda v, allowed=allowed: isinstance(v, list) and set(v) <= allowed)
    active = sum(1 for k in SEGMENT_KEYS if starts[k])
    title = i18n.t(lang, "segments_active", n=active) if active else i18n.t(lang, "segments")
    chosen: dict[str, tuple[str, ...] | None] = {}
    with st.expander(title, expanded=bool(active), icon=":material/filter_alt:"):
        for key in SEGMENT_KEYS:
            fmt = (lambda v: labels.get(v, v)) if key == "owner" else str
            picked = st.multiselect(i18n.t(lang, f"seg_{key}"), options[key], default=starts[key], key=f"u_{key}",
                                    format_func=fmt, placeholder=i18n.t(lang, "all"))
            record(f"u_{key}", list(picked), [])
            chosen[key] = tuple(picked) if picked else None
    return Filters(**chosen)


# ---------------------------------------------------------------- page building blocks


def banner(v: View) -> None:
    """The demo warning, on every page, so nobody negotiates on generated numbers; above it, the place where
    end_run says that the link held values that could not be used (known only after the page ran)."""
    _local.notice = st.empty()
    if v.is_demo:
        st.warning(v.t("demo_banner"), icon=":material/science:")
    built = import_words(v)
    if built is not None:  # which import the numbers come from, under the filters (issue 15)
        seen = st.session_state.get("_seen_version")
        now = version()
        if seen is not None and seen != now:  # another session (or this one) imported: say so, never jump silently
            st.toast(built[1], icon=":material/sync:", duration="long")
        st.session_state["_seen_version"] = now
        st.sidebar.caption(built[0])


def import_words(v: View) -> tuple[str, str] | None:
    """("Built on import #N of <when> by <who> · <source>", "Data updated: …") for the newest data import."""
    row = meta().get("import")
    if row is None:
        return None
    when = i18n.fmt_datetime(row["imported_at"].astimezone(zoneinfo.ZoneInfo(v.tz)), v.lang)
    who = catalogue.t("audit.built_by", v.lang, who=safe.markdown(row["author"])) if row["author"] else ""
    values = {"id": row["import_id"], "when": when, "who": who}
    return (catalogue.t("audit.built_on", v.lang, source=safe.markdown(row["source"]), **values),
            catalogue.t("audit.data_updated", v.lang, **values))


def page_header(v: View, page: str) -> None:
    st.title(v.t(f"page_{page}"))
    if v.period is not None:
        as_of = i18n.fmt_datetime(v.period.as_of, v.lang)
        st.caption(v.t("period_caption", period=v.period_label, cmp=v.compare_label or v.t("no_comparison"),
                       as_of=as_of))


def guard(v: View) -> bool:
    """False (after saying why) when there is nothing to show: no data at all, or none in this view."""
    if v.empty or v.period is None:
        st.info(v.t("empty_db"), icon=":material/database:")
        return False
    act = call(views.GUARD.fn, v.period, v.filters)
    if not any(act.values()):
        tz = zoneinfo.ZoneInfo(v.tz)
        first = i18n.fmt_date(v.first.astimezone(tz).date(), v.lang) if v.first else i18n.DASH
        last = i18n.fmt_date(v.last.astimezone(tz).date(), v.lang) if v.last else i18n.DASH
        st.info(v.t("empty_period", period=v.period_label, first=first, last=last), icon=":material/event_busy:")
        return False
    return True


def show(v: View, fig: Any, definition: str | None = None, key: str | None = None,
         opens: Callable[[dict], drill.Number | None] | None = None) -> None:
    """A chart (or a sentence when there is nothing to draw) with its definition underneath; with `opens`
    (a clicked point -> the Number behind it, sla_review.metrics.drill) a click opens its leads below it."""
    if fig is None:
        st.info(v.t("empty_chart"), icon=":material/bar_chart_off:")
    elif opens is None:
        st.plotly_chart(fig, theme=None, width="stretch", key=key,
                        config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]})
    else:
        event = st.plotly_chart(fig, theme=None, width="stretch", key=key, on_select="rerun",
                                selection_mode="points",
                                config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]})
        points = event.selection.points if event else []
        _opened_by(key, points, lambda: opens(points[0]))
    if opens is not None and key is not None:
        leads_here(v, key)
    if definition:
        with st.expander(v.t("definition"), icon=":material/info:"):
            st.markdown(definition_text(v, definition))


STATUS_ICONS = {"green": ":material/check_circle:", "amber": ":material/warning:", "red": ":material/error:",
                "no_data": ":material/block:", "too_few": ":material/help:", "maturing": ":material/hourglass_top:",
                "unjudged": ":material/remove_circle_outline:"}


INTERVAL_DEFINITIONS = ("def_mql_to_sql", "def_response", "def_follow_up", "def_rejection", "def_acceptance",
                        "def_funnel", "def_conversion_by", "def_response_by", "def_whatif", "def_cohorts")
"""The definitions beside a rate that carries a 95% interval: each ends with what the interval means."""


def definition_text(v: View, key: str) -> str:
    """A definition's words, with the plain-words note on the 95% interval where the number carries one."""
    if key in INTERVAL_DEFINITIONS:
        return v.t(key) + "\n\n" + v.t("def_interval", min=sc.MIN_CASES)
    return v.t(key)


def scorecard_tile(v: View, tile: sc.Tile, tiers: list[sc.TierText] | None = None) -> None:
    """One SLA clause as sc.tile_text words it (the deck's row says the same): value, change, status, target;
    `tiers` (the response tile of a tiered SLA): each tier's attainment under it, as sc.tier_texts words it."""
    text = sc.tile_text(tile, v.lang)
    flat = tile.delta is not None and abs(tile.delta) < (0.0005 if tile.kind == "rate" else 0.05)
    with st.container(border=True, height="stretch"):
        st.metric(text.label, text.value, text.delta,
                  delta_color="off" if flat else ("normal" if tile.higher_is_better else "inverse"),
                  delta_arrow="off" if flat else "auto", help=definition_text(v, f"def_{tile.key}"))
        if text.noise:  # the change's verdict, quietly beside the delta (never a status colour)
            st.badge(text.noise, color="gray")  # no icon: a narrow tile keeps the words whole
        st.badge(text.status_label, color=sc.STATUS_TONE[tile.status], icon=STATUS_ICONS[tile.status])
        if text.interval:
            st.caption(text.interval)
        st.markdown(f"**{text.target}**")
        if text.detail:
            st.caption(text.detail)
        if text.reason:
            st.caption(text.reason)
        if tiers:  # folded: the five tiles keep one height; one click splits the attainment by tier
            with st.expander(v.t("sc_tiers")):
                for row in tiers:
                    st.caption(v.t("tier_line", tier=safe.markdown(row.tier), target=row.target,
                                   attainment=safe.markdown(row.shown)))


def interval_line(v: View, rate: float | None, ci: tuple[float, float] | None, noise: str | None = None) -> None:
    """Under a rate's metric: the change's quiet verdict badge (if any) and the rate with its 95% interval."""
    if noise is not None:
        st.badge(v.t(f"noise_{noise}"), color="gray")
    if ci is not None and rate is not None:
        st.caption(present_formats.interval(rate, *ci, v.lang))


def delta_style(delta: float | None, tolerance: float, higher_is_better: bool = True) -> dict[str, str]:
    """st.metric arguments for a change: grey and arrowless when it rounds to zero."""
    if delta is not None and abs(delta) < tolerance:
        return {"delta_color": "off", "delta_arrow": "off"}
    return {"delta_color": "normal" if higher_is_better else "inverse", "delta_arrow": "auto"}


def editor_rows(edited: Any) -> list[dict]:
    """The rows st.data_editor hands back: the data's own type (a polars frame here), else a pandas frame."""
    if hasattr(edited, "to_dicts"):
        return edited.to_dicts()
    if hasattr(edited, "to_dict"):
        return edited.to_dict("records")
    return list(edited or [])


def blank_cell(value: Any) -> bool:
    """An editor cell left empty (None, NaN or "")."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def table(v: View, frame: Any, columns: dict[str, tuple[str, str]], height: int | str = "auto",
          key: str | None = None, opens: Callable[[int], drill.Number | None] | None = None) -> None:
    """A data table with translated headers; kinds: text, int, pct, num (1 decimal), bool, and interval: the
    column "<rate>_interval" shows the 95% interval of <rate> (<rate>_low/_high, formats.interval, the range
    alone) and "too few to judge" where <rate>_judged is false (fewer than MIN_CASES cases). With `key` and
    `opens` (a row index -> the Number behind it) selecting a row opens its leads below the table."""
    frame = with_interval_texts(v, frame, [c for c, (_, kind) in columns.items() if kind == "interval"])
    formats = {"int": "localized", "pct": "percent", "num": "%.1f"}
    keep = [c for c in columns if c in frame.columns]
    renamed = frame.select(keep).rename({c: v.t(columns[c][0]) for c in keep})
    config: dict[str, Any] = {}
    for c in keep:
        label, kind = v.t(columns[c][0]), columns[c][1]
        if kind in formats:
            config[label] = st.column_config.NumberColumn(label, format=formats[kind])
        elif kind == "bool":
            config[label] = st.column_config.CheckboxColumn(label)
        elif kind == "interval":  # "28.1–36.5%" beside the rate's own column; "· too few to judge" when so
            config[label] = st.column_config.TextColumn(label)
    if opens is None or key is None:
        st.dataframe(renamed, hide_index=True, column_config=config, height=height, width="stretch")
        return
    event = st.dataframe(renamed, hide_index=True, column_config=config, height=height, width="stretch", key=key,
                         on_select="rerun", selection_mode="single-row")
    rows = list(event.selection.rows) if event else []
    _opened_by(key, rows, lambda: opens(rows[0]))
    leads_here(v, key)


def with_interval_texts(v: View, frame: Any, names: list[str]) -> Any:
    """The text columns "<rate>_interval" of a breakdown: the rate's 95% interval, marked when too few."""
    for name in names:
        rate = name.removesuffix("_interval")
        if f"{rate}_low" not in frame.columns:
            continue
        texts = present_formats.interval_texts(frame[rate].to_list(), frame[f"{rate}_low"].to_list(),
                                               frame[f"{rate}_high"].to_list(), v.lang, bare=True)
        few = v.t("too_few_to_judge")
        frame = frame.with_columns(pl.Series(name, texts, dtype=pl.Utf8)).with_columns(
            pl.when(pl.col(f"{rate}_judged") | pl.col(rate).is_null()).then(pl.col(name))
            .otherwise(pl.col(name) + f" · {few}").alias(name))
    return frame


def dim_label(v: View, dim: str, key: str | None) -> str:
    """How a group key of dash_response_by / dash_closed_loop_by reads on screen."""
    if key is None:
        return v.t("no_response") if dim == "channel" else v.t("none_value")
    if dim == "weekday":
        return i18n.weekday(key, v.lang)
    if dim == "hour":
        return f"{key}:00"
    return i18n.value_label(key, v.lang)


def terms_spans(v: View, terms: PeriodTerms) -> str:
    """"v1 until 2026-05-31, v2 from 2026-06-01" in the view's language, as plain text (escape it for Markdown)."""
    return spans_text(terms, lambda d: i18n.fmt_date(d, v.lang), v.t("terms_until"), v.t("terms_from"),
                      v.t("terms_between"), v.t("terms_sep"))


def terms_note(v: View, terms: PeriodTerms | None) -> None:
    """Say which versions applied when there were several (the figures shown use terms.version)."""
    if terms is not None and terms.several:
        st.caption(v.t("terms_applied", spans=safe.markdown(terms_spans(v, terms)),
                       name=safe.markdown(terms.version.name)))


def terms_table(v: View, terms: PeriodTerms | None) -> None:
    """The SLA versions applied during the period: one row per term, one column per version (st.table renders
    Markdown, so the version names heading the columns are escaped)."""
    rows = []
    for a in terms.applied if terms is not None else ():
        r = a.version
        rows.append({
            v.t("term_name"): safe.markdown(r.name),
            v.t("term_from"): i18n.fmt_date(r.effective_from, v.lang),
            v.t("term_until"): i18n.fmt_date(a.effective_until - dt.timedelta(days=1), v.lang)
            if a.effective_until else "",
            v.t("term_threshold"): i18n.fmt_num(r.mql_threshold, v.lang, 0),
            v.t("term_weights"): f"{r.fit_weight:g} / {r.engagement_weight:g}",
            v.t("term_commitment"): i18n.fmt_int(r.monthly_mql_commitment, v.lang),
            v.t("term_conversion"): i18n.fmt_pct(r.mql_to_sql_target, v.lang, 0),
            v.t("term_handoff"): i18n.stage(r.handoff_stage, v.lang),
            v.t("term_response"): i18n.fmt_num(r.response_target_hours, v.lang),
            v.t("term_follow_up"): v.t("term_follow_up_value", attempts=r.min_attempts,
                                       days=f"{r.attempt_window_business_days:g}"),
        })
    if rows:
        keys = [k for k in rows[0] if k != v.t("term_name")]
        st.table({v.t("term_name"): keys} | {row[v.t("term_name")]: [row[k] for k in keys] for row in rows},
                 hide_index=True)


def terms_details(v: View, config: sla_terms.SlaConfig, teams: Sequence[str] = ()) -> None:
    """Every calendar (default and named; one column each), the team → calendar map and each version's tiers, in
    plain words (sla_review.present.terms_text). st.table wraps long names instead of cutting them, and renders
    Markdown, so every cell and heading is escaped (the names are the user's)."""
    from sla_review.present import terms_text as tt

    w = lambda k, **kw: tt.w(v.lang, k, **kw)  # noqa: E731

    def shown(rows: list[dict[str, str]]) -> dict[str, list[str]]:
        return {safe.markdown(k): [safe.markdown(r[k]) for r in rows] for k in rows[0]} if rows else {}

    st.markdown(f"**{w('h_calendars')}**")
    calendars = tt.calendar_rows(config, v.lang)
    label = w("c_calendar")
    columns = {safe.markdown(w("c_setting")): [safe.markdown(k) for k in calendars[0] if k != label]}
    for r in calendars:  # a named calendar may be called like a heading: never let one column replace another
        head = safe.markdown(r[label])
        while head in columns:
            head += " "
        columns[head] = [safe.markdown(x) for k, x in r.items() if k != label]
    st.table(columns, hide_index=True)
    st.markdown(f"**{w('h_teams')}**")
    rows = tt.team_rows(config, list(teams), v.lang)
    if rows:
        st.table(shown(rows), hide_index=True)
    if not config.teams:
        st.caption(w("h_teams_none"))
    st.markdown(f"**{w('h_tiers')}**")
    st.table(shown(tt.tier_rows(config, v.lang)), hide_index=True)


# ---------------------------------------------------------------- the leads behind a number

_DRILL = "_drill"  # the open list: {"n": drill.Number.encode(), "at": the anchor it shows under} or None
LEAD_COLUMNS = {"lead_id": ("col_lead", "text"), "company": ("col_company", "text"),
                "owner": ("drill_col_owner", "text"), "team": ("col_team", "text"), "source": ("col_source", "text"),
                "score": ("drill_col_score", "num"),
                "stage": ("drill_col_stage", "text"), "created": ("drill_col_created", "text"),
                "mql_at": ("drill_col_mql", "text"), "sal_at": ("drill_col_sal", "text"),
                "sql_at": ("drill_col_sql", "text"), "opportunity_at": ("drill_col_opportunity", "text"),
                "won_at": ("drill_col_won", "text"), "handoff_at": ("col_handoff_local", "text"),
                "response_hours": ("col_business_hours", "num"), "response": ("drill_col_response", "text"),
                "rejected_at": ("drill_col_rejected", "text")}
EVENT_COLUMNS = {"event_at": ("drill_col_event", "text"), "reason": ("drill_col_reason", "text")}
RESPONSES = ("within_target", "breached", "pending")


K = drill.Kind
ANCHOR_KINDS: dict[str, tuple[drill.Kind, ...]] = {
    "sc_tiles": (K.MQL_COHORT, K.RESPONSE, K.FOLLOW_UP), "sc_funnel": (K.FUNNEL,), "fn_chart": (K.FUNNEL,),
    "cv_cohorts": (K.COHORT_MONTH,), "cv_by_table": (K.CONVERSION_SEGMENT,), "cv_reps_table": (K.CONVERSION_SEGMENT,),
    "rs_tiles": (K.RESPONSE, K.FOLLOW_UP), "rs_hist": (K.HIST_BIN,), "rs_by_table": (K.RESPONSE_ROW,),
    "rs_breaches": (K.RESPONSE,), "cl_tiles": (K.CLOSED_LOOP,), "cl_reasons": (K.CLOSED_LOOP,),
    "cl_by": (K.CLOSED_LOOP,)}
"""Which kinds a list opened from a link may show under (a list opened by a click shows under its element)."""


def _page() -> str:
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx else ""


def _drill_state() -> dict | None:
    """The open list, read from the URL the session opened with until a click or a close decides; a list
    belongs to the page it was opened on (another page closes it)."""
    ss = st.session_state
    if _DRILL not in ss:
        raw = _url_at_start().get("leads")
        ss[_DRILL] = {"n": raw[-1], "at": None, "page": None} if raw else None
    state = ss[_DRILL]
    if state is not None and state.get("page") not in (None, _page()):
        ss[_DRILL] = state = None
    return state


def _opened_by(key: str | None, selection: list, make: Callable[[], drill.Number | None]) -> None:
    """A new selection on a chart or table opens the number behind it (an unchanged one does nothing, so a
    closed list does not reopen from the selection still on the chart)."""
    if key is None:
        return
    seen, sig = st.session_state.get("_sel_" + key), repr(selection)
    if seen == sig:
        return
    st.session_state["_sel_" + key] = sig
    if selection:
        num = make()
        if num is not None:
            st.session_state[_DRILL] = {"n": num.encode(), "at": key, "page": _page()}


def leads_button(v: View, num: drill.Number, key: str, anchor: str) -> None:
    """The small "show leads" control under a tile: opens `num` under `anchor` (see leads_here)."""
    if st.button(v.t("drill_show"), key=key, icon=":material/format_list_bulleted:", type="tertiary"):
        st.session_state[_DRILL] = {"n": num.encode(), "at": anchor, "page": _page()}


def leads_here(v: View, anchor: str) -> None:
    """Where the open list shows: under the element that opened it (a list opened from a link shows under the
    first element that can open numbers). A crafted link gets a message naming what was wrong."""
    state = _drill_state()
    if state is None or getattr(_local, "drill_done", False) or state["at"] not in (None, anchor):
        record("u_leads", state["n"] if state else None, None)
        return
    try:
        num = drill.decode(state["n"])
    except drill.DrillError as err:
        _local.drill_done = True
        st.session_state[_DRILL] = None
        record("u_leads", None, None)
        st.warning(v.t("drill_bad_link", name=safe.markdown(err.name), value=safe.markdown(err.value)),
                   icon=":material/link_off:")
        return
    record("u_leads", state["n"], None)
    if state["at"] is None and num.kind not in ANCHOR_KINDS.get(anchor, ()):
        return  # from a link: wait for an element that opens this kind
    _local.drill_done = True
    state["at"], state["page"] = anchor, _page()
    record("u_leads", state["n"], None)
    _leads_panel(v, num, anchor)


def describe(v: View, num: drill.Number) -> str:
    """The number in words, as Markdown (the user's values escaped): "Funnel bar · MQL · cohort"."""
    words = []
    for name, value in num.args:
        if name in ("stage", "closed_stage") and value != "leads":
            words.append(i18n.stage(value, v.lang))
        elif name == "view":
            words.append(v.t(f"drill_view_{value}"))
        elif name == "segment":
            words.append(v.t(f"seg_{value}"))
        elif name == "dim" and value != "all":
            words.append(v.t(f"dim_{value}"))
        elif name in ("value", "key"):
            words.append(safe.markdown(dim_label(v, num.arg("dim") if "dim" in dict(num.args) else "", value)))
        elif name in ("part", "status") and value not in ("all",):
            words.append(v.t(f"drill_{name}_{value}"))
        elif name == "month":
            words.append(i18n.month_labels([value], v.lang)[0])
        elif name == "bin":
            hours = num.arg("bin_hours")
            words.append(v.t("drill_bin", low=i18n.fmt_num(max(value - 1, 0) * hours, v.lang),
                             high=i18n.fmt_num(value * hours, v.lang))
                         if value < num.arg("max_bin") else v.t("drill_bin_over", low=i18n.fmt_num(
                             (value - 1) * hours, v.lang)))
        elif name == "attempts":
            words.append(v.t("drill_attempts", n=f"{value}+" if value >= num.arg("max_attempts") else value))
    if num.period == "compare" and v.compare_label:
        words.append(v.compare_label)
    return " · ".join([v.t(f"drill_kind_{num.kind.value}"), *words])


def _shown(v: View, frame: Any) -> Any:
    """Stages and verdicts in the view's language (plain cells)."""
    import polars as pl

    stages = {s: i18n.stage(s, v.lang) for s in LADDER}
    verdicts = {r: v.t(f"drill_status_{r}") for r in RESPONSES}
    return frame.with_columns(pl.col("stage").replace(stages), pl.col("response").replace(verdicts))


def _leads_panel(v: View, num: drill.Number, anchor: str) -> None:
    """The list: its count in the heading (= the number it was opened from), the first rows, the CSV of them
    all, a link that reopens it, and a close button."""
    import functools
    import urllib.parse

    from sla_review.export import csv_export

    period = v.compare if num.period == "compare" else v.period
    with st.container(border=True, key="leads_panel"):
        if period is None:
            st.info(v.t("drill_no_comparison"), icon=":material/event_busy:")
            return
        out = call(drill.listing, period, v.filters, number=num.encode())
        unit = drill.UNIT[num.kind]
        st.subheader(v.t(f"drill_heading_{unit}", n=i18n.fmt_int(out["total"]), what=describe(v, num)))
        if out["total"] > out["rows"].height:
            st.caption(v.t("drill_first_rows", shown=i18n.fmt_int(out["rows"].height),
                           n=i18n.fmt_int(out["total"])))
        columns = LEAD_COLUMNS | (EVENT_COLUMNS if unit == "events" else {})
        table(v, _shown(v, out["rows"]), columns, height=320 if out["total"] > 6 else "auto")
        query_now = [(k, x) for k in st.query_params.keys() if k != "leads"  # noqa: SIM118
                     for x in st.query_params.get_all(k)]
        link = "?" + urllib.parse.urlencode([*query_now, ("leads", num.encode())])
        left, middle, right = st.columns([2, 2, 1])
        with left:
            st.download_button(
                v.t("drill_csv"),
                functools.partial(csv_export.leads_csv, connection(), period, v.filters, num.encode(),
                                  {c: v.t(k) for c, (k, _) in columns.items()},
                                  {"stage": {s: i18n.stage(s, v.lang) for s in LADDER},
                                   "response": {r: v.t(f"drill_status_{r}") for r in RESPONSES}}),
                file_name=f"sla-leads-{num.kind.value}-{period.from_day}-{period.to_day}.csv", mime="text/csv",
                icon=":material/download:", key=f"{anchor}_leads_csv", disabled=out["total"] == 0)
        with middle:
            st.markdown(f"[{v.t('drill_link')}]({link})")
        with right:
            if st.button(v.t("drill_close"), key=f"{anchor}_leads_close", icon=":material/close:"):
                st.session_state[_DRILL] = None
                st.rerun()


def mix_rate_section(v: View, page: str, key: str, dims: Sequence[str], dim_arg: str) -> None:
    """A page's mix-vs-rate section (its declared "mix" call, sla_review.metrics.mix_rate): a dimension picker,
    the sentence naming what moved the change most, and the waterfall; without a comparison, the reason why."""
    declared = views.VIEWS[page]["mix"]
    measure = mix_rate.MEASURES_OF[declared.fn.__name__]
    st.subheader(v.t(f"mx_title_{measure}"))
    word = lambda d: v.t(f"seg_{d}" if d in SEGMENTS else f"dim_{d}")  # noqa: E731
    dim = param_select(key, v.t("mx_by"), dims, declared.default(dim_arg), word, kind="segmented")
    result = fetch(v, page, "mix", **{dim_arg: dim}, compare=v.compare)
    labels = {p.key: dim_label(v, dim, p.key) for p in result.parts}
    sentence = safe.markdown(mix_rate.explain(result, labels, v.lang))
    if not result.decomposed:
        st.info(sentence, icon=":material/compare_arrows:")
        return
    st.markdown(sentence)
    title = v.t(f"mx_chart_title_{measure}", dim=word(dim))
    show(v, charts.mix_rate(result, labels, v.lang, title, v.period_label, v.compare_label), "def_mix_rate")
