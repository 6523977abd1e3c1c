"""The step image: a Dockerfile and build context, built and pushed when possible.

The context holds the user's code (each source root of the deployment, minus
what ``.zenmlignore`` - or ``.gitignore`` and ``.dockerignore`` - excludes and
minus private and secret-looking files unless a ``.zenmlignore`` negation asks
for them; modes kept, never widened), the zenml distributions the stack uses
(a local source checkout is copied, an installed release is pinned) and the
requirements of the active integrations plus the user's own. Its content hash
(modes included) is the image tag, so unchanged code gives the same image.
Building needs a container registry in the stack and a working ``docker``;
otherwise a message says which commands to run.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from zenml_kubeflow.errors import KubeflowError

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

    from zenml.execution.deployment import Deployment
    from zenml.stack.stack import Stack

__all__ = [
    "APP_DIR",
    "ImagePlan",
    "build_and_push",
    "docker_problem",
    "image_source_roots",
    "prepare_build_context",
]

logger = logging.getLogger("zenml.kubeflow")

#: Where the user's code lives in the image (the deployment's source roots point here).
APP_DIR = "/app"
#: Files and folders never copied into the build context.
DEFAULT_IGNORE = (".git", ".hg", ".svn", "__pycache__", "*.pyc", "*.pyo", ".venv", "venv",
                  ".nox", ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                  "node_modules", ".zen", "*.egg-info", ".DS_Store")
_PACKAGE_IGNORE = (*DEFAULT_IGNORE, "tests", "dist", "build")
#: A build context bigger than this gets a warning (the user's folder may be too wide).
LARGE_CONTEXT_BYTES = 200 * 1024 * 1024
DOCKER_INFO_TIMEOUT = 15.0


@dataclass
class ImagePlan:
    """The image a compiled pipeline uses, and how to build it."""

    name: str
    context: Path
    registry: str | None
    requirements: list[str] = field(default_factory=list)

    @property
    def build_command(self) -> str:
        """``docker build`` of the context."""
        return f"docker build -t {self.name} {self.context}"

    @property
    def push_command(self) -> str:
        """``docker push`` of the image."""
        return f"docker push {self.name}"


def _sanitize(name: str) -> str:
    """``name`` as part of an image name (lowercase, digits, dashes; at most 100)."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "pipeline"
    if len(text) > 100:
        text = f"{text[:83].rstrip('-')}-{hashlib.sha256(name.encode()).hexdigest()[:16]}"
    return text


def _site_dirs() -> list[str]:
    paths = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    return [os.path.realpath(p) for p in paths]


def image_source_roots(deployment: Deployment) -> list[tuple[str, str]]:
    """``(folder on this machine, folder in the image)`` for each source root.

    Roots inside this interpreter's site-packages are installed code, which the
    image gets from its requirements, not copied. The first root becomes
    :data:`APP_DIR`, the others ``/app/_roots/<i>``.
    """
    sites = _site_dirs()
    roots: list[tuple[str, str]] = []
    for root in deployment.source_roots:
        real = os.path.realpath(root)
        if any(real == s or real.startswith(s + os.sep) for s in sites):
            continue
        target = APP_DIR if not roots else f"{APP_DIR}/_roots/{len(roots)}"
        roots.append((root, target))
    return roots


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
class _Copied:
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


def _copy_tree(source: Path, target: Path, defaults: tuple[str, ...],
               skip: list[Path]) -> _Copied:
    """Copy ``source`` into ``target`` minus what the rules ignore, ``skip``, private and
    secret-looking files (unless a ``.zenmlignore`` negation names them) and links that
    leave ``source``. Modes are kept (never widened)."""
    rules = _Rules(source, defaults)
    done = _Copied()
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


def _report(source: Path, done: _Copied, sources: str) -> None:
    if done.left_out:
        logger.warning(
            "Left %d path(s) out of the image build context of %s (private or secret-"
            "looking): %s; to include one, add '!PATH' to %s.", len(done.left_out), source,
            _first([f"{rel} ({reason})" for rel, reason in done.left_out]),
            source / ".zenmlignore")
    if done.ignored:
        logger.info("Ignored %d path(s) of %s by %s: %s", len(done.ignored), source,
                    sources or ".gitignore", _first(done.ignored))


