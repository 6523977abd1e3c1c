"""``zenml dashboard``: serve the dashboard on this machine.

Imports click and zenml's output helpers only: Starlette, uvicorn and Jinja2
are imported when the command runs, never when the CLI starts.
"""

from __future__ import annotations

import os

import click

from zenml.cli.output import declare

__all__ = ["LOOPBACK_HOSTS", "TOKEN_ENV", "dashboard", "dashboard_url", "needs_token"]

#: Hosts that only this machine can reach: no token is required on them.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Where a token is given (an environment variable: never on a command line).
TOKEN_ENV = "ZENML_DASHBOARD_TOKEN"


def needs_token(host: str) -> bool:
    """Whether serving on ``host`` requires a token (any non-loopback address)."""
    return host not in LOOPBACK_HOSTS


def dashboard_url(host: str, port: int, token: str | None) -> str:
    """The URL to open (with the token as a query parameter when there is one)."""
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    return f"{url}?token={token}" if token else url


@click.command("dashboard")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; any other than loopback requires a token "
                   f"(${TOKEN_ENV}, generated and printed when unset).")
@click.option("--port", type=click.IntRange(0, 65535), default=8237, show_default=True,
              help="Port to listen on.")
@click.option("--no-open", is_flag=True, help="Do not open a browser.")
def dashboard(host: str, port: int, no_open: bool) -> None:
    """Serve a read-only dashboard of stacks, runs, steps and artifacts; print its URL."""
    token = os.environ.get(TOKEN_ENV) or None
    if token is None and needs_token(host):
        import secrets

        token = secrets.token_urlsafe(24)
        declare(f"Host {host} is reachable from other machines: requests need this token "
                f"(set ${TOKEN_ENV} to choose it).")
    url = dashboard_url(host, port, token)
    declare(f"zenml dashboard: {url}")

    import uvicorn

    from zenml_dashboard.app import create_app

    app = create_app(token=token)
    if not no_open:
        import threading
        import webbrowser

        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")
