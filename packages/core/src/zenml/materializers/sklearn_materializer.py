"""scikit-learn estimators as ``model.joblib`` (the layout model servers read)."""

from __future__ import annotations

from typing import Any, ClassVar

from zenml.materializers.base import BaseMaterializer

__all__ = ["SklearnMaterializer"]


class SklearnMaterializer(BaseMaterializer):
    """Any ``sklearn.base.BaseEstimator``, saved with joblib."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = ("sklearn.base.BaseEstimator",)
    FILE = "model.joblib"

    def handle_return(self, data: Any) -> None:
        """Write the estimator with ``joblib.dump``."""
        import joblib

        with self.open(self.FILE, "wb") as handle:
            joblib.dump(data, handle)

    def handle_input(self, data_type: type) -> Any:
        """Read the estimator with ``joblib.load``."""
        import joblib

        with self.open(self.FILE, "rb") as handle:
            return joblib.load(handle)
