"""The mail channels over the API: read and save the SMTP and IMAP settings (owners and
managers). A password can be given, never read back: answers say only whether one is set."""

from __future__ import annotations

from fastapi import APIRouter, Request

from amends.messages import channels
from amends.messages.schemas import MailChannelIn, MailChannelOut
from amends.people import service as people
from amends.people.deps import ApiActor
from amends.people.rules import Action
from amends.web.deps import AppClock, DbSession, get_settings
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["settings"], responses=PROBLEM_RESPONSES)


@router.get("/settings/mail/{kind}", response_model=MailChannelOut)
def get_mail_channel(
    kind: channels.Kind, request: Request, session: DbSession, actor: ApiActor
) -> MailChannelOut:
    """The SMTP or IMAP settings in effect (owners and managers)."""
    people.require(actor, Action.MANAGE)
    return MailChannelOut.of(channels.view(session, get_settings(request), kind))


@router.put("/settings/mail/{kind}", response_model=MailChannelOut)
def put_mail_channel(
    kind: channels.Kind,
    body: MailChannelIn,
    request: Request,
    session: DbSession,
    actor: ApiActor,
    clock: AppClock,
) -> MailChannelOut:
    """Save the SMTP or IMAP settings (owners and managers); audited without the password."""
    change = channels.ChannelChange(
        host=body.host,
        port=body.port,
        user=body.user,
        tls=body.tls,
        password=body.password or "",
        clear_password=body.clear_password,
        folder=body.folder,
        timeout=body.timeout,
    )
    view = channels.save(
        session, get_settings(request), actor=actor, kind=kind, change=change, now=clock.now()
    )
    return MailChannelOut.of(view)
