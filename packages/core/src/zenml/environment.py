"""``Environment``: where this process runs, and which step it is running (the era's API).

Steps written for zenml 0.8-0.10 read ``Environment().step_is_running`` and
``Environment().step_environment`` (``pipeline_name``, ``pipeline_run_id``,
``step_name``); both come from the step run the launcher makes current for the
step's thread (:func:`zenml.execution.step_info.current_step_run`).
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any

from zenml.errors import ZenMLError

__all__ = [
    "STEP_ENVIRONMENT_NAME",
    "Environment",
    "NoStepRunningError",
    "StepEnvironment",
    "get_environment",
]

#: The key of the step environment (``Environment()[STEP_ENVIRONMENT_NAME]``).
STEP_ENVIRONMENT_NAME = "step_environment"


class NoStepRunningError(ZenMLError, KeyError):
    """The step environment was asked for outside a running step."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class StepEnvironment:
    """The step that is running: its pipeline, run (``pipeline_run_id`` is the run's
    name, as in the era) and name in the pipeline."""

    pipeline_name: str
    pipeline_run_id: str
    step_name: str
    run_id: str
    step_run_id: str

    NAME = STEP_ENVIRONMENT_NAME


def _current_step() -> StepEnvironment | None:
    from zenml.execution.step_info import current_step_run

    info = current_step_run()
    if info is None:
        return None
    return StepEnvironment(pipeline_name=info.pipeline_name, pipeline_run_id=info.run_name,
                           step_name=info.step_name, run_id=info.run_id,
                           step_run_id=info.step_run_id)


class Environment:
    """Facts about the running process (one shared instance: ``Environment()``)."""

    _instance: Environment | None = None

    def __new__(cls) -> Environment:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    # -- the running step ----------------------------------------------------------------
    @property
    def step_is_running(self) -> bool:
        """Whether a step is running in this thread."""
        return _current_step() is not None

    @property
    def step_environment(self) -> StepEnvironment:
        """The running step (only inside a step; :class:`NoStepRunningError` elsewhere)."""
        return self[STEP_ENVIRONMENT_NAME]

    def has_component(self, name: str) -> bool:
        """Whether the environment component ``name`` is active (the step's, in a step)."""
        return name == STEP_ENVIRONMENT_NAME and self.step_is_running

    def get_component(self, name: str) -> StepEnvironment | None:
        """The environment component ``name``, or ``None``."""
        return _current_step() if name == STEP_ENVIRONMENT_NAME else None

    def get_components(self) -> dict[str, StepEnvironment]:
        """The active environment components by name."""
        step = _current_step()
        return {} if step is None else {STEP_ENVIRONMENT_NAME: step}

    def __getitem__(self, name: str) -> StepEnvironment:
        component = self.get_component(name)
        if component is None:
            raise NoStepRunningError(
                f"No environment component '{name}' is active: the step environment "
                f"exists only while a step runs (read it inside the step function)")
        return component

    # -- the process ---------------------------------------------------------------------
    @staticmethod
    def python_version() -> str:
        """The running interpreter's version (``3.11.4``)."""
        return platform.python_version()

    @staticmethod
    def get_system_info() -> dict[str, Any]:
        """The operating system (``{"os": "linux", ...}``)."""
        system = platform.system()
        if system == "Linux":
            info: dict[str, Any] = {"os": "linux"}
            try:
                os_release = platform.freedesktop_os_release()
            except OSError:
                return info
            info["linux_distro"] = os_release.get("ID", "")
            info["linux_distro_like"] = os_release.get("ID_LIKE", "")
            info["linux_distro_version"] = os_release.get("VERSION_ID", "")
            return info
        if system == "Darwin":
            return {"os": "mac", "mac_version": platform.mac_ver()[0]}
        if system == "Windows":
            release, version, service_pack, kind = platform.win32_ver()
            return {"os": "windows", "windows_version_release": release,
                    "windows_version": version,
                    "windows_version_service_pack": service_pack,
                    "windows_version_os_type": kind}
        return {"os": "unknown"}

    @staticmethod
    def in_docker() -> bool:
        """Whether this process runs in a container."""
        if os.path.exists("/.dockerenv") or os.path.exists("/run/.containerenv"):
            return True
        return _cgroup_mentions("docker", "containerd", "kubepods")

    @staticmethod
    def in_kubernetes() -> bool:
        """Whether this process runs in a Kubernetes pod."""
        return "KUBERNETES_SERVICE_HOST" in os.environ or _cgroup_mentions("kubepods")

    @staticmethod
    def in_google_colab() -> bool:
        """Whether this process runs in Google Colab."""
        return "COLAB_GPU" in os.environ or "COLAB_RELEASE_TAG" in os.environ

    @staticmethod
    def in_paperspace_gradient() -> bool:
        """Whether this process runs in Paperspace Gradient."""
        return "PAPERSPACE_NOTEBOOK_REPO_ID" in os.environ

    @staticmethod
    def in_notebook() -> bool:
        """Whether this process is a Jupyter/IPython shell."""
        import sys

        if "IPython" not in sys.modules or find_spec("IPython") is None:
            return False
        from IPython import get_ipython  # type: ignore[import-not-found, unused-ignore]

        shell = get_ipython()
        return type(shell).__name__ in ("ZMQInteractiveShell", "TerminalInteractiveShell")


def _cgroup_mentions(*words: str) -> bool:
    try:
        with open("/proc/1/cgroup", encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return False
    return any(word in text for word in words)


def get_environment() -> str:
    """``kubernetes``, ``docker``, ``colab``, ``paperspace``, ``notebook`` or ``native``."""
    if Environment.in_kubernetes():
        return "kubernetes"
    if Environment.in_docker():
        return "docker"
    if Environment.in_google_colab():
        return "colab"
    if Environment.in_paperspace_gradient():
        return "paperspace"
    if Environment.in_notebook():
        return "notebook"
    return "native"
