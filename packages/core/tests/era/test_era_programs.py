"""Programs written the way the original framework's (0.8-0.10) docs and examples wrote
them, run unchanged as its users ran them, on the stack named by ``ZENML_ERA_STACK``.

Each program under ``programs/`` is copied into a fresh folder, ``zenml init`` runs
there, the stack under test is registered and activated with the CLI, and the
program's commands (``python run.py``, ``zenml pipeline run ...``, a separate
``python inspect_runs.py`` reading the runs back) run as subprocesses. A command must
exit 0 without a traceback, and the output must hold the results the era's docs
state (the accuracies in the step-fixtures page, for one).

Stacks (``ZENML_ERA_STACK``; default ``default``):

- ``default``: local orchestrator, local artifact store, sqlite (the ``tests(core)``
  session runs this);
- ``mysql-s3``: a throwaway MariaDB (or ``ZENML_TEST_MYSQL_URL``) metadata store and an
  S3 artifact store on moto;
- ``wandb``: the default stack plus a W&B tracker, wandb offline;
- ``seldon``: the default stack plus a Seldon model deployer in local (MLServer) mode;
- ``kubeflow``: the Kubeflow orchestrator submitting to a stub KFP API that executes
  each compiled task as a subprocess (``packages/integrations/kubeflow/tests``).

The last four run in the ``era`` nox session. A library or server a stack needs is a
skip locally and a failure under ``CI=true``.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
INTEGRATION_TESTS = HERE.parents[2] / "integrations"
ZENML = str(Path(sys.executable).with_name("zenml"))
STACK = os.environ.get("ZENML_ERA_STACK", "default")

#: Accuracies of SVC(gamma=...) on the era's get_digits() split, as its docs print them.
ACCURACY = {0.01: "0.6974416017797553", 0.001: "0.9688542825361512",
            0.0001: "0.9399332591768632"}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip locally; fail under CI, where every stack must run."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: the era suite must run on every stack)",
                    pytrace=False)
    pytest.skip(reason)


def need(*modules: str) -> None:
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        unavailable(f"stack {STACK!r} needs {', '.join(missing)} (nox -s era installs them)")


def integration_tests(name: str) -> Path:
    """A folder of an integration's test helpers, importable (throwaway servers, stubs)."""
    folder = INTEGRATION_TESTS / name / "tests"
    if not folder.is_dir():
        unavailable(f"{folder} is missing (run from the monorepo checkout)")
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    return folder


