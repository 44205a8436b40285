"""The Data page: the logic after "files received" (sla_review.ingest.data_flow) with the real datasets and the bad
fixtures, then the page itself through AppTest.

AppTest cannot upload files, so the page keeps what the uploads gave in session state (``dp_sig`` = the
uploaded files' ids, ``dp_batch`` = the Batch); these tests put a Batch there, as an upload would, and drive
the rest of the page (mapping, preview, import) through its widgets.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from sla_review.core.problems import Problem
from sla_review.ingest import data_flow as flow
from sla_review.ingest.byod import import_mapped
from sla_review.ingest.importer import ImportFailed, import_dir
from sla_review.ingest.mapping import Mapping, MappingError
from sla_review.ingest.readers import SourceError, read_table
from sla_review.metrics.report import build_report, make_period
from sla_review.present import i18n
from sla_review.present.data_page_text import text
from sla_review.store.db import connect, data_version
from tests.conftest import OLIST_DIR as OLIST
from tests.conftest import ROOT, WORKED, XED_DIR
from tests.ingest.test_mapping import JAPANESE_PRESET

from .conftest import app, goto, metric, no_exception

OLIST_FILES = [OLIST / "olist_marketing_qualified_leads_dataset.csv", OLIST / "olist_closed_deals_dataset.csv"]
XED = XED_DIR / "Leads.csv"
BAD = ROOT / "tests" / "fixtures" / "bad"


def funnel(db: Path | str, start: str = "2017-01-01", end: str = "2020-01-01") -> dict[str, int]:
    """The cohort funnel build_report gives for a period (what the funnel page shows)."""
    con = connect(db)  # read-write: the app's cached connection in this process holds the file read-write
    try:
        period = make_period(con, dt.date.fromisoformat(start), dt.date.fromisoformat(end))
        return {s["stage"]: s["count"] for s in build_report(con, period, [])["funnel_cohort"]}
    finally:
        con.close()


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


# ====================================================================================== data_flow: receiving


def test_receive_keeps_names_and_sizes_and_sorts_toml_files():
    csv = b"lead_id,created_at\nA,2026-04-01\n"
    batch = flow.receive([
        ("C:\\Users\\me\\Downloads\\leads.csv", csv),      # a Windows path: only the base name is kept
        ("../../leads.csv", csv),                            # same name again: kept apart, not overwritten
        ("..", csv),                                         # no usable name at all
        ("sla.toml", flow.template_text().encode()),
        ("mine.toml", Mapping.from_toml(JAPANESE_PRESET).to_toml().encode()),
        ("notes.toml", b"title = 'hello'\n"),
        ("broken.toml", b"[leads\n"),
    ])
    by_name = {f.name: f for f in batch.files}
    assert list(by_name) == ["leads.csv", "leads (2).csv", "upload", "sla.toml", "mine.toml", "notes.toml",
                             "broken.toml"]
    assert by_name["leads.csv"].kind == "data" and by_name["leads.csv"].size == len(csv)
    assert by_name["leads.csv"].rows == 1 and by_name["leads.csv"].columns == 2
    assert set(batch.frames) == {"leads.csv", "leads (2).csv", "upload"}
    assert batch.sla_texts == {"sla.toml": flow.template_text()}
    assert by_name["sla.toml"].message == "Asia/Tokyo"
    assert batch.mappings["mine.toml"] == Mapping.from_toml(JAPANESE_PRESET)
    assert by_name["notes.toml"].kind == "unreadable" and "neither a mapping preset" in by_name["notes.toml"].message
    assert by_name["broken.toml"].kind == "unreadable" and "not valid TOML" in by_name["broken.toml"].message
    assert flow.builtin_key(batch.detected) == "canonical"


def test_a_file_over_the_limit_is_refused_with_the_readers_message(tmp_path):
    data = b"lead_id,created_at\n" + b"A,2026-04-01\n" * 100
    batch = flow.receive([("big.csv", data)], max_bytes=1000)
    (info,) = batch.files
    assert info.kind == "unreadable" and info.size == len(data)
    (tmp_path / "big.csv").write_bytes(data)
    with pytest.raises(SourceError) as err:
        read_table(tmp_path / "big.csv", max_bytes=1000)
    assert info.message == str(err.value) and "larger than the 1000 bytes limit" in info.message
    assert not batch.frames and batch.detected is None


@pytest.mark.parametrize("name", ["binary_renamed.csv", "empty.csv", "no_header.csv", "ragged_rows.csv"])
def test_unreadable_files_get_the_plain_language_message(name):
    batch = flow.receive([(name, (BAD / name).read_bytes())])
    (info,) = batch.files
    with pytest.raises(SourceError) as err:
        read_table(BAD / name)
    assert info.kind == "unreadable" and info.message == str(err.value)
    assert batch.problems[0].file == name and not batch.frames


# ====================================================================================== data_flow: real datasets


@pytest.mark.datasets
@pytest.mark.parametrize("mql_file", ["olist_marketing_qualified_leads_dataset.csv",
                                      "olist_marketing_qualified_leads_dataset.raw_ddmmyyyy.csv"])
def test_olist_is_recognised_previewed_and_imported(tmp_path, mql_file):
    batch = flow.receive([(p.name, p.read_bytes()) for p in (OLIST / mql_file, OLIST_FILES[1])])
    assert flow.builtin_key(batch.detected) == "olist_marketing_funnel"
    con = connect(tmp_path / "app.duckdb")
    result = flow.preview(batch.frames, batch.detected, sla=flow.template_text(), con=con)
    assert result.ok, messages(result.problems)
    assert result.counts == {"leads": 8000, "stage_events": 8842, "activities": 0, "reps": 41}
    assert not result.warnings
    assert data_version(con) == 0, "the preview must not write the app's database"
    summary = flow.run_import(con, result, flow.template_text(), mode="replace",
                              source=flow.source_label(batch.detected.name, batch.frames))
    assert summary.rows["leads"] == 8000
    loaded = flow.loaded_summary(con)
    assert loaded.counts == {"leads": 8000, "stage_events": 8842, "activities": 0, "reps": 41}
    assert loaded.latest["source"] == f"Olist marketing funnel: {mql_file}, olist_closed_deals_dataset.csv"
    assert not loaded.is_demo and loaded.timezone == "Asia/Tokyo" and loaded.sla_versions == 1
    con.close()
    counts = funnel(tmp_path / "app.duckdb")
    assert counts["mql"] == 8000 and counts["won"] == 842  # PROVENANCE.md: 8,000 MQLs, 842 deals


@pytest.mark.datasets
def test_x_education_is_recognised_and_previewed():
    batch = flow.receive_paths([XED])
    assert flow.builtin_key(batch.detected) == "x_education_leads"
    result = flow.preview(batch.frames, batch.detected, sla=flow.template_text())
    assert result.ok, messages(result.problems)
    assert result.counts["leads"] == 9240
    head = result.head("leads")
    assert head.height == flow.PREVIEW_ROWS and head.columns[:2] == ["lead_id", "created_at"]
    assert head["created_at"].unique().to_list() == ["2019-01-01"]


@pytest.mark.datasets
def test_an_excel_workbook_from_japan_and_a_parquet_file_are_read_too():
    from openpyxl import Workbook

    source = read_table(BAD / "shift_jis_japanese.csv")
    columns = [c for c in source.columns if not c.startswith("__")]
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in source.select(columns).iter_rows():
        sheet.append(list(row))
    sheet.append(["J005", dt.datetime(2024, 4, 6, 9, 30), "展示会", "新規", None, "佐藤", "株式会社X"])  # a date cell
    xlsx = io.BytesIO()
    book.save(xlsx)
    batch = flow.receive([("リード一覧.xlsx", xlsx.getvalue())])
    assert [(f.name, f.kind, f.rows) for f in batch.files] == [("リード一覧.xlsx", "data", 5)]
    result = flow.preview(batch.frames, flow.editor_mapping(flow.guess_editor(batch.frames), batch.frames),
                          sla=flow.template_text())
    assert result.ok, messages(result.problems)
    assert result.tables["leads"]["created_at"].to_list()[-1] == "2024-04-06T09:30:00"

    parquet = io.BytesIO()
    pl.read_csv(OLIST_FILES[0], infer_schema=False).write_parquet(parquet)
    batch = flow.receive([("olist_marketing_qualified_leads_dataset.parquet", parquet.getvalue()),
                          (OLIST_FILES[1].name, OLIST_FILES[1].read_bytes())])
    assert flow.builtin_key(batch.detected) == "olist_marketing_funnel"
    assert flow.preview(batch.frames, batch.detected, sla=flow.template_text()).counts["leads"] == 8000


@pytest.mark.datasets
def test_append_mode_checks_against_what_is_loaded(tmp_path):
    con = connect(tmp_path / "app.duckdb")
    batch = flow.receive_paths(OLIST_FILES)
    first = flow.preview(batch.frames, batch.detected, sla=flow.template_text(), con=con)
    flow.run_import(con, first, flow.template_text(), source="first")
    again = flow.preview(batch.frames, batch.detected, sla=None, mode="append", con=con)
    assert not again.ok
    assert "appears more than once; each lead_id must be unique (including leads already in the database)" in \
        again.problems[0].message
    # 8,000 leads appended onto the same 8,000: every new row is a duplicate; 20 are listed, 8,000 − 20 = 7,980
    # counted on one "… and 7,980 more rows" line, and the count says 8,000
    listed = [p for p in again.problems if p.key == "import.duplicate_lead_append"]
    assert len(listed) == 20 and [p.count for p in again.problems if p.key == "import.more_rows"] == [7980]
    assert again.problem_count == 8000
    replace = flow.preview(batch.frames, batch.detected, sla=None, mode="replace", con=con)
    assert replace.ok, messages(replace.problems)  # None = keep the stored SLA, spelled out for the dry run
    assert data_version(con) == 1
    con.close()


# ====================================================================================== data_flow: bad files


def test_duplicate_ids_are_found_before_anything_is_written(tmp_path):
    con = connect(tmp_path / "app.duckdb")
    batch = flow.receive_paths([BAD / "duplicate_ids.csv"])
    assert flow.builtin_key(batch.detected) == "canonical"
    result = flow.preview(batch.frames, batch.detected, sla=flow.template_text(), con=con)
    assert not result.ok
    assert [(p.file, p.row, p.column, p.value) for p in result.problems] == [
        ("duplicate_ids.csv", 2, "lead_id", "L1"), ("duplicate_ids.csv", 4, "lead_id", "L1")]
    with pytest.raises(ImportFailed):
        flow.run_import(con, result, flow.template_text(), source="x")
    assert flow.loaded_summary(con).empty and data_version(con) == 0
    con.close()


def test_unknown_lead_references_come_from_the_importers_checks():
    batch = flow.receive_paths([BAD / "formula_values.csv", BAD / "unknown_lead_refs.csv"])
    assert flow.builtin_key(batch.detected) == "canonical"
    result = flow.preview(batch.frames, batch.detected, sla=flow.template_text())
    assert messages(result.problems) == [
        'unknown_lead_refs.csv, row 3, column "lead_id": "L99" refers to a lead that is not in leads']
    # formulas stay text: what the preview shows is what will be stored
    assert result.head("leads")["company"].to_list() == ['=HYPERLINK("http://example.com","click")', "=1+1"]


@pytest.mark.parametrize(("name", "preset", "expected"), [
    ("mixed_date_formats.csv", "hubspot", 'row 5, column "Create Date": "13/04/2023" is day-first'),
    ("unparseable_dates.csv", "hubspot", 'row 3, column "Create Date": "31/02/2023" is not a date'),
    ("unknown_status.csv", "salesforce", '"Pending Review" is not a value the mapping knows for stages'),
    ("score_out_of_scale.csv", "x_education_leads", '"25" is outside the scale 7–18'),
])
def test_mapping_problems_name_file_row_column_and_value(name, preset, expected):
    batch = flow.receive_paths([BAD / name])
    assert flow.builtin_key(batch.detected) == preset
    result = flow.preview(batch.frames, batch.detected, sla=flow.template_text())
    assert not result.ok
    assert any(expected in m for m in messages(result.problems)), messages(result.problems)
    assert all(p.file in (name, batch.detected.name) for p in result.problems)


def test_importer_problems_on_rows_the_mapping_already_reported_are_not_repeated():
    batch = flow.receive_paths([BAD / "unparseable_dates.csv"])
    result = flow.preview(batch.frames, batch.detected, sla=flow.template_text())
    rows = [p.row for p in result.problems if p.column == "Create Date"]
    assert result.follow_on > 0
    assert not [p for p in result.problems if p.column == "created_at" and p.row in rows]


# ====================================================================================== data_flow: the editor


def test_editor_guesses_a_japanese_export_and_matches_the_hand_written_preset(tmp_path):
    batch = flow.receive([("shift_jis_japanese.csv", (BAD / "shift_jis_japanese.csv").read_bytes())])
    assert batch.detected is None
    spec = flow.guess_editor(batch.frames)
    assert {k: c.value for k, c in spec.fields.items() if c.kind == "column"} == {
        "lead_id": "リードID", "created_at": "作成日", "source": "流入元", "company": "会社名", "owner_id": "担当者"}
    assert spec.status_column == "ステータス" and spec.status_date == "ステータス変更日"
    assert spec.status_map == {"新規": "", "対応中": "sal", "商談化": "sql", "失注": "lost"}
    mapping = flow.editor_mapping(spec, batch.frames)
    assert Mapping.from_toml(mapping.to_toml()) == mapping  # the download reads back as the same mapping
    result = flow.preview(batch.frames, mapping, sla=flow.template_text())
    assert result.ok, messages(result.problems)
    con = connect(tmp_path / "editor.duckdb")
    flow.run_import(con, result, flow.template_text(), source="editor")
    preset = tmp_path / "preset.toml"
    preset.write_text(JAPANESE_PRESET, encoding="utf-8")
    ref = connect(tmp_path / "preset.duckdb")
    import_mapped(ref, preset, [BAD / "shift_jis_japanese.csv"])
    query = "SELECT lead_id, source, company, sal_at, sql_at, lost_at, owner_id FROM lead_facts ORDER BY lead_id"
    assert con.execute(query).fetchall() == ref.execute(query).fetchall()
    assert con.execute("SELECT count(*) FROM lead_facts").fetchall() == [(4,)]


def test_the_downloaded_mapping_works_on_the_command_line_and_as_an_upload(tmp_path):
    batch = flow.receive_paths([BAD / "shift_jis_japanese.csv"])
    toml = flow.editor_mapping(flow.guess_editor(batch.frames), batch.frames).to_toml()
    saved = tmp_path / f"{flow.slug('shift_jis_japanese mapping')}.toml"
    saved.write_text(toml, encoding="utf-8")
    db = tmp_path / "cli.duckdb"
    run = subprocess.run([sys.executable, "-m", "sla_review", "import", "--db", str(db), "--mapping", str(saved),
                          str(BAD / "shift_jis_japanese.csv")], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "Imported 4 leads" in run.stdout
    again = flow.receive([(saved.name, saved.read_bytes()),
                          ("shift_jis_japanese.csv", (BAD / "shift_jis_japanese.csv").read_bytes())])
    assert list(again.mappings) == [saved.name]
    assert flow.preview(again.frames, again.mappings[saved.name], sla=flow.template_text()).ok


def test_editor_requires_an_id_and_a_creation_date_and_takes_a_constant():
    batch = flow.receive_paths([BAD / "missing_required_column.csv"])
    assert batch.detected is None
    spec = flow.guess_editor(batch.frames)
    assert spec.fields["lead_id"].value == "lead_id" and spec.fields["created_at"].kind == "none"
    with pytest.raises(MappingError, match="created_at"):
        flow.editor_mapping(spec, batch.frames)
    fields = dict(spec.fields, created_at=flow.FieldChoice("const", "2026-04-01"))
    mapping = flow.editor_mapping(flow.EditorSpec(name="fixed", file=spec.file, fields=fields), batch.frames)
    result = flow.preview(batch.frames, mapping, sla=flow.template_text())
    assert result.ok, messages(result.problems)
    assert result.head("leads").select("lead_id", "created_at", "fit_score").rows() == [
        ("L1", "2026-04-01", "80"), ("L2", "2026-04-01", "70")]


@pytest.mark.parametrize(("fmt", "expected", "problem"), [
    ("auto", "2024-05-04", None),            # both readings possible: auto reads day-first (and warns)
    ("day_first", "2024-05-04", None),
    ("month_first", "2024-04-05", None),
    ("iso", None, "is not a date"),
])
def test_editor_date_formats(fmt, expected, problem):
    frames = {"x.csv": pl.DataFrame({"ID": ["A"], "Created": ["04.05.2024"], "Won on": ["06.05.2024"],
                                     "__file": ["x.csv"], "__row": [2]})}
    fields = {"lead_id": flow.FieldChoice("column", "ID"), "created_at": flow.FieldChoice("column", "Created")}
    spec = flow.EditorSpec(file="x.csv", fields=fields, stage_columns={"Won on": "won"}, date_format=fmt)
    mapping = flow.editor_mapping(spec, frames)
    if fmt in ("day_first", "month_first"):
        assert mapping.dates.columns["Created"] in ("DD.MM.YYYY", "MM.DD.YYYY")  # each column's own separator
    result = flow.preview(frames, mapping, sla=flow.template_text())
    assert result.tables["leads"]["created_at"].to_list() == [expected]
    if problem:
        assert any(problem in p.message for p in result.problems)
    else:
        assert result.ok, messages(result.problems)


def test_editor_rescales_a_score_and_maps_wide_stage_columns():
    frames = {"x.csv": pl.DataFrame({"ID": ["A", "B"], "Created": ["2026-04-01", "2026-04-02"],
                                     "Rating": ["1", "5"], "MQL date": ["2026-04-03", None],
                                     "__file": ["x.csv"] * 2, "__row": [2, 3]})}
    spec = flow.guess_editor(frames)
    assert spec.fields["lead_id"].value == "ID" and spec.stage_columns == {"MQL date": "mql"}
    fields = dict(spec.fields, fit_score=flow.FieldChoice("column", "Rating", 1, 5))
    mapping = flow.editor_mapping(flow.EditorSpec(file="x.csv", fields=fields, stage_columns=spec.stage_columns,
                                                  created_stage=""), frames)
    result = flow.preview(frames, mapping, sla=flow.template_text())
    assert result.ok, messages(result.problems)
    assert result.tables["leads"]["fit_score"].to_list() == ["0", "100"]
    assert result.tables["stage_events"].select("lead_id", "stage").rows() == [("A", "mql")]


def test_a_presets_download_keeps_its_explanations():
    olist = flow.builtin_mappings()["olist_marketing_funnel"]
    text = flow.mapping_text(olist)
    assert text.startswith("#") and Mapping.from_toml(text) == olist
    canonical = flow.builtin_mappings()["canonical"]
    assert Mapping.from_toml(flow.mapping_text(canonical)) == canonical


def test_an_sla_that_cannot_be_used_is_reported_on_upload():
    bad = flow.template_text().replace('timezone = "Asia/Tokyo"', 'timezone = "Mars/Olympus"')
    batch = flow.receive([("sla.toml", bad.encode())])
    (info,) = batch.files
    assert info.kind == "unreadable" and "Mars/Olympus" in info.message and not batch.sla_texts


# ====================================================================================== the page (AppTest)


def data_page(monkeypatch, db: Path, batch: flow.Batch | None = None, **query: str):
    """The Data page on `db`; with `batch`, as if those files had just been uploaded."""
    at = goto(app(monkeypatch, db, **query), "data")
    if batch is not None:
        at.session_state["dp_sig"] = ()
        at.session_state["dp_batch"] = batch
        at.run()
    no_exception(at)
    return at


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_page_renders_on_an_empty_database(monkeypatch, empty_db, lang):
    at = data_page(monkeypatch, empty_db, lang=lang)
    assert at.title[0].value == i18n.t(lang, "page_data")
    assert any(i.value == text(lang, "nothing_loaded") for i in at.info)
    assert at.get("file_uploader"), "the upload widget is drawn"
    assert not at.button, "nothing to import before files arrive"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_page_shows_the_loaded_row_counts(monkeypatch, demo_db, lang):
    at = data_page(monkeypatch, demo_db, lang=lang)
    counts = flow.loaded_summary(connect(demo_db).cursor()).counts
    assert counts["leads"] > 0
    for table in ("leads", "stage_events", "activities", "reps"):
        assert metric(at, text(lang, f"m_{table}")).value == i18n.fmt_int(counts[table], lang)
    assert any(text(lang, "badge_demo") in m.value for m in at.markdown), "the demo is labelled as such"


@pytest.mark.datasets
def test_page_previews_and_imports_olist_in_one_click(monkeypatch, tmp_path):
    db = tmp_path / "page.duckdb"
    at = data_page(monkeypatch, db, flow.receive_paths(OLIST_FILES))
    assert at.success[0].value == "Recognised layout: Olist marketing funnel."
    assert at.selectbox(key="dp_mapping").value == "builtin:olist_marketing_funnel"
    assert metric(at, "Leads").value == "8,000" and metric(at, "Reps").value == "41"
    assert any(s.value == "No problems found: ready to import." for s in at.success)
    # no sla.toml and none in the database: the import waits until the template's terms are confirmed (issue 10)
    assert at.button(key="dp_import").disabled
    at.button(key="dp_sla_t_use").click().run()
    button = at.button(key="dp_import")
    assert button.label == "Import 8,000 leads" and not button.disabled
    button.click().run()
    no_exception(at)
    assert any(s.value.startswith("Imported 8,000 leads, 8,842 stage events") for s in at.success)
    # what is loaded (top) and the preview (below) both say 8,000 now
    assert [m.value for m in at.metric if m.label == "Leads"] == ["8,000", "8,000"]
    # the replace warning now names what the next import would replace
    assert any("Replace deletes what is loaded now (8,000 leads" in w.value for w in at.warning)
    counts = funnel(db)
    assert counts["mql"] == 8000 and counts["won"] == 842


def test_page_blocks_the_import_and_lists_every_problem(monkeypatch, tmp_path):
    batch = flow.receive_paths([BAD / "binary_renamed.csv", BAD / "formula_values.csv",
                                BAD / "unknown_lead_refs.csv"])
    at = data_page(monkeypatch, tmp_path / "p.duckdb", batch)
    assert at.error[0].value.startswith("Files that could not be read: 1.")
    assert any("binary_renamed.csv is not a text (CSV) file" in x.value for x in at.text)
    # the unreadable file blocks the import too (issue 16: a rejected file never lets the others through)
    assert any(e.value.startswith("Problems to fix before importing: 2.") for e in at.error)
    tables = [d.value for d in at.dataframe if "message" in d.value.columns]
    problems = tables[0]  # the first table with messages: the blocking problems (warnings follow)
    assert len(problems) == 2
    assert problems.iloc[0]["file"] == "binary_renamed.csv"
    assert problems.iloc[1].to_dict() == {"file": "unknown_lead_refs.csv", "row": 3, "column": "lead_id",
                                          "value": "L99", "message": "refers to a lead that is not in leads"}
    assert at.button(key="dp_import").disabled


def test_page_builds_a_mapping_with_the_editor_and_imports_it(monkeypatch, tmp_path):
    db = tmp_path / "editor.duckdb"
    at = data_page(monkeypatch, db, flow.receive_paths([BAD / "shift_jis_japanese.csv"]))
    assert at.info[-1].value.startswith("The layout was not recognised.")
    assert at.selectbox(key="dp_mapping").value == "editor"
    assert at.selectbox(key="dp_ed_0_f_lead_id").value == "リードID"
    assert at.selectbox(key="dp_ed_0_status").value == "ステータス"
    assert metric(at, "Leads").value == "4"
    at.button(key="dp_sla_t_use").click().run()  # the template's terms, confirmed as they are (issue 10)
    at.button(key="dp_import").click().run()
    no_exception(at)
    assert any(s.value.startswith("Imported 4 leads") for s in at.success)
    con = connect(db)
    assert con.cursor().execute("SELECT source FROM imports").fetchall() == [
        ("shift_jis_japanese mapping: shift_jis_japanese.csv",)]


@pytest.mark.datasets
def test_a_refused_import_says_nothing_changed(monkeypatch, tmp_path):
    db = tmp_path / "refused.duckdb"
    con = connect(db)
    import_dir(con, WORKED)
    before = flow.loaded_summary(con).counts
    con.close()
    at = data_page(monkeypatch, db, flow.receive_paths([XED]))
    assert metric(at, "Leads").value != "9,240"  # the loaded worked example comes first …
    assert [m.value for m in at.metric if m.label == "Leads"][-1] == "9,240"  # … the preview after it

    def refuse(*args, **kwargs):
        raise ImportFailed([Problem("database", None, None, None, "the write failed and was rolled back")])

    monkeypatch.setattr(flow, "run_import", refuse)
    at.button(key="dp_import").click().run()
    no_exception(at)
    assert any(e.value.startswith("The import was refused, so nothing was changed") for e in at.error)
    assert flow.loaded_summary(connect(db).cursor()).counts == before


@pytest.mark.datasets
def test_page_in_japanese_with_files(monkeypatch, tmp_path):
    at = data_page(monkeypatch, tmp_path / "ja.duckdb", flow.receive_paths([XED]), lang="ja")
    assert at.title[0].value == "データ"
    assert at.success[0].value == "認識した形式：X Education leads"
    assert metric(at, "リード").value == "9,240"
    assert at.button(key="dp_import").label == "9,240 件のリードを取り込む"


def test_page_in_japanese_shows_the_refusals_in_japanese(monkeypatch, tmp_path):
    """Issue 16: the problems and the unreadable file's note speak the page's language (the CLI stays English),
    naming the same file, row, column and value; no "messages are in English" note is left when none is."""
    batch = flow.receive_paths([BAD / "binary_renamed.csv", BAD / "formula_values.csv",
                                BAD / "unknown_lead_refs.csv"])
    at = data_page(monkeypatch, tmp_path / "ja_refused.duckdb", batch, lang="ja")
    assert at.error[0].value.startswith("1 件のファイルを読み込めませんでした。")
    assert any(x.value.startswith("• binary_renamed.csv：テキスト（CSV）ファイルではありません。") for x in at.text)
    assert any(e.value.startswith("取り込む前に 2 件の問題を直す必要があります。") for e in at.error)
    problems = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert problems.iloc[1].to_dict() == {"file": "unknown_lead_refs.csv", "row": 3, "column": "lead_id",
                                          "value": "L99", "message": "leads にないリードを指しています。"}
    sentences = [x.value for x in at.text if "unknown_lead_refs.csv" in x.value]
    said = "unknown_lead_refs.csv、3行目、列「lead_id」：値「L99」：leads にないリードを指しています。"
    assert sentences and said in sentences[0]
    assert "refers to a lead" not in sentences[0]
    captions = [c.value for c in at.caption]
    assert text("ja", "messages_note") not in captions and text("ja", "messages_en") not in captions
    assert at.button(key="dp_import").disabled
