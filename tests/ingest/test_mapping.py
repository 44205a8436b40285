"""sla_review.ingest.mapping: presets, detection and the canonical tables they produce from real and broken files."""

from __future__ import annotations

import csv
import tomllib
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from sla_review.core.problems import Problem
from sla_review.core.vocabulary import CANONICAL_COLUMNS
from sla_review.ingest.mapping import (
    MAX_ROW_PROBLEMS,
    PRESETS_DIR,
    MappedData,
    Mapping,
    MappingError,
    apply,
    canonical_mapping,
    detect,
    load_preset,
    presets,
)
from sla_review.ingest.readers import FILE_COL, ROW_COL, read_table
from tests.conftest import FIXTURES, WORKED
from tests.conftest import OLIST_DIR as OLIST
from tests.conftest import XED_DIR as XED

BAD = FIXTURES / "bad"
MQL_ISO = OLIST / "olist_marketing_qualified_leads_dataset.csv"
MQL_RAW = OLIST / "olist_marketing_qualified_leads_dataset.raw_ddmmyyyy.csv"
DEALS = OLIST / "olist_closed_deals_dataset.csv"

JAPANESE_PRESET = """
# A Japanese CRM export (Shift_JIS, CRLF): リードID, 作成日 (2024/04/01 10:00, 2024年4月2日, full-width
# digits), 流入元, ステータス with a ステータス変更日 dating it, 担当者, 会社名.
name = "日本語CRMエクスポート"
null_values = ["-", "なし"]   # "－" (full-width) counts as "-"

[files.main]
columns = ["リードID", "作成日", "ステータス"]

[leads]
lead_id = "リードID"
created_at = "作成日"
created_stage = "inquiry"
source = "流入元"
company = "会社名"
owner_id = "担当者"

[[stage_events]]
kind = "status"
column = "ステータス"
at = "ステータス変更日"
actor_id = "担当者"

[[reps]]
rep_id = "担当者"
name = "担当者"

[stages]
"新規" = ""          # new: nothing beyond the inquiry
"対応中" = "sal"     # being worked by sales
"商談化" = "sql"     # became a deal
"失注" = "lost"
"""