# -- running as a user does -------------------------------------------------------------------
@dataclass
class Session:
    """One program's folder, the environment of its commands, and what they printed."""

    folder: Path
    config_dir: Path
    env: dict[str, str]
    outputs: list[tuple[list[str], str, str]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def zenml(self, *args: str) -> str:
        return self.command([ZENML, *args])

    def python(self, script: str, *args: str) -> str:
        return self.command([sys.executable, script, *args])

    def command(self, argv: list[str], timeout: float = 900) -> str:
        done = subprocess.run(argv, cwd=self.folder, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        shown = " ".join(Path(argv[0]).name if i == 0 else a for i, a in enumerate(argv))
        self.outputs.append((argv, done.stdout, done.stderr))
        assert done.returncode == 0, (
            f"`{shown}` exited {done.returncode}\n--- stdout\n{done.stdout[-4000:]}\n"
            f"--- stderr\n{done.stderr[-6000:]}")
        for stream in (done.stdout, done.stderr):
            assert "Traceback" not in stream, f"`{shown}` printed a traceback:\n{stream[-6000:]}"
        return done.stdout

    @property
    def stdout(self) -> str:
        return "".join(out for _, out, _ in self.outputs)

    @property
    def everything(self) -> str:
        return "".join(out + err for _, out, err in self.outputs)

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.stdout.splitlines()]


# -- the stacks -------------------------------------------------------------------------------
class EraStack:
    """Registers one stack with the CLI, as the era's docs and READMEs did."""

    programs: tuple[str, ...] = ()

    def environment(self, session: Session) -> None:
        """Variables the stack's programs need (before any command runs)."""

    def register(self, session: Session) -> None:
        """Register the stack's components and the stack, and activate it."""

    def artifact_root(self, session: Session) -> str:
        """Where this stack's artifacts go (a prefix of every artifact URI)."""
        return str(session.config_dir)

    def cleanup(self, session: Session) -> None:
        """Stop what the programs left running."""


CORE_PROGRAMS = ("quickstart", "steps_pipelines", "caching", "runtime_configuration",
                 "class_based_api", "step_fixtures", "custom_materializer", "post_execution")


class DefaultStack(EraStack):
    programs = CORE_PROGRAMS


@dataclass
class MySQLServer:
    host: str
    port: int
    user: str
    password: str
    connect: Callable[[], Any]

    def create_database(self) -> str:
        name = f"era_{uuid.uuid4().hex[:10]}"
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE `{name}`")
        finally:
            connection.close()
        return name


class MySQLS3Stack(EraStack):
    """A MariaDB metadata store and an S3 (moto) artifact store."""

    programs = CORE_PROGRAMS
    KEY, SECRET = "era-test-key", "era-test-secret"

    def __init__(self, mysql: MySQLServer, s3_url: str) -> None:
        self.mysql, self.s3_url = mysql, s3_url

    def environment(self, session: Session) -> None:
        from zenml.testing.servers import without_machine_aws

        env = without_machine_aws(session.env, session.folder)
        session.env.clear()
        session.env.update(env)

    def register(self, session: Session) -> None:
        import boto3

        bucket = f"era-{uuid.uuid4().hex[:12]}"
        boto3.client("s3", endpoint_url=self.s3_url, aws_access_key_id=self.KEY,
                     aws_secret_access_key=self.SECRET,
                     region_name="us-east-1").create_bucket(Bucket=bucket)
        session.facts["bucket"] = bucket
        database = self.mysql.create_database()
        session.zenml("metadata-store", "register", "mysql_metadata_store", "--flavor=mysql",
                      f"--host={self.mysql.host}", f"--port={self.mysql.port}",
                      f"--database={database}", f"--username={self.mysql.user}",
                      f"--password={self.mysql.password}")
        session.zenml("artifact-store", "register", "s3_store", "--flavor=s3",
                      f"--path=s3://{bucket}/zenml", f"--key={self.KEY}",
                      f"--secret={self.SECRET}",
                      f'--client_kwargs={{"endpoint_url": "{self.s3_url}"}}')
        session.zenml("stack", "register", "mysql_s3_stack", "-m", "mysql_metadata_store",
                      "-a", "s3_store", "-o", "default", "--set")

    def artifact_root(self, session: Session) -> str:
        return f"s3://{session.facts['bucket']}/zenml"


class WandbStack(EraStack):
    """The default components plus a W&B experiment tracker; wandb offline."""

    programs = ("wandb_tracking",)

    def environment(self, session: Session) -> None:
        for name in [n for n in session.env if n.startswith("WANDB_")]:
            del session.env[name]
        wandb_dir = session.folder.parent / "wandb-offline"
        wandb_dir.mkdir(exist_ok=True)
        session.facts["wandb_dir"] = wandb_dir
        session.env.update(WANDB_MODE="offline", WANDB_SILENT="true", WANDB_DIR=str(wandb_dir))

    def register(self, session: Session) -> None:
        session.zenml("experiment-tracker", "register", "wandb_tracker", "--flavor=wandb",
                      "--entity=zenml-era", "--project_name=era-suite",
                      "--api_key=not-a-real-key-0123456789")
        session.zenml("stack", "register", "wandb_stack", "-m", "default", "-a", "default",
                      "-o", "default", "-e", "wandb_tracker", "--set")


class SeldonStack(EraStack):
    """The default components plus a Seldon model deployer serving with MLServer locally."""

    programs = ("seldon_deployment",)

    def environment(self, session: Session) -> None:
        session.env.pop("KUBERNETES_SERVICE_HOST", None)
        session.env["KUBECONFIG"] = str(session.folder / ".no-kubeconfig")

    def register(self, session: Session) -> None:
        session.zenml("model-deployer", "register", "seldon_deployer", "--flavor=seldon",
                      "--mode=local")
        session.zenml("stack", "register", "local_seldon_stack", "-m", "default", "-a",
                      "default", "-o", "default", "-d", "seldon_deployer", "--set")

    def cleanup(self, session: Session) -> None:
        listing = subprocess.run([ZENML, "served-models", "list"], cwd=session.folder,
                                 env=session.env, capture_output=True, text=True, timeout=120)
        uuids = set(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                               listing.stdout))
        for served in sorted(uuids):
            subprocess.run([ZENML, "served-models", "delete", served, "-y"],
                           cwd=session.folder, env=session.env, capture_output=True,
                           text=True, timeout=120)
        leftovers = processes_under(session.config_dir)
        for line in leftovers:
            with contextlib.suppress(OSError):
                os.killpg(int(line.split(":")[0]), 9)
        assert not leftovers, f"model servers left running: {leftovers}"


