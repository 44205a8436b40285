"""What a person waits for in the browser (issue 14): Debian's Chromium driving the real server (`streamlit run
server.py`, sla_review.devtools.serve) on demo databases, median and p95 over repeated runs (a benchmark, not a
test: it asserts nothing).

    python -m sla_review.devtools.bench_browser --leads 100000,1000000,10000000 --runs 5

writes one "Browser" table per size into BENCHMARKS.md (beside that size's server-side section) and the figures
into benchmarks.json beside it. `--db PATH` measures one existing database instead (its size is read from it);
`--workdir DIR --reuse` keeps and reuses the demo databases.

One run = one fresh server (empty caches) and, in it:
1. cold open of each page: a new tab (a new Streamlit session) per page, in menu order, from navigation start;
2. in one tab: every page visited once through the menu, then each again (the revisit);
3. on the landing page: two period preset changes, two segment filter changes (a source, then a second one);
4. in a new tab: the language switch to Japanese and back;
5. on the what-if page: threshold moves (arrow keys on the slider) and weight moves (fit weight, up twice and
   down twice);
6. on the Export page: "build the deck", then its download until the file is on disk.

"Done" (the clock stops at the last drawn change; see IDLE) means: Streamlit's app root says its script is not
running (`data-test-script-state="notRunning"`) after a run that started after the action, no element is stale
(`data-stale="true"`: an element of the previous run not yet replaced or removed), every visible plotly chart has
drawn its SVG, and the page then stays unchanged for QUIET_MS; the time reported is that of the last DOM change
(a MutationObserver over the whole document, the script-state attribute excepted), not the end of the quiet
window. "Numbers updated" (what-if) is the first DOM change inside a metric value after the move.

Breakdown of each wait: the server's script time (the dashboard appends each run's duration to $SLA_RUN_LOG,
sla_review.app.ui), the bytes the browser received over the websocket, and the browser's part after the last
websocket message (render = done − last message). The clock runs in the browser (performance.now).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sla_review.devtools.serve import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from sla_review.store.sql import ROOT


def _menu() -> tuple[str, ...]:
    from sla_review.app.ui import DATA_PAGES, REVIEW_PAGES  # the menu itself: a page added there is timed too

    return tuple(name for name, _ in (*REVIEW_PAGES, *DATA_PAGES))


PAGES = _menu()
"""Menu order (sla_review.app.ui.REVIEW_PAGES, then DATA_PAGES); the scorecard is the landing page at "/". Read
from the menu: a fixed copy missed the SLA terms page, and every menu click after it landed one page off."""
QUIET_MS = 500
TIMEOUT_MS = int(os.environ.get("SLA_BENCH_TIMEOUT_MS", "240000"))
PRESETS = ("last_quarter", "last_12m")  # the period changes (from the default last_half), each a view not seen yet
THRESHOLD_MOVES = 6
WEIGHT_MOVES = ("ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft")
# issue 14's targets at 1M leads (median, ms); None: reported, not judged
TARGETS = {"slider_all_charts_ms": 150, "filter_change_ms": 500, "period_change_ms": 500, "revisit_ms": 400,
           "cold_landing_ms": 1500}

INIT = """
(() => {
  const b = window.__bench = {last: 0, runs: [], metric: [], recv: [], sent: [], input: []};
  for (const kind of ['pointerdown', 'keydown']) {
    window.addEventListener(kind, () => b.input.push(performance.now()), {capture: true});
  }
  new MutationObserver((records) => {
    const t = performance.now();
    for (const m of records) {
      if (m.type === 'attributes' && m.attributeName === 'data-test-script-state') {
        b.runs.push([t, m.target.getAttribute('data-test-script-state')]);
        continue;
      }
      b.last = t;
      const el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      if (el && el.closest && el.closest('[data-testid="stMetricValue"]')) b.metric.push(t);
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const size = (d) => d.byteLength ?? d.size ?? d.length ?? 0;
  const WS = window.WebSocket;
  class Counted extends WS {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (e) => b.recv.push([performance.now(), size(e.data)]));
    }
    send(d) { b.sent.push([performance.now(), size(d)]); return super.send(d); }
  }
  window.WebSocket = Counted;
})();
"""

IDLE = """({mark, quiet}) => {
  const b = window.__bench, now = performance.now();
  const t0 = b.input.find((t) => t >= mark) ?? mark;  // the user's input event (not the driver's call)
  const app = document.querySelector('[data-testid="stApp"]');
  if (!b || !app || app.getAttribute('data-test-script-state') !== 'notRunning') return null;
  const ran = b.runs.findIndex(([t, s]) => t >= t0 && s === 'running');
  if (ran < 0 || !b.runs.slice(ran).some(([t, s]) => s === 'notRunning')) return null;
  if (document.querySelector('[data-stale="true"]')) return null;
  for (const p of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    if (p.checkVisibility() && !p.querySelector('.main-svg')) return null;
  }
  if (now - b.last < quiet) return null;
  const recv = b.recv.filter(([t]) => t >= t0 && t <= b.last);
  return {t0, end: b.last, bytes: recv.reduce((s, [, n]) => s + n, 0), messages: recv.length,
          last_message: recv.length ? recv[recv.length - 1][0] : t0, first_message: recv.length ? recv[0][0] : t0,
          metric: (b.metric.find((t) => t >= t0) ?? null),
          charts: [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].filter((p) => p.checkVisibility())
                  .length};
}"""


# ---------------------------------------------------------------------------------------------- one browser run
class Driver:
    """One server and one Chromium; each measured step returns a sample (ms figures and bytes)."""

    def __init__(self, url: str, browser: Any, run_log: Path) -> None:
        self.url, self.browser, self.run_log = url, browser, run_log
        self.context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
        self.context.add_init_script(INIT)

    def server_ms(self, since: float, until: float) -> float:
        """Script time the server logged for runs that ended in [since, until] (wall clock, this machine)."""
        if not self.run_log.exists():
            return 0.0
        total = 0.0
        for line in self.run_log.read_text().splitlines():
            row = json.loads(line)
            if since <= row["end"] <= until:
                total += row["ms"]
        return total

    def settle(self, page: Any, mark: float, wall0: float) -> dict:
        """Wait for IDLE after an action begun at browser time `mark` (wall time wall0); the sample. The clock
        starts at the action's first input event (pointerdown, keydown) in the page, else at `mark` (a
        navigation: 0, navigation start)."""
        handle = page.wait_for_function(IDLE, arg={"mark": mark, "quiet": QUIET_MS}, polling=50, timeout=TIMEOUT_MS)
        got = handle.json_value()
        t0 = got["t0"]
        sample = {"ms": got["end"] - t0, "bytes": got["bytes"], "messages": got["messages"],
                  "first_message_ms": got["first_message"] - t0, "round_trip_ms": got["last_message"] - t0,
                  "render_ms": got["end"] - got["last_message"],
                  "server_ms": self.server_ms(wall0, time.time()), "charts": got["charts"]}
        if got["metric"] is not None:
            sample["numbers_ms"] = got["metric"] - t0
        return sample

    def act(self, page: Any, action: Callable[[], None]) -> dict:
        """Do `action` (a click, a key press) and time it to IDLE."""
        wall0 = time.time()
        mark = page.evaluate("() => performance.now()")
        action()
        return self.settle(page, mark, wall0)

    def open(self, path: str) -> tuple[Any, dict]:
        """A new tab (a new session) at `path`; the sample runs from navigation start (browser time 0)."""
        page = self.context.new_page()
        wall0 = time.time()
        page.goto(f"{self.url}/{path}", timeout=TIMEOUT_MS)
        return page, self.settle(page, 0.0, wall0)

    def nav(self, page: Any, name: str) -> dict:
        """Click the page's entry in the sidebar menu (a page switch inside the session)."""
        link = page.locator('[data-testid="stSidebarNavLink"]').nth(PAGES.index(name))
        return self.act(page, link.click)


