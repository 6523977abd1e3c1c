"""The hooks a zenml plugin can implement.

A plugin is a module with functions marked ``@zenml.plugins.hookimpl``,
published under the ``zenml`` entry-point group::

    [project.entry-points.zenml]
    s3 = "zenml_s3.plugin"

Keep the plugin module light: import your flavors' config classes inside
``zenml_flavors`` and your tool's library only in implementation modules.
An implementation may accept fewer arguments than its spec declares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from zenml.plugins.info import IntegrationInfo
    from zenml.stack.flavor import Flavor

hookspec = pluggy.HookspecMarker("zenml")

# -- stack --------------------------------------------------------------------


@hookspec
def zenml_flavors() -> list[Flavor]:  # type: ignore[empty-body]
    """Return the flavors this plugin provides.

    :returns: a list of :class:`zenml.stack.Flavor`; each flavor's
        ``implementation`` is an import path that is imported only when a
        component of that flavor is used.

    .. versionadded:: 0.1
    """


@hookspec
def zenml_materializers() -> list[type]:  # type: ignore[empty-body]
    """Return the materializer classes this plugin provides.

    :returns: materializer classes; each declares the Python types it
        reads and writes.

    .. versionadded:: 0.1
    """


# -- command line ---------------------------------------------------------------


@hookspec
def zenml_cli_commands(cli: click.Group) -> None:
    """Add commands or groups to the ``zenml`` command line.

    :param cli: the root ``zenml`` group; call ``cli.add_command(...)``.

    .. note:: Import heavy libraries inside the command callbacks, not at
       module level: this hook runs whenever ``zenml --help`` does.

    .. versionadded:: 0.1
    """


# -- integrations ---------------------------------------------------------------


@hookspec
def zenml_integration() -> IntegrationInfo | None:
    """Describe the integration this plugin is: name, version, requirements.

    :returns: an :class:`zenml.plugins.IntegrationInfo`, or None for a plugin
        that is not an integration.

    .. versionadded:: 0.1
    """
