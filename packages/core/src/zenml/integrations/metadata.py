"""An integration's metadata, read from where it is written once: its ``pyproject.toml``.

Installed, a distribution carries its ``pyproject.toml`` in its core metadata:
``[project] description`` (the Summary, ``"zenml integration: DESCRIPTION."``)
and ``dependencies`` (Requires-Dist). :func:`integration_info` reads both for a
plugin's ``zenml_integration`` hook. Not installed, the same fields (and the
``[tool.zenml]`` flavors) reach zenml through the catalog generated from the
pyproject files (:mod:`zenml.integrations.catalog`). Both go through
:func:`integration_requirements`, so they agree. Standard library only: plugins
import this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zenml.plugins.info import IntegrationInfo

__all__ = [
    "SUMMARY_PREFIX",
    "canonical_requirement",
    "description_from_summary",
    "integration_info",
    "integration_requirements",
    "requirement_name",
]

#: How an integration's ``[project] description`` starts; the rest is its description.
SUMMARY_PREFIX = "zenml integration: "

_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<extras>\[[^\]]*\])?\s*"
    r"(?P<spec>[^;]*?)\s*(?:;\s*(?P<marker>.*?))?\s*$")
_EXTRA_MARKER = re.compile(r"\bextra\s*==")


def requirement_name(requirement: str) -> str:
    """The normalized project name a requirement names (``PyMySQL[rsa]>=1`` -> ``pymysql``)."""
    match = _REQUIREMENT.match(requirement)
    name = match.group("name") if match else requirement.strip()
    return re.sub(r"[-_.]+", "-", name).lower()


def _specifier_key(specifier: str) -> tuple[int, str]:
    """Lower bounds and pins first, then upper bounds, then exclusions: ``>=1.2,<2``."""
    if specifier.startswith("<"):
        return 1, specifier
    if specifier.startswith("!="):
        return 2, specifier
    return 0, specifier


def canonical_requirement(requirement: str) -> str:
    """One spelling for a requirement, whoever wrote it (pyproject or a build backend).

    Build backends reorder specifiers (``kfp<3,>=2.15``) and requote markers;
    this spells ``kfp>=2.15,<3`` and ``uvloop<0.22; sys_platform != 'win32'``
    both ways. Direct references (``name @ url``) are kept as written.
    """
    match = _REQUIREMENT.match(requirement)
    if match is None or "@" in (match.group("spec") or ""):
        return requirement.strip()
    text = match.group("name")
    if match.group("extras"):
        extras = sorted(e.strip() for e in match.group("extras")[1:-1].split(",") if e.strip())
        text += f"[{','.join(extras)}]"
    spec = match.group("spec").strip().removeprefix("(").removesuffix(")")
    specifiers = [s.replace(" ", "") for s in spec.split(",") if s.strip()]
    text += ",".join(sorted(specifiers, key=_specifier_key))
    if match.group("marker"):
        text += "; " + match.group("marker").replace('"', "'")
    return text


def integration_requirements(dependencies: Iterable[str]) -> list[str]:
    """An integration's third-party requirements out of its distribution's dependencies.

    Leaves out ``zenml-core`` and optional extras; spelled by
    :func:`canonical_requirement`, ordered by name.
    """
    kept = [canonical_requirement(d) for d in dependencies
            if requirement_name(d) != "zenml-core"
            and not _EXTRA_MARKER.search(d.partition(";")[2])]
    return sorted(dict.fromkeys(kept), key=lambda r: (requirement_name(r), r))


def description_from_summary(summary: str) -> str:
    """``"zenml integration: Foo orchestrator."`` -> ``"Foo orchestrator"``."""
    text = summary.strip()
    if text.startswith(SUMMARY_PREFIX):
        text = text[len(SUMMARY_PREFIX):].strip().removesuffix(".")
    return text


def integration_info(distribution: str) -> IntegrationInfo:
    """What an installed integration says about itself, from its distribution's metadata.

    The name is the distribution's entry point in the ``zenml`` group (else
    ``distribution`` without its ``zenml-`` prefix).
    """
    from importlib.metadata import distribution as find

    from zenml.plugins.info import IntegrationInfo

    dist = find(distribution)
    names = [ep.name for ep in dist.entry_points if ep.group == "zenml"]
    name = names[0] if len(names) == 1 else distribution.removeprefix("zenml-")
    metadata = dist.metadata  # parsed once: version, requirements and summary
    return IntegrationInfo(
        name=name, version=metadata["Version"],
        requirements=integration_requirements(metadata.get_all("Requires-Dist") or []),
        description=description_from_summary((metadata.get_all("Summary") or [""])[0]))
