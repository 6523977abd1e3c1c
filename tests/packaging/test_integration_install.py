"""A new user's first integrations: fresh virtual environments, real pip, real wheels.

Run by ``nox -s build`` with ``ZENML_DIST`` naming the folder of built wheels
(without it, the wheels are built here with ``uv build``). Each environment
gets the core only; ``zenml integration install`` then brings the rest.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INTEGRATIONS = ["kubeflow", "mysql", "s3", "seldon", "wandb"]
NOTE = "flavor not installed (zenml integration install s3)"


def _report(request: pytest.FixtureRequest, line: str) -> None:
    """Show a measurement in pytest's output even when output is captured."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(f"[build] {line}")


def _uv() -> str | None:
    beside = Path(sys.executable).with_name("uv")
    return str(beside) if beside.exists() else shutil.which("uv")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheels of every package: ``$ZENML_DIST``, or built now."""
    given = os.environ.get("ZENML_DIST")
    if given:
        folder = Path(given)
        assert list(folder.glob("zenml_core-*.whl")), f"no core wheel in {folder}"
        return folder
    folder = tmp_path_factory.mktemp("dist")
    uv = _uv()
    assert uv, "uv builds the wheels when ZENML_DIST is not set (pip install uv)"
    packages = [ROOT / "packages" / "core", *(ROOT / "packages" / "integrations" / name
                                              for name in INTEGRATIONS),
                ROOT / "packages" / "dashboard"]
    for package in packages:
        subprocess.run([uv, "build", "--wheel", "--out-dir", str(folder), str(package)],
                       check=True, capture_output=True)
    return folder


class Env:
    """A fresh virtual environment (with pip) and a config folder of its own."""

    def __init__(self, path: Path) -> None:
        uv = _uv()
        if uv:
            command = [uv, "venv", "--seed", "--quiet", "--python", sys.executable, str(path)]
        else:
            command = [sys.executable, "-m", "venv", str(path)]
        subprocess.run(command, check=True, capture_output=True)
        self.bin = path / "bin"
        self.env = {**os.environ, "ZENML_CONFIG_PATH": str(path / "config"), "COLUMNS": "300"}
        self.env.pop("VIRTUAL_ENV", None)

    def pip(self, *args: str) -> None:
        done = subprocess.run([str(self.bin / "python"), "-m", "pip", *args], env=self.env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr

    def zenml(self, *args: str, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bin / "zenml"), *args], env={**self.env, **(env or {})},
                              capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = self.zenml(*args)
        assert done.returncode == 0, f"zenml {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    def row(self, name: str) -> str:
        out = self.ok("integration", "list").stdout
        return next(line for line in out.splitlines() if f" {name} " in line)


def _wheel(folder: Path, dist: str, version: str, files: dict[str, str]) -> Path:
    """Write a pure-Python wheel by hand (no build backend needed)."""
    stem = f"{dist.replace('-', '_')}-{version}"
    info = f"{stem}.dist-info"
    files = {
        **{name: textwrap.dedent(text) for name, text in files.items()},
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
                            f"Requires-Dist: zenml-core>=0.1,<0.2\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: zenml-tests\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    path = folder / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


FLAVORED_S3 = {
    "zenml_s3/__init__.py": "",
    "zenml_s3/plugin.py": '''
        from zenml.plugins import hookimpl
        from zenml.plugins.info import IntegrationInfo

        @hookimpl
        def zenml_integration():
            return IntegrationInfo(name="s3", version="0.1.1", requirements=["s3fs>=2023.1"],
                                   description="S3 artifact store (test build with a flavor)")

        @hookimpl
        def zenml_flavors():
            from zenml.stack import Flavor
            from zenml_s3.flavors import S3Config
            return [Flavor(name="s3", type="artifact_store", config_class=S3Config,
                           implementation="zenml_s3.store:S3Store")]
    ''',
    "zenml_s3/flavors.py": '''
        from zenml.artifact_stores.config import BaseArtifactStoreConfig

        class S3Config(BaseArtifactStoreConfig):
            """Artifacts in an S3 bucket."""
    ''',
}


@pytest.fixture(scope="module")
def user(dist: Path, tmp_path_factory: pytest.TempPathFactory,
         request: pytest.FixtureRequest) -> Iterator[Env]:
    """A fresh environment holding only the core wheel, installed with pip."""
    start = time.perf_counter()
    env = Env(tmp_path_factory.mktemp("user") / "venv")
    core = sorted(dist.glob("zenml_core-*.whl"))[-1]
    env.pip("install", str(core))
    _report(request, f"fresh venv + pip install {core.name}: "
                     f"{time.perf_counter() - start:.1f} s")
    yield env


def test_a_new_user_sees_every_integration_as_not_installed(user: Env) -> None:
    done = user.ok("integration", "list")
    assert done.stderr == ""
    for name in INTEGRATIONS:
        assert "not installed" in user.row(name)


def test_install_from_the_wheel_folder_then_uninstall(user: Env, dist: Path,
                                                      request: pytest.FixtureRequest) -> None:
    start = time.perf_counter()
    done = user.zenml("integration", "install", "s3", "--find-links", str(dist), "-y")
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stdout + done.stderr
    _report(request, f"zenml integration install s3 --find-links dist/: {seconds:.1f} s")
    assert "Installed integration 's3' (zenml-s3 0.1.0)" in done.stdout
    assert "Successfully installed" in done.stdout  # pip's own output streamed through
    assert "0.1.0" in user.row("s3")
    plugins = user.ok("plugins").stdout
    assert next(line for line in plugins.splitlines() if " zenml-s3 " in line).count("loaded")
    user.ok("artifact-store", "flavor", "list")

    done = user.ok("integration", "uninstall", "s3", "-y")
    assert "Uninstalled integration 's3' (zenml-s3 0.1.0)" in done.stdout
    assert "not installed" in user.row("s3")
    for args in (["--help"], ["stack", "list"], ["plugins"], ["integration", "list"]):
        assert user.ok(*args).stderr == "", args
    assert "zenml-s3" not in user.ok("plugins").stdout


def test_the_dashboard_installs_and_uninstalls_like_an_integration(user: Env,
                                                                    dist: Path) -> None:
    assert "not installed" in user.row("dashboard")
    assert "no flavors; adds 'zenml dashboard'" in user.row("dashboard")
    assert user.zenml("dashboard", "--help").returncode != 0
    done = user.zenml("integration", "install", "dashboard", "--find-links", str(dist), "-y")
    assert done.returncode == 0, done.stdout + done.stderr
    assert ("Installed integration 'dashboard' (zenml-dashboard 0.1.0); it adds 'zenml "
            "dashboard'") in done.stdout
    assert "0.1.0" in user.row("dashboard")
    assert "--no-open" in user.ok("dashboard", "--help").stdout
    plugins = user.ok("plugins").stdout
    assert next(line for line in plugins.splitlines() if " zenml-dashboard " in line).count(
        "loaded")
    done = user.ok("integration", "uninstall", "dashboard", "-y")
    assert "Uninstalled integration 'dashboard' (zenml-dashboard 0.1.0)" in done.stdout
    assert "not installed" in user.row("dashboard")
    assert user.zenml("dashboard", "--help").returncode != 0
    assert user.ok("--help").stderr == ""


def test_flavors_come_and_go_with_the_package(user: Env, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    entry_points = {"zenml_s3-0.1.1.dist-info/entry_points.txt": "[zenml]\ns3 = zenml_s3.plugin\n"}
    _wheel(wheels, "zenml-s3", "0.1.1", {**FLAVORED_S3, **entry_points})
    user.ok("integration", "install", "s3", "--find-links", str(wheels), "-y")
    assert "│ s3 " in user.ok("artifact-store", "flavor", "list").stdout
    user.ok("artifact-store", "register", "bucket", "--flavor=s3", "--path=s3://bucket/zenml")
    user.ok("stack", "register", "cloud", "-o", "default", "-a", "bucket", "-m", "default",
            "--decouple_stores", "--set")

    done = user.ok("integration", "uninstall", "s3", "-y")
    assert "artifact store 'bucket' (s3)" in done.stderr
    assert "│ s3 " not in user.ok("artifact-store", "flavor", "list").stdout
    listing = user.ok("stack", "list")
    assert "cloud" in listing.stdout and NOTE in listing.stderr
    assert "Traceback" not in listing.stderr
    for args in (["stack", "describe"], ["artifact-store", "list"]):
        assert NOTE in user.ok(*args).stdout, args
    up = user.zenml("stack", "up")
    assert up.returncode == 1 and up.stderr.splitlines()[-1].startswith("Error: ")
    assert "zenml integration install s3" in up.stderr
    user.ok("stack", "set", "default")


def test_failures_are_one_line_and_install_nothing(user: Env, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    offline = {"PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": "", "PIP_RETRIES": "0",
               "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_EXTRA_INDEX_URL": ""}
    done = user.zenml("integration", "install", "mysql", "--find-links", str(empty), "-y",
                      env=offline)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("Error: ") and len(done.stderr.splitlines()) == 1
    assert f"put its wheel in {empty}" in done.stderr and "Traceback" not in done.stderr
    assert "not installed" in user.row("mysql")
    unknown = user.zenml("integration", "install", "nope", "-y")
    assert unknown.returncode == 1 and unknown.stderr.startswith("Error: Unknown integration")


def test_a_source_checkout_installs_the_sibling_package(
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
    start = time.perf_counter()
    env = Env(tmp_path / "venv")
    env.pip("install", "-e", str(ROOT / "packages" / "core"))
    installed = env.zenml("integration", "install", "s3", "-y")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert f"from the source checkout ({ROOT / 'packages' / 'integrations' / 's3'})" \
        in installed.stdout
    assert "0.1.0" in env.row("s3")
    env.ok("integration", "uninstall", "s3", "-y")
    assert "not installed" in env.row("s3")
    _report(request, f"source checkout: venv + editable core + install/uninstall s3: "
                     f"{time.perf_counter() - start:.1f} s")
