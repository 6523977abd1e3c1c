"""The original framework's import paths of the mysql integration (issue 15, item 3):
thin aliases whose names are the very objects of zenml_mysql."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from zenml.integrations.aliases import ALIASES
from zenml.integrations.constants import MYSQL
from zenml.utils.imports import import_object

CASES = [
    ('zenml.metadata_stores.mysql_metadata_store',
     'MySQLMetadataStore', 'zenml_mysql.metadata_store:MySQLMetadataStore'),
    ('zenml.metadata_stores.mysql_metadata_store',
     'MySQLMetadataStoreConfig', 'zenml_mysql.flavors:MySQLMetadataStoreConfig'),
    ('zenml.integrations.mysql.metadata_stores',
     'MySQLMetadataStore', 'zenml_mysql.metadata_store:MySQLMetadataStore'),
    ('zenml.integrations.mysql',
     'MYSQL_METADATA_STORE_FLAVOR', 'zenml_mysql.flavors:MYSQL_METADATA_STORE_FLAVOR'),
]


@pytest.mark.parametrize(("era_path", "name", "ours"), CASES,
                         ids=[f"{p}:{n}" for p, n, _ in CASES])
def test_the_era_path_names_our_object(era_path: str, name: str, ours: str) -> None:
    module = importlib.import_module(era_path)
    assert getattr(module, name) is import_object(ours)
    assert name in module.__all__ and name in dir(module)


def test_every_era_path_of_the_integration_imports_and_star_imports() -> None:
    paths = [p for p, alias in ALIASES.items() if alias.requires == "zenml_mysql"]
    assert len(paths) >= 3
    for path in paths:
        namespace: dict[str, object] = {}
        exec(f"from {path} import *", namespace)
        names = [n for n in namespace if not n.startswith("__")]
        assert names, path
        module = importlib.import_module(path)
        assert all(namespace[n] is getattr(module, n) for n in names)


def test_the_eras_integration_class_and_name() -> None:
    from zenml.integrations.mysql import MySQLIntegration

    assert MYSQL == "mysql" == MySQLIntegration.NAME
    assert MySQLIntegration.check_installation()
    assert MySQLIntegration.get_requirements()[0] == "zenml-mysql"
    MySQLIntegration.activate()


def test_an_unknown_name_of_an_era_module_is_an_attribute_error() -> None:
    module = importlib.import_module("zenml.metadata_stores.mysql_metadata_store")
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchThing'"):
        _ = module.NoSuchThing  # type: ignore[attr-defined]


def test_a_fresh_process_imports_the_era_path_without_zenml_first() -> None:
    code = ("from zenml.metadata_stores.mysql_metadata_store import MySQLMetadataStore; "
            "print(MySQLMetadataStore.__module__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("zenml_mysql")
