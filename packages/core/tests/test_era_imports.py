"""The original framework's import paths (issue 15, item 3): constants, aliases onto the
``zenml-<name>`` packages, the library integrations, ``Environment`` and ``get_logger``.

In an environment without an integration its aliases must fail in one line; with it,
they must be the very objects of its package. Each case checks whichever is true here.
"""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import ClassifierMixin

from zenml.environment import Environment, NoStepRunningError, get_environment
from zenml.integrations.aliases import ALIASES, IntegrationNotInstalled
from zenml.integrations.constants import SKLEARN
from zenml.integrations.sklearn.helpers.digits import get_digits, get_digits_model
from zenml.pipelines import pipeline
from zenml.steps import Output, step
from zenml.utils.imports import import_object

# (era path, name, our import path, integration)
ERA_NAMES = [
    ("zenml.integrations.kubeflow.orchestrators", "KubeflowOrchestrator",
     "zenml_kubeflow.orchestrator:KubeflowOrchestrator", "kubeflow"),
    ("zenml.integrations.kubeflow.orchestrators.kubeflow_orchestrator", "KubeflowOrchestrator",
     "zenml_kubeflow.orchestrator:KubeflowOrchestrator", "kubeflow"),
    ("zenml.integrations.kubeflow", "KUBEFLOW_ORCHESTRATOR_FLAVOR",
     "zenml_kubeflow.flavors:KUBEFLOW_ORCHESTRATOR_FLAVOR", "kubeflow"),
    ("zenml.integrations.s3.artifact_stores", "S3ArtifactStore",
     "zenml_s3.artifact_store:S3ArtifactStore", "s3"),
    ("zenml.integrations.s3.artifact_stores.s3_artifact_store", "S3ArtifactStore",
     "zenml_s3.artifact_store:S3ArtifactStore", "s3"),
    ("zenml.metadata_stores.mysql_metadata_store", "MySQLMetadataStore",
     "zenml_mysql.metadata_store:MySQLMetadataStore", "mysql"),
    ("zenml.integrations.mysql.metadata_stores", "MySQLMetadataStore",
     "zenml_mysql.metadata_store:MySQLMetadataStore", "mysql"),
    ("zenml.integrations.wandb.wandb_step_decorator", "enable_wandb",
     "zenml_wandb.decorator:enable_wandb", "wandb"),
    ("zenml.integrations.wandb.experiment_trackers", "WandbExperimentTracker",
     "zenml_wandb.tracker:WandbExperimentTracker", "wandb"),
    ("zenml.integrations.wandb.experiment_trackers.wandb_experiment_tracker",
     "WandbExperimentTracker", "zenml_wandb.tracker:WandbExperimentTracker", "wandb"),
    ("zenml.integrations.seldon.steps", "seldon_model_deployer_step",
     "zenml_seldon.steps:seldon_model_deployer_step", "seldon"),
    ("zenml.integrations.seldon.steps", "SeldonDeployerStepConfig",
     "zenml_seldon.steps:SeldonDeployerStepConfig", "seldon"),
    ("zenml.integrations.seldon.steps.seldon_deployer", "seldon_model_deployer_step",
     "zenml_seldon.steps:seldon_model_deployer_step", "seldon"),
    ("zenml.integrations.seldon.services", "SeldonDeploymentConfig",
     "zenml_seldon.deployment_config:SeldonDeploymentConfig", "seldon"),
    ("zenml.integrations.seldon.services", "SeldonDeploymentService",
     "zenml_seldon.cluster:SeldonDeploymentService", "seldon"),
    ("zenml.integrations.seldon.services.seldon_deployment", "SeldonDeploymentService",
     "zenml_seldon.cluster:SeldonDeploymentService", "seldon"),
    ("zenml.integrations.seldon.model_deployers", "SeldonModelDeployer",
     "zenml_seldon.model_deployer:SeldonModelDeployer", "seldon"),
    ("zenml.integrations.seldon.model_deployers.seldon_model_deployer", "SeldonModelDeployer",
     "zenml_seldon.model_deployer:SeldonModelDeployer", "seldon"),
]


