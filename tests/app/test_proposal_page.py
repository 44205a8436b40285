"""The Proposal page through AppTest on the worked example (tests/fixtures/worked; hand-worked figures in
docs/definitions.md and tests/metrics): the page in en and ja, a 4 h target replayed, drafts saved, adoption
from a later date recorded, and an adoption on or before the newest version refused with the validator's words.

Worked example, period 2026-04-01..2026-07-01 (the data's as_of is its last activity, 2026-06-29 17:30 JST; the
replay is the same at 2026-06-30 10:00): 5 handoffs, 3 responded, 2 within 2 business hours, 2 breached, 1
pending -> 2 / 4 = 50.0%. Under a 4 h target the breached response of 3.0 business hours is within: 3 / 4 = 75.0%.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sla_review.ingest import drafts
from sla_review.ingest.importer import stored_config
from sla_review.present import safe
from sla_review.store.db import connect
from tests.hostile import BOLD_MD, IMG, LINK, RAW_MARKDOWN, hostile_db

from .conftest import WORKED_PERIOD, app, goto, no_exception
from .test_markup import markdown_texts


def page(monkeypatch, db: Path, lang: str = "en"):
    at = goto(app(monkeypatch, db, lang=lang, **WORKED_PERIOD), "proposal")
    no_exception(at)
    return at


def widget(items, label: str, last: bool = False):
    """The widget with this label (the editor's comes first; last=True: the adoption's, drawn further down)."""
    found = [x for x in items if x.label == label]
    assert found, f"no widget {label!r} in {[x.label for x in items]}"
    return found[-1] if last else found[0]


def plain(text: str) -> str:
    """A cell as the user reads it: present.safe.markdown's escapes taken out again."""
    return re.sub(r"\\(.)", r"\1", str(text)).replace("\u2060", "")


def tables(at) -> list[dict[str, list[str]]]:
    """The st.table elements as {heading: cells}, unescaped."""
    return [{plain(c): [plain(x) for x in t.value[c]] for c in t.value.columns} for t in at.table]


def table_with(at, heading: str) -> dict[str, list[str]]:
    found = [t for t in tables(at) if heading in t]
    assert found, f"no table with {heading!r} in {[list(t) for t in tables(at)]}"
    return found[0]


def comparison(at) -> dict[str, dict[str, str]]:
    """The side-by-side table (the first table) as {column: {clause: cell}}."""
    table = tables(at)[0]
    clauses = table["Clause"] if "Clause" in table else table["条項"]
    return {c: dict(zip(clauses, cells, strict=True)) for c, cells in table.items() if c not in ("Clause", "条項")}


def read(db: Path, fn):
    con = connect(db)  # the app's cached connection in this process holds the file read-write
    try:
        return fn(con)
    finally:
        con.close()


def test_the_page_renders_in_english_with_the_terms_in_force(monkeypatch, worked_db):
    at = page(monkeypatch, worked_db)
    assert at.title[0].value == "Proposal"
    table = comparison(at)
    assert list(table) == ["In force: v1", "This draft", "Change (This draft)"]
    att = table["In force: v1"]["Handoffs answered within target"]
    assert att.startswith("50.0%") and "Too few to judge (4)" in att  # 2 of 4 judged, under 20 cases
    assert table["This draft"]["Response target (business hours)"] == "2\xa0h"
    # the editor starts from v1; the new version is v2 from the first day after the data's month (Jun 29)
    assert widget(at.text_input, "Version name").value == "v2"
    assert widget(at.date_input, "Effective from").value == dt.date(2026, 7, 1)
    assert widget(at.number_input, "MQL threshold (score)").value == 60
    assert widget(at.selectbox, "Response clock starts at").value == "mql"


def test_the_page_renders_in_japanese(monkeypatch, worked_db):
    at = page(monkeypatch, worked_db, "ja")
    assert at.title[0].value == "提案"
    table = comparison(at)
    assert list(table)[:2] == ["現行: v1", "この案"]
    assert "目標内に対応した引き渡し" in table["現行: v1"]
    assert widget(at.selectbox, "対応時間の起点").value == "mql"


def test_a_4_hour_target_is_replayed_on_the_worked_example(monkeypatch, worked_db):
    at = page(monkeypatch, worked_db)
    at = widget(at.number_input, "Response target (business hours)").set_value(4.0).run()
    no_exception(at)
    table = comparison(at)
    assert table["In force: v1"]["Handoffs answered within target"].startswith("50.0%")
    assert table["This draft"]["Handoffs answered within target"].startswith("75.0%")  # 3 of 4
    assert table["This draft"]["Response target (business hours)"] == "4\xa0h"
    assert table["Change (This draft)"]["Handoffs answered within target"] == ""  # too few: no delta


def test_an_invalid_clause_is_refused_with_the_validators_words(monkeypatch, worked_db):
    at = page(monkeypatch, worked_db)
    at = widget(at.text_input, "Version name").set_value("").run()
    no_exception(at)
    assert at.error and "name" in at.error[0].value
    assert list(comparison(at)) == ["In force: v1"]  # no draft column without a valid draft


