"""The zenml plugin of zenml-REPLACE_ME: entry point ``REPLACE_ME`` in the group ``zenml``.

zenml imports this module whenever it loads plugins (``zenml --help`` too), so
it imports only the standard library and :mod:`zenml.plugins`:

- ``zenml_integration()`` reports the integration's name, version, description and
  requirements as the installed distribution's metadata says them (all written
  once, in ``pyproject.toml``);
- ``zenml_flavors()`` returns its flavors: their config classes come from
  :mod:`zenml_REPLACE_ME.flavors` (pydantic only), imported inside the hook, and
  each flavor's implementation (the only code importing the third-party SDK) is an
  import path loaded when a component of that flavor is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.plugins import hookimpl

if TYPE_CHECKING:
    from zenml.plugins.info import IntegrationInfo
    from zenml.stack.flavor import Flavor

__all__ = ["zenml_flavors", "zenml_integration"]


@hookimpl
def zenml_integration() -> IntegrationInfo:
    """Describe this integration: what its installed distribution's metadata says."""
    from zenml.integrations.metadata import integration_info

    return integration_info("zenml-REPLACE_ME")


@hookimpl
def zenml_flavors() -> list[Flavor]:
    """Return this integration's flavors (none yet)."""
    # The flavors land with this integration's own issue, imported lazily here:
    #     from zenml_REPLACE_ME.flavors import ...
    return []
