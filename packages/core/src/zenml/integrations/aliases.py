"""The original framework's import paths, as thin lazy aliases onto our packages.

Code written for zenml 0.8-0.10 imports ``zenml.integrations.seldon.services``,
``zenml.integrations.wandb.wandb_step_decorator`` and the like. Each such path
is one entry of :data:`ALIASES`: the package it needs, and what its names are
(``"package.module:Name"`` strings, or a whole module to forward to). A
meta-path finder (:class:`AliasFinder`, installed by ``zenml.integrations``)
makes a light module for each entry; its names are imported on first use, so
``zenml-<name>`` stays the one implementation and the core never imports it by
an import statement.

An alias whose package is missing fails on import with one line
(:class:`IntegrationNotInstalled`, an ``ImportError``) naming the install
command; uncaught, it is printed as that line alone, without a traceback.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from zenml.errors import ObjectImportError

if TYPE_CHECKING:
    from importlib.abc import Loader

__all__ = [
    "ALIASES",
    "Alias",
    "AliasFinder",
    "IntegrationNotInstalled",
    "become_alias",
    "install",
    "require",
]

_PREFIX = "zenml.integrations."
#: Subpackages of ``zenml.integrations`` that are real folders, not aliases.
_REAL = frozenset({"aliases", "catalog", "constants", "installer", "integration", "metadata",
                   "sklearn", "status"})


class IntegrationNotInstalled(ObjectImportError):
    """An era import path needs a package that is not installed (the fix is in the message)."""


_NO_NAMES: Mapping[str, str] = types.MappingProxyType({})


class Alias(NamedTuple):
    """One era module path.

    :param requires: the top-level package it needs (``zenml_seldon``, ``sklearn``).
    :param fix: how to get it (``zenml integration install seldon``).
    :param names: its names, each an import path ``"package.module:Name"``.
    :param module: a module every other name is read from (``zenml_seldon.steps``).
    :param package: whether it has submodules (other entries under it).
    """

    requires: str
    fix: str
    names: Mapping[str, str] = _NO_NAMES
    module: str | None = None
    package: bool = False


def _integration(name: str, *, module: str | None = None, package: bool = False,
                 **names: str) -> Alias:
    return Alias(f"zenml_{name}", f"zenml integration install {name}", names, module, package)


def _library(requires: str, pip_name: str, *, module: str | None = None,
             package: bool = False, **names: str) -> Alias:
    return Alias(requires, f"pip install {pip_name}", names, module, package)


_I = "zenml.integrations.integration"

#: Era module path -> what it is here.
ALIASES: dict[str, Alias] = {
    # -- kubeflow ------------------------------------------------------------------------
    "zenml.integrations.kubeflow": _integration(
        "kubeflow", package=True,
        KubeflowIntegration=f"{_I}:KubeflowIntegration",
        KUBEFLOW_ORCHESTRATOR_FLAVOR="zenml_kubeflow.flavors:KUBEFLOW_ORCHESTRATOR_FLAVOR",
        KubeflowOrchestrator="zenml_kubeflow.orchestrator:KubeflowOrchestrator"),
    "zenml.integrations.kubeflow.orchestrators": _integration(
        "kubeflow", package=True,
        KubeflowOrchestrator="zenml_kubeflow.orchestrator:KubeflowOrchestrator"),
    "zenml.integrations.kubeflow.orchestrators.kubeflow_orchestrator": _integration(
        "kubeflow", module="zenml_kubeflow.orchestrator"),
    "zenml.integrations.kubeflow.flavors": _integration(
        "kubeflow", module="zenml_kubeflow.flavors"),
    # -- s3 ------------------------------------------------------------------------------
    "zenml.integrations.s3": _integration(
        "s3", package=True,
        S3Integration=f"{_I}:S3Integration",
        S3_ARTIFACT_STORE_FLAVOR="zenml_s3.flavors:S3_ARTIFACT_STORE_FLAVOR",
        S3ArtifactStore="zenml_s3.artifact_store:S3ArtifactStore"),
    "zenml.integrations.s3.artifact_stores": _integration(
        "s3", package=True, S3ArtifactStore="zenml_s3.artifact_store:S3ArtifactStore"),
    "zenml.integrations.s3.artifact_stores.s3_artifact_store": _integration(
        "s3", module="zenml_s3.artifact_store"),
    "zenml.integrations.s3.flavors": _integration("s3", module="zenml_s3.flavors"),
    # -- mysql (the era's store was built in: zenml.metadata_stores.mysql_metadata_store) --
    "zenml.metadata_stores.mysql_metadata_store": _integration(
        "mysql", module="zenml_mysql.metadata_store",
        MySQLMetadataStoreConfig="zenml_mysql.flavors:MySQLMetadataStoreConfig"),
    "zenml.integrations.mysql": _integration(
        "mysql", package=True,
        MySQLIntegration=f"{_I}:MySQLIntegration",
        MYSQL_METADATA_STORE_FLAVOR="zenml_mysql.flavors:MYSQL_METADATA_STORE_FLAVOR",
        MySQLMetadataStore="zenml_mysql.metadata_store:MySQLMetadataStore"),
    "zenml.integrations.mysql.metadata_stores": _integration(
        "mysql", package=True,
        MySQLMetadataStore="zenml_mysql.metadata_store:MySQLMetadataStore"),
    "zenml.integrations.mysql.metadata_stores.mysql_metadata_store": _integration(
        "mysql", module="zenml_mysql.metadata_store"),
    "zenml.integrations.mysql.flavors": _integration("mysql", module="zenml_mysql.flavors"),
    # -- wandb ---------------------------------------------------------------------------
    "zenml.integrations.wandb": _integration(
        "wandb", package=True,
        WandbIntegration=f"{_I}:WandbIntegration",
        WANDB_EXPERIMENT_TRACKER_FLAVOR="zenml_wandb.flavors:WANDB_EXPERIMENT_TRACKER_FLAVOR",
        enable_wandb="zenml_wandb.decorator:enable_wandb"),
    "zenml.integrations.wandb.wandb_step_decorator": _integration(
        "wandb", module="zenml_wandb.decorator"),
    "zenml.integrations.wandb.experiment_trackers": _integration(
        "wandb", package=True,
        WandbExperimentTracker="zenml_wandb.tracker:WandbExperimentTracker"),
    "zenml.integrations.wandb.experiment_trackers.wandb_experiment_tracker": _integration(
        "wandb", module="zenml_wandb.tracker"),
    "zenml.integrations.wandb.flavors": _integration("wandb", module="zenml_wandb.flavors"),
    # -- seldon --------------------------------------------------------------------------
    "zenml.integrations.seldon": _integration(
        "seldon", package=True,
        SeldonIntegration=f"{_I}:SeldonIntegration",
        SELDON_MODEL_DEPLOYER_FLAVOR="zenml_seldon.flavors:SELDON_MODEL_DEPLOYER_FLAVOR"),
    "zenml.integrations.seldon.steps": _integration(
        "seldon", package=True, module="zenml_seldon.steps"),
    "zenml.integrations.seldon.steps.seldon_deployer": _integration(
        "seldon", module="zenml_seldon.steps"),
    "zenml.integrations.seldon.services": _integration(
        "seldon", package=True,
        SeldonDeploymentConfig="zenml_seldon.deployment_config:SeldonDeploymentConfig",
        SeldonDeploymentService="zenml_seldon.cluster:SeldonDeploymentService"),
    "zenml.integrations.seldon.services.seldon_deployment": _integration(
        "seldon", module="zenml_seldon.cluster",
        SeldonDeploymentConfig="zenml_seldon.deployment_config:SeldonDeploymentConfig"),
    "zenml.integrations.seldon.model_deployers": _integration(
        "seldon", package=True,
        SeldonModelDeployer="zenml_seldon.model_deployer:SeldonModelDeployer"),
    "zenml.integrations.seldon.model_deployers.seldon_model_deployer": _integration(
        "seldon", module="zenml_seldon.model_deployer"),
    "zenml.integrations.seldon.flavors": _integration("seldon", module="zenml_seldon.flavors"),
    # -- scikit-learn (a library integration: the core's materializer) -------------------
    "zenml.integrations.sklearn.materializers": _library(
        "sklearn", "scikit-learn", package=True,
        SklearnMaterializer="zenml.materializers.sklearn_materializer:SklearnMaterializer"),
    "zenml.integrations.sklearn.materializers.sklearn_materializer": _library(
        "sklearn", "scikit-learn", module="zenml.materializers.sklearn_materializer"),
}


# -- the one line when a package is missing ---------------------------------------------

def _print_one_line(type_: type[BaseException], value: BaseException,
                    traceback: types.TracebackType | None) -> None:
    """``sys.excepthook`` for an uncaught :class:`IntegrationNotInstalled`: its line only."""
    print(f"Error: {value}", file=sys.stderr)


def _install_excepthook() -> None:
    """Print an uncaught :class:`IntegrationNotInstalled` as one line (others unchanged)."""
    previous = sys.excepthook
    if getattr(previous, "_zenml_one_line", False):
        return

    def hook(type_: type[BaseException], value: BaseException,
             traceback: types.TracebackType | None) -> None:
        if isinstance(value, IntegrationNotInstalled):
            _print_one_line(type_, value, traceback)
        else:
            previous(type_, value, traceback)

    hook._zenml_one_line = True  # type: ignore[attr-defined]
    sys.excepthook = hook


def require(package: str, fix: str, what: str) -> None:
    """Raise :class:`IntegrationNotInstalled` for ``what`` unless ``package`` is importable."""
    import importlib.util

    try:
        found = importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        _install_excepthook()
        raise IntegrationNotInstalled(f"'{what}' needs '{package}', which is not installed; "
                                      f"run '{fix}'") from None


# -- the modules -------------------------------------------------------------------------

def _public_names(module: types.ModuleType) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return [name for name in vars(module) if not name.startswith("_")]


def _fill(module: types.ModuleType, alias: Alias) -> None:
    """Give an alias module its lazy ``__getattr__`` and ``__dir__``."""
    name = module.__name__

    def __getattr__(attr: str) -> Any:
        path = alias.names.get(attr)
        if path is not None:
            from zenml.utils.imports import import_object

            value = import_object(path)
            setattr(module, attr, value)
            return value
        if f"{name}.{attr}" in ALIASES:  # a submodule, as an attribute
            return importlib.import_module(f"{name}.{attr}")
        if attr == "__all__":
            names = sorted(alias.names)
            if alias.module is not None:
                names += _public_names(importlib.import_module(alias.module))
            return sorted(set(names))
        if alias.module is not None and not attr.startswith("__"):
            target = importlib.import_module(alias.module)
            try:
                return getattr(target, attr)
            except AttributeError:
                pass
        raise AttributeError(f"module {name!r} has no attribute {attr!r}")

    def __dir__() -> Sequence[str]:
        return sorted(set(vars(module)) | set(__getattr__("__all__")))

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__dir__ = __dir__  # type: ignore[method-assign]
    target = f"'{alias.module}'" if alias.module else ", ".join(sorted(alias.names.values()))
    module.__doc__ = f"The original framework's path {name}: an alias of {target}."


class _AliasLoader:
    """Makes the module of one :data:`ALIASES` entry, or refuses an era path we lack."""

    def __init__(self, alias: Alias | None, missing: str = "") -> None:
        self.alias = alias
        self.missing = missing

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None  # the default module

    def exec_module(self, module: types.ModuleType) -> None:
        if self.alias is None:
            _install_excepthook()
            raise IntegrationNotInstalled(self.missing)
        require(self.alias.requires, self.alias.fix, module.__name__)
        _fill(module, self.alias)


class AliasFinder:
    """Finds the modules of :data:`ALIASES` (before the path finder)."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: types.ModuleType | None = None
                  ) -> importlib.machinery.ModuleSpec | None:
        alias = ALIASES.get(fullname)
        if alias is not None:
            return importlib.machinery.ModuleSpec(fullname, cast("Loader", _AliasLoader(alias)),
                                                  is_package=alias.package)
        if not fullname.startswith(_PREFIX):
            return None
        top = fullname[len(_PREFIX):].split(".")[0]
        if top in _REAL:
            return None
        if f"{_PREFIX}{top}" in ALIASES:
            missing = (f"'{fullname}': the original framework's module has no counterpart "
                       f"in zenml-{top} (see docs/migrating.md for what replaces it)")
        elif _era_integration(top):
            missing = (f"'{fullname}': the original framework's {top} integration has no "
                       f"counterpart in zenml (see 'zenml integration list')")
        else:
            return None
        return importlib.machinery.ModuleSpec(fullname,
                                              cast("Loader", _AliasLoader(None, missing)))


def _era_integration(name: str) -> bool:
    from zenml.integrations.constants import ERA_INTEGRATIONS

    return name in ERA_INTEGRATIONS


def become_alias(name: str) -> None:
    """Make the real module ``name`` (an entry of :data:`ALIASES`) behave as its alias.

    For era paths outside ``zenml.integrations``, whose module file must exist so
    that it is found before ``zenml.integrations`` (and its finder) is imported.
    """
    alias = ALIASES[name]
    require(alias.requires, alias.fix, name)
    _fill(sys.modules[name], alias)


def install() -> None:
    """Put the :class:`AliasFinder` first on ``sys.meta_path`` (once per process)."""
    if not any(isinstance(finder, AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())
