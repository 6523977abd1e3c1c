"""The image build context's code: a folder copied minus what must stay out.

What is left out: the defaults (:data:`DEFAULT_IGNORE`), what ``.zenmlignore`` - or
``.gitignore`` (nested ones too) and ``.dockerignore`` - excludes, links that leave the
folder, and private and secret-looking files and folders unless a ``.zenmlignore``
negation asks for them. Modes are kept, never widened; each left-out path is logged.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from zenml_kubeflow.errors import KubeflowError

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

__all__ = ["DEFAULT_IGNORE", "PACKAGE_IGNORE", "SECRET_FOLDERS", "SECRET_NAMES", "Copied",
           "copy_tree"]

logger = logging.getLogger("zenml.kubeflow")

#: Files and folders never copied into the build context.
DEFAULT_IGNORE = (".git", ".hg", ".svn", "__pycache__", "*.pyc", "*.pyo", ".venv", "venv",
                  ".nox", ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                  "node_modules", ".zen", "*.egg-info", ".DS_Store")
#: What a copied zenml source checkout leaves out besides the defaults.
PACKAGE_IGNORE = (*DEFAULT_IGNORE, "tests", "dist", "build")

#: File names never copied unless a ``.zenmlignore`` negation asks for them.
SECRET_NAMES = (".env", ".env.*", "*.pem", "*.key", "*id_rsa*", "*id_dsa*", "*id_ecdsa*",
                "*id_ed25519*", "*.p12", "*.pfx", ".netrc", ".pgpass", ".git-credentials",
                ".pypirc")
_SECRET_NAME = re.compile("|".join(fnmatch.translate(p) for p in SECRET_NAMES))
#: Folder names never copied unless a ``.zenmlignore`` negation asks for them.
SECRET_FOLDERS = (".ssh", ".aws", ".gnupg", ".kube")
#: How much of each file is read to recognise a stack export or a private key.
_HEAD_BYTES = 4096
_STACK_EXPORT_MARKS = (re.compile(rb"^zenml_version:", re.M),
                       re.compile(rb"^(?:stack_name|components):", re.M))
_PRIVATE_KEY_MARK = re.compile(rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
#: How many left-out paths a log line names.
_SHOWN_PATHS = 5


def _read_ignore_file(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise KubeflowError(f"Cannot read {path}: {reason}; fix it or remove it (it says "
                            f"what the image build context leaves out)") from None


class _Rules:
    """What to leave out of a copied folder: the defaults, then ``.zenmlignore`` or
    (without one) ``.gitignore`` (nested ones too, as git reads them) and
    ``.dockerignore``, all in gitignore syntax. Only a ``.zenmlignore`` negation is an
    explicit request that lets a private or secret-looking file in."""

    def __init__(self, root: Path, defaults: tuple[str, ...]) -> None:
        zenmlignore = root / ".zenmlignore"
        self.explicit = zenmlignore.is_file()
        files = [zenmlignore] if self.explicit else [
            p for p in (root / ".gitignore", root / ".dockerignore") if p.is_file()]
        self.sources = [p.name for p in files]
        self._defaults = len(defaults)
        lines = list(defaults)
        for path in files:
            lines.extend(_read_ignore_file(path))
        self._root = self._spec(lines, root)
        self._nested: dict[str, GitIgnoreSpec] = {}

    @staticmethod
    def _spec(lines: list[str], where: Path) -> GitIgnoreSpec:
        import pathspec  # only when a build context is written

        try:
            return pathspec.GitIgnoreSpec.from_lines(lines)
        except ValueError as error:  # GitWildMatchPatternError
            raise KubeflowError(f"An ignore file in {where} has an invalid pattern: {error}"
                                ) from None

    def enter(self, relative: str, folder: Path) -> None:
        """Read a nested ``.gitignore`` (when ``.zenmlignore`` is not what applies)."""
        if not self.explicit and relative != "." and (folder / ".gitignore").is_file():
            self._nested[relative] = self._spec(_read_ignore_file(folder / ".gitignore"),
                                                folder)
            if ".gitignore" not in self.sources:
                self.sources.append(".gitignore")

    def check(self, relative: str, is_dir: bool) -> tuple[bool, bool, bool]:
        """``(ignored, explicitly included, decided by a user's file)``."""
        key = relative + "/" if is_dir else relative
        result = self._root.check_file(key)
        include, index = result.include, result.index
        explicit = self.explicit and include is False and index is not None
        by_user = index is not None and index >= self._defaults
        parts = relative.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            spec = self._nested.get(folder)
            if spec is None:
                continue
            nested = spec.check_file(key[len(folder) + 1:])
            if nested.include is not None:  # a deeper .gitignore decides last, as in git
                include, explicit, by_user = nested.include, False, True
        return include is True, explicit, by_user


@dataclass
class Copied:
    """What a folder copy did: bytes copied, paths left out (and why), paths ignored."""

    size: int = 0
    left_out: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _folder_reason(name: str, mode: int) -> str | None:
    if any(fnmatch.fnmatch(name, pattern) for pattern in SECRET_FOLDERS):
        return "secret folder"
    if not (mode & stat.S_IROTH and mode & stat.S_IXOTH):
        return "not readable by others"
    return None


def _file_reason(name: str, path: Path, mode: int) -> str | None:
    """Why a file must stay out unless asked for (None: it may be copied)."""
    if not mode & stat.S_IROTH:
        return "not readable by others"
    if _SECRET_NAME.match(name):
        return "secret name"
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return "unreadable"
    if all(mark.search(head) for mark in _STACK_EXPORT_MARKS):
        return "zenml stack export"
    if _PRIVATE_KEY_MARK.search(head):
        return "private key"
    return None


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _copy_file(source: Path, destination: Path, mode: int) -> None:
    """Copy a file's bytes; it is private while written, then gets the source's mode."""
    descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                         0o600)
    with os.fdopen(descriptor, "wb") as out, open(source, "rb") as data:
        shutil.copyfileobj(data, out)
    os.chmod(destination, mode & 0o777)


