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

import json
import os
import subprocess
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

from conftest import Stacks, Zen

PROBE = textwrap.dedent('''
    """Steps that scan every process's command line and check the store got the values."""
    import json
    import os
    from pathlib import Path

    from zenml.pipelines import pipeline
    from zenml.steps import StepContext, step


    def scan(context: StepContext) -> None:
        wanted = json.loads(Path(os.environ["PROBE_WANTED"]).read_text())
        found = {"processes": 0, "markers": 0, "selftest": 0}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                line = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            found["processes"] += 1
            found["markers"] += any(m.encode() in line for m in wanted["markers"])
            found["selftest"] += wanted["selftest"].encode() in line
        config = context.stack.artifact_store.config  # compared, never shown
        found["values_given"] = [config.token.get_secret_value(), config.key_id,
                                 config.session.get_secret_value()] == wanted["markers"]
        with open(os.environ["PROBE_OUT"], "a") as out:
            out.write(json.dumps(found) + "\\n")


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


class Markers:
    """The values, the commands' outputs and the probe's files."""

    def __init__(self, root: Path) -> None:
        self.token = f"MARKER-token-{uuid.uuid4()}"
        self.key_id = f"AKIAMARKER{uuid.uuid4().hex[:10].upper()}"
        self.session = f"MARKER-session-{uuid.uuid4()}"
        self.values = [self.token, self.key_id, self.session]
        self.selftest = f"SELFTEST-{uuid.uuid4()}"
        self.outputs: list[str] = []
        self.probe_out = root / "probe.jsonl"
        # the markers reach the steps only in this file (the one file the grep skips)
        self.wanted = root / "probe-wanted.json"
        self.wanted.write_text(json.dumps({"markers": self.values, "selftest": self.selftest}))
        self.wanted.chmod(0o600)
        self.env = {"PROBE_WANTED": str(self.wanted), "PROBE_OUT": str(self.probe_out),
                    "ZENML_LOGGING_VERBOSITY": "DEBUG"}  # every log line zenml has

    def leaks(self, data: str | bytes) -> list[str]:
        raw = data.encode() if isinstance(data, str) else data
        return [value for value in self.values if value.encode() in raw]


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
    selftest = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)",
                                 m.selftest])
    try:
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
    finally:
        selftest.kill()
        selftest.wait(timeout=10)

    scans = [json.loads(line) for line in m.probe_out.read_text().splitlines()]
    assert len(scans) == 3  # produce and consume, then the failing produce
    for found in scans:
        assert found["processes"] > 2 and found["selftest"] == 1, found
        assert found["markers"] == 0 and found["values_given"], found
    for task in [*results, *failed]:
        assert not m.leaks(task.stderr), task.stderr
        assert not m.leaks("\0".join(task.argv)), task.task
    for output in m.outputs:
        assert not m.leaks(output), output
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != m.wanted]
    names = {p.name for p in files}
    assert {"stack_store.db", "exported.yaml", "deployment.json", compiled.path.name,
            "metadata.db"} <= names
    leaked = [str(path.relative_to(tmp_path)) for path in files if m.leaks(path.read_bytes())]
    assert leaked == [], leaked
