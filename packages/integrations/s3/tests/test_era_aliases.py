"""The original framework's import paths of the s3 integration (issue 15, item 3):
thin aliases whose names are the very objects of zenml_s3."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from zenml.integrations.aliases import ALIASES
from zenml.integrations.constants import S3
from zenml.utils.imports import import_object

CASES = [
    ('zenml.integrations.s3.artifact_stores',
     'S3ArtifactStore', 'zenml_s3.artifact_store:S3ArtifactStore'),
    ('zenml.integrations.s3.artifact_stores.s3_artifact_store',
     'S3ArtifactStore', 'zenml_s3.artifact_store:S3ArtifactStore'),
    ('zenml.integrations.s3',
     'S3_ARTIFACT_STORE_FLAVOR', 'zenml_s3.flavors:S3_ARTIFACT_STORE_FLAVOR'),
    ('zenml.integrations.s3.flavors',
     'S3ArtifactStoreConfig', 'zenml_s3.flavors:S3ArtifactStoreConfig'),
]


@pytest.mark.parametrize(("era_path", "name", "ours"), CASES,
                         ids=[f"{p}:{n}" for p, n, _ in CASES])
def test_the_era_path_names_our_object(era_path: str, name: str, ours: str) -> None:
    module = importlib.import_module(era_path)
    assert getattr(module, name) is import_object(ours)
    assert name in module.__all__ and name in dir(module)


def test_every_era_path_of_the_integration_imports_and_star_imports() -> None:
    paths = [p for p, alias in ALIASES.items() if alias.requires == "zenml_s3"]
    assert len(paths) >= 3
    for path in paths:
        namespace: dict[str, object] = {}
        exec(f"from {path} import *", namespace)
        names = [n for n in namespace if not n.startswith("__")]
        assert names, path
        module = importlib.import_module(path)
        assert all(namespace[n] is getattr(module, n) for n in names)


def test_the_eras_integration_class_and_name() -> None:
    from zenml.integrations.s3 import S3Integration

    assert S3 == "s3" == S3Integration.NAME
    assert S3Integration.check_installation()
    assert S3Integration.get_requirements()[0] == "zenml-s3"
    S3Integration.activate()


def test_an_unknown_name_of_an_era_module_is_an_attribute_error() -> None:
    module = importlib.import_module("zenml.integrations.s3.artifact_stores")
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchThing'"):
        _ = module.NoSuchThing  # type: ignore[attr-defined]


def test_a_fresh_process_imports_the_era_path_without_zenml_first() -> None:
    code = ("from zenml.integrations.s3.artifact_stores import S3ArtifactStore; "
            "print(S3ArtifactStore.__module__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("zenml_s3")
