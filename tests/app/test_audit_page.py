"""The audit page, the "built on import #N" line and the "data updated" notice (issue 15), through AppTest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sla_review.ingest import audit, data_flow
from sla_review.ingest.mapping import canonical_mapping
from sla_review.present import safe
from sla_review.store.db import connect
from tests.app.conftest import DASHBOARD, goto, no_exception
from tests.conftest import WORKED

pytestmark = pytest.mark.app
PERIOD = {"p": "custom", "from": "2026-04-01", "to": "2026-07-01"}


def page_import(db: Path, author: str) -> int:
    con = connect(db)
    try:
        batch = data_flow.receive_paths([*sorted(WORKED.glob("*.csv")), WORKED / "sla.toml"])
        result = data_flow.preview(batch.frames, canonical_mapping(), sla=batch.sla_texts["sla.toml"], con=con)
        return data_flow.run_import(con, result, batch.sla_texts["sla.toml"], source="Worked example: 5 files",
                                    record=audit.Record("data_page", author, batch.digests())).import_id
    finally:
        con.close()


def test_audit_page_lists_the_import_with_its_author(monkeypatch, tmp_path) -> None:
    db = tmp_path / "a.duckdb"
    first = page_import(db, "bob@example.com")
    monkeypatch.setenv("SLA_DB", str(db))
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    at.query_params.update(PERIOD)
    at.run()
    no_exception(at)
    # under the filters: which import the numbers come from, and who made it
    # (the caption is Markdown: the names in it are escaped by present.safe)
    tail = f" by {safe.markdown('bob@example.com')} · {safe.markdown('Worked example: 5 files')}"
    assert [c.value for c in at.sidebar.caption if c.value.startswith(f"Built on import #{first} of ")
            and c.value.endswith(tail)]
    assert not at.toast
    at = goto(at, "audit")
    no_exception(at)
    [table] = at.dataframe
    frame = table.value
    assert list(frame["Who"]) == ["bob@example.com"]
    assert list(frame["Through"]) == ["Data page"]
    assert list(frame["What"]) == ["Import (replaced everything)"]
    leads = WORKED / "leads.csv"
    assert f"leads.csv ({leads.stat().st_size:,} B, SHA-256 {hashlib.sha256(leads.read_bytes()).hexdigest()[:12]}…)" \
        in frame["Files"][0]
    assert list(frame["Leads after"]) == [6]  # the worked example's six leads

    # another session imports while this one is open: the next run says so, and the line names the new import
    second = page_import(db, "carol@example.com")
    at.run()
    no_exception(at)
    [toast] = [t.value for t in at.toast]
    assert toast.startswith(f"Data updated: import #{second} of ")
    assert toast.endswith(f" by {safe.markdown('carol@example.com')}. Every number on this page is now from it.")
    assert len(at.dataframe[0].value) == 2
