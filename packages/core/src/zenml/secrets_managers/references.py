"""References to secrets in component configurations: ``{{SECRET_NAME.KEY}}``.

A configuration field holding a reference is stored, exported and shipped as
the reference; its value is read from the stack's secrets manager only in the
process that uses the component. A field's whole value is one reference (no
text around it). Where no secrets manager can be asked (a Kubeflow pod), the
orchestrator passes the value in the environment variable
:func:`secret_env_var` (``ZENML_SECRET_...``) from its own secret store, and
resolution reads it from there first.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["REFERENCE", "SecretReference", "find_references", "parse_reference",
           "secret_env_var"]

#: ``{{name.key}}``, spaces allowed inside the braces; the name may hold dots, the
#: key (after the last dot) may not.
REFERENCE = re.compile(r"^\{\{\s*(?P<name>[^{}\s]+)\.(?P<key>[^.{}\s]+)\s*\}\}$")


@dataclass(frozen=True, order=True)
class SecretReference:
    """One ``{{name.key}}``."""

    name: str
    key: str

    def __str__(self) -> str:
        return f"{{{{{self.name}.{self.key}}}}}"


def parse_reference(value: object) -> SecretReference | None:
    """The reference ``value`` is, or None when it is not one."""
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    if not isinstance(value, str):
        return None
    match = REFERENCE.match(value.strip())
    return None if match is None else SecretReference(match["name"], match["key"])


def find_references(config: Mapping[str, Any]) -> Iterator[tuple[str, SecretReference]]:
    """Each ``(field, reference)`` of a stored configuration (top-level fields)."""
    for field, value in config.items():
        reference = parse_reference(value)
        if reference is not None:
            yield field, reference


def secret_env_var(reference: SecretReference) -> str:
    """The environment variable an orchestrator may pass a referenced value in.

    Derived from the name and key by a hash, so any name gives a valid variable
    name and the name itself is not spelt out in a pod's spec.
    """
    digest = hashlib.sha256(f"{reference.name}\0{reference.key}".encode()).hexdigest()
    return f"ZENML_SECRET_{digest[:20].upper()}"
