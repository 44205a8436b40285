"""A meeting room's load (issue 15): N concurrent browser sessions on one server, each switching pages and moving
the what-if slider for a few minutes, with an import on the Data page in the middle — errors, page render p50/p95,
slider p50/p95, the server's CPU and memory. A benchmark, not a test: it asserts nothing.

    python -m sla_review.devtools.load --leads 1000000 --sessions 5,10,20 --seconds 120

Each session is its own browser context (its own Streamlit session) in one Debian Chromium, driven concurrently
(Playwright's async API). A "render" is a menu click → the page drawn and Streamlit idle (bench_browser's IDLE:
script not running, nothing stale, every visible chart drawn, 500 ms quiet); a "slider" is one arrow-key move of the
what-if threshold → idle. An error is a Streamlit exception box on the page, a page error in the browser, or a wait
over TIMEOUT_S. Halfway through, one more session uploads a smaller demo export (canonical CSVs and sla.toml) on
the Data page and replaces the data; the viewers keep going and must see no error. CPU and RSS are read from
/proc for the server process every second (CPU as % of one core). Results go to BENCHMARKS.md ("Load") and to
benchmarks.json under "load".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from sla_review.devtools.bench_browser import IDLE, INIT, PAGES, demo_db
from sla_review.devtools.serve import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from sla_review.store.sql import ROOT

TIMEOUT_S = 60
# Every session is a person looking at their own screen: without these, Chromium treats all but one page as a
# background tab and throttles its timers and animation frames, so charts wait to draw (a measurement artifact).
FOREGROUND = ["--disable-background-timer-throttling", "--disable-renderer-backgrounding",
              "--disable-backgrounding-occluded-windows"]
REVIEW = [p for p in PAGES if p in ("scorecard", "funnel", "conversion", "response", "whatif", "closed_loop")]
IMPORT_LEADS = 20_000
SHOT = Path(tempfile.gettempdir()) / "sla-load-import-failed.png"  # what the importing session saw, if it failed


def _server_pid(port: int) -> int | None:
    """The streamlit process listening on `port` (found by its command line)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(cmd) and str(port).encode() in cmd:
            return int(entry.name)
    return None


class Sampler(threading.Thread):
    """CPU (% of one core) and RSS (MB) of one process, once a second."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples, self.stop = pid, [], threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")

    def _cpu(self) -> float:
        parts = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / self.tick

    def _rss(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def run(self) -> None:
        last_cpu, last_t = self._cpu(), time.monotonic()
        while not self.stop.wait(1.0):
            try:
                cpu, now = self._cpu(), time.monotonic()
                self.samples.append((100 * (cpu - last_cpu) / (now - last_t), self._rss()))
                last_cpu, last_t = cpu, now
            except OSError:
                return


async def settle(page: Any, mark: float) -> float:
    handle = await page.wait_for_function(IDLE, arg={"mark": mark, "quiet": 500}, polling=100,
                                          timeout=TIMEOUT_S * 1000)
    got = await handle.json_value()
    return got["end"] - got["t0"]


async def viewer(browser: Any, url: str, index: int, deadline: float, out: dict) -> None:
    """One person: opens the dashboard, then visits the review pages in turn; on the what-if page, two slider
    moves. Every wait is a sample; an exception box, a page error or a timeout is an error."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    await context.add_init_script(INIT)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    try:
        await page.goto(url, timeout=TIMEOUT_S * 1000)
        out["render"].append(await settle(page, 0.0))
    except Exception as err:  # noqa: BLE001 - a benchmark counts failures, it does not stop on them
        out["errors"].append(f"session {index} open: {type(err).__name__}: {str(err).splitlines()[0]}"[:200])
    step = index + 1  # sessions start on different pages (never a click on the page already open: no rerun)
    while time.monotonic() < deadline:
        name = REVIEW[step % len(REVIEW)]
        step += 1
        try:
            mark = await page.evaluate("() => performance.now()")
            await page.locator('[data-testid="stSidebarNavLink"]').nth(PAGES.index(name)).click()
            out["render"].append(await settle(page, mark))
            if name == "whatif":
                slider = page.get_by_role("slider").first
                await slider.focus()
                for _ in range(2):
                    mark = await page.evaluate("() => performance.now()")
                    await page.keyboard.press("ArrowRight")
                    out["slider"].append(await settle(page, mark))
            if await page.get_by_test_id("stException").count():
                out["errors"].append(f"session {index} {name}: exception shown")
        except Exception as err:  # noqa: BLE001
            at = out["seconds"] - (deadline - time.monotonic())  # when the wait ran out, from the start
            out["errors"].append(f"session {index} {name} at {at:.0f} s: {type(err).__name__}: "
                                 f"{str(err).splitlines()[0]}"[:200])
            shot = SHOT.with_name(f"sla-load-session-{index}-{len(out['errors'])}.png")
            with contextlib.suppress(Exception):  # what the person saw when the wait ran out
                await page.screenshot(path=str(shot))
                out.setdefault("shots", []).append(str(shot))
    out["errors"].extend(f"session {index}: {e}" for e in errors)
    await context.close()


