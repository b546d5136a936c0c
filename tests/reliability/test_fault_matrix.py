"""The fault matrix (tests/reliability/matrix.py), one test per case: apply converges to exactly the
fault-free reference, with no duplicate, nothing missing, no unmarked line touched, and a journal that
names every write the sandbox committed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.matrix import CASES, HEADER, Case, row, run_case


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_apply_converges_to_the_reference_under(case: Case, tmp_path: Path) -> None:
    outcome = run_case(case, tmp_path)
    print(f"\n{HEADER}\n{row(case, outcome)}")
    assert outcome.duplicates == outcome.missing == outcome.extra == 0
    assert outcome.runs <= 4, "more runs than a CI retry budget allows"
