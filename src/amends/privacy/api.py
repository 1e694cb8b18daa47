"""Owners export or erase a customer through the API."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask

from amends.fields import MAX_DB_INT
from amends.people.deps import ApiActor
from amends.privacy import service
from amends.privacy.erase import Erasure
from amends.web.deps import AppClock, DbSession
from amends.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/customers", tags=["privacy"], responses=PROBLEM_RESPONSES)
CustomerId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
ZIP: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {}}, "description": "the customer's data"}
}


def _scratch(home: FilePath) -> FilePath:
    """A new name for an export being built: in the workspace (0700), never in /tmp."""
    folder = home / "exports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="export-", suffix=".zip", dir=folder)
    os.close(fd)
    os.unlink(name)  # write_zip makes it anew, exclusively, 0600
    return FilePath(name)


@router.get("/{customer_id}/export", response_class=FileResponse, responses=ZIP)
def export_customer(
    customer_id: CustomerId, request: Request, session: DbSession, actor: ApiActor, clock: AppClock
) -> FileResponse:
    """A zip of everything held about the customer (owners only)."""
    home: FilePath = request.app.state.settings.home
    target = _scratch(home)
    try:
        service.export_customer(
            session, actor=actor, customer_id=customer_id, home=home, target=target, now=clock.now()
        )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return FileResponse(
        target,
        media_type="application/zip",
        filename=f"customer-{customer_id}-export.zip",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
        # Sent, then gone: the workspace keeps no copy of an export.
        background=BackgroundTask(target.unlink, missing_ok=True),
    )


def _after_erase(state: Any, erasure: Erasure) -> None:
    # After the request's transaction committed (see DbSession): files go only once no
    # row can be rolled back to need them.
    with state.sessions() as session, session.begin():
        service.forget_files(session, home=state.settings.home, erasure=erasure)
    service.purge_indexes(state.engine)


@router.post("/{customer_id}/erase")
def erase_customer(
    customer_id: CustomerId, request: Request, session: DbSession, actor: ApiActor, clock: AppClock
) -> JSONResponse:
    """Replace the customer's personal content with a marker; delete their mail and files
    (owners only). Counts, amounts and timings stay."""
    erasure = service.erase_customer(
        session,
        actor=actor,
        customer_id=customer_id,
        home=request.app.state.settings.home,
        now=clock.now(),
    )
    return JSONResponse(
        {"customer_id": customer_id, "erased": erasure.counts()},
        background=BackgroundTask(_after_erase, request.app.state, erasure),
    )
