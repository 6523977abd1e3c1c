"""Where zenml keeps its global state: the config directory."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CONFIG_PATH_ENV", "STORE_FILENAME", "config_dir", "local_stores_dir", "store_path"]

CONFIG_PATH_ENV = "ZENML_CONFIG_PATH"
STORE_FILENAME = "stack_store.db"


def config_dir() -> Path:
    """The global config folder: ``$ZENML_CONFIG_PATH`` or ``~/.config/zenml``."""
    override = os.environ.get(CONFIG_PATH_ENV)
    if override:
        return Path(override).expanduser().absolute()
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(Path.home(), ".config")
    return Path(base) / "zenml"


def store_path() -> Path:
    """The stack store's SQLite file."""
    return config_dir() / STORE_FILENAME


def local_stores_dir() -> Path:
    """Where local components (the default artifact and metadata stores) keep data."""
    return config_dir() / "local_stores"
