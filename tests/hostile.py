"""The markup corpus: the worked example with hostile strings in every user-supplied name, for the tests that
check no page, chart, export or slide renders user text as markup (issue 16, "Nothing user-supplied becomes
markup"). Grow the corpus by adding strings to HOSTILE.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from tests.conftest import WORKED

IMG = "<img src=x onerror=alert(1)>"
LINK = "[x](http://127.0.0.1:9/beacon)"
IMAGE = "![i](http://127.0.0.1:9/i.png)"
ANCHOR = '<a href="http://127.0.0.1:9">x</a>'
BOLD_MD = "**bold**"
BOLD_HTML = "<b>b</b>"
HOSTILE = (IMG, LINK, IMAGE, ANCHOR, BOLD_MD, BOLD_HTML)
NORMAL = ("Tier A & B", "営業部")  # ordinary names that must show exactly as imported (nothing double-escaped)

# where each hostile string goes: (file, column, {old value: new value})
REWRITES = {
    ("leads.csv", "source"): {"webinar": IMAGE, "organic": ANCHOR, "paid-search": IMG, "ebook": BOLD_HTML},
    ("leads.csv", "campaign"): {"spring-webinar": LINK, "brand": BOLD_HTML, "dx-guide": ANCHOR},
    ("leads.csv", "persona"): {"it-manager": BOLD_MD, "engineer": IMG},
    ("leads.csv", "icp_tier"): {"A": NORMAL[0], "B": ANCHOR},
    ("leads.csv", "region"): {"kanto": NORMAL[1], "kansai": LINK},
    ("reps.csv", "name"): {"Sato": ANCHOR, "Tanaka": IMG},
    ("reps.csv", "team"): {"inside-sales": LINK},
    ("stage_events.csv", "reason"): {"no budget": ANCHOR},
}
VERSION_NAMES = (IMG, LINK)  # v1 from 2026-01-01, and a second version from 2026-05-01 (two versions apply)
PERIOD = {"p": "custom", "from": "2026-04-01", "to": "2026-07-01"}

# markup that survived: a tag not preceded by the Markdown escape, a Markdown link/image, bold
RAW_MARKDOWN = re.compile(r"(?<!\\)<(?:img|a |b>)|\]\(http|\*\*bold\*\*")
RAW_PLOTLY = re.compile(r"<(?:img|a|b)[\s>]", re.IGNORECASE)


def hostile_dir(tmp_path: Path) -> Path:
    """A copy of the worked example whose names are the hostile strings (values rewritten, rows unchanged)."""
    target = tmp_path / "hostile"
    shutil.copytree(WORKED, target)
    for (file, column), mapping in REWRITES.items():
        path = target / file
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        fields = list(rows[0])
        for row in rows:
            row[column] = mapping.get(row[column], row[column])
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fields)
            writer.writeheader()
            writer.writerows(rows)
    sla = (target / "sla.toml").read_text(encoding="utf-8")
    first = sla[sla.index("[[versions]]"):]
    second = first.replace('effective_from = "2026-01-01"', 'effective_from = "2026-05-01"').replace(
        "response_target_hours = 2", "response_target_hours = 4").replace("min_attempts = 3", "min_attempts = 2")
    sla = sla.replace('name = "v1"', f"name = {_toml(VERSION_NAMES[0])}") + "\n" + second.replace(
        'name = "v1"', f"name = {_toml(VERSION_NAMES[1])}")
    (target / "sla.toml").write_text(sla, encoding="utf-8")
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def hostile_db(tmp_path: Path) -> Path:
    """The corpus imported into a fresh database file."""
    from sla_review.ingest.importer import import_dir
    from sla_review.store.db import connect

    path = tmp_path / "hostile.duckdb"
    con = connect(path)
    try:
        import_dir(con, hostile_dir(tmp_path))
    finally:
        con.close()
    return path


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def strings(node: object) -> list[str]:
    """Every string inside a JSON-like value (a plotly spec)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    if isinstance(node, list | tuple):
        return [s for v in node for s in strings(v)]
    return []
