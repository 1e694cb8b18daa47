"""The command line does what the API does: customers and promises, replies through the
coach, compensation decisions, and changing a case under the same rules."""

from __future__ import annotations

import json

from amends.people.rules import Role
from tests.cases.test_cases_cli import env, run

__all__ = ["env"]  # the fixture, shared with the other command-line tests


def users() -> None:
    from amends.console import open_workspace
    from amends.people import service as people

    ws = open_workspace()
    with ws.transaction() as s:
        for email, name, role in (
            ("nok@example.com", "Nok", Role.AGENT),
            ("marek@example.com", "Marek", Role.MANAGER),
        ):
            people.create_user(s, email=email, name=name, role=role, now=ws.clock.now())


def thai_shop() -> int:
    code, out, err = run(
        "customers", "add", "ร้านดอกไม้บ้านสวน", "--email", "somsri@baansuan.example",
        "--contact", "สมศรี", "--language", "th", "--timezone", "Asia/Bangkok",
        "--currency", "thb", "--recurring-value", "6500", "--json",
    )  # fmt: skip
    assert code == 0, err
    shop = json.loads(out)
    assert (shop["currency"], shop["language"], shop["contacts"][0]["email"]) == (
        "THB",
        "th",
        "somsri@baansuan.example",
    )
    return int(shop["id"])


def complaint_case(customer_id: int, title: str) -> int:
    from amends.cases.rules import Category
    from amends.console import open_workspace
    from amends.people import service as people
    from amends.recovery import flows

    ws = open_workspace()
    with ws.transaction() as s:
        nok = people.user_by_email(s, "nok@example.com")
        return flows.open_case(
            s,
            actor=people.actor_for(nok),
            now=ws.clock.now(),
            customer_id=customer_id,
            owner_id=nok.id,
            title=title,
            category=Category.WRONG_ITEM,
            playbook=ws.playbook,
        ).id


def test_customers_and_promises_are_added_and_changed_from_the_command_line(env: None) -> None:
    users()
    shop = thai_shop()
    code, _, err = run("customers", "add", "X", "--currency", "BAHT")
    assert code == 2 and "--currency" in err
    code, out, err = run(
        "commitments", "add", "--customer", str(shop), "--title", "จัดดอกไม้ทุกวันจันทร์",
        "--kind", "recurring_service", "--currency", "THB", "--value", "1500",
        "--due", "2026-12-07T08:00:00+07:00", "--rrule", "FREQ=WEEKLY;BYDAY=MO",
        "--owner", "nok@example.com", "--json",
    )  # fmt: skip
    assert code == 0, err
    promise = json.loads(out)
    assert (promise["rrule"], promise["status"]) == ("FREQ=WEEKLY;BYDAY=MO", "active")
    code, out, err = run("commitments", "edit", str(promise["id"]), "--status", "paused", "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "paused"
    code, out, err = run("customers", "edit", str(shop), "--tier", "gold", "--json")
    assert code == 0, err
    assert json.loads(out)["tier"] == "gold"
    assert run("customers", "edit", str(shop))[0] == 2  # nothing to change


def test_a_reply_from_the_command_line_passes_the_coach_and_waits_for_approval(
    env: None,
) -> None:
    users()
    case_id = complaint_case(thai_shop(), "ดอกไม้ส่งผิดร้าน")
    blame = "The courier company mixed up the parcels, it was not our fault."
    code, _, err = run(
        "cases",
        "reply",
        str(case_id),
        "--text",
        blame,
        "--language",
        "en",
        "--as",
        "nok@example.com",
    )
    assert code == 1 and "blame" in err
    apology = "ขออภัยค่ะ เป็นความผิดพลาดของเราเอง เราส่งดอกไม้ชุดใหม่ให้แล้ววันนี้ และให้เครดิต 2,000 บาทค่ะ"
    code, out, err = run(
        "cases", "reply", str(case_id), "--text", apology, "--step", "own", "--step", "remedy",
        "--step", "compensate", "--kind", "credit", "--amount", "2000", "--rationale", "a week",
        "--as", "nok@example.com", "--json",
    )  # fmt: skip
    assert code == 0, err
    sent = json.loads(out)
    assert sent["outbox_status"] == "held" and sent["held_for_approval"] == ["compensate"]
    code, out, err = run("compensation", "approve", str(sent["compensation_id"]), "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "approved"
    shown = json.loads(run("cases", "show", str(case_id), "--json")[1])
    assert "reply_released" in [e["kind"] for e in shown["timeline"]]
    # An agent cannot decide compensation.
    code, _, err = run("compensation", "decline", "1", "--as", "nok@example.com")
    assert code == 1


def test_lowering_a_repeats_severity_takes_a_manager_and_a_reason(env: None) -> None:
    users()
    shop = thai_shop()
    complaint_case(shop, "ดอกไม้ส่งผิดร้าน")
    repeat = complaint_case(shop, "ส่งดอกไม้ผิดร้านอีกแล้ว")
    shown = json.loads(run("cases", "show", str(repeat), "--json")[1])
    assert shown["repeat_of"] and shown["severity"] == "high"
    code, _, err = run(
        "cases", "update", str(repeat), "--severity", "low", "--as", "nok@example.com"
    )
    assert code == 1 and "only a manager" in err
    code, _, err = run("cases", "update", str(repeat), "--severity", "low")
    assert code == 2 and "reason" in err
    code, out, err = run(
        "cases", "update", str(repeat), "--severity", "medium", "--category", "wrong_item",
        "--reason", "the second parcel went to the right shop a day later", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["severity"] == "medium"
    timeline = json.loads(run("cases", "show", str(repeat), "--json")[1])["timeline"]
    (updated,) = [e for e in timeline if e["kind"] == "updated"]
    assert updated["note"].startswith("the second parcel")
    # Raising it needs nobody's permission.
    assert (
        run("cases", "update", str(repeat), "--severity", "critical", "--as", "nok@example.com")[0]
        == 0
    )
