from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from amends.errors import Forbidden, InvalidInput
from amends.fields import MAX_DB_INT
from amends.people import access, passwords, service
from amends.people.deps import ApiActor
from amends.people.rules import Action
from amends.people.schemas import (
    AccessLinkOut,
    GenderFormIn,
    LanguageIn,
    LimitIn,
    LimitsOut,
    NewTokenOut,
    NicknamesIn,
    PasswordIn,
    RoleIn,
    TeamChoice,
    TeamIn,
    TeamOut,
    TokenIn,
    TokenOut,
    UserOut,
)
from amends.web.deps import AppClock, DbSession, get_settings
from amends.web.problems import PROBLEM_RESPONSES

Id = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
router = APIRouter(tags=["people"], responses=PROBLEM_RESPONSES)


@router.get("/me", response_model=UserOut)
def me(session: DbSession, actor: ApiActor) -> UserOut:
    """The user the token belongs to."""
    assert actor.user_id is not None
    return UserOut.model_validate(service.get_user(session, actor.user_id))


@router.get("/users", response_model=list[UserOut])
def list_users(session: DbSession, actor: ApiActor) -> list[UserOut]:
    """Everyone who uses amends (owners and managers)."""
    service.require(actor, Action.MANAGE)
    return [UserOut.model_validate(u) for u in service.list_users(session)]


@router.put("/users/{user_id}/role", response_model=UserOut)
def set_role(
    user_id: Id, body: RoleIn, session: DbSession, actor: ApiActor, clock: AppClock
) -> UserOut:
    """Change what a user may do. Nobody raises their own role; only an owner makes or
    unmakes an owner; the last active owner stays one."""
    user = service.get_user(session, user_id)
    service.set_role(session, actor=actor, user=user, role=body.role, now=clock.now())
    return UserOut.model_validate(user)


@router.put("/users/{user_id}/nicknames", response_model=UserOut)
def set_nicknames(
    user_id: Id, body: NicknamesIn, session: DbSession, actor: ApiActor, clock: AppClock
) -> UserOut:
    """What colleagues and customers call a person ("Nok", "นก", "Zuzka"): a complaint
    that uses one names them. Your own, or anyone's for owners and managers."""
    user = service.get_user(session, user_id)
    service.set_nicknames(
        session, actor=actor, user=user, nicknames=body.nicknames, now=clock.now()
    )
    return UserOut.model_validate(user)


@router.put("/users/{user_id}/gender-form", response_model=UserOut)
def set_gender_form(
    user_id: Id, body: GenderFormIn, session: DbSession, actor: ApiActor, clock: AppClock
) -> UserOut:
    """The grammatical gender drafts speak in for a person: Thai drafts say "ดิฉัน" and
    "คะ" or "ผม" and "ครับ", Slovak ones "chcela" or "chcel". Your own, or anyone's for
    owners and managers."""
    user = service.get_user(session, user_id)
    service.set_gender_form(session, actor=actor, user=user, form=body.gender_form, now=clock.now())
    return UserOut.model_validate(user)


@router.post("/users/{user_id}/deactivate", response_model=UserOut)
def deactivate(user_id: Id, session: DbSession, actor: ApiActor, clock: AppClock) -> UserOut:
    """Take a user's access away: their sessions and tokens stop working at once."""
    user = service.get_user(session, user_id)
    service.deactivate(session, actor=actor, user=user, now=clock.now())
    return UserOut.model_validate(user)


@router.put("/users/{user_id}/password", status_code=204)
def set_password(
    user_id: Id, body: PasswordIn, session: DbSession, actor: ApiActor, clock: AppClock
) -> Response:
    """Set a user's sign-in password; their browser sessions end. Your own needs
    ``current_password``."""
    user = service.get_user(session, user_id)
    current = body.current_password or ""
    if actor.user_id == user.id and not passwords.verify_password(current, user.password_hash):
        raise InvalidInput("give your current password to change it", code="current-password-wrong")
    service.set_password(session, actor=actor, user=user, password=body.password, now=clock.now())
    return Response(status_code=204)


@router.get("/teams", response_model=list[TeamOut])
def list_teams(session: DbSession, actor: ApiActor) -> list[TeamOut]:
    """The workspace's teams, by name."""
    service.require(actor, Action.READ)
    return [TeamOut.model_validate(t) for t in service.list_teams(session)]


