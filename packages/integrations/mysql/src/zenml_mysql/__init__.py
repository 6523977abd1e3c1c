"""zenml-mysql: MySQL / MariaDB metadata store for zenml.

zenml finds this integration through the ``mysql`` entry point of the
``zenml`` group (:mod:`zenml_mysql.plugin`); importing the package is light.
"""

from __future__ import annotations

from zenml_mysql.__about__ import __version__

__all__ = ["__version__"]
