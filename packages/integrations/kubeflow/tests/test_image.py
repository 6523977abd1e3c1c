"""Building the step image: only with a container registry and a working docker;
otherwise one warning naming the reason and the exact commands. No test needs docker:
``docker`` is a small script on PATH where a daemon is needed (it logs its arguments)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from zenml_kubeflow.errors import KubeflowError
from zenml_kubeflow.image import ImagePlan, build_and_push, docker_problem

DAEMON_DOWN = ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. "
               "Is the docker daemon running?")


def fake_docker(folder: Path, *, info_ok: bool = True, fail: str = "") -> Path:
    """A ``docker`` that logs its arguments; ``info`` fails unless ``info_ok``."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "docker.log"
    script = folder / "docker"
    script.write_text(f"""#!/bin/sh
echo "$@" >> {log}
if [ "$1" = "info" ]; then
  {"echo 27.0.1; exit 0" if info_ok else f"echo '{DAEMON_DOWN}' >&2; exit 1"}
fi
if [ "$1" = "{fail}" ]; then
  echo "step 1/7 ..." ; echo "denied: requested access to the resource is denied" >&2; exit 1
fi
exit 0
""")
    script.chmod(0o755)
    return log


@pytest.fixture
def plan(tmp_path: Path) -> ImagePlan:
    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM scratch\n")
    return ImagePlan(name="registry.example.com/team/zenml-kubeflow-p:0123abcd",
                     context=context, registry="registry.example.com/team")


@pytest.fixture
def only_fake_docker_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    os.symlink(shutil.which("sh") or "/bin/sh", folder / "sh")
    monkeypatch.setenv("PATH", str(folder))
    return folder


def test_without_a_registry_nothing_is_built(plan: ImagePlan, tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    plan.registry = None
    plan.name = "zenml-kubeflow-p:0123abcd"
    with caplog.at_level(logging.WARNING, logger="zenml"):
        assert build_and_push(plan) is False
    (message,) = [r.getMessage() for r in caplog.records]
    assert "The stack has no container registry, so image zenml-kubeflow-p:0123abcd was not " \
           "built" in message
    assert f"docker build -t zenml-kubeflow-p:0123abcd {plan.context} && docker push " \
           f"zenml-kubeflow-p:0123abcd" in message
    assert "zenml container-registry register NAME --flavor=default --uri=REGISTRY" in message


def test_without_docker_the_commands_are_printed(plan: ImagePlan,
                                                 only_fake_docker_on_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    assert docker_problem() == "docker is not installed"
    with caplog.at_level(logging.WARNING, logger="zenml"):
        assert build_and_push(plan) is False
    (message,) = [r.getMessage() for r in caplog.records]
    assert message == (f"Image {plan.name} cannot be built here: docker is not installed. "
                       f"Build and push it with: docker build -t {plan.name} {plan.context} "
                       f"&& docker push {plan.name}")


def test_a_docker_client_without_daemon_is_detected(plan: ImagePlan,
                                                    only_fake_docker_on_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    log = fake_docker(only_fake_docker_on_path, info_ok=False)
    assert docker_problem() == f"the docker daemon is not reachable ({DAEMON_DOWN})"
    with caplog.at_level(logging.WARNING, logger="zenml"):
        assert build_and_push(plan) is False
    assert "Is the docker daemon running?). Build and push it with: docker build" in \
        caplog.records[0].getMessage()
    assert log.read_text().splitlines() == ["info --format {{.ServerVersion}}"] * 2


def test_a_working_docker_builds_and_pushes(plan: ImagePlan,
                                           only_fake_docker_on_path: Path) -> None:
    log = fake_docker(only_fake_docker_on_path)
    assert build_and_push(plan) is True
    assert log.read_text().splitlines() == [
        "info --format {{.ServerVersion}}", f"build -t {plan.name} {plan.context}",
        f"push {plan.name}"]


@pytest.mark.parametrize("step", ["build", "push"])
def test_a_failing_build_or_push_is_one_line(plan: ImagePlan, only_fake_docker_on_path: Path,
                                            step: str) -> None:
    fake_docker(only_fake_docker_on_path, fail=step)
    with pytest.raises(KubeflowError, match=rf"^docker {step} of image {plan.name} failed: "
                                            r"denied: requested access to the resource is "
                                            rf"denied \(run 'docker {step} "):
        build_and_push(plan)


def test_this_machines_docker_is_judged_by_docker_info() -> None:
    """Whatever docker this machine has: a problem is reported iff 'docker info' fails."""
    docker = shutil.which("docker")
    problem = docker_problem()
    if docker is None:
        assert problem == "docker is not installed"
        return
    done = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"],
                          capture_output=True, text=True, timeout=30)
    assert (problem is None) == (done.returncode == 0), problem
