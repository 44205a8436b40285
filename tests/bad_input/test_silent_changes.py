"""Nothing changes silently (issue 16): emptying the database, a zone name read as local time, a row dated 2999,
the demo over real data, and scratch folders left behind by a kill -9. Each refusal leaves the database
byte-identical; each "yes, on purpose" is a flag or checkbox named for what it does."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from sla_review.cli import main
from sla_review.ingest import data_flow as flow
from sla_review.ingest.importer import EMPTY_MESSAGE, ImportFailed, import_dir
from sla_review.store import scratch
from sla_review.store.db import connect
from tests.conftest import ROOT

UTC = dt.UTC


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(db: Path, sql: str) -> list[tuple]:
    con = connect(db, create=False)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def set_line(path: Path, start: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    (i,) = [n for n, line in enumerate(lines) if line.startswith(start)]
    lines[i] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------------- emptying the database


def test_header_only_import_is_refused_and_goes_through_only_by_name(worked_dir, worked_db, capsys):
    for name in ("leads.csv", "stage_events.csv", "activities.csv", "reps.csv"):
        path = worked_dir / name
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    before = sha256(worked_db)
    assert main(["import", "--db", str(worked_db), str(worked_dir)]) == 2
    err = capsys.readouterr().err
    assert f"- leads.csv: {EMPTY_MESSAGE}" in err and "--replace-with-empty" in err
    assert sha256(worked_db) == before
    assert main(["import", "--db", str(worked_db), str(worked_dir), "--replace-with-empty"]) == 0
    assert query(worked_db, "SELECT count(*) FROM leads") == [(0,)]


def test_an_append_of_no_leads_is_no_removal(worked_dir, worked_db, capsys):
    (worked_dir / "leads.csv").write_text("lead_id,created_at\n", encoding="utf-8")
    for name in ("stage_events.csv", "activities.csv"):
        path = worked_dir / name
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert main(["import", "--db", str(worked_db), "--mode", "append", str(worked_dir)]) == 0
    assert query(worked_db, "SELECT count(*) FROM leads") == [(6,)]


# ------------------------------------------------------------------------------------- zone names and offsets


def test_a_zone_name_is_refused_and_an_offset_is_honoured(worked_dir, tmp_path):
    leads = worked_dir / "leads.csv"
    rest = "organic,,it-manager,B,kansai,70,60,r2"
    set_line(leads, "L2,", f"L2,2026-05-01 10:00 America/New_York,{rest}")
    con = connect(tmp_path / "zone.duckdb")
    with pytest.raises(ImportFailed) as refused:
        import_dir(con, worked_dir)
    (problem,) = refused.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "leads.csv", 3, "created_at", "2026-05-01 10:00 America/New_York")
    assert "time-zone name" in problem.message and "-04:00" in problem.message
    # the same instant written with its offset: 10:00 EDT = 14:00 UTC (not 10:00 Tokyo = 01:00 UTC, as before)
    set_line(leads, "L2,", f"L2,2026-05-01T10:00:00-04:00,{rest}")
    import_dir(con, worked_dir)
    assert con.execute("SELECT created_at FROM leads WHERE lead_id = 'L2'").fetchall() == [
        (dt.datetime(2026, 5, 1, 14, 0, tzinfo=UTC),)]
    con.close()


# ------------------------------------------------------------------------------------- implausible dates


@pytest.mark.parametrize("value", ["2999-05-01T16:00:00+09:00", "1900-01-01", "1989-12-31T23:59:59Z"])
def test_a_row_far_outside_the_plausible_span_is_refused_and_listed(worked_dir, worked_db, value):
    set_line(worked_dir / "leads.csv", "L2,", f"L2,{value},organic,,it-manager,B,kansai,70,60,r2")
    before = sha256(worked_db)
    con = connect(worked_db)
    try:
        with pytest.raises(ImportFailed) as refused:
            import_dir(con, worked_dir, imported_at=dt.datetime(2026, 7, 1, tzinfo=UTC))
    finally:
        con.close()
    (problem,) = refused.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == ("leads.csv", 3, "created_at", value)
    assert "outside the plausible span" in problem.message and "after 2031-07-01" in problem.message
    assert sha256(worked_db) == before


def test_the_edges_of_the_plausible_span_are_kept(worked_dir, tmp_path):
    """1990-01-01 00:00 UTC and exactly five years after the import are inside; the future one is reported."""
    set_line(worked_dir / "leads.csv", "L2,", "L2,1990-01-01T00:00:00Z,organic,,it-manager,B,kansai,70,60,r2")
    with (worked_dir / "activities.csv").open("a") as f:
        f.write("L6,r1,2031-07-01T00:00:00Z,meeting,\n")
    con = connect(tmp_path / "edges.duckdb")
    summary = import_dir(con, worked_dir, imported_at=dt.datetime(2026, 7, 1, tzinfo=UTC))
    con.close()
    assert summary.rows["leads"] == 6 and summary.future_rows == 1


# ------------------------------------------------------------------------------------- the demo over real data


def test_demo_refuses_to_overwrite_real_data(worked_db, tmp_path, capsys):
    before = sha256(worked_db)
    assert main(["demo", "--db", str(worked_db), "--leads", "60"]) == 2
    err = capsys.readouterr().err
    assert str(worked_db) in err and "6 leads" in err and "--replace-real-data" in err
    assert sha256(worked_db) == before
    assert main(["demo", "--db", str(worked_db), "--leads", "60", "--replace-real-data"]) == 0
    assert query(worked_db, "SELECT count(*), bool_and(is_demo) FROM leads, (SELECT is_demo FROM imports "
                            "ORDER BY import_id DESC LIMIT 1)") == [(60, True)]
    # a demo database, an absent one and an empty one are rebuilt without asking
    assert main(["demo", "--db", str(worked_db), "--leads", "50"]) == 0
    assert main(["demo", "--db", str(tmp_path / "new.duckdb"), "--leads", "50"]) == 0
    connect(tmp_path / "empty.duckdb").close()
    assert main(["demo", "--db", str(tmp_path / "empty.duckdb"), "--leads", "50"]) == 0


# ------------------------------------------------------------------------------------- scratch folders after kill -9


def stale(root: Path, prefix: str, pid: int) -> list[Path]:
    return sorted(root.glob(f"{prefix}{pid}-*"))


def kill_when_folder_appears(proc: subprocess.Popen, root: Path, prefix: str) -> list[Path]:
    """Wait (at most 120 s) for the process's pid-stamped folder to hold a file, then kill -9 it."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        folders = stale(root, prefix, proc.pid)
        if folders and any(p.is_file() for p in folders[0].iterdir()):
            break
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else "the process ended first"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()  # reaped: its pid is dead now (a zombie would still answer kill(pid, 0))
    assert proc.returncode == -signal.SIGKILL
    return stale(root, prefix, proc.pid)