async def importer(browser: Any, url: str, files: list[Path], at: float, out: dict) -> None:
    """At `at`, replace the data through the Data page (upload, then Import), timed from the click to the
    outcome."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    try:
        await page.goto(f"{url}/data", timeout=TIMEOUT_S * 1000)
        await page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([str(f) for f in files])
        button = page.get_by_role("button", name=re.compile(r"^Import [\d,]+ leads$"))
        await button.wait_for(timeout=300_000)
        await page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=300_000)
        start = time.monotonic()
        await button.click()
        await page.get_by_text(re.compile(r"^Imported [\d,]+ leads")).wait_for(timeout=600_000)
        out["import_s"] = time.monotonic() - start
        out["import_at_s"] = out["seconds"] / 2
    except Exception as err:  # noqa: BLE001
        out["errors"].append(f"import: {type(err).__name__}: {str(err).splitlines()[0]}"[:200])
        await page.screenshot(path=str(SHOT), full_page=True)
    await context.close()


async def one_load(url: str, sessions: int, seconds: float, files: list[Path]) -> dict:
    from playwright.async_api import async_playwright

    out: dict[str, Any] = {"render": [], "slider": [], "errors": [], "seconds": seconds}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FOREGROUND])
        start = time.monotonic()
        deadline = start + seconds
        tasks = [viewer(browser, url, i, deadline, out) for i in range(sessions)]
        tasks.append(importer(browser, url, files, start + seconds / 2, out))
        await asyncio.gather(*tasks)
        await browser.close()
    return out


def stat(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"n": 0}
    a = np.asarray(values)
    return {"median": round(float(np.median(a)), 1), "p95": round(float(np.percentile(a, 95)), 1), "n": len(values)}


def import_files(workdir: Path) -> list[Path]:
    """A smaller demo export (IMPORT_LEADS leads: the canonical tables as Parquet, and sla.toml): what the editor
    uploads."""
    folder = workdir / f"import-{IMPORT_LEADS}"
    if not (folder / "leads.csv").exists():
        from sla_review.ingest.demo import generate

        generate(folder, leads=IMPORT_LEADS, seed=11)
    return sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".parquet", ".toml"))


def run(db: Path, sessions: int, seconds: float, files: list[Path], log_dir: Path) -> dict:
    port_log = log_dir / f"load-{sessions}.log"
    with streamlit_server(db, port_log) as url:
        port = int(url.rsplit(":", 1)[1])
        pid = _server_pid(port)
        sampler = Sampler(pid) if pid else None
        if sampler:
            sampler.start()
        out = asyncio.run(one_load(url, sessions, seconds, files))
        if sampler:
            sampler.stop.set()
            sampler.join()
    cpu = [c for c, _ in sampler.samples] if sampler else []
    rss = [r for _, r in sampler.samples] if sampler else []
    return {"sessions": sessions, "seconds": seconds, "render_ms": stat(out["render"]),
            "slider_ms": stat(out["slider"]), "errors": len(out["errors"]), "error_examples": out["errors"][:5],
            "import_s": round(out.get("import_s", float("nan")), 1) if "import_s" in out else None,
            "cpu_pct": {"mean": round(float(np.mean(cpu)), 0) if cpu else None,
                        "max": round(float(np.max(cpu)), 0) if cpu else None},
            "rss_mb": {"max": round(float(np.max(rss)), 0) if rss else None}}


def markdown(leads: int, rows: list[dict], meta: dict) -> str:
    lines = [f"<!-- bench load leads={leads} -->",
             f"## Load: a meeting room on {leads:,} leads (issue 15) — {meta['when']}", "",
             f"`{meta['command']}` on {meta['machine']}. Browsers and server share the machine's cores. Each "
             "session switches review pages through the menu and moves the what-if threshold twice per visit; "
             f"halfway, one more session replaces the data on the Data page with a {IMPORT_LEADS:,}-lead export. "
             "Render = click → page drawn and idle; slider = key → idle.", "",
             "| sessions | errors | renders | render p50 | render p95 | slider p50 | slider p95 | import | "
             "server CPU mean / max | server RSS max |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        ms = lambda s: f"{s['median'] / 1000:.2f} s" if s.get("n") else "—"  # noqa: E731
        p95 = lambda s: f"{s['p95'] / 1000:.2f} s" if s.get("n") else "—"  # noqa: E731
        imp = f"{r['import_s']:.1f} s" if r["import_s"] is not None else "failed"
        lines.append(f"| {r['sessions']} | {r['errors']} | {r['render_ms'].get('n', 0)} | {ms(r['render_ms'])} | "
                     f"{p95(r['render_ms'])} | {ms(r['slider_ms'])} | {p95(r['slider_ms'])} | {imp} | "
                     f"{r['cpu_pct']['mean']}% / {r['cpu_pct']['max']}% | {r['rss_mb']['max']} MB |")
    examples = [e for r in rows for e in r["error_examples"]]
    if examples:
        lines += ["", "Errors seen (first of each run): " + "; ".join(f"`{e}`" for e in examples[:10])]
    lines.append(f"<!-- /bench load leads={leads} -->")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--sessions", default="5,10,20")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sla-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    files = import_files(workdir)
    rows = []
    pristine = demo_db(args.leads, workdir, reuse=args.reuse, log=print)
    for n in (int(x) for x in args.sessions.split(",")):
        db = workdir / f"load-{n}.duckdb"  # each run starts from the same data (the import replaces it)
        shutil.copyfile(pristine, db)
        Path(f"{db}.wal").unlink(missing_ok=True)
        print(f"{n} sessions for {args.seconds:.0f} s ...", flush=True)
        row = run(db, n, args.seconds, files, workdir)
        print(json.dumps(row), flush=True)
        rows.append(row)
    meta = {"when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": "python -m sla_review.devtools.load " + " ".join(argv if argv is not None else sys.argv[1:]),
            "machine": f"{os.cpu_count()} cores, Chromium "
                       + subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()}
    text = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Benchmarks\n"
    section = markdown(args.leads, rows, meta)
    mine = re.compile(rf"<!-- bench load leads={args.leads} -->.*?<!-- /bench load leads={args.leads} -->\n?", re.S)
    text = mine.sub(lambda _: section, text, count=1) if mine.search(text) else text.rstrip() + "\n\n" + section
    args.out.write_text(text, encoding="utf-8")
    js = args.out.with_name("benchmarks.json")
    data = json.loads(js.read_text()) if js.exists() else {}
    data.setdefault("load", {})[str(args.leads)] = {"runs": rows, "meta": meta}
    js.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