def _path(name: str, lang: str = "en") -> str:
    return f"{'' if name == 'scorecard' else name}?lang={lang}"


def _choose(page: Any, key: str, option: str) -> Callable[[], None]:
    """Open the combobox of widget `key` (selectbox, multiselect); the returned action clicks `option`."""
    page.locator(f".st-key-{key} input").first.click()
    target = page.get_by_role("option", name=option, exact=True).first
    target.wait_for(timeout=TIMEOUT_MS)
    return target.click


STEPS = ("cold", "revisit", "sidebar", "language", "whatif", "deck")


def one_run(url: str, browser: Any, run_log: Path, threshold_moves: int, log: Callable[[str], None],
            steps: tuple[str, ...] = STEPS) -> dict:
    """Every step once on a fresh server (`steps`: a subset, for a quick A/B); {measure name: [samples]}."""
    from sla_review.present import i18n

    d = Driver(url, browser, run_log)
    out: dict[str, list[dict]] = {}

    def add(name: str, sample: dict) -> None:
        out.setdefault(name, []).append(sample)

    for name in PAGES if "cold" in steps else ():  # 1. cold opens, each in its own new session
        page, sample = d.open(_path(name))
        add(f"cold:{name}", sample)
        page.close()
        log(f"    cold open {name}: {sample['ms']:.0f} ms")

    page, _ = d.open(_path("scorecard"))  # 2. first visits through the menu, then the revisits
    for name in PAGES[1:] if "revisit" in steps else ():
        d.nav(page, name)
    for name in PAGES if "revisit" in steps else ():
        add(f"revisit:{name}", d.nav(page, name))
    if "revisit" in steps:
        d.nav(page, "scorecard")
    if "sidebar" in steps:
        sidebar_changes(d, page, add)
    page.close()

    page, _ = d.open(_path("scorecard"))  # 4. language, in a fresh session on the default view
    for lang in ("ja", "en") if "language" in steps else ():
        button = page.locator(".st-key-u_lang button", has_text=i18n.LANG_NAMES[lang]).first
        add("language_switch", d.act(page, button.click))

    if "whatif" in steps:
        whatif_moves(d, page, add, threshold_moves)
    if "deck" in steps:
        deck_download(d, page, add)
    page.close()
    d.context.close()
    return out