def child_env(root: Path) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(root), "PYTHONPATH": str(ROOT)}


def test_a_killed_demo_build_leaves_a_folder_the_next_run_sweeps(tmp_path, monkeypatch):
    root = tmp_path / "tmp"
    root.mkdir()
    db = tmp_path / "demo.duckdb"
    proc = subprocess.Popen([sys.executable, "-m", "sla_review", "demo", "--db", str(db), "--leads", "400000"],
                            env=child_env(root), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    left = kill_when_folder_appears(proc, root, "sla-demo-")
    assert left, "kill -9 leaves the folder (no cleanup code runs)"
    # the next demo run (another process) sweeps it, and leaves nothing of its own
    subprocess.run([sys.executable, "-m", "sla_review", "demo", "--db", str(tmp_path / "next.duckdb"),
                    "--leads", "50"], env=child_env(root), cwd=ROOT, check=True, capture_output=True)
    assert not any(p.exists() for p in left)
    assert not list(root.glob("sla-demo-*"))


UPLOADER = """
import sys, time
from sla_review.ingest import data_flow as flow

def uploads():
    yield "leads.csv", b"lead_id,created_at\\nA,2026-04-01\\n"
    time.sleep(600)  # the browser is still sending the next file when the server is killed
    yield "more.csv", b""

flow.receive(uploads())
"""


def test_a_killed_upload_leaves_a_copy_the_next_upload_sweeps(tmp_path, monkeypatch):
    root = tmp_path / "tmp"
    root.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", UPLOADER], env=child_env(root), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    left = kill_when_folder_appears(proc, root, "sla-upload-")
    assert [p.name for p in left[0].iterdir()] == ["leads.csv"], "the user's file is on disk after the kill"
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    batch = flow.receive([("leads.csv", b"lead_id,created_at\nB,2026-04-02\n")])
    assert batch.frames["leads.csv"].height == 1
    assert not any(p.exists() for p in left), "the next upload removed the dead server's copy"
    assert not list(root.glob("sla-upload-*")), "and its own copy is gone once read"


def test_sweep_keeps_folders_of_live_processes_and_other_names(tmp_path):
    mine = scratch.make_dir("sla-demo-", tmp_path)
    other = tmp_path / "sla-demo-notapid"
    other.mkdir()
    assert scratch.sweep("sla-demo-", tmp_path) == []
    assert mine.is_dir() and other.is_dir()


def test_a_starting_server_sweeps_a_killed_servers_upload_copies(tmp_path: Path) -> None:
    """A user's upload copy left by a killed server goes when the next server starts (server.py calls this),
    not only at the next upload; a live process's folder stays."""
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout)
    left = tmp_path / f"{scratch.UPLOAD}{dead}-abc"
    left.mkdir()
    (left / "leads.csv").write_text("lead_id\nL1\n")
    chart = tmp_path / f"{scratch.KALEIDO}{dead}-def"
    chart.mkdir()
    live = tmp_path / f"{scratch.UPLOAD}{os.getpid()}-ghi"
    live.mkdir()
    assert sorted(scratch.sweep_all(scratch.SERVER_PREFIXES, tmp_path)) == sorted([left, chart])
    assert not left.exists() and not chart.exists() and live.exists()
    server = (Path(__file__).resolve().parents[2] / "server.py").read_text(encoding="utf-8")
    assert "scratch.sweep_all(scratch.SERVER_PREFIXES)" in server
