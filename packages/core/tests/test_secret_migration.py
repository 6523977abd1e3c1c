"""Secret values typed in clear keep working, are flagged by ``stack describe`` and
move into the stack's secrets manager (``migrate_component``, ``register -i``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_secret_references import TOKEN, Probe, ProbePlugin

from zenml.errors import StackValidationError
from zenml.repository import Repository
from zenml.secrets_managers.migration import migrate_component
from zenml.secrets_managers.references import SecretReference
from zenml.stack.component_type import StackComponentType
from zenml.testing import plugin_registered

from conftest import Zen

T = StackComponentType


@pytest.fixture
def clear_fs(zen: Zen) -> Iterator[None]:
    """Feature store 'fs' with its token typed in clear, in the default stack."""
    with plugin_registered(ProbePlugin(), "probe-migration-test"):
        zen("feature-store", "register", "fs", "--flavor=probe", "--url=http://h",
            f"--token={TOKEN}")
        zen("stack", "update", "default", "-f", "fs")
        yield


def _add_manager(zen: Zen) -> None:
    zen("secrets-manager", "register", "vault", "--flavor=local")
    zen("stack", "update", "default", "-x", "vault")


def test_a_value_in_clear_keeps_working_and_is_flagged(zen: Zen, clear_fs: None) -> None:
    assert "running" in zen("feature-store", "up", "fs").output
    result = zen("stack", "describe")
    assert TOKEN not in result.output
    assert ("Feature store 'fs': token are stored in clear; move them into the secrets "
            "manager with 'zenml secret migrate feature-store fs'") in result.stderr


def test_migrate_needs_a_secrets_manager(zen: Zen, clear_fs: None) -> None:
    with pytest.raises(StackValidationError, match="has no secrets manager"):
        migrate_component(Repository(), T.FEATURE_STORE, "fs")


def test_migrate_moves_the_values_into_a_secret_and_references_it(
        zen: Zen, clear_fs: None) -> None:
    _add_manager(zen)
    repo = Repository()
    refs = migrate_component(repo, T.FEATURE_STORE, "fs")
    assert refs == [SecretReference("fs-feature-store", "token")]
    stored = repo.store.get_component(T.FEATURE_STORE, "fs").config
    assert stored == {"url": "http://h", "token": "{{fs-feature-store.token}}"}
    manager = repo.active_stack.secrets_manager
    assert manager is not None and manager.get_value("fs-feature-store", "token") == TOKEN
    assert "stored in clear" not in zen("stack", "describe").stderr
    store = Repository().active_stack.feature_store
    assert isinstance(store, Probe) and store.config.token is not None
    assert store.config.token.get_secret_value() == TOKEN
    assert migrate_component(repo, T.FEATURE_STORE, "fs") == []  # nothing left in clear


def test_a_refused_store_write_deletes_the_new_secret(zen: Zen, clear_fs: None) -> None:
    # another stack uses 'fs' and has no secrets manager: the reference would not resolve
    zen("stack", "register", "plain", "-o", "default", "-a", "default", "-m", "default",
        "-f", "fs")
    _add_manager(zen)
    repo = Repository()
    with pytest.raises(StackValidationError, match=r"'plain'.*no secrets manager"):
        migrate_component(repo, T.FEATURE_STORE, "fs", secret_name="fs-creds")
    manager = repo.active_stack.secrets_manager
    assert manager is not None and "fs-creds" not in manager.get_all_secret_keys()
    assert repo.store.get_component(T.FEATURE_STORE, "fs").config["token"] == TOKEN


def test_register_i_offers_to_keep_secret_fields_in_the_secrets_manager(
        zen: Zen, clear_fs: None) -> None:
    _add_manager(zen)
    result = zen("feature-store", "register", "fs2", "--flavor=probe", "--url=http://h",
                 "--port=5", "--flag=true", "-i", input=f"{TOKEN}\n\n")
    assert ("Store token in secrets manager 'vault' as secret 'fs2-feature-store' "
            "(recommended)? [Y/n]") in result.output
    assert TOKEN not in result.output
    repo = Repository()
    assert repo.store.get_component(T.FEATURE_STORE, "fs2").config["token"] == (
        "{{fs2-feature-store.token}}")
    manager = repo.active_stack.secrets_manager
    assert manager is not None and manager.get_value("fs2-feature-store", "token") == TOKEN
    # answered no: kept in clear, as asked
    zen("feature-store", "register", "fs3", "--flavor=probe", "--url=http://h", "--port=5",
        "--flag=true", "-i", input=f"{TOKEN}\nn\n")
    assert repo.store.get_component(T.FEATURE_STORE, "fs3").config["token"] == TOKEN


def test_register_i_without_a_secrets_manager_does_not_ask(
        zen: Zen, clear_fs: None) -> None:
    result = zen("feature-store", "register", "fs2", "--flavor=probe", "--url=http://h",
                 "--port=5", "--flag=true", "-i", input=f"{TOKEN}\n")
    assert "recommended" not in result.output


def test_the_command_describe_names_does_the_migration(zen: Zen, clear_fs: None) -> None:
    _add_manager(zen)
    hint = zen("stack", "describe").stderr
    command = hint.split("'zenml ", 1)[1].split("'", 1)[0].split()
    assert command == ["secret", "migrate", "feature-store", "fs"]
    zen(*command)
    assert "stored in clear" not in zen("stack", "describe").stderr
    assert "running" in zen("feature-store", "up", "fs").output
