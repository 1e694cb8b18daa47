"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from amends.errors import AmendsError

log = logging.getLogger("amends.web")
PROBLEM_TYPE = "/problems/"


class Problem(BaseModel):
    """An error response (RFC 9457); ``code`` is stable and meant for scripts."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, Any]] | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}}
    for status in (400, 401, 403, 404, 409, 413, 422)
}


def problem(
    status: int, code: str, title: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def _clean_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Echoing the rejected input back could reflect secrets or huge payloads; say where
    # and what, not the value itself.
    return [
        {
            "loc": [str(p) for p in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors()
    ]


async def validation_problem(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = _clean_errors(exc)
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(first["loc"][1:]) or "request"
    return problem(422, "validation-failed", "Input is invalid", f"{where}: {first['msg']}", errors)


def install(app: FastAPI) -> None:
    @app.exception_handler(AmendsError)
    async def _domain(_request: Request, exc: AmendsError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.title, exc.message)

    app.exception_handler(RequestValidationError)(validation_problem)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not-found", 405: "method-not-allowed", 400: "bad-request"}
        code = codes.get(exc.status_code, f"http-{exc.status_code}")
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        # Details stay in the server log; the client learns only that it was our fault.
        log.exception("unhandled error", exc_info=exc)
        return problem(500, "internal-error", "Internal error", "something went wrong on our side")
