"""The plugin is found through its real entry point, stays light, and brings the s3 flavor."""

from __future__ import annotations

import zenml_s3

from zenml.artifact_stores.base import BaseArtifactStore
from zenml.artifact_stores.config import BaseArtifactStoreConfig
from zenml.plugins.manager import call_each, get_flavor_registry
from zenml.stack.component_type import StackComponentType
from zenml.testing import IntegrationPluginChecks, imported_modules_after
from zenml.testing.plugins import HEAVY_MODULES

from conftest import Zen

REQUIREMENTS = ["s3fs>=2023.1"]


class TestPlugin(IntegrationPluginChecks):
    name = "s3"
    distribution = "zenml-s3"
    module = "zenml_s3.plugin"
    version = zenml_s3.__version__
    requirements = REQUIREMENTS


def test_requirements_are_the_distributions_dependencies() -> None:
    from importlib.metadata import requires

    dependencies = [r for r in requires("zenml-s3") or [] if not r.startswith("zenml-core")]
    assert [r.replace(" ", "") for r in dependencies] == REQUIREMENTS


def test_the_s3_artifact_store_flavor_is_registered() -> None:
    flavors = dict(call_each("zenml_flavors"))["s3"]
    assert [(f.name, f.type) for f in flavors] == [("s3", StackComponentType.ARTIFACT_STORE)]
    flavor = get_flavor_registry().get(StackComponentType.ARTIFACT_STORE, "s3")
    assert flavor.integration == "s3"
    assert issubclass(flavor.config_class, BaseArtifactStoreConfig)
    assert issubclass(flavor.load_implementation(), BaseArtifactStore)
    assert flavor.description.startswith("Stores artifacts in an Amazon S3 bucket")


def test_flavor_list_shows_s3_without_importing_s3fs(zen: Zen) -> None:
    listing = zen("artifact-store", "flavor", "list").output
    row = next(line for line in listing.splitlines() if line.startswith("│ s3 "))
    assert [cell.strip() for cell in row.split("│")][1:3] == ["s3", "s3"]
    for args in (["artifact-store", "flavor", "list"], ["stack", "list"],
                 ["artifact-store", "register", "--help"]):
        modules = imported_modules_after(args)
        heavy = sorted(m for m in modules if m.partition(".")[0] in {*HEAVY_MODULES,
                                                                      "aiobotocore", "fsspec"})
        assert heavy == [], (args, heavy)
        assert "zenml_s3.artifact_store" not in modules, args
