"""The commitments board and the folded customer search from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.cases.test_cases_cli import env, run
from tests.cases.test_recovery_cli import thai_shop, users

__all__ = ["env"]


def test_the_board_and_the_customer_search_answer_on_the_command_line(env: None) -> None:
    users()
    shop = thai_shop()
    past = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    code, _, err = run(
        "commitments", "add", "--customer", str(shop), "--title", "ส่งใบเสนอราคา",
        "--kind", "deliverable", "--currency", "THB", "--due", past,
        "--owner", "nok@example.com", "--json",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run("commitments", "board", "--json")
    assert code == 0, err
    lanes = [json.loads(line) for line in out.splitlines()]
    assert [[m["title"] for m in lane["missed"]] for lane in lanes] == [["ส่งใบเสนอราคา"]]
    code, out, err = run("customers", "list", "--query", "บ้านสวน", "--json")
    assert code == 0, err
    assert "ร้านดอกไม้บ้านสวน" in out