def csv_dicts(path: Path) -> list[dict[str, str]]:
    """Independent reading with the standard library, to check numbers against the files themselves."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def frames_of(*paths: Path) -> dict[str, pl.DataFrame]:
    return {p.name: read_table(p) for p in paths}


def strs(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


def without_file(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop(FILE_COL)


def assert_canonical_shape(data: MappedData) -> None:
    for table, columns in CANONICAL_COLUMNS.items():
        frame = getattr(data, table)
        assert frame.columns == [*columns, FILE_COL, ROW_COL], table
        assert all(frame.schema[c] == pl.Utf8 for c in [*columns, FILE_COL]), table
        assert frame.schema[ROW_COL] == pl.Int64


# -- presets -------------------------------------------------------------------------------------


def test_presets_exist_and_round_trip_through_toml() -> None:
    found = presets()
    assert set(found) == {"hubspot", "salesforce", "olist_marketing_funnel", "x_education_leads", "hubspot_ja",
                          "salesforce_ja"}
    for mapping in [*found.values(), canonical_mapping(), Mapping.from_toml(JAPANESE_PRESET)]:
        text = mapping.to_toml()
        assert Mapping.from_toml(text) == mapping, mapping.name
        tomllib.loads(text)
    for path in PRESETS_DIR.glob("*.toml"):
        assert path.read_text(encoding="utf-8").startswith("#"), f"{path.name} must explain its decisions"
    assert load_preset("hubspot").name == "HubSpot contacts export"
    assert Mapping.from_toml(PRESETS_DIR / "salesforce.toml") == found["salesforce"]


#: Malformed mappings and the words that refuse them (tests/bad_input/test_problems_in_japanese.py checks each
#: is refused in Japanese too).
BAD_MAPPINGS = [
    ('name = "x"\n[leads]\nlead_id = "a"\n', r"\[leads\] needs created_at"),
    ('name = "x"\n[leads]\nlead_id = "a"\ncreated_at = "b"\nscore = "c"\n', r'"score" is neither a leads field'),
    ('name = "x"\n[leads]\nlead_id = "a"\ncreated_at = "b"\n[stages]\nWorking = "accepted"\n',
     r'"accepted" is not a stage'),
    ('name = "x"\n[leads]\nlead_id = "a"\ncreated_at = "b"\n[dates]\nformat = "DD/MM"\n', r"needs YYYY, MM and DD"),
    ('name = "x"\n[leads]\nlead_id = "a"\ncreated_at = "b"\nfit_score = { column = "s", min = 5 }\n',
     r"needs both min and max"),
    ('name = "x"\n[leads]\nlead_id = "a"\ncreated_at = "b"\n[[stage_events]]\nkind = "wide"\n',
     r"a wide rule needs columns"),
    ('name = "x"\n[leads]\nlead_id = "a"\ncreated_at = "b"\n[[stage_events]]\nfrom = "deals"\n',
     r'from = "deals" is not a role'),
    ("name = [", r"not valid TOML"),
    # issue 10: `when` limits only stage-event and activity rules; elsewhere it was accepted and dropped
    ('name = "x"\n[leads]\nlead_id = "a"\ncreated_at = "b"\nwhen = { column = "t", values = ["x"] }\n',
     r"is not applied to leads: only stage_events, activities rules"),
]


@pytest.mark.parametrize(("text", "message"), BAD_MAPPINGS)
def test_bad_mappings_are_refused_with_the_key_named(text: str, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        Mapping.from_toml(text)


# -- detection -----------------------------------------------------------------------------------


def hubspot_frame() -> pl.DataFrame:
    return pl.DataFrame({
        "Record ID": ["1", "2", "3", "4"],
        "Create Date": ["2024-04-01 09:00", "2024-04-02 10:30", "2024-04-03 11:00", "2024-04-04 12:00"],
        "Lifecycle Stage": ["Marketing Qualified Lead", "customer", "subscriber", "partner"],
        "Became a Subscriber Date": ["2024-04-01 09:00", None, "2024-04-03 11:00", None],
        "Became a Lead Date": ["2024-04-01 09:00", "2024-04-02 10:30", None, "2024-04-04 12:00"],
        "Became a Marketing Qualified Lead Date": ["2024-04-02T08:15:00Z", "2024-04-03 10:00", None, None],
        "Became a Customer Date": [None, "2024-05-10 16:45", None, None],
        "Contact owner": ["Sato", "Tanaka", None, "Sato"],
        "Original Source": ["Organic Search", "Paid Social", "Direct Traffic", "Offline Sources"],
    })


def salesforce_frame() -> pl.DataFrame:
    return pl.DataFrame({
        "Lead ID": ["00Q1", "00Q2", "00Q3"],
        "Created Date": ["4/1/2024", "4/13/2024", "4/3/2024"],
        "Lead Status": ["Open - Not Contacted", "Closed - Converted", "Closed - Not Converted"],
        "Converted Date": [None, "4/20/2024", None],
        "Lead Owner": ["Sato", "Tanaka", "Sato"],
        "Company / Account": ["Acme", "Globex", "Initech"],
    })


@pytest.mark.datasets
def test_detect_the_public_datasets() -> None:
    assert detect(frames_of(MQL_ISO, DEALS)).name == "Olist marketing funnel"
    assert detect(frames_of(MQL_RAW, DEALS)).name == "Olist marketing funnel"
    assert detect(frames_of(MQL_RAW)).name == "Olist marketing funnel"  # the deals file is optional
    assert detect(frames_of(XED / "Leads.csv")).name == "X Education leads"  # not "leads.csv" = canonical
    assert detect(frames_of(XED / "Leads.raw_trailing_comma.csv")).name == "X Education leads"
    assert detect(frames_of(DEALS)) is None  # deals alone are not the Olist funnel


def test_detect_known_layouts() -> None:
    assert detect(frames_of(*sorted(WORKED.glob("*.csv")))).name == "Canonical format"
    assert detect({"export.csv": hubspot_frame()}).name == "HubSpot contacts export"
    assert detect({"report.csv": salesforce_frame()}).name == "Salesforce lead report"
    assert detect({"leads.csv": read_table(BAD / "missing_required_column.csv")}).name == "Canonical format"


def test_detect_unknown_layouts() -> None:
    assert detect({}) is None
    assert detect(frames_of(BAD / "shift_jis_japanese.csv")) is None  # needs the Japanese preset
    assert detect({"x.csv": pl.DataFrame({"a": ["1"], "b": ["2"]})}) is None


# -- the real data sets --------------------------------------------------------------------------


@pytest.mark.datasets
def test_olist_iso_and_day_first_files_give_identical_output() -> None:
    mql, deals = csv_dicts(MQL_ISO), csv_dicts(DEALS)
    mapping = load_preset("olist_marketing_funnel")
    iso = apply(mapping, frames_of(MQL_ISO, DEALS))
    raw = apply(mapping, frames_of(MQL_RAW, DEALS))
    for data in (iso, raw):
        assert_canonical_shape(data)
        assert data.problems == [] and data.warnings == []
        counts = Counter(data.stage_events["stage"].to_list())
        assert data.leads.height == len(mql) == 8000
        assert counts == {"mql": len(mql), "won": len(deals)} == {"mql": 8000, "won": 842}
        assert data.activities.height == 0
    assert without_file(iso.leads).equals(without_file(raw.leads))
    assert without_file(iso.stage_events).equals(without_file(raw.stage_events))
    assert iso.reps.equals(raw.reps)

    leads = iso.leads
    assert leads["lead_id"].to_list() == [r["mql_id"] for r in mql]
    assert leads["created_at"].to_list() == [r["first_contact_date"] for r in mql]  # bare dates
    assert leads["source"].to_list() == [r["origin"] or None for r in mql]
    assert leads["campaign"].to_list() == [r["landing_page_id"] for r in mql]
    owners = {r["mql_id"]: r["sdr_id"] for r in deals}
    assert dict(leads.filter(pl.col("owner_id").is_not_null()).select("lead_id", "owner_id").iter_rows()) == owners

    won = iso.stage_events.filter(pl.col("stage") == "won")
    expected = [(r["mql_id"], r["won_date"].replace(" ", "T"), r["sr_id"], i + 2) for i, r in enumerate(deals)]
    assert won.select("lead_id", "entered_at", "actor_id", ROW_COL).rows() == expected
    assert set(won[FILE_COL]) == {DEALS.name}
    mqls = raw.stage_events.filter(pl.col("stage") == "mql")
    assert mqls["entered_at"].to_list() == [r["first_contact_date"] for r in mql]
    assert set(mqls[FILE_COL]) == {MQL_RAW.name}

    sdrs, srs = {r["sdr_id"] for r in deals}, {r["sr_id"] for r in deals}
    reps = dict(iso.reps.select("rep_id", "team").iter_rows())
    assert set(reps) == sdrs | srs and len(reps) == 41
    assert {rid for rid, team in reps.items() if team == "sdr, sales"} == sdrs & srs


@pytest.mark.datasets
def test_x_education_clean_and_raw_give_the_same_canonical_output() -> None:
    rows = csv_dicts(XED / "Leads.csv")
    mapping = load_preset("x_education_leads")
    clean = apply(mapping, frames_of(XED / "Leads.csv"))
    raw = apply(mapping, frames_of(XED / "Leads.raw_trailing_comma.csv"))
    for data in (clean, raw):
        assert_canonical_shape(data)
        assert data.problems == [] and data.warnings == []
        assert data.leads.height == len(rows) == 9240
    for table in ("leads", "stage_events", "activities", "reps"):
        assert without_file(getattr(clean, table)).equals(without_file(getattr(raw, table))), table

    leads = clean.leads
    assert leads["lead_id"].to_list() == [r["Prospect ID"] for r in rows]
    assert set(leads["created_at"]) == {"2019-01-01"}
    # "Select" means "left unselected": empty, like a blank cell.
    assert leads["region"].null_count() == sum(r["City"] in ("", "Select") for r in rows)
    assert "Select" not in set(leads["region"].drop_nulls())
    # Scores: the real ranges are profile 11–20 and activity 7–18; rescaled linearly onto 0–100.
    profile = [float(r["Asymmetrique Profile Score"]) for r in rows if r["Asymmetrique Profile Score"]]
    activity = [float(r["Asymmetrique Activity Score"]) for r in rows if r["Asymmetrique Activity Score"]]
    assert (min(profile), max(profile), min(activity), max(activity)) == (11, 20, 7, 18)
    for frame_row, r in zip(leads.head(50).iter_rows(named=True), rows[:50], strict=True):
        if r["Asymmetrique Profile Score"]:
            assert float(frame_row["fit_score"]) == pytest.approx(
                round((float(r["Asymmetrique Profile Score"]) - 11) / 9 * 100, 2))
            assert float(frame_row["engagement_score"]) == pytest.approx(
                round((float(r["Asymmetrique Activity Score"]) - 7) / 11 * 100, 2))
        else:
            assert frame_row["fit_score"] is None and frame_row["engagement_score"] is None
    fit = leads["fit_score"].cast(pl.Float64)
    assert (fit.min(), fit.max(), fit.null_count()) == (0.0, 100.0, 4218)

    events = clean.stage_events
    counts = Counter(events["stage"].to_list())
    converted = {r["Prospect ID"] for r in rows if r["Converted"] == "1"}
    assert counts["inquiry"] == 9240
    assert counts["won"] == len(converted) == 3561
    assert set(events.filter(pl.col("stage") == "won")["lead_id"]) == converted
    # Rejections: tags of leads that did not convert, as the preset maps them (counted with csv here).
    tag_map = tomllib.loads((PRESETS_DIR / "x_education_leads.toml").read_text(encoding="utf-8"))
    tag_map = tag_map["stage_events"][1]["map"]
    expected = Counter(tag_map[r["Tags"]] for r in rows if r["Converted"] == "0" and r["Tags"])
    assert counts["rejected"] == expected["rejected"] == 1545
    assert counts["lost"] == expected["lost"] == 11
    reasons = Counter(events.filter(pl.col("stage") == "rejected")["reason"].to_list())
    assert reasons["Already a student"] == sum(r["Tags"] == "Already a student" and r["Converted"] == "0"
                                               for r in rows)


def test_worked_example_through_the_canonical_mapping_is_unchanged() -> None:
    data = apply(canonical_mapping(), frames_of(*sorted(WORKED.glob("*.csv"))))
    assert data.problems == [] and data.warnings == []
    assert_canonical_shape(data)
    for table in CANONICAL_COLUMNS:
        expected = pl.read_csv(WORKED / f"{table}.csv", infer_schema=False)
        got = getattr(data, table)
        assert got.select(expected.columns).equals(expected), table
        assert got[ROW_COL].to_list() == list(range(2, expected.height + 2))
        assert set(got[FILE_COL]) == {f"{table}.csv"}
    assert set(data.tables()) == {"leads", "stage_events", "activities", "reps"}


# -- the bad-file corpus -------------------------------------------------------------------------


def test_missing_required_column() -> None:
    data = apply(canonical_mapping(), {"leads.csv": read_table(BAD / "missing_required_column.csv")})
    assert strs(data.problems) == [
        'missing_required_column.csv, row 1, column "created_at": has no column "created_at", which the mapping '
        '"Canonical format" uses for leads.created_at. Columns found: lead_id, source, fit_score.'
    ]
    assert not data.ok


def test_unparseable_dates() -> None:
    data = apply(load_preset("hubspot"), frames_of(BAD / "unparseable_dates.csv"))
    f = 'unparseable_dates.csv, row {}, column "Create Date": "{}" is not a date (expected {}).'
    day_first = "day-first DD/MM/YYYY"
    either = "a date such as 2023-04-01 or day-first DD/MM/YYYY"
    assert strs(data.problems) == [
        f.format(3, "31/02/2023", day_first),
        f.format(4, "25/13/2023", day_first),
        f.format(5, "yesterday", either),
        f.format(6, "45123", either + "; it looks like an Excel day number: format the column as a date in "
                 "Excel before saving"),
        f.format(7, "01/03/23", either + "; two-digit years are not accepted, write the year with four digits"),
        f.format(8, "28/02/2023 25:00", day_first),
        # The same cell is read by two rules (the wide column and the Lifecycle Stage's date): reported once.
        'unparseable_dates.csv, row 3, column "Became a Lead Date": "31/02/2023" is not a date '
        "(expected day-first DD/MM/YYYY).",
    ]
    assert data.leads["created_at"].to_list() == ["2023-02-14T10:15:00", None, None, None, None, None, None]
    assert data.stage_events.rows() == [("101", "inquiry", "2023-02-14", None, None, "unparseable_dates.csv", 2)]


def test_mixed_date_formats() -> None:
    data = apply(load_preset("hubspot"), frames_of(BAD / "mixed_date_formats.csv"))
    assert strs(data.problems) == [
        'mixed_date_formats.csv, row 5, column "Create Date": "13/04/2023" is day-first, but 4 other dates in '
        'this column are year-first (e.g. "2023-04-01" at row 2): the column mixes date formats (1 day-first). '
        "Use one format for the whole column, or set dates.format in the mapping.",
        'mixed_date_formats.csv, row 4, column "Became a Marketing Qualified Lead Date": "04/15/2023" can only '
        'be month-first, but most dates in this column can only be day-first (e.g. "13/04/2023" at row 2): the '
        "column mixes day-first and month-first dates. 1 row(s) read month-first are reported as not dates; "
        "use one format for the column.",
        'mixed_date_formats.csv, row 4, column "Became a Marketing Qualified Lead Date": "04/15/2023" is not a '
        "date (expected day-first DD/MM/YYYY).",
    ]
    # Unambiguous values are still read correctly, so the person sees what the file means.
    assert data.leads["created_at"].to_list() == ["2023-04-01", "2023-04-02", "2023-04-03", "2023-04-13",
                                                  "2023-04-05T09:30:00"]


def test_duplicate_ids_and_unknown_lead_references_pass_through_for_the_importer() -> None:
    frames = {"leads.csv": read_table(BAD / "duplicate_ids.csv"),
              "stage_events.csv": read_table(BAD / "unknown_lead_refs.csv")}
    data = apply(canonical_mapping(), frames)
    assert data.problems == []
    assert data.leads["lead_id"].to_list() == ["L1", "L2", "L1"]
    assert data.leads["created_at"].to_list() == ["2026-04-06T10:00:00+09:00", "2026-04-07",
                                                  "2026-04-08T09:00:00+09:00"]
    assert data.stage_events.select("lead_id", "stage", FILE_COL, ROW_COL).rows() == [
        ("L1", "mql", "unknown_lead_refs.csv", 2), ("L99", "sql", "unknown_lead_refs.csv", 3)]


def test_formula_values_are_kept_as_text() -> None:
    data = apply(canonical_mapping(), {"leads.csv": read_table(BAD / "formula_values.csv")})
    assert data.problems == []
    first = data.leads.row(0, named=True)
    assert first["company"] == '=HYPERLINK("http://example.com","click")'
    assert (first["source"], first["campaign"], first["persona"]) == ("+81-3-1234-5678", "-5", "@SUM(A1:A9)")
    assert data.leads["company"][1] == "=1+1"


def test_shift_jis_file_with_a_japanese_preset() -> None:
    mapping = Mapping.from_toml(JAPANESE_PRESET)
    frames = frames_of(BAD / "shift_jis_japanese.csv")
    assert detect(frames) is None
    data = apply(mapping, frames)
    assert data.problems == [] and data.warnings == []
    assert data.leads.select("lead_id", "created_at", "source", "company", "owner_id").rows() == [
        ("J001", "2024-04-01T10:00:00", "展示会", "株式会社サンプル", "佐藤"),
        ("J002", "2024-04-02", "ウェビナー", "合同会社テスト", "田中"),   # 2024年4月2日
        ("J003", "2024-04-03", "資料請求", None, "佐藤"),                  # full-width date; "－" is empty
        ("J004", "2024-04-04", "展示会", "株式会社ＡＢＣ", "鈴木"),        # values themselves are not altered
    ]
    assert data.stage_events.select("lead_id", "stage", "entered_at", "actor_id", ROW_COL).rows() == [
        ("J001", "inquiry", "2024-04-01T10:00:00", None, 2),
        ("J002", "inquiry", "2024-04-02", None, 3),
        ("J003", "inquiry", "2024-04-03", None, 4),
        ("J004", "inquiry", "2024-04-04", None, 5),
        ("J002", "sql", "2024-04-10T15:30:00", "田中", 3),
        ("J003", "lost", "2024-04-20", "佐藤", 4),
        ("J004", "sal", "2024-04-05T09:15:00", "鈴木", 5),
    ]
    assert data.reps.select("rep_id", "name").rows() == [("佐藤", "佐藤"), ("田中", "田中"), ("鈴木", "鈴木")]


def test_status_not_in_the_stage_mapping() -> None:
    data = apply(load_preset("salesforce"), frames_of(BAD / "unknown_status.csv"))
    assert strs(data.problems) == [
        'unknown_status.csv, row 4, column "Lead Status": "Pending Review" is not a value the mapping knows for '
        "stages (it knows Open - Not Contacted, New, Open, Working - Contacted, Working, Contacted, Nurturing, "
        "Closed - Converted, … (12 in all)); add it to the mapping's stage list (2 rows, the first shown).",
    ]
    assert strs(data.warnings) == [
        'unknown_status.csv, column "Created Date": "4/1/2024" and every other date in this column could be read '
        "day-first or month-first; they were read month-first MM/DD/YYYY, as the mapping says (dates.ambiguous). "
        "Change it if that is wrong.",
        'unknown_status.csv, row 6, column "Lead Status": "Working - Contacted" means sal, but 1 row(s) with it '
        "have no date for when that happened, so no sal event was made for them (the first such row is shown).",
    ]
    events = data.stage_events.select("lead_id", "stage", "entered_at", "actor_id").rows()
    assert ("00Q2", "sql", "2024-04-15", "Tanaka") in events
    assert Counter(s for _, s, _, _ in events) == {"inquiry": 5, "sql": 1}


def test_score_outside_the_declared_scale() -> None:
    data = apply(load_preset("x_education_leads"), frames_of(BAD / "score_out_of_scale.csv"))
    assert strs(data.problems) == [
        'score_out_of_scale.csv, row 4, column "Asymmetrique Activity Score": "high" is not a number.',
        'score_out_of_scale.csv, row 3, column "Asymmetrique Activity Score": "25" is outside the scale 7–18 '
        "declared in the mapping for engagement_score.",
    ]
    assert data.leads.select("fit_score", "engagement_score", "source").rows() == [
        ("44.44", "63.64", "Google"), ("0", None, None), ("100", None, "Google")]
    # Columns this small file lacks are warnings (left empty), not problems.
    assert all("has no column" in w.message or "is not in the file" in w.message for w in data.warnings)


# -- smaller behaviours ----------------------------------------------------------------------------


def one_column_mapping(dates: str = 'format = "auto"', extra: str = "") -> Mapping:
    return Mapping.from_toml(f'name = "t"\n[dates]\n{dates}\n[leads]\nlead_id = "id"\ncreated_at = "d"\n{extra}')


def mapped_dates(values: list[str | None], dates: str = 'format = "auto"') -> tuple[list[str | None], MappedData]:
    frame = pl.DataFrame({"id": [str(i) for i in range(len(values))], "d": values}, schema={"id": pl.Utf8,
                                                                                            "d": pl.Utf8})
    data = apply(one_column_mapping(dates), {"f.csv": frame})
    return data.leads["created_at"].to_list(), data


def test_timestamps_keep_offsets_and_local_times() -> None:
    got, data = mapped_dates(["2024-04-01T10:00:00+09:00", "2024-04-01 10:00:00Z", "2024-04-01T10:00:00.250+0900",
                              "2024/4/1 9:05", "2024-04-01", "2024-04-01 10:00 -05", "２０２４年４月１日 １０時３０分"])
    assert got == ["2024-04-01T10:00:00+09:00", "2024-04-01T10:00:00+00:00", "2024-04-01T10:00:00.250+09:00",
                   "2024-04-01T09:05:00", "2024-04-01", "2024-04-01T10:00:00-05:00", "2024-04-01T10:30:00"]
    assert data.problems == [] and data.warnings == []


def test_explicit_date_formats() -> None:
    got, data = mapped_dates(["05/12/2023 2:03 PM", "12/31/2023 12:00 AM", "2023-05-12"],
                             'format = "MM/DD/YYYY"')
    assert got == ["2023-05-12T14:03:00", "2023-12-31T00:00:00", None]
    assert strs(data.problems) == ['f.csv, row 4, column "d": "2023-05-12" is not a date '
                                   "(expected month-first MM/DD/YYYY)."]
    got, data = mapped_dates(["01.02.2023", "13.02.2023"], 'format = "%d.%m.%Y"')
    assert got == ["2023-02-01", "2023-02-13"] and data.problems == []
    got, data = mapped_dates(["2023-02-01T10:00:00+09:00", "2023/02/01"], 'format = "ISO"')
    assert got == ["2023-02-01T10:00:00+09:00", None]
    assert "expected a date like 2026-04-06 or a date and time like 2026-04" in data.problems[0].message


def test_ambiguous_day_month_follows_the_mapping() -> None:
    got, data = mapped_dates(["01/02/2023", "03/04/2023"], 'format = "auto"\nambiguous = "month_first"')
    assert got == ["2023-01-02", "2023-03-04"]
    assert "read month-first MM/DD/YYYY" in data.warnings[0].message
    got, _ = mapped_dates(["01/02/2023", "03/04/2023"])
    assert got == ["2023-02-01", "2023-04-03"]


def test_row_problems_are_capped_per_column() -> None:
    _, data = mapped_dates(["not a date"] * (MAX_ROW_PROBLEMS + 5))
    assert len(data.problems) == MAX_ROW_PROBLEMS + 1
    assert str(data.problems[-1]) == 'f.csv, column "d": … and 5 more rows with the same problem.'


def test_ordinal_scores_and_placeholders() -> None:
    mapping = Mapping.from_toml("""
