"""Our copy of the contract equals the shared one, so a change to DOMAIN.md or its worked example is noticed.

The repository tests itself with tests/fixtures/worked/ (the worked example and DOMAIN.md's report object).
Where the shared folder is reachable (SLA_DATASETS's parent, as in CI) these tests hold the copy to it; elsewhere
they are skipped with the reason, and under CI a skip fails.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import EXPECTED_REPORT, REPORT_EXTENSIONS, REPORT_SECTIONS_ADDED, SHARED, SHARED_WORKED, WORKED

pytestmark = pytest.mark.contract


def test_worked_example_files_equal_the_shared_ones_byte_for_byte() -> None:
    shared = sorted(p.name for p in SHARED_WORKED.iterdir())
    ours = sorted(p.name for p in WORKED.iterdir() if p != EXPECTED_REPORT)
    assert ours == shared
    for name in shared:
        assert (WORKED / name).read_bytes() == (SHARED_WORKED / name).read_bytes(), f"{name} differs from the shared"


def without_extensions(report: dict) -> dict:
    """The report with our added keys (REPORT_EXTENSIONS) taken out; refuses a section missing one of them."""
    out = {k: v for k, v in report.items() if k not in REPORT_SECTIONS_ADDED}
    for section, keys in REPORT_EXTENSIONS.items():
        rows = out[section] if isinstance(out[section], list) else [out[section]]
        for row in rows:
            assert list(row)[-len(keys):] == list(keys), f"{section}: {list(row)} should end with {keys}"
        kept = [{k: v for k, v in row.items() if k not in keys} for row in rows]
        out[section] = kept if isinstance(out[section], list) else kept[0]
    return out


def test_expected_report_is_domain_md_json_block() -> None:
    """DOMAIN.md's block plus our interval keys (REPORT_EXTENSIONS) and nothing else: the same keys in the same
    order with the same values (compared as JSON text, so key order and number spelling count)."""
    blocks = re.findall(r"```json\n(.*?)```", (SHARED / "DOMAIN.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, f"DOMAIN.md should print one ```json block, it prints {len(blocks)}"
    ours = without_extensions(json.loads(EXPECTED_REPORT.read_text(encoding="utf-8")))
    assert json.dumps(ours) == json.dumps(json.loads(blocks[0]))
