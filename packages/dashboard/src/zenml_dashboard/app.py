"""The dashboard's ASGI app: JSON under ``/api/v1/``, HTML pages from the same data.

Read-only (GET routes only). Every response carries a Content-Security-Policy;
with a token, every request must present it (``Authorization: Bearer``, the
``token`` query parameter, which also sets a cookie for the browser, or that
cookie), else 401.
"""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from zenml_dashboard.data import STATUSES, DashboardData, NotFound
from zenml_dashboard.previews import number_text

__all__ = ["CSP", "create_app"]

HERE = Path(__file__).parent
#: No inline script or style, nothing from elsewhere.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
COOKIE = "zenml_dashboard_token"

Endpoint = Callable[[Request], Awaitable[Response]]


class _RawPath:
    """Route on the path as sent, so that a name holding ``/`` (``%2F``) stays one segment.

    Each segment of ``raw_path`` is decoded and then ``%`` and ``/`` in it are
    quoted again; the handlers unquote path parameters (:func:`_param`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path")
        if scope["type"] == "http" and raw:
            segments = raw.split(b"?", 1)[0].decode("latin-1").split("/")
            scope = {**scope, "path": "/".join(
                unquote(segment).replace("%", "%25").replace("/", "%2F")
                for segment in segments)}
        await self.app(scope, receive, send)


def _param(request: Request, name: str) -> str:
    """A name from the URL (see :class:`_RawPath`)."""
    return unquote(request.path_params[name])


class _Guard(BaseHTTPMiddleware):
    """The token check (when there is a token) and the security headers."""

    def __init__(self, app: Any, token: str | None) -> None:
        super().__init__(app)
        self.token = token

    def _presented(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        return request.query_params.get("token") or request.cookies.get(COOKIE)

    async def dispatch(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if self.token is not None:
            presented = self._presented(request) or ""
            if not hmac.compare_digest(presented.encode(), self.token.encode()):
                response: Response = PlainTextResponse(
                    "401: this dashboard needs its token (the URL zenml dashboard printed)",
                    status_code=401)
            else:
                response = await call_next(request)
                if request.query_params.get("token"):
                    response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
        else:
            response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["q"] = lambda value: quote(str(value), safe="")
    # "blake3:<hex>" (or an older store's bare SHA-256 hex): the first 12 digits
    env.filters["short_hash"] = lambda value: str(value or "").rpartition(":")[2][:12]
    env.filters["num"] = number_text
    env.filters["secs"] = lambda value: "" if value is None else (
        f"{value:.3f}s" if value < 60 else f"{int(value) // 60}m{int(value) % 60:02d}s")
    return env


def _int(request: Request, name: str, default: int) -> int:
    try:
        return int(request.query_params.get(name, default))
    except ValueError:
        return default


def create_app(repository_root: str | None = None, token: str | None = None) -> Starlette:
    """The dashboard for a repository (``None``: found from the cwd); ``token``: required."""
    data = DashboardData(repository_root)
    env = _environment()

    def page(template: str, request: Request, **context: Any) -> HTMLResponse:
        html = env.get_template(template).render(request=request, statuses=STATUSES,
                                                 **context)
        return HTMLResponse(html)

    def runs_query(request: Request) -> dict[str, Any]:
        params = request.query_params
        status = params.get("status") or None
        return {"page": _int(request, "page", 1), "size": _int(request, "size", 20),
                "pipeline": params.get("pipeline") or None,
                "status": status if status in STATUSES else None,
                "stack": params.get("stack") or None}

    async def api_stacks(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(data.stacks))

    async def api_runs(request: Request) -> Response:
        query = runs_query(request)
        return JSONResponse(await run_in_threadpool(lambda: data.runs(**query)))

    async def api_run(request: Request) -> Response:
        name = _param(request, "run")
        return JSONResponse(await run_in_threadpool(data.run, name))

    async def api_step(request: Request) -> Response:
        run, step = _param(request, "run"), _param(request, "step")
        return JSONResponse(await run_in_threadpool(data.step, run, step))

    async def page_runs(request: Request) -> Response:
        query = runs_query(request)
        return page("runs.html", request, data=await run_in_threadpool(lambda: data.runs(**query)))

    async def page_run(request: Request) -> Response:
        name = _param(request, "run")
        run = await run_in_threadpool(data.run, name)
        compare_with = await run_in_threadpool(data.recent_run_names, run["pipeline"])
        return page("run.html", request, run=run, compare_with=compare_with)

    async def page_step(request: Request) -> Response:
        run, step = _param(request, "run"), _param(request, "step")
        return page("step.html", request, step=await run_in_threadpool(data.step, run, step))

    async def page_stacks(request: Request) -> Response:
        return page("stacks.html", request, data=await run_in_threadpool(data.stacks))

    def compare_query(request: Request) -> tuple[str | None, str | None]:
        params = request.query_params
        return params.get("a") or None, params.get("b") or None

    async def api_compare(request: Request) -> Response:
        a, b = compare_query(request)
        if b is None:
            return JSONResponse({"error": "give the runs to compare: ?a=RUN&b=RUN (without a: "
                                          "the run before b)"}, status_code=400)
        return JSONResponse(await run_in_threadpool(data.compare, a, b))

    async def page_compare(request: Request) -> Response:
        a, b = compare_query(request)
        answer = await run_in_threadpool(data.compare, a, b) if b is not None else None
        return page("compare.html", request, data=answer, a=a, b=b)

    async def api_models(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(data.served_models))

    async def page_models(request: Request) -> Response:
        answer = await run_in_threadpool(data.served_models)
        return page("models.html", request, data=answer)

    async def api_artifact(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(data.artifact, _param(request, "artifact")))

    async def page_artifact(request: Request) -> Response:
        answer = await run_in_threadpool(data.artifact, _param(request, "artifact"))
        return page("artifact.html", request, artifact=answer)

    async def not_found(request: Request, error: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(error)}, status_code=404)
        response = page("error.html", request, message=str(error))
        response.status_code = 404
        return response

    routes = [
        Route("/api/v1/stacks", api_stacks),
        Route("/api/v1/runs", api_runs),
        Route("/api/v1/runs/{run}/steps/{step}", api_step),
        Route("/api/v1/runs/{run}", api_run),
        Route("/api/v1/artifacts/{artifact}", api_artifact),
        Route("/artifacts/{artifact}", page_artifact),
        Route("/", page_runs),
        Route("/runs/{run}/steps/{step}", page_step),
        Route("/runs/{run}", page_run),
        Route("/stacks", page_stacks),
        Route("/api/v1/compare", api_compare),
        Route("/compare", page_compare),
        Route("/api/v1/models", api_models),
        Route("/models", page_models),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        data.close()  # the kept metadata store's connections

    return Starlette(routes=routes, middleware=[Middleware(_RawPath),
                                                  Middleware(_Guard, token=token)],
                     exception_handlers={NotFound: not_found}, lifespan=lifespan)