name = "ordinal"
null_values = ["Select", "N/A"]
[leads]
lead_id = "id"
created_at = { const = "2024-01-01" }
fit_score = { column = "tier", values = { "01.High" = 100, "02.Medium" = 60, "03.Low" = 20 } }
source = "src"
""")
    frame = pl.DataFrame({"id": ["a", "b", "c", "d", "e"], "tier": ["01.High", "03.low", "Select", "04.Bad", " "],
                          "src": ["web", "N/A", "n/a", "Select", "-"]})
    data = apply(mapping, {"x.csv": frame})
    assert data.leads["fit_score"].to_list() == ["100", "20", None, None, None]
    assert data.leads["source"].to_list() == ["web", None, None, None, "-"]  # "-" is not in this list
    assert data.leads["created_at"].to_list() == ["2024-01-01"] * 5
    assert strs(data.problems) == ['x.csv, row 5, column "tier": "04.Bad" is not one of the values the mapping '
                                   "scores for fit_score (01.High, 02.Medium, 03.Low)."]


def test_hubspot_wide_export() -> None:
    data = apply(load_preset("hubspot"), {"contacts.csv": hubspot_frame()})
    events = data.stage_events.select("lead_id", "stage", "entered_at").rows()
    assert events == [
        ("1", "inquiry", "2024-04-01T09:00:00"), ("2", "inquiry", "2024-04-02T10:30:00"),
        ("4", "inquiry", "2024-04-04T12:00:00"),
        ("1", "mql", "2024-04-02T08:15:00+00:00"), ("2", "mql", "2024-04-03T10:00:00"),
        ("2", "won", "2024-05-10T16:45:00"),
    ]  # subscribers are not inquiries; the Lifecycle Stage duplicates of these events are merged
    assert strs(data.problems) == [
        'contacts.csv, row 5, column "Lifecycle Stage": "partner" is not a value the mapping knows for stages '
        "(it knows subscriber, lead, marketingqualifiedlead, Marketing Qualified Lead, salesqualifiedlead, "
        "Sales Qualified Lead, opportunity, customer, … (10 in all)); add it to the mapping's stage list."]
    assert data.leads.select("lead_id", "created_at", "source", "owner_id").row(1) == (
        "2", "2024-04-02T10:30:00", "Paid Social", "Tanaka")
    assert data.reps["rep_id"].to_list() == ["Sato", "Tanaka"]


def test_salesforce_report_with_alternative_headers() -> None:
    frame = salesforce_frame().rename({"Company / Account": "Company"})
    data = apply(load_preset("salesforce"), {"leads report.xlsx": frame})
    assert data.problems == []
    assert data.leads.select("lead_id", "created_at", "company", "owner_id").rows() == [
        ("00Q1", "2024-04-01", "Acme", "Sato"), ("00Q2", "2024-04-13", "Globex", "Tanaka"),
        ("00Q3", "2024-04-03", "Initech", "Sato")]
    assert data.stage_events.filter(pl.col("stage") != "inquiry").select("lead_id", "stage", "entered_at").rows() == [
        ("00Q2", "sql", "2024-04-20")]
    # "Closed - Not Converted" means disqualified, but the report does not say when: a warning, no event.
    assert any('"Closed - Not Converted" means disqualified' in str(w) for w in data.warnings)


@pytest.mark.datasets
def test_unused_and_missing_files_are_reported() -> None:
    data = apply(load_preset("olist_marketing_funnel"), frames_of(MQL_ISO, XED / "Leads.csv"))
    assert data.leads.height == 8000
    assert data.stage_events["stage"].unique().to_list() == ["mql"]
    messages = strs(data.warnings)
    assert any(m.startswith("Leads.csv: was not used") for m in messages)
    assert any('no uploaded file looks like the "deals" file' in m for m in messages)
    assert data.problems == []


def test_canonical_stage_and_channel_names_are_normalised_or_reported() -> None:
    frames = {
        "leads.csv": pl.DataFrame({"lead_id": ["L1"], "created_at": ["2026-04-06T10:00:00+09:00"]}),
        "stage_events.csv": pl.DataFrame({"lead_id": ["L1", "L1", "L1"], "stage": ["MQL", " Sql ", "handoff"],
                                          "entered_at": ["2026-04-06T11:00:00+09:00"] * 3}),
        "activities.csv": pl.DataFrame({"lead_id": ["L1", "L1"], "rep_id": ["r1", "r1"], "channel": ["Phone", "fax"],
                                        "occurred_at": ["2026-04-06T12:00:00+09:00"] * 2}),
    }
    data = apply(canonical_mapping(), frames)
    assert data.stage_events["stage"].to_list() == ["mql", "sql", "handoff"]  # unknown kept for the importer
    assert data.activities["channel"].to_list() == ["phone", "fax"]
    assert strs(data.problems) == [
        'stage_events.csv, row 4, column "stage": "handoff" is not a stage (use one of inquiry, mql, sal, sql, '
        "opportunity, won, lost, rejected, recycled, disqualified).",
        'activities.csv, row 3, column "channel": "fax" is not a known channel (email, phone, meeting, '
        "other).",
    ]


def test_when_keeps_only_the_activity_rows_it_names() -> None:
    """An event log (one row per event): only the rows whose event is a sales touch become activities; the
    value is compared as a person reads it (full-width, case and spacing ignored)."""
    log = pl.DataFrame({"Record": ["1", "1", "2", "2", "3"],
                        "Event": ["Call", "Page view", " ＣＡＬＬ ", "Form fill", "Email sent"],
                        "At": ["2026-04-06 10:00", "2026-04-06 10:05", "2026-04-07 11:00", "2026-04-07 11:30",
                               "2026-04-08 09:00"],
                        "Rep": ["r1", "", "r2", "", "r1"]})
    leads = pl.DataFrame({"Record": ["1", "2", "3"], "Created": ["2026-04-06", "2026-04-07", "2026-04-08"]})
    mapping = Mapping.from_toml("""