@dataclass
class _Distribution:
    name: str
    version: str
    source_dir: Path | None  # a local checkout pip can install from


def _distribution(name: str) -> _Distribution | None:
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    source_dir = None
    text = dist.read_text("direct_url.json")
    if text:
        info = json.loads(text)
        url = str(info.get("url", ""))
        if "dir_info" in info and url.startswith("file://"):
            path = Path(unquote(urlparse(url).path))
            if (path / "pyproject.toml").is_file() or (path / "setup.py").is_file():
                source_dir = path
    return _Distribution(name=name, version=dist.version, source_dir=source_dir)


def _stack_distributions(stack: Stack) -> tuple[list[_Distribution], list[str]]:
    """The zenml distributions the stack's flavors come from, and their integrations'
    third-party requirements."""
    from zenml.plugins.manager import BUILTIN_NAME, call_each, get_flavor_registry, plugin_records

    registry = get_flavor_registry()
    plugins = {BUILTIN_NAME, "kubeflow"}
    for component in stack:
        flavor = registry.get(component.type, component.flavor)
        plugins.add(flavor.integration or BUILTIN_NAME)
    records = {r.name: r for r in plugin_records()}
    names = ["zenml-core"]
    for plugin in sorted(plugins - {BUILTIN_NAME}):
        record = records.get(plugin)
        if record is not None and record.distribution not in ("", "?"):
            names.append(record.distribution)
        else:
            logger.warning("Plugin '%s' was not installed from a distribution, so the image "
                           "does not get it; add the package that provides it to the "
                           "orchestrator's requirements", plugin)
    requirements: list[str] = []
    for plugin, info in call_each("zenml_integration"):
        if plugin in plugins and info is not None:
            requirements.extend(r for r in info.requirements if r not in requirements)
    found = []
    for name in dict.fromkeys(names):
        dist = _distribution(name)
        if dist is None:
            logger.warning("Distribution %s is not installed here; the image installs the "
                           "newest release from the package index", name)
            dist = _Distribution(name=name, version="", source_dir=None)
        found.append(dist)
    return found, requirements


def _user_requirements(roots: list[tuple[str, str]], extra: list[str]) -> list[str]:
    requirements = list(extra)
    if roots:
        path = Path(roots[0][0]) / "requirements.txt"
        if path.is_file():
            logger.info("Adding the requirements of %s to the image.", path)
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line and not line.startswith("-") and line not in requirements:
                    requirements.append(line)
    return requirements


