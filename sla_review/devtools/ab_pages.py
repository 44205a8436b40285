"""Time each page's default view on one database with the code of one checkout, for an A/B between commits.

`python -m sla_review.devtools.ab_pages REPO DB` prints, as JSON, each page's median wall and CPU milliseconds
over 9 runs after a cold one (the calls the page declares, bench.page_views, period Apr-Sep 2026 with its
comparison, no filter). Run it alternately for two checkouts (`git worktree add /tmp/old COMMIT`) on the same
database: the machine's drift then hits both sides alike (BENCHMARKS.md, Findings).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time


def main(repo: str, db: str, runs: int = 9) -> dict[str, tuple[float, float]]:
    sys.path.insert(0, repo)
    os.chdir(repo)
    from sla_review.core.vocabulary import Filters
    from sla_review.devtools import bench
    from sla_review.export.deck import comparison_for
    from sla_review.metrics.report import make_period
    from sla_review.store.db import connect

    con = connect(db, read_only=True)
    period = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 10, 1))
    comparison, filters = comparison_for(con, period), Filters()
    out: dict[str, tuple[float, float]] = {}
    for name, run in bench.page_views().items():
        run(con.cursor(), period, comparison, filters)
        wall, cpu = [], []
        for _ in range(runs):
            t, u = time.perf_counter(), time.process_time()
            run(con.cursor(), period, comparison, filters)
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - u)
        out[name] = (round(statistics.median(wall) * 1000, 1), round(statistics.median(cpu) * 1000, 1))
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
