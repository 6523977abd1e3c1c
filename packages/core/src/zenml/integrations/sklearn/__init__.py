"""The original framework's scikit-learn integration path.

``zenml.integrations.sklearn.helpers.digits`` has the era's example data
(``get_digits``, ``get_digits_model``); ``.materializers.sklearn_materializer``
is an alias of the core's :mod:`zenml.materializers.sklearn_materializer`.
Importing this package does not import scikit-learn.
"""

from __future__ import annotations

from zenml.integrations.integration import SklearnIntegration

__all__ = ["SklearnIntegration"]
