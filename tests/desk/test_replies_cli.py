"""`amends replies`: saved from the command line, refused by the coach with exit 1,
filled for a case in the customer's language."""

from __future__ import annotations

import json

from tests.cases.test_cases_cli import env, run, setup_case  # noqa: F401 - the shared fixture

OURS = "Dobrý deň, {customer_name}, chyba v {case_ref} je naša a ešte dnes ju napravíme."


def test_a_saved_reply_is_added_refused_filled_and_removed(env: None) -> None:  # noqa: F811
    case_id = setup_case(env)
    me = ("--as", "lucia@example.com")
    code, _, err = run(
        "replies", "add", "--title", "kuriér", "--language", "sk",
        "--text", "Prepáčte, ale kuriér meškal.", *me,
    )  # fmt: skip
    assert code == 1 and "coach" in err and "kuriér meškal" in err
    code, out, _ = run(
        "replies", "add", "--title", "náprava", "--language", "sk", "--text", OURS, "--json", *me
    )
    assert code == 0
    reply_id = json.loads(out)["id"]
    code, out, _ = run("replies", "list", "--json", *me)
    assert [json.loads(line)["title"] for line in out.splitlines()] == ["náprava"]
    code, out, _ = run("replies", "fill", str(reply_id), "--case", str(case_id), *me)
    assert code == 0 and out.strip().endswith(f"C-{case_id} je naša a ešte dnes ju napravíme.")
    assert "{customer_name}" not in out
    # Someone else's own reply is not theirs to see.
    code, _, _ = run("replies", "fill", str(reply_id), "--case", str(case_id))
    assert code == 1
    code, _, _ = run("replies", "remove", str(reply_id), *me)
    assert code == 0
    code, out, _ = run("replies", "list", "--json", *me)
    assert out.strip() == ""
