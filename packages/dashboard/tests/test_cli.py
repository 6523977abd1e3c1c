"""``zenml dashboard``: the command exists, its help, its URL and token rules, its imports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from zenml_dashboard.cli import dashboard_url, needs_token

from zenml.testing.plugins import imported_modules_after
from zenml.testing.servers import stop_process

ZENML = str(Path(sys.executable).with_name("zenml"))
WEB_MODULES = ("starlette", "uvicorn", "jinja2", "zenml_dashboard.app")


def test_the_command_and_its_help(zen: Any) -> None:
    assert "dashboard" in zen("--help").output
    out = zen("dashboard", "--help").output
    for option in ("--host", "--port", "--no-open", "127.0.0.1", "8237"):
        assert option in out


def test_the_cli_does_not_import_the_web_stack() -> None:
    for args in (["--help"], ["dashboard", "--help"]):
        modules = imported_modules_after(args)
        assert "zenml_dashboard.plugin" in modules or args == ["--help"]
        assert not [m for m in modules if m.split(".")[0] in WEB_MODULES[:3]], args
        assert "zenml_dashboard.app" not in modules


def test_only_loopback_goes_without_a_token() -> None:
    assert not needs_token("127.0.0.1") and not needs_token("localhost")
    assert not needs_token("::1")
    assert needs_token("0.0.0.0") and needs_token("192.168.1.5")
    assert dashboard_url("127.0.0.1", 8237, None) == "http://127.0.0.1:8237/"
    assert dashboard_url("::1", 1, "t") == "http://[::1]:1/?token=t"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([ZENML, "dashboard", "--no-open", *args], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "zenml dashboard: http" in line:
            return process, line.split("zenml dashboard: ", 1)[1].strip()
    raise AssertionError("".join(lines))


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}),
                                        timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_the_server_starts_and_prints_its_url(isolated: Path) -> None:
    port = _free_port()
    env = {**os.environ, "ZENML_CONFIG_PATH": str(isolated)}
    env.pop("ZENML_DASHBOARD_TOKEN", None)
    process, url = _serve(["--port", str(port)], env)
    try:
        assert url == f"http://127.0.0.1:{port}/"
        status, body = _get(f"{url}api/v1/runs")
        assert status == 200 and json.loads(body)["total"] == 0
    finally:
        stop_process(process)


def test_another_host_gets_a_generated_token(isolated: Path) -> None:
    port = _free_port()
    env = {**os.environ, "ZENML_CONFIG_PATH": str(isolated)}
    env.pop("ZENML_DASHBOARD_TOKEN", None)
    process, url = _serve(["--host", "0.0.0.0", "--port", str(port)], env)
    try:
        assert "?token=" in url
        token = url.split("?token=", 1)[1]
        assert len(token) >= 24
        base = f"http://127.0.0.1:{port}/api/v1/stacks"
        assert _get(base)[0] == 401
        assert _get(base, {"Authorization": f"Bearer {token}"})[0] == 200
    finally:
        stop_process(process)
