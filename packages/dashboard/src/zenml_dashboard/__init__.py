"""zenml-dashboard: a local, read-only web view of what zenml recorded.

zenml finds it through the ``dashboard`` entry point of the ``zenml`` group
(:mod:`zenml_dashboard.plugin`), which adds ``zenml dashboard``. Importing this
package is light: Starlette, uvicorn and Jinja2 are imported by
:mod:`zenml_dashboard.app`, which only the command (and code that asks for
``create_app``) imports.
"""

from __future__ import annotations

from zenml_dashboard.__about__ import __version__

__all__ = ["__version__"]
