"""Without sign-in the server listens on loopback only (issue 15): `streamlit run server.py` on 0.0.0.0 exits with
the reason unless SLA_ALLOW_NETWORK_WITHOUT_SIGN_IN=1 says so by name."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sla_review.devtools.serve import free_port
from sla_review.store.db import connect
from sla_review.store.sql import ROOT

pytestmark = pytest.mark.e2e


def start(db: Path, extra: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.address", "0.0.0.0",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "SLA_DB": str(db), **extra}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True)
    return proc, port


def test_no_sign_in_refuses_every_interface(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    connect(db).close()
    proc, _ = start(db, {"SLA_ALLOW_NETWORK_WITHOUT_SIGN_IN": ""})
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "refusing to listen on 0.0.0.0: no sign-in is configured" in out
    assert "SLA_ALLOW_NETWORK_WITHOUT_SIGN_IN=1" in out


def test_the_operator_may_allow_it_by_name(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    connect(db).close()
    proc, port = start(db, {"SLA_ALLOW_NETWORK_WITHOUT_SIGN_IN": "1"})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok"
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline
                time.sleep(0.3)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=10)
