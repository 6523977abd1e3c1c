"""The checks every integration runs on the original framework's import paths of it.

Subclass :class:`EraAliasChecks` as ``TestEraAliases`` in an integration's
``tests/test_era_aliases.py`` and set its class attributes.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from typing import ClassVar

import pytest

from zenml.utils.imports import import_object

__all__ = ["EraAliasChecks"]


class EraAliasChecks:
    """Each era path names the very object of ``zenml_<name>``, lazily and in a fresh process.

    ``name`` is the integration (``kubeflow``); ``integration_class`` the era's
    ``Integration`` class in ``zenml.integrations.<name>`` (``KubeflowIntegration``);
    ``cases`` the ``(era module path, name, "zenml_<name>.module:Name")`` triples
    (the first one is also imported in a fresh process).
    """

    name: ClassVar[str]
    integration_class: ClassVar[str]
    cases: ClassVar[list[tuple[str, str, str]]]

    @property
    def package(self) -> str:
        """The integration's import package."""
        return f"zenml_{self.name}"

    def test_each_era_path_names_our_object(self) -> None:
        for era_path, name, ours in self.cases:
            module = importlib.import_module(era_path)
            assert getattr(module, name) is import_object(ours), (era_path, name)
            assert name in module.__all__ and name in dir(module), (era_path, name)

    def test_every_era_path_of_the_integration_imports_and_star_imports(self) -> None:
        from zenml.integrations.aliases import ALIASES

        paths = [p for p, alias in ALIASES.items() if alias.requires == self.package]
        assert len(paths) >= 3
        for path in paths:
            namespace: dict[str, object] = {}
            exec(f"from {path} import *", namespace)
            names = [n for n in namespace if not n.startswith("__")]
            assert names, path
            module = importlib.import_module(path)
            assert all(namespace[n] is getattr(module, n) for n in names), path

    def test_the_eras_integration_class_and_name(self) -> None:
        from zenml.integrations import constants

        module = importlib.import_module(f"zenml.integrations.{self.name}")
        integration = getattr(module, self.integration_class)
        assert getattr(constants, self.name.upper()) == self.name == integration.NAME
        assert integration.check_installation()
        assert integration.get_requirements()[0] == f"zenml-{self.name}"
        integration.activate()

    def test_an_unknown_name_of_an_era_module_is_an_attribute_error(self) -> None:
        module = importlib.import_module(self.cases[0][0])
        with pytest.raises(AttributeError, match="has no attribute 'NoSuchThing'"):
            _ = module.NoSuchThing

    def test_a_fresh_process_imports_the_era_path_without_zenml_first(self) -> None:
        era_path, name, _ = self.cases[0]
        code = f"from {era_path} import {name}; print({name}.__module__)"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().startswith(self.package)
