"""The s3 flavor's configuration through the CLI: validation, secrets, stack pairing.

No server is needed: registering and validating never touch S3 (nor import s3fs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from zenml_s3.flavors import DEFAULT_CONFIG_KWARGS, S3_ARTIFACT_STORE, S3ArtifactStoreConfig

from zenml.errors import ConfigError
from zenml.metadata_stores.config import BaseMetadataStoreConfig
from zenml.orchestrators.config import BaseOrchestratorConfig
from zenml.plugins import hookimpl
from zenml.stack.component_type import StackComponentType as T
from zenml.stack.flavor import Flavor
from zenml.testing import plugin_registered

from conftest import Zen

ENDPOINT = '--client_kwargs={"endpoint_url": "http://127.0.0.1:9000"}'


def build(**values: Any) -> S3ArtifactStoreConfig:
    config = S3_ARTIFACT_STORE.build_config(values)
    assert isinstance(config, S3ArtifactStoreConfig)
    return config


@pytest.mark.parametrize(("given", "stored"), [
    ("s3://bucket", "s3://bucket"),
    ("s3://bucket/", "s3://bucket"),
    ("s3://my.bucket-1/zen/ml/", "s3://my.bucket-1/zen/ml"),
    ("  s3://bucket/prefix  ", "s3://bucket/prefix"),
])
def test_path_is_normalised(given: str, stored: str) -> None:
    config = build(path=given)
    assert config.path == stored
    assert config.bucket == stored[5:].partition("/")[0]


@pytest.mark.parametrize(("path", "message"), [
    ("/tmp/artifacts", "is not an S3 URI; use s3://BUCKET or s3://BUCKET/PREFIX"),
    ("gs://bucket/x", "is not an S3 URI"),
    ("s3://", "the bucket name is not a valid S3 bucket name"),
    ("s3://Bucket/x", "the bucket name is not a valid S3 bucket name"),
    ("s3://ab", "the bucket name is not a valid S3 bucket name"),
    ("s3://bucket/a//b", "has an empty folder name"),
])
def test_bad_paths_are_refused_in_one_line(path: str, message: str) -> None:
    with pytest.raises(ConfigError, match="Invalid value for --path") as error:
        build(path=path)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_credentials_go_together() -> None:
    with pytest.raises(ConfigError, match=r"--secret.*key and secret go together"):
        build(path="s3://bucket", key="id")
    with pytest.raises(ConfigError, match=r"--secret.*key and secret go together"):
        build(path="s3://bucket", secret="s")
    with pytest.raises(ConfigError, match=r"--token.*needs key and secret"):
        build(path="s3://bucket", token="t")
    assert build(path="s3://bucket", key="", secret="").key is None  # empty is "not given"
    config = build(path="s3://bucket", key="id", secret="s", token="t")
    assert config.token is not None and config.token.get_secret_value() == "t"


def test_config_kwargs_merge_over_the_timeout_defaults() -> None:
    assert build(path="s3://bucket").config_kwargs == DEFAULT_CONFIG_KWARGS
    merged = build(path="s3://bucket", config_kwargs={"read_timeout": 5,
                                                      "signature_version": "s3v4"})
    assert merged.config_kwargs == {**DEFAULT_CONFIG_KWARGS, "read_timeout": 5,
                                    "signature_version": "s3v4"}
    for bad, message in [({"read_timeout": 0}, "read_timeout must be a number of seconds"),
                         ({"connect_timeout": "x"}, "connect_timeout must be a number"),
                         ({"retries": 3}, "retries must be an object")]:
        with pytest.raises(ConfigError, match=message):
            build(path="s3://bucket", config_kwargs=bad)


def test_secrets_may_not_hide_in_the_printed_dicts() -> None:
    with pytest.raises(ConfigError, match="aws_secret_access_key would be stored and printed"):
        build(path="s3://bucket", client_kwargs={"aws_secret_access_key": "s"})
    with pytest.raises(ConfigError, match="SSECustomerKey would be stored and printed"):
        build(path="s3://bucket", s3_additional_kwargs={"SSECustomerKey": "k"})
    with pytest.raises(ConfigError, match="endpoint_url must be an http"):
        build(path="s3://bucket", client_kwargs={"endpoint_url": "127.0.0.1:9000"})


def test_the_store_is_remote() -> None:
    assert build(path="s3://bucket").is_local is False


def test_register_describe_and_list_never_show_the_secrets(zen: Zen) -> None:
    zen("artifact-store", "register", "s3_store", "--flavor=s3", "--path=s3://bucket/prefix/",
        ENDPOINT, "--key=AKIDSECRETKEYID", "--secret=VERYSECRETVALUE",
        "--token=SESSIONTOKENVALUE")
    for args in (["artifact-store", "describe", "s3_store"], ["artifact-store", "list"]):
        output = zen(*args).output
        for secret in ("AKIDSECRETKEYID", "VERYSECRETVALUE", "SESSIONTOKENVALUE"):
            assert secret not in output, args
    described = zen("artifact-store", "describe", "s3_store").output
    assert "s3://bucket/prefix" in described and "http://127.0.0.1:9000" in described
    assert described.count("********") >= 3
    assert "read_timeout" in described  # the effective timeouts are visible


def test_interactive_registration_asks_for_the_secrets_without_echo(zen: Zen) -> None:
    # path, key, secret, then ENTER for token, the three kwargs and authentication_secret
    fields = ["s3://bucket/x", "AKIDINTERACTIVE", "SECRETINTERACTIVE", "", "", "", "", ""]
    result = zen("artifact-store", "register", "asked", "--flavor=s3", "-i",
                 input="\n".join(fields) + "\n")
    assert "AKIDINTERACTIVE" not in result.output and "SECRETINTERACTIVE" not in result.output
    assert "try again" not in result.output
    from zenml.repository import Repository

    stored = Repository().store.get_component(T.ARTIFACT_STORE, "asked")
    assert stored.config["key"] == "AKIDINTERACTIVE"
    assert stored.config["secret"] == "SECRETINTERACTIVE"


def test_cli_errors_are_one_line(zen: Zen) -> None:
    line = zen.error("artifact-store", "register", "a", "--flavor=s3", "--path=/local/folder")
    assert "Invalid value for --path" in line and "s3://BUCKET" in line
    line = zen.error("artifact-store", "register", "b", "--flavor=s3", "--path=s3://bucket",
                     "--client_kwargs={endpoint_url: x}")
    assert "--client_kwargs expects JSON" in line
    line = zen.error("artifact-store", "register", "c", "--flavor=s3", "--path=s3://bucket",
                     "--key=only-the-key")
    assert "key and secret go together" in line
    line = zen.error("artifact-store", "register", "d", "--flavor=s3", "--path=s3://bucket",
                     "--region=eu-west-1")
    assert "Unknown field(s) --region" in line and "--client_kwargs" in line


# -- pairing with a remote orchestrator ---------------------------------------------------
class RemoteOrchestratorConfig(BaseOrchestratorConfig):
    """Runs steps in pods (stands in for kubeflow here)."""

    @property
    def is_remote(self) -> bool:
        return True


class ServerMetadataStoreConfig(BaseMetadataStoreConfig):
    """A metadata store on a database server (stands in for mysql here)."""

    host: str = "db.example.com"


class RemotePlugin:
    @hookimpl
    def zenml_flavors(self) -> list[Flavor]:
        return [
            Flavor(name="pods", type=T.ORCHESTRATOR, config_class=RemoteOrchestratorConfig,
                   implementation="zenml.orchestrators.base:BaseOrchestrator"),
            Flavor(name="server", type=T.METADATA_STORE, config_class=ServerMetadataStoreConfig,
                   implementation="zenml.metadata_stores.base:BaseMetadataStore"),
        ]


def test_a_remote_orchestrator_accepts_the_s3_store(zen: Zen) -> None:
    with plugin_registered(RemotePlugin(), "test-remote"):
        zen("orchestrator", "register", "pods", "--flavor=pods")
        zen("metadata-store", "register", "db", "--flavor=server")
        zen("metadata-store", "register", "db2", "--flavor=server")
        zen("artifact-store", "register", "s3_store", "--flavor=s3",
            "--path=s3://bucket/zenml", ENDPOINT)
        zen("stack", "register", "cloud", "-o", "pods", "-a", "s3_store", "-m", "db")
        # the same orchestrator refuses the local artifact store, naming it
        line = zen.error("stack", "register", "mixed", "-o", "pods", "-a", "default",
                         "-m", "db2")
        assert "artifact store 'default'" in line and "runs steps remotely" in line


def test_a_stack_with_the_s3_store_registers_and_describes(zen: Zen, tmp_path: Path) -> None:
    zen("artifact-store", "register", "s3_store", "--flavor=s3", "--path=s3://bucket/zenml",
        ENDPOINT, "--key=id", "--secret=SECRETVALUE")
    zen("metadata-store", "register", "meta", "--flavor=sqlite", f"--uri={tmp_path}/m.db")
    zen("stack", "register", "s3_stack", "-o", "default", "-a", "s3_store", "-m", "meta",
        "--set")
    for args in (["stack", "describe"], ["stack", "list"]):
        output = zen(*args).output
        assert "s3_store" in output and "SECRETVALUE" not in output, args
