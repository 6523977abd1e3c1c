"""Cache keys and artifact content hashes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zenml.execution.deployment import StepSpec
    from zenml.metadata_stores.records import ArtifactRecord

__all__ = ["CACHE_KEY_VERSION", "cache_key"]

CACHE_KEY_VERSION = 1


def cache_key(step: StepSpec, inputs: Mapping[str, ArtifactRecord]) -> str:
    """SHA-256 over what decides a step's outputs.

    The step's name in the pipeline, its code (and the helpers it calls in
    its module), its parameters, its input artifacts (by content when the store could hash
    them, else by identity) and its outputs' types and materializer code.
    """
    payload = {
        "version": CACHE_KEY_VERSION,
        "step": step.name,
        "code": step.code_hash,
        "parameters": step.parameters,
        "inputs": {name: a.content_hash or f"id:{a.id}" for name, a in sorted(inputs.items())},
        "outputs": {name: [o.data_type, o.materializer, o.materializer_hash]
                    for name, o in sorted(step.outputs.items())},
    }
    encoded = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()