name = "event log"
[files]
leads = { columns = ["Record", "Created"] }
log = { columns = ["Record", "Event", "At"] }
[leads]
from = "leads"
lead_id = "Record"
created_at = "Created"
[[activities]]
from = "log"
lead_id = "Record"
occurred_at = "At"
rep_id = "Rep"
channel = "Event"
when = { column = "Event", values = ["call", "Email sent"] }
[channels]
Call = "phone"
"email sent" = "email"
""")
    data = apply(mapping, {"leads.csv": leads.with_columns(), "log.csv": log})
    assert data.activities.select("lead_id", "channel", "occurred_at").rows() == [
        ("1", "phone", "2026-04-06T10:00:00"), ("2", "phone", "2026-04-07T11:00:00"),
        ("3", "email", "2026-04-08T09:00:00")]


@pytest.mark.parametrize("footer", [
    ["Grand Totals (3 records)", "", "Confidential Information - Do Not Distribute",
     "Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."],
    ["総計 (3 レコード)", "機密情報 - 配布禁止", "Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."],
])
def test_a_salesforce_reports_footer_is_dropped_with_a_note(tmp_path: Path, footer: list[str]) -> None:
    """Issue 10: the footer Salesforce prints below a report (English and Japanese) is not three more leads."""
    path = tmp_path / "report.csv"
    frame = salesforce_frame()
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(frame.columns)
        out.writerows(frame.rows())
        out.writerows([[line] + [""] * (frame.width - 1) for line in footer])
    data = apply(load_preset("salesforce"), {"report.csv": read_table(path)})
    assert data.ok, strs(data.problems)
    assert data.leads["lead_id"].to_list() == ["00Q1", "00Q2", "00Q3"]
    notes = [p for p in data.warnings if "footer" in p.message]
    rows = len([line for line in footer if line])  # blank lines are not rows
    assert len(notes) == 1 and notes[0].row == 5 and notes[0].value == footer[0]
    assert f"{rows} row(s) left out" in notes[0].message
    assert "フッター" in notes[0].text("ja")


def test_footer_words_inside_the_data_stay_data() -> None:
    """Only a run at the very end is a footer: a lead whose company is literally "Copyright (c) Ltd" is a lead."""
    frame = salesforce_frame().with_columns(pl.Series("Company / Account", ["Copyright (c) Ltd", "Globex", "I"]))
    data = apply(load_preset("salesforce"), {"report.csv": frame})
    assert data.leads.height == 3 and not [p for p in data.warnings if "footer" in p.message]


def _doc_mappings() -> list[str]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "mapping.md").read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```toml\n")[1:]]


def test_every_example_in_the_mapping_docs_is_a_valid_mapping() -> None:
    blocks = _doc_mappings()
    assert len(blocks) == 5
    for block in blocks:
        Mapping.from_toml(block)


def test_the_docs_event_log_alone_example_is_the_fixtures_mapping() -> None:
    """The example of an event log without a leads file is tests/fixtures/event_log/helpdesk_log.toml (whose
    numbers tests/ingest/test_event_log.py works out by hand)."""
    fixture = Mapping.from_toml(FIXTURES / "event_log" / "helpdesk_log.toml")
    assert Mapping.from_toml(_doc_mappings()[3]) == fixture
    assert fixture.leads.per_lead == "first" and fixture.leads.order_by == "Timestamp"


def test_the_docs_event_log_example_does_what_it_says() -> None:
    mapping = Mapping.from_toml(_doc_mappings()[4])
    leads = pl.DataFrame({"Record": ["7"], "Created": ["2026-04-06 09:00"]})
    log = pl.DataFrame({"Record": ["7", "7", "7", "7"],
                        "Event": ["Page view", "Qualified", "Handed to sales", "Call"],
                        "At": ["2026-04-06 09:10", "2026-04-06 10:00", "2026-04-06 11:00", "2026-04-06 11:30"],
                        "Actor": ["", "", "", "r1"]})
    data = apply(mapping, {"leads.csv": leads, "log.csv": log})
    assert data.ok, strs(data.problems)
    assert data.stage_events.select("stage", "entered_at").rows() == [
        ("mql", "2026-04-06T10:00:00"), ("sal", "2026-04-06T11:00:00")]
    assert data.activities.select("rep_id", "channel", "occurred_at").rows() == [("r1", "phone", "2026-04-06T11:30:00")]
