"""A repository: a folder with ``.zen/`` whose active stack is its own."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from zenml.errors import IllegalOperationError, StoreError

__all__ = ["REPOSITORY_DIRECTORY", "RepositoryConfig", "find_repository_root"]

REPOSITORY_DIRECTORY = ".zen"
REPOSITORY_PATH_ENV = "ZENML_REPOSITORY_PATH"
_CONFIG_FILE = "config.yaml"


def find_repository_root(start: Path | None = None) -> Path | None:
    """``$ZENML_REPOSITORY_PATH``, or the nearest folder up from ``start`` with ``.zen/``."""
    override = os.environ.get(REPOSITORY_PATH_ENV)
    if override:
        root = Path(override).expanduser().absolute()
        return root if (root / REPOSITORY_DIRECTORY).is_dir() else None
    current = (start or Path.cwd()).absolute()
    for folder in (current, *current.parents):
        if (folder / REPOSITORY_DIRECTORY).is_dir():
            return folder
    return None


class RepositoryConfig:
    """The ``.zen/config.yaml`` of one repository."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / REPOSITORY_DIRECTORY / _CONFIG_FILE

    @classmethod
    def initialize(cls, root: Path, active_stack_name: str | None) -> RepositoryConfig:
        """Create ``.zen/`` in ``root``; refuse if it exists."""
        folder = root / REPOSITORY_DIRECTORY
        if folder.exists():
            raise IllegalOperationError(f"{root} is already a zenml repository ({folder} "
                                        f"exists)")
        folder.mkdir(parents=True)
        config = cls(root)
        config.write({"active_stack_name": active_stack_name})
        return config

    def read(self) -> dict[str, Any]:
        """The repository's settings ({} if the file is missing)."""
        import yaml

        if not self.path.exists():
            return {}
        try:
            data = yaml.safe_load(self.path.read_text()) or {}
        except (OSError, yaml.YAMLError) as error:
            raise StoreError(f"Cannot read the repository config {self.path}: "
                             f"{str(error).splitlines()[0]}; fix or delete the file") from None
        if not isinstance(data, dict):
            raise StoreError(f"The repository config {self.path} is not a mapping; fix or "
                             f"delete the file")
        return data

    def write(self, data: dict[str, Any]) -> None:
        """Replace the settings atomically."""
        import yaml

        tmp = self.path.with_suffix(".yaml.tmp")
        tmp.write_text(yaml.safe_dump(data, sort_keys=True))
        os.replace(tmp, self.path)

    @property
    def active_stack_name(self) -> str | None:
        """The repository's own active stack, if it has one."""
        value = self.read().get("active_stack_name")
        return str(value) if value else None

    @active_stack_name.setter
    def active_stack_name(self, name: str | None) -> None:
        data = self.read()
        data["active_stack_name"] = name
        self.write(data)
