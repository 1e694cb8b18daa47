"""The web application: JSON API under /api/v1, server-rendered pages, health check."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from amends import __version__
from amends.cases import api as cases_api
from amends.cases import notifications as notification_pages
from amends.cases import service as cases_service
from amends.cases.rules import Category, case_ref
from amends.clock import Clock, clock_for
from amends.coach import api as coach_api
from amends.commitments import api as commitments_api
from amends.commitments import pages as commitments_pages
from amends.compensation import api as compensation_api
from amends.config import Settings
from amends.customers import api as customers_api
from amends.db import is_busy, is_nul_in_text, make_engine, make_session_factory
from amends.demo import is_demo
from amends.desk import api as desk_api
from amends.desk import pages as desk_pages
from amends.errors import AmendsError, Busy
from amends.intake import channels_pages, webform
from amends.intake import pages as intake_pages
from amends.messages import api as messages_api
from amends.messages import channels_api
from amends.messages import pages as messages_pages
from amends.patterns import api as patterns_api
from amends.patterns import pages as patterns_pages
from amends.people import access_pages, passwords, playbook_pages
from amends.people import api as people_api
from amends.people import pages as people_pages
from amends.people.deps import page_context
from amends.playbook import policy as playbook
from amends.privacy import api as privacy_api
from amends.recovery import api as recovery_api
from amends.recovery import category_pages as recovery_category_pages
from amends.recovery import customer_pages as recovery_customer_pages
from amends.recovery import inbox as recovery_inbox
from amends.recovery import merge_api as recovery_merge_api
from amends.recovery import merge_pages as recovery_merge_pages
from amends.recovery import pages as recovery_pages
from amends.recovery import statement_pages as recovery_statement_pages
from amends.recovery import step_pages as recovery_step_pages
from amends.reports import api as reports_api
from amends.reports import pages as reports_pages
from amends.surveys import api as surveys_api
from amends.surveys import pages as surveys_pages
from amends.web import problems
from amends.web.apidocs import add_api_docs
from amends.web.deps import single_valued_query
from amends.web.i18n import say, translations
from amends.web.limits import BodyCaps, BodyLimit
from amends.web.render import add_globals, render
from amends.web.session import SignInRequired, anonymous_context, redirect_to_sign_in
from amends.web.vocabulary import N_
from amends.winback import api as winback_api
from amends.winback import pages as winback_pages

STATIC = Path(__file__).parent / "web" / "static"
# What a busy answer asks the client to wait: about one sweep chunk's transaction.
RETRY_AFTER_SECONDS = 2
HEALTH_THREADS = 2


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _wants_json(request: Request) -> bool:
    """A script that asked for JSON (and not HTML) outside the API gets problem+json."""
    accept = request.headers.get("accept", "")
    return "json" in accept and "text/html" not in accept


# What a browser is told, by status: a heading and a sentence in the reader's language.
# 403 and 404 say no more than this, so a page never tells what exists behind it.
ERROR_PAGES: dict[int, tuple[str, str]] = {
    400: (N_("The request was not understood"), N_("Please go back and try again.")),
    403: (N_("Not allowed"), N_("Your role does not allow this. Ask a manager if you need it.")),
    404: (
        N_("Page not found"),
        N_("There is nothing at this address, or it is not yours to see."),
    ),
    405: (N_("The request was not understood"), N_("Please go back and try again.")),
    409: (N_("This cannot be done now"), N_("The case has changed. Reload it and try again.")),
    413: (
        N_("Too large to accept"),
        N_("What you sent is larger than this site accepts. Send less and try again."),
    ),
    422: (
        N_("Something in the request is not right"),
        N_("Please check what you entered and try again."),
    ),
}
ERROR_DEFAULT = (N_("Something went wrong"), N_("Please go back and try again."))


async def _error_page(
    request: Request, status: int, message: str = "", stored: object = None
) -> Response:
    """A page with the site's header and navigation, in the reader's language."""
    ctx = await run_in_threadpool(page_context, request)
    gettext = translations(ctx.language).gettext
    title, generic = ERROR_PAGES.get(status, ERROR_DEFAULT)
    detail = gettext(generic)
    if status not in (401, 403, 404) and message:
        # A refusal says why: stored as a message id (AmendsError.saying), or an English
        # sentence that the catalogs may know; one they do not know stays generic.
        spoken = say(stored, gettext, ctx) if isinstance(stored, dict) else None
        if spoken is None and gettext(message) != message:
            spoken = gettext(message)
        if spoken is None and ctx.language == "en":
            spoken = message
        detail = spoken or detail
    return render(
        request,
        "error.html",
        ctx,
        status_code=status,
        title=gettext(title),
        detail=detail,
        status=status,
    )


def _busy_answer(request: Request) -> Response:
    """503 with Retry-After: nothing was written, so asking to retry is honest."""
    if _is_api(request):
        busy = Busy("the database is busy with other changes; retry in a few seconds")
        response: Response = problems.problem(busy.status, busy.code, busy.title, busy.message)
    else:
        ctx = anonymous_context(request)
        _ = translations(ctx.language).gettext
        response = render(
            request,
            "error.html",
            ctx,
            status_code=Busy.status,
            title=_("Busy right now"),
            detail=_("Other changes are being saved. Please try again in a few seconds."),
        )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


async def _refusal(scope: Scope, exc: AmendsError) -> Response:
    """What the body limit answers before the request reaches a route."""
    request = Request(scope)
    if _is_api(request) or _wants_json(request):
        return problems.problem(exc.status, exc.code, exc.title, exc.message)
    return await _error_page(request, exc.status, exc.message, exc.extra.get("said"))


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Everything alive at start-up (modules, templates, the app) lives for the whole
    # process; freezing it keeps the garbage collector from rescanning it on every
    # collection, which shows up as tail latency under load.
    gc.collect()
    gc.freeze()
    # The dummy hash an unknown email is checked against: made now, so the first such
    # sign-in does not take twice as long as a known one and give itself away.
    await anyio.to_thread.run_sync(passwords.dummy_hash)
    yield
    webform.shutdown()


@cache
def _routers() -> tuple[APIRouter, ...]:
    """Every route of the API and the pages, gathered once per process: FastAPI works
    out an included router's routes (their parameters' models, dependencies, prefixes)
    the first time it is included and keeps them on the router, so an application made
    again (each test makes its own) includes the same routers at no cost; a router made
    anew in every application was worked out again each time, half a second."""
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(single_valued_query)])
    for module in (
        customers_api,
        commitments_api,
        cases_api,
        recovery_merge_api,
        recovery_api,
        messages_api,
        channels_api,
        people_api,
        reports_api,
        coach_api,
        patterns_api,
        compensation_api,
        privacy_api,
        desk_api,
        surveys_api,
        winback_api,
    ):
        api.include_router(module.router)
    api.include_router(recovery_inbox.api_router)
    api.include_router(coach_api.drafts)
    pages = APIRouter()
    for page_module in (
        people_pages,
        access_pages,
        playbook_pages,
        recovery_inbox,
        recovery_merge_pages,
        recovery_customer_pages,
        recovery_category_pages,
        recovery_pages,
        recovery_step_pages,
        recovery_statement_pages,
        commitments_pages,
        intake_pages,
        channels_pages,
        messages_pages,
        patterns_pages,
        notification_pages,
        desk_pages,
        surveys_pages,
        winback_pages,
        reports_pages,
    ):
        pages.include_router(page_module.router)
    return api, pages


def create_app(
    settings: Settings, *, clock: Clock | None = None, engine: Engine | None = None
) -> FastAPI:
    """Build the application; nothing touches the database until a request arrives."""
    app = FastAPI(
        lifespan=_lifespan,
        title="amends",
        version=__version__,
        description="Customer service recovery: the commitment ledger and recovery cases.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.clock = clock or clock_for(settings.clock_file)
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.sessions = make_session_factory(app.state.engine)
    app.state.playbook = playbook.PlaybookFile(settings.home, workspace_timezone=settings.timezone)
    app.state.demo = is_demo(settings.home)

    add_globals(case_ref=case_ref, case_categories=tuple(c.value for c in Category))
    app.state.unread = cases_service.unread_count
    for router in _routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    add_api_docs(app, openapi_url="/api/v1/openapi.json")

    def database_answers() -> None:
        with app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        # Its own small limiter, not the shared thread pool: requests queued there behind
        # SQLite's write lock must not make a healthy server look dead to a load balancer.
        # Made on first use, inside the server's event loop, which it belongs to.
        if getattr(app.state, "health_threads", None) is None:
            app.state.health_threads = anyio.CapacityLimiter(HEALTH_THREADS)
        await anyio.to_thread.run_sync(database_answers, limiter=app.state.health_threads)
        return {"status": "ok"}

    problems.install(app)
    caps = BodyCaps(
        api=settings.max_api_body,
        form=settings.max_form_body,
        upload=settings.max_upload_body,
        webhook=settings.max_webhook_body,
    )
    app.add_middleware(BodyLimit, caps=caps, refuse=_refusal)

    # Pages answer errors with a page, the API with problem+json.
    @app.exception_handler(AmendsError)
    async def _domain_error(request: Request, exc: AmendsError) -> Response:
        if isinstance(exc, SignInRequired):
            return redirect_to_sign_in(request)
        if isinstance(exc, Busy):
            return _busy_answer(request)
        if _is_api(request):
            return problems.problem(exc.status, exc.code, exc.title, exc.message)
        return await _error_page(request, exc.status, exc.message, exc.extra.get("said"))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request) or _wants_json(request):
            codes = {404: "not-found", 405: "method-not-allowed", 400: "bad-request"}
            code = codes.get(exc.status_code, f"http-{exc.status_code}")
            return problems.problem(exc.status_code, code, str(exc.detail), str(exc.detail))
        return await _error_page(request, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return await problems.validation_problem(request, exc)
        # /cases/abc: a page address that cannot be one is a page that does not exist.
        in_path = any(err.get("loc", ("",))[0] == "path" for err in exc.errors())
        return await _error_page(request, 404 if in_path else 422)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _busy(request: Request, exc: Exception) -> Response:
        # Another writer held the lock for longer than busy_timeout (a sweep, an import, a
        # backup): nothing was written, so asking the client to retry is honest.
        if not is_busy(exc):
            raise exc
        return _busy_answer(request)

    @app.exception_handler(DataError)
    async def _nul(request: Request, exc: DataError) -> Response:
        if not is_nul_in_text(exc):
            raise exc
        # Nothing was written: the statement failed inside its transaction.
        if _is_api(request):
            return problems.problem(
                422, "invalid-input", "Input is invalid", "text must not contain a NUL character"
            )
        return await _error_page(request, 422)

    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (used by ``amends serve --workers N``)."""
    from amends.config import configure_logging, load_settings

    settings = load_settings()
    # Each server process is started by uvicorn, not by the CLI: it sets up its own logs.
    configure_logging(settings)
    return create_app(settings)
