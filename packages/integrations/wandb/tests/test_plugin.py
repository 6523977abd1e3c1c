"""The plugin, the ``wandb`` flavor and its config: registered through the real entry point."""

from __future__ import annotations

import pytest
import zenml_wandb
from zenml_wandb.errors import WandbStepError

from zenml.experiment_trackers.base import BaseExperimentTracker
from zenml.experiment_trackers.config import BaseExperimentTrackerConfig
from zenml.plugins.manager import call_each
from zenml.stack.component_type import StackComponentType
from zenml.testing import IntegrationPluginChecks, imported_modules_after

from conftest import Zen

REQUIREMENTS = ["wandb>=0.19.10,<1"]


class TestPlugin(IntegrationPluginChecks):
    name = "wandb"
    distribution = "zenml-wandb"
    module = "zenml_wandb.plugin"
    version = zenml_wandb.__version__
    requirements = REQUIREMENTS


def test_the_wandb_experiment_tracker_flavor_is_registered() -> None:
    flavors = dict(call_each("zenml_flavors"))["wandb"]
    assert [(f.name, f.type, f.integration) for f in flavors] == [
        ("wandb", StackComponentType.EXPERIMENT_TRACKER, "wandb")]
    flavor = flavors[0]
    assert issubclass(flavor.config_class, BaseExperimentTrackerConfig)
    assert issubclass(flavor.load_implementation(), BaseExperimentTracker)
    assert flavor.config_class.secret_field_names() == ["api_key"]


def test_the_distribution_requires_what_the_plugin_reports() -> None:
    from importlib.metadata import requires

    from packaging.requirements import Requirement  # pytest's own dependency

    def parsed(requirement: str) -> tuple[str, object]:
        parsed = Requirement(requirement)
        return parsed.name, parsed.specifier

    declared = [r for r in requires("zenml-wandb") or [] if not r.startswith("zenml-core")]
    assert [parsed(r) for r in declared] == [parsed(r) for r in REQUIREMENTS]


def test_register_and_describe_mask_the_api_key(zen: Zen) -> None:
    zen("experiment-tracker", "register", "wandb_tracker", "--flavor=wandb",
        "--api_key=very-secret-key-123", "--entity=my-team", "--project_name=mnist",
        "--mode=offline")
    for command in (("describe", "wandb_tracker"), ("list",)):
        output = zen("experiment-tracker", *command).output
        assert "very-secret-key-123" not in output
    described = zen("experiment-tracker", "describe", "wandb_tracker").output
    assert "********" in described and "my-team" in described and "mnist" in described
    zen("stack", "register", "wb", "-o", "default", "-a", "default", "-m", "default",
        "-e", "wandb_tracker")
    assert "wandb_tracker" in zen("stack", "describe", "wb").output
    assert "very-secret-key-123" not in zen("stack", "describe", "wb").output


@pytest.mark.parametrize(("argument", "message"), [
    ("--mode=sometimes", "Invalid value for --mode (experiment tracker flavor 'wandb'): "
                         "Input should be 'online', 'offline' or 'disabled'"),
    ("--project_name=a/b", "project name contains /, which W&B does not allow"),
    ("--entity=", "The entity is empty"),
    ("--api_key= ", "the API key is empty"),
    ("--project=x", "Unknown field(s) --project for experiment tracker flavor 'wandb'"),
])
def test_bad_config_is_one_line(zen: Zen, argument: str, message: str) -> None:
    result = zen.fails("experiment-tracker", "register", "bad", "--flavor=wandb", argument)
    assert message in result.stderr


def test_listing_and_registering_import_neither_wandb_nor_the_tracker() -> None:
    for args in (["experiment-tracker", "flavor", "list"],
                 ["experiment-tracker", "register", "t", "--flavor=wandb"],
                 ["stack", "list"]):
        modules = imported_modules_after(args)
        assert "wandb" not in modules, args
        assert "zenml_wandb.tracker" not in modules, args
    assert "wandb" not in imported_modules_after(code="from zenml_wandb import enable_wandb")


def test_enable_wandb_refuses_what_is_not_a_step() -> None:
    from zenml_wandb import enable_wandb

    from zenml.steps import step

    def plain(x: int) -> int:
        return x

    with pytest.raises(WandbStepError, match="put @enable_wandb above @step"):
        enable_wandb(plain)
    with pytest.raises(WandbStepError, match="put @enable_wandb above @step"):
        step(enable_wandb()(plain))  # type: ignore[arg-type]
    with pytest.raises(WandbStepError, match="not an instance"):
        enable_wandb(step(plain)())
    with pytest.raises(WandbStepError, match=r"takes a wandb\.Settings or a dict"):
        enable_wandb(settings=42)
    with pytest.raises(WandbStepError, match="settings twice"):
        enable_wandb({"run_notes": "a"}, settings={"run_notes": "b"})


def test_config_defaults_and_normalising() -> None:
    from zenml_wandb.flavors import WandbExperimentTrackerConfig

    config = WandbExperimentTrackerConfig()
    assert (config.api_key, config.entity, config.project_name, config.mode) == (
        None, None, None, None)
    assert not config.is_local
    pasted = WandbExperimentTrackerConfig(api_key=" 0123abcd\n", mode=" Offline ",
                                          project_name=" mnist ")
    assert pasted.api_key is not None and pasted.api_key.get_secret_value() == "0123abcd"
    assert (pasted.mode, pasted.project_name) == ("offline", "mnist")
    assert "0123abcd" not in repr(pasted) and "0123abcd" not in str(pasted.to_display())