def _installed(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


def _forget(prefix: str) -> None:
    """Drop alias modules (and a failed import's leftovers) so the next import runs again."""
    for name in [n for n in sys.modules if n == prefix or n.startswith(prefix + ".")]:
        del sys.modules[name]


def _python(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def test_the_eras_integration_names_have_the_eras_values() -> None:
    from zenml.integrations import constants

    assert (constants.SKLEARN, constants.TENSORFLOW, constants.PYTORCH) == (
        "sklearn", "tensorflow", "pytorch")
    assert (constants.KUBEFLOW, constants.S3, constants.MYSQL, constants.SELDON,
            constants.WANDB) == ("kubeflow", "s3", "mysql", "seldon", "wandb")
    assert (constants.MLFLOW, constants.AWS, constants.GCP, constants.AZURE,
            constants.PYTORCH_L) == ("mlflow", "aws", "gcp", "azure", "pytorch_lightning")
    assert {"kubeflow", "s3", "mysql", "seldon", "wandb", "sklearn"} <= constants.ERA_INTEGRATIONS
    assert set(constants.__all__) == {n for n in vars(constants) if n.isupper()}


@pytest.mark.parametrize(("era_path", "name", "ours", "integration"), ERA_NAMES,
                         ids=[f"{p}:{n}" for p, n, _, _ in ERA_NAMES])
def test_an_era_path_is_our_object_or_one_line_naming_the_install(
        era_path: str, name: str, ours: str, integration: str) -> None:
    if _installed(f"zenml_{integration}"):
        module = importlib.import_module(era_path)
        assert getattr(module, name) is import_object(ours)
        assert name in module.__all__
        return
    _forget(era_path)
    with pytest.raises(IntegrationNotInstalled) as caught:
        importlib.import_module(era_path)
    assert isinstance(caught.value, ImportError)
    message = str(caught.value)
    assert "\n" not in message
    assert message.endswith(f"run 'zenml integration install {integration}'")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize("integration", ["kubeflow", "s3", "mysql", "wandb", "seldon"])
def test_a_script_importing_a_missing_integration_prints_one_line(integration: str) -> None:
    era_path = next(p for p, _, _, i in ERA_NAMES if i == integration)
    name = next(n for p, n, _, i in ERA_NAMES if i == integration)
    result = _python(f"from {era_path} import {name}\nprint('imported')")
    if _installed(f"zenml_{integration}"):
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "imported"
        return
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert f"zenml integration install {integration}" in lines[0]


def test_other_errors_keep_their_traceback_after_an_alias_failed() -> None:
    """The one-line hook only shortens the alias error; any other error stays a traceback."""
    result = _python("""
        try:
            import zenml.integrations.tensorflow
        except ImportError as error:
            print(type(error).__name__)
        raise RuntimeError("boom")
    """)
    assert result.stdout.strip() == "IntegrationNotInstalled"
    assert "Traceback" in result.stderr and "RuntimeError: boom" in result.stderr


def test_an_era_integration_we_do_not_ship_is_refused_in_one_line() -> None:
    _forget("zenml.integrations.tensorflow")
    with pytest.raises(IntegrationNotInstalled,
                       match=r"original framework's tensorflow integration has no "
                             r"counterpart in zenml"):
        import zenml.integrations.tensorflow
    # a name that was never an era integration stays an ordinary missing module
    with pytest.raises(ModuleNotFoundError):
        import zenml.integrations.no_such_thing  # noqa: F401


def test_every_alias_names_real_objects_where_its_package_is_installed() -> None:
    checked = 0
    for era_path, alias in ALIASES.items():
        if not _installed(alias.requires):
            continue
        module = importlib.import_module(era_path)
        for name, path in alias.names.items():
            assert getattr(module, name) is import_object(path), (era_path, name)
            checked += 1
        if alias.module is not None:
            target = importlib.import_module(alias.module)
            for name in getattr(target, "__all__", []):
                assert getattr(module, name) is getattr(target, name), (era_path, name)
                checked += 1
    # scikit-learn is installed in every test environment of the core
    assert checked >= 2


def test_importing_zenml_cli_and_integrations_imports_no_library_and_no_integration() -> None:
    result = _python("""
        import sys
        import zenml.cli, zenml.integrations, zenml.integrations.constants
        import zenml.integrations.sklearn, zenml.environment, zenml.logger
        heavy = sorted(name for name in sys.modules
                       if name.split(".")[0] in ("sklearn", "numpy", "pandas", "fsspec")
                       or name.startswith("zenml_"))
        print(heavy)
        print(any(type(f).__name__ == "AliasFinder" for f in sys.meta_path))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]", "True"]


# -- the library integrations (scikit-learn, numpy, pandas) ---------------------------------

def test_get_digits_is_the_eras_unshuffled_half_split() -> None:
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split


    X_train, X_test, y_train, y_test = get_digits()
    assert (X_train.shape, X_test.shape, y_train.shape, y_test.shape) == (
        (898, 64), (899, 64), (898,), (899,))
    digits = load_digits()
    expected = train_test_split(digits.images.reshape((len(digits.images), -1)),
                                digits.target, test_size=0.5, shuffle=False)
    for got, want in zip((X_train, X_test, y_train, y_test), expected, strict=True):
        assert np.array_equal(got, want)
    model = get_digits_model()
    assert type(model).__name__ == "SVC" and model.get_params()["gamma"] == 0.001
    assert get_digits_model() is not model
    assert model.fit(X_train, y_train).score(X_test, y_test) > 0.95


def test_the_eras_materializer_paths_are_the_cores_materializers() -> None:
    from zenml.integrations.sklearn import SklearnIntegration
    from zenml.integrations.sklearn.materializers import SklearnMaterializer
    from zenml.integrations.sklearn.materializers.sklearn_materializer import (
        SklearnMaterializer as FromModule,
    )
    from zenml.materializers.numpy_materializer import NumpyMaterializer
    from zenml.materializers.pandas_materializer import PandasMaterializer
    from zenml.materializers.sklearn_materializer import SklearnMaterializer as Ours

    assert SklearnMaterializer is Ours and FromModule is Ours
    assert NumpyMaterializer.__name__ == "NumpyMaterializer"
    assert PandasMaterializer.__name__ == "PandasMaterializer"
    assert SklearnIntegration.NAME == "sklearn" and SklearnIntegration.check_installation()


@step
def importer() -> Output(X_train=np.ndarray, X_test=np.ndarray, y_train=np.ndarray,
                         y_test=np.ndarray):
    """The era's quickstart importer."""
    X_train, X_test, y_train, y_test = get_digits()
    return X_train, X_test, y_train, y_test


@step
def trainer(X_train: np.ndarray, y_train: np.ndarray) -> ClassifierMixin:
    """The era's quickstart trainer, annotated with the mixin as the era did."""
    model = get_digits_model()
    model.fit(X_train, y_train)
    return model


@step
def evaluator(X_test: np.ndarray, y_test: np.ndarray, model: ClassifierMixin) -> float:
    """The test accuracy."""
    return float(model.score(X_test, y_test))


@pipeline
def mnist_pipeline(importer, trainer, evaluator):
    X_train, X_test, y_train, y_test = importer()
    model = trainer(X_train=X_train, y_train=y_train)
    evaluator(X_test=X_test, y_test=y_test, model=model)


def test_an_era_quickstart_with_the_digits_helpers_runs() -> None:
    assert SKLEARN == "sklearn"
    run = mnist_pipeline(importer=importer(), trainer=trainer(), evaluator=evaluator()).run()
    assert 0.95 < run.get_step("evaluator").output.read() <= 1.0


# -- Environment and get_logger ------------------------------------------------------------

@step
def where() -> Output(running=bool, names=str):
    """What the era's step environment says inside a step."""
    env = Environment().step_environment
    return (Environment().step_is_running,
            f"{env.pipeline_name}|{env.pipeline_run_id}|{env.step_name}")


@pipeline
def env_pipeline(first):
    first()


def test_environment_knows_the_running_step() -> None:
    assert Environment() is Environment()
    assert not Environment().step_is_running
    with pytest.raises(KeyError):
        _ = Environment().step_environment
    with pytest.raises(NoStepRunningError, match="only while a step runs"):
        _ = Environment()["step_environment"]

    run = env_pipeline(first=where()).run(run_name="env-run")
    outputs = run.get_step("first").outputs
    assert outputs["running"].read() is True
    assert outputs["names"].read() == "env_pipeline|env-run|first"
    assert not Environment().step_is_running
    assert Environment.python_version() == ".".join(map(str, sys.version_info[:3]))
    assert get_environment() in {"kubernetes", "docker", "colab", "paperspace", "notebook",
                                 "native"}
    assert Environment.get_system_info()["os"] in {"linux", "mac", "windows", "unknown"}


def test_get_logger_of_a_script_shows_its_lines() -> None:
    result = _python("""
        from zenml.logger import get_logger
        logger = get_logger(__name__)
        logger.info("hello from the era")
        logger.debug("not shown at INFO")
        get_logger("zenml.era").warning("careful")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["hello from the era", "Warning: careful"]
