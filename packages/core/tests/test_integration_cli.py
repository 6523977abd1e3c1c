"""``zenml integration``: the catalog, listing, and installing with pip stood in for.

pip itself runs in tests/packaging (fresh virtual environments); here a stand-in
for :func:`zenml.integrations.installer.run_pip` writes or removes an
installed distribution, so that everything around pip is checked in-process.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

import zenml
from zenml.errors import EntityNotFoundError
from zenml.integrations import installer
from zenml.integrations.catalog import CATALOG, get_known
from zenml.integrations.status import installed_version
from zenml.plugins import hookimpl
from zenml.plugins.info import IntegrationInfo
from zenml.plugins.manager import reset_plugins
from zenml.testing import plugin_registered
from zenml.testing.plugins import HEAVY_MODULES, imported_modules_after

from conftest import Zen

ROOT = Path(__file__).resolve().parents[3]
INTEGRATIONS = ROOT / "packages" / "integrations"


# -- the catalog (generated from the packages' pyproject.toml: tests/test_meta_catalog.py) --


def test_unknown_names_are_refused_with_the_known_ones() -> None:
    assert get_known("zenml-s3").name == get_known(" S3").name == "s3"
    with pytest.raises(EntityNotFoundError, match="known integrations: dashboard, kubeflow"):
        get_known("s4")


# -- a stand-in for pip --------------------------------------------------------------

PLUGIN = '''
from zenml.plugins import hookimpl
from zenml.plugins.info import IntegrationInfo

@hookimpl
def zenml_integration():
    return IntegrationInfo(name="s3", version="{version}", requirements=["s3fs>=2023.1"],
                           description="S3, as installed")

@hookimpl
def zenml_flavors():
    from zenml.stack import Flavor
    from {package}.flavors import FakeS3Config
    return [Flavor(name="s3", type="artifact_store", config_class=FakeS3Config,
                   implementation="zenml.artifact_stores.local:LocalArtifactStore")]
'''
FLAVORS = '''
from zenml.artifact_stores.config import BaseArtifactStoreConfig

class FakeS3Config(BaseArtifactStoreConfig):
    """Artifacts in a bucket (stand-in)."""
'''


class FakePip:
    """Installs ``zenml-s3`` (as package ``zenml_s3_fake``) into ``site`` like pip would."""

    def __init__(self, site: Path, plugin: str = PLUGIN, version: str = "0.9.0") -> None:
        self.site, self.plugin, self.version = site, plugin, version
        self.calls: list[list[str]] = []
        self.package = "zenml_s3_fake"

    def __call__(self, args: Sequence[str], echo: Callable[[str], None], what: str) -> None:
        self.calls.append(list(args))
        echo(f"pip {' '.join(args)}")
        info = self.site / f"zenml_s3-{self.version}.dist-info"
        if args[0] == "uninstall":
            shutil.rmtree(info, ignore_errors=True)
            shutil.rmtree(self.site / self.package, ignore_errors=True)
            return
        (self.site / self.package).mkdir(parents=True, exist_ok=True)
        (self.site / self.package / "__init__.py").write_text("")
        (self.site / self.package / "plugin.py").write_text(
            textwrap.dedent(self.plugin).format(version=self.version, package=self.package))
        (self.site / self.package / "flavors.py").write_text(textwrap.dedent(FLAVORS))
        info.mkdir(exist_ok=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: zenml-s3\nVersion: {self.version}\n")
        (info / "entry_points.txt").write_text(f"[zenml]\ns3 = {self.package}.plugin\n")


@pytest.fixture
def pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePip]:
    if installed_version("zenml-s3") is not None:
        pytest.skip("zenml-s3 is really installed here; these tests install a stand-in")
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    fake = FakePip(site)
    monkeypatch.setattr(installer, "run_pip", fake)
    reset_plugins()
    yield fake
    for name in [m for m in sys.modules if m.startswith(fake.package)]:
        del sys.modules[name]
    reset_plugins()


def _s3_target() -> str:
    return installer.install_targets([get_known("s3")], None)[0].requirement


# -- list and requirements -------------------------------------------------------------


def test_list_shows_every_integration_and_what_it_brings(zen: Zen, pip: FakePip) -> None:
    out = zen("integration", "list").output
    for entry in CATALOG:
        row = next(line for line in out.splitlines() if f" {entry.name} " in line)
        assert "not installed" in row and entry.description in row
        for type_, name in entry.flavors:
            assert f"{name} ({type_.display_name})" in row


def test_requirements(zen: Zen) -> None:
    assert zen("integration", "requirements", "seldon").output.splitlines() == [
        "jsonschema>=4", "kubernetes>=28", "mlserver>=1.6", "mlserver-sklearn>=1.6",
        "uvloop<0.22; sys_platform != 'win32'"]
    table = zen("integration", "requirements").output
    assert "s3fs>=2023.1" in table and "kfp>=2.15,<3" in table
    zen.fails("integration", "requirements", "nope")


def test_list_imports_no_pip_and_nothing_heavy() -> None:
    modules = imported_modules_after(["integration", "list"])
    for name in ["pip", "zenml.integrations.installer", *HEAVY_MODULES]:
        assert name not in modules, name


def test_help_lists_the_integration_group(zen: Zen) -> None:
    assert "integration" in zen("--help").output
    for command in ("list", "requirements", "install", "uninstall"):
        zen("integration", command, "--help")


# -- install and uninstall ---------------------------------------------------------------


def test_install_asks_first_and_a_no_changes_nothing(zen: Zen, pip: FakePip) -> None:
    result = zen.fails("integration", "install", "s3", input="n\n")
    assert "Install zenml-s3 (s3fs>=2023.1)? [y/N]" in result.output
    assert result.stderr.strip() == "Error: aborted"
    assert pip.calls == []


def test_unknown_name_fails_before_pip_runs(zen: Zen, pip: FakePip) -> None:
    result = zen.fails("integration", "install", "s3", "nope", "-y")
    assert "Unknown integration 'nope'" in result.stderr
    assert pip.calls == []
    zen.fails("integration", "uninstall", "nope", "-y")
    zen.fails("integration", "install", "s3", "-y", "--find-links", "no/such/folder")
    assert pip.calls == []


def test_install_use_uninstall(zen: Zen, pip: FakePip) -> None:
    result = zen("integration", "install", "s3", input="y\n")
    assert pip.calls == [["install", _s3_target(), "s3fs>=2023.1"]]
    assert "Installed integration 's3' (zenml-s3 0.9.0); flavors: s3 (artifact store)" \
        in result.output
    row = next(line for line in zen("integration", "list").output.splitlines() if " s3 " in line)
    assert "0.9.0" in row and "S3, as installed" in row
    assert "│ s3 " in zen("artifact-store", "flavor", "list").output
    zen("artifact-store", "register", "bucket", "--flavor=s3", "--path=s3://bucket")
    zen("stack", "register", "cloud", "-o", "default", "-a", "bucket", "-m", "default",
        "--decouple_stores", "--set")
    assert "already installed (zenml-s3 0.9.0)" in zen("integration", "install", "s3").output
    assert len(pip.calls) == 1

    result = zen("integration", "uninstall", "s3", input="y\n")
    assert "artifact store 'bucket' (s3)" in result.stderr  # the warning, before the prompt
    assert "Uninstall zenml-s3 0.9.0? [y/N]" in result.output
    assert pip.calls[-1] == ["uninstall", "-y", "zenml-s3"]
    assert "its requirements stay installed (s3fs>=2023.1)" in result.output
    assert installed_version("zenml-s3") is None

    note = "flavor not installed (zenml integration install s3)"
    assert "│ s3 " not in zen("artifact-store", "flavor", "list").output
    listing = zen("stack", "list")
    assert "cloud" in listing.output
    assert listing.stderr.strip() == f"Warning: Artifact store 'bucket' (s3): {note}"
    for args in (("stack", "describe"), ("artifact-store", "list"),
                 ("artifact-store", "describe", "bucket")):
        assert note in zen(*args).output.replace("\n", " ").replace("│", ""), args
    assert "zenml integration install s3" in zen.fails("stack", "up").stderr
    assert "nothing to do" in zen("integration", "uninstall", "s3", "-y").output
    assert pip.calls[-1][0] == "uninstall" and len(pip.calls) == 2


def test_force_reinstalls_and_find_links_goes_to_pip(zen: Zen, pip: FakePip,
                                                     tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    zen("integration", "install", "s3", "-y", "--find-links", str(wheels))
    links = ["--find-links", str(wheels)]
    assert pip.calls == [["install", "zenml-s3", "s3fs>=2023.1", *links]]
    zen("integration", "install", "zenml-s3", "-y", "--force", "--find-links", str(wheels))
    assert pip.calls[1:] == [["install", "zenml-s3", "s3fs>=2023.1", *links],
                             ["install", "--force-reinstall", "--no-deps", "zenml-s3", *links]]


def test_a_plugin_that_does_not_load_is_uninstalled_again(zen: Zen, pip: FakePip) -> None:
    pip.plugin = "import s3fs_sdk_that_is_not_there\n"
    result = zen.fails("integration", "install", "s3", "-y")
    assert ("Integration 's3' was installed but does not load (its plugin failed: "
            "ModuleNotFoundError") in result.stderr
    assert "it was uninstalled again" in result.stderr
    assert pip.calls[-1] == ["uninstall", "-y", "zenml-s3"]
    assert installed_version("zenml-s3") is None
    assert "not installed" in zen("integration", "list").output


# -- running pip ---------------------------------------------------------------------------


@pytest.fixture
def fake_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, int], None]:
    """Make ``sys.executable -m pip`` a script printing ``output`` and exiting ``code``."""

    def make(output: str, code: int) -> None:
        script = tmp_path / "python"
        script.write_text(f"#!/bin/sh\ncat <<'EOF'\n{output}\nEOF\nexit {code}\n")
        script.chmod(0o755)
        monkeypatch.setattr(sys, "executable", str(script))

    return make


def test_pip_output_streams_and_a_failure_is_one_line(zen: Zen, fake_python: Callable[
        [str, int], None]) -> None:
    fake_python("Collecting zenml-s3\nWARNING: Retrying (Retry(total=0)) after connection "
                "broken by 'NewConnectionError(Failed to establish a new connection: "
                "[Errno 111] Connection refused)'\nERROR: No matching distribution found for "
                "zenml-s3", 1)
    result = zen.fails("integration", "install", "s3", "-y")
    assert "Collecting zenml-s3" in result.stdout
    assert "could not reach the package index" in result.stderr
    assert "--find-links DIR" in result.stderr
    result = zen.fails("integration", "install", "s3", "-y", "--find-links", ".")
    assert f"{Path.cwd()} lacks what it needs" in result.stderr


@pytest.mark.parametrize(("output", "expected"), [
    ("ERROR: No matching distribution found for zenml-s3", "found no distribution for zenml-s3"),
    ("Temporary failure in name resolution", "could not reach the package index"),
    ("/venv/bin/python: No module named pip", "ensurepip"),
    ("ERROR: ResolutionImpossible: for help visit", "could not resolve"),
    ("OSError: [Errno 13] Permission denied: '/usr/lib'", "use a virtual environment"),
    ("something else", "pip failed (exit code 2) on zenml-s3; see its output above"),
])
def test_pip_failures_name_the_fix(output: str, expected: str) -> None:
    assert expected in installer.explain_pip_failure([output], 2, "zenml-s3")


def test_pip_failures_with_a_wheel_folder_name_the_folder() -> None:
    explain = installer.explain_pip_failure
    assert explain(["No matching distribution found for zenml-s3"], 1, "zenml-s3",
                   "/w").endswith("neither in /w nor on the package index; put its wheel in /w")
    assert "/w lacks what it needs" in explain(["Network is unreachable"], 1, "zenml-s3", "/w")


def test_source_checkout_is_found_from_an_editable_core() -> None:
    package = Path(zenml.__file__).resolve().parent
    expected = ROOT if package == ROOT / "packages" / "core" / "src" / "zenml" else None
    assert installer.source_checkout() == expected
    target = installer.install_targets([get_known("s3")], None)[0]
    if expected is not None:
        assert target.requirement == str(INTEGRATIONS / "s3") and target.from_folder
    with_links = installer.install_targets([get_known("s3")], Path("/wheels"))[0]
    assert with_links.requirement == "zenml-s3" and not with_links.from_folder


def test_missing_flavor_error_names_the_integration(zen: Zen) -> None:
    result = zen.fails("artifact-store", "register", "b", "--flavor=s3", "--path=s3://b")
    assert "install it with 'zenml integration install s3'" in result.stderr
    assert "Not installed: s3 (zenml integration install s3)" in zen(
        "artifact-store", "flavor", "list").output


class ThirdParty:
    @hookimpl
    def zenml_integration(self) -> IntegrationInfo:
        return IntegrationInfo(name="acme", version="2.0", requirements=["acme-sdk>=1"],
                               description="Acme tracker")


def test_third_party_integrations_are_listed_after_the_known_ones(zen: Zen) -> None:
    with plugin_registered(ThirdParty(), "acme"):
        rows = zen("integration", "list").output.splitlines()
        names = [row.split("│")[1].strip() for row in rows if row.startswith("│")]
        assert names == [*(entry.name for entry in CATALOG), "acme"]
        assert "2.0" in rows[-2] and "Acme tracker" in rows[-2]
        assert zen("integration", "requirements", "acme").output == "acme-sdk>=1\n"
        assert "uninstall it with pip" in zen.fails("integration", "uninstall", "acme").stderr


def test_a_clone_around_the_current_folder_is_a_source_checkout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zenml.__about__ import __version__

    clone = tmp_path / "clone"
    (clone / "packages" / "integrations" / "s3").mkdir(parents=True)
    (clone / "packages" / "integrations" / "s3" / "pyproject.toml").write_text("")
    core = clone / "packages" / "core"
    (core / "src" / "zenml").mkdir(parents=True)
    (core / "pyproject.toml").write_text('[project]\nname = "zenml-core"\n')
    about = core / "src" / "zenml" / "__about__.py"
    about.write_text(f'__version__ = "{__version__}"\n')
    work = clone / "my_project"
    work.mkdir()
    # zenml installed into site-packages (not editable), run from inside the clone
    monkeypatch.setattr(zenml, "__file__", str(tmp_path / "site-packages/zenml/__init__.py"))
    assert installer.source_checkout(cwd=work) == clone.resolve()
    assert installer.source_checkout(cwd=tmp_path) is None
    about.write_text('__version__ = "0.0.1"\n')  # another version's clone is not used
    assert installer.source_checkout(cwd=work) is None


# -- the original framework's library integrations (zenml integration install sklearn) --


def test_library_integrations_install_their_library_with_pip(
        zen: Zen, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(installer, "run_pip",
                        lambda args, echo, what: calls.append(list(args)))
    # scikit-learn is installed in the test environment: nothing to do
    result = zen("integration", "install", "sklearn", "-y")
    assert "it is installed already (scikit-learn)" in result.output
    assert calls == []
    assert zen("integration", "requirements", "sklearn").output.split() == ["scikit-learn"]
    # a library that is not installed here goes to pip, after the question
    assert zen.fails("integration", "install", "neural_prophet", input="n\n").stderr.strip() \
        == "Error: aborted"
    assert calls == []
    result = zen("integration", "install", "neural_prophet", "great_expectations",
                 input="y\n")
    assert "Install neuralprophet, great-expectations? [y/N]" in result.output
    assert calls == [["install", "neuralprophet", "great-expectations"]]
    assert "Installed integration 'neural_prophet' (neuralprophet)" in result.output
    # --force reinstalls an installed one
    zen("integration", "install", "sklearn", "-y", "--force")
    assert calls[-1] == ["install", "scikit-learn"]