def save(at, name: str, target: float):
    at = widget(at.text_input, "Draft name").set_value(name).run()
    at = widget(at.number_input, "Response target (business hours)").set_value(target).run()
    at = widget(at.button, f"Save as draft “{name}”").click().run()
    no_exception(at)
    return at


def test_saving_a_draft_lists_it(monkeypatch, worked_db):
    at = save(page(monkeypatch, worked_db), "Four hours", 4.0)
    assert [s.value for s in at.success] == ["Saved the draft “Four hours”."]
    listed = table_with(at, "Saved")
    assert list(listed["Draft"]) == ["Four hours"]
    assert list(listed["Based on"]) == ["v1"]
    assert " 4\xa0h · " in listed["Terms"][0]
    saved = read(worked_db, drafts.list_drafts)
    assert [(d.name, d.version.response_target_hours, d.author) for d in saved] == [("Four hours", 4.0, None)]
    # compared with the current terms, as a column of its own
    at = widget(at.multiselect, "Compare with saved drafts (up to two)").select("Four hours").run()
    assert comparison(at)["Four hours"]["Handoffs answered within target"].startswith("75.0%")


def test_adopting_from_a_later_date_adds_a_version_and_records_it(monkeypatch, worked_db):
    at = save(page(monkeypatch, worked_db), "Four hours", 4.0)
    assert widget(at.date_input, "Effective from", last=True).value == dt.date(2026, 7, 1)
    said = [w.value for w in at.warning if "Adopting" in w.value]
    assert said and "0" in said[0].rsplit(":", 1)[-1]  # no handoff in the data from Jul 1, 2026
    adopt = widget(at.button, "Adopt as version “v2”")
    assert adopt.disabled  # not before confirming
    at = widget(at.checkbox, "I confirm: add this version to the SLA").check().run()
    at = widget(at.button, "Adopt as version “v2”").click().run()
    no_exception(at)
    assert any("Adopted “Four hours” as version “v2”" in s.value.replace("\\", "") for s in at.success)
    versions = read(worked_db, lambda con: stored_config(con).versions)
    assert [(x.name, x.effective_from, x.response_target_hours) for x in versions] == [
        ("v1", dt.date(2026, 1, 1), 2.0), ("v2", dt.date(2026, 7, 1), 4.0)]
    made = read(worked_db, drafts.adoptions)
    assert [(a.draft, a.version, a.effective_from, a.author) for a in made] == [
        ("Four hours", "v2", dt.date(2026, 7, 1), None)]
    history = table_with(at, "v1")
    rows = {clause: (a, b) for clause, a, b in zip(history["Clause"], history["v1"], history["v2"], strict=True)}
    assert rows["In force from"] == ("Jan 1, 2026", "Jul 1, 2026")
    assert rows["Until"] == ("Jun 30, 2026", "—")
    assert rows["Response target (business hours)"] == ("2\xa0h", "4\xa0h")
    assert rows["Now"] == ("in force for this view", "not yet in force")  # the data ends Jun 29
    adopted = table_with(at, "From draft")
    assert (adopted["From draft"], adopted["Version"], adopted["By"]) == (["Four hours"], ["v2"], ["(no sign-in)"])
    assert "Download sla.toml" in [b.label for b in at.get("download_button")]
    # the period's judgments keep v1: the current column still says 50.0%
    assert comparison(at)["In force: v1"]["Handoffs answered within target"].startswith("50.0%")


def test_adopting_on_or_before_the_newest_version_is_refused(monkeypatch, worked_db):
    at = save(page(monkeypatch, worked_db), "Four hours", 4.0)
    at = widget(at.date_input, "Effective from", last=True).set_value(dt.date(2026, 1, 1)).run()
    no_exception(at)
    refusal = [e.value.replace("\\", "").replace("\u2060", "") for e in at.error]
    assert any('"2026-01-01" is on or before 2026-01-01, when v1 took effect: a new version starts after the newest'
               in e for e in refusal), refusal
    assert not [b for b in at.button if b.label.startswith("Adopt as")]
    assert [x.name for x in read(worked_db, lambda con: stored_config(con).versions)] == ["v1"]


def test_hostile_draft_names_and_notes_are_shown_as_text(monkeypatch, tmp_path):
    db = hostile_db(tmp_path)  # its versions are named like markup too
    name = f"{LINK} {BOLD_MD}"
    at = page(monkeypatch, db)
    at = widget(at.text_area, "Note").set_value(IMG).run()
    at = widget(at.text_input, "Draft name").set_value(name).run()
    at = widget(at.button, f"Save as draft “{safe.markdown(name)}”").click().run()  # a label renders Markdown
    no_exception(at)
    at = widget(at.multiselect, "Compare with saved drafts (up to two)").select(name).run()
    no_exception(at)
    texts = markdown_texts(at) + [b.label for b in at.button] + [t.label for t in at.tabs]
    assert name in tables(at)[0]  # the saved draft's column, headed by its name as typed
    leaked = [x for x in texts if RAW_MARKDOWN.search(x)]
    assert not leaked, leaked
    assert [d.note for d in read(db, drafts.list_drafts)] == [IMG]  # stored exactly as typed
