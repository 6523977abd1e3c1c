"""Nothing in clear on the way (issue 16, item 6), on a Kubeflow stack, compiled and executed.

Marker values (new for every test) are registered with the ``zenml`` CLI in the
``kubernetes`` secrets manager (kmock's Kubernetes API emulator); an artifact
store with secrets (the ``secretive`` test flavor) names them by reference
(``--token={{store_creds.token}}``) and by ``--authentication_secret``. The
pipeline is compiled and its tasks executed as pods would run them (values from
the Secrets as environment variables, as the kubelet gives them). The markers
must appear nowhere: not in any file under the test's folder (stack store, its
``-wal``, the compiled YAML, the metadata store, the artifacts), not in ``zenml
stack export``'s file, the deployment JSON, the tasks' command lines or
stderr, a failing task's error, any command's output, nor any process's
command line while the tasks run (the steps scan ``/proc/*/cmdline``).
"""

from __future__ import annotations

import os
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kfp_harness import execute_pipeline, load_documents
from kube_emulator import Cluster
from test_secret_refs_compile import secretive  # noqa: F401 (the fixture)

from zenml.repository import Repository
from zenml.testing.secrets import MarkerProbe, new_marker

from conftest import Stacks, Zen

PROBE = textwrap.dedent('''
    """Steps that scan every process's command line and check the store got the values."""
    import os

    from zenml.pipelines import pipeline
    from zenml.steps import StepContext, step
    from zenml.testing.secrets import scan_command_lines, wanted_markers


    def scan(context: StepContext) -> None:
        config = context.stack.artifact_store.config  # compared, never shown
        given = [config.token.get_secret_value(), config.key_id,
                 config.session.get_secret_value()]
        scan_command_lines(values_given=given == wanted_markers())


    @step
    def produce(context: StepContext) -> list:
        scan(context)
        if os.environ.get("PROBE_FAIL"):
            raise RuntimeError("the store refused the token")
        return list(range(10))


    @step
    def consume(data: list, context: StepContext) -> int:
        scan(context)
        return sum(data)


    @pipeline(enable_cache=False)
    def kf_marker_pipeline(produce, consume):
        consume(produce())


    def make():
        return kf_marker_pipeline(produce=produce(), consume=consume())
''')


class Markers(MarkerProbe):
    """The values the artifact store gets from the cluster's Secrets."""

    def __init__(self, root: Path) -> None:
        self.token = new_marker("MARKER-token-")
        self.key_id = f"AKIAMARKER{uuid.uuid4().hex[:10].upper()}"
        self.session = new_marker("MARKER-session-")
        super().__init__(root, [self.token, self.key_id, self.session])


@pytest.fixture
def probe_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The probe pipeline's module, importable here and in the tasks."""
    folder = tmp_path / "probe_code"
    folder.mkdir()
    (folder / "kf_marker_probe.py").write_text(PROBE)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(folder), os.environ["PYTHONPATH"]]))
    import kf_marker_probe

    yield kf_marker_probe
    sys.modules.pop("kf_marker_probe", None)


def test_no_marker_anywhere_compiled_and_executed(
        zen: Zen, cluster: Cluster, stacks: Stacks, secretive: None,  # noqa: F811
        probe_module: Any, tmp_path: Path) -> None:
    m = Markers(tmp_path)
    with m.selftest_process():
        folder = stacks.register("kf")
        commands: list[tuple[str, ...]] = [
            ("secrets-manager", "register", "k8s_secrets", "--flavor=kubernetes"),
            ("stack", "update", "kf", "-x", "k8s_secrets"),
            ("secret", "register", "store_creds", f"--token={m.token}"),
            ("secret", "register", "aws_creds", "-s", "aws", f"--aws_access_key_id={m.key_id}",
             f"--aws_secret_access_key={m.token}", f"--aws_session_token={m.session}"),
            ("artifact-store", "register", "secretive", "--flavor=secretive",
             f"--path={folder / 's'}", "--token={{store_creds.token}}",
             "--authentication_secret=aws_creds"),
            ("stack", "update", "kf", "-a", "secretive", "--decouple_stores"),
            ("stack", "describe"), ("artifact-store", "describe", "secretive"),
            ("secret", "list"), ("secret", "get", "aws_creds"),
            ("stack", "export", "kf", str(tmp_path / "exported.yaml")),
        ]
        for command in commands:
            result = zen(*command)
            m.outputs.append(result.output)
        assert "{{store_creds.token}}" in (tmp_path / "exported.yaml").read_text()

        stack = Repository().active_stack
        deployment = probe_module.make().deployment(stack)
        (tmp_path / "deployment.json").write_text(deployment.to_json())
        compiled = stack.orchestrator.compile(deployment, stack)
        assert compiled.path.is_relative_to(tmp_path)
        assert load_documents(compiled.path)[1]  # the platform spec naming the Secrets
        env = {**m.env, "KUBECONFIG": str(tmp_path / "pods-have-no-kubeconfig")}
        results = execute_pipeline(compiled.path, run_id=str(uuid.uuid4()), run_name="ok",
                                   env=env)
        assert [(r.task, r.returncode) for r in results] == [("produce", 0), ("consume", 0)], \
            results[0].stderr
        failed = execute_pipeline(compiled.path, run_id=str(uuid.uuid4()), run_name="failing",
                                  env={**env, "PROBE_FAIL": "1"})
        assert [r.returncode for r in failed] == [1, None]
        assert "the store refused the token" in failed[0].stderr

    for found in m.scans(3):  # produce and consume, then the failing produce
        assert found["values_given"], found
    for task in [*results, *failed]:
        assert not m.leaks(task.stderr), task.stderr
        assert not m.leaks("\0".join(task.argv)), task.task
    m.assert_no_leaks(tmp_path, {"stack_store.db", "exported.yaml", "deployment.json",
                                 compiled.path.name, "metadata.db"})