def sidebar_changes(d: Driver, page: Any, add: Callable[[str, dict], None]) -> None:
    """Two period presets and two segment values (each a view not seen yet), on the landing page."""
    from sla_review.present import i18n

    for preset in PRESETS:  # 3. period and segment changes on the landing page
        add("period_change", d.act(page, _choose(page, "u_p", i18n.t("en", f"preset_{preset}"))))
    d.act(page, _choose(page, "u_p", i18n.t("en", "preset_last_half")))  # back to the default (cached)
    page.locator('[data-testid="stExpander"] summary', has_text=i18n.t("en", "segments")).first.click()
    field = page.locator(".st-key-u_source input").first
    for _ in range(2):
        field.click()
        field.press("ArrowDown")  # a click on the focused field does not reopen its list; the arrow does
        option = page.locator('[role="option"]').nth(1)  # option 0 is "Select all"; chosen ones leave the list
        option.wait_for(timeout=TIMEOUT_MS)
        # the multiselect sends its value when its list closes: the click, then Escape as a person closes it
        add("filter_change", d.act(page, lambda o=option: (o.click(), page.keyboard.press("Escape"))))


def whatif_moves(d: Driver, page: Any, add: Callable[[str, dict], None], threshold_moves: int) -> None:
    """Threshold moves (right, left, ...) and weight moves (WEIGHT_MOVES) by key presses on the sliders."""
    d.nav(page, "whatif")
    slider = page.locator(".st-key-u_thr").get_by_role("slider").first
    for i in range(threshold_moves):
        slider.focus()
        add("slider_threshold", d.act(page, lambda k=("ArrowRight" if i % 2 == 0 else "ArrowLeft"): slider.press(k)))
    weight = page.locator(".st-key-u_fw").get_by_role("slider").first
    for key in WEIGHT_MOVES:
        weight.focus()
        add("slider_weight", d.act(page, lambda k=key: weight.press(k)))


def deck_download(d: Driver, page: Any, add: Callable[[str, dict], None]) -> None:
    """The Export page: build the deck, then download it until the file is saved."""
    d.nav(page, "export")
    wall0 = time.time()
    mark = page.evaluate("() => performance.now()")
    page.locator(".st-key-export_build button").first.click()
    download_button = page.locator(".st-key-export_download button").first
    download_button.wait_for(timeout=TIMEOUT_MS)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        download_button.click()
    saved = Path(info.value.path())
    t0 = page.evaluate("(mark) => window.__bench.input.find((t) => t >= mark) ?? mark", mark)
    add("deck_download", {"ms": page.evaluate("() => performance.now()") - t0, "bytes": saved.stat().st_size,
                          "server_ms": d.server_ms(wall0, time.time())})