def _dockerfile(base: str, roots: list[tuple[str, str]], packages: list[str],
                python_path: str) -> str:
    lines = [
        "# Generated by zenml-kubeflow: the image every step of the pipeline runs in.",
        f"FROM {base}",
        "ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1",
        f"WORKDIR {APP_DIR}",
        "COPY requirements.txt /zenml/requirements.txt",
        "RUN pip install -r /zenml/requirements.txt",
    ]
    if packages:
        lines.append("COPY packages /zenml/packages")
        lines.append("RUN pip install " + " ".join(f"/zenml/packages/{p}" for p in packages))
    for index, (_, target) in enumerate(roots):
        lines.append(f"COPY code/{index} {target}")
    lines.append(f"ENV PYTHONPATH={python_path}")
    return "\n".join(lines) + "\n"


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(b"%o\0" % stat.S_IMODE(path.stat().st_mode))  # COPY keeps modes
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def prepare_build_context(deployment: Deployment, stack: Stack, *, context: Path,
                          base_image: str | None, extra_requirements: list[str],
                          skip: list[Path]) -> ImagePlan:
    """Write the Dockerfile and build context into ``context`` (replacing it).

    ``skip`` names folders and files never copied (the output folder, the config
    folder, the data of the stack's local components). What else is left out (ignore
    files, private and secret-looking files) is logged, one line per folder.
    """
    if context.is_symlink():
        raise KubeflowError(f"The image build context {context} is a link; remove it (the "
                            f"context is replaced on every compile, never followed)")
    if context.exists():
        shutil.rmtree(context)
    context.mkdir(parents=True, mode=0o700)
    roots = image_source_roots(deployment)
    copied = 0
    for index, (root, _) in enumerate(roots):
        source = Path(root)
        copied += _copy_tree(source, context / "code" / str(index), DEFAULT_IGNORE,
                             skip=[*skip, context]).size
    if copied > LARGE_CONTEXT_BYTES:
        logger.warning("The image build context holds %.0f MB of code from %s; add a "
                       ".dockerignore there to leave out data and virtual environments.",
                       copied / 1e6, ", ".join(r for r, _ in roots))
    distributions, integration_requirements = _stack_distributions(stack)
    pinned: list[str] = []
    packages: list[str] = []
    for dist in distributions:
        if dist.source_dir is not None:
            _copy_tree(dist.source_dir, context / "packages" / dist.name, _PACKAGE_IGNORE,
                       skip=[context])
            packages.append(dist.name)
        else:
            pinned.append(f"{dist.name}=={dist.version}" if dist.version else dist.name)
    requirements = [*integration_requirements,
                    *_user_requirements(roots, extra_requirements), *pinned]
    requirements = list(dict.fromkeys(requirements))
    (context / "requirements.txt").write_text(
        "".join(f"{r}\n" for r in requirements), encoding="utf-8")
    base = base_image or f"python:{sys.version_info.major}.{sys.version_info.minor}-slim"
    python_path = ":".join(target for _, target in roots) or APP_DIR
    (context / "Dockerfile").write_text(_dockerfile(base, roots, packages, python_path),
                                        encoding="utf-8")
    tag = _tree_hash(context)[:16]
    registry = None
    if stack.container_registry is not None:
        registry = str(stack.container_registry.config.uri).rstrip("/")
    repository = f"zenml-kubeflow-{_sanitize(deployment.pipeline_name)}"
    name = f"{registry}/{repository}:{tag}" if registry else f"{repository}:{tag}"
    return ImagePlan(name=name, context=context, registry=registry, requirements=requirements)


def docker_problem() -> str | None:
    """Why images cannot be built here (None: ``docker`` works)."""
    docker = shutil.which("docker")
    if docker is None:
        return "docker is not installed"
    try:
        done = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"],
                              capture_output=True, text=True, timeout=DOCKER_INFO_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"'docker info' did not answer within {DOCKER_INFO_TIMEOUT:.0f} s"
    except OSError as error:
        return f"docker cannot be started: {error}"
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else f"exit code {done.returncode}"
        return f"the docker daemon is not reachable ({reason})"
    return None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def build_and_push(plan: ImagePlan) -> bool:
    """Build and push the image when possible; otherwise say which commands to run.

    Returns whether the image was built and pushed. A failing build or push is
    an error (its last line in the message).
    """
    commands = f"{plan.build_command} && {plan.push_command}"
    if plan.registry is None:
        logger.warning(
            "The stack has no container registry, so image %s was not built; build it and "
            "push it where the cluster can pull it (%s), or add a registry to the stack: "
            "zenml container-registry register NAME --flavor=default --uri=REGISTRY && "
            "zenml stack update -c NAME", plan.name, commands)
        return False
    problem = docker_problem()
    if problem is not None:
        logger.warning("Image %s cannot be built here: %s. Build and push it with: %s",
                       plan.name, problem, commands)
        return False
    docker = shutil.which("docker") or "docker"
    for what, args in (("build", ["build", "-t", plan.name, str(plan.context)]),
                       ("push", ["push", plan.name])):
        logger.info("Running docker %s for image %s.", what, plan.name)
        done = subprocess.run([docker, *args], capture_output=True, text=True)
        if done.returncode != 0:
            raise KubeflowError(
                f"docker {what} of image {plan.name} failed: "
                f"{_last_line(done.stderr or done.stdout)} (run '{' '.join(['docker', *args])}' "
                f"to see the whole output)")
    logger.info("Pushed image %s.", plan.name)
    return True
