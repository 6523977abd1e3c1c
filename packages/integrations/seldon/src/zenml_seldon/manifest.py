"""SeldonDeployment manifests: built from a service, checked against the CRD schema.

The schema (``schemas/seldondeployment-v1.json``) is the part of Seldon Core
1.x's SeldonDeployment CRD that zenml writes, kept in this package, so a
manifest is checked before anything is sent to a cluster (and without one).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from zenml.model_deployers.service import ServiceError
from zenml_seldon.deployment_config import CUSTOM_IMPLEMENTATION

if TYPE_CHECKING:
    from zenml_seldon.deployment_config import SeldonDeploymentConfig

__all__ = [
    "API_VERSION",
    "GROUP",
    "KIND",
    "LABEL_DEPLOYER",
    "LABEL_MANAGED_BY",
    "LABEL_SERVICE",
    "PLURAL",
    "RECORD_ANNOTATION",
    "STOPPED_ANNOTATION",
    "VERSION",
    "build_manifest",
    "deployment_name",
    "label_value",
    "schema",
    "validate_manifest",
]

GROUP = "machinelearning.seldon.io"
VERSION = "v1"
API_VERSION = f"{GROUP}/{VERSION}"
KIND = "SeldonDeployment"
PLURAL = "seldondeployments"

LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
LABEL_DEPLOYER = "zenml.io/model-deployer-id"
LABEL_SERVICE = "zenml.io/service-uuid"
RECORD_ANNOTATION = "zenml.io/service"
STOPPED_ANNOTATION = "zenml.io/stopped"
PREDICTOR = "default"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON schema manifests are validated against."""
    text = resources.files("zenml_seldon").joinpath("schemas/seldondeployment-v1.json")
    data: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return data


def deployment_name(uuid: str) -> str:
    """The SeldonDeployment of a service: ``zenml-<uuid>``."""
    return f"zenml-{uuid}"


def label_value(value: str) -> str:
    """``value`` made a valid label value (at most 63 of ``[A-Za-z0-9_.-]``, alphanumeric ends)."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "-", value)[:63]
    return cleaned.strip("-_.")


def _parameter(name: str, value: bool | int | float | str) -> dict[str, str]:
    if isinstance(value, bool):
        return {"name": name, "type": "BOOL", "value": "true" if value else "false"}
    if isinstance(value, int):
        return {"name": name, "type": "INT", "value": str(value)}
    if isinstance(value, float):
        return {"name": name, "type": "DOUBLE", "value": repr(value)}
    return {"name": name, "type": "STRING", "value": value}


def build_manifest(*, uuid: str, deployer_id: str, namespace: str,
                   config: SeldonDeploymentConfig, secret: str | None,
                   record: dict[str, Any], stopped: bool = False) -> dict[str, Any]:
    """The SeldonDeployment serving ``config`` (validated; see :func:`validate_manifest`)."""
    graph: dict[str, Any] = {"name": config.model_name, "type": "MODEL"}
    container: dict[str, Any] = {"name": config.model_name}
    if config.implementation == CUSTOM_IMPLEMENTATION:
        if not config.image:
            raise ServiceError(f"Model '{config.model_name}' has implementation 'custom': set "
                               f"image to the container image that serves it")
        container["image"] = config.image
    else:
        graph["implementation"] = config.implementation
    if config.model_uri:
        graph["modelUri"] = config.model_uri
    if secret:
        graph["envSecretRefName"] = secret
    parameters = config.server_parameters()  # ``method`` explicit: same answer as local mode
    if parameters:
        graph["parameters"] = [_parameter(k, v) for k, v in sorted(parameters.items())]
    if config.resources:
        container["resources"] = {k: dict(v) for k, v in config.resources.items()}
    predictor: dict[str, Any] = {"name": PREDICTOR, "replicas": 0 if stopped else config.replicas,
                                 "graph": graph}
    if len(container) > 1:
        predictor["componentSpecs"] = [{"spec": {"containers": [container]}}]
    labels = {
        LABEL_MANAGED_BY: "zenml",
        LABEL_DEPLOYER: label_value(deployer_id),
        LABEL_SERVICE: uuid,
        "zenml.io/model-name": config.model_name,
    }
    for key, value in (("zenml.io/pipeline-name", config.pipeline_name),
                       ("zenml.io/pipeline-step-name", config.pipeline_step_name)):
        if label_value(value):
            labels[key] = label_value(value)
    annotations = {RECORD_ANNOTATION: json.dumps(record, sort_keys=True)}
    if stopped:
        annotations[STOPPED_ANNOTATION] = "true"
    manifest = {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": deployment_name(uuid), "namespace": namespace, "labels": labels,
                     "annotations": annotations},
        "spec": {"name": config.model_name, "protocol": config.protocol,
                 "predictors": [predictor]},
    }
    validate_manifest(manifest)
    return manifest


def validate_manifest(manifest: dict[str, Any]) -> None:
    """Raise :class:`ServiceError` naming the first field that breaks the CRD schema."""
    import jsonschema  # type: ignore[import-untyped,import-not-found]

    validator = jsonschema.Draft7Validator(schema())
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        name = manifest.get("metadata", {}).get("name", "?") if isinstance(manifest, dict) else "?"
        raise ServiceError(f"SeldonDeployment '{name}' does not match the CRD schema at "
                           f"'{where.lstrip('.') or '(root)'}': {error.message}")
