"""Repositories: folders marked by ``.zen/``, each with its own active stack.

The marker folder holds only ``config.yaml`` with a format version; which
stack is active in a repository is kept in the stack store (by repository
path and stack id), so renaming a stack or deleting it from anywhere sees
every repository that uses it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from zenml.errors import IllegalOperationError

__all__ = [
    "REPOSITORY_DIRECTORY",
    "REPOSITORY_PATH_ENV",
    "find_repository_root",
    "initialize_repository",
]

logger = logging.getLogger(__name__)

REPOSITORY_DIRECTORY = ".zen"
REPOSITORY_PATH_ENV = "ZENML_REPOSITORY_PATH"
_CONFIG_FILE = "config.yaml"


def find_repository_root(start: Path | None = None) -> Path | None:
    """``$ZENML_REPOSITORY_PATH``, or the nearest folder up from ``start`` with ``.zen/``."""
    override = os.environ.get(REPOSITORY_PATH_ENV)
    if override:
        root = Path(override).expanduser().absolute()
        if (root / REPOSITORY_DIRECTORY).is_dir():
            return root
        logger.warning("%s=%s is not a zenml repository (no %s folder); using the global "
                       "active stack", REPOSITORY_PATH_ENV, override, REPOSITORY_DIRECTORY)
        return None
    current = (start or Path.cwd()).absolute()
    for folder in (current, *current.parents):
        if (folder / REPOSITORY_DIRECTORY).is_dir():
            return folder
    return None


def initialize_repository(root: Path) -> None:
    """Create ``root/.zen``; refuse inside a ``.zen`` folder or where one exists."""
    root = root.absolute()
    if REPOSITORY_DIRECTORY in root.parts:
        raise IllegalOperationError(f"{root} is inside a {REPOSITORY_DIRECTORY} folder; run "
                                    f"'zenml init' in the project folder instead")
    marker = root / REPOSITORY_DIRECTORY
    if marker.is_dir():
        raise IllegalOperationError(f"{root} is already a zenml repository ({marker} exists)")
    if marker.exists():
        raise IllegalOperationError(f"{marker} exists and is not a folder; move it aside to "
                                    f"make {root} a repository")
    outer = find_repository_root(root)
    if outer is not None:
        logger.warning("%s is inside the repository at %s; the new repository takes over "
                       "below it", root, outer)
    marker.mkdir(parents=True)
    (marker / _CONFIG_FILE).write_text("# zenml repository marker\nversion: 1\n")
