"""Drafts of the next SLA version and adopting one (sla_review.ingest.drafts), on the worked example."""

from __future__ import annotations

import datetime as dt

import pytest

from sla_review.core.terms import ConfigError, with_clauses
from sla_review.ingest import drafts
from sla_review.ingest.importer import stored_config
from sla_review.metrics.report import build_report, make_period

AS_OF = "2026-06-30T10:00:00+09:00"


@pytest.fixture
def con(worked_con):
    return worked_con


def v1(c):
    return stored_config(c).versions[0]


def test_save_list_get_delete(con):
    drafts.save_draft(con, "faster", with_clauses(v1(con), ["response_target_hours=1", "name=v2"]), note="n1",
                      based_on="v1", saved_at=dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    drafts.save_draft(con, " cheaper ", with_clauses(v1(con), ["mql_threshold=70"]),
                      saved_at=dt.datetime(2026, 7, 2, tzinfo=dt.UTC))
    assert [d.name for d in drafts.list_drafts(con)] == ["cheaper", "faster"]  # newest first, name trimmed
    got = drafts.get_draft(con, "faster")
    assert (got.version.response_target_hours, got.version.name, got.note, got.based_on) == (1.0, "v2", "n1", "v1")
    drafts.save_draft(con, "faster", with_clauses(v1(con), ["response_target_hours=3"]))  # saving again replaces
    assert drafts.get_draft(con, "faster").version.response_target_hours == 3.0
    drafts.delete_draft(con, "faster")
    with pytest.raises(ConfigError) as err:
        drafts.get_draft(con, "faster")
    assert "faster" in err.value.text("en") and "cheaper" in err.value.text("en")
    assert "下書き" in err.value.text("ja")


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_draft_needs_a_usable_name(con, name):
    with pytest.raises(ConfigError) as err:
        drafts.save_draft(con, name, v1(con))
    assert err.value.rule == "draft_name"


def test_adopting_changes_only_handoffs_from_its_date(con):
    before = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 6, 1), AS_OF)
    june = make_period(con, dt.date(2026, 6, 1), dt.date(2026, 7, 1), AS_OF)
    was_before, was_june = build_report(con, before)["response"], build_report(con, june)["response"]
    assert (was_june["breached"], was_june["pending"]) == (1, 1)  # L6 breached, L5 1.5 h of 2: pending
    drafts.save_draft(con, "faster", with_clauses(v1(con), ["response_target_hours=1", "name=v2"]))
    assert drafts.handoffs_from(con, dt.date(2026, 6, 1)) == 2  # L6 (06-10) and L5 (06-29)
    summary, adoption = drafts.adopt(con, "faster", dt.date(2026, 6, 1), author="revops@example.com",
                                     adopted_at=dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    assert [(v.name, v.effective_from) for v in stored_config(con).versions] == [
        ("v1", dt.date(2026, 1, 1)), ("v2", dt.date(2026, 6, 1))]
    assert build_report(con, before)["response"] == was_before  # L1, L2, L4 keep v1's judgment
    now_june = build_report(con, june)["response"]
    assert (now_june["breached"], now_june["pending"]) == (2, 0)  # L5: 1.5 h elapsed > 1 h: breached now
    assert drafts.adoptions(con) == [drafts.Adoption(dt.datetime(2026, 7, 1, tzinfo=dt.UTC), "revops@example.com",
                                                     "faster", "v2", dt.date(2026, 6, 1), summary.import_id)]
    mode = con.execute("SELECT mode FROM imports WHERE import_id = $i", {"i": summary.import_id}).fetchall()
    assert mode == [("terms",)]


@pytest.mark.parametrize("day, rule", [(dt.date(2026, 1, 1), "adopt_before"), (dt.date(2025, 6, 1), "adopt_before")])
def test_adoption_never_edits_the_past(con, day, rule):
    drafts.save_draft(con, "d", with_clauses(v1(con), ["name=v2"]))
    with pytest.raises(ConfigError) as err:
        drafts.adopt(con, "d", day)
    assert err.value.rule == rule
    assert "2026-01-01" in err.value.text("en") and "v1" in err.value.text("ja")
    assert len(stored_config(con).versions) == 1 and drafts.adoptions(con) == []


def test_adoption_needs_a_new_version_name(con):
    drafts.save_draft(con, "d", v1(con))  # still named v1
    with pytest.raises(ConfigError) as err:
        drafts.adopt(con, "d", dt.date(2026, 8, 1))
    assert err.value.rule == "adopt_name_taken"
    _, adoption = drafts.adopt(con, "d", dt.date(2026, 8, 1), version_name="v1b")
    assert adoption.version == "v1b" and stored_config(con).versions[-1].name == "v1b"


def test_a_failed_adoption_leaves_nothing_behind(con, monkeypatch):
    drafts.save_draft(con, "d", with_clauses(v1(con), ["name=v2"]))
    imports = con.execute("SELECT count(*) FROM imports").fetchall()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("sla_review.ingest.importer._counts", broken)
    with pytest.raises(RuntimeError):
        drafts.adopt(con, "d", dt.date(2026, 8, 1))
    assert len(stored_config(con).versions) == 1
    assert con.execute("SELECT count(*) FROM imports").fetchall() == imports
    assert drafts.adoptions(con) == []