def measure_db(db: Path, runs: int, threshold_moves: int = THRESHOLD_MOVES,
               log: Callable[[str], None] = print, steps: tuple[str, ...] = STEPS) -> dict[str, list[dict]]:
    """All runs on one database: each run its own fresh server (cold caches) and browser context."""
    from playwright.sync_api import sync_playwright

    samples: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="sla-bench-browser-") as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for r in range(runs):
                run_log = Path(tmp) / f"runs-{r}.jsonl"
                with streamlit_server(db, Path(tmp) / f"server-{r}.log", env={"SLA_RUN_LOG": str(run_log)}) as url:
                    started = time.perf_counter()
                    for name, got in one_run(url, browser, run_log, threshold_moves, log, steps).items():
                        samples.setdefault(name, []).extend(got)
                    log(f"  run {r + 1}/{runs}: {time.perf_counter() - started:.0f} s")
        finally:
            browser.close()
    return samples


# ---------------------------------------------------------------------------------------------- summary
def stat(values: list[float]) -> dict[str, float]:
    """Median and p95 (numpy's linear percentile, as sla_review.devtools.bench) and the count."""
    arr = np.asarray(values, dtype=float)
    return {"median": round(float(np.median(arr)), 1), "p95": round(float(np.percentile(arr, 95)), 1),
            "n": int(arr.size)}


MEASURES = {  # benchmarks.json key -> (samples' names, the figure of a sample, what it is)
    "cold_landing_ms": (("cold:scorecard",), "ms", "cold first page: the landing page (scorecard), new session "
                        "on a just-started server, navigation → done"),
    "cold_page_ms": (tuple(f"cold:{n}" for n in PAGES), "ms", "cold open, every page pooled (each in a new "
                     "session, menu order, after the landing page)"),
    "revisit_ms": (tuple(f"revisit:{n}" for n in PAGES), "ms", "a page visited before in the session (menu "
                   "click → done), every page pooled"),
    "period_change_ms": (("period_change",), "ms", "period preset change on the landing page"),
    "filter_change_ms": (("filter_change",), "ms", "segment filter change (a source added) on the landing page"),
    "language_switch_ms": (("language_switch",), "ms", "language switch (en → ja, ja → en) on the landing page"),
    "slider_numbers_ms": (("slider_threshold",), "numbers_ms", "what-if threshold move → numbers updated"),
    "slider_all_charts_ms": (("slider_threshold",), "ms", "what-if threshold move → every chart redrawn"),
    "weight_numbers_ms": (("slider_weight",), "numbers_ms", "what-if weight move → numbers updated"),
    "weight_all_charts_ms": (("slider_weight",), "ms", "what-if weight move → every chart redrawn"),
    "deck_download_ms": (("deck_download",), "ms", "Export page: build the deck → file downloaded"),
}
BREAKDOWN = ("server_ms", "bytes", "render_ms", "first_message_ms")
"""Each measure's breakdown (medians): the server's script time, the bytes received over the websocket, the
browser's time after the last websocket message, and the time to the first message (on a cold open: loading the
page's HTML and JavaScript and opening the websocket)."""


def _entry(rows: list[dict], figure: str) -> dict:
    """stat() of one figure of the samples, with the medians of their breakdown (the parts they carry)."""
    entry = stat([s[figure] for s in rows])
    for part in BREAKDOWN:
        values = [s[part] for s in rows if part in s]
        if values:
            entry[part] = round(float(np.median(values)), 1)
    return entry


def summarise(samples: dict[str, list[dict]]) -> dict:
    """benchmarks.json's browser entry for one size: each measure's median/p95 and its breakdown's medians;
    each page's cold and revisit figures under "pages"."""
    out: dict[str, Any] = {}
    for key, (names, figure, _) in MEASURES.items():
        rows = [s for n in names for s in samples.get(n, []) if figure in s]
        if rows:
            out[key] = _entry(rows, figure)
    out["pages"] = {n: {kind: _entry(samples[f"{kind}:{n}"], "ms") for kind in ("cold", "revisit")
                        if samples.get(f"{kind}:{n}")} for n in PAGES}
    return out


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f} ms" if value < 10_000 else f"{value / 1000:.1f} s"


