"""Scratch folders on disk that a killed process does not leave behind for ever.

Why: `tempfile.TemporaryDirectory` cleans up on a normal exit only. After a `kill -9` (an OOM kill, a closed
laptop, a stopped container) the demo's 44 MB of CSVs, a user's uploaded CRM export or Chromium's wrapper stay
in /tmp. Every folder made here carries the owning process id in its name (``sla-demo-<pid>-<random>``); each new
one first sweeps the folders of the same prefix whose process is gone, so the next run cleans up after a kill.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["BENCH", "DEMO", "KALEIDO", "SERVER_PREFIXES", "UPLOAD", "make_dir", "scratch_dir", "sweep", "sweep_all"]

DEMO = "sla-demo-"  # the demo command's generated CSVs (~44 MB at 100k leads)
UPLOAD = "sla-upload-"  # the Data page's copies of a user's CRM exports, while they are read
KALEIDO = "sla-kaleido-"  # the deck's Chromium wrapper for chart images
BENCH = "sla-bench-"  # the benchmark's generated data and databases
SERVER_PREFIXES = (UPLOAD, KALEIDO)
"""What a server leaves behind when killed: swept when the next server starts (server.py), so a user's upload
never waits on disk for the next upload."""


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (a pid reused by another process counts as alive: kept, not lost)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep(prefix: str, root: str | os.PathLike[str] | None = None) -> list[Path]:
    """Remove `<prefix><pid>-*` folders under `root` (default: the system temp folder) whose pid is dead."""
    base = Path(root or tempfile.gettempdir())
    pattern = re.compile(re.escape(prefix) + r"(\d+)-")
    removed = []
    for path in base.glob(f"{prefix}*"):
        found = pattern.match(path.name)
        if found and path.is_dir() and not path.is_symlink() and not _alive(int(found.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def sweep_all(prefixes: tuple[str, ...], root: str | os.PathLike[str] | None = None) -> list[Path]:
    """`sweep` for each prefix."""
    return [path for prefix in prefixes for path in sweep(prefix, root)]


def make_dir(prefix: str, root: str | os.PathLike[str] | None = None) -> Path:
    """A new private folder `<prefix><pid>-<random>` (mode 0700), after sweeping dead processes' ones."""
    sweep(prefix, root)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=root))


@contextlib.contextmanager
def scratch_dir(prefix: str, root: str | os.PathLike[str] | None = None) -> Iterator[Path]:
    """`make_dir`, removed again when the block ends (normally or by an exception)."""
    path = make_dir(prefix, root)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
