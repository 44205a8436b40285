"""What a person waits for: moving the what-if threshold slider until the chart on screen shows the new
threshold, measured in Debian's Chromium against `streamlit run` (a benchmark, not a test: it asserts nothing).

    python -m sla_review.devtools.bench_browser --db PATH [--moves 20]

Each move is one ArrowRight/ArrowLeft key press on the slider; the clock runs in the browser
(performance.now) from the key press until the volume-vs-yield chart's legend reads "Proposed (t = N)"
for the new N and Streamlit's status widget says the run is over.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
from pathlib import Path

from sla_review.devtools.serve import CHROMIUM, CHROMIUM_ARGS, streamlit_server

DONE = """(t) => {
  const chart = document.querySelector('[data-testid="stPlotlyChart"]');
  const s = document.querySelector('[data-testid="stStatusWidget"]');
  return chart && chart.textContent.includes(`Proposed (t = ${t})`) && (!s || !/Running/.test(s.innerText));
}"""


def measure(db: Path, moves: int = 20) -> list[float]:
    """Milliseconds from key press to updated chart, one per move (after one warm-up page load)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as logs, streamlit_server(db, Path(logs) / "server.log") as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{url}/whatif?lang=en", timeout=120_000)
            slider = page.get_by_role("slider", name="Proposed MQL threshold")
            slider.wait_for(timeout=120_000)
            page.wait_for_function("() => /Proposed \\(t = \\d+\\)/.test(document.querySelector("
                                   "'[data-testid=\"stPlotlyChart\"]')?.textContent || '')", timeout=120_000)
            legend = page.locator('[data-testid="stPlotlyChart"]').first.text_content() or ""
            threshold = int(re.search(r"Proposed \(t = (\d+)\)", legend).group(1))
            timings = []
            for i in range(moves):
                key, step = ("ArrowRight", 1) if i % 2 == 0 else ("ArrowLeft", -1)
                slider.focus()
                start = page.evaluate("() => performance.now()")
                slider.press(key)
                threshold += step
                page.wait_for_function(DONE, arg=threshold, timeout=60_000)
                timings.append(page.evaluate("() => performance.now()") - start)
            browser.close()
        return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sla_review.devtools.bench_browser",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--moves", type=int, default=20)
    args = parser.parse_args(argv)
    timings = sorted(measure(Path(args.db), args.moves))
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    print(f"slider move to updated chart in Chromium, {len(timings)} moves: median {statistics.median(timings):.0f} ms,"
          f" p95 {p95:.0f} ms, min {timings[0]:.0f} ms, max {timings[-1]:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
