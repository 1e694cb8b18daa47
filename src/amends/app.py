"""The web application: JSON API under /api/v1, server-rendered pages, health check."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from amends import __version__
from amends.cases import api as cases_api
from amends.cases.rules import case_ref
from amends.clock import Clock, clock_for
from amends.coach import api as coach_api
from amends.commitments import api as commitments_api
from amends.commitments import pages as commitments_pages
from amends.compensation import api as compensation_api
from amends.config import Settings
from amends.customers import api as customers_api
from amends.db import is_busy, make_engine, make_session_factory
from amends.demo import is_demo
from amends.errors import AmendsError, Busy
from amends.intake import pages as intake_pages
from amends.messages import api as messages_api
from amends.patterns import api as patterns_api
from amends.patterns import pages as patterns_pages
from amends.people import api as people_api
from amends.people import pages as people_pages
from amends.playbook import policy as playbook
from amends.recovery import api as recovery_api
from amends.recovery import inbox as recovery_inbox
from amends.recovery import pages as recovery_pages
from amends.reports import api as reports_api
from amends.web import problems
from amends.web.deps import single_valued_query
from amends.web.i18n import translations
from amends.web.render import add_globals, render
from amends.web.session import SignInRequired, anonymous_context, redirect_to_sign_in

STATIC = Path(__file__).parent / "web" / "static"
# What a busy answer asks the client to wait: about one sweep chunk's transaction.
RETRY_AFTER_SECONDS = 2
HEALTH_THREADS = 2


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Everything alive at start-up (modules, templates, the app) lives for the whole
    # process; freezing it keeps the garbage collector from rescanning it on every
    # collection, which shows up as tail latency under load.
    gc.collect()
    gc.freeze()
    yield


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
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.clock = clock or clock_for(settings.clock_file)
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.sessions = make_session_factory(app.state.engine)
    app.state.playbook = playbook.load(settings.home, workspace_timezone=settings.timezone)
    app.state.demo = is_demo(settings.home)

    add_globals(case_ref=case_ref)
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(single_valued_query)])
    for module in (
        customers_api,
        commitments_api,
        cases_api,
        recovery_api,
        messages_api,
        people_api,
        reports_api,
        coach_api,
        patterns_api,
        compensation_api,
    ):
        api.include_router(module.router)
    api.include_router(recovery_inbox.api_router)
    app.include_router(api)
    for page_module in (
        people_pages,
        recovery_inbox,
        recovery_pages,
        commitments_pages,
        intake_pages,
        patterns_pages,
    ):
        app.include_router(page_module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

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

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/cases", status_code=303)

    problems.install(app)

    # Pages answer errors with a page, the API with problem+json.
    @app.exception_handler(AmendsError)
    async def _domain_error(request: Request, exc: AmendsError) -> Response:
        if isinstance(exc, SignInRequired):
            return redirect_to_sign_in(request)
        if _is_api(request):
            return problems.problem(exc.status, exc.code, exc.title, exc.message)
        return render(
            request,
            "error.html",
            anonymous_context(request),
            status_code=exc.status,
            title=exc.title,
            detail=exc.message,
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _busy(request: Request, exc: Exception) -> Response:
        # Another writer held the lock for longer than busy_timeout (a sweep, an import, a
        # backup): nothing was written, so asking the client to retry is honest.
        if not is_busy(exc):
            raise exc
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

    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (used by ``amends serve --workers N``)."""
    from amends.config import configure_logging, load_settings

    settings = load_settings()
    # Each server process is started by uvicorn, not by the CLI: it sets up its own logs.
    configure_logging(settings)
    return create_app(settings)
