"""Issue 10: Japanese CRM exports are recognised like the English ones, headers match as a person reads them, and a
stage-looking column the mapping leaves unused is a warning, never a silent "no problems".

Fixtures (tests/fixtures/ja) have the real header layouts: a HubSpot contacts export from a Japanese portal (UTF-8
with a BOM, as HubSpot writes it, and the same rows in Shift_JIS) and a Salesforce lead report exported by a
Japanese user (Shift_JIS, CRLF, with the report's footer; and the same rows in UTF-8). Expected values are read off
the fixture rows by hand (see each test).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sla_review.ingest import data_flow as flow
from sla_review.ingest.mapping import _norm, apply, canonical_mapping, detect, load_preset, stage_like
from sla_review.ingest.readers import FILE_COL, read_table
from tests.conftest import FIXTURES, WORKED
from tests.ingest.test_mapping import hubspot_frame, salesforce_frame

JA = FIXTURES / "ja"
HUBSPOT = [JA / "hubspot_contacts_ja.csv", JA / "hubspot_contacts_ja.sjis.csv"]
SALESFORCE = [JA / "salesforce_leads_ja.sjis.csv", JA / "salesforce_leads_ja.csv"]


def frames(path: Path) -> dict[str, pl.DataFrame]:
    return {path.name: read_table(path)}


def unused(data) -> list[tuple[str | None, str]]:
    return [(w.column, w.message) for w in data.warnings if "does not use it" in w.message]


# -- recognition ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", HUBSPOT + SALESFORCE, ids=lambda p: p.name)
def test_japanese_exports_are_recognised(path: Path) -> None:
    expected = "hubspot_ja" if "hubspot" in path.name else "salesforce_ja"
    assert detect(frames(path)) == load_preset(expected)


def test_english_exports_still_pick_the_english_presets() -> None:
    assert detect({"export.csv": hubspot_frame()}) == load_preset("hubspot")
    assert detect({"report.csv": salesforce_frame()}) == load_preset("salesforce")
    # and an English export with header spacing and width a person would not notice
    odd = salesforce_frame().rename({"Created Date": "ＣＲＥＡＴＥＤ　ＤＡＴＥ", "Lead Status": "lead  status"})
    assert detect({"report.csv": odd}) == load_preset("salesforce")


def test_header_matching_tolerates_spaces_width_and_case() -> None:
    assert _norm("リード ID") == _norm("リードID") == _norm("ﾘｰﾄﾞ　ＩＤ") == "リードid"
    assert _norm("対応済み - 取引開始なし") == _norm("対応済み-取引開始なし") == _norm("対応済み　－　取引開始なし")
    assert _norm("Lead  ID") == _norm("ＬＥＡＤ ＩＤ") == "lead id"
    assert _norm("Lead ID") != _norm("LeadID")  # between ASCII words a space still separates them
    # The Salesforce file with every header re-typed: half-width katakana, full-width spaces and letters.
    frame = read_table(SALESFORCE[0])
    renamed = frame.rename({"リード状況": "ﾘｰﾄﾞ状況", "取引開始日": "取引　開始日", "リード ID": "リードＩＤ",
                            "作成日": " 作成日"})
    assert detect({"report.csv": renamed}) == load_preset("salesforce_ja")  # [files] columns compared by _norm
    data = apply(load_preset("salesforce_ja"), {"report.csv": renamed})
    assert data.leads["lead_id"].to_list() == ["00Q0001", "00Q0002", "00Q0003", "00Q0004"]
    assert data.stage_events.filter(pl.col("stage") == "sql").select("lead_id", "entered_at").rows() == [
        ("00Q0002", "2024-04-20")]


def test_stage_values_match_without_spaces_or_with_full_width_letters() -> None:
    frame = read_table(SALESFORCE[1]).head(4).with_columns(  # the four leads, without the footer
        pl.Series("リード状況", ["ＮＥＷ", "取引開始済み", "対応済み-取引開始なし", "対応中"]))
    data = apply(load_preset("salesforce_ja"), {"report.csv": frame})
    assert data.problems == []
    undated = {(w.value, w.row) for w in data.warnings if "have no date" in w.message}
    assert undated == {("対応済み-取引開始なし", 4), ("対応中", 5)}  # disqualified and sal, both known


# -- the HubSpot export ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", HUBSPOT, ids=lambda p: p.name)
def test_hubspot_japanese_export(path: Path) -> None:
    """Rows of hubspot_contacts_ja.csv: 101 became a lead 4/1 9:00, MQL 4/2 10:00, SQL 4/3 11:00, 商談 4/5 12:00,
    顧客 5/10 16:45; 102 lead 4/2 10:30, MQL 4/3 10:00; 103 is a サブスクライバー only (no inquiry); 104 lead 4/4
    12:00 with no owner; 105 lead 4/5 13:00, stage セールスクオリファイドリード with no SQL date (a warning)."""
    data = apply(load_preset("hubspot_ja"), frames(path))
    assert data.problems == []
    assert data.leads.select("lead_id", "created_at", "source", "owner_id").rows() == [
        ("101", "2024-04-01T09:00:00", "自然検索", "佐藤"),
        ("102", "2024-04-02T10:30:00", "有料ソーシャル", "田中"),
        ("103", "2024-04-03T11:00:00", "メールマーケティング", "佐藤"),
        ("104", "2024-04-04T12:00:00", "オフラインソース", None),
        ("105", "2024-04-05T13:00:00", "直接トラフィック", "鈴木"),
    ]
    assert sorted(data.stage_events.select("lead_id", "stage", "entered_at").rows()) == [
        ("101", "inquiry", "2024-04-01T09:00:00"), ("101", "mql", "2024-04-02T10:00:00"),
        ("101", "opportunity", "2024-04-05T12:00:00"), ("101", "sql", "2024-04-03T11:00:00"),
        ("101", "won", "2024-05-10T16:45:00"),
        ("102", "inquiry", "2024-04-02T10:30:00"), ("102", "mql", "2024-04-03T10:00:00"),
        ("104", "inquiry", "2024-04-04T12:00:00"),
        ("105", "inquiry", "2024-04-05T13:00:00"),
    ]  # 9 events; the ライフサイクルステージ duplicates of 101, 102 and 104 are merged
    assert data.reps.select("rep_id", "name").rows() == [("佐藤", "佐藤"), ("田中", "田中"), ("鈴木", "鈴木")]
    # the one warning: 105's stage says SQL but the export has no date for it. The サブスクライバー date (103)
    # is left out on purpose (ignored_columns) and 最終アクティビティー日 is not a stage date: no warning.
    assert [(w.row, w.column, w.value) for w in data.warnings] == [
        (6, "ライフサイクルステージ", "セールスクオリファイドリード")]
    assert "sql のイベントは作られませんでした" in data.warnings[0].text("ja")


# -- the Salesforce report ------------------------------------------------------------------------


@pytest.mark.parametrize("path", SALESFORCE, ids=lambda p: p.name)
def test_salesforce_japanese_report(path: Path) -> None:
    """Rows: 00Q0001 未対応 4/1; 00Q0002 取引開始済み 4/2, converted 4/20; 00Q0003 対応済み - 取引開始なし 4/3;
    00Q0004 対応中 4/4; then a blank row and the footer 総計 (4 レコード) / 機密情報 / Copyright (rows 7–9)."""
    data = apply(load_preset("salesforce_ja"), frames(path))
    assert data.problems == []
    assert data.leads.select("lead_id", "created_at", "source", "company", "owner_id").rows() == [
        ("00Q0001", "2024-04-01", "Web", "株式会社アクメ", "佐藤"),
        ("00Q0002", "2024-04-02", "展示会", "グローベックス合同会社", "田中"),
        ("00Q0003", "2024-04-03", "電話問い合わせ", "イニテック株式会社", "佐藤"),
        ("00Q0004", "2024-04-04", "Web", "株式会社ＡＢＣ", "鈴木"),  # values themselves are not altered
    ]
    assert data.stage_events.select("lead_id", "stage", "entered_at", "actor_id").rows() == [
        ("00Q0001", "inquiry", "2024-04-01", None), ("00Q0002", "inquiry", "2024-04-02", None),
        ("00Q0003", "inquiry", "2024-04-03", None), ("00Q0004", "inquiry", "2024-04-04", None),
        ("00Q0002", "sql", "2024-04-20", "田中"),
    ]
    assert data.reps["rep_id"].to_list() == ["佐藤", "田中", "鈴木"]
    assert [(w.row, w.column, w.value) for w in data.warnings] == [
        (7, None, "総計 (4 レコード)"),
        (4, "リード状況", "対応済み - 取引開始なし"),
        (5, "リード状況", "対応中"),
    ]


def test_shift_jis_and_utf8_give_the_same_tables() -> None:
    for a, b in (HUBSPOT, SALESFORCE):
        one, two = (apply(detect(frames(p)), frames(p)) for p in (a, b))
        for table in ("leads", "stage_events", "reps"):
            assert getattr(one, table).drop(FILE_COL).equals(getattr(two, table).drop(FILE_COL)), table


# -- stage-looking columns the mapping leaves unused ------------------------------------------------


def test_stage_like_headers() -> None:
    dates = ["Became a Sales Accepted Lead Date", "MQL Date", "Converted Date", "won_date", "商談になった日付",
             "顧客に転換した日付", "取引開始日", "セールス承認リードになった日付", "受注日"]
    stages = ["Lead Status", "Lifecycle Stage", "status", "リード状況", "ライフサイクルステージ", "ステータス"]
    neither = ["Create Date", "Created Date", "Lead Created Date", "作成日", "Last Activity Date", "最終活動日",
               "最終アクティビティー日", "Lead Source", "Lead Owner", "first_contact_date", "リードソース"]
    assert [stage_like(h) for h in dates] == ["date"] * len(dates)
    assert [stage_like(h) for h in stages] == ["stage"] * len(stages)
    assert [stage_like(h) for h in neither] == [None] * len(neither)


def test_an_unused_stage_date_column_is_a_warning_in_both_languages() -> None:
    frame = read_table(HUBSPOT[0]).with_columns(
        pl.Series("セールス承認リードになった日付", ["2024/04/02 12:00", None, None, None, None]),
        pl.Series("エバンジェリストになった日付", [None, None, None, None, None]))
    data = apply(load_preset("hubspot_ja"), {"contacts.csv": frame})
    notes = [w for w in data.warnings if "does not use it" in w.message]
    assert [(w.file, w.row, w.column) for w in notes] == [
        ("hubspot_contacts_ja.csv", 1, "セールス承認リードになった日付")]  # the empty エバンジェリスト column: quiet
    assert "its dates are left out of the import" in notes[0].message
    assert "その日付は読み込まれません" in notes[0].text("ja")
    assert "1行目、列「セールス承認リードになった日付」" in notes[0].sentence("ja")


def test_an_unused_stage_column_is_a_warning_and_used_ones_are_not() -> None:
    # Salesforce (English): every stage-looking column is used: no note.
    assert unused(apply(load_preset("salesforce"), {"r.csv": salesforce_frame()})) == []
    # an "MQL Date" and a "Rating Status" the preset does not know are named
    extra = salesforce_frame().with_columns(pl.Series("MQL Date", ["4/2/2024", None, None]),
                                            pl.Series("Rating Status", ["Hot", "Warm", None]),
                                            pl.Series("Last Activity Date", ["4/5/2024", None, None]))
    assert [c for c, _ in unused(apply(load_preset("salesforce"), {"r.csv": extra}))] == ["MQL Date", "Rating Status"]
    # HubSpot (English): the Subscriber date and Lead Status are left out on purpose (ignored_columns)
    hub = hubspot_frame().with_columns(pl.Series("Lead Status", ["New", None, None, None]),
                                       pl.Series("Became a Sales Accepted Lead Date", [None, "2024-04-03", None, None]))
    assert [c for c, _ in unused(apply(load_preset("hubspot"), {"c.csv": hub}))] == [
        "Became a Sales Accepted Lead Date"]
    # the worked example through the canonical mapping: nothing to say
    worked = {p.name: read_table(p) for p in sorted(WORKED.glob("*.csv"))}
    assert unused(apply(canonical_mapping(), worked)) == []


def test_the_preview_never_says_no_problems_about_an_unused_stage_date(tmp_path: Path) -> None:
    """What the Data page shows: the preview's warnings carry the note (a file that is otherwise clean)."""
    frame = read_table(SALESFORCE[1]).head(4).with_columns(pl.Series("MQL 日", ["2024/04/01", None, None, None]))
    path = tmp_path / "report.csv"
    frame.drop("__row", FILE_COL).write_csv(path)
    batch = flow.receive_paths([path])
    assert batch.detected == load_preset("salesforce_ja")
    result = flow.preview(batch.frames, batch.detected, sla=(WORKED / "sla.toml").read_text(encoding="utf-8"))
    assert result.problems == []
    assert [w.column for w in result.warnings if "does not use it" in w.message] == ["MQL 日"]


def test_ignored_columns_round_trip_and_are_kept_by_to_toml() -> None:
    mapping = load_preset("hubspot_ja")
    assert "サブスクライバーになった日付" in mapping.ignored_columns
    assert type(mapping).from_toml(mapping.to_toml()) == mapping


def test_every_top_level_key_is_documented() -> None:
    from sla_review.ingest.mapping import _TOP_KEYS

    text = (Path(__file__).resolve().parents[2] / "docs" / "mapping.md").read_text(encoding="utf-8")
    assert [k for k in sorted(_TOP_KEYS) if f"`{k}`" not in text and f"`[{k}]`" not in text
            and f"`[[{k}]]`" not in text and f"`[{k}." not in text] == []
