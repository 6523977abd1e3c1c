"""The ``zenml`` entry points of the installed distributions, read without importlib.metadata.

``importlib.metadata`` (and the email parser it needs) costs more to import
than reading the few files that matter, and every ``zenml`` command reads
the entry points (``zenml --help`` lists plugin commands). This reader walks
``sys.path`` folders as importlib.metadata's path finder does: every
``*.dist-info`` and ``*.egg-info`` folder, the first distribution of a
(normalized) name wins, and only the ones declaring a ``[zenml]`` group have
their name and version read. Standard library only, nothing imported but
what Python has already loaded.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from typing import Any

__all__ = ["EntryPoint", "entry_points"]

_SUFFIXES = (".dist-info", ".egg-info")


class EntryPoint:
    """One entry point: ``name = module:attribute`` of a distribution (a plain class: a
    dataclass costs more to define than this whole module to run)."""

    __slots__ = ("distribution", "group", "name", "value", "version")

    def __init__(self, name: str, value: str, group: str, distribution: str,
                 version: str) -> None:
        self.name, self.value, self.group = name, value, group
        self.distribution, self.version = distribution, version

    def __repr__(self) -> str:
        return (f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r}, "
                f"distribution={self.distribution!r}, version={self.version!r})")

    def load(self) -> Any:
        """Import the module and return the attribute (the module if none is named)."""
        module_name, _, attribute = self.value.partition(":")
        target: Any = importlib.import_module(module_name.strip())
        for part in attribute.split("[", 1)[0].strip().split("."):
            if part:
                target = getattr(target, part)
        return target


def _normalized(name: str) -> str:
    """PEP 503's normalization, spelled with underscores (runs of -_. become one _)."""
    folded = name.lower().replace("-", "_").replace(".", "_")
    while "__" in folded:
        folded = folded.replace("__", "_")
    return folded


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError):
        return None


def _group(text: str, group: str) -> list[tuple[str, str]]:
    """The ``name = value`` lines of ``[group]`` in an entry_points.txt."""
    found: list[tuple[str, str]] = []
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            inside = line[1:-1].strip() == group
            continue
        if inside and "=" in line:
            name, _, value = line.partition("=")
            found.append((name.strip(), value.strip()))
    return found


def _name_and_version(info: str, folder: str) -> tuple[str, str]:
    """From METADATA (dist-info) or PKG-INFO (egg-info); else from the folder's name."""
    stem = folder.rsplit(".", 1)[0]
    guessed_name, _, guessed_version = stem.partition("-")
    name, version = guessed_name, guessed_version.split("-", 1)[0] or "?"
    for header in ("METADATA", "PKG-INFO"):
        text = _read(os.path.join(info, header))
        if text is None:
            continue
        for line in text.splitlines():
            if not line.strip():
                break  # the headers end at the first blank line
            key, _, value = line.partition(":")
            if key == "Name":
                name = value.strip()
            elif key == "Version":
                version = value.strip()
        break
    return name, version


def _distribution_folders(paths: Iterable[str]) -> Iterable[tuple[str, str]]:
    for entry in paths:
        try:
            with os.scandir(entry or ".") as listing:
                names = sorted(e.name for e in listing if e.name.endswith(_SUFFIXES))
        except (OSError, TypeError):
            continue  # not a folder (a zip file, a missing path)
        for name in names:
            yield os.path.join(entry or ".", name), name


def entry_points(group: str, paths: Iterable[str] | None = None) -> list[EntryPoint]:
    """Every entry point of ``group`` on ``paths`` (default ``sys.path``), by distribution."""
    found: list[EntryPoint] = []
    seen: set[str] = set()
    for info, folder in _distribution_folders(sys.path if paths is None else paths):
        key = _normalized(folder.rsplit(".", 1)[0].split("-", 1)[0])
        if key in seen:
            continue
        seen.add(key)
        path = os.path.join(info, "entry_points.txt")
        if not os.path.isfile(path):  # most distributions have none: a stat, no exception
            continue
        text = _read(path)
        if text is None or f"[{group}]" not in text.replace(" ", ""):
            continue
        lines = _group(text, group)
        if not lines:
            continue
        distribution, version = _name_and_version(info, folder)
        found += [EntryPoint(name, value, group, distribution, version) for name, value in lines]
    return found
