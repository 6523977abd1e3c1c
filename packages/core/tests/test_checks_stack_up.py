"""``zenml stack up`` reports a component running only after its own checks said so.

A test flavor (a feature store) whose checks answer what its config says: ``ok``,
``broken`` (provisioning fails with the component's own line) or ``silent``
(``resume`` does nothing and the component stays down without saying why).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import Field

from zenml.errors import ProvisioningError
from zenml.plugins import hookimpl
from zenml.stack import Flavor
from zenml.stack.component import StackComponent
from zenml.stack.component_type import StackComponentType
from zenml.stack.config import StackComponentConfig
from zenml.testing import plugin_registered

from conftest import Zen


class ProbeConfig(StackComponentConfig):
    """A feature store whose state checks answer ``answer``."""

    answer: str = Field(default="ok", description="ok, broken or silent.")


class Probe(StackComponent):
    TYPE = StackComponentType.FEATURE_STORE
    config: ProbeConfig

    @property
    def is_provisioned(self) -> bool:
        return self.config.answer != "broken"

    @property
    def is_running(self) -> bool:
        return self.config.answer == "ok"

    def provision(self) -> None:
        raise ProvisioningError(f"Feature store '{self.name}': the probe's server is gone; "
                                f"start it again")


class ProbePlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [Flavor(name="probe", type="feature_store", config_class=ProbeConfig,
                       implementation=f"{__name__}:Probe")]


@pytest.fixture
def probe(zen: Zen) -> Iterator[None]:
    with plugin_registered(ProbePlugin(), "probe-test"):
        zen("feature-store", "register", "probe", "--flavor=probe")
        zen("stack", "update", "default", "-f", "probe")
        yield


def probe_state(zen: Zen) -> str:
    row = next(line for line in zen("stack", "describe").output.splitlines()
               if "FEATURE_STORE" in line)
    return " ".join(row.replace("│", " ").split()[3:])


def test_stack_up_reports_the_checked_state(zen: Zen, probe: None) -> None:
    out = zen("stack", "up").output
    assert "feature store 'probe' (probe): running" in out
    assert probe_state(zen) == "running"


def test_a_failed_check_is_one_line_and_forgets_the_running_state(zen: Zen,
                                                                  probe: None) -> None:
    zen("stack", "up")
    zen("feature-store", "update", "probe", "--answer=broken")
    line = zen.error("stack", "up")
    assert line == "Error: Feature store 'probe': the probe's server is gone; start it again"
    # the state recorded by the earlier 'up' no longer holds: it is not shown as running
    assert probe_state(zen) == "not provisioned"


def test_a_component_still_down_after_up_fails_stack_up(zen: Zen, probe: None) -> None:
    zen("feature-store", "update", "probe", "--answer=silent")
    line = zen.error("stack", "up")
    assert "Feature store 'probe' (probe)" in line and "still suspended" in line
    assert "zenml feature-store describe probe" in line
    assert probe_state(zen) == "not provisioned"
    # the component's own 'up' applies the same rule
    assert "still suspended" in zen.error("feature-store", "up", "probe")


def test_stack_down_still_works_and_says_what_it_did(zen: Zen, probe: None) -> None:
    zen("stack", "up")
    out = zen("stack", "down").output
    assert "feature store 'probe' (probe): running (nothing to stop for this flavor)" in out