@router.post("/teams", response_model=TeamOut, status_code=201)
def create_team(body: TeamIn, session: DbSession, actor: ApiActor, clock: AppClock) -> TeamOut:
    """Add a team (owners and managers)."""
    team = service.create_team(session, actor=actor, name=body.name, now=clock.now())
    return TeamOut.model_validate(team)


@router.put("/users/{user_id}/team", response_model=UserOut)
def set_team(
    user_id: Id, body: TeamChoice, session: DbSession, actor: ApiActor, clock: AppClock
) -> UserOut:
    """Put a user in a team, or in none with ``{"team_id": null}`` (owners and managers)."""
    user = service.get_user(session, user_id)
    team = service.get_team(session, body.team_id) if body.team_id is not None else None
    service.set_team(session, actor=actor, user=user, team=team, now=clock.now())
    return UserOut.model_validate(user)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(session: DbSession, actor: ApiActor, all: bool = False) -> list[TokenOut]:
    """Your tokens; everyone's with ``?all=true`` (owners and managers)."""
    if all and not actor.allows(Action.MANAGE):
        raise Forbidden(f"your role ({actor.role.value}) may not list others' tokens")
    user_id = None if all else actor.user_id
    return [TokenOut.of(t, email) for t, email in service.list_tokens(session, user_id=user_id)]


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: Id, session: DbSession, actor: ApiActor, clock: AppClock) -> TokenOut:
    """Revoke a token (yours, or anyone's for owners and managers): refused from the next
    request on."""
    token = service.revoke_token(session, actor=actor, token_id=token_id, now=clock.now())
    return TokenOut.of(token, service.get_user(session, token.user_id).email)


@router.put("/users/{user_id}/language", response_model=UserOut)
def set_language(
    user_id: Id, body: LanguageIn, session: DbSession, actor: ApiActor, clock: AppClock
) -> UserOut:
    """The language a user reads the interface in (owners and managers)."""
    user = service.get_user(session, user_id)
    access.set_user_language(
        session, actor=actor, user=user, language=body.language, now=clock.now()
    )
    return UserOut.model_validate(user)


@router.get("/users/{user_id}/limits", response_model=LimitsOut)
def get_limits(user_id: Id, session: DbSession, actor: ApiActor) -> LimitsOut:
    """A user's own compensation limits by currency; the playbook's apply elsewhere."""
    service.require(actor, Action.MANAGE)
    user = service.get_user(session, user_id)
    return LimitsOut(user_id=user.id, limits=access.limits_of(session, {user.id}).get(user.id, {}))


@router.put("/users/{user_id}/limits/{currency}", response_model=LimitsOut)
def set_limit(
    user_id: Id,
    currency: Annotated[str, Path(min_length=3, max_length=3)],
    body: LimitIn,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
) -> LimitsOut:
    """Set what a user may give in ``currency`` without a manager; null removes it."""
    user = service.get_user(session, user_id)
    access.set_limit(
        session, actor=actor, user=user, currency=currency, amount=body.amount, now=clock.now()
    )
    return LimitsOut(user_id=user.id, limits=access.limits_of(session, {user.id}).get(user.id, {}))


@router.post("/users/{user_id}/access-link", response_model=AccessLinkOut, status_code=201)
def access_link(
    user_id: Id, request: Request, session: DbSession, actor: ApiActor, clock: AppClock
) -> AccessLinkOut:
    """A one-time link for the user to choose a password (earlier ones stop working),
    under the server's ``AMENDS_BASE_URL``."""
    user = service.get_user(session, user_id)
    now = clock.now()
    token = access.issue_link(session, actor=actor, user=user, now=now)
    base = get_settings(request).base_url.rstrip("/")
    return AccessLinkOut(url=f"{base}/welcome/{token}", expires_at=now + access.LINK_LIFETIME)


@router.post("/tokens", response_model=NewTokenOut, status_code=201)
def create_token(
    body: TokenIn, session: DbSession, actor: ApiActor, clock: AppClock
) -> NewTokenOut:
    """A personal API token: your own, or someone's for owners and managers. The token is
    in this answer only."""
    user = service.get_user(session, body.user_id)
    if user.id != actor.user_id:
        service.require(actor, Action.MANAGE)
        service.may_change(session, actor, user, user.role)
    token = service.create_token(session, user=user, name=body.name, now=clock.now(), actor=actor)
    created = service.list_tokens(session, user_id=user.id)[-1][0]
    return NewTokenOut(id=created.id, token=token)