class KubeflowStack(EraStack):
    """The Kubeflow orchestrator, submitting to a stub KFP API that runs each task here."""

    programs = ("kubeflow",)

    def __init__(self, stub: Any) -> None:
        self.stub = stub

    def environment(self, session: Session) -> None:
        session.env["KUBECONFIG"] = str(session.folder / ".no-kubeconfig")
        session.env.pop("KF_PIPELINES_ENDPOINT", None)
        # the tasks' "image": this interpreter, the program's folder as the image's code
        self.stub.env = {"PYTHONPATH": str(session.folder),
                         "ZENML_CONFIG_PATH": str(session.config_dir)}

    def register(self, session: Session) -> None:
        output_dir = session.folder.parent / "kubeflow-output"
        session.facts["kubeflow_output"] = output_dir
        session.zenml("container-registry", "register", "local_registry", "--flavor=default",
                      "--uri=localhost:5000")
        session.zenml("orchestrator", "register", "kubeflow_orchestrator", "--flavor=kubeflow",
                      f"--kubeflow_hostname={self.stub.url}", "--synchronous=True",
                      "--skip_local_validations=True", f"--output_dir={output_dir}")
        session.zenml("stack", "register", "local_kubeflow_stack", "-m", "default", "-a",
                      "default", "-o", "kubeflow_orchestrator", "-c", "local_registry", "--set")


