"""The submission path against a stub KFP REST server on 127.0.0.1: kfp.Client for real,
the run executed by the stub task by task; synchronous and asynchronous runs, failure
states, timeouts, unreachable or silent endpoints, a kubeconfig context instead of a URL,
and ``zenml stack up`` / ``down`` / ``zenml kubeflow ui``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sample_pipelines
import yaml
from kfp_harness import load_pipeline_spec
from kfp_stub import KfpStub, silent_server
from test_execute import summary
from zenml_kubeflow import client as kfp_client
from zenml_kubeflow.client import KubeflowClient
from zenml_kubeflow.errors import KubeflowError
from zenml_kubeflow.flavors import KubeflowOrchestratorConfig
from zenml_kubeflow.orchestrator import KubeflowOrchestrator

from zenml.errors import RunFailedError, ZenMLError
from zenml.metadata_stores.records import ExecutionStatus
from zenml.repository import Repository

from conftest import Stacks, Zen


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(KubeflowOrchestrator, "poll_interval", 0.1)
    monkeypatch.setattr(kfp_client, "PROBE_TIMEOUT", 1.0)


def closed_port() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_synchronous_run_lands_in_the_store_as_a_local_run(stacks: Stacks,
                                                            kfp_stub: KfpStub) -> None:
    stacks.register("local_stack", orchestrator_flavor="local")
    local = sample_pipelines.make("fan_out_in").run()
    stacks.register("kf", kubeflow_hostname=kfp_stub.url, synchronous=True)
    run = sample_pipelines.make("fan_out_in").run()
    assert run is not None and local is not None
    assert summary(run) == summary(local)
    assert run.status is ExecutionStatus.COMPLETED
    # the zenml run is the KFP run: its id, and its display name
    (kfp_run,) = kfp_stub.runs.values()
    assert run.id == kfp_run.data["run_id"] and run.name == kfp_run.data["display_name"]
    (body,) = kfp_stub.submitted()
    assert [e["display_name"] for e in kfp_stub.experiments.values()] == ["fan_out_in"]
    spec = load_pipeline_spec(body["pipeline_spec"])  # what KFP got parses strictly
    assert {t.task_info.name for t in spec.root.dag.tasks.values()} == {
        "source", "left", "right", "joined"}
    assert not any(t.caching_options.enable_cache for t in spec.root.dag.tasks.values())
    # again: one more KFP run in the same experiment, every step cached
    again = sample_pipelines.make("fan_out_in").run()
    assert again is not None
    assert {s.status for s in again.steps} == {ExecutionStatus.CACHED}
    assert len(kfp_stub.experiments) == 1 and len(kfp_stub.runs) == 2


def test_asynchronous_run_returns_once_started(stacks: Stacks, kfp_stub: KfpStub) -> None:
    stacks.register("kf", kubeflow_hostname=kfp_stub.url)
    run = sample_pipelines.make("linear").run()
    assert run is not None
    # the record, not run.status: zenml-core's view calls a 'running' run failed once the
    # process that recorded it is gone from this host, and here the "pods" are local
    record = Repository().active_stack.metadata_store.get_run(run.id)
    assert record.status in (ExecutionStatus.RUNNING, ExecutionStatus.COMPLETED)
    (kfp_run,) = kfp_stub.runs.values()
    assert kfp_run.done.wait(60)
    finished = Repository().get_pipeline("linear").get_run(run.name)
    assert finished.status is ExecutionStatus.COMPLETED
    assert finished.get_step("third").output.read() == 10


def test_a_failing_step_fails_the_synchronous_run(stacks: Stacks, kfp_stub: KfpStub) -> None:
    stacks.register("kf", kubeflow_hostname=kfp_stub.url, synchronous=True)
    with pytest.raises(RunFailedError, match=r"Step 'checker' of run '.*' failed: ValueError: "
                                             r"asked to fail with input 1 \(http://127") as info:
        sample_pipelines.make("failing").run()
    assert info.value.step_name == "checker"
    run = Repository().get_pipeline("failing").runs[-1]
    assert run.status is ExecutionStatus.FAILED
    assert [(s.name, s.status) for s in run.steps] == [
        ("source", ExecutionStatus.COMPLETED), ("checker", ExecutionStatus.FAILED)]


@pytest.mark.parametrize("final", ["FAILED", "CANCELED"])
def test_a_run_that_ends_badly_before_any_step_is_reported(stacks: Stacks, kfp_stub: KfpStub,
                                                           final: str) -> None:
    kfp_stub.mode = "scripted"
    kfp_stub.script = ["PENDING", "PENDING", final]
    kfp_stub.script_error = "ImagePullBackOff: zenml-kubeflow-linear:abc not found"
    stacks.register("kf", kubeflow_hostname=kfp_stub.url, synchronous=True)
    with pytest.raises(RunFailedError) as info:
        sample_pipelines.make("linear").run()
    message = str(info.value)
    assert f"of pipeline 'linear' ended {final} on Kubeflow Pipelines" in message
    if final == "FAILED":
        assert "ImagePullBackOff" in message
    assert "/#/runs/details/" in message


def test_a_step_that_dies_without_a_record_marks_the_run_failed(stacks: Stacks,
                                                                kfp_stub: KfpStub) -> None:
    """KFP says FAILED while the zenml run is still 'running' (e.g. a pod was OOM-killed)."""
    stacks.register("kf", kubeflow_hostname=kfp_stub.url, synchronous=True)
    stack = Repository().active_stack
    kfp_stub.mode = "scripted"
    kfp_stub.script = ["RUNNING", "FAILED"]
    kfp_stub.script_error = "pod OOMKilled"
    original = KubeflowClient.submit

    def submit_and_start(self: KubeflowClient, **kwargs: Any) -> str:
        run_id = original(self, **kwargs)
        stack.metadata_store.create_run(run_id=run_id, run_name=kwargs["run_name"],
                                        pipeline_name="linear", stack_name="kf",
                                        enable_cache=True, num_steps=3)
        return run_id

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(KubeflowClient, "submit", submit_and_start)
        with pytest.raises(RunFailedError, match="ended FAILED on Kubeflow Pipelines: pod "
                                                 "OOMKilled"):
            sample_pipelines.make("linear").run()
    run = Repository().get_pipeline("linear").runs[-1]
    assert run.status is ExecutionStatus.FAILED
    assert run.error == "Run ended FAILED on Kubeflow Pipelines: pod OOMKilled"


@pytest.mark.parametrize(("synchronous", "verb"), [(True, "finish"), (False, "start")])
def test_waiting_is_bounded_by_the_timeout(stacks: Stacks, kfp_stub: KfpStub,
                                           synchronous: bool, verb: str) -> None:
    kfp_stub.mode = "hang"
    stacks.register("kf", kubeflow_hostname=kfp_stub.url, synchronous=synchronous, timeout=1)
    started = time.monotonic()
    with pytest.raises(KubeflowError, match=rf"did not {verb} within 1 s \(state PENDING on "
                                            rf"Kubeflow Pipelines; it goes on there\)"):
        sample_pipelines.make("linear").run()
    assert time.monotonic() - started < 10


def test_an_unreachable_endpoint_fails_fast_with_one_line(stacks: Stacks, zen: Zen) -> None:
    url = closed_port()
    stacks.register("kf", kubeflow_hostname=url)
    started = time.monotonic()
    with pytest.raises(KubeflowError, match=rf"^Kubeflow Pipelines at {url} is not "
                                            rf"reachable: connection refused; check"):
        KubeflowClient(KubeflowOrchestratorConfig(kubeflow_hostname=url))
    with pytest.raises(ZenMLError, match=r"Stack 'kf' is not running \(orchestrator 'kf'\); "
                                         r"run 'zenml stack up' first"):
        sample_pipelines.make("linear").run()
    result = zen.fails("stack", "up")
    assert f"Kubeflow Pipelines at {url} is not reachable: connection refused" in result.stderr
    assert "kubectl port-forward -n kubeflow svc/ml-pipeline-ui 8080:80" in result.stderr
    assert time.monotonic() - started < 10


def test_a_silent_endpoint_fails_within_the_probe_timeout(stacks: Stacks, zen: Zen) -> None:
    with silent_server() as url:
        stacks.register("kf", kubeflow_hostname=url)
        started = time.monotonic()
        result = zen.fails("stack", "up")
        assert time.monotonic() - started < 8  # two probes at most, 1 s each, plus the CLI
    assert f"Kubeflow Pipelines at {url} is not reachable: no answer within 1 s" in result.stderr


def test_a_kfp_that_stops_answering_fails_in_bounded_time(
        stacks: Stacks, kfp_stub: KfpStub, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(kfp_client, "CALL_TIMEOUT", 1.0)
    kfp_stub.stall = {"/apis/v2beta1/experiments"}  # healthz answers, the rest hangs
    stacks.register("kf", kubeflow_hostname=kfp_stub.url)
    started = time.monotonic()
    with pytest.raises(KubeflowError, match=r"^Kubeflow Pipelines did not answer within 1 s "
                                            r"\(create experiment 'linear'\)$"):
        sample_pipelines.make("linear").run()
    assert time.monotonic() - started < 10
    print("stdout still works")
    assert "stdout still works" in capsys.readouterr().out


def test_a_server_that_is_not_kfp_is_named(stacks: Stacks, zen: Zen, kfp_stub: KfpStub) -> None:
    stacks.register("kf", kubeflow_hostname=f"{kfp_stub.url}/not-kfp")
    result = zen.fails("stack", "up")
    assert "is not a Kubeflow Pipelines API: no KFP v2 API there (HTTP 404" in result.stderr


def test_stack_up_and_down_check_and_say_what_they_do(stacks: Stacks, zen: Zen,
                                                      kfp_stub: KfpStub) -> None:
    stacks.register("kf", kubeflow_hostname=kfp_stub.url)
    up = zen("stack", "up")
    assert "orchestrator 'kf' (kubeflow): running" in up.output
    assert any(r.path == "/apis/v2beta1/healthz" for r in kfp_stub.requests)
    down = zen("stack", "down")
    assert "zenml does not stop Kubeflow Pipelines or its cluster" in down.stderr
    assert "running (nothing to stop for this flavor)" in down.output
    gone = zen("stack", "down", "--force")
    assert "zenml did not create the cluster or Kubeflow Pipelines" in gone.stderr


def test_kubeflow_ui_prints_the_address(stacks: Stacks, zen: Zen, kfp_stub: KfpStub) -> None:
    stacks.register("kf", kubeflow_hostname=kfp_stub.url)
    assert zen("kubeflow", "ui").output.strip() == (
        f"Kubeflow Pipelines UI of orchestrator 'kf': {kfp_stub.url}")
    stacks.register("other", orchestrator_flavor="local")
    result = zen.fails("kubeflow", "ui")
    assert "Orchestrator 'other' is of flavor 'local', not kubeflow" in result.stderr
    url = closed_port()
    zen("orchestrator", "register", "far", "--flavor=kubeflow", f"--kubeflow_hostname={url}")
    assert "is not reachable: connection refused" in zen.fails("kubeflow", "ui", "far").stderr


# -- a kubeconfig context instead of a URL: KFP through the API server's service proxy ----

@pytest.fixture
def kubeconfig(tmp_path: Path, kfp_stub: KfpStub, monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[Path]:
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "stub",
        "clusters": [{"name": "stub", "cluster": {"server": kfp_stub.url}}],
        "users": [{"name": "me", "user": {"token": "s3cret-token"}}],
        "contexts": [{"name": "stub", "context": {"cluster": "stub", "user": "me"}},
                     {"name": "other", "context": {"cluster": "stub", "user": "me"}}],
    }))
    monkeypatch.setenv("KUBECONFIG", str(path))
    monkeypatch.setenv("HOME", str(tmp_path))  # kfp reads ~/.config/kfp
    yield path


def test_a_kubeconfig_context_reaches_kfp_through_the_api_server(
        stacks: Stacks, kfp_stub: KfpStub, kubeconfig: Path, zen: Zen) -> None:
    stacks.register("kf", kubernetes_context="stub", synchronous=True)
    assert "(kubeflow): running" in zen("stack", "up").output
    run = sample_pipelines.make("linear").run()
    assert run is not None and run.status is ExecutionStatus.COMPLETED
    proxied = [r for r in kfp_stub.requests if r.namespace is not None]
    assert {r.namespace for r in proxied} == {"kubeflow"}
    assert {r.path for r in proxied} >= {"/apis/v2beta1/healthz", "/apis/v2beta1/runs"}
    assert all(r.headers.get("authorization") == "Bearer s3cret-token" for r in proxied)
    assert "answers through the Kubernetes API (kubernetes context stub)" in zen(
        "kubeflow", "ui").output


def test_kube_context_problems_are_named_by_stack_up(stacks: Stacks, zen: Zen,
                                                     kubeconfig: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    stacks.register("kf", kubernetes_context="nope")
    result = zen.fails("stack", "up")
    assert f"kubeconfig context 'nope' does not exist ({kubeconfig}); contexts: stub, other" \
        in result.stderr
    zen("orchestrator", "update", "kf", "--kubernetes_context=other",
        "--kubeflow_namespace=pipelines")
    result = zen.fails("stack", "up")
    assert ("Kubeflow Pipelines is not running in namespace 'pipelines' of context 'other' "
            "(HTTP 404 from service ml-pipeline)") in result.stderr
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig.parent / "missing"))
    result = zen.fails("stack", "up")
    assert "no kubeconfig with a context found" in result.stderr
    assert "zenml does not create clusters" in result.stderr
