"""The original framework's file helpers (``zenml.io.utils``), on top of :mod:`zenml.io.fileio`."""

from __future__ import annotations

import os
from pathlib import Path

from zenml.io.fileio import (
    PathType,
    convert_to_str,
    copy,
    exists,
    find_files,
    is_remote,
    is_root,
    isdir,
    listdir,
    makedirs,
    mkdir,
    open,
)

__all__ = [
    "convert_to_str",
    "copy_dir",
    "create_dir_if_not_exists",
    "create_dir_recursive_if_not_exists",
    "create_file_if_not_exists",
    "find_files",
    "get_global_config_directory",
    "get_grandparent",
    "get_parent",
    "is_remote",
    "is_root",
    "read_file_contents_as_string",
    "resolve_relative_path",
    "write_file_contents_as_string",
]


def get_global_config_directory() -> str:
    """zenml's global config folder (``ZENML_CONFIG_PATH`` overrides it)."""
    from zenml.config.global_config import config_dir

    return str(config_dir())


def write_file_contents_as_string(file_path: str, content: str) -> None:
    """Write ``content`` to ``file_path`` (replacing it)."""
    with open(file_path, "w") as handle:
        handle.write(content)


def read_file_contents_as_string(file_path: str) -> str:
    """The text of ``file_path``."""
    if not exists(file_path):
        raise FileNotFoundError(f"{file_path} does not exist!")
    with open(file_path) as handle:
        return str(handle.read())


def create_file_if_not_exists(file_path: str, file_contents: str = "{}") -> None:
    """Create ``file_path`` (and its folder) with ``file_contents`` unless it exists."""
    if not exists(file_path):
        create_dir_recursive_if_not_exists(_parent(file_path))
        write_file_contents_as_string(file_path, file_contents)


def create_dir_if_not_exists(dir_path: str) -> None:
    """Create the folder ``dir_path`` unless it exists (its parent must exist)."""
    if not isdir(dir_path):
        mkdir(dir_path)


def create_dir_recursive_if_not_exists(dir_path: str) -> None:
    """Create the folder ``dir_path`` and its parents unless it exists."""
    if not isdir(dir_path):
        makedirs(dir_path)


def resolve_relative_path(path: str) -> str:
    """An absolute local path (a remote URI as it is)."""
    if is_remote(path):
        return path
    return str(Path(path).resolve())


def copy_dir(source_dir: str, destination_dir: str, overwrite: bool = False) -> None:
    """Copy the folder ``source_dir`` into ``destination_dir``, file by file."""
    for name in listdir(source_dir):
        source = _join(source_dir, name)
        destination = _join(destination_dir, name)
        if isdir(source):
            if source.rstrip("/") == destination_dir.rstrip("/"):
                continue  # the destination is inside the source
            copy_dir(source, destination, overwrite)
        else:
            create_dir_recursive_if_not_exists(destination_dir)
            copy(source, destination, overwrite)


def get_grandparent(dir_path: str) -> str:
    """The name of the folder two levels above ``dir_path``."""
    return Path(dir_path).parent.parent.stem


def get_parent(dir_path: str) -> str:
    """The name of the folder holding ``dir_path``."""
    return Path(dir_path).parent.stem


def _join(folder: PathType, name: str) -> str:
    text = convert_to_str(folder)
    return f"{text.rstrip('/')}/{name}" if is_remote(text) else os.path.join(text, name)


def _parent(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[0] if is_remote(path) else str(Path(path).parent)