def processes_under(folder: Path) -> list[str]:
    """Live processes whose command line mentions ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(folder) in cmdline and state not in ("Z", "X"):
            found.append(f"{entry.name}: {cmdline.strip()}")
    return found


# -- servers (session scope, started only for the stack that needs them) -----------------------
@pytest.fixture(scope="session")
def mysql_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MySQLServer]:
    need("pymysql", "sqlalchemy")
    import pymysql

    url = os.environ.get("ZENML_TEST_MYSQL_URL")
    if url:
        from sqlalchemy import make_url

        parsed = make_url(url)
        host, port = parsed.host or "127.0.0.1", parsed.port or 3306
        user, password = parsed.username or "root", str(parsed.password or "")
        yield MySQLServer(host, port, user, password, lambda: pymysql.connect(
            host=host, port=port, user=user, password=password, autocommit=True))
        return
    integration_tests("mysql")
    from throwaway_mariadb import MariaDB, find_binaries, install_template

    binaries = find_binaries()
    if binaries is None:
        unavailable("no MariaDB server binary (mariadbd, mariadb-install-db) and no "
                    "ZENML_TEST_MYSQL_URL")
    assert binaries is not None
    template = tmp_path_factory.mktemp("mariadb-template") / "data"
    install_template(binaries, template)
    server = MariaDB(binaries, template, tmp_path_factory.mktemp("mariadb"))
    server.start()
    try:
        password = "era p@ss:w/rd#%?&"
        server.sql(f"CREATE USER 'era'@'%' IDENTIFIED BY '{password}'",
                   "GRANT ALL ON *.* TO 'era'@'%'")
        yield MySQLServer(server.host, server.port, "era", password, server.root)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    need("moto", "s3fs", "boto3")
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def kfp_stub() -> Iterator[Any]:
    need("kfp", "zenml_kubeflow")
    integration_tests("kubeflow")
    from kfp_stub import KfpStub

    stub = KfpStub()
    stub.start()
    try:
        yield stub
    finally:
        stub.stop()


@pytest.fixture
def era_stack(request: pytest.FixtureRequest) -> EraStack:
    if STACK == "default":
        return DefaultStack()
    if STACK == "mysql-s3":
        need("zenml_mysql", "zenml_s3")
        return MySQLS3Stack(request.getfixturevalue("mysql_server"),
                            request.getfixturevalue("moto_url"))
    if STACK == "wandb":
        need("wandb", "zenml_wandb")
        return WandbStack()
    if STACK == "seldon":
        need("mlserver", "mlserver_sklearn", "zenml_seldon")
        return SeldonStack()
    if STACK == "kubeflow":
        return KubeflowStack(request.getfixturevalue("kfp_stub"))
    raise pytest.UsageError(f"ZENML_ERA_STACK={STACK!r}: use one of {', '.join(STACKS)}")


STACKS: dict[str, tuple[str, ...]] = {
    "default": DefaultStack.programs, "mysql-s3": MySQLS3Stack.programs,
    "wandb": WandbStack.programs, "seldon": SeldonStack.programs,
    "kubeflow": KubeflowStack.programs,
}


# -- what each program runs and what it must print ----------------------------------------------
def last_line(session: Session, prefix: str) -> str:
    found = [line for line in session.lines() if line.startswith(prefix)]
    assert found, f"no line starting with {prefix!r} in:\n{session.stdout[-4000:]}"
    return found[-1]


def literal(session: Session, prefix: str) -> Any:
    """The Python literal printed after ``prefix`` on its last line."""
    return ast.literal_eval(last_line(session, prefix)[len(prefix):].strip())


def run_quickstart(session: Session, stack: EraStack) -> None:
    session.python("run.py")
    assert last_line(session, "Test accuracy:") == f"Test accuracy: {ACCURACY[0.001]}"


def run_steps_pipelines(session: Session, stack: EraStack) -> None:
    session.python("run.py")
    assert f"Entrypoint accuracy: {ACCURACY[0.001]}" in session.lines()
    assert "Pipeline done" in session.lines()
    progress = session.everything
    assert "Step `load_digits`" in progress and "Step `svc_trainer`" in progress
    assert "custom_pipeline_run_name" in progress


def run_caching(session: Session, stack: EraStack) -> None:
    session.python("run.py")
    # run 2: the importer's cache is used, the trainer (enable_cache=False) reruns;
    # run 3 (run(enable_cache=False)): everything reruns
    assert [line for line in session.lines() if line.startswith("Run ")] == [
        "Run 1 cached: [False, False]", "Run 2 cached: [True, False]",
        "Run 3 cached: [False, False]"]


def run_runtime_configuration(session: Session, stack: EraStack) -> None:
    session.zenml("pipeline", "run", "run.py", "-c", "config.yaml")
    session.python("with_config.py")
    session.python("inspect_runs.py")
    assert [line for line in session.lines() if line.startswith("Run ")] == [
        "Run 1: gamma=0.01 pickled=True", "Run 2: gamma=0.0001 pickled=False"]


def run_class_based_api(session: Session, stack: EraStack) -> None:
    session.python("run.py")
    assert f"FirstPipeline: SVC gamma=0.01 accuracy={ACCURACY[0.01]}" in session.lines()
    assert f"first_pipeline: SVC gamma=0.0001 accuracy={ACCURACY[0.0001]}" in session.lines()


def run_step_fixtures(session: Session, stack: EraStack) -> None:
    session.python("run.py")
    expected = [
        "No prior runs found.",
        f"This run produced the highest test accuracy: {ACCURACY[0.01]}.",
        f"This run produced the highest test accuracy: {ACCURACY[0.001]}.",
        f"This run produced test accuracy {ACCURACY[0.0001]}, which is not the highest.",
        f"The highest previous test accuracy was {ACCURACY[0.001]}.",
    ]
    assert [line for line in session.lines() if line.startswith(("No prior", "This run",
                                                                 "The highest"))] == expected
    uri = last_line(session, "Output of ").split(" goes to: ", 1)[1]
    assert uri.startswith(stack.artifact_root(session)), uri
    step_name, pipeline_name, run_id = last_line(session, "Step environment:").split()[2:]
    assert (pipeline_name, run_id) == ("uri_pipeline", "where_outputs_go")
    assert step_name in ("reporter", "where_it_goes")  # its pipeline or its function name


def run_custom_materializer(session: Session, stack: EraStack) -> None:
    session.python("run.py")
    # the era configured the root logger at INFO: a step's logging.info reached the console
    message = "The following object was passed to this step: `my_object`"
    assert message in session.everything, (
        "the step's logging.info(...) line is not on the console: the era's zenml set the "
        "root logger to INFO (logging.basicConfig) on import, so its docs show it")
    assert "Read back: my_object" in session.lines()
    assert [Path(name).name for name in literal(session, "Artifact files:")] == ["data.txt"]


def run_post_execution(session: Session, stack: EraStack) -> None:
    session.python("run.py")
    session.python("inspect_runs.py")
    assert literal(session, "Pipelines:") == ["first_pipeline"]
    assert literal(session, "Runs:") == ["gamma_0.01", "gamma_0.001"]
    assert last_line(session, "Last step:") == "Last step: SVC gamma=0.001"
    assert last_line(session, "First run:") == f"First run: gamma=0.01 accuracy={ACCURACY[0.01]}"
    assert literal(session, "Steps:") == ["step_1", "step_2"]
    assert "Unknown run: KeyError" in session.lines()


def run_wandb_tracking(session: Session, stack: EraStack) -> None:
    session.python("run.py")
    printed = sorted(line for line in session.lines() if line.startswith("Test accuracy:"))
    assert printed == [f"Test accuracy: {ACCURACY[0.0001]}", f"Test accuracy: {ACCURACY[0.001]}"]
    integration_tests("wandb")
    from wandb_records import WandbRunFile

    runs = [WandbRunFile.finished(path)
            for path in sorted(session.facts["wandb_dir"].rglob("run-*.wandb"))]
    logged = sorted(value for run in runs for value in run.metric("test_accuracy"))
    assert [str(value) for value in logged] == [ACCURACY[0.0001], ACCURACY[0.001]]
    assert len([run for run in runs if run.metric("train_accuracy")]) == 2
    assert {run.project for run in runs} == {"era-suite"}


def run_seldon_deployment(session: Session, stack: EraStack) -> None:
    session.python("run.py")
    session.python("inspect_runs.py")
    assert "The Seldon prediction server is running" in session.stdout
    assert "Prediction:" in session.stdout
    served = literal(session, "Served:")
    # argmax over each row of class probabilities: one digit per image, not one index
    assert isinstance(served, list) and len(served) == 20 and len(set(served)) > 3, served
    assert "Served predictions match the model: True" in session.lines()


def run_kubeflow(session: Session, stack: EraStack) -> None:
    session.python("run.py")
    session.python("inspect_runs.py")
    assert literal(session, "Steps:") == ["evaluator", "importer", "normalizer", "trainer"]
    assert last_line(session, "Accuracy:") == "Accuracy: 0.9621802002224694"
    assert last_line(session, "Model gamma:") == "Model gamma: 0.1"
    # the pipeline's required_integrations reach the image without orchestrator options
    requirements = [path.read_text() for path in
                    session.facts["kubeflow_output"].rglob("requirements.txt")]
    assert requirements, "no image build context under the orchestrator's output_dir"
    for text in requirements:
        assert {"scikit-learn", "joblib"} <= set(text.split()), text


RUNS: dict[str, Callable[[Session, EraStack], None]] = {
    "quickstart": run_quickstart,
    "steps_pipelines": run_steps_pipelines,
    "caching": run_caching,
    "runtime_configuration": run_runtime_configuration,
    "class_based_api": run_class_based_api,
    "step_fixtures": run_step_fixtures,
    "custom_materializer": run_custom_materializer,
    "post_execution": run_post_execution,
    "wandb_tracking": run_wandb_tracking,
    "seldon_deployment": run_seldon_deployment,
    "kubeflow": run_kubeflow,
}


def test_every_program_has_a_stack_and_a_runner() -> None:
    on_a_stack = {name for names in STACKS.values() for name in names}
    folders = {path.name for path in PROGRAMS.iterdir() if path.is_dir()}
    assert folders == set(RUNS) == on_a_stack


@pytest.mark.parametrize("program", STACKS.get(STACK, ()))
def test_era_program(program: str, era_stack: EraStack, config_dir: Path,
                     tmp_path: Path) -> None:
    folder = tmp_path / "programs" / program
    shutil.copytree(PROGRAMS / program, folder,
                    ignore=shutil.ignore_patterns("__pycache__", ".zen"))
    env = {**os.environ, "COLUMNS": "200"}
    for name in ("ZENML_REPOSITORY_PATH", "ZENML_ERA_STACK", "PYTHONPATH"):
        env.pop(name, None)
    session = Session(folder=folder, config_dir=config_dir, env=env)
    era_stack.environment(session)
    session.zenml("init")
    era_stack.register(session)
    try:
        RUNS[program](session, era_stack)
    finally:
        era_stack.cleanup(session)


def test_the_stack_is_known() -> None:
    assert STACK in STACKS, f"ZENML_ERA_STACK={STACK!r}: use one of {', '.join(STACKS)}"

