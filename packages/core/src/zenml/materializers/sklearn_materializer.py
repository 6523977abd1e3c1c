"""scikit-learn estimators as ``model.joblib`` (the layout model servers read)."""

from __future__ import annotations

from typing import Any, ClassVar

from zenml.materializers.base import BaseMaterializer

__all__ = ["SklearnMaterializer"]


#: ``sklearn.base``'s estimator base and the mixins steps annotate outputs with
#: (``-> ClassifierMixin``), named as strings so scikit-learn is imported only on use.
_SKLEARN_BASES = ("BaseEstimator", "BiclusterMixin", "ClassifierMixin", "ClusterMixin",
                  "DensityMixin", "MetaEstimatorMixin", "MultiOutputMixin", "OutlierMixin",
                  "RegressorMixin", "TransformerMixin")


class SklearnMaterializer(BaseMaterializer):
    """Any ``sklearn.base.BaseEstimator`` (or output annotated with a mixin), saved with joblib."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = tuple(
        f"sklearn.base.{name}" for name in _SKLEARN_BASES)
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
