"""`python -m sla_review proposal | drafts | adopt`: the scriptable negotiation room, on the worked example."""

from __future__ import annotations

import json

from sla_review.cli import main
from sla_review.ingest.importer import stored_config
from sla_review.store.db import connect

PERIOD = ["--from", "2026-04-01", "--to", "2026-07-01", "--as-of", "2026-06-30T10:00:00+09:00"]


def test_proposal_json_replays_current_and_proposed(worked_db, capsys):
    assert main(["proposal", "--db", str(worked_db), *PERIOD, "--set", "response_target_hours=4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["period"] == {"from": "2026-04-01", "to": "2026-07-01", "as_of": "2026-06-30T10:00:00+09:00"}
    cur, prop = out["current"], out["proposed"]
    # the report's figures for the terms in force; 4 h: L1, L2, L4 within, L6 breached, L5 pending (by hand)
    assert (cur["response"]["within_target"], cur["response"]["breached"], cur["response"]["attainment"]) == (2, 2, 0.5)
    assert (prop["response"]["within_target"], prop["response"]["breached"], prop["response"]["attainment"]) == (
        3, 1, 0.75)
    assert (cur["follow_up"]["due"], cur["follow_up"]["compliant"]) == (4, 1)
    for side in (cur, prop):
        assert side["volume"]["is_estimate"] is False
        assert side["volume"]["sql_rate"] == 0.4  # 2 of the 5 leads scoring >= 60 reached SQL


def test_proposal_table_in_japanese(worked_db, capsys):
    assert main(["proposal", "--db", str(worked_db), *PERIOD, "--set", "response_target_hours=4", "--lang", "ja"]) == 0
    text = capsys.readouterr().out
    lines = [line for line in text.splitlines() if line.startswith("目標内に対応した引き渡し")]
    assert len(lines) == 1 and "50.0%" in lines[0] and "75.0%" in lines[0]
    assert "件数不足（4）" in lines[0]  # 4 judged handoffs: too few to judge, said, not hidden


def test_a_bad_clause_is_refused_in_the_users_language(worked_db, capsys):
    assert main(["proposal", "--db", str(worked_db), *PERIOD, "--set", "response_target_hours=-1", "--lang", "ja"]) == 2
    err = capsys.readouterr().err
    assert "response_target_hours：-1 は 0 から 8760 の範囲にしてください" in err


def test_drafts_save_list_and_adopt(worked_db, capsys):
    db = str(worked_db)
    assert main(["drafts", "--db", db, "save", "faster", "--set", "response_target_hours=1", "--set", "name=v2",
                 "--note", "tighter"]) == 0
    assert main(["drafts", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert "faster" in listed and "v2" in listed and "tighter" in listed
    assert main(["proposal", "--db", db, *PERIOD, "--draft", "faster", "--json"]) == 0
    prop = json.loads(capsys.readouterr().out)["proposed"]
    assert prop["terms"]["response_target_hours"] == 1  # L4 1.0 h within; L1 1.5 h, L2 2.5 h breached
    assert (prop["response"]["within_target"], prop["response"]["breached"]) == (1, 4)
    assert main(["adopt", "--db", db, "--draft", "faster", "--effective-from", "2026-01-01"]) == 2
    assert "2026-01-01" in capsys.readouterr().err
    assert main(["adopt", "--db", db, "--draft", "faster", "--effective-from", "2026-06-01"]) == 0
    said = capsys.readouterr().out
    assert "v2" in said and "2026-06-01" in said and "2 handoff" in said
    con = connect(worked_db)
    assert [v.name for v in stored_config(con).versions] == ["v1", "v2"]
    con.close()


def test_missing_draft(worked_db, capsys):
    assert main(["proposal", "--db", str(worked_db), *PERIOD, "--draft", "nope"]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["drafts", "--db", str(worked_db), "delete", "nope"]) == 2
