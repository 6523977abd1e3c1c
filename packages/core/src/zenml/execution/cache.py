"""Cache keys and artifact content hashes.

An output whose materializer is picked when the step runs (by the value's
type: ``-> object`` returning a type with its own materializer, or a value
more specific than its annotation) cannot be in the key, which is computed
before the step runs. The launcher then records the code hash of each
materializer picked that way on the step run (:data:`RUNTIME_MATERIALIZERS`,
:func:`runtime_materializers`) and reuses a cached step run only while those
materializers' code is unchanged (:func:`stale_runtime_materializer`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zenml.execution.deployment import StepSpec
    from zenml.metadata_stores.records import ArtifactRecord, StepRunRecord

__all__ = ["CACHE_KEY_VERSION", "RUNTIME_MATERIALIZERS", "cache_key", "materializer_hash",
           "runtime_materializers", "stale_runtime_materializer"]

CACHE_KEY_VERSION = 1

#: The step run extra holding ``{output: {"materializer": source, "hash": code hash}}``
#: for outputs written by a materializer that is not the one in the cache key.
#: Extras starting with ``_zenml`` are internal (the views do not show them).
RUNTIME_MATERIALIZERS = "_zenml_runtime_materializers"

_HASHES: dict[type, str] = {}


def materializer_hash(materializer: type) -> str:
    """The hash of a materializer class's code (once per class and process)."""
    if materializer not in _HASHES:
        from zenml.execution.source import code_hash

        _HASHES[materializer] = code_hash(materializer)[:16]
    return _HASHES[materializer]


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


def runtime_materializers(step: StepSpec, written: Mapping[str, tuple[type, str]]
                          ) -> dict[str, dict[str, str]]:
    """What to record for outputs written by another materializer than the key's.

    ``written`` maps each output to the materializer class that wrote it and its
    source.
    """
    recorded = {}
    for name, (materializer, source) in sorted(written.items()):
        if source != step.outputs[name].materializer:
            recorded[name] = {"materializer": source, "hash": materializer_hash(materializer)}
    return recorded


def stale_runtime_materializer(step: StepSpec, original: StepRunRecord,
                               outputs: Mapping[str, ArtifactRecord],
                               load: Callable[[str], Any]) -> str | None:
    """Why ``original``'s outputs may not be reused, or None if they may.

    An output written by another materializer than the cache key's must have
    its materializer's code hash recorded (:func:`runtime_materializers`), and
    that code must be unchanged; ``load`` imports a materializer by its source.
    """
    recorded = original.extra.get(RUNTIME_MATERIALIZERS) or {}
    for name, artifact in sorted(outputs.items()):
        spec = step.outputs.get(name)
        if spec is None or artifact.materializer == spec.materializer:
            continue  # its code hash is in the cache key
        entry = recorded.get(name)
        if not isinstance(entry, dict) or entry.get("materializer") != artifact.materializer:
            return (f"the materializer of output '{name}' ({artifact.materializer}) was "
                    f"chosen when it ran and its code was not recorded")
        try:
            current = materializer_hash(load(artifact.materializer))
        except Exception as error:  # gone or broken: it cannot be the same code
            return (f"the materializer of output '{name}' ({artifact.materializer}) cannot "
                    f"be imported: {type(error).__name__}")
        if current != entry.get("hash"):
            return f"the code of materializer {artifact.materializer} (output '{name}') changed"
    return None
