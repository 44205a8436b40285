"""Start `streamlit run server.py` (around dashboard.py) on a free loopback port, for the browser tests and the
browser benchmark, and the flags Debian's Chromium needs on this closed network."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from sla_review.store.sql import ROOT

CHROMIUM = os.environ.get("SLA_CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db: Path, log_path: Path, start_timeout_s: float = 60,
                     env: dict[str, str] | None = None, port: int | None = None) -> Iterator[str]:
    """Serve the dashboard (server.py: preloaded imports, the edge guard) on 127.0.0.1 with SLA_DB=db and yield
    its URL; `env` adds variables (e.g. STREAMLIT_SERVER_ALLOWED_HOSTS); `port` when the caller must know it
    beforehand (a sign-in redirect URL). The start is bounded; the server's own
    process group is always stopped (nothing else is signalled)."""
    port = port or free_port()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "server.py", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, "SLA_DB": str(db), **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            deadline = time.monotonic() + start_timeout_s
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"streamlit did not start: {log_path.read_text()[-2000:]}") from None
                    time.sleep(0.3)
            yield f"http://127.0.0.1:{port}"
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            except ProcessLookupError:
                pass
