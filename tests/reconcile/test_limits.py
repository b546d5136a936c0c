"""ConnectWise's field limits hold at plan time: a line it would refuse is a located plan error.

An invoice description longer than ConnectWise's invoiceDescription (6000 UTF-16 code units) stops
the plan with the company file and line of each configuration concerned, before anything is sent:
never a 400 in the middle of an apply.
"""

from __future__ import annotations

import re

from tests.conftest import edit
from tests.reconcile.conftest import AS_OF, World

TEMPLATE = '"{product} for {period}: {breakdown}"'


def test_a_description_too_long_for_connectwise_stops_plan_and_apply_before_any_write(world: World) -> None:
    # 5991 + "{product}" is 6000 characters, which the schema allows; rendered it is 5991 + 10 or 11
    edit(world.billing / "settings.yaml", TEMPLATE, '"' + "x" * 5991 + '{product}"')
    for command in ("plan", "apply"):
        result = world.cwbill(
            command, "billing", "--as-of", AS_OF, *(("--yes",) if command == "apply" else ())
        )
        assert result.code == 1, result.text
        located = re.findall(
            r"^(billing/companies/\w+\.yaml:\d+:\d+): configurations\[\d\]: (.*)$", result.err, re.M
        )
        assert located, result.err
        assert all("ConnectWise's invoiceDescription holds at most 6000" in message for _, message in located)
        assert "gamma.yaml" not in result.err, "gamma sends no description (from-product)"
    assert world.writes() == 0
