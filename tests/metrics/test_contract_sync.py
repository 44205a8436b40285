"""Our copy of the contract equals the shared one, so a change to DOMAIN.md or its worked example is noticed.

The repository tests itself with tests/fixtures/worked/ (the worked example and DOMAIN.md's report object).
Where the shared folder is reachable (SLA_DATASETS's parent, as in CI) these tests hold the copy to it; elsewhere
they are skipped with the reason, and under CI a skip fails.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import EXPECTED_REPORT, SHARED, SHARED_WORKED, WORKED

pytestmark = pytest.mark.contract


def test_worked_example_files_equal_the_shared_ones_byte_for_byte() -> None:
    shared = sorted(p.name for p in SHARED_WORKED.iterdir())
    ours = sorted(p.name for p in WORKED.iterdir() if p != EXPECTED_REPORT)
    assert ours == shared
    for name in shared:
        assert (WORKED / name).read_bytes() == (SHARED_WORKED / name).read_bytes(), f"{name} differs from the shared"


def test_expected_report_is_domain_md_json_block() -> None:
    """Byte for byte, so key order and number spelling are the contract's too."""
    blocks = re.findall(r"```json\n(.*?)```", (SHARED / "DOMAIN.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, f"DOMAIN.md should print one ```json block, it prints {len(blocks)}"
    assert EXPECTED_REPORT.read_text(encoding="utf-8") == blocks[0]
