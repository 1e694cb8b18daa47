from __future__ import annotations

from fastapi import APIRouter

from amends.people import service
from amends.people.deps import ApiActor
from amends.people.schemas import UserOut
from amends.web.deps import DbSession
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["people"], responses=PROBLEM_RESPONSES)


@router.get("/me", response_model=UserOut)
def me(session: DbSession, actor: ApiActor) -> UserOut:
    """The user the token belongs to."""
    assert actor.user_id is not None
    return UserOut.model_validate(service.get_user(session, actor.user_id))
