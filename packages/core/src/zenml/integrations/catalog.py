"""The integrations zenml knows before they are installed: plain data.

Once an integration is installed, its package is the source of truth (its
``zenml_integration()`` hook reports the version and requirements); this
catalog names what can be installed, what it provides and how to get it.
It must never import an integration package.
"""

from __future__ import annotations

from dataclasses import dataclass

from zenml.errors import EntityNotFoundError
from zenml.stack.component_type import StackComponentType

__all__ = [
    "CATALOG",
    "KnownIntegration",
    "get_known",
    "install_hint",
    "not_installed_note",
    "provider_of",
]

T = StackComponentType


@dataclass(frozen=True)
class KnownIntegration:
    """One integration of the catalog.

    :param name: the short name: entry point, folder ``packages/integrations/<name>``.
    :param description: one line, the same as the package's ``DESCRIPTION``.
    :param flavors: the ``(component type, flavor name)`` pairs it provides.
    :param requirements: its third-party requirements (the package's ``REQUIREMENTS``).
    """

    name: str
    description: str
    flavors: tuple[tuple[StackComponentType, str], ...]
    requirements: tuple[str, ...]

    @property
    def distribution(self) -> str:
        """The distribution pip installs, ``zenml-<name>``."""
        return f"zenml-{self.name}"


CATALOG: tuple[KnownIntegration, ...] = (
    KnownIntegration(
        name="kubeflow",
        description="Kubeflow Pipelines orchestrator",
        flavors=((T.ORCHESTRATOR, "kubeflow"),),
        requirements=("kfp>=2.15,<3", "kubernetes>=28"),
    ),
    KnownIntegration(
        name="mysql",
        description="MySQL / MariaDB metadata store",
        flavors=((T.METADATA_STORE, "mysql"),),
        requirements=("pymysql[rsa]>=1.2,<2",),
    ),
    KnownIntegration(
        name="s3",
        description="Amazon S3 (and S3-compatible) artifact store",
        flavors=((T.ARTIFACT_STORE, "s3"),),
        requirements=("s3fs>=2023.1",),
    ),
    KnownIntegration(
        name="seldon",
        description="Seldon Core model deployer (MLServer for local serving)",
        flavors=((T.MODEL_DEPLOYER, "seldon"),),
        requirements=("kubernetes>=28", "mlserver>=1.6", "mlserver-sklearn>=1.6",
                      "uvloop<0.22; sys_platform != 'win32'", "jsonschema>=4"),
    ),
    KnownIntegration(
        name="wandb",
        description="Weights & Biases experiment tracker",
        flavors=((T.EXPERIMENT_TRACKER, "wandb"),),
        requirements=("wandb>=0.19.10,<1",),
    ),
)

_BY_NAME = {entry.name: entry for entry in CATALOG}


def get_known(name: str) -> KnownIntegration:
    """The catalog entry called ``name`` (``zenml-<name>`` is accepted too)."""
    key = name.strip().lower()
    key = key.removeprefix("zenml-").removeprefix("zenml_")
    entry = _BY_NAME.get(key)
    if entry is None:
        known = ", ".join(_BY_NAME)
        msg = (f"Unknown integration '{name}'; known integrations: {known} "
               f"(see 'zenml integration list')")
        raise EntityNotFoundError(msg)
    return entry


def provider_of(type_: StackComponentType, flavor: str) -> KnownIntegration | None:
    """The catalog integration that provides ``flavor`` of ``type_``, if any."""
    for entry in CATALOG:
        if (type_, flavor) in entry.flavors:
            return entry
    return None


def install_hint(type_: StackComponentType, flavor: str) -> str:
    """How to get a flavor: ``zenml integration install NAME`` when the catalog knows it."""
    entry = provider_of(type_, flavor)
    if entry is None:
        return "install the plugin package that provides it"
    return f"zenml integration install {entry.name}"


def not_installed_note(type_: StackComponentType, flavor: str) -> str:
    """What listings show for a component whose flavor is missing."""
    return f"flavor not installed ({install_hint(type_, flavor)})"
