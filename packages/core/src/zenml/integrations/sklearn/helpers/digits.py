"""The digits data set and model of the original framework's quickstart.

``get_digits()`` is scikit-learn's 8x8 digits flattened to 64 features, the
first half of the 1797 images for training and the second half for testing
(no shuffling), so every run sees the same split; ``get_digits_model()`` is the
support vector classifier the era's examples trained on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zenml.integrations.aliases import require

if TYPE_CHECKING:
    import numpy as np
    from sklearn.base import ClassifierMixin  # type: ignore[import-untyped, unused-ignore]

__all__ = ["get_digits", "get_digits_model"]

require("sklearn", "pip install scikit-learn", __name__)


def get_digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(X_train, X_test, y_train, y_test)``: 898 training and 899 test images."""
    from sklearn.datasets import load_digits  # type: ignore[import-untyped, unused-ignore]

    digits = load_digits()
    features = digits.images.reshape((len(digits.images), -1))
    middle = len(features) - (len(features) + 1) // 2  # the test half takes the odd one
    return (features[:middle], features[middle:], digits.target[:middle],
            digits.target[middle:])


def get_digits_model() -> ClassifierMixin:
    """A fresh, unfitted ``SVC(gamma=0.001)``."""
    from sklearn.svm import SVC  # type: ignore[import-untyped, unused-ignore]

    return SVC(gamma=0.001)