def copy_tree(source: Path, target: Path, defaults: tuple[str, ...],
               skip: list[Path]) -> Copied:
    """Copy ``source`` into ``target`` minus what the rules ignore, ``skip``, private and
    secret-looking files (unless a ``.zenmlignore`` negation names them) and links that
    leave ``source``. Modes are kept (never widened)."""
    rules = _Rules(source, defaults)
    done = Copied()
    skip_real = [os.path.realpath(p) for p in skip]
    root_real = os.path.realpath(source)
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    modes: list[tuple[Path, int]] = [(target, stat.S_IMODE(source.stat().st_mode))]

    def leave(relative: str, ignored: bool, by_user: bool) -> bool:
        if ignored and by_user:
            done.ignored.append(relative)
        return ignored

    for folder, dirs, files in os.walk(source):
        here = Path(folder)
        rel_dir = here.relative_to(source).as_posix()
        rules.enter(rel_dir, here)
        real_here = os.path.realpath(here)
        kept = []
        for name in sorted(dirs):
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            path = here / name
            real = os.path.realpath(path)
            if any(_inside(real, s) for s in skip_real):
                continue
            ignored, explicit, by_user = rules.check(rel, is_dir=True)
            if leave(rel + "/", ignored, by_user):
                continue
            if path.is_symlink():  # docker would copy the link, not what it points at
                done.left_out.append((rel + "/", "link to a folder"))
                continue
            mode = path.stat().st_mode
            reason = None if explicit else _folder_reason(name, mode)
            if reason is not None:
                done.left_out.append((rel + "/", reason))
                continue
            kept.append(name)
            modes.append((target / rel, stat.S_IMODE(mode)))
        dirs[:] = kept
        for name in sorted(files):
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            path = here / name
            link = path.is_symlink()
            real = os.path.realpath(path) if link else os.path.join(real_here, name)
            if real in skip_real:
                continue
            ignored, explicit, by_user = rules.check(rel, is_dir=False)
            if leave(rel, ignored, by_user):
                continue
            if link and not _inside(real, root_real):
                done.left_out.append((rel, "link out of the folder"))
                continue
            try:
                info = path.stat()
            except OSError:
                continue  # a dangling link
            if not stat.S_ISREG(info.st_mode):
                continue
            reason = None if explicit else _file_reason(name, path, info.st_mode)
            if reason is not None:
                done.left_out.append((rel, reason))
                continue
            destination = target / rel
            destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _copy_file(path, destination, info.st_mode)
            done.size += info.st_size
    for folder_path, mode in reversed(modes):  # deepest first; a folder is never widened
        if folder_path.is_dir():
            os.chmod(folder_path, mode)
    _report(source, done, ", ".join(rules.sources))
    return done


def _first(items: list[str]) -> str:
    shown = ", ".join(items[:_SHOWN_PATHS])
    return shown + (", …" if len(items) > _SHOWN_PATHS else "")


def _report(source: Path, done: Copied, sources: str) -> None:
    if done.left_out:
        logger.warning(
            "Left %d path(s) out of the image build context of %s (private or secret-"
            "looking): %s; to include one, add '!PATH' to %s.", len(done.left_out), source,
            _first([f"{rel} ({reason})" for rel, reason in done.left_out]),
            source / ".zenmlignore")
    if done.ignored:
        logger.info("Ignored %d path(s) of %s by %s: %s", len(done.ignored), source,
                    sources or ".gitignore", _first(done.ignored))
