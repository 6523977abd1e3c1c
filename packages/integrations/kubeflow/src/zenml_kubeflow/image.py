"""The step image: a Dockerfile and build context, built and pushed when possible.

The context holds the user's code (each source root of the deployment, copied by
:mod:`zenml_kubeflow.build_context`: minus ignored, private and secret-looking files;
modes kept, never widened), the zenml distributions the stack uses
(a local source checkout is copied, an installed release is pinned) and the
requirements of the active integrations plus the user's own: the pipeline's
``required_integrations`` (ours as their distributions, the original framework's
library ones as their pip packages) and ``requirements``. Its content hash
(modes included) is the image tag, so unchanged code gives the same image.
Building needs a container registry in the stack and a working ``docker``;
otherwise a message says which commands to run.
"""

from __future__ import annotations

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

from zenml_kubeflow.build_context import DEFAULT_IGNORE, PACKAGE_IGNORE, copy_tree
from zenml_kubeflow.errors import KubeflowError

if TYPE_CHECKING:
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


def _stack_distributions(stack: Stack, required: tuple[str, ...] = ()
                         ) -> tuple[list[_Distribution], list[str]]:
    """The zenml distributions the stack's flavors and the pipeline's ``required``
    integrations (ours) come from, and their integrations' third-party requirements."""
    from zenml.integrations.catalog import get_known
    from zenml.plugins.manager import BUILTIN_NAME, call_each, get_flavor_registry, plugin_records

    registry = get_flavor_registry()
    plugins = {BUILTIN_NAME, "kubeflow", *required}
    for component in stack:
        flavor = registry.get(component.type, component.flavor)
        plugins.add(flavor.integration or BUILTIN_NAME)
    records = {r.name: r for r in plugin_records()}
    names = ["zenml-core"]
    requirements: list[str] = []
    for plugin in sorted(plugins - {BUILTIN_NAME}):
        record = records.get(plugin)
        if record is not None and record.distribution not in ("", "?"):
            names.append(record.distribution)
        elif plugin in required:  # required, not installed here: the catalog says what
            entry = get_known(plugin)
            names.append(entry.distribution)
            requirements.extend(r for r in entry.requirements if r not in requirements)
        else:
            logger.warning("Plugin '%s' was not installed from a distribution, so the image "
                           "does not get it; add the package that provides it to the "
                           "orchestrator's requirements", plugin)
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


def _required_integrations(deployment: Deployment) -> tuple[tuple[str, ...], list[str]]:
    """The pipeline's required integrations: ours (names) and the pip requirements of the
    original framework's library integrations (``sklearn`` -> ``scikit-learn``)."""
    from zenml.integrations.requirements import resolve_required_integrations

    ours: list[str] = []
    libraries: list[str] = []
    for item in resolve_required_integrations(deployment.pipeline_name,
                                              deployment.required_integrations):
        if item.library is not None:
            libraries.extend(r for r in item.library.requirements if r not in libraries)
        else:
            ours.append(item.name)
    return tuple(ours), libraries


def _dockerignore_patterns(deployment: Deployment) -> list[str]:
    """``@pipeline(dockerignore_file=...)``: its patterns leave code out of the image too."""
    if not deployment.dockerignore_file:
        return []
    path = Path(deployment.dockerignore_file).expanduser()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        raise KubeflowError(f"Pipeline '{deployment.pipeline_name}': dockerignore_file "
                            f"{path} cannot be read; fix the path") from None
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


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
    ignore = (*DEFAULT_IGNORE, *_dockerignore_patterns(deployment))
    for index, (root, _) in enumerate(roots):
        source = Path(root)
        copied += copy_tree(source, context / "code" / str(index), ignore,
                            skip=[*skip, context]).size
    if copied > LARGE_CONTEXT_BYTES:
        logger.warning("The image build context holds %.0f MB of code from %s; add a "
                       ".dockerignore there to leave out data and virtual environments.",
                       copied / 1e6, ", ".join(r for r, _ in roots))
    ours, libraries = _required_integrations(deployment)
    distributions, integration_requirements = _stack_distributions(stack, ours)
    pinned: list[str] = []
    packages: list[str] = []
    for dist in distributions:
        if dist.source_dir is not None:
            copy_tree(dist.source_dir, context / "packages" / dist.name, PACKAGE_IGNORE,
                      skip=[context])
            packages.append(dist.name)
        else:
            pinned.append(f"{dist.name}=={dist.version}" if dist.version else dist.name)
    requirements = [*integration_requirements, *libraries, *deployment.requirements,
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
