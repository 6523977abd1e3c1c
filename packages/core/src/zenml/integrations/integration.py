"""The original framework's ``Integration`` classes (``SeldonIntegration``...), as facts.

In the era each integration was a class with ``NAME`` and ``REQUIREMENTS``,
``check_installation()`` and ``activate()``. Here an integration is a separate
``zenml-<name>`` package that activates itself through its plugin; these
classes answer the era's questions from the catalog and the installed packages.
"""

from __future__ import annotations

import importlib.util
from typing import ClassVar

__all__ = [
    "Integration",
    "KubeflowIntegration",
    "MySQLIntegration",
    "S3Integration",
    "SeldonIntegration",
    "SklearnIntegration",
    "WandbIntegration",
]


class Integration:
    """One integration: its name, the package that must be importable, its requirements."""

    NAME: ClassVar[str] = ""
    #: The import package whose presence means "installed".
    PACKAGE: ClassVar[str] = ""
    #: Whether it is one of the era's library integrations
    #: (:data:`zenml.integrations.requirements.LIBRARY_INTEGRATIONS`), not a zenml-<name>.
    LIBRARY: ClassVar[bool] = False

    @classmethod
    def get_requirements(cls) -> list[str]:
        """The third-party requirements (for a zenml-<name> package, its distribution too)."""
        if cls.LIBRARY:
            from zenml.integrations.requirements import LIBRARY_INTEGRATIONS

            return list(LIBRARY_INTEGRATIONS[cls.NAME].requirements)
        from zenml.integrations.catalog import get_known

        known = get_known(cls.NAME)
        return [known.distribution, *known.requirements]

    @classmethod
    def check_installation(cls) -> bool:
        """Whether the integration's package is importable."""
        try:
            return importlib.util.find_spec(cls.PACKAGE or f"zenml_{cls.NAME}") is not None
        except (ImportError, ValueError):
            return False

    @classmethod
    def activate(cls) -> None:
        """Nothing to do: an installed integration's plugin registers its flavors itself."""


class KubeflowIntegration(Integration):
    """zenml-kubeflow."""

    NAME = "kubeflow"


class MySQLIntegration(Integration):
    """zenml-mysql."""

    NAME = "mysql"


class S3Integration(Integration):
    """zenml-s3."""

    NAME = "s3"


class SeldonIntegration(Integration):
    """zenml-seldon."""

    NAME = "seldon"


class WandbIntegration(Integration):
    """zenml-wandb."""

    NAME = "wandb"


class SklearnIntegration(Integration):
    """scikit-learn: a library integration (the core has its materializer)."""

    NAME = "sklearn"
    PACKAGE = "sklearn"
    LIBRARY = True