def _kb(value: float | None) -> str:
    return "" if value is None else f"{value / 1024:,.0f} KiB"


def markdown(leads: int, browser: dict, server: dict, meta: dict) -> str:
    """The BENCHMARKS.md browser section for one size."""
    lines = [f"<!-- bench browser leads={leads} -->",
             f"### Browser at {leads:,} leads — {meta['when']}", "",
             f"`python -m sla_review.devtools.bench_browser --leads {leads} --runs {meta['runs']}`: Chromium "
             f"{meta['chromium']} against `streamlit run server.py`, {meta['runs']} runs (each a fresh server), "
             f"1-minute load {meta['load'][0]:.1f} at start, {meta['load'][1]:.1f} at end on {os.cpu_count()} CPUs. "
             "\"Done\" = script not running, nothing stale, every visible chart drawn, then 500 ms without a DOM "
             "change; the time is that of the last change (sla_review/devtools/bench_browser.py). Server = the "
             "script's own time; render = after the last websocket message.", "",
             "| interaction | median | p95 | n | server | received | render | target (1M) | holds |",
             "|---|---:|---:|---:|---:|---:|---:|---:|:---:|"]
    for key, (_, _, words) in MEASURES.items():
        e = browser.get(key)
        if e is None:
            continue
        target = TARGETS.get(key)
        holds = "" if target is None or leads != 1_000_000 else ("yes" if e["median"] <= target else "**no**")
        lines.append(f"| {words} | {_ms(e['median'])} | {_ms(e['p95'])} | {e['n']} | {_ms(e.get('server_ms'))} | "
                     f"{_kb(e.get('bytes'))} | {_ms(e.get('render_ms'))} | {_ms(target) if target else ''} | "
                     f"{holds} |")
    lines += ["", "| page | cold median | cold p95 | server | received | render | revisit median | revisit p95 | "
                  "server-side calls (bench, uncached) |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, e in browser["pages"].items():
        cold, again = e.get("cold", {}), e.get("revisit", {})
        calls = server.get(f"page_{name}_ms", {}).get("median")
        lines.append(f"| {name} | {_ms(cold.get('median'))} | {_ms(cold.get('p95'))} | {_ms(cold.get('server_ms'))} | "
                     f"{_kb(cold.get('bytes'))} | {_ms(cold.get('render_ms'))} | {_ms(again.get('median'))} | "
                     f"{_ms(again.get('p95'))} | {_ms(calls)} |")
    lines.append(f"<!-- /bench browser leads={leads} -->")
    return "\n".join(lines) + "\n"


def write_markdown(path: Path, leads: int, section: str) -> None:
    """Replace this size's browser section, else put it right after the size's server-side section, else at
    the end (sla_review.devtools.bench keeps a browser section beside its size when it rewrites the file)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    mine = re.compile(rf"<!-- bench browser leads={leads} -->.*?<!-- /bench browser leads={leads} -->\n?", re.S)
    if mine.search(text):
        text = mine.sub(lambda _: section, text, count=1)
    elif (end := f"<!-- /bench leads={leads} -->\n") in text:
        text = text.replace(end, end + "\n" + section, 1)
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def write_json(path: Path, leads: int, browser: dict, server: dict, meta: dict) -> None:
    """Merge this size into benchmarks.json ({"browser": {leads: ...}, "server": {leads: ...}, "meta": ...})."""
    data = json.loads(path.read_text()) if path.exists() else {}
    for part, value in (("browser", browser), ("server", server), ("meta", meta)):
        data.setdefault(part, {})[str(leads)] = value
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------- server side
def server_side(db: Path, runs: int) -> dict:
    """The same database's server-side figures (the calls each page declares, uncached; the slider), as
    sla_review.devtools.bench times them, in a subprocess (the server is not running yet: DuckDB's lock)."""
    code = ("import json, sys; from sla_review.devtools.bench_browser import _server_side_here; "
            "print(json.dumps(_server_side_here(sys.argv[1], int(sys.argv[2]))))")
    done = subprocess.run([sys.executable, "-c", code, str(db), str(runs)], check=True, capture_output=True,
                          text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _server_side_here(db: str, runs: int) -> dict:
    from sla_review.core.vocabulary import Filters
    from sla_review.devtools import bench
    from sla_review.export.deck import comparison_for
    from sla_review.metrics import whatif

    con = bench._open(Path(db), None)
    period = bench.default_period(con)
    compare, filters = comparison_for(con, period), Filters()
    out: dict[str, Any] = {}
    for name, view in bench.page_views().items():
        timing = bench.measure(name, "page", lambda v=view: v(con.cursor(), period, compare, filters), runs)
        out[f"page_{name.replace(' ', '_').replace('-', '')}_ms"] = {"median": round(timing.median * 1000, 1),
                                                    "p95": round(timing.p95 * 1000, 1), "n": runs}
    whatif.grid(con, period, filters)
    weights = iter(np.random.default_rng(0).random(runs + 1))
    timing = bench.measure("slider", "slider", lambda: whatif.threshold_curve(
        con, period, filters, (w := float(next(weights))), 1 - w), runs)
    out["slider_ms"] = {"median": round(timing.median * 1000, 1), "p95": round(timing.p95 * 1000, 1), "n": runs}
    return out


# ---------------------------------------------------------------------------------------------- entry
def demo_db(leads: int, workdir: Path, reuse: bool, log: Callable[[str], None]) -> Path:
    """The demo database of `leads` leads (built by `python -m sla_review demo`; kept with --reuse)."""
    db = workdir / f"browser-{leads}.duckdb"
    if reuse and db.exists():
        log(f"reusing {db}")
        return db
    for stale in (db, Path(f"{db}.wal")):
        stale.unlink(missing_ok=True)
    log(f"building the {leads:,}-lead demo database {db} ...")
    subprocess.run([sys.executable, "-m", "sla_review", "demo", "--db", str(db), "--leads", str(leads)], check=True,
                   cwd=ROOT)
    return db


def leads_in(db: Path) -> int:
    from sla_review.store.db import connect

    con = connect(db, read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM leads").fetchall()[0][0])
    finally:
        con.close()


def chromium_version() -> str:
    try:
        return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sla_review.devtools.bench_browser",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--leads", default="100000,1000000,10000000", help="comma-separated demo sizes")
    parser.add_argument("--db", help="measure this existing database instead of demo databases")
    parser.add_argument("--runs", type=int, default=5, help="fresh servers per size (each runs every step once)")
    parser.add_argument("--threshold-moves", type=int, default=THRESHOLD_MOVES, help="threshold moves per run")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"a subset of {','.join(STEPS)} (quick A/B runs)")
    parser.add_argument("--samples", help="also write every raw sample here (JSON), for an A/B by script")
    parser.add_argument("--workdir", help="where the demo databases go (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="reuse the demo databases already in --workdir")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"), help="BENCHMARKS.md to write ('' = none)")
    parser.add_argument("--json", default=None, help="benchmarks.json (default: beside --out)")
    args = parser.parse_args(argv)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    tmp = None if args.workdir else Path(tempfile.mkdtemp(prefix="sla-bench-browser-"))
    workdir = Path(args.workdir) if args.workdir else tmp
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        targets = [(Path(args.db), leads_in(Path(args.db)))] if args.db else [
            (None, int(n)) for n in args.leads.split(",") if n.strip()]
        for db, leads in targets:
            started = time.perf_counter()
            db = db or demo_db(leads, workdir, args.reuse, log)
            load0 = os.getloadavg()[0]
            log(f"{leads:,} leads: server-side figures ...")
            server = server_side(db, max(args.runs, 5))
            log(f"{leads:,} leads: {args.runs} browser runs ...")
            samples = measure_db(db, args.runs, args.threshold_moves, log, tuple(args.steps.split(",")))
            meta = {"when": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), "runs": args.runs,
                    "load": [load0, os.getloadavg()[0]], "chromium": chromium_version(),
                    "seconds": round(time.perf_counter() - started)}
            browser = summarise(samples)
            if args.samples:
                Path(args.samples).write_text(json.dumps({str(leads): samples}), encoding="utf-8")
            section = markdown(leads, browser, server, meta)
            print(section)
            if args.out:
                out = Path(args.out)
                write_markdown(out, leads, section)
                write_json(Path(args.json) if args.json else out.with_name("benchmarks.json"), leads, browser,
                           server, meta)
            log(f"{leads:,} leads done in {meta['seconds']} s")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
