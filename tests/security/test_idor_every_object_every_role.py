"""Every route that names an object by its id, for every role and for an outsider: an id
nobody owns is "not found" (never a server error), an object the role may not see or
change is refused, and a customer's signed link opens nothing but what it was signed for.

The routes come from the application's own route table: a new route that takes an id
fails the first test until it is given a rule here, so nothing is left uncovered.

Every route is asked with ids that name nothing, by every role and by outsiders. The
routes whose objects the ``world`` fixture makes for real (customers, cases, commitments,
deliveries, messages, compensations, outbox rows, notifications, saved replies, people
and their tokens) are also asked about those real rows by every role the rule does not
name; the others (attachments, patterns, corrective actions, surveys, win-backs) are
checked with missing ids only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amends.cases import service as cases
from amends.cases.models import Notification
from amends.cases.rules import Step
from amends.clock import FrozenClock
from amends.config import Settings
from amends.db import transaction
from amends.messages.models import OutboxItem
from amends.people import service as people
from amends.people.rules import OPERATOR, Role
from amends.recovery import flows
from amends.surveys import rules as survey_rules
from amends.winback import rules as winback_rules
from tests.conftest import DEFAULT_PLAYBOOK, PASSWORD, Cast, Person
from tests.helpers import make_case, make_customer, route_table
from tests.web.test_pages import csrf_from, sign_in

READ = frozenset({"owner", "manager", "agent", "viewer"})
WRITE = frozenset({"owner", "manager", "agent"})
MANAGE = frozenset({"owner", "manager"})
OWNER = frozenset({"owner"})  # all of a customer's personal data at once
EVERYONE = frozenset({"owner", "manager", "agent", "viewer", "employee"})
ROLES = ("owner", "manager", "agent", "viewer", "employee")
NOWHERE = 987654  # an id no row has

# Pages a customer opens from a link in an email: the signed token is the credential.
SIGNED_LINKS = {
    ("GET", "/survey/{token}"),
    ("POST", "/survey/{token}"),
    ("GET", "/welcome/{token}"),
    ("POST", "/welcome/{token}"),
    ("GET", "/winback/stop/{token}"),
    ("POST", "/winback/stop/{token}"),
}

# The mail channel settings take ``imap`` or ``smtp``, a fixed word and not an object
# anybody owns; who may read and change them is tested with the settings themselves
# (tests/messages/test_mail_channel_settings.py, tests/intake/test_mail_settings_form.py).
NOT_OBJECTS = {
    ("GET", "/api/v1/settings/mail/{kind}"),
    ("PUT", "/api/v1/settings/mail/{kind}"),
    ("POST", "/settings/mail/{kind}"),
}


@dataclass(frozen=True)
class Rule:
    """Who may use a route on an object they can otherwise see, and a request body that
    is valid, so that a refusal is about the object and not about the input."""

    who: frozenset[str]
    body: dict[str, Any] | None = None
    # An employee named in the case may use it on that case (and only that case).
    named_employee: bool = False
    # Only the object's own holder (a personal saved reply, one's own notification).
    own: bool = False


def _r(who: frozenset[str], body: dict[str, Any] | None = None, **kw: bool) -> Rule:
    return Rule(who, body, **kw)


STEP = {"steps": ["acknowledge"], "note": "x"}
REPLY = {"title": "Pozdrav", "text": "Dobrý deň", "language": "sk"}

RULES: dict[tuple[str, str], Rule] = {
    # -- the API -------------------------------------------------------------------------
    ("GET", "/api/v1/customers/{customer_id}"): _r(READ),
    ("PATCH", "/api/v1/customers/{customer_id}"): _r(WRITE, {}),
    ("POST", "/api/v1/customers/{customer_id}/erase"): _r(OWNER),
    ("GET", "/api/v1/customers/{customer_id}/export"): _r(OWNER),
    ("GET", "/api/v1/customers/{customer_id}/expectations"): _r(READ),
    ("POST", "/api/v1/customers/{customer_id}/part-ways"): _r(MANAGE, {"reason": "we part"}),
    ("POST", "/api/v1/customers/{customer_id}/contacts"): _r(WRITE, {"name": "Another"}),
    ("DELETE", "/api/v1/customers/{customer_id}/contacts/{contact_id}"): _r(WRITE),
    ("PUT", "/api/v1/customers/{customer_id}/contacts/{contact_id}/gender-form"): _r(
        WRITE, {"gender_form": "feminine"}
    ),
    ("GET", "/api/v1/commitments/{commitment_id}"): _r(READ),
    ("PATCH", "/api/v1/commitments/{commitment_id}"): _r(WRITE, {}),
    ("GET", "/api/v1/deliveries/{delivery_id}"): _r(READ),
    ("PATCH", "/api/v1/deliveries/{delivery_id}"): _r(WRITE, {}),
    ("GET", "/api/v1/cases/{case_id}"): _r(READ, named_employee=True),
    ("PATCH", "/api/v1/cases/{case_id}"): _r(WRITE, {}),
    ("GET", "/api/v1/cases/{case_id}/compensations"): _r(READ, named_employee=True),
    ("GET", "/api/v1/cases/{case_id}/draft"): _r(WRITE),
    ("POST", "/api/v1/cases/{case_id}/handoff"): _r(
        WRITE, {"to_user_id": 0, "reason": "she speaks Slovak"}
    ),
    ("POST", "/api/v1/cases/{case_id}/merge"): _r(WRITE, {"into": 0}),
    ("POST", "/api/v1/cases/{case_id}/merge/undo"): _r(WRITE),
    ("POST", "/api/v1/cases/{case_id}/split"): _r(WRITE, {"message_ids": [0]}),
    # "I have it open": anyone who may open the case.
    ("POST", "/api/v1/cases/{case_id}/presence"): _r(READ, {}, named_employee=True),
    ("POST", "/api/v1/cases/{case_id}/replies"): _r(WRITE, {"text": "Dobrý deň"}),
    ("GET", "/api/v1/cases/{case_id}/saved-replies/{reply_id}"): _r(WRITE, own=True),
    ("POST", "/api/v1/cases/{case_id}/statement"): _r(
        frozenset(), {"text": "my side"}, named_employee=True
    ),
    ("POST", "/api/v1/cases/{case_id}/statement-waiver"): _r(MANAGE, {"user_id": 0, "reason": "x"}),
    ("POST", "/api/v1/cases/{case_id}/steps"): _r(WRITE, STEP),
    ("GET", "/api/v1/cases/{case_id}/timeline"): _r(READ, named_employee=True),
    ("GET", "/api/v1/cases/{case_id}/validity"): _r(READ, named_employee=True),
    ("POST", "/api/v1/cases/{case_id}/validity"): _r(
        WRITE, {"verdict": "right", "reason": "seen it"}
    ),
    ("POST", "/api/v1/cases/{case_id}/validity/judge"): _r(WRITE),
    ("POST", "/api/v1/compensations/{compensation_id}/decision"): _r(MANAGE, {"approve": False}),
    ("GET", "/api/v1/messages/{message_id}"): _r(READ, named_employee=True),
    ("POST", "/api/v1/notifications/{notification_id}/read"): _r(EVERYONE, own=True),
    ("POST", "/api/v1/outbox/{item_id}/resolution"): _r(MANAGE, {"resolution": "mark_sent"}),
    ("GET", "/api/v1/patterns/{pattern_id}"): _r(READ),
    ("GET", "/api/v1/actions/{action_id}"): _r(READ),
    ("POST", "/api/v1/actions/{action_id}/links"): _r(MANAGE, {}),
    ("POST", "/api/v1/actions/{action_id}/status"): _r(MANAGE, {"status": "in_progress"}),
    ("PUT", "/api/v1/actions/{action_id}/wordings/{language}"): _r(WRITE, {"text": "abc"}),
    ("GET", "/api/v1/saved-replies/{reply_id}"): _r(WRITE, own=True),
    ("PUT", "/api/v1/saved-replies/{reply_id}"): _r(WRITE, REPLY, own=True),
    ("DELETE", "/api/v1/saved-replies/{reply_id}"): _r(WRITE, own=True),
    ("GET", "/api/v1/surveys/{survey_id}"): _r(READ),
    ("POST", "/api/v1/advocates/{customer_id}/reward"): _r(WRITE, {"rationale": "thanks"}),
    ("DELETE", "/api/v1/tokens/{token_id}"): _r(MANAGE),
    ("POST", "/api/v1/users/{user_id}/access-link"): _r(MANAGE),
    ("POST", "/api/v1/users/{user_id}/deactivate"): _r(MANAGE),
    ("PUT", "/api/v1/users/{user_id}/gender-form"): _r(MANAGE, {"gender_form": None}),
    ("PUT", "/api/v1/users/{user_id}/language"): _r(MANAGE, {"language": "sk"}),
    ("GET", "/api/v1/users/{user_id}/limits"): _r(MANAGE),
    ("PUT", "/api/v1/users/{user_id}/limits/{currency}"): _r(MANAGE, {}),
    ("PUT", "/api/v1/users/{user_id}/nicknames"): _r(MANAGE, {"nicknames": []}),
    ("PUT", "/api/v1/users/{user_id}/password"): _r(MANAGE, {"password": "another long one 42"}),
    ("PUT", "/api/v1/users/{user_id}/role"): _r(MANAGE, {"role": "viewer"}),
    ("PUT", "/api/v1/users/{user_id}/team"): _r(MANAGE, {}),
    ("GET", "/api/v1/winbacks/{winback_id}"): _r(READ),
    ("POST", "/api/v1/winbacks/{winback_id}/stop"): _r(WRITE, {}),
    # -- the pages -----------------------------------------------------------------------
    ("GET", "/customers/{customer_id}"): _r(READ),
    ("GET", "/customers/{customer_id}/expectations"): _r(READ),
    ("POST", "/customers/{customer_id}/edit"): _r(
        WRITE, {"name": "X", "tier": "standard", "language": "sk", "recurring_value": "1"}
    ),
    ("POST", "/customers/{customer_id}/part-ways"): _r(MANAGE, {"reason": "x"}),
    ("POST", "/customers/{customer_id}/contacts"): _r(WRITE, {"name": "Another"}),
    ("POST", "/customers/{customer_id}/contacts/{contact_id}/remove"): _r(WRITE, {}),
    ("POST", "/customers/{customer_id}/contacts/{contact_id}/gender-form"): _r(WRITE, {}),
    ("POST", "/customers/{customer_id}/commitments"): _r(
        WRITE, {"title": "X", "due": "2026-06-01"}
    ),
    ("POST", "/customers/{customer_id}/commitments/{commitment_id}/deliveries"): _r(WRITE, {}),
    ("POST", "/customers/{customer_id}/commitments/{commitment_id}/status"): _r(
        WRITE, {"status": "paused"}
    ),
    ("POST", "/advocates/{customer_id}/reward"): _r(WRITE, {"rationale": "x"}),
    ("GET", "/cases/{case_id}"): _r(READ, named_employee=True),
    # The similar cases it lists are only those the asker may see (recovery.view).
    ("GET", "/cases/{case_id}/similar"): _r(READ, named_employee=True),
    ("GET", "/cases/{case_id}/attachments/{attachment_id}"): _r(READ, named_employee=True),
    ("GET", "/cases/{case_id}/saved-replies/{reply_id}"): _r(WRITE, own=True),
    ("POST", "/cases/{case_id}/category"): _r(WRITE, {"category": "billing"}),
    ("POST", "/cases/{case_id}/close"): _r(WRITE, {"outcome": "retained"}),
    # The coach's findings on a draft: it reads the case and writes nothing.
    ("POST", "/cases/{case_id}/coach"): _r(READ, {"text": "x"}, named_employee=True),
    ("POST", "/cases/{case_id}/compensation"): _r(WRITE, {"kind": "credit"}),
    ("POST", "/cases/{case_id}/compensation/{compensation_id}/decision"): _r(
        MANAGE, {"decision": "decline"}
    ),
    ("POST", "/cases/{case_id}/handoff"): _r(
        WRITE, {"to_user_id": "0", "reason": "she speaks Slovak"}
    ),
    ("POST", "/cases/{case_id}/merge"): _r(WRITE, {"into": "0"}),
    ("POST", "/cases/{case_id}/merge/undo"): _r(WRITE, {}),
    ("POST", "/cases/{case_id}/split"): _r(WRITE, {}),
    ("POST", "/cases/{case_id}/presence"): _r(READ, {}, named_employee=True),
    ("POST", "/cases/{case_id}/replies"): _r(WRITE, {"text": "Dobrý deň"}),
    ("POST", "/cases/{case_id}/statement"): _r(
        frozenset(), {"text": "my side"}, named_employee=True
    ),
    ("POST", "/cases/{case_id}/statement-waiver"): _r(MANAGE, {"user_id": "0", "reason": "x"}),
    ("POST", "/cases/{case_id}/steps"): _r(WRITE, {"step": "acknowledge"}),
    ("POST", "/cases/{case_id}/take"): _r(WRITE, {}),
    ("POST", "/notifications/{notification_id}/read"): _r(EVERYONE, {}, own=True),
    ("POST", "/outbox/{item_id}/resolution"): _r(MANAGE, {"resolution": "mark_sent"}),
    ("GET", "/patterns/{pattern_id}"): _r(READ),
    ("POST", "/actions/{action_id}/links"): _r(MANAGE, {}),
    ("POST", "/actions/{action_id}/status"): _r(MANAGE, {"status": "in_progress"}),
    ("POST", "/actions/{action_id}/wordings"): _r(WRITE, {"language": "sk", "text": "abc"}),
    ("POST", "/settings/people/{user_id}/deactivate"): _r(MANAGE, {}),
    ("POST", "/settings/people/{user_id}/gender-form"): _r(MANAGE, {}),
    ("POST", "/settings/people/{user_id}/language"): _r(MANAGE, {"language": "sk"}),
    ("POST", "/settings/people/{user_id}/limit"): _r(MANAGE, {"currency": "EUR"}),
    ("POST", "/settings/people/{user_id}/link"): _r(MANAGE, {}),
    ("POST", "/settings/people/{user_id}/nicknames"): _r(MANAGE, {}),
    ("POST", "/settings/people/{user_id}/role"): _r(MANAGE, {"role": "viewer"}),
    ("POST", "/settings/people/{user_id}/team"): _r(MANAGE, {}),
    ("POST", "/settings/replies/{reply_id}"): _r(WRITE, REPLY, own=True),
    ("POST", "/settings/replies/{reply_id}/delete"): _r(WRITE, {}, own=True),
    ("POST", "/settings/tokens/{token_id}/revoke"): _r(MANAGE, {}),
    ("POST", "/winbacks/{winback_id}/stop"): _r(WRITE, {}),
}


def _with_ids(client: TestClient) -> set[tuple[str, str]]:
    table = route_table(client.app.routes)  # type: ignore[attr-defined]
    return {(method, path) for method, path in table if "{" in path}


def test_every_route_that_takes_an_id_has_an_access_rule(client: TestClient) -> None:
    routes = _with_ids(client)
    assert routes - RULES.keys() - SIGNED_LINKS - NOT_OBJECTS == set(), "routes with no rule"
    assert RULES.keys() - routes == set(), "rules for routes that no longer exist"
    assert NOT_OBJECTS - routes == set(), "exceptions for routes that no longer exist"
    assert len(RULES) >= 90


# -- asking ------------------------------------------------------------------------------


@dataclass
class Asker:
    """Asks as one role, or as nobody (``who`` None): by token for the API, by signed-in
    session (with the session's CSRF token) for the pages. Each has its own client, so
    its cookies are its own."""

    app: Any
    who: Person | None
    token: str = ""
    csrf: str = ""
    client: TestClient = field(init=False)
    api: TestClient = field(init=False)

    def __post_init__(self) -> None:
        # The application's lifespan already ran for the test's own client.
        self.client = TestClient(self.app)
        self.api = TestClient(self.app)
        if self.who is not None:
            sign_in(self.client, self.who.email)
            self.csrf = csrf_from(self.client.get("/cases").text)

    def ask(self, method: str, path: str, body: dict[str, Any] | None) -> Response:
        if path.startswith("/api/"):
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            json = body if method != "GET" and body is not None else None
            return self.api.request(method, path, headers=headers, json=json)
        if method == "GET":
            return self.client.get(path, follow_redirects=False)
        form = {**(body or {}), "csrf_token": self.csrf}
        return self.client.post(path, data=form, follow_redirects=False)


def _fill(path: str, ids: dict[str, int | str]) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: str(ids[m.group(1)]), path)


def _body(rule: Rule, ids: dict[str, int | str]) -> dict[str, Any] | None:
    """The rule's body with its 0 placeholders pointing at real rows where one is named."""
    if rule.body is None:
        return None
    body = dict(rule.body)
    for key, value in body.items():
        if key in ("to_user_id", "user_id") and value in (0, "0"):
            body[key] = type(value)(ids["agent_user"])
        if key == "into" and value in (0, "0"):
            body[key] = type(value)(ids["other_case"])
        if key == "message_ids":
            body[key] = [ids["message_id"]]
    return body


_KINDS = [
    "case_id",
    "customer_id",
    "contact_id",
    "commitment_id",
    "delivery_id",
    "message_id",
    "compensation_id",
    "attachment_id",
    "reply_id",
    "user_id",
    "token_id",
    "notification_id",
    "item_id",
    "pattern_id",
    "action_id",
    "survey_id",
    "winback_id",
    "agent_user",
    "other_case",
]
NOWHERE_IDS: dict[str, int | str] = dict.fromkeys(_KINDS, NOWHERE) | {
    "currency": "EUR",
    "language": "sk",
}


def _refused(response: Response) -> bool:
    return response.status_code in (403, 404)


def _outsider_turned_away(path: str, response: Response) -> bool:
    if path.startswith("/api/"):
        return response.status_code == 401
    return response.status_code == 303 and response.headers["location"].startswith("/signin")


@pytest.mark.slow
def test_ids_that_name_nothing_are_not_found_for_every_role_and_nobody_gets_in_without_signing_in(
    client: TestClient, cast: Cast
) -> None:
    wrong: list[tuple[str, str, str, int]] = []
    askers = {
        role: Asker(client.app, getattr(cast, role), getattr(cast, role).token) for role in ROLES
    }
    # Nobody at all, and a token from another workspace (unknown here).
    outsiders = {
        "nobody": Asker(client.app, None),
        "other workspace": Asker(client.app, None, "amd_" + "x" * 40),
    }
    for (method, path), rule in sorted(RULES.items()):
        url = _fill(path, NOWHERE_IDS)
        # Only the object in the path is missing: a person the body names is real.
        body = _body(rule, NOWHERE_IDS | {"agent_user": cast.agent.id})
        for name, asker in outsiders.items():
            if name == "other workspace" and not path.startswith("/api/"):
                continue
            answer = asker.ask(method, url, body)
            if not _outsider_turned_away(path, answer):
                wrong.append((method, path, name, answer.status_code))
        for role, asker in askers.items():
            answer = asker.ask(method, url, body)
            allowed = role in rule.who or (rule.named_employee and role == "employee")
            expected = {404} if allowed else {403, 404}
            if answer.status_code not in expected:
                wrong.append((method, path, role, answer.status_code))
    assert wrong == [], "\n".join(map(str, wrong))


# -- real objects ------------------------------------------------------------------------


@pytest.fixture
def world(
    client: TestClient,
    cast: Cast,
    sessions: sessionmaker[Session],
    clock: FrozenClock,
) -> dict[str, int | str]:
    """A customer with a commitment and its delivery, a case that names the employee and
    one that does not, a message and an outbox row on the case, the agent's own saved
    reply, and a colleague with a token whom nobody acting here is."""
    customer = make_customer(client, cast.agent)
    named = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Somchai")
    other = make_case(client, cast.agent, customer["id"], cast.agent.id, title="Faktúra")
    with transaction(sessions) as s:
        case = cases.get_case(s, named["id"], actor=OPERATOR)
        cases.add_participant(
            s, case=case, user_id=cast.employee.id, reason="named", actor=OPERATOR, now=clock.now()
        )
        colleague = people.create_user(
            s,
            email="tereza@example.com",
            name="Tereza Target",
            role=Role.AGENT,
            now=clock.now(),
            password=PASSWORD,
        )
        people.create_token(s, user=colleague, name="hers", now=clock.now())
        colleague_id = colleague.id
    agent = cast.agent.headers
    commitment = client.post(
        "/api/v1/commitments",
        headers=agent,
        json={
            "customer_id": customer["id"],
            "title": "Mesačný report",
            "kind": "deliverable",
            "currency": "EUR",
            "due_at": "2026-06-05T09:00:00+02:00",
        },
    )
    assert commitment.status_code == 201, commitment.text
    delivery = client.post(
        "/api/v1/deliveries",
        headers=agent,
        json={"commitment_id": commitment.json()["id"], "delivered_at": "2026-05-04T08:00:00Z"},
    )
    assert delivery.status_code == 201, delivery.text
    message = client.post(
        "/api/v1/messages",
        headers=agent,
        json={
            "direction": "inbound",
            "channel": "email",
            "case_id": named["id"],
            "subject": "Reporty",
            "text": "Kde sú reporty?",
            "language": "sk",
        },
    )
    assert message.status_code == 201, message.text
    reply = client.post("/api/v1/saved-replies", headers=agent, json=REPLY)
    assert reply.status_code == 201, reply.text
    # A reply, so an outbox row; a compensation on the named case; the other case handed
    # to the manager, who is notified.
    sent = client.post(
        f"/api/v1/cases/{named['id']}/replies",
        headers=agent,
        json={"text": "Dobrý deň, ďakujeme za trpezlivosť; ozveme sa do piatku."},
    )
    assert sent.status_code == 201, sent.text
    handed = client.post(
        f"/api/v1/cases/{other['id']}/handoff",
        headers=agent,
        json={"to_user_id": cast.manager.id, "reason": "she knows this customer"},
    )
    assert handed.status_code == 200, handed.text
    with transaction(sessions) as s:
        given = flows.perform_steps(
            s,
            named["id"],
            actor=OPERATOR,
            now=clock.now(),
            playbook=DEFAULT_PLAYBOOK,
            steps=[Step.OWN, Step.REMEDY, Step.COMPENSATE],
            compensation=flows.CompensationInput("credit", Decimal("20"), "EUR", "for the wait"),
            call_note="Called the customer and told them.",
        )
        outbox_id = s.scalar(select(OutboxItem.id).order_by(OutboxItem.id.desc()))
        notification_id = s.scalar(
            select(Notification.id).where(Notification.user_id == cast.manager.id)
        )
    tokens = client.get("/api/v1/tokens", headers=cast.owner.headers, params={"all": "true"})
    theirs = [t["id"] for t in tokens.json() if t.get("user_id") == colleague_id]
    return NOWHERE_IDS | {
        "customer_id": customer["id"],
        "contact_id": customer["contacts"][0]["id"],
        "case_id": named["id"],
        "other_case": other["id"],
        "commitment_id": commitment.json()["id"],
        "delivery_id": delivery.json()["id"],
        "message_id": message.json()["id"],
        "reply_id": reply.json()["id"],
        "user_id": colleague_id,
        "agent_user": cast.agent.id,
        "token_id": theirs[0] if theirs else NOWHERE,
        "compensation_id": given.compensation_id or NOWHERE,
        "item_id": outbox_id or NOWHERE,
        "notification_id": notification_id or NOWHERE,
    }


# Whose the personal objects of the world are: the agent's saved reply, and the
# notification the manager got when a case was handed to them.
HOLDERS = {"{reply_id}": "agent", "{notification_id}": "manager"}


def _holds(role: str, path: str) -> bool:
    return any(kind in path and holder == role for kind, holder in HOLDERS.items())


def _real(path: str, world: dict[str, int | str]) -> bool:
    names = re.findall(r"\{([a-z_]+)\}", path)
    return all(world[n] != NOWHERE for n in names)


@pytest.mark.slow
def test_roles_the_rule_does_not_name_are_refused_every_real_object(
    client: TestClient, cast: Cast, world: dict[str, int | str]
) -> None:
    before = client.get(f"/api/v1/cases/{world['case_id']}", headers=cast.owner.headers).json()
    wrong: list[tuple[str, str, str, int]] = []
    checked = 0
    for role in ROLES:
        asker = Asker(client.app, getattr(cast, role), getattr(cast, role).token)
        for (method, path), rule in sorted(RULES.items()):
            if not _real(path, world):
                continue
            allowed = role in rule.who and (not rule.own or _holds(role, path))
            named = rule.named_employee and role == "employee"
            if allowed or named:
                continue
            answer = asker.ask(method, _fill(path, world), _body(rule, world))
            checked += 1
            if not _refused(answer):
                wrong.append((method, path, role, answer.status_code))
    assert wrong == [], "\n".join(map(str, wrong))
    assert checked >= 100
    after = client.get(f"/api/v1/cases/{world['case_id']}", headers=cast.owner.headers).json()
    assert after == before


def test_every_role_the_rule_names_reads_the_real_object(
    client: TestClient, cast: Cast, world: dict[str, int | str]
) -> None:
    wrong: list[tuple[str, str, str, int]] = []
    for role in ROLES:
        asker = Asker(client.app, getattr(cast, role), getattr(cast, role).token)
        for (method, path), rule in sorted(RULES.items()):
            if method != "GET" or not _real(path, world):
                continue
            allowed = role in rule.who and (not rule.own or _holds(role, path))
            if rule.named_employee and role == "employee":
                allowed = True
            if not allowed:
                continue
            answer = asker.ask(method, _fill(path, world), None)
            if answer.status_code != 200:
                wrong.append((method, path, role, answer.status_code))
    assert wrong == [], "\n".join(map(str, wrong))


def test_an_employee_named_in_one_case_opens_nothing_of_another(
    client: TestClient, cast: Cast, world: dict[str, int | str]
) -> None:
    employee = Asker(client.app, cast.employee, cast.employee.token)
    elsewhere = world | {"case_id": world["other_case"]}
    wrong = []
    for (method, path), rule in sorted(RULES.items()):
        if "{case_id}" not in path or not _real(path, elsewhere):
            continue
        answer = employee.ask(method, _fill(path, elsewhere), _body(rule, elsewhere))
        # Where the role itself may never act, a refusal by role says nothing of the case.
        expected = {404} if rule.named_employee else {403, 404}
        if answer.status_code not in expected:
            wrong.append((method, path, answer.status_code))
    assert wrong == [], "\n".join(map(str, wrong))


# -- signed links ------------------------------------------------------------------------


def test_a_signed_link_for_one_customer_does_not_open_anothers(
    client: TestClient, settings: Settings
) -> None:
    secret = settings.secret()
    # A "no more contact" link with another sequence's number put in front of its MAC.
    mine = winback_rules.sign(secret, 1)
    forged = "2." + mine.partition(".")[2]
    assert winback_rules.verify(secret, mine) == 1
    assert winback_rules.verify(secret, forged) is None
    assert winback_rules.verify("another workspace", mine) is None
    link = survey_rules.sign_link(
        secret, survey_id=1, language="sk", nonce=survey_rules.new_nonce()
    )
    assert survey_rules.read_link(secret, link) is not None
    swapped = "2" + link.removeprefix("1")
    assert survey_rules.read_link(secret, swapped) is None
    assert survey_rules.read_link("another workspace", link) is None
    for path in (f"/winback/stop/{forged}", f"/survey/{swapped}", "/welcome/amw_forged"):
        for method in ("GET", "POST"):
            form = {
                "csrf_token": "x",
                "password": "a long new password",
                "repeat": "a long new password",
            }
            answer = client.request(method, path, data=form)
            assert answer.status_code in (400, 403, 404), (method, path, answer.status_code)
