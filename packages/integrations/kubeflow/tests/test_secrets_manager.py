"""The ``kubernetes`` secrets manager, against kmock's Kubernetes API emulator.

The real ``kubernetes`` client talks HTTP to the emulator through a real
kubeconfig; what the secrets manager wrote is read back as ``kubectl`` would
(labels, annotation, base64 ``data``), and Secrets that are not zenml's are
left alone.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from kube_emulator import NAMESPACE, Cluster

from zenml.errors import (
    ConfigError,
    EntityExistsError,
    EntityNotFoundError,
    ProvisioningError,
    SecretsManagerError,
)
from zenml.repository import Repository
from zenml.secrets_managers.schemas import ArbitrarySecretSchema, AWSSecretSchema, build_secret
from zenml.stack.component_type import StackComponentType as T

from conftest import Stacks, Zen

DNS_1123 = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
MARKER = "s3cr3t-MARKER-7f3a"


def manager(stacks: Stacks, **config: Any) -> Any:
    """A kubernetes secrets manager in the active stack, built as a run builds it."""
    stacks.register("kf")
    repo = Repository()
    repo.register_component(T.SECRETS_MANAGER, "k8s", "kubernetes", config)
    repo.update_stack("kf", {T.SECRETS_MANAGER: "k8s"})
    sm = repo.active_stack.secrets_manager
    assert sm is not None
    return sm


def by_annotation(cluster: Cluster, name: str, namespace: str = NAMESPACE) -> dict[str, Any]:
    found = [s for s in cluster.secrets(namespace)
             if (s["metadata"].get("annotations") or {}).get("zenml.io/secret-name") == name]
    assert len(found) == 1, found
    return found[0]


def test_a_secret_is_a_labelled_kubernetes_secret_with_base64_data(
        cluster: Cluster, stacks: Stacks) -> None:
    sm = manager(stacks)
    assert type(sm).__name__ == "KubernetesSecretsManager"
    sm.register_secret(AWSSecretSchema(name="aws_creds", aws_access_key_id="AKIA1",
                                       aws_secret_access_key=MARKER))
    obj = by_annotation(cluster, "aws_creds")
    meta = obj["metadata"]
    assert DNS_1123.match(meta["name"]) and meta["name"].startswith("zenml-aws-creds-")
    assert meta["namespace"] == NAMESPACE
    assert meta["labels"] == {"app.kubernetes.io/managed-by": "zenml",
                              "zenml.io/secret-schema": "aws"}
    assert obj["type"] == "Opaque"
    assert obj["data"] == {"aws_access_key_id": base64.b64encode(b"AKIA1").decode(),
                           "aws_secret_access_key": base64.b64encode(MARKER.encode()).decode()}
    # read back: the same schema class and values
    secret = sm.get_secret("aws_creds")
    assert isinstance(secret, AWSSecretSchema)
    assert secret.content == {"aws_access_key_id": "AKIA1", "aws_secret_access_key": MARKER}
    assert sm.get_value("aws_creds", "aws_secret_access_key") == MARKER
    assert sm.get_all_secret_keys() == ["aws_creds"]


def test_update_replaces_values_and_schema_and_delete_removes(cluster: Cluster,
                                                              stacks: Stacks) -> None:
    sm = manager(stacks)
    sm.register_secret(build_secret("arbitrary", "db", {"user": "u", "password": "p",
                                                         "old": "gone"}))
    sm.update_secret(build_secret("mysql", "db", {"user": "u2", "password": MARKER}))
    secret = sm.get_secret("db")
    assert secret.TYPE == "mysql"
    assert secret.content == {"user": "u2", "password": MARKER}  # 'old' removed
    obj = by_annotation(cluster, "db")
    assert set(obj["data"]) == {"user", "password"}
    assert obj["metadata"]["labels"]["zenml.io/secret-schema"] == "mysql"
    sm.delete_secret("db")
    assert sm.get_all_secret_keys() == []
    assert cluster.secrets() == []


def test_names_with_odd_characters_map_to_distinct_valid_kubernetes_names(
        cluster: Cluster, stacks: Stacks) -> None:
    from zenml_kubeflow.secrets_manager import kubernetes_secret_name

    sm = manager(stacks)
    names = ["AWS", "aws", "a.b c/d:é", "Ünïcode ✓", "-", "x" * 128, "x" * 127 + "y",
             "dots.in.name"]
    for index, name in enumerate(names):
        sm.register_secret(ArbitrarySecretSchema(name=name, key=f"v{index}"))
    k8s_names = [kubernetes_secret_name(n) for n in names]
    assert len(set(k8s_names)) == len(names)
    for k8s_name in k8s_names:
        assert DNS_1123.match(k8s_name) and len(k8s_name) <= 63, k8s_name
    assert sm.get_all_secret_keys() == sorted(names)
    for index, name in enumerate(names):
        assert sm.get_secret(name).content == {"key": f"v{index}"}
        assert by_annotation(cluster, name)["metadata"]["name"] == kubernetes_secret_name(name)


def test_only_zenml_secrets_of_its_namespace_are_listed(cluster: Cluster,
                                                        stacks: Stacks) -> None:
    from zenml_kubeflow.secrets_manager import kubernetes_secret_name

    cluster.create_secret("db-password", {"password": "theirs"})  # kubectl's, unlabelled
    cluster.create_secret("half", {"k": "v"},
                          labels={"app.kubernetes.io/managed-by": "zenml"})  # no annotation
    cluster.create_secret(kubernetes_secret_name("mine"), {"k": "v"})  # our name, not ours
    cluster.create_secret("elsewhere", {"k": "v"}, namespace="other")
    sm = manager(stacks)
    sm.register_secret(ArbitrarySecretSchema(name="ours", k="v"))
    other = manager_in(stacks, "other")
    other.register_secret(ArbitrarySecretSchema(name="theirs", k="v"))
    assert sm.get_all_secret_keys() == ["ours"]
    assert other.get_all_secret_keys() == ["theirs"]
    # a Secret that happens to carry our name is refused, never read or overwritten
    with pytest.raises(SecretsManagerError, match="is not zenml's secret 'mine'"):
        sm.get_secret("mine")
    with pytest.raises(EntityExistsError):
        sm.register_secret(ArbitrarySecretSchema(name="mine", k="new"))
    assert {s["metadata"]["name"] for s in cluster.secrets()} >= {"db-password", "half"}


def manager_in(stacks: Stacks, namespace: str) -> Any:
    """Another kubernetes secrets manager, on ``namespace`` (not in the active stack)."""
    from zenml.plugins.manager import get_flavor_registry

    repo = Repository()
    model = repo.register_component(T.SECRETS_MANAGER, f"k8s-{namespace}", "kubernetes",
                                    {"namespace": namespace})
    return get_flavor_registry().get(T.SECRETS_MANAGER, "kubernetes").create_component(model)


def test_user_errors_are_one_line_and_never_show_a_value(cluster: Cluster,
                                                         stacks: Stacks) -> None:
    sm = manager(stacks)
    sm.register_secret(ArbitrarySecretSchema(name="s", k=MARKER))
    errors: list[str] = []
    for call, kind in [
            (lambda: sm.register_secret(ArbitrarySecretSchema(name="s", k=MARKER)),
             EntityExistsError),
            (lambda: sm.get_secret("missing"), EntityNotFoundError),
            (lambda: sm.update_secret(ArbitrarySecretSchema(name="missing", k=MARKER)),
             EntityNotFoundError),
            (lambda: sm.delete_secret("missing"), EntityNotFoundError),
            (lambda: sm.get_value("s", "nokey"), EntityNotFoundError),
            (lambda: sm.register_secret(ArbitrarySecretSchema.model_validate(
                {"name": "bad", "a key": MARKER})), SecretsManagerError)]:
        with pytest.raises(kind) as info:
            call()
        errors.append(str(info.value))
    assert "zenml secret register missing" in errors[1]
    assert "'a key'" in errors[5] and "letters, digits" in errors[5]
    for message in errors:
        assert "\n" not in message and MARKER not in message, message


def test_forbidden_and_unreachable_clusters_are_one_line(cluster: Cluster,
                                                         stacks: Stacks) -> None:
    cluster.k8s["/api/v1/namespaces/locked/secrets"] << 403 << {
        "kind": "Status", "reason": "Forbidden",
        "message": 'secrets is forbidden: User "tester" cannot list resource "secrets"'}
    locked = manager(stacks, namespace="locked")
    with pytest.raises(SecretsManagerError) as info:
        locked.get_all_secret_keys()
    assert str(info.value).startswith("Kubernetes refused listing secrets in namespace "
                                      "'locked' (403 Forbidden); grant")
    with pytest.raises(ProvisioningError, match="403 Forbidden"):
        locked.resume()
    assert locked.is_running is False

    repo = Repository()
    repo.register_component(T.SECRETS_MANAGER, "far", "kubernetes",
                            {"kubernetes_context": "nowhere"})
    repo.update_stack("kf", {T.SECRETS_MANAGER: "far"})
    far = repo.active_stack.secrets_manager
    assert far is not None
    with pytest.raises(SecretsManagerError) as info:
        far.get_secret("x")
    message = str(info.value)
    assert "cannot reach the Kubernetes cluster at http://127.0.0.1:9 while reading secret" \
        in message and "kubectl --context nowhere get secrets -n kubeflow" in message
    assert "\n" not in message

    repo.register_component(T.SECRETS_MANAGER, "ghost", "kubernetes",
                            {"kubernetes_context": "no-such-context"})
    repo.update_stack("kf", {T.SECRETS_MANAGER: "ghost"})
    ghost = repo.active_stack.secrets_manager
    assert ghost is not None
    with pytest.raises(SecretsManagerError, match="cannot load the Kubernetes configuration "
                                                  "for context 'no-such-context'"):
        ghost.get_all_secret_keys()


def test_registered_with_the_cli_and_refusing_a_bad_namespace(zen: Zen, cluster: Cluster,
                                                              stacks: Stacks) -> None:
    zen("secrets-manager", "register", "k8s", "--flavor=kubernetes", "--namespace=team-a")
    assert "team-a" in zen("secrets-manager", "describe", "k8s").output
    error = zen.error("secrets-manager", "register", "bad", "--flavor=kubernetes",
                      "--namespace=Not_Valid")
    assert "Invalid value for --namespace" in error
    with pytest.raises(ConfigError):
        Repository().register_component(T.SECRETS_MANAGER, "bad", "kubernetes",
                                        {"namespace": "-x"})
