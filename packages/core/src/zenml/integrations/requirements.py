"""What a pipeline's ``required_integrations`` name, and whether they are installed.

A required integration is either one of ours (a ``zenml-<name>`` distribution of
the catalog: installed when its distribution is) or one of the original
framework's *library* integrations, which bring no service of their own
(``sklearn``, ``tensorflow``, ``pytorch``...): installed when its library can be
imported. The check reads package metadata and ``importlib.util.find_spec``; it
imports nothing. Container-based orchestrators use :func:`image_requirements` to
put the same integrations into their images.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zenml.errors import PipelineConfigurationError, ZenMLError

__all__ = [
    "LIBRARY_INTEGRATIONS",
    "LibraryIntegration",
    "MissingIntegrationError",
    "RequiredIntegration",
    "check_required_integrations",
    "library_integration",
    "resolve_required_integrations",
]


class MissingIntegrationError(ZenMLError):
    """A pipeline requires an integration that is not installed here."""


@dataclass(frozen=True)
class LibraryIntegration:
    """An integration of the original framework that is only a library.

    :param name: its name (the value of ``zenml.integrations.constants.<NAME>``).
    :param module: the top-level module whose presence means it is installed.
    :param requirements: the pip requirements that install it.
    """

    name: str
    module: str
    requirements: tuple[str, ...]

    @property
    def installed(self) -> bool:
        """Whether its library can be imported here (nothing is imported)."""
        try:
            return importlib.util.find_spec(self.module) is not None
        except (ImportError, ValueError):
            return False


def _lib(name: str, module: str, *requirements: str) -> LibraryIntegration:
    return LibraryIntegration(name, module, requirements or (module,))


#: The era's integrations that bring no service: usable wherever their library is.
LIBRARY_INTEGRATIONS: dict[str, LibraryIntegration] = {entry.name: entry for entry in (
    _lib("sklearn", "sklearn", "scikit-learn"),
    _lib("tensorflow", "tensorflow"),
    _lib("pytorch", "torch", "torch"),
    _lib("pytorch_lightning", "pytorch_lightning"),
    _lib("numpy", "numpy"),
    _lib("pandas", "pandas"),
    _lib("scipy", "scipy"),
    _lib("xgboost", "xgboost"),
    _lib("lightgbm", "lightgbm"),
    _lib("huggingface", "transformers", "transformers", "datasets"),
    _lib("plotly", "plotly"),
    _lib("graphviz", "graphviz"),
    _lib("pillow", "PIL", "Pillow"),
    _lib("dash", "dash"),
    _lib("facets", "facets_overview", "facets-overview"),
    _lib("evidently", "evidently"),
    _lib("whylogs", "whylogs"),
    _lib("neural_prophet", "neuralprophet", "neuralprophet"),
    _lib("great_expectations", "great_expectations", "great-expectations"),
    _lib("deepchecks", "deepchecks"),
    _lib("tensorboard", "tensorboard"),
    _lib("mlflow", "mlflow"),
    _lib("kubernetes", "kubernetes"),
)}


@dataclass(frozen=True)
class RequiredIntegration:
    """One entry of a pipeline's ``required_integrations``, resolved.

    ``distribution`` is set for our integrations (``zenml-<name>``), ``library``
    for the era's library integrations.
    """

    name: str
    distribution: str | None = None
    library: LibraryIntegration | None = None

    @property
    def installed(self) -> bool:
        """Whether it can be used in this interpreter (nothing is imported)."""
        if self.library is not None:
            return self.library.installed
        from zenml.integrations.status import installed_version

        return self.distribution is not None and installed_version(self.distribution) is not None

    @property
    def fix(self) -> str:
        """The command that installs it."""
        if self.library is not None:
            return f"pip install {' '.join(self.library.requirements)}"
        return f"zenml integration install {self.name}"


def _key(name: object) -> str:
    return str(name).strip().lower().replace("-", "_")


def library_integration(name: object) -> LibraryIntegration | None:
    """The era's library integration called ``name`` (``sklearn``), if it is one.

    A name of the catalog (one of ours) is never a library integration.
    """
    from zenml.integrations.catalog import CATALOG

    key = _key(name).removeprefix("zenml_")
    if any(entry.name == key for entry in CATALOG):
        return None
    return LIBRARY_INTEGRATIONS.get(key)


def resolve_required_integrations(pipeline_name: str, names: Iterable[object]
                                  ) -> list[RequiredIntegration]:
    """Each name as ours or a library integration; an unknown name is one error line."""
    from zenml.integrations.catalog import CATALOG

    ours = {entry.name: entry for entry in CATALOG if not entry.is_tool}  # stack integrations
    resolved: list[RequiredIntegration] = []
    for raw in names:
        key = _key(raw).removeprefix("zenml_")
        if key in ours:
            item = RequiredIntegration(key, distribution=ours[key].distribution)
        elif key in LIBRARY_INTEGRATIONS:
            item = RequiredIntegration(key, library=LIBRARY_INTEGRATIONS[key])
        else:
            known = ", ".join([*sorted(ours), *sorted(LIBRARY_INTEGRATIONS)])
            raise PipelineConfigurationError(
                f"Pipeline '{pipeline_name}' requires integration '{raw}', which zenml does "
                f"not know; use one of: {known}")
        if item not in resolved:
            resolved.append(item)
    return resolved


def check_required_integrations(pipeline_name: str, names: Sequence[object]) -> None:
    """Refuse, in one line naming the install commands, when one is not installed."""
    missing = [item for item in resolve_required_integrations(pipeline_name, names)
               if not item.installed]
    if not missing:
        return
    ours = [item.name for item in missing if item.library is None]
    libraries = [item for item in missing if item.library is not None]
    fixes = []
    if ours:
        fixes.append(f"zenml integration install {' '.join(ours)}")
    if libraries:
        packages = [r for item in libraries if item.library for r in item.library.requirements]
        fixes.append(f"pip install {' '.join(dict.fromkeys(packages))}")
    names_text = ", ".join(item.name for item in missing)
    plural = "s" if len(missing) > 1 else ""
    raise MissingIntegrationError(
        f"Pipeline '{pipeline_name}' requires integration{plural} {names_text}, not "
        f"installed here; install {'them' if plural else 'it'} with: {' && '.join(fixes)}")
