"""The bad-input corpus for sla.toml and for links: every case is refused with one message (file, key, value and
what is allowed; in English and Japanese) by the one validator, the CLI import prints that same message with exit
code 2 and leaves the database byte-identical, and the Data page holds the same refusal. Nothing raises anything
but ConfigError. Grow the corpus: add a case, its key and the value the message must show."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

import pytest

from sla_review import cli
from sla_review.core import periods
from sla_review.core.terms import DATE_RANGE, ConfigError, parse_sla
from sla_review.ingest import data_flow as flow
from tests.conftest import WORKED

BASE = (WORKED / "sla.toml").read_text(encoding="utf-8")
VERSIONS = BASE[BASE.index("[[versions]]"):]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _sub(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


# id: (sla.toml text, the key the message names, the value as the message shows it)
CASES: dict[str, tuple[str, str, str]] = {
    "effective_from year 0001": (_sub('effective_from = "2026-01-01"', 'effective_from = "0001-01-01"'),
                                 "[[versions]] #1 effective_from", '"0001-01-01"'),
    "effective_from year 9999": (_sub('effective_from = "2026-01-01"', "effective_from = 9999-12-31"),
                                 "[[versions]] #1 effective_from", "9999-12-31"),
    "holiday year 0001": (_sub('extra_holidays = ["2026-12-29"]', 'extra_holidays = ["0001-01-01"]'),
                          "[calendar] extra_holidays", '"0001-01-01"'),
    "holiday year 9999": (_sub('extra_holidays = ["2026-12-29"]', "extra_holidays = [9999-12-31]"),
                          "[calendar] extra_holidays", "9999-12-31"),
    "holidays not a list": (_sub('extra_holidays = ["2026-12-29"]', 'extra_holidays = "2026-12-29"'),
                            "[calendar] extra_holidays", '"2026-12-29"'),
    "versions = 5": ("versions = 5\n" + BASE[:BASE.index("[[versions]]")], "versions", "5"),
    "versions = [5]": ("versions = [5]\n" + BASE[:BASE.index("[[versions]]")], "[[versions]] #1", "5"),
    "calendar = 5": ("calendar = 5\n" + VERSIONS, "calendar", "5"),
    "NaN threshold": (_sub("mql_threshold = 60", "mql_threshold = nan"), "[[versions]] #1 mql_threshold", "nan"),
    "inf weight": (_sub("fit_weight = 0.5", "fit_weight = inf"), "[[versions]] #1 fit_weight", "inf"),
    "-inf target": (_sub("response_target_hours = 2", "response_target_hours = -inf"),
                    "[[versions]] #1 response_target_hours", "-inf"),
    "negative weight": (_sub("engagement_weight = 0.5", "engagement_weight = -0.1"),
                        "[[versions]] #1 engagement_weight", "-0.1"),
    "negative threshold": (_sub("mql_threshold = 60", "mql_threshold = -1"), "[[versions]] #1 mql_threshold", "-1"),
    "threshold over 100": (_sub("mql_threshold = 60", "mql_threshold = 160"), "[[versions]] #1 mql_threshold",
                           "160"),
    "both weights 0": (_sub("fit_weight = 0.5", "fit_weight = 0").replace("engagement_weight = 0.5",
                                                                          "engagement_weight = 0.0"),
                       "[[versions]] #1 engagement_weight", "0.0"),
    "huge attempt window": (_sub("attempt_window_business_days = 5", "attempt_window_business_days = 1e308"),
                            "[[versions]] #1 attempt_window_business_days", "1e+308"),
    "fractional attempts": (_sub("min_attempts = 3", "min_attempts = 2.5"), "[[versions]] #1 min_attempts", "2.5"),
    "threshold as text": (_sub("mql_threshold = 60", 'mql_threshold = "60"'), "[[versions]] #1 mql_threshold",
                          '"60"'),
    "threshold true": (_sub("mql_threshold = 60", "mql_threshold = true"), "[[versions]] #1 mql_threshold", "true"),
    "target over 1": (_sub("mql_to_sql_target = 0.3", "mql_to_sql_target = 30"),
                      "[[versions]] #1 mql_to_sql_target", "30"),
    "workdays = []": (_sub('workdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]', "workdays = []"),
                      "[calendar] workdays", "[]"),
    "workdays twice": (_sub('workdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]', 'workdays = ["Mon", "Mon"]'),
                       "[calendar] workdays", '["Mon", "Mon"]'),
    "workdays a string": (_sub('workdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]', 'workdays = "Mon"'),
                          "[calendar] workdays", '"Mon"'),
    "workday typo": (_sub('workdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]', 'workdays = ["Monday"]'),
                     "[calendar] workdays", '["Monday"]'),
    "calendar key typo": (_sub('day_start = "09:00"', 'day_strat = "09:00"'), "[calendar] day_strat", '"09:00"'),
    "calendar key unknown": (_sub('timezone = "Asia/Tokyo"', 'timezone = "Asia/Tokyo"\nholidays = "JP"'),
                             "[calendar] holidays", '"JP"'),
    "top-level typo": (BASE.replace("[calendar]", "[calender]"), "calender", "{…}"),
    "break outside the day": (_sub('day_end = "18:00"', 'day_end = "18:00"\nbreaks = [["08:00", "10:00"]]'),
                              "[calendar] breaks", '["08:00", "10:00"]'),
    "break backwards": (_sub('day_end = "18:00"', 'day_end = "18:00"\nbreaks = [["13:00", "12:00"]]'),
                        "[calendar] breaks", '["13:00", "12:00"]'),
    "breaks overlap": (_sub('day_end = "18:00"',
                            'day_end = "18:00"\nbreaks = [["12:00", "13:00"], ["12:30", "14:00"]]'),
                       "[calendar] breaks", '["12:30", "14:00"]'),
    "break not a pair": (_sub('day_end = "18:00"', 'day_end = "18:00"\nbreaks = ["12:00"]'),
                         "[calendar] breaks", '["12:00"]'),
    "subdivision of a country without any": (_sub('holiday_country = "JP"', 'holiday_country = "JP"\n'
                                                  'holiday_subdivision = "13"'),
                                             "[calendar] holiday_subdivision", '"13"'),
    "unknown subdivision": (_sub('holiday_country = "JP"', 'holiday_country = "DE"\nholiday_subdivision = "XX"'),
                            "[calendar] holiday_subdivision", '"XX"'),
    "team on an unknown calendar": (BASE + '\n[teams]\n"SDR" = "us"\n', '[teams] "SDR"', '"us"'),
    "named calendar typo": (BASE + '\n[calendars.us]\ntimezone = "America/New_York"\nday_strat = "08:30"\n',
                            "[calendars.us] day_strat", '"08:30"'),
    "tier without match": (BASE + '\n[[versions.tiers]]\nname = "A"\nresponse_target_hours = 1\n',
                           "[[versions]] #1 [[versions.tiers]] #1 match", "match"),
    "tier match key unknown": (BASE + '\n[[versions.tiers]]\nname = "A"\nmatch = { industry = ["SaaS"] }\n',
                               "[[versions]] #1 [[versions.tiers]] #1 match industry", '["SaaS"]'),
    "tier match not a list": (BASE + '\n[[versions.tiers]]\nname = "A"\nmatch = { icp_tier = 1 }\n',
                              "[[versions]] #1 [[versions.tiers]] #1 match.icp_tier", "1"),
    "tier named (default)": (BASE + '\n[[versions.tiers]]\nname = "(default)"\nmatch = { icp_tier = ["A"] }\n',
                             "[[versions]] #1 [[versions.tiers]] #1 name", '"(default)"'),
    "tier target negative": (BASE + '\n[[versions.tiers]]\nname = "A"\nmatch = { icp_tier = ["A"] }\n'
                             "response_target_hours = -1\n",
                             "[[versions]] #1 [[versions.tiers]] #1 response_target_hours", "-1"),
    "two tiers one name": (BASE + '\n[[versions.tiers]]\nname = "A"\nmatch = { icp_tier = ["A"] }\n'
                           '\n[[versions.tiers]]\nname = "A"\nmatch = { icp_tier = ["B"] }\n',
                           "[[versions]] #1 tiers", '"A"'),
    "version key typo": (_sub("mql_threshold = 60", "mql_treshold = 60"), "[[versions]] #1 mql_treshold", "60"),
    "open = close": (_sub('day_end = "18:00"', 'day_end = "09:00"'), "[calendar] day_end", '"09:00"'),
    "open after close": (_sub('day_start = "09:00"', 'day_start = "19:00"'), "[calendar] day_end", '"18:00"'),
    "time 24:00": (_sub('day_end = "18:00"', 'day_end = "24:00"'), "[calendar] day_end", '"24:00"'),
    "time as a number": (_sub('day_end = "18:00"', "day_end = 18"), "[calendar] day_end", "18"),
    "time with a zone": (_sub('day_end = "18:00"', 'day_end = "18:00+09:00"'), "[calendar] day_end",
                         '"18:00+09:00"'),
    "unknown timezone": (_sub('timezone = "Asia/Tokyo"', 'timezone = "Asia/Tokio"'), "[calendar] timezone",
                         '"Asia/Tokio"'),
    "timezone localtime": (_sub('timezone = "Asia/Tokyo"', 'timezone = "localtime"'), "[calendar] timezone",
                           '"localtime"'),
    "timezone a number": (_sub('timezone = "Asia/Tokyo"', "timezone = 9"), "[calendar] timezone", "9"),
    "unknown country": (_sub('holiday_country = "JP"', 'holiday_country = "XX"'), "[calendar] holiday_country",
                        '"XX"'),
    "empty name": (_sub('name = "v1"', 'name = "  "'), "[[versions]] #1 name", '"  "'),
    "name a number": (_sub('name = "v1"', "name = 1"), "[[versions]] #1 name", "1"),
    "no name": (_sub('name = "v1"\n', ""), "[[versions]] #1 name", ""),
    "unknown stage": (_sub('handoff_stage = "mql"', 'handoff_stage = "lead"'), "[[versions]] #1 handoff_stage",
                      '"lead"'),
    "effective_from a datetime": (_sub('effective_from = "2026-01-01"', "effective_from = 2026-01-01T10:00:00"),
                                  "[[versions]] #1 effective_from", "2026-01-01T10:00:00"),
    "two versions one date": (BASE + "\n" + VERSIONS.replace('name = "v1"', 'name = "v2"'),
                              "[[versions]] effective_from", '"2026-01-01"'),
}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refusal(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_sla(text)
    return caught.value


@pytest.mark.parametrize("case", list(CASES))
def test_the_validator_names_file_key_value_in_english_and_japanese(case):
    text, key, value = CASES[case]
    err = _refusal(text)
    assert (err.file, err.key) == ("sla.toml", key)
    en, ja = err.text("en"), err.text("ja")
    assert str(err) == en
    for message in (en, ja):
        assert message.startswith("sla.toml") and key in message and value in message, message
        assert not re.search(r"\{[a-z_]+\}", message), message  # every placeholder filled
    assert not JAPANESE.search(en) and JAPANESE.search(ja), (en, ja)


def test_what_is_allowed_is_said():
    assert "between 0 and 100" in _refusal(CASES["threshold over 100"][0]).text("en")
    assert "0 から 100 の範囲" in _refusal(CASES["threshold over 100"][0]).text("ja")
    assert f"{DATE_RANGE[0]:%Y-%m-%d} to {DATE_RANGE[1]:%Y-%m-%d}" in _refusal(
        CASES["effective_from year 9999"][0]).text("en")
    assert '"Sun"' in _refusal(CASES["workdays = []"][0]).text("en")
    typo = _refusal(CASES["calendar key typo"][0]).text("en")
    assert "day_start" in typo and "check the spelling" in typo
    assert 'this file ("—")' not in _refusal(CASES["team on an unknown calendar"][0]).text("en")
    assert "no subdivisions" in _refusal(CASES["subdivision of a country without any"][0]).text("en")
    assert "icp_tier" in _refusal(CASES["tier without match"][0]).text("en")


def test_the_worked_sla_and_its_edges_still_pass():
    assert parse_sla(BASE).versions[0].mql_threshold == 60.0
    edges = (_sub('effective_from = "2026-01-01"', 'effective_from = "1990-01-01"')
             .replace('extra_holidays = ["2026-12-29"]', 'extra_holidays = [2099-12-31]')
             .replace('workdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]', 'workdays = ["Sun"]')
             .replace("fit_weight = 0.5", "fit_weight = 0").replace("mql_threshold = 60", "mql_threshold = 100")
             .replace('day_start = "09:00"', "day_start = 08:30:00"))
    config = parse_sla(edges)
    assert config.versions[0].effective_from == dt.date(1990, 1, 1)
    assert config.calendar.workdays == (6,) and config.calendar.day_start == dt.time(8, 30)
    assert config.calendar.extra_holidays == (dt.date(2099, 12, 31),)


@pytest.mark.parametrize("case", list(CASES))
def test_the_cli_import_refuses_with_the_same_message_and_changes_nothing(case, worked_db, tmp_path, capsys):
    text, _, _ = CASES[case]
    folder = tmp_path / "files"
    shutil.copytree(WORKED, folder)
    (folder / "sla.toml").write_text(text, encoding="utf-8")
    before = sha(worked_db)
    code = cli.main(["import", "--db", str(worked_db), str(folder)])
    err = capsys.readouterr().err
    assert code == 2
    assert sha(worked_db) == before, "a refused import changed the database file"
    assert "Traceback" not in err
    message = _refusal(text).text("en")
    assert message.removeprefix("sla.toml").lstrip(": ") in err, (message, err)


@pytest.mark.parametrize("case", list(CASES))
def test_the_data_page_holds_the_same_refusal(case):
    text, key, _ = CASES[case]
    batch = flow.receive([("sla.toml", text.encode())])
    [info] = batch.files
    expected = _refusal(text)
    assert info.problem is not None, info.message
    assert info.kind == "unreadable" and batch.sla_texts == {}
    assert info.message == expected.text("en").replace("sla.toml ", "sla.toml: ", 1) and key in info.text("ja")
    assert info.text("en") == expected.text("en").replace("sla.toml ", "sla.toml: ", 1)
    assert info.problem.text("ja") in info.text("ja") and JAPANESE.search(info.text("ja"))


# ---------------------------------------------------------------- links


LINKS = [("0001-01-01", "0001-01-02"), ("9999-12-01", "9999-12-31"), ("2026-05-01", "2026-04-01"),
         ("2026-04-01", "2026-04-01"), ("1969-12-31", "2026-04-01"), ("2026-04-01", "2100-01-02")]


@pytest.mark.parametrize("start, end", LINKS)
def test_a_link_period_outside_the_view_bounds_is_not_usable(start, end):
    assert not periods.usable_range(dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def test_the_view_bounds_themselves_are_usable_and_their_comparisons_compute():
    low, high = periods.VIEW_BOUNDS
    assert periods.usable_range(low, high)
    assert periods.usable_range(dt.date(2026, 4, 1), dt.date(2026, 4, 2))
    assert not periods.usable_range("2026-04-01", dt.date(2026, 5, 1))
    for kind in ("previous", "year"):  # the widest and the earliest ranges still have a comparison period
        assert periods.comparison_range(kind, low, high) is not None
        assert periods.comparison_range(kind, low, dt.date(1970, 2, 1)) is not None


@pytest.mark.parametrize("start, end", [*LINKS, ("garbage", "2026-04-01"), ("2026-04-01", "")])
def test_the_url_state_decodes_a_crafted_period_as_nothing(start, end):
    from sla_review.app import ui

    assert ui.PARAMS["u_range"].decode({"from": [start], "to": [end]}) is None
    assert ui.PARAMS["u_crange"].decode({"cfrom": [start], "cto": [end]}) is None
    assert ui.PARAMS["u_range"].decode({"from": ["2026-01-05"], "to": ["2026-03-01"]}) == (
        dt.date(2026, 1, 5), dt.date(2026, 2, 28))
